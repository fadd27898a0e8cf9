"""Tests for h2model.network: prepare -> build -> solve -> read.

The reference optimum of the tiny instance is computed independently: every build
pattern is enumerated in plain Python, each period's flow problem is written out
as a dense linear programme from the problem statement and solved with
``scipy.optimize.linprog``, and capex and discounting are applied by hand.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from h2model import finance
from h2model.network import (
    COST_COMPONENTS,
    NetworkOptions,
    SolverUnavailable,
    build_model,
    default_periods,
    detour_cost_cny_per_km_per_kg,
    discount_factors,
    generate_instance,
    haversine_km,
    plan_network,
    prepare,
    read_results,
    road_km,
    solve,
)

# --- the tiny instance: 3 candidate sites, 2 modules, 4 nodes, 2 periods, 2 supplies ----

YEARS = [2024, 2026]
WEIGHTS = [1, 2]
RATE = 0.08
DETOUR = 0.3  # CNY/kg/km
PENALTY = 80.0  # CNY/kg
MAX_DETOUR = 5.0  # road km
CIRCUITY = 1.3

SITES = pd.DataFrame(
    {
        "site_id": ["A", "B", "C"],
        "longitude": [113.300, 113.340, 113.320],
        "latitude": [23.100, 23.100, 23.130],
        "district": ["d1", "d1", "d2"],
        "existing": [False, False, False],
        "existing_capacity_kg_per_day": [0.0, 0.0, 0.0],
        "available_from_year": [2024, 2024, 2025],
    }
)
MODULES = pd.DataFrame(
    {
        "module_id": ["small", "large"],
        "capacity_kg_per_day": [300.0, 700.0],
        "capex_cny": [6.0e6, 9.5e6],
        "fixed_om_cny_per_year": [2.4e5, 3.2e5],
    }
)
NODES = pd.DataFrame(
    {
        "node_id": ["n1", "n2", "n3", "n4"],
        "district": ["d1", "d1", "d2", "d1"],
        "longitude": [113.295, 113.345, 113.322, 113.318],
        "latitude": [23.102, 23.098, 23.125, 23.105],
    }
)
DEMAND = np.array([[250.0, 640.0], [150.0, 480.0], [0.0, 400.0], [100.0, 320.0]])
SUPPLIES = pd.DataFrame(
    {
        "supply_id": ["P1", "P2"],
        "longitude": [113.25, 113.45],
        "latitude": [23.05, 23.20],
        "capacity_kg_per_day": [450.0, 2000.0],
        "available_from_year": [2020, 2025],
        "cost_cny_per_kg": [22.0, 27.0],
    }
)
DELIVERY = np.array([[4.0, 5.5, 5.0], [6.5, 4.5, 5.2]])
PERIODS = pd.DataFrame({"year": YEARS, "weight_years": WEIGHTS})


def tiny_data(**changes):
    tables = {
        "sites": SITES,
        "modules": MODULES,
        "nodes": NODES,
        "demand": DEMAND,
        "supplies": SUPPLIES,
        "periods": PERIODS,
    }
    tables.update(changes)
    return prepare(
        tables["sites"],
        tables["modules"],
        tables["nodes"],
        tables["demand"],
        tables["supplies"],
        tables["periods"],
        RATE,
        delivery_cny_per_kg=changes.get("delivery", DELIVERY),
        circuity=CIRCUITY,
    )


def tiny_options(**changes):
    base = {
        "max_detour_km": MAX_DETOUR,
        "detour_cost_cny_per_km_per_kg": DETOUR,
        "unmet_penalty_cny_per_kg": PENALTY,
        "mip_gap": 0.0,
        "time_limit_s": 60.0,
    }
    base.update(changes)
    return NetworkOptions(**base)


def _hav_km(lon1, lat1, lon2, lat2):
    """Haversine written out with the math module (independent of the package)."""
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def enumerate_optimum(supply_capacity=(450.0, 2000.0)):
    """Best build pattern of the tiny instance by full enumeration.

    Returns (objective_cny, builds, ranked) with builds a set of
    (site_id, module_id, year) and ranked all (objective, builds) sorted.
    """
    n_sites, n_nodes, n_sup = 3, 4, 2
    km = np.array(
        [
            [
                CIRCUITY
                * _hav_km(NODES.longitude[n], NODES.latitude[n], SITES.longitude[s], SITES.latitude[s])
                for s in range(n_sites)
            ]
            for n in range(n_nodes)
        ]
    )
    allowed = km <= MAX_DETOUR
    # discount factors by hand: capex at the first year of each period, operation
    # in every year each period stands for (2024 | 2025, 2026), base year 2024
    start = [1.0, 1.08**-1]
    annual = [1.0, 1.08**-1 + 1.08**-2]
    cap = MODULES.capacity_kg_per_day.to_numpy()
    capex = MODULES.capex_cny.to_numpy()
    om = MODULES.fixed_om_cny_per_year.to_numpy()
    site_first = [0, 0, 1]  # C is available from 2025, i.e. the 2026 period
    supply_first = [0, 1]
    unit = SUPPLIES.cost_cny_per_kg.to_numpy()[:, None] + DELIVERY

    cache = {}

    def flow_cost(t, capacity):
        """Least daily cost of period t given site capacities (dense LP)."""
        key = (t, tuple(capacity))
        if key in cache:
            return cache[key]
        # variables: x[n, s] (n_nodes*n_sites), f[k, s] (n_sup*n_sites), u[n] (n_nodes)
        nx, nf = n_nodes * n_sites, n_sup * n_sites
        c = np.concatenate([(DETOUR * km).ravel(), unit.ravel(), np.full(n_nodes, PENALTY)])
        bounds = [(0, None if allowed[n, s] else 0) for n in range(n_nodes) for s in range(n_sites)]
        bounds += [(0, None if t >= supply_first[k] else 0) for k in range(n_sup) for s in range(n_sites)]
        # a node-period with no site in reach is not penalised (documented rule)
        reach = [any(allowed[n, s] and t >= site_first[s] for s in range(n_sites)) for n in range(n_nodes)]
        bounds += [(0, None) if reach[n] else (0, 0) for n in range(n_nodes)]
        a_eq, b_eq = [], []
        for n in range(n_nodes):  # demand
            if not reach[n]:
                continue
            row = np.zeros(nx + nf + n_nodes)
            row[n * n_sites : (n + 1) * n_sites] = 1
            row[nx + nf + n] = 1
            a_eq.append(row)
            b_eq.append(DEMAND[n, t])
        for s in range(n_sites):  # balance: supplied = dispensed
            row = np.zeros(nx + nf + n_nodes)
            row[[n * n_sites + s for n in range(n_nodes)]] = -1
            row[[nx + k * n_sites + s for k in range(n_sup)]] = 1
            a_eq.append(row)
            b_eq.append(0.0)
        a_ub, b_ub = [], []
        for s in range(n_sites):  # station capacity
            row = np.zeros(nx + nf + n_nodes)
            row[[n * n_sites + s for n in range(n_nodes)]] = 1
            a_ub.append(row)
            b_ub.append(capacity[s])
        for k in range(n_sup):  # supply capacity
            row = np.zeros(nx + nf + n_nodes)
            row[nx + k * n_sites : nx + (k + 1) * n_sites] = 1
            a_ub.append(row)
            b_ub.append(supply_capacity[k])
        res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert res.status == 0
        cache[key] = res.fun
        return res.fun

    choices = []  # per (site, module): None or the period the module is installed
    for s in range(n_sites):
        for _m in range(2):
            choices.append([None] + list(range(site_first[s], 2)))
    ranked = []
    for pattern in itertools.product(*choices):
        total = 0.0
        capacity = np.zeros((2, n_sites))
        builds = set()
        for i, t_build in enumerate(pattern):
            if t_build is None:
                continue
            s, m = divmod(i, 2)
            builds.add((SITES.site_id[s], MODULES.module_id[m], YEARS[t_build]))
            total += capex[m] * start[t_build]
            for t in range(t_build, 2):
                capacity[t, s] += cap[m]
                total += om[m] * annual[t]
        for t in range(2):
            total += 365.0 * annual[t] * flow_cost(t, capacity[t])
        ranked.append((total, frozenset(builds)))
    ranked.sort(key=lambda r: r[0])
    return ranked[0][0], set(ranked[0][1]), ranked


def plan_builds(plan):
    return {
        (r.site_id, r.module_id, int(r.year))
        for r in plan.build_plan.itertuples()
        for _ in range(int(r.modules_built))
    }


# --- hand-checked helpers -------------------------------------------------------------


def test_haversine_one_degree_of_latitude():
    # 2 pi R / 360 with R = 6371.0088 km
    assert haversine_km(113.0, 23.0, 113.0, 24.0) == pytest.approx(111.19508, rel=1e-6)
    assert road_km(113.0, 23.0, 113.0, 24.0, circuity=1.3) == pytest.approx(1.3 * 111.19508, rel=1e-6)


def test_haversine_broadcasts():
    d = haversine_km(np.array([113.0, 113.5])[:, None], 23.0, np.array([113.0, 114.0]), 23.0)
    assert d.shape == (2, 2)
    assert d[0, 0] == 0.0
    assert d[1, 1] == pytest.approx(_hav_km(113.5, 23.0, 114.0, 23.0), rel=1e-12)


def test_discount_factors_by_hand():
    # the network's period factors are the finance helper (one discounting home)
    assert discount_factors is finance.period_discount_factors
    start, annual = discount_factors([2024, 2026], [1, 2], 0.08)
    assert start == pytest.approx([1.0, 1 / 1.08])
    assert annual == pytest.approx([1.0, 1 / 1.08 + 1 / 1.08**2])
    assert annual[1] == pytest.approx(finance.discount_factors(0.08, 3, timing="start")[1:].sum(), rel=1e-14)
    start0, annual0 = discount_factors([2024, 2026], [1, 2], 0.0)
    assert annual0 == pytest.approx([1.0, 2.0])


def test_default_periods_tile_the_horizon():
    p = default_periods()
    first = p["year"] - p["weight_years"] + 1
    assert first.iloc[0] == 2021
    assert (first.iloc[1:].to_numpy() == p["year"].iloc[:-1].to_numpy() + 1).all()
    assert p["year"].iloc[-1] == 2035
    assert len(p) == 10


def test_detour_cost_conversion():
    # 3 CNY per vehicle-km, 25 kg per visit, there and back: 6 / 25 CNY per kg per km
    assert detour_cost_cny_per_km_per_kg(3.0, 25.0) == pytest.approx(0.24)
    assert detour_cost_cny_per_km_per_kg(3.0, 25.0, round_trip=False) == pytest.approx(0.12)


# --- the tiny instance against enumeration --------------------------------------------


@pytest.fixture(scope="module")
def reference():
    return enumerate_optimum()


@pytest.fixture(scope="module")
def tiny_plan():
    return plan_network(tiny_data(), tiny_options())


def test_tiny_instance_matches_enumeration(reference, tiny_plan):
    best, builds, ranked = reference
    # the optimum is unique: the runner-up build pattern is clearly worse
    assert ranked[1][0] > best * (1 + 1e-5)
    assert tiny_plan.solve.status == "optimal"
    assert tiny_plan.solve.objective_cny == pytest.approx(best, rel=1e-6)
    assert tiny_plan.objective_cny == pytest.approx(best, rel=1e-6)
    assert plan_builds(tiny_plan) == builds


def test_tiny_reference_is_not_trivial(reference):
    _, builds, _ = reference
    years = {b[2] for b in builds}
    # builds happen in both periods, at C (available from 2025) too
    assert years == {2024, 2026}
    assert {b[0] for b in builds} == {"A", "B", "C"}


def test_tight_linking_gives_the_same_optimum(reference):
    best, builds, _ = reference
    plan = plan_network(tiny_data(), tiny_options(tight_linking=True))
    assert plan.solve.objective_cny == pytest.approx(best, rel=1e-6)
    assert plan_builds(plan) == builds


def test_other_pyomo_highs_interface(reference):
    best, _, _ = reference
    plan = plan_network(tiny_data(), tiny_options(solver="appsi_highs"))
    assert plan.solve.status == "optimal"
    assert plan.solve.objective_cny == pytest.approx(best, rel=1e-6)


def test_unknown_solver_is_a_clear_error():
    model = build_model(tiny_data(), tiny_options())
    with pytest.raises(SolverUnavailable, match="no_such_solver"):
        solve(model, tiny_options(solver="no_such_solver"))


def test_plan_tables_are_consistent(tiny_plan):
    data = tiny_data()
    plan = tiny_plan
    # demand = served + unmet, node by node and period by period
    served = plan.assignment.groupby(["year", "node_id"])["kg_per_day"].sum()
    lost = plan.unmet.groupby(["year", "node_id"])["unmet_kg_per_day"].sum()
    for t, year in enumerate(YEARS):
        for n, node in enumerate(data.node_ids):
            total = served.get((year, node), 0.0) + lost.get((year, node), 0.0)
            assert total == pytest.approx(DEMAND[n, t], abs=1e-6)
    # throughput within capacity; flows into a station equal its throughput
    st = plan.stations
    assert (st["throughput_kg_per_day"] <= st["capacity_kg_per_day"] + 1e-6).all()
    inflow = plan.supply_flows.groupby(["year", "site_id"])["kg_per_day"].sum()
    for r in st.itertuples():
        assert inflow.get((r.year, r.site_id), 0.0) == pytest.approx(r.throughput_kg_per_day, abs=1e-6)
    # supply within capacity and availability
    used = plan.supply_flows.groupby(["year", "supply_id"])["kg_per_day"].sum()
    assert used.get((2024, "P2"), 0.0) == 0.0
    assert used.get((2024, "P1"), 0.0) <= 450.0 + 1e-6
    # capacity = cumulative builds
    built = plan.build_plan.groupby("site_id")["capacity_kg_per_day"].sum()
    last = st[st["year"] == 2026].set_index("site_id")["capacity_kg_per_day"]
    pd.testing.assert_series_equal(built.sort_index(), last.sort_index(), check_names=False)
    # cost table: all components, summing to the objective
    assert set(plan.costs["component"]) == set(COST_COMPONENTS)
    assert plan.costs["discounted_cny"].sum() == pytest.approx(plan.solve.objective_cny, rel=1e-9)
    # every assignment within the detour limit
    assert (plan.assignment["detour_km"] <= MAX_DETOUR).all()


def test_capex_component_by_hand(tiny_plan):
    plan = tiny_plan
    expected = sum(r.capex_cny * (1.0 if r.year == 2024 else 1 / 1.08) for r in plan.build_plan.itertuples())
    capex = plan.costs[plan.costs["component"] == "capex"]["discounted_cny"].sum()
    assert capex == pytest.approx(expected, rel=1e-9)


# --- targets, slack and options ---------------------------------------------------------


def test_station_target_beyond_candidates_is_reported_not_raised():
    plan = plan_network(tiny_data(), tiny_options(station_target_count=5, station_target_year=2026))
    assert plan.solve.has_solution
    assert any("station target cannot be met" in m and "need 2 more site(s)" in m for m in plan.binding), (
        plan.binding
    )
    assert any("3 of 5 stations open by 2026 (2 short)" in m for m in plan.binding), plan.binding
    row = plan.targets.set_index("target").loc["stations"]
    assert (row["required"], row["achieved"], row["met"], row["gap"]) == (5.0, 3.0, False, 2.0)


def test_station_target_shortfall_of_six_on_generated_instance():
    data = generate_instance(24, 72, n_periods=5, seed=7)
    years = data.period_year
    t = int(np.searchsorted(years, 2025))
    can_build = (data.site_available_from_year <= years[t]).sum()
    target = int(can_build) + 6
    plan = plan_network(
        data, NetworkOptions(station_target_count=target, station_target_year=2025, time_limit_s=60)
    )
    assert any(f"{target} stations by 2025 need 6 more site(s)" in m for m in plan.binding), plan.binding
    row = plan.targets.set_index("target").loc["stations"]
    assert row["gap"] == 6.0
    assert not row["met"]


def test_station_target_forces_stations_when_feasible():
    data = two_site_case()
    free = plan_network(data, tiny_options(detour_cost_cny_per_km_per_kg=3.0))
    assert free.by_year["stations_open"].tolist() == [1, 1]
    forced = plan_network(
        data,
        tiny_options(detour_cost_cny_per_km_per_kg=3.0, station_target_count=2, station_target_year=2024),
    )
    assert forced.by_year["stations_open"].tolist() == [2, 2]
    assert forced.targets.set_index("target").loc["stations", "met"]
    assert any("station target met exactly: 2 stations" in m for m in forced.binding)
    assert forced.solve.objective_cny > free.solve.objective_cny


def test_short_supply_gives_penalised_unmet_demand_not_infeasibility():
    supplies = SUPPLIES.assign(capacity_kg_per_day=[60.0, 40.0])
    plan = plan_network(tiny_data(supplies=supplies), tiny_options(unmet_penalty_cny_per_kg=1000.0))
    assert plan.solve.status == "optimal"
    by_year = plan.by_year.set_index("year")
    # 2024: only P1 (60 kg/day) is available; 2026: both, 100 kg/day
    assert by_year.loc[2024, "served_kg_per_day"] == pytest.approx(60.0, abs=1e-6)
    assert by_year.loc[2026, "served_kg_per_day"] == pytest.approx(100.0, abs=1e-6)
    assert by_year.loc[2024, "unmet_kg_per_day"] == pytest.approx(500.0 - 60.0, abs=1e-6)
    assert by_year.loc[2026, "unmet_kg_per_day"] == pytest.approx(1840.0 - 100.0, abs=1e-6)
    assert set(plan.unmet["reason"]) == {"supply_exhausted"}
    penalty = plan.costs[plan.costs["component"] == "unmet_penalty"]["discounted_cny"].sum()
    expected = 365.0 * 1000.0 * (440.0 * 1.0 + 1740.0 * (1 / 1.08 + 1 / 1.08**2))
    assert penalty == pytest.approx(expected, rel=1e-9)
    assert any(m.startswith("unmet demand in 2024: 440 kg/day") for m in plan.binding), plan.binding
    assert any("supply P1 at capacity" in m for m in plan.binding)


def coverage_case():
    """District 'north' has the demand; 'south' a small node served from the north
    site unless coverage asks for a station near the south's demand centre."""
    sites = pd.DataFrame(
        {
            "site_id": ["N1", "S1"],
            "longitude": [113.300, 113.300],
            "latitude": [23.100, 23.070],
            "district": ["north", "south"],
            "existing": [False, False],
            "existing_capacity_kg_per_day": [0.0, 0.0],
            "available_from_year": [2024, 2024],
        }
    )
    nodes = pd.DataFrame(
        {
            "node_id": ["a", "b", "c"],
            "district": ["north", "north", "south"],
            "longitude": [113.300, 113.302, 113.300],
            "latitude": [23.101, 23.099, 23.075],
        }
    )
    demand = np.array([[300.0, 400.0], [200.0, 300.0], [20.0, 30.0]])
    return tiny_data(sites=sites, nodes=nodes, demand=demand, delivery=np.full((2, 2), 5.0))


