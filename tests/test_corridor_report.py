"""Corridor results in the report and the Monte Carlo: one ``corridors`` run (with a few
draws) and one rendered report of it, in English and Chinese."""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import markupsafe
import pytest

from h2model import report
from h2model.inputs import DEFAULT_CASE, load_case
from h2model.model import run
from h2model.network.corridor_case import corridors_on
from h2model.prices import NETWORK_PRICE
from h2model.report import views
from tests.test_report import untranslated

MC_DRAWS = 8


@pytest.fixture(scope="module")
def case():
    return load_case(DEFAULT_CASE, "corridors")


@pytest.fixture(scope="module")
def results(case):
    return run(case, mc_draws=MC_DRAWS)


@pytest.fixture(scope="module")
def pages(results, case, tmp_path_factory):
    out = tmp_path_factory.mktemp("corridor_report")
    paths = {lang: report.render_report(results, case, lang, out, write_tables=False)
             for lang in ("en", "zh")}
    return {lang: p.read_text(encoding="utf-8") for lang, p in paths.items()}


def _corridor_ids(results) -> list[str]:
    cs = results["corridor_stations"]
    return sorted(set(cs.loc[cs["corridor_station"], "node_id"]))


# --- Monte Carlo ----------------------------------------------------------------------------------


def test_monte_carlo_base_draw_is_the_deterministic_price_with_corridors(results):
    ids = _corridor_ids(results)
    assert ids  # the scenario builds corridor stations (ZH-CC and SA-MM in 2025)
    net = results["network_by_year"].set_index("year")[NETWORK_PRICE]
    u = results["uncertainty_network_price"]
    u = u[u["quantity"] == NETWORK_PRICE].set_index("year")
    # the draws sell what station economics sold: without the corridor loads the corridor
    # stations would be idle in the draws and the base price would differ
    for year in (2025, 2030, 2035):
        assert u.loc[year, "base"] == pytest.approx(net.loc[year], rel=1e-9), year
    # each corridor station sells its corridor kg in every draw (kg/day x 365; the corridor
    # trucks are not in the fleet, so fleet and demand draws leave them at their base)
    sp = results["uncertainty_station_price"]
    kg = sp[(sp["quantity"] == "kg_sold_per_year") & sp["station_id"].isin(ids)]
    kg = kg.set_index(["station_id", "year"])
    cs = results["corridor_stations"]
    per = cs[cs["corridor_station"] & (cs["year"] == 2025)].set_index("node_id")["kg_per_day"]
    for sid in ids:
        for col in ("base", "p5", "p95"):
            assert kg.loc[(sid, 2025), col] == pytest.approx(per[sid] * 365.0, rel=1e-9), (sid, col)


# --- the report section ---------------------------------------------------------------------------


