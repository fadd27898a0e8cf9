"""Station-years and their operating cost.

Which stations are analysed (:func:`analysed_stations`), the operating station-years
of a case with the capacity installed, the supply source and the sales of each
(:class:`StationYears`, :func:`station_years`; the network plan's ``station_capacity``
and ``station_supply`` tables enter here), and each station-year's capex, O&M,
electricity and delivered hydrogen cost (:func:`station_year_costs`), on an optional
leading draws axis.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..finance import FinanceAssumptions, ex_vat, ramp_up_shares
from ..fleet import OPEN_STATUSES, OPERATING_DAYS_PER_YEAR, max_capacity_factor
from ..params import as_params
from ..peak import (
    REPLACED_COMPONENTS,
    PeakInputs,
    extra_component_capex_cny,
    peak_feasible_kg_per_day,
    peak_sizing_on,
    segment_mix,
    size_components,
    usable_kg_per_day,
)
from ..supply import delivery_cost
from .capex import _station_costs, component_replacement_shares, replacement_shares

#: Plateau utilisation of the fallback load path (sales / capacity), used when
#: :func:`station_economics` gets no loads.
FALLBACK_PLATEAU_UTILISATION = 0.5

#: Days of sales per year: loads are average kg/day over the year, as in the fleet.
DAYS_PER_YEAR = OPERATING_DAYS_PER_YEAR
_STATION_COLUMNS = (
    "station_id", "name", "district", "longitude", "latitude", "status", "commissioning_year",
    "capacity_kg_per_day", "pressure_mpa", "station_type", "supply_id",
)
_BUILT_REQUIRED = ("station_id", "commissioning_year", "capacity_kg_per_day", "station_type",
                   "pressure_mpa", "supply_id")


# --- stations, loads, delivered hydrogen ----------------------------------------------


def analysed_stations(case, built: pd.DataFrame | None = None) -> pd.DataFrame:
    """The stations whose economics are analysed: existing, planned and built ones.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Stations``.
    built : pandas.DataFrame, optional
        Stations the network plan builds: ``station_id, commissioning_year,
        capacity_kg_per_day, station_type, pressure_mpa, supply_id`` and optionally
        ``name, district, longitude, latitude`` (taken from ``Stations`` where the id
        is a candidate site there). A built row replaces the case's row of the same
        id (e.g. a candidate site, or a station the plan resizes) and is given the
        status ``built``.

    Returns
    -------
    pandas.DataFrame
        ``station_id, name, district, longitude, latitude, status,
        commissioning_year`` (float; a blank existing station's is the first analysis
        year), ``capacity_kg_per_day, pressure_mpa, station_type, supply_id``; case
        stations first (workbook order), then built stations new to the case.

    Raises
    ------
    ValueError
        If ``built`` lacks a required column or value, or repeats a station id.
    """
    st = case["Stations"]
    base = st[st["status"].isin(OPEN_STATUSES)]
    base = pd.DataFrame({c: base[c].to_numpy(dtype=object if c in ("station_id", "name", "district",
                                                                 "status", "station_type", "supply_id")
                                             else float) for c in _STATION_COLUMNS})
    if built is not None and len(built):
        missing = [c for c in _BUILT_REQUIRED if c not in built.columns]
        if missing:
            raise ValueError(f"built: missing column(s) {', '.join(missing)}")
        if built["station_id"].duplicated().any():
            dup = built.loc[built["station_id"].duplicated(), "station_id"].iloc[0]
            raise ValueError(f"built: station_id {dup!r} appears more than once")
        b = built.reset_index(drop=True)
        ref = st.set_index("station_id")
        ids = b["station_id"].astype(object).to_numpy()
        cols = {}
        for c in _STATION_COLUMNS:
            if c == "status":
                cols[c] = np.full(len(b), "built", dtype=object)
                continue
            kind = object if c in ("station_id", "name", "district", "station_type", "supply_id") else float
            own = (b[c].to_numpy(dtype=object) if c in b.columns else np.full(len(b), None, dtype=object))
            fallback = (ref[c].reindex(ids).to_numpy(dtype=object) if c in ref.columns
                        else np.full(len(b), None, dtype=object))
            v = pd.Series(own, dtype=object).where(pd.notna(pd.Series(own, dtype=object)),
                                                   pd.Series(fallback, dtype=object))
            if c == "name":
                v = v.where(v.notna(), pd.Series(ids, dtype=object))
            if v.isna().any() and c != "district":
                raise ValueError(f"built: station {ids[int(np.flatnonzero(v.isna())[0])]!r} has no {c}")
            cols[c] = v.to_numpy(dtype=kind)
        b = pd.DataFrame(cols)
        base = pd.concat([base[~base["station_id"].isin(b["station_id"])], b], ignore_index=True)
    first = float(case.years[0])
    cy = base["commissioning_year"].to_numpy(float)
    base["commissioning_year"] = np.where(np.isnan(cy) & (base["status"] == "existing"), first, cy)
    if base["commissioning_year"].isna().any():
        sid = base.loc[base["commissioning_year"].isna(), "station_id"].iloc[0]
        raise ValueError(f"station {sid!r}: commissioning_year is blank")
    return base.reset_index(drop=True)


def _supply_rows(case, stations: pd.DataFrame) -> np.ndarray:
    """Row of ``Supply`` of each station's ``supply_id``."""
    sup = case["Supply"]
    j = pd.Index(sup["supply_id"].astype(object)).get_indexer(stations["supply_id"].astype(object))
    if np.any(j < 0):
        k = int(np.flatnonzero(j < 0)[0])
        raise ValueError(f"station {stations['station_id'].iloc[k]!r}: supply_id "
                         f"{stations['supply_id'].iloc[k]!r} is not in Supply")
    return j


