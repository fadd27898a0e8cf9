"""The network plan on the default Guangzhou case (the adapter from Case to optimiser)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from h2model import fleet, model
from h2model.inputs import DEFAULT_CASE, load_case
from h2model.network.adapter import network_from_case, network_options_from_case

#: A time limit the solves never reach, so that they stop at the MIP gap: HiGHS is then
#: deterministic, and two solves of the same model give the same plan (the sheet's 60 s
#: can bind on a loaded machine, and where it binds the plan depends on the machine).
TIME_LIMIT_S = 1800.0


def _network(case, **values):
    """``case`` with Network keys set (e.g. the time limit, or the planned-station flag)."""
    net = {**case.params["Network"], "time_limit_s": TIME_LIMIT_S, **values}
    return dataclasses.replace(case, params={**case.params, "Network": net})


@pytest.fixture(scope="module")
def case_and_fleet():
    case = _network(load_case(DEFAULT_CASE, "plan-2025"))
    assert case.params["Network"]["plan_places_planned_stations"] == 1  # the default
    return case, fleet.fleet_from_case(case)


@pytest.fixture(scope="module")
def plan(case_and_fleet):
    return network_from_case(*case_and_fleet)


@pytest.fixture(scope="module")
def free_plan(case_and_fleet):
    """plan-2025 solved without the station-count target, all else the same."""
    opts = network_options_from_case(*case_and_fleet)
    return network_from_case(*case_and_fleet, dataclasses.replace(opts, station_target_count=None,
                                                                   station_target_year=None))


@pytest.fixture(scope="module")
def fixed_case_and_plan():
    """plan-2025 with the planned stations fixed (``plan_places_planned_stations`` = 0)."""
    case = _network(load_case(DEFAULT_CASE, "plan-2025"), plan_places_planned_stations=0)
    fl = fleet.fleet_from_case(case)
    return case, network_from_case(case, fl)


def test_default_case_solves_to_optimality(plan):
    assert plan.plan.solve.status == "optimal"
    assert plan.plan.solve.gap <= 0.005 + 1e-9


def test_at_least_50_stations_by_2025_and_all_2025_demand_met(plan, case_and_fleet):
    case, _ = case_and_fleet
    opts = network_options_from_case(*case_and_fleet)
    assert opts.station_target_count == 51  # "more than 50"
    by_year = plan.plan.by_year.set_index("year")
    assert by_year.loc[2025, "stations_open"] >= 51
    assert by_year.loc[2025, "unmet_kg_per_day"] == pytest.approx(0.0, abs=1e-6)
    assert by_year.loc[2025, "served_kg_per_day"] == pytest.approx(by_year.loc[2025, "demand_kg_per_day"])


def test_target_the_candidates_cannot_meet_is_reported(case_and_fleet):
    case, fl = case_and_fleet
    opts = network_options_from_case(case, fl)
    impossible = dataclasses.replace(opts, station_target_count=500)
    plan = network_from_case(case, fl, impossible)
    text = " ".join(plan.binding)
    assert "500" in text and "station" in text
    assert plan.plan.solve.status in ("optimal", "feasible")


def test_assignment_shares_cover_each_served_depot(plan):
    a = plan.depot_assignment
    sums = a.groupby(["year", "depot_id"])["share"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    assert a["year"].min() == 2020 and a["year"].max() == 2035
    assert set(range(2020, 2036)) == set(a["year"])


def _open_year(cp) -> pd.Series:
    """First calendar year each station of a plan is open: a fixed station's sheet year, a
    built one's opening year, never for a site the plan leaves empty."""
    sheet = cp.sheet_stations.set_index("station_id")
    year = sheet["commissioning_year"].astype("Float64").fillna(np.inf).astype(float)
    year[sheet["status"] == "candidate"] = np.inf
    year.update(cp.built_stations.set_index("station_id")["commissioning_year"].astype(float))
    return year


