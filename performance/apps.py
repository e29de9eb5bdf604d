from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        # Importing the hooks registers their system check (summit.E001: every required hook has
        # a receiver). The cache imports models, which exist only once the app registry is ready.
        import performance.common.hooks  # noqa: F401, PLC0415
        from performance.common import cache  # noqa: PLC0415
        from performance.common import hooks as common_hooks  # noqa: PLC0415

        cache.connect_signals()
        # Risk categories in Manage: Manage sits below the risk area, so the kind comes by hook.
        from performance.risks import manage as risk_manage  # noqa: PLC0415

        common_hooks.register(common_hooks.MANAGE_KINDS, risk_manage.kinds)
        # Activated values may ask for action plans (issue 20): collection sits beside plans.
        from performance.plans import requests as plan_requests  # noqa: PLC0415

        common_hooks.register(common_hooks.VALUES_ACTIVATED, plan_requests.on_values_activated)
