"""The legend and the glossary (issue 19): public pages, every concept and shape rendered
through the `symbols` tag, the handbook's Jargon Buster and the SPC terms, linked from the
footer."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from performance.core import symbols

pytestmark = pytest.mark.django_db


def test_the_symbols_page_shows_every_symbol_with_its_words_and_colour(client):
    response = client.get(reverse("help:symbols"))
    assert response.status_code == 200
    html = response.content.decode()
    for concept in symbols.CONCEPTS:
        assert f'id="{concept.key}"' in html
        for item in concept.symbols:
            assert item.word in html
            assert item.hex in html
            if item.char:
                assert (
                    f'<span class="app-symbol {item.css}" aria-hidden="true">{item.char}</span>'
                    in html
                )


def test_the_glossary_has_the_jargon_buster_and_the_spc_terms(client):
    response = client.get(reverse("help:glossary"))
    assert response.status_code == 200
    html = response.content.decode()
    # The handbook's own wording.
    assert "Whether an indicator or a service/organisation is improving, deteriorating" in html
    assert "A target is the defining standard of success." in html
    for term in ("Special cause variation", "Common cause variation", "Process limits"):
        assert f'<dt class="govuk-summary-list__key">{term}</dt>' in html


def test_the_footer_links_both_pages_for_everyone(client):
    html = client.get(reverse("public:index")).content.decode()
    footer = re.search(r"<footer.*</footer>", html, re.S).group(0)
    assert f'href="{reverse("help:symbols")}"' in footer
    assert f'href="{reverse("help:glossary")}"' in footer


def test_the_tag_renders_the_shape_hidden_and_the_words():
    html = Template(
        '{% load symbols %}{% symbol "status" "firstbase" %}|{% symbol "direction" "none" %}|'
        '{% symbol "status" "amber" short=True %}|{% symbol_char "award" "top" %}|'
        '{% symbol_word "quartile" 1 %}'
    ).render(Context())
    assert html == (
        '<span class="app-symbol app-symbol--status-amber" aria-hidden="true">▲</span> '
        "Firstbase (Amber)|No comparison|"
        '<span class="app-symbol app-symbol--status-amber" aria-hidden="true">▲</span> Amber|'
        "★|Top quartile"
    )
