"""Total cost of ownership (TCO) of fuel-cell, battery-electric and diesel vehicles.

For each segment, powertrain and purchase year the TCO is the present value, at the
real discount rate, of what an operator pays for one vehicle over its life: purchase
net of purchase subsidies, energy, maintenance, insurance, tolls, a fuel-cell stack or
battery replacement, less the resale value and the operating subsidies received. All
money is in CNY of the case's price year (real terms), so prices grow only by their
real change per year.

Capital is charged at the discount rate: the purchase is paid at the start and every
other flow discounted, which is the same as financing it with a loan at the discount
rate. No separate loan is modelled; a cheaper or dearer loan would change the TCO by
the present value of the interest difference.

Discounting is :func:`h2model.finance.present_value`: amounts at the end of each year
of life, valued at the purchase date (the first year is discounted by one year). The
discounted years (the annuity factor) are summed year by year with the same helper,
``present_value(1.0, r, L)``, like the money paths, so a flat cost per km levelises to
exactly itself (:func:`levelised_cost_per_km`).

Cores (:func:`tco_per_vehicle`, :func:`breakeven_h2_price`) are
functions of arrays that broadcast over any leading axes (segments, purchase years,
Monte Carlo draws); :func:`tco_from_case` unpacks a case, the only place that reads
``Finance.discount_rate``.

>>> round(float(present_value(1.0, 0.08, 10)), 4)  # discounted years of a 10-year life
6.7101
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import policy
from .finance import present_value
from .params import as_params
from .prices import calendar_path, year_path
from .station.capex import _lead

#: Cost components in the order reported; subsidies and residual value are negative.
COMPONENTS = (
    "purchase", "purchase_subsidy", "energy", "maintenance", "insurance", "tolls",
    "replacement", "residual", "operation_subsidy",
)

#: Groups of :data:`COMPONENTS` reported as the cost per km by component: vehicle capital
#: (purchase, stack or battery replacement, less the resale value), energy (hydrogen,
#: electricity or diesel), maintenance, other costs (insurance, tolls) and subsidies
#: (purchase and operating, negative). Every component is in exactly one group, so the
#: groups sum to ``total``.
COMPONENT_GROUPS = {
    "vehicle_capital": ("purchase", "replacement", "residual"),
    "energy": ("energy",),
    "maintenance": ("maintenance",),
    "other_costs": ("insurance", "tolls"),
    "subsidies": ("purchase_subsidy", "operation_subsidy"),
}

#: Segments column of energy use per 100 km, and Prices column of its price, by powertrain.
ENERGY_COLUMNS = {
    "fcev": ("h2_kg_per_100km", "h2_retail_cny_per_kg"),
    "bev": ("electricity_kwh_per_100km", "electricity_cny_per_kwh"),
    "diesel": ("diesel_l_per_100km", "diesel_cny_per_l"),
}


# --- the TCO core ---------------------------------------------------------------------


def tco_per_vehicle(purchase_price_cny, annual_km, energy_per_km, energy_price_per_unit,
                    lifetime_years, discount_rate, *, maintenance_cny_per_km=0.0,
                    insurance_cny_per_year=0.0, toll_cny_per_km=0.0, replacement_cost_cny=0.0,
                    replacement_year=0, residual_share=0.0, purchase_subsidy_cny=0.0,
                    operation_subsidy_cny_per_year=0.0) -> dict[str, np.ndarray]:
    """TCO of one vehicle, by component, as a present value at purchase.

    With :math:`d_t = (1 + r)^{-t}` and the annuity factor
    :math:`A = \\sum_{t=1}^{L} d_t`:

    .. math::

        \\mathrm{TCO} = P - S_p
            + D\\, e \\sum_{t=1}^{L} p_t d_t
            + D\\,(m + k)\\, A + I A
            + R\\, d_{n}\\,[1 \\le n \\le L]
            - \\rho P\\, d_L
            - \\sum_{t=1}^{L} s_t d_t

    where :math:`P` is ``purchase_price_cny``, :math:`S_p` ``purchase_subsidy_cny``,
    :math:`D` ``annual_km``, :math:`e` ``energy_per_km``, :math:`p_t`
    ``energy_price_per_unit`` in year :math:`t` of life, :math:`m`
    ``maintenance_cny_per_km``, :math:`k` ``toll_cny_per_km``, :math:`I`
    ``insurance_cny_per_year``, :math:`R` ``replacement_cost_cny`` paid in year
    :math:`n` = ``replacement_year`` of life, :math:`\\rho` ``residual_share`` (of the
    price before subsidies) and :math:`s_t` ``operation_subsidy_cny_per_year``. The
    purchase is paid at the start; yearly flows at the end of each year.

    Parameters
    ----------
    purchase_price_cny : array_like
        Price before subsidies (CNY).
    annual_km : array_like
        Distance driven per year (km/year).
    energy_per_km : array_like
        Energy use: kg/km (hydrogen), kWh/km (electricity) or L/km (diesel).
    energy_price_per_unit : array_like
        Energy price by year of life on the last axis, shape ``(..., T)`` with ``T`` at
        least the longest lifetime, or ``(..., 1)`` for a flat price (CNY/kg, CNY/kWh or
        CNY/L).
    lifetime_years : array_like of int
        Years owned, :math:`L` (years).
    discount_rate : array_like
        Real discount rate (1/year).
    maintenance_cny_per_km, toll_cny_per_km : array_like, optional
        Maintenance and tolls (CNY/km).
    insurance_cny_per_year : array_like, optional
        Insurance (CNY/year).
    replacement_cost_cny : array_like, optional
        Stack or battery replacement (CNY).
    replacement_year : array_like of int, optional
        Year of life it is paid in; 0 (or beyond the lifetime) for none.
    residual_share : array_like, optional
        Resale value at the end of life as a share of the purchase price (-).
    purchase_subsidy_cny : array_like, optional
        Purchase subsidies received at purchase (CNY).
    operation_subsidy_cny_per_year : array_like, optional
        Operating subsidies received by year of life, last axis as for the energy
        price (CNY/year); see :func:`h2model.policy.operation_subsidy_cny_per_year`.

    Returns
    -------
    dict of str to numpy.ndarray
        Each of :data:`COMPONENTS` and ``total`` (CNY per vehicle), broadcast to one
        shape; subsidies and the residual value are negative.

    Examples
    --------
    >>> c = tco_per_vehicle(100.0, 10.0, 1.0, [1.0], 2, 0.25, residual_share=0.5)
    >>> {k: round(float(v), 2) for k, v in c.items() if v != 0}
    {'purchase': 100.0, 'energy': 14.4, 'residual': -32.0, 'total': 82.4}
    """
    r = np.asarray(discount_rate, dtype=float)
    life = np.asarray(lifetime_years)
    price = np.asarray(purchase_price_cny, dtype=float)
    km = np.asarray(annual_km, dtype=float)
    ann = present_value(1.0, r, life)  # discounted years
    rep_year = np.asarray(replacement_year)
    rep_due = (rep_year >= 1) & (rep_year <= life)
    comp = {
        "purchase": price,
        "purchase_subsidy": -np.asarray(purchase_subsidy_cny, dtype=float),
        "energy": km * np.asarray(energy_per_km) * present_value(energy_price_per_unit, r, life),
        "maintenance": km * np.asarray(maintenance_cny_per_km) * ann,
        "insurance": np.asarray(insurance_cny_per_year, dtype=float) * ann,
        "tolls": km * np.asarray(toll_cny_per_km) * ann,
        "replacement": np.where(rep_due, np.asarray(replacement_cost_cny)
                                * (1.0 + r) ** -np.where(rep_due, rep_year, 0), 0.0),
        "residual": -np.asarray(residual_share) * price * (1.0 + r) ** -life,
        "operation_subsidy": -present_value(
            np.atleast_1d(operation_subsidy_cny_per_year), r, life),
    }
    arrays = np.broadcast_arrays(*comp.values())
    out = {k: np.asarray(a, dtype=float) for k, a in zip(comp, arrays, strict=True)}
    out["total"] = np.sum(arrays, axis=0)
    return out


def levelised_cost_per_km(tco_cny, annual_km, lifetime_years, discount_rate) -> np.ndarray:
    """TCO per km, levelised over discounted distance.

    .. math:: c_{km} = \\frac{\\mathrm{TCO}}{D \\, A}

    With this definition a cost that is a fixed amount per km (maintenance, tolls, a
    flat energy price) appears per km at exactly that amount.

    Parameters
    ----------
    tco_cny : array_like
        Present value (CNY per vehicle).
    annual_km : array_like
        Distance per year, :math:`D` (km/year).
    lifetime_years : array_like of int
        Years owned.
    discount_rate : array_like
        Real discount rate (1/year).

    Returns
    -------
    numpy.ndarray
        Cost (CNY/km).

    Examples
    --------
    >>> float(levelised_cost_per_km(1952.0, 1000.0, 3, 0.25))
    1.0
    """
    return np.asarray(tco_cny, dtype=float) / (
        np.asarray(annual_km, dtype=float) * present_value(1.0, discount_rate, lifetime_years))


def breakeven_h2_price(tco_fcev_excl_h2_cny, discounted_h2_kg, tco_target_cny) -> np.ndarray:
    """Flat hydrogen price at which a fuel-cell vehicle's TCO equals a target.

    TCO is linear in the hydrogen price :math:`p` (flat over life):
    :math:`\\mathrm{TCO}(p) = B + p\\,Q` with :math:`Q = D\\,h\\,A` the discounted
    hydrogen use over life, so

    .. math:: p^{*} = \\frac{T - B}{Q}

    Parameters
    ----------
    tco_fcev_excl_h2_cny : array_like
        :math:`B`, the FCEV TCO without hydrogen (CNY).
    discounted_h2_kg : array_like
        :math:`Q`, the discounted hydrogen use over life (kg).
    tco_target_cny : array_like
        :math:`T`, the alternative's TCO scaled to the FCEV's discounted distance (CNY).

    Returns
    -------
    numpy.ndarray
        Break-even price (CNY/kg); negative when even free hydrogen is not enough.

    Examples
    --------
    >>> float(breakeven_h2_price(1000.0, 50.0, 2500.0))
    30.0
    """
    return (np.asarray(tco_target_cny, dtype=float) - np.asarray(tco_fcev_excl_h2_cny)) / np.asarray(
        discounted_h2_kg, dtype=float)


def parity_year(purchase_years, fcev_cost, alternative_cost) -> float:
    """First purchase year in which the FCEV costs no more than the alternative.

    Parameters
    ----------
    purchase_years : array_like of int
        Purchase years, ascending.
    fcev_cost, alternative_cost : array_like
        Costs to compare, same shape as ``purchase_years`` (e.g. CNY/km).

    Returns
    -------
    float
        The year, or NaN when parity is not reached.

    Examples
    --------
    >>> parity_year([2024, 2025, 2026], [3.0, 2.0, 1.0], [2.5, 2.5, 2.5])
    2025.0
    """
    ok = np.asarray(fcev_cost) <= np.asarray(alternative_cost)
    return float(np.asarray(purchase_years)[ok][0]) if ok.any() else np.nan


# --- from the case ------------------------------------------------------------------------


@dataclass
class TcoResult:
    """Tables of the TCO engine.

    Attributes
    ----------
    tco : pandas.DataFrame
        ``segment, powertrain, purchase_year, component, tco_cny_per_vehicle,
        tco_cny_per_km, tco_cny_per_tkm``: one row per component and one ``total``;
        per km is levelised (:func:`levelised_cost_per_km`); per tonne-km divides that
        by the payload (NaN where ``payload_t`` is 0).
    components : pandas.DataFrame
        ``segment, powertrain, purchase_year, component, tco_cny_per_km``: the cost per
        km by :data:`COMPONENT_GROUPS` (vehicle capital, energy, maintenance, other,
        subsidies), levelised like ``tco``; the groups of a row sum to its ``total``.
    parity : pandas.DataFrame
        ``segment, alternative, purchase_year, h2_price_cny_per_kg,
        fcev_tco_cny_per_km, alternative_tco_cny_per_km, breakeven_h2_cny_per_kg,
        at_parity, parity_year``.
    """

    tco: pd.DataFrame
    parity: pd.DataFrame
    components: pd.DataFrame | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """Result tables by name."""
        out = {"tco": self.tco, "tco_parity": self.parity}
        if self.components is not None:
            out["tco_components"] = self.components
        return out


def component_groups_per_km(components: dict, discounted_km) -> dict[str, np.ndarray]:
    """The TCO per km by :data:`COMPONENT_GROUPS`, from the engine's components.

    Parameters
    ----------
    components : dict of str to numpy.ndarray
        :attr:`TcoArrays.components` (CNY per vehicle), each of :data:`COMPONENTS`.
    discounted_km : array_like
        :attr:`TcoArrays.discounted_km`, km.

    Returns
    -------
    dict of str to numpy.ndarray
        Group -> CNY/km (levelised); the groups sum to ``components["total"] / discounted_km``.

    Examples
    --------
    Purchase 100 less a resale value of 50 discounted two years at 25 % (32), over
    10 km/year x (0.8 + 0.64) discounted years = 14.4 km: 68 / 14.4 = 4.722 CNY/km;
    energy at a flat 1 CNY/km levelises to 1.

    >>> c = tco_per_vehicle(100.0, 10.0, 1.0, [1.0], 2, 0.25, residual_share=0.5)
    >>> g = component_groups_per_km(c, 10.0 * present_value(1.0, 0.25, 2))
    >>> {k: round(float(v), 3) for k, v in g.items() if v != 0}
    {'vehicle_capital': 4.722, 'energy': 1.0}
    """
    dist = np.asarray(discounted_km, dtype=float)
    return {g: sum(np.asarray(components[k], dtype=float) for k in keys) / dist
            for g, keys in COMPONENT_GROUPS.items()}


def _operation_subsidy_paths(subsidies, segments, annual_km, calendar) -> np.ndarray:
    """Operating subsidy per vehicle by calendar year, for each row's annual distance."""
    out = np.zeros((len(segments),) + calendar.shape)
    if subsidies is None or subsidies.empty:
        return out
    op = subsidies[subsidies["kind"] == "vehicle_operation_per_km"]
    for i, seg in enumerate(segments):  # a loop over a handful of segment rows
        rows = op[op["segment"] == seg]
        if rows.empty:
            continue
        pay = policy.operation_subsidy_cny_per_year(
            annual_km[i], rows["cny_per_km"].to_numpy(float),
            rows["cap_cny_per_vehicle_year"].to_numpy(float))
        by_year = pd.Series(pay, index=rows["year"].to_numpy(int)).groupby(level=0).sum()
        out[i] = by_year.reindex(calendar.ravel(), fill_value=0.0).to_numpy().reshape(calendar.shape)
    return out