def _station_year_grid(table: pd.DataFrame, name: str, column: str, ids: np.ndarray, years: np.ndarray,
                       rule: str, fill: float) -> np.ndarray:
    """A ``year, station_id, <column>`` table -> (years, stations) grid, ``fill`` where
    the table has no value; years outside the analysis are ignored.

    ``rule`` is ``">= 0"`` or ``"> 0"``: what every value must be (and finite). Errors
    name the table, the rule and the offending station or (station, year).
    """
    for c in ("year", "station_id", column):
        if c not in table.columns:
            raise ValueError(f"{name}: missing column {c!r}")
    t = table[["year", "station_id", column]]
    if t.duplicated(["year", "station_id"]).any():
        r = t[t.duplicated(["year", "station_id"])].iloc[0]
        raise ValueError(f"{name}: (station {r['station_id']!r}, year {r['year']}) appears more than once")
    v = t[column].to_numpy(float)
    bad = ~np.isfinite(v) | ((v < 0) if rule == ">= 0" else (v <= 0))
    if bad.any():
        raise ValueError(f"{name}: {column} must be finite and {rule} kg/day")
    si = pd.Index(ids).get_indexer(t["station_id"].astype(object))
    if np.any(si < 0):
        unknown = sorted(set(t["station_id"].astype(object)[si < 0]))
        raise ValueError(f"{name}: station(s) not analysed (not existing, planned or built): "
                         f"{', '.join(map(str, unknown[:5]))}")
    yi = pd.Index(years).get_indexer(t["year"].to_numpy(np.int64))
    keep = yi >= 0
    grid = np.full((len(years), len(ids)), fill)
    grid[yi[keep], si[keep]] = v[keep]
    return grid


def _loads_grid(loads: pd.DataFrame, ids: np.ndarray, years: np.ndarray, operating: np.ndarray) -> np.ndarray:
    """Loads table -> (years, stations) kg/day, checked against the operating mask."""
    grid = _station_year_grid(loads, "loads", "h2_kg_per_day", ids, years, ">= 0", 0.0)
    bad = (grid > 0) & ~operating
    if bad.any():
        y, s = np.argwhere(bad)[0]
        raise ValueError(f"loads: station {ids[s]!r} sells hydrogen in {years[y]}, before its "
                         "commissioning year")
    return grid


def _capacity_rows(table: pd.DataFrame, ids: np.ndarray, years: np.ndarray, yi: np.ndarray,
                   si: np.ndarray, default: np.ndarray) -> np.ndarray:
    """Capacity (kg/day) of each station-year row from a ``station_capacity`` table
    (``station_id, year, capacity_kg_per_day``), ``default`` where it has no value;
    years outside the analysis are ignored."""
    got = _station_year_grid(table, "station_capacity", "capacity_kg_per_day", ids, years, "> 0",
                             np.nan)[yi, si]
    return np.where(np.isnan(got), default, got)


