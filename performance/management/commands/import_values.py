"""import_values FILE (SPEC §11, §12): values activated on import and audited, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from performance.collection import imports

MAX_SHOWN = 50


def rejection(file: str, rejected: imports.ImportRejected) -> str:
    """The message of a refused file: every error (up to MAX_SHOWN), one a line."""
    errors = rejected.errors
    count = len(errors)
    lines = [
        f"{file} was rejected and nothing was imported ({count} error{'s' if count != 1 else ''}):"
    ]
    lines += [f"  {error}" for error in errors[:MAX_SHOWN]]
    if count > MAX_SHOWN:
        lines.append(f"  … and {count - MAX_SHOWN} more.")
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Import indicator values from a .csv or .xlsx file with the columns indicator, period, "
        "value and optionally numerator, denominator, comment, source. Values are activated "
        "on import; an existing value for the same indicator and period is replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")

    def handle(self, *args, file: str, **options):
        try:
            result = imports.import_values(path=file)
        except imports.ImportRejected as rejected:
            raise CommandError(rejection(file, rejected)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.values} values from {file}: {result.created} created, "
                f"{result.replaced} replaced, {result.unchanged} unchanged."
            )
        )