def test_built_stations_open_no_earlier_than_planned(plan, case_and_fleet):
    case, _ = case_and_fleet
    st = case["Stations"].set_index("station_id")
    b = plan.built_stations.set_index("station_id")
    # new stations at candidate sites and at planned sites, none at existing stations
    assert set(st.loc[b.index, "status"]) == {"candidate", "planned"}
    bp = plan.plan.build_plan
    first = bp[bp["site_id"].isin(b.index)].groupby("site_id")["year"].min()
    assert (b["commissioning_year"] <= first.reindex(b.index)).all()
    # a planned station opens no earlier than its sheet year, at no more than its sheet size
    planned = b[st.loc[b.index, "status"] == "planned"]
    assert len(planned) >= 30
    assert (planned["commissioning_year"] >= st.loc[planned.index, "commissioning_year"]).all()
    assert (planned["capacity_kg_per_day"] <= st.loc[planned.index, "capacity_kg_per_day"]).all()
    a = plan.depot_assignment
    assert (a["year"].to_numpy() >= _open_year(plan).reindex(a["site_id"]).to_numpy()).all()


# --- capacity by year: expansions reach station economics -----------------------------


def test_station_capacity_is_the_plans_capacity_from_the_first_year_of_each_period(plan, case_and_fleet):
    case, _ = case_and_fleet
    cap = plan.station_capacity
    assert list(cap.columns) == ["station_id", "year", "capacity_kg_per_day"]
    assert not cap.duplicated(["station_id", "year"]).any()
    st = case["Stations"]
    # the existing stations and the new ones: the planned stations are the plan's to open
    analysed = set(st.loc[st["status"] == "existing", "station_id"]) | set(plan.built_stations["station_id"])
    assert set(cap["station_id"]) == analysed
    # One row a year from opening to the end of the plan, never shrinking.
    opening = _open_year(plan).clip(lower=2020)
    for sid, g in cap.groupby("station_id"):
        assert g["year"].tolist() == list(range(max(int(opening[sid]), 2020), 2036)), sid
        assert g["capacity_kg_per_day"].is_monotonic_increasing, sid
    # The optimiser's own capacity of each open site in each period (read from the
    # solved model), from the first calendar year of the period the site is open in.
    weights = {2027: 2, 2029: 2, 2031: 2, 2033: 2, 2035: 2}
    c = cap.set_index(["station_id", "year"])["capacity_kg_per_day"]
    ps = plan.plan.stations
    assert len(ps) > 0
    for r in ps.itertuples(index=False):
        first = max(r.year - weights.get(r.year, 1) + 1, int(opening[r.site_id]))
        for y in range(first, r.year + 1):
            assert c[(r.site_id, y)] == pytest.approx(r.capacity_kg_per_day), (r.site_id, y)
    # A new station opens at the capacity of its built row.
    b = plan.built_stations
    got = c.reindex(pd.MultiIndex.from_arrays([b["station_id"], b["commissioning_year"].astype(int)]))
    np.testing.assert_array_equal(got.to_numpy(), b["capacity_kg_per_day"].to_numpy(float))


@pytest.fixture(scope="module")
def default_run():
    return model.run(_network(load_case(DEFAULT_CASE)))


@pytest.fixture(scope="module")
def fixed_run():
    """plan-2025 run with the planned stations fixed (``plan_places_planned_stations`` = 0)."""
    return model.run(_network(load_case(DEFAULT_CASE, "plan-2025"), plan_places_planned_stations=0))


