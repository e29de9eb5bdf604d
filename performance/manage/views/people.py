"""People in the Manage area: the list of accounts, each person's roles, each team's members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from performance.common.display import person_name
from performance.core.roles import Role
from performance.manage import forms as f
from performance.manage import selectors, services
from performance.manage.views.common import form_page, officer_required
from performance.models import Team, TeamMembership


@require_http_methods(["GET"])
@officer_required
@vary_on_headers("HX-Request")
def people(request: HttpRequest) -> HttpResponse:
    page, rows = selectors.people_page(page=request.GET.get("page"))
    template = "performance/manage/people.html"
    if request.htmx:
        template += "#people-table"
    return render(request, template, {"rows": rows, "page": page})


@require_http_methods(["GET", "POST"])
@officer_required
def person_roles(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=pk)
    if request.method == "POST":
        form = f.RolesForm(request.POST)
        if form.is_valid():
            event = services.set_roles(
                actor=request.user, user=person, roles=[Role(r) for r in form.cleaned_data["roles"]]
            )
            name = person_name(person)
            if event is None:
                messages.info(request, f"{name}'s roles are unchanged.")
            else:
                messages.success(request, f"{name}'s roles saved.")
            return redirect("performance:manage-people")
    else:
        form = f.RolesForm(initial={"roles": selectors.roles_held(person)})
    context = {
        "person": person,
        "memberships": selectors.memberships_of(person),
    }
    return form_page(request, "performance/manage/person_roles.html", context, form)


@require_http_methods(["GET", "POST"])
@officer_required
def team_members(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.select_related("directorate"), pk=pk)
    if request.method == "POST":
        form = f.MembershipForm(request.POST, team=team)
        if form.is_valid():
            user = form.cleaned_data["user"]
            try:
                services.add_member(actor=request.user, team=team, user=user)
            except services.EditError as error:
                form.add_error("user", str(error))
            else:
                messages.success(request, f"{person_name(user)} added to {team}.")
                return redirect("performance:manage-team-members", team.pk)
    else:
        form = f.MembershipForm(team=team)
    context = {
        "team": team,
        "memberships": selectors.members_of(team),
    }
    return form_page(request, "performance/manage/team_members.html", context, form)


@require_POST
@officer_required
def team_member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = get_object_or_404(
        TeamMembership.objects.select_related("user", "team"), pk=membership_pk, team_id=pk
    )
    services.remove_member(actor=request.user, membership=membership)
    messages.success(request, f"{person_name(membership.user)} removed from {membership.team}.")
    return redirect("performance:manage-team-members", pk)
