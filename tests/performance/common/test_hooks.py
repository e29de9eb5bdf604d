"""The hook registry: how the kernel calls data quality without importing it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from dataquality import manage, selectors, services
from performance.collection import services as collection
from performance.common import hooks
from performance.manage.views.kinds import GROUPS, KINDS, Kind, Placement
from performance.models import Indicator

HOOK = "test_hook"


def test_receivers_run_by_order_then_registration():
    def first():
        return "first"

    def second():
        return "second"

    def early():
        return "early"

    with (
        hooks.register_temporarily(HOOK, first),
        hooks.register_temporarily(HOOK, second),
        hooks.register_temporarily(HOOK, early, order=-1),
    ):
        assert [fn() for fn in hooks.get(HOOK)] == ["early", "first", "second"]
        assert hooks.one(HOOK)() == "second"  # the last one registered answers


def test_a_temporary_receiver_is_gone_after_its_block():
    def receiver():
        return None

    with hooks.register_temporarily(HOOK, receiver):
        assert hooks.get(HOOK) == [receiver]
    assert hooks.get(HOOK) == []
    with pytest.raises(LookupError, match="test_hook"):
        hooks.one(HOOK)


def test_registering_twice_keeps_one_and_a_temporary_swap_keeps_the_permanent_receiver():
    hooks.register(hooks.ENTRY_RULES, services.rules_of)  # as ready() running twice would
    assert hooks.get(hooks.ENTRY_RULES).count(services.rules_of) == 1
    with hooks.register_temporarily(hooks.ENTRY_RULES, services.rules_of):
        pass
    assert hooks.get(hooks.ENTRY_RULES) == [services.rules_of]


def test_data_quality_answers_every_hook():
    assert hooks.one(hooks.BEFORE_SUBMIT) is services.require_signed
    assert hooks.one(hooks.ENTRY_PROBLEMS) is services.entry_problems
    assert hooks.one(hooks.ENTRY_RULES) is services.rules_of
    assert hooks.one(hooks.ENTRY_REJECTED) is services.record_rejections
    assert hooks.one(hooks.ENTRIES_REJECTED_IN_BULK) is services.record_import_rejections
    assert hooks.one(hooks.VALUE_EVIDENCE) is selectors.evidence_for
    assert hooks.one(hooks.INDICATOR_EVIDENCE) is selectors.evidence_for_indicator
    # Sign-in mappings (performance.signin) add a kind through the same hook.
    assert manage.kinds in hooks.get(hooks.MANAGE_KINDS)


def test_with_data_quality_installed_the_system_check_passes():
    assert not [m for m in checks.run_checks() if m.id == "summit.E001"]
    call_command("check")


def test_a_required_hook_without_a_receiver_stops_start_up_naming_it(monkeypatch):
    monkeypatch.setitem(hooks._registry, hooks.ENTRY_PROBLEMS, [])
    errors = [m for m in checks.run_checks() if m.id == "summit.E001"]
    assert [error.msg for error in errors] == ["The hook 'entry_problems' has no receiver."]
    assert "dataquality" in errors[0].hint
    with pytest.raises(SystemCheckError, match="entry_problems"):
        call_command("check")


@pytest.mark.django_db
def test_the_entry_rules_reach_the_kernel_through_the_hook():
    """The form's rules are whatever ENTRY_PROBLEMS answers: swap it and the kernel follows."""
    indicator = Indicator(code="HOU 001", unit="number", decimals=0, aggregation="mean")

    def strict(indicator, period, **entry):
        return {"value": f"{entry['value']} is never allowed"}

    _, errors = collection.clean_entry(indicator, {"value": "7"}, submit=False)
    assert errors == {}
    with hooks.register_temporarily(hooks.ENTRY_PROBLEMS, strict):
        _, errors = collection.clean_entry(indicator, {"value": "7"}, submit=False)
    assert errors == {"value": "7 is never allowed"}


@pytest.mark.django_db
def test_a_source_problem_shows_on_the_value_of_an_entry_without_a_source_field():
    indicator = Indicator.objects.create(
        code="HOU 002",
        title="Partner data",
        unit="number",
        decimals=0,
        frequency="quarterly",
        data_source="third party",
    )
    on_form = services.entry_problems(indicator, "2025/26 Q1", value=Decimal(3), submit=False)
    on_import = services.entry_problems(
        indicator, "2025/26 Q1", value=Decimal(3), source="", submit=False
    )
    message = "Name the partner who supplies this third-party data"
    assert on_form == {"value": message}
    assert on_import == {"source": message}


def test_validation_rules_sit_after_targets_in_manage():
    assert [kind.slug for kind in GROUPS["Indicators and targets"]] == [
        "indicators",
        "targets",
        "validation-rules",
        "long-term-targets",
        "change-points",
    ]
    assert KINDS["validation-rules"] is manage.VALIDATION_RULES


def test_a_contributed_kind_goes_where_it_is_placed_and_only_while_registered():
    extra = Kind("extras", manage.VALIDATION_RULES.form, "Extra.", (("Name", str),))

    def contribute():
        return [
            Placement("Organisation", after="directorates", kind=extra),
            Placement("Elsewhere", after="nothing", kind=extra),
        ]

    with hooks.register_temporarily(hooks.MANAGE_KINDS, contribute):
        organisation = [kind.slug for kind in GROUPS["Organisation"]]
        assert organisation == ["directorates", "extras", "services", "teams", "signin-mappings"]
        assert list(GROUPS)[-1] == "Elsewhere"
        assert "extras" in KINDS
    assert "extras" not in KINDS
    assert "Elsewhere" not in GROUPS
