"""`render_report KIND --period P --audience A -o FILE.pdf` (SPEC §11): a committee report to PDF,
or to the Excel workbook the reports pages offer when FILE ends in `.xlsx`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from performance.reports import exports, selectors, services
from performance.reports.data import BadArgument, Kind, parse_audience, parse_kind, parse_period


class Command(BaseCommand):
    help = (
        "Render a committee report to PDF, or to Excel when the file ends in .xlsx (a draft "
        "from the data as it is now)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", help=f"One of: {', '.join(k.value for k in Kind)}")
        parser.add_argument(
            "--period",
            required=True,
            help="2024/25 Q1; 2024-07 for monthly; a financial year like 2024/25 for annual",
        )
        parser.add_argument("--audience", default="mt", help="mt (default), cabinet or scrutiny")
        parser.add_argument(
            "-o", "--output", required=True, help="The file to write: .pdf, or .xlsx for Excel"
        )

    def handle(self, *args, **options) -> None:
        try:
            kind = parse_kind(options["kind"])
            period = parse_period(kind, options["period"])
            audience = parse_audience(options["audience"])
        except BadArgument as error:
            raise CommandError(f"{error.field}: {error}") from None
        output = Path(options["output"])
        if output.is_dir():
            raise CommandError(f"output: {output} is a folder; give a file name like report.pdf")
        if not output.parent.exists():
            raise CommandError(f"output: the folder {output.parent} does not exist")
        report = selectors.build(kind, period=period, audience=audience)
        if output.suffix.lower() == ".xlsx":
            data = exports.xlsx(report, services.draft_stamp())
        else:
            data = exports.pdf(report, services.draft_stamp())
        partial = output.with_name(f".{output.name}.part")
        try:
            partial.write_bytes(data)
            partial.replace(output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"output: cannot write {output}: {error.strerror}") from None
        self.stdout.write(
            f"Wrote {output} ({len(data):,} bytes): {report.title} for {report.committee}."
        )
