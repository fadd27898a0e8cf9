r"""Station cash flow, NPV and IRR at the network price: the appendix tables.

For every operating station-year the break-even convention of :mod:`h2model.station`
values the station's whole life as if it sold every year what it sells in that year.
This module takes the same finance-engine inputs (:class:`StationFlowInputs`, kept by
:func:`h2model.station.station_economics`, never recomputed) and asks what the station
earns if it charges the year's **network price with subsidies** instead of its own
break-even price:

- ``station_cashflow``: the yearly equity cash flow of each station's life
  (:func:`h2model.finance.cash_flows`), split into revenue, capital (construction,
  replacements, land), operating cost, hydrogen purchase and delivery, electricity,
  subsidies received, financing, tax, working capital and end-of-life recovery, in real
  CNY of the price year; for the report years only (it is long);
- ``station_npv``: for every station-year, the equity NPV of that life at the case's
  discount rate and the real equity IRR.

Money: the finance engine's flows are nominal with year 0 the start of construction
(money of the price year escalated by inflation :math:`i`); they are shown in real CNY of
the price year, :math:`E^{real}_t = E_t (1+i)^{-(t-b)}`. Then
:math:`\sum_t E^{real}_t (1+r)^{-t} = (1+i)^{b}\sum_t E_t (1+\rho)^{-t}` with
:math:`\rho = (1+r)(1+i) - 1`, so the NPV at the real discount rate :math:`r` of the
real flows is the engine's NPV (valued at the end of the first construction year, in
price-year CNY), and the real IRR is :math:`(1 + \mathrm{IRR}_{nominal})/(1+i) - 1`.

Identity (tested): at a station-year's own break-even price with subsidies the NPV is
zero and the real IRR equals the discount rate, because that price is defined as the one
that makes this NPV zero (:func:`h2model.finance.breakeven_price`). At the network price
a station that sells above the network's average cost earns a positive NPV and one
below it (or idle) a negative one.

Subsidies are those the engine resolved at the station's break-even price (the
``station_subsidies`` the budget pays); a price condition that the network price would
fail is not re-tested here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ..finance import CashFlows, FinanceAssumptions, cash_flows, irr, npv

#: Signed lines of the ``station_cashflow`` table (CNY/year, real CNY of the price year;
#: inflows positive, outflows negative); they sum to ``equity_cash_flow_cny``.
CASH_FLOW_LINES = (
    "revenue_cny",
    "capex_cny",
    "replacement_cny",
    "fixed_opex_cny",
    "hydrogen_and_delivery_cny",
    "electricity_cny",
    "subsidies_cny",
    "financing_cny",
    "income_tax_cny",
    "working_capital_cny",
    "end_of_life_recovery_cny",
)


@dataclasses.dataclass(frozen=True)
class StationFlowInputs:
    """The finance-engine inputs of every station-year row, as priced by
    :func:`h2model.station.station_year_prices` (ramp-up off, subsidies in the engine's
    money basis).

    Attributes
    ----------
    capex_excl_land_cny, land_cny : numpy.ndarray, shape (rows,)
        Equipment capex and land purchase, CNY.
    fixed_cny_per_year, land_lease_cny_per_year : numpy.ndarray, shape (rows,)
        Fixed O&M and staff; land lease, CNY/year.
    hydrogen_and_delivery_cny_per_kg, electricity_cny_per_kg : numpy.ndarray, shape (rows,)
        Variable cost ex VAT, CNY/kg (their sum is the engine's variable cost).
    kg_per_year : numpy.ndarray, shape (rows,)
        Flat sales, kg/year.
    replacement_share : numpy.ndarray, shape (rows, L)
        Compressor replacement as a share of capex by operating year.
    capital_subsidy_cny : numpy.ndarray, shape (rows,)
        One-off grant, engine money basis.
    operating_subsidy_cny_per_kg : numpy.ndarray, shape (rows, L)
        Per-kg subsidy by operating year, engine money basis.
    price_with_subsidy_ex_vat_cny_per_kg : numpy.ndarray, shape (rows,)
        The row's own break-even price ex VAT (NaN where it sells nothing).
    finance : FinanceAssumptions
        As used for the break-even (ramp-up off).
    """

    capex_excl_land_cny: np.ndarray
    land_cny: np.ndarray
    fixed_cny_per_year: np.ndarray
    land_lease_cny_per_year: np.ndarray
    hydrogen_and_delivery_cny_per_kg: np.ndarray
    electricity_cny_per_kg: np.ndarray
    kg_per_year: np.ndarray
    replacement_share: np.ndarray
    capital_subsidy_cny: np.ndarray
    operating_subsidy_cny_per_kg: np.ndarray
    price_with_subsidy_ex_vat_cny_per_kg: np.ndarray
    finance: FinanceAssumptions

    def cash_flows(self, price_ex_vat_cny_per_kg: Any, rows: Any = slice(None)) -> CashFlows:
        """:func:`h2model.finance.cash_flows` of ``rows`` at a price ex VAT (real CNY/kg of
        the price year, one per row): nominal engine flows, shape (rows, C + L)."""
        return cash_flows(
            np.asarray(price_ex_vat_cny_per_kg, dtype=float),
            self.capex_excl_land_cny[rows], self.fixed_cny_per_year[rows],
            self.hydrogen_and_delivery_cny_per_kg[rows] + self.electricity_cny_per_kg[rows],
            self.kg_per_year[rows], self.finance,
            land_lease_cny_per_year=self.land_lease_cny_per_year[rows], land_cny=self.land_cny[rows],
            replacement_share=self.replacement_share[rows],
            capital_subsidy_cny=self.capital_subsidy_cny[rows],
            operating_subsidy_cny_per_kg=self.operating_subsidy_cny_per_kg[rows],
        )

    def real_factor(self) -> np.ndarray:
        """Nominal engine money of each year -> real CNY of the price year, shape (C + L,)."""
        fin = self.finance
        base = 1 if fin.convention == "profast" else 0
        return (1.0 + float(fin.inflation_rate)) ** -(np.arange(fin.years) - base)


def signed_lines(cf: CashFlows, real: np.ndarray, inputs: StationFlowInputs, rows: Any) -> dict:
    """The :data:`CASH_FLOW_LINES` of engine cash flows ``cf`` (of ``rows``) in real CNY,
    signed (inflows positive), and ``equity_cash_flow_cny``; the lines sum to it."""
    c_h2 = inputs.hydrogen_and_delivery_cny_per_kg[rows][:, None]
    c_el = inputs.electricity_cny_per_kg[rows][:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        h2_share = np.where(c_h2 + c_el > 0, c_h2 / (c_h2 + c_el), 0.0)
    lines = {
        "revenue_cny": cf.revenue_cny,
        "capex_cny": -(cf.capex_cny + cf.land_purchase_cny),
        "replacement_cny": -cf.replacement_cny,
        "fixed_opex_cny": -(cf.fixed_cost_cny + cf.land_lease_cny),
        "hydrogen_and_delivery_cny": -cf.variable_cost_cny * h2_share,
        "electricity_cny": -cf.variable_cost_cny * (1.0 - h2_share),
        "subsidies_cny": cf.capital_subsidy_cny + cf.operating_subsidy_cny,
        "financing_cny": cf.debt_drawdown_cny - cf.interest_cny - cf.principal_cny,
        "income_tax_cny": -cf.income_tax_cny,
        "working_capital_cny": -cf.working_capital_change_cny,
        "end_of_life_recovery_cny": cf.salvage_cny + cf.land_sale_cny,
    }
    out = {k: v * real for k, v in lines.items()}
    out["equity_cash_flow_cny"] = cf.equity_cny * real
    return out


def station_cash_flow_tables(econ, years: Any = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``station_cashflow`` and ``station_npv`` tables of a run's station economics.

    Parameters
    ----------
    econ : h2model.station.economics.StationEconomics
        From :func:`h2model.station.station_economics` (its ``flows`` inputs and the
        ``stations`` and ``network_by_year`` tables).
    years : iterable of int, optional
        Analysis years whose station cash flows are tabulated (e.g. the price target's
        year; default the first year with sales). ``station_npv`` has every station-year.

    Returns
    -------
    station_cashflow : pandas.DataFrame
        ``year`` (the station-year whose sales the life repeats), ``station_id, name,
        calendar_year, operating_year`` (0 in construction), ``kg_sold``, the signed
        :data:`CASH_FLOW_LINES` and ``equity_cash_flow_cny`` (real CNY of the price year
        per year).
    station_npv : pandas.DataFrame
        ``year, station_id, name, kg_sold_per_year, network_price_with_subsidy_cny_per_kg``
        (retail, the price charged), ``breakeven_price_with_subsidy_cny_per_kg`` (the
        station's own), ``npv_cny`` (equity NPV at the discount rate, real CNY of the price
        year at the start of construction), ``irr`` (real equity IRR; of several, the one
        nearest the discount rate; NaN where none) and
        ``discount_rate``.
    """
    inp = econ.flows
    st = econ.stations
    fin = inp.finance
    vat = float(fin.vat_rate)
    net = econ.network.set_index("year")["network_price_with_subsidy_cny_per_kg"]
    price_retail = net.reindex(st["year"].to_numpy()).to_numpy(float)
    price_ex_vat = np.nan_to_num(price_retail / (1.0 + vat), nan=0.0)
    cf = inp.cash_flows(price_ex_vat)
    real = inp.real_factor()
    equity_real = cf.equity_cny * real
    r = float(fin.discount_rate)
    npv_cny = npv(r, equity_real)
    irr_real = irr(equity_real, near=r)  # real flows: the real IRR; of several, the one nearest r
    npv_table = pd.DataFrame({
        "year": st["year"].to_numpy(np.int64),
        "station_id": st["station_id"].to_numpy(object),
        "name": st["name"].to_numpy(object),
        "kg_sold_per_year": st["kg_sold_per_year"].to_numpy(float),
        "network_price_with_subsidy_cny_per_kg": price_retail,
        "breakeven_price_with_subsidy_cny_per_kg":
            st["breakeven_price_with_subsidy_cny_per_kg"].to_numpy(float),
        "npv_cny": npv_cny,
        "irr": irr_real,
        "discount_rate": r,
    })
    if years is None:
        years = _report_years(econ)
    rows = np.flatnonzero(st["year"].isin(list(years)).to_numpy())
    lines = signed_lines(_take(cf, rows), real, inp, rows)
    n, T = len(rows), fin.years
    C = fin.construction_years
    cy = st["commissioning_year"].to_numpy(np.int64)[rows]
    flow = pd.DataFrame({
        "year": np.repeat(st["year"].to_numpy(np.int64)[rows], T),
        "station_id": np.repeat(st["station_id"].to_numpy(object)[rows], T),
        "name": np.repeat(st["name"].to_numpy(object)[rows], T),
        "calendar_year": (cy[:, None] - C + np.arange(T)[None, :]).ravel(),
        "operating_year": np.tile(np.maximum(np.arange(T) - C + 1, 0), n),
        "kg_sold": cf.kg[rows].ravel(),
        **{k: v.ravel() for k, v in lines.items()},
    })
    return flow, npv_table


def _take(cf: CashFlows, rows: np.ndarray) -> CashFlows:
    """The rows of engine cash flows (every array but ``year``)."""
    return dataclasses.replace(cf, **{f.name: getattr(cf, f.name)[rows] for f in dataclasses.fields(cf)
                                      if f.name != "year"})


def _report_years(econ) -> list[int]:
    """The first year with sales (none: no year)."""
    net = econ.network
    sells = net["h2_kg_per_year"].to_numpy(float) > 0
    return [int(y) for y in net["year"].to_numpy(np.int64)[sells][:1]]
