"""Monte Carlo: every input drawn at once, summarised in tidy tables.

:func:`monte_carlo` draws the inputs, runs the engine on the draws axis and returns a
:class:`MonteCarloResult` whose tables give the :data:`PERCENTILES` and mean
(:data:`STAT_COLUMNS`) of the network and station prices, TCO parity, the budget and
the probability of meeting the price target, with the tornado, Sobol and frontier
tables of :mod:`h2model.uncertainty.sensitivity`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import station
from ..fleet import FleetResult, fleet_from_case
from ..inputs.uncertainty import UncertainInput, check_read, uncertain_inputs
from ..prices import NETWORK_PRICE, network_price_path, nominal
from ..targets import meets
from .engine import _Engine, _meets, _price_target
from .sampling import _ppf_matrix, _uniforms
from .sensitivity import _target_engine, breakeven_frontier, frontier_contour, sobol_analysis, tornado

#: Percentiles reported for every uncertain result (with the mean).
PERCENTILES = (5, 25, 50, 75, 95)
#: Statistic columns of the uncertainty tables.
STAT_COLUMNS = tuple(f"p{p}" for p in PERCENTILES) + ("mean",)


# --- statistics ------------------------------------------------------------------------------


def _stats(x: np.ndarray) -> dict[str, np.ndarray]:
    """Percentiles and mean over the draws axis (first), ignoring NaN and inf; NaN where
    no draw is finite."""
    x = np.where(np.isfinite(x), x, np.nan)
    flat = x.reshape(x.shape[0], -1)
    ok = ~np.all(np.isnan(flat), axis=0)
    out = {c: np.full(flat.shape[1], np.nan) for c in STAT_COLUMNS}
    if ok.any():
        sub = flat[:, ok]
        q = np.nanpercentile(sub, PERCENTILES, axis=0)
        for i, p in enumerate(PERCENTILES):
            out[f"p{p}"][ok] = q[i]
        out["mean"][ok] = np.nanmean(sub, axis=0)
    return {k: v.reshape(x.shape[1:]) for k, v in out.items()}


# --- Monte Carlo ------------------------------------------------------------------------------------


@dataclasses.dataclass
class MonteCarloResult:
    """Monte Carlo draws and their summaries (:func:`monte_carlo`).

    Attributes
    ----------
    n, seed : int
        Draws and seed.
    inputs : list of UncertainInput
        The resolved Uncertainty rows, in the column order of ``draws``.
    draws : numpy.ndarray, shape (n, K)
        Drawn factors or values of each input.
    years : numpy.ndarray of int
        Years simulated.
    network_price_draws : numpy.ndarray, shape (n, n_years)
        Network price with subsidies (:func:`h2model.station.network_price`: every
        operating station's annualised cost over the year's sales), real CNY/kg.
    summary : pandas.DataFrame
        ``uncertainty_summary``, one row at the price target's year: ``year,
        price_target_cny_per_kg, comparator, draws, seed, inputs,
        prob_meets_target`` (share of draws whose network price meets the target),
        ``p5 .. p95, mean`` and ``base_cny_per_kg`` (every input at its base), CNY/kg
        in nominal CNY of the target year like the target (``basis``).
    network_price : pandas.DataFrame
        ``uncertainty_network_price``: ``year, quantity``
        (``network_price_with_subsidy_cny_per_kg`` or ``network_price_cny_per_kg``),
        ``p5 .. p95, mean, base`` (real CNY/kg of the price year),
        ``price_target_cny_per_kg, prob_meets_target`` (the price in nominal CNY of
        the row's year against the nominal target).
    station_price : pandas.DataFrame
        ``uncertainty_station_price``: ``year, station_id, station_type, quantity``
        (``breakeven_price_with_subsidy_cny_per_kg``, ``breakeven_price_cny_per_kg``
        in CNY/kg, or ``kg_sold_per_year``), ``p5 .. p95, mean, base,
        prob_meets_target`` (NaN for sales); station-years that sell only.
    parity : pandas.DataFrame
        ``uncertainty_parity``: ``segment, alternative`` (``diesel``, ``bev``),
        ``purchase_year, prob_parity`` (share of draws with FCEV TCO per km at most
        the alternative's), ``base_at_parity``, ``fcev_tco_cny_per_km_p5/p50/p95``
        (CNY/km) and ``breakeven_h2_cny_per_kg_p5 .. _mean`` (hydrogen price of
        parity, CNY/kg).
    budget : pandas.DataFrame
        ``uncertainty_budget``: ``year, group`` (``station`` capital grants,
        ``hydrogen`` per-kg subsidies, ``vehicle``, ``all``),
        ``outlay_cny_p5 .. _mean, outlay_cny_base`` (nominal CNY).
    input_table : pandas.DataFrame
        ``uncertainty_inputs``: the resolved rows with ``rows_matched`` and the
        drawn values' ``draw_p5 .. draw_mean``.
    tornado, sobol : pandas.DataFrame
        See :func:`tornado` and :func:`sobol_analysis`.
    frontier, frontier_contour : pandas.DataFrame
        See :func:`breakeven_frontier` and :func:`frontier_contour` (empty if not
        asked for).
    """

    n: int
    seed: int
    inputs: list
    draws: np.ndarray
    years: np.ndarray
    network_price_draws: np.ndarray
    network_price: pd.DataFrame
    station_price: pd.DataFrame
    parity: pd.DataFrame
    budget: pd.DataFrame
    summary: pd.DataFrame
    input_table: pd.DataFrame
    tornado: pd.DataFrame
    sobol: pd.DataFrame
    frontier: pd.DataFrame
    frontier_contour: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Result tables by name (the name is the table's file name)."""
        return {
            "uncertainty_summary": self.summary,
            "uncertainty_network_price": self.network_price,
            "uncertainty_station_price": self.station_price,
            "uncertainty_parity": self.parity,
            "uncertainty_budget": self.budget,
            "uncertainty_inputs": self.input_table,
            "tornado": self.tornado,
            "sobol": self.sobol,
            "frontier": self.frontier,
            "frontier_contour": self.frontier_contour,
        }


def _network_table(case, res, base, yrs, t_value: float, t_cmp: str) -> pd.DataFrame:
    """``uncertainty_network_price``: network prices with and without subsidies by year."""
    rows = []
    for name, q in ((NETWORK_PRICE, "network_with"), ("network_price_cny_per_kg", "network_without")):
        st = _stats(res[q])
        prob = _meets(case, res[q], yrs, t_value, t_cmp).mean(axis=0)
        rows.append(pd.DataFrame({"year": yrs, "quantity": name, **st, "base": base[q][0],
                                  "price_target_cny_per_kg": t_value, "prob_meets_target": prob}))
    return pd.concat(rows, ignore_index=True)


def _station_table(case, sy, res, base, t_value: float, t_cmp: str) -> pd.DataFrame:
    """``uncertainty_station_price``: station prices and sales by station-year (rows that
    sell in some draw)."""
    yrs = sy.years
    si, yi = sy.station_index, sy.year_index
    sells = (res["kg"] > 0).any(axis=0)
    st_rows = []
    for name, q in (("breakeven_price_with_subsidy_cny_per_kg", "station_with"),
                    ("breakeven_price_cny_per_kg", "station_without"), ("kg_sold_per_year", "kg")):
        st = _stats(res[q][:, sells])
        prob = _meets(case, res[q][:, sells], yrs[yi[sells]], t_value, t_cmp).mean(axis=0) if q != "kg" \
            else np.nan
        st_rows.append(pd.DataFrame({
            "year": yrs[yi[sells]], "station_id": sy.stations["station_id"].to_numpy(object)[si[sells]],
            "station_type": sy.stations["station_type"].to_numpy(object)[si[sells]],
            "quantity": name, **st, "base": base[q][0][sells], "prob_meets_target": prob}))
    return pd.concat(st_rows, ignore_index=True).sort_values(
        ["quantity", "year", "station_id"], kind="stable").reset_index(drop=True)


def _parity_table(case, eng: _Engine, res, base) -> pd.DataFrame:
    """``uncertainty_parity``: TCO parity by segment, alternative and purchase year."""
    if "fcev_km" not in res:
        return pd.DataFrame(columns=["segment", "alternative", "purchase_year", "prob_parity"])
    seg = case["Segments"]
    pi, ti = np.indices(res["fcev_km"].shape[1:])
    pi, ti = pi.ravel(), ti.ravel()
    at = res["fcev_km"] <= res["alternative_km"]
    be = _stats(res["breakeven_h2"])
    fc = _stats(res["fcev_km"])
    return pd.DataFrame({
        "segment": [seg.at[eng.pairs[p][0], "segment"] for p in pi],
        "alternative": [eng.pairs[p][1] for p in pi],
        "purchase_year": eng.tco_years[ti],
        "prob_parity": at.mean(axis=0).ravel(),
        "base_at_parity": (base["fcev_km"][0] <= base["alternative_km"][0]).ravel(),
        **{f"fcev_tco_cny_per_km_{c}": fc[c].ravel() for c in ("p5", "p50", "p95")},
        **{f"breakeven_h2_cny_per_kg_{c}": be[c].ravel() for c in STAT_COLUMNS},
    })


def _budget_table(res, base, yrs) -> pd.DataFrame:
    """``uncertainty_budget``: outlays by year and group (station, hydrogen, vehicle, all)."""
    groups = ("station", "hydrogen", "vehicle")
    b_all = np.concatenate([res["budget"], res["budget"].sum(axis=-1, keepdims=True)], axis=-1)
    b_base = np.concatenate([base["budget"], base["budget"].sum(axis=-1, keepdims=True)], axis=-1)[0]
    bst = _stats(b_all)
    yy, gg = np.indices(bst["mean"].shape)
    names = np.asarray(groups + ("all",), dtype=object)
    budget = pd.DataFrame({"year": yrs[yy.ravel()], "group": names[gg.ravel()],
                           **{c: bst[c].ravel() for c in STAT_COLUMNS}, "base": b_base.ravel()})
    return budget.rename(columns={c: f"outlay_cny_{c}" for c in STAT_COLUMNS + ("base",)})


def _summary_table(case, res, base, yrs, n: int, seed: int, k: int) -> pd.DataFrame:
    """``uncertainty_summary``: the network price at the price target's year, nominal."""
    t_year, t_value, t_cmp = _price_target(case)
    head = {"year": [t_year], "price_target_cny_per_kg": [t_value], "comparator": [t_cmp],
            "draws": [int(n)], "seed": [int(seed)], "inputs": [k]}
    j = np.flatnonzero(yrs == t_year)
    if not len(j):
        return pd.DataFrame({**head, "prob_meets_target": [np.nan]})
    p = nominal(case, res["network_with"][:, j[0]], t_year)
    sm = _stats(p[:, None])
    return pd.DataFrame({
        **head,
        "prob_meets_target": [float(meets(p, t_value, t_cmp).mean())],
        **{c: sm[c] for c in STAT_COLUMNS},
        "base_cny_per_kg": [float(nominal(case, base["network_with"][0, j[0]], t_year))],
        "basis": [f"nominal CNY of {t_year}"],
    })


def _input_table(inputs: Sequence[UncertainInput], x: np.ndarray) -> pd.DataFrame:
    """``uncertainty_inputs``: the resolved Uncertainty rows and their drawn values."""
    xs = _stats(x) if len(inputs) else {c: np.zeros(0) for c in STAT_COLUMNS}
    return pd.DataFrame({
        "input_id": [v.input_id for v in inputs], "sheet": [v.sheet for v in inputs],
        "key": [v.key for v in inputs], "column": [v.column for v in inputs],
        "distribution": [v.distribution for v in inputs], "low": [v.low for v in inputs],
        "mode": [v.mode for v in inputs], "high": [v.high for v in inputs],
        "relative": [v.relative for v in inputs], "rows_matched": [max(len(v.rows), 1) for v in inputs],
        **{f"draw_{c}": xs[c] for c in STAT_COLUMNS},
    })


def monte_carlo(case, n: int = 1000, seed: int = 0, *, years: Iterable[int] | None = None,
                sobol_n: int | None = None, tornado_quantiles: tuple[float, float] = (0.05, 0.95),
                correlation: Mapping[tuple[str, str], float] | None = None,
                fleet: FleetResult | None = None, built: pd.DataFrame | None = None,
                station_capacity: pd.DataFrame | None = None,
                station_supply: pd.DataFrame | None = None,
                economics: station.StationEconomics | None = None, price_path: pd.Series | None = None,
                frontier: bool = True, loads: pd.DataFrame | None = None,
                segment_loads: pd.DataFrame | None = None) -> MonteCarloResult:
    r"""Monte Carlo of station and network break-even prices, TCO parity and budget.

    Draws every uncertain input at once (:func:`uncertain_inputs`; ``numpy``
    ``Generator(seed)`` and ``scipy.stats`` quantile functions), then runs the
    station-economics and TCO engines with a leading draws axis, in chunks of draws
    that bound memory. Also computes the :func:`tornado`, :func:`sobol_analysis` and
    :func:`breakeven_frontier` tables. Same seed, same numbers, bit for bit.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        A validated case with an ``Uncertainty`` sheet (without one, every draw is the
        deterministic case).
    n : int, default 1000
        Number of draws.
    seed : int, default 0
        Seed of the draws (and of the Sobol design and bootstrap).
    years : iterable of int, optional
        Years to simulate (station prices, network prices, budget, TCO purchase years);
        default every analysis year. Memory grows with ``n`` x station-years.
    sobol_n : int, optional
        Base samples of the Sobol design (:math:`N(K+2)` extra evaluations of the
        target-year price only); default ``n``; 0 skips it.
    tornado_quantiles : (float, float), default (0.05, 0.95)
        Probabilities of the tornado's low and high values.
    correlation : mapping, optional
        ``{(input_id, input_id): rho}``: correlation of the inputs' normal scores
        (Gaussian copula); default independent.
    fleet : h2model.fleet.FleetResult, optional
        The deterministic fleet run whose station loads the draws scale; default
        :func:`h2model.fleet.fleet_from_case` of the case.
    built : pandas.DataFrame, optional
        Stations built by the network plan (as for
        :func:`h2model.station.station_economics`); pass with the plan's ``fleet``.
    station_capacity : pandas.DataFrame, optional
        The network plan's capacity by station and year (``station_id, year,
        capacity_kg_per_day``, as for :func:`h2model.station.station_economics`); pass
        with ``built``. Sales under the draws are capped at it.
    station_supply : pandas.DataFrame, optional
        The network plan's main source by station and year (``station_id, year,
        supply_id``, as for :func:`h2model.station.station_economics`).
    economics : h2model.station.StationEconomics, optional
        The deterministic station economics of the same fleet and plan (the run's):
        its network price is the base of years not drawn. Default: computed here from
        ``fleet``, ``built``, ``station_capacity`` and ``station_supply``.
    price_path : pandas.Series, optional
        The run's retail hydrogen price path by year (real CNY/kg), which sets the
        vehicle subsidies' price conditions; default :func:`h2model.prices.network_price_path`
        of ``economics``.
    frontier : bool, default True
        Also compute the break-even frontier tables.
    loads, segment_loads : pandas.DataFrame, optional
        What the deterministic run's stations sell (:func:`h2model.model.station_loads`:
        the fleet's loads and the corridor stations', and their segment mix for peak
        sizing); default ``fleet.station_load`` and no segment mix. Drawn fleet and demand
        inputs scale only the fleet's part; corridor sales stay at their base.

    Returns
    -------
    MonteCarloResult
        Draws and tidy tables; :meth:`MonteCarloResult.tables` names them.

    Notes
    -----
    Percentile columns ``p5 .. p95`` and ``mean`` are over the draws (NaN and inf
    ignored); ``base`` columns evaluate the same engine with every input at its base,
    which reproduces :func:`h2model.station.station_economics`. Probabilities count
    NaN (no sales) as not meeting the target.
    """
    inputs = uncertain_inputs(case)
    k = len(inputs)
    rng = np.random.default_rng(seed)
    u = _uniforms(rng, int(n), inputs, correlation)
    x = _ppf_matrix(inputs, u)
    fl = fleet if fleet is not None else fleet_from_case(case)
    loads = fl.station_load if loads is None else loads
    if economics is None:  # called alone: the deterministic station economics of this fleet and plan
        economics = station.station_economics(case, loads=loads, built=built,
                                              station_capacity=station_capacity,
                                              station_supply=station_supply, segment_loads=segment_loads)
    if price_path is None:
        price_path = network_price_path(case, economics.network)
    eng = _Engine(case, inputs, years, fl, built, full=True, station_capacity=station_capacity,
                  station_supply=station_supply, network=economics.network, price_path=price_path,
                  loads=loads, segment_loads=segment_loads)
    base = eng.evaluate(np.full((1, k), np.nan))
    check_read(inputs, eng.accessed, case.name)  # every drawn input reaches the engines
    res = eng.run(x)
    _, t_value, t_cmp = _price_target(case)
    yrs = eng.years

    t_eng = _target_engine(case, inputs, fl, built, station_capacity, station_supply, loads, segment_loads)
    torn = tornado(case, inputs, quantiles=tornado_quantiles, _engine=t_eng)
    sob = sobol_analysis(case, inputs, n if sobol_n is None else sobol_n, seed, _engine=t_eng)
    front = breakeven_frontier(case) if frontier else pd.DataFrame()
    contour = frontier_contour(front) if frontier else pd.DataFrame()
    return MonteCarloResult(
        n=int(n), seed=int(seed), inputs=inputs, draws=x, years=yrs, network_price_draws=res["network_with"],
        network_price=_network_table(case, res, base, yrs, t_value, t_cmp),
        station_price=_station_table(case, eng.sy, res, base, t_value, t_cmp),
        parity=_parity_table(case, eng, res, base), budget=_budget_table(res, base, yrs),
        summary=_summary_table(case, res, base, yrs, n, seed, k), input_table=_input_table(inputs, x),
        tornado=torn, sobol=sob, frontier=front, frontier_contour=contour,
    )


def check_uncertainty(case) -> None:
    """Refuse Uncertainty rows that a Monte Carlo run would refuse, without drawing.

    :func:`uncertain_inputs` (sheets, keys, columns, distributions) and
    :func:`check_read` on one evaluation of the engines at the base values, on the
    case's fleet with its nearest-station assignment (which inputs the engines read
    does not depend on the plan). ``h2model validate`` runs it, so that validation
    refuses what ``run --mc-draws`` would.

    Raises
    ------
    InputError
        Every bad row at once, at its Uncertainty cell.
    """
    inputs = uncertain_inputs(case)
    if not inputs:
        return
    fl = fleet_from_case(case)
    econ = station.station_economics(case, loads=fl.station_load)
    eng = _Engine(case, inputs, None, fl, None, full=True, network=econ.network,
                  price_path=network_price_path(case, econ.network))
    eng.evaluate(np.full((1, len(inputs)), np.nan))
    check_read(inputs, eng.accessed, case.name)
