"""Issue 19: a submitted or activated return reads as done (no inputs or buttons, when and to
whom, how to change it while allowed), and "A performance comment is required" shows only when
the rule fails for the comment stored or typed, on My returns and on the manager's review page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from performance.collection import services as collection
from performance.models import Value
from tests.performance.collection.test_collection import enter

WARNING = "A performance comment is required"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_the_window")]


def _url(world, code, name="performance:return-item"):
    indicator = world.indicators[code]
    round_ = world.monthly if indicator.frequency == "monthly" else world.quarterly
    return reverse(name, args=[round_.pk, indicator.pk])


def _item_html(body: str, world, code: str) -> str:
    """The <section> of one item on My returns."""
    indicator = world.indicators[code]
    round_ = world.monthly if indicator.frequency == "monthly" else world.quarterly
    match = re.search(
        rf'<section id="item-{round_.pk}-{indicator.pk}".*?</section>', body, flags=re.S
    )
    assert match, f"{code} is not on the page"
    return match.group(0)


def _editable(html: str) -> bool:
    return bool(re.search(r"<(input(?![^>]*type=\"hidden\")|textarea|button)\b", html))


def test_htmx_submit_returns_a_read_only_item_with_the_outcome_focused(client, world):
    client.force_login(world.users["enterer_a"])
    response = client.post(
        _url(world, "WAS 001"),
        {
            "value": "90",
            "comment": "Two crews off sick in May.",
            "version": "0",
            "action": "submit",
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert Value.objects.get(indicator=world.indicators["WAS 001"]).status == "submitted"
    assert not _editable(body), "a submitted item still has inputs or buttons"
    assert "Submitted on 4 July 2025" in body
    assert "waiting for" in body
    assert world.users["manager_a"].get_full_name() in body
    assert "Two crews off sick in May." in body  # the comment as text
    # How to take it back while a manager has not activated it.
    assert "Change or withdraw" in body
    # The outcome message takes keyboard focus after the swap (static/js/returns.js).
    assert re.search(
        r'data-focus-after-swap[^>]*tabindex="-1"|tabindex="-1"[^>]*data-focus-after-swap', body
    )
    assert WARNING not in body


def test_my_returns_shows_submitted_and_activated_items_as_done(client, world):
    submitted = enter(world, "WAS 001", "96", submit=True)
    activated = enter(world, "GEN 001", "60", submit=True)
    collection.activate(
        user=world.users["officer"], value_id=activated.pk, version=activated.version
    )
    client.force_login(world.users["enterer_a"])
    body = client.get(reverse("performance:my-returns")).content.decode()
    was1 = _item_html(body, world, "WAS 001")
    gen1 = _item_html(body, world, "GEN 001")
    assert not _editable(was1)
    assert "Submitted on" in was1
    assert not _editable(gen1)
    assert "Activated on" in gen1
    assert "Change or withdraw" not in gen1  # locked once activated
    assert _editable(_item_html(body, world, "WAS 002"))  # not started: still a form
    assert submitted.status == "submitted"


def test_change_or_withdraw_opens_the_form_again(client, world):
    enter(world, "WAS 001", "96", submit=True)
    client.force_login(world.users["enterer_a"])
    fragment = client.get(_url(world, "WAS 001") + "?edit=1", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert _editable(html)
    assert "Save as a draft to withdraw it" in html
    # Without JavaScript the link opens the page with that item's form.
    indicator = world.indicators["WAS 001"]
    page = client.get(
        reverse("performance:my-returns") + f"?edit={world.quarterly.pk}-{indicator.pk}"
    ).content.decode()
    assert _editable(_item_html(page, world, "WAS 001"))


def test_comment_warning_on_my_returns_only_where_the_comment_is_missing(client, world):
    enter(world, "WAS 001", "90", comment="Two crews off sick in May.")  # Amber, commented
    enter(world, "WAS 002", "14")  # Red for a lower-is-better target of 10, no comment
    client.force_login(world.users["enterer_a"])
    body = client.get(reverse("performance:my-returns")).content.decode()
    was1 = _item_html(body, world, "WAS 001")
    assert "Firstbase" in was1
    assert WARNING not in was1
    assert WARNING in _item_html(body, world, "WAS 002")


def test_live_preview_counts_the_comment_typed(client, world):
    client.force_login(world.users["enterer_a"])
    url = _url(world, "WAS 001", "performance:return-preview")
    without = client.get(url, {"value": "90", "comment": ""}).content.decode()
    with_comment = client.get(url, {"value": "90", "comment": "Crews off sick."}).content.decode()
    assert WARNING in without
    assert WARNING not in with_comment
    # The comment box is sent with the preview request, and asks for it as it changes.
    item = client.get(_url(world, "WAS 001")).content.decode()
    textarea = re.search(r"<textarea[^>]*>", item).group(0)
    assert 'data-entry="' in textarea
    assert "hx-get=" in textarea


def test_review_page_warns_only_when_the_comment_is_missing(client, world):
    commented = enter(world, "WAS 001", "90", submit=True, comment="Two crews off sick in May.")
    client.force_login(world.users["manager_a"])
    review = reverse("performance:value-review", args=[commented.pk])
    assert WARNING not in client.get(review).content.decode()
    # A value submitted without one (e.g. before the rule) still shows the warning.
    missing = enter(world, "WAS 002", "14")  # Red for a lower-is-better target of 10
    Value.objects.filter(pk=missing.pk).update(status="submitted")
    body = client.get(reverse("performance:value-review", args=[missing.pk])).content.decode()
    assert WARNING in body
