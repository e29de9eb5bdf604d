from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Committee reports, exports and the public transparency pages (SPEC §10)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "performance.reports"
    label = "reports"
    verbose_name = "Committee reports"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model  # noqa: PLC0415 (apps are ready only now)
        from django.db.models.signals import post_save  # noqa: PLC0415

        post_save.connect(
            _person_changed, sender=get_user_model(), dispatch_uid="reports-person-changed"
        )
        post_save.connect(
            _risk_settings_changed,
            sender="performance.RiskSettings",
            dispatch_uid="reports-risk-settings-changed",
        )


def _person_changed(sender, update_fields=None, raw=False, **kwargs) -> None:
    """A person's name is printed in reports (owners): a stored draft PDF is rebuilt after it
    changes. Signing in (which saves `last_login` only) changes nothing printed."""
    if raw or (update_fields and set(update_fields) <= {"last_login"}):
        return
    from performance.common import cache  # noqa: PLC0415

    cache.bump("reports")


# The alert check's own state on the risk settings row: the alerts follow the indicators and the
# risks (both watched), and a report runs the check before it reads them, so its saving them
# must not make the report's own stored PDF stale (RiskAlert is not watched for the same reason).
_ALERT_CHECK_STATE = {"kri_checked_token", "kri_seen", "kri_full_at"}


def _risk_settings_changed(sender, update_fields=None, raw=False, **kwargs) -> None:
    """The risk matrix's labels and bands are printed in risk reports."""
    if raw or (update_fields and set(update_fields) <= _ALERT_CHECK_STATE):
        return
    from performance.common import cache  # noqa: PLC0415

    cache.bump("reports")
