"""The role × view matrix (issue 9, Security): every named URL, as every role of SPEC §1 and as
an anonymous visitor, gives the answer its access rule says.

- `PAGES` classifies every URL name (admin aside): how to fill its arguments from the world
  (tests/security/matrix_world.py, team A's objects — the role's own team) and the expected
  answer of a GET per role: 200, a redirect to the login page, another redirect, 403, 404,
  or 405 for a GET to a POST-only view. A URL name missing from `PAGES` fails
  `test_every_url_name_is_classified`, so a new page cannot slip through unclassified.
- Every view that accepts POST declares which roles may not use it and what they get (403,
  404, or the login page); such a POST changes nothing (audit trail and data fingerprint).
  A view declared GET-only must answer a POST with 405.
- Object-level checks: team A's enterer, manager and head guessing the ids of team B's objects
  (a draft or submitted value, its evidence, its indicator page, its action plan, its service
  plan) get 404 and change nothing; list pages show team A's people none of team B's drafts.

The world is built once for the module inside a transaction that is rolled back at the end;
each test runs in a savepoint of it (pytest-django's `db`), so a POST that slipped through
could not leak into the next test.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from benchmarking.models import BenchmarkingProject, BenchmarkValue, EfficiencySaving
from dataquality.models import Evidence, PolicyVersion, Statement
from performance.core import periods
from performance.models import (
    Action,
    ActionPlan,
    ActionPlanVersion,
    ActivityProgress,
    AuditEvent,
    Indicator,
    IndicatorComment,
    Milestone,
    Risk,
    RiskEscalation,
    RiskReview,
    RiskSettings,
    StrategicActionUpdate,
    Target,
    TeamMembership,
    Value,
)
from performance.reports.models import PublishedReport, ReportJob
from reach_summit.models import Complaint, Improvement, Scorecard, Snapshot
from reach_summit.selectors import quarter_slug
from tests.security import matrix_world
from tests.security.matrix_world import World

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "officer", "enterer", "manager", "head", "member")

# Expected answers besides plain status codes.
LOGIN = "302 to the login page"
REDIRECT = "302 elsewhere"  # e.g. the login page bouncing a signed-in person home
Outcome = int | str | tuple  # a tuple: any one of these answers is right


def rule(default: Outcome, *, anonymous: Outcome = LOGIN, **roles: Outcome) -> dict[str, Outcome]:
    """Expected answer for every role: `default` unless named."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {"anonymous": anonymous, **{r: roles.get(r, default) for r in ROLES[1:]}}


def denied(**roles: Outcome) -> dict[str, Outcome]:
    """Roles that may not POST and what they get; anonymous visitors go to the login page."""
    return {"anonymous": LOGIN, **roles}


PUBLIC = rule(200, anonymous=200)
SIGNED_IN = rule(200)
OFFICER_ONLY = rule(403, officer=200)
# A GET to a POST-only view: 405, for an anonymous visitor 405 or the login page.
POST_ONLY = rule(405, anonymous=(405, LOGIN))
API_TOKEN_ONLY = rule(401, anonymous=401)
NOT_OFFICER = denied(enterer=403, manager=403, head=403, member=403)
OPEN_POST: dict[str, Outcome] = {}  # anyone may POST (the view validates what is sent)


Builder = Callable[[World, str], Any]


@dataclass(frozen=True)
class Page:
    """How to reach one URL name and what each role gets."""

    get: dict[str, Outcome]
    kwargs: Builder | None = None  # (world, role) → URL kwargs
    query: Builder | None = None  # (world, role) → query string dict
    # POST: None = GET-only (a POST answers 405); else the roles without the right and their
    # answer (roles not named may POST).
    post: dict[str, Outcome] | None = None
    data: Builder | None = None  # (world, role) → POST data
    why: str = ""

    def url(self, world: World, role: str, name: str) -> str:
        kwargs = self.kwargs(world, role) if self.kwargs else {}
        url = reverse(name, kwargs=kwargs)
        if self.query:
            url += "?" + urlencode(self.query(world, role))
        return url


def _pk(path: str) -> Builder:
    """kwargs {"pk": world.<path>.pk}."""

    def build(world: World, role: str) -> dict:
        obj: Any = world
        for part in path.split("."):
            obj = getattr(obj, part)
        return {"pk": obj.pk}

    return build


def _year_slug(world: World) -> str:
    return str(world.quarter.financial_year).replace("/", "-")


def _sign_data(world: World, role: str) -> dict:
    # A statement role the person does not hold (officers hold both and may sign either).
    return {"role": "Manager" if role in ("enterer", "officer") else "Enterer", "confirm": "on"}


def _progress_data(world: World, role: str) -> dict:
    month = periods.month_of(world.today).previous()
    return {"month": str(month), "percent_complete": "55", "rag": "green", "comment": "Fine."}


def _action_plan_data(world: World, role: str) -> dict:
    return {
        "team": world.a.team.pk,
        "title": "Sneaked plan",
        "reason": "Because.",
        "owner": world.users["head"].pk,
        "opened_on": world.today.isoformat(),
        "note": "Sneaked revision",
        "status": "open",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "60",
    }


def _evidence_file(world: World, role: str) -> dict:
    return {
        "file": SimpleUploadedFile("paper.pdf", matrix_world.PDF_BYTES, "application/pdf"),
        "description": "Sneaked paper",
    }


