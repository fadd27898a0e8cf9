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
        &\text{(price target)}

where :math:`\phi` is the most a station sells as a share of its daily capacity
(``max_capacity_factor``), :math:`E_{st}` an existing station's capacity from its commissioning year,
:math:`Q_m` module capacity, :math:`C_k` supply capacity, :math:`t^*` the first
period whose year is at or after the target year, and :math:`q_m` the caller's
minimum throughput (below) per module.

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

import math
from dataclasses import dataclass, field
from time import perf_counter

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr import LinearExpression

from h2model.network.prepare import NetworkData

__all__ = [
    "DAYS_PER_YEAR",
    "HEURISTIC_START_BINARIES",
    "OBJECTIVE_SCALE",
    "NetworkIndex",
    "NetworkOptions",
    "build_model",
    "discount_factors",
]

#: Days of operation per year used to turn kg/day into kg/year.
DAYS_PER_YEAR = 365.0
#: The objective is expressed in units of 100,000 CNY for the solver's numerics.
OBJECTIVE_SCALE = 1e-5
#: Above this many binaries ``heuristic_start=None`` means a heuristic start.
HEURISTIC_START_BINARIES = 2_500


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
        :data:`HEURISTIC_START_BINARIES` binaries. HiGHS solvers only.
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
    solver: str = "highs"
    time_limit_s: float | None = 600.0
    mip_gap: float = 1e-4
    threads: int | None = None
    solver_options: dict = field(default_factory=dict)
    tee: bool = False
    heuristic_start: bool | None = None

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
    messages: list = field(default_factory=list)
    variables: dict = field(default_factory=dict)
    build_time_s: float = 0.0


def discount_factors(period_year, period_weight_years, discount_rate):
    r"""Discount factors of each period's first year and of all its years.

    .. math::

        S_t = (1+r)^{-(y_t - w_t + 1 - y_0)}, \qquad
        A_t = \sum_{y = y_t - w_t + 1}^{y_t} (1+r)^{-(y - y_0)}

    with :math:`y_0 = y_1 - w_1 + 1` the first year of the first period.

    Parameters
    ----------
    period_year : array_like of int, shape (T,)
        Last year of each period.
    period_weight_years : array_like of int, shape (T,)
        Years each period stands for.
    discount_rate : float
        Real discount rate *r*, fraction per year.

    Returns
    -------
    start_factor, annual_factor : numpy.ndarray, shape (T,)
        :math:`S_t` (dimensionless) and :math:`A_t` (years).

    Examples
    --------
    >>> s, a = discount_factors([2021, 2023], [1, 2], 0.1)
    >>> [round(float(v), 6) for v in s], [round(float(v), 6) for v in a]
    ([1.0, 0.909091], [1.0, 1.735537])
    """
    year = np.asarray(period_year, dtype=float)
    weight = np.asarray(period_weight_years, dtype=float)
    first = year - weight + 1.0
    y0 = first[0]
    v = 1.0 / (1.0 + discount_rate)
    start = v ** (first - y0)
    if discount_rate == 0:
        annual = weight.copy()
    else:
        annual = start * (1.0 - v**weight) / (1.0 - v)
    return start, annual


def _var_list(model, name, n, **kwargs):
    var = pyo.Var(range(n), **kwargs)
    model.add_component(name, var)
    return list(var.values())


def _add_rows(model, name, n_rows, row, col, coef, allvars, lower, upper):
    """Add ``lower <= A x <= upper`` from COO triplets, one Pyomo row per index."""
    if n_rows == 0:
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