@pytest.mark.parametrize("run", ["default_run", "fixed_run"])
def test_expanded_stations_are_costed_at_their_larger_capacity_from_the_expansion_year(run, request):
    res = request.getfixturevalue(run)
    places = run == "default_run"  # the plan places the planned stations
    case = load_case(DEFAULT_CASE)
    bp, st = res["build_plan"], res["stations"]
    weight = {2027: 2, 2029: 2, 2031: 2, 2033: 2, 2035: 2}
    bp = bp.assign(from_year=bp["year"] - bp["year"].map(weight).fillna(1).astype(int) + 1)
    sheet = case["Stations"].set_index("station_id")
    optional = (sheet["status"] == "candidate") | ((sheet["status"] == "planned") & places)
    base = pd.Series(np.where(optional, 0.0, sheet["capacity_kg_per_day"]), index=sheet.index)
    expanded = 0
    for sid, g in st.groupby("station_id"):
        adds = bp[bp["site_id"] == sid]
        want = base[sid] + np.array([adds.loc[adds["from_year"] <= y, "capacity_kg_per_day"].sum()
                                     for y in g["year"]])
        np.testing.assert_allclose(g["capacity_kg_per_day"].to_numpy(), want, rtol=1e-12, err_msg=sid)
        np.testing.assert_allclose(g["utilisation"], g["h2_kg_per_day"] / want, rtol=1e-12)
        later = adds[adds["from_year"] > g["year"].min()]  # expansions of an operating station
        for y0 in later["from_year"]:
            before = g.loc[g["year"] == y0 - 1, "capacity_kg_per_day"].iloc[0]
            after = g.loc[g["year"] == y0, "capacity_kg_per_day"].iloc[0]
            assert after > before, (sid, y0)
            expanded += 1
    # the plan expands stations (with the planned stations fixed, many of them)
    assert expanded >= (3 if places else 10), expanded
    # The network's installed capacity in each period year is the plan's, plus the sheet's
    # fixed stations that open within a two-year period after its first year (the optimiser
    # counts a station from the first period it is open in for all years).
    plan_cap = res["network_plan_by_year"].set_index("year")["capacity_kg_per_day"]
    econ_cap = res["network_by_year"].set_index("year")["capacity_kg_per_day"]
    fixed = sheet[~optional]
    mid = [fixed.loc[(fixed["commissioning_year"] > y - weight.get(y, 1) + 1)
                     & (fixed["commissioning_year"] <= y), "capacity_kg_per_day"].sum()
           for y in plan_cap.index]
    np.testing.assert_allclose(econ_cap.loc[plan_cap.index], plan_cap + np.array(mid), rtol=1e-12)
    # with the planned stations fixed, some open mid-period; the existing ones open by 2022
    assert (sum(mid) > 0) == (not places)


def over_capacity(res) -> pd.DataFrame:
    st = res["stations"]
    return st[st["utilisation"] > 1 + 1e-9]


def test_no_station_sells_more_than_its_capacity_in_the_default_case(default_run):
    bad = over_capacity(default_run)
    assert bad.empty, bad[["year", "station_id", "capacity_kg_per_day", "h2_kg_per_day"]].to_string()


def test_fleet_station_loads_use_the_plans_capacity(default_run):
    load = default_run["station_load"].set_index(["year", "station_id"])
    econ = default_run["stations"].set_index(["year", "station_id"])
    both = load.join(econ[["capacity_kg_per_day"]].add_suffix("_econ"), how="inner")
    assert len(both) > 100
    np.testing.assert_array_equal(both["capacity_kg_per_day"], both["capacity_kg_per_day_econ"])
    assert (load["utilisation"] <= 1 + 1e-9).all(), load["utilisation"].max()


def test_station_supply_is_the_plans_main_source_every_calendar_year(plan):
    flows = plan.plan.supply_flows
    flows = flows[flows["kg_per_day"] > 0].sort_values(["year", "site_id", "kg_per_day"],
                                                       ascending=[True, True, False], kind="stable")
    main = flows.drop_duplicates(["year", "site_id"]).set_index(["site_id", "year"])["supply_id"]
    ss = plan.station_supply
    assert not ss.duplicated(["station_id", "year"]).any()
    period_of = {y: y + (y % 2 == 0) if y > 2025 else y for y in range(2020, 2036)}
    want = main.reindex(pd.MultiIndex.from_arrays([ss["station_id"], ss["year"].map(period_of)]))
    np.testing.assert_array_equal(ss["supply_id"].to_numpy(object), want.to_numpy(object))
    # every supplied station-period appears for each of its calendar years
    assert len(ss) == sum(2 if y > 2025 else 1 for (_, y) in main.index)


def test_stations_pinned_to_their_sheet_source_when_the_plan_may_not_choose():
    case = load_case(DEFAULT_CASE, "green-hydrogen")
    assert case.params["Network"]["plan_chooses_supply"] == 0
    res = model.run(case)
    sheet = case["Stations"].set_index("station_id")["supply_id"]
    flows = res["supply_flows"]
    flows = flows[flows["kg_per_day"] > 0]
    assert len(flows) > 50
    np.testing.assert_array_equal(flows["supply_id"].to_numpy(object),
                                  sheet.reindex(flows["site_id"]).to_numpy(object))
    st = res["stations"]
    np.testing.assert_array_equal(st["supply_id"].to_numpy(object),
                                  sheet.reindex(st["station_id"]).to_numpy(object))
    # new and candidate stations buy renewable electrolysis hydrogen, as the scenario says
    assert (st.loc[st["status"] == "built", "supply_id"] == "re_electrolysis").all()