def _supply_rows_by_year(case, table: pd.DataFrame, ids: np.ndarray, years: np.ndarray, yi: np.ndarray,
                         si: np.ndarray, default: np.ndarray) -> np.ndarray:
    """Row of ``Supply`` of each station-year row from a ``station_supply`` table
    (``station_id, year, supply_id``), ``default`` where it has no value."""
    sup_ids = case["Supply"]["supply_id"].astype(object)
    for c in ("station_id", "year", "supply_id"):
        if c not in table.columns:
            raise ValueError(f"station_supply: missing column {c!r}")
    j = pd.Index(sup_ids).get_indexer(table["supply_id"].astype(object))
    if np.any(j < 0):
        unknown = sorted(set(table["supply_id"].astype(object)[j < 0]))
        raise ValueError(f"station_supply: supply_id(s) not in Supply: {', '.join(map(str, unknown[:5]))}")
    coded = table[["year", "station_id"]].assign(supply_row=j.astype(float))
    got = _station_year_grid(coded, "station_supply", "supply_row", ids, years, ">= 0", np.nan)[yi, si]
    return np.where(np.isnan(got), default, got).astype(np.int64)


def _years(case, year) -> np.ndarray:
    if year is None:
        return np.asarray(case.years, dtype=np.int64)
    if isinstance(year, Iterable) and not isinstance(year, str):
        return np.unique(np.asarray(list(year), dtype=np.int64))
    return np.asarray([int(year)], dtype=np.int64)


@dataclasses.dataclass(frozen=True)
class StationYears:
    """The station-years of a :func:`station_economics` run and where their inputs come from.

    Built once by :func:`station_years`; nothing in it is perturbed by Monte Carlo draws
    (those enter through :func:`station_year_costs` and the sales passed to
    :func:`station_year_prices`). Rows are the operating station-years, sorted by year
    then station order.

    Attributes
    ----------
    stations : pandas.DataFrame
        The analysed stations (:func:`analysed_stations`), ``n_stations`` rows.
    years : numpy.ndarray of int, shape (n_years,)
        Analysis years.
    year_index, station_index : numpy.ndarray of int, shape (n_rows,)
        Year and station of each row.
    kg_per_day : numpy.ndarray, shape (n_rows,)
        Hydrogen dispensed, kg/day (the loads, or the fallback load path).
    capacity_kg_per_day : numpy.ndarray, shape (n_rows,)
        Capacity installed in the row's year, kg/day: the ``station_capacity``
        table's value for the station and year where given, else the station's
        ``capacity_kg_per_day``.
    supply_row : numpy.ndarray of int, shape (n_rows,)
        Row of ``Supply`` that delivers to the station in the row's year: the
        ``station_supply`` table's source where given, else the station's
        ``supply_id``.
    peak : dict of str to numpy.ndarray, optional
        With ``Network.peak_sizing = 1``: per row, the peak-hour sizes of
        :func:`h2model.peak.size_components` at the row's sales and
        ``peak_feasible_kg_per_day`` (kg/day the base design's hoses serve at the service
        level); None otherwise.
    """

    stations: pd.DataFrame
    years: np.ndarray
    year_index: np.ndarray
    station_index: np.ndarray
    kg_per_day: np.ndarray
    capacity_kg_per_day: np.ndarray
    supply_row: np.ndarray
    peak: dict[str, np.ndarray] | None = None

    @property
    def year_starts(self) -> np.ndarray:
        """First row of each year (rows are sorted by year), shape (n_years + 1,)."""
        return np.searchsorted(self.year_index, np.arange(len(self.years) + 1))