PAGES: dict[str, Page] = {
    # --- accounts (Django's auth views) and the health check ----------------------------------
    "home": Page(SIGNED_IN),
    "healthz": Page(PUBLIC, why="load balancers poll it without a session"),
    "notifications": Page(SIGNED_IN, post=denied(), why="anyone signed in marks their own read"),
    "notifications-unread": Page(SIGNED_IN, why="the header's count of one's own, by htmx"),
    "login": Page(rule(REDIRECT, anonymous=200), post=OPEN_POST, why="signed in: sent home"),
    "logout": Page(rule(405, anonymous=405), post=OPEN_POST, why="logout is POST-only"),
    "password_reset": Page(PUBLIC, post=OPEN_POST),
    "password_reset_done": Page(PUBLIC),
    "password_reset_confirm": Page(
        PUBLIC,
        kwargs=lambda w, r: {"uidb64": "MQ", "token": "not-a-token"},
        post=OPEN_POST,
        why="an invalid link shows the 'link invalid' page",
    ),
    "password_reset_complete": Page(PUBLIC),
    "password_change": Page(SIGNED_IN, post=denied()),
    "password_change_done": Page(SIGNED_IN),
    # --- indicators ----------------------------------------------------------------------------
    "performance:indicator-list": Page(SIGNED_IN),
    "performance:indicator-detail": Page(SIGNED_IN, kwargs=_pk("a.indicator")),
    "performance:indicator-comment": Page(
        POST_ONLY,
        kwargs=_pk("a.indicator"),
        post=denied(),
        data=lambda w, r: {"text": "A comment", "period": ""},
        why="anyone with a role who reads the indicator may comment",
    ),
    # --- plans ---------------------------------------------------------------------------------
    "performance:strategic-plan": Page(SIGNED_IN),
    "performance:golden-thread": Page(
        SIGNED_IN, kwargs=lambda w, r: {"kind": "priority", "pk": w.priority.pk}
    ),
    "performance:strategic-actions": Page(
        SIGNED_IN,
        post=denied(enterer=403, manager=403, member=403),
        data=lambda w, r: {
            "action": w.strategic_action.pk,
            "status": "on_track",
            "percent_complete": "60",
            "progress": "Sneaked update",
        },
        why="its owner (the head) or a performance officer updates an action",
    ),
    "performance:service-plan-list": Page(SIGNED_IN),
    "performance:service-plan-detail": Page(SIGNED_IN, kwargs=_pk("a.service_plan")),
    "performance:activity-progress": Page(
        rule(200, member=403),
        kwargs=_pk("a.activity"),
        post=denied(member=403),
        data=_progress_data,
        why="the service's people with a data role record progress; members only read",
    ),
    "performance:action-plan-list": Page(SIGNED_IN),
    "performance:action-plan-create": Page(
        rule(403, officer=200, head=200),
        post=denied(enterer=403, manager=403, member=403),
        data=_action_plan_data,
        why="a performance officer, the team's head or a service manager opens action plans",
    ),
    "performance:action-plan-detail": Page(SIGNED_IN, kwargs=_pk("a.action_plan")),
    "performance:action-plan-revise": Page(
        rule(403, officer=200, head=200),
        kwargs=_pk("a.action_plan"),
        post=denied(enterer=403, manager=403, member=403),
        data=_action_plan_data,
        why="the plan's owner, the team's head or a performance officer revises it",
    ),
    # --- action plans asked for (issue 20) --------------------------------------------------------
    "performance:plan-request-list": Page(SIGNED_IN, why="requests of the teams one reads"),
    "performance:plan-request-no-plan": Page(
        rule(403, officer=200, head=200),
        kwargs=_pk("plan_request"),
        post=denied(enterer=403, manager=403, member=403),
        data=lambda w, r: {
            "reason": "Sneaked decision",
            "review_on": (w.today + dt.timedelta(days=30)).isoformat(),
        },
        why="the team's head, its service manager or a performance officer answers a request",
    ),
    "performance:action-plan-close": Page(
        POST_ONLY,
        kwargs=_pk("a.action_plan"),
        post=denied(enterer=403, manager=403, member=403),
        why="the plan's owner, the team's head or a performance officer closes a recovered plan",
    ),
    # --- risks (issue 17) -------------------------------------------------------------------------
    "performance:risk-register": Page(SIGNED_IN),
    "performance:risk-heat-map": Page(SIGNED_IN),
    "performance:risk-detail": Page(
        SIGNED_IN, kwargs=lambda w, r: {"pk": w.risks["a"].pk}, why="team A's open service risk"
    ),
    "performance:risk-review": Page(
        rule(403, officer=200, enterer=200),
        kwargs=lambda w, r: {"pk": w.risks["a"].pk},
        post=denied(manager=403, head=403, member=403),
        data=lambda w, r: {"likelihood": "1", "impact": "1", "comment": "Sneaked review"},
        why="the risk's owner (team A's enterer) or a performance officer reviews it",
    ),
    "performance:risk-escalations": Page(OFFICER_ONLY),
    "performance:risk-escalation-decide": Page(
        POST_ONLY,
        kwargs=lambda w, r: {"pk": w.escalation.pk},
        post=NOT_OFFICER,
        data=lambda w, r: {"decision": "confirm"},
        why="performance officers confirm or decline escalations",
    ),
    "performance:risk-matrix": Page(
        OFFICER_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {
            **{f"likelihood_{p}": f"L{p}" for p in range(1, 6)},
            **{f"impact_{p}": f"I{p}" for p in range(1, 6)},
            "low_max": "2",
            "medium_max": "5",
            "high_max": "10",
        },
    ),
    # --- Manage (performance officers only) -----------------------------------------------------
    "performance:manage-index": Page(OFFICER_ONLY),
    "performance:manage-people": Page(OFFICER_ONLY),
    "performance:manage-person-roles": Page(
        OFFICER_ONLY,
        kwargs=lambda w, r: {"pk": w.users["enterer"].pk},
        post=NOT_OFFICER,
        data=lambda w, r: {"roles": ["Performance officer"]},
    ),
    "performance:manage-team-members": Page(
        OFFICER_ONLY,
        kwargs=_pk("a.team"),
        post=NOT_OFFICER,
        data=lambda w, r: {"user": w.users["enterer_b"].pk},
    ),
    "performance:manage-team-member-remove": Page(
        POST_ONLY,
        kwargs=lambda w, r: {"pk": w.a.team.pk, "membership_pk": w.a.membership.pk},
        post=NOT_OFFICER,
    ),
    "performance:manage-targets": Page(
        OFFICER_ONLY, kwargs=_pk("a.indicator"), post=NOT_OFFICER, data=lambda w, r: {}
    ),
    "performance:manage-list": Page(OFFICER_ONLY, kwargs=lambda w, r: {"kind": "indicators"}),
    "performance:manage-create": Page(
        OFFICER_ONLY,
        kwargs=lambda w, r: {"kind": "teams"},
        post=NOT_OFFICER,
        data=lambda w, r: {"name": "Sneaked team", "slug": "sneaked", "directorate": ""},
    ),
    "performance:manage-edit": Page(
        OFFICER_ONLY,
        kwargs=lambda w, r: {"kind": "indicators", "pk": w.a.indicator.pk},
        post=NOT_OFFICER,
        data=lambda w, r: {"title": "Renamed"},
    ),
    "performance:manage-delete": Page(
        OFFICER_ONLY,
        kwargs=lambda w, r: {"kind": "targets", "pk": w.a.indicator.targets.first().pk},
        post=NOT_OFFICER,
    ),
    # --- data collection -----------------------------------------------------------------------
    "performance:my-returns": Page(SIGNED_IN, why="lists only the person's own due items"),
    "performance:return-item": Page(
        rule(404, officer=200, enterer=200, manager=200),
        kwargs=lambda w, r: {"round_id": w.round.pk, "indicator_id": w.a.indicator.pk},
        post=denied(manager=403, head=404, member=404),
        data=lambda w, r: {"value": "66", "action": "save", "version": str(w.a.submitted.version)},
        why="drafts are seen by the indicator's enterers and managers; enterers change them",
    ),
    "performance:return-preview": Page(
        rule(404, officer=200, enterer=200, manager=200),
        kwargs=lambda w, r: {"round_id": w.round.pk, "indicator_id": w.a.indicator.pk},
        query=lambda w, r: {"value": "66"},
    ),
    "performance:returns-download": Page(SIGNED_IN, why="a workbook of the person's items only"),
    "performance:returns-upload": Page(
        SIGNED_IN, post=denied(), why="every row is checked against the uploader's items"
    ),
    "performance:activation-queue": Page(rule(403, officer=200, manager=200)),
    "performance:activation-bulk": Page(
        POST_ONLY,
        post=denied(enterer=403, head=403, member=403),
        data=lambda w, r: {
            "action": "activate",
            "selected": [w.a.submitted.pk],
            f"version-{w.a.submitted.pk}": str(w.a.submitted.version),
        },
    ),
    "performance:value-review": Page(
        rule(404, officer=200, enterer=200, manager=200),
        kwargs=lambda w, r: {"value_id": w.a.submitted.pk},
        post=denied(enterer=403, head=404, member=404),
        data=lambda w, r: {"action": "activate", "version": str(w.a.submitted.version)},
        why="only the indicator's data managers (and officers) activate",
    ),
    "performance:value-correct": Page(
        rule(404, officer=200, manager=200, enterer=403),
        kwargs=lambda w, r: {"value_id": w.a.activated.pk},
        post=denied(enterer=403, head=404, member=404),
        data=lambda w, r: {"reason": "Sneaked", "version": str(w.a.activated.version)},
    ),
    "performance:round-list": Page(SIGNED_IN, why="counts narrowed to the person's teams"),
    "performance:round-detail": Page(SIGNED_IN, kwargs=lambda w, r: {"round_id": w.round.pk}),
    "performance:round-chase": Page(POST_ONLY, post=NOT_OFFICER, why="emails a chaser (issue 19)"),
    # --- Reach the Summit: staff-wide reading; officers change -----------------------------------
    "reach_summit:league-table": Page(SIGNED_IN),
    "reach_summit:awards": Page(SIGNED_IN),
    "reach_summit:team-history": Page(SIGNED_IN, kwargs=lambda w, r: {"team": w.a.team.slug}),
    "reach_summit:team-score": Page(SIGNED_IN, kwargs=lambda w, r: {"team": w.a.team.slug}),
    "reach_summit:complaints-report": Page(SIGNED_IN),
    "reach_summit:complaints-import": Page(
        OFFICER_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {
            "file": SimpleUploadedFile(
                "c.csv", b"reference,team,stage,received,responded\nX-1,alpha,1,2025-04-02,\n"
            )
        },
    ),
    "reach_summit:complaint-record": Page(
        OFFICER_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {
            "reference": "X-2",
            "team": w.a.team.pk,
            "stage": "1",
            "received": "02/04/2025",
        },
    ),
    "reach_summit:improvements": Page(
        SIGNED_IN,
        post=NOT_OFFICER,
        data=lambda w, r: {
            "team": w.a.team.pk,
            "quarter": str(w.quarter),
            "title": "Sneaked",
            "points": "0.5",
        },
    ),
    "reach_summit:scorecards": Page(SIGNED_IN),
    "reach_summit:scorecard-edit": Page(
        OFFICER_ONLY,
        kwargs=lambda w, r: {"team": w.a.team.slug, "year": _year_slug(w)},
        post=NOT_OFFICER,
        data=lambda w, r: {},
    ),
    "reach_summit:recompute": Page(
        OFFICER_ONLY,
        query=lambda w, r: {"quarter": quarter_slug(w.frozen_quarter)},
        post=NOT_OFFICER,
        data=lambda w, r: {"reason": "Sneaked recomputation"},
    ),
    "reach_summit:export-xlsx": Page(SIGNED_IN),
    "reach_summit:export-csv": Page(SIGNED_IN),
    "reach_summit:poster": Page(SIGNED_IN),
    "reach_summit:newsletter": Page(SIGNED_IN),
    # --- benchmarking: everyone reads; officers change ---------------------------------------------
    "benchmarking:index": Page(SIGNED_IN),
    "benchmarking:measure-detail": Page(SIGNED_IN, kwargs=_pk("measure")),
    "benchmarking:indicator-targets": Page(SIGNED_IN, kwargs=_pk("a.indicator")),
    "benchmarking:import-benchmarks": Page(
        OFFICER_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {
            "measure": "SNEAK",
            "file": SimpleUploadedFile(
                "b.csv", b"authority_code,authority_name,period,value\nE07000110,Us,2024/25,1\n"
            ),
        },
    ),
    "benchmarking:import-comparators": Page(
        OFFICER_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {
            "group": "Sneaked group",
            "file": SimpleUploadedFile("g.csv", b"authority_code,authority_name\nE07000110,Us\n"),
        },
    ),
    "benchmarking:project-list": Page(SIGNED_IN),
    "benchmarking:project-new": Page(
        OFFICER_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {"title": "Sneaked", "type": "process", "partner_kind": "internal"},
    ),
    "benchmarking:project-detail": Page(SIGNED_IN, kwargs=_pk("project")),
    "benchmarking:project-edit": Page(
        OFFICER_ONLY, kwargs=_pk("project"), post=NOT_OFFICER, data=lambda w, r: {}
    ),
    "benchmarking:vfm": Page(SIGNED_IN),
    "benchmarking:pair-new": Page(
        OFFICER_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {"title": "Sneaked", "per": "1", "decimals": "2"},
    ),
    "benchmarking:pair-edit": Page(
        OFFICER_ONLY, kwargs=_pk("pair"), post=NOT_OFFICER, data=lambda w, r: {}
    ),
    "benchmarking:saving-new": Page(
        OFFICER_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {
            "description": "Sneaked",
            "year": "2025/26",
            "approach": "reduced_inputs",
            "cashable": "on",
            "amount": "1",
        },
    ),
    "benchmarking:saving-edit": Page(
        OFFICER_ONLY, kwargs=_pk("saving"), post=NOT_OFFICER, data=lambda w, r: {}
    ),
    # --- data quality ----------------------------------------------------------------------------
    "dataquality:dashboard": Page(SIGNED_IN, why="narrowed to the teams the person reads"),
    "dataquality:policy": Page(
        SIGNED_IN,
        post=NOT_OFFICER,
        data=lambda w, r: {
            "title": "Sneaked policy",
            "text": "Sneaked",
            "effective_on": w.today.isoformat(),
            "review_due_on": (w.today + dt.timedelta(days=365)).isoformat(),
        },
    ),
    "dataquality:policy-document": Page(SIGNED_IN, kwargs=lambda w, r: {"number": w.policy.number}),
    "dataquality:sign": Page(
        SIGNED_IN,
        post=denied(enterer=403, manager=403, head=403, member=403),
        data=_sign_data,
        why="a person signs only in a role they hold",
    ),
    "dataquality:signatures": Page(OFFICER_ONLY),
    "dataquality:evidence-upload": Page(
        rule(200, member=404),
        kwargs=lambda w, r: {"value_id": w.a.submitted.pk},
        post=denied(member=404),
        data=_evidence_file,
        why="evidence is the team's working paper behind a draft: not for members",
    ),
    "dataquality:evidence-download": Page(rule(200, member=404), kwargs=_pk("a.evidence")),
    # --- staff reports -----------------------------------------------------------------------------
    "reports:index": Page(SIGNED_IN),
    "reports:show": Page(
        rule(REDIRECT),
        query=lambda w, r: {"kind": "quarterly", "audience": "mt"},
        why="the picker checks the choice and redirects to the report",
    ),
    "reports:publish": Page(
        POST_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {"kind": "quarterly", "period": str(w.quarter), "audience": "mt"},
    ),
    "reports:publish-confirm": Page(
        OFFICER_ONLY,
        query=lambda w, r: {"kind": "quarterly", "period": str(w.quarter), "audience": "mt"},
        why="issue 19: what will become public, asked once more before the publish POST",
    ),
    "reports:job": Page(
        SIGNED_IN,
        kwargs=lambda w, r: {"pk": w.jobs[r if r != "anonymous" else "officer"].pk},
        why="each person opens their own job (another's: 404, below)",
    ),
    "reports:job-download": Page(
        SIGNED_IN, kwargs=lambda w, r: {"pk": w.jobs[r if r != "anonymous" else "officer"].pk}
    ),
    "reports:report": Page(SIGNED_IN, kwargs=lambda w, r: {"kind": "quarterly"}),
    "reports:pdf": Page(
        SIGNED_IN,
        kwargs=lambda w, r: {"kind": "quarterly"},
        query=lambda w, r: {"background": "1"},
        post=denied(),
        data=lambda w, r: {"period": str(w.quarter), "audience": "mt"},
        why="a background PDF: the GET offers a button, its POST queues a job for the reader "
        "(rendering and the limits are tested in tests/reports)",
    ),
    "reports:xlsx": Page(SIGNED_IN, kwargs=lambda w, r: {"kind": "quarterly"}),
    # --- public pages: no login ------------------------------------------------------------------
    "public:index": Page(PUBLIC),
    "public:report": Page(PUBLIC, kwargs=_pk("published")),
    "public:pdf": Page(PUBLIC, kwargs=_pk("published")),
    "public:csv": Page(PUBLIC, kwargs=_pk("published")),
    "public:json": Page(PUBLIC, kwargs=_pk("published")),
    "public:accessibility": Page(PUBLIC, why="the accessibility statement (issue 19)"),
    "public:privacy": Page(PUBLIC, why="the privacy notice (issue 19)"),
    # --- the API (SPEC §15): pages for people; endpoints take a bearer token, never a session
    # (so no CSRF surface): every role's session gets 401, GET or POST. Tokens: tests/api. -------
    "api:docs": Page(SIGNED_IN),
    "api:tokens": Page(SIGNED_IN, post=OPEN_POST, data=lambda w, r: {"name": "", "days": "0"}),
    "api:token-revoke": Page(
        POST_ONLY,
        kwargs=lambda w, r: {"pk": 999999},
        post=denied(officer=404, enterer=404, manager=404, head=404, member=404),
        why="only one's own tokens: none here",
    ),
    "api:root": Page(API_TOKEN_ONLY, post=API_TOKEN_ONLY),
    "api:indicators": Page(API_TOKEN_ONLY, post=API_TOKEN_ONLY),
    "api:status": Page(API_TOKEN_ONLY, post=API_TOKEN_ONLY),
    "api:values": Page(API_TOKEN_ONLY, post=API_TOKEN_ONLY),
    "api:league-table": Page(API_TOKEN_ONLY, post=API_TOKEN_ONLY),
    "api:benchmark-position": Page(API_TOKEN_ONLY, post=API_TOKEN_ONLY),
    "api:risks": Page(API_TOKEN_ONLY, post=API_TOKEN_ONLY),
    "api:schema": Page(PUBLIC, why="the OpenAPI description holds no data"),
    # --- help (issue 19): public, as the published reports use the same symbols and terms -----
    "help:symbols": Page(PUBLIC, why="the legend of the symbols; no data"),
    "help:glossary": Page(PUBLIC, why="the glossary; no data"),
    # --- people import and accounts (issue 15): officers only ----------------------------------
    "performance:manage-people-import": Page(
        OFFICER_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {
            "file": SimpleUploadedFile(
                "people.csv", b"username,name,email,team,roles\nsneak,Sneaked In,,,performance\n"
            )
        },
    ),
    "performance:manage-people-import-confirm": Page(
        rule(403, officer=REDIRECT),
        post=NOT_OFFICER,
        data=lambda w, r: {"deactivate": "yes"},
        why="with no checked file waiting, an officer is sent back to the upload",
    ),
    # --- council workbook (issue 18): officers only -------------------------------------------
    "performance:manage-council": Page(OFFICER_ONLY),
    "performance:manage-council-download": Page(OFFICER_ONLY, why="the whole council's data"),
    "performance:manage-council-template": Page(OFFICER_ONLY),
    "performance:manage-council-check": Page(
        POST_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {"file": SimpleUploadedFile("council.xlsx", b"not a workbook")},
    ),
    "performance:manage-council-import": Page(
        rule(403, officer=REDIRECT),
        post=NOT_OFFICER,
        why="with no checked workbook waiting, an officer is sent back to the upload",
    ),
    "performance:manage-council-job": Page(
        rule(403, officer=404),
        kwargs=lambda w, r: {"token": "x" * 32},
        why="no import has that token",
    ),
    "performance:manage-person-active": Page(
        POST_ONLY,
        kwargs=lambda w, r: {"pk": w.users["enterer_b"].pk},
        post=NOT_OFFICER,
        data=lambda w, r: {"active": "0"},
    ),
    "performance:two-factor": Page(
        OFFICER_ONLY,
        post=NOT_OFFICER,
        data=lambda w, r: {"code": "000000"},
        why="officers turn on two-step verification for their password",
    ),
    "performance:two-factor-verify": Page(
        rule(REDIRECT),
        post=denied(),
        data=lambda w, r: {"code": "000000"},
        why="nobody here has an authenticator: sent on to the dashboard",
    ),
    "performance:two-factor-off": Page(
        POST_ONLY, post=denied(), why="each person's own; nobody here has it on"
    ),
    # --- signing in with the identity provider (issue 15): 404 while none is configured ------
    "oidc_authentication_init": Page(rule(404, anonymous=404), why="no provider configured"),
    "oidc_authentication_callback": Page(rule(404, anonymous=404), why="no provider configured"),
}


