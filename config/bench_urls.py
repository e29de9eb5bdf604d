"""The trivial view the benchmark compares every page with (`make bench`, docs/benchmarks.md).

It goes through the whole middleware stack (sessions, CSRF, auth, CSP, htmx, axes) like every
page, but renders no template and runs no query of its own, so the ratio page ÷ trivial is the
cost of the page itself on the same server, database and machine.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET


@require_GET
def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial, name="bench-trivial")]