def energy_paths(params, years, h2_price_cny_per_kg: pd.Series | None = None) -> dict:
    """Energy price of each powertrain by purchase year and year of life.

    Parameters
    ----------
    params : h2model.params.Params or Case
        Reads ``Prices`` and ``Segments.lifetime_years``; drawn ``Prices`` columns
        add leading axes.
    years : array_like of int
        Purchase years.
    h2_price_cny_per_kg : pandas.Series, optional
        Retail hydrogen price by year (CNY/kg); default ``Prices.h2_retail_cny_per_kg``.

    Returns
    -------
    dict of str to numpy.ndarray
        Powertrain -> price (CNY/kg, CNY/kWh or CNY/L), shape
        ``(..., n_years, n_life)`` for calendar years ``year + 0 .. n_life - 1``.
    """
    p = as_params(params)
    years = np.asarray(years, dtype=np.int64)
    n_life = int(p["Segments"]["lifetime_years"].to_numpy(dtype=np.int64).max())
    calendar = years[:, None] + np.arange(n_life)[None, :]
    price_years = p["Prices"]["year"].to_numpy(np.int64)
    paths = {}
    for pt, (_, col) in ENERGY_COLUMNS.items():
        values = p.col("Prices", col)
        if values.ndim > 1:  # drawn
            paths[pt] = calendar_path(price_years.astype(float), values, calendar)
        else:
            path = year_path(pd.Series(values, index=price_years), calendar.ravel())
            paths[pt] = path.reshape(calendar.shape)
    if h2_price_cny_per_kg is not None:
        paths["fcev"] = year_path(pd.Series(h2_price_cny_per_kg, dtype=float),
                                  calendar.ravel()).reshape(calendar.shape)
    return paths