# --- the world, once per module -------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = matrix_world.build()
            built.media_root = media
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            from django.core.cache import cache

            cache.clear()


@pytest.fixture(scope="module")
def _shared_client():
    return Client()


@pytest.fixture
def client(_shared_client):
    """One test client for the module: building a client's middleware chain (WhiteNoise scans
    the static files) costs half a second, paid once instead of eight hundred times."""
    _shared_client.cookies.clear()
    return _shared_client


@pytest.fixture(autouse=True)
def _world_media(request, settings, _test_settings):
    """Files of the world live in the module's media folder, not each test's tmp_path."""
    if "world" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("world").media_root


def _sign_in(client, world: World, role: str) -> None:
    if role != "anonymous":
        client.force_login(world.users[role])


def fingerprint() -> dict:
    """What a refused request must leave exactly as it was."""
    counted = (
        Action,
        ActionPlan,
        ActionPlanVersion,
        ActivityProgress,
        BenchmarkingProject,
        BenchmarkValue,
        Complaint,
        EfficiencySaving,
        Evidence,
        Improvement,
        Indicator,
        IndicatorComment,
        PolicyVersion,
        PublishedReport,
        ReportJob,
        RiskReview,
        Scorecard,
        Statement,
        StrategicActionUpdate,
        Target,
        TeamMembership,
    )
    return {
        "audit events": AuditEvent.objects.count(),
        "values": list(
            Value.objects.order_by("pk").values_list("pk", "status", "value", "version", "comment")
        ),
        "milestones met": list(
            Milestone.objects.exclude(met_on=None).order_by("pk").values_list("pk", flat=True)
        ),
        "snapshots": list(Snapshot.objects.values_list("quarter", "recomputations")),
        "indicator titles": list(Indicator.objects.order_by("pk").values_list("title", flat=True)),
        "risks": list(
            Risk.objects.order_by("pk").values_list(
                "pk", "register", "current_likelihood", "current_impact"
            )
        ),
        "risk escalations": list(RiskEscalation.objects.order_by("pk").values_list("pk", "status")),
        "risk matrix": list(RiskSettings.objects.values_list("low_max", "medium_max", "high_max")),
        **{model.__name__: model.objects.count() for model in counted},
    }