def station_years(case, loads: pd.DataFrame | None = None, built: pd.DataFrame | None = None,
                  year: int | Iterable[int] | None = None, *, finance: FinanceAssumptions | None = None,
                  plateau_utilisation: float = FALLBACK_PLATEAU_UTILISATION,
                  station_capacity: pd.DataFrame | None = None,
                  station_supply: pd.DataFrame | None = None,
                  segment_loads: pd.DataFrame | None = None) -> StationYears:
    """The operating station-years of a case, their capacity, source and sales (see
    :func:`station_economics`).

    Parameters are those of :func:`station_economics`; ``finance`` (default: the case's)
    shapes only the fallback load path, which scales with each row's capacity.
    ``segment_loads`` (``year, station_id, segment, h2_kg_per_day``,
    :func:`h2model.peak.station_segment_loads`) gives each row's segment mix; it is read
    only with ``Network.peak_sizing = 1`` (a row without one serves every segment alike).

    Returns
    -------
    StationYears
        Rows (station-years), capacity and sales in kg/day and the rows of the input
        sheets each station reads.

    Raises
    ------
    ValueError
        On bad ``loads`` (see :func:`station_economics`), or a ``station_capacity``
        table that lacks a column, repeats a (station, year), names a station that is
        not analysed or has a capacity that is not finite and > 0 kg/day; or a
        ``station_supply`` table that lacks a column, repeats a (station, year), names
        a station that is not analysed or a ``supply_id`` not in ``Supply``.

    Examples
    --------
    >>> from h2model.inputs import load_case, DEFAULT_CASE
    >>> case = load_case(DEFAULT_CASE)
    >>> grown = pd.DataFrame({"station_id": ["HP-E1"], "year": [2025],
    ...                       "capacity_kg_per_day": [1500.0]})
    >>> sy = station_years(case, year=[2024, 2025], station_capacity=grown)
    >>> ids = sy.stations["station_id"].to_numpy()[sy.station_index]
    >>> sy.capacity_kg_per_day[ids == "HP-E1"].tolist()
    [500.0, 1500.0]
    """
    fin_case = finance if finance is not None else FinanceAssumptions.from_mapping(case.finance)
    L = fin_case.station_life_years
    st = analysed_stations(case, built)
    years = _years(case, year)
    ids = st["station_id"].to_numpy(object)
    cy = st["commissioning_year"].to_numpy(float)
    operating = cy[None, :] <= years[:, None]  # (years, stations)
    yi, si = np.nonzero(operating)  # rows: by year, then station order
    cap_row = st["capacity_kg_per_day"].to_numpy(float)[si]
    if station_capacity is not None:
        cap_row = _capacity_rows(station_capacity, ids, years, yi, si, cap_row)

    # Sales (kg/day) of each operating station-year.
    if loads is None:
        k = (years[yi] - cy[si]).astype(np.int64)  # operating year - 1
        shares = np.asarray(ramp_up_shares(fin_case), dtype=float)
        kg_day = plateau_utilisation * cap_row * np.where(k < L, shares[np.minimum(k, L - 1)], 1.0)
    else:
        kg_day = _loads_grid(loads, ids, years, operating)[yi, si]
    # No station-year sells more than the capacity-factor limit (the fleet and the
    # network plan assign demand within it; loads from elsewhere are cut to it).
    kg_day = np.minimum(kg_day, max_capacity_factor(case) * cap_row)
    peak = None
    if peak_sizing_on(case):  # and at what the base design's hoses serve in the peak hour
        kg_day, peak = _peak_rows(case, segment_loads, ids, years, yi, si, kg_day, cap_row,
                                  st["pressure_mpa"].to_numpy(float)[si])

    j = _supply_rows(case, st)[si]
    if station_supply is not None:
        j = _supply_rows_by_year(case, station_supply, ids, years, yi, si, j)
    return StationYears(stations=st, years=years, year_index=yi, station_index=si, kg_per_day=kg_day,
                        capacity_kg_per_day=cap_row, supply_row=j, peak=peak)


def _peak_rows(case, segment_loads, ids, years, yi, si, kg_day, cap_row, pressure_row):
    """Sales capped at the peak-feasible capacity, and the peak sizes of each row
    (:mod:`h2model.peak`)."""
    inputs = PeakInputs.from_case(case)
    by_seg = np.zeros((len(yi), len(inputs.segments)))
    if segment_loads is not None and len(segment_loads):
        t = segment_loads
        r = pd.Index(years).get_indexer(t["year"].to_numpy(np.int64)) * len(ids) + pd.Index(ids).get_indexer(
            t["station_id"].astype(object))
        row_of = np.full(len(years) * len(ids), -1)
        row_of[yi * len(ids) + si] = np.arange(len(yi))
        k = pd.Index(inputs.segments).get_indexer(t["segment"].astype(str))
        pos = t["h2_kg_per_day"].to_numpy(float) > 0
        if np.any(pos & (k < 0)):
            raise ValueError("segment_loads: a segment without a RefuellingProfile row: "
                             f"{t['segment'].astype(str)[pos & (k < 0)].iloc[0]!r}")
        rows = np.where((r >= 0) & (k >= 0), row_of[np.maximum(r, 0)], -1)
        if np.any(pos & (r >= 0) & (rows < 0)):
            raise ValueError("segment_loads: a load for a station-year that does not operate")
        keep = rows >= 0
        np.add.at(by_seg, (rows[keep], k[keep]), t["h2_kg_per_day"].to_numpy(float)[keep])
    mix = segment_mix(by_seg)
    feasible = peak_feasible_kg_per_day(inputs, mix, inputs.base_hoses(cap_row))
    kg_day = np.minimum(kg_day, usable_kg_per_day(inputs, mix, cap_row, max_capacity_factor(case)))
    sizes = size_components(inputs, mix * kg_day[:, None], cap_row, pressure_row)
    sizes["peak_feasible_kg_per_day"] = feasible
    return kg_day, sizes