def test_coverage_opens_a_station_in_an_uncovered_district():
    data = coverage_case()
    free = plan_network(data, tiny_options())
    assert set(free.stations["site_id"]) == {"N1"}  # south served from the north
    cov = plan_network(data, tiny_options(coverage_km=2.0))
    assert "S1" in set(cov.stations["site_id"])
    assert cov.targets[cov.targets["target"] == "coverage"]["met"].all()
    assert cov.solve.objective_cny > free.solve.objective_cny
    # without any site near the south, coverage is reported, not raised
    far = plan_network(data, tiny_options(coverage_km=0.1))
    assert any("coverage cannot be met: district" in m for m in far.binding), far.binding
    assert not far.targets[far.targets["target"] == "coverage"]["met"].all()


def two_site_case():
    """Two sites 3 km apart, each next to a node of 200 kg/day."""
    sites = pd.DataFrame(
        {
            "site_id": ["W", "E"],
            "longitude": [113.300, 113.330],
            "latitude": [23.100, 23.100],
            "district": ["d1", "d1"],
            "existing": [False, False],
            "existing_capacity_kg_per_day": [0.0, 0.0],
            "available_from_year": [2024, 2024],
        }
    )
    nodes = pd.DataFrame(
        {
            "node_id": ["w", "e"],
            "district": ["d1", "d1"],
            "longitude": [113.300, 113.330],
            "latitude": [23.100, 23.100],
        }
    )
    demand = np.array([[200.0, 200.0], [200.0, 200.0]])
    return tiny_data(sites=sites, nodes=nodes, demand=demand, delivery=np.full((2, 2), 5.0))


