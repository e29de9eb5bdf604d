"""The API's pages for people (GOV.UK layout): what the API offers, and one's own tokens.

A person makes, names, sees the last use of and revokes their own tokens; the secret is shown
once, on the page that answers the form, and never stored (performance.api.services).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from performance.api import services
from performance.common.forms import GovukMixin, NumericInput, error_summary
from performance.models import ApiToken


class TokenForm(GovukMixin, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so you can tell it apart, such as “Power BI report”.",
        error_messages={"required": "Enter a name for the token"},
    )
    days = forms.IntegerField(
        label="Expires after (days)",
        initial=services.DEFAULT_DAYS,
        widget=NumericInput(),
        help_text="Every token expires; make a new one before then.",
        error_messages={
            "required": "Enter how many days the token lasts",
            "invalid": "Days must be a whole number, like 90",
        },
    )
    can_write = forms.BooleanField(
        label="Allow it to submit values (not only read)",
        required=False,
        help_text="Only for a system that sends figures; reading for Power BI needs no more.",
    )

    def clean_days(self) -> int:
        days = self.cleaned_data["days"]
        if not 1 <= days <= services.max_days():
            raise forms.ValidationError(f"Days must be between 1 and {services.max_days()}")
        return days


@login_required
@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/api/v1/")
    return render(request, "api/docs.html", {"base": base})


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            made, secret = services.create_token(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                can_write=form.cleaned_data["can_write"],
                actor=request.user,
            )
        except services.TokenError as error:
            form.add_error("name" if error.field == "user" else error.field, error.message)
        else:
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "error_list": error_summary(form) if form.is_bound else [],
            "tokens": ApiToken.objects.filter(user=request.user),
            "secret": secret,
            "made": made,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:  # another person's token is not there to revoke
        raise Http404("No such token of yours.")
    if services.revoke(token=token, actor=request.user):
        messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    else:
        messages.info(request, f"Token “{token.name}” was already revoked.")
    return redirect("api:tokens")
