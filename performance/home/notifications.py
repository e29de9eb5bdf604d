"""The notifications page (issue 19): what happened that the person should know, with
"Mark all as read". The list is read from the records of what happened
(`performance.common.notifications`); the reminder emails link here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from performance.common import notifications as notices


@require_http_methods(["GET", "POST"])
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """GET: the list, newest first, unread ones marked "New". POST: mark them all read."""
    if request.method == "POST":
        notices.mark_read(request.user)
        messages.success(request, "All your notifications are marked as read.")
        return redirect("notifications")
    found = notices.notifications_for(request.user)
    unread = sum(1 for notice in found if notice.unread)
    return render(
        request,
        "performance/home/notifications.html",
        {
            "notifications": found,
            "unread": unread,
            "unread_notifications": unread,  # the header's count
            "window_days": notices.WINDOW_DAYS,
        },
    )


@require_GET
@login_required
def unread_count(request: HttpRequest) -> HttpResponse:
    """The header's "(N unread)", fetched by htmx after a page has loaded, so no page waits for
    it or pays its query; empty when nothing is unread. Never cached: it changes as things
    happen."""
    response = render(
        request,
        "performance/home/partials/unread_count.html",
        {"unread_notifications": notices.unread_count(request.user)},
    )
    response["Cache-Control"] = "private, no-store"
    return response
