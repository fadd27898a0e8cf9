"""Subsidy and reward programmes: the one home of their rules, and the budget by year.

Each row of the ``Policy`` sheet is a programme of one kind (see
:data:`h2model.inputs.schema.POLICY_KINDS`), paid from ``start_year`` to ``end_year``
to the segments (or station types and districts) it names, ``'all'`` meaning every one:

==============================  ==========================================================
kind                            paid per item (vehicle or station) and year
==============================  ==========================================================
``vehicle_purchase_per_kw``     amount x fuel-cell kW, once when bought, capped per vehicle
``vehicle_reward_per_vehicle``  amount, once when bought (city-cluster reward), capped
``vehicle_operation_per_km``    amount x km driven, each year in service, capped per year
``station_capex``               amount, once when commissioned, capped per station and by
                                ``cap_share_of_capex`` x capex; then the all-level cap
``h2_sales_per_kg``             amount x kg sold, each year, capped per station and year
``h2_supply_reward_per_kg``     amount x kg supplied, each year, capped per station and year
==============================  ==========================================================

Conditions: ``max_price_cny_per_kg`` pays only where the retail hydrogen price is
below it (``price_comparator`` ``'<'``, the published "below X CNY/kg") or at most
it (``'<='``, "not exceeding X"; the default when the comparator is blank) -- the
station's price for station and hydrogen kinds, the city's price path for vehicle
kinds; an unknown price counts as not met. ``min_capacity_kg_per_day`` pays only
stations at least that large. A blank cap is no cap.

**All-level cap on station grants.** The Guangdong FCV action plan 2022-2025 and
Guangzhou's Sui Fu Ban Gui [2024] 16 cap a station's construction grants from all
levels of government together at 5 M CNY and at 50 % of its fixed-asset
investment. Programmes with the same ``combined_cap_group`` share that cap
(``PolicyCaps``: ``<group>_cap_cny``, ``<group>_cap_share_of_investment``;
investment = ``capex_cny`` incl. land purchase). The cap is filled in the order of
:data:`LEVEL_ORDER` -- national first, then provincial, municipal, district
(sheet order within a level) -- so the lowest level's grant is cut first: lower
levels top up the higher levels' grants to the ceiling (:func:`combined_cap`).

**Public money is counted once, at its final recipient** (the buyer, the station):

- ``vehicle_reward_per_vehicle`` (national city-cluster vehicle rewards) is paid to
  the city cluster, which funds the local purchase subsidies with it
  (:data:`TRANSFER_KINDS`). The buyer receives the local subsidy, which the TCO and
  the budget count; the reward is a transfer between governments and is counted by
  neither (counting it would count the same cash twice).
- ``h2_supply_reward_per_kg`` (the national hydrogen-supply reward, paid for hydrogen
  sold at no more than 35 CNY/kg) is passed on to the station that sells the kg,
  like a sales subsidy: it lowers the station's break-even price (and so the
  network price the TCO uses), and the budget counts it once, at the national level,
  from the same station-year payments (:func:`station_budget`).

Station grants and per-kg subsidies are computed once, by the station engine
(:func:`h2model.station.station_year_prices`) with the functions below, and come out
of :func:`h2model.station.station_economics` as the ``station_subsidies`` table
(:data:`STATION_SUBSIDY_COLUMNS`); the budget sums that table.

>>> float(capped(np.array(120.0), np.array(100.0)))
100.0
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .inputs.schema import POLICY_LEVELS
from .prices import year_path

VEHICLE_KINDS = ("vehicle_purchase_per_kw", "vehicle_reward_per_vehicle", "vehicle_operation_per_km")
PURCHASE_KINDS = ("vehicle_purchase_per_kw", "vehicle_reward_per_vehicle")
STATION_KINDS = ("station_capex",)
H2_KINDS = ("h2_sales_per_kg", "h2_supply_reward_per_kg")

#: Kinds paid to a government that funds other programmes with them: counted neither in
#: the buyer's TCO nor in the budget (the programmes they fund are; see the module
#: docstring). City-cluster rewards per vehicle fund the local purchase subsidies.
TRANSFER_KINDS = ("vehicle_reward_per_vehicle",)

#: Purchase-subsidy kinds that lower the buyer's TCO (the purchase kinds that are not
#: transfers).
TCO_PURCHASE_KINDS = tuple(k for k in PURCHASE_KINDS if k not in TRANSFER_KINDS)

#: Order in which an all-level cap is filled: higher levels are paid first, so the
#: lowest level's grant is cut first (:func:`combined_cap`).
LEVEL_ORDER = POLICY_LEVELS

#: ``price_comparator`` values: ``'<'`` pays below the price, ``'<='`` at most at it.
PRICE_COMPARATORS = ("<", "<=")

#: Budget groups of the kinds, for summaries.
KIND_GROUP = {**{k: "vehicle" for k in VEHICLE_KINDS}, **{k: "station" for k in STATION_KINDS},
              **{k: "hydrogen" for k in H2_KINDS}}

BUDGET_COLUMNS = ("year", "programme_id", "level", "kind", "items", "outlay_cny")

#: Columns of the ``station_subsidies`` table of station economics.
STATION_SUBSIDY_COLUMNS = ("year", "station_id", "programme_id", "level", "kind", "outlay_cny")


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


def price_condition_met(price_cny_per_kg, max_price_cny_per_kg, strict=False) -> np.ndarray:
    """Whether a programme's hydrogen price condition holds.

    Parameters
    ----------
    price_cny_per_kg : array_like
        Retail price (CNY/kg); NaN when unknown.
    max_price_cny_per_kg : array_like
        Price threshold of the programme (CNY/kg); NaN for no condition.
    strict : array_like of bool, default False
        True: paid only below the threshold ("below X CNY/kg", ``price_comparator``
        ``'<'``); False: at most the threshold ("not exceeding X", ``'<='``).

    Returns
    -------
    numpy.ndarray of bool
        True where there is no condition, or the price is known and below (strict) or
        at most the threshold.

    Examples
    --------
    >>> price_condition_met([30.0, 40.0, np.nan, 40.0], [35.0, 35.0, 35.0, np.nan]).tolist()
    [True, False, False, True]
    >>> price_condition_met([28.0, 28.0, 27.99], 28.0, strict=[True, False, True]).tolist()
    [False, True, True]
    """
    p = np.asarray(price_cny_per_kg, dtype=float)
    m = np.asarray(max_price_cny_per_kg, dtype=float)
    s = np.asarray(strict, dtype=bool)
    # p <= m is p < the next float above m: one comparison over the (large) broadcast shape
    bound = np.where(s, m, np.nextafter(m, np.inf))
    return np.isnan(m) | (p < bound)  # NaN price: not met


def _strict(frame: pd.DataFrame) -> np.ndarray:
    """``price_comparator`` of Policy rows as strict (``'<'``) or not; blank or absent: ``'<='``."""
    comp = _text(frame, "price_comparator", "<=")
    bad = ~np.isin(comp, PRICE_COMPARATORS)
    if bad.any():
        raise ValueError(f"Policy price_comparator must be one of {', '.join(PRICE_COMPARATORS)};"
                         f" found {sorted(set(comp[bad]))}")
    return comp == "<"


def _text(frame: pd.DataFrame, col: str, default: str) -> np.ndarray:
    """A text column as an object array, blanks (and a missing column) as ``default``."""
    if col not in frame.columns:
        return np.full(len(frame), default, dtype=object)
    s = frame[col].astype(object)
    return np.where(pd.isna(s).to_numpy(), default, s.to_numpy()).astype(object)


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
        ok = price_condition_met(price.reindex(x["year"]).to_numpy(), _num(x, "max_price_cny_per_kg"),
                                 _strict(x))
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
        each vehicle in service :func:`operation_subsidy_cny_per_year`. Transfers
        (:data:`TRANSFER_KINDS`, city-cluster vehicle rewards) are left out: the local
        subsidies they fund are the cash the buyers receive.
    """
    years = np.asarray(years, dtype=np.int64)
    parts = []
    rates = rates[~rates["kind"].isin(TRANSFER_KINDS)]
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


