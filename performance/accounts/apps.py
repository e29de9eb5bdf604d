from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """An app only so that its admin module runs after django-otp's (no models of its own)."""

    name = "performance.accounts"
    label = "summit_accounts"
    verbose_name = "Two-step verification"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415 (app registry)

        from performance.accounts import middleware  # noqa: PLC0415 (models load after ready)

        user_logged_in.connect(middleware.mark_pending, dispatch_uid="summit-2fa-pending")
