"""The network price recovers the cost of every operating station, idle ones included.

Checks of the headline of issue #11 (commit 4a5e3b7): the network price of a year is
the sum of the annualised costs of all operating station-years over the kg sold; an
idle station adds its annualised cost (checked by hand against the finance engine's
equations and the textbook capital recovery formula); no station-year sells more than
``Network.max_capacity_factor`` of its capacity (station economics, the fleet and the
network plan); the targets table labels its figures and compares the price in nominal
CNY, with Monte Carlo percentiles recomputed here from the draws.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd
import pytest

from h2model import fleet, model, station, uncertainty
from h2model.finance import FinanceAssumptions, breakeven_price
from h2model.inputs import DEFAULT_CASE, load_case
from tests.data import report_case

PLAIN = FinanceAssumptions(discount_rate=0.08, station_life_years=20)  # no tax, VAT, inflation or debt
REL = 1e-9


@functools.cache
def plan_case():
    return load_case(DEFAULT_CASE, "plan-2025")


def with_network(case, **params):
    """The case with some Network params replaced (no re-validation)."""
    return dataclasses.replace(case, params={**case.params, "Network": {**case.params["Network"], **params}})


def variant(case, **tables):
    """The case with some tables replaced (no re-validation)."""
    return dataclasses.replace(case, tables={**case.tables, **tables})


def no_ramp(fin: FinanceAssumptions) -> FinanceAssumptions:
    """The station-year convention: flat sales from the first operating year."""
    return dataclasses.replace(fin, ramp_up_years=0, ramp_start_share=1.0)


def crf(r: float, n: int) -> float:
    return r / (1.0 - (1.0 + r) ** -n)


@pytest.fixture(scope="module")
def planned():
    """The default case with the network plan (the headline run, shared by the test session:
    ``run(plan-2025, mc_draws=200)``)."""
    return report_case.default_results()


@pytest.fixture(scope="module")
def planned_half():
    """The same with ``Network.max_capacity_factor`` = 0.5."""
    return model.run(with_network(plan_case(), max_capacity_factor=0.5))


# --- 1. the network price recovers every operating station's cost ---------------------


def test_network_price_times_sales_is_the_cost_of_every_operating_station(planned):
    s, net = planned["stations"], planned["network_by_year"].set_index("year")
    assert not s.duplicated(["year", "station_id"]).any()
    idle_years = 0
    for y, g in s.groupby("year"):
        kg = g["kg_sold_per_year"].sum()
        idle = g["kg_sold_per_year"] == 0
        assert net.loc[y, "stations_operating"] == len(g)
        assert net.loc[y, "stations_idle"] == int(idle.sum())
        assert net.loc[y, "h2_kg_per_year"] == pytest.approx(kg, rel=REL)
        for sfx in ("", "_with_subsidy"):
            cost = g[f"annualised_cost{sfx}_cny_per_year"]
            assert np.isfinite(cost).all() and (cost > 0).all(), (y, sfx)
            price = net.loc[y, f"network_price{sfx}_cny_per_kg"]
            assert price * kg == pytest.approx(cost.sum(), rel=REL), (y, sfx)
            assert net.loc[y, f"annualised_cost{sfx}_cny_per_year"] == pytest.approx(cost.sum(), rel=REL)
            if idle.any():
                # leaving out the idle stations would understate the price by their cost
                sellers_only = cost[~idle].sum() / kg
                assert price - sellers_only == pytest.approx(cost[idle].sum() / kg, rel=1e-6)
                assert price > sellers_only
        idle_years += bool(idle.any())
    assert idle_years >= 5  # the plan leaves stations idle in several years: the test bites
    assert net.loc[2025, "stations_idle"] > 0


# --- 2. where a station sells, annualised cost = break-even price x kg sold ------------


def test_sellers_annualised_cost_is_breakeven_price_times_sales(planned):
    s = planned["stations"]
    sells = s["kg_sold_per_year"] > 0
    assert sells.sum() > 100 and (~sells).sum() > 20
    q = s.loc[sells, "kg_sold_per_year"]
    for sfx in ("", "_with_subsidy"):
        np.testing.assert_allclose(s.loc[sells, f"annualised_cost{sfx}_cny_per_year"],
                                   s.loc[sells, f"breakeven_price{sfx}_cny_per_kg"] * q, rtol=REL)
        # idle rows: no price, but a finite cost
        assert s.loc[~sells, f"breakeven_price{sfx}_cny_per_kg"].isna().all()
        assert np.isfinite(s.loc[~sells, f"annualised_cost{sfx}_cny_per_year"]).all()


# --- 3. the capacity-factor limit -------------------------------------------------------


def _check_capacity_limit(res, factor: float) -> None:
    s = res["stations"]
    limit = factor * s["capacity_kg_per_day"] * 365.0
    assert (s["kg_sold_per_year"] <= limit * (1 + 1e-12)).all()
    assert s["utilisation"].max() == pytest.approx(factor, rel=1e-9)  # the limit binds somewhere
    ns = res["network_stations"]
    assert len(ns) > 0
    assert (ns["throughput_kg_per_day"] <= factor * ns["capacity_kg_per_day"] + 1e-6).all()
    assert (ns["throughput_kg_per_day"] / ns["capacity_kg_per_day"]).max() == pytest.approx(factor, rel=1e-6)
    # The fleet's station load already respects the limit, so station economics does not
    # silently cut demand (it caps loads at the same limit).
    sl = res["station_load"]
    assert (sl["h2_kg_per_day"] <= factor * sl["capacity_kg_per_day"] + 1e-6).all()
    m = s.merge(sl[["year", "station_id", "h2_kg_per_day"]], on=["year", "station_id"], how="left",
                suffixes=("", "_fleet"), validate="one_to_one")
    np.testing.assert_allclose(m["h2_kg_per_day"], m["h2_kg_per_day_fleet"].fillna(0.0), rtol=0, atol=1e-6)


def test_no_station_year_sells_beyond_the_capacity_factor(planned):
    assert fleet.max_capacity_factor(plan_case()) == 0.8
    _check_capacity_limit(planned, 0.8)


def test_a_lower_capacity_factor_is_respected_by_the_plan(planned_half, planned):
    _check_capacity_limit(planned_half, 0.5)
    # ... and it changes the plan: at 0.5 some 0.8 plan station-year would be over the limit
    ns = planned["network_stations"]
    assert (ns["throughput_kg_per_day"] > 0.5 * ns["capacity_kg_per_day"] + 1e-6).any()


# --- 4. one idle station adds its annualised cost, by hand -------------------------------

IDLE = "HP-P09"  # combined, 35 MPa, 1,000 kg/day, commissioned 2024, land lease 150,000 CNY/yr
LOADS = pd.DataFrame({"year": [2025, 2025], "station_id": ["HP-P07", "HP-E1"],
                      "h2_kg_per_day": [1000.0, 300.0]})


def _idle_inputs(case):
    """K, F, land lease and compressor replacement share of the idle station, read from
    the Stations and StationCosts sheets."""
    stn = case["Stations"].set_index("station_id").loc[IDLE]
    sc = case["StationCosts"]
    c = sc[(sc["station_type"] == stn["station_type"]) & (sc["pressure_mpa"] == int(stn["pressure_mpa"]))]
    assert len(c) == 1
    c = c.iloc[0]
    k_excl = c["capex_excl_land_cny"] * (stn["capacity_kg_per_day"] / c["reference_capacity_kg_per_day"]) \
        ** c["scale_exponent"]
    capex = k_excl + c["land_cost_cny"]
    fixed = c["fixed_om_share_per_year"] * k_excl + c["staff_count"] * c["staff_cost_cny_per_person_year"]
    return capex, fixed, float(c["land_lease_cny_per_year"]), c["share_compressor"] * k_excl / capex, \
        int(c["compressor_life_years"])


@pytest.mark.parametrize("finance", ["plain", "case"])
def test_an_idle_station_raises_the_network_price_by_its_annualised_cost(finance):
    full = variant(plan_case(), Policy=plan_case()["Policy"].iloc[:0])  # subsidies off
    stations = full["Stations"]
    without = variant(full, Stations=stations[stations["station_id"] != IDLE].reset_index(drop=True))
    fin = PLAIN if finance == "plain" else FinanceAssumptions.from_mapping(full.finance)
    a = station.station_economics(without, loads=LOADS, year=2025, finance=fin)
    b = station.station_economics(full, loads=LOADS, year=2025, finance=fin)
    sa, sb = a.stations, b.stations
    x = sb[sb["station_id"] == IDLE]
    assert len(x) == 1 and x["kg_sold_per_year"].iloc[0] == 0 and x["commissioning_year"].iloc[0] < 2025
    cost = float(x["annualised_cost_cny_per_year"].iloc[0])
    assert cost > 0
    assert float(x["annualised_cost_with_subsidy_cny_per_year"].iloc[0]) == pytest.approx(cost, rel=1e-12)
    # Every other row is the same.
    rest = sb[sb["station_id"] != IDLE].reset_index(drop=True)
    pd.testing.assert_frame_equal(rest, sa.reset_index(drop=True), check_exact=False, rtol=1e-13)
    na, nb = a.network.iloc[0], b.network.iloc[0]
    kg = 1300.0 * 365.0
    assert na["h2_kg_per_year"] == kg and nb["h2_kg_per_year"] == kg
    assert nb["stations_idle"] == na["stations_idle"] + 1
    for sfx in ("", "_with_subsidy"):
        col = f"network_price{sfx}_cny_per_kg"
        assert nb[col] - na[col] == pytest.approx(cost / kg, rel=REL)

    capex, fixed, lease, rep_share, n_rep = _idle_inputs(full)
    assert x["capex_cny"].iloc[0] == pytest.approx(capex, rel=1e-12)
    if finance == "plain":
        # Textbook: (K + X v^n) CRF + F + lease, nothing sold, no VAT.
        hand = (capex + rep_share * capex * 1.08**-n_rep) * crf(0.08, 20) + fixed + lease
    else:
        # The engine's B/A at unit sales with no variable cost, times (1 + VAT).
        rep = np.zeros(fin.station_life_years)
        rep[n_rep - 1] = rep_share
        hand = float(breakeven_price(capex, fixed, 0.0, 1.0, no_ramp(fin), land_lease_cny_per_year=lease,
                                     replacement_share=rep)) * (1.0 + fin.vat_rate)
    assert cost == pytest.approx(hand, rel=REL)


def test_an_idle_station_with_the_case_subsidies():
    # With the Policy sheet, the idle station's subsidised cost enters the subsidised price.
    full = plan_case()
    stations = full["Stations"]
    without = variant(full, Stations=stations[stations["station_id"] != IDLE].reset_index(drop=True))
    a = station.station_economics(without, loads=LOADS, year=2025)
    b = station.station_economics(full, loads=LOADS, year=2025)
    x = b.stations[b.stations["station_id"] == IDLE].iloc[0]
    kg = 1300.0 * 365.0
    for sfx in ("", "_with_subsidy"):
        col = f"network_price{sfx}_cny_per_kg"
        got = b.network.iloc[0][col] - a.network.iloc[0][col]
        assert got == pytest.approx(x[f"annualised_cost{sfx}_cny_per_year"] / kg, rel=REL)
    assert 0 < x["annualised_cost_with_subsidy_cny_per_year"] <= x["annualised_cost_cny_per_year"]


# --- 5. annualised_costs near zero sales -----------------------------------------------

K, F, C_VAR, LEASE = 8e6, 6e5, 25.0, 1e5
REP = np.eye(20)[9] * 0.15


def test_annualised_cost_without_tax_adds_exactly_the_variable_cost():
    q = np.array([0.0, 1e-3, 1.0, 365_000.0])
    none, sub = station.annualised_costs(K, F, C_VAR, q, no_ramp(PLAIN), land_lease_cny_per_year=LEASE,
                                         replacement_share=REP)
    fixed = (K + 0.15 * K * 1.08**-10) * crf(0.08, 20) + F + LEASE
    assert none[0] == pytest.approx(fixed, rel=REL)
    np.testing.assert_allclose(none - none[0], C_VAR * q, rtol=0, atol=REL * fixed)
    assert none[-1] - none[0] == pytest.approx(C_VAR * q[-1], rel=REL)
    np.testing.assert_allclose(sub, none, rtol=1e-14)


def test_annualised_cost_is_the_breakeven_revenue_and_continuous_at_zero_sales():
    # the case's finance: tax, debt, inflation, working capital
    fin = no_ramp(FinanceAssumptions.from_mapping(plan_case().finance))
    L = fin.station_life_years
    grant, per_kg = 2e6, np.r_[np.full(5, 4.0), np.zeros(L - 5)]
    q = np.array([0.0, 1e-3, 0.5, 365_000.0])
    none, sub = station.annualised_costs(K, F, C_VAR, q, fin, land_lease_cny_per_year=LEASE,
                                         replacement_share=REP, capital_subsidy_cny=grant,
                                         operating_subsidy_cny_per_kg=np.tile(per_kg, (len(q), 1)))
    common = {"land_lease_cny_per_year": LEASE, "replacement_share": REP}
    for i in range(1, len(q)):  # q > 0: break-even price x kg, computed directly
        p = float(breakeven_price(K, F, C_VAR, q[i], fin, **common))
        p_sub = float(breakeven_price(K, F, C_VAR, q[i], fin, capital_subsidy_cny=grant,
                                      operating_subsidy_cny_per_kg=per_kg, **common))
        assert none[i] == pytest.approx(p * q[i], rel=REL)
        assert sub[i] == pytest.approx(p_sub * q[i], rel=REL)
    # q = 0: the fixed part, and the grant still counts; per-kg subsidies do not.
    assert none[0] == pytest.approx(float(breakeven_price(K, F, 0.0, 1.0, fin, **common)), rel=REL)
    assert sub[0] == pytest.approx(float(breakeven_price(K, F, 0.0, 1.0, fin, capital_subsidy_cny=grant,
                                                         **common)), rel=REL)
    assert sub[0] < none[0]
    # Linear in q: the marginal cost per kg is the engine's price of a pure variable cost
    # (above C_VAR: tax and working capital gross it up), and q -> 0 approaches the idle value.
    m = float(breakeven_price(0.0, 0.0, C_VAR, 1.0, fin))
    assert m > C_VAR
    np.testing.assert_allclose(none - none[0], m * q, rtol=0, atol=REL * none[0])
    assert none[-1] - none[0] == pytest.approx(m * q[-1], rel=1e-9)
    assert abs(none[1] - none[0]) < 1e-9 * none[0] + 1e-3 * m


# --- 6. the targets table ---------------------------------------------------------------


def test_targets_kinds_and_nominal_price_with_the_plan(planned):
    case = plan_case()
    assert int(case.params["Network"]["enforce_station_target"]) == 1
    t = planned["targets"].set_index("target")
    assert t.loc["fcev", "kind"] == "input"
    assert t.loc["stations", "kind"] == "constraint"
    assert t.loc["price", "kind"] == "outcome"
    fin = case.params["Finance"]
    real = planned["network_by_year"].set_index("year").loc[2025, "network_price_with_subsidy_cny_per_kg"]
    nominal = real * (1.0 + fin["inflation_rate"]) ** (2025 - fin["price_year"])
    assert fin["inflation_rate"] > 0 and fin["price_year"] < 2025  # so real and nominal differ
    assert t.loc["price", "achieved"] == pytest.approx(nominal, rel=1e-12)
    assert bool(t.loc["price", "met"]) == (nominal < 35.0)
    assert t.loc["price", "gap"] == pytest.approx(nominal - 35.0, abs=1e-9)
    s = planned["stations"]
    assert t.loc["stations", "achieved"] == s.loc[s["year"] == 2025, "station_id"].nunique()
    fl = planned["fleet"]
    assert t.loc["fcev", "achieved"] == fl.loc[fl["year"] == 2025, "fcev_in_service"].sum()
    band = ["median", "p5", "p95", "prob_met"]
    assert t.loc[["fcev", "stations"], band].isna().all().all()  # inputs and constraints: no draws
    assert t.loc["price", "p5"] <= t.loc["price", "median"] <= t.loc["price", "p95"]
    assert 0.0 <= t.loc["price", "prob_met"] <= 1.0


@pytest.mark.parametrize(("enforce", "plan", "kind"), [(1, True, "constraint"), (0, True, "input"),
                                                       (1, False, "input")])
def test_station_target_kind(enforce, plan, kind):
    case = with_network(plan_case(), enforce_station_target=enforce)
    fl = fleet.fleet_from_case(case)
    econ = station.station_economics(case, loads=fl.station_load, year=2025)
    t = model.targets_table(case, fl, econ, plan_network=plan).set_index("target")
    assert t.loc["stations", "kind"] == kind
    assert t.loc["fcev", "kind"] == "input" and t.loc["price", "kind"] == "outcome"


def test_monte_carlo_columns_are_the_nominal_draw_statistics():
    case = plan_case()
    res = model.run(case, plan_network=False, mc_draws=64, mc_seed=3)
    t = res["targets"].set_index("target")
    assert t.loc["stations", "kind"] == "input"
    for other in ("fcev", "stations"):
        assert t.loc[other, ["median", "p5", "p95", "prob_met"]].isna().all()
    # The same draws, recomputed here (run passes its own fleet and no plan).
    mc = uncertainty.monte_carlo(case, 64, 3, fleet=fleet.fleet_from_case(case))
    j = list(mc.years).index(2025)
    fin = case.params["Finance"]
    nominal = mc.network_price_draws[:, j] * (1.0 + fin["inflation_rate"]) ** (2025 - fin["price_year"])
    ok = nominal[np.isfinite(nominal)]
    assert len(ok) == 64 and np.ptp(ok) > 1.0  # the draws vary
    p5, p50, p95 = np.percentile(ok, [5, 50, 95])
    target = case["Targets"].set_index("target_id").loc["price"]
    assert (target["comparator"], float(target["value"])) == ("<", 35.0)
    prob = float(np.mean(nominal < 35.0))
    row = t.loc["price"]
    assert row["median"] == pytest.approx(p50, rel=1e-12)
    assert row["p5"] == pytest.approx(p5, rel=1e-12)
    assert row["p95"] == pytest.approx(p95, rel=1e-12)
    assert row["prob_met"] == pytest.approx(prob, abs=1e-12)
    assert row["p5"] <= row["median"] <= row["p95"] and 0.0 <= row["prob_met"] <= 1.0
    summ = res["uncertainty_summary"].iloc[0]
    assert summ["basis"] == "nominal CNY of 2025"
    for a, b in (("p5", "p5"), ("median", "p50"), ("p95", "p95"), ("prob_met", "prob_meets_target")):
        assert row[a] == pytest.approx(summ[b], rel=1e-12, abs=1e-15)
    # The deterministic figure is the Monte Carlo engine's base (every input at its base).
    assert row["achieved"] == pytest.approx(summ["base_cny_per_kg"], rel=1e-9)


def test_station_target_counts_only_stations_in_the_cases_districts():
    """A station row without one of the case's districts (a corridor station outside
    Guangzhou) is analysed but not counted toward the '>50 stations' target."""
    case = plan_case()
    fl = fleet.fleet_from_case(case)
    econ = station.station_economics(case, loads=fl.station_load, year=2025)
    base = model.targets_table(case, fl, econ, plan_network=False).set_index("target")
    s = econ.stations
    extra = s[s["year"] == 2025].head(2).copy()
    extra["station_id"] = ["OUT-1", "IN-1"]
    extra["district"] = [None, case["Districts"]["district"].iloc[0]]
    econ2 = dataclasses.replace(econ, stations=pd.concat([s, extra], ignore_index=True))
    t = model.targets_table(case, fl, econ2, plan_network=False).set_index("target")
    assert t.loc["stations", "achieved"] == base.loc["stations", "achieved"] + 1
