"""Server-side SVG charts: valid XML, accessible names, one path point per value, SPC lines,
no inline style, text escaped, and no Django import. No database."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from performance.core import charts
from performance.core.charts import Bar, BarChart, ChartPoint, Limits, Marker, Sparkline, ValueChart

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[3]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def points(values, target=None, markers=None) -> list[ChartPoint]:
    markers = markers or {}
    return [
        ChartPoint(
            label=f"2020-{i + 1:02d}" if i < 12 else f"2021-{i - 11:02d}",
            value=None if v is None else D(str(v)),
            target=None if target is None else D(str(target)),
            marker=markers.get(i, Marker.COMMON),
        )
        for i, v in enumerate(values)
    ]


def path_points(root: ET.Element, css: str) -> list[tuple[str, float, float]]:
    path = root.find(f".//{SVG}path[@class='{css}']")
    assert path is not None, f"no path {css}"
    return [
        (c, float(x), float(y))
        for c, x, y in re.findall(r"([ML])(-?[\d.]+) (-?[\d.]+)", path.get("d"))
    ]


def test_value_chart_is_valid_svg_named_by_its_title_and_description():
    svg = charts.value_chart(
        ValueChart("ind-1", "WAS 001 Recycling", "Ten values", points(range(10), 5))
    )
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "WAS 001 Recycling"
    assert desc.text == "Ten values"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_one_path_point_per_value_and_a_gap_breaks_the_line():
    values = [10, 12, None, 11, 13, 14]
    root = parse(charts.value_chart(ValueChart("c", "t", "d", points(values))))
    commands = path_points(root, "summit-chart__values")
    assert len(commands) == 5  # one per value present
    assert [c for c, _, _ in commands] == ["M", "L", "M", "L", "L"]
    xs = [x for _, x, _ in commands]
    assert xs == sorted(xs)
    # Higher values are drawn higher (smaller y).
    ys = {v: y for v, (_, _, y) in zip([10, 12, 11, 13, 14], commands, strict=True)}
    assert ys[14] < ys[13] < ys[12] < ys[11] < ys[10]


def test_target_is_a_dashed_line_and_limits_are_dotted_when_given():
    chart = ValueChart(
        "c",
        "t",
        "d",
        points([5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6], target=8),
        limits=[Limits(0, 12, D("5.75"), D("8.4"), D("3.1"), D("7.5"), D("4"))],
    )
    root = parse(charts.value_chart(chart))
    target = root.find(f".//{SVG}path[@class='summit-chart__target']")
    assert target.get("stroke-dasharray")
    limits = root.findall(f".//{SVG}path[@class='summit-chart__limit']")
    assert len(limits) == 2
    assert all(limit.get("stroke-dasharray") == "2 3" for limit in limits)
    assert root.find(f".//{SVG}path[@class='summit-chart__mean']") is not None
    assert len(root.findall(f".//{SVG}rect[@class='summit-chart__band']")) == 2
    legend = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Target (dashed)" in legend
    assert "Process limits (dotted)" in legend
    assert "Near-limit band (shaded)" in legend


def test_a_run_chart_has_no_limits_or_band():
    root = parse(charts.value_chart(ValueChart("c", "t", "d", points([1, 2, 3], target=2))))
    assert root.findall(f".//{SVG}path[@class='summit-chart__limit']") == []
    assert root.findall(f".//{SVG}rect[@class='summit-chart__band']") == []
    assert "Process limits" not in charts.value_chart(ValueChart("c", "t", "d", points([1, 2, 3])))


def test_limits_of_each_segment_span_only_that_segment():
    chart = ValueChart(
        "c",
        "t",
        "d",
        points([5] * 24),
        limits=[
            Limits(0, 12, D(5), D(6), D(4)),
            Limits(12, 24, D(10), D(12), D(8)),
        ],
    )
    root = parse(charts.value_chart(chart))
    means = root.findall(f".//{SVG}path[@class='summit-chart__mean']")
    assert len(means) == 2
    spans = [re.match(r"M([\d.]+) [\d.]+H([\d.]+)", m.get("d")).groups() for m in means]
    (a0, a1), (b0, b1) = [(float(x), float(y)) for x, y in spans]
    assert a0 < a1 < b1
    assert a1 == pytest.approx(b0, abs=0.1)


def test_special_cause_points_have_their_own_shape_and_legend_words():
    svg = charts.value_chart(
        ValueChart(
            "c",
            "t",
            "d",
            points([1, 2, 3, 9], markers={3: Marker.CONCERNING, 2: Marker.IMPROVING}),
        )
    )
    root = parse(svg)
    group = root.find(f".//{SVG}g[@class='summit-chart__points']")
    shapes = [next(iter(g.findall("*")[1:])).tag for g in group]
    assert shapes == [f"{SVG}circle", f"{SVG}circle", f"{SVG}rect", f"{SVG}path"]
    assert "Special cause, concerning (diamond)" in svg
    assert "Special cause, improving (square)" in svg
    assert "neither (triangle)" not in svg  # the legend lists only what is drawn


def test_no_style_attribute_and_no_script_anywhere():
    svgs = [
        charts.value_chart(
            ValueChart(
                "c",
                "t",
                "d",
                points(range(14), 4),
                limits=[Limits(0, 14, D(6), D(12), D(0), D(10), D(2))],
            )
        ),
        charts.bar_chart(BarChart("b", "t", "d", [Bar("Summit", 3, "green"), Bar("No data", 0)])),
        charts.sparkline(Sparkline("s", "t", "d", [D(1), None, D(3)])),
    ]
    for svg in svgs:
        root = parse(svg)
        for element in root.iter():
            assert "style" not in element.attrib
            assert not any(name.startswith("on") for name in element.attrib)
        assert "<script" not in svg


def test_text_is_escaped():
    nasty = "<script>alert(\"x\")</script> & 'quotes'"
    svg = charts.value_chart(
        ValueChart(nasty, nasty, nasty, [ChartPoint(nasty, D(1), D(2)), ChartPoint("b", D(3))])
    )
    assert "<script>" not in svg
    root = parse(svg)  # still well-formed
    assert root.find(f"{SVG}title").text == nasty
    assert root.find(f"{SVG}desc").text == nasty
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", root.get("id"))
    bars = charts.bar_chart(BarChart("b", nasty, nasty, [Bar(nasty, 2)]))
    assert "<script>" not in bars
    assert nasty in [t.text for t in parse(bars).iter(f"{SVG}text")]


def test_an_empty_chart_says_so():
    root = parse(charts.value_chart(ValueChart("c", "t", "d", [])))
    assert "No values to chart yet" in [t.text for t in root.iter(f"{SVG}text")]


def test_a_flat_series_still_draws_inside_the_plot():
    root = parse(charts.value_chart(ValueChart("c", "t", "d", points([7, 7, 7]))))
    ys = {y for _, _, y in path_points(root, "summit-chart__values")}
    assert len(ys) == 1
    height = float(root.get("height"))
    assert 0 < ys.pop() < height


def test_bar_chart_bars_are_proportional_and_labelled_with_counts():
    root = parse(
        charts.bar_chart(
            BarChart(
                "rag",
                "By status",
                "d",
                [Bar("✔ Summit", 4, "green"), Bar("✖ Basecamp", 2, "red"), Bar("? No data", 0)],
            )
        )
    )
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert widths[2] == 0
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["✔ Summit", "4", "✖ Basecamp", "2", "? No data", "0"]


def test_sparkline_has_one_point_per_value():
    svg = charts.sparkline(Sparkline("s", "Trend", "Rising", [D(1), D(2), None, D(4)]))
    root = parse(svg)
    d = root.find(f".//{SVG}path").get("d")
    assert re.findall(r"[ML]", d) == ["M", "L", "M"]
    assert root.get("role") == "img"


@pytest.mark.parametrize(
    ("value", "decimals", "unit", "text"),
    [
        (D("94.95"), 1, "percent", "95.0%"),
        (D("1234.5"), 0, "currency", "£1,235"),
        (D("-12.5"), 0, "currency", "-£13"),
        (D(1), 0, "days", "1 day"),
        (D("11.5"), 1, "days", "11.5 days"),
        (D("0.845"), 2, "ratio", "0.85"),
        (None, 1, "percent", "–"),
    ],
)
def test_values_are_formatted_as_people_read_them(value, decimals, unit, text):
    assert charts.format_value(value, decimals, unit) == text


def test_charts_module_does_not_import_django():
    code = (
        "import sys, importlib; importlib.import_module('performance.core.charts'); "
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


def _latest_label_tag(count: int) -> str:
    from decimal import Decimal

    from performance.core import charts, periods

    quarter = periods.parse("2016/17 Q3")
    points = []
    for i in range(count):
        points.append(charts.ChartPoint(label=str(quarter), value=Decimal(i)))
        quarter = quarter.next()
    svg = charts.value_chart(
        charts.ValueChart(chart_id="c", title="T", description="D", points=points, unit="number")
    )
    label = points[-1].label
    return svg[svg.rindex("<text", 0, svg.rindex(f">{label}<")) :].split(">")[0]


def test_the_latest_x_label_ends_at_the_edge_when_centring_would_cut_it_off():
    assert 'text-anchor="end"' in _latest_label_tag(41)  # ten years of quarters: at the edge


def test_a_latest_x_label_with_room_stays_centred_under_its_point():
    assert 'text-anchor="middle"' in _latest_label_tag(4)
