"""The reference views the benchmark compares every page with (`make bench`, docs/benchmarks.md).

- `bench/trivial` goes through the whole middleware stack (sessions, CSRF, auth, CSP, htmx,
  axes) like every page, but renders no template and runs no query of its own, so the ratio
  page ÷ trivial is the cost of the page itself on the same server, database and machine.
- `bench/floor` is the least a signed-in page costs: the session, the user and their roles read,
  and the GOV.UK layout with the header and menu rendered around an empty body. No page can be
  cheaper than this floor, so it shows how much of a page's time is the page's own work.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET


@require_GET
def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/floor.html")


urlpatterns = [
    path("bench/trivial", trivial, name="bench-trivial"),
    path("bench/floor", floor, name="bench-floor"),
]