def test_price_target_consolidates_small_stations():
    data = two_site_case()
    # a detour of 4 road km at 10 CNY/kg/km makes two small stations worth it ...
    opts = {"detour_cost_cny_per_km_per_kg": 10.0, "unmet_penalty_cny_per_kg": 1000.0}
    free = plan_network(data, tiny_options(**opts))
    assert free.by_year["stations_open"].tolist() == [2, 2]
    priced = plan_network(
        data,
        tiny_options(
            **opts,
            price_target_cny_per_kg=35.0,
            price_target_year=2024,
            price_target_min_kg_per_day=(250.0, 250.0),
        ),
    )
    # ... unless each must sell 250 kg/day: then one station serves both nodes
    assert priced.by_year["stations_open"].tolist() == [1, 1]
    assert (priced.stations["throughput_kg_per_day"] >= 250.0 - 1e-6).all()
    assert priced.unmet["unmet_kg_per_day"].sum() == pytest.approx(0.0, abs=1e-6)


def test_build_limit_spreads_builds_and_is_reported():
    data = generate_instance(20, 60, n_periods=4, seed=5)
    free = plan_network(data, NetworkOptions(time_limit_s=60))
    limit = 1
    plan = plan_network(data, NetworkOptions(build_limit_per_year=limit, time_limit_s=60))
    weight = pd.Series(data.period_weight_years, index=data.period_year)
    new = (
        plan.stations[~plan.stations["existing"]]
        .groupby("site_id")["year"]
        .min()
        .value_counts()
        .reindex(data.period_year, fill_value=0)
    )
    assert (new <= limit * weight + 1e-9).all()
    assert free.by_year["new_stations"].max() > limit  # the limit matters here
    assert any(m.startswith("build limit binds") for m in plan.binding), plan.binding
    assert plan.solve.objective_cny >= free.solve.objective_cny * (1 - 1e-4)


