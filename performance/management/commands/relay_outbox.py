"""relay_outbox: publish Celery tasks left waiting in the outbox (e.g. after Redis was down)."""

from django.core.management.base import BaseCommand, CommandError

from performance.common import outbox


class Command(BaseCommand):
    help = (
        "Publish the queued tasks that could not reach the broker when they were recorded. "
        "Safe to run any number of times: a published task is never published again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=outbox.RELAY_BATCH, help="Most rows to publish."
        )

    def handle(self, *args, limit: int, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        report = outbox.publish_pending(limit=limit)
        self.stdout.write(
            f"Published {report.published}, failed {report.failed}, still waiting {report.waiting}."
        )
        if report.failed:
            raise CommandError(
                f"{report.failed} task(s) could not be published: is the broker (Redis) up? "
                "They stay queued; run relay_outbox again once it answers."
            )
