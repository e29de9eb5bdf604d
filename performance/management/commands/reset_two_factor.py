"""reset_two_factor USERNAME (issue 15): remove a person's authenticator and recovery codes.

For an officer who lost both their phone and their recovery codes: they sign in with their
password and, if REQUIRE_2FA_FOR_OFFICERS is on, set up a new authenticator. Audited.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from performance.accounts import services


class Command(BaseCommand):
    help = "Turn off two-step verification for USERNAME (a lost phone and recovery codes)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No person has the username {username!r}.")
        if not services.turn_off(user=user, actor=None, reason="manage.py reset_two_factor"):
            raise CommandError(f"{username} does not use two-step verification.")
        self.stdout.write(self.style.SUCCESS(f"Two-step verification is off for {username}."))