def test_existing_station_is_open_from_commissioning_without_capex():
    sites = SITES.assign(
        existing=[True, False, False],
        existing_capacity_kg_per_day=[400.0, 0.0, 0.0],
        available_from_year=[2025, 2024, 2025],
    )
    plan = plan_network(tiny_data(sites=sites), tiny_options())
    a = plan.stations[plan.stations["site_id"] == "A"]
    assert a["year"].tolist()[0] == 2026
    assert a["capacity_kg_per_day"].iloc[0] >= 400.0
    assert not ((plan.build_plan["site_id"] == "A") & (plan.build_plan["year"] == 2024)).any()


def test_sparsity_options_reduce_the_model():
    data = generate_instance(40, 120, n_periods=3, seed=2)
    full = build_model(data, NetworkOptions()).network_index
    small = build_model(data, NetworkOptions(max_sites_per_node=2, max_supplies_per_site=1)).network_index
    assert len(small.x_node) < len(full.x_node)
    assert len(small.f_supply) < len(full.f_supply)
    counts = pd.Series(small.x_site).groupby([small.x_node, small.x_period]).size()
    assert counts.max() <= 2
    assert pd.Series(small.f_supply).groupby([small.f_site, small.f_period]).size().max() == 1


def test_generated_instance_is_seeded_and_solves():
    a = generate_instance(30, 90, n_periods=4, seed=11)
    b = generate_instance(30, 90, n_periods=4, seed=11)
    c = generate_instance(30, 90, n_periods=4, seed=12)
    for name in ("site_lon", "demand_kg_per_day", "capex_cny", "supply_capacity_kg_per_day"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.site_lon, c.site_lon)
    model = build_model(a, NetworkOptions(time_limit_s=60))
    info = solve(model)
    plan = read_results(model, a, info)
    assert info.status == "optimal"
    assert plan.objective_cny == pytest.approx(info.objective_cny, rel=1e-9)
    assert info.build_time_s > 0 and info.solve_time_s > 0


