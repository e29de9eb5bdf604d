"""Writes of the benchmarking app: imports (all or nothing), projects, the efficiency register.

Every import validates the whole file first and writes nothing unless every row is good; the
error lists every bad row by its spreadsheet row number. Writes are audited (SPEC §1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import models as auth
from django.db import transaction

from benchmarking import tables
from benchmarking.models import (
    GSS_CODE_PATTERN,
    Authority,
    BenchmarkingProject,
    BenchmarkMeasure,
    BenchmarkValue,
    ComparatorGroup,
    EfficiencySaving,
    ProjectStep,
    VfmPair,
)
from performance.common import audit
from performance.core import periods

MAX_VALUE = Decimal(10) ** 12  # what a DecimalField(18, 6) holds
SIX_PLACES = Decimal("0.000001")


class ImportFailed(ValueError):
    """A file that cannot be imported; `errors` lists every problem, each naming its row."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    skipped: int = 0  # rows published as "not available"
    message: str = ""


def authority_type_from_code(code: str) -> str:
    """The authority type an ONS/GSS code's entity prefix says (E07 = shire district, …)."""
    prefix = code[:3]
    return {
        "E06": Authority.Type.UNITARY,
        "W06": Authority.Type.UNITARY,
        "S12": Authority.Type.UNITARY,
        "E07": Authority.Type.SHIRE_DISTRICT,
        "E08": Authority.Type.METROPOLITAN,
        "E09": Authority.Type.LONDON_BOROUGH,
        "E10": Authority.Type.COUNTY,
        "N09": Authority.Type.OTHER,
    }.get(prefix, Authority.Type.OTHER)


def check_code(code: str) -> str | None:
    """An error message for a malformed ONS/GSS code, None when it is well formed."""
    if not re.fullmatch(GSS_CODE_PATTERN, code):
        return f"authority code {code!r} is not an ONS/GSS code (a letter and eight digits, like E07000110)"
    return None


def _read(name: str, content: bytes, **kwargs: Any) -> list[tables.Row]:
    try:
        rows = tables.read_table(name, content, **kwargs)
    except tables.TableError as error:
        raise ImportFailed([str(error)]) from error
    if not rows:
        raise ImportFailed([f"{name} has a header row but no data rows."])
    return rows


# --- comparator groups ------------------------------------------------------------------------


@transaction.atomic
def import_comparators(
    *,
    name: str,
    content: bytes,
    group: str,
    kind: str | None = None,
    focus: str | None = None,
    actor: auth.User | None = None,
) -> ImportResult:
    """Set the members of comparator group `group` to the authorities in the file.

    Columns `authority_code, authority_name` (an `authority_type` column is optional; without
    it the type follows the code). Authorities not yet known are created with the file's
    name; a known authority keeps its name. The group is created when new (kind `custom`
    unless given) and its membership replaced. Malformed or duplicate codes, and a new
    authority without a name, reject the whole file.

    A nearest-neighbour table as published lists the neighbours of several authorities
    (columns `focus_ons_code, focus_authority, neighbour_ons_code, neighbour_name`): only the
    rows of `focus` (default: the council, setting COUNCIL_CODE) are read, and the focus
    authority itself joins the group, because such lists leave it out.
    """
    group = group.strip()
    if not group:
        raise ImportFailed(["the group name is required"])
    rows = _read(
        name,
        content,
        required=["authority_code", "authority_name"],
        optional=["authority_type", "focus_code", "focus_name"],
    )
    if rows and "focus_code" in rows[0].cells:
        rows = _focus_rows(name, rows, (focus or settings.COUNCIL_CODE).strip().upper())
    known = {a.code: a for a in Authority.objects.all()}
    errors: list[str] = []
    seen: dict[str, int] = {}
    wanted: list[tuple[str, str, str]] = []
    type_names = {label.lower(): value for value, label in Authority.Type.choices}
    type_names |= {value: value for value in Authority.Type.values}
    for row in rows:
        code = row.cells["authority_code"].strip().upper()
        title = row.cells["authority_name"].strip()
        if not code:
            errors.append(f"Row {row.number}: authority_code is empty")
            continue
        if problem := check_code(code):
            errors.append(f"Row {row.number}: {problem}")
            continue
        if code in seen:
            errors.append(f"Row {row.number}: {code} is a duplicate of row {seen[code]}")
            continue
        seen[code] = row.number
        if code not in known and not title:
            errors.append(
                f"Row {row.number}: authority_name is needed for the new authority {code}"
            )
            continue
        type_text = row.cells.get("authority_type", "").strip().lower()
        authority_type = type_names.get(type_text) or authority_type_from_code(code)
        wanted.append((code, title, authority_type))
    if errors:
        raise ImportFailed(errors)

    created = 0
    for code, title, authority_type in wanted:
        if code not in known:
            known[code] = Authority.objects.create(code=code, name=title, type=authority_type)
            created += 1
    comparator_group, group_created = ComparatorGroup.objects.get_or_create(
        name=group, defaults={"kind": kind or ComparatorGroup.Kind.CUSTOM}
    )
    before = sorted(comparator_group.members.values_list("code", flat=True))
    if kind and not group_created and comparator_group.kind != kind:
        audit.update(actor=actor, instance=comparator_group, kind=kind)
    comparator_group.members.set([known[code] for code, _, _ in wanted])
    after = sorted(code for code, _, _ in wanted)
    audit.record(
        actor=actor,
        instance=comparator_group,
        action="import",
        changes={"members": [before, after]} if before != after else {},
        reason=f"import_comparators from {name}",
    )
    return ImportResult(
        created=created,
        updated=len(wanted) - created,
        message=(
            f"Comparator group {group!r}: {len(wanted)} authorities ({created} new to Summit)."
        ),
    )


