"""No retry waits past Redis's visibility timeout (issue 21).

Redis gives an unacknowledged message to a worker again once the visibility timeout has passed,
and a retry waiting for its countdown is such a message: a countdown longer than the timeout is
run twice (then three times…) by the workers. Checked with the timeout Redis is configured with.
"""

from __future__ import annotations

import pytest

from performance.collection import reminders
from performance.reports import services, tasks


@pytest.fixture
def redis_timeout(settings):
    timeout = settings.CELERY_TASK_TIME_LIMIT + 300  # as config/settings.py sets it for Redis
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": timeout}
    return timeout


def test_a_busy_publication_retries_within_the_visibility_timeout(redis_timeout):
    assert tasks.retry_in() < redis_timeout


def test_the_retry_still_comes_after_the_claim_can_go_stale_without_redis(settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": "/tmp"}  # the file-system broker
    assert tasks.retry_in() > services.PUBLISH_STALE_AFTER.total_seconds()


def test_a_held_collection_day_retries_within_the_visibility_timeout(redis_timeout):
    assert reminders.LEASE.total_seconds() + 1 < redis_timeout