def station_year_costs(params, sy: StationYears, *,
                       finance: FinanceAssumptions | None = None) -> dict[str, np.ndarray]:
    r"""Capex, fixed and variable costs of every station-year, with optional draws.

    The cost model of :func:`station_economics`: :func:`station_costs_from_case` at
    each row's capacity (``sy.capacity_kg_per_day``), hydrogen purchase (production +
    purification of the row's source), delivery from that source
    (:func:`h2model.supply.delivery_cost`: none when the source is the station's own
    on-site production, else the cheaper of tube trailer at the year's diesel price
    and liquid hydrogen) and electricity (kWh/kg x the year's ``Prices.electricity_cny_per_kwh``) per
    station-year.

    **Every cost is ex VAT** (the finance engine's basis; a station credits its input
    VAT against the output VAT on its sales): the VAT-inclusive tariffs are divided by
    one plus their rate (:func:`h2model.finance.ex_vat`; ``Prices.electricity_cny_per_kwh``
    by ``Finance.electricity_vat_rate``, ``Prices.diesel_cny_per_l`` by
    ``Finance.diesel_vat_rate``); hydrogen production and purification costs, capex,
    O&M, staff and land are stated ex VAT in the inputs (see the input schema).

    The station cost model runs once per **capacity variant**: every station at its
    own ``capacity_kg_per_day`` (variant ``i`` is station ``i``), then each other
    (station, capacity) pair that rows use (a station the network plan expands),
    in station then capacity order; rows index into the variants. Capex excl. land,
    fixed O&M and the compressor replacement follow the variant's capacity; land
    purchase, land lease, staff and electricity use per kg do not scale with
    capacity in the cost model, so an expanded station carries the same land as
    before (land is bought once per site). Without a ``station_capacity`` table the
    variants are the stations and every output is as it was without capacity by
    year.

    Parameters
    ----------
    params : h2model.params.Params or Case
        Reads ``StationCosts, Supply, Delivery, Prices, Finance``. Drawn inputs
        (:meth:`h2model.params.Params.with_draws`) add their leading (draws) axes to
        every output.
    sy : StationYears
        From :func:`station_years`.
    finance : FinanceAssumptions, optional
        Gives the station life for the replacement schedule and the discount rate of
        the tube trailer's capital (:func:`h2model.supply.delivery_cost`); default the
        case's (with a drawn ``Finance.discount_rate``, if any).

    Returns
    -------
    dict of str to numpy.ndarray
        With ``sy.peak`` (``Network.peak_sizing = 1``) a row's capex and fixed O&M include
        the components its peak hour needs beyond the base design
        (:func:`h2model.peak.extra_component_capex_cny`, pre-cooling for 70 MPa fills
        included; O&M at the variant's share of capex), and every component is replaced
        by its own life (:func:`h2model.station.capex.component_replacement_shares`:
        compressor ``StationCosts.compressor_life_years``, storage, dispenser and
        pre-cooling ``PeakSizing.<component>_life_years``) as a share of the row's capex
        (the peak's extra capex is replaced at the variant's blended share).
        Per row, shape ``(..., n_rows)``, at the row's capacity: ``capex_cny`` (incl.
        land), ``capex_excl_land_cny``, ``land_cny`` (purchase), ``fixed_cny_per_year`` (O&M + staff),
        ``land_lease_cny_per_year`` (CNY/year); ``hydrogen_purchase_cny_per_kg``,
        ``delivery_cny_per_kg``, ``electricity_cny_per_kg`` and their sum
        ``variable_cny_per_kg`` (CNY/kg); ``liquid_cheaper`` (bool); ``delivery_own``
        (bool: the source is the station's own on-site production); ``variant_index``
        (int, shape ``(n_rows,)``: the row's capacity variant); ``distance_km`` (road
        km from the row's source, shape ``(..., n_rows)``). Per capacity variant:
        ``replacement_share``, shape ``(..., n_variants, L)`` (compressor replacement
        by operating year, fraction of capex; index with ``variant_index``);
        ``station_costs`` holds :func:`station_costs_from_case`'s columns as arrays
        ``(..., n_variants)`` plus ``station_index`` and ``capacity_kg_per_day``
        (kg/day) of each variant, shape ``(n_variants,)``.
    """
    si, yi = sy.station_index, sy.year_index
    p = as_params(params)
    L = finance.station_life_years if finance is not None else int(p.finance["station_life_years"])
    v_station, v_cap, vi = _capacity_variants(sy)
    variants = pd.DataFrame({
        "station_id": sy.stations["station_id"].to_numpy(object)[v_station],
        "station_type": sy.stations["station_type"].to_numpy(object)[v_station],
        "pressure_mpa": sy.stations["pressure_mpa"].to_numpy(float)[v_station],
        "capacity_kg_per_day": v_cap,
    })
    costs = _station_costs(p, variants)
    costs["station_index"] = v_station
    costs["capacity_kg_per_day"] = v_cap
    rep_variant = replacement_shares(costs["compressor_replacement_share"],
                                     costs["compressor_life_years"].astype(float), L)
    capex_excl_land = costs["capex_excl_land_cny"][..., vi]
    fixed = (costs["fixed_om_cny_per_year"] + costs["staff_cny_per_year"])[..., vi]
    extra = 0.0
    if sy.peak is not None:  # components the peak hour needs beyond the base design (h2model.peak)
        sized = ("compressor", "storage", "dispenser", "precooling")
        extra = extra_component_capex_cny(sy.peak, {c: costs[f"capex_{c}_cny"][..., vi] for c in sized},
                                          p.par("PeakSizing", "precooling_capex_cny_per_kw"))
        # and every component is replaced by its own life (h2model.peak.REPLACED_COMPONENTS)
        rep_variant = component_replacement_shares(
            costs, {c: p.par("PeakSizing", f"{c}_life_years") for c in REPLACED_COMPONENTS}, L)
        with np.errstate(divide="ignore", invalid="ignore"):
            om = costs["fixed_om_cny_per_year"][..., vi]
            om_share = np.where(capex_excl_land > 0, om / capex_excl_land, 0.0)
        fixed = fixed + om_share * extra

    # Delivery from each row's source, priced per station-year (the one delivery rule).
    dlv = delivery_cost(p, sy.supply_row, si, sy.years[yi], stations=sy.stations,
                        discount_rate=None if finance is None else finance.discount_rate)
    c_del = dlv.cny_per_kg
    production = p.col("Supply", "production_cost_cny_per_kg")[..., sy.supply_row]
    purification = p.col("Supply", "purification_cost_cny_per_kg")[..., sy.supply_row]
    c_h2 = production + purification
    elec = ex_vat(p.by_year("electricity_cny_per_kwh", sy.years), p.par("Finance", "electricity_vat_rate"))
    c_elec = costs["electricity_kwh_per_kg"][..., vi] * elec[..., yi]
    return {
        "capex_cny": costs["capex_cny"][..., vi] + extra,
        "capex_excl_land_cny": capex_excl_land + extra,
        "land_cny": costs["land_cny"][..., vi],
        "fixed_cny_per_year": fixed,
        "land_lease_cny_per_year": costs["land_lease_cny_per_year"][..., vi],
        "hydrogen_purchase_cny_per_kg": c_h2,
        "delivery_cny_per_kg": c_del,
        "electricity_cny_per_kg": c_elec,
        "variable_cny_per_kg": c_h2 + c_del + c_elec,
        "liquid_cheaper": dlv.liquid,
        "delivery_own": dlv.own,
        "variant_index": vi,
        "distance_km": dlv.distance_km,
        "replacement_share": rep_variant,
        "station_costs": costs,
    }


def _capacity_variants(sy: StationYears) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capacity variants of the stations (see :func:`station_year_costs`): station index
    and capacity (kg/day) of each variant, and the variant of each row."""
    own = sy.stations["capacity_kg_per_day"].to_numpy(float)
    si, cap = sy.station_index, sy.capacity_kg_per_day
    v_station = np.arange(len(own))
    vi = si.copy()
    other = cap != own[si]
    if not other.any():
        return v_station, own, vi
    pairs = np.stack([si[other].astype(float), cap[other]], axis=1)
    uniq, inv = np.unique(pairs, axis=0, return_inverse=True)  # by station, then capacity
    vi[other] = len(own) + np.asarray(inv).reshape(-1)
    return (np.concatenate([v_station, uniq[:, 0].astype(np.int64)]), np.concatenate([own, uniq[:, 1]]),
            vi)
