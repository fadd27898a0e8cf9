"""Station cash flow, NPV and IRR (h2model.station.cashflow, h2model.finance.irr).

A hand calculation of one small station; the engine-agreement identity (at each
station-year's own break-even price with subsidies the equity NPV at the case's
discount rate is zero and the real IRR is the discount rate, since that is how the
break-even price is defined); the tables' internal sums; and the IRR against
numpy_financial.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy_financial as npf
import pytest

from h2model import finance, fleet, station
from h2model.finance import FinanceAssumptions
from h2model.inputs import DEFAULT_CASE, load_case
from h2model.params import Params


@functools.cache
def economics():
    case = load_case(DEFAULT_CASE, "plan-2025")
    fl = fleet.fleet_from_case(case)
    return case, station.station_economics(Params.from_case(case), loads=fl.station_load)


def _inputs(fin, **kw) -> station.StationFlowInputs:
    one = np.ones(1)
    base = dict(capex_excl_land_cny=100.0 * one, land_cny=0 * one, fixed_cny_per_year=0 * one,
                land_lease_cny_per_year=0 * one, hydrogen_and_delivery_cny_per_kg=0.6 * one,
                electricity_cny_per_kg=0.4 * one, kg_per_year=10.0 * one,
                replacement_share=np.zeros((1, fin.station_life_years)), capital_subsidy_cny=0 * one,
                operating_subsidy_cny_per_kg=np.zeros((1, fin.station_life_years)),
                price_with_subsidy_ex_vat_cny_per_kg=np.full(1, np.nan), finance=fin)
    return station.StationFlowInputs(**{**base, **kw})


def test_cash_flow_of_a_small_station_by_hand():
    """Capex 100 in the construction year, 10 kg/year for 2 years at 7 CNY/kg ex VAT with
    variable cost 0.6 (hydrogen and delivery) + 0.4 (electricity) CNY/kg, no tax, debt or
    inflation: equity flows -100, 60, 60; NPV at 10 % = -100 + 60/1.1 + 60/1.21 = 4.1322."""
    fin = FinanceAssumptions(discount_rate=0.10, station_life_years=2)
    inp = _inputs(fin)
    cf = inp.cash_flows(np.array([7.0]))
    real = inp.real_factor()
    lines = station.cashflow.signed_lines(cf, real, inp, np.arange(1))
    assert lines["equity_cash_flow_cny"][0].tolist() == pytest.approx([-100.0, 60.0, 60.0])
    assert lines["revenue_cny"][0].tolist() == pytest.approx([0.0, 70.0, 70.0])
    assert lines["hydrogen_and_delivery_cny"][0].tolist() == pytest.approx([0.0, -6.0, -6.0])
    assert lines["electricity_cny"][0].tolist() == pytest.approx([0.0, -4.0, -4.0])
    assert lines["capex_cny"][0].tolist() == pytest.approx([-100.0, 0.0, 0.0])
    assert float(finance.npv(0.10, lines["equity_cash_flow_cny"][0])) == pytest.approx(4.1322, abs=1e-4)
    # IRR solves -100 + 60 x + 60 x^2 = 0 with x = 1/(1+r): x = (-60 + sqrt(60^2 + 24000)) / 120
    x = (-60.0 + np.sqrt(60.0**2 + 4 * 60.0 * 100.0)) / 120.0
    assert float(finance.irr(lines["equity_cash_flow_cny"][0])) == pytest.approx(1 / x - 1, abs=1e-12)


def test_real_flows_deflate_the_engines_nominal_flows():
    """With 2 % inflation the engine's nominal revenue of year t is 70 x 1.02^t; the table
    shows it in real CNY of the price year (70), and the NPV of the real flows at the real
    rate equals the engine's NPV of the nominal flows at the nominal rate."""
    fin = FinanceAssumptions(discount_rate=0.10, station_life_years=2, inflation_rate=0.02)
    inp = _inputs(fin)
    cf = inp.cash_flows(np.array([7.0]))
    assert cf.revenue_cny[0, 1:].tolist() == pytest.approx([70.0 * 1.02, 70.0 * 1.02**2])
    lines = station.cashflow.signed_lines(cf, inp.real_factor(), inp, np.arange(1))
    assert lines["revenue_cny"][0, 1:].tolist() == pytest.approx([70.0, 70.0])
    assert float(finance.npv(0.10, lines["equity_cash_flow_cny"][0])) == pytest.approx(
        float(finance.npv(fin.nominal_discount_rate, cf.equity_cny[0])), rel=1e-12)


