"""Station economics of a case: the tables the model reports.

:func:`station_economics` runs the steps of :mod:`h2model.station` (station-years,
their costs, their prices) and assembles :class:`StationEconomics`: the ``stations``
table (one row per operating station-year, with levelised cost components and the
gaps to the price target), ``network_by_year``, ``station_capex`` and
``station_subsidies``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import policy as pol
from ..finance import FinanceAssumptions, breakeven_price, levelised_cost
from ..params import as_params
from ..supply import delivery_mode
from ..targets import meets
from .capex import CAPEX_COMPONENTS
from .cashflow import StationFlowInputs
from .pricing import (
    StationPrices,
    _sum_by_year,
    network_price,
    sellers_volume_weighted_price,
    station_year_prices,
)
from .years import (
    DAYS_PER_YEAR,
    FALLBACK_PLATEAU_UTILISATION,
    StationYears,
    station_year_costs,
    station_years,
)


def _price_target(case, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The price target applying in each year: the latest ``Targets`` price row at or
    before the year (the earliest row for years before it). NaN / None if none."""
    t = case["Targets"]
    t = t[t["target_id"] == "price"].sort_values("year")
    if t.empty:
        return np.full(len(years), np.nan), np.full(len(years), None, dtype=object)
    idx = np.clip(np.searchsorted(t["year"].to_numpy(np.int64), years, side="right") - 1, 0, len(t) - 1)
    return t["value"].to_numpy(float)[idx], t["comparator"].astype(object).to_numpy()[idx]


# --- station economics ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StationEconomics:
    """Station economics of a case (see :func:`station_economics` for the columns).

    Attributes
    ----------
    stations : pandas.DataFrame
        One row per station and analysis year in which it operates.
    network : pandas.DataFrame
        One row per analysis year: volumes, counts and volume-weighted prices.
    capex : pandas.DataFrame
        ``station_id, capacity_kg_per_day, component, capex_cny``: capex (CNY) by
        component (the :data:`CAPEX_COMPONENTS` and ``land``), one row per station,
        capacity (kg/day) and component: the station's own capacity, then every
        other capacity its station-years are costed at (network plan expansions).
    station_subsidies : pandas.DataFrame
        What each station was paid, by programme and year:
        :data:`h2model.policy.STATION_SUBSIDY_COLUMNS` (``year, station_id,
        programme_id, level, kind, outlay_cny``; nominal CNY of the year): capital
        grants in the commissioning year, per-kg subsidies x kg sold; one row per
        payment (outlay > 0). The budget sums it (:func:`h2model.policy.station_budget`).
    flows : StationFlowInputs, optional
        The finance-engine inputs of every ``stations`` row, as the break-even prices
        were computed from them, for the cash flow, NPV and IRR tables
        (:mod:`h2model.station.cashflow`).
    """

    stations: pd.DataFrame
    network: pd.DataFrame
    capex: pd.DataFrame
    station_subsidies: pd.DataFrame = None
    flows: StationFlowInputs | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """Results tables by name (``stations``, ``network_by_year``, ``station_capex``,
        ``station_subsidies``)."""
        return {"stations": self.stations, "network_by_year": self.network, "station_capex": self.capex,
                "station_subsidies": self.station_subsidies}