def test_heuristic_start_reaches_the_same_optimum():
    data = generate_instance(30, 90, n_periods=4, seed=11)
    plain = plan_network(data, NetworkOptions(mip_gap=1e-7, heuristic_start=False))
    staged = plan_network(data, NetworkOptions(mip_gap=1e-7, heuristic_start=True))
    assert "heuristic start" in staged.solve.message
    assert plain.solve.status == staged.solve.status == "optimal"
    assert staged.solve.objective_cny == pytest.approx(plain.solve.objective_cny, rel=1e-6)
    assert staged.objective_cny == pytest.approx(staged.solve.objective_cny, rel=1e-9)


def test_greedy_start_is_a_feasible_plan():
    from h2model.network.solve import _greedy_installed

    data = generate_instance(40, 120, n_periods=5, seed=4)
    model = build_model(data, NetworkOptions())
    idx = model.network_index
    z = _greedy_installed(model)
    assert z.shape == (len(idx.z_site),)
    assert (z >= 0).all() and (z <= data.module_max_per_site[idx.z_module]).all()
    # cumulative: never fewer modules later
    order = np.lexsort((idx.z_period, idx.z_module, idx.z_site))
    same = (np.diff(idx.z_site[order]) == 0) & (np.diff(idx.z_module[order]) == 0)
    assert (np.diff(z[order])[same] >= 0).all()
    assert z.sum() > 0


def test_greedy_start_respects_site_size():
    """Sites with room for one module of 500 or 1,000 kg/day but not both get at most 1,200 kg/day.

    The Greater Bay Area case's planned sites have a sheet capacity; a greedy plan above it broke the
    site-size rows, so every solver rejected it as a start (the GBA plan found nothing in 300 s).
    """
    import dataclasses

    from h2model.network.solve import _greedy_installed

    def last_capacity(data):
        model = build_model(data, NetworkOptions())
        idx = model.network_index
        z = _greedy_installed(model)
        last = idx.z_period == len(data.period_year) - 1
        kg = (z * data.module_capacity_kg_per_day[idx.z_module])[last]
        return np.bincount(idx.z_site[last], weights=kg, minlength=len(data.site_lon))

    data = generate_instance(40, 120, n_periods=5, seed=4)
    data = dataclasses.replace(data, demand_kg_per_day=6.0 * data.demand_kg_per_day)  # busy sites
    cand = ~data.site_existing
    assert last_capacity(data)[cand].max() == 1500.0  # both modules somewhere without a size limit
    max_cap = np.where(cand, 1200.0, data.site_max_capacity_kg_per_day)
    per_site = last_capacity(dataclasses.replace(data, site_max_capacity_kg_per_day=max_cap))
    assert per_site[cand].max() == 1000.0


