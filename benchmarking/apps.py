from django.apps import AppConfig


class BenchmarkingConfig(AppConfig):
    name = "benchmarking"
    verbose_name = "Benchmarking and value for money"

    def ready(self) -> None:
        """Add comparator groups to Manage through the kernel's MANAGE_KINDS hook."""
        # The receivers import models, which exist only once the app registry is ready.
        from benchmarking import manage  # noqa: PLC0415
        from performance.common import hooks  # noqa: PLC0415

        hooks.register(hooks.MANAGE_KINDS, manage.kinds)