def station_economics(case, loads: pd.DataFrame | None = None, built: pd.DataFrame | None = None,
                      year: int | Iterable[int] | None = None, *,
                      finance: FinanceAssumptions | None = None,
                      plateau_utilisation: float = FALLBACK_PLATEAU_UTILISATION,
                      station_capacity: pd.DataFrame | None = None,
                      station_supply: pd.DataFrame | None = None,
                      segment_loads: pd.DataFrame | None = None) -> StationEconomics:
    r"""Levelised cost and break-even retail price of every operating station-year.

    Conventions (station-year break-even at flat sales, life anchored at the
    commissioning year, money, price-conditional subsidies, zero sales) are in the
    module docstring. Per station-year, with equipment capex :math:`K`, land purchase
    :math:`K_\ell` (not depreciated; recovered at its real value at the end of the
    life, H2A convention), fixed cost :math:`F` (O&M + staff), land lease
    :math:`\Lambda`, variable cost
    :math:`c` = hydrogen purchase (production + purification) + delivery +
    electricity (kWh/kg x the year's ``Prices.electricity_cny_per_kwh``), all ex VAT
    (:func:`station_year_costs`), sales
    :math:`q = 365 \times` kg/day, a compressor replacement every
    ``compressor_life_years`` and the subsidies of :func:`h2model.policy.capital_subsidy_cny`
    and :func:`h2model.policy.operating_subsidy_cny_per_kg`, the break-even price ex VAT :math:`P^*`
    comes from :func:`h2model.finance.breakeven_price` with the ramp-up off, and
    the retail break-even price is :math:`(1+v)P^*`.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Stations, StationCosts, Supply, Delivery, Prices, Policy, Targets,
        Finance``.
    loads : pandas.DataFrame, optional
        ``year, station_id, h2_kg_per_day``: hydrogen dispensed (kg/day, yearly
        average), e.g. the fleet's ``station_load`` or the network plan's. A station
        operating in a year without a row sells nothing that year. Default (no
        loads): the **fallback load path** -- utilisation (sales / capacity) rises
        with the case's ramp-up from its commissioning year, ``ramp_start_share``
        in the first year linearly to ``plateau_utilisation`` after
        ``ramp_up_years`` (:func:`h2model.finance.ramp_up_shares`); with the
        Guangzhou case 0.2, 0.3, 0.4, then 0.5 of capacity.
    built : pandas.DataFrame, optional
        Stations the network plan builds, see :func:`analysed_stations`. By default
        the analysed stations are the existing and planned ones.
    year : int or iterable of int, optional
        Analysis year(s); default every year of the case.
    finance : FinanceAssumptions, optional
        Default: the case's Finance sheet. Its ramp-up is switched off for the
        break-even (it still shapes the fallback load path). Its ``discount_rate``
        also prices the tube-trailer delivery (:func:`station_year_costs`).
    plateau_utilisation : float, default :data:`FALLBACK_PLATEAU_UTILISATION`
        Plateau of the fallback load path, fraction of capacity.
    station_capacity : pandas.DataFrame, optional
        ``station_id, year, capacity_kg_per_day``: capacity installed in calendar
        years (kg/day), e.g. the network plan's
        :attr:`~h2model.network.adapter.CasePlan.station_capacity` with its
        expansions. A station-year without a row is at the station's own
        ``capacity_kg_per_day``; years outside the analysis are ignored. Default:
        every station at its own capacity in every year. See "Capacity by year" in
        the module docstring.
    station_supply : pandas.DataFrame, optional
        ``station_id, year, supply_id``: the source delivering to a station in a
        calendar year, e.g. the network plan's main source
        (:attr:`~h2model.network.adapter.CasePlan.station_supply`); it sets the row's
        hydrogen purchase cost, delivery distance and ``supply_id``. A station-year
        without a row reads the station's own ``supply_id``.
    segment_loads : pandas.DataFrame, optional
        ``year, station_id, segment, h2_kg_per_day``: loads by segment
        (:func:`h2model.peak.station_segment_loads`), read only with
        ``Network.peak_sizing = 1`` (see :func:`station_years` and :mod:`h2model.peak`).

    Returns
    -------
    StationEconomics
        ``stations``: one row per station and year in which it operates
        (``commissioning_year <= year``), sorted by year then station order, with

        - keys: ``year, station_id, name, district, status, station_type,
          pressure_mpa, supply_id, capacity_kg_per_day`` (installed that year,
          kg/day), ``commissioning_year``;
        - ``h2_kg_per_day`` (kg/day), ``kg_sold_per_year`` (kg/year),
          ``utilisation`` (fraction of the year's capacity);
        - ``capex_cny`` (incl. land; of a station of the year's capacity),
          ``land_cny`` (purchase), ``capital_subsidy_cny``
          (nominal CNY of the commissioning year, paid only if the price condition
          holds), ``operating_subsidy_cny_per_kg`` (nominal CNY/kg paid in this year);
          ``distance_km`` (source to station, road), ``delivery_mode``;
        - levelised components of the subsidised break-even price, CNY/kg:
          ``capital_cny_per_kg`` (equipment capex and compressor replacement less
          salvage), ``fixed_om_cny_per_kg`` (O&M and staff), ``land_cny_per_kg``
          (lease, and land purchase less its recovery at the end of the life),
          ``electricity_cny_per_kg`` (ex VAT),
          ``hydrogen_purchase_cny_per_kg`` (production + purification),
          ``delivery_cny_per_kg``, ``financing_and_tax_cny_per_kg``,
          ``subsidy_cny_per_kg`` (<= 0), ``vat_cny_per_kg``; they sum to
          ``breakeven_price_with_subsidy_cny_per_kg``;
        - ``breakeven_price_cny_per_kg`` (retail incl. VAT, no subsidies) and
          ``breakeven_price_with_subsidy_cny_per_kg`` (retail incl. VAT), CNY/kg;
        - ``annualised_cost_cny_per_year`` and ``annualised_cost_with_subsidy_cny_per_year``
          (CNY/year, incl. VAT): the constant real annual revenue at which the
          station-year breaks even (:func:`annualised_costs`), for every operating
          station-year, idle ones included; where it sells, break-even price x kg sold;
        - ``price_target_cny_per_kg``, ``meets_price_target`` (subsidised price meets
          the target's comparator), ``gap_to_target_cny_per_kg`` and
          ``gap_to_target_with_subsidy_cny_per_kg`` (price above the target,
          CNY/kg; negative = below), ``subsidy_to_target_cny_per_kg`` (constant
          real per-kg operating subsidy over the life that brings the unsubsidised
          price to the target) and ``extra_subsidy_to_target_cny_per_kg`` (the same
          on top of the existing programmes, their eligibility held fixed); 0
          where none is needed.

        Prices, components, gaps and subsidies-to-target are NaN where nothing is
        sold; annualised costs are finite for every operating station-year.

        ``network``: one row per year with ``stations_operating``,
        ``stations_selling``, ``stations_idle`` (operating, selling nothing),
        ``idle_capex_cny`` (capex of the idle ones), ``stations_meeting_price_target``
        (with subsidies), ``stations_meeting_price_target_without_subsidy``,
        ``capacity_kg_per_day`` (installed that year), ``h2_kg_per_year``,
        ``utilisation_mean`` (mean over operating stations), ``utilisation``
        (network sales / installed capacity), ``annualised_cost_cny_per_year`` and
        ``annualised_cost_with_subsidy_cny_per_year`` (sums over operating stations),
        **``network_price_cny_per_kg``** and **``network_price_with_subsidy_cny_per_kg``**
        (:func:`network_price`: the retail price, CNY/kg, that recovers the
        annualised cost of every operating station, idle ones included, from the
        year's sales; NaN if nothing is sold),

        .. math::

            \bar P_y = \frac{\sum_s C_{s,y}}{\sum_s q_{s,y}},

        ``sellers_vw_breakeven_price_cny_per_kg`` and
        ``sellers_vw_breakeven_price_with_subsidy_cny_per_kg`` (volume-weighted
        break-even price of the stations that sell, a diagnostic that leaves out idle
        stations; :func:`sellers_volume_weighted_price`) and ``price_target_cny_per_kg``.

        ``capex``: capex by component, one row per station, capacity variant and
        component (see :func:`station_year_costs`; one capacity per station without
        ``station_capacity``).

        ``station_subsidies``: what each station was paid, by programme and year
        (nominal CNY): the capital grants of its commissioning-year row (all-level
        cap applied) and each row's per-kg subsidies x kg sold (see
        :class:`StationEconomics`).

    Raises
    ------
    ValueError
        On loads for stations that are not analysed or not yet commissioned,
        duplicate or negative loads, missing cost rows or sources, or a bad
        ``station_capacity`` table (see :func:`station_years`).
    """
    case = as_params(case)  # the numbers, built once for the three engines below
    fin_case = finance if finance is not None else FinanceAssumptions.from_mapping(case.finance)
    sy = station_years(case, loads, built, year, finance=fin_case, plateau_utilisation=plateau_utilisation,
                       station_capacity=station_capacity, station_supply=station_supply,
                       segment_loads=segment_loads)
    costs = station_year_costs(case, sy, finance=fin_case)
    kg_day = sy.kg_per_day
    kg = kg_day * DAYS_PER_YEAR
    pr = station_year_prices(case, sy, costs, kg, finance=fin_case)

    fin = pr.finance
    vat = float(fin.vat_rate)
    st, years = sy.stations, sy.years
    yi, si = sy.year_index, sy.station_index
    ids = st["station_id"].to_numpy(object)
    cy = st["commissioning_year"].to_numpy(float)
    cap_row = sy.capacity_kg_per_day
    stype = st["station_type"].to_numpy(object)
    selling = kg > 0
    K, land_cny = costs["capex_cny"], costs["land_cny"]
    c_h2, c_del, c_elec = (costs["hydrogen_purchase_cny_per_kg"], costs["delivery_cny_per_kg"],
                           costs["electricity_cny_per_kg"])
    G, ops_now = pr.capital_subsidy_cny, pr.operating_subsidy_now_cny_per_kg

    lc = _levelised_components(costs, pr, kg, selling)
    p_sub = pr.price_with_subsidy_ex_vat_cny_per_kg  # break-even price ex VAT with subsidies
    p_none = pr.price_ex_vat_cny_per_kg

    def sold(x):
        return np.where(selling, x, np.nan)

    target, comparator = _price_target(case, years)
    tgt, cmp_ = target[yi], comparator[yi]
    retail_none = p_none * (1.0 + vat)
    retail_sub = p_sub * (1.0 + vat)
    gap_none, gap_sub, to_target, extra_to_target = _gaps_to_target(retail_none, retail_sub, tgt, cmp_, fin)
    mode = delivery_mode(costs["delivery_own"], costs["liquid_cheaper"])

    out = pd.DataFrame({
        "year": years[yi],
        "station_id": ids[si],
        "name": st["name"].to_numpy(object)[si],
        "district": st["district"].to_numpy(object)[si],
        "status": st["status"].to_numpy(object)[si],
        "station_type": stype[si],
        "pressure_mpa": st["pressure_mpa"].to_numpy(float).astype(np.int64)[si],
        "supply_id": case["Supply"]["supply_id"].to_numpy(object)[sy.supply_row],
        "capacity_kg_per_day": cap_row,
        "commissioning_year": cy[si].astype(np.int64),
        "h2_kg_per_day": kg_day,
        "kg_sold_per_year": kg,
        "utilisation": kg_day / cap_row,
        "capex_cny": K,
        "land_cny": land_cny,
        "capital_subsidy_cny": G,
        "operating_subsidy_cny_per_kg": ops_now,
        "distance_km": costs["distance_km"],
        "delivery_mode": mode.astype(object),
        "capital_cny_per_kg": lc["capital_cny_per_kg"],
        "fixed_om_cny_per_kg": lc["fixed_om_cny_per_kg"],
        "land_cny_per_kg": lc["land_cny_per_kg"],
        "electricity_cny_per_kg": sold(c_elec),
        "hydrogen_purchase_cny_per_kg": sold(c_h2),
        "delivery_cny_per_kg": sold(c_del),
        "financing_and_tax_cny_per_kg": lc["financing_and_tax_cny_per_kg"],
        "subsidy_cny_per_kg": lc["subsidy_cny_per_kg"],
        "vat_cny_per_kg": p_sub * vat,
        "breakeven_price_cny_per_kg": retail_none,
        "breakeven_price_with_subsidy_cny_per_kg": retail_sub,
        "annualised_cost_cny_per_year": pr.annualised_cost_cny_per_year,
        "annualised_cost_with_subsidy_cny_per_year": pr.annualised_cost_with_subsidy_cny_per_year,
        "price_target_cny_per_kg": tgt,
        "meets_price_target": meets(retail_sub, tgt, cmp_),
        "gap_to_target_cny_per_kg": gap_none,
        "gap_to_target_with_subsidy_cny_per_kg": gap_sub,
        "subsidy_to_target_cny_per_kg": to_target,
        "extra_subsidy_to_target_cny_per_kg": extra_to_target,
    })
    network = _network(out, sy, target, meets(retail_none, tgt, cmp_))
    capex = _capex_long(pd.DataFrame(costs["station_costs"]))
    grants, per_kg = pol.station_outlays_cny(pr.capital_subsidy_by_programme_cny,
                                             pr.operating_subsidy_now_by_programme_cny_per_kg, kg,
                                             years[yi] == cy[si])
    paid = pol.station_subsidy_table(years[yi], ids[si], [(pr.capital_programmes, grants),
                                                          (pr.operating_programmes, per_kg)])
    vi = costs["variant_index"]
    flows = StationFlowInputs(
        capex_excl_land_cny=costs["capex_excl_land_cny"], land_cny=land_cny,
        fixed_cny_per_year=costs["fixed_cny_per_year"],
        land_lease_cny_per_year=costs["land_lease_cny_per_year"],
        hydrogen_and_delivery_cny_per_kg=c_h2 + c_del, electricity_cny_per_kg=c_elec, kg_per_year=kg,
        replacement_share=costs["replacement_share"][..., vi, :], capital_subsidy_cny=G * pr.rebase,
        operating_subsidy_cny_per_kg=pr.operating_subsidy_cny_per_kg * pr.rebase[..., None],
        price_with_subsidy_ex_vat_cny_per_kg=p_sub, finance=fin,
    ) if np.ndim(K) == 1 else None
    return StationEconomics(stations=out, network=network, capex=capex, station_subsidies=paid, flows=flows)


