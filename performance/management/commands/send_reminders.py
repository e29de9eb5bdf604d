"""send_reminders [--date YYYY-MM-DD] [--dry-run] (SPEC §11): what the scheduler sends that day."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from performance.collection import reminders


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--date {text!r} is not a date: write it YYYY-MM-DD, like 2025-07-01."
        ) from None


class Command(BaseCommand):
    help = (
        "Open the day's collection rounds, record No data after a close and send the day's "
        "reminder emails, as the scheduler does; --dry-run only shows what would happen."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to act for (YYYY-MM-DD); default today.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be sent; change nothing."
        )

    def handle(self, *args, date: str | None, dry_run: bool, **options):
        day = _date(date) if date else timezone.localdate()
        plan = reminders.plan_day(day)
        verb = "Would" if dry_run else "Will"
        self.stdout.write(f"Collection cycle for {day:%A %-d %B %Y}:")
        for round_ in plan.rounds_to_open:
            self.stdout.write(f"  {verb} open {round_} (closes {round_.closes_on}).")
        if not plan.emails and not plan.no_data:
            self.stdout.write("  Nothing to send.")
        for planned in plan.emails:
            note = " (already sent)" if planned.already_sent else ""
            count = len(planned.items) + len(planned.plan_items)
            self.stdout.write(
                f"  {planned.kind:<15} {planned.person.email:<40} {count:>4} "
                f"item{'s' if count != 1 else ''}{note}"
            )
            for item in planned.items:
                self.stdout.write(
                    f"      {item.indicator.code} {item.period} [{item.status_label}]"
                )
            for owed in planned.plan_items:  # progress updates owed by plan owners
                self.stdout.write(f"      {owed.label} [{owed.status_label}]")
        if plan.no_data:
            self.stdout.write(f"  {verb} record No data for {len(plan.no_data)} item(s):")
            for item in plan.no_data:
                self.stdout.write(f"      {item.indicator.code} {item.period}")
        if dry_run:
            self.stdout.write("Dry run: nothing was sent or recorded.")
            return
        report = reminders.run_day(day)
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent {report.sent} email(s), skipped {report.skipped} already sent, "
                f"recorded No data for {report.no_data} item(s)."
            )
        )