# --- station and hydrogen programmes ----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StationProgrammes:
    """Station and hydrogen programmes of a ``Policy`` sheet, as arrays over programmes.

    Every attribute has shape ``(P,)``, in sheet order; the rule functions below put
    the programme axis last. Blanks are NaN (numbers), ``'all'`` (station type,
    district) or ``''`` (no ``combined_cap_group``).

    Attributes
    ----------
    programme_id, level, kind, station_type, district : numpy.ndarray of object
        As on the ``Policy`` sheet.
    amount_cny, cap_cny_per_year, cap_share_of_capex : numpy.ndarray
        Amount (CNY per station or per kg), cap per station and year (CNY) and cap as
        a share of investment (fraction), nominal.
    start_year, end_year : numpy.ndarray
        Years paid (float, year).
    max_price_cny_per_kg : numpy.ndarray
        Price threshold, nominal CNY/kg (NaN: none).
    strict_price : numpy.ndarray of bool
        True: paid only below the threshold (``price_comparator`` ``'<'``).
    min_capacity_kg_per_day : numpy.ndarray
        Smallest station paid, kg/day.
    cap_group : numpy.ndarray of object
        ``combined_cap_group``.
    group_cap_cny, group_cap_share_of_investment : numpy.ndarray
        The group's all-level cap per station (CNY) and as a share of investment
        (fraction), from ``PolicyCaps``; NaN: none.
    """

    programme_id: np.ndarray
    level: np.ndarray
    kind: np.ndarray
    station_type: np.ndarray
    district: np.ndarray
    amount_cny: np.ndarray
    cap_cny_per_year: np.ndarray
    cap_share_of_capex: np.ndarray
    start_year: np.ndarray
    end_year: np.ndarray
    max_price_cny_per_kg: np.ndarray
    strict_price: np.ndarray
    min_capacity_kg_per_day: np.ndarray
    cap_group: np.ndarray
    group_cap_cny: np.ndarray
    group_cap_share_of_investment: np.ndarray

    def __len__(self) -> int:
        return len(self.programme_id)

    @property
    def conditional(self) -> np.ndarray:
        """Whether each programme has a price condition, shape (P,)."""
        return ~np.isnan(self.max_price_cny_per_kg)