def _describe(outcome: Outcome) -> str:
    return " or ".join(str(o) for o in outcome) if isinstance(outcome, tuple) else str(outcome)


def _matches(response, outcome: Outcome) -> bool:
    if isinstance(outcome, tuple):
        return any(_matches(response, each) for each in outcome)
    location = response.get("Location", "")
    to_login = response.status_code == 302 and location.startswith(reverse("login") + "?next=")
    if outcome == LOGIN:
        return to_login
    if outcome == REDIRECT:
        return response.status_code == 302 and not to_login
    return response.status_code == outcome


def _answer(response) -> str:
    location = response.get("Location")
    return f"{response.status_code}" + (f" → {location}" if location else "")


def _close(response) -> None:
    if getattr(response, "streaming", False):
        # Read it through the test client's wrapper, which closes the response without letting
        # `request_finished` drop the connection (PostgreSQL: the world's transaction lives on it).
        b"".join(response.streaming_content)


# --- 1. every URL name is classified --------------------------------------------------------------


def named_urls() -> tuple[set[str], list[str]]:
    """(namespaced URL names outside admin, route texts outside admin that have no name)."""
    names: set[str] = set()
    unnamed: list[str] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                if entry.name:
                    names.add(namespace + entry.name)
                else:
                    unnamed.append(prefix + str(entry.pattern))

    walk(get_resolver().url_patterns, "", "")
    return names, unnamed


