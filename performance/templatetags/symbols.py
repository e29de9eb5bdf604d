"""`{% load symbols %}`: Summit's one visual language in templates (issue 19).

- `{% symbol "status" "amber" %}` renders the shape (hidden from screen readers) and the words:
  `<span class="app-symbol app-symbol--status-amber" aria-hidden="true">▲</span> Firstbase
  (Amber)`; `word="Amber"` changes the words, `short=True` uses the registry's short word.
- `{% symbol_char "status" level %}` is the shape alone, for a page's own markup.
- `{% symbol_word "status" level %}` is the words alone.

Keys are registry keys or their aliases (`summit`, a `Level`, a `Direction`, ...).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from performance.core import symbols

register = template.Library()


@register.simple_tag
def symbol(concept: str, key: object, word: str | None = None, short: bool = False) -> str:
    found = symbols.get(concept, key)
    text = word if word is not None else (found.short if short else found.word)
    if not found.char:
        return format_html("{}", text)
    return format_html(
        '<span class="app-symbol {}" aria-hidden="true">{}</span> {}', found.css, found.char, text
    )


@register.simple_tag
def symbol_char(concept: str, key: object) -> str:
    return symbols.char(concept, key)


@register.simple_tag
def symbol_word(concept: str, key: object, short: bool = False) -> str:
    return symbols.short(concept, key) if short else symbols.word(concept, key)
