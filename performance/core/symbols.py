"""Summit's one visual language: every symbol, word and colour a page, report, email, poster or
export uses for a reading (issue 19). Pure: no Django (import-linter enforces it).

A *concept* (status level, direction of travel, SPC variation, ...) has its own family of
shapes; no shape is used by two concepts, so a person who reads shapes rather than colours
never reads one concept as another (tests/performance/core/test_symbols.py fails otherwise).
The shape is decoration (pages hide it from screen readers): the words carry the meaning, and
the colour comes from one palette of GOV.UK colours that reach 4.5:1 on white (text) or 3:1
(graphics). Templates render a symbol with `{% symbol "status" "amber" %}` (performance's
`symbols` tag library); exports use `word` or `short`.

A symbol's `char` may be empty: the reading is then shown in words alone (for "not comparable"
or "not enough points", which are the absence of a reading, not a reading).
"""

from __future__ import annotations

from dataclasses import dataclass

# GOV.UK colours (GOV.UK Frontend's palette). `amber` is GOV.UK orange darkened until text on
# white passes 4.5:1 (#f47738 itself is 2.9:1); the handbook's Firstbase "yellow" (#ffdd00,
# 1.4:1) cannot carry text or shapes on white, so Firstbase is this amber everywhere.
PALETTE: dict[str, str] = {
    "green": "#00703c",
    "amber": "#8f4a00",
    "red": "#b42b16",
    "blue": "#1d70b8",
    "dark-blue": "#003078",
    "purple": "#4c2c92",
    "grey": "#505a5f",
    "black": "#0b0c0c",
}

TEXT_CONTRAST = 4.5  # WCAG 1.4.3, text on white
GRAPHIC_CONTRAST = 3.0  # WCAG 1.4.11, shapes on white


@dataclass(frozen=True, slots=True)
class Symbol:
    concept: str
    key: str
    char: str  # the decorative shape; "" when the words stand alone
    word: str  # the words shown with it on pages
    short: str  # the word in tables, PDFs and exports where space is short
    colour: str  # a PALETTE name
    meaning: str  # what it means, in plain English, for the legend

    @property
    def hex(self) -> str:
        return PALETTE[self.colour]

    @property
    def css(self) -> str:
        """The CSS modifier: `app-symbol--status-amber`."""
        return f"app-symbol--{self.concept}-{self.key}".replace("_", "-")


@dataclass(frozen=True, slots=True)
class Concept:
    key: str
    name: str
    about: str
    symbols: tuple[Symbol, ...]


def _family(key: str, name: str, about: str, *rows: tuple[str, str, str, str, str, str]) -> Concept:
    return Concept(key, name, about, tuple(Symbol(key, *row) for row in rows))