def _levelised_components(costs: dict[str, np.ndarray], pr: StationPrices, kg: np.ndarray,
                          selling: np.ndarray) -> dict[str, np.ndarray]:
    """Levelised components of the subsidised break-even price, CNY/kg, per station-year.

    :func:`h2model.finance.levelised_cost` of the selling rows, with the subsidies
    rebased as in :func:`station_year_prices`; NaN where nothing is sold.
    """
    sel = np.flatnonzero(selling)
    fin_args = (costs["capex_excl_land_cny"][sel], costs["fixed_cny_per_year"][sel],
                costs["variable_cny_per_kg"][sel], kg[sel], pr.finance)
    common = {"land_lease_cny_per_year": costs["land_lease_cny_per_year"][sel],
              "land_cny": costs["land_cny"][sel],
              "replacement_share": costs["replacement_share"][costs["variant_index"][sel]]}

    def spread(x):
        full = np.full(len(selling), np.nan)
        full[sel] = x
        return full

    ops = pr.operating_subsidy_cny_per_kg
    lc = levelised_cost(*fin_args, capital_subsidy_cny=pr.capital_subsidy_cny[sel] * pr.rebase[sel],
                        operating_subsidy_cny_per_kg=ops[sel] * pr.rebase[sel, None], **common)
    return {k: spread(v) for k, v in lc.as_dict().items()}


