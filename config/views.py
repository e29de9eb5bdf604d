"""Site-wide views: password reset with our email templates and the error pages."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from performance.common import audit

RESET_EMAIL_SENT = "password reset email sent"


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Sends at most PASSWORD_RESET_EMAILS_PER_HOUR reset emails to one person an hour.

    Beyond that the request is dropped silently: the page is the same whether an email went,
    was held back, or no account has the address. Each email sent is on the person's audit
    trail, which is also the count (shared by every web process, unlike the local cache).
    """

    def get_users(self, email):
        since = timezone.now() - dt.timedelta(hours=1)
        for user in super().get_users(email):
            recent = audit.history(user).filter(action=RESET_EMAIL_SENT, at__gte=since)
            if recent.count() >= settings.PASSWORD_RESET_EMAILS_PER_HOUR:
                continue
            audit.record(actor=None, instance=user, action=RESET_EMAIL_SENT)
            yield user


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        # Links in the email point at the public address, not whatever Host the request used.
        self.extra_email_context = {
            "site_url": settings.SITE_URL,
            "council_name": settings.COUNCIL_NAME,
        }
        return super().form_valid(form)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)
