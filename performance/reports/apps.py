from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Committee reports, exports and the public transparency pages (SPEC §10)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "performance.reports"
    label = "reports"
    verbose_name = "Committee reports"
