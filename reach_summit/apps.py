from django.apps import AppConfig


class ReachSummitConfig(AppConfig):
    name = "reach_summit"
    verbose_name = "Reach the Summit"