def _focus_rows(name: str, rows: list[tables.Row], focus: str) -> list[tables.Row]:
    """The rows listing `focus`'s neighbours, then a row for `focus` itself unless listed."""
    mine = [row for row in rows if row.cells["focus_code"].strip().upper() == focus]
    if not mine:
        listed = sorted({row.cells["focus_code"].strip().upper() for row in rows} - {""})
        raise ImportFailed(
            [f"{name} lists no neighbours of {focus}; it lists those of {', '.join(listed)}"]
        )
    if any(row.cells["authority_code"].strip().upper() == focus for row in mine):
        return mine
    own = tables.Row(
        mine[0].number,
        {
            "authority_code": focus,
            "authority_name": mine[0].cells.get("focus_name", ""),
            "authority_type": "",
        },
    )
    return [own, *mine]


# --- benchmark values ---------------------------------------------------------------------------

# Codes of areas that are not authorities: the country, region and inner/outer London totals a
# published table lists beside the councils. Their rows are refused (counted, not an error).
AREA_TOTALS = {
    "E92": "country",
    "E12": "region",
    "E13": "inner or outer London",
    "K02": "United Kingdom",
    "K03": "Great Britain",
    "K04": "England and Wales",
    "W92": "country",
    "S92": "country",
    "N92": "country",
}


@dataclass(frozen=True)
class BenchmarkImport(ImportResult):
    """What `import_benchmarks` did: `created`/`updated` values, `skipped` not available."""

    authorities_created: int = 0
    refused: int = 0


def _match_authority(
    row: tables.Row,
    by_code: dict[str, Authority],
    by_name: dict[str, list[Authority]],
    new: dict[str, tuple[str, int]],
) -> tuple[str | None, str | None]:
    """(code, problem): the authority's code, stored or to be stored in `new` (code → (name,
    first row)); a well-formed code not yet stored is new when the file names it."""
    code = row.cells.get("authority_code", "").strip().upper()
    title = row.cells.get("authority_name", "").strip()
    if code:
        if problem := check_code(code):
            return None, problem
        if code not in by_code and code not in new:
            if not title:
                return None, (
                    f"unknown authority {code}: give its name (authority_name) to store it"
                )
            new[code] = (title, row.number)
        return code, None
    if not title:
        return None, "authority_code and authority_name are both empty"
    matches = by_name.get(title.casefold(), [])
    if not matches:
        return None, f"unknown authority {title!r}: no authority has that name (give its code)"
    if len(matches) > 1:
        return None, f"authority name {title!r} is ambiguous: give its code"
    return matches[0].code, None


