"""risk_register [--register R] [--format csv|json] (SPEC §11, §12): one row per open risk.

The rows are `performance.risks.selectors.RiskRow.as_record()` (the API gives the same); the key
risk indicator alerts are brought up to date first.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from performance.risks import exports, selectors, services


class Command(BaseCommand):
    help = "Print one row per open risk with its scores, rating, appetite and alerts."

    def add_arguments(self, parser):
        parser.add_argument("--register", choices=[r.value for r in exports.REGISTERS])
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, register: str | None, format: str, **options):
        services.sync_kri_alerts()
        rows = [
            row.as_record() for row in selectors.register_rows(user=None, register=register or "")
        ]
        self.stdout.write(
            exports.as_json(rows) if format == "json" else exports.as_csv(rows), ending=""
        )
