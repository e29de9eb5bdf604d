"""The Celery application: settings from Django's CELERY_* names, tasks found in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("summit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Areas of the performance app keep their tasks in `<area>/tasks.py`.
app.autodiscover_tasks(["performance.collection", "performance.council", "performance.risks"])