@transaction.atomic
def import_benchmarks(
    *,
    name: str,
    content: bytes,
    measure: str,
    title: str | None = None,
    polarity: str | None = None,
    actor: auth.User | None = None,
) -> BenchmarkImport:
    """Import one measure's values from a published table as it comes (SPEC §8, §12).

    Layouts: `tables.read_benchmarks` (columns `authority_code, authority_name, period, value`
    under their publishers' names, extra columns ignored, or one column per year). Every
    authority in the file is stored from its ONS/GSS code and name (type from the code), so a
    comparator group can choose among them later; a stored authority keeps its name. An
    authority given by name alone must be stored already. The council's own figures are
    stored like any other. Rows of area totals (England, a region) are refused and counted;
    a value published as "not available" (`..`, `[x]`, `c`, empty…) is skipped and counted.
    The measure is created when new (title defaults to the code, polarity to `higher`);
    `title` and `polarity` update an existing one. A value already held for the same
    authority and period is replaced (a revised release). Malformed codes, unknown names, bad
    periods, text in a number and duplicate authority-period rows reject the whole file,
    every problem listed with its row (and year column).
    """
    code = measure.strip()
    if not code:
        raise ImportFailed(["the measure code is required"])
    if polarity is not None and polarity not in BenchmarkMeasure.PolarityChoice.values:
        raise ImportFailed([f"polarity {polarity!r} must be higher, lower or none"])
    try:
        rows = tables.read_benchmarks(name, content)
    except tables.TableError as error:
        raise ImportFailed([str(error)]) from error
    if not rows:
        raise ImportFailed([f"{name} has a header row but no data rows."])
    by_code: dict[str, Authority] = {}
    by_name: dict[str, list[Authority]] = {}
    for known in Authority.objects.all():
        by_code[known.code] = known
        by_name.setdefault(known.name.casefold(), []).append(known)

    errors: list[str] = []
    new: dict[str, tuple[str, int]] = {}
    seen: dict[tuple[str, str], str] = {}
    parsed: list[tuple[str, str, Decimal]] = []
    skipped = 0
    refused: list[int] = []
    for row in rows:
        raw_code = row.cells.get("authority_code", "").strip().upper()
        if raw_code[:3] in AREA_TOTALS and not check_code(raw_code):
            if row.number not in refused:
                refused.append(row.number)
            continue
        problems = []
        authority, problem = _match_authority(row, by_code, by_name, new)
        if problem:
            problems.append(problem)
        period_text = tables.period_text(row.cells["period"])
        try:
            period = str(periods.parse(period_text))
        except periods.PeriodError as error:
            period = None
            problems.append(f"period: {error}")
        try:
            number = tables.parse_number(row.cells["value"])
        except ValueError as error:
            number = None
            problems.append(f"value: {error}")
        else:
            if number is not None and abs(number) >= MAX_VALUE:
                problems.append(f"value: {row.cells['value']!r} is too large")
        if problems:
            errors.append(f"{row.where}: " + "; ".join(problems))
            continue
        # No problem: both were read.
        assert authority is not None
        assert period is not None
        key = (authority, period)
        if key in seen:
            errors.append(f"{row.where}: {authority} {period} is a duplicate of {seen[key]}")
            continue
        seen[key] = row.where.lower()
        if number is None:
            skipped += 1
            continue
        parsed.append((authority, period, number.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)))
    if errors:
        raise ImportFailed(errors)

    Authority.objects.bulk_create(
        Authority(code=new_code, name=new_name[:150], type=authority_type_from_code(new_code))
        for new_code, (new_name, _) in new.items()
    )
    if new:
        by_code |= {a.code: a for a in Authority.objects.filter(code__in=list(new))}
    benchmark, measure_created = BenchmarkMeasure.objects.get_or_create(
        code=code,
        defaults={"title": (title or code)[:250], "polarity": polarity or "higher"},
    )
    if measure_created:
        audit.created(
            actor=actor, instance=benchmark, fields=["code", "title", "polarity"], reason=name
        )
    else:
        changes = {}
        if title:
            changes["title"] = title[:250]
        if polarity:
            changes["polarity"] = polarity
        if changes:
            audit.update(actor=actor, instance=benchmark, reason=f"import from {name}", **changes)

    existing = {
        (v.authority_id, v.period): v
        for v in BenchmarkValue.objects.filter(
            measure=benchmark, period__in={p for _, p, _ in parsed}
        )
    }
    new_rows, changed_rows, revised = [], [], {}
    for authority_code, period, number in parsed:
        stored = by_code[authority_code]
        current = existing.get((stored.pk, period))
        if current is None:
            new_rows.append(
                BenchmarkValue(measure=benchmark, authority=stored, period=period, value=number)
            )
        elif current.value != number:
            revised[f"{stored.code} {period}"] = [str(current.value), str(number)]
            current.value = number
            changed_rows.append(current)
    BenchmarkValue.objects.bulk_create(new_rows, batch_size=1000)
    BenchmarkValue.objects.bulk_update(changed_rows, ["value"], batch_size=1000)
    audit.record(
        actor=actor,
        instance=benchmark,
        action="import",
        changes={
            "values_added": [None, len(new_rows)],
            **({"authorities_added": [None, sorted(new)]} if new else {}),
            **revised,
        },
        reason=f"import_benchmarks from {name}",
    )
    unchanged = len(parsed) - len(new_rows) - len(changed_rows)
    counts = f"{len(new_rows)} values added, {len(changed_rows)} revised"
    if unchanged:
        counts += f", {unchanged} unchanged"
    authorities = len({a for a, _, _ in parsed})
    message = (
        f"{benchmark.code}: {counts}, for {authorities} authorities ({len(new)} new to Summit); "
        f"{skipped} skipped as not available; {len(refused)} refused"
    )
    if refused:
        shown = ", ".join(str(n) for n in refused[:5]) + (", …" if len(refused) > 5 else "")
        message += f" as area totals, not authorities (rows {shown})"
    return BenchmarkImport(
        created=len(new_rows),
        updated=len(changed_rows),
        skipped=skipped,
        message=message + ".",
        authorities_created=len(new),
        refused=len(refused),
    )