# --- bad input ----------------------------------------------------------------------------


def test_missing_column_is_named():
    with pytest.raises(ValueError, match=r"sites: missing column\(s\) \['available_from_year'\]"):
        tiny_data(sites=SITES.drop(columns="available_from_year"))


def test_duplicate_ids_are_named():
    with pytest.raises(ValueError, match="nodes: duplicate node_id"):
        tiny_data(nodes=NODES.assign(node_id=["n1", "n1", "n3", "n4"]))


def test_negative_value_is_located():
    with pytest.raises(ValueError, match="supplies: column 'capacity_kg_per_day' row 1"):
        tiny_data(supplies=SUPPLIES.assign(capacity_kg_per_day=[450.0, -1.0]))


def test_demand_shape_is_checked():
    with pytest.raises(ValueError, match=r"demand: array shape \(4, 1\)"):
        tiny_data(demand=DEMAND[:, :1])


def test_delivery_shape_is_checked():
    want = (r"delivery_cny_per_kg: shape \(2, 2\) != \(supplies, sites\) \(2, 3\)"
            r" or \(supplies, sites, periods\) \(2, 3, 2\)")
    with pytest.raises(ValueError, match=want):
        tiny_data(delivery=DELIVERY[:, :2])
    with pytest.raises(ValueError, match="values must be >= 0 CNY/kg"):
        tiny_data(delivery=np.stack([DELIVERY, -DELIVERY], axis=2))


def test_delivery_may_vary_by_period(tiny_plan):
    # One CNY/kg more delivery on every pair in the second period (2025-2026) changes no
    # decision and adds 1 x served kg/day x 365 x (1.08^-1 + 1.08^-2) to the objective.
    by_period = np.stack([DELIVERY, DELIVERY + 1.0], axis=2)
    data = tiny_data(delivery=by_period)
    assert data.delivery_cny_per_kg.shape == (2, 3, 2)
    np.testing.assert_array_equal(tiny_data().delivery_cny_per_kg[:, :, 1], DELIVERY)  # 2-D: every period
    plan = plan_network(data, tiny_options())
    assert plan_builds(plan) == plan_builds(tiny_plan)
    f = plan.supply_flows
    k = f["supply_id"].map({"P1": 0, "P2": 1}).to_numpy()
    s = f["site_id"].map(dict(zip(SITES.site_id, range(3), strict=True))).to_numpy()
    t = f["year"].map({2024: 0, 2026: 1}).to_numpy()
    np.testing.assert_allclose(f["delivery_cny_per_kg"], by_period[k, s, t], rtol=1e-12)
    served = f.loc[f["year"] == 2026, "kg_per_day"].sum()
    assert served == pytest.approx(tiny_plan.supply_flows.query("year == 2026")["kg_per_day"].sum(), rel=1e-9)
    extra = served * 365.0 * (1.08**-1 + 1.08**-2)
    assert plan.objective_cny - tiny_plan.objective_cny == pytest.approx(extra, rel=1e-6)


def test_long_demand_table_equals_array():
    long = pd.DataFrame(
        [
            {"node_id": n, "year": y, "demand_kg_per_day": DEMAND[i, t]}
            for i, n in enumerate(NODES.node_id)
            for t, y in enumerate(YEARS)
            if DEMAND[i, t] > 0
        ]
    )
    np.testing.assert_array_equal(tiny_data(demand=long).demand_kg_per_day, DEMAND)


def test_price_target_needs_minimum_throughputs():
    with pytest.raises(ValueError, match="price_target_min_kg_per_day"):
        NetworkOptions(price_target_cny_per_kg=35.0)


def test_detour_beyond_prepared_pairs_is_refused():
    with pytest.raises(ValueError, match="exceeds the pair radius"):
        build_model(tiny_data(), tiny_options(max_detour_km=100.0))


def test_site_available_within_a_period_counts_from_the_next_one():
    data = generate_instance(30, 90, n_periods=10, seed=2)
    # periods: 2021..2025 yearly, then 2026-27, 2028-29, ..., 2034-35
    got = data.first_period([2021, 2025, 2026, 2027, 2028, 2036])
    np.testing.assert_array_equal(got, [0, 4, 5, 6, 6, 10])
    model = build_model(data, NetworkOptions())
    idx = model.network_index
    first = data.period_year[idx.z_period] - data.period_weight_years[idx.z_period] + 1
    assert (first >= data.site_available_from_year[idx.z_site]).all()
    late = data.site_available_from_year == 2026
    assert late.any() and (idx.z_period[late[idx.z_site]] >= 5).all()


