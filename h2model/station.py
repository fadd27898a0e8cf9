r"""Station economics: capex, operating cost and break-even price of every station.

For each hydrogen refuelling station and each analysis year in which it operates,
this module answers: *what retail price (CNY/kg, incl. VAT) must the station charge to
earn its cost of capital at this year's sales, with and without the subsidies it
is paid, and how far is that from the plan's price target (< 35 CNY/kg)?*

The steps, each a function of arrays (stations and years are axes; there is no
Python loop over stations or years):

1. :func:`station_capex_cny` scales the ``StationCosts`` reference capex by an
   economy-of-scale power law; :func:`station_costs_from_case` splits it into
   components (compressor, storage, dispensers, pre-cooling, civil works) and adds
   land, fixed O&M, staff, electricity use and the compressor replacement schedule
   (:func:`replacement_shares`). :func:`module_capex_cny` gives the network
   optimiser the capex of a capacity module.
2. The ``Policy`` sheet's station and hydrogen programmes are applied with the rules
   of :mod:`h2model.policy` (their one home): one-off capex grants under the
   all-level cap, per-kg sales subsidies and supply rewards by year, capped per
   station-year and conditional on the retail price. What each station is paid, by
   programme and year, is the ``station_subsidies`` table the budget sums.
3. :func:`station_economics` assembles every operating station-year at the
   capacity installed that year (:func:`station_years`; the network plan's
   expansions arrive as a ``station_capacity`` table), prices delivered hydrogen
   (production + purification + delivery, after :mod:`h2model.supply`) and
   electricity for the year, and calls :func:`h2model.finance.breakeven_price` /
   :func:`~h2model.finance.levelised_cost` once for all station-years at once.

Conventions
-----------
**Station-year break-even.** The break-even price of station :math:`s` in year
:math:`y` is the constant real price at which the equity NPV of the station's
whole life is zero *if it sold every year what it sells in year* :math:`y`: the
finance ramp-up is switched off (``ramp_up_years = 0``) and sales are flat at
:math:`q_{s,y}`. It answers "what price must it charge at this year's utilisation"
and moves with the load year by year, which is what the plan's price target and
the network optimiser's price constraint compare with. The alternative, one
price per station from its full load path, needs loads beyond the analysis horizon
(stations built in 2035 would have one year of data) and hides the year in which
a station becomes viable, so it is not used.

**Capacity by year.** A station-year is costed at the capacity installed in that
year: the station's own ``capacity_kg_per_day`` unless a ``station_capacity`` table
(``station_id, year, capacity_kg_per_day``, e.g. the network plan's
:attr:`h2model.network.adapter.CasePlan.station_capacity`) gives another for that
year. Consistently with the break-even convention, the row is a station *of that
size* over its whole life: capex, fixed O&M and compressor replacement come from the
cost model at the row's capacity (economies of scale included, so an expanded
station costs :func:`station_capex_cny` of its new size, not the sum of its
modules), per-kg subsidy eligibility (``min_capacity_kg_per_day``) is tested at it,
and utilisation is sales over it; capital grants are tested at the capacity the
station is commissioned with (its row in the stations table), as the budget pays
them. Land is bought once per site: the cost model does not scale land purchase,
land lease or staff with capacity, so every size of a station carries the same land.
An expanded station therefore has a higher break-even price at the same sales from
its expansion year (more capex and O&M), which falls again as sales grow into the
new capacity; years before the expansion are unchanged.

**Calendar of a station's life.** The life is anchored to the real commissioning
year :math:`c_s` (first year of sales; construction in the
``construction_years`` before it), so that the station receives exactly the
capital grants of its commissioning year and the per-kg subsidies of the calendar
years it operates. Cost inputs are those of year :math:`y` (electricity price,
diesel price for delivery) held flat over the life.

**Money.** Costs are real CNY of the case's price year. Subsidy amounts, caps and
price thresholds are nominal CNY of the year they are paid (as policies state
them). The finance engine treats real money as money of its year 0 and takes
subsidies as nominal on its own time axis; a station whose construction starts in
calendar year :math:`y_0 \ne` price year therefore has its subsidies re-based by
:math:`(1+i)^{p - y_0}` (:math:`p` the price year, :math:`i` inflation), which
leaves the real break-even price exact. A programme's ``max_price_cny_per_kg``
is compared with the station's nominal retail price in the year paid,
:math:`P(1+v)(1+i)^{Y-p}`; the plan's price target is compared with the real
break-even price in price-year CNY (the target table's unit).

**Price-conditional subsidies** make the break-even price depend on itself. The
engine starts with every programme the station qualifies for apart from the
price condition, computes the price, drops the programme-years whose condition
fails at that price and repeats; prices only rise and eligibility only shrinks,
so this stops after a few rounds at the largest self-consistent set (a station
that cannot break even below a threshold even with the subsidy does not get it).

**Zero sales.** A station-year that sells nothing has no finite break-even price:
its prices, levelised components and gaps are NaN, it is excluded from volume
weighting and counts as operating but not as selling or as meeting the target.

References
----------
.. [1] Argonne National Laboratory (2022). Hydrogen Delivery Scenario Analysis
   Model (HDSAM) v4: refuelling-station cost structure and component shares.
.. [2] Short, W., Packey, D. J. and Holt, T. (1995). A Manual for the Economic
   Evaluation of Energy Efficiency and Renewable Energy Technologies.
   NREL/TP-462-5173 (levelised cost).

Examples
--------
>>> round(float(station_capex_cny(2000.0, 1000.0, 10e6, 0.65)) / 1e6, 3)
15.692
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from . import policy as pol
from .finance import FinanceAssumptions, breakeven_price, ex_vat, levelised_cost, nominal_cny, ramp_up_shares
from .fleet import OPEN_STATUSES, OPERATING_DAYS_PER_YEAR, max_capacity_factor
from .supply import _by_year, _col, _par, delivery_cost, delivery_mode
from .targets import meets

__all__ = [
    "CAPEX_COMPONENTS",
    "FALLBACK_PLATEAU_UTILISATION",
    "StationEconomics",
    "StationPrices",
    "StationYears",
    "analysed_stations",
    "annualised_costs",
    "module_capex_cny",
    "network_price",
    "replacement_shares",
    "sellers_volume_weighted_price",
    "station_capex_cny",
    "station_costs_from_case",
    "station_economics",
    "station_year_costs",
    "station_year_prices",
    "station_years",
]

#: Capex components with their ``StationCosts`` share columns (land is added apart).
CAPEX_COMPONENTS = ("compressor", "storage", "dispenser", "precooling", "civil")

#: Plateau utilisation of the fallback load path (sales / capacity), used when
#: :func:`station_economics` gets no loads.
FALLBACK_PLATEAU_UTILISATION = 0.5

#: Days of sales per year: loads are average kg/day over the year, as in the fleet.
DAYS_PER_YEAR = OPERATING_DAYS_PER_YEAR

_KEY = ("station_type", "pressure_mpa")
_STATION_COLUMNS = (
    "station_id", "name", "district", "longitude", "latitude", "status", "commissioning_year",
    "capacity_kg_per_day", "pressure_mpa", "station_type", "supply_id",
)
_BUILT_REQUIRED = ("station_id", "commissioning_year", "capacity_kg_per_day", "station_type",
                   "pressure_mpa", "supply_id")
_SHARE_TOL = 1e-6


# --- cost model -----------------------------------------------------------------------


def station_capex_cny(capacity_kg_per_day, reference_capacity_kg_per_day, capex_ref_cny,
                      scale_exponent) -> np.ndarray:
    r"""Installed station capex (excl. land) at a capacity, by an economy-of-scale law.

    .. math::

        K(Q) = K_\mathrm{ref} \left(\frac{Q}{Q_\mathrm{ref}}\right)^{\beta}

    so that doubling capacity multiplies capex by :math:`2^\beta` (:math:`\beta < 1`:
    economies of scale; 0.6-0.7 is the classic "six-tenths rule").

    Parameters
    ----------
    capacity_kg_per_day : array_like
        Dispensing capacity :math:`Q`, kg/day (24 h basis).
    reference_capacity_kg_per_day : array_like
        Capacity :math:`Q_\mathrm{ref}` the reference capex refers to, kg/day (> 0).
    capex_ref_cny : array_like
        Installed capex :math:`K_\mathrm{ref}` at the reference capacity, CNY.
    scale_exponent : array_like
        Scale exponent :math:`\beta`, dimensionless.

    Returns
    -------
    numpy.ndarray
        Capex :math:`K`, CNY, shaped like the broadcast inputs.

    Raises
    ------
    ValueError
        If a capacity is negative or a reference capacity is not positive.

    References
    ----------
    Argonne National Laboratory (2022), HDSAM v4: station capital cost scaling.

    Examples
    --------
    >>> station_capex_cny([500.0, 1000.0, 2000.0], 1000.0, 10e6, 1.0).tolist()
    [5000000.0, 10000000.0, 20000000.0]
    """
    q = np.asarray(capacity_kg_per_day, dtype=float)
    q_ref = np.asarray(reference_capacity_kg_per_day, dtype=float)
    if np.any(q < 0):
        raise ValueError("capacity_kg_per_day: must be >= 0 kg/day")
    if np.any(q_ref <= 0):
        raise ValueError("reference_capacity_kg_per_day: must be > 0 kg/day")
    return np.asarray(capex_ref_cny, dtype=float) * (q / q_ref) ** np.asarray(scale_exponent, dtype=float)


def replacement_shares(share_of_capex, component_life_years, station_life_years: int) -> np.ndarray:
    r"""Replacement cost of a component in each operating year, as a share of capex.

    A component with life :math:`n` years is replaced at the end of operating years
    :math:`n, 2n, \dots` before the last year of the station's life :math:`L`
    (no replacement is bought in the final year). This is the ``replacement_share``
    argument of :func:`h2model.finance.breakeven_price` (real, escalating with
    inflation, capitalised and depreciated from the year spent).

    Parameters
    ----------
    share_of_capex : array_like
        Replacement cost as a share of the capex passed to the finance engine,
        fraction.
    component_life_years : array_like
        Component life :math:`n`, years (>= 1).
    station_life_years : int
        Station life :math:`L`, years.

    Returns
    -------
    numpy.ndarray, shape (..., L)
        Share of capex spent in each operating year, fraction.

    Examples
    --------
    >>> replacement_shares(0.4, 10, 20)[[8, 9, 10, 19]].tolist()
    [0.0, 0.4, 0.0, 0.0]
    >>> replacement_shares([0.4, 0.2], [6, 10], 20).sum(axis=-1).round(6).tolist()
    [1.2, 0.2]
    """
    share = np.asarray(share_of_capex, dtype=float)[..., None]
    life = np.asarray(component_life_years, dtype=float)[..., None]
    if np.any(life < 1):
        raise ValueError("component_life_years: must be >= 1 year")
    k = np.arange(1, int(station_life_years) + 1, dtype=float)
    due = (np.mod(k, life) == 0) & (k < station_life_years)
    return share * due


def _cost_index(case, station_type, pressure_mpa) -> np.ndarray:
    """Row of ``StationCosts`` for each (station_type, pressure_mpa), after checking shares."""
    sc = case["StationCosts"]
    shares = sc[[f"share_{c}" for c in CAPEX_COMPONENTS]].to_numpy(dtype=float).sum(axis=1)
    bad = np.flatnonzero(np.abs(shares - 1.0) > _SHARE_TOL)
    if len(bad):
        r = sc.iloc[bad[0]]
        raise ValueError(
            f"StationCosts row {int(bad[0]) + 2} ({r['station_type']}, {r['pressure_mpa']} MPa): "
            f"share_compressor..share_civil sum to {shares[bad[0]]:.6g}, must sum to 1")
    keys = pd.MultiIndex.from_arrays([sc["station_type"].astype(object),
                                      sc["pressure_mpa"].astype("int64")])
    t = np.asarray(station_type, dtype=object)
    p = np.asarray(pressure_mpa, dtype=float)
    t, p = np.broadcast_arrays(t, p)
    idx = keys.get_indexer(pd.MultiIndex.from_arrays([t.ravel(), p.ravel().astype("int64")]))
    if np.any(idx < 0):
        k = int(np.flatnonzero(idx < 0)[0])
        raise ValueError(f"StationCosts has no row for station_type={t.ravel()[k]!r}, "
                         f"pressure_mpa={int(p.ravel()[k])}")
    return idx


def _cost_rows(case, station_type, pressure_mpa) -> pd.DataFrame:
    """``StationCosts`` rows aligned with (station_type, pressure_mpa) arrays."""
    return case["StationCosts"].iloc[_cost_index(case, station_type, pressure_mpa)].reset_index(drop=True)


# --- inputs with a draws axis ---------------------------------------------------------
#
# The array-level cores below read every number they use through ``_col`` / ``_par``,
# so that :mod:`h2model.uncertainty` can pass drawn inputs: ``values`` maps
# ``(sheet, column)`` of a table sheet to an array of shape ``(..., n_rows)`` (leading
# draws axes, then the sheet's rows in order) and ``(sheet, key)`` of a params sheet to
# an array of shape ``(...)``. Anything not in ``values`` is the case's own value, so
# without ``values`` the cores compute exactly what they always did.


def _lead(x, trailing: int = 1):
    """``x`` with ``trailing`` unit axes appended if it is an array (scalars stay scalars)."""
    if np.ndim(x) == 0:
        return x
    x = np.asarray(x)
    return x.reshape(x.shape + (1,) * trailing)


def module_capex_cny(case, station_type, pressure_mpa, capacity_kg_per_day, *,
                     include_land: bool = False) -> np.ndarray:
    """Capex of a station or capacity module of a type, pressure and size.

    For the network optimiser's module costs: :func:`station_capex_cny` with the
    ``StationCosts`` row of each (type, pressure), broadcasting over the three
    arrays.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``StationCosts``.
    station_type : array_like of str
        Station type (``StationCosts.station_type``).
    pressure_mpa : array_like of int
        Dispensing pressure, MPa.
    capacity_kg_per_day : array_like
        Module capacity, kg/day.
    include_land : bool, default False
        Add the type's land purchase (``land_cost_cny``, CNY, not scaled): for a
        first module on a new site. Land lease is an operating cost, not capex.

    Returns
    -------
    numpy.ndarray
        Capex, CNY, shaped like the broadcast inputs.

    Raises
    ------
    ValueError
        If a (type, pressure) has no ``StationCosts`` row.
    """
    t, p, q = np.broadcast_arrays(np.asarray(station_type, dtype=object),
                                  np.asarray(pressure_mpa, dtype=float),
                                  np.asarray(capacity_kg_per_day, dtype=float))
    rows = _cost_rows(case, t, p)
    k = station_capex_cny(q.ravel(), rows["reference_capacity_kg_per_day"].to_numpy(float),
                          rows["capex_excl_land_cny"].to_numpy(float), rows["scale_exponent"].to_numpy(float))
    if include_land:
        k = k + rows["land_cost_cny"].to_numpy(float)
    return k.reshape(q.shape)


def station_costs_from_case(case, stations: pd.DataFrame) -> pd.DataFrame:
    r"""Capex components and operating costs of stations, one row per station.

    Capex excl. land is :func:`station_capex_cny` of the ``StationCosts`` row of the
    station's type and pressure, split by the row's ``share_*`` columns
    (:data:`CAPEX_COMPONENTS`; they must sum to 1). Land purchase is added unscaled.
    Fixed O&M is ``fixed_om_share_per_year`` of capex excl. land (equipment and
    civil works are maintained and insured, land is not); staff is
    ``staff_count x staff_cost_cny_per_person_year``. The compressor is replaced
    every ``compressor_life_years`` at its original cost (real).

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``StationCosts``.
    stations : pandas.DataFrame
        ``station_id, station_type, pressure_mpa, capacity_kg_per_day`` (kg/day).

    Returns
    -------
    pandas.DataFrame
        In the order of ``stations``: ``station_id``, ``capex_<component>_cny`` for
        each of :data:`CAPEX_COMPONENTS`, ``capex_excl_land_cny``, ``land_cny``
        (purchase), ``capex_cny`` (total incl. land), all CNY;
        ``fixed_om_cny_per_year``, ``staff_cny_per_year``, ``land_lease_cny_per_year``
        (CNY/year); ``electricity_kwh_per_kg`` (kWh/kg); ``compressor_life_years``
        (years); ``compressor_replacement_share`` (compressor cost /
        ``capex_excl_land_cny``, fraction: the finance engine takes equipment
        capex and land apart). The replacement schedule for the finance engine is
        ``replacement_shares(compressor_replacement_share, compressor_life_years, L)``.

    Examples
    --------
    >>> from h2model.inputs import load_case, DEFAULT_CASE
    >>> case = load_case(DEFAULT_CASE)
    >>> st = pd.DataFrame({"station_id": ["a"], "station_type": ["standalone"],
    ...                    "pressure_mpa": [35], "capacity_kg_per_day": [1000.0]})
    >>> c = station_costs_from_case(case, st)
    >>> c[["capex_excl_land_cny", "land_cny", "capex_cny", "staff_cny_per_year"]].iloc[0].tolist()
    [10000000.0, 4000000.0, 14000000.0, 900000.0]
    """
    return pd.DataFrame(_station_costs(case, stations))


def _station_costs(case, stations: pd.DataFrame, values=None) -> dict[str, np.ndarray]:
    """The columns of :func:`station_costs_from_case` as arrays ``(..., n_stations)``;
    drawn ``StationCosts`` columns in ``values`` (see ``_col``) add leading axes."""
    idx = _cost_index(case, stations["station_type"].to_numpy(object),
                      stations["pressure_mpa"].to_numpy(float))

    def col(name):
        return _col(case, values, "StationCosts", name)[..., idx]

    k = station_capex_cny(stations["capacity_kg_per_day"].to_numpy(float),
                          col("reference_capacity_kg_per_day"), col("capex_excl_land_cny"),
                          col("scale_exponent"))
    out = {"station_id": stations["station_id"].astype(object).to_numpy()}
    for c in CAPEX_COMPONENTS:
        out[f"capex_{c}_cny"] = k * col(f"share_{c}")
    land = col("land_cost_cny")
    total = k + land
    out.update({
        "capex_excl_land_cny": k,
        "land_cny": land,
        "capex_cny": total,
        "fixed_om_cny_per_year": k * col("fixed_om_share_per_year"),
        "staff_cny_per_year": col("staff_count") * col("staff_cost_cny_per_person_year"),
        "land_lease_cny_per_year": col("land_lease_cny_per_year"),
        "electricity_kwh_per_kg": col("electricity_kwh_per_kg"),
        "compressor_life_years": case["StationCosts"]["compressor_life_years"].to_numpy(np.int64)[idx],
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        out["compressor_replacement_share"] = np.where(k > 0, out["capex_compressor_cny"] / k, 0.0)
    return out


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
    """

    stations: pd.DataFrame
    network: pd.DataFrame
    capex: pd.DataFrame
    station_subsidies: pd.DataFrame = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """Results tables by name (``stations``, ``network_by_year``, ``station_capex``,
        ``station_subsidies``)."""
        return {"stations": self.stations, "network_by_year": self.network, "station_capex": self.capex,
                "station_subsidies": self.station_subsidies}


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
    """

    stations: pd.DataFrame
    years: np.ndarray
    year_index: np.ndarray
    station_index: np.ndarray
    kg_per_day: np.ndarray
    capacity_kg_per_day: np.ndarray
    supply_row: np.ndarray

    @property
    def year_starts(self) -> np.ndarray:
        """First row of each year (rows are sorted by year), shape (n_years + 1,)."""
        return np.searchsorted(self.year_index, np.arange(len(self.years) + 1))


def station_years(case, loads: pd.DataFrame | None = None, built: pd.DataFrame | None = None,
                  year: int | Iterable[int] | None = None, *, finance: FinanceAssumptions | None = None,
                  plateau_utilisation: float = FALLBACK_PLATEAU_UTILISATION,
                  station_capacity: pd.DataFrame | None = None,
                  station_supply: pd.DataFrame | None = None) -> StationYears:
    """The operating station-years of a case, their capacity, source and sales (see
    :func:`station_economics`).

    Parameters are those of :func:`station_economics`; ``finance`` (default: the case's)
    shapes only the fallback load path, which scales with each row's capacity.

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

    j = _supply_rows(case, st)[si]
    if station_supply is not None:
        j = _supply_rows_by_year(case, station_supply, ids, years, yi, si, j)
    return StationYears(stations=st, years=years, year_index=yi, station_index=si, kg_per_day=kg_day,
                        capacity_kg_per_day=cap_row, supply_row=j)


def station_year_costs(case, sy: StationYears, values=None, *,
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
    case : h2model.inputs.case.Case
        Reads ``StationCosts, Supply, Delivery, Prices, Finance``.
    sy : StationYears
        From :func:`station_years`.
    values : mapping, optional
        Drawn inputs: ``(sheet, column) -> array (..., n_rows of the sheet)`` for table
        sheets and ``(sheet, key) -> array (...)`` for params sheets; the leading
        (draws) axes lead every output. Inputs not given are the case's.
    finance : FinanceAssumptions, optional
        Gives the station life for the replacement schedule and the discount rate of
        the tube trailer's capital (:func:`h2model.supply.delivery_cost`); default the
        case's (with ``values``' drawn ``Finance.discount_rate``, if any).

    Returns
    -------
    dict of str to numpy.ndarray
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
    L = finance.station_life_years if finance is not None else int(case.finance["station_life_years"])
    v_station, v_cap, vi = _capacity_variants(sy)
    variants = pd.DataFrame({
        "station_id": sy.stations["station_id"].to_numpy(object)[v_station],
        "station_type": sy.stations["station_type"].to_numpy(object)[v_station],
        "pressure_mpa": sy.stations["pressure_mpa"].to_numpy(float)[v_station],
        "capacity_kg_per_day": v_cap,
    })
    costs = _station_costs(case, variants, values)
    costs["station_index"] = v_station
    costs["capacity_kg_per_day"] = v_cap
    rep_variant = replacement_shares(costs["compressor_replacement_share"],
                                     costs["compressor_life_years"].astype(float), L)

    # Delivery from each row's source, priced per station-year (the one delivery rule).
    dlv = delivery_cost(case, sy.supply_row, si, sy.years[yi], stations=sy.stations, values=values,
                        discount_rate=None if finance is None else finance.discount_rate)
    c_del = dlv.cny_per_kg
    production = _col(case, values, "Supply", "production_cost_cny_per_kg")[..., sy.supply_row]
    purification = _col(case, values, "Supply", "purification_cost_cny_per_kg")[..., sy.supply_row]
    c_h2 = production + purification
    elec = ex_vat(_by_year(case, "electricity_cny_per_kwh", sy.years, values),
                  _par(case, values, "Finance", "electricity_vat_rate"))
    c_elec = costs["electricity_kwh_per_kg"][..., vi] * elec[..., yi]
    return {
        "capex_cny": costs["capex_cny"][..., vi],
        "capex_excl_land_cny": costs["capex_excl_land_cny"][..., vi],
        "land_cny": costs["land_cny"][..., vi],
        "fixed_cny_per_year": (costs["fixed_om_cny_per_year"] + costs["staff_cny_per_year"])[..., vi],
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


@dataclasses.dataclass(frozen=True)
class StationPrices:
    """Break-even prices and subsidies of station-years (:func:`station_year_prices`).

    Every array has the leading (draws) axes of the inputs, then the rows of the
    :class:`StationYears`; prices are NaN where a row sells nothing.

    Attributes
    ----------
    kg_per_year : numpy.ndarray
        Sales, kg/year.
    capital_subsidy_cny : numpy.ndarray
        One-off capital subsidy, nominal CNY of the commissioning year (price
        conditions tested at the row's price).
    operating_subsidy_cny_per_kg : numpy.ndarray, shape (..., n_rows, L)
        Per-kg subsidy in each operating year of the life, nominal CNY/kg.
    operating_subsidy_now_cny_per_kg : numpy.ndarray
        The same in the row's own year, nominal CNY/kg.
    price_ex_vat_cny_per_kg, price_with_subsidy_ex_vat_cny_per_kg : numpy.ndarray
        Break-even price ex VAT without and with the subsidies, real CNY/kg.
    vat_rate : float or numpy.ndarray
        VAT rate (fraction), broadcasting against the rows.
    finance : FinanceAssumptions
        The finance assumptions used (ramp-up off).
    rebase : numpy.ndarray
        Factor from nominal subsidy CNY to the finance engine's money basis.
    annualised_cost_cny_per_year, annualised_cost_with_subsidy_cny_per_year : numpy.ndarray
        Annualised cost incl. VAT without and with the subsidies, real CNY/year, for
        every row, idle ones included (:func:`annualised_costs` times :math:`1 + v`);
        where a row sells, the retail break-even price times kg sold.
    capital_programmes, operating_programmes : h2model.policy.StationProgrammes
        The ``station_capex`` and per-kg programmes (``Pc`` and ``Ph`` of them).
    capital_subsidy_by_programme_cny : numpy.ndarray, shape (..., n_rows, Pc)
        ``capital_subsidy_cny`` by programme, after the all-level cap.
    operating_subsidy_now_by_programme_cny_per_kg : numpy.ndarray, shape (..., n_rows, Ph)
        ``operating_subsidy_now_cny_per_kg`` by programme.
    """

    kg_per_year: np.ndarray
    capital_subsidy_cny: np.ndarray
    operating_subsidy_cny_per_kg: np.ndarray
    operating_subsidy_now_cny_per_kg: np.ndarray
    price_ex_vat_cny_per_kg: np.ndarray
    price_with_subsidy_ex_vat_cny_per_kg: np.ndarray
    vat_rate: Any
    finance: FinanceAssumptions
    rebase: np.ndarray
    annualised_cost_cny_per_year: np.ndarray
    annualised_cost_with_subsidy_cny_per_year: np.ndarray
    capital_programmes: Any = None
    operating_programmes: Any = None
    capital_subsidy_by_programme_cny: Any = None
    operating_subsidy_now_by_programme_cny_per_kg: Any = None

    @property
    def breakeven_price_cny_per_kg(self) -> np.ndarray:
        """Retail break-even price incl. VAT without subsidies, CNY/kg."""
        return self.price_ex_vat_cny_per_kg * (1.0 + self.vat_rate)

    @property
    def breakeven_price_with_subsidy_cny_per_kg(self) -> np.ndarray:
        """Retail break-even price incl. VAT with subsidies, CNY/kg."""
        return self.price_with_subsidy_ex_vat_cny_per_kg * (1.0 + self.vat_rate)


def _finance_with(case, values) -> FinanceAssumptions:
    """The case's finance assumptions with drawn rates (shape (..., 1)) from ``values``."""
    m = dict(case.finance)
    for key in m:
        if values and ("Finance", key) in values:
            m[key] = _par(case, values, "Finance", key)
    return FinanceAssumptions.from_mapping(m)


def station_year_prices(case, sy: StationYears, costs: dict[str, np.ndarray], kg_per_year, *,
                        values=None, finance: FinanceAssumptions | None = None) -> StationPrices:
    r"""Break-even prices of station-years with self-consistent price-conditional subsidies.

    The engine of :func:`station_economics` (conventions in the module docstring):
    one :func:`h2model.finance.breakeven_price` call per eligibility round for all
    rows and draws at once, with the capital grants (:func:`h2model.policy.station_grants_cny`,
    all-level cap included) and per-kg subsidies
    (:func:`h2model.policy.per_kg_subsidies_cny_per_kg`) re-tested
    at each round's price until no programme-year changes, then one call without
    subsidies. Per-kg programmes with a ``min_capacity_kg_per_day`` test the row's
    capacity (``sy.capacity_kg_per_day``); capital ones the station's capacity at
    commissioning (its ``capacity_kg_per_day``), as the budget pays them.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Policy, Finance`` and the price year.
    sy : StationYears
        From :func:`station_years`.
    costs : dict
        From :func:`station_year_costs`.
    kg_per_year : array_like, shape (..., n_rows)
        Sales of each row, kg/year (the leading axes may be draws).
    values : mapping, optional
        Drawn ``Finance`` rates, as for :func:`station_year_costs`.
    finance : FinanceAssumptions, optional
        Overrides the case's (and the drawn) finance assumptions.

    Returns
    -------
    StationPrices
        Prices, subsidies and sales with the leading axes of the inputs.
    """
    fin_case = finance if finance is not None else _finance_with(case, values)
    fin = dataclasses.replace(fin_case, ramp_up_years=0, ramp_start_share=1.0)
    L, C = fin.station_life_years, fin.construction_years
    base = 1 if fin.convention == "profast" else 0
    infl = fin.inflation_rate if np.ndim(fin.inflation_rate) else float(fin.inflation_rate)
    vat = fin.vat_rate if np.ndim(fin.vat_rate) else float(fin.vat_rate)
    py = case.price_year
    st = sy.stations
    yi, si = sy.year_index, sy.station_index
    cy = st["commissioning_year"].to_numpy(float)
    cap_row = sy.capacity_kg_per_day
    cap_open = st["capacity_kg_per_day"].to_numpy(float)  # at commissioning
    stype = st["station_type"].to_numpy(object)
    dist = st["district"].to_numpy(object)
    kg = np.asarray(kg_per_year, dtype=float)
    selling = kg > 0
    K, F, c = costs["capex_cny"], costs["fixed_cny_per_year"], costs["variable_cny_per_kg"]
    lease, rep_variant = costs["land_lease_cny_per_year"], costs["replacement_share"]
    K_equip, land = costs["capex_excl_land_cny"], costs["land_cny"]
    vi = costs["variant_index"]

    # Subsidies: eligible programme-years shrink until the price is self-consistent.
    policy = case.tables.get("Policy")
    caps = case.params.get("PolicyCaps")
    cap_progs = pol.station_programmes(policy, pol.STATION_KINDS, caps)
    h2_progs = pol.station_programmes(policy, pol.H2_KINDS, caps)
    y0 = cy[si] - C  # calendar year of the engine's year 0
    rebase = (1.0 + infl) ** (py - (y0 + base))  # nominal CNY -> the engine's money basis
    cal = cy[si, None] + np.arange(L)[None, :]  # calendar year of each operating year
    # Per-kg programmes pay only in the calendar years they cover: evaluate them at those
    # (row, operating year) pairs only; elsewhere the subsidy is 0.
    pr_, pk_ = np.nonzero(pol.programme_years(h2_progs, cal).any(axis=-1))
    cal_p = cal[pr_, pk_]
    # retail incl. VAT in nominal CNY of the year paid (the one real -> nominal conversion)
    to_nominal_cal = nominal_cny(1.0 + vat, cal_p, py, infl)
    to_nominal_com = nominal_cny(1.0 + vat, cy[si], py, infl)
    n_conditional = int(cap_progs.conditional.sum() + h2_progs.conditional.sum())
    # The finance engine sees rows that sell in some draw only.
    sel = np.flatnonzero(selling.reshape(-1, selling.shape[-1]).any(axis=0)) if selling.ndim > 1 \
        else np.flatnonzero(selling)
    # Land is not depreciated but recovered at the end of the life (finance engine's land_cny).
    fin_args = (K_equip[..., sel], F[..., sel], c[..., sel], kg[..., sel], fin)
    common = {"land_lease_cny_per_year": lease[..., sel], "land_cny": land[..., sel],
              "replacement_share": rep_variant[..., vi[sel], :]}
    rebase_sel = rebase[..., sel]
    # Paid (row, operating year) pairs of selling rows, as positions in the selling rows.
    sel_pos = np.full(len(si), -1)
    sel_pos[sel] = np.arange(len(sel))
    in_sel = sel_pos[pr_] >= 0
    ps_, pks_ = sel_pos[pr_][in_sel], pk_[in_sel]
    pr_sel = pr_[in_sel]
    rebase_paid = rebase[..., pr_sel]
    rest = np.flatnonzero(sel_pos < 0)

    def spread(x):
        full = np.full(x.shape[:-1] + (len(si),), np.nan)
        full[..., sel] = x
        return np.where(selling, full, np.nan)

    # Price-independent parts of the programmes (h2model.policy), once; each round
    # re-tests the price of the selling rows (rows that never sell have no price: their
    # subsidies are fixed). Capital grants test the capacity at commissioning; per-kg
    # programmes the capacity installed in the row's year.
    def cap_terms(r):
        ok = pol.station_eligible(cap_progs, stype[si][r], cap_open[si][r], cy[si][r], dist[si][r])
        return pol.station_grant_amounts_cny(cap_progs, K[..., r]), ok, K[..., r]

    def op_terms(r, k):
        ok = pol.station_eligible(h2_progs, stype[si][r], cap_row[r], cal[r, k], dist[si][r])
        return pol.per_kg_rates_cny_per_kg(h2_progs, kg[..., r]), ok

    cap_sel, op_sel = cap_terms(sel), op_terms(pr_sel, pk_[in_sel])
    G_rest_by = pol.station_grants_paid_cny(cap_progs, *cap_terms(rest), np.full(len(rest), np.nan))
    ops_rest_by = pol.paid_cny(*op_terms(pr_[~in_sel], pk_[~in_sel]), h2_progs,
                               np.full(int((~in_sel).sum()), np.nan))
    com_sel, cal_sel = to_nominal_com[..., sel], to_nominal_cal[..., in_sel]
    # First round: every price condition met (-inf); rows without sales never meet one (NaN).
    price = np.where(selling, -np.inf, np.nan)
    prev = None
    for _ in range(n_conditional * (L + 1) + 2):  # a bound never reached: a few rounds suffice
        G_by = pol.station_grants_paid_cny(cap_progs, *cap_sel, price[..., sel] * com_sel)
        paid_by = pol.paid_cny(*op_sel, h2_progs, price[..., pr_sel] * cal_sel)
        if prev is not None and np.array_equal(G_by, prev[0]) and np.array_equal(paid_by, prev[1]):
            break
        G_sel, paid = G_by.sum(axis=-1), paid_by.sum(axis=-1)
        paid_reb = paid * rebase_paid
        ops_sel = np.zeros(paid_reb.shape[:-1] + (len(sel), L))
        ops_sel[..., ps_, pks_] = paid_reb
        price = spread(breakeven_price(*fin_args, capital_subsidy_cny=G_sel * rebase_sel,
                                       operating_subsidy_cny_per_kg=ops_sel, **common))
        prev = (G_by, paid_by)
    else:  # pragma: no cover - eligibility only shrinks, so the loop ends early
        raise RuntimeError("subsidy eligibility did not converge")
    lead = np.broadcast_shapes(G_by.shape[:-2], paid_by.shape[:-2], G_rest_by.shape[:-2],
                               ops_rest_by.shape[:-2])
    G_full = np.zeros(lead + (len(si), len(cap_progs)))
    G_full[..., sel, :] = G_by
    G_full[..., rest, :] = G_rest_by
    G = G_full.sum(axis=-1)
    pairs_by = np.zeros(lead + (len(pr_), len(h2_progs)))  # per-kg subsidy of each paid pair
    pairs_by[..., in_sel, :] = paid_by
    pairs_by[..., ~in_sel, :] = ops_rest_by
    ops = np.zeros(lead + cal.shape)
    ops[..., pr_, pk_] = pairs_by.sum(axis=-1)
    p_none = spread(breakeven_price(*fin_args, **common))
    k_now = (sy.years[yi] - cy[si]).astype(np.int64)
    ops_now = np.where(k_now < L, ops[..., np.arange(len(si)), np.minimum(k_now, L - 1)], 0.0)
    pos = np.full(cal.shape, -1)
    pos[pr_, pk_] = np.arange(len(pr_))
    now = np.where(k_now < L, pos[np.arange(len(si)), np.minimum(k_now, L - 1)], -1)
    ops_now_by = np.where((now >= 0)[:, None], pairs_by[..., np.maximum(now, 0), :], 0.0) if len(pr_) \
        else np.zeros(lead + (len(si), len(h2_progs)))
    cost_none, cost_sub = annualised_costs(K_equip, F, c, kg, fin, land_lease_cny_per_year=lease,
                                           land_cny=land,
                                           replacement_share=rep_variant[..., vi, :],
                                           capital_subsidy_cny=G * rebase,
                                           operating_subsidy_cny_per_kg=ops * rebase[..., None])
    return StationPrices(kg_per_year=kg, capital_subsidy_cny=G, operating_subsidy_cny_per_kg=ops,
                         operating_subsidy_now_cny_per_kg=ops_now, price_ex_vat_cny_per_kg=p_none,
                         price_with_subsidy_ex_vat_cny_per_kg=price, vat_rate=vat, finance=fin,
                         rebase=rebase, annualised_cost_cny_per_year=cost_none * (1.0 + vat),
                         annualised_cost_with_subsidy_cny_per_year=cost_sub * (1.0 + vat),
                         capital_programmes=cap_progs, operating_programmes=h2_progs,
                         capital_subsidy_by_programme_cny=G_full,
                         operating_subsidy_now_by_programme_cny_per_kg=ops_now_by)


def annualised_costs(capex_cny, fixed_cny_per_year, variable_cny_per_kg, kg_per_year,
                     finance: FinanceAssumptions, *, land_lease_cny_per_year=None, land_cny=None,
                     replacement_share=None, capital_subsidy_cny=None,
                     operating_subsidy_cny_per_kg=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Annualised cost ex VAT of station-years, without and with subsidies, CNY/year.

    The annualised cost of a station-year is the constant real annual revenue ex VAT
    (CNY of the price year per year) at which the station's equity NPV over its life is
    zero if it sold every year what it sells this year: the revenue requirement of the
    break-even convention. It is finite for every station-year, idle ones included, and
    where the station sells :math:`q > 0` kg/year it equals :math:`P^* q` exactly.

    Because every cash flow of :func:`h2model.finance.breakeven_price` is linear in sales
    at flat sales, :math:`P^*(q)\,q = \mathcal{B}(q)/(\mathcal{A}(q)/q)`; the function
    evaluates the engine at one kg a year with the year's variable cost and per-kg
    subsidies scaled by :math:`q` (``variable * q`` CNY, ``subsidy * q`` CNY per year),
    which gives that quotient in one call, for idle rows (:math:`q = 0`) as well.

    Parameters
    ----------
    capex_cny, fixed_cny_per_year, variable_cny_per_kg, kg_per_year : array_like
        As for :func:`h2model.finance.breakeven_price` (kg/year flat, no year axis).
    finance : FinanceAssumptions
        With the ramp-up off (the station-year convention).
    land_lease_cny_per_year, land_cny, replacement_share, capital_subsidy_cny : array_like, optional
        As for :func:`h2model.finance.breakeven_price` (``capex_cny`` then excludes land;
        subsidies in the engine's money basis).
    operating_subsidy_cny_per_kg : array_like, shape (..., L), optional
        Per-kg subsidy in each operating year, in the engine's money basis, CNY/kg.

    Returns
    -------
    tuple of numpy.ndarray
        Annualised cost ex VAT without subsidies and with them, CNY/year.

    Examples
    --------
    Equity only, no tax or inflation: capital recovery plus O&M plus variable cost.

    >>> fin = FinanceAssumptions(discount_rate=0.08, station_life_years=20)
    >>> none, _ = annualised_costs(8e6, 6e5, 25.0, np.array([0.0, 365_000.0]), fin)
    >>> from h2model.finance import capital_recovery_factor
    >>> fixed = 8e6 * capital_recovery_factor(0.08, 20) + 6e5
    >>> bool(np.allclose(none, [fixed, fixed + 25.0 * 365_000.0], rtol=1e-12))
    True
    """
    kg = np.asarray(kg_per_year, dtype=float)
    common = {"land_lease_cny_per_year": land_lease_cny_per_year, "land_cny": land_cny,
              "replacement_share": replacement_share}
    variable = np.asarray(variable_cny_per_kg, dtype=float) * kg
    none = breakeven_price(capex_cny, fixed_cny_per_year, variable, 1.0, finance, **common)
    ops = None if operating_subsidy_cny_per_kg is None else (
        np.asarray(operating_subsidy_cny_per_kg, dtype=float) * kg[..., None])
    with_sub = breakeven_price(capex_cny, fixed_cny_per_year, variable, 1.0, finance,
                               capital_subsidy_cny=capital_subsidy_cny, operating_subsidy_cny_per_kg=ops,
                               **common)
    return none, with_sub


def network_price(sy: StationYears, kg_per_year, annualised_cost_cny_per_year) -> np.ndarray:
    r"""Network price of each year: the price that recovers the cost of every operating station.

    .. math::

        \bar P_y = \frac{\sum_s C_{s,y}}{\sum_s q_{s,y}}

    over **all** station-years operating in year :math:`y`, idle ones (:math:`q = 0`)
    included, where :math:`C_{s,y}` is the annualised cost (:func:`annualised_costs`,
    incl. VAT) and :math:`q_{s,y}` kg sold. It is the average retail price at which the
    network as a whole breaks even; the volume-weighted break-even price of the stations
    that sell (:func:`sellers_volume_weighted_price`) leaves out idle stations' costs.

    Parameters
    ----------
    sy : StationYears
        Rows (sorted by year).
    kg_per_year : array_like, shape (..., n_rows)
        Sales :math:`q`, kg/year.
    annualised_cost_cny_per_year : array_like, shape (..., n_rows)
        Annualised cost :math:`C`, CNY/year.

    Returns
    -------
    numpy.ndarray, shape (..., n_years)
        Network price, CNY/kg; NaN in years without sales.
    """
    q = np.asarray(kg_per_year, dtype=float)
    cost = _sum_by_year(sy, np.asarray(annualised_cost_cny_per_year, dtype=float))
    kg = _sum_by_year(sy, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(kg > 0, cost / np.where(kg > 0, kg, 1.0), np.nan)


def sellers_volume_weighted_price(sy: StationYears, kg_per_year, price_cny_per_kg) -> np.ndarray:
    r"""Volume-weighted break-even price of each year over the station-years that **sell**.

    .. math::

        \bar P^{sell}_y = \frac{\sum_s q_{s,y} P_{s,y}}{\sum_s q_{s,y}}, \qquad s : q_{s,y} > 0

    It leaves out the cost of idle stations, so it is not the city's price (that is
    :func:`network_price`); it is kept as a diagnostic of the stations that sell.

    Parameters
    ----------
    sy : StationYears
        Rows (sorted by year).
    kg_per_year : array_like, shape (..., n_rows)
        Sales :math:`q`, kg/year.
    price_cny_per_kg : array_like, shape (..., n_rows)
        Prices :math:`P`, CNY/kg (ignored where nothing is sold).

    Returns
    -------
    numpy.ndarray, shape (..., n_years)
        Volume-weighted price, CNY/kg; NaN in years without sales.
    """
    q = np.asarray(kg_per_year, dtype=float)
    p = np.asarray(price_cny_per_kg, dtype=float)
    sell = q > 0
    qw = np.where(sell, q, 0.0)
    qp = np.where(sell, q * np.where(sell, p, 0.0), 0.0)
    num, den = _sum_by_year(sy, qp), _sum_by_year(sy, qw)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _sum_by_year(sy: StationYears, x: np.ndarray) -> np.ndarray:
    """Sum of ``x (..., n_rows)`` over each year's rows (a loop over the few years)."""
    starts = sy.year_starts
    out = np.zeros(x.shape[:-1] + (len(sy.years),))
    for j in range(len(sy.years)):
        out[..., j] = x[..., starts[j]:starts[j + 1]].sum(axis=-1)
    return out


def station_economics(case, loads: pd.DataFrame | None = None, built: pd.DataFrame | None = None,
                      year: int | Iterable[int] | None = None, *,
                      finance: FinanceAssumptions | None = None,
                      plateau_utilisation: float = FALLBACK_PLATEAU_UTILISATION,
                      station_capacity: pd.DataFrame | None = None,
                      station_supply: pd.DataFrame | None = None) -> StationEconomics:
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
    fin_case = finance if finance is not None else FinanceAssumptions.from_mapping(case.finance)
    sy = station_years(case, loads, built, year, finance=fin_case, plateau_utilisation=plateau_utilisation,
                       station_capacity=station_capacity, station_supply=station_supply)
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
    return StationEconomics(stations=out, network=network, capex=capex, station_subsidies=paid)


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
