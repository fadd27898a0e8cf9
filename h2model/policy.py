"""Subsidy and reward programmes: what they pay, to whom, and the budget by year.

Each row of the ``Policy`` sheet is a programme of one kind (see
:data:`h2model.inputs.schema.POLICY_KINDS`), paid from ``start_year`` to ``end_year``
to the segments (or station types) it names, ``'all'`` meaning every one:

==============================  ==========================================================
kind                            paid per item (vehicle or station) and year
==============================  ==========================================================
``vehicle_purchase_per_kw``     amount x fuel-cell kW, once when bought, capped per vehicle
``vehicle_reward_per_vehicle``  amount, once when bought (city-cluster reward), capped
``vehicle_operation_per_km``    amount x km driven, each year in service, capped per year
``station_capex``               amount, once when commissioned, capped per station and by
                                ``cap_share_of_capex`` x capex
``h2_sales_per_kg``             amount x kg sold, each year, capped per station and year
``h2_supply_reward_per_kg``     amount x kg supplied, each year, capped per station and year
==============================  ==========================================================

Conditions: ``max_price_cny_per_kg`` pays only where the retail hydrogen price is at
most that (the station's price for station and hydrogen kinds; the city's price path
for vehicle kinds), an unknown price counting as not met; ``min_capacity_kg_per_day``
pays only stations at least that large. A blank cap is no cap.

>>> float(capped(np.array(120.0), np.array(100.0)))
100.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

VEHICLE_KINDS = ("vehicle_purchase_per_kw", "vehicle_reward_per_vehicle", "vehicle_operation_per_km")
PURCHASE_KINDS = ("vehicle_purchase_per_kw", "vehicle_reward_per_vehicle")
STATION_KINDS = ("station_capex",)
H2_KINDS = ("h2_sales_per_kg", "h2_supply_reward_per_kg")

#: Purchase-subsidy kinds that lower the buyer's TCO. City-cluster rewards per vehicle
#: (``vehicle_reward_per_vehicle``) go to the city cluster, which uses them to fund the
#: local purchase subsidies; counting both in the buyer's price would count them twice.
TCO_PURCHASE_KINDS = ("vehicle_purchase_per_kw",)

#: Budget groups of the kinds, for summaries.
KIND_GROUP = {**{k: "vehicle" for k in VEHICLE_KINDS}, **{k: "station" for k in STATION_KINDS},
              **{k: "hydrogen" for k in H2_KINDS}}

BUDGET_COLUMNS = ("year", "programme_id", "level", "kind", "items", "outlay_cny")


def capped(amount, cap) -> np.ndarray:
    """Amount limited by a cap, a NaN cap meaning no cap.

    Parameters
    ----------
    amount : array_like
        Amount due before the cap (CNY).
    cap : array_like
        Cap (CNY); NaN for none.

    Returns
    -------
    numpy.ndarray
        :math:`\\min(a, c)` where a cap is set, else :math:`a` (CNY).

    Examples
    --------
    >>> capped([50.0, 150.0, 150.0], [100.0, 100.0, np.nan]).tolist()
    [50.0, 100.0, 150.0]
    """
    a = np.asarray(amount, dtype=float)
    c = np.asarray(cap, dtype=float)
    return np.where(np.isnan(c), a, np.minimum(a, c))


def price_condition_met(price_cny_per_kg, max_price_cny_per_kg) -> np.ndarray:
    """Whether a programme's hydrogen price condition holds.

    Parameters
    ----------
    price_cny_per_kg : array_like
        Retail price (CNY/kg); NaN when unknown.
    max_price_cny_per_kg : array_like
        Highest price the programme allows (CNY/kg); NaN for no condition.

    Returns
    -------
    numpy.ndarray of bool
        True where there is no condition, or the price is known and at most the limit.

    Examples
    --------
    >>> price_condition_met([30.0, 40.0, np.nan, 40.0], [35.0, 35.0, 35.0, np.nan]).tolist()
    [True, False, False, True]
    """
    p = np.asarray(price_cny_per_kg, dtype=float)
    m = np.asarray(max_price_cny_per_kg, dtype=float)
    return np.isnan(m) | (p <= m)


def operation_subsidy_cny_per_year(annual_km, cny_per_km, cap_cny_per_year) -> np.ndarray:
    """Operating subsidy a vehicle receives in a year.

    .. math:: s = \\min(D \\, a,\\; c)

    Parameters
    ----------
    annual_km : array_like
        Distance driven in the year, :math:`D` (km/year).
    cny_per_km : array_like
        Subsidy rate, :math:`a` (CNY/km).
    cap_cny_per_year : array_like
        Cap per vehicle and year, :math:`c` (CNY/year); NaN for none.

    Returns
    -------
    numpy.ndarray
        Subsidy (CNY/year).

    Examples
    --------
    >>> operation_subsidy_cny_per_year([30000.0, 60000.0], 2.5, 100000.0).tolist()
    [75000.0, 100000.0]
    """
    return capped(np.asarray(annual_km, dtype=float) * np.asarray(cny_per_km, dtype=float),
                  cap_cny_per_year)


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(frame[col], errors="coerce").astype(float).to_numpy()


def _active_years(programmes: pd.DataFrame, years) -> pd.DataFrame:
    """Programmes crossed with the years they pay in."""
    x = programmes.merge(pd.DataFrame({"year": np.asarray(years, dtype=np.int64)}), how="cross")
    keep = (x["year"] >= _num(x, "start_year")) & (x["year"] <= _num(x, "end_year"))
    return x[keep].reset_index(drop=True)


def _price_on(h2_price_cny_per_kg: pd.Series | None, years) -> np.ndarray:
    if h2_price_cny_per_kg is None:
        return np.full(len(years), np.nan)
    from .tco import year_path

    return year_path(pd.Series(h2_price_cny_per_kg, dtype=float), years)


def vehicle_subsidy_rates(policy: pd.DataFrame, segments: pd.DataFrame, years,
                          h2_price_cny_per_kg: pd.Series | None = None) -> pd.DataFrame:
    """Per-vehicle subsidies by year, segment and programme (fuel-cell vehicles).

    Parameters
    ----------
    policy : pandas.DataFrame
        The ``Policy`` sheet; only vehicle kinds are read.
    segments : pandas.DataFrame
        The ``Segments`` sheet; fcev rows give ``fc_power_kw`` (kW).
    years : array_like of int
        Years to report.
    h2_price_cny_per_kg : pandas.Series, optional
        City retail hydrogen price by year (CNY/kg), to test ``max_price_cny_per_kg``;
        without it the condition is not tested.

    Returns
    -------
    pandas.DataFrame
        ``year, segment, programme_id, level, kind, cny_per_vehicle, cny_per_km,
        cap_cny_per_vehicle_year``: purchase kinds have ``cny_per_vehicle`` (CNY per
        vehicle bought, cap applied); the operating kind has ``cny_per_km`` and its cap
        per vehicle and year (CNY/year, NaN for none).

    Examples
    --------
    >>> pol = pd.DataFrame({"programme_id": ["p"], "level": ["municipal"],
    ...     "kind": ["vehicle_purchase_per_kw"], "segment": ["all"], "amount_cny": [3000.0],
    ...     "cap_cny_per_year": [330000.0], "start_year": [2024], "end_year": [2025],
    ...     "max_price_cny_per_kg": [np.nan]})
    >>> seg = pd.DataFrame({"segment": ["bus_12m"], "powertrain": ["fcev"], "fc_power_kw": [120.0]})
    >>> r = vehicle_subsidy_rates(pol, seg, [2024, 2025, 2026])
    >>> print(r[["year", "segment", "cny_per_vehicle"]].to_string(index=False))
     year segment  cny_per_vehicle
     2024 bus_12m         330000.0
     2025 bus_12m         330000.0
    """
    cols = ["year", "segment", "programme_id", "level", "kind", "cny_per_vehicle", "cny_per_km",
            "cap_cny_per_vehicle_year"]
    years = np.asarray(years, dtype=np.int64)
    pol = policy[policy["kind"].isin(VEHICLE_KINDS)]
    fc = segments.loc[segments["powertrain"] == "fcev", ["segment", "fc_power_kw"]]
    if pol.empty or fc.empty:
        return pd.DataFrame({c: pd.Series([], dtype=float if c.startswith(("cny", "cap")) else
                                          ("int64" if c == "year" else object)) for c in cols})
    x = _active_years(pol.rename(columns={"segment": "applies_to"}), years)
    x = x.merge(fc, how="cross")
    x = x[(x["applies_to"] == "all") | (x["applies_to"] == x["segment"])].reset_index(drop=True)
    price = pd.Series(_price_on(h2_price_cny_per_kg, years), index=years)
    if h2_price_cny_per_kg is not None:
        ok = price_condition_met(price.reindex(x["year"]).to_numpy(), _num(x, "max_price_cny_per_kg"))
        x = x[ok].reset_index(drop=True)
    amount, cap = _num(x, "amount_cny"), _num(x, "cap_cny_per_year")
    kind = x["kind"].to_numpy(dtype=object)
    per_vehicle = np.where(kind == "vehicle_purchase_per_kw", amount * _num(x, "fc_power_kw"), amount)
    operating = kind == "vehicle_operation_per_km"
    out = pd.DataFrame({
        "year": x["year"].to_numpy(np.int64),
        "segment": x["segment"].astype(object).to_numpy(),
        "programme_id": x["programme_id"].astype(object).to_numpy(),
        "level": x["level"].astype(object).to_numpy(),
        "kind": kind,
        "cny_per_vehicle": np.where(operating, np.nan, capped(per_vehicle, cap)),
        "cny_per_km": np.where(operating, amount, np.nan),
        "cap_cny_per_vehicle_year": np.where(operating, cap, np.nan),
    })
    return out.sort_values(["year", "segment", "programme_id"], kind="stable").reset_index(drop=True)


def vehicle_subsidy_rates_from_case(case, h2_price_cny_per_kg: pd.Series | None = None) -> pd.DataFrame:
    """:func:`vehicle_subsidy_rates` for a case, tested against its hydrogen price path.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Policy``, ``Segments``, ``Prices``.
    h2_price_cny_per_kg : pandas.Series, optional
        Retail price by year (CNY/kg); default ``Prices.h2_retail_cny_per_kg``.

    Returns
    -------
    pandas.DataFrame
        As :func:`vehicle_subsidy_rates`.
    """
    policy = case.tables.get("Policy")
    if policy is None:
        policy = pd.DataFrame(columns=["kind"])
    return vehicle_subsidy_rates(policy, case.tables["Segments"], case.years,
                                 _city_price(case, h2_price_cny_per_kg))


def _city_price(case, h2_price_cny_per_kg):
    if h2_price_cny_per_kg is not None:
        return pd.Series(h2_price_cny_per_kg, dtype=float)
    prices = case.tables["Prices"]
    return pd.Series(prices["h2_retail_cny_per_kg"].to_numpy(float),
                     index=prices["year"].to_numpy(np.int64))


def vehicle_budget(rates: pd.DataFrame, vehicles: pd.DataFrame, years) -> pd.DataFrame:
    """Outlays on vehicle programmes by year and programme.

    Parameters
    ----------
    rates : pandas.DataFrame
        As from :func:`vehicle_subsidy_rates`.
    vehicles : pandas.DataFrame
        One row per vehicle: ``segment, purchase_year, retire_year`` (first year out of
        service) and ``annual_km`` (km/year).
    years : array_like of int
        Years to report.

    Returns
    -------
    pandas.DataFrame
        ``year, programme_id, level, kind, items, outlay_cny``: ``items`` is vehicles
        paid. Purchase kinds pay vehicles bought in the year; the operating kind pays
        each vehicle in service :func:`operation_subsidy_cny_per_year`.
    """
    years = np.asarray(years, dtype=np.int64)
    parts = []
    if vehicles.empty or rates.empty:
        return _empty_budget()
    v = pd.DataFrame({"segment": vehicles["segment"].astype(object).to_numpy(),
                      "purchase_year": vehicles["purchase_year"].to_numpy(np.int64),
                      "retire_year": vehicles["retire_year"].to_numpy(np.int64),
                      "annual_km": vehicles["annual_km"].to_numpy(float)})
    cohorts = v.groupby(["segment", "purchase_year", "retire_year", "annual_km"]).size()
    cohorts = cohorts.rename("n").reset_index()

    buy = rates[rates["kind"].isin(PURCHASE_KINDS)]
    if not buy.empty:
        bought = cohorts.groupby(["segment", "purchase_year"])["n"].sum().reset_index()
        x = buy.merge(bought.rename(columns={"purchase_year": "year"}), on=["segment", "year"])
        x["items"] = x["n"]
        x["outlay_cny"] = x["n"] * x["cny_per_vehicle"]
        parts.append(x)

    op = rates[rates["kind"] == "vehicle_operation_per_km"]
    if not op.empty:
        start = np.maximum(cohorts["purchase_year"].to_numpy(), years[0])
        stop = np.minimum(cohorts["retire_year"].to_numpy(), years[-1] + 1)
        span = np.maximum(stop - start, 0)
        idx = np.repeat(np.arange(len(cohorts)), span)
        offset = np.arange(len(idx)) - np.repeat(np.cumsum(span) - span, span)
        in_service = cohorts.iloc[idx].reset_index(drop=True)
        in_service["year"] = start[idx] + offset
        x = op.merge(in_service, on=["segment", "year"])
        x["items"] = x["n"]
        x["outlay_cny"] = x["n"] * operation_subsidy_cny_per_year(
            x["annual_km"], x["cny_per_km"], x["cap_cny_per_vehicle_year"])
        parts.append(x)
    return _budget_rows(parts)


def station_budget(policy: pd.DataFrame, stations: pd.DataFrame, station_years: pd.DataFrame,
                   years) -> pd.DataFrame:
    """Outlays on station and hydrogen programmes by year and programme.

    Parameters
    ----------
    policy : pandas.DataFrame
        The ``Policy`` sheet; station and hydrogen kinds are read.
    stations : pandas.DataFrame
        One row per station: ``station_id, commissioning_year, station_type,
        capacity_kg_per_day`` (kg/day, when commissioned: capital programmes'
        ``min_capacity_kg_per_day`` tests it) and ``capex_cny`` (CNY; NaN where
        unknown, in which case a share-of-capex cap cannot bind); optionally
        ``district`` for programmes limited to one district.
    station_years : pandas.DataFrame
        ``station_id, year, h2_sold_kg_per_year`` (kg/year) and ``price_cny_per_kg``
        (retail or break-even price, CNY/kg; NaN where unknown); optionally
        ``capacity_kg_per_day`` (kg/day installed that year, e.g. after a network
        plan's expansions), which per-kg programmes' ``min_capacity_kg_per_day``
        then tests instead of the station's.
    years : array_like of int
        Years to report.

    Returns
    -------
    pandas.DataFrame
        ``year, programme_id, level, kind, items, outlay_cny``; ``items`` is stations
        paid.
    """
    years = np.asarray(years, dtype=np.int64)
    parts = []
    st = stations.copy()
    st["station_type"] = st["station_type"].astype(object)
    if "district" not in st:
        st["district"] = "all"
    st_cols = ["station_id", "station_type", "district"]
    if "capacity_kg_per_day" not in station_years.columns:
        st_cols.append("capacity_kg_per_day")
    sy = station_years.merge(st[st_cols], on="station_id", how="inner")
    price = sy.set_index(["station_id", "year"])["price_cny_per_kg"]

    cap_prog = policy[policy["kind"].isin(STATION_KINDS)]
    if not cap_prog.empty and not st.empty:
        built = st[st["commissioning_year"].notna()].copy()
        built["year"] = built["commissioning_year"].astype("int64")
        built = built[np.isin(built["year"], years)]
        x = built.merge(cap_prog.rename(columns={"station_type": "applies_to",
                                                 "district": "programme_district"}), how="cross")
        x = x[_applies(x) & (x["year"] >= _num(x, "start_year")) & (x["year"] <= _num(x, "end_year"))]
        p = price.reindex(pd.MultiIndex.from_arrays([x["station_id"], x["year"]])).to_numpy(float)
        ok = _capacity_ok(x) & price_condition_met(p, _num(x, "max_price_cny_per_kg"))
        x = x[ok].copy()
        share_cap = _num(x, "cap_share_of_capex") * _num(x, "capex_cny")
        x["outlay_cny"] = capped(capped(_num(x, "amount_cny"), _num(x, "cap_cny_per_year")), share_cap)
        x["items"] = 1
        parts.append(x)

    h2_prog = policy[policy["kind"].isin(H2_KINDS)]
    if not h2_prog.empty and not sy.empty:
        x = sy[np.isin(sy["year"], years)].merge(
            h2_prog.rename(columns={"station_type": "applies_to", "district": "programme_district"}),
            how="cross")
        x = x[_applies(x) & (x["year"] >= _num(x, "start_year")) & (x["year"] <= _num(x, "end_year"))
              & (_num(x, "h2_sold_kg_per_year") > 0)]
        ok = _capacity_ok(x) & price_condition_met(_num(x, "price_cny_per_kg"),
                                                   _num(x, "max_price_cny_per_kg"))
        x = x[ok].copy()
        x["outlay_cny"] = capped(_num(x, "h2_sold_kg_per_year") * _num(x, "amount_cny"),
                                 _num(x, "cap_cny_per_year"))
        x["items"] = 1
        parts.append(x)
    return _budget_rows(parts)


def _applies(x: pd.DataFrame) -> np.ndarray:
    """Station type matches, and district too where the programme names one."""
    ok = (x["applies_to"] == "all") | (x["applies_to"] == x["station_type"])
    if "programme_district" in x and "district" in x:
        pd_ = x["programme_district"].fillna("all")
        ok &= (pd_ == "all") | (pd_ == x["district"])
    return ok.to_numpy(bool)


def _capacity_ok(x: pd.DataFrame) -> np.ndarray:
    m = _num(x, "min_capacity_kg_per_day")
    return np.isnan(m) | (_num(x, "capacity_kg_per_day") >= m)


def _empty_budget() -> pd.DataFrame:
    return pd.DataFrame({"year": pd.Series([], dtype="int64"), "programme_id": pd.Series([], dtype=object),
                         "level": pd.Series([], dtype=object), "kind": pd.Series([], dtype=object),
                         "items": pd.Series([], dtype="int64"), "outlay_cny": pd.Series([], dtype=float)})


def _budget_rows(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p[list(BUDGET_COLUMNS)] for p in parts if len(p)]
    if not parts:
        return _empty_budget()
    b = pd.concat(parts, ignore_index=True).astype(
        {"year": "int64", "programme_id": object, "level": object, "kind": object,
         "items": "int64", "outlay_cny": float})
    b = b.groupby(["year", "programme_id", "level", "kind"], as_index=False, sort=True)[
        ["items", "outlay_cny"]].sum()
    return b.astype({"programme_id": object, "level": object, "kind": object})


def budget(policy: pd.DataFrame, segments: pd.DataFrame, vehicles: pd.DataFrame,
           stations: pd.DataFrame, station_years: pd.DataFrame, years,
           h2_price_cny_per_kg: pd.Series | None = None) -> pd.DataFrame:
    """Outlays of every programme by year: vehicles, stations and hydrogen.

    Parameters
    ----------
    policy, segments : pandas.DataFrame
        The ``Policy`` and ``Segments`` sheets.
    vehicles : pandas.DataFrame
        One row per vehicle, see :func:`vehicle_budget`.
    stations, station_years : pandas.DataFrame
        See :func:`station_budget`.
    years : array_like of int
        Years to report.
    h2_price_cny_per_kg : pandas.Series, optional
        City retail price by year (CNY/kg) for vehicle kinds' price condition.

    Returns
    -------
    pandas.DataFrame
        ``year, programme_id, level, kind, items, outlay_cny``, sorted by year and
        programme.
    """
    rates = vehicle_subsidy_rates(policy, segments, years, h2_price_cny_per_kg)
    parts = [vehicle_budget(rates, vehicles, years), station_budget(policy, stations, station_years, years)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty_budget()
    return pd.concat(parts, ignore_index=True).sort_values(
        ["year", "programme_id"], kind="stable").reset_index(drop=True)


def budget_from_case(case, fleet, stations: pd.DataFrame | None = None,
                     station_years: pd.DataFrame | None = None,
                     h2_price_cny_per_kg: pd.Series | None = None) -> pd.DataFrame:
    """The budget table for a case and its fleet.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Policy``, ``Segments``, ``Stations``, ``Prices``.
    fleet : h2model.fleet.FleetResult
        Vehicles (purchases, years in service, annual km) and station loads.
    stations : pandas.DataFrame, optional
        ``station_id, commissioning_year, station_type, capacity_kg_per_day,
        capex_cny`` from station economics; by default the case's existing and planned
        stations with unknown capex (share-of-capex caps then cannot bind).
    station_years : pandas.DataFrame, optional
        ``station_id, year, h2_sold_kg_per_year, price_cny_per_kg`` and optionally
        ``capacity_kg_per_day`` (see :func:`station_budget`); by default the fleet's
        station loads (kg/day x 365) at the city price path.
    h2_price_cny_per_kg : pandas.Series, optional
        City retail price by year (CNY/kg); default ``Prices.h2_retail_cny_per_kg``.

    Returns
    -------
    pandas.DataFrame
        ``year, programme_id, level, kind, items, outlay_cny``.
    """
    from .fleet import OPEN_STATUSES, OPERATING_DAYS_PER_YEAR

    years = np.asarray(case.years, dtype=np.int64)
    policy = case.tables.get("Policy")
    if policy is None or policy.empty:
        return _empty_budget()
    price = _city_price(case, h2_price_cny_per_kg)
    if stations is None:
        st = case.tables["Stations"]
        st = st[st["status"].isin(OPEN_STATUSES)]
        stations = pd.DataFrame({
            "station_id": st["station_id"].astype(object).to_numpy(),
            "commissioning_year": st["commissioning_year"].to_numpy(),
            "station_type": st["station_type"].astype(object).to_numpy(),
            "capacity_kg_per_day": st["capacity_kg_per_day"].to_numpy(float),
            "capex_cny": np.nan,
        })
    if station_years is None:
        load = fleet.station_load
        station_years = pd.DataFrame({
            "station_id": load["station_id"].astype(object).to_numpy(),
            "year": load["year"].to_numpy(np.int64),
            "h2_sold_kg_per_year": load["h2_kg_per_day"].to_numpy(float) * OPERATING_DAYS_PER_YEAR,
            "price_cny_per_kg": _price_on(price, load["year"].to_numpy(np.int64)),
        })
    return budget(policy, case.tables["Segments"], fleet.vehicles, stations, station_years, years, price)


def budget_summary(budget_table: pd.DataFrame, fleet) -> pd.DataFrame:
    """Outlay per vehicle in service and per kg of hydrogen, by year and budget group.

    Parameters
    ----------
    budget_table : pandas.DataFrame
        As from :func:`budget_from_case`.
    fleet : h2model.fleet.FleetResult
        For vehicles bought and in service and the hydrogen they use.

    Returns
    -------
    pandas.DataFrame
        ``year, group, outlay_cny, fcev_purchased, fcev_in_service, h2_kg_per_year,
        outlay_cny_per_fcev_in_service, outlay_cny_per_kg_h2`` where ``group`` is
        ``vehicle``, ``station``, ``hydrogen`` or ``all``. Per-unit values are NaN
        where the divisor is 0.
    """
    from .fleet import OPERATING_DAYS_PER_YEAR

    f = fleet.fleet.groupby("year")[["fcev_purchased", "fcev_in_service"]].sum()
    kg = fleet.demand_by_district.groupby("year")["h2_kg_per_day"].sum() * OPERATING_DAYS_PER_YEAR
    b = budget_table.assign(group=budget_table["kind"].map(KIND_GROUP))
    by = b.groupby(["year", "group"])["outlay_cny"].sum().unstack("group")
    by = by.reindex(columns=["vehicle", "station", "hydrogen"]).reindex(f.index).fillna(0.0)
    by["all"] = by.sum(axis=1)
    out = by.stack().rename("outlay_cny").reset_index()
    out = out.merge(f.reset_index(), on="year").merge(kg.rename("h2_kg_per_year").reset_index(), on="year")
    fl = out["fcev_in_service"].to_numpy(float)
    h = out["h2_kg_per_year"].to_numpy(float)
    o = out["outlay_cny"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["outlay_cny_per_fcev_in_service"] = np.where(fl > 0, o / np.where(fl > 0, fl, 1), np.nan)
        out["outlay_cny_per_kg_h2"] = np.where(h > 0, o / np.where(h > 0, h, 1), np.nan)
    return out.astype({"group": object})