def test_max_flow_service_matches_a_linear_programme():
    from scipy.optimize import linprog

    from h2model.network.solve import _served_kg_per_day

    rng = np.random.default_rng(5)
    for _ in range(5):
        n_n, n_s = 12, 6
        pn, ps = np.nonzero(rng.random((n_n, n_s)) < 0.35)
        demand = rng.integers(0, 80, n_n).astype(float)
        cap = rng.integers(0, 150, n_s).astype(float)
        got = _served_kg_per_day(pn, ps, demand, cap)
        # max sum x  s.t.  sum_s x_ns <= d_n, sum_n x_ns <= c_s, x >= 0
        a_node = np.zeros((n_n, len(pn)))
        a_node[pn, np.arange(len(pn))] = 1
        a_site = np.zeros((n_s, len(pn)))
        a_site[ps, np.arange(len(pn))] = 1
        lp = linprog(-np.ones(len(pn)), A_ub=np.vstack([a_node, a_site]), b_ub=np.concatenate([demand, cap]),
                     method="highs")
        assert got.sum() == pytest.approx(-lp.fun, abs=1e-6)
        assert (got <= demand + 1e-9).all()


def test_greedy_start_serves_all_demand_in_reach():
    from h2model.network.solve import _greedy_installed, _served_kg_per_day

    data = generate_instance(40, 120, n_periods=5, seed=4)
    model = build_model(data, NetworkOptions())
    idx = model.network_index
    z = _greedy_installed(model)
    cap = np.zeros((len(data.site_lon), len(data.period_year)))
    np.add.at(cap, (idx.z_site, idx.z_period), z * data.module_capacity_kg_per_day[idx.z_module])
    t0 = data.first_period(data.site_available_from_year)
    on = data.site_existing[:, None] & (np.arange(len(data.period_year))[None, :] >= t0[:, None])
    cap += data.site_existing_capacity_kg_per_day[:, None] * on
    for t in range(len(data.period_year)):
        sel = idx.x_period == t
        reach = np.zeros(len(data.node_lon), bool)
        reach[idx.x_node[sel]] = True
        served = _served_kg_per_day(idx.x_node[sel], idx.x_site[sel], data.demand_kg_per_day[:, t], cap[:, t])
        short = data.demand_kg_per_day[reach, t] - served[reach]
        assert short.max() < 1.0 + 1e-9, (t, short.max())


# --- covering rows ----------------------------------------------------------------------------


def test_covering_rows_make_the_one_site_relaxation_buy_a_whole_module():
    """One node of 100 kg/day, one site, one 1,000 kg/day module, one one-year period.

    Without covering rows the LP relaxation buys a tenth of the module (100/1,000); with
    them it buys all of it, as the integer plan must. The period is the first, so
    :math:`S_t = A_t = 1` and the module's cost in the objective is capex + fixed O&M:
    the two relaxations differ by 0.9 of that, by hand.
    """
    from h2model.network.solve import solve_relaxation

    capex, fixed_om = 9.5e6, 3.2e5
    data = tiny_data(
        sites=SITES.iloc[:1],
        modules=pd.DataFrame({"module_id": ["m"], "capacity_kg_per_day": [1000.0], "capex_cny": [capex],
                              "fixed_om_cny_per_year": [fixed_om]}),
        nodes=NODES.iloc[:1],
        demand=np.array([[100.0]]),
        supplies=SUPPLIES.iloc[:1],
        periods=pd.DataFrame({"year": [2024], "weight_years": [1]}),
        delivery=np.array([[4.0]]),
    )
    # a penalty (1,000 CNY/kg x 36,500 kg/year) above the module's cost: the plan builds it
    relaxed = {}
    for covering in (False, True):
        opts = tiny_options(unmet_penalty_cny_per_kg=1000.0, covering_rows=covering)
        model = build_model(data, opts)
        assert len(model.network_index.covering_unmet) == int(covering)
        relaxed[covering] = solve_relaxation(model, opts)
        assert relaxed[covering].status == "optimal"
        assert model.installed[0].is_integer()  # the integer domain is restored
    mip = plan_network(data, tiny_options(unmet_penalty_cny_per_kg=1000.0))
    diff = relaxed[True].objective_cny - relaxed[False].objective_cny
    assert diff == pytest.approx(0.9 * (capex + fixed_om), rel=1e-6)
    assert relaxed[True].objective_cny == pytest.approx(mip.solve.objective_cny, rel=1e-6)


def test_covering_rows_skip_node_periods_with_an_existing_station_in_reach():
    """An existing station at site A: nodes that reach A get no covering row."""
    sites = SITES.assign(existing=[True, False, False], existing_capacity_kg_per_day=[500.0, 0.0, 0.0])
    data = tiny_data(sites=sites)
    model = build_model(data, tiny_options(covering_rows=True))
    idx = model.network_index
    at_a = idx.x_site == 0
    reach_a = set(zip(idx.x_node[at_a].tolist(), idx.x_period[at_a].tolist(), strict=True))
    rows = set(zip(idx.u_node[idx.covering_unmet].tolist(), idx.u_period[idx.covering_unmet].tolist(),
                   strict=True))
    every = set(zip(idx.u_node.tolist(), idx.u_period.tolist(), strict=True))
    assert reach_a and rows  # both kinds exist in this instance
    assert rows == every - reach_a


def test_covering_rows_raise_the_bound_and_keep_the_optimum():
    """A generated instance: the rows are valid (the relaxation stays below the optimum,
    which does not move) and cut off fractional plans (the relaxation rises)."""
    from h2model.network.solve import solve_relaxation

    data = generate_instance(30, 90, n_periods=4, seed=11)
    lp, mip = {}, {}
    for covering in (False, True):
        opts = NetworkOptions(mip_gap=1e-7, heuristic_start=False, covering_rows=covering)
        lp[covering] = solve_relaxation(build_model(data, opts), opts).objective_cny
        mip[covering] = plan_network(data, opts).solve
        assert mip[covering].status == "optimal"
    assert mip[True].objective_cny == pytest.approx(mip[False].objective_cny, rel=1e-6)
    assert lp[False] < lp[True] <= mip[True].objective_cny * (1 + 1e-9)
    assert lp[True] > 1.1 * lp[False]


