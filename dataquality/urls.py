app_name = "dataquality"

urlpatterns: list = []
