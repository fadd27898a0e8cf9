"""Charts: each function's encodings and data from small tables, both languages, every
glossary key present, PNG/SVG export offline, Chinese glyphs in PNGs."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from h2model import charts, glossary, report
from tests.data import report_case

STATIONS = pd.DataFrame(
    {
        "station_id": ["A", "B", "C"],
        "name": ["a", "b", "c"],
        "district": ["huangpu", "nansha", "huangpu"],
        "station_type": ["standalone", "combined", "skid"],
        "longitude": [113.45, 113.53, 113.50],
        "latitude": [23.16, 22.73, 23.10],
        "capacity_kg_per_day": [500.0, 1000.0, 2000.0],
        "commissioning_year": [2020, 2024, 2024],
        "capex_cny": [10e6, 9e6, 5e6],
    }
)
DISTRICTS = pd.DataFrame(
    {"district": ["huangpu", "nansha"], "longitude": [113.49, 113.53], "latitude": [23.21, 22.73]}
)
TARGETS = pd.DataFrame(
    {
        "target": ["stations", "fcev", "price"],
        "description": ["", "", ""],
        "year": [2025, 2025, 2025],
        "comparator": [">", ">", "<"],
        "required": [50.0, 2500.0, 35.0],
        "achieved": [44.0, 2600.0, 31.5],
        "unit": ["stations", "vehicles", "CNY/kg"],
        "met": [False, True, True],
        "gap": [6.0, -100.0, -3.5],
    }
)
PATH = pd.DataFrame({"year": [2023, 2024, 2025], "h2_price_cny_per_kg": [45.0, 38.0, 31.5]})
PARITY = pd.DataFrame(
    {
        "segment": ["bus_12m"] * 4,
        "alternative": ["diesel", "diesel", "bev", "bev"],
        "purchase_year": [2024, 2025, 2024, 2025],
        "h2_price_cny_per_kg": [38.0, 31.5, 38.0, 31.5],
        "breakeven_h2_cny_per_kg": [20.0, 25.0, 10.0, 12.0],
    }
)
BUDGET = pd.DataFrame(
    {
        "year": [2024, 2024, 2025],
        "programme_id": ["p1", "p2", "p1"],
        "level": ["national", "municipal", "national"],
        "kind": ["station_capex"] * 3,
        "outlay_cny": [2e6, 1e6, 4e6],
    }
)
DEMAND = pd.DataFrame(
    {
        "year": [2025, 2025, 2025],
        "district": ["huangpu", "huangpu", "nansha"],
        "segment": ["bus_12m", "heavy_tractor", "bus_12m"],
        "h2_kg_per_day": [1000.0, 500.0, 250.0],
    }
)
SUPPLY = pd.DataFrame(
    {"year": [2025, 2025], "source": ["byproduct_refinery", "smr"], "kg_per_day": [3000.0, 1000.0]}
)
CO2 = pd.DataFrame(
    {"year": [2025, 2025], "segment": ["bus_12m", "heavy_tractor"], "co2_avoided_t": [1500.0, 500.0]}
)
LCOH = pd.DataFrame(
    {"component": ["capital", "hydrogen_purchase", "subsidy"], "cny_per_kg": [10.0, 25.0, -5.0]}
)


def _data(chart) -> list[dict]:
    """All rows of all datasets of a chart spec."""
    return [row for rows in chart.to_dict()["datasets"].values() for row in rows]


def _layers(chart) -> list[dict]:
    spec = chart.to_dict()
    return spec.get("layer") or spec.get("spec", {}).get("layer") or [spec.get("spec", spec)]


def _encodings(chart) -> list[dict]:
    return [layer.get("encoding", {}) for layer in _layers(chart)]


def test_station_map_points_by_position_sized_by_capacity_coloured_by_year():
    chart = charts.station_map(STATIONS, DISTRICTS, lang="zh")
    assert isinstance(chart, alt.LayerChart)
    points = [e for e in _encodings(chart) if "size" in e][0]
    assert points["longitude"]["field"] == "longitude" and points["latitude"]["field"] == "latitude"
    assert points["size"]["field"] == "capacity_kg_per_day"
    assert points["color"]["field"] == "commissioning_year"
    assert points["color"]["title"] == "投运年份"
    labels = {r.get("label") for r in _data(chart)}
    assert {"黄埔区", "南沙区"} <= labels
    assert chart.to_dict()["title"]["text"] == glossary.t("chart.station_map", "zh")


def test_build_schedule_sums_capex_by_year_and_counts_stations_in_operation():
    chart = charts.build_schedule(STATIONS, lang="en")
    enc = _encodings(chart)
    assert enc[0]["y"]["aggregate"] == "sum" and enc[0]["y"]["field"] == "capex_m_cny"
    rows = [r for r in _data(chart) if "open" in r]
    assert [(r["commissioning_year"], r["open"]) for r in rows] == [(2020, 1), (2024, 3)]
    capex = sorted(r["capex_m_cny"] for r in _data(chart) if "capex_m_cny" in r)
    assert capex == [5.0, 9.0, 10.0]


def test_levelised_cost_waterfall_steps_to_the_total_and_draws_the_target():
    chart = charts.levelised_cost(LCOH, year=2025, target_cny_per_kg=35.0, lang="zh")
    rows = {r["component"]: r for r in _data(chart) if "component" in r}
    assert (rows["capital"]["start"], rows["capital"]["end"]) == (0.0, 10.0)
    assert (rows["hydrogen_purchase"]["start"], rows["hydrogen_purchase"]["end"]) == (10.0, 35.0)
    assert (rows["subsidy"]["start"], rows["subsidy"]["end"], rows["subsidy"]["kind"]) == (35.0, 30.0, "down")
    assert rows["total"]["end"] == 30.0 and rows["total"]["label"] == "合计"
    assert [r["y"] for r in _data(chart) if "y" in r] == [35.0]
    assert "2025" in chart.to_dict()["title"]["text"]


def test_price_path_draws_the_target_from_the_targets_table():
    chart = charts.price_path(PATH, TARGETS.assign(required=[50.0, 2500.0, 30.0]), lang="en")
    target_rows = [r for r in _data(chart) if "y" in r]
    assert target_rows[0]["y"] == 30.0 and target_rows[0]["year"] == 2025
    assert "below 30 CNY/kg" in target_rows[0]["label"]
    assert _encodings(chart)[0]["y"]["field"] == "h2_price_cny_per_kg"


def test_tco_parity_panels_by_segment_with_the_network_price_as_a_line():
    chart = charts.tco_parity(PARITY, lang="zh")
    assert isinstance(chart, alt.FacetChart)
    spec = chart.to_dict()
    assert spec["facet"]["field"] == "segment_label"
    series = {r["alternative_label"] for r in _data(chart)}
    assert series == {"柴油车", "纯电动车", "网络氢价"}
    price_rows = [r for r in _data(chart) if r["alternative_label"] == "网络氢价"]
    assert sorted(r["breakeven_h2_cny_per_kg"] for r in price_rows) == [31.5, 38.0]


def test_subsidy_budget_stacks_million_cny_by_level():
    chart = charts.subsidy_budget(BUDGET, lang="zh")
    enc = _encodings(chart)[0]
    assert enc["color"]["field"] == "level_label" and enc["y"]["field"] == "outlay_m_cny"
    assert sorted(r["outlay_m_cny"] for r in _data(chart)) == [1.0, 2.0, 4.0]
    assert {r["level_label"] for r in _data(chart)} == {"国家（示范城市群）", "广州市"}


def test_demand_by_district_sums_segments_into_tonnes_per_day():
    chart = charts.demand_by_district(DEMAND, lang="en")
    rows = {r["district"]: r["h2_t_per_day"] for r in _data(chart)}
    assert rows == {"huangpu": 1.5, "nansha": 0.25}


def test_supply_mix_and_co2_charts():
    mix = charts.supply_mix(SUPPLY, lang="zh")
    assert {r["source_label"] for r in _data(mix)} == {"炼厂工业副产氢", "天然气重整制氢"}
    co2 = charts.co2_abatement(CO2, lang="en")
    assert sorted(r["co2_kt"] for r in _data(co2)) == [0.5, 1.5]


def test_targets_summary_shares_and_status_from_the_table():
    chart = charts.targets_summary(TARGETS, lang="zh")
    rows = {r["target"]: r for r in _data(chart)}
    assert rows["stations"]["share"] == pytest.approx(44 / 50) and rows["stations"]["status"] == "未达成"
    assert rows["price"]["status"] == "达成" and rows["price"]["text"] == "31.5 元/公斤"


def test_comparison_charts_one_line_per_scenario():
    paths = pd.concat([PATH.assign(scenario="a"), PATH.assign(scenario="b", h2_price_cny_per_kg=40.0)])
    chart = charts.compare_price(paths, TARGETS, lang="en")
    assert {r.get("scenario") for r in _data(chart)} >= {"a", "b"}


@pytest.mark.parametrize("draw", ["price", "fleet"])
def test_comparison_charts_give_each_scenario_its_own_panel(draw):
    """Scenarios with identical paths (plan-2025 and baseline often are) must not hide each
    other: one panel per scenario with that scenario highlighted, the others in grey."""
    if draw == "price":
        data = pd.concat([PATH.assign(scenario=s) for s in ("a", "b", "c")])
        chart = charts.compare_price(data, TARGETS, lang="zh")
    else:
        fleet = pd.DataFrame({"year": [2024, 2025], "fcev_in_service": [10, 20]})
        stacked = pd.concat([fleet.assign(scenario=s) for s in ("a", "b", "c")])
        chart = charts.compare_fleet(stacked, lang="zh")
    spec = chart.to_dict()
    assert spec["facet"]["field"] == "panel" and spec["facet"]["sort"] == ["a", "b", "c"]
    rows = _data(chart)
    for panel in ("a", "b", "c"):
        mine = [r for r in rows if r["panel"] == panel]
        assert {r["scenario"] for r in mine} == {"a", "b", "c"}  # the others drawn behind
        assert {r["scenario"] for r in mine if r["own"]} == {panel}  # exactly one highlighted
    both = pd.concat([TARGETS.assign(scenario="a"), TARGETS.assign(scenario="b")])
    assert isinstance(charts.compare_targets(both, lang="zh"), alt.FacetChart)


NETWORK_MC = pd.DataFrame(
    {
        "year": [2024, 2025, 2025],
        "quantity": ["network_price_with_subsidy_cny_per_kg"] * 2 + ["network_price_cny_per_kg"],
        "p5": [40.0, 30.0, 50.0],
        "p25": [44.0, 33.0, 55.0],
        "p50": [46.0, 35.5, 58.0],
        "p75": [49.0, 38.0, 60.0],
        "p95": [55.0, 45.0, 70.0],
        "base": [45.0, 34.0, 57.0],
        "price_target_cny_per_kg": [35.0] * 3,
    }
)
TORNADO = pd.DataFrame(
    {
        "input_id": ["station_capex", "fleet_uptake"],
        "low_value": [0.9, 0.5],
        "high_value": [1.2, 1.05],
        "price_at_low": [40.0, 50.0],
        "base_price": [42.0, 42.0],
        "price_at_high": [45.0, 41.0],
        "swing": [5.0, 9.0],
    }
)
SOBOL = pd.DataFrame(
    {
        "input_id": ["station_capex", "fleet_uptake"],
        "S1": [0.2, 0.6],
        "S1_conf": [0.05, 0.1],
        "ST": [0.25, 0.7],
        "ST_conf": [0.02, 0.05],
    }
)
FRONTIER = pd.DataFrame(
    [
        {
            "station_type": st,
            "capex_subsidy_share": sh,
            "utilisation": u,
            "delivered_cny_per_kg": c,
            "breakeven_price_cny_per_kg": 20 + c / u / 2 - 20 * sh,
            "price_target_cny_per_kg": 35.0,
        }
        for st in ("standalone", "skid")
        for sh in (0.0, 0.5)
        for u in (0.5, 1.0)
        for c in (10.0, 20.0)
    ]
)
CONTOUR = pd.DataFrame(
    {
        "station_type": ["standalone", "standalone"],
        "capex_subsidy_share": [0.0, 0.0],
        "utilisation": [0.5, 1.0],
        "max_delivered_cny_per_kg": [15.0, 30.0],
    }
)


def _inline(chart) -> list[dict]:
    spec = chart.to_dict()
    return spec["data"]["values"] if "values" in spec.get("data", {}) else _data(chart)


def test_mc_distribution_bands_median_and_target():
    chart = charts.mc_distribution(NETWORK_MC, lang="zh")
    layers = _layers(chart)
    area = layers[0]
    assert area["mark"]["type"] == "area"
    assert area["encoding"]["y"]["field"] == "lo" and area["encoding"]["y2"]["field"] == "hi"
    assert layers[1]["encoding"]["y"]["field"] == "p50"
    bands = {(r["series"], r["year"]): (r["lo"], r["hi"]) for r in _data(chart) if "lo" in r}
    assert bands[("p5–p95（90% 抽样）", 2025)] == (30.0, 45.0)  # the price with subsidies only
    assert bands[("p25–p75（50% 抽样）", 2025)] == (33.0, 38.0)
    assert [r["y"] for r in _data(chart) if "y" in r] == [35.0]
    assert chart.to_dict()["title"]["text"] == glossary.t("chart.mc_distribution", "zh")


def test_tornado_bars_from_the_base_sorted_by_swing():
    chart = charts.tornado(TORNADO, lang="en")
    bars = _layers(chart)[0]
    assert bars["encoding"]["x"]["field"] == "start" and bars["encoding"]["x2"]["field"] == "price"
    assert bars["encoding"]["y"]["sort"] == ["FCEV uptake", "Station capex"]  # largest swing first
    rows = {(r["input"], r["end"]): (r["start"], r["price"]) for r in _data(chart) if "end" in r}
    assert rows[("Station capex", "5th percentile")] == (42.0, 40.0)
    assert rows[("FCEV uptake", "95th percentile")] == (42.0, 41.0)
    assert [r["x"] for r in _data(chart) if "x" in r] == [42.0]


def test_sobol_ranking_has_s1_and_st_per_input():
    chart = charts.sobol_ranking(SOBOL, lang="zh")
    bars = _layers(chart)[0]
    assert bars["encoding"]["x"]["field"] == "value" and bars["encoding"]["yOffset"]["field"] == "index"
    assert bars["encoding"]["y"]["sort"] == ["燃料电池汽车推广规模", "加氢站投资"]  # by ST
    rows = {(r["input"], r["index"]): r for r in _data(chart)}
    assert rows[("加氢站投资", "一阶指数 S1")]["value"] == 0.2
    assert rows[("燃料电池汽车推广规模", "总效应指数 ST")]["hi"] == pytest.approx(0.75)


def test_breakeven_frontier_heatmap_with_the_contour_line():
    chart = charts.breakeven_frontier(FRONTIER, CONTOUR, lang="en")
    assert isinstance(chart, alt.FacetChart)
    spec = chart.to_dict()
    heat, line = spec["spec"]["layer"]
    assert heat["mark"]["type"] == "rect" and heat["encoding"]["color"]["field"] == "price"
    assert heat["encoding"]["color"]["scale"]["domain"][1] == 35.0  # diverging at the target
    assert line["mark"]["type"] == "line" and line["encoding"]["y"]["field"] == "c"
    assert spec["facet"]["column"]["field"] == "t" and spec["facet"]["row"]["field"] == "s"
    assert "Skid-mounted" in spec["facet"]["column"]["header"]["labelExpr"]
    rows = _inline(chart)
    assert len([r for r in rows if r["g"] == 1]) == len(FRONTIER)
    assert sorted(r["c"] for r in rows if r["g"] == 0) == [15.0, 30.0]
    first = FRONTIER.iloc[0]
    assert rows[0]["price"] == pytest.approx(first["breakeven_price_cny_per_kg"], abs=0.005)


def test_parity_probability_heatmap():
    prob = PARITY.assign(prob_parity=[0.1, 0.5, 0.0, 0.9])
    chart = charts.parity_probability(prob, lang="zh")
    assert isinstance(chart, alt.FacetChart)
    heat = chart.to_dict()["spec"]["layer"][0]
    assert heat["encoding"]["color"]["field"] == "prob_parity"
    assert sorted(r["prob_parity"] for r in _data(chart)) == [0.0, 0.1, 0.5, 0.9]


def test_a_chart_with_a_missing_glossary_key_raises(monkeypatch):
    monkeypatch.delitem(glossary.GLOSSARY, "chart.price_path")
    with pytest.raises(KeyError, match="chart.price_path"):
        charts.price_path(PATH, TARGETS, lang="en")


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"price_path: table lacks column\(s\) \['h2_price_cny_per_kg'\]"):
        charts.price_path(PATH.drop(columns="h2_price_cny_per_kg"), lang="en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_report_chart_renders_from_the_default_run(lang, tmp_path):
    results, case = report_case.default_results(), report_case.default_case()
    figures = report.build_charts(results, case, lang)
    # the default run has every table but the optional sections' (corridors are off)
    assert list(figures) == [c.name for c in report.CHARTS if c.section not in report.views.OPTIONAL_SECTIONS]
    for name, chart in figures.items():
        png, svg = charts.save(chart, tmp_path / f"{name}_{lang}")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert svg.read_text(encoding="utf-8").startswith("<svg"), name
        title = chart.to_dict()["title"]["text"]
        assert title.split("，")[0].split(",")[0][:6] in svg.read_text(encoding="utf-8"), name


def test_chinese_glyphs_render_in_png():
    font_dir = charts.register_cjk_font()
    if font_dir is None:
        reason = (
            "no CJK font found (install fonts-wqy-microhei or fonts-noto-cjk, or set "
            "H2MODEL_CJK_FONT_DIR): Chinese text in PNG charts renders as boxes"
        )
        print(reason)
        pytest.skip(reason)

    def title_only(text):
        return (
            alt.Chart(pd.DataFrame({"x": [0]}))
            .mark_point(opacity=0)
            .properties(title=text, width=40, height=10)
        )

    # With a CJK font the two titles differ on the page; without one both are the
    # same three missing-glyph boxes and the PNGs would be byte-identical.
    a, b = charts.to_png(title_only("加氢站")), charts.to_png(title_only("未达成"))
    assert a != b
    assert charts.to_png(title_only("加氢站")) == a  # deterministic rendering


def test_price_path_axis_is_fitted_to_the_data_and_the_target_line():
    path = pd.DataFrame({"year": [2020, 2021, 2025, 2030], "h2_price_cny_per_kg": [172.0, 70.0, 41.7, 42.4]})
    chart = charts.price_path(path, TARGETS.assign(required=[50.0, 2500.0, 35.0]), lang="en")
    y = _encodings(chart)[0]["y"]
    # from 5 below the target (35 -> 30) to 2.5 x the target, not 0-180
    assert y["scale"]["domain"] == [30.0, 87.5]
    off = [r for r in _data(chart) if "text" in r]
    assert [(r["year"], r["text"]) for r in off] == [(2020, "172 ↑")]  # the clipped point says its value


def test_tco_parity_states_no_parity_and_parity_years():
    parity = pd.concat(
        [PARITY.assign(parity_year=[float("nan")] * 4),
         PARITY.assign(segment="heavy_tractor", parity_year=[2025.0, 2025.0, float("nan"), float("nan")])],
        ignore_index=True)
    chart = charts.tco_parity(parity, lang="en")
    panels = {r["segment_label"] for r in _data(chart)}
    assert panels == {"12 m bus: no parity by 2025", "Heavy tractor: parity with Diesel from 2025"}
    y = chart.to_dict()["spec"]["encoding"]["y"]
    assert y["scale"]["domain"][0] == 0.0  # negative break-even prices are cut off at 0
    zh = charts.parity_headers(parity, "zh")
    assert zh["12 米公交车"] == "12 米公交车：2025 年前无法平价"
