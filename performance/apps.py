from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        # Importing the hooks registers their system check (summit.E001: every required hook has
        # a receiver). The cache imports models, which exist only once the app registry is ready.
        import performance.common.hooks  # noqa: F401, PLC0415
        from performance.common import cache  # noqa: PLC0415

        cache.connect_signals()