def station_programmes(policy: pd.DataFrame | None, kinds=STATION_KINDS + H2_KINDS,
                       caps=None) -> StationProgrammes:
    """The ``Policy`` rows of the given kinds as :class:`StationProgrammes`.

    Parameters
    ----------
    policy : pandas.DataFrame or None
        The ``Policy`` sheet; missing optional columns read as blank.
    kinds : tuple of str
        Kinds to keep (default: station and hydrogen kinds).
    caps : mapping, optional
        The ``PolicyCaps`` sheet (``<group>_cap_cny``, ``<group>_cap_share_of_investment``);
        without it no all-level cap applies.

    Returns
    -------
    StationProgrammes

    Raises
    ------
    ValueError
        If a ``price_comparator`` is not ``'<'`` or ``'<='``.
    """
    pol = pd.DataFrame({"kind": []}) if policy is None or policy.empty else policy
    pol = pol[pol["kind"].isin(kinds)]
    n = len(pol)
    group = _text(pol, "combined_cap_group", "")
    caps = dict(caps or {})

    def cap(g, what):
        return float(caps.get(f"{g}_{what}", np.nan)) if g else np.nan

    ids = _text(pol, "programme_id", "") if "programme_id" in pol else \
        np.array([f"programme_{j}" for j in range(n)], dtype=object)
    return StationProgrammes(
        programme_id=ids, level=_text(pol, "level", ""), kind=_text(pol, "kind", ""),
        station_type=_text(pol, "station_type", "all"), district=_text(pol, "district", "all"),
        **{c: (_num(pol, c) if c in pol else np.full(n, np.nan))
           for c in ("amount_cny", "cap_cny_per_year", "cap_share_of_capex", "start_year", "end_year",
                     "max_price_cny_per_kg", "min_capacity_kg_per_day")},
        strict_price=_strict(pol), cap_group=group,
        group_cap_cny=np.array([cap(g, "cap_cny") for g in group], dtype=float),
        group_cap_share_of_investment=np.array([cap(g, "cap_share_of_investment") for g in group],
                                               dtype=float),
    )


