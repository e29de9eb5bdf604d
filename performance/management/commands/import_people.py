"""import_people FILE (SPEC §11, §12): people, their teams and roles, all or nothing, audited.

`--deactivate-missing` also deactivates the active people the file leaves out (never a
superuser, never the last performance officer). It is a two-step action like the Manage page:
without `--yes` the command prints who would be deactivated, changes nothing and exits 1;
`--dry-run` checks the file and prints what would happen without writing anything.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from performance.manage import people_imports
from performance.management.commands.import_values import rejection


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that nothing is kept."""


class Command(BaseCommand):
    help = (
        "Create or update people, their teams and roles from a .csv or .xlsx file with the "
        "columns username, name, email, team, roles (roles separated by ';' from "
        "performance, enterer, manager, head, member). No passwords are read or set."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Also deactivate active people who are not in the file (needs --yes).",
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm --deactivate-missing: deactivate the people it lists.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and print what would happen; change nothing.",
        )

    def handle(self, *args, file: str, deactivate_missing: bool, yes: bool, dry_run: bool, **o):
        try:
            plan = people_imports.read_people(path=file)
        except people_imports.ImportRejected as rejected:
            raise CommandError(rejection(file, rejected)) from None
        if deactivate_missing:
            self._list_missing(plan)
        if deactivate_missing and not yes and not dry_run:
            raise CommandError(
                f"{len(plan.missing)} people would be deactivated (listed above). Nothing was "
                "changed: run again with --yes to import and deactivate them, or --dry-run."
            )
        try:
            with transaction.atomic():
                result = people_imports.apply_people(plan, deactivate=deactivate_missing)
                if dry_run:
                    raise _DryRun
        except people_imports.ImportRejected as rejected:
            raise CommandError(rejection(file, rejected)) from None
        except _DryRun:
            self.stdout.write(f"Dry run, nothing was changed. {file} would import {result}")
            return
        self.stdout.write(self.style.SUCCESS(f"Imported {file}: {result}"))
        if result.still_inactive:
            self.stdout.write(
                f"Still deactivated (reactivate them on Manage › People): "
                f"{', '.join(result.still_inactive)}."
            )
        if not deactivate_missing and plan.missing:
            self.stdout.write(
                f"{len(plan.missing)} active people are not in the file and were left as they "
                "are (--deactivate-missing --yes deactivates them)."
            )

    def _list_missing(self, plan: people_imports.PeoplePlan) -> None:
        if not plan.missing:
            self.stdout.write("Nobody active is missing from the file.")
        else:
            self.stdout.write(f"Active people not in the file ({len(plan.missing)}):")
            for person in plan.missing:
                self.stdout.write(f"  {person}")
        for person in plan.kept:
            self.stdout.write(f"  kept (superuser): {person}")
