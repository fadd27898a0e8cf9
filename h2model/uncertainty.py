r"""Uncertainty: Monte Carlo, tornado, Sobol indices and the break-even frontier.

How sure is the plan's price target (retail hydrogen below 35 CNY/kg by 2025), given
what the inputs could be? This module puts a leading **draws axis** on the same
engines the deterministic model runs -- :func:`h2model.station.station_year_costs`,
:func:`h2model.station.station_year_prices`, :func:`h2model.station.network_price`
and :func:`h2model.tco.tco_arrays` -- and reads the distributions from the case's
``Uncertainty`` sheet. There is no Python loop over draws; draws are processed in
chunks that bound memory.

Public API
----------
- :func:`uncertain_inputs` -- the ``Uncertainty`` sheet resolved to the cells it
  perturbs (:class:`UncertainInput`, whose :meth:`~UncertainInput.ppf` is the
  quantile function).
- :func:`monte_carlo` -- draws every input at once and returns a
  :class:`MonteCarloResult` with tidy tables (``uncertainty_network_price``,
  ``uncertainty_station_price``, ``uncertainty_parity``, ``uncertainty_budget``,
  ``uncertainty_summary``, ``uncertainty_inputs``, ``tornado``, ``sobol``,
  ``frontier``, ``frontier_contour``).
- :func:`tornado`, :func:`sobol_analysis` -- one-at-a-time swings and variance-based
  (Sobol) indices of the target-year network price.
- :func:`saltelli_samples`, :func:`sobol_indices` -- the Saltelli design and the
  Saltelli / Jansen estimators on arrays (any model).
- :func:`breakeven_frontier` -- the break-even retail price of a reference station of
  each type over utilisation x delivered hydrogen cost x capital subsidy share, in
  one vectorised finance call.

The Uncertainty sheet
---------------------
Each row names an input as a Scenarios override does (``sheet``, ``key``, ``column``;
see :mod:`h2model.inputs.scenarios`) and gives its distribution: ``uniform`` (``low``,
``high``), ``triangular`` (``low``, ``mode``, ``high``), ``normal`` (mean ``low``,
standard deviation ``high``) or ``lognormal`` (``low`` and ``high`` are the mean and
standard deviation of the logarithm). With ``relative = 1`` a draw is a factor on the
base value of every row the key matches; with ``relative = 0`` it is the value itself,
set on every matched row. One draw per input is shared by all its rows (a fully
correlated perturbation, e.g. every station type's capex moves together). Draws of
different inputs are independent unless ``correlation`` is given (Gaussian copula).
The inputs the engines read are listed in :data:`SUPPORTED`; any other is an input
error located at its Uncertainty row.

Approximations
--------------
- **Station sales** come from one deterministic fleet run (the nearest-station
  assignment, or the network plan's when ``fleet``, ``built`` and
  ``station_capacity`` are passed). Inputs that change demand --
  ``Fleet.fcev_in_service`` factors and the ``h2_kg_per_100km`` and ``annual_km`` of
  FCEV ``Segments`` rows -- scale each station's sales by the demand-weighted factor
  of the depots, districts and segments it serves, with the assignment held fixed
  and sales capped at the capacity installed that year (demand beyond it is
  unserved; the plan's capacity is not re-optimised for the draws).
  Several Fleet inputs on overlapping rows combine additively (first order).
- **Vehicle subsidies** are those of the deterministic run (at base annual km and the
  deterministic price path); their budget is scaled by the drawn fleet size.
- The station **budget** is what the station engine pays in each draw
  (:func:`h2model.policy.station_outlays_cny`, as the deterministic
  ``station_subsidies`` table): capital grants in each station's commissioning year
  plus per-kg subsidies on the year's sales.

References
----------
.. [1] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. and Tarantola,
   S. (2010). Variance based sensitivity analysis of model output. Design and
   estimator for the total sensitivity index. Computer Physics Communications 181,
   259-270. https://doi.org/10.1016/j.cpc.2009.09.018
.. [2] Jansen, M. J. W. (1999). Analysis of variance designs for model output.
   Computer Physics Communications 117, 35-43.
.. [3] Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical
   models and their Monte Carlo estimates. Mathematics and Computers in Simulation
   55, 271-280.
.. [4] Ishigami, T. and Homma, T. (1990). An importance quantification technique in
   uncertainty analysis for computer models. Proc. ISUMA '90, 398-403.
.. [5] Iman, R. L. and Conover, W. J. (1982). A distribution-free approach to inducing
   rank correlation among input variables. Communications in Statistics B 11,
   311-334 (normal-score / Gaussian-copula correlation).

Examples
--------
>>> from h2model.inputs import load_case, DEFAULT_CASE
>>> case = load_case(DEFAULT_CASE)
>>> [u.input_id for u in uncertain_inputs(case)][:3]
['station_capex', 'station_fixed_om', 'byproduct_cost']
>>> res = monte_carlo(case, n=64, seed=1, years=[2025], sobol_n=0)
>>> s = res.summary.iloc[0]
>>> int(s["year"]), bool(0.0 <= s["prob_meets_target"] <= 1.0), bool(s["p5"] <= s["p50"] <= s["p95"])
(2025, True, True)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from . import policy, station, tco
from .finance import breakeven_price, ex_vat
from .fleet import FleetResult, fleet_from_case, in_service_totals, interpolate_stock, max_capacity_factor
from .inputs import InputError, Problem
from .inputs.raw import RawSheet
from .inputs.scenarios import _match_rows
from .inputs.schema import DISTRIBUTIONS, SHEETS
from .prices import NETWORK_PRICE, calendar_path, network_price_path, nominal
from .station.capex import _station_costs
from .station.pricing import _finance_with, _sum_by_year
from .supply import TubeTrailer, _by_year, _col
from .targets import meets

__all__ = [
    "PERCENTILES",
    "STAT_COLUMNS",
    "SUPPORTED",
    "MonteCarloResult",
    "SobolIndices",
    "UncertainInput",
    "breakeven_frontier",
    "frontier_contour",
    "monte_carlo",
    "saltelli_samples",
    "sobol_analysis",
    "sobol_indices",
    "tornado",
    "uncertain_inputs",
]

#: Percentiles reported for every uncertain result (with the mean).
PERCENTILES = (5, 25, 50, 75, 95)
#: Statistic columns of the uncertainty tables.
STAT_COLUMNS = tuple(f"p{p}" for p in PERCENTILES) + ("mean",)

_STATION_COSTS = ("reference_capacity_kg_per_day", "capex_excl_land_cny", "scale_exponent", "land_cost_cny",
                  "land_lease_cny_per_year", "fixed_om_share_per_year", "staff_count",
                  "staff_cost_cny_per_person_year", "electricity_kwh_per_kg")
_SEGMENTS = ("purchase_price_cny", "price_change_per_year", "h2_kg_per_100km", "electricity_kwh_per_100km",
             "diesel_l_per_100km", "annual_km", "maintenance_cny_per_km", "insurance_cny_per_year",
             "toll_cny_per_km", "replacement_cost_cny", "residual_share")
_FINANCE = ("discount_rate", "inflation_rate", "income_tax_rate", "vat_rate", "debt_share", "debt_rate",
            "working_capital_share", "salvage_share")
_DELIVERY = tuple(TubeTrailer.__dataclass_fields__) + (
    "road_circuity_factor", "liquid_fixed_cny_per_kg", "liquid_cny_per_kg_per_100km")

#: Inputs the Monte Carlo engines read: ``(sheet, column)`` of a table sheet or
#: ``(sheet, key)`` of a params sheet -> what it drives.
SUPPORTED: dict[tuple[str, str], str] = {
    **{("StationCosts", c): "station capex and operating cost" for c in _STATION_COSTS},
    ("Supply", "production_cost_cny_per_kg"): "delivered hydrogen cost",
    ("Supply", "purification_cost_cny_per_kg"): "delivered hydrogen cost",
    ("Prices", "electricity_cny_per_kwh"): "station electricity and BEV energy cost",
    ("Prices", "diesel_cny_per_l"): "tube-trailer delivery and diesel vehicle energy cost",
    ("Prices", "h2_retail_cny_per_kg"): "FCEV hydrogen price in years without station sales",
    **{("Segments", c): "vehicle TCO" for c in _SEGMENTS},
    ("Fleet", "fcev_in_service"): "station sales and the vehicle subsidy budget (factors only)",
    **{("Finance", k): "station finance (discount_rate also TCO and delivery)" for k in _FINANCE},
    **{("Delivery", k): "hydrogen delivery cost" for k in _DELIVERY},
}
# FCEV Segments columns that also change hydrogen demand, hence station sales.
_DEMAND_COLUMNS = ("h2_kg_per_100km", "annual_km")
# Draws per chunk: elements of the largest per-chunk temporaries.
_CHUNK_ELEMENTS = 4_000_000


# --- inputs ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class UncertainInput:
    """One row of the ``Uncertainty`` sheet, resolved to the cells it perturbs.

    Attributes
    ----------
    input_id, sheet, key, column : str
        As in the sheet (``column`` is ``value`` for params sheets).
    distribution : {"uniform", "triangular", "normal", "lognormal"}
        Distribution of the draw.
    low, mode, high : float
        Distribution parameters as in the sheet (see the module docstring); ``mode``
        is NaN unless triangular.
    relative : bool
        Draws are factors on the base values (True) or the values themselves.
    rows : numpy.ndarray of int
        Matched rows of a table sheet (sheet order); empty for a params sheet.
    base : numpy.ndarray
        Base values of the matched rows (one value for a params sheet), in the
        column's unit.
    """

    input_id: str
    sheet: str
    key: str
    column: str
    distribution: str
    low: float
    mode: float
    high: float
    relative: bool
    rows: np.ndarray
    base: np.ndarray

    @property
    def is_params(self) -> bool:
        """Whether the input is a params-sheet key (Finance, Delivery)."""
        return SHEETS[self.sheet].kind == "params"

    @property
    def target(self) -> tuple[str, str]:
        """``(sheet, column)`` for a table sheet, ``(sheet, key)`` for a params sheet."""
        return (self.sheet, self.key) if self.is_params else (self.sheet, self.column)

    @property
    def base_value(self) -> float:
        """The unperturbed draw: 1 for a factor, else the base value (NaN if the
        matched rows differ)."""
        if self.relative:
            return 1.0
        b = np.unique(self.base)
        return float(b[0]) if len(b) == 1 else float("nan")

    def ppf(self, q) -> np.ndarray:
        r"""Quantile function: the draw (factor or value) at probability ``q``.

        Zero-width distributions (``low == high``, or a zero standard deviation) give
        their one value exactly.

        Parameters
        ----------
        q : array_like
            Probabilities in (0, 1).

        Returns
        -------
        numpy.ndarray
            Draws, shaped like ``q`` (factor, or the column's unit).

        Examples
        --------
        >>> u = UncertainInput("x", "Finance", "discount_rate", "value", "triangular",
        ...                    0.06, 0.08, 0.1, False, np.zeros(0, int), np.array([0.08]))
        >>> u.ppf([0.0, 0.5, 1.0]).round(4).tolist()
        [0.06, 0.08, 0.1]
        """
        q = np.asarray(q, dtype=float)
        lo, mode, hi = self.low, self.mode, self.high
        d = self.distribution
        if d in ("uniform", "triangular") and hi == lo:
            return np.full(q.shape, lo)
        if d in ("normal", "lognormal") and hi == 0:
            return np.full(q.shape, lo if d == "normal" else math.exp(lo))
        if d == "uniform":
            return stats.uniform.ppf(q, loc=lo, scale=hi - lo)
        if d == "triangular":
            return stats.triang.ppf(q, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        if d == "normal":
            return stats.norm.ppf(q, loc=lo, scale=hi)
        return stats.lognorm.ppf(q, hi, scale=math.exp(lo))


def _raw_sheet(name: str, df: pd.DataFrame) -> RawSheet:
    """A typed table as a raw sheet, for the Scenarios row matcher."""
    obj = df.astype(object).where(df.notna(), None)
    return RawSheet(name, list(df.columns), obj.to_numpy().tolist(), list(range(2, len(df) + 2)))


def uncertain_inputs(case) -> list[UncertainInput]:
    """The ``Uncertainty`` sheet resolved to the inputs it perturbs.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Uncertainty`` and the sheets it names.

    Returns
    -------
    list of UncertainInput
        In sheet order.

    Raises
    ------
    InputError
        Every problem at once, each located at its Uncertainty cell: unknown sheet,
        column or key; a key matching no row; an input the engines do not read
        (:data:`SUPPORTED`); inconsistent distribution parameters.
    """
    unc = case.tables.get("Uncertainty")
    if unc is None or unc.empty:
        return []
    book = case.name
    problems: list[Problem] = []
    out: list[UncertainInput] = []
    for i, r in enumerate(unc.itertuples(index=False)):
        row = i + 2

        def bad(col_letter, value, rule, column, row=row, r=r):
            problems.append(Problem(book, "Uncertainty", f"{col_letter}{row}", value,
                                    f"input '{r.input_id}': {rule}", column))

        sheet, key = str(r.sheet), str(r.key)
        schema = SHEETS.get(sheet)
        if schema is None or sheet not in {s for s, _ in SUPPORTED}:
            bad("B", sheet, "sheet must be one of " + ", ".join(sorted({s for s, _ in SUPPORTED})), "sheet")
            continue
        dist = str(r.distribution)
        lo, hi = float(r.low), float(r.high)
        mode = float(r.mode) if pd.notna(r.mode) else float("nan")
        if dist not in DISTRIBUTIONS:
            bad("E", dist, f"distribution must be one of {', '.join(DISTRIBUTIONS)}", "distribution")
            continue
        if dist == "triangular" and not (lo <= mode <= hi if not math.isnan(mode) else False):
            bad("G", r.mode, "triangular needs low <= mode <= high", "mode")
            continue
        if dist == "uniform" and not lo <= hi:
            bad("H", hi, "uniform needs low <= high", "high")
            continue
        if dist in ("normal", "lognormal") and not hi >= 0:
            bad("H", hi, f"{dist}: high is the standard deviation and must be >= 0", "high")
            continue
        relative = bool(int(r.relative))
        if schema.kind == "params":
            column = str(r.column) if pd.notna(r.column) else "value"
            if column != "value":
                bad("D", column, "column of a params sheet must be 'value'", "column")
                continue
            if key not in case.params.get(sheet, {}):
                bad("C", key, f"no row of {sheet} has key '{key}'", "key")
                continue
            if (sheet, key) not in SUPPORTED:
                bad("C", key, f"the Monte Carlo engines do not read {sheet}.{key}; uncertain "
                    f"{sheet} keys: {', '.join(k for s, k in SUPPORTED if s == sheet)}", "key")
                continue
            rows = np.zeros(0, dtype=np.int64)
            base = np.array([float(case.params[sheet][key])])
        else:
            column = str(r.column)
            df = case.tables.get(sheet)
            if column not in schema.column_names:
                bad("D", column, f"{sheet} has no column '{column}'", "column")
                continue
            if (sheet, column) not in SUPPORTED:
                bad("D", column, f"the Monte Carlo engines do not read {sheet}.{column}; uncertain "
                    f"{sheet} columns: {', '.join(c for s, c in SUPPORTED if s == sheet)}", "column")
                continue
            hits = _match_rows(_raw_sheet(sheet, df), schema, key)
            if isinstance(hits, str):
                bad("C", key, hits, "key")
                continue
            if sheet == "Fleet":
                reg = case.tables.get("Vehicles")
                if reg is not None and len(reg):
                    bad("B", sheet, "the case has a Vehicles register, so the Fleet rollout is not used",
                        "sheet")
                    continue
                if not relative:
                    bad("I", 0, "Fleet sizes can only be perturbed by factors (relative = 1)", "relative")
                    continue
            rows = np.asarray(hits, dtype=np.int64)
            base = df[column].to_numpy(float)[rows]
        out.append(UncertainInput(str(r.input_id), sheet, key, column, dist, lo, mode, hi, relative,
                                  rows, base))
    if problems:
        raise InputError(problems)
    return out


def _uniforms(rng: np.random.Generator, n: int, inputs: Sequence[UncertainInput],
              correlation: Mapping[tuple[str, str], float] | None) -> np.ndarray:
    """Probabilities (n, K): independent uniforms, or a Gaussian copula with the given
    correlations of the normal scores (Iman and Conover 1982)."""
    k = len(inputs)
    if not correlation:
        return rng.random((n, k))
    ids = {u.input_id: j for j, u in enumerate(inputs)}
    c = np.eye(k)
    for (a, b), rho in correlation.items():
        if a not in ids or b not in ids:
            raise ValueError(f"correlation names unknown input(s): {a!r}, {b!r}")
        c[ids[a], ids[b]] = c[ids[b], ids[a]] = float(rho)
    try:
        chol = np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        raise ValueError("correlation matrix is not positive definite") from None
    return stats.norm.cdf(rng.standard_normal((n, k)) @ chol.T)


def _ppf_matrix(inputs: Sequence[UncertainInput], u: np.ndarray) -> np.ndarray:
    """Draws (n, K) from probabilities (n, K), column by column (a loop over inputs)."""
    x = np.empty(u.shape)
    for j, inp in enumerate(inputs):
        x[:, j] = inp.ppf(u[:, j])
    return x


# --- the engine on a draws axis ------------------------------------------------------------


class _Engine:
    """The deterministic structure of one Monte Carlo setting, and its evaluation at
    any matrix of input draws ``X (m, K)`` (NaN = the input at its base).

    With ``full``, ``network`` (station economics' network table of the same fleet and
    plan) and ``price_path`` (the run's hydrogen price path, :func:`network_price_path`)
    give the base network price of years not drawn and the vehicle subsidies; they are
    the deterministic run's, not recomputed here.
    """

    def __init__(self, case, inputs: Sequence[UncertainInput], years, fl: FleetResult, built,
                 *, full: bool, station_capacity: pd.DataFrame | None = None,
                 station_supply: pd.DataFrame | None = None, network: pd.DataFrame | None = None,
                 price_path: pd.Series | None = None):
        self.case, self.inputs, self.full = case, list(inputs), full
        self.sy = sy = station.station_years(case, loads=fl.station_load, built=built, year=years,
                                             station_capacity=station_capacity, station_supply=station_supply)
        self.years = sy.years
        si, yi = sy.station_index, sy.year_index
        self.cap_row = sy.capacity_kg_per_day  # installed in the row's year, kg/day
        self.fleet_k = [j for j, u in enumerate(inputs) if u.sheet == "Fleet"]
        demand = [u for u in inputs if u.sheet == "Segments" and u.column in _DEMAND_COLUMNS]
        self.scales_load = bool(self.fleet_k or demand)
        if self.scales_load:
            self._demand_structure(fl)
        if not full:
            return
        cy = sy.stations["commissioning_year"].to_numpy(float)
        self.commissioning_row = (sy.years[yi] == cy[si]).astype(float)
        self.tco_years = self.years[np.isin(self.years, case.years)]
        prices = case["Prices"]
        self.price_years = prices["year"].to_numpy(np.int64)
        self.pos = {int(y): j for j, y in enumerate(self.price_years)}
        net = network.set_index("year")[NETWORK_PRICE]
        self.base_net = net.reindex(self.price_years).to_numpy(float)
        subs = policy.vehicle_subsidy_rates_from_case(case, price_path)
        self.purchase_sub, self.op_sub = tco.vehicle_subsidies(case, self.tco_years, subs)
        self.pairs = tco.parity_pairs(case)
        vb = policy.vehicle_budget(subs, fl.vehicles, case.years)
        self.vehicle_budget = vb.groupby("year")["outlay_cny"].sum().reindex(self.years, fill_value=0.0) \
            .to_numpy(float)

    def _demand_structure(self, fl: FleetResult) -> None:
        """Station sales split by segment (and the share from each Fleet input's rows),
        for scaling sales by drawn demand factors."""
        case, sy = self.case, self.sy
        years_all = np.asarray(case.years, dtype=np.int64)
        v = fl.vehicles
        seg_names = sorted(set(v["segment"].astype(object)))
        groups = pd.MultiIndex.from_arrays([v["district"].astype(object), v["segment"].astype(object)])
        g_code, g_index = pd.factorize(groups)
        n_g = len(g_index)
        seg_of_g = pd.Index(seg_names).get_indexer(g_index.get_level_values(1))
        dep_ids = pd.Index(pd.unique(fl.demand_by_depot["depot_id"].astype(object)))
        d_code = dep_ids.get_indexer(v["depot_id"].astype(object))
        dem = in_service_totals(d_code * n_g + g_code, len(dep_ids) * n_g, v["purchase_year"].to_numpy(),
                                v["retire_year"].to_numpy(), years_all,
                                v["h2_kg_per_day"].to_numpy(float)).reshape(len(dep_ids), n_g, -1)
        total = dem.sum(axis=1)  # (depots, years)
        a = fl.assignment
        ids = sy.stations["station_id"].to_numpy(object)
        s_a = pd.Index(ids).get_indexer(a["station_id"].astype(object))
        d_a = dep_ids.get_indexer(a["depot_id"].astype(object))
        y_a = pd.Index(years_all).get_indexer(a["year"].to_numpy(np.int64))
        keep = (s_a >= 0) & (d_a >= 0) & (y_a >= 0)
        s_a, d_a, y_a = s_a[keep], d_a[keep], y_a[keep]
        flow = a["h2_kg_per_day"].to_numpy(float)[keep]
        tot = total[d_a, y_a]
        share = np.where(tot > 0, flow / np.where(tot > 0, tot, 1.0), 0.0)
        load = np.zeros((len(ids), len(years_all), n_g))
        np.add.at(load, (s_a, y_a), share[:, None] * dem[d_a, :, y_a])
        row_year = pd.Index(years_all).get_indexer(sy.years)[sy.year_index]
        rows_g = load[sy.station_index, row_year]  # (R, groups)
        one_hot = np.zeros((n_g, len(seg_names)))
        one_hot[np.arange(n_g), seg_of_g] = 1.0
        self.w0 = rows_g @ one_hot  # (R, segments) kg/day
        # Stock ratio of each Fleet input's rows by (district, segment) group and year.
        fleet = case["Fleet"]
        keys, stock = interpolate_stock(fleet, years_all)
        k_idx = pd.MultiIndex.from_frame(keys).get_indexer(g_index)
        self.wk, self.stock_ratio = [], []
        for j in self.fleet_k:
            masked = fleet.copy()
            keep_rows = np.zeros(len(fleet), dtype=bool)
            keep_rows[self.inputs[j].rows] = True
            masked["fcev_in_service"] = masked["fcev_in_service"].where(keep_rows, 0)
            _, st_k = interpolate_stock(masked, years_all)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(stock > 0, st_k / np.where(stock > 0, stock, 1.0), 0.0)
            rho = np.where(k_idx[:, None] >= 0, ratio[np.maximum(k_idx, 0)], 0.0)  # (groups, years)
            self.wk.append((rows_g * rho[:, row_year].T) @ one_hot)
            self.stock_ratio.append(ratio)
        self.stock = stock
        self.stock_year = pd.Index(years_all).get_indexer(self.years)
        # FCEV Segments row of each segment, for demand factors.
        seg = case["Segments"]
        fc = seg[seg["powertrain"] == "fcev"]
        self.seg_rows = fc.index.to_numpy()[pd.Index(fc["segment"].astype(object)).get_indexer(seg_names)]

    def values(self, x: np.ndarray) -> dict[tuple[str, str], np.ndarray]:
        """Drawn inputs in the engines' ``values`` convention; Fleet inputs excluded."""
        m = x.shape[0]
        out: dict[tuple[str, str], np.ndarray] = {}
        for j, u in enumerate(self.inputs):
            if u.sheet == "Fleet":
                continue
            xj = x[:, j]
            base = np.isnan(xj)
            if u.is_params:
                cur = out.get(u.target)
                if cur is None:
                    cur = np.full(m, float(u.base[0]))
                new = cur * xj if u.relative else xj
                out[u.target] = np.where(base, cur, new)
            else:
                cur = out.get(u.target)
                if cur is None:
                    cur = np.broadcast_to(self.case[u.sheet][u.column].to_numpy(float),
                                          (m, len(self.case[u.sheet]))).copy()
                sub = cur[:, u.rows]
                new = sub * xj[:, None] if u.relative else np.broadcast_to(xj[:, None], sub.shape)
                cur[:, u.rows] = np.where(base[:, None], sub, new)
                out[u.target] = cur
        return out

    def fleet_factors(self, x: np.ndarray) -> list[np.ndarray]:
        """Fleet factors ``u - 1`` per Fleet input, (m,); 0 at the base."""
        return [np.where(np.isnan(x[:, j]), 1.0, x[:, j]) - 1.0 for j in self.fleet_k]

    def kg_per_year(self, x: np.ndarray, vals) -> np.ndarray:
        """Sales (kg/year) of each row under the draws, capped at capacity."""
        kg_day = self.sy.kg_per_day
        if not self.scales_load:
            return np.broadcast_to(kg_day * station.DAYS_PER_YEAR, (x.shape[0], len(kg_day)))
        base = self.case["Segments"]
        h = np.ones((x.shape[0], self.w0.shape[1]))
        for col in _DEMAND_COLUMNS:
            if ("Segments", col) in vals:
                b = base[col].to_numpy(float)[self.seg_rows]
                h = h * (vals[("Segments", col)][:, self.seg_rows] / b)
        f = self.fleet_factors(x)
        num = np.zeros((x.shape[0], self.w0.shape[0]))
        den = np.zeros(self.w0.shape[0])
        for s in range(self.w0.shape[1]):  # a loop over the few segments
            term = np.broadcast_to(self.w0[:, s], num.shape)
            for fk, wk in zip(f, self.wk, strict=True):
                term = term + fk[:, None] * wk[:, s]
            num = num + h[:, s, None] * term
            den = den + self.w0[:, s]
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)
        kg = np.minimum(kg_day * factor, np.maximum(self.cap_row * max_capacity_factor(self.case), kg_day))
        return kg * station.DAYS_PER_YEAR

    def evaluate(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Every result of a chunk of draws ``x (m, K)``, with the draws axis first."""
        m = x.shape[0]
        vals = self.values(x)
        kg = self.kg_per_year(x, vals)
        costs = station.station_year_costs(self.case, self.sy, vals)
        pr = station.station_year_prices(self.case, self.sy, costs, kg, values=vals)
        net = station.network_price(self.sy, kg, pr.annualised_cost_with_subsidy_cny_per_year)
        out = {"network_with": net}
        if not self.full:
            return out
        with_sub = np.broadcast_to(pr.breakeven_price_with_subsidy_cny_per_kg, kg.shape)
        without = np.broadcast_to(pr.breakeven_price_cny_per_kg, kg.shape)
        out.update(station_with=with_sub, station_without=without, kg=kg,
                   network_without=station.network_price(self.sy, kg, pr.annualised_cost_cny_per_year))
        # Budget by year: capital grants in commissioning years, per-kg subsidies on sales,
        # vehicle subsidies scaled by the drawn fleet.
        grants, per_kg = policy.station_outlays_cny(pr.capital_subsidy_by_programme_cny,
                                                    pr.operating_subsidy_now_by_programme_cny_per_kg, kg,
                                                    self.commissioning_row)
        g, h2 = np.broadcast_to(grants.sum(axis=-1), kg.shape), per_kg.sum(axis=-1)
        veh = np.broadcast_to(self.vehicle_budget, (m, len(self.years)))
        if self.fleet_k:
            st = self.stock[:, self.stock_year]
            den = st.sum(axis=0)
            num = np.broadcast_to(den, (m, len(self.years)))
            for fk, ratio in zip(self.fleet_factors(x), self.stock_ratio, strict=True):
                num = num + fk[:, None] * (st * ratio[:, self.stock_year]).sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                veh = veh * np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)
        sums = _sum_by_year
        out["budget"] = np.stack([sums(self.sy, g), sums(self.sy, h2), veh], axis=-1)
        # TCO with each draw's hydrogen price path.
        if len(self.tco_years) and self.pairs:
            out.update(self._tco(net, vals, m))
        return out

    def _tco(self, net: np.ndarray, vals, m: int) -> dict[str, np.ndarray]:
        case = self.case
        net_all = np.broadcast_to(self.base_net, (m, len(self.price_years))).copy()
        for j, y in enumerate(self.years):
            if int(y) in self.pos:
                net_all[:, self.pos[int(y)]] = net[:, j]
        retail = _col(case, vals, "Prices", "h2_retail_cny_per_kg")
        path = np.where(np.isfinite(net_all), net_all, retail)
        paths = tco.energy_paths(case, self.tco_years, values=vals)
        n_life = paths["bev"].shape[-1]
        calendar = self.tco_years[:, None] + np.arange(n_life)[None, :]
        paths["fcev"] = calendar_path(self.price_years, path, calendar)
        arr = tco.tco_arrays(case, self.tco_years, paths, self.purchase_sub, self.op_sub, values=vals)
        total_km = arr.total_cny_per_km
        dist = arr.discounted_km
        use = arr.energy_per_km
        excl_h2 = arr.components["total"] - arr.components["energy"]
        fc, alt, be = [], [], []
        for i, _, j in self.pairs:
            f_km, a_km = total_km[..., i, :], total_km[..., j, :]
            d_i = dist[..., i, :]
            fc.append(f_km)
            alt.append(a_km)
            be.append(tco.breakeven_h2_price(excl_h2[..., i, :], d_i * use[..., i, None], a_km * d_i))
        shape = (m, len(self.pairs), len(self.tco_years))

        def stack(xs):
            return np.broadcast_to(np.stack(np.broadcast_arrays(*xs), axis=-2), shape)

        return {"fcev_km": stack(fc), "alternative_km": stack(alt), "breakeven_h2": stack(be)}

    def chunk_size(self) -> int:
        """Draws per chunk so that the largest temporaries stay near
        :data:`_CHUNK_ELEMENTS` elements."""
        L = int(self.case.finance["station_life_years"])
        per = 3 * len(self.sy.year_index) * L
        if self.full:
            n_life = int(self.case["Segments"]["lifetime_years"].max())
            per += 4 * len(self.case["Segments"]) * max(len(self.tco_years), 1) * n_life
        return max(1, _CHUNK_ELEMENTS // max(per, 1))

    def run(self, x: np.ndarray, keys: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """:meth:`evaluate` over chunks of draws, concatenated along the draws axis."""
        step = self.chunk_size()
        parts: dict[str, list[np.ndarray]] = {}
        for start in range(0, x.shape[0], step):  # a loop over chunks of draws, not draws
            got = self.evaluate(x[start:start + step])
            for k, v in got.items():
                if keys is None or k in keys:
                    parts.setdefault(k, []).append(np.array(v, dtype=v.dtype))
        return {k: np.concatenate(v, axis=0) for k, v in parts.items()}


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


def _meets(case, price, year, target: float, comparator: str) -> np.ndarray:
    """A real price (CNY/kg of the price year) meets the target's comparator in nominal
    CNY of ``year``, as the plan states its target (NaN never does)."""
    return meets(nominal(case, price, year), target, comparator)


def _price_target(case) -> tuple[int, float, str]:
    """(year, value, comparator) of the Targets sheet's price target (the earliest)."""
    t = case["Targets"]
    t = t[t["target_id"] == "price"].sort_values("year")
    if t.empty:
        raise ValueError("the Targets sheet has no price target")
    r = t.iloc[0]
    return int(r["year"]), float(r["value"]), str(r["comparator"])


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


def saltelli_samples(n: int, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two independent quasi-random sample matrices on the unit hypercube.

    The first and last ``k`` columns of a scrambled Sobol' sequence in ``2k``
    dimensions, as Saltelli et al. (2010) recommend; ``n`` is rounded up to a power
    of two (the sequence's balance needs it).

    Parameters
    ----------
    n : int
        Base samples :math:`N` (rounded up to :math:`2^m`).
    k : int
        Number of inputs :math:`K`.
    seed : int, default 0
        Scrambling seed.

    Returns
    -------
    A, B : numpy.ndarray, shape (2**m, k)
        Probabilities in (0, 1).

    References
    ----------
    Saltelli, A. et al. (2010). Computer Physics Communications 181, 259-270.

    Examples
    --------
    >>> a, b = saltelli_samples(100, 3)
    >>> a.shape, b.shape
    ((128, 3), (128, 3))
    """
    m = max(1, math.ceil(math.log2(max(n, 2))))
    p = qmc.Sobol(d=2 * k, scramble=True, rng=np.random.default_rng(seed)).random_base2(m)
    eps = np.finfo(float).eps
    p = np.clip(p, eps, 1.0 - eps)
    return p[:, :k], p[:, k:]


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


def _target_engine(case, inputs, fl, built, station_capacity=None, station_supply=None):
    year, _, _ = _price_target(case)
    return _Engine(case, inputs, [year], fl, built, full=False, station_capacity=station_capacity,
                   station_supply=station_supply)


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
    costs = _station_costs(case, ref)
    fin_case = _finance_with(case, None)
    fin = dataclasses.replace(fin_case, ramp_up_years=0, ramp_start_share=1.0)
    L = fin.station_life_years
    rep = station.replacement_shares(costs["compressor_replacement_share"],
                                     costs["compressor_life_years"].astype(float), L)
    tariff = _by_year(case, "electricity_cny_per_kwh", [year])[0]
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
                frontier: bool = True) -> MonteCarloResult:
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
    if economics is None:  # called alone: the deterministic station economics of this fleet and plan
        economics = station.station_economics(case, loads=fl.station_load, built=built,
                                              station_capacity=station_capacity,
                                              station_supply=station_supply)
    if price_path is None:
        price_path = network_price_path(case, economics.network)
    eng = _Engine(case, inputs, years, fl, built, full=True, station_capacity=station_capacity,
                  station_supply=station_supply, network=economics.network, price_path=price_path)
    res = eng.run(x)
    base = eng.evaluate(np.full((1, k), np.nan))
    _, t_value, t_cmp = _price_target(case)
    yrs = eng.years

    t_eng = _target_engine(case, inputs, fl, built, station_capacity, station_supply)
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