CONCEPTS: tuple[Concept, ...] = (
    _family(
        "status",
        "Status level (Reach the Summit level)",
        "How a value compares with its target. The three Reach the Summit levels are the RAG "
        "colours: Summit is Green, Firstbase is Amber, Basecamp is Red.",
        ("green", "✔", "Summit (Green)", "Green", "green", "On target, or better than it."),
        (
            "amber",
            "▲",
            "Firstbase (Amber)",
            "Amber",
            "amber",
            "Missed the target by less than its tolerance (usually within 10%).",
        ),
        (
            "red",
            "✖",
            "Basecamp (Red)",
            "Red",
            "red",
            "Missed the target by its tolerance or more (usually 10% or more).",
        ),
        (
            "no_data",
            "?",
            "No data",
            "No data",
            "grey",
            "No value was given by the time the collection window closed, or it was marked No "
            "data. Counts against the team in Reach the Summit.",
        ),
        (
            "pending",
            "…",
            "Awaiting data",
            "Awaiting",
            "grey",
            "The collection window is still open and no value has been activated yet.",
        ),
        (
            "none",
            "–",
            "Not rated",
            "Not judged",
            "grey",
            "No level can be given: the indicator has no target for the period, or is tracked "
            "without a 'good' direction.",
        ),
    ),
    _family(
        "direction",
        "Direction of travel",
        "Whether an indicator is improving, deteriorating or remaining stable, compared with "
        "the previous period or the same period a year earlier.",
        (
            "improving",
            "↑",
            "Improving",
            "Improving",
            "blue",
            "Better than the earlier value, in the indicator's good direction.",
        ),
        (
            "deteriorating",
            "↓",
            "Deteriorating",
            "Deteriorating",
            "amber",
            "Worse than the earlier value.",
        ),
        (
            "stable",
            "→",
            "Stable",
            "Stable",
            "grey",
            "The same as the earlier value at the indicator's decimal places.",
        ),
        (
            "none",
            "",
            "No comparison",
            "No comparison",
            "grey",
            "There is no earlier value to compare with, or the indicator has no good direction.",
        ),
    ),
    _family(
        "variation",
        "SPC variation",
        "What statistical process control (SPC) reads in the latest point of a series of at "
        "least 12 values.",
        (
            "common",
            "≈",
            "Common cause variation",
            "Common cause",
            "grey",
            "Common cause: the ups and downs expected of the process as it is; no one point "
            "needs explaining.",
        ),
        (
            "improving",
            "⊕",
            "Special cause: improving",
            "Special cause improving",
            "blue",
            "Special cause: something unusual has changed the process, for the better.",
        ),
        (
            "concerning",
            "⊖",
            "Special cause: concerning",
            "Special cause concerning",
            "amber",
            "Special cause: something unusual has changed the process, for the worse; find out "
            "why.",
        ),
        (
            "neutral",
            "⊙",
            "Special cause: neither improving nor concerning",
            "Special cause neither",
            "purple",
            "Special cause in an indicator without a good direction.",
        ),
        (
            "none",
            "",
            "Too few points for SPC",
            "Too few points",
            "grey",
            "Fewer than 12 values, or a year-to-date series, which SPC does not read.",
        ),
    ),
    _family(
        "assurance",
        "SPC assurance",
        "Whether the process, as it is, can be relied on to meet its target: where the target "
        "sits against the process limits.",
        (
            "pass",
            "P",
            "Consistently passes the target",
            "Passes",
            "blue",
            "The target is outside the process limits on the good side: it will be met unless "
            "something changes.",
        ),
        (
            "fail",
            "F",
            "Consistently fails the target",
            "Fails",
            "amber",
            "The target is outside the process limits on the bad side: it will not be met "
            "without a change to the process.",
        ),
        (
            "hit_and_miss",
            "H",
            "Hits and misses the target",
            "Hit and miss",
            "grey",
            "The target is between the process limits: some periods will meet it, some will "
            "not, by chance alone.",
        ),
        (
            "none",
            "",
            "No assurance",
            "No assurance",
            "grey",
            "No target, or too few points to judge.",
        ),
    ),
    _family(
        "quartile",
        "Benchmarking quartile",
        "Where the council's figure falls among its comparison group, divided into four quarters.",
        ("1", "①", "Top quartile", "Top quartile", "green", "Among the best quarter of the group."),
        (
            "2",
            "②",
            "Second quartile",
            "Second quartile",
            "blue",
            "Better than half the group, not in the top quarter.",
        ),
        (
            "3",
            "③",
            "Third quartile",
            "Third quartile",
            "amber",
            "Worse than half the group, not in the bottom quarter.",
        ),
        (
            "4",
            "④",
            "Bottom quartile",
            "Bottom quartile",
            "red",
            "Among the worst quarter of the group.",
        ),
        ("none", "", "No value", "No value", "grey", "No figure to place in the group."),
    ),
    _family(
        "risk",
        "Risk rating",
        "How serious a risk is: its likelihood and its impact together (for the risk register).",
        ("low", "▁", "Low risk", "Low", "green", "Tolerate and watch."),
        ("medium", "▃", "Medium risk", "Medium", "blue", "Manage within the service."),
        ("high", "▅", "High risk", "High", "amber", "Needs an action plan and regular review."),
        (
            "very_high",
            "▇",
            "Very high risk",
            "Very high",
            "red",
            "Needs immediate action and escalation.",
        ),
    ),
    _family(
        "task",
        "Task state",
        "Where a piece of work (a value to enter, an action, a sign-off) has got to.",
        ("not_started", "○", "Not started", "Not started", "grey", "Nothing done yet."),
        ("due", "☐", "Due", "Due", "blue", "Waiting for you, before its deadline."),
        ("in_progress", "◐", "In progress", "In progress", "blue", "Started, not finished."),
        ("draft", "✎", "Draft", "Draft", "grey", "Saved but not yet submitted."),
        (
            "submitted",
            "✉",
            "Submitted",
            "Submitted",
            "blue",
            "Sent to the manager, waiting to be checked and activated.",
        ),
        (
            "returned",
            "↩",
            "Returned",
            "Returned",
            "amber",
            "Sent back to you with a reason: correct it and submit again.",
        ),
        ("overdue", "⚑", "Overdue", "Overdue", "red", "Its deadline has passed."),
        (
            "done",
            "☑",
            "Done",
            "Done",
            "green",
            "Finished: a value activated, an action done, a statement signed.",
        ),
        (
            "no_data",
            "⊘",
            "Marked No data",
            "No data",
            "grey",
            "Closed without a value, with a reason.",
        ),
    ),
    _family(
        "award",
        "Reach the Summit award",
        "The quarterly awards of the Reach the Summit league table.",
        ("top", "★", "Top Team", "Top Team", "black", "The most points this quarter."),
        (
            "runner_up",
            "☆",
            "Runner-up",
            "Runner-up",
            "black",
            "The best average position over the last four quarters, after the Top Team.",
        ),
    ),
    _family(
        "window",
        "Collection window",
        "Whether a collection round is taking values.",
        ("open", "●", "Open", "Open", "green", "Values can be entered and submitted."),
        ("closed", "■", "Closed", "Closed", "grey", "The deadline has passed."),
    ),
    _family(
        "notice",
        "Notice",
        "A message about what has just happened on the page.",
        ("success", "✓", "Saved", "Saved", "green", "What you did has been saved."),
        ("warning", "⚠", "Check", "Check", "amber", "Something needs checking."),
    ),
    _family(
        "marker",
        "Marker",
        "Picks out one row or bar in a chart or table.",
        ("ours", "▶", "This council", "Us", "black", "The council's own figure among others."),
    ),
)

