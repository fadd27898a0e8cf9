"""Purchase choice: a fleet that responds to cost (``Adoption.mode = responsive``).

Each year, the new vehicles of a segment in a district (``Markets`` sheet) are bought as
follows:

1. the **mandated** share (``mandated_fcev_share``: public procurement such as city
   buses and sanitation fleets) is bought as FCEVs;
2. the rest is split among FCEV, BEV and diesel by a **multinomial logit** on their
   levelised TCO per km of that purchase year (:func:`h2model.tco.tco_arrays_from_case`,
   with the scenario's subsidies and the hydrogen price path):

   .. math::

       s_i = \\frac{n_i\\, e^{-\\beta c_i / c_\\mathrm{ref}}}
                  {\\sum_j n_j\\, e^{-\\beta c_j / c_\\mathrm{ref}}}

   where :math:`c_i` is powertrain :math:`i`'s TCO per km (CNY/km),
   :math:`c_\\mathrm{ref}` the diesel TCO per km of the segment and year (the
   incumbent, so the reference does not move with FCEV subsidies or the hydrogen
   price), :math:`\\beta` the cost sensitivity (``Adoption.cost_sensitivity``) and
   :math:`n_i` the neutral shares (``Adoption.neutral_share_*``): the alternative
   specific constants :math:`\\ln n_i` make the shares equal :math:`n_i` when the
   three TCOs are equal. They stand for what the TCO leaves out (range, refuelling
   convenience, technology risk, resale uncertainty).

FCEV purchases from ``Adoption.first_model_year`` on replace the ``Fleet`` sheet's;
earlier purchases are the sheet's (history). Purchases accumulate into vehicles in
service with the segment's FCEV lifetime (:func:`stock_from_purchases`), which becomes
the case's ``Fleet`` sheet (:func:`adopt`), so every engine after it (demand, station
loads, budget, CO2) follows the responsive fleet.

More FCEVs raise station utilisation, which lowers the network price, which lowers the
FCEV TCO: :func:`fixed_point` iterates fleet -> price -> fleet until no year's FCEVs in
service move by more than ``Adoption.tolerance`` (a share), or stops after
``Adoption.max_iterations`` and says so.

>>> s = logit_shares([[2.0, 2.0, 2.0]], [2.0], [0.1, 0.4, 0.5], 8.0)
>>> np.round(s, 6).tolist()
[[0.1, 0.4, 0.5]]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import tco
from .fleet import interpolate_stock, stock_flows
from .inputs.schema import FLEET_MODES

#: Powertrains the purchase choice splits among, in the order of the last array axis.
POWERTRAINS = ("fcev", "bev", "diesel")

#: Results table of the purchase choice (responsive mode).
TABLE = "adoption"
#: Results table of the fixed-point iterations (responsive mode).
ITERATIONS_TABLE = "adoption_iterations"


@dataclass(frozen=True)
class AdoptionSettings:
    """The ``Adoption`` sheet (see :data:`h2model.inputs.schema.ADOPTION`).

    Attributes
    ----------
    mode : str
        ``fixed`` or ``responsive``.
    cost_sensitivity : float
        :math:`\\beta` (-).
    neutral_shares : tuple of float
        :math:`n_i` of :data:`POWERTRAINS` (fractions summing to 1).
    first_model_year : int
        First purchase year the model decides.
    tolerance : float
        Largest relative change of any year's FCEVs in service at convergence (fraction).
    max_iterations : int
        Most fixed-point iterations.
    """

    mode: str = FLEET_MODES[0]
    cost_sensitivity: float = 0.0
    neutral_shares: tuple = (1 / 3, 1 / 3, 1 / 3)
    first_model_year: int = 0
    tolerance: float = 0.005
    max_iterations: int = 10

    @classmethod
    def from_case(cls, case) -> AdoptionSettings:
        """Settings of a case; ``fixed`` when it has no ``Adoption`` sheet."""
        a = case.params.get("Adoption", {})
        if not a:
            return cls()
        shares = tuple(float(a[f"neutral_share_{p}"]) for p in POWERTRAINS)
        if not np.isclose(sum(shares), 1.0, atol=1e-6):
            raise ValueError(f"Adoption neutral shares must sum to 1, not {sum(shares):g}")
        return cls(str(a["mode"]), float(a["cost_sensitivity"]), shares, int(a["first_model_year"]),
                   float(a["tolerance"]), int(a["max_iterations"]))


def is_responsive(case) -> bool:
    """Whether the case's FCEV fleet comes from the purchase-choice model."""
    return AdoptionSettings.from_case(case).mode == FLEET_MODES[1]


