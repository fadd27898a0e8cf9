"""Sensitivity: Sobol indices, tornado and the break-even frontier.

Variance-based (Sobol) indices with the Saltelli / Jansen estimators on arrays
(:class:`SobolIndices`, :func:`sobol_indices`), the one-at-a-time swings
(:func:`tornado`) and Sobol indices (:func:`sobol_analysis`) of the target-year
network price, and the break-even retail price of a reference station over
utilisation x delivered hydrogen cost x capital subsidy share
(:func:`breakeven_frontier`, :func:`frontier_contour`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .. import station
from ..finance import breakeven_price, ex_vat
from ..fleet import FleetResult, fleet_from_case
from ..inputs.uncertainty import UncertainInput, uncertain_inputs
from ..params import as_params
from ..station.capex import _station_costs
from ..station.pricing import _finance_with
from .engine import _Engine, _meets, _price_target
from .sampling import _ppf_matrix, saltelli_samples

# --- Sobol indices --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SobolIndices:
    """First-order and total Sobol indices with bootstrap confidence half-widths.

    Attributes
    ----------
    first_order, total : numpy.ndarray, shape (K,)
        :math:`S_i` and :math:`S_{T_i}` (fractions of the output variance).
    first_order_conf, total_conf : numpy.ndarray, shape (K,)
        Half-width of the bootstrap confidence interval (``confidence`` level).
    variance : float
        Output variance :math:`V`.
    """

    first_order: np.ndarray
    total: np.ndarray
    first_order_conf: np.ndarray
    total_conf: np.ndarray
    variance: float


def sobol_indices(y_a, y_b, y_ab, *, bootstrap: int = 200, confidence: float = 0.95,
                  seed: int = 0) -> SobolIndices:
    r"""First-order and total Sobol indices from a Saltelli design (vectorised).

    With :math:`f(A)`, :math:`f(B)` and :math:`f(A_B^{(i)})` (matrix :math:`A` with
    its column :math:`i` from :math:`B`) over :math:`N` base samples:

    .. math::

        V = \operatorname{Var}[f(A), f(B)], \qquad
        S_i = \frac{\frac1N \sum_j f(B)_j \big(f(A_B^{(i)})_j - f(A)_j\big)}{V}, \qquad
        S_{T_i} = \frac{\frac1{2N} \sum_j \big(f(A)_j - f(A_B^{(i)})_j\big)^2}{V}

    (Saltelli et al. 2010, table 2 (b); Jansen 1999 for :math:`S_{T_i}`). Confidence
    half-widths are the normal-theory ``confidence`` interval of ``bootstrap``
    resamples of the :math:`N` rows (all resamples at once). Outputs are centred on
    their mean first, which leaves the estimators unbiased and cuts the variance of
    :math:`S_i`.

    Parameters
    ----------
    y_a, y_b : array_like, shape (N,)
        Model output at the rows of :math:`A` and :math:`B`.
    y_ab : array_like, shape (N, K)
        Model output at :math:`A_B^{(i)}`, one column per input.
    bootstrap : int, default 200
        Bootstrap resamples (0: no confidence, NaN).
    confidence : float, default 0.95
        Confidence level of the half-widths.
    seed : int, default 0
        Seed of the bootstrap resampling.

    Returns
    -------
    SobolIndices

    References
    ----------
    .. [1] Saltelli, A. et al. (2010). Computer Physics Communications 181, 259-270.
    .. [2] Jansen, M. J. W. (1999). Computer Physics Communications 117, 35-43.

    Examples
    --------
    A linear model :math:`Y = X_1 + 2 X_2` of independent uniforms has
    :math:`S_1 = S_{T_1} = 0.2` and :math:`S_2 = S_{T_2} = 0.8`:

    >>> a, b = saltelli_samples(4096, 2)
    >>> f = lambda x: x[:, 0] + 2 * x[:, 1]
    >>> ab = np.stack([f(np.where(np.arange(2) == i, b, a)) for i in range(2)], axis=1)
    >>> s = sobol_indices(f(a), f(b), ab, bootstrap=0)
    >>> s.first_order.round(2).tolist(), s.total.round(2).tolist()
    ([0.2, 0.8], [0.2, 0.8])
    """
    # Centred outputs: the estimators are shift-invariant in expectation, and centring
    # cuts the variance of the first-order one (as SALib standardises).
    centre = np.mean(np.concatenate([np.ravel(y_a), np.ravel(y_b)]))
    ya = np.asarray(y_a, dtype=float) - centre
    yb = np.asarray(y_b, dtype=float) - centre
    yab = np.asarray(y_ab, dtype=float) - centre

    def estimate(a, b, ab):
        v = np.var(np.concatenate([a, b], axis=-1), axis=-1)[..., None]
        with np.errstate(divide="ignore", invalid="ignore"):
            s1 = np.mean(b[..., None] * (ab - a[..., None]), axis=-2) / v
            st = 0.5 * np.mean((a[..., None] - ab) ** 2, axis=-2) / v
        return s1, st

    s1, st = estimate(ya, yb, yab)
    k = yab.shape[-1]
    c1 = ct = np.full(k, np.nan)
    if bootstrap > 0:
        idx = np.random.default_rng(seed).integers(0, len(ya), (bootstrap, len(ya)))
        b1, bt = estimate(ya[idx], yb[idx], yab[idx])
        z = stats.norm.ppf(0.5 + confidence / 2)
        c1, ct = z * np.std(b1, axis=0, ddof=1), z * np.std(bt, axis=0, ddof=1)
    v = float(np.var(np.concatenate([ya, yb])))
    return SobolIndices(s1, st, c1, ct, v)


# --- sensitivity of the target-year network price -------------------------------------------------


def _target_engine(case, inputs, fl, built, station_capacity=None, station_supply=None, loads=None,
                   segment_loads=None):
    year, _, _ = _price_target(case)
    return _Engine(case, inputs, [year], fl, built, full=False, station_capacity=station_capacity,
                   station_supply=station_supply, loads=loads, segment_loads=segment_loads)


def _price_of(engine: _Engine, x: np.ndarray) -> np.ndarray:
    return engine.run(x, keys=("network_with",))["network_with"][:, 0]


def tornado(case, inputs: Sequence[UncertainInput] | None = None, *,
            quantiles: tuple[float, float] = (0.05, 0.95), fleet: FleetResult | None = None,
            built: pd.DataFrame | None = None, station_capacity: pd.DataFrame | None = None,
            station_supply: pd.DataFrame | None = None, _engine: _Engine | None = None) -> pd.DataFrame:
    """One-at-a-time swings of the target-year network price (tornado chart data).

    Each input in turn is set to its ``quantiles`` (default the 5th and 95th
    percentiles, so that bounded and unbounded distributions compare alike) with every
    other input at its base; the price is the network's volume-weighted break-even
    retail price with subsidies in the year of the Targets sheet's price target. All
    :math:`2K + 1` points go through the engine as one draws axis.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        A validated case.
    inputs : sequence of UncertainInput, optional
        Default :func:`uncertain_inputs` of the case.
    quantiles : (float, float)
        Low and high probabilities.
    fleet, built, station_capacity, station_supply : optional
        A fleet run, the network plan's built stations, its capacity and main source
        by station and year (default: the nearest-station fleet of the case, no plan).

    Returns
    -------
    pandas.DataFrame
        ``input_id, sheet, key, column, relative, low_value, base_value, high_value``
        (factor or value), ``price_at_low, base_price, price_at_high`` (CNY/kg),
        ``swing`` (:math:`|P_{high} - P_{low}|`, CNY/kg), sorted by swing, largest
        first.
    """
    inputs = uncertain_inputs(case) if inputs is None else list(inputs)
    eng = _engine or _target_engine(case, inputs, fleet or fleet_from_case(case), built,
                                    station_capacity, station_supply)
    k = len(inputs)
    x = np.full((2 * k + 1, k), np.nan)
    lo = np.array([u.ppf(quantiles[0]) for u in inputs], dtype=float).reshape(k)
    hi = np.array([u.ppf(quantiles[1]) for u in inputs], dtype=float).reshape(k)
    x[1 + 2 * np.arange(k), np.arange(k)] = lo
    x[2 + 2 * np.arange(k), np.arange(k)] = hi
    p = _price_of(eng, x)
    df = pd.DataFrame({
        "input_id": [u.input_id for u in inputs],
        "sheet": [u.sheet for u in inputs],
        "key": [u.key for u in inputs],
        "column": [u.column for u in inputs],
        "relative": [u.relative for u in inputs],
        "low_value": lo,
        "base_value": [u.base_value for u in inputs],
        "high_value": hi,
        "price_at_low": p[1::2],
        "base_price": np.full(k, p[0]),
        "price_at_high": p[2::2],
    })
    df["swing"] = (df["price_at_high"] - df["price_at_low"]).abs()
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def sobol_analysis(case, inputs: Sequence[UncertainInput] | None = None, n: int = 1024, seed: int = 0,
                   *, bootstrap: int = 200, fleet: FleetResult | None = None,
                   built: pd.DataFrame | None = None, station_capacity: pd.DataFrame | None = None,
                   station_supply: pd.DataFrame | None = None,
                   _engine: _Engine | None = None) -> pd.DataFrame:
    """Sobol indices of the inputs driving the target-year network price.

    Saltelli design (:func:`saltelli_samples`, ``n`` rounded up to a power of two) with
    the inputs independent, :math:`N(K + 2)` evaluations of the price in one draws
    axis, estimators of :func:`sobol_indices`.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        A validated case.
    inputs : sequence of UncertainInput, optional
        Default :func:`uncertain_inputs` of the case.
    n : int, default 1024
        Base samples :math:`N`.
    seed : int, default 0
        Seed of the sequence scrambling and the bootstrap.
    bootstrap : int, default 200
        Bootstrap resamples for the confidence half-widths.
    fleet, built, station_capacity, station_supply : optional
        As for :func:`tornado`.

    Returns
    -------
    pandas.DataFrame
        ``input_id, S1, S1_conf, ST, ST_conf`` (95 % half-widths), ``base_samples``;
        sorted by ``ST``, largest first.

    References
    ----------
    Saltelli, A. et al. (2010). Computer Physics Communications 181, 259-270.
    """
    inputs = uncertain_inputs(case) if inputs is None else list(inputs)
    k = len(inputs)
    cols = ["input_id", "S1", "S1_conf", "ST", "ST_conf", "base_samples"]
    if k == 0 or n <= 0:
        return pd.DataFrame({c: pd.Series([], dtype=object if c == "input_id" else float) for c in cols})
    eng = _engine or _target_engine(case, inputs, fleet or fleet_from_case(case), built,
                                    station_capacity, station_supply)
    a, b = saltelli_samples(n, k, seed)
    xa, xb = _ppf_matrix(inputs, a), _ppf_matrix(inputs, b)
    nb = len(xa)
    xab = np.repeat(xa[None], k, axis=0)  # (K, N, K)
    xab[np.arange(k), :, np.arange(k)] = xb.T
    y = _price_of(eng, np.concatenate([xa, xb, xab.reshape(k * nb, k)]))
    s = sobol_indices(y[:nb], y[nb:2 * nb], y[2 * nb:].reshape(k, nb).T, bootstrap=bootstrap, seed=seed)
    df = pd.DataFrame({"input_id": [u.input_id for u in inputs], "S1": s.first_order,
                       "S1_conf": s.first_order_conf, "ST": s.total, "ST_conf": s.total_conf,
                       "base_samples": nb})
    return df.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)


# --- break-even frontier --------------------------------------------------------------------------


def breakeven_frontier(case, *, utilisation=None, delivered_cny_per_kg=None,
                       capex_subsidy_share=(0.0, 0.25, 0.5), pressure_mpa: int = 35,
                       year: int | None = None) -> pd.DataFrame:
    r"""Break-even retail price of a reference station over utilisation, delivered
    hydrogen cost and capital subsidy share.

    For each station type with a ``StationCosts`` row at ``pressure_mpa``, a station of
    the row's reference capacity with the cost model of
    :func:`h2model.station.station_costs_from_case` (capex incl. land, O&M, staff,
    land lease, compressor replacement, electricity at the year's price) sells
    :math:`u \times` capacity :math:`\times 365` kg a year at a variable cost of
    ``delivered_cny_per_kg`` plus electricity, and receives a capital grant of
    ``capex_subsidy_share`` :math:`\times` capex at the end of construction (price-year
    CNY); no operating subsidies. The price is the station-year break-even of
    :func:`h2model.station.station_economics` (flat sales, ramp-up off) incl. VAT,
    computed for the whole grid in one :func:`h2model.finance.breakeven_price` call.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``StationCosts, Prices, Finance, Targets``.
    utilisation : array_like, optional
        Sales / capacity (fraction); default 0.1 to 1.0 by 0.05.
    delivered_cny_per_kg : array_like, optional
        Hydrogen delivered to the station (production + purification + delivery),
        CNY/kg; default 10 to 40 by 1.
    capex_subsidy_share : array_like, default (0, 0.25, 0.5)
        Capital grant as a share of capex (fraction).
    pressure_mpa : int, default 35
        Dispensing pressure, MPa.
    year : int, optional
        Year of the electricity price and price target; default the price target's.

    Returns
    -------
    pandas.DataFrame
        ``station_type, pressure_mpa, capacity_kg_per_day, capex_subsidy_share,
        utilisation, delivered_cny_per_kg, breakeven_price_cny_per_kg`` (retail incl.
        VAT, CNY/kg), ``price_target_cny_per_kg``, ``meets_target``.

    Examples
    --------
    >>> from h2model.inputs import load_case, DEFAULT_CASE
    >>> f = breakeven_frontier(load_case(DEFAULT_CASE), utilisation=[0.5, 1.0],
    ...                        delivered_cny_per_kg=[20.0], capex_subsidy_share=[0.0])
    >>> p = f[f["station_type"] == "combined"]["breakeven_price_cny_per_kg"].round(2).tolist()
    >>> p[0] > p[1]
    True
    """
    u = (np.round(np.arange(0.1, 1.0 + 1e-9, 0.05), 2) if utilisation is None
         else np.asarray(utilisation, dtype=float))
    c = (np.arange(10.0, 40.0 + 1e-9, 1.0) if delivered_cny_per_kg is None
         else np.asarray(delivered_cny_per_kg, dtype=float))
    share = np.asarray(capex_subsidy_share, dtype=float)
    t_year, t_value, t_cmp = _price_target(case)
    year = t_year if year is None else int(year)
    sc = case["StationCosts"]
    sc = sc[sc["pressure_mpa"].astype(int) == int(pressure_mpa)].reset_index(drop=True)
    ref = pd.DataFrame({"station_id": sc["station_type"].astype(object), "station_type": sc["station_type"],
                        "pressure_mpa": int(pressure_mpa),
                        "capacity_kg_per_day": sc["reference_capacity_kg_per_day"].to_numpy(float)})
    params = as_params(case)
    costs = _station_costs(params, ref)
    fin_case = _finance_with(params)
    fin = dataclasses.replace(fin_case, ramp_up_years=0, ramp_start_share=1.0)
    L = fin.station_life_years
    rep = station.replacement_shares(costs["compressor_replacement_share"],
                                     costs["compressor_life_years"].astype(float), L)
    tariff = params.by_year("electricity_cny_per_kwh", [year])[0]
    elec = costs["electricity_kwh_per_kg"] * ex_vat(tariff, case.finance["electricity_vat_rate"])
    cap = ref["capacity_kg_per_day"].to_numpy(float)
    # Grid axes: (type, subsidy share, utilisation, delivered cost).
    tt = (slice(None), None, None, None)
    K = costs["capex_cny"][tt]
    price = breakeven_price(
        costs["capex_excl_land_cny"][tt], (costs["fixed_om_cny_per_year"] + costs["staff_cny_per_year"])[tt],
        c[None, None, None, :] + elec[tt], (u[None, None, :, None] * cap[tt]) * station.DAYS_PER_YEAR, fin,
        land_lease_cny_per_year=costs["land_lease_cny_per_year"][tt], land_cny=costs["land_cny"][tt],
        replacement_share=rep[:, None, None, None, :],
        capital_subsidy_cny=share[None, :, None, None] * K,
    ) * (1.0 + float(fin.vat_rate))
    shape = price.shape
    ti, si, ui, ci = (ix.ravel() for ix in np.indices(shape))
    return pd.DataFrame({
        "station_type": ref["station_type"].to_numpy(object)[ti],
        "pressure_mpa": int(pressure_mpa),
        "capacity_kg_per_day": cap[ti],
        "capex_subsidy_share": share[si],
        "utilisation": u[ui],
        "delivered_cny_per_kg": c[ci],
        "breakeven_price_cny_per_kg": price.ravel(),
        "price_target_cny_per_kg": t_value,
        "meets_target": _meets(case, price.ravel(), t_year, t_value, t_cmp),
    })


def frontier_contour(frontier: pd.DataFrame) -> pd.DataFrame:
    """Highest delivered hydrogen cost at which the target price is met, per grid line.

    The break-even price is affine in the variable cost (the finance engine's
    :math:`P^* = \\mathcal{B}/\\mathcal{A}` with :math:`\\mathcal{B}` linear in it), so
    two grid points give the exact crossing.

    Parameters
    ----------
    frontier : pandas.DataFrame
        From :func:`breakeven_frontier` (at least two delivered costs).

    Returns
    -------
    pandas.DataFrame
        ``station_type, capex_subsidy_share, utilisation, price_target_cny_per_kg,
        max_delivered_cny_per_kg`` (CNY/kg; may lie outside the grid, negative when even
        free hydrogen misses the target).
    """
    keys = ["station_type", "capex_subsidy_share", "utilisation"]
    g = frontier.sort_values(keys + ["delivered_cny_per_kg"], kind="stable").groupby(keys, sort=False)
    first, last = g.first(), g.last()
    c0, c1 = first["delivered_cny_per_kg"], last["delivered_cny_per_kg"]
    p0, p1 = first["breakeven_price_cny_per_kg"], last["breakeven_price_cny_per_kg"]
    target = first["price_target_cny_per_kg"]
    slope = (p1 - p0) / (c1 - c0)
    out = pd.DataFrame({"price_target_cny_per_kg": target,
                        "max_delivered_cny_per_kg": c0 + (target - p0) / slope}).reset_index()
    return out