# --- relax-and-fix start ----------------------------------------------------------------------


def _highs():
    from pyomo.contrib.appsi.solvers import Highs

    solver = Highs()
    solver.config.load_solution = False
    solver.update_config.treat_fixed_vars_as_params = False
    return solver


def _worst_violation(model):
    """Largest violation of any row or variable bound by the values in the model."""
    import pyomo.environ as pyo

    worst = 0.0
    for c in model.component_data_objects(pyo.Constraint, active=True):
        body = pyo.value(c.body)
        if c.has_lb():
            worst = max(worst, pyo.value(c.lower) - body)
        if c.has_ub():
            worst = max(worst, body - pyo.value(c.upper))
    for v in model.component_data_objects(pyo.Var):
        x = v.value
        worst = max(worst, (v.lb - x) if v.lb is not None else 0.0, (x - v.ub) if v.ub is not None else 0.0)
        if v.is_integer():
            worst = max(worst, abs(x - round(x)))
    return worst


def _check_relax_and_fix_plan(data, model, z, objective):
    """A complete, feasible, cumulative integer plan whose cost is the objective reported."""
    import pyomo.environ as pyo

    from h2model.network.build import OBJECTIVE_SCALE

    idx = model.network_index
    assert objective is not None
    assert np.array_equal(z, np.round(z)) and (z >= 0).all()
    assert (z <= data.module_max_per_site[idx.z_module]).all()
    order = np.lexsort((idx.z_period, idx.z_module, idx.z_site))
    same = (np.diff(idx.z_site[order]) == 0) & (np.diff(idx.z_module[order]) == 0)
    assert (np.diff(z[order])[same] >= 0).all()
    zs = idx.variables["installed"]
    assert np.allclose([v.value for v in zs], z, rtol=0.0, atol=1e-6)  # the plan left in the model is z
    assert _worst_violation(model) < 1e-5 * max(1.0, float(data.demand_kg_per_day.max()))
    assert pyo.value(model.cost) == pytest.approx(objective, rel=1e-7)
    return objective / OBJECTIVE_SCALE


def test_relax_and_fix_start_is_a_feasible_plan_and_keeps_the_optimum():
    from h2model.network.solve import _relax_and_fix_installed

    data = generate_instance(30, 90, n_periods=4, seed=11)
    model = build_model(data, NetworkOptions())
    z, objective = _relax_and_fix_installed(model, _highs, math.inf, n_stages=4)
    assert model.installed[0].is_integer()  # domains restored
    heuristic_cny = _check_relax_and_fix_plan(data, model, z, objective)
    plain = plan_network(data, NetworkOptions(mip_gap=1e-7, heuristic_start=False))
    staged = plan_network(data, NetworkOptions(mip_gap=1e-7, start="relax_and_fix"))
    assert "relax_and_fix" in staged.solve.message
    assert plain.solve.status == staged.solve.status == "optimal"
    assert staged.solve.objective_cny == pytest.approx(plain.solve.objective_cny, rel=1e-6)
    assert heuristic_cny >= plain.solve.objective_cny * (1 - 1e-7)  # a plan, never below the optimum


def test_relax_and_fix_start_on_200_sites_is_a_feasible_plan():
    """The 200-site benchmark instance (10 periods), 40 s for the heuristic."""
    from h2model.network.solve import _relax_and_fix_installed

    data = generate_instance(200, 600, n_periods=10, seed=0)
    model = build_model(data, NetworkOptions(max_sites_per_node=10))
    z, objective = _relax_and_fix_installed(model, _highs, 40.0)
    _check_relax_and_fix_plan(data, model, z, objective)
    assert z.sum() > 0


def test_unknown_start_is_refused():
    with pytest.raises(ValueError, match="start 'lp' must be one of greedy, relax_and_fix"):
        NetworkOptions(start="lp")


def test_network_sheet_solve_methods_are_the_optimiser_methods():
    from h2model.inputs.schema import NETWORK_SOLVE_METHODS
    from h2model.network.build import SOLVE_METHODS

    assert set(NETWORK_SOLVE_METHODS) == set(SOLVE_METHODS)


def test_auto_method_picks_by_module_columns():
    """The same instance is solved as one MILP under the threshold and by the windows above it."""
    from h2model.network import build as nb

    data = generate_instance(30, 90, n_periods=3, seed=5)
    small = build_model(data, NetworkOptions(method="auto", max_sites_per_node=10))
    assert small.network_options.method == "monolithic" and not hasattr(small, "matrix_rows")
    n_z = len(small.network_index.variables["installed"])
    old = nb.AUTO_WINDOWS_BINARIES
    try:
        nb.AUTO_WINDOWS_BINARIES = n_z - 1
        big = build_model(data, NetworkOptions(method="auto", max_sites_per_node=10, time_limit_s=60.0))
    finally:
        nb.AUTO_WINDOWS_BINARIES = old
    assert big.network_options.method == "windows" and big.network_options.covering_rows
    info = solve(big, NetworkOptions(method="auto", max_sites_per_node=10, time_limit_s=60.0))
    assert "LP-guided windows" in info.message
    mono = solve(small)
    assert info.objective_cny >= mono.objective_cny * (1 - 1e-6)
