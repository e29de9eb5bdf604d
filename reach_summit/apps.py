from django.apps import AppConfig


class ReachSummitConfig(AppConfig):
    name = "reach_summit"
    verbose_name = "Reach the Summit"

    def ready(self) -> None:
        """Add Reach the Summit's sheets to the council workbook through the kernel's hook
        (`performance.council` may not import this app, which is built on it)."""
        from performance.common import hooks  # noqa: PLC0415
        from reach_summit import council  # noqa: PLC0415 (imports models: the registry is ready)

        hooks.register(hooks.COUNCIL_SHEETS, council.council_sheets)
