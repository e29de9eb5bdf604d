"""Issue 19: PHASE_BANNER is alpha, beta or none; anything else stops start-up by name."""

from __future__ import annotations

from tests.config.test_settings import _clean_env, _run


def test_an_unknown_phase_stops_start_up_naming_the_variable(tmp_path):
    result = _run("import django; django.setup()", _clean_env(tmp_path, PHASE_BANNER="gamma"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "PHASE_BANNER" in result.stderr.strip().splitlines()[-1]


def test_the_phase_is_read_case_blind(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.PHASE_BANNER)"
    result = _run(code, _clean_env(tmp_path, PHASE_BANNER="Alpha"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "alpha"