def test_every_url_name_is_classified():
    names, unnamed = named_urls()
    missing = sorted(names - set(PAGES))
    stale = sorted(set(PAGES) - names)
    problems = []
    if missing:
        problems.append(
            "URL names with no access rule in tests/security/test_matrix.py PAGES "
            "(classify each: who may GET it, who may POST): " + ", ".join(missing)
        )
    if stale:
        problems.append("PAGES entries for URL names that no longer exist: " + ", ".join(stale))
    if unnamed:
        problems.append("URL patterns without a name (cannot be classified): " + ", ".join(unnamed))
    assert not problems, "\n".join(problems)


def test_every_role_of_the_spec_is_in_the_matrix(world):
    from performance.common import access
    from performance.core.roles import Role

    held = {access.primary_role(world.users[role]) for role in ROLES[1:]}
    assert held == set(Role), "the matrix must sign in as every role of SPEC §1"
    team_a = {m.user_id for m in TeamMembership.objects.filter(team=world.a.team)}
    assert {world.users[r].pk for r in ("enterer", "manager", "head", "member")} <= team_a


# --- 2. GET of every URL name as every role -------------------------------------------------------

GET_CASES = [pytest.param(name, role, id=f"{name}-{role}") for name in PAGES for role in ROLES]


@pytest.mark.parametrize(("name", "role"), GET_CASES)
def test_get(client, world, name, role):
    page = PAGES[name]
    url = page.url(world, role, name)
    _sign_in(client, world, role)
    expected = page.get[role]
    response = client.get(url)
    _close(response)
    assert _matches(response, expected), (
        f"GET {url} as {role}: expected {_describe(expected)}, got {_answer(response)}"
        + (f" ({page.why})" if page.why else "")
    )


