"""A new server process computes the council-wide figures before its first reader (issue 23)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from config import warmup
from dataquality import selectors as dq_selectors
from performance.common import cache
from performance.core.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    team = factories.TeamFactory()
    for n in range(3):
        indicator = factories.IndicatorFactory(code=f"W {n}", team=team)
        factories.ValueFactory(indicator=indicator)
    officer = factories.UserFactory(username="officer.warm", roles=[Role.PERFORMANCE_OFFICER])
    member = factories.UserFactory(username="member.warm", roles=[Role.MEMBER])
    return officer, member


def test_warm_renders_the_council_pages_so_an_officers_first_view_computes_nothing(
    council, client, monkeypatch
):
    officer, _ = council
    cache.clear()
    done = warmup.warm()
    assert done == {
        "Performance officer /": 200,
        "Performance officer /indicators/": 200,
        "Performance officer /collection/": 200,
        "Performance officer /data-quality/": 200,
        "Member /": 200,
        "Member /indicators/": 200,
    }
    computed = []
    real = dq_selectors._pieces
    monkeypatch.setattr(
        dq_selectors, "_pieces", lambda **kwargs: computed.append(kwargs) or real(**kwargs)
    )
    client.force_login(officer)
    assert client.get("/data-quality/").status_code == 200
    assert computed == []  # the board came from what the warm-up computed
    cache.clear()
    assert client.get("/data-quality/").status_code == 200
    assert [c["ids"] for c in computed] == [None]  # without it, the first view computes all


def test_roles_nobody_holds_are_left_out():
    assert warmup.warm() == {}


def _conf():
    path = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("summit_gunicorn_conf", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("setting", "started"), [(None, 1), ("false", 0), ("off", 0)])
def test_each_gunicorn_worker_starts_the_warm_up_unless_turned_off(setting, started, monkeypatch):
    calls = []
    monkeypatch.setattr(warmup, "start", lambda: calls.append(1))
    if setting is None:
        monkeypatch.delenv("SUMMIT_WARM_UP", raising=False)
    else:
        monkeypatch.setenv("SUMMIT_WARM_UP", setting)
    _conf().post_worker_init(worker=None)
    assert len(calls) == started
