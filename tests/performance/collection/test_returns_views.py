"""My returns, the activation queue, corrections and the round pages: access per object, htmx
fragments, errors in place, and query counts that do not grow with the number of rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from performance.collection import services as collection
from performance.models import Value
from tests.performance.collection.test_collection import enter, make_indicator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_the_window")]


def signed_in(client, user):
    client.force_login(user)
    return client


def item_url(world, code, name="performance:return-item"):
    indicator = world.indicators[code]
    round_ = world.monthly if indicator.frequency == "monthly" else world.quarterly
    return reverse(name, args=[round_.pk, indicator.pk])


def test_my_returns_lists_my_items_with_the_round_countdown(client, world):
    response = signed_in(client, world.users["enterer_a"]).get(reverse("performance:my-returns"))
    body = response.content.decode()
    assert response.status_code == 200
    for code in ("WAS 001", "WAS 002", "GEN 001"):
        assert code in body
    assert "HOU 001" not in body
    assert "6 days left: closes at the end of Thursday 10 July 2025" in body
    assert 'hx-post="' in body
    assert 'hx-get="' in body


def test_my_returns_queries_do_not_grow_with_the_items(
    client, world, django_assert_max_num_queries
):
    user = world.users["enterer_a"]
    signed_in(client, user)
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("performance:my-returns"))
    for n in range(40):
        make_indicator(f"BIG {n:03}", world.teams["waste"], enterers=[user], target=50)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(reverse("performance:my-returns"))
    assert response.content.decode().count('class="returns-item ') == 43
    assert len(many.captured_queries) == len(few.captured_queries)


def test_htmx_save_returns_the_item_fragment(client, world):
    signed_in(client, world.users["enterer_a"])
    response = client.post(
        item_url(world, "WAS 001"),
        {"value": "96", "comment": "", "version": "0", "action": "save"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="item-')
    assert "Saved WAS 001 as a draft" in body
    assert Value.objects.get(indicator=world.indicators["WAS 001"]).status == "draft"


def test_htmx_submit_without_a_needed_comment_shows_the_error_in_place(client, world):
    signed_in(client, world.users["enterer_a"])
    response = client.post(
        item_url(world, "WAS 001"),
        {"value": "90", "comment": "", "version": "0", "action": "submit"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "govuk-error-message" in body
    assert "Add a performance comment: the value is Amber (Firstbase)" in body
    assert 'value="90"' in body  # what was typed stays
    assert not Value.objects.exists()


def test_without_javascript_an_error_re_renders_the_page_with_a_summary(client, world):
    signed_in(client, world.users["enterer_a"])
    response = client.post(
        item_url(world, "WAS 001"), {"value": "lots", "version": "0", "action": "save"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Value must be a number" in body
    assert "<h1" in body


def test_without_javascript_a_save_redirects_back_to_the_item(client, world):
    signed_in(client, world.users["enterer_a"])
    response = client.post(
        item_url(world, "WAS 001"), {"value": "96", "version": "0", "action": "submit"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("performance:my-returns") + "#item-")


def test_a_stale_save_says_who_changed_it(client, world):
    value = enter(world, "WAS 001", "96", submit=True)
    collection.return_value(
        user=world.users["manager_a"], value_id=value.pk, version=value.version, reason="Recheck"
    )
    signed_in(client, world.users["enterer_a"])
    response = client.post(
        item_url(world, "WAS 001"),
        {"value": "97", "version": str(value.version), "action": "submit"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "Your change was not saved" in body
    assert "was changed by" in body
    assert "Reload" in body


def test_live_preview_shows_level_and_direction_as_words(client, world):
    signed_in(client, world.users["enterer_a"])
    response = client.get(item_url(world, "WAS 002", "performance:return-preview"), {"value": "12"})
    body = response.content.decode()
    assert "Basecamp (Red)" in body
    assert "A performance comment is required" in body
    response = client.get(item_url(world, "WAS 002", "performance:return-preview"), {"value": "9"})
    assert "Summit (Green)" in response.content.decode()


def test_another_teams_item_is_a_404_and_a_manager_may_not_enter(client, world):
    signed_in(client, world.users["enterer_a"])
    assert client.get(item_url(world, "HOU 001", "performance:return-preview")).status_code == 404
    assert client.post(item_url(world, "HOU 001"), {"value": "1"}).status_code == 404
    client.logout()
    signed_in(client, world.users["manager_a"])
    assert client.post(item_url(world, "WAS 001"), {"value": "1"}).status_code == 403


def test_guessing_another_teams_value_id_is_a_404(client, world):
    hou = enter(world, "HOU 001", "120", user="enterer_b", submit=True)
    signed_in(client, world.users["manager_a"])
    assert client.get(reverse("performance:value-review", args=[hou.pk])).status_code == 404
    assert client.get(reverse("performance:value-correct", args=[hou.pk])).status_code == 404
    response = client.post(
        reverse("performance:activation-bulk"),
        {"action": "activate", "selected": [hou.pk], f"version-{hou.pk}": hou.version},
    )
    assert response.status_code == 404
    assert Value.objects.get(pk=hou.pk).status == "submitted"


def test_activation_queue_shows_context_with_few_queries(
    client, world, django_assert_max_num_queries
):
    manager = world.users["manager_a"]
    enter(world, "WAS 001", "90", submit=True, comment="Short of crews")
    signed_in(client, manager)
    with django_assert_max_num_queries(25) as few:
        response = client.get(reverse("performance:activation-queue"))
    body = response.content.decode()
    assert "Firstbase" in body
    assert "Short of crews" in body
    for n in range(30):
        indicator = make_indicator(
            f"Q {n:03}",
            world.teams["waste"],
            enterers=[world.users["enterer_a"]],
            managers=[manager],
            target=50,
        )
        Value.objects.create(
            indicator=indicator,
            period="2025/26 Q1",
            period_start=dt.date(2025, 4, 1),
            value=Decimal(40),
            status="submitted",
            entered_by=world.users["enterer_a"],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("performance:activation-queue"))
    assert "31 values waiting for activation" in response.content.decode()


def test_bulk_activate_and_return_with_a_reason(client, world):
    a = enter(world, "WAS 001", "96", submit=True)
    b = enter(world, "WAS 002", "9", submit=True)
    signed_in(client, world.users["manager_a"])
    url = reverse("performance:activation-bulk")
    response = client.post(
        url, {"action": "return", "selected": [b.pk], f"version-{b.pk}": b.version, "reason": ""}
    )
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    response = client.post(
        url,
        {"action": "return", "selected": [b.pk], f"version-{b.pk}": b.version, "reason": "Source?"},
    )
    assert response.status_code == 302
    response = client.post(
        url, {"action": "activate", "selected": [a.pk], f"version-{a.pk}": a.version}
    )
    assert response.status_code == 302
    assert Value.objects.get(pk=a.pk).status == "activated"
    assert Value.objects.get(pk=b.pk).return_reason == "Source?"


def test_bulk_with_a_stale_item_changes_nothing_and_names_it(client, world):
    a = enter(world, "WAS 001", "96", submit=True)
    b = enter(world, "WAS 002", "9", submit=True)
    signed_in(client, world.users["manager_a"])
    response = client.post(
        reverse("performance:activation-bulk"),
        {
            "action": "activate",
            "selected": [a.pk, b.pk],
            f"version-{a.pk}": a.version,
            f"version-{b.pk}": b.version - 1,
        },
    )
    assert response.status_code == 409
    assert "WAS 002 2025/26 Q1: WAS 002 2025/26 Q1 was changed by" in response.content.decode()
    assert set(Value.objects.values_list("status", flat=True)) == {"submitted"}


def test_review_page_activates_and_refuses_the_managers_own_entry(client, world):
    value = enter(world, "WAS 001", "96", submit=True)
    signed_in(client, world.users["manager_a"])
    url = reverse("performance:value-review", args=[value.pk])
    page = client.get(url).content.decode()
    assert "Recent periods" in page
    assert "Activate WAS 001 2025/26 Q1" in page
    response = client.post(url, {"action": "activate", "version": value.version})
    assert response.status_code == 302
    assert Value.objects.get(pk=value.pk).status == "activated"
    own = enter(world, "GEN 001", "60", user="officer", submit=True)
    client.logout()
    signed_in(client, world.users["officer"])
    response = client.post(
        reverse("performance:value-review", args=[own.pk]),
        {"action": "activate", "version": own.version},
    )
    assert response.status_code == 400
    assert "another data manager must activate it" in response.content.decode()


def test_an_enterer_cannot_activate_or_reopen(client, world):
    value = enter(world, "WAS 001", "96", submit=True)
    signed_in(client, world.users["enterer_a"])
    url = reverse("performance:value-review", args=[value.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "activate", "version": value.version}).status_code == 403
    assert client.get(reverse("performance:activation-queue")).status_code == 403
    assert client.get(reverse("performance:value-correct", args=[value.pk])).status_code == 403


def test_correction_needs_a_reason_and_reopens_the_value(client, world):
    value = enter(world, "WAS 001", "96", submit=True)
    value = collection.activate(
        user=world.users["manager_a"], value_id=value.pk, version=value.version
    )
    signed_in(client, world.users["manager_a"])
    url = reverse("performance:value-correct", args=[value.pk])
    response = client.post(url, {"reason": "", "version": value.version})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    response = client.post(url, {"reason": "Wrong month's data", "version": value.version})
    assert response.status_code == 302
    stored = Value.objects.get(pk=value.pk)
    assert stored.status == "returned"
    assert "Wrong month's data" in stored.return_reason


def test_round_pages_show_status_and_progress_to_everyone_concerned(client, world):
    enter(world, "WAS 001", "96", submit=True)
    signed_in(client, world.users["member"])
    listing = client.get(reverse("performance:round-list")).content.decode()
    assert "KPIs and SPIs (quarterly) 2025/26 Q1" in listing
    assert "left: closes" in listing
    detail = client.get(reverse("performance:round-detail", args=[world.quarterly.pk]))
    body = detail.content.decode()
    assert "Waste" in body
    assert "Housing" in body
    assert "Progress by team (4 items)" in body
