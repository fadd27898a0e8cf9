r"""Model construction for the network plan: :class:`NetworkData` in, Pyomo model out.

The model is a mixed-integer linear programme of minimum discounted system cost.

Sets and indices
----------------
*s* sites, *m* modules, *n* demand nodes, *k* supplies, *t* periods (year
:math:`y_t`, standing for the :math:`w_t` years :math:`y_t-w_t+1 \ldots y_t`).
Every variable is indexed by a flat integer over the sparse tuples that can
matter, precomputed with numpy (the mapping arrays are kept on
``model.network_index``, a :class:`NetworkIndex`):

* ``installed[i]``, :math:`z_{smt}` (integer, binary when ``max_per_site`` is 1):
  modules *m* installed at site *s* in period *t*, for periods from the first
  one wholly at or after the site's ``available_from_year`` (a site or supply
  available within a multi-year period counts from the next period, since
  capacity in a period holds for all its years; :meth:`NetworkData.first_period`);
  :math:`z_{smt} \ge z_{sm,t-1}` (cumulative capacity;
  what is built in *t* is :math:`z_{smt} - z_{sm,t-1}`).
* ``assign[i]``, :math:`x_{nst} \ge 0`: kg/day of node *n*'s demand refuelled at
  site *s*, only for pairs within ``max_detour_km`` (and among the node's
  ``max_sites_per_node`` nearest sites), periods with demand, and sites available.
* ``flow[i]``, :math:`f_{kst} \ge 0`: kg/day delivered from supply *k* to site *s*,
  for supplies available in *t* and sites with some assignment in *t*.
* ``unmet[i]``, :math:`u_{nt} \ge 0`: demand left unmet, kg/day (penalised slack:
  the model is never infeasible because of demand), for node-periods with at least
  one site in reach. Demand with no site in reach cannot be served by any decision:
  it is left out of the model (no penalty, so it does not blur the optimality gap)
  and reported as unmet with reason ``no_site_in_reach``.
* ``open[i]``, :math:`o_{st} \in [0, 1]`: a candidate site has a station (only when
  a station-count target, coverage or build limit asks for it):
  :math:`o_{st} \le \sum_m z_{smt}` and, with a build limit,
  :math:`o_{st} \ge z_{smt}/\bar z_m`, so :math:`o_{st} = \min(1, \sum_m z_{smt})`.
* ``target_short``, ``coverage_short[i]`` :math:`\ge 0`: shortfalls of the station
  target (stations) and of district coverage, penalised by
  ``target_penalty_cny`` per unit, and reported.

Constraints
-----------
.. math::

    \sum_s x_{nst} + u_{nt} &= d_{nt}
        &\text{(demand)}\\
    \sum_n x_{nst} &\le \phi\,\big(E_{st} + \sum_m Q_m z_{smt}\big)
        &\text{(capacity)}\\
    \sum_k f_{kst} &= \sum_n x_{nst}
        &\text{(balance)}\\
    \sum_s f_{kst} &\le C_k
        &\text{(supply capacity)}\\
    \sum_m Q_m z_{sm,T} &\le \bar E_s - E_s
        &\text{(site size, where given)}\\
    \sum_s (o_{st} - o_{s,t-1}) &\le L\,w_t
        &\text{(build limit: new stations per year)}\\
    \sum_s o_{st^*} + \text{short} &\ge N^* - \text{existing}_{t^*}
        &\text{(station target)}\\
    \sum_{s:\,\delta_{ds}\le R} o_{st} + \text{short}_{dt} &\ge 1
        &\text{(coverage, district } d\text{ with demand)}\\
    \sum_n x_{nst} &\ge \sum_m q_m z_{smt}, \quad y_t \ge y^{price}
        &\text{(price target)}\\
    \sum_{s \in R_{nt}} \sum_m z_{smt} + u_{nt}/d_{nt} &\ge 1
        &\text{(covering, optional: no existing station in reach } R_{nt})

where :math:`\phi` is the most a station sells as a share of its daily capacity
(``max_capacity_factor``; with peak sizing the lower of it and each module's and existing
station's peak-feasible share, :meth:`NetworkData.sells_per_kg_per_day`), :math:`E_{st}` an
existing station's capacity from its commissioning year, :math:`Q_m` module capacity,
:math:`C_k` supply capacity, :math:`t^*` the first period whose year is at or after the
target year, and :math:`q_m` the caller's minimum throughput (below) per module.

Objective (CNY of the price year, discounted to the first year of the first period)
-------------------------------------------------------------------------------------
.. math::

    \min \sum_t \Big[ \sum_{sm} c_{sm} S_t (z_{smt} - z_{sm,t-1})
      + 365 A_t \Big( \sum_{sm} \tfrac{F_m}{365} z_{smt}
      + \sum_{ks} (p_k + \ell_{kst}) f_{kst}
      + \sum_{ns} \gamma\,\delta_{ns} x_{nst} + \pi \sum_n u_{nt} \Big) \Big]
      + \Pi\,(\text{short} + \sum \text{short}_{dt})

with :math:`S_t = (1+r)^{-(y_t - w_t + 1 - y_0)}` the discount factor of the first
year of period *t* (capex is paid then), :math:`A_t = \sum_{y=y_t-w_t+1}^{y_t}
(1+r)^{-(y-y_0)}` the sum of the discount factors of the years it stands for
(operating costs), :math:`c_{sm}` capex, :math:`F_m` fixed O&M per year,
:math:`p_k` production cost, :math:`\ell_{kst}` delivery cost, :math:`\gamma` the
detour cost per kg per km, :math:`\delta_{ns}` the node-site road distance,
:math:`\pi` the unmet-demand penalty and :math:`\Pi` the target penalty. Demand and
capacity in period *t* hold for all its years (demand of year :math:`y_t`, which is
the highest of the period when demand grows). Capex is charged in full when
built; there is no salvage value at the end of the horizon. The objective is
scaled by :data:`OBJECTIVE_SCALE` (units of 100,000 CNY) for the solver's numerics.

Price target
------------
A station's break-even price falls as its throughput rises, so the target
"every new station's break-even price at most :math:`P^*` from year
:math:`y^{price}`" is linearised as a minimum throughput per installed module,
:math:`q_m` kg/day, supplied by the caller (``price_target_min_kg_per_day``), who
computes it with the finance engine, e.g. for annuitised capex and fixed O&M and a
delivered hydrogen plus station variable cost *h* (CNY/kg):

.. math:: q_m = \frac{\mathrm{CRF}\,c_m + F_m}{365\,(P^* - h)}

The constraint is hard but never makes the model infeasible: a station that
cannot reach it is not built, and demand it would serve shows as unmet demand or
moves to other stations; :func:`h2model.network.read.read_results` reports the
station-periods held at the minimum.

Detour cost
-----------
``detour_cost_cny_per_km_per_kg`` (:math:`\gamma`) is charged per kg per one-way
road km between a node and its station. Convert a vehicle running cost with
:func:`h2model.network.prepare.detour_cost_cny_per_km_per_kg`
(:math:`\gamma = 2 c_{veh,km} / q_{refuel}` for a round trip).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from time import perf_counter

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr import LinearExpression

from h2model.finance import period_discount_factors
from h2model.network.prepare import NetworkData

__all__ = [
    "DAYS_PER_YEAR",
    "HEURISTIC_START_BINARIES",
    "OBJECTIVE_SCALE",
    "START_METHODS",
    "NetworkIndex",
    "NetworkOptions",
    "build_model",
    "discount_factors",
    "resolve_method",
]

#: Days of operation per year used to turn kg/day into kg/year.
DAYS_PER_YEAR = 365.0
#: The objective is expressed in units of 100,000 CNY for the solver's numerics.
OBJECTIVE_SCALE = 1e-5
#: Above this many binaries ``heuristic_start=None`` means a heuristic start.
HEURISTIC_START_BINARIES = 2_500
#: How the heuristic start may build its plan (``NetworkOptions.start``).
START_METHODS = ("greedy", "relax_and_fix")
#: How the model is solved (``NetworkOptions.method``).
SOLVE_METHODS = ("monolithic", "benders", "windows", "auto")
#: ``method="auto"`` solves a model with more ``installed`` columns than this by the window
#: heuristic (with the covering rows and tight-linking cuts), smaller ones as one MILP.
AUTO_WINDOWS_BINARIES = 3_000


@dataclass(frozen=True)
class NetworkOptions:
    """What the network optimiser must respect and what it may do.

    Parameters
    ----------
    max_detour_km : float, default 10
        Farthest (one-way road km) a demand node may refuel from. Must not exceed the
        ``max_pair_km`` the data were prepared with.
    max_sites_per_node : int, optional
        Keep only each node's nearest sites within ``max_detour_km`` (a model-size
        reduction for large instances; ``None`` keeps all).
    max_supplies_per_site : int, optional
        Keep only each site's cheapest supplies (production plus delivery cost)
        among those available in each period (``None`` keeps all).
    detour_cost_cny_per_km_per_kg : float, default 0.2
        Cost of the detour per kg refuelled per one-way road km, CNY/(kg km); see
        :func:`h2model.network.prepare.detour_cost_cny_per_km_per_kg` to convert from
        CNY per vehicle-km.
    unmet_penalty_cny_per_kg : float, default 1000
        Penalty per kg of demand left unmet, CNY/kg. Should exceed any cost of
        serving a kg; demand is left unmet only where no site is within reach or
        capacity or supply runs out.
    station_target_count : int, optional
        Stations (existing plus new) that must be open by ``station_target_year``.
    station_target_year : int, optional
        Year of the station target; checked in the first period whose year is at or
        after it.
    coverage_km : float, optional
        If given, every district with demand has an open station within this road
        distance of its demand-weighted centre.
    coverage_from_year : int, optional
        First year coverage applies (default: all periods).
    price_target_cny_per_kg : float, optional
        Break-even price target, CNY/kg (reported; the model uses the minimum
        throughputs below).
    price_target_year : int, optional
        First year the price target applies (default: all periods).
    price_target_min_kg_per_day : sequence of float, optional
        Minimum throughput per installed module, kg/day, one per module row, at which
        a module's break-even price reaches the target (see the module docstring).
        Required with ``price_target_cny_per_kg``.
    build_limit_per_year : float, optional
        Most new stations opened per year (expansions not counted); in a period of
        *w* years, at most ``w * build_limit_per_year``.
    max_capacity_factor : float, default 1.0
        Most a station sells on average, as a share of its daily capacity
        (:math:`\\phi`, fraction in (0, 1]): demand peaks within the day, so a station
        planned at nameplate would turn vehicles away at peak hours.
    target_penalty_cny : float, default 1e9
        Penalty per station short of the target and per district-period left
        uncovered, CNY.
    tight_linking : bool, default False
        Add :math:`x_{nst} \\le \\sum_m \\min(d_{nt}, Q_m) z_{smt}` for candidate
        sites: a tighter LP relaxation at the price of one row per assignment.
    covering_rows : bool, default False
        Add :math:`\\sum_{s \\in R_{nt}} \\sum_m z_{smt} + u_{nt}/d_{nt} \\ge 1` for each
        node-period with no existing station in reach: a node is served only with a
        module at one of its sites in reach. Redundant for integer plans, it raises the
        LP bound (one row per node-period), but the larger first LP can slow HiGHS at
        short time limits (README "Performance").
    solver : str, default "highs"
        Pyomo solver name. ``"highs"`` is Pyomo's interface to highspy
        (``pyomo.contrib.solver``); ``"appsi_highs"``, ``"cbc"``, ``"glpk"``,
        ``"gurobi"``, ``"cplex"``, ``"scip"`` and any other name Pyomo's
        ``SolverFactory`` knows also work where installed.
    time_limit_s : float, optional, default 600
        Solver time limit, s.
    mip_gap : float, default 1e-4
        Relative optimality gap at which the solver stops, fraction.
    threads : int, optional
        Solver threads (where the interface supports it).
    solver_options : dict, optional
        Extra options passed to the solver as-is.
    tee : bool, default False
        Stream the solver log.
    heuristic_start : bool, optional
        Start the solver from a greedy plan (see :mod:`h2model.network.solve`).
        ``None`` (default) turns it on for models with more than
        :data:`HEURISTIC_START_BINARIES` binaries, and whenever ``start`` is not
        ``"greedy"``. HiGHS solvers only.
    start : {"greedy", "relax_and_fix"}, default "greedy"
        How the heuristic start builds its plan: ``"greedy"`` by served demand per
        CNY (a max flow per step), ``"relax_and_fix"`` by a relax-and-fix over
        periods guided by the LP relaxation (both in :mod:`h2model.network.solve`).
    method : {"monolithic", "benders", "windows"}, default "monolithic"
        ``"monolithic"`` hands the whole MILP to the solver; ``"benders"`` solves it by
        Benders decomposition (:mod:`h2model.network.benders`: module choices in a
        HiGHS master problem, one transportation LP per period), for large instances.
        ``"windows"`` runs an LP-guided primal heuristic (:mod:`h2model.network.heuristic`:
        the LP relaxation, rounded plans, then fix-and-optimize MILPs over spatial windows
        of sites) and reports its best plan against the LP bound (use with
        ``covering_rows``). With ``"benders"`` or ``"windows"`` the model is built as a
        matrix (no Pyomo rows) and only :func:`h2model.network.solve.solve` can solve it.
        ``"auto"`` picks at build time: ``"windows"`` with ``covering_rows`` and
        ``tight_linking`` (its rows kept as cuts) above :data:`AUTO_WINDOWS_BINARIES`
        ``installed`` columns, else ``"monolithic"`` (the built model's
        ``network_options`` hold the choice).
    """

    max_detour_km: float = 10.0
    max_sites_per_node: int | None = None
    max_supplies_per_site: int | None = None
    detour_cost_cny_per_km_per_kg: float = 0.2
    unmet_penalty_cny_per_kg: float = 1000.0
    station_target_count: int | None = None
    station_target_year: int | None = None
    coverage_km: float | None = None
    coverage_from_year: int | None = None
    price_target_cny_per_kg: float | None = None
    price_target_year: int | None = None
    price_target_min_kg_per_day: tuple[float, ...] | None = None
    build_limit_per_year: float | None = None
    max_capacity_factor: float = 1.0
    target_penalty_cny: float = 1e9
    tight_linking: bool = False
    covering_rows: bool = False
    solver: str = "highs"
    time_limit_s: float | None = 600.0
    mip_gap: float = 1e-4
    threads: int | None = None
    solver_options: dict = field(default_factory=dict)
    tee: bool = False
    heuristic_start: bool | None = None
    start: str = "greedy"
    method: str = "monolithic"

    def __post_init__(self):
        if self.max_detour_km <= 0:
            raise ValueError(f"max_detour_km {self.max_detour_km} must be > 0 km")
        if (self.station_target_count is None) != (self.station_target_year is None):
            raise ValueError("station_target_count and station_target_year go together")
        if self.price_target_cny_per_kg is not None and self.price_target_min_kg_per_day is None:
            raise ValueError(
                "price_target_cny_per_kg needs price_target_min_kg_per_day: the minimum "
                "throughput per module (kg/day) at which its break-even price meets the "
                "target, computed by the caller with the finance engine"
            )
        if self.mip_gap < 0:
            raise ValueError("mip_gap must be >= 0")
        if self.method not in SOLVE_METHODS:
            raise ValueError(f"method {self.method!r} must be one of {', '.join(SOLVE_METHODS)}")
        if self.start not in START_METHODS:
            raise ValueError(f"start {self.start!r} must be one of {', '.join(START_METHODS)}")
        if not 0.0 < self.max_capacity_factor <= 1.0:
            raise ValueError(f"max_capacity_factor {self.max_capacity_factor} must be in (0, 1]")
        for name in ("max_sites_per_node", "max_supplies_per_site"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be >= 1")


@dataclass(eq=False)
class NetworkIndex:
    """Flat-index bookkeeping of a built model (numpy arrays, one entry per variable).

    Attributes
    ----------
    z_site, z_module, z_period : numpy.ndarray
        Site, module and period of each ``installed`` variable.
    x_node, x_site, x_period : numpy.ndarray
        Node, site and period of each ``assign`` variable; ``x_km`` its road km.
    f_supply, f_site, f_period : numpy.ndarray
        Supply, site and period of each ``flow`` variable.
    u_node, u_period : numpy.ndarray
        Node and period of each ``unmet`` variable (one per node-period with demand).
    o_site, o_period : numpy.ndarray
        Site and period of each ``open`` variable (may be empty).
    cov_district, cov_period : numpy.ndarray
        District and period of each ``coverage_short`` variable (may be empty).
    target_period : int or None
        Period of the station target (``None`` when absent or beyond the horizon).
    target_required_new : float
        New stations the target asks for beyond existing ones open then.
    price_site, price_period : numpy.ndarray
        Site-periods under the price-target constraint.
    build_limit_periods : numpy.ndarray
        Periods with a build-limit row.
    covering_unmet : numpy.ndarray
        ``unmet`` columns (node-periods) with a covering row (empty without
        ``covering_rows``).
    start_factor, annual_factor : numpy.ndarray, shape (T,)
        :math:`S_t` and :math:`A_t` of :func:`discount_factors`.
    messages : list of str
        Findings of the pre-checks (targets that cannot be met, unreachable demand).
    variables : dict of str to list
        Pyomo variable data of each variable family, in flat-index order.
    """

    z_site: np.ndarray
    z_module: np.ndarray
    z_period: np.ndarray
    x_node: np.ndarray
    x_site: np.ndarray
    x_period: np.ndarray
    x_km: np.ndarray
    f_supply: np.ndarray
    f_site: np.ndarray
    f_period: np.ndarray
    u_node: np.ndarray
    u_period: np.ndarray
    o_site: np.ndarray
    o_period: np.ndarray
    cov_district: np.ndarray
    cov_period: np.ndarray
    target_period: int | None
    target_required_new: float
    price_site: np.ndarray
    price_period: np.ndarray
    build_limit_periods: np.ndarray
    start_factor: np.ndarray
    annual_factor: np.ndarray
    covering_unmet: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    messages: list = field(default_factory=list)
    variables: dict = field(default_factory=dict)
    build_time_s: float = 0.0


#: Discount factors of the planning periods, :math:`S_t` and :math:`A_t`: the model's one
#: discounting helper for multi-year periods, :func:`h2model.finance.period_discount_factors`
#: (the rate is an argument: ``NetworkData.discount_rate``, read from the case by the adapter).
discount_factors = period_discount_factors


def _var_list(model, name, n, **kwargs):
    var = pyo.Var(range(n), **kwargs)
    model.add_component(name, var)
    return list(var.values())


def _add_rows(model, name, n_rows, row, col, coef, allvars, lower, upper):
    """Add ``lower <= A x <= upper`` from COO triplets, one Pyomo row per index.

    A model with a ``matrix_rows`` list (``method="benders"`` or ``"windows"``) gets the triplets
    appended there instead of Pyomo rows.
    """
    if n_rows == 0:
        return
    sink = getattr(model, "matrix_rows", None)
    if sink is not None:
        sink.append((name, n_rows, row, col, np.asarray(coef, dtype=float), lower, upper))
        return
    order = np.argsort(row, kind="stable")
    row = row[order]
    starts = np.searchsorted(row, np.arange(n_rows + 1)).tolist()
    vlist = allvars[col[order]].tolist()
    clist = np.asarray(coef, dtype=float)[order].tolist()
    lower = np.broadcast_to(np.asarray(lower, dtype=float), (n_rows,)).tolist()
    upper = np.broadcast_to(np.asarray(upper, dtype=float), (n_rows,)).tolist()

    def rule(_m, r):
        a, b = starts[r], starts[r + 1]
        if a == b:
            return pyo.Constraint.Skip
        expr = LinearExpression(linear_coefs=clist[a:b], linear_vars=vlist[a:b])
        lo, up = lower[r], upper[r]
        if lo == up:
            return expr == lo
        return (None if math.isinf(lo) else lo, expr, None if math.isinf(up) else up)

    model.add_component(name, pyo.Constraint(range(n_rows), rule=rule))


def _expand_periods(first_period, n_periods):
    """Repeat items over periods first_period[i]..T-1: (item, period) arrays."""
    count = np.maximum(n_periods - first_period, 0)
    item = np.repeat(np.arange(len(first_period)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return item, np.repeat(first_period, count) + offset


def _position(first, second, shape):
    """Lookup table: position of each (first, second) pair in the given order, -1 elsewhere."""
    row = np.full(shape, -1, np.int64)
    row[first, second] = np.arange(len(first))
    return row


@dataclass(frozen=True)
class _Columns:
    """Every variable of the model in flat column order, and each family's first column.

    The columns are ``installed`` (from ``z``), ``assign`` (``x``), ``flow`` (``f``),
    ``unmet`` (``u``), ``open`` (``o``), ``target_short`` (``ts``) and
    ``coverage_short`` (``c``), in that order; family ``v``'s local index ``i`` is
    column ``v + i`` of ``allvars``.
    """

    allvars: np.ndarray
    z: int
    x: int
    f: int
    u: int
    o: int
    ts: int
    c: int


# --- columns: the sparse tuples each variable family is indexed over ----------------------


def _installed_columns(data, site_t0):
    r"""Site-module-periods of :math:`z_{smt}`, and the sites where modules may be built.

    A module fits a site when the site is available within the horizon
    (``site_t0`` < T), the module is allowed there (``max_per_site`` > 0) and its
    capacity fits the room left, :math:`Q_m \le \bar E_s - E_s`; it is indexed from the
    site's first period ``site_t0`` to the last.

    Returns
    -------
    z_site, z_module, z_period : numpy.ndarray of int
    can_build : numpy.ndarray of bool, shape (S,)
    """
    n_t = len(data.period_year)
    n_s, n_m = data.capex_cny.shape
    sm_site = np.repeat(np.arange(n_s), n_m)
    sm_module = np.tile(np.arange(n_m), n_s)
    room = _site_room(data)
    sm_ok = (
        (site_t0[sm_site] < n_t)
        & (data.module_max_per_site[sm_module] > 0)
        & (data.module_capacity_kg_per_day[sm_module] <= room[sm_site] + 1e-9)
    )
    sm_site, sm_module = sm_site[sm_ok], sm_module[sm_ok]
    sm_i, z_t = _expand_periods(site_t0[sm_site], n_t)
    can_build = np.zeros(n_s, bool)
    can_build[sm_site] = True
    return sm_site[sm_i], sm_module[sm_i], z_t, can_build


def _site_room(data):
    r"""Capacity a site may still add, :math:`\bar E_s - E_s`, kg/day (inf: no limit)."""
    return data.site_max_capacity_kg_per_day - data.site_existing_capacity_kg_per_day


def _assign_columns(data, opt, site_t0, has_capacity):
    r"""Node-site-periods of :math:`x_{nst}`: pairs within ``max_detour_km`` of a site with capacity.

    Among each node's pairs only the ``max_sites_per_node`` nearest are kept (when
    set); a pair is indexed in the periods where the node has demand and the site is
    available.

    Returns
    -------
    x_node, x_site, x_period : numpy.ndarray of int
    x_km : numpy.ndarray
        Road km of each pair.
    """
    demand = data.demand_kg_per_day
    t_idx = np.arange(len(data.period_year))
    keep = (data.pair_km <= opt.max_detour_km) & has_capacity[data.pair_site]
    p_node, p_site, p_km = data.pair_node[keep], data.pair_site[keep], data.pair_km[keep]
    if opt.max_sites_per_node is not None and len(p_node):
        first = np.searchsorted(p_node, p_node, side="left")
        rank = np.arange(len(p_node)) - first
        near = rank < opt.max_sites_per_node
        p_node, p_site, p_km = p_node[near], p_site[near], p_km[near]
    ok = (demand[p_node] > 0) & (t_idx[None, :] >= site_t0[p_site, None])
    x_p, x_t = np.nonzero(ok)
    return p_node[x_p], p_site[x_p], x_t, p_km[x_p]


def _unmet_columns(data, opt, x_node, x_period, messages):
    r"""Node-periods of :math:`u_{nt}`: those some site can serve.

    Demand no site can reach is left out of the model and a message says how much.

    Returns
    -------
    u_node, u_period : numpy.ndarray of int
    """
    demand = data.demand_kg_per_day
    years = data.period_year
    reach_nt = np.zeros(demand.shape, bool)
    reach_nt[x_node, x_period] = True
    u_n, u_t = np.nonzero(reach_nt)
    lost = (demand > 0) & ~reach_nt
    if lost.any():
        never = int((lost.any(axis=1) & ~reach_nt.any(axis=1)).sum())
        lost_t = np.where(lost, demand, 0.0).sum(axis=0)
        worst = int(np.argmax(lost_t))
        messages.append(
            f"demand out of reach: {int(lost.any(axis=1).sum())} demand node(s) have no site "
            f"within max_detour_km = {opt.max_detour_km:g} km in some period ({never} in all); "
            f"unmet, at most {lost_t[worst]:,.0f} kg/day (in {years[worst]}); reported, "
            "not penalised"
        )
    return u_n, u_t


def _unit_supply_cost(data):
    r""":math:`p_k + \ell_{kst}`, production plus delivery cost, CNY/kg, shape (K, S, T)."""
    return data.supply_cost_cny_per_kg[:, None, None] + data.delivery_cny_per_kg


def _flow_columns(data, opt, site_has_x):
    r"""Supply-site-periods of :math:`f_{kst}`.

    Supplies available in *t* with a finite cost to sites with some assignment in *t*
    (``site_has_x``, shape (S, T)); with ``max_supplies_per_site``, only each site's
    cheapest supplies among those available in each period.

    Returns
    -------
    f_supply, f_site, f_period : numpy.ndarray of int
    """
    n_t = len(data.period_year)
    n_k = len(data.supply_lon)
    unit_cost = _unit_supply_cost(data)  # (K, S, T)
    supply_t0 = data.first_period(data.supply_available_from_year)
    supply_on = np.arange(n_t)[None, :] >= supply_t0[:, None]  # (K, T)
    kst_ok = supply_on[:, None, :] & site_has_x[None, :, :] & np.isfinite(unit_cost)  # (K, S, T)
    if opt.max_supplies_per_site is not None and opt.max_supplies_per_site < n_k:
        # the cheapest supplies among those available in each period
        for t in range(n_t):
            cost_t = np.where(supply_on[:, t, None], unit_cost[:, :, t], np.inf)
            rank = np.argsort(np.argsort(cost_t, axis=0, kind="stable"), axis=0)
            kst_ok[:, :, t] &= rank < opt.max_supplies_per_site
    return np.nonzero(kst_ok)


def _open_columns(data, opt, site_t0, can_build):
    r"""Site-periods of :math:`o_{st}`: candidate sites where a module may be built.

    Only when a station target, coverage or build limit needs them (else empty).

    Returns
    -------
    o_site, o_period : numpy.ndarray of int
    """
    need_open = (
        opt.station_target_count is not None
        or opt.coverage_km is not None
        or opt.build_limit_per_year is not None
    )
    if not need_open:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    cand = can_build & ~data.site_existing
    return _expand_periods(np.where(cand, site_t0, len(data.period_year)), len(data.period_year))


def _station_target_check(data, opt, existing_on, o_period, messages):
    r"""Period :math:`t^*` of the station target and the new stations it asks for.

    :math:`t^*` is the first period whose year is at or after ``station_target_year``;
    the target asks for :math:`N^* - \text{existing}_{t^*}` new stations. Returns
    ``(None, 0.0)`` without a target, beyond the horizon (with a message) or when
    existing stations already meet it; a message says when the candidates open by
    :math:`t^*` cannot meet it.

    Returns
    -------
    target_period : int or None
    target_required_new : float
    """
    if opt.station_target_count is None:
        return None, 0.0
    years = data.period_year
    target_period = int(np.searchsorted(years, opt.station_target_year, side="left"))
    if target_period >= len(years):
        messages.append(
            f"station target {opt.station_target_count} by {opt.station_target_year} "
            f"is beyond the last period ({years[-1]}); not applied"
        )
        return None, 0.0
    n_existing = int(existing_on[:, target_period].sum())
    n_cand = int((o_period == target_period).sum())
    target_new = float(opt.station_target_count - n_existing)
    if n_existing + n_cand < opt.station_target_count:
        short = opt.station_target_count - n_existing - n_cand
        messages.append(
            f"station target cannot be met: {opt.station_target_count} stations by "
            f"{opt.station_target_year} need {short} more site(s) than the "
            f"{n_existing + n_cand} available by {years[target_period]} "
            f"({n_existing} existing + {n_cand} candidates)"
        )
    if target_new <= 0:
        return None, target_new
    return target_period, target_new


def _coverage_columns(data, opt, existing_on, o_row, messages):
    r"""District-periods :math:`(d, t)` of ``coverage_short`` and their candidate sites.

    One per district with demand in a period from ``coverage_from_year`` that no
    existing station within ``coverage_km`` of its demand centre covers; its sites
    are the candidates :math:`s` with :math:`\delta_{ds} \le R` and an ``open``
    variable in *t* (``o_row`` >= 0). A message names districts with none.

    Returns
    -------
    cov_district, cov_period : numpy.ndarray of int
    cov_sites : list of numpy.ndarray
        Candidate sites of each coverage row.
    """
    cov_sites: list[np.ndarray] = []
    if opt.coverage_km is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), cov_sites
    years = data.period_year
    node_dpos = np.searchsorted(data.districts.astype(str), data.node_district.astype(str))
    district_demand = np.zeros((len(data.districts), len(years)))
    np.add.at(district_demand, node_dpos, data.demand_kg_per_day)
    within = data.district_site_km <= opt.coverage_km  # (D, S)
    from_year = opt.coverage_from_year if opt.coverage_from_year is not None else years[0]
    rows_d, rows_t = [], []
    for d in range(len(data.districts)):
        sites_d = np.flatnonzero(within[d])
        lacking = []
        for t in np.flatnonzero((district_demand[d] > 0) & (years >= from_year)):
            if existing_on[sites_d, t].any():
                continue
            cand_d = sites_d[o_row[sites_d, t] >= 0]
            if len(cand_d) == 0:
                lacking.append(str(years[t]))
            rows_d.append(d)
            rows_t.append(t)
            cov_sites.append(cand_d)
        if lacking:
            messages.append(
                f"coverage cannot be met: district {data.districts[d]} has no site "
                f"within {opt.coverage_km:g} km of its demand centre in {', '.join(lacking)}"
            )
    return np.asarray(rows_d, np.int64), np.asarray(rows_t, np.int64), cov_sites


def _add_variables(model, data, z_module, n_x, n_f, n_u, n_o, n_ts, n_cov):
    r"""Add the variable families in column order; integer :math:`z_{smt} \le \bar z_m`.

    ``installed`` is binary when every module has ``max_per_site`` 1, else a
    non-negative integer bounded by it; ``open`` lies in [0, 1]; the rest are
    non-negative reals.
    """
    n_z = len(z_module)
    max_z = data.module_max_per_site[z_module] if n_z else np.zeros(0, np.int64)
    if n_z == 0 or (max_z == 1).all():
        zs = _var_list(model, "installed", n_z, domain=pyo.Binary)
    else:
        zs = _var_list(model, "installed", n_z, domain=pyo.NonNegativeIntegers)
        for v, ub in zip(zs, max_z.tolist(), strict=True):
            v.setub(ub)
    families = {
        "installed": zs,
        "assign": _var_list(model, "assign", n_x, domain=pyo.NonNegativeReals),
        "flow": _var_list(model, "flow", n_f, domain=pyo.NonNegativeReals),
        "unmet": _var_list(model, "unmet", n_u, domain=pyo.NonNegativeReals),
        "open": _var_list(model, "open", n_o, domain=pyo.NonNegativeReals, bounds=(0.0, 1.0)),
        "target_short": _var_list(model, "target_short", n_ts, domain=pyo.NonNegativeReals),
        "coverage_short": _var_list(model, "coverage_short", n_cov, domain=pyo.NonNegativeReals),
    }
    first = np.cumsum([0] + [len(v) for v in families.values()])
    allvars = np.empty(first[-1], dtype=object)
    allvars[:] = [v for family in families.values() for v in family]
    cols = _Columns(allvars, *(int(i) for i in first[:-1]))
    return cols, families


# --- objective and constraint families ------------------------------------------------------


def _add_objective(model, cols, data, opt, idx, unit_cost):
    r"""Objective: minimum discounted system cost (module docstring), scaled by :data:`OBJECTIVE_SCALE`.

    .. math::

        \sum_{smt} \big[c_{sm} (S_t - S_{t+1}) + F_m A_t\big] z_{smt}
        + \sum_t 365 A_t \Big(\sum_{ns} \gamma\,\delta_{ns} x_{nst}
        + \sum_{ks} (p_k + \ell_{kst}) f_{kst} + \pi \sum_n u_{nt}\Big)
        + \Pi\,(\text{short} + \sum \text{short}_{dt})

    the module docstring's objective with capex charged on :math:`z_{smt} - z_{sm,t-1}`
    rearranged onto :math:`z_{smt}` (:math:`S_{T+1} = 0`); :math:`S_t, A_t` are
    ``idx.start_factor`` and ``idx.annual_factor``, :math:`c_{sm}` ``data.capex_cny``,
    :math:`F_m` ``data.module_fixed_om_cny_per_year``, :math:`\gamma`
    ``opt.detour_cost_cny_per_km_per_kg``, :math:`\delta_{ns}` ``idx.x_km``,
    :math:`p_k + \ell_{kst}` ``unit_cost``, :math:`\pi` ``opt.unmet_penalty_cny_per_kg``
    and :math:`\Pi` ``opt.target_penalty_cny``.
    """
    start_f, annual_f = idx.start_factor, idx.annual_factor
    op_coef = DAYS_PER_YEAR * annual_f * OBJECTIVE_SCALE  # per kg/day of a CNY/kg cost
    capex_f = (start_f - np.append(start_f[1:], 0.0)) * OBJECTIVE_SCALE
    z_s, z_m, z_t = idx.z_site, idx.z_module, idx.z_period
    n_o, n_short = cols.ts - cols.o, len(cols.allvars) - cols.ts
    cost = np.concatenate(
        [
            data.capex_cny[z_s, z_m] * capex_f[z_t]
            + data.module_fixed_om_cny_per_year[z_m] * annual_f[z_t] * OBJECTIVE_SCALE,
            opt.detour_cost_cny_per_km_per_kg * idx.x_km * op_coef[idx.x_period],
            unit_cost[idx.f_supply, idx.f_site, idx.f_period] * op_coef[idx.f_period],
            opt.unmet_penalty_cny_per_kg * op_coef[idx.u_period],
            np.zeros(n_o),
            np.full(n_short, opt.target_penalty_cny * OBJECTIVE_SCALE),
        ]
    )
    nz = np.flatnonzero(cost)
    model.objective_coefficients = cost  # scaled, one per column (a decomposition reads them)
    model.cost = pyo.Objective(
        expr=LinearExpression(linear_coefs=cost[nz].tolist(), linear_vars=cols.allvars[nz].tolist()),
        sense=pyo.minimize,
    )


def _add_demand_rows(model, cols, idx, demand):
    r"""Demand: every node-period's demand in reach is served or left unmet.

    .. math:: \sum_s x_{nst} + u_{nt} = d_{nt}

    one row per ``unmet`` variable (node ``idx.u_node``, period ``idx.u_period``),
    :math:`d_{nt}` = ``demand`` (kg/day, shape (N, T)).
    """
    n_x, n_u = len(idx.x_node), len(idx.u_node)
    u_row = _position(idx.u_node, idx.u_period, demand.shape)
    _add_rows(
        model,
        "demand",
        n_u,
        np.concatenate([u_row[idx.x_node, idx.x_period], np.arange(n_u)]),
        np.concatenate([cols.x + np.arange(n_x), cols.u + np.arange(n_u)]),
        np.ones(n_x + n_u),
        cols.allvars,
        demand[idx.u_node, idx.u_period],
        demand[idx.u_node, idx.u_period],
    )


def _capacity_row_of(idx, shape):
    """Row of the capacity and balance constraints of each site-period with an assignment.

    Returns the site and period of each row and an (S, T) lookup (-1: no row).
    """
    site_has_x = np.zeros(shape, bool)
    site_has_x[idx.x_site, idx.x_period] = True
    cap_s, cap_t = np.nonzero(site_has_x)
    return cap_s, cap_t, _position(cap_s, cap_t, shape)


def _at(share, *index):
    """A float share as is, or an array share at the index arrays (peak sizing's per-module shares)."""
    return share if np.ndim(share) == 0 else share[index]


def _add_capacity_rows(model, cols, idx, module_capacity_kg_per_day, existing_capacity, phi,
                       phi_existing=None):
    r"""Capacity: a station sells at most :math:`\phi` of its capacity.

    .. math:: \sum_n x_{nst} - \phi \sum_m Q_m z_{smt} \le \phi E_{st}

    one row per site-period with an assignment; :math:`Q_m` =
    ``module_capacity_kg_per_day``, :math:`E_{st}` = ``existing_capacity`` (kg/day,
    shape (S, T), zero before commissioning), :math:`\phi` = ``phi``: a float, or with
    peak sizing an (S, M, T) array per module and ``phi_existing`` (S, T) per existing
    station (:meth:`NetworkData.sells_per_kg_per_day`).
    """
    phi_existing = phi if phi_existing is None else phi_existing
    cap_s, cap_t, cap_row = _capacity_row_of(idx, existing_capacity.shape)
    z_row = cap_row[idx.z_site, idx.z_period]
    zin = z_row >= 0
    _add_rows(
        model,
        "capacity",
        len(cap_s),
        np.concatenate([cap_row[idx.x_site, idx.x_period], z_row[zin]]),
        np.concatenate([cols.x + np.arange(len(idx.x_node)), cols.z + np.flatnonzero(zin)]),
        np.concatenate([np.ones(len(idx.x_node)),
                        -_at(phi, idx.z_site[zin], idx.z_module[zin], idx.z_period[zin])
                        * module_capacity_kg_per_day[idx.z_module[zin]]]),
        cols.allvars,
        -np.inf,
        _at(phi_existing, cap_s, cap_t) * existing_capacity[cap_s, cap_t],
    )


def _add_balance_rows(model, cols, idx, shape):
    r"""Balance: what a station sells is delivered to it.

    .. math:: \sum_k f_{kst} - \sum_n x_{nst} = 0

    one row per site-period with an assignment (``shape`` = (S, T)).
    """
    cap_s, _, cap_row = _capacity_row_of(idx, shape)
    n_x, n_f = len(idx.x_node), len(idx.f_supply)
    _add_rows(
        model,
        "balance",
        len(cap_s),
        np.concatenate([cap_row[idx.f_site, idx.f_period], cap_row[idx.x_site, idx.x_period]]),
        np.concatenate([cols.f + np.arange(n_f), cols.x + np.arange(n_x)]),
        np.concatenate([np.ones(n_f), -np.ones(n_x)]),
        cols.allvars,
        0.0,
        0.0,
    )


def _add_supply_capacity_rows(model, cols, idx, supply_capacity_kg_per_day, n_t):
    r"""Supply capacity: a source delivers at most its capacity.

    .. math:: \sum_s f_{kst} \le C_k

    one row per supply-period with a flow; :math:`C_k` = ``supply_capacity_kg_per_day``.
    """
    n_f = len(idx.f_supply)
    used, sup_row = np.unique(idx.f_supply * n_t + idx.f_period, return_inverse=True)
    _add_rows(
        model,
        "supply_capacity",
        len(used),
        sup_row,
        cols.f + np.arange(n_f),
        np.ones(n_f),
        cols.allvars,
        -np.inf,
        supply_capacity_kg_per_day[used // n_t],
    )


def _add_monotone_rows(model, cols, idx):
    r"""Monotone installation: capacity once installed stays.

    .. math:: z_{sm,t-1} - z_{smt} \le 0

    one row per consecutive pair of ``installed`` columns of the same site and module.
    """
    z_s, z_m, z_t = idx.z_site, idx.z_module, idx.z_period
    nxt = np.flatnonzero(z_t[:-1] + 1 == z_t[1:]) if len(z_s) > 1 else np.zeros(0, np.int64)
    nxt = nxt[(z_s[nxt] == z_s[nxt + 1]) & (z_m[nxt] == z_m[nxt + 1])]
    _add_rows(
        model,
        "monotone",
        len(nxt),
        np.concatenate([np.arange(len(nxt)), np.arange(len(nxt))]),
        np.concatenate([cols.z + nxt, cols.z + nxt + 1]),
        np.concatenate([np.ones(len(nxt)), -np.ones(len(nxt))]),
        cols.allvars,
        -np.inf,
        0.0,
    )


def _add_site_size_rows(model, cols, idx, module_capacity_kg_per_day, room, n_t):
    r"""Site size: the modules of the last period fit the room left at the site.

    .. math:: \sum_m Q_m z_{sm,T} \le \bar E_s - E_s

    one row per site with a finite ``room`` (:math:`\bar E_s - E_s`, kg/day);
    :math:`Q_m` = ``module_capacity_kg_per_day``.
    """
    last = np.flatnonzero((idx.z_period == n_t - 1) & np.isfinite(room[idx.z_site]))
    size_sites, size_row = np.unique(idx.z_site[last], return_inverse=True)
    _add_rows(
        model,
        "site_size",
        len(size_sites),
        size_row,
        cols.z + last,
        module_capacity_kg_per_day[idx.z_module[last]],
        cols.allvars,
        -np.inf,
        room[size_sites],
    )


def _open_links(idx, shape):
    """``installed`` columns at a site-period with an ``open`` variable, and that variable."""
    zo = _position(idx.o_site, idx.o_period, shape)[idx.z_site, idx.z_period]
    zc = np.flatnonzero(zo >= 0)
    return zc, zo[zc]


def _add_open_link_rows(model, cols, idx, shape):
    r"""Open-station link (upper): a site is open only with a module installed.

    .. math:: o_{st} - \sum_m z_{smt} \le 0

    one row per ``open`` variable (``shape`` = (S, T)).
    """
    n_o = len(idx.o_site)
    if not n_o:
        return
    zc, zo = _open_links(idx, shape)
    _add_rows(
        model,
        "open_link",
        n_o,
        np.concatenate([np.arange(n_o), zo]),
        np.concatenate([cols.o + np.arange(n_o), cols.z + zc]),
        np.concatenate([np.ones(n_o), -np.ones(len(zc))]),
        cols.allvars,
        -np.inf,
        0.0,
    )


def _add_build_limit_rows(model, cols, idx, module_max_per_site, limit_per_period, shape):
    r"""Build limit: at most :math:`L\,w_t` new stations open in period *t*.

    .. math::

        o_{st} - z_{smt}/\bar z_m &\ge 0 \quad\text{(open-station link, lower)}\\
        \sum_s (o_{st} - o_{s,t-1}) &\le L\,w_t

    with :math:`\bar z_m` = ``module_max_per_site`` and :math:`L\,w_t` =
    ``limit_per_period`` (stations, shape (T,)); the lower link makes :math:`o_{st}`
    one wherever a module is installed, so opening is counted.

    Returns
    -------
    numpy.ndarray
        Periods with a build-limit row.
    """
    o_t = idx.o_period
    n_o, n_t = len(o_t), shape[1]
    if not n_o:
        return np.zeros(0, np.int64)
    zc, zo = _open_links(idx, shape)
    _add_rows(
        model,
        "open_lower",
        len(zc),
        np.concatenate([np.arange(len(zc)), np.arange(len(zc))]),
        np.concatenate([cols.o + zo, cols.z + zc]),
        np.concatenate([np.ones(len(zc)), -1.0 / module_max_per_site[idx.z_module[zc]]]),
        cols.allvars,
        0.0,
        np.inf,
    )
    # new stations in t: sum_s o[s, t] - o[s, t-1]
    has_next = o_t + 1 < n_t
    _add_rows(
        model,
        "build_limit",
        n_t,
        np.concatenate([o_t, o_t[has_next] + 1]),
        np.concatenate([cols.o + np.arange(n_o), cols.o + np.flatnonzero(has_next)]),
        np.concatenate([np.ones(n_o), -np.ones(int(has_next.sum()))]),
        cols.allvars,
        -np.inf,
        limit_per_period,
    )
    return np.unique(o_t)


def _add_station_target_row(model, cols, idx):
    r"""Station target: enough candidate stations open in the target period :math:`t^*`.

    .. math:: \sum_s o_{st^*} + \text{short} \ge N^* - \text{existing}_{t^*}

    with :math:`t^*` = ``idx.target_period`` and the right-hand side
    ``idx.target_required_new`` (:func:`_station_target_check`).
    """
    if idx.target_period is None:
        return
    at = np.flatnonzero(idx.o_period == idx.target_period)
    _add_rows(
        model,
        "station_target",
        1,
        np.zeros(len(at) + 1, np.int64),
        np.concatenate([cols.o + at, [cols.ts]]),
        np.ones(len(at) + 1),
        cols.allvars,
        idx.target_required_new,
        np.inf,
    )


def _add_coverage_rows(model, cols, idx, cov_sites, shape):
    r"""Coverage: a station open within :math:`R` of every district's demand centre.

    .. math:: \sum_{s:\,\delta_{ds}\le R} o_{st} + \text{short}_{dt} \ge 1

    one row per district-period of ``idx.cov_district``, ``idx.cov_period``
    (:func:`_coverage_columns`), summing its candidate sites ``cov_sites``.
    """
    n_cov = len(idx.cov_district)
    if not n_cov:
        return
    o_row = _position(idx.o_site, idx.o_period, shape)
    lens = np.array([len(c) for c in cov_sites], np.int64)
    sites_cat = np.concatenate(cov_sites) if lens.sum() else np.zeros(0, np.int64)
    rows_rep = np.repeat(np.arange(n_cov), lens)
    _add_rows(
        model,
        "coverage",
        n_cov,
        np.concatenate([rows_rep, np.arange(n_cov)]),
        np.concatenate([cols.o + o_row[sites_cat, idx.cov_period[rows_rep]], cols.c + np.arange(n_cov)]),
        np.ones(len(sites_cat) + n_cov),
        cols.allvars,
        1.0,
        np.inf,
    )


def _add_price_target_rows(model, cols, idx, opt, years, n_modules, shape):
    r"""Price target: a station sells at least its modules' minimum throughput.

    .. math:: \sum_n x_{nst} - \sum_m q_m z_{smt} \ge 0, \quad y_t \ge y^{price}

    with :math:`q_m` = ``opt.price_target_min_kg_per_day`` (kg/day per module, one per
    module) and :math:`y^{price}` = ``opt.price_target_year`` (default: the first
    period); one row per site-period with a module of :math:`q_m > 0`.

    Returns
    -------
    price_site, price_period : numpy.ndarray of int
        Site-periods under the constraint.

    Raises
    ------
    ValueError
        If :math:`q_m` is not one value per module.
    """
    if opt.price_target_cny_per_kg is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    q = np.asarray(opt.price_target_min_kg_per_day, dtype=float)
    if q.shape != (n_modules,):
        raise ValueError(
            f"price_target_min_kg_per_day has {q.size} value(s); need one per module ({n_modules})"
        )
    n_t = shape[1]
    z_s, z_m, z_t = idx.z_site, idx.z_module, idx.z_period
    p_year = opt.price_target_year if opt.price_target_year is not None else years[0]
    zp = np.flatnonzero((years[z_t] >= p_year) & (q[z_m] > 0))
    key = z_s[zp] * n_t + z_t[zp]
    pkeys, prow_z = np.unique(key, return_inverse=True)
    price_site, price_period = pkeys // n_t, pkeys % n_t
    xr = _position(price_site, price_period, shape)[idx.x_site, idx.x_period]
    xin = np.flatnonzero(xr >= 0)
    _add_rows(
        model,
        "price_target",
        len(pkeys),
        np.concatenate([xr[xin], prow_z]),
        np.concatenate([cols.x + xin, cols.z + zp]),
        np.concatenate([np.ones(len(xin)), -q[z_m[zp]]]),
        cols.allvars,
        0.0,
        np.inf,
    )
    return price_site, price_period


def _installed_at(idx, site, period, n_t):
    r"""The ``installed`` columns of each given site-period: all its modules.

    Parameters
    ----------
    idx : NetworkIndex
    site, period : numpy.ndarray of int
        Site-periods to look up, one per item.
    n_t : int
        Number of periods.

    Returns
    -------
    item, z_column : numpy.ndarray of int
        One entry per (item, ``installed`` column of its site-period), in item order.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> idx = SimpleNamespace(z_site=np.array([0, 0, 1, 1]), z_period=np.array([0, 1, 0, 1]))
    >>> item, z = _installed_at(idx, np.array([1, 0, 2]), np.array([1, 1, 0]), 2)
    >>> item.tolist(), z.tolist()
    ([0, 1], [3, 1])
    """
    zkey = idx.z_site * n_t + idx.z_period
    zorder = np.argsort(zkey, kind="stable")
    zsorted = zkey[zorder]
    key = site * n_t + period
    lo = np.searchsorted(zsorted, key, side="left")
    hi = np.searchsorted(zsorted, key, side="right")
    cnt = hi - lo
    item = np.repeat(np.arange(len(key)), cnt)
    zpos = zorder[np.repeat(lo, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))]
    return item, zpos


def _add_tight_linking_rows(model, cols, idx, demand, module_capacity_kg_per_day, phi, site_existing):
    r"""Tight linking (optional): assign to a candidate site only what its modules can take.

    .. math:: x_{nst} - \sum_m \min(d_{nt}, \phi Q_m) z_{smt} \le 0

    one row per ``assign`` column at a candidate (not ``site_existing``) site, with
    :math:`d_{nt}` = ``demand``, :math:`Q_m` = ``module_capacity_kg_per_day`` and
    :math:`\phi` = ``phi``: redundant for integer :math:`z`, it tightens the LP
    relaxation.
    """
    x_n, x_s, x_t = idx.x_node, idx.x_site, idx.x_period
    xl = np.flatnonzero(~site_existing[x_s])
    # z columns for (s, t) of each linked assignment: all modules of that site-period
    rows_rep, zpos = _installed_at(idx, x_s[xl], x_t[xl], demand.shape[1])
    d_rep = demand[x_n[xl], x_t[xl]][rows_rep]
    _add_rows(
        model,
        "link",
        len(xl),
        np.concatenate([np.arange(len(xl)), rows_rep]),
        np.concatenate([cols.x + xl, cols.z + zpos]),
        np.concatenate(
            [np.ones(len(xl)),
             -np.minimum(d_rep, _at(phi, idx.z_site[zpos], idx.z_module[zpos], idx.z_period[zpos])
                         * module_capacity_kg_per_day[idx.z_module[zpos]])]
        ),
        cols.allvars,
        -np.inf,
        0.0,
    )


def _add_covering_rows(model, cols, idx, demand, existing_capacity):
    r"""Covering (optional): a node's demand is served only with a module in reach, or left unmet.

    .. math:: \sum_{s \in R_{nt}} \sum_m z_{smt} + u_{nt} / d_{nt} \ge 1

    one row per ``unmet`` variable (node-period) none of whose sites in reach
    :math:`R_{nt}` (the sites of its ``assign`` columns) has existing capacity in *t*
    (``existing_capacity``, kg/day, shape (S, T)); :math:`d_{nt}` = ``demand``. Valid
    for every integer plan: a node served in part (:math:`u_{nt} < d_{nt}`) sends
    some :math:`x_{nst} > 0` to a site in reach, whose capacity, with no existing
    station there, is its modules'. Redundant for integer :math:`z`, it stops the LP
    relaxation from serving a node with a fraction of a module at each of many sites.

    Returns
    -------
    numpy.ndarray of int
        The ``unmet`` columns (node-periods) with a covering row.
    """
    n_t = demand.shape[1]
    u_row = _position(idx.u_node, idx.u_period, demand.shape)
    x_row = u_row[idx.x_node, idx.x_period]
    existing_near = np.zeros(len(idx.u_node), bool)
    existing_near[x_row[existing_capacity[idx.x_site, idx.x_period] > 0]] = True
    covered = np.flatnonzero(~existing_near)
    row_of_u = np.full(len(idx.u_node), -1, np.int64)
    row_of_u[covered] = np.arange(len(covered))
    xc = np.flatnonzero(row_of_u[x_row] >= 0)
    item, zpos = _installed_at(idx, idx.x_site[xc], idx.x_period[xc], n_t)
    _add_rows(
        model,
        "covering",
        len(covered),
        np.concatenate([row_of_u[x_row[xc]][item], np.arange(len(covered))]),
        np.concatenate([cols.z + zpos, cols.u + covered]),
        np.concatenate([np.ones(len(zpos)), 1.0 / demand[idx.u_node[covered], idx.u_period[covered]]]),
        cols.allvars,
        1.0,
        np.inf,
    )
    return covered


def resolve_method(options: NetworkOptions, n_installed: int) -> NetworkOptions:
    """The options with ``method="auto"`` resolved for a model of ``n_installed`` module columns.

    Examples
    --------
    >>> resolve_method(NetworkOptions(method="auto"), 100).method
    'monolithic'
    >>> big = resolve_method(NetworkOptions(method="auto"), AUTO_WINDOWS_BINARIES + 1)
    >>> big.method, big.covering_rows, big.tight_linking
    ('windows', True, True)
    >>> resolve_method(NetworkOptions(method="benders"), 10**6).method
    'benders'
    """
    if options.method != "auto":
        return options
    if n_installed > AUTO_WINDOWS_BINARIES:
        return dataclasses.replace(options, method="windows", covering_rows=True, tight_linking=True)
    return dataclasses.replace(options, method="monolithic")


# --- the model --------------------------------------------------------------------------------


def build_model(data: NetworkData, options: NetworkOptions | None = None) -> pyo.ConcreteModel:
    """Build the network-plan MILP as a Pyomo ``ConcreteModel``.

    The formulation is in the module docstring; each constraint family is added by
    its own function below, in this order (the model's rows keep it). Variables are
    indexed by flat integers over precomputed sparse tuples; ``model.network_index``
    (:class:`NetworkIndex`) maps them back to sites, modules, nodes, supplies and
    periods, and carries pre-check messages and the build time.

    Parameters
    ----------
    data : NetworkData
        From :func:`h2model.network.prepare.prepare`.
    options : NetworkOptions, optional
        Defaults to ``NetworkOptions()``.

    Returns
    -------
    pyomo.environ.ConcreteModel

    Raises
    ------
    ValueError
        If an option does not fit the data (detour beyond the prepared pair radius,
        price-target minimums not one per module).
    """
    t_start = perf_counter()
    opt = options or NetworkOptions()
    if opt.max_detour_km > data.max_pair_km:
        raise ValueError(
            f"max_detour_km {opt.max_detour_km} exceeds the pair radius {data.max_pair_km} km "
            "the data were prepared with; call prepare(..., max_pair_km=...) with a larger one"
        )
    years = data.period_year
    n_t = len(years)
    n_s, n_m = data.capex_cny.shape
    shape = (n_s, n_t)  # site-period arrays
    messages: list[str] = []
    site_t0 = data.first_period(data.site_available_from_year)
    existing_on = data.site_existing[:, None] & (np.arange(n_t)[None, :] >= site_t0[:, None])
    existing_cap = data.site_existing_capacity_kg_per_day[:, None] * existing_on  # (S, T)
    phi, phi_existing = data.sells_per_kg_per_day(opt.max_capacity_factor)  # sales per kg/day of capacity

    # columns of each variable family, with the pre-checks' messages
    z_s, z_m, z_t, can_build = _installed_columns(data, site_t0)
    opt = resolve_method(opt, len(z_s))
    x_n, x_s, x_t, x_km = _assign_columns(data, opt, site_t0, can_build | data.site_existing)
    u_n, u_t = _unmet_columns(data, opt, x_n, x_t, messages)
    site_has_x = np.zeros(shape, bool)
    site_has_x[x_s, x_t] = True
    f_k, f_s, f_t = _flow_columns(data, opt, site_has_x)
    o_site, o_t = _open_columns(data, opt, site_t0, can_build)
    target_period, target_new = _station_target_check(data, opt, existing_on, o_t, messages)
    cov_d, cov_t, cov_sites = _coverage_columns(
        data, opt, existing_on, _position(o_site, o_t, shape), messages
    )
    start_f, annual_f = discount_factors(years, data.period_weight_years, data.discount_rate)
    empty = np.zeros(0, np.int64)
    idx = NetworkIndex(
        z_site=z_s, z_module=z_m, z_period=z_t,
        x_node=x_n, x_site=x_s, x_period=x_t, x_km=x_km,
        f_supply=f_k, f_site=f_s, f_period=f_t,
        u_node=u_n, u_period=u_t,
        o_site=o_site, o_period=o_t,
        cov_district=cov_d, cov_period=cov_t,
        target_period=target_period, target_required_new=target_new,
        price_site=empty, price_period=empty, build_limit_periods=empty,
        start_factor=start_f, annual_factor=annual_f,
        messages=messages,
    )  # fmt: skip

    model = pyo.ConcreteModel(name="h2_network_plan")
    if opt.method in ("benders", "windows"):
        model.matrix_rows = []  # rows as COO triplets (_add_rows), read by benders.py and heuristic.py
    cols, idx.variables = _add_variables(
        model, data, z_m, len(x_n), len(f_k), len(u_n), len(o_site),
        int(target_period is not None), len(cov_d),
    )  # fmt: skip
    _add_objective(model, cols, data, opt, idx, _unit_supply_cost(data))
    _add_demand_rows(model, cols, idx, data.demand_kg_per_day)
    _add_capacity_rows(model, cols, idx, data.module_capacity_kg_per_day, existing_cap, phi, phi_existing)
    _add_balance_rows(model, cols, idx, shape)
    _add_supply_capacity_rows(model, cols, idx, data.supply_capacity_kg_per_day, n_t)
    _add_monotone_rows(model, cols, idx)
    _add_site_size_rows(model, cols, idx, data.module_capacity_kg_per_day, _site_room(data), n_t)
    _add_open_link_rows(model, cols, idx, shape)
    if opt.build_limit_per_year is not None:
        idx.build_limit_periods = _add_build_limit_rows(
            model, cols, idx, data.module_max_per_site,
            opt.build_limit_per_year * data.period_weight_years, shape,
        )  # fmt: skip
    _add_station_target_row(model, cols, idx)
    _add_coverage_rows(model, cols, idx, cov_sites, shape)
    idx.price_site, idx.price_period = _add_price_target_rows(model, cols, idx, opt, years, n_m, shape)
    if opt.tight_linking and len(x_n):
        _add_tight_linking_rows(
            model, cols, idx, data.demand_kg_per_day, data.module_capacity_kg_per_day, phi,
            data.site_existing,
        )  # fmt: skip
    if opt.covering_rows:
        idx.covering_unmet = _add_covering_rows(model, cols, idx, data.demand_kg_per_day, existing_cap)

    model.network_index = idx
    model.network_options = opt
    model.network_data = data
    idx.build_time_s = perf_counter() - t_start
    return model
