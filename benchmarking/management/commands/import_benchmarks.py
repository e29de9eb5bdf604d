"""import_benchmarks FILE --measure CODE [--title T] [--polarity higher|lower] (SPEC §11)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from benchmarking import services


class Command(BaseCommand):
    help = (
        "Import one measure's benchmark values from a published table (.csv or .xlsx) as it "
        "comes: authority code and name, period and value columns, or one column per year. "
        "Every authority in it is stored; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--measure", required=True, help="Measure code; created if new.")
        parser.add_argument("--title", default=None)
        parser.add_argument("--polarity", choices=["higher", "lower", "none"], default=None)

    def handle(self, *args, file: str, measure: str, title, polarity, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            result = services.import_benchmarks(
                name=path.name,
                content=path.read_bytes(),
                measure=measure,
                title=title,
                polarity=polarity,
            )
        except services.ImportFailed as failure:
            raise CommandError(
                f"{path.name}: nothing imported.\n" + "\n".join(failure.errors)
            ) from failure
        self.stdout.write(result.message)
