"""Tests for h2model.fleet: stock accounting, expansion, depots, demand and stations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from h2model import fleet
from tests.data.fleet_case import DEPOTS, FLEET, make_case

KG_PER_DAY_BUS = 60_000 * 8.0 / 100 / 365  # 13.15 kg/day
KG_PER_DAY_TRACTOR = 100_000 * 10.0 / 100 / 365  # 27.40 kg/day


# --- stock accounting ----------------------------------------------------------------


def test_stock_flows_renewal_and_early_retirement():
    # life 3: the 5 bought in year 0 retire at the start of year 3 and are replaced
    f = fleet.stock_flows([5, 5, 5, 5, 7], 3)
    assert f.purchased.tolist() == [5, 0, 0, 5, 2]
    assert f.retired.tolist() == [0, 0, 0, 5, 0]
    # stock falls 10 -> 6: 4 leave early, oldest first; then 2 are bought
    f = fleet.stock_flows([[4, 10, 6, 8]], 5)
    assert f.purchased.tolist() == [[4, 6, 0, 2]]
    assert f.retired.tolist() == [[0, 0, 4, 0]]
    assert f.exits[0, 0, 2] == 4  # the year-0 vintage left in year 2


def test_stock_flows_reproduce_the_stock():
    rng = np.random.default_rng(3)
    stock = rng.integers(0, 50, size=(7, 12)).astype(float)
    life = rng.integers(1, 9, size=7)
    f = fleet.stock_flows(stock, life)
    years = np.arange(2020, 2032)
    c = fleet.expand_cohorts(f.exits, years, life)
    in_service = fleet.in_service_totals(c.group, 7, c.purchase_year, c.retire_year, years)
    assert np.array_equal(in_service, stock)
    assert np.array_equal(np.cumsum(f.purchased - f.retired, axis=1), stock)


def test_stock_flows_rejects_bad_life():
    with pytest.raises(ValueError, match="lifetime_years must be at least 1"):
        fleet.stock_flows([1, 2], 0)


def test_interpolate_stock_between_and_beyond_given_years():
    t = pd.DataFrame({"year": [2021, 2024], "district": ["a", "a"], "segment": ["s", "s"],
                      "fcev_in_service": [10, 41]})
    keys, s = fleet.interpolate_stock(t, np.arange(2020, 2027))
    # 2022: 10 + 31/3 = 20.33 -> 20; 2023: 30.67 -> 31; held at 41 after 2024
    assert s.tolist() == [[0, 10, 20, 31, 41, 41, 41]]
    assert keys.to_dict("records") == [{"district": "a", "segment": "s"}]


# --- depots --------------------------------------------------------------------------


def test_allocate_depots_follows_weights_and_skips_zero_weight():
    vd = np.repeat([0, 1], [800, 300])
    d = fleet.allocate_depots(vd, depot_district=[1, 0, 0, 0], depot_weight=[1.0, 1.0, 0.0, 3.0])
    counts = np.bincount(d, minlength=4)
    assert counts[0] == 300 and counts[2] == 0  # district 1 has one depot; weight 0 gets none
    assert abs(counts[1] - 200) <= 1 and abs(counts[3] - 600) <= 1
    # any run of consecutive vehicles is shared close to the weights
    assert abs(np.sum(d[:80] == 3) - 60) <= 2


def test_allocate_depots_needs_a_depot():
    with pytest.raises(ValueError, match=r"no depot with positive weight in district index \[1\]"):
        fleet.allocate_depots([0, 1], [0], [1.0])


def test_in_service_totals_clips_to_years():
    # bought before the horizon and still in service; retiring inside; bought after
    t = fleet.in_service_totals([0, 0, 0], 1, [2010, 2019, 2030], [2022, 2021, 2040],
                                [2020, 2021, 2022], weights=[1.0, 10.0, 100.0])
    assert t.tolist() == [[11.0, 1.0, 0.0]]


# --- stations ------------------------------------------------------------------------


def test_assign_stations_whole_depots_then_split():
    # Station A (500 kg/d) is nearest to all three depots, B (300 kg/d) second.
    dist = np.array([[1.0, 5.0], [2.0, 6.0], [3.0, 4.0]])
    f = fleet.assign_stations([400.0, 300.0, 200.0], dist, [500.0, 300.0])
    # Round 1: all propose to A; A takes the nearest, depot 0 (400), leaving 100.
    # Round 2: depots 1 (300) and 2 (200) propose to B; B takes the nearer, depot 2 (200 at
    # 4 km), leaving 100. Depot 1 fits nowhere whole, so it splits: 100 at A (2 km), 100 at
    # B (6 km), and 100 kg/day is unserved.
    assert f.flow_kg_per_day.tolist() == [[400.0, 0.0], [100.0, 100.0], [0.0, 200.0]]
    assert f.unserved_kg_per_day.tolist() == [0.0, 100.0, 0.0]


def test_assign_stations_distance_limit_and_closed_stations():
    dist = np.array([[10.0, np.inf], [60.0, 2.0]])
    f = fleet.assign_stations([100.0, 100.0], dist, [1000.0, 1000.0], max_distance_km=50.0)
    assert f.flow_kg_per_day.tolist() == [[100.0, 0.0], [0.0, 100.0]]
    f = fleet.assign_stations([100.0, 100.0], np.array([[10.0], [60.0]]), [1000.0], max_distance_km=50.0)
    assert f.unserved_kg_per_day.tolist() == [0.0, 100.0]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_assign_stations_conserves_and_respects_capacity(data):
    n_d = data.draw(st.integers(1, 8))
    n_s = data.draw(st.integers(1, 6))
    demand = np.array(data.draw(st.lists(st.floats(0, 500), min_size=n_d, max_size=n_d)))
    cap = np.array(data.draw(st.lists(st.floats(50, 800), min_size=n_s, max_size=n_s)))
    dist = np.array(data.draw(st.lists(st.floats(0.1, 100), min_size=n_d * n_s, max_size=n_d * n_s)))
    f = fleet.assign_stations(demand, dist.reshape(n_d, n_s), cap)
    assert f.flow_kg_per_day.sum(axis=1) + f.unserved_kg_per_day == pytest.approx(demand, abs=1e-6)
    assert np.all(f.flow_kg_per_day.sum(axis=0) <= cap + 1e-6)
    # demand is left unserved only when every station is full
    if f.unserved_kg_per_day.sum() > 1e-6:
        assert f.flow_kg_per_day.sum(axis=0) == pytest.approx(cap, abs=1e-6)


# --- from the case -------------------------------------------------------------------


def test_fleet_from_case_hand_checked():
    res = fleet.fleet_from_case(make_case())
    f = res.fleet.set_index(["year", "district", "segment"])
    # Huangpu buses: 10 in 2023, 30 in 2025, so 20 in 2024; 10 bought each year (life 8)
    assert f.loc[(2024, "huangpu", "bus_12m"), "fcev_in_service"] == 20
    assert f.loc[(2024, "huangpu", "bus_12m"), "fcev_purchased"] == 10
    # Baiyun tractors: none in 2023 (before the first year given), 6 from 2024
    assert f.loc[(2023, "baiyun", "heavy_tractor"), "fcev_in_service"] == 0
    assert f.loc[(2027, "baiyun", "heavy_tractor"), "fcev_in_service"] == 6
    # demand: 10 buses x 60,000 km x 8 kg/100 km / 365 + 4 tractors x 100,000 x 10 / 100 / 365
    d = res.demand_by_district.set_index(["year", "district", "segment"])["h2_kg_per_day"]
    assert d.loc[(2023, "huangpu", "bus_12m")] == pytest.approx(10 * KG_PER_DAY_BUS)
    assert d.loc[(2023, "huangpu", "heavy_tractor")] == pytest.approx(4 * KG_PER_DAY_TRACTOR)
    # Huangpu's 14 vehicles in 2023 go 3:1 to its two depots (by weight), whole vehicles
    dep = res.demand_by_depot.set_index(["year", "depot_id"])
    assert dep.loc[(2024, "hp-bus"), "vehicles"] == 18 and dep.loc[(2024, "hp-port"), "vehicles"] == 6
    # Baiyun has vehicles but no depot: its centroid stands in
    assert dep.loc[(2024, "baiyun-centroid"), "vehicles"] == 6
    # S2 (planned 2025) is not used before 2025; the candidate C1 never is
    a = res.assignment
    assert "S2" not in set(a.loc[a["year"] < 2025, "station_id"])
    assert "C1" not in set(res.station_load["station_id"])
    assert set(res.station_load.loc[res.station_load["year"] == 2025, "station_id"]) == {"S1", "S2", "S3"}
    load = res.station_load.set_index(["year", "station_id"])
    assert load.loc[(2024, "S1"), "utilisation"] == pytest.approx(
        load.loc[(2024, "S1"), "h2_kg_per_day"] / 500.0)
    assert res.unserved.empty
    assert res.vehicles["vehicle_id"].iloc[0] == "V0000001"
    assert len(res.vehicles) == res.fleet["fcev_purchased"].sum()


def test_unserved_when_capacity_is_short_and_totals_balance():
    from tests.data.fleet_case import STATIONS
    small = [{**s, "capacity_kg_per_day": 60.0} for s in STATIONS]
    res = fleet.fleet_from_case(make_case({"Stations": small}))
    assert not res.unserved.empty
    for year in make_case().years:
        total = res.demand_by_district.loc[res.demand_by_district["year"] == year, "h2_kg_per_day"].sum()
        served = res.station_load.loc[res.station_load["year"] == year, "h2_kg_per_day"].sum()
        short = res.unserved.loc[res.unserved["year"] == year, "h2_kg_per_day"].sum()
        assert served + short == pytest.approx(total)
    assert (res.station_load["h2_kg_per_day"] <= res.station_load["capacity_kg_per_day"] + 1e-9).all()


def test_network_max_detour_leaves_far_depots_unserved():
    res = fleet.fleet_from_case(make_case(network={"max_detour_km": 1.0}))
    # every depot is more than 1 km from its stations
    total = res.demand_by_district["h2_kg_per_day"].sum()
    assert res.unserved["h2_kg_per_day"].sum() == pytest.approx(total)


def test_given_assignment_is_followed():
    years = make_case().years
    plan = pd.DataFrame({
        "year": np.repeat(years, 2),
        "node_id": ["hp-bus", "hp-port"] * len(years),
        "site_id": ["C1", "S1"] * len(years),
        "capacity_kg_per_day": [2000.0, 500.0] * len(years),
    })
    res = fleet.fleet_from_case(make_case(), assignment=plan)
    a = res.assignment
    assert set(a.loc[a["depot_id"] == "hp-bus", "station_id"]) == {"C1"}
    # Baiyun's pseudo-depot is not in the plan: its demand is unserved
    u = res.unserved.set_index(["year", "depot_id"])["h2_kg_per_day"]
    assert u.loc[(2025, "baiyun-centroid")] == pytest.approx(6 * KG_PER_DAY_TRACTOR)
    assert "C1" in set(res.station_load["station_id"])


def test_vehicle_register_replaces_the_rollout():
    register = [
        {"vehicle_id": "GZ-001", "segment": "bus_12m", "depot_id": "hp-bus", "purchase_year": 2020,
         "annual_km": 50_000.0},
        {"vehicle_id": "GZ-002", "segment": "heavy_tractor", "depot_id": "py-depot",
         "purchase_year": 2024, "annual_km": 73_000.0},
    ]
    res = fleet.fleet_from_case(make_case({"Vehicles": register}))
    v = res.vehicles.set_index("vehicle_id")
    assert v.loc["GZ-001", "retire_year"] == 2028  # 2020 + 8
    assert v.loc["GZ-002", "district"] == "panyu"
    dep = res.demand_by_depot.set_index(["year", "depot_id"])["h2_kg_per_day"]
    assert dep.loc[(2023, "py-depot")] == 0.0
    assert dep.loc[(2024, "py-depot")] == pytest.approx(73_000 * 0.10 / 365)  # 20 kg/day
    f = res.fleet.set_index(["year", "district", "segment"])
    assert f.loc[(2023, "huangpu", "bus_12m"), "fcev_purchased"] == 0  # bought before 2023
    assert f.loc[(2023, "huangpu", "bus_12m"), "fcev_in_service"] == 1


def test_missing_fcev_segment_is_reported():
    from tests.data.fleet_case import SEGMENTS
    segs = [s for s in SEGMENTS if not (s["segment"] == "bus_12m" and s["powertrain"] == "fcev")]
    with pytest.raises(ValueError, match=r"Segments has no fcev row for segments \['bus_12m'\]"):
        fleet.fleet_from_case(make_case({"Segments": segs}))


def test_annual_km_spread_is_seeded():
    a = fleet.fleet_from_case(make_case(), annual_km_cv=0.3, seed=7).vehicles["annual_km"]
    b = fleet.fleet_from_case(make_case(), annual_km_cv=0.3, seed=7).vehicles["annual_km"]
    c = fleet.fleet_from_case(make_case(), annual_km_cv=0.3, seed=8).vehicles["annual_km"]
    assert a.equals(b) and not a.equals(c)
    assert a.std() > 0


# --- properties ----------------------------------------------------------------------


def _scaled_fleet(k: int) -> list[dict]:
    return [{**r, "fcev_in_service": r["fcev_in_service"] * k} for r in FLEET]


@settings(max_examples=20, deadline=None)
@given(k=st.integers(1, 60))
def test_demand_scales_linearly_with_vehicle_count(k):
    base = fleet.fleet_from_case(make_case())
    big = fleet.fleet_from_case(make_case({"Fleet": _scaled_fleet(k)}))
    a = base.demand_by_district.set_index(["year", "district", "segment"])
    b = big.demand_by_district.set_index(["year", "district", "segment"])
    assert np.allclose(b["h2_kg_per_day"], k * a["h2_kg_per_day"], rtol=1e-12)
    assert (b["vehicles"] == k * a["vehicles"]).all()
    # depots: whole vehicles shared by weight, so linear up to one vehicle per depot
    da = base.demand_by_depot.set_index(["year", "depot_id"])["vehicles"]
    db = big.demand_by_depot.set_index(["year", "depot_id"])["vehicles"]
    assert np.all(np.abs(db - k * da) <= k + 1)


@settings(max_examples=20, deadline=None)
@given(stock=st.lists(st.integers(0, 400), min_size=9, max_size=9),
       weights=st.lists(st.floats(0.1, 10.0), min_size=3, max_size=3))
def test_totals_by_district_sum_to_the_city_total(stock, weights):
    rows = [{"year": y, "district": d, "segment": s, "fcev_in_service": n}
            for (y, d, s), n in zip(
                [(y, d, s) for y in (2023, 2025, 2027) for d, s in
                 (("huangpu", "bus_12m"), ("panyu", "heavy_tractor"), ("baiyun", "heavy_tractor"))],
                stock, strict=True)]
    depots = [{**d, "weight": w} for d, w in zip(DEPOTS, weights, strict=True)]
    case = make_case({"Fleet": rows, "Depots": depots})
    res = fleet.fleet_from_case(case)
    years = case.years
    by_d = res.demand_by_district.groupby("year")["h2_kg_per_day"].sum().reindex(years, fill_value=0.0)
    by_dep = res.demand_by_depot.groupby("year")["h2_kg_per_day"].sum().reindex(years, fill_value=0.0)
    v = res.vehicles
    city = np.array([v.loc[(v["purchase_year"] <= y) & (v["retire_year"] > y), "h2_kg_per_day"].sum()
                     for y in years], dtype=float)
    assert np.allclose(by_d, city) and np.allclose(by_dep, city)
    counts = res.demand_by_district.groupby(["year", "district"])["vehicles"].sum()
    dep_counts = res.demand_by_depot.groupby(["year", "district"])["vehicles"].sum()
    assert (dep_counts.reindex(counts.index) == counts).all()
    served = res.station_load.groupby("year")["h2_kg_per_day"].sum().reindex(by_d.index, fill_value=0)
    short = res.unserved.groupby("year")["h2_kg_per_day"].sum().reindex(by_d.index, fill_value=0)
    assert np.allclose(served + short, city)


DEFAULT_CSV = Path(__file__).resolve().parents[1] / "inputs" / "guangzhou"


@pytest.mark.skipif(not DEFAULT_CSV.is_dir(), reason="default Guangzhou case not present")
def test_default_case_runs_end_to_end():
    from h2model import emissions, policy, station, tco
    from h2model.inputs import load_case

    case = load_case(DEFAULT_CSV)
    res = fleet.fleet_from_case(case)
    by_d = res.demand_by_district.groupby("year")["h2_kg_per_day"].sum()
    by_dep = res.demand_by_depot.groupby("year")["h2_kg_per_day"].sum().reindex(by_d.index)
    assert np.allclose(by_d, by_dep)
    stock = res.fleet.groupby("year")["fcev_in_service"].sum()
    assert (stock.diff().dropna() == res.fleet.groupby("year")["fcev_purchased"].sum().iloc[1:]
            - res.fleet.groupby("year")["fcev_retired"].sum().iloc[1:]).all()
    t = tco.tco_from_case(case)
    segs = set(case.tables["Segments"]["segment"])
    assert set(t.tco["segment"]) == segs and np.isfinite(t.tco["tco_cny_per_vehicle"]).all()
    paid = station.station_economics(case, loads=res.station_load).station_subsidies
    b = policy.budget_from_case(case, res, station_subsidies=paid)
    assert (b["outlay_cny"] >= 0).all()
    co2 = emissions.co2_from_case(case, res, t)
    assert np.isfinite(co2.co2["co2_avoided_t"]).all()


# --- demand nodes: depots and en-route demand points -----------------------------------

REFUELLING = [{"segment": "bus_12m", "refuels_at": "depot"},
              {"segment": "heavy_tractor", "refuels_at": "en_route"}]
POINTS = [
    {"point_id": "hp-ep1", "name": "Huangpu port", "kind": "port", "district": "huangpu",
     "longitude": 113.52, "latitude": 23.08, "weight": 3.0},
    {"point_id": "hp-ep2", "name": "Huangpu park", "kind": "logistics_park", "district": "huangpu",
     "longitude": 113.45, "latitude": 23.17, "weight": 1.0},
    {"point_id": "py-ep1", "name": "Panyu hub", "kind": "rail_hub", "district": "panyu",
     "longitude": 113.27, "latitude": 22.99, "weight": 1.0},
]


def test_en_route_vehicles_share_their_districts_demand_points_by_weight():
    many = [{"year": 2023, "district": "huangpu", "segment": "heavy_tractor", "fcev_in_service": 400},
            {"year": 2023, "district": "huangpu", "segment": "bus_12m", "fcev_in_service": 40},
            {"year": 2023, "district": "baiyun", "segment": "heavy_tractor", "fcev_in_service": 6}]
    res = fleet.fleet_from_case(make_case({"Fleet": many, "Refuelling": REFUELLING, "DemandPoints": POINTS}))
    v = res.vehicles
    tractors = v[v["segment"] == "heavy_tractor"]
    hp = tractors[tractors["district"] == "huangpu"]["depot_id"].value_counts()
    # 400 Huangpu tractors on points weighted 3:1 -> 300 and 100 (Weyl shares: +-2)
    assert set(hp.index[hp > 0]) == {"hp-ep1", "hp-ep2"}
    assert abs(hp["hp-ep1"] - 300) <= 2 and hp["hp-ep1"] + hp["hp-ep2"] == 400
    # buses (depot segment) stay on Huangpu's depots, weighted 3:1 -> 30 and 10
    buses = v[v["segment"] == "bus_12m"]["depot_id"].value_counts()
    assert set(buses.index[buses > 0]) == {"hp-bus", "hp-port"} and abs(buses["hp-bus"] - 30) <= 1
    # Baiyun has no demand point and no depot: its tractors draw at its centroid (a depot node)
    assert set(tractors[tractors["district"] == "baiyun"]["depot_id"]) == {"baiyun-centroid"}
    kinds = res.demand_by_depot.drop_duplicates("depot_id").set_index("depot_id")["node_kind"]
    assert kinds["hp-ep1"] == "en_route" and kinds["hp-bus"] == "depot"
    assert kinds["baiyun-centroid"] == "depot"
    # en-route nodes carry exactly the tractors' demand; node totals conserve the fleet's kg
    dep = res.demand_by_depot
    by_year = res.demand_by_district.groupby("year")["h2_kg_per_day"].sum()
    np.testing.assert_allclose(dep.groupby("year")["h2_kg_per_day"].sum().reindex(by_year.index), by_year,
                               rtol=1e-9)
    on_points = dep[dep["depot_id"].isin(["hp-ep1", "hp-ep2"])].groupby("year")["h2_kg_per_day"].sum()
    assert on_points.loc[2023] == pytest.approx(400 * KG_PER_DAY_TRACTOR, rel=1e-9)
    # the network's nodes are the fleet's, with the points' coordinates
    nodes = res.nodes.set_index("depot_id")
    assert nodes.loc["py-ep1", "longitude"] == 113.27 and nodes.loc["py-ep1", "node_kind"] == "en_route"


def test_without_a_refuelling_sheet_every_segment_stays_at_its_depot():
    base = fleet.fleet_from_case(make_case())
    with_points = fleet.fleet_from_case(make_case({"DemandPoints": POINTS}))
    np.testing.assert_array_equal(base.vehicles["depot_id"].astype(str),
                                  with_points.vehicles["depot_id"].astype(str))
    assert (with_points.demand_by_depot.loc[with_points.demand_by_depot["node_kind"] == "en_route",
                                            "vehicles"] == 0).all()


def test_registered_en_route_vehicles_move_to_their_districts_demand_points():
    register = [
        {"vehicle_id": "GZ-001", "segment": "bus_12m", "depot_id": "hp-bus", "purchase_year": 2020,
         "annual_km": 50_000.0},
        {"vehicle_id": "GZ-002", "segment": "heavy_tractor", "depot_id": "py-depot",
         "purchase_year": 2024, "annual_km": 73_000.0},
    ]
    res = fleet.fleet_from_case(make_case({"Vehicles": register, "Refuelling": REFUELLING,
                                           "DemandPoints": POINTS}))
    v = res.vehicles.set_index("vehicle_id")
    assert v.loc["GZ-001", "depot_id"] == "hp-bus" and v.loc["GZ-002", "depot_id"] == "py-ep1"
    dep = res.demand_by_depot.set_index(["year", "depot_id"])["h2_kg_per_day"]
    assert dep.loc[(2024, "py-ep1")] == pytest.approx(73_000 * 0.10 / 365)


def test_a_demand_point_may_not_reuse_a_depot_id():
    clash = [{**POINTS[0], "point_id": "hp-bus"}]
    with pytest.raises(ValueError, match=r"demand point ids \['hp-bus'\] are also depot ids"):
        fleet.fleet_from_case(make_case({"Refuelling": REFUELLING, "DemandPoints": clash}))


def test_in_service_totals_of_non_negative_weights_are_never_negative():
    """Vehicles' kg/day retired in the same year as others were bought cancel in floating
    point to -1.8e-15 without the clip (found as a 'loads must be >= 0' failure of the
    baseline scenario with a responsive fleet); with it the totals are >= 0 and equal
    the hand sums."""
    w = [4.046, 1.985, 0.908, 5.803, 2.987, 6.72]
    purchase, retire = [2024, 2020, 2023, 2024, 2020, 2021], [2026, 2021, 2025, 2026, 2023, 2024]
    years = np.arange(2020, 2031)
    t = fleet.in_service_totals(np.zeros(6, int), 1, purchase, retire, years, w)[0]
    assert (t >= 0).all()
    hand = [sum(wi for wi, p, r in zip(w, purchase, retire, strict=True) if p <= y < r) for y in years]
    np.testing.assert_allclose(t, hand, atol=1e-12)