def test_choosing_sources_never_costs_the_system_more_than_pinning_them(plan, case_and_fleet):
    # free choice of sources is a relaxation of pinning every station to its sheet source
    import dataclasses

    case, fl = case_and_fleet
    net = {**case.params["Network"], "plan_chooses_supply": 0}
    pinned = network_from_case(dataclasses.replace(case, params={**case.params, "Network": net}), fl)
    free, fixed = plan.plan.solve, pinned.plan.solve
    assert free.status == fixed.status == "optimal"
    assert free.objective_cny <= fixed.objective_cny * (1 + free.gap + fixed.gap) + 1.0
    assert free.objective_cny < fixed.objective_cny  # the sheet's sources are not the cheapest mix
    main = plan.station_supply.merge(pinned.station_supply, on=["station_id", "year"],
                                     suffixes=("", "_pinned"))
    assert (main["supply_id"] != main["supply_id_pinned"]).any()


def test_station_economics_and_the_plan_charge_the_same_delivery_for_each_source_station_year(
        plan, case_and_fleet):
    # Every station-year station economics prices at the plan's source pays the delivery the
    # plan charged for that (source, station) in the period of that year; re-sourced on-site
    # stations included (NS-P05 buys by-product hydrogen in 2025 and pays the trailer).
    from h2model import station

    case, _ = case_and_fleet
    sy = station.station_years(case, built=plan.built_stations, station_capacity=plan.station_capacity,
                               station_supply=plan.station_supply)
    costs = station.station_year_costs(case, sy)
    econ = pd.DataFrame({
        "station_id": sy.stations["station_id"].to_numpy(object)[sy.station_index],
        "year": sy.years[sy.year_index],
        "supply_id": case["Supply"]["supply_id"].to_numpy(object)[sy.supply_row],
        "delivery_econ": costs["delivery_cny_per_kg"]})
    flows = plan.plan.supply_flows
    period_of = {y: y + (y % 2 == 0) if y > 2025 else y for y in range(2020, 2036)}
    econ["period"] = econ["year"].map(period_of)
    both = econ.merge(flows.rename(columns={"site_id": "station_id", "year": "period"}),
                      on=["station_id", "period", "supply_id"], validate="many_to_one")
    assert len(both) > 300  # every supplied station-year
    np.testing.assert_allclose(both["delivery_econ"], both["delivery_cny_per_kg"], rtol=1e-12, atol=0)
    ns = both[(both["station_id"] == "NS-P05") & (both["year"] == 2025)]
    assert ns["supply_id"].tolist() == ["nansha_chem_byproduct"]
    assert float(ns["delivery_econ"].iloc[0]) > 3.0


# --- demand that reaches the stations the plan builds ----------------------------------

#: plan-2025 on main before en-route demand points: 52 stations operating in 2025, 23 selling.
IDLE_2025_BEFORE = 52 - 23


def _fleet_selling(case, cp):
    """Station loads on the plan's assignment, by the fleet's flows (not the adapter's
    count), and the number of stations selling in each year."""
    load = fleet.fleet_from_case(case, assignment=cp.depot_assignment,
                                 station_capacity=cp.station_capacity).station_load
    return load, load[load["h2_kg_per_day"] > 0].groupby("year")["station_id"].nunique()


def test_en_route_demand_reaches_most_stations_open_in_2025(fixed_case_and_plan):
    # the sheet's 52 stations of 2025 all open (planned stations fixed), as before
    case, plan = fixed_case_and_plan
    fl = fleet.fleet_from_case(case)
    kinds = fl.demand_by_depot.groupby("node_kind")["depot_id"].nunique()
    assert kinds["depot"] == len(case["Depots"]) and kinds["en_route"] == len(case["DemandPoints"])
    load, _ = _fleet_selling(case, plan)
    y25 = load[load["year"] == 2025]
    idle = int((y25["h2_kg_per_day"] <= 0).sum())
    assert len(y25) >= 51
    assert idle < IDLE_2025_BEFORE / 2, idle  # depot-only demand left 29 of 52 idle
    # every station the plan builds at a candidate site sells from its opening year
    b = plan.built_stations
    first = load.merge(b[["station_id", "commissioning_year"]], left_on=["station_id", "year"],
                       right_on=["station_id", "commissioning_year"])
    assert len(first) == len(b) and (first["h2_kg_per_day"] > 0).all()


