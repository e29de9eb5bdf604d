"""URLs of the performance app: each views module declares its own `urlpatterns`."""

from importlib import import_module

app_name = "performance"

# Area modules under performance/views/; a module lists its own paths in `urlpatterns`.
AREAS = ["indicators", "plans", "editing", "returns"]

urlpatterns = []
for _area in AREAS:
    try:
        _module = import_module(f"performance.views.{_area}")
    except ModuleNotFoundError as error:
        if error.name != f"performance.views.{_area}":
            raise
        continue
    urlpatterns += getattr(_module, "urlpatterns", [])
