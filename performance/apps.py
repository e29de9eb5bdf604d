from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        # The cache imports models, which exist only once the app registry is ready.
        from performance.common import cache  # noqa: PLC0415

        cache.connect_signals()