def programme_years(progs: StationProgrammes, year) -> np.ndarray:
    """Whether each programme pays in ``year`` (array_like, year): shape ``(..., P)``."""
    y = np.asarray(year, dtype=float)[..., None]
    return (y >= progs.start_year) & (y <= progs.end_year)


def station_eligible(progs: StationProgrammes, station_type, capacity_kg_per_day, year,
                     district=None) -> np.ndarray:
    """Eligibility of stations for each programme, apart from the price condition.

    Station type (or ``'all'``), district (or ``'all'``), at least
    ``min_capacity_kg_per_day`` and ``year`` within ``start_year .. end_year``.

    Parameters
    ----------
    progs : StationProgrammes
    station_type : array_like of str
        Station type.
    capacity_kg_per_day : array_like
        Capacity tested, kg/day (capital grants: at commissioning; per-kg programmes:
        installed in the year paid).
    year : array_like
        Year paid (commissioning year for grants), year.
    district : array_like of str, optional
        District; None: not tested.

    Returns
    -------
    numpy.ndarray of bool, shape ``(..., P)``
        The inputs broadcast together, then the programmes.
    """
    t = np.asarray(station_type, dtype=object)[..., None]
    ok = (progs.station_type == "all") | np.asarray(t == progs.station_type, dtype=bool)
    if district is not None:
        d = np.asarray(district, dtype=object)[..., None]
        ok = ok & ((progs.district == "all") | np.asarray(d == progs.district, dtype=bool))
    m = progs.min_capacity_kg_per_day
    ok = ok & (np.isnan(m) | (np.asarray(capacity_kg_per_day, dtype=float)[..., None] >= m))
    return ok & programme_years(progs, year)


def station_grant_amounts_cny(progs: StationProgrammes, capex_cny) -> np.ndarray:
    r"""Each capital programme's grant to a station before the all-level cap.

    .. math:: g_j = \min(a_j,\; c_j,\; \phi_j K)

    with amount :math:`a_j`, cap :math:`c_j` (``cap_cny_per_year``) and share cap
    :math:`\phi_j` (``cap_share_of_capex``) of the investment :math:`K`; a blank cap,
    or an unknown (NaN) investment, does not bind.

    Parameters
    ----------
    progs : StationProgrammes
    capex_cny : array_like
        Investment incl. land purchase, CNY.

    Returns
    -------
    numpy.ndarray, shape ``(..., P)``
        Grant, nominal CNY of the commissioning year.
    """
    k = np.asarray(capex_cny, dtype=float)[..., None]
    amount = np.broadcast_to(capped(progs.amount_cny, progs.cap_cny_per_year),
                             np.broadcast_shapes(k.shape, (len(progs),)))
    return capped(amount, progs.cap_share_of_capex * k)


def per_kg_rates_cny_per_kg(progs: StationProgrammes, kg_per_year) -> np.ndarray:
    r"""Each per-kg programme's rate at a station-year's sales, its yearly cap applied.

    .. math:: o_j = \min\!\left(a_j,\; \frac{c_j}{q}\right)

    for sales :math:`q` kg/year (at :math:`q = 0` the rate is :math:`a_j`).

    Parameters
    ----------
    progs : StationProgrammes
    kg_per_year : array_like
        Hydrogen sold in the year, kg/year.

    Returns
    -------
    numpy.ndarray, shape ``(..., P)``
        Rate, nominal CNY per kg sold.
    """
    q = np.asarray(kg_per_year, dtype=float)[..., None]
    c = progs.cap_cny_per_year
    with np.errstate(divide="ignore", invalid="ignore"):
        per_kg_cap = np.where((q > 0) & ~np.isnan(c), c / np.where(q > 0, q, 1.0), np.inf)
    return np.minimum(progs.amount_cny, per_kg_cap)


