app_name = "reach_summit"

urlpatterns: list = []
