"""Corridor plan (flow-refuelling location model): range feasibility by hand, the MILP
against brute force over every station subset, the case adapter and its validation."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from h2model.finance import period_discount_factors
from h2model.network import NetworkOptions
from h2model.network.corridor import (
    CorridorData,
    cover_sets,
    fill_km,
    round_trip,
    shortest_paths,
    solve_corridor,
    trip_refuelled,
)

EXACT = NetworkOptions(mip_gap=0.0, time_limit_s=60)

# A - B - C - D at 0, 120, 250, 300 km: the round trip A..D..A is the 600 km cycle
# A B C D C B with arcs 120, 130, 50, 50, 130, 120.
LINE = np.array([0, 1, 2, 3])
LINE_KM = np.array([0.0, 120.0, 250.0, 300.0])


def test_round_trip_by_hand():
    cyc, arc = round_trip(LINE, LINE_KM)
    assert cyc.tolist() == [0, 1, 2, 3, 2, 1]
    assert arc.tolist() == [120.0, 130.0, 50.0, 50.0, 130.0, 120.0]


@pytest.mark.parametrize("open_nodes, ok", [
    ({1, 2}, True),    # stretches B-C 130, C-D-C 100, C-B 130, B-A-B 240: all <= 300
    ({0, 3}, True),    # A-D 300 and D-A 300: exactly the range
    ({0}, False),      # one fill a lap: 600 km
    ({1}, False),      # B (out) to B (back): 130 + 50 + 50 + 130 = 360
    ({2}, False),      # C (back) to C (out): 130 + 120 + 120 + 130 = 500
    ({3}, False),      # 600
    ({1, 3}, True),    # B-D 180, D-B 180, B-A-B 240
    ({0, 2}, True),    # A-C 250, C-C 100, C-A 250
])
def test_range_feasibility_by_hand(open_nodes, ok):
    assert trip_refuelled(open_nodes, LINE, LINE_KM, 300.0) is ok


def test_fill_km_is_the_stretch_since_the_last_fill():
    # open A and D: each fill buys 300 km; B and C: 240 at B out (from B back), 130 at C out, ...
    assert fill_km({0, 3}, LINE, LINE_KM).tolist() == [300.0, 0, 0, 300.0, 0, 0]
    assert fill_km({1, 2}, LINE, LINE_KM).tolist() == [0, 240.0, 130.0, 0, 100.0, 130.0]
    assert fill_km({1, 2}, LINE, LINE_KM).sum() == 600.0  # a lap is bought, once
    assert fill_km(set(), LINE, LINE_KM) is None


def test_cover_sets_match_the_direct_check_on_every_subset():
    sets = cover_sets(LINE, LINE_KM, 300.0)
    for r in range(5):
        for s in itertools.combinations(range(4), r):
            covered = all(any(k in s for k in cset) for cset in sets)
            assert covered == trip_refuelled(set(s), LINE, LINE_KM, 300.0), s


def test_a_link_longer_than_the_range_is_never_refuelled():
    assert cover_sets(np.array([0, 1]), np.array([0.0, 400.0]), 350.0) is None
    data = CorridorData(node_ids=np.array(["A", "B"]), candidate=np.array([True, True]),
                        capex_cny=np.ones(2), fixed_om_cny_per_year=np.zeros(2),
                        path_nodes=[np.array([0, 1])], path_km=[np.array([0.0, 400.0])],
                        range_km=np.array([350.0]), need_kg_per_day=np.array([[100.0]]),
                        periods=pd.DataFrame({"year": [2025], "weight_years": [1]}))
    plan = solve_corridor(data, EXACT)
    assert plan.reason == ["arc_over_range"]
    assert not plan.refuelled.any() and not plan.built.any()


def test_shortest_paths_on_a_small_graph():
    links = pd.DataFrame({"from": ["A", "B", "A", "C"], "to": ["B", "C", "C", "D"],
                          "road_km": [10.0, 10.0, 25.0, 5.0]})
    nodes, km = shortest_paths(["A", "B", "C", "D"], links, ["A", "D"], ["D", "A"])
    assert nodes[0].tolist() == [0, 1, 2, 3] and km[0].tolist() == pytest.approx([0, 10, 20, 25])
    assert nodes[1].tolist() == [3, 2, 1, 0]
    with pytest.raises(ValueError, match="no road path from A to E"):
        shortest_paths(["A", "B", "C", "D", "E"], links, ["A"], ["E"])


# --- brute force ------------------------------------------------------------------------

def _instance(seed: int, n: int = 7, n_paths: int = 4, n_periods: int = 2, fixed: bool = True):
    """A random tree of n nodes (40-160 km links) with a few extra links, paths between
    random node pairs, ranges 180-320 km, a fixed station at node 0 from period 1."""
    rng = np.random.default_rng(seed)
    parent = [rng.integers(0, i) for i in range(1, n)]
    links = pd.DataFrame({"from": [f"N{p}" for p in parent], "to": [f"N{i}" for i in range(1, n)],
                          "road_km": rng.uniform(40, 160, n - 1).round()})
    ids = [f"N{i}" for i in range(n)]
    pairs = [tuple(rng.choice(n, 2, replace=False)) for _ in range(n_paths)]
    nodes, km = shortest_paths(ids, links, [ids[a] for a, _ in pairs], [ids[b] for _, b in pairs])
    periods = pd.DataFrame({"year": 2025 + np.arange(n_periods) * 2,
                            "weight_years": [1] + [2] * (n_periods - 1)})
    need = rng.uniform(50, 400, (n_paths, 1)) * np.linspace(0.5, 1.0, n_periods)[None, :]
    capex = rng.uniform(5e6, 15e6, n)
    open_from = np.full(n, n_periods)
    if fixed:
        open_from[0] = 1
    return CorridorData(node_ids=np.array(ids), candidate=np.arange(n) > 0 if fixed else np.ones(n, bool),
                        capex_cny=capex, fixed_om_cny_per_year=0.05 * capex, path_nodes=nodes, path_km=km,
                        range_km=rng.uniform(180, 320, n_paths), need_kg_per_day=need, periods=periods,
                        open_from_period=open_from, discount_rate=0.06, unrefuelled_penalty_cny_per_kg=30.0)


def _brute_force_cost(data: CorridorData) -> float:
    """Least discounted cost over every monotone build schedule (a subset per period,
    each containing the previous), costed from the definition: capex when built, fixed
    O&M while open, the penalty on the need of every trip the direct check says is not
    refuelled."""
    s, a = period_discount_factors(data.periods["year"], data.periods["weight_years"], data.discount_rate)
    cand = np.flatnonzero(data.candidate)
    n_t = data.n_periods
    fixed = data.fixed_open()
    best = np.inf
    # each candidate opens in period 0..n_t-1 or never (n_t)
    for when in itertools.product(range(n_t + 1), repeat=len(cand)):
        when = np.array(when)
        cost = 0.0
        for t in range(n_t):
            open_now = cand[when <= t]
            cost += s[t] * data.capex_cny[cand[when == t]].sum()
            cost += a[t] * data.fixed_om_cny_per_year[open_now].sum()
            is_open = set(open_now) | set(np.flatnonzero(fixed[:, t]))
            for q in range(len(data.path_nodes)):
                if not trip_refuelled(is_open, data.path_nodes[q], data.path_km[q], data.range_km[q]):
                    cost += 365.0 * a[t] * data.unrefuelled_penalty_cny_per_kg * data.need_kg_per_day[q, t]
        best = min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_milp_equals_brute_force(seed):
    data = _instance(seed)
    plan = solve_corridor(data, EXACT)
    assert plan.solve.status == "optimal"
    assert plan.solve.objective_cny == pytest.approx(_brute_force_cost(data), rel=1e-7)
    # the plan's stations stay open, and the refuelled flags are the direct check's
    assert (plan.built[:, 1:] >= plan.built[:, :-1]).all()


@pytest.mark.parametrize("seed", range(4))
def test_max_flow_with_p_stations_equals_brute_force(seed):
    """Zero station cost and a budget of p stations: the classic FRLM, maximum refuelled
    need with p stations, over all subsets of 8 candidates."""
    data = _instance(100 + seed, n=8, n_paths=5, n_periods=1, fixed=False)
    data.capex_cny[:] = 0.0
    data.fixed_om_cny_per_year[:] = 0.0
    p = 2
    data.max_stations = np.array([p])
    plan = solve_corridor(data, EXACT)
    best = max(
        sum(data.need_kg_per_day[q, 0] for q in range(5)
            if trip_refuelled(set(s), data.path_nodes[q], data.path_km[q], data.range_km[q]))
        for r in range(p + 1) for s in itertools.combinations(range(8), r))
    got = (data.need_kg_per_day[:, 0] * plan.refuelled[:, 0]).sum()
    assert got == pytest.approx(best, rel=1e-9)
    assert plan.built[:, 0].sum() <= p


def test_kg_by_station_sum_to_the_refuelled_need():
    data = _instance(3)
    plan = solve_corridor(data, EXACT)
    # every refuelled round trip buys its whole lap at the open stations, no more
    assert plan.kg_per_day.sum(axis=0) == pytest.approx((data.need_kg_per_day * plan.refuelled).sum(axis=0))
    assert (plan.kg_per_day[~(plan.built | plan.fixed)] == 0).all()


# --- the case: validation, adapter, chart ------------------------------------------------

from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

from h2model.inputs import DEFAULT_CASE, InputError, load_case  # noqa: E402
from h2model.network.corridor_case import _module_capacity, corridor_plan_from_case  # noqa: E402

CSV_MIRROR = Path(__file__).resolve().parents[1] / "inputs" / "guangzhou"


def _edit(folder: Path, sheet: str, row: int, column: str, value: str) -> None:
    df = pd.read_csv(folder / f"{sheet}.csv", dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(folder / f"{sheet}.csv", index=False)


@pytest.mark.parametrize("sheet, row, column, value, cell, rule", [
    ("CorridorLinks", 0, "from", "XX-NO", "CorridorLinks!A2", "unknown reference XX-NO"),
    ("CorridorLinks", 1, "road_km", "-5", "CorridorLinks!C3", "from 0.1 to 2000"),
    ("CorridorLinks", 2, "to", "SA-HC", "CorridorLinks!B4", "a link must join two different nodes"),
    ("CorridorFlows", 0, "destination", "GZ-HP", "CorridorFlows!B2", "must differ from its origin"),
    ("CorridorFlows", 3, "segment", "bus_12m", "CorridorFlows!C5", "has no VehicleRange row"),
    ("CorridorNodes", 0, "node_id", "HP-E1", "CorridorNodes!A2",
     "must differ from every Stations station_id"),
    ("CorridorNodes", 0, "latitude", "30.5", "CorridorNodes!G2", "from 20 to 25.6"),
    ("CorridorFlows", 0, "origin", "NOPE", "CorridorFlows!A2", "unknown reference NOPE"),
])
def test_corridor_input_errors_are_located(tmp_path, sheet, row, column, value, cell, rule):
    folder = tmp_path / "gz"
    import shutil
    shutil.copytree(CSV_MIRROR, folder)
    _edit(folder, sheet, row, column, value)
    with pytest.raises(InputError) as info:
        load_case(folder)
    hits = [p for p in info.value.problems if f"{p.sheet}!{p.cell}" == cell and rule in str(p)]
    assert hits, str(info.value)


def test_a_flow_without_a_road_path_is_located(tmp_path):
    import shutil
    folder = tmp_path / "gz"
    shutil.copytree(CSV_MIRROR, folder)
    links = pd.read_csv(folder / "CorridorLinks.csv", dtype=str, keep_default_na=False)
    links[~((links["from"] == "SA-MM") & (links["to"] == "ZJ-PT"))].to_csv(folder / "CorridorLinks.csv",
                                                                          index=False)
    with pytest.raises(InputError) as info:
        load_case(folder)
    flows = pd.read_csv(folder / "CorridorFlows.csv")
    rows = np.flatnonzero(flows["destination"] == "ZJ-PT") + 2
    cells = {p.cell for p in info.value.problems if "no road path from GZ-HP" in str(p)}
    assert cells == {f"B{r}" for r in rows}


def test_module_capacity_by_hand():
    kg = np.array([100.0, 450.0, 900.0, 1700.0, 5000.0])  # / 0.8 = 125, 562.5, 1125, 2125, 6250
    got = _module_capacity(kg, np.array([1000.0, 500.0, 2000.0]), 0.8)
    assert got.tolist() == [500.0, 1000.0, 2000.0, 4000.0, 8000.0]


@pytest.fixture(scope="module")
def corridor_case_plan():
    """The default case's corridor plan after a stand-in city plan: one city station,
    HP-E4 at Xiayuan port (113.452 E, 23.092 N), open every year, buying nothing."""
    case = load_case(DEFAULT_CASE, "corridors")
    years = np.arange(int(case.years[0]), int(case.years[-1]) + 1)
    city = SimpleNamespace(
        station_capacity=pd.DataFrame({"station_id": "HP-E4", "year": years, "capacity_kg_per_day": 500.0}),
        sheet_stations=case["Stations"],
        built_stations=pd.DataFrame(columns=["station_id", "longitude", "latitude"]),
        plan=SimpleNamespace(supply_flows=pd.DataFrame(
            columns=["year", "supply_id", "site_id", "kg_per_day"])))
    return case, corridor_plan_from_case(case, city)


def test_case_corridor_plan(corridor_case_plan):
    case, cp = corridor_case_plan
    st = cp.stations
    # GZ-HP (6 km from HP-E4) and GZ-CC (13 km) are within the 20 km detour of the city station;
    # Nansha port (about 45 km away) is not
    assert set(st.loc[st["city_network"], "node_id"]) == {"GZ-HP", "GZ-CC"}
    # every refuelled round trip's need is bought at corridor stations or the city network, no more
    f = cp.flows
    for year, g in st.groupby("year"):
        assert g["kg_per_day"].sum() + g["kg_at_city_network"].sum() == pytest.approx(
            f.loc[f["year"] == year, "refuelled_kg_per_day"].sum())
    # Guangzhou-Zhanjiang: 876 km round trip, 350 km range; from GZ-CC (city) the farthest
    # reachable node out is SA-MM (335 km), so a station at SA-MM or nearer Zhanjiang is needed
    zj = f[f["destination"] == "ZJ-PT"]
    assert zj["refuelled"].all() and (zj["round_trip_km"] == 876.0).all()
    built = set(cp.built_stations["station_id"])
    assert built & {"SA-MM", "ZJ-PT"}
    assert built <= set(case["CorridorNodes"].query("candidate == 1")["node_id"])
    # loads only at corridor stations, within the capacity factor; capacity never shrinks
    load = cp.station_load.merge(cp.station_capacity, on=["station_id", "year"])
    assert set(load["station_id"]) == built
    assert (load["h2_kg_per_day"] <= 0.8 * load["capacity_kg_per_day"] + 1e-9).all()
    cap = cp.station_capacity.pivot(index="station_id", columns="year", values="capacity_kg_per_day")
    assert (cap.diff(axis=1).fillna(0) >= 0).all().all()
    seg = cp.segment_loads.groupby(["year", "station_id"])["h2_kg_per_day"].sum()
    assert seg.to_numpy() == pytest.approx(cp.station_load.set_index(["year", "station_id"])
                                           ["h2_kg_per_day"].reindex(seg.index).to_numpy())


def test_corridor_map_is_offline_and_bilingual(corridor_case_plan):
    import json

    from h2model import charts

    case, cp = corridor_case_plan
    for lang, title in (("en", "Hydrogen corridors"), ("zh", "氢能运输走廊")):
        spec = json.dumps(charts.corridor_map(cp.links, cp.stations, case["CorridorNodes"], year=2030,
                                              lang=lang).to_dict(), ensure_ascii=False)
        assert title in spec and "(2030)" in spec
        assert "http" not in spec.replace("https://vega.github.io/schema/", "")