def paid_cny(amount, eligible, progs: StationProgrammes, retail_price_cny_per_kg=None) -> np.ndarray:
    """Amounts ``(..., P)`` where eligible and the price condition holds, else 0.

    ``retail_price_cny_per_kg`` (nominal CNY/kg, shape ``(...)``) is compared with each
    programme's threshold (:func:`price_condition_met`, strict where the programme
    says "below"); NaN counts as not met; None: the condition is not tested.
    """
    ok = eligible
    if retail_price_cny_per_kg is not None and progs.conditional.any():
        p = np.asarray(retail_price_cny_per_kg, dtype=float)[..., None]
        ok = ok & price_condition_met(p, progs.max_price_cny_per_kg, progs.strict_price)
    return np.where(ok, amount, 0.0)


def combined_cap(grants_cny, progs: StationProgrammes, investment_cny) -> np.ndarray:
    r"""The all-level cap on a station's capital grants, filled in the order of levels.

    For each ``combined_cap_group``, the grants its programmes pay a station together
    may not exceed :math:`\min(C,\; \sigma K)` (``<group>_cap_cny`` and
    ``<group>_cap_share_of_investment`` of ``PolicyCaps``, investment :math:`K`; a
    blank bound does not bind). The cap is filled in the order of :data:`LEVEL_ORDER`
    (national, provincial, municipal, district; sheet order within a level): a
    programme is paid in full while the running total stays below the cap, the one
    that crosses it is paid the rest, later ones nothing. So the lowest level's grant
    is cut first (lower levels top up to the ceiling). Programmes without a group are
    unchanged. A loop over the (few) groups only.

    Parameters
    ----------
    grants_cny : array_like, shape ``(..., P)``
        Grants each programme pays (after eligibility and price conditions), CNY.
    progs : StationProgrammes
    investment_cny : array_like, shape ``(...)``
        Fixed-asset investment incl. land purchase, CNY (NaN: the share cap does not bind).

    Returns
    -------
    numpy.ndarray, shape ``(..., P)``
        Grants after the cap, CNY.

    Examples
    --------
    A combined Huangpu station with 8 M CNY investment: provincial 2.5 M + municipal
    1.0 M + district 2.5 M = 6.0 M, capped at min(5 M, 50 % x 8 M) = 4.0 M; the
    district grant is cut to 0.5 M.

    >>> progs = StationProgrammes(
    ...     programme_id=np.array(["hp", "gd", "gz"], dtype=object),
    ...     level=np.array(["district", "provincial", "municipal"], dtype=object),
    ...     kind=np.array(["station_capex"] * 3, dtype=object),
    ...     station_type=np.array(["all"] * 3, dtype=object),
    ...     district=np.array(["huangpu", "all", "all"], dtype=object),
    ...     amount_cny=np.array([2.5e6, 2.5e6, 1e6]), cap_cny_per_year=np.full(3, np.nan),
    ...     cap_share_of_capex=np.full(3, 0.5), start_year=np.full(3, 2021.0),
    ...     end_year=np.full(3, 2025.0), max_price_cny_per_kg=np.full(3, np.nan),
    ...     strict_price=np.zeros(3, bool), min_capacity_kg_per_day=np.full(3, np.nan),
    ...     cap_group=np.array(["station_grant"] * 3, dtype=object),
    ...     group_cap_cny=np.full(3, 5e6), group_cap_share_of_investment=np.full(3, 0.5))
    >>> combined_cap([[2.5e6, 2.5e6, 1e6], [2.5e6, 2.5e6, 1e6]], progs, [8e6, 12e6]).tolist()
    [[500000.0, 2500000.0, 1000000.0], [1500000.0, 2500000.0, 1000000.0]]
    """
    out = np.array(grants_cny, dtype=float)
    k = np.asarray(investment_cny, dtype=float)
    rank = np.array([LEVEL_ORDER.index(lv) if lv in LEVEL_ORDER else len(LEVEL_ORDER)
                     for lv in progs.level], dtype=np.int64)
    for g in pd.unique(progs.cap_group[progs.cap_group != ""]):
        members = np.flatnonzero(progs.cap_group == g)
        idx = members[np.argsort(rank[members], kind="stable")]
        j = idx[0]
        bound = np.fmin(np.full(k.shape, progs.group_cap_cny[j]), progs.group_cap_share_of_investment[j] * k)
        bound = np.where(np.isnan(bound), np.inf, bound)[..., None]
        running = np.minimum(np.cumsum(out[..., idx], axis=-1), bound)
        out[..., idx] = np.diff(running, axis=-1, prepend=0.0)
    return out