def test_corridor_station_table_names_the_stations_and_their_kg(results, case):
    cs = results["corridor_stations"].set_index(["node_id", "year"])
    for lang, names in (("en", {"ZH-CC": "Zhuhai city (Xiangzhou)"}), ("zh", {"ZH-CC": "珠海市区(香洲)"})):
        tb = views.corridor_station_table(results, case, lang)
        assert sorted(tb["station_id"]) == _corridor_ids(results)
        row = tb.set_index("station_id").loc["ZH-CC"]
        assert row["name"] == names["ZH-CC"]
        assert row["commissioning_year"] == 2025
        # station economics sold what the corridor plan says trucks buy there (periods 2025, 2035)
        for year in (2025, 2035):
            assert row[f"kg_per_day_{year}"] == pytest.approx(cs.loc[("ZH-CC", year), "kg_per_day"], rel=1e-9)
        assert row["capacity_kg_per_day"] * 0.8 >= row["kg_per_day_2035"] - 1e-9  # capacity-factor limit
    assert list(tb["commissioning_year"]) == sorted(tb["commissioning_year"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_has_the_corridor_section(pages, results, case, lang):
    page = pages[lang]
    section = page[page.index('<section id="corridors">'):page.index('<section id="economics">')]
    assert f"<h2>{report.t('section.corridors', lang)}</h2>" in section
    assert 'id="chart-corridor_map"' in section and 'data-spec="spec-corridor_map"' in section
    stations = section[section.index('id="corridor-stations"'):section.index('id="corridor-flows"')]
    names = views.corridor_node_names(case, lang)
    cs = results["corridor_stations"]
    for sid in _corridor_ids(results):
        assert names[sid] in stations and f">{sid}<" not in stations  # names, not ids
        kg = cs[(cs["node_id"] == sid) & (cs["year"] == 2025)]["kg_per_day"].iloc[0]
        assert views._cell(float(kg)) in stations
    assert report.t("ui.kg_per_day_in", lang, year=2030) in stations
    flows = section[section.index('id="corridor-flows"'):]
    assert report.category("corridor", "Guangzhou-Zhanjiang", lang) in flows
    for key in ("station", "flow", "refuelled", "kg", "city"):
        assert str(markupsafe.escape(report.t(f"narr.corridor_def_{key}", lang))) in section
    # the network findings name the corridor stations too, by name
    network = page[page.index('<section id="network">'):page.index('<section id="corridors">')]
    assert names["ZH-CC"] in network
    assert report.t("narr.peak_sizing", "en")[:20] not in page  # peak sizing is off here


def test_the_chinese_corridor_report_has_no_untranslated_text(pages):
    assert untranslated(pages["zh"]) == []


def test_no_corridor_section_without_corridor_tables(results, case):
    assert not corridors_on(load_case(DEFAULT_CASE, "plan-2025"))  # plan-2025 has no corridor tables
    bare = dataclasses.replace(results, tables={k: v for k, v in results.tables.items()
                                                if not k.startswith("corridor_")})
    assert views.corridor_view(bare, case, "en") is None
    assert "corridors" not in views.shown_sections(bare) and "corridors" in views.shown_sections(results)
    assert "corridor_map" not in report.build_charts(bare, case, "en")


def test_unrefuelled_flows_give_their_reason(results, case):
    flows = results["corridor_flows"].copy()
    i = flows.index[(flows["year"] == 2025) & (flows["destination"] == "ZJ-PT")][0]
    flows.loc[i, ["refuelled", "reason"]] = [False, "arc_over_range"]
    shown = dataclasses.replace(results, tables={**results.tables, "corridor_flows": flows})
    for lang in ("en", "zh"):
        tb = views.corridor_flow_table(shown, case, lang, [2025])
        row = tb[tb["destination"] == views.corridor_node_names(case, lang)["ZJ-PT"]].iloc[0]
        assert not row["refuelled"] and row["reason"] == report.t("corridor_reason.arc_over_range", lang)
        assert (tb.drop(index=row.name)["reason"] == "").all()
    view = views.corridor_view(shown, case, "en")
    assert view["summary"][0].startswith("2025: 6 of 7 flows refuelled")


# --- notes ----------------------------------------------------------------------------------------


def test_corridor_note_names_the_stations(case):
    note = ("Corridor plan: 2 corridor station(s) (ZH-CC, SA-MM); 100% of the corridor trucks' hydrogen need"
            " refuelled over the periods; highs: optimal, gap 0%.")
    zh = views.note_text(note, "zh", node_names=views.corridor_node_names(case, "zh"))
    assert zh.startswith("走廊规划：2 座走廊加氢站（珠海市区(香洲)、茂名服务区(位置近似)）") and "100%" in zh
    assert re.findall(r"[A-Za-z]+", zh) == ["corridor", "solve", "csv"]  # the file name


def test_peak_sizing_sentence_is_in_the_network_findings():
    peak = load_case(DEFAULT_CASE, "peak-sizing")
    bare = SimpleNamespace(notes=["a plan message"])
    for lang in ("en", "zh"):
        notes = views.report_notes(bare, peak, lang)
        assert notes[0] == "a plan message" and len(notes) == 2
        assert "95.0%" in notes[1] and "10" in notes[1] and "1.1" in notes[1]  # the PeakSizing sheet's values
    assert views.report_notes(bare, load_case(DEFAULT_CASE, "plan-2025"), "en") == ["a plan message"]


def test_monte_carlo_base_draw_uses_the_peak_segment_mix():
    """With peak sizing the draws read the same segment mix as station economics
    (:func:`h2model.model.station_loads`): the base draw is the deterministic price, which
    differs from the price of a mix with every segment alike."""
    from h2model import station, uncertainty
    from h2model.fleet import fleet_from_case
    from h2model.model import station_loads

    case = load_case(DEFAULT_CASE, "peak-sizing")
    fl = fleet_from_case(case)
    loads, segment_loads = station_loads(case, fl)
    assert segment_loads is not None and len(segment_loads)
    price = station.station_economics(case, loads=loads, segment_loads=segment_loads).network
    alike = station.station_economics(case, loads=loads).network
    price, alike = (n.set_index("year").loc[2025, NETWORK_PRICE] for n in (price, alike))
    assert abs(price - alike) > 0.01  # the segment mix matters
    mc = uncertainty.monte_carlo(case, 2, 0, years=[2025], sobol_n=0, frontier=False, fleet=fl, loads=loads,
                                 segment_loads=segment_loads)
    base = mc.network_price.set_index(["quantity", "year"]).loc[(NETWORK_PRICE, 2025), "base"]
    assert base == pytest.approx(price, rel=1e-9)
