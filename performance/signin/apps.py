from django.apps import AppConfig


class SignInConfig(AppConfig):
    """OpenID Connect sign-in and the mappings of the provider's groups to roles and teams."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "performance.signin"
    label = "signin"
    verbose_name = "Signing in"

    def ready(self) -> None:
        # Manage cannot import this app (it is built on Manage): its kind comes through the hook.
        from performance.common import hooks  # noqa: PLC0415
        from performance.signin import manage  # noqa: PLC0415

        hooks.register(hooks.MANAGE_KINDS, manage.kinds)