def build_model(data: NetworkData, options: NetworkOptions | None = None) -> pyo.ConcreteModel:
    """Build the network-plan MILP as a Pyomo ``ConcreteModel``.

    The formulation is in the module docstring. Variables are indexed by flat
    integers over precomputed sparse tuples; ``model.network_index``
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
    n_n = len(data.node_lon)
    demand = data.demand_kg_per_day
    messages: list[str] = []

    start_f, annual_f = discount_factors(years, data.period_weight_years, data.discount_rate)
    op_coef = DAYS_PER_YEAR * annual_f * OBJECTIVE_SCALE  # per kg/day of a CNY/kg cost
    capex_f = (start_f - np.append(start_f[1:], 0.0)) * OBJECTIVE_SCALE

    site_t0 = data.first_period(data.site_available_from_year)
    supply_t0 = data.first_period(data.supply_available_from_year)
    t_idx = np.arange(n_t)
    existing_on = data.site_existing[:, None] & (t_idx[None, :] >= site_t0[:, None])
    existing_cap = data.site_existing_capacity_kg_per_day[:, None] * existing_on  # (S, T)
    phi = opt.max_capacity_factor  # sales per kg/day of capacity

    # --- installed modules z[s, m, t] ------------------------------------------------
    sm_site = np.repeat(np.arange(n_s), n_m)
    sm_module = np.tile(np.arange(n_m), n_s)
    room = data.site_max_capacity_kg_per_day - data.site_existing_capacity_kg_per_day
    sm_ok = (
        (site_t0[sm_site] < n_t)
        & (data.module_max_per_site[sm_module] > 0)
        & (data.module_capacity_kg_per_day[sm_module] <= room[sm_site] + 1e-9)
    )
    sm_site, sm_module = sm_site[sm_ok], sm_module[sm_ok]
    sm_i, z_t = _expand_periods(site_t0[sm_site], n_t)
    z_s, z_m = sm_site[sm_i], sm_module[sm_i]
    n_z = len(z_s)
    can_build = np.zeros(n_s, bool)
    can_build[sm_site] = True
    has_capacity = can_build | data.site_existing

    # --- assignments x[n, s, t] ------------------------------------------------------
    keep = (data.pair_km <= opt.max_detour_km) & has_capacity[data.pair_site]
    p_node, p_site, p_km = data.pair_node[keep], data.pair_site[keep], data.pair_km[keep]
    if opt.max_sites_per_node is not None and len(p_node):
        first = np.searchsorted(p_node, p_node, side="left")
        rank = np.arange(len(p_node)) - first
        near = rank < opt.max_sites_per_node
        p_node, p_site, p_km = p_node[near], p_site[near], p_km[near]
    ok = (demand[p_node] > 0) & (t_idx[None, :] >= site_t0[p_site, None])
    x_p, x_t = np.nonzero(ok)
    x_n, x_s, x_km = p_node[x_p], p_site[x_p], p_km[x_p]
    n_x = len(x_n)
    st_has_x = np.zeros((n_s, n_t), bool)
    st_has_x[x_s, x_t] = True

    # --- unmet demand u[n, t], for node-periods some site can serve ---------------------
    reach_nt = np.zeros((n_n, n_t), bool)
    reach_nt[x_n, x_t] = True
    u_n, u_t = np.nonzero(reach_nt)
    n_u = len(u_n)
    u_row = np.full((n_n, n_t), -1, np.int64)
    u_row[u_n, u_t] = np.arange(n_u)
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

    # --- supply flows f[k, s, t] -----------------------------------------------------
    n_k = len(data.supply_lon)
    unit_cost = data.supply_cost_cny_per_kg[:, None, None] + data.delivery_cny_per_kg  # (K, S, T)
    supply_on = t_idx[None, :] >= supply_t0[:, None]  # (K, T)
    kst_ok = supply_on[:, None, :] & st_has_x[None, :, :] & np.isfinite(unit_cost)  # (K, S, T)
    if opt.max_supplies_per_site is not None and opt.max_supplies_per_site < n_k:
        # the cheapest supplies among those available in each period
        for t in range(n_t):
            cost_t = np.where(supply_on[:, t, None], unit_cost[:, :, t], np.inf)
            rank = np.argsort(np.argsort(cost_t, axis=0, kind="stable"), axis=0)
            kst_ok[:, :, t] &= rank < opt.max_supplies_per_site
    f_k, f_s, f_t = np.nonzero(kst_ok)
    n_f = len(f_k)

    # --- open stations o[s, t] (only when a target, coverage or build limit needs it) -
    target_on = opt.station_target_count is not None
    coverage_on = opt.coverage_km is not None
    limit_on = opt.build_limit_per_year is not None
    need_open = target_on or coverage_on or limit_on
    if need_open:
        cand = can_build & ~data.site_existing
        o_site, o_t = _expand_periods(np.where(cand, site_t0, n_t), n_t)
    else:
        o_site, o_t = np.zeros(0, np.int64), np.zeros(0, np.int64)
    n_o = len(o_site)
    o_row = np.full((n_s, n_t), -1, np.int64)
    o_row[o_site, o_t] = np.arange(n_o)

    # --- station-count target (pre-check + row) ---------------------------------------
    target_period = None
    target_new = 0.0
    if target_on:
        target_period = int(np.searchsorted(years, opt.station_target_year, side="left"))
        if target_period >= n_t:
            messages.append(
                f"station target {opt.station_target_count} by {opt.station_target_year} "
                f"is beyond the last period ({years[-1]}); not applied"
            )
            target_period = None
        else:
            n_existing = int(existing_on[:, target_period].sum())
            n_cand = int((o_t == target_period).sum())
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
                target_period = None
    n_ts = 1 if target_period is not None else 0

    # --- coverage ---------------------------------------------------------------------
    cov_d = np.zeros(0, np.int64)
    cov_t = np.zeros(0, np.int64)
    cov_sites: list[np.ndarray] = []
    if coverage_on:
        node_dpos = np.searchsorted(data.districts.astype(str), data.node_district.astype(str))
        district_demand = np.zeros((len(data.districts), n_t))
        np.add.at(district_demand, node_dpos, demand)
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
        cov_d = np.asarray(rows_d, np.int64)
        cov_t = np.asarray(rows_t, np.int64)
    n_cov = len(cov_d)

    # --- variables ---------------------------------------------------------------------
    model = pyo.ConcreteModel(name="h2_network_plan")
    max_z = data.module_max_per_site[z_m] if n_z else np.zeros(0, np.int64)
    if n_z == 0 or (max_z == 1).all():
        zs = _var_list(model, "installed", n_z, domain=pyo.Binary)
    else:
        zs = _var_list(model, "installed", n_z, domain=pyo.NonNegativeIntegers)
        for v, ub in zip(zs, max_z.tolist(), strict=True):
            v.setub(ub)
    xs = _var_list(model, "assign", n_x, domain=pyo.NonNegativeReals)
    fs = _var_list(model, "flow", n_f, domain=pyo.NonNegativeReals)
    us = _var_list(model, "unmet", n_u, domain=pyo.NonNegativeReals)
    os_ = _var_list(model, "open", n_o, domain=pyo.NonNegativeReals, bounds=(0.0, 1.0))
    ts = _var_list(model, "target_short", n_ts, domain=pyo.NonNegativeReals)
    cs = _var_list(model, "coverage_short", n_cov, domain=pyo.NonNegativeReals)
    off_z = 0
    off_x = off_z + n_z
    off_f = off_x + n_x
    off_u = off_f + n_f
    off_o = off_u + n_u
    off_ts = off_o + n_o
    off_c = off_ts + n_ts
    allvars = np.empty(off_c + n_cov, dtype=object)
    allvars[:] = zs + xs + fs + us + os_ + ts + cs

    # --- objective ---------------------------------------------------------------------
    cost = np.concatenate(
        [
            data.capex_cny[z_s, z_m] * capex_f[z_t]
            + data.module_fixed_om_cny_per_year[z_m] * annual_f[z_t] * OBJECTIVE_SCALE,
            opt.detour_cost_cny_per_km_per_kg * x_km * op_coef[x_t],
            unit_cost[f_k, f_s, f_t] * op_coef[f_t],
            opt.unmet_penalty_cny_per_kg * op_coef[u_t],
            np.zeros(n_o),
            np.full(n_ts + n_cov, opt.target_penalty_cny * OBJECTIVE_SCALE),
        ]
    )
    nz = np.flatnonzero(cost)
    model.cost = pyo.Objective(
        expr=LinearExpression(linear_coefs=cost[nz].tolist(), linear_vars=allvars[nz].tolist()),
        sense=pyo.minimize,
    )

    # --- constraints -------------------------------------------------------------------
    # demand: sum_s x + u = d
    _add_rows(
        model,
        "demand",
        n_u,
        np.concatenate([u_row[x_n, x_t], np.arange(n_u)]),
        np.concatenate([off_x + np.arange(n_x), off_u + np.arange(n_u)]),
        np.ones(n_x + n_u),
        allvars,
        demand[u_n, u_t],
        demand[u_n, u_t],
    )

    # capacity and balance rows for site-periods with assignments
    cap_s, cap_t = np.nonzero(st_has_x)
    n_cap = len(cap_s)
    cap_row = np.full((n_s, n_t), -1, np.int64)
    cap_row[cap_s, cap_t] = np.arange(n_cap)
    z_row = cap_row[z_s, z_t]
    zin = z_row >= 0
    _add_rows(
        model,
        "capacity",
        n_cap,
        np.concatenate([cap_row[x_s, x_t], z_row[zin]]),
        np.concatenate([off_x + np.arange(n_x), off_z + np.flatnonzero(zin)]),
        np.concatenate([np.ones(n_x), -phi * data.module_capacity_kg_per_day[z_m[zin]]]),
        allvars,
        -np.inf,
        phi * existing_cap[cap_s, cap_t],
    )
    _add_rows(
        model,
        "balance",
        n_cap,
        np.concatenate([cap_row[f_s, f_t], cap_row[x_s, x_t]]),
        np.concatenate([off_f + np.arange(n_f), off_x + np.arange(n_x)]),
        np.concatenate([np.ones(n_f), -np.ones(n_x)]),
        allvars,
        0.0,
        0.0,
    )

    # supply capacity: sum_s f <= C_k
    sup_row = f_k * n_t + f_t
    used, sup_row = np.unique(sup_row, return_inverse=True)
    _add_rows(
        model,
        "supply_capacity",
        len(used),
        sup_row,
        off_f + np.arange(n_f),
        np.ones(n_f),
        allvars,
        -np.inf,
        data.supply_capacity_kg_per_day[used // n_t],
    )

    # monotone installation: z[t-1] - z[t] <= 0
    nxt = np.flatnonzero(z_t[:-1] + 1 == z_t[1:]) if n_z > 1 else np.zeros(0, np.int64)
    nxt = nxt[(z_s[nxt] == z_s[nxt + 1]) & (z_m[nxt] == z_m[nxt + 1])]
    _add_rows(
        model,
        "monotone",
        len(nxt),
        np.concatenate([np.arange(len(nxt)), np.arange(len(nxt))]),
        np.concatenate([off_z + nxt, off_z + nxt + 1]),
        np.concatenate([np.ones(len(nxt)), -np.ones(len(nxt))]),
        allvars,
        -np.inf,
        0.0,
    )

    # site size: sum_m Q_m z[s, m, T-1] <= max - existing
    last = np.flatnonzero((z_t == n_t - 1) & np.isfinite(room[z_s]))
    size_sites, size_row = np.unique(z_s[last], return_inverse=True)
    _add_rows(
        model,
        "site_size",
        len(size_sites),
        size_row,
        off_z + last,
        data.module_capacity_kg_per_day[z_m[last]],
        allvars,
        -np.inf,
        room[size_sites],
    )

    # open-station links
    if n_o:
        zo = o_row[z_s, z_t]
        zc = np.flatnonzero(zo >= 0)
        _add_rows(
            model,
            "open_link",
            n_o,
            np.concatenate([np.arange(n_o), zo[zc]]),
            np.concatenate([off_o + np.arange(n_o), off_z + zc]),
            np.concatenate([np.ones(n_o), -np.ones(len(zc))]),
            allvars,
            -np.inf,
            0.0,
        )
    build_limit_periods = np.zeros(0, np.int64)
    if n_o and limit_on:
        _add_rows(
            model,
            "open_lower",
            len(zc),
            np.concatenate([np.arange(len(zc)), np.arange(len(zc))]),
            np.concatenate([off_o + zo[zc], off_z + zc]),
            np.concatenate([np.ones(len(zc)), -1.0 / data.module_max_per_site[z_m[zc]]]),
            allvars,
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
            np.concatenate([off_o + np.arange(n_o), off_o + np.flatnonzero(has_next)]),
            np.concatenate([np.ones(n_o), -np.ones(int(has_next.sum()))]),
            allvars,
            -np.inf,
            opt.build_limit_per_year * data.period_weight_years,
        )
        build_limit_periods = np.unique(o_t)

    if target_period is not None:
        at = np.flatnonzero(o_t == target_period)
        _add_rows(
            model,
            "station_target",
            1,
            np.zeros(len(at) + 1, np.int64),
            np.concatenate([off_o + at, [off_ts]]),
            np.ones(len(at) + 1),
            allvars,
            target_new,
            np.inf,
        )

    if n_cov:
        lens = np.array([len(c) for c in cov_sites], np.int64)
        sites_cat = np.concatenate(cov_sites) if lens.sum() else np.zeros(0, np.int64)
        rows_rep = np.repeat(np.arange(n_cov), lens)
        _add_rows(
            model,
            "coverage",
            n_cov,
            np.concatenate([rows_rep, np.arange(n_cov)]),
            np.concatenate([off_o + o_row[sites_cat, cov_t[rows_rep]], off_c + np.arange(n_cov)]),
            np.ones(len(sites_cat) + n_cov),
            allvars,
            1.0,
            np.inf,
        )

    price_site = np.zeros(0, np.int64)
    price_period = np.zeros(0, np.int64)
    if opt.price_target_cny_per_kg is not None:
        q = np.asarray(opt.price_target_min_kg_per_day, dtype=float)
        if q.shape != (n_m,):
            raise ValueError(
                f"price_target_min_kg_per_day has {q.size} value(s); need one per module ({n_m})"
            )
        p_year = opt.price_target_year if opt.price_target_year is not None else years[0]
        zp = np.flatnonzero((years[z_t] >= p_year) & (q[z_m] > 0))
        key = z_s[zp] * n_t + z_t[zp]
        pkeys, prow_z = np.unique(key, return_inverse=True)
        price_site, price_period = pkeys // n_t, pkeys % n_t
        prow = np.full((n_s, n_t), -1, np.int64)
        prow[price_site, price_period] = np.arange(len(pkeys))
        xr = prow[x_s, x_t]
        xin = np.flatnonzero(xr >= 0)
        _add_rows(
            model,
            "price_target",
            len(pkeys),
            np.concatenate([xr[xin], prow_z]),
            np.concatenate([off_x + xin, off_z + zp]),
            np.concatenate([np.ones(len(xin)), -q[z_m[zp]]]),
            allvars,
            0.0,
            np.inf,
        )

    if opt.tight_linking and n_x:
        xl = np.flatnonzero(~data.site_existing[x_s])
        # z rows for (s, t) of each linked assignment: all modules of that site-period
        zkey = z_s * n_t + z_t
        zorder = np.argsort(zkey, kind="stable")
        zsorted = zkey[zorder]
        xkey = x_s[xl] * n_t + x_t[xl]
        lo = np.searchsorted(zsorted, xkey, side="left")
        hi = np.searchsorted(zsorted, xkey, side="right")
        cnt = hi - lo
        rows_rep = np.repeat(np.arange(len(xl)), cnt)
        zpos = zorder[np.repeat(lo, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))]
        d_rep = demand[x_n[xl], x_t[xl]][rows_rep]
        _add_rows(
            model,
            "link",
            len(xl),
            np.concatenate([np.arange(len(xl)), rows_rep]),
            np.concatenate([off_x + xl, off_z + zpos]),
            np.concatenate(
                [np.ones(len(xl)), -np.minimum(d_rep, phi * data.module_capacity_kg_per_day[z_m[zpos]])]
            ),
            allvars,
            -np.inf,
            0.0,
        )

    model.network_index = NetworkIndex(
        z_site=z_s,
        z_module=z_m,
        z_period=z_t,
        x_node=x_n,
        x_site=x_s,
        x_period=x_t,
        x_km=x_km,
        f_supply=f_k,
        f_site=f_s,
        f_period=f_t,
        u_node=u_n,
        u_period=u_t,
        o_site=o_site,
        o_period=o_t,
        cov_district=cov_d,
        cov_period=cov_t,
        target_period=target_period,
        target_required_new=target_new,
        price_site=price_site,
        price_period=price_period,
        build_limit_periods=build_limit_periods,
        start_factor=start_f,
        annual_factor=annual_f,
        messages=messages,
        variables={
            "installed": zs,
            "assign": xs,
            "flow": fs,
            "unmet": us,
            "open": os_,
            "target_short": ts,
            "coverage_short": cs,
        },
    )
    model.network_options = opt
    model.network_data = data
    model.network_index.build_time_s = perf_counter() - t_start
    return model