def station_grants_paid_cny(progs: StationProgrammes, amounts_cny, eligible, investment_cny,
                            retail_price_cny_per_kg=None) -> np.ndarray:
    """Grants ``(..., P)`` paid given each programme's amount and eligibility: the price
    conditions (:func:`paid_cny`), then the all-level cap (:func:`combined_cap`)."""
    return combined_cap(paid_cny(amounts_cny, eligible, progs, retail_price_cny_per_kg), progs,
                        investment_cny)


def station_grants_cny(progs: StationProgrammes, station_type, capacity_kg_per_day, commissioning_year,
                       capex_cny, retail_price_cny_per_kg=None, district=None) -> np.ndarray:
    """Capital grants a station receives, by programme: the whole rule.

    :func:`station_eligible` (at the capacity and year of commissioning),
    :func:`station_grant_amounts_cny`, the price conditions and :func:`combined_cap`.

    Parameters
    ----------
    progs : StationProgrammes
        The ``station_capex`` programmes.
    station_type, capacity_kg_per_day, commissioning_year, district : array_like
        See :func:`station_eligible`.
    capex_cny : array_like
        Investment incl. land purchase, CNY.
    retail_price_cny_per_kg : array_like, optional
        Retail price in the commissioning year, nominal CNY/kg (see :func:`paid_cny`).

    Returns
    -------
    numpy.ndarray, shape ``(..., P)``
        Grant, nominal CNY of the commissioning year.
    """
    ok = station_eligible(progs, station_type, capacity_kg_per_day, commissioning_year, district)
    return station_grants_paid_cny(progs, station_grant_amounts_cny(progs, capex_cny), ok, capex_cny,
                                   retail_price_cny_per_kg)


def per_kg_subsidies_cny_per_kg(progs: StationProgrammes, station_type, capacity_kg_per_day, year,
                                kg_per_year, retail_price_cny_per_kg=None, district=None) -> np.ndarray:
    """Per-kg subsidies of a station-year, by programme: the whole rule.

    :func:`station_eligible`, :func:`per_kg_rates_cny_per_kg` and the price conditions.

    Returns
    -------
    numpy.ndarray, shape ``(..., P)``
        Nominal CNY per kg sold in ``year``.
    """
    ok = station_eligible(progs, station_type, capacity_kg_per_day, year, district)
    return paid_cny(per_kg_rates_cny_per_kg(progs, kg_per_year), ok, progs, retail_price_cny_per_kg)


def capital_subsidy_cny(policy: pd.DataFrame | None, station_type, capacity_kg_per_day, commissioning_year,
                        capex_cny, retail_price_cny_per_kg=None, district=None, caps=None) -> np.ndarray:
    r"""Capital grants a station receives, summed over ``station_capex`` programmes.

    .. math:: G = \operatorname{cap}\Bigl(\sum_j \min(a_j,\; c_j,\; \phi_j K)\Bigr)

    over the eligible programmes whose price condition holds, the all-level cap of
    :func:`combined_cap` applied to the programmes of a ``combined_cap_group``.

    Parameters
    ----------
    policy : pandas.DataFrame or None
        The ``Policy`` sheet.
    caps : mapping, optional
        The ``PolicyCaps`` sheet; None: no all-level cap.
    Others
        See :func:`station_grants_cny`.

    Returns
    -------
    numpy.ndarray
        Grant, nominal CNY of the commissioning year.

    Examples
    --------
    >>> pol = pd.DataFrame({"kind": ["station_capex"] * 2, "station_type": ["all", "skid"],
    ...     "amount_cny": [2.5e6, 1e6], "cap_share_of_capex": [0.5, np.nan],
    ...     "start_year": [2022, 2022], "end_year": [2025, 2025],
    ...     "min_capacity_kg_per_day": [1000.0, np.nan]})
    >>> capital_subsidy_cny(pol, ["combined", "skid", "combined"], [1000.0, 500.0, 1000.0],
    ...                     [2023, 2023, 2026], [4e6, 3e6, 9e6]).tolist()
    [2000000.0, 1000000.0, 0.0]
    """
    progs = station_programmes(policy, STATION_KINDS, caps)
    return station_grants_cny(progs, station_type, capacity_kg_per_day, commissioning_year, capex_cny,
                              retail_price_cny_per_kg, district).sum(axis=-1)