# --- the choice core ---------------------------------------------------------------------


def logit_shares(cost_cny_per_km, reference_cny_per_km, neutral_shares, cost_sensitivity) -> np.ndarray:
    """Purchase shares of the alternatives by the multinomial logit of the module docstring.

    Parameters
    ----------
    cost_cny_per_km : array_like
        Levelised TCO per km of each alternative on the last axis, ``(..., n_alt)``
        (CNY/km); NaN marks an alternative not on offer (share 0).
    reference_cny_per_km : array_like
        :math:`c_\\mathrm{ref}`, broadcasting against ``cost[..., 0]`` (CNY/km, > 0).
    neutral_shares : array_like
        :math:`n_i`, ``(n_alt,)`` or broadcasting against the costs (fractions); a zero
        share takes the alternative out.
    cost_sensitivity : array_like
        :math:`\\beta`, broadcasting against ``cost[..., 0]`` (-).

    Returns
    -------
    numpy.ndarray
        Shares, same shape as the costs, summing to 1 along the last axis (0 where no
        alternative is on offer).

    Examples
    --------
    Equal neutral shares, FCEV 10 % dearer than diesel, beta 10: its odds against diesel
    fall by exp(-1).

    >>> s = logit_shares([1.1, 1.0, 1.0], 1.0, [1/3, 1/3, 1/3], 10.0)
    >>> round(float(s[0] / s[2]), 6) == round(float(np.exp(-1.0)), 6)
    True
    """
    c = np.asarray(cost_cny_per_km, dtype=float)
    ref = np.asarray(reference_cny_per_km, dtype=float)[..., None]
    beta = np.asarray(cost_sensitivity, dtype=float)[..., None]
    n = np.broadcast_to(np.asarray(neutral_shares, dtype=float), c.shape)
    offered = np.isfinite(c) & (n > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(offered, np.log(np.where(offered, n, 1.0)) - beta * c / ref, -np.inf)
    top = np.max(u, axis=-1, keepdims=True)
    e = np.where(offered, np.exp(u - np.where(np.isfinite(top), top, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def split_purchases(new_vehicles, mandated_fcev_share, shares) -> np.ndarray:
    """Purchases by powertrain: the mandated FCEVs first, the logit splits the rest.

    Parameters
    ----------
    new_vehicles : array_like
        New vehicles bought, ``(...)`` (vehicles/year).
    mandated_fcev_share : array_like
        Share bought as FCEVs by mandate, ``(...)`` (fraction).
    shares : array_like
        :func:`logit_shares`, ``(..., n_alt)`` with FCEV first.

    Returns
    -------
    numpy.ndarray
        Purchases ``(..., n_alt)`` (vehicles/year), summing to ``new_vehicles``.

    Examples
    --------
    >>> split_purchases(100.0, 0.3, [0.1, 0.4, 0.5]).tolist()
    [37.0, 28.0, 35.0]
    """
    new = np.asarray(new_vehicles, dtype=float)
    m = np.asarray(mandated_fcev_share, dtype=float)
    out = (new * (1.0 - m))[..., None] * np.asarray(shares, dtype=float)
    out[..., 0] += new * m
    return out


def whole_purchases(purchases) -> np.ndarray:
    """Whole vehicles per year whose running total is the rounded running total of
    ``purchases`` (last axis: years), so nothing is lost to rounding over the years.

    >>> whole_purchases([0.4, 0.4, 0.4, 0.4]).tolist()
    [0, 1, 0, 1]
    """
    c = np.rint(np.cumsum(np.asarray(purchases, dtype=float), axis=-1)).astype(np.int64)
    return np.diff(c, axis=-1, prepend=0)


def stock_from_purchases(purchases, lifetime_years) -> np.ndarray:
    """Vehicles in service at the end of each year from purchases by year.

    A vehicle bought in year :math:`v` serves years :math:`v` to :math:`v + L - 1`:
    :math:`S_t = \\sum_{t - L < v \\le t} P_v`. :func:`h2model.fleet.stock_flows` of
    this stock gives the purchases back.

    Parameters
    ----------
    purchases : array_like
        ``(..., n_years)`` over consecutive years (vehicles).
    lifetime_years : array_like of int
        ``(...)`` (years, at least 1).

    Returns
    -------
    numpy.ndarray
        ``(..., n_years)`` (vehicles).

    >>> stock_from_purchases([5, 0, 0, 5, 2], 3).tolist()
    [5, 5, 5, 5, 7]
    """
    p = np.asarray(purchases)
    c = np.concatenate([np.zeros(p.shape[:-1] + (1,), dtype=p.dtype), np.cumsum(p, axis=-1)], axis=-1)
    t = np.arange(1, p.shape[-1] + 1)
    life = np.asarray(lifetime_years)[..., None]
    start = np.maximum(t - life, 0)
    return c[..., 1:] - np.take_along_axis(c, np.broadcast_to(start, p.shape), axis=-1)


# --- from the case -----------------------------------------------------------------------


def tco_by_powertrain(case, h2_price_cny_per_kg: pd.Series | None = None,
                      subsidies: pd.DataFrame | None = None) -> tuple[list[str], np.ndarray]:
    """Levelised TCO per km of every segment's FCEV, BEV and diesel by purchase year.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads what :func:`h2model.tco.tco_from_case` reads.
    h2_price_cny_per_kg, subsidies
        As for :func:`h2model.tco.tco_from_case`.

    Returns
    -------
    segments : list of str
        Segments (sorted).
    cost : numpy.ndarray
        ``(segments, years, 3)`` over :data:`POWERTRAINS` (CNY/km), NaN where the
        ``Segments`` sheet has no row for a powertrain.
    """
    arr, _ = tco.tco_arrays_from_case(case, h2_price_cny_per_kg, subsidies)
    per_km = arr.total_cny_per_km  # (rows, years)
    seg = case.tables["Segments"].reset_index(drop=True)
    names = sorted(set(seg["segment"].astype(object)))
    out = np.full((len(names), per_km.shape[-1], len(POWERTRAINS)), np.nan)
    s_i = pd.Index(names).get_indexer(seg["segment"].astype(object))
    p_i = pd.Index(POWERTRAINS).get_indexer(seg["powertrain"].astype(object))
    keep = p_i >= 0
    out[s_i[keep], :, p_i[keep]] = per_km[keep]
    return names, out


def _markets(case, years) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """``Markets`` on the analysis years: keys (district, segment), new vehicles and
    mandated shares ``(groups, years)``."""
    m = case.tables.get("Markets")
    if m is None or not len(m):
        raise ValueError("Adoption.mode is responsive but the case has no Markets rows")
    keys, new = interpolate_stock(m, years, "new_vehicles_per_year", whole=False)
    keys2, mand = interpolate_stock(m, years, "mandated_fcev_share", whole=False)
    assert keys.equals(keys2)
    return keys, new, mand


@dataclass
class Adoption:
    """The purchase choice on a case (:func:`adopt`).

    Attributes
    ----------
    case : h2model.inputs.case.Case
        The case with its ``Fleet`` sheet replaced by the responsive fleet.
    fleet_sheet : pandas.DataFrame
        That ``Fleet`` sheet: ``year, district, segment, fcev_in_service, source_key``.
    purchases : pandas.DataFrame
        ``year, district, segment, new_vehicles, mandated_fcev, fcev, bev, diesel,
        fcev_share, fcev_tco_cny_per_km, bev_tco_cny_per_km, diesel_tco_cny_per_km,
        modelled``: the Markets purchases by powertrain (vehicles/year, fractional), the
        FCEV share of all of them, and the TCO per km they were chosen on; ``modelled``
        is False before ``first_model_year`` (the Fleet sheet's purchases are used).
    """

    case: object
    fleet_sheet: pd.DataFrame
    purchases: pd.DataFrame


def adopt(case, h2_price_cny_per_kg: pd.Series | None = None,
          subsidies: pd.DataFrame | None = None) -> Adoption:
    """FCEVs in service when operators choose by cost at the hydrogen price path.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Adoption``, ``Markets``, ``Fleet`` (purchases before
        ``first_model_year``), ``Segments`` and what the TCO reads.
    h2_price_cny_per_kg : pandas.Series, optional
        Retail hydrogen price by year (CNY/kg); default ``Prices.h2_retail_cny_per_kg``.
    subsidies : pandas.DataFrame, optional
        Per-vehicle subsidy rates; default the case's Policy sheet
        (:func:`h2model.tco.tco_from_case`).

    Returns
    -------
    Adoption
        The case with the responsive ``Fleet`` sheet, and the purchases table.
    """
    s = AdoptionSettings.from_case(case)
    years = np.asarray(case.years, dtype=np.int64)
    keys, new, mand = _markets(case, years)
    names, cost = tco_by_powertrain(case, h2_price_cny_per_kg, subsidies)
    s_i = pd.Index(names).get_indexer(keys["segment"])
    c = cost[s_i]  # (groups, years, 3)
    shares = logit_shares(c, c[..., 2], s.neutral_shares, s.cost_sensitivity)
    bought = split_purchases(new, mand, shares)  # (groups, years, 3)

    # history: the Fleet sheet's purchases before first_model_year, on the union of groups
    hist_keys, hist_stock = interpolate_stock(case.tables["Fleet"], years)
    groups = pd.concat([hist_keys, keys]).drop_duplicates().sort_values(["district", "segment"])
    groups = groups.reset_index(drop=True)
    fcev = case.tables["Segments"].query("powertrain == 'fcev'").set_index("segment")["lifetime_years"]
    missing = sorted(set(groups["segment"]) - set(fcev.index))
    if missing:
        raise ValueError(f"Segments has no fcev row for segments {missing} used in Markets")
    life = fcev.reindex(groups["segment"]).to_numpy(dtype=np.int64)
    gi = pd.MultiIndex.from_frame(groups)
    modelled = years >= s.first_model_year
    p = np.zeros((len(groups), len(years)))
    h = gi.get_indexer(pd.MultiIndex.from_frame(hist_keys))
    if len(h):
        p[h] = np.where(modelled, 0.0, stock_flows(hist_stock, life[h]).purchased)
    k = gi.get_indexer(pd.MultiIndex.from_frame(keys))
    p[k] += np.where(modelled, bought[..., 0], 0.0)
    stock = stock_from_purchases(whole_purchases(p), life)

    gg, yy = np.meshgrid(np.arange(len(groups)), np.arange(len(years)), indexing="ij")
    sheet = pd.DataFrame({
        "year": years[yy.ravel()], "district": groups["district"].to_numpy(object)[gg.ravel()],
        "segment": groups["segment"].to_numpy(object)[gg.ravel()],
        "fcev_in_service": stock.ravel().astype(np.int64),
        "source_key": np.where(modelled[yy.ravel()], "asm_adoption", "asm_fleet").astype(object),
    })
    kk, ky = np.meshgrid(np.arange(len(keys)), np.arange(len(years)), indexing="ij")
    table = pd.DataFrame({
        "year": years[ky.ravel()], "district": keys["district"].to_numpy(object)[kk.ravel()],
        "segment": keys["segment"].to_numpy(object)[kk.ravel()], "new_vehicles": new.ravel(),
        "mandated_fcev": (new * mand).ravel(),
        **{pt: bought[..., i].ravel() for i, pt in enumerate(POWERTRAINS)},
        "fcev_share": np.divide(bought[..., 0], new, out=np.zeros_like(new), where=new > 0).ravel(),
        **{f"{pt}_tco_cny_per_km": c[..., i].ravel() for i, pt in enumerate(POWERTRAINS)},
        "modelled": modelled[ky.ravel()],
    })
    out_case = dataclasses.replace(case, tables={**case.tables, "Fleet": sheet})
    return Adoption(out_case, sheet, table)


def fcev_in_service_by_year(fleet_table: pd.DataFrame) -> pd.Series:
    """FCEVs in service by year, all districts and segments (vehicles)."""
    return fleet_table.groupby("year")["fcev_in_service"].sum().astype(float)


def relative_change(new: pd.Series, old: pd.Series) -> float:
    """Largest change of any year's count between two iterations, as a share of the
    earlier count (of 1 vehicle when it was 0).

    >>> relative_change(pd.Series([101.0, 0.0]), pd.Series([100.0, 0.0]))
    0.01
    """
    o = old.reindex(new.index, fill_value=0.0).to_numpy(float)
    return float(np.max(np.abs(new.to_numpy(float) - o) / np.maximum(o, 1.0), initial=0.0))


@dataclass
class FixedPoint:
    """Where :func:`fixed_point` stopped.

    Attributes
    ----------
    adoption : Adoption
        The last purchase choice (its case carries the responsive Fleet sheet).
    fleet : object
        The fleet built on it (``build_fleet``'s result).
    economics : object
        Station economics on that fleet (``economics``'s first result).
    price_path : pandas.Series
        The network price path of that fleet (CNY/kg by year).
    iterations : pandas.DataFrame
        One row per pass: ``iteration, fcev_vehicle_years`` (FCEVs in service summed over
        the horizon's years), ``report_year``, ``fcev_in_service_report_year`` and
        ``h2_price_report_year_cny_per_kg`` (network price of that year, CNY/kg), and
        ``relative_change`` (:func:`relative_change` from the pass before).
    converged : bool
        Whether the last change was within the tolerance.
    note : str
        One sentence for the run's notes.
    """

    adoption: Adoption
    fleet: object
    economics: object
    price_path: pd.Series
    iterations: pd.DataFrame
    converged: bool
    note: str


def fixed_point(case, build_fleet: Callable, economics: Callable, *, first: tuple | None = None,
                report_year: int = 2025) -> FixedPoint:
    """Iterate fleet -> station economics -> price -> TCO -> fleet to a fixed point.

    Pass :math:`k` chooses purchases at the price path of pass :math:`k - 1` (the first
    at ``Prices.h2_retail_cny_per_kg``), builds the fleet, its station economics and
    network price path. It stops when no year's FCEVs in service changed by more than
    ``Adoption.tolerance`` (a share) from the pass before, or after
    ``Adoption.max_iterations`` passes (not converged).

    Parameters
    ----------
    case : h2model.inputs.case.Case
        The case (``Adoption.mode`` responsive).
    build_fleet : callable
        ``build_fleet(case) -> fleet`` with a ``fleet`` table (``year,
        fcev_in_service``) and the station loads (e.g. :func:`h2model.fleet.fleet_from_case`
        on the network plan's assignment, the plan fixed after the first pass).
    economics : callable
        ``economics(fleet) -> (station economics, price path)``.
    first : tuple, optional
        ``(adoption, fleet, economics, price_path)`` of a first pass done by the caller
        (e.g. before planning the network on it).
    report_year : int, optional
        Year whose FCEVs in service each row of the iterations table shows.

    Returns
    -------
    FixedPoint
    """
    s = AdoptionSettings.from_case(case)
    rows = []
    if first is None:
        ad = adopt(case)
        fl = build_fleet(ad.case)
        econ, price = economics(fl)
    else:
        ad, fl, econ, price = first
    count = fcev_in_service_by_year(fl.fleet)
    rows.append(_row(1, count, np.nan, price, report_year))
    change, k = np.inf, 1
    while k < s.max_iterations:
        k += 1
        ad = adopt(case, price)
        fl = build_fleet(ad.case)
        econ, price = economics(fl)
        new = fcev_in_service_by_year(fl.fleet)
        change = relative_change(new, count)
        count = new
        rows.append(_row(k, count, change, price, report_year))
        if change <= s.tolerance:
            break
    converged = bool(change <= s.tolerance)
    if converged:
        note = (f"Responsive fleet: price and fleet fixed point reached in {k} passes (largest change of a"
                f" year's FCEVs in service {change:.2%} <= tolerance {s.tolerance:.2%}).")
    elif s.max_iterations == 1:
        note = "Responsive fleet: one pass (Adoption.max_iterations = 1): the fleet is not re-chosen at the" \
               " network price it leads to."
    else:
        note = (f"Responsive fleet: NOT converged after {k} passes (largest change of a year's FCEVs in"
                f" service {change:.2%} > tolerance {s.tolerance:.2%}); the results are the last pass's:"
                " the fleet was chosen at the price of the pass before, not at its own.")
    return FixedPoint(ad, fl, econ, price, pd.DataFrame(rows), converged, note)


def _row(k, count, change, price, year) -> dict:
    return {"iteration": k, "fcev_vehicle_years": float(count.sum()), "report_year": int(year),
            "fcev_in_service_report_year": float(count.get(year, np.nan)),
            "h2_price_report_year_cny_per_kg": float(price.get(year, np.nan)), "relative_change": change}
