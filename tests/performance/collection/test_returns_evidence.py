"""Working papers from My returns (issue 19): each item with a value lists its evidence and links
to the data quality upload page, where its enterer attaches them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dataquality.models import Evidence
from tests.performance.collection.test_collection import enter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_the_window")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_item_not_started_says_to_save_a_draft_first(client, world):
    client.force_login(world.users["enterer_a"])
    body = client.get(reverse("performance:my-returns")).content.decode()
    assert "Save a draft to attach working papers." in body


def test_the_enterer_attaches_working_papers_from_my_returns(client, world):
    value = enter(world, "WAS 001", "96", submit=True)
    client.force_login(world.users["enterer_a"])
    body = client.get(reverse("performance:my-returns")).content.decode()
    upload = reverse("dataquality:evidence-upload", args=[value.pk])
    assert f'href="{upload}">Attach working papers' in body
    assert "Working papers: none attached." in body
    response = client.post(upload, {"file": SimpleUploadedFile("tonnage.pdf", PDF)})
    assert response.status_code == 302
    evidence = Evidence.objects.get(value=value)
    body = client.get(reverse("performance:my-returns")).content.decode()
    download = reverse("dataquality:evidence-download", args=[evidence.pk])
    assert f'href="{download}" download>tonnage.pdf</a>' in body
    # The htmx fragment of the item lists it too.
    round_ = world.quarterly
    fragment = client.get(
        reverse("performance:return-item", args=[round_.pk, value.indicator_id]),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "tonnage.pdf" in fragment