# --- 3. POST: refused for roles without the right, and nothing changes --------------------------

POST_CASES = [
    pytest.param(name, role, id=f"{name}-{role}")
    for name, page in PAGES.items()
    if page.post
    for role in page.post
]


@pytest.mark.parametrize(("name", "role"), POST_CASES)
def test_post_without_the_right_is_refused_and_changes_nothing(client, world, name, role):
    page = PAGES[name]
    url = page.url(world, role, name)
    data = page.data(world, role) if page.data else {}
    _sign_in(client, world, role)
    expected = page.post[role]
    before = fingerprint()
    response = client.post(url, data)
    _close(response)
    assert _matches(response, expected), (
        f"POST {url} as {role}: expected {_describe(expected)}, got {_answer(response)}"
        + (f" ({page.why})" if page.why else "")
    )
    assert fingerprint() == before, f"POST {url} as {role} was refused but changed data"


GET_ONLY = [pytest.param(name, id=name) for name, page in PAGES.items() if page.post is None]


@pytest.mark.parametrize("name", GET_ONLY)
def test_a_view_classified_get_only_refuses_post(client, world, name):
    """Keeps the POST rules honest: a view that starts accepting POST must say who may."""
    page = PAGES[name]
    url = page.url(world, "officer", name)
    client.force_login(world.users["officer"])
    before = fingerprint()
    response = client.post(url, {})
    _close(response)
    assert response.status_code == 405, (
        f"POST {url} as a performance officer answered {_answer(response)}: the view accepts "
        "POST, so give it a `post=` rule in PAGES"
    )
    assert fingerprint() == before


