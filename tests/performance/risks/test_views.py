"""The risk pages (SPEC §14): the register and its filters, the heat map, a risk, the owner's
review, the officers' escalations queue and matrix, and risk categories in Manage."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.core.roles import Role
from performance.models import (
    Action,
    AuditEvent,
    Risk,
    RiskAction,
    RiskCategory,
    RiskEscalation,
    RiskReview,
    RiskSettings,
)
from performance.risks import services
from performance.risks.views import risk as risk_views
from tests.factories import (
    ActionPlanFactory,
    IndicatorFactory,
    OutcomeFactory,
    PriorityFactory,
    RiskCategoryFactory,
    RiskFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REGISTER = reverse("performance:risk-register")
HEAT_MAP = reverse("performance:risk-heat-map")
ESCALATIONS = reverse("performance:risk-escalations")
MATRIX = reverse("performance:risk-matrix")


@pytest.fixture
def team():
    return TeamFactory(name="Waste")


@pytest.fixture
def officer():
    return UserFactory(username="officer", roles=[Role.PERFORMANCE_OFFICER])


@pytest.fixture
def owner(team):
    return UserFactory(
        username="owner",
        first_name="Olu",
        last_name="Owner",
        roles=[Role.DATA_ENTERER],
        teams=[team],
    )


@pytest.fixture
def risk(owner, team):
    category = RiskCategoryFactory(name="Operational", appetite=12)
    made = RiskFactory(
        reference="SR01",
        title="Bin lorry fleet fails",
        owner=owner,
        team=team,
        category=category,
        review_due=dt.date(2025, 10, 10),
    )
    made.controls.create(description="Weekly fleet checks", effectiveness="effective")
    return made


def page(client, url, user):
    client.force_login(user)
    response = client.get(url)
    return response, response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the register ----------------------------------------------------------------------------


def test_the_register_lists_a_risk_with_its_scores_words_and_flags(client, risk, owner):
    response, html = page(client, REGISTER, owner)
    assert response.status_code == 200
    text = text_of(html)
    assert "SR01" in text
    assert "Bin lorry fleet fails" in text
    assert "9 " in text
    assert "Medium" in text
    assert reverse("performance:risk-detail", args=[risk.pk]) in html
    assert "Within" in text
    assert 'class="app-symbol app-symbol--risk-medium"' in html


def test_a_risk_above_appetite_is_flagged_in_words(client, risk, owner):
    Risk.objects.filter(pk=risk.pk).update(current_likelihood=4, current_impact=4)
    _, html = page(client, REGISTER, owner)
    text = text_of(html)
    assert "Above" in text
    assert "Very high" in text


def test_the_register_filters_narrow_by_register_rating_and_flags(client, risk, officer):
    RiskFactory(
        reference="CR01",
        title="Council budget gap",
        register=Risk.Register.CORPORATE,
        current_likelihood=5,
        current_impact=5,
        team=None,
        review_due=dt.date(2000, 1, 1),
    )
    client.force_login(officer)
    corporate = text_of(client.get(REGISTER, {"register": "corporate"}).content.decode())
    assert "CR01" in corporate
    assert "SR01" not in corporate
    medium = text_of(client.get(REGISTER, {"rating": "medium"}).content.decode())
    assert "SR01" in medium
    assert "CR01" not in medium
    above = text_of(client.get(REGISTER, {"above_appetite": "on"}).content.decode())
    assert "CR01" in above
    assert "SR01" not in above
    overdue = text_of(client.get(REGISTER, {"overdue": "on"}).content.decode())
    assert "CR01" in overdue
    assert "Overdue" in overdue
    owned = text_of(client.get(REGISTER, {"owner": str(risk.owner_id)}).content.decode())
    assert "SR01" in owned
    assert "CR01" not in owned
    by_category = text_of(
        client.get(REGISTER, {"category": str(risk.category_id)}).content.decode()
    )
    assert "SR01" in by_category
    assert "CR01" not in by_category
    cell = text_of(client.get(REGISTER, {"likelihood": "5", "impact": "5"}).content.decode())
    assert "CR01" in cell
    assert "SR01" not in cell
    assert "Showing one heat-map cell" in cell
    nonsense = client.get(REGISTER, {"rating": "awful", "category": "x", "likelihood": "9"})
    assert nonsense.status_code == 200
    assert "SR01" in nonsense.content.decode()
    assert "CR01" in nonsense.content.decode()


def test_the_register_filter_by_alert(client, risk, officer):
    indicator = IndicatorFactory()
    risk.indicators.set([indicator])
    other = RiskFactory(reference="SR02")
    from performance.models import RiskAlert, Value

    value = Value.objects.create(
        indicator=indicator,
        period="2025/26 Q1",
        period_start=dt.date(2025, 4, 1),
        status=Value.Status.ACTIVATED,
    )
    RiskAlert.objects.create(
        risk=risk,
        indicator=indicator,
        value=value,
        period="2025/26 Q1",
        reason="red",
        raised_at=dt.datetime(2025, 7, 4, tzinfo=dt.UTC),
    )
    RiskSettings.objects.update_or_create(pk=1)
    # The alert check ran already for this generation: the page keeps the alert it finds.
    services.sync_kri_alerts = _no_sync(services.sync_kri_alerts)
    try:
        client.force_login(officer)
        html = client.get(REGISTER, {"alert": "on"}).content.decode()
    finally:
        services.sync_kri_alerts = services.sync_kri_alerts.original
    assert "SR01" in html
    assert other.reference not in html
    assert "KRI alert" in text_of(html)


def _no_sync(original):
    def sync(**kwargs):
        return services.AlertSync()

    sync.original = original
    return sync


def test_htmx_gets_only_the_results(client, risk, owner):
    client.force_login(owner)
    response = client.get(REGISTER, {"rating": "medium"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="risk-results"')
    assert "<html" not in html
    assert "SR01" in html


def test_members_see_open_risks_but_not_confidential_ones(client, risk, team):
    RiskFactory(reference="SR09", title="Staff tribunal", team=team, confidential=True)
    member = UserFactory(username="member", roles=[Role.MEMBER])
    _, html = page(client, REGISTER, member)
    assert "SR01" in html
    assert "SR09" not in html


def test_the_officer_sees_a_confidential_risk_tagged(client, risk, officer):
    RiskFactory(reference="SR09", title="Staff tribunal", confidential=True)
    _, html = page(client, REGISTER, officer)
    assert "SR09" in html
    assert "Confidential" in html
    assert ESCALATIONS in html
    assert MATRIX in html


def test_non_officers_get_no_link_to_the_officers_pages(client, risk, owner):
    _, html = page(client, REGISTER, owner)
    assert ESCALATIONS not in html
    assert MATRIX not in html


def _risks(count: int, category: RiskCategory, owner, *, start: int = 0) -> None:
    for number in range(start, start + count):
        made = RiskFactory(
            reference=f"Q{number:03d}",
            category=category,
            owner=owner if number % 2 else UserFactory(),
            indicators=[IndicatorFactory()],
        )
        made.controls.create(description="A control")


@pytest.mark.parametrize("url", [REGISTER, HEAT_MAP])
def test_the_register_and_heat_map_read_a_fixed_number_of_queries(client, officer, url):
    category = RiskCategoryFactory(name="Financial", appetite=8)
    client.force_login(officer)
    client.get(url)  # the session, the matrix row and the alert check settle
    _risks(3, category, officer)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _risks(27, category, officer, start=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    if url == REGISTER:
        assert response.content.decode().count("Q0") >= 30


# --- the heat map ----------------------------------------------------------------------------


def test_the_heat_map_counts_each_cell_and_links_it_to_the_register(client, risk, officer):
    RiskFactory(reference="SR02", current_likelihood=3, current_impact=3)
    RiskFactory(reference="SR03", current_likelihood=5, current_impact=1)
    response, html = page(client, HEAT_MAP, officer)
    assert response.status_code == 200
    link = f"{REGISTER}?likelihood=3&amp;impact=3"
    assert f'href="{link}"' in html
    assert f'href="{REGISTER}?likelihood=5&amp;impact=1"' in html
    # The visual cell and the table beside it both say 2 for likelihood 3 × impact 3.
    assert html.count(f'href="{link}"') == 2
    assert re.search(
        r'<a class="risks-cell risks-cell--medium" href="[^"]*likelihood=3&amp;impact=3">\s*<span class="risks-cell__count">2</span>',
        html,
    )
    assert "Number of risks at each likelihood (rows) and impact (columns)" in html
    assert '<th scope="row" class="govuk-table__header">3 Possible</th>' in html
    assert "Impact </span>5 Severe" in html
    text = text_of(html)
    assert "3 risks, current scores" in text
    assert "Very high risk: scores 16–25" in text


def test_the_heat_map_shows_inherent_scores_when_asked(client, risk, officer):
    _, html = page(client, HEAT_MAP + "?scores=inherent", officer)
    # The factory's inherent score is 4×4.
    assert f'href="{REGISTER}?scores=inherent&amp;likelihood=4&amp;impact=4"' in html
    assert "inherent scores (before controls)" in html
    cell = client.get(REGISTER, {"scores": "inherent", "likelihood": "4", "impact": "4"})
    assert "SR01" in cell.content.decode()


def test_the_heat_map_keeps_the_filters_in_its_cell_links(client, risk, officer):
    _, html = page(client, HEAT_MAP + "?register=service", officer)
    assert f'href="{REGISTER}?register=service&amp;likelihood=3&amp;impact=3"' in html


# --- one risk --------------------------------------------------------------------------------


def test_the_risk_page_shows_everything_of_the_risk(client, risk, owner, officer):
    indicator = IndicatorFactory(code="WST 01", title="Missed bins", team=risk.team)
    risk.indicators.set([indicator])
    plan = ActionPlanFactory(team=risk.team, title="Fleet recovery", actions=1)
    plan_action = Action.objects.get(version__plan=plan)
    risk.action_plans.set([plan])
    RiskAction.objects.create(
        risk=risk, description="Hire two spare lorries", owner=owner, due_on=dt.date(2025, 9, 30)
    )
    RiskAction.objects.create(risk=risk, plan_action=plan_action)
    services.review(
        user=owner,
        risk_id=risk.pk,
        likelihood=4,
        impact=4,
        comment="Two lorries off the road.",
        controls={risk.controls.get().pk: "partial"},
    )
    response, html = page(client, reverse("performance:risk-detail", args=[risk.pk]), owner)
    assert response.status_code == 200
    text = text_of(html)
    for expected in (
        "Bin lorry fleet fails",
        "A cause",
        "An event",
        "A consequence",
        "Inherent (before controls)",
        "4 Likely",
        "4 Major",
        "Very high",
        "Above appetite",
        "Up to 12 for Operational",
        "Weekly fleet checks",
        "Partially effective",
        "Hire two spare lorries",
        plan_action.description,
        "Action plan “Fleet recovery”",
        "WST 01 Missed bins",
        "Two lorries off the road.",
        "9 to 16",
        "Deteriorating",
        "Escalation waiting for a performance officer",
        "Service to Directorate",
    ):
        assert expected in text, expected
    assert "<svg" in html
    assert "Score history of SR01" in html
    assert reverse("performance:risk-review", args=[risk.pk]) in html


def _grow(risk, owner, count: int) -> None:
    """`count` more of every list the risk page shows."""
    for number in range(count):
        risk.controls.create(description=f"Control {number}")
        RiskAction.objects.create(risk=risk, description=f"Action {number}", owner=owner)
        risk.indicators.add(IndicatorFactory())
        risk.priorities.add(PriorityFactory())
        risk.outcomes.add(OutcomeFactory())
        services.review(user=owner, risk_id=risk.pk, likelihood=3, impact=3, comment="Same")
        plan = ActionPlanFactory(team=risk.team, actions=1)
        risk.action_plans.add(plan)
        RiskAction.objects.create(risk=risk, plan_action=Action.objects.get(version__plan=plan))


def test_the_risk_page_reads_a_fixed_number_of_queries(client, risk, owner):
    url = reverse("performance:risk-detail", args=[risk.pk])
    client.force_login(owner)
    _grow(risk, owner, 1)
    client.get(url)  # the alert check settles on the new indicators
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(risk, owner, 5)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_a_confidential_service_risk_is_404_for_an_enterer_of_another_team(client, risk):
    secret = RiskFactory(reference="SR09", confidential=True, team=risk.team)
    stranger = UserFactory(username="stranger", roles=[Role.DATA_ENTERER], teams=[TeamFactory()])
    client.force_login(stranger)
    assert client.get(reverse("performance:risk-detail", args=[secret.pk])).status_code == 404
    assert client.get(reverse("performance:risk-review", args=[secret.pk])).status_code == 404


def test_the_owner_sees_their_confidential_risk_tagged(client, owner, team):
    secret = RiskFactory(reference="SR09", confidential=True, team=team, owner=owner)
    _, html = page(client, reverse("performance:risk-detail", args=[secret.pk]), owner)
    assert "Confidential" in html


# --- the review ------------------------------------------------------------------------------


def test_the_review_form_is_prefilled_with_the_current_scores(client, risk, owner):
    response, html = page(client, reverse("performance:risk-review", args=[risk.pk]), owner)
    assert response.status_code == 200
    assert re.search(r'<input type="radio" name="likelihood" value="3"[^>]*checked', html)
    assert re.search(r'<input type="radio" name="impact" value="3"[^>]*checked', html)
    control = risk.controls.get()
    assert re.search(
        rf'<input type="radio" name="control-{control.pk}" value="effective"[^>]*checked', html
    )
    assert "3 – Possible" in html
    assert "5 – Severe" in html


def test_the_review_saves_and_returns_to_the_risk_with_a_message(client, risk, owner):
    client.force_login(owner)
    control = risk.controls.get()
    response = client.post(
        reverse("performance:risk-review", args=[risk.pk]),
        {
            "likelihood": "2",
            "impact": "3",
            f"control-{control.pk}": "partial",
            "comment": "New contract in place.",
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("performance:risk-detail", args=[risk.pk]), 302)]
    assert "Review of SR01" in response.content.decode()
    review = RiskReview.objects.get()
    assert (review.likelihood, review.impact, review.comment) == (2, 3, "New contract in place.")
    control.refresh_from_db()
    assert control.effectiveness == "partial"


def test_the_review_names_each_missing_field(client, risk, owner):
    client.force_login(owner)
    control = risk.controls.get()
    response = client.post(
        reverse("performance:risk-review", args=[risk.pk]),
        {"likelihood": "7", f"control-{control.pk}": "brilliant", "comment": "  "},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    summary = html[
        html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))
    ]
    assert 'href="#id_likelihood_0"' in summary
    assert 'href="#id_impact_0"' in summary
    assert f'href="#id_control-{control.pk}_0"' in summary
    assert 'href="#id_comment"' in summary
    assert "Say what has changed, or that nothing has, and why" in summary
    assert "Choose how great the impact would be now" in summary
    assert "<title>Error: " in html
    assert not RiskReview.objects.exists()


def test_only_the_owner_or_an_officer_reviews(client, risk, officer, team):
    url = reverse("performance:risk-review", args=[risk.pk])
    colleague = UserFactory(username="colleague", roles=[Role.DATA_ENTERER], teams=[team])
    client.force_login(colleague)
    assert client.get(url).status_code == 403
    data = {"likelihood": "1", "impact": "1", "comment": "Sneaked"}
    assert client.post(url, data).status_code == 403
    assert not RiskReview.objects.exists()
    client.force_login(officer)
    assert client.get(url).status_code == 200


def test_the_review_page_is_reached_straight_after_signing_in(client, risk, owner):
    url = reverse("performance:risk-review", args=[risk.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_the_review_asks_to_escalate_above_appetite(client, risk, owner):
    client.force_login(owner)
    client.post(
        reverse("performance:risk-review", args=[risk.pk]),
        {
            "likelihood": "4",
            "impact": "4",
            "comment": "Worse",
            f"control-{risk.controls.get().pk}": "ineffective",
        },
    )
    escalation = RiskEscalation.objects.get()
    assert (escalation.from_register, escalation.to_register) == ("service", "directorate")


# --- escalations -----------------------------------------------------------------------------


@pytest.fixture
def pending(risk, owner):
    services.review(user=owner, risk_id=risk.pk, likelihood=4, impact=4, comment="Worse")
    return RiskEscalation.objects.get()


def test_the_queue_lists_pending_escalations_for_officers_only(client, pending, officer, owner):
    response, html = page(client, ESCALATIONS, officer)
    assert response.status_code == 200
    text = text_of(html)
    assert "SR01 Bin lorry fleet fails" in text
    assert "From the service register to the directorate register" in text
    assert "16 against an appetite of 12" in text
    client.force_login(owner)
    assert client.get(ESCALATIONS).status_code == 403
    decide = reverse("performance:risk-escalation-decide", args=[pending.pk])
    assert client.post(decide, {"decision": "confirm"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == RiskEscalation.Status.PENDING


def test_confirming_moves_the_risk_up_a_register(client, pending, officer, risk):
    client.force_login(officer)
    decide = reverse("performance:risk-escalation-decide", args=[pending.pk])
    response = client.post(decide, {"decision": "confirm"}, follow=True)
    assert "SR01 escalated to the directorate register" in response.content.decode()
    risk.refresh_from_db()
    assert risk.register == Risk.Register.DIRECTORATE
    text = text_of(response.content.decode())
    assert "No escalation is waiting for a decision" in text
    assert "Escalated" in text
    assert AuditEvent.objects.filter(object_repr__startswith="SR01", action="update").exists()


def test_declining_needs_a_reason_and_keeps_the_register(client, pending, officer, risk):
    client.force_login(officer)
    decide = reverse("performance:risk-escalation-decide", args=[pending.pk])
    response = client.post(decide, {"decision": "decline", "reason": " "})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'href="#reason-{pending.pk}"' in html
    assert "SR01: Give the reason the risk stays on its register" in html
    pending.refresh_from_db()
    assert pending.status == RiskEscalation.Status.PENDING
    response = client.post(decide, {"decision": "decline", "reason": "Contained."}, follow=True)
    assert "SR01 stays on the service register" in response.content.decode()
    pending.refresh_from_db()
    risk.refresh_from_db()
    assert (pending.status, pending.reason, risk.register) == ("declined", "Contained.", "service")


def test_a_second_decision_is_refused_politely(client, pending, officer, risk):
    client.force_login(officer)
    decide = reverse("performance:risk-escalation-decide", args=[pending.pk])
    client.post(decide, {"decision": "confirm"})
    response = client.post(decide, {"decision": "decline", "reason": "Late"}, follow=True)
    assert "already escalated" in response.content.decode()
    risk.refresh_from_db()
    assert risk.register == Risk.Register.DIRECTORATE


# --- the matrix ------------------------------------------------------------------------------


def _matrix_data(**changes):
    data = {
        f"likelihood_{p}": label
        for p, label in enumerate(["Rare", "Unlikely", "Possible", "Likely", "Almost certain"], 1)
    }
    data |= {
        f"impact_{p}": label
        for p, label in enumerate(["Minimal", "Minor", "Moderate", "Major", "Severe"], 1)
    }
    data |= {"low_max": "4", "medium_max": "9", "high_max": "15"}
    return data | changes


def test_the_officer_sets_the_matrix_labels_and_bands(client, officer):
    client.force_login(officer)
    response = client.post(
        MATRIX, _matrix_data(likelihood_5="Expected", low_max="3", medium_max="8"), follow=True
    )
    assert "Risk matrix saved." in response.content.decode()
    row = RiskSettings.load()
    assert row.likelihood_labels[4] == "Expected"
    assert (row.low_max, row.medium_max, row.high_max) == (3, 8, 15)
    assert "5 Expected" in response.content.decode()


def test_the_matrix_names_its_problems(client, officer):
    client.force_login(officer)
    response = client.post(MATRIX, _matrix_data(impact_3="", low_max="10", medium_max="9"))
    html = response.content.decode()
    assert "Enter a label for impact 3" in html
    assert "Medium must start above low" in html
    assert 'href="#id_impact_3"' in html
    assert 'href="#id_low_max"' in html
    assert RiskSettings.load().low_max == 4


def test_the_matrix_is_for_officers_only(client, owner):
    client.force_login(owner)
    assert client.get(MATRIX).status_code == 403
    assert client.post(MATRIX, _matrix_data(low_max="2")).status_code == 403
    assert RiskSettings.load().low_max == 4


# --- Manage ----------------------------------------------------------------------------------


def test_risk_categories_are_kept_in_manage_with_their_appetite(client, officer):
    client.force_login(officer)
    index = client.get(reverse("performance:manage-index")).content.decode()
    assert "Risk categories" in index
    url = reverse("performance:manage-create", kwargs={"kind": "risk-categories"})
    bad = client.post(url, {"name": "Legal", "appetite": "30", "description": ""})
    assert "Appetite must be 25 or less" in bad.content.decode()
    client.post(url, {"name": "Legal", "appetite": "6", "description": "Claims and tribunals"})
    category = RiskCategory.objects.get(name="Legal")
    assert category.appetite == 6
    assert AuditEvent.objects.filter(object_repr="Legal", action="create").exists()
    listing = client.get(reverse("performance:manage-list", kwargs={"kind": "risk-categories"}))
    assert "Claims and tribunals" in listing.content.decode()


def test_the_menu_has_risks_for_everyone(client, owner):
    client.force_login(owner)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{REGISTER}"' in html


def test_pinned_today_marks_a_review_overdue_on_the_risk_page(client, risk, owner, monkeypatch):
    monkeypatch.setattr(risk_views, "_today", lambda: dt.date(2026, 1, 1))
    _, html = page(client, reverse("performance:risk-detail", args=[risk.pk]), owner)
    assert "Overdue" in text_of(html)


def test_htmx_gets_only_the_heat_map_and_its_table(client, risk, owner):
    client.force_login(owner)
    response = client.get(HEAT_MAP, {"register": "service"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="heat-map-results"')
    assert "<html" not in html
    assert "Number of risks at each likelihood (rows) and impact (columns)" in html


def test_a_long_register_is_paged_with_its_count_over_every_page(client, officer, monkeypatch):
    from performance.risks.views import register as register_view

    monkeypatch.setattr(register_view, "PAGE_SIZE", 10)
    category = RiskCategoryFactory(name="Financial", appetite=8)
    for number in range(23):
        RiskFactory(reference=f"P{number:03d}", category=category, owner=officer)
    _, html = page(client, REGISTER + "?register=service", officer)
    assert "23 risks matching the filters, 1 to 10 shown" in html
    assert html.count(">P0") == 10
    assert 'aria-label="Pages of risks"' in html
    assert "register=service&amp;page=2" in html  # the filters stay on the next page
    response = client.get(REGISTER, {"register": "service", "page": 3}, HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert "21 to 23 shown" in fragment
    assert "P022" in fragment
    assert "P000" not in fragment
