"""The access gate (SPEC §1): who sees what, as tables of role × team × state × expected.

Visibility is written once, on the models' QuerySets (`performance/models/visibility.py`), and
enforced for one object by the getters of `performance.common.access`. Each table below lists
every person of a small council against every object, so a rule that widens or narrows shows
up as a named row.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dataquality.models import Evidence
from performance.common import access
from performance.core.roles import Role
from performance.models import ActionPlan, Indicator, ServicePlan, Team, Value
from tests.factories import (
    ActionFactory,
    ActionPlanFactory,
    ActivityFactory,
    IndicatorFactory,
    ObjectiveFactory,
    ServiceFactory,
    ServicePlanFactory,
    TeamFactory,
    UserFactory,
    ValueFactory,
)

pytestmark = pytest.mark.django_db

STATES = (Value.Status.DRAFT, Value.Status.SUBMITTED, Value.Status.ACTIVATED)


@pytest.fixture
def council():
    """Teams A and B (B in a service headed by `head_b`); indicators of A, of B and of no team;
    one value of each indicator in each state."""
    service_b = ServiceFactory(name="Service B")
    team_a, team_b = TeamFactory(name="Team A"), TeamFactory(name="Team B", service=service_b)
    people = {
        "officer": UserFactory(username="officer", roles=[Role.PERFORMANCE_OFFICER]),
        "member": UserFactory(username="member", roles=[Role.MEMBER]),
        "enterer_a": UserFactory(username="enterer_a", roles=[Role.DATA_ENTERER], teams=[team_a]),
        "manager_a": UserFactory(username="manager_a", roles=[Role.DATA_MANAGER], teams=[team_a]),
        "worker_a": UserFactory(username="worker_a", roles=[Role.DATA_ENTERER], teams=[team_a]),
        "head_b": UserFactory(username="head_b", roles=[Role.SERVICE_MANAGER]),
        "no_role_a": UserFactory(username="no_role_a", teams=[team_a]),
        "outsider": UserFactory(username="outsider", roles=[Role.DATA_ENTERER]),
    }
    service_b.head_of_service = people["head_b"]
    service_b.save()
    indicators = {
        "A": IndicatorFactory(
            code="A 001",
            team=team_a,
            enterers=[people["enterer_a"]],
            managers=[people["manager_a"]],
        ),
        "B": IndicatorFactory(code="B 001", team=team_b),
        # No team: council-wide or not yet configured. The old benchmarking rule let every
        # signed-in person read it; the indicator pages let only officers and members.
        "none": IndicatorFactory(code="N 001", team=None),
    }
    values = {
        (name, state): ValueFactory(
            indicator=indicator, period=f"2024/25 Q{index + 1}", status=state
        )
        for name, indicator in indicators.items()
        for index, state in enumerate(STATES)
    }
    return {"people": people, "teams": {"A": team_a, "B": team_b}, "i": indicators, "v": values}


def _fresh(user):
    """The user as a new request sees them (roles and teams are cached per user object)."""
    return type(user).objects.get(pk=user.pk)


# --- indicators: whose activated figures may a person read ---------------------------------------

INDICATOR_READ = [
    # person, indicator, readable
    ("officer", "A", True),
    ("officer", "B", True),
    ("officer", "none", True),
    ("member", "A", True),
    ("member", "B", True),
    ("member", "none", True),
    ("enterer_a", "A", True),
    ("enterer_a", "B", False),
    ("enterer_a", "none", False),  # the old disagreement: benchmarking said True
    ("manager_a", "A", True),
    ("manager_a", "B", False),
    ("worker_a", "A", True),
    ("head_b", "A", False),
    ("head_b", "B", True),  # a Head of Service reads every team of the services they head
    ("head_b", "none", False),
    ("no_role_a", "A", True),
    ("outsider", "A", False),
    ("outsider", "B", False),
    ("outsider", "none", False),
]


@pytest.mark.parametrize(("person", "indicator", "readable"), INDICATOR_READ)
def test_indicator_readable_by(council, person, indicator, readable):
    user = _fresh(council["people"][person])
    target = council["i"][indicator]
    assert Indicator.objects.readable_by(user).filter(pk=target.pk).exists() is readable
    if readable:
        assert access.indicator_for(user, target.pk) == target
    else:
        with pytest.raises(Http404):
            access.indicator_for(user, target.pk)


def test_unassigned_indicator_is_not_read_by_staff_of_no_team_on_any_page(council, client):
    """The disagreement, through the pages: the indicator page and benchmarking's targets page
    both answer 404 to an enterer for an indicator without a team, and 200 to a member."""
    unassigned = council["i"]["none"]
    client.force_login(council["people"]["outsider"])
    assert client.get(f"/indicators/{unassigned.pk}/").status_code == 404
    assert client.get(f"/benchmarking/indicators/{unassigned.pk}/").status_code == 404
    client.force_login(council["people"]["member"])
    assert client.get(f"/indicators/{unassigned.pk}/").status_code == 200
    assert client.get(f"/benchmarking/indicators/{unassigned.pk}/").status_code == 200


# --- values: every state ----------------------------------------------------------------------

# person, indicator, state → (sees drafts, reads as activated, sees team data/evidence)
VALUE_TABLE = [
    ("officer", "A", Value.Status.DRAFT, (True, False, True)),
    ("officer", "B", Value.Status.SUBMITTED, (True, False, True)),
    ("officer", "none", Value.Status.ACTIVATED, (True, True, True)),
    ("member", "A", Value.Status.DRAFT, (False, False, False)),
    ("member", "A", Value.Status.SUBMITTED, (False, False, False)),
    ("member", "A", Value.Status.ACTIVATED, (False, True, False)),
    ("member", "B", Value.Status.ACTIVATED, (False, True, False)),
    ("enterer_a", "A", Value.Status.DRAFT, (True, False, True)),
    ("enterer_a", "A", Value.Status.SUBMITTED, (True, False, True)),
    ("enterer_a", "A", Value.Status.ACTIVATED, (True, True, True)),
    ("enterer_a", "B", Value.Status.DRAFT, (False, False, False)),
    ("enterer_a", "B", Value.Status.ACTIVATED, (False, False, False)),
    ("enterer_a", "none", Value.Status.ACTIVATED, (False, False, False)),
    ("manager_a", "A", Value.Status.DRAFT, (True, False, True)),
    ("manager_a", "A", Value.Status.SUBMITTED, (True, False, True)),
    ("manager_a", "B", Value.Status.SUBMITTED, (False, False, False)),
    # A team's working person who is not assigned: no drafts, but the team's evidence.
    ("worker_a", "A", Value.Status.DRAFT, (False, False, True)),
    ("worker_a", "A", Value.Status.ACTIVATED, (False, True, True)),
    ("head_b", "B", Value.Status.DRAFT, (False, False, True)),
    ("head_b", "B", Value.Status.ACTIVATED, (False, True, True)),
    ("head_b", "A", Value.Status.ACTIVATED, (False, False, False)),
    # A team member without a role reads activated figures but works on nothing.
    ("no_role_a", "A", Value.Status.DRAFT, (False, False, False)),
    ("no_role_a", "A", Value.Status.ACTIVATED, (False, True, False)),
    ("outsider", "A", Value.Status.ACTIVATED, (False, False, False)),
]


@pytest.mark.parametrize(("person", "indicator", "state", "expected"), VALUE_TABLE)
def test_value_visibility(council, person, indicator, state, expected):
    user = _fresh(council["people"][person])
    value = council["v"][(indicator, state)]
    drafts, activated, team_data = expected
    assert Value.objects.drafts_visible_to(user).filter(pk=value.pk).exists() is drafts
    assert Value.objects.readable_by(user).filter(pk=value.pk).exists() is activated
    assert Value.objects.team_data_visible_to(user).filter(pk=value.pk).exists() is team_data
    # The one-object forms agree with the QuerySets.
    assert access.can_see_team_data(user, value) is team_data
    if drafts:
        assert access.value_for(user, value.pk) == value
    else:
        with pytest.raises(Http404):
            access.value_for(user, value.pk)
    if team_data:
        assert access.value_for(user, value.pk, to="evidence") == value
    else:
        with pytest.raises(Http404):
            access.value_for(user, value.pk, to="evidence")


@pytest.mark.parametrize(
    ("person", "indicator", "to", "outcome"),
    [
        ("enterer_a", "A", "drafts", "ok"),
        ("enterer_a", "A", "enter", "ok"),
        ("enterer_a", "A", "manage", 403),
        ("manager_a", "A", "manage", "ok"),
        ("manager_a", "A", "enter", 403),
        ("enterer_a", "B", "enter", 404),
        ("member", "A", "enter", 404),
        ("worker_a", "A", "enter", 404),
        ("officer", "B", "manage", "ok"),
        ("officer", "none", "enter", "ok"),
    ],
)
def test_indicator_getter_for_entering_and_managing(council, person, indicator, to, outcome):
    """Not seeing an indicator's drafts is a 404 (the id reveals nothing); seeing them without
    the assignment to act is a 403."""
    user = _fresh(council["people"][person])
    target = council["i"][indicator]
    if outcome == "ok":
        assert access.indicator_for(user, target.pk, to=to) == target
    else:
        with pytest.raises(Http404 if outcome == 404 else PermissionDenied):
            access.indicator_for(user, target.pk, to=to)


@pytest.mark.parametrize(
    ("person", "state", "outcome"),
    [
        ("manager_a", Value.Status.SUBMITTED, "ok"),
        ("manager_a", Value.Status.ACTIVATED, "ok"),
        ("enterer_a", Value.Status.SUBMITTED, 403),
        ("member", Value.Status.ACTIVATED, 404),
        ("worker_a", Value.Status.SUBMITTED, 404),
        ("officer", Value.Status.DRAFT, "ok"),
    ],
)
def test_value_getter_for_managing(council, person, state, outcome):
    user = _fresh(council["people"][person])
    value = council["v"][("A", state)]
    expected_in_queue = outcome == "ok"
    assert Value.objects.manageable_by(user).filter(pk=value.pk).exists() is expected_in_queue
    if outcome == "ok":
        assert access.value_for(user, value.pk, to="manage") == value
    else:
        with pytest.raises(Http404 if outcome == 404 else PermissionDenied):
            access.value_for(user, value.pk, to="manage")


# --- teams, service plans, action plans, evidence ------------------------------------------------


@pytest.mark.parametrize(
    ("person", "teams"),
    [
        ("officer", {"A", "B"}),
        ("member", {"A", "B"}),
        ("enterer_a", {"A"}),
        ("head_b", {"B"}),
        ("no_role_a", {"A"}),
        ("outsider", set()),
    ],
)
def test_teams_readable(council, person, teams):
    user = _fresh(council["people"][person])
    names = {team.name.removeprefix("Team ") for team in Team.objects.readable_by(user)}
    assert names == teams
    expected_ids = (
        None if person in ("officer", "member") else {council["teams"][t].pk for t in teams}
    )
    assert access.readable_team_ids(user) == expected_ids


@pytest.mark.parametrize(
    ("person", "openable"),
    [
        ("officer", {"A", "B"}),
        # A service manager opens plans for the teams they answer for (here: B, by heading its
        # service); a Head of Service of a team (`Team.head_of_service`) for that team.
        ("head_b", {"B"}),
        ("enterer_a", set()),
        ("member", set()),
    ],
)
def test_teams_an_action_plan_may_be_opened_for(council, person, openable):
    user = _fresh(council["people"][person])
    names = {team.name.removeprefix("Team ") for team in Team.objects.plans_openable_by(user)}
    assert names == openable


@pytest.fixture
def plans(council):
    people, teams = council["people"], council["teams"]
    service_a = ServiceFactory(name="Service A")
    teams["A"].service = service_a
    teams["A"].save()
    plan_a = ServicePlanFactory(service=service_a)
    plan_b = ServicePlanFactory(service=teams["B"].service)
    # enterer_a owns an activity in service B's plan: they read that plan too.
    ActivityFactory(objective=ObjectiveFactory(plan=plan_b), owner=people["enterer_a"])
    action_a = ActionPlanFactory(team=teams["A"], owner=people["manager_a"])
    action_b = ActionPlanFactory(team=teams["B"], owner=people["head_b"])
    action_b_shared = ActionPlanFactory(team=teams["B"], owner=people["head_b"])
    ActionFactory(version=action_b_shared.versions.get(), owner=people["worker_a"])
    return {
        "sp": {"A": plan_a, "B": plan_b},
        "ap": {"A": action_a, "B": action_b},
        "shared": action_b_shared,
    }


@pytest.mark.parametrize(
    ("person", "service_plans", "action_plans"),
    [
        ("officer", {"A", "B"}, {"A", "B", "shared"}),
        ("member", {"A", "B"}, {"A", "B", "shared"}),
        ("enterer_a", {"A", "B"}, {"A"}),  # B: owns an activity in it
        ("worker_a", {"A"}, {"A", "shared"}),  # shared: owns an action in it
        ("head_b", {"B"}, {"B", "shared"}),
        ("outsider", set(), set()),
    ],
)
def test_plans_readable(council, plans, person, service_plans, action_plans):
    user = _fresh(council["people"][person])
    readable_sp = {
        k
        for k, plan in plans["sp"].items()
        if ServicePlan.objects.readable_by(user).filter(pk=plan.pk).exists()
    }
    assert readable_sp == service_plans
    all_action_plans = {**plans["ap"], "shared": plans["shared"]}
    readable_ap = {
        k
        for k, plan in all_action_plans.items()
        if ActionPlan.objects.readable_by(user).filter(pk=plan.pk).exists()
    }
    assert readable_ap == action_plans
    for key, plan in plans["sp"].items():
        if key in service_plans:
            assert access.service_plan_for(user, plan.pk) == plan
        else:
            with pytest.raises(Http404):
                access.service_plan_for(user, plan.pk)


@pytest.mark.parametrize(
    ("person", "plan", "outcome"),
    [
        ("manager_a", "A", "ok"),  # the owner
        ("officer", "B", "ok"),
        ("enterer_a", "A", 403),  # reads its team's plan, may not revise it
        ("worker_a", "shared", 403),  # owns an action in it: reads, does not revise
        ("enterer_a", "B", 404),
    ],
)
def test_action_plan_getter_for_editing(council, plans, person, plan, outcome):
    user = _fresh(council["people"][person])
    target = {**plans["ap"], "shared": plans["shared"]}[plan]
    if outcome == "ok":
        assert access.action_plan_for(user, target.pk, to="edit") == target
    else:
        with pytest.raises(Http404 if outcome == 404 else PermissionDenied):
            access.action_plan_for(user, target.pk, to="edit")


@pytest.mark.parametrize(
    ("person", "plan", "outcome"),
    [
        ("head_b", "B", "ok"),  # heads the service
        ("worker_a", "A", "ok"),  # works on data in one of its teams
        ("member", "A", 403),  # reads only
        ("enterer_a", "B", 403),  # owns one activity: records that, not the plan
        ("outsider", "A", 404),
    ],
)
def test_service_plan_getter_for_updating(council, plans, person, plan, outcome):
    user = _fresh(council["people"][person])
    target = plans["sp"][plan]
    if outcome == "ok":
        assert access.service_plan_for(user, target.pk, to="update") == target
    else:
        with pytest.raises(Http404 if outcome == 404 else PermissionDenied):
            access.service_plan_for(user, target.pk, to="update")


@pytest.mark.parametrize(
    ("person", "indicator", "state", "visible"),
    [
        ("officer", "B", Value.Status.DRAFT, True),
        ("enterer_a", "A", Value.Status.DRAFT, True),
        ("worker_a", "A", Value.Status.SUBMITTED, True),
        ("member", "A", Value.Status.ACTIVATED, False),
        ("enterer_a", "B", Value.Status.ACTIVATED, False),
        ("no_role_a", "A", Value.Status.ACTIVATED, False),
    ],
)
def test_evidence_readable_by(council, person, indicator, state, visible):
    value = council["v"][(indicator, state)]
    evidence = Evidence.objects.create(
        value=value,
        file="evidence/x.pdf",
        original_name="x.pdf",
        size=1,
        content_type="application/pdf",
        sha256="0" * 64,
    )
    user = _fresh(council["people"][person])
    assert Evidence.objects.readable_by(user).filter(pk=evidence.pk).exists() is visible


def test_indicator_page_lists_only_the_action_plans_its_reader_may_read(council, client):
    """An action plan of another team, linked to an indicator the reader sees, stays hidden on
    the indicator page (the page lists plans through `ActionPlan.objects.readable_by`)."""
    people, teams = council["people"], council["teams"]
    indicator = council["i"]["A"]
    own = ActionPlanFactory(team=teams["A"], indicator=indicator, title="Recycling recovery plan")
    other = ActionPlanFactory(
        team=teams["B"], indicator=indicator, owner=people["head_b"], title="Planning backlog plan"
    )
    client.force_login(people["enterer_a"])
    page = client.get(f"/indicators/{indicator.pk}/").content.decode()
    assert own.title in page
    assert other.title not in page
    client.force_login(people["member"])
    page = client.get(f"/indicators/{indicator.pk}/").content.decode()
    assert own.title in page
    assert other.title in page


@pytest.mark.django_db
def test_whether_someone_enters_is_read_once_per_request_and_never_from_another_request(
    django_assert_num_queries,
):
    """`can_enter` is asked up to three times a save about one indicator and one person: read
    once. An indicator object that outlives its request (a cached figure's) must not answer the
    next request's person from memory: a person removed as enterer is refused at once."""
    indicator = IndicatorFactory()
    person = UserFactory(roles=[Role.DATA_ENTERER])
    indicator.enterers.add(person)
    this_request = type(person).objects.get(pk=person.pk)
    with django_assert_num_queries(2):  # the roles, then the assignment: once
        assert access.can_enter(this_request, indicator)
        assert access.can_enter(this_request, indicator)
        assert access.can_enter(this_request, indicator)
    # Removed without a signal (as another server's request would), the object not told.
    Indicator.enterers.through.objects.filter(indicator=indicator, user=person).delete()
    next_request = type(person).objects.get(pk=person.pk)
    assert not access.can_enter(next_request, indicator)  # same indicator object, new request