# --- 4. Django admin: a fallback for staff only ---------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_admin_sends_everyone_but_staff_to_its_login(client, world, role):
    _sign_in(client, world, role)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=/admin/")
    response = client.get(reverse("admin:performance_team_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- 5. object level: team A's people guessing team B's ids -----------------------------------------


@dataclass(frozen=True)
class Probe:
    """A request for one of team B's objects by someone of team A."""

    url: Callable[[World], str]
    method: str = "get"
    data: Callable[[World], dict] = field(default=lambda w: {})
    expected: int | tuple[int, ...] = 404


def _b(name: str, **kwargs: Callable[[World], Any]) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={k: f(w) for k, f in kwargs.items()})


PROBES: dict[str, Probe] = {
    "read B's submitted value": Probe(
        _b("performance:value-review", value_id=lambda w: w.b.submitted.pk)
    ),
    "read B's draft value": Probe(_b("performance:value-review", value_id=lambda w: w.b.draft.pk)),
    "open B's entry form": Probe(
        _b(
            "performance:return-item",
            round_id=lambda w: w.round.pk,
            indicator_id=lambda w: w.b.indicator.pk,
        )
    ),
    "preview B's entry": Probe(
        _b(
            "performance:return-preview",
            round_id=lambda w: w.round.pk,
            indicator_id=lambda w: w.b.indicator.pk,
        )
    ),
    "change B's draft": Probe(
        _b(
            "performance:return-item",
            round_id=lambda w: w.round.pk,
            indicator_id=lambda w: w.b.indicators["financial"].pk,
        ),
        method="post",
        data=lambda w: {"value": "1", "action": "submit", "version": str(w.b.draft.version)},
    ),
    "activate B's value": Probe(
        _b("performance:value-review", value_id=lambda w: w.b.submitted.pk),
        method="post",
        data=lambda w: {"action": "activate", "version": str(w.b.submitted.version)},
    ),
    "return B's value": Probe(
        _b("performance:value-review", value_id=lambda w: w.b.submitted.pk),
        method="post",
        data=lambda w: {"action": "return", "reason": "No", "version": str(w.b.submitted.version)},
    ),
    "bulk-activate B's value": Probe(
        _b("performance:activation-bulk"),
        method="post",
        data=lambda w: {
            "action": "activate",
            "selected": [w.b.submitted.pk],
            f"version-{w.b.submitted.pk}": str(w.b.submitted.version),
        },
        expected=(404, 403),
    ),
    "re-open B's activated value": Probe(
        _b("performance:value-correct", value_id=lambda w: w.b.activated.pk),
        method="post",
        data=lambda w: {"reason": "Sneaked", "version": str(w.b.activated.version)},
    ),
    "open the correction of B's value": Probe(
        _b("performance:value-correct", value_id=lambda w: w.b.activated.pk)
    ),
    "download B's evidence": Probe(
        _b("dataquality:evidence-download", pk=lambda w: w.b.evidence.pk)
    ),
    "list B's evidence": Probe(
        _b("dataquality:evidence-upload", value_id=lambda w: w.b.submitted.pk)
    ),
    "attach evidence to B's value": Probe(
        _b("dataquality:evidence-upload", value_id=lambda w: w.b.submitted.pk),
        method="post",
        data=lambda w: _evidence_file(w, ""),
    ),
    "open B's indicator page": Probe(
        _b("performance:indicator-detail", pk=lambda w: w.b.indicator.pk)
    ),
    "comment on B's indicator": Probe(
        _b("performance:indicator-comment", pk=lambda w: w.b.indicator.pk),
        method="post",
        data=lambda w: {"text": "Sneaked", "period": ""},
    ),
    "open B's benchmark targets": Probe(
        _b("benchmarking:indicator-targets", pk=lambda w: w.b.indicator.pk)
    ),
    "open B's action plan": Probe(
        _b("performance:action-plan-detail", pk=lambda w: w.b.action_plan.pk)
    ),
    "open the revision of B's action plan": Probe(
        _b("performance:action-plan-revise", pk=lambda w: w.b.action_plan.pk)
    ),
    "revise B's action plan": Probe(
        _b("performance:action-plan-revise", pk=lambda w: w.b.action_plan.pk),
        method="post",
        data=lambda w: _action_plan_data(w, ""),
    ),
    "open B's service plan": Probe(
        _b("performance:service-plan-detail", pk=lambda w: w.b.service_plan.pk)
    ),
    "open progress of B's activity": Probe(
        _b("performance:activity-progress", pk=lambda w: w.b.activity.pk)
    ),
    "record progress of B's activity": Probe(
        _b("performance:activity-progress", pk=lambda w: w.b.activity.pk),
        method="post",
        data=lambda w: _progress_data(w, ""),
    ),
    "open an action plan from B's indicator": Probe(
        lambda w: reverse("performance:action-plan-create") + f"?indicator={w.b.indicator.pk}",
        expected=(404, 403),
    ),
    "filter the data quality dashboard to team B": Probe(
        lambda w: reverse("dataquality:dashboard") + f"?team={w.b.team.pk}"
    ),
    "filter the data quality dashboard to B's indicator": Probe(
        lambda w: reverse("dataquality:dashboard") + f"?indicator={w.b.indicator.pk}"
    ),
    "open someone else's PDF job": Probe(_b("reports:job", pk=lambda w: w.jobs["officer"].pk)),
    "open B's confidential risk": Probe(
        _b("performance:risk-detail", pk=lambda w: w.risks["b"].pk)
    ),
    "review B's confidential risk": Probe(
        _b("performance:risk-review", pk=lambda w: w.risks["b"].pk),
        method="post",
        data=lambda w: {"likelihood": "1", "impact": "1", "comment": "Sneaked"},
    ),
    "download someone else's PDF job": Probe(
        _b("reports:job-download", pk=lambda w: w.jobs["officer"].pk)
    ),
}
PROBE_CASES = [
    pytest.param(label, role, id=f"{label}-{role}")
    for label in PROBES
    for role in ("enterer", "manager", "head")
]


@pytest.mark.parametrize(("label", "role"), PROBE_CASES)
def test_team_a_cannot_reach_team_b_by_guessing_ids(client, world, label, role):
    probe = PROBES[label]
    url = probe.url(world)
    client.force_login(world.users[role])
    before = fingerprint()
    response = client.post(url, probe.data(world)) if probe.method == "post" else client.get(url)
    _close(response)
    expected = probe.expected if isinstance(probe.expected, tuple) else (probe.expected,)
    assert response.status_code in expected, (
        f"{role} of team A: {label} ({probe.method.upper()} {url}) answered "
        f"{_answer(response)}, expected {' or '.join(map(str, expected))}"
    )
    assert fingerprint() == before, f"{role} of team A: {label} changed data"


@pytest.mark.parametrize(
    "label", ["read B's submitted value", "read B's draft value", "download B's evidence"]
)
def test_a_member_cannot_read_drafts_or_evidence(client, world, label):
    """Members read every team's activated figures, never drafts or working papers."""
    client.force_login(world.users["member"])
    response = client.get(PROBES[label].url(world))
    _close(response)
    assert response.status_code == 404


def test_team_b_evidence_is_served_to_its_own_people(client, world):
    """The 404s above are about scope, not a broken download: B's enterer gets the file."""
    client.force_login(world.users["enterer_b"])
    response = client.get(PROBES["download B's evidence"].url(world))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == matrix_world.PDF_BYTES


def test_an_officer_of_one_team_can_open_their_own_value_and_not_the_other(client, world):
    client.force_login(world.users["manager_b"])
    own = client.get(reverse("performance:value-review", args=[world.b.submitted.pk]))
    other = client.get(reverse("performance:value-review", args=[world.a.submitted.pk]))
    assert (own.status_code, other.status_code) == (200, 404)


# --- 6. lists show team A's people nothing of team B's drafts ---------------------------------------


# Pages that list things, and what of team A's each must show team A's people (so an empty
# page cannot pass for a well-scoped one).
LISTS: dict[str, Callable[[World, str], list[str]]] = {
    "performance:indicator-list": lambda w, r: [w.a.indicator.code],
    "performance:my-returns": lambda w, r: [w.a.indicator.code] if r == "enterer" else [],
    "performance:action-plan-list": lambda w, r: [w.a.action_plan.title],
    "performance:service-plan-list": lambda w, r: [w.a.service.name],
    "performance:round-detail": lambda w, r: [w.a.team.name],
    "dataquality:dashboard": lambda w, r: [],
    "reports:report": lambda w, r: [w.a.indicator.code],
    "performance:risk-register": lambda w, r: [w.risks["a"].reference],
}


def _list_url(world: World, name: str) -> str:
    if name == "performance:round-detail":
        return reverse(name, args=[world.round.pk])
    if name == "reports:report":
        return reverse(name, args=["quarterly"])
    return reverse(name)


@pytest.mark.parametrize("name", list(LISTS))
@pytest.mark.parametrize("role", ["enterer", "manager", "head"])
def test_lists_do_not_show_team_b_to_team_a(client, world, role, name):
    client.force_login(world.users[role])
    page = client.get(_list_url(world, name)).content.decode()
    missing = [text for text in LISTS[name](world, role) if text not in page]
    assert not missing, f"{name} does not show {role} of team A its own {missing}"
    b_things = [i.code for i in world.b.indicators.values()]
    b_things += [world.b.action_plan.title, world.b.service.name, world.b.team.name]
    b_things += [world.risks["b"].reference, world.risks["b"].title]
    leaked = [text for text in b_things if text in page]
    assert not leaked, f"{name} shows {role} of team A team B's {leaked}"


def test_the_activation_queue_holds_only_the_managers_own_values(client, world):
    client.force_login(world.users["manager"])
    queue = client.get(reverse("performance:activation-queue")).content.decode()
    assert world.a.indicator.code in queue
    assert world.b.indicator.code not in queue


def test_the_officer_sees_both_teams_in_the_activation_queue(client, world):
    client.force_login(world.users["officer"])
    queue = client.get(reverse("performance:activation-queue")).content.decode()
    assert world.a.indicator.code in queue
    assert world.b.indicator.code in queue


@pytest.mark.parametrize("role", ["anonymous", "member", "head", "enterer"])
def test_reading_pages_never_show_figures_that_are_not_activated(client, world, role):
    """Drafts and submitted values belong to the collection cycle, not to readers (SPEC §5)."""
    _sign_in(client, world, role)
    period = {"period": str(world.quarter)}
    urls = [reverse("public:report", args=[world.published.pk])]
    urls += [reverse("public:csv", args=[world.published.pk])]
    if role != "anonymous":
        urls += [
            reverse("performance:indicator-detail", args=[world.a.indicator.pk])
            + "?"
            + urlencode(period),
            reverse("performance:indicator-detail", args=[world.a.indicators["financial"].pk])
            + "?"
            + urlencode(period),
            reverse("performance:indicator-list") + "?" + urlencode(period),
            reverse("reports:report", args=["quarterly"]) + "?" + urlencode(period),
            reverse("reach_summit:team-score", args=[world.a.team.slug]),
            reverse("home"),
        ]
    for url in urls:
        page = client.get(url).content.decode()
        shown = [n for n in matrix_world.UNACTIVATED if str(n) in page or f"{n:,}" in page]
        assert not shown, f"{url} shows {role} the unactivated figure(s) {shown}"


def test_the_unactivated_figures_are_seen_where_they_belong(client, world):
    """The check above would see a leak: the manager's review page shows the submitted figure."""
    client.force_login(world.users["manager"])
    page = client.get(reverse("performance:value-review", args=[world.a.submitted.pk]))
    assert str(matrix_world.UNACTIVATED[0]) in page.content.decode()


# --- 7. the Excel upload writes only the uploader's own items -------------------------------------


def _team_b_workbook(client, world: World, value: int) -> bytes:
    """Team B's enterer's returns workbook with a new figure for B's draft."""
    from openpyxl import load_workbook

    from performance.collection import excel

    client.force_login(world.users["enterer_b"])
    response = client.get(reverse("performance:returns-download"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[excel.SHEET]
    header = [cell.value for cell in sheet[1]]
    filled = 0
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("indicator")].value == world.b.indicators["financial"].code:
            row[header.index("value")].value = value
            filled += 1
    assert filled == 1, "team B's draft is not in its enterer's workbook"
    out = io.BytesIO()
    book.save(out)
    client.cookies.clear()
    return out.getvalue()


def _upload(client, data: bytes):
    return client.post(
        reverse("performance:returns-upload"),
        {"workbook": SimpleUploadedFile("returns.xlsx", data), "mode": "draft"},
    )


@pytest.mark.parametrize("role", ["enterer", "manager", "head", "member"])
def test_team_b_workbook_uploaded_by_team_a_is_refused_and_changes_nothing(client, world, role):
    data = _team_b_workbook(client, world, 55)
    client.force_login(world.users[role])
    before = fingerprint()
    response = _upload(client, data)
    assert response.status_code == 400
    code = world.b.indicators["financial"].code
    assert f"“{code}” {world.quarter} is not one of your due items" in response.content.decode()
    assert fingerprint() == before


def test_team_b_workbook_uploaded_by_its_enterer_is_saved(client, world):
    """The refusal above is about who uploads: the same file from B's enterer is accepted."""
    data = _team_b_workbook(client, world, 55)
    client.force_login(world.users["enterer_b"])
    response = _upload(client, data)
    assert response.status_code == 302
    world.b.draft.refresh_from_db()
    assert world.b.draft.value == 55
