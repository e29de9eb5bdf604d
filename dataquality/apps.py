from django.apps import AppConfig


class DataQualityConfig(AppConfig):
    name = "dataquality"
    verbose_name = "Data quality"

    def ready(self) -> None:
        """Take part in the kernel's work through its hooks (`performance.common.hooks`): the
        kernel may not import this app, which is built on it."""
        # The receivers import models, which exist only once the app registry is ready.
        from dataquality import manage, selectors, services  # noqa: PLC0415
        from performance.common import hooks  # noqa: PLC0415

        hooks.register(hooks.BEFORE_SUBMIT, services.require_signed)
        hooks.register(hooks.ENTRY_PROBLEMS, services.entry_problems)
        hooks.register(hooks.ENTRY_RULES, services.rules_of)
        hooks.register(hooks.ENTRY_REJECTED, services.record_rejections)
        hooks.register(hooks.ENTRIES_REJECTED_IN_BULK, services.record_import_rejections)
        hooks.register(hooks.VALUE_EVIDENCE, selectors.evidence_for)
        hooks.register(hooks.INDICATOR_EVIDENCE, selectors.evidence_for_indicator)
        hooks.register(hooks.MANAGE_KINDS, manage.kinds)
        hooks.register(hooks.INDICATOR_SETTINGS, services.indicator_settings)
        hooks.register(hooks.SET_INDICATOR_SETTINGS, services.set_indicator_settings)
        hooks.register(hooks.CHECK_INDICATOR_SETTINGS, services.check_indicator_settings)
