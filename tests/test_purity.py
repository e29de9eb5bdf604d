"""Pure calculation modules import no Django (STYLE.md: guard the purity)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE_MODULES = [
    "performance.core.periods",
    "performance.core.calculations",
    "performance.core.spc",
    "performance.core.spc.limits",
    "performance.core.spc.signals",
    "performance.core.spc.analysis",
    "reach_summit.calculations",
    "reach_summit.timescales",
    "reach_summit.charts",
    "performance.core.status",
    "performance.core.plan_progress",
    "performance.core.action_plans",
    "performance.core.charts",
    "performance.core.charts.svg",
    "performance.core.charts.values",
    "performance.core.charts.bars",
    "performance.core.charts.sparklines",
    "dataquality.validation",
    "benchmarking.calculations",
]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_calculation_module_does_not_import_django(module):
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(leaked); sys.exit(1 if leaked else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": ""},
    )
    assert result.returncode == 0, result.stdout + result.stderr