def test_justified_stations_are_the_plans_selling_stations_when_the_sheet_meets_the_target(
        fixed_case_and_plan):
    case, plan = fixed_case_and_plan
    # With the planned stations fixed, the sheet's existing and planned stations number 52
    # by 2025: the target of 51 cannot change the plan, so no second solve and the plan's
    # own count.
    fixed = case["Stations"]
    assert ((fixed["status"] != "candidate") & (fixed["commissioning_year"] <= 2025)).sum() >= 51
    j = plan.stations_justified
    assert j["year"].tolist() == list(range(2020, 2036))
    _, selling = _fleet_selling(case, plan)
    np.testing.assert_array_equal(j["stations_justified_by_demand"], selling.reindex(j["year"], fill_value=0))
    assert plan.tables()["network_justified_stations"] is j


def test_a_target_beyond_the_fixed_stations_reports_what_demand_alone_justifies(plan, free_plan,
                                                                                  case_and_fleet):
    # With the planned stations placed by the plan, only the 7 existing stations are fixed:
    # the target of 51 by 2025 binds, and a second solve without it counts the stations
    # demand alone justifies.
    case, _ = case_and_fleet
    st = case["Stations"]
    assert ((st["status"] == "existing") & (st["commissioning_year"] <= 2025)).sum() == 7
    assert plan.plan.by_year.set_index("year").loc[2025, "stations_open"] >= 51
    assert free_plan.plan.by_year.set_index("year").loc[2025, "stations_open"] < 51
    _, selling_free = _fleet_selling(case, free_plan)
    j = plan.stations_justified.set_index("year")["stations_justified_by_demand"]
    np.testing.assert_array_equal(j, selling_free.reindex(j.index, fill_value=0))
    assert j.loc[2025] < 51
    # the target adds stations: the forced plan sells at more stations than demand justifies
    _, selling = _fleet_selling(case, plan)
    assert selling.loc[2025] > j.loc[2025]
    # and costs more (discounted system cost), within the two solves' gaps
    forced, free = plan.plan.solve, free_plan.plan.solve
    assert forced.status == free.status == "optimal"
    assert forced.objective_cny * (1 + forced.gap) > free.objective_cny


# --- the plan places the planned stations --------------------------------------------


def _planned(case) -> pd.DataFrame:
    st = case["Stations"]
    return st[st["status"] == "planned"].set_index("station_id")


def test_the_station_target_binds_and_demand_alone_justifies_fewer(default_run, free_plan, case_and_fleet):
    case, _ = case_and_fleet
    net = default_run["network_by_year"].set_index("year")
    operating = default_run["stations"].groupby("year")["station_id"].nunique()
    assert operating.loc[2025] >= 51 and net.loc[2025, "stations_operating"] == operating.loc[2025]
    # every operating station is either existing or one the plan opened
    st25 = default_run["stations"].query("year == 2025")
    assert set(st25["status"]) == {"existing", "built"}
    _, selling_free = _fleet_selling(case, free_plan)
    assert net.loc[2025, "stations_justified_by_demand"] == selling_free.loc[2025]
    assert net.loc[2025, "stations_justified_by_demand"] < operating.loc[2025]
    t = default_run["targets"].set_index("target")
    assert t.loc["stations", "kind"] == "constraint" and t.loc["stations", "achieved"] >= 51


