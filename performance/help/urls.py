"""Help pages, mounted at /help/ (no login)."""

from django.urls import path

from performance.help import views

app_name = "help"

urlpatterns = [
    path("symbols/", views.symbols_page, name="symbols"),
    path("glossary/", views.glossary, name="glossary"),
]
