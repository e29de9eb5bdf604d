"""seed_demo [--scale small|council|county|stress] [--seed N] (SPEC §11)."""

from django.core.management.base import BaseCommand, CommandError

from performance import demo


class Command(BaseCommand):
    help = "Create a deterministic demo council in an empty database and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(demo.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already holds a council.",
        )

    def handle(self, *args, scale: str, seed: int, if_empty: bool, **options):
        if if_empty and demo.already_seeded():
            self.stdout.write("The database already holds a council; nothing seeded.")
            return
        try:
            context = demo.build(scale=scale, seed=seed, log=self.stdout.write)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Demo council seeded at scale {scale} (seed {seed}).")
        )
        self.stdout.write("Demo logins (demo data only):")
        for username, role, password in context.logins:
            self.stdout.write(f"  {username:<12} {password:<12} {role.value}")