def test_a_planned_station_the_plan_leaves_empty_operates_nowhere(default_run, case_and_fleet):
    case, _ = case_and_fleet
    planned = _planned(case)
    opened = set(default_run["build_plan"]["site_id"])
    empty = sorted(set(planned.index) - opened)
    assert len(empty) >= 3, empty  # the target needs 44 of the 58 optional sites of 2025
    for table in ("stations", "station_load", "station_assignment", "station_subsidies"):
        assert not default_run[table]["station_id"].isin(empty).any(), table
    # the ones it opens are costed, loaded and paid from the year it opens them, not before
    st = default_run["stations"]
    first = st[st["station_id"].isin(planned.index)].groupby("station_id")["year"].min()
    assert set(first.index) == set(planned.index) & opened
    load = default_run["station_load"]
    first_load = load[load["station_id"].isin(planned.index)].groupby("station_id")["year"].min()
    # (the fleet lists a built station in the years demand reaches it: not before it opens)
    assert (first_load >= first.reindex(first_load.index)).all() and len(first_load) >= 30
    subs = default_run["station_subsidies"]
    paid = subs[subs["station_id"].isin(planned.index)].groupby("station_id")["year"].min()
    assert len(paid) > 0 and (paid >= first.reindex(paid.index)).all()


def test_no_planned_station_opens_before_its_sheet_year(default_run, case_and_fleet):
    case, _ = case_and_fleet
    planned = _planned(case)
    st = default_run["stations"]
    first = st[st["station_id"].isin(planned.index)].groupby("station_id")["year"].min()
    assert len(first) >= 30
    assert (first >= planned.loc[first.index, "commissioning_year"]).all()
    # some open later than their sheet year, where demand or the target needs them later
    assert (first > planned.loc[first.index, "commissioning_year"]).any()
    # never larger than the sheet size, expansions included
    size = st[st["station_id"].isin(planned.index)].groupby("station_id")["capacity_kg_per_day"].max()
    assert (size <= planned.loc[size.index, "capacity_kg_per_day"]).all()


def test_with_the_flag_at_0_every_planned_station_operates_from_its_sheet_year(fixed_run):
    case = load_case(DEFAULT_CASE)
    planned = _planned(case)
    st = fixed_run["stations"]
    years = st[st["station_id"].isin(planned.index)].groupby("station_id")["year"].agg(["min", "max", "size"])
    assert set(years.index) == set(planned.index)
    np.testing.assert_array_equal(years["min"], planned.loc[years.index, "commissioning_year"])
    assert (years["max"] == 2035).all() and (years["size"] == 2036 - years["min"]).all()
    assert (st.loc[st["station_id"].isin(planned.index), "status"] == "planned").all()
    # 5 placeholder and 2 sourced existing stations and 45 planned ones by 2025
    assert st.loc[st["year"] == 2025, "station_id"].nunique() == 52
    assert load_case(DEFAULT_CASE, "baseline").params["Network"]["plan_places_planned_stations"] == 0


def test_covering_rows_leave_the_default_optimum_unchanged(plan, case_and_fleet):
    """The covering rows are valid (redundant for integer plans): plan-2025 with them
    solves to the same optimum, within the sheet's MIP gap of either solve."""
    opts = network_options_from_case(*case_and_fleet)
    covered = network_from_case(*case_and_fleet, dataclasses.replace(opts, covering_rows=True))
    a, b = plan.plan.solve, covered.plan.solve
    assert b.status == "optimal"
    assert abs(a.objective_cny - b.objective_cny) <= opts.mip_gap * max(a.objective_cny, b.objective_cny)
    # each solve's bound lies below the other's plan: both bound the same optimum
    assert b.bound_cny <= a.objective_cny * (1 + 1e-9) and a.bound_cny <= b.objective_cny * (1 + 1e-9)


def test_relax_and_fix_start_gives_a_feasible_plan_near_the_optimum(plan, case_and_fleet):
    """plan-2025 from the relax-and-fix start, 60 s in all (30 s for the heuristic): a plan
    with a solution that meets the 2025 targets, never below the proven optimum's bound."""
    opts = network_options_from_case(*case_and_fleet)
    rf = dataclasses.replace(opts, start="relax_and_fix", time_limit_s=60.0)
    cp = network_from_case(*case_and_fleet, rf)
    info, best = cp.plan.solve, plan.plan.solve
    assert "relax_and_fix" in info.message
    assert info.has_solution and info.status in ("optimal", "feasible")
    assert info.objective_cny >= best.bound_cny * (1 - 1e-9)
    by_year = cp.plan.by_year.set_index("year")
    assert by_year.loc[2025, "stations_open"] >= opts.station_target_count
    assert by_year.loc[2025, "unmet_kg_per_day"] == pytest.approx(0.0, abs=1e-6)