@dataclass
class TcoArrays:
    """TCO of every ``Segments`` row and purchase year, as arrays (:func:`tco_arrays`).

    Leading (draws) axes come first, then the ``Segments`` rows, then purchase years.

    Attributes
    ----------
    components : dict of str to numpy.ndarray
        Each of :data:`COMPONENTS` and ``total``, CNY per vehicle, ``(..., rows, years)``.
    discounted_km : numpy.ndarray
        Discounted distance over life :math:`D A`, km, ``(..., rows, 1)``.
    energy_per_km : numpy.ndarray
        kg, kWh or L per km, ``(..., rows)``.
    """

    components: dict
    discounted_km: np.ndarray
    energy_per_km: np.ndarray

    @property
    def total_cny_per_km(self) -> np.ndarray:
        """Levelised TCO per km (:func:`levelised_cost_per_km`), CNY/km."""
        return self.components["total"] / self.discounted_km


def tco_arrays(params, years, paths: dict, purchase_subsidy_cny, operation_subsidy_cny_per_year) -> TcoArrays:
    """The TCO engine of :func:`tco_from_case` on arrays, with optional draws of inputs.

    Parameters
    ----------
    params : h2model.params.Params or Case
        Reads ``Segments``, ``Finance`` (``discount_rate``, ``price_year``); drawn
        ``Segments`` columns ``(..., rows)`` and ``Finance.discount_rate`` ``(...)``
        add leading axes.
    years : array_like of int
        Purchase years.
    paths : dict
        Energy prices by powertrain (:func:`energy_paths`), ``(..., years, n_life)``.
    purchase_subsidy_cny : array_like, shape (rows, years)
        Purchase subsidies per vehicle, CNY.
    operation_subsidy_cny_per_year : array_like, shape (rows, years, n_life)
        Operating subsidies per vehicle by year of life, CNY/year.

    Returns
    -------
    TcoArrays
        Components, discounted distance and energy use.
    """
    p = as_params(params)
    seg = p["Segments"].reset_index(drop=True)
    years = np.asarray(years, dtype=np.int64)
    r = p.par("Finance", "discount_rate", trailing=0)
    life = seg["lifetime_years"].to_numpy(dtype=np.int64)
    pt = seg["powertrain"].to_numpy(dtype=object)

    def col(name: str) -> np.ndarray:
        return p.col("Segments", name)

    km = col("annual_km")
    use = np.zeros(len(seg))
    for powertrain, (name, _) in ENERGY_COLUMNS.items():
        use = np.where(pt == powertrain, col(name), use)
    use = use / 100
    price_path = np.stack(np.broadcast_arrays(*(paths[p] for p in pt)), axis=-3)  # (..., rows, years, life)
    price = col("purchase_price_cny")[..., None] * (
        1.0 + col("price_change_per_year")[..., None]) ** (years - p.price_year)

    comp = tco_per_vehicle(
        price, km[..., None], use[..., None], price_path, life[:, None], _lead(r, 2),
        maintenance_cny_per_km=col("maintenance_cny_per_km")[..., None],
        insurance_cny_per_year=col("insurance_cny_per_year")[..., None],
        toll_cny_per_km=col("toll_cny_per_km")[..., None],
        replacement_cost_cny=col("replacement_cost_cny")[..., None],
        replacement_year=seg["replacement_year"].to_numpy(dtype=np.int64)[:, None],
        residual_share=col("residual_share")[..., None],
        purchase_subsidy_cny=purchase_subsidy_cny,
        operation_subsidy_cny_per_year=operation_subsidy_cny_per_year,
    )
    dist = km[..., None] * present_value(1.0, _lead(r, 1), life)[..., None]  # discounted km
    return TcoArrays(comp, dist, use)


