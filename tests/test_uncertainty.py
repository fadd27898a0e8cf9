"""Tests for h2model.uncertainty: the draws axis runs the deterministic engines.

Three kinds of truth: (1) with zero-width distributions the Monte Carlo reproduces
``model.run`` / ``station_economics`` exactly, an independent check that the draws go
through the same engine; (2) analytical values for the Sobol estimators (Ishigami and
linear test functions); (3) invariants -- same seed same numbers bit for bit,
ordered percentiles, monotone break-even frontier, non-negative sorted tornado,
located errors for bad Uncertainty rows.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from h2model import model, uncertainty
from h2model.finance import FinanceAssumptions, breakeven_price
from h2model.fleet import max_capacity_factor
from h2model.inputs import DEFAULT_CASE, InputError, load_case

PRICE_TARGET = 35.0
TARGET_YEAR = 2025


@functools.cache
def default_case():
    return load_case(DEFAULT_CASE)


@functools.cache
def deterministic(case_key: str = "default"):
    return model.run(default_case(), plan_network=False)


def with_uncertainty(case, table: pd.DataFrame):
    return dataclasses.replace(case, tables={**case.tables, "Uncertainty": table.reset_index(drop=True)})


def zero_width(case, drop_sheets=(), only=None):
    """Every Uncertainty row of the case with its distribution collapsed on the base."""
    unc = case["Uncertainty"].copy()
    if only is not None:
        unc = unc[unc["input_id"].isin(only)]
    unc = unc[~unc["sheet"].isin(drop_sheets)].reset_index(drop=True)
    inputs = {u.input_id: u for u in uncertainty.uncertain_inputs(with_uncertainty(case, unc))}
    for i, r in unc.iterrows():
        base = 1.0 if r["relative"] else float(inputs[r["input_id"]].base[0])
        if r["distribution"] in ("uniform", "triangular"):
            unc.loc[i, ["low", "high"]] = base
            unc.loc[i, "mode"] = base if r["distribution"] == "triangular" else np.nan
        elif r["distribution"] == "normal":
            unc.loc[i, ["low", "high"]] = [base, 0.0]
        else:  # lognormal: exp(low); exact only for factors (exp(0) = 1)
            assert r["relative"], "absolute lognormal rows have no exact zero-width form"
            unc.loc[i, ["low", "high"]] = [0.0, 0.0]
    return with_uncertainty(case, unc)


def fixed_at(case, **factors):
    """Only the named relative inputs, each fixed at a factor."""
    unc = case["Uncertainty"]
    unc = unc[unc["input_id"].isin(factors)].copy()
    unc["distribution"] = "uniform"
    unc["low"] = unc["high"] = unc["input_id"].map(factors).astype(float)
    unc["mode"] = np.nan
    return with_uncertainty(case, unc)


def station_values(res, quantity: str, column: str) -> pd.Series:
    s = res.station_price
    s = s[s["quantity"] == quantity]
    return s.set_index(["year", "station_id"])[column]


@functools.cache
def mc_small():
    return uncertainty.monte_carlo(default_case(), n=200, seed=11, years=[2023, 2025], sobol_n=32)


# --- the same engine: zero-width distributions reproduce the deterministic run ---------


def test_zero_width_reproduces_station_economics_bit_for_bit():
    # Without Finance rows every drawn input enters elementwise, so the draws axis
    # must give exactly the deterministic numbers.
    case = zero_width(default_case(), drop_sheets=("Finance",))
    res = uncertainty.monte_carlo(case, n=16, seed=3, sobol_n=0, frontier=False)
    det = deterministic()
    stations = det["stations"].set_index(["year", "station_id"])
    for quantity in ("breakeven_price_with_subsidy_cny_per_kg", "breakeven_price_cny_per_kg",
                     "kg_sold_per_year"):
        want = stations.loc[station_values(res, quantity, "p50").index, quantity]
        for col in ("p5", "p50", "p95", "base"):
            got = station_values(res, quantity, col)
            assert np.array_equal(got.to_numpy(), want.to_numpy()), (quantity, col)
    sold = stations[stations["kg_sold_per_year"] > 0]
    assert len(station_values(res, "kg_sold_per_year", "p50")) == len(sold)
    net = det["network_by_year"].set_index("year")["network_price_with_subsidy_cny_per_kg"]
    net = net.loc[res.years]
    draws = res.network_price_draws
    assert draws.shape == (16, len(res.years))
    assert np.array_equal(draws, np.broadcast_to(net.to_numpy(), draws.shape), equal_nan=True)


def test_zero_width_with_finance_draws_matches_to_rounding_and_probabilities_are_0_or_1():
    # A drawn discount rate takes the finance engine's per-case path (discount factors
    # by repeated multiplication instead of a shared power), equal to rounding.
    case = zero_width(default_case())
    res = uncertainty.monte_carlo(case, n=8, seed=5, sobol_n=0, frontier=False)
    det = deterministic()
    net = det["network_by_year"].set_index("year")["network_price_with_subsidy_cny_per_kg"]
    want = np.broadcast_to(net.loc[res.years], (8, len(res.years)))
    np.testing.assert_allclose(res.network_price_draws, want, rtol=1e-14)
    stations = det["stations"].set_index(["year", "station_id"])
    got = station_values(res, "breakeven_price_with_subsidy_cny_per_kg", "p50")
    np.testing.assert_allclose(got, stations.loc[got.index, "breakeven_price_with_subsidy_cny_per_kg"],
                               rtol=1e-14)

    summary = res.summary.iloc[0]
    met = bool(det["targets"].set_index("target").loc["price", "met"])
    assert summary["prob_meets_target"] == float(met)
    assert summary["p5"] == pytest.approx(summary["p95"], rel=1e-15)

    par = det["tco_parity"].set_index(["segment", "alternative", "purchase_year"])["at_parity"]
    mc = res.parity.set_index(["segment", "alternative", "purchase_year"])
    assert set(mc["prob_parity"].unique()) <= {0.0, 1.0}
    assert (mc["prob_parity"] == par.loc[mc.index].astype(float)).all()
    assert (mc["base_at_parity"] == par.loc[mc.index]).all()


def test_without_uncertainty_rows_every_draw_is_the_deterministic_case():
    case = with_uncertainty(default_case(), default_case()["Uncertainty"].iloc[:0])
    res = uncertainty.monte_carlo(case, n=4, seed=0, years=[TARGET_YEAR], sobol_n=16, frontier=False)
    net = deterministic()["network_by_year"].set_index("year").loc[TARGET_YEAR,
                                                                     "network_price_with_subsidy_cny_per_kg"]
    assert np.all(res.network_price_draws == net)
    assert res.tornado.empty and res.sobol.empty and res.draws.shape == (4, 0)


# --- reproducibility and table invariants --------------------------------------------------


def test_same_seed_same_numbers_bit_for_bit():
    a = mc_small()
    b = uncertainty.monte_carlo(default_case(), n=200, seed=11, years=[2023, 2025], sobol_n=32)
    assert np.array_equal(a.draws, b.draws) and np.array_equal(a.network_price_draws, b.network_price_draws)
    for name, df in a.tables().items():
        pd.testing.assert_frame_equal(df, b.tables()[name], check_exact=True, obj=name)
    c = uncertainty.monte_carlo(default_case(), n=200, seed=12, years=[2025], sobol_n=0, frontier=False)
    assert not np.array_equal(a.draws, c.draws)


def test_tables_for_the_report():
    res = mc_small()
    assert set(res.tables()) == {
        "uncertainty_summary", "uncertainty_network_price", "uncertainty_station_price",
        "uncertainty_parity", "uncertainty_budget", "uncertainty_inputs", "tornado", "sobol", "frontier",
        "frontier_contour"}
    assert all(isinstance(df, pd.DataFrame) and len(df) for df in res.tables().values())
    s = res.summary.iloc[0]
    assert (s["year"], s["price_target_cny_per_kg"], s["comparator"], s["draws"]) == (2025, 35.0, "<", 200)
    p = res.network_price_draws[:, list(res.years).index(2025)]
    assert s["prob_meets_target"] == pytest.approx(np.mean(p < PRICE_TARGET), abs=0)
    assert list(res.input_table["input_id"]) == list(default_case()["Uncertainty"]["input_id"])


def test_percentiles_are_ordered():
    res = mc_small()
    budget = res.budget.rename(columns=lambda c: c.replace("outlay_cny_", ""))
    parity = res.parity.rename(columns=lambda c: c.replace("breakeven_h2_cny_per_kg_", ""))
    frames = [res.network_price, res.station_price, res.summary, budget, parity]
    for df in frames:
        q = df[["p5", "p25", "p50", "p75", "p95"]].to_numpy(float)
        q = q[np.isfinite(q).all(axis=1)]
        assert len(q) and np.all(np.diff(q, axis=1) >= 0)
    assert (res.parity["prob_parity"].between(0, 1)).all()
    inputs = res.input_table
    assert (inputs["draw_p5"] <= inputs["draw_p95"]).all()


def test_drawn_values_follow_the_sheet_distributions():
    res = mc_small()
    x = pd.DataFrame(res.draws, columns=[u.input_id for u in res.inputs])
    assert x["smr_cost"].between(21.0, 23.7).all()
    assert x["discount_rate"].between(0.06, 0.1).all()
    assert x["diesel_price"].mean() == pytest.approx(1.0, abs=0.03)  # normal(1, 0.1)
    assert np.median(x["stack_replacement"]) == pytest.approx(1.0, abs=0.06)  # lognormal(0, 0.3)


def test_correlated_draws_have_the_rank_correlation_of_a_gaussian_copula():
    res = uncertainty.monte_carlo(default_case(), n=4000, seed=2, years=[TARGET_YEAR], sobol_n=0,
                                  frontier=False, correlation={("station_capex", "byproduct_cost"): 0.8})
    ids = [u.input_id for u in res.inputs]
    x = res.draws
    rho = stats.spearmanr(x[:, ids.index("station_capex")], x[:, ids.index("byproduct_cost")])[0]
    assert rho == pytest.approx(6 / math.pi * math.asin(0.8 / 2), abs=0.03)
    with pytest.raises(ValueError, match="not positive definite"):
        uncertainty.monte_carlo(default_case(), n=10, years=[TARGET_YEAR], sobol_n=0, frontier=False,
                                correlation={("station_capex", "byproduct_cost"): 0.99,
                                             ("station_capex", "smr_cost"): 0.99,
                                             ("byproduct_cost", "smr_cost"): -0.99})


# --- demand scaling ----------------------------------------------------------------------------


def test_fleet_factor_scales_station_sales_and_vehicle_budget():
    res = uncertainty.monte_carlo(fixed_at(default_case(), fleet_uptake=0.5), n=4, seed=0, sobol_n=0,
                                  frontier=False)
    det = deterministic()["stations"].set_index(["year", "station_id"])["kg_sold_per_year"]
    got = station_values(res, "kg_sold_per_year", "p50")
    np.testing.assert_allclose(got, 0.5 * det.loc[got.index], rtol=1e-14)
    b = res.budget[res.budget["group"] == "vehicle"]
    np.testing.assert_allclose(b["outlay_cny_p50"], 0.5 * b["outlay_cny_base"], rtol=1e-12)


def test_more_hydrogen_per_km_raises_sales_up_to_capacity():
    res = uncertainty.monte_carlo(fixed_at(default_case(), fcev_h2_use=1.5), n=2, seed=0, sobol_n=0,
                                  frontier=False)
    st_ = deterministic()["stations"].set_index(["year", "station_id"])
    got = station_values(res, "kg_sold_per_year", "p50")
    base = st_.loc[got.index, "kg_sold_per_year"]
    cap = st_.loc[got.index, "capacity_kg_per_day"] * 365.0 * max_capacity_factor(default_case())
    np.testing.assert_allclose(got, np.minimum(1.5 * base, np.maximum(cap, base)), rtol=1e-14)
    assert (got > base).any() and (got <= cap * (1 + 1e-12)).all()


def test_sales_are_capped_at_the_capacity_of_the_year():
    # With every station doubled from 2030 (a station_capacity table, as the network plan
    # passes for its expansions), sales under the draws are capped at the new capacity.
    case = fixed_at(default_case(), fcev_h2_use=1.5)
    st_ = deterministic()["stations"]
    own = st_.drop_duplicates("station_id")
    years = np.arange(2030, 2036)
    table = pd.DataFrame({"station_id": np.repeat(own["station_id"].to_numpy(object), len(years)),
                          "year": np.tile(years, len(own)),
                          "capacity_kg_per_day": np.repeat(2 * own["capacity_kg_per_day"].to_numpy(float),
                                                           len(years))})
    res = uncertainty.monte_carlo(case, n=2, seed=0, years=[2029, 2031], sobol_n=0, frontier=False,
                                  station_capacity=table)
    st_ = st_.set_index(["year", "station_id"])
    got = station_values(res, "kg_sold_per_year", "p50")
    base = st_.loc[got.index, "kg_sold_per_year"]
    cap = st_.loc[got.index, "capacity_kg_per_day"] * 365.0 * max_capacity_factor(case)
    cap = cap * np.where(got.index.get_level_values("year") >= 2030, 2.0, 1.0)
    np.testing.assert_allclose(got, np.minimum(1.5 * base, np.maximum(cap, base)), rtol=1e-14)
    late = got.index.get_level_values("year") == 2031
    assert (got[late] > st_.loc[got.index, "capacity_kg_per_day"][late] * 365.0 * (1 + 1e-9)).any()
    assert (got[~late] <= cap[~late] * (1 + 1e-12)).all()


# --- tornado and Sobol ------------------------------------------------------------------------


def test_tornado_swings_are_non_negative_sorted_and_around_the_base():
    t = mc_small().tornado
    assert (t["swing"] >= 0).all()
    assert t["swing"].is_monotonic_decreasing
    net = deterministic()["network_by_year"].set_index("year")
    assert t["base_price"].iloc[0] == pytest.approx(
        net.loc[TARGET_YEAR, "network_price_with_subsidy_cny_per_kg"], rel=1e-13)
    capex = t.set_index("input_id").loc["station_capex"]
    assert capex["price_at_low"] < capex["base_price"] < capex["price_at_high"]
    assert capex["low_value"] < 1.0 < capex["high_value"]
    assert set(t["input_id"]) == {u.input_id for u in mc_small().inputs}


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[..., 0]) + a * np.sin(x[..., 1]) ** 2 + b * x[..., 2] ** 4 * np.sin(x[..., 0])


def saltelli_outputs(f, n, k, seed=0, to_x=lambda u: u):
    a, b = uncertainty.saltelli_samples(n, k, seed)
    xa, xb = to_x(a), to_x(b)
    ab = np.stack([f(np.where(np.arange(k) == i, xb, xa)) for i in range(k)], axis=1)
    return f(xa), f(xb), ab


def test_sobol_indices_of_the_ishigami_function():
    a, b = 7.0, 0.1
    v = a ** 2 / 8 + b * math.pi ** 4 / 5 + b ** 2 * math.pi ** 8 / 18 + 0.5
    v1 = 0.5 * (1 + b * math.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)
    s1 = np.array([v1, v2, 0.0]) / v  # 0.3139, 0.4424, 0
    st_ = np.array([v1 + v13, v2, v13]) / v  # 0.5576, 0.4424, 0.2437
    y = saltelli_outputs(ishigami, 2 ** 13, 3, to_x=lambda u: -math.pi + 2 * math.pi * u)
    s = uncertainty.sobol_indices(*y, bootstrap=100)
    np.testing.assert_allclose(s.first_order, s1, atol=0.02)
    np.testing.assert_allclose(s.total, st_, atol=0.02)
    assert np.all(s.first_order_conf > 0) and np.all(s.total_conf < 0.05)
    assert s.variance == pytest.approx(v, rel=0.02)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.floats(0.2, 5.0), min_size=2, max_size=4))
def test_sobol_indices_of_a_linear_model(coef):
    c = np.asarray(coef)
    y = saltelli_outputs(lambda x: x @ c, 2 ** 12, len(c))
    s = uncertainty.sobol_indices(*y, bootstrap=0)
    share = c ** 2 / np.sum(c ** 2)  # additive: S1 = ST = a_i^2 Var(X) / sum
    np.testing.assert_allclose(s.first_order, share, atol=0.02)
    np.testing.assert_allclose(s.total, share, atol=0.02)


def test_model_sobol_indices_are_plausible():
    sob = mc_small().sobol
    assert sob["ST"].is_monotonic_decreasing
    assert (sob["ST"] >= -0.01).all() and (sob["ST_conf"] >= 0).all()
    top = sob.iloc[0]
    assert top["ST"] > 0.2  # something drives the 2025 price
    assert sob["base_samples"].iloc[0] == 32


# --- break-even frontier ------------------------------------------------------------------------


@functools.cache
def frontier():
    return uncertainty.breakeven_frontier(default_case())


def test_frontier_grid_is_monotone():
    f = frontier()
    assert set(f["station_type"]) == {"standalone", "combined", "skid", "onsite_electrolysis"}
    assert (f["pressure_mpa"] == 35).all() and set(f["capex_subsidy_share"]) == {0.0, 0.25, 0.5}
    keys = ["station_type", "capex_subsidy_share"]
    by_u = f.sort_values(keys + ["delivered_cny_per_kg", "utilisation"]).groupby(
        keys + ["delivered_cny_per_kg"])
    assert (by_u["breakeven_price_cny_per_kg"].diff().dropna() < 0).all()  # falls with utilisation
    by_c = f.sort_values(keys + ["utilisation", "delivered_cny_per_kg"]).groupby(keys + ["utilisation"])
    assert (by_c["breakeven_price_cny_per_kg"].diff().dropna() > 0).all()  # rises with delivered cost
    grid = ["station_type", "utilisation", "delivered_cny_per_kg"]
    by_s = f.sort_values(grid + ["capex_subsidy_share"]).groupby(grid)
    assert (by_s["breakeven_price_cny_per_kg"].diff().dropna() < 0).all()  # falls with the grant
    # the target is nominal CNY of its year: the real price inflates from the price year
    nominal = f["breakeven_price_cny_per_kg"] * 1.02 ** (TARGET_YEAR - default_case().price_year)
    assert (f["meets_target"] == (nominal < PRICE_TARGET)).all()


def test_frontier_point_by_hand():
    # combined 35 MPa at its reference capacity: capex 9e6 (no land), O&M 5 % + 3 staff,
    # lease 150k/yr, compressor (45 % of capex) replaced after 10 years, 0.7 kWh/kg at the
    # 2025 electricity price ex 13 % VAT; half utilised, hydrogen delivered at 20 CNY/kg, 25 %
    # grant (untaxed and excluded from the depreciable base, the case's rule).
    case = default_case()
    f = uncertainty.breakeven_frontier(case, utilisation=[0.5], delivered_cny_per_kg=[20.0],
                                       capex_subsidy_share=[0.25])
    got = f.set_index("station_type").loc["combined", "breakeven_price_cny_per_kg"]
    fin = dataclasses.replace(FinanceAssumptions.from_mapping(case.finance), ramp_up_years=0,
                              ramp_start_share=1.0)
    elec = float(case["Prices"].set_index("year").loc[2025, "electricity_cny_per_kwh"])
    rep = np.zeros(fin.station_life_years)
    rep[9] = 0.45
    hand = breakeven_price(9e6, 0.05 * 9e6 + 3 * 150_000, 20.0 + 0.7 * elec / 1.13, 0.5 * 1000 * 365, fin,
                           land_lease_cny_per_year=150_000, replacement_share=rep,
                           capital_subsidy_cny=0.25 * 9e6) * (1 + case.finance["vat_rate"])
    assert got == pytest.approx(float(hand), rel=1e-12)


def test_frontier_contour_is_where_the_price_meets_the_target():
    c = mc_small().frontier_contour
    pick = c[(c["utilisation"].isin([0.5, 0.8])) & (c["capex_subsidy_share"] == 0.25)]
    for r in pick.itertuples(index=False):
        f = uncertainty.breakeven_frontier(default_case(), utilisation=[r.utilisation],
                                           delivered_cny_per_kg=[r.max_delivered_cny_per_kg],
                                           capex_subsidy_share=[r.capex_subsidy_share])
        p = f.set_index("station_type").loc[r.station_type, "breakeven_price_cny_per_kg"]
        assert p == pytest.approx(PRICE_TARGET, rel=1e-10)


# --- inputs ----------------------------------------------------------------------------------------


def test_inputs_resolve_keys_like_scenarios():
    inputs = {u.input_id: u for u in uncertainty.uncertain_inputs(default_case())}
    assert len(inputs["station_capex"].rows) == len(default_case()["StationCosts"])
    seg = default_case()["Segments"]
    assert inputs["fcev_price"].rows.tolist() == seg.index[seg["powertrain"] == "fcev"].tolist()
    assert inputs["discount_rate"].is_params and inputs["discount_rate"].base.tolist() == [0.08]
    assert inputs["byproduct_cost"].base.tolist() == [12.0]


def test_zero_width_draws_are_exact():
    u = uncertainty.UncertainInput("x", "Supply", "*", "production_cost_cny_per_kg", "triangular", 12.3, 12.3,
                                   12.3, False, np.arange(1), np.array([12.3]))
    assert np.all(u.ppf(np.linspace(0.01, 0.99, 5)) == 12.3)
    ln = dataclasses.replace(u, distribution="lognormal", low=math.log(2.0), mode=np.nan, high=0.25)
    assert float(ln.ppf(0.5)) == pytest.approx(2.0, rel=1e-12)


def test_bad_uncertainty_rows_are_located():
    unc = default_case()["Uncertainty"].iloc[:1].copy()
    bad = pd.concat([unc.assign(input_id="pol", sheet="Policy", key="*", column="amount_cny"),
                     unc.assign(input_id="col", column="no_such_column"),
                     unc.assign(input_id="key", key="station_type=hovercraft"),
                     unc.assign(input_id="mode", mode=2.0),
                     unc.assign(input_id="fin", sheet="Finance", key="station_life_years", column="value")],
                    ignore_index=True)
    with pytest.raises(InputError) as err:
        uncertainty.uncertain_inputs(with_uncertainty(default_case(), bad))
    problems = err.value.problems
    # Policy amounts are float inputs, so row 2 passes here; the engines refuse it below.
    assert [(p.sheet, p.cell) for p in problems] == [
        ("Uncertainty", "D3"), ("Uncertainty", "C4"), ("Uncertainty", "G5"), ("Uncertainty", "C6")]
    assert "StationCosts has no column 'no_such_column'" in problems[0].rule
    assert "no row of StationCosts has station_type = hovercraft" in problems[1].rule
    assert "low <= mode <= high" in problems[2].rule
    assert "Finance.station_life_years is not a number that can be drawn" in problems[3].rule


def test_inputs_the_engines_never_read_are_refused_at_their_row():
    # Policy amounts act through the subsidy rules' structure, the station capacity
    # through the plan: drawing them would change nothing, so the run says so.
    unc = default_case()["Uncertainty"]
    rows = pd.concat([unc.iloc[:2], unc.iloc[:1].assign(input_id="pol", sheet="Policy", key="*",
                                                         column="amount_cny"),
                      unc.iloc[:1].assign(input_id="cap", sheet="Stations", key="*",
                                          column="capacity_kg_per_day")],
                     ignore_index=True)
    with pytest.raises(InputError) as err:
        uncertainty.monte_carlo(with_uncertainty(default_case(), rows), n=4, years=[TARGET_YEAR], sobol_n=0,
                                frontier=False)
    problems = err.value.problems
    assert [(p.cell, p.value) for p in problems] == [("D4", "amount_cny"), ("D5", "capacity_kg_per_day")]
    assert "input 'pol': the Monte Carlo engines do not read Policy.amount_cny" in problems[0].rule
    # validate's check finds the same rows without drawing, and passes the shipped sheet
    with pytest.raises(InputError) as err2:
        uncertainty.check_uncertainty(with_uncertainty(default_case(), rows))
    assert [(p.cell, p.rule) for p in err2.value.problems] == [(p.cell, p.rule) for p in problems]
    uncertainty.check_uncertainty(default_case())


def test_any_float_input_the_engines_read_can_be_drawn():
    # Finance.electricity_vat_rate was never on a list of uncertain inputs; it is a float
    # the station engine reads, so it can be drawn. A higher VAT rate takes more VAT out
    # of the tariff, so the ex-VAT electricity cost and the network price fall.
    unc = default_case()["Uncertainty"].iloc[:1].assign(
        input_id="elec_vat", sheet="Finance", key="electricity_vat_rate", column="value",
        distribution="uniform", low=0.0, mode=np.nan, high=0.3, relative=0)
    res = uncertainty.monte_carlo(with_uncertainty(default_case(), unc), n=64, seed=3, years=[TARGET_YEAR],
                                  sobol_n=0, frontier=False)
    vat = res.draws[:, 0]
    price = res.network_price_draws[:, 0]
    assert np.corrcoef(vat, price)[0, 1] < -0.99


# --- the run's station economics are reused, not recomputed ----------------------------------


def test_monte_carlo_reuses_the_station_economics_it_is_given(monkeypatch):
    from h2model import fleet, prices, station

    case = default_case()
    fl = fleet.fleet_from_case(case)
    econ = station.station_economics(case, loads=fl.station_load)
    args = dict(n=8, seed=4, years=[2023, TARGET_YEAR], sobol_n=8, frontier=False, fleet=fl)
    want = uncertainty.monte_carlo(case, **args)  # computes station economics itself

    def rerun(*a, **k):
        raise AssertionError("station economics re-run by the Monte Carlo")

    monkeypatch.setattr(station, "station_economics", rerun)
    got = uncertainty.monte_carlo(case, **args, economics=econ,
                                  price_path=prices.network_price_path(case, econ.network))
    for name, df in want.tables().items():
        pd.testing.assert_frame_equal(got.tables()[name], df, check_exact=True, obj=name)


def test_years_not_drawn_take_the_given_network_price():
    # Draws for 2025 only: the hydrogen price of later years of a 2025 vehicle's life is
    # the given network table's. Raise it by 10 CNY/kg after 2025 and, with every input
    # at its base, the FCEV TCO per km is the TCO engine's on the raised path.
    from h2model import fleet, prices, station, tco

    case = zero_width(default_case(), drop_sheets=("Finance",))
    fl = fleet.fleet_from_case(case)
    net = station.station_economics(case, loads=fl.station_load).network.copy()
    later = net["year"] > TARGET_YEAR
    net.loc[later, prices.NETWORK_PRICE] += 10.0
    econ = dataclasses.replace(station.station_economics(case, loads=fl.station_load), network=net)
    res = uncertainty.monte_carlo(case, n=2, seed=0, years=[TARGET_YEAR], sobol_n=0, frontier=False,
                                  fleet=fl, economics=econ)
    path = prices.network_price_path(case, net)
    assert path.loc[TARGET_YEAR + 1] > 10.0 and later.any()
    det = tco.tco_from_case(case, h2_price_cny_per_kg=path).parity
    det = det[det["purchase_year"] == TARGET_YEAR].set_index(["segment", "alternative"])
    mc = res.parity.set_index(["segment", "alternative"])
    np.testing.assert_allclose(mc["fcev_tco_cny_per_km_p50"], det.loc[mc.index, "fcev_tco_cny_per_km"],
                               rtol=1e-12)
    plain = tco.tco_from_case(case, h2_price_cny_per_kg=prices.network_price_path(
        case, station.station_economics(case, loads=fl.station_load).network)).parity
    plain = plain[plain["purchase_year"] == TARGET_YEAR].set_index(["segment", "alternative"])
    assert (mc["fcev_tco_cny_per_km_p50"] > plain.loc[mc.index, "fcev_tco_cny_per_km"]).all()


def test_validate_refuses_an_input_the_engines_never_read(tmp_path, capsys):
    import shutil

    from h2model.cli import main
    folder = tmp_path / "case"
    shutil.copytree(Path(DEFAULT_CASE).with_suffix(""), folder)
    unc = pd.read_csv(folder / "Uncertainty.csv")
    extra = unc.iloc[:1].assign(input_id="pol", sheet="Policy", key="*", column="amount_cny")
    pd.concat([unc, extra], ignore_index=True).to_csv(folder / "Uncertainty.csv", index=False)
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"Uncertainty!D{len(unc) + 2}" in err and "do not read Policy.amount_cny" in err
    assert "Traceback" not in err