def test_npv_is_zero_and_irr_is_the_discount_rate_at_each_stations_breakeven_price():
    """The engine's definition of the break-even price with subsidies: the constant real
    price at which the equity NPV of the station-year's life, at the case's discount rate,
    is zero. Checked on every selling station-year of the default case (tax, debt, VAT,
    inflation, grants and per-kg subsidies all on)."""
    case, econ = economics()
    inp = econ.flows
    p = inp.price_with_subsidy_ex_vat_cny_per_kg
    sel = np.isfinite(p)
    assert sel.sum() > 100
    retail = econ.stations["breakeven_price_with_subsidy_cny_per_kg"].to_numpy(float)
    assert np.allclose(p[sel] * (1 + case.finance["vat_rate"]), retail[sel], rtol=1e-12)
    cf = inp.cash_flows(p[sel], np.flatnonzero(sel))
    equity = cf.equity_cny * inp.real_factor()
    r = float(case.finance["discount_rate"])
    capex = inp.capex_excl_land_cny[sel]
    assert np.abs(finance.npv(r, equity)).max() < 1e-9 * capex.max()
    assert np.allclose(finance.irr(equity, near=r), r, atol=1e-10)
    # a price 1 CNY/kg higher earns a positive NPV (revenue after tax), lower a negative one
    up = inp.cash_flows(p[sel] + 1.0, np.flatnonzero(sel)).equity_cny * inp.real_factor()
    assert (finance.npv(r, up) > 0).all()


def test_tables_add_up_and_agree_with_each_other():
    case, econ = economics()
    flow, npv_table = station.station_cash_flow_tables(econ, [2025])
    assert len(npv_table) == len(econ.stations)
    lines = list(station.CASH_FLOW_LINES)
    assert np.allclose(flow[lines].sum(axis=1), flow["equity_cash_flow_cny"], rtol=0, atol=1e-6)
    fin = econ.flows.finance
    assert set(flow["year"]) == {2025}
    assert flow.groupby("station_id").size().eq(fin.years).all()
    # the NPV table's 2025 rows are the NPV of the cash flow table's equity flows
    r = float(case.finance["discount_rate"])
    by_station = flow.groupby("station_id", sort=False)["equity_cash_flow_cny"].apply(
        lambda s: float(finance.npv(r, s.to_numpy())))
    n25 = npv_table[npv_table["year"] == 2025].set_index("station_id")["npv_cny"]
    assert np.allclose(by_station.reindex(n25.index).to_numpy(), n25.to_numpy(), rtol=1e-9, atol=1e-3)
    # revenue is at the year's network price with subsidy (ex VAT, in real CNY)
    net = econ.network.set_index("year").loc[2025, "network_price_with_subsidy_cny_per_kg"]
    op = flow[flow["operating_year"] > 0]
    assert np.allclose(op["revenue_cny"], op["kg_sold"] * net / (1 + case.finance["vat_rate"]), rtol=1e-9)
    # stations selling below the network price's cost earn more than their cost of capital
    n = npv_table
    cheap = n[(n["kg_sold_per_year"] > 0) & (n["breakeven_price_with_subsidy_cny_per_kg"]
                                             < n["network_price_with_subsidy_cny_per_kg"])]
    assert len(cheap) and (cheap["npv_cny"] > 0).all()
    # an IRR above the discount rate where one exists (none where grant and loan cover the
    # construction outlay, so that no early year is negative)
    assert (cheap["irr"].dropna() > r).all() and cheap["irr"].notna().mean() > 0.5
    idle = npv_table[npv_table["kg_sold_per_year"] == 0]
    assert (idle["npv_cny"] < 0).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_irr_agrees_with_numpy_financial(seed):
    rng = np.random.default_rng(seed)
    flows = np.concatenate([-rng.uniform(50, 150, (20, 1)), rng.uniform(5, 40, (20, 15))], axis=1)
    ours = finance.irr(flows)
    ref = np.array([npf.irr(f) for f in flows])
    assert np.allclose(ours, ref, atol=1e-10)
    assert np.isnan(finance.irr(np.array([-1.0, -1.0, -1.0])))


def test_station_npvs_at_the_network_price_sum_to_zero_each_year():
    """A second identity of the engine's definitions: the network price recovers the
    annualised cost of every operating station (idle ones included) from the year's sales,
    and each station's NPV is linear in price with the same annuity per kg sold, so
    NPV_s = a q_s (P - P*_s) and sum_s NPV_s = a (P sum q - sum C) = 0 in every year."""
    _, econ = economics()
    _, npv_table = station.station_cash_flow_tables(econ, [2025])
    by_year = npv_table.groupby("year")["npv_cny"]
    total, scale = by_year.sum(), by_year.apply(lambda s: s.abs().sum())
    selling = econ.network.set_index("year")["h2_kg_per_year"] > 0
    assert (scale[selling] > 1e6).all()
    assert (total[selling].abs() < 1e-9 * scale[selling]).all()