def vehicle_subsidies(case, years, subsidies: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Purchase and operating subsidies per FCEV of each ``Segments`` row.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Segments``.
    years : array_like of int
        Purchase years.
    subsidies : pandas.DataFrame or None
        As from :func:`h2model.policy.vehicle_subsidy_rates`.

    Returns
    -------
    purchase : numpy.ndarray, shape (rows, years)
        Purchase subsidy (kinds :data:`h2model.policy.TCO_PURCHASE_KINDS`), CNY.
    operation : numpy.ndarray, shape (rows, years, n_life)
        Operating subsidy by year of life, CNY/year (0 for BEV and diesel rows).
    """
    seg = case.tables["Segments"].reset_index(drop=True)
    years = np.asarray(years, dtype=np.int64)
    n_life = int(seg["lifetime_years"].to_numpy(dtype=np.int64).max())
    calendar = years[:, None] + np.arange(n_life)[None, :]
    fcev = seg["powertrain"].to_numpy(dtype=object) == "fcev"
    purchase_sub = np.zeros((len(seg), len(years)))
    if subsidies is not None and not subsidies.empty:
        ps = subsidies[subsidies["kind"].isin(policy.TCO_PURCHASE_KINDS)]
        ps = ps.groupby(["segment", "year"])["cny_per_vehicle"].sum()
        for i in np.flatnonzero(fcev):
            if seg.at[i, "segment"] in ps.index.get_level_values(0):
                purchase_sub[i] = ps.loc[seg.at[i, "segment"]].reindex(years, fill_value=0.0)
    op_sub = _operation_subsidy_paths(subsidies, seg["segment"].to_numpy(object),
                                      seg["annual_km"].to_numpy(float), calendar)
    op_sub[~fcev] = 0.0
    return purchase_sub, op_sub


def parity_pairs(case) -> list[tuple[int, str, int]]:
    """``(fcev row, alternative, alternative row)`` of ``Segments`` compared for parity."""
    seg = case.tables["Segments"].reset_index(drop=True)
    pt = seg["powertrain"].to_numpy(dtype=object)
    key = {(s, p): i for i, (s, p) in enumerate(zip(seg["segment"], pt, strict=True))}
    out = []
    for i in np.flatnonzero(pt == "fcev"):  # a loop over fuel-cell segments and two alternatives
        for alt in ("diesel", "bev"):
            j = key.get((seg.at[i, "segment"], alt))
            if j is not None:
                out.append((int(i), alt, j))
    return out


def tco_arrays_from_case(case, h2_price_cny_per_kg: pd.Series | None = None,
                         subsidies: pd.DataFrame | None = None) -> tuple[TcoArrays, dict]:
    """:func:`tco_arrays` of a case: every ``Segments`` row and analysis year, with the
    case's subsidies (or ``subsidies``) tested against ``h2_price_cny_per_kg``.

    The one wiring of the TCO engine on a case, shared by :func:`tco_from_case` and the
    purchase-choice model (:mod:`h2model.adoption`); parameters as for
    :func:`tco_from_case`.

    Returns
    -------
    arrays : TcoArrays
        Components ``(rows, years)`` (CNY per vehicle) and discounted distance.
    paths : dict
        Energy prices by powertrain (:func:`energy_paths`).
    """
    params = as_params(case)
    years = np.asarray(params.years, dtype=np.int64)
    paths = energy_paths(params, years, h2_price_cny_per_kg)
    if subsidies is None:
        subsidies = policy.vehicle_subsidy_rates_from_case(params.case, h2_price_cny_per_kg)
    purchase_sub, op_sub = vehicle_subsidies(params.case, years, subsidies)
    return tco_arrays(params, years, paths, purchase_sub, op_sub), paths


def tco_from_case(case, h2_price_cny_per_kg: pd.Series | None = None,
                  subsidies: pd.DataFrame | None = None) -> TcoResult:
    """TCO by segment, powertrain and purchase year, and hydrogen price parity.

    Parameters
    ----------
    case : h2model.inputs.case.Case or h2model.params.Params
        Reads ``Segments``, ``Prices``, ``Finance`` (``discount_rate``, ``price_year``)
        and, when ``subsidies`` is not given, ``Policy``.
    h2_price_cny_per_kg : pandas.Series, optional
        Retail hydrogen price by year (CNY/kg), e.g. from station economics; by default
        ``Prices.h2_retail_cny_per_kg``. Years beyond the series hold its last value.
    subsidies : pandas.DataFrame, optional
        Per-vehicle subsidy rates as from :func:`h2model.policy.vehicle_subsidy_rates`;
        by default computed from the case's ``Policy`` sheet. Pass an empty table for a
        TCO without subsidies. Purchase subsidies count the kinds in
        :data:`h2model.policy.TCO_PURCHASE_KINDS`; subsidies apply to FCEVs only.

    Returns
    -------
    TcoResult
        The ``tco`` and ``parity`` tables.

    Notes
    -----
    Purchase prices grow by ``price_change_per_year`` from ``Finance.price_year``:
    :math:`P_y = P_0 (1 + g)^{y - y_0}`. Energy prices follow the year of operation
    (flat after the last year given). Parity is judged per km (levelised), so that
    powertrains with different annual distance or life compare fairly; with equal
    distance and life this is the same as comparing TCO per vehicle. The engine is
    :func:`tco_arrays`, which :mod:`h2model.uncertainty` runs over a draws axis.
    """
    params = as_params(case)
    seg = params["Segments"].reset_index(drop=True)
    years = np.asarray(params.years, dtype=np.int64)
    arr, paths = tco_arrays_from_case(case, h2_price_cny_per_kg, subsidies)
    comp, dist = arr.components, arr.discounted_km
    pt = seg["powertrain"].to_numpy(dtype=object)
    payload = seg["payload_t"].to_numpy(float)[:, None]

    names = list(COMPONENTS) + ["total"]
    values = np.stack([comp[k] for k in names])  # (components, rows, years)
    c_i, r_i, y_i = np.meshgrid(np.arange(len(names)), np.arange(len(seg)),
                                np.arange(len(years)), indexing="ij")
    per_km = values / dist[None]
    tco = pd.DataFrame({
        "segment": seg["segment"].to_numpy(object)[r_i.ravel()],
        "powertrain": pt[r_i.ravel()],
        "purchase_year": years[y_i.ravel()],
        "component": np.asarray(names, dtype=object)[c_i.ravel()],
        "tco_cny_per_vehicle": values.ravel(),
        "tco_cny_per_km": per_km.ravel(),
        "tco_cny_per_tkm": np.where(payload[None] > 0, per_km / np.where(payload > 0, payload, 1.0),
                                    np.nan).ravel(),
    })
    tco = tco.sort_values(["segment", "powertrain", "purchase_year"], kind="stable")
    tco = tco.reset_index(drop=True)
    groups = component_groups_per_km(comp, dist)
    g_names = list(groups)
    g_values = np.stack([np.broadcast_to(groups[k], comp["total"].shape) for k in g_names])
    g_i, gr_i, gy_i = np.meshgrid(np.arange(len(g_names)), np.arange(len(seg)), np.arange(len(years)),
                                  indexing="ij")
    components = pd.DataFrame({
        "segment": seg["segment"].to_numpy(object)[gr_i.ravel()],
        "powertrain": pt[gr_i.ravel()],
        "purchase_year": years[gy_i.ravel()],
        "component": np.asarray(g_names, dtype=object)[g_i.ravel()],
        "tco_cny_per_km": g_values.ravel(),
    }).sort_values(["segment", "powertrain", "purchase_year"], kind="stable").reset_index(drop=True)

    total_km = comp["total"] / dist
    h2_kg_disc = dist * arr.energy_per_km[:, None]
    excl_h2 = comp["total"] - comp["energy"]
    rows = []
    for i, alt, j in parity_pairs(case):
        target = total_km[j] * dist[i]  # alternative's cost over the FCEV's distance
        rows.append(pd.DataFrame({
            "segment": seg.at[i, "segment"], "alternative": alt, "purchase_year": years,
            "h2_price_cny_per_kg": paths["fcev"][:, 0],
            "fcev_tco_cny_per_km": total_km[i], "alternative_tco_cny_per_km": total_km[j],
            "breakeven_h2_cny_per_kg": breakeven_h2_price(excl_h2[i], h2_kg_disc[i], target),
            "at_parity": total_km[i] <= total_km[j],
            "parity_year": parity_year(years, total_km[i], total_km[j]),
        }))
    parity = (pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=[
        "segment", "alternative", "purchase_year", "h2_price_cny_per_kg", "fcev_tco_cny_per_km",
        "alternative_tco_cny_per_km", "breakeven_h2_cny_per_kg", "at_parity", "parity_year"]))
    parity["parity_year"] = parity["parity_year"].astype("Int64")
    return TcoResult(tco, parity, components)