# --- projects and the efficiency register -------------------------------------------------------


@transaction.atomic
def create_project(
    *, actor: auth.User, data: dict[str, Any], partner_authorities: Iterable[Authority] = ()
) -> BenchmarkingProject:
    """A project with its four steps, all not started."""
    project = BenchmarkingProject.objects.create(**data)
    project.partner_authorities.set(partner_authorities)
    ProjectStep.objects.bulk_create(
        ProjectStep(project=project, step=step, number=number)
        for number, step in enumerate(ProjectStep.ORDER, start=1)
    )
    audit.created(
        actor=actor, instance=project, fields=["title", "type", "partner_kind", "measure"]
    )
    return project


@transaction.atomic
def update_project(
    *,
    actor: auth.User,
    project: BenchmarkingProject,
    data: dict[str, Any],
    partner_authorities: Iterable[Authority],
    steps: list[dict[str, Any]],
) -> None:
    """Change the project and its steps; every changed field, step status included, is audited."""
    audit.update(actor=actor, instance=project, **data)
    before = sorted(project.partner_authorities.values_list("code", flat=True))
    after = sorted(a.code for a in partner_authorities)
    if before != after:
        project.partner_authorities.set(partner_authorities)
        audit.record(
            actor=actor, instance=project, action="update", changes={"partners": [before, after]}
        )
    by_step = {s.step: s for s in project.steps.all()}
    for values in steps:
        step = by_step[values["step"]]
        audit.update(actor=actor, instance=step, notes=values["notes"], status=values["status"])


@transaction.atomic
def record_saving(*, actor: auth.User, data: dict[str, Any]) -> EfficiencySaving:
    saving = EfficiencySaving.objects.create(recorded_by=actor, **data)
    audit.created(
        actor=actor,
        instance=saving,
        fields=["description", "year", "approach", "cashable", "amount", "team"],
    )
    return saving


@transaction.atomic
def update_saving(*, actor: auth.User, saving: EfficiencySaving, data: dict[str, Any]) -> None:
    # Read the row again under a lock: a bound ModelForm has already written the new values onto
    # `saving`, so auditing it would see no change and save nothing.
    current = EfficiencySaving.objects.select_for_update().get(pk=saving.pk)
    audit.update(actor=actor, instance=current, **data)


PAIR_FIELDS = ["title", "output", "input", "per", "unit_label", "decimals"]


@transaction.atomic
def record_pair(*, actor: auth.User, data: dict[str, Any]) -> VfmPair:
    pair = VfmPair.objects.create(**{name: data[name] for name in PAIR_FIELDS})
    audit.created(actor=actor, instance=pair, fields=PAIR_FIELDS)
    return pair


@transaction.atomic
def update_pair(*, actor: auth.User, pair: VfmPair, data: dict[str, Any]) -> None:
    current = VfmPair.objects.select_for_update().get(pk=pair.pk)  # see update_saving
    audit.update(actor=actor, instance=current, **{name: data[name] for name in PAIR_FIELDS})