def operating_subsidy_cny_per_kg(policy: pd.DataFrame | None, station_type, capacity_kg_per_day, year,
                                 kg_per_year, retail_price_cny_per_kg=None, district=None) -> np.ndarray:
    r"""Per-kg subsidies a station receives in a year, summed over programmes.

    .. math:: o = \sum_j \min\!\left(a_j,\; \frac{c_j}{q}\right)

    over the eligible ``h2_sales_per_kg`` and ``h2_supply_reward_per_kg`` programmes
    whose price condition holds (:func:`per_kg_subsidies_cny_per_kg`).

    Examples
    --------
    >>> pol = pd.DataFrame({"kind": ["h2_sales_per_kg"], "station_type": ["all"],
    ...     "amount_cny": [5.0], "cap_cny_per_year": [1.5e6], "start_year": [2024],
    ...     "end_year": [2025], "max_price_cny_per_kg": [30.0], "price_comparator": ["<"]})
    >>> operating_subsidy_cny_per_kg(pol, "combined", 1000.0, [2024, 2025, 2025, 2026],
    ...     [2e5, 6e5, 2e5, 2e5], [29.0, 29.0, 30.0, 29.0]).tolist()
    [5.0, 2.5, 0.0, 0.0]
    """
    progs = station_programmes(policy, H2_KINDS)
    return per_kg_subsidies_cny_per_kg(progs, station_type, capacity_kg_per_day, year, kg_per_year,
                                       retail_price_cny_per_kg, district).sum(axis=-1)


def station_outlays_cny(grants_cny, per_kg_cny_per_kg, kg_per_year, commissioning) -> tuple:
    """Cash paid to station-years: when each programme pays.

    Parameters
    ----------
    grants_cny : array_like, shape ``(..., n, Pc)``
        Capital grants of each station-year row, by programme (nominal CNY).
    per_kg_cny_per_kg : array_like, shape ``(..., n, Ph)``
        Per-kg subsidies in the row's year, by programme (nominal CNY/kg).
    kg_per_year : array_like, shape ``(..., n)``
        Sales of the row, kg/year.
    commissioning : array_like of bool, shape ``(n,)``
        Whether the row is the station's commissioning year.

    Returns
    -------
    tuple of numpy.ndarray
        Grants paid in the row's year (in the commissioning year only), ``(..., n, Pc)``,
        and per-kg subsidies x kg sold, ``(..., n, Ph)``; nominal CNY of the row's year.
    """
    c = np.asarray(commissioning, dtype=bool)[..., None]
    kg = np.asarray(kg_per_year, dtype=float)[..., None]
    return np.where(c, grants_cny, 0.0), np.asarray(per_kg_cny_per_kg, dtype=float) * kg


def station_subsidy_table(year, station_id, parts) -> pd.DataFrame:
    """The tidy ``station_subsidies`` table from outlays by row and programme.

    Parameters
    ----------
    year, station_id : array_like, shape ``(n,)``
        Year and station of each row.
    parts : iterable of (StationProgrammes, array_like of shape ``(n, P)``)
        Outlays (nominal CNY) of each group of programmes, e.g. from
        :func:`station_outlays_cny`.

    Returns
    -------
    pandas.DataFrame
        :data:`STATION_SUBSIDY_COLUMNS`, one row per station, year and programme that
        pays it (outlay > 0), sorted by year, station and programme.
    """
    year = np.asarray(year, dtype=np.int64)
    station_id = np.asarray(station_id, dtype=object)
    frames = []
    for progs, outlay in parts:
        r, j = np.nonzero(np.asarray(outlay, dtype=float) > 0)
        frames.append(pd.DataFrame({
            "year": year[r], "station_id": station_id[r], "programme_id": progs.programme_id[j],
            "level": progs.level[j], "kind": progs.kind[j], "outlay_cny": np.asarray(outlay, float)[r, j]}))
    if not frames:
        frames = [pd.DataFrame({c: [] for c in STATION_SUBSIDY_COLUMNS})]
    out = pd.concat(frames, ignore_index=True).astype(
        {"year": "int64", "station_id": object, "programme_id": object, "level": object, "kind": object,
         "outlay_cny": float})
    return out.sort_values(["year", "station_id", "programme_id"], kind="stable").reset_index(drop=True)


