"""create_api_token USERNAME [--write] [--days N] [--name NAME] (SPEC §11, §15).

Prints the new token alone on stdout (so `TOKEN=$(… create_api_token …)` works); the token is
shown once and stored hashed. Audited on the person, as made by the command.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from performance.api import services


class Command(BaseCommand):
    help = "Make an API token for a person and print it (once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--write", action="store_true", help="May submit values, not only read."
        )
        parser.add_argument(
            "--days", type=int, default=services.DEFAULT_DAYS, help="Expires after N days (90)."
        )
        parser.add_argument("--name", default="Made by create_api_token")

    def handle(self, *args, username: str, write: bool, days: int, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"USERNAME: no person has the username {username!r}")
        try:
            _, secret = services.create_token(
                user=user, name=name, days=days, can_write=write, actor=None
            )
        except services.TokenError as error:
            option = {"user": "USERNAME", "name": "--name", "days": "--days"}.get(error.field)
            raise CommandError(f"{option or error.field}: {error.message}") from None
        self.stdout.write(secret)