def _gaps_to_target(retail_none: np.ndarray, retail_sub: np.ndarray, target: np.ndarray,
                    comparator: np.ndarray, fin: FinanceAssumptions) -> tuple[np.ndarray, ...]:
    """Gaps of the retail break-even prices to the price target and the subsidies that close them.

    Returns the gaps without and with subsidies (CNY/kg above the target, negative =
    below; for a ``>``/``>=`` target the sign is reversed) and, for a ``<``/``<=``
    target, the constant real per-kg operating subsidy over the life that brings the
    unsubsidised, resp. subsidised, price to the target (0 where none is needed,
    NaN for other comparators).
    """
    vat = float(fin.vat_rate)
    L, C = fin.station_life_years, fin.construction_years
    base = 1 if fin.convention == "profast" else 0
    # The price drop per CNY/kg of a constant real operating subsidy over the life
    # (independent of sales when sales are flat).
    real_profile = (1.0 + float(fin.inflation_rate)) ** (C - 1 - base + np.arange(1, L + 1, dtype=float))
    per_unit_subsidy = float(
        breakeven_price(0.0, 0.0, 0.0, 1.0, fin)
        - breakeven_price(0.0, 0.0, 0.0, 1.0, fin, operating_subsidy_cny_per_kg=real_profile))
    below = np.isin(comparator, ("<", "<="))
    gap_none = np.where(below, retail_none - target, target - retail_none)
    gap_sub = np.where(below, retail_sub - target, target - retail_sub)
    scale = (1.0 + vat) * per_unit_subsidy
    to_target = np.where(below, np.maximum(gap_none, 0.0) / scale, np.nan)
    extra_to_target = np.where(below, np.maximum(gap_sub, 0.0) / scale, np.nan)
    return gap_none, gap_sub, to_target, extra_to_target