def station_budget(station_subsidies: pd.DataFrame, years) -> pd.DataFrame:
    """Outlays on station and hydrogen programmes by year and programme.

    Sums what station economics paid (it computes every station grant and per-kg
    subsidy once; the budget does not recompute them).

    Parameters
    ----------
    station_subsidies : pandas.DataFrame
        :data:`STATION_SUBSIDY_COLUMNS`, e.g.
        :attr:`h2model.station.StationEconomics.station_subsidies` (nominal CNY).
    years : array_like of int
        Years to report.

    Returns
    -------
    pandas.DataFrame
        ``year, programme_id, level, kind, items, outlay_cny``; ``items`` is stations
        paid.
    """
    s = station_subsidies[np.isin(station_subsidies["year"].to_numpy(np.int64),
                                  np.asarray(years, dtype=np.int64))]
    s = s[s["outlay_cny"].to_numpy(float) > 0]
    if s.empty:
        return _empty_budget()
    b = s.groupby(["year", "programme_id", "level", "kind"], as_index=False, sort=True).agg(
        items=("station_id", "nunique"), outlay_cny=("outlay_cny", "sum"))
    return _budget_rows([b])


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
           station_subsidies: pd.DataFrame, years,
           h2_price_cny_per_kg: pd.Series | None = None) -> pd.DataFrame:
    """Outlays of every programme by year: vehicles, stations and hydrogen.

    Cash is counted once, at its final recipient (module docstring): city-cluster
    vehicle rewards (:data:`TRANSFER_KINDS`) are not added on top of the local
    subsidies they fund.

    Parameters
    ----------
    policy, segments : pandas.DataFrame
        The ``Policy`` and ``Segments`` sheets.
    vehicles : pandas.DataFrame
        One row per vehicle, see :func:`vehicle_budget`.
    station_subsidies : pandas.DataFrame
        What station economics paid each station, see :func:`station_budget`.
    years : array_like of int
        Years to report.
    h2_price_cny_per_kg : pandas.Series, optional
        City retail price by year (CNY/kg) for vehicle kinds' price condition.

    Returns
    -------
    pandas.DataFrame
        ``year, programme_id, level, kind, items, outlay_cny`` (nominal CNY), sorted by
        year and programme.
    """
    rates = vehicle_subsidy_rates(policy, segments, years, h2_price_cny_per_kg)
    parts = [vehicle_budget(rates, vehicles, years), station_budget(station_subsidies, years)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty_budget()
    return pd.concat(parts, ignore_index=True).sort_values(
        ["year", "programme_id"], kind="stable").reset_index(drop=True)


def budget_from_case(case, fleet, station_subsidies: pd.DataFrame,
                     h2_price_cny_per_kg: pd.Series | None = None) -> pd.DataFrame:
    """The budget table for a case, its fleet and what its stations were paid.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Policy``, ``Segments``, ``Prices``.
    fleet : h2model.fleet.FleetResult
        Vehicles (purchases, years in service, annual km).
    station_subsidies : pandas.DataFrame
        What each station was paid, by programme and year
        (:attr:`h2model.station.StationEconomics.station_subsidies`): the caller runs
        station economics (this module is below the station engine, which applies its
        rules, and does not call it).
    h2_price_cny_per_kg : pandas.Series, optional
        City retail price by year (nominal CNY/kg) for vehicle programmes' price
        conditions; default ``Prices.h2_retail_cny_per_kg``.

    Returns
    -------
    pandas.DataFrame
        ``year, programme_id, level, kind, items, outlay_cny``.
    """
    years = np.asarray(case.years, dtype=np.int64)
    policy = case.tables.get("Policy")
    if policy is None or policy.empty:
        return _empty_budget()
    return budget(policy, case.tables["Segments"], fleet.vehicles, station_subsidies, years,
                  _city_price(case, h2_price_cny_per_kg))


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
