"""Pages of the performance app, one module per area; each module declares its urlpatterns."""