# Other names pages use for a registry key: the Reach the Summit levels and the Level values.
ALIASES: dict[str, dict[str, str]] = {
    "status": {"summit": "green", "firstbase": "amber", "basecamp": "red", "": "none"},
    "direction": {"": "none", "no_change": "stable", "not_comparable": "none"},
    "variation": {"": "none"},
    "assurance": {"": "none", "hit-and-miss": "hit_and_miss"},
    "quartile": {"": "none", "0": "none"},
    "award": {},
    "task": {"activated": "done", "complete": "done"},
}

_INDEX: dict[tuple[str, str], Symbol] = {
    (symbol.concept, symbol.key): symbol for concept in CONCEPTS for symbol in concept.symbols
}
_CONCEPTS = {concept.key: concept for concept in CONCEPTS}


def concept(key: str) -> Concept:
    return _CONCEPTS[key]


def get(concept_key: str, key: object) -> Symbol:
    """The symbol of `key` (a string, an enum member or None) in a concept; KeyError names both
    when there is none."""
    text = "" if key is None else str(getattr(key, "value", key))
    text = ALIASES.get(concept_key, {}).get(text, text)
    try:
        return _INDEX[(concept_key, text)]
    except KeyError:
        raise KeyError(f"no symbol {text!r} in concept {concept_key!r}") from None


def char(concept_key: str, key: object) -> str:
    return get(concept_key, key).char


def word(concept_key: str, key: object) -> str:
    return get(concept_key, key).word


def short(concept_key: str, key: object) -> str:
    return get(concept_key, key).short


def labelled(concept_key: str, key: object, *, short_word: bool = False) -> str:
    """ "▲ Firstbase (Amber)": the shape and the words, for plain text (a menu, a chart bar)."""
    symbol = get(concept_key, key)
    text = symbol.short if short_word else symbol.word
    return f"{symbol.char} {text}" if symbol.char else text


def every_symbol() -> list[Symbol]:
    return list(_INDEX.values())


def shapes() -> frozenset[str]:
    """Every non-empty shape in the registry."""
    return frozenset(symbol.char for symbol in _INDEX.values() if symbol.char)


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str = "#ffffff") -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)
