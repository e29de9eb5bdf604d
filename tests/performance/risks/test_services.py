"""Risk writes (SPEC §14): the owner's review, escalation above appetite confirmed by an
officer, key risk indicator alerts raised once and resolved, the matrix settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404

from performance.common import cache
from performance.core import risks as rules
from performance.core.roles import Role
from performance.models import (
    AuditEvent,
    RiskAlert,
    RiskEscalation,
    RiskReview,
    RiskSettings,
    Target,
)
from performance.risks import selectors, services
from tests.factories import (
    IndicatorFactory,
    RiskCategoryFactory,
    RiskFactory,
    TargetFactory,
    UserFactory,
    ValueFactory,
)

pytestmark = pytest.mark.django_db

JULY = dt.datetime(2025, 7, 4, 10, tzinfo=dt.UTC)


@pytest.fixture
def officer():
    return UserFactory(username="officer", roles=[Role.PERFORMANCE_OFFICER])


@pytest.fixture
def risk():
    owner = UserFactory(username="owner", roles=[Role.SERVICE_MANAGER])
    category = RiskCategoryFactory(name="Operational", appetite=12)
    made = RiskFactory(reference="SR01", owner=owner, category=category)  # current 3×3 = 9
    made.controls.create(description="Weekly contract meetings", effectiveness="effective")
    return made


def review(risk, *, user=None, likelihood=3, impact=3, comment="Checked", controls=None):
    with time_machine.travel(JULY, tick=False):
        return services.review(
            user=user or risk.owner,
            risk_id=risk.pk,
            likelihood=likelihood,
            impact=impact,
            comment=comment,
            controls=controls,
        )


def test_a_review_moves_the_scores_keeps_the_previous_and_sets_the_next_date(risk):
    control = risk.controls.get()
    row = review(risk, likelihood=4, impact=2, controls={control.pk: "partial"})
    risk.refresh_from_db()
    assert (risk.current_likelihood, risk.current_impact) == (4, 2)
    assert risk.previous_score == 9
    assert risk.review_due == dt.date(2025, 10, 10)
    assert row.period == "2025/26 Q1"
    assert (row.previous_score, row.score) == (9, 8)
    assert row.controls == [
        {
            "control": control.pk,
            "description": "Weekly contract meetings",
            "effectiveness": "partial",
        }
    ]
    control.refresh_from_db()
    assert control.effectiveness == "partial"
    (record,) = selectors.register_rows(user=None)
    assert record.direction is rules.Direction.IMPROVING
    assert AuditEvent.objects.filter(object_repr__startswith="SR01", action="update").exists()


def test_a_review_names_each_bad_field_and_writes_nothing(risk):
    with pytest.raises(services.RiskInvalid) as error:
        review(risk, likelihood=0, impact="x", comment=" ", controls={999: "effective"})
    assert set(error.value.errors) == {"likelihood", "impact", "comment", "control-999"}
    assert error.value.errors["likelihood"] == "Likelihood must be a whole number from 1 to 5"
    assert not RiskReview.objects.exists()


def test_only_the_owner_or_an_officer_reviews(risk, officer):
    member = UserFactory(username="member", roles=[Role.MEMBER])
    with pytest.raises(PermissionDenied):
        review(risk, user=member)
    stranger = UserFactory(username="stranger", roles=[Role.DATA_ENTERER])
    with pytest.raises(Http404):  # another team's risk is not even visible
        review(risk, user=stranger)
    assert review(risk, user=officer).reviewed_by == officer


def test_rising_above_appetite_asks_for_escalation_once_and_an_officer_confirms(risk, officer):
    review(risk, likelihood=4, impact=4)  # 16 > 12
    (request,) = RiskEscalation.objects.all()
    assert (request.from_register, request.to_register) == ("service", "directorate")
    assert (request.score, request.appetite, request.status) == (16, 12, "pending")
    review(risk, likelihood=5, impact=4)  # still above: no second request
    assert RiskEscalation.objects.count() == 1
    with pytest.raises(services.RiskRefused):
        services.decide_escalation(user=risk.owner, escalation_id=request.pk, confirm=True)
    services.decide_escalation(user=officer, escalation_id=request.pk, confirm=True)
    risk.refresh_from_db()
    assert risk.register == "directorate"
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("confirmed", officer)
    assert AuditEvent.objects.filter(
        object_repr__startswith="SR01", changes__register=["service", "directorate"]
    ).exists()
    with pytest.raises(services.RiskRefused, match="already escalated"):
        services.decide_escalation(user=officer, escalation_id=request.pk, confirm=True)


def test_declining_needs_a_reason_and_keeps_the_register(risk, officer):
    review(risk, likelihood=4, impact=4)
    request = RiskEscalation.objects.get()
    with pytest.raises(services.RiskInvalid) as error:
        services.decide_escalation(user=officer, escalation_id=request.pk, confirm=False)
    assert "reason" in error.value.errors
    services.decide_escalation(
        user=officer, escalation_id=request.pk, confirm=False, reason="Managed in the service"
    )
    risk.refresh_from_db()
    assert risk.register == "service"
    request.refresh_from_db()
    assert (request.status, request.reason) == ("declined", "Managed in the service")


def test_a_corporate_risk_above_appetite_has_nowhere_to_go(risk):
    risk.register = "corporate"
    risk.save()
    review(risk, likelihood=5, impact=5)
    assert not RiskEscalation.objects.exists()


def red_indicator():
    indicator = IndicatorFactory(code="HOU 01")
    TargetFactory(indicator=indicator, period="2025/26 Q1", value=Decimal(90))
    return indicator


def test_a_red_linked_indicator_raises_one_alert_and_one_email(
    risk, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://summit.example.gov.uk"
    indicator = red_indicator()
    risk.indicators.set([indicator])
    ValueFactory(indicator=indicator, period="2025/26 Q1", value=Decimal(60))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.sync_kri_alerts()
    assert report.checked
    (alert,) = RiskAlert.objects.all()
    assert (alert.indicator, alert.period, alert.reason) == (indicator, "2025/26 Q1", "red")
    (message,) = mail.outbox
    assert message.to == [risk.owner.email]
    assert message.subject == "Review risk SR01 now: HOU 01 is red for 2025/26 Q1"
    assert f"https://summit.example.gov.uk/risks/{risk.pk}/review/" in message.body
    # Nothing changed: the next pass does nothing (two queries), however often it runs.
    assert not services.sync_kri_alerts().checked
    # Another Red quarter keeps the same alert: no second email.
    TargetFactory(indicator=indicator, period="2025/26 Q2", value=Decimal(90))
    ValueFactory(indicator=indicator, period="2025/26 Q2", value=Decimal(50))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.sync_kri_alerts()
    assert (report.raised, report.followed) == ([], 1)
    assert RiskAlert.objects.get().period == "2025/26 Q2"
    assert len(mail.outbox) == 1
    (row,) = selectors.register_rows(user=None)
    assert row.kri_alert


def test_the_alert_resolves_when_the_latest_value_is_no_longer_red(risk):
    indicator = red_indicator()
    risk.indicators.set([indicator])
    ValueFactory(indicator=indicator, period="2025/26 Q1", value=Decimal(60))
    services.sync_kri_alerts()
    TargetFactory(indicator=indicator, period="2025/26 Q2", value=Decimal(90))
    ValueFactory(indicator=indicator, period="2025/26 Q2", value=Decimal(95))
    report = services.sync_kri_alerts()
    assert report.resolved == 1
    assert RiskAlert.objects.get().resolved_at is not None
    (row,) = selectors.register_rows(user=None)
    assert not row.kri_alert


def test_a_submitted_but_not_activated_red_value_raises_nothing(risk):
    indicator = red_indicator()
    risk.indicators.set([indicator])
    ValueFactory(indicator=indicator, period="2025/26 Q1", value=Decimal(60), status="submitted")
    services.sync_kri_alerts()
    assert not RiskAlert.objects.exists()


def test_the_matrix_is_set_by_officers_only_with_named_problems(officer, risk):
    labels = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
    with pytest.raises(services.RiskRefused):
        services.update_matrix(
            user=risk.owner, likelihood_labels=labels, impact_labels=labels, bands=rules.Bands()
        )
    with pytest.raises(services.RiskInvalid) as error:
        services.update_matrix(
            user=officer,
            likelihood_labels=labels[:4],
            impact_labels=labels,
            bands=rules.Bands(4, 3, 15),
        )
    assert set(error.value.errors) == {"likelihood_labels", "bands"}
    services.update_matrix(
        user=officer,
        likelihood_labels=labels,
        impact_labels=["Negligible", "Minor", "Moderate", "Major", "Critical"],
        bands=rules.Bands(3, 8, 14),
    )
    matrix = RiskSettings.load().matrix
    assert matrix.impact_label(5) == "Critical"
    assert rules.rating_of(9, matrix.bands) is rules.Rating.HIGH
    assert AuditEvent.objects.filter(object_repr="Risk matrix").exists()


def test_a_pass_works_out_only_the_indicators_whose_figures_moved(risk):
    red, steady = red_indicator(), IndicatorFactory(code="HOU 03")
    risk.indicators.set([red, steady])
    TargetFactory(indicator=steady, period="2025/26 Q1", value=Decimal(90))
    ValueFactory(indicator=red, period="2025/26 Q1", value=Decimal(95))
    ValueFactory(indicator=steady, period="2025/26 Q1", value=Decimal(95))
    assert services.sync_kri_alerts().worked_out == 2
    assert not RiskAlert.objects.exists()
    # A new target turns `red`'s latest value Red: only that indicator is worked out again.
    Target.objects.filter(indicator=red, period="2025/26 Q1").update(value=Decimal(200))
    cache.bump("indicators")  # a queryset update, as bulk writers do (cache.bump)
    report = services.sync_kri_alerts()
    assert report.worked_out == 1
    assert RiskAlert.objects.get().indicator == red
    # A forced pass (beat, once a day) works every one out again and changes nothing.
    again = services.sync_kri_alerts(force=True)
    assert again.worked_out == 2
    assert (again.raised, again.resolved) == ([], 0)