def _network(rows: pd.DataFrame, sy: StationYears, target: np.ndarray,
             meets_without: np.ndarray) -> pd.DataFrame:
    """Per-year network summary of the station-year rows (see :func:`station_economics`)."""
    years = sy.years
    q = rows["kg_sold_per_year"].to_numpy(float)
    sell = q > 0
    cap = rows["capacity_kg_per_day"].to_numpy(float)
    df = pd.DataFrame({
        "year": rows["year"].to_numpy(np.int64),
        "op": 1,
        "sell": sell.astype(np.int64),
        "idle": (~sell).astype(np.int64),
        "idle_capex": np.where(sell, 0.0, rows["capex_cny"].to_numpy(float)),
        "meets": rows["meets_price_target"].to_numpy(bool).astype(np.int64),
        "meets0": meets_without.astype(np.int64),
        "cap": cap,
        "q": q,
        "u": rows["utilisation"].to_numpy(float),
    })
    g = df.groupby("year").agg(
        stations_operating=("op", "sum"), stations_selling=("sell", "sum"), stations_idle=("idle", "sum"),
        stations_meeting_price_target=("meets", "sum"),
        stations_meeting_price_target_without_subsidy=("meets0", "sum"),
        capacity_kg_per_day=("cap", "sum"), h2_kg_per_year=("q", "sum"), idle_capex_cny=("idle_capex", "sum"),
        utilisation_mean=("u", "mean"),
    ).reindex(years)
    counts = ["stations_operating", "stations_selling", "stations_idle", "stations_meeting_price_target",
              "stations_meeting_price_target_without_subsidy"]
    g[counts] = g[counts].fillna(0).astype(np.int64)
    sums = ["capacity_kg_per_day", "h2_kg_per_year", "idle_capex_cny"]
    g[sums] = g[sums].fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        g["utilisation"] = np.where(g["capacity_kg_per_day"] > 0,
                                    g["h2_kg_per_year"] / DAYS_PER_YEAR / g["capacity_kg_per_day"], np.nan)
    # The same functions as the Monte Carlo draws.
    for suffix in ("", "_with_subsidy"):
        cost = rows[f"annualised_cost{suffix}_cny_per_year"].to_numpy(float)
        g[f"annualised_cost{suffix}_cny_per_year"] = _sum_by_year(sy, cost)
        g[f"network_price{suffix}_cny_per_kg"] = network_price(sy, q, cost)
        g[f"sellers_vw_breakeven_price{suffix}_cny_per_kg"] = sellers_volume_weighted_price(
            sy, q, rows[f"breakeven_price{suffix}_cny_per_kg"].to_numpy(float))
    g["price_target_cny_per_kg"] = target
    g = g.rename_axis("year").reset_index()
    g["year"] = g["year"].astype(np.int64)
    return g


def _capex_long(costs: pd.DataFrame) -> pd.DataFrame:
    """Capex by station, capacity variant and component (station order, then the
    station's own capacity first and its other capacities ascending)."""
    costs = costs.iloc[np.argsort(costs["station_index"].to_numpy(), kind="stable")]
    comps = list(CAPEX_COMPONENTS) + ["land"]
    cols = [f"capex_{c}_cny" for c in CAPEX_COMPONENTS] + ["land_cny"]
    values = costs[cols].to_numpy(float)
    n = len(costs)
    return pd.DataFrame({
        "station_id": np.repeat(costs["station_id"].to_numpy(object), len(comps)),
        "capacity_kg_per_day": np.repeat(costs["capacity_kg_per_day"].to_numpy(float), len(comps)),
        "component": np.tile(np.asarray(comps, dtype=object), n),
        "capex_cny": values.ravel(),
    })
