r"""Benders decomposition of the network plan (``NetworkOptions(method="benders")``).

The model of :mod:`h2model.network.build` splits into

* a **master** problem over the module choices :math:`z_{smt}` (integer) and the
  ``open`` and shortfall columns, with every row that holds only those (monotone
  installation, site size, open-station links, build limit, station target,
  coverage), plus one cost estimate :math:`\theta_t \ge 0` per period; and
* one **subproblem per period** *t*: a transportation LP over the assignments
  :math:`x_{nst}`, flows :math:`f_{kst}` and unmet demand :math:`u_{nt}` of *t*, with
  the module choices in the right-hand sides of its rows (capacity, and where asked
  the covering, tight-linking and price-target rows).

The unmet-demand slack makes every subproblem feasible for every plan (Fischetti,
Ljubic and Sinnl 2017, "Redesigning Benders decomposition for large-scale facility
location", Management Science 63(7)), so only optimality cuts are needed: with
:math:`v_t(\bar z)` the subproblem's optimum at plan :math:`\bar z` and :math:`y` its
row duals, the rows' right-hand sides move by :math:`-G_t z`, and

.. math:: \theta_t \ge v_t(\bar z) - (G_t^\top y)^\top (z - \bar z)

holds for every plan (:math:`v_t` is convex in the right-hand side): one cut per
period and evaluation (multi-cut). A price-target row may make a plan infeasible;
it gets a slack at a high cost (:data:`ELASTIC_COST`), and a plan that uses it is no
incumbent.

The outer loop (:func:`solve_benders`), with highspy models kept between solves
(rows are added and models re-solved warm, never rebuilt):

1. **Root**: the master's LP relaxation, cut by in-out separation (Ben-Ameur and
   Neto 2007; the point separated lies between the master's LP optimum and a
   stability centre that moves halfway towards it each round), until the bound
   stalls. With ``covering_rows`` the subproblems hold the covering rows, so the
   cuts carry their strength (a fraction of a module no longer serves a node).
2. **Rounding**: the LP plan rounded at several thresholds, each evaluated exactly
   by the subproblems (the cost of the plan, and cuts at it); the best is the first
   incumbent.
3. **Master MILP rounds**: HiGHS solves the master MILP from the incumbent (with
   :math:`\theta_t = v_t`, feasible for every cut) with a time limit per round; the
   plans it finds are evaluated exactly (incumbents and cuts) and its dual bound is
   a lower bound of the whole model (the master is a relaxation). Rounds repeat
   until the gap between the best exact plan and the best bound is within
   ``mip_gap`` or time runs out.

The reported objective is that of the best plan evaluated exactly; the bound the
best master bound; the plan (modules, assignments, flows, unmet demand and the
master's other columns) is loaded into the model's variables for
:func:`h2model.network.read.read_results`.
"""

from __future__ import annotations

import functools
import math
import os
import sys
from dataclasses import dataclass, field
from time import perf_counter

import highspy
import numpy as np
import scipy.sparse as sp

__all__ = ["ELASTIC_COST", "BendersStats", "solve_benders"]

#: Cost of a kg/day short of a price-target minimum in a subproblem (scaled objective units).
ELASTIC_COST = 1e4
#: Share of the time limit the root (LP) phase may take.
ROOT_SHARE = 0.35
#: Thresholds at which the LP plan is rounded (a module where its LP value reaches it).
ROUNDING_THRESHOLDS = (0.5, 0.3, 0.7, 0.15)
_INF = highspy.kHighsInf
_TOL = 1e-6


@dataclass
class BendersStats:
    """How a Benders solve went (kept on ``model.benders_stats``).

    Attributes
    ----------
    root_bound : float
        Bound of the master's LP relaxation at the end of the root phase (scaled
        objective units, as the model's objective).
    root_iterations : int
        Master LP solves in the root phase.
    evaluations : int
        Plans evaluated exactly (each one subproblem LP per period).
    cuts : int
        Cuts in the master at the end.
    master_rounds : int
        Master MILP solves.
    history : list of tuple
        ``(seconds, bound, incumbent)`` after each phase and round.
    """

    root_bound: float = math.nan
    root_iterations: int = 0
    evaluations: int = 0
    cuts: int = 0
    master_rounds: int = 0
    history: list = field(default_factory=list)


# --- the model as a matrix, split into master and per-period subproblems -----------------------


@dataclass
class _Split:
    """The model's matrix split for the decomposition (all objective terms scaled).

    The master's columns are the model's master columns (``master_cols``, z first),
    then ``n_surrogate`` surrogate unmet-demand columns, then one theta per period;
    ``full_*`` describe that whole master, ``master_*`` the model's master rows over
    the model's master columns alone (to price a plan's open and shortfall columns).
    """

    n_z: int  # z columns are master columns 0..n_z-1
    master_cols: np.ndarray  # model columns of the master (z first)
    master_cost: np.ndarray
    master_lower: np.ndarray
    master_upper: np.ndarray
    master_a: sp.csr_matrix
    master_row_lower: np.ndarray
    master_row_upper: np.ndarray
    full_cost: np.ndarray
    full_lower: np.ndarray
    full_upper: np.ndarray
    full_a: sp.csr_matrix
    full_row_lower: np.ndarray
    full_row_upper: np.ndarray
    subs: list  # one _Sub per period
    u_first: int = 0  # model column of the first unmet-demand column
    n_u: int = 0


@dataclass
class _Sub:
    """Subproblem of one period: ``lo - G z <= A y <= up - G z``, min ``c y``."""

    cols: np.ndarray  # model columns (x, f, u of the period)
    cost: np.ndarray
    a: sp.csr_matrix
    g: sp.csr_matrix  # rows x z columns
    lower: np.ndarray
    upper: np.ndarray
    shifted: np.ndarray  # rows with some z term
    elastic_rows: np.ndarray  # rows given an elastic slack column (price target)
    highs: highspy.Highs | None = None
    n_model: int = 0


def _column_layout(idx):
    """Model columns per family (in build order) and the period of each subproblem column."""
    sizes = {name: len(v) for name, v in idx.variables.items()}
    first = dict(zip(sizes, np.cumsum([0, *sizes.values()])[:-1].tolist(), strict=True))
    n_col = sum(sizes.values())
    period = np.full(n_col, -1, np.int64)
    for name, per in (("assign", idx.x_period), ("flow", idx.f_period), ("unmet", idx.u_period)):
        period[first[name] : first[name] + sizes[name]] = per
    return sizes, first, n_col, period


def _model_matrix(model):
    """The model's rows as one CSR matrix with bounds and each row's family name (empty rows dropped)."""
    rows, cols, vals, lo, up, fam, names = [], [], [], [], [], [], []
    offset = 0
    n_col = sum(len(v) for v in model.network_index.variables.values())
    for name, n_rows, row, col, coef, lower, upper in model.matrix_rows:
        rows.append(np.asarray(row) + offset)
        cols.append(np.asarray(col))
        vals.append(coef)
        lo.append(np.broadcast_to(np.asarray(lower, dtype=float), (n_rows,)))
        up.append(np.broadcast_to(np.asarray(upper, dtype=float), (n_rows,)))
        fam.append(np.full(n_rows, len(names)))
        names.append(name)
        offset += n_rows

    def cat(parts, dtype):
        return np.concatenate(parts) if parts else np.zeros(0, dtype)

    a = sp.csr_matrix(
        (cat(vals, float), (cat(rows, np.int64), cat(cols, np.int64))), shape=(offset, n_col)
    )
    lo, up, fam = cat(lo, float), cat(up, float), cat(fam, np.int64)
    keep = np.flatnonzero(np.diff(a.indptr) > 0)  # Pyomo skips empty rows too
    a, lo, up = a[keep], lo[keep], up[keep]
    family = np.asarray(names + [""], dtype=object)[fam[keep]]
    return a, np.where(np.isinf(lo), -_INF, lo), np.where(np.isinf(up), _INF, up), family


def _split(model, data, drop=()) -> _Split:
    """Read the model's rows (``model.matrix_rows``) and split them into master and subproblems.

    Row families named in ``drop`` are left out (the window heuristic prices integer plans
    without the tight-linking rows, redundant for them).
    """
    idx = model.network_index
    sizes, first, n_col, col_period = _column_layout(idx)
    a, lo, up, family = _model_matrix(model)
    if len(drop):
        keep = np.flatnonzero(~np.isin(family, list(drop)))
        a, lo, up, family = a[keep], lo[keep], up[keep], family[keep]
    coo = a.tocoo()
    row_period = np.full(a.shape[0], -1, np.int64)
    on_sub = col_period[coo.col] >= 0
    row_period[coo.row[on_sub]] = col_period[coo.col[on_sub]]
    if (row_period[coo.row[on_sub]] != col_period[coo.col[on_sub]]).any():
        raise ValueError("a row links subproblem columns of different periods")
    n_z = sizes["installed"]
    is_sub_col = col_period >= 0
    master_cols = np.flatnonzero(~is_sub_col)
    bad = (row_period[coo.row] >= 0) & ~is_sub_col[coo.col] & (coo.col >= n_z)
    if bad.any():
        raise ValueError("a subproblem row holds a master column other than installed modules")

    cost = model.objective_coefficients
    zs = idx.variables["installed"]
    lower = np.zeros(len(master_cols))
    upper = np.full(len(master_cols), _INF)
    upper[:n_z] = np.array([v.ub for v in zs], dtype=float) if n_z else np.zeros(0)
    upper[n_z : n_z + sizes["open"]] = 1.0
    subs = []
    for t in range(len(data.period_year)):
        r_t = np.flatnonzero(row_period == t)
        c_t = np.flatnonzero(col_period == t)
        a_rt = a[r_t]
        g = a_rt[:, :n_z].tocsr()
        subs.append(
            _Sub(
                cols=c_t, cost=cost[c_t], a=a_rt[:, c_t].tocsr(), g=g, lower=lo[r_t], upper=up[r_t],
                shifted=np.flatnonzero(np.diff(g.indptr) > 0),
                elastic_rows=np.flatnonzero(family[r_t] == "price_target"),
            )
        )  # fmt: skip
    m_rows = np.flatnonzero(row_period < 0)
    master_a = a[m_rows][:, master_cols].tocsr()
    sur = _surrogate(idx, a, lo, up, family, first, sizes, cost, len(master_cols), len(subs))
    n_u, n_t = sizes["unmet"], len(subs)
    pad = sp.csr_matrix((master_a.shape[0], n_u + n_t))
    return _Split(
        n_z=n_z, master_cols=master_cols, master_cost=cost[master_cols],
        master_lower=lower, master_upper=upper, master_a=master_a,
        master_row_lower=lo[m_rows], master_row_upper=up[m_rows],
        full_cost=np.concatenate([cost[master_cols], np.zeros(n_u), np.ones(n_t)]),
        full_lower=np.concatenate([lower, np.zeros(n_u), sur["theta_lower"]]),
        full_upper=np.concatenate([upper, np.full(n_u, _INF), np.full(n_t, _INF)]),
        full_a=sp.vstack([sp.hstack([master_a, pad]), sur["a"]], format="csr"),
        full_row_lower=np.concatenate([lo[m_rows], sur["lower"]]),
        full_row_upper=np.concatenate([up[m_rows], sur["upper"]]),
        subs=subs,
        u_first=first["unmet"], n_u=n_u,
    )  # fmt: skip


def _surrogate(idx, a, lo, up, family, first, sizes, cost, n_master, n_t):
    r"""Rows that give the master a relaxed picture of each period's operation.

    With :math:`\tilde u_{nt}` a copy of the unmet demand in the master and
    :math:`\kappa_{st}(z) = \phi(E_{st} + \sum_m Q_m z_{smt})` a site's saleable
    capacity (from the model's capacity rows), every integer plan's operation meets

    .. math::

        d_{nt} - \tilde u_{nt} &\le \textstyle\sum_{s \in R_{nt}} \kappa_{st}(z)
            &\text{(a node is served from capacity in reach)}\\
        \textstyle\sum_n (d_{nt} - \tilde u_{nt}) &\le \textstyle\sum_s \kappa_{st}(z)
            &\text{(a period's sales)}\\
        \theta_t &\ge \textstyle\sum_n \big(\pi_t \tilde u_{nt} + c_{nt} (d_{nt} - \tilde u_{nt})\big)
            &\text{(cost of serving and not serving)}

    plus the model's covering rows (with :math:`\tilde u`) where built, with
    :math:`\pi_t` the unmet penalty and :math:`c_{nt}` the cheapest assignment plus
    the cheapest supply of period *t* (objective units per kg/day). The master's
    optimum of :math:`\tilde u` is at most the plan's true unmet demand, and the
    cost bound rises with it, so each row holds for the true operation: a partial
    decomposition (the master keeps a relaxed copy of the subproblems) that starts
    the master near the plans worth evaluating.

    Returns
    -------
    dict
        ``a`` (rows over master, surrogate and theta columns), ``lower``, ``upper``,
        ``theta_lower``.
    """
    n_x, n_u, n_z = sizes["assign"], sizes["unmet"], sizes["installed"]
    x0, u0, f0 = first["assign"], first["unmet"], first["flow"]
    d_rows = np.flatnonzero(family == "demand")
    cap_rows = np.flatnonzero(family == "capacity")
    # demand row of each unmet column and of each assignment
    dem = a[d_rows].tocoo()
    u_of_drow = np.full(len(d_rows), -1, np.int64)
    is_u = (dem.col >= u0) & (dem.col < u0 + n_u)
    u_of_drow[dem.row[is_u]] = dem.col[is_u] - u0
    u_of_x = np.full(n_x, -1, np.int64)
    is_x = (dem.col >= x0) & (dem.col < x0 + n_x)
    u_of_x[dem.col[is_x] - x0] = u_of_drow[dem.row[is_x]]
    d_of_u = np.zeros(n_u)
    d_of_u[u_of_drow] = lo[d_rows]
    capm = a[cap_rows].tocoo()
    cap_of_x = np.full(n_x, -1, np.int64)
    is_x = (capm.col >= x0) & (capm.col < x0 + n_x)
    cap_of_x[capm.col[is_x] - x0] = capm.row[is_x]
    # kappa(z) = up - (z part) of each capacity row: coefficients -G and constant up
    kappa_z = -a[cap_rows][:, :n_z]
    kappa_c = up[cap_rows]
    ok = (u_of_x >= 0) & (cap_of_x >= 0)
    pairs = np.unique(u_of_x[ok] * len(cap_rows) + cap_of_x[ok])
    reach = sp.csr_matrix(
        (np.ones(len(pairs)), (pairs // len(cap_rows), pairs % len(cap_rows))), shape=(n_u, len(cap_rows))
    )
    local_z = reach @ kappa_z
    local_rhs = d_of_u - reach @ kappa_c
    # period rows: sum over the period's nodes and capacity rows
    u_t = idx.u_period
    cap_t = np.full(len(cap_rows), -1, np.int64)
    cap_t[cap_of_x[ok]] = idx.x_period[ok]
    in_t_u = sp.csr_matrix((np.ones(n_u), (u_t, np.arange(n_u))), shape=(n_t, n_u))
    has_t = cap_t >= 0
    in_t_c = sp.csr_matrix(
        (np.ones(int(has_t.sum())), (cap_t[has_t], np.flatnonzero(has_t))), shape=(n_t, len(cap_rows))
    )
    period_z = in_t_c @ kappa_z
    period_rhs = in_t_u @ d_of_u - in_t_c @ kappa_c
    # theta_t >= sum_n pi u + c (d - u): cheapest assignment and supply per node-period
    x_cost = cost[x0 : x0 + n_x]
    c_node = np.full(n_u, np.inf)
    np.minimum.at(c_node, u_of_x[ok], x_cost[ok])
    f_cost = cost[f0 : f0 + sizes["flow"]]
    f_min = np.full(n_t, np.inf)
    np.minimum.at(f_min, idx.f_period, f_cost)
    c_node = np.where(np.isfinite(c_node), c_node, 0.0) + np.where(np.isfinite(f_min), f_min, 0.0)[u_t]
    pi = cost[u0 : u0 + n_u]
    c_node = np.minimum(c_node, pi)
    n_cols = n_master + n_u + n_t

    def block(z_part, u_part, theta_part):
        z_part = sp.csr_matrix(z_part)
        return sp.hstack(
            [z_part, sp.csr_matrix((z_part.shape[0], n_master - n_z)), u_part, theta_part], format="csr"
        )

    eye_u = sp.identity(n_u, format="csr")
    blocks = [
        block(local_z, eye_u, sp.csr_matrix((n_u, n_t))),
        block(period_z, in_t_u, sp.csr_matrix((n_t, n_t))),
        block(sp.csr_matrix((n_t, n_z)), -in_t_u.multiply((pi - c_node)[None, :]), sp.identity(n_t)),
    ]
    lower = [local_rhs, period_rhs, in_t_u @ (c_node * d_of_u)]
    upper = [np.full(n_u, _INF), np.full(n_t, _INF), np.full(n_t, _INF)]
    cov_rows = np.flatnonzero(family == "covering")
    if len(cov_rows):
        cov = a[cov_rows]
        blocks.append(block(cov[:, :n_z], cov[:, u0 : u0 + n_u], sp.csr_matrix((len(cov_rows), n_t))))
        lower.append(lo[cov_rows])
        upper.append(up[cov_rows])
    full = sp.vstack(blocks, format="csr")
    assert full.shape[1] == n_cols
    return {
        "a": full,
        "lower": np.concatenate(lower),
        "upper": np.concatenate(upper),
        "theta_lower": np.where(np.isfinite(f_min) & (f_min >= 0) & (x_cost >= 0).all(), 0.0, -_INF),
    }


@functools.cache
def _banner_swallowed() -> bool:
    """Make the process's first ``highspy.Highs()`` with file descriptor 1 on /dev/null.

    HiGHS prints its two-line banner on the C-level stdout when a process makes its first
    ``Highs`` object, whatever ``output_flag`` says; the Pyomo path captures it, the
    matrix-built solves (Benders, windows) would print it into ``h2model run``'s output.
    Returns False where stdout cannot be redirected (the banner then shows).
    """
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        return False
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return True


def _new_highs(options, quiet=True):
    _banner_swallowed()
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(options.tee) and not quiet)
    for key, value in options.solver_options.items():
        h.setOptionValue(key, value)
    return h


def _pass_lp(h, cost, col_lower, col_upper, a, row_lower, row_upper, integer=None):
    """Load a model into a Highs object (row-wise matrix)."""
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), a.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(col_lower, dtype=float)
    lp.col_upper_ = np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    if integer is not None and integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer
        ]
    h.passModel(lp)


# --- subproblems: value, cuts and operation of a plan --------------------------------------------


def _load_sub(sub, options):
    """Create the subproblem's Highs model (elastic slack columns after the model's columns)."""
    h = _new_highs(options)
    a = sub.a
    n = a.shape[1]
    cost = sub.cost
    n_el = len(sub.elastic_rows)
    if n_el:
        slack = sp.csr_matrix((np.ones(n_el), (sub.elastic_rows, np.arange(n_el))), shape=(a.shape[0], n_el))
        a = sp.hstack([a, slack], format="csr")
        cost = np.concatenate([cost, np.full(n_el, ELASTIC_COST)])
    _pass_lp(h, cost, np.zeros(len(cost)), np.full(len(cost), _INF), a, sub.lower, sub.upper)
    sub.highs = h
    sub.n_model = n


def _solve_sub(sub, z, options):
    """Value, cut and operation of the subproblem at plan ``z`` (possibly fractional).

    Returns
    -------
    value : float
        Optimum, scaled objective units.
    coef : numpy.ndarray
        Cut coefficients on ``z``: :math:`-G^\\top y`.
    primal : numpy.ndarray
        Subproblem columns' values (model columns only).
    slack : float
        Sum of elastic slack (price-target shortfall), kg/day.
    """
    if sub.a.shape[0] == 0 or sub.a.shape[1] == 0:  # a period without demand in reach
        return 0.0, np.zeros(sub.g.shape[1]), np.zeros(sub.a.shape[1]), 0.0
    if sub.highs is None:
        _load_sub(sub, options)
    h = sub.highs
    rows = sub.shifted
    if len(rows):
        shift = sub.g[rows] @ z
        h.changeRowsBounds(
            len(rows), rows.astype(np.int32), sub.lower[rows] - shift, sub.upper[rows] - shift
        )
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        # a warm start gone wrong: solve again from scratch once
        h.clearSolver()
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"Benders subproblem not solved: {h.modelStatusToString(status)}")
    sol = h.getSolution()
    value = h.getInfo().objective_function_value
    y = np.asarray(sol.row_dual)
    coef = -(sub.g.T @ y)
    col = np.asarray(sol.col_value)
    return value, coef, col[: sub.n_model], float(col[sub.n_model :].sum())


# --- master problem ------------------------------------------------------------------------------


class _Master:
    """The master problem in one Highs object: master columns, then one theta per period."""

    def __init__(self, split: _Split, options):
        self.split = split
        self.n_t = len(split.subs)
        self.h = _new_highs(options)
        self.h.setOptionValue("mip_improving_solution_save", True)
        self.n = len(split.full_cost) - self.n_t  # columns before the thetas
        _pass_lp(
            self.h, split.full_cost, split.full_lower, split.full_upper, split.full_a,
            split.full_row_lower, split.full_row_upper,
        )
        self.pool = [[] for _ in range(self.n_t)]  # (constant, coef) per period
        self.n_cuts = 0
        self.integer = False

    def set_integer(self, on: bool):
        n_z = self.split.n_z
        self.integer = on and n_z > 0
        if not n_z:
            return
        kind = highspy.HighsVarType.kInteger if on else highspy.HighsVarType.kContinuous
        self.h.changeColsIntegrality(
            n_z, np.arange(n_z, dtype=np.int32), np.full(n_z, kind, dtype=np.uint8)
        )

    def cut_value(self, t, z):
        """Largest cut of period *t* at ``z`` (``-inf`` without cuts)."""
        if not self.pool[t]:
            return -math.inf
        return max(c + g @ z[: self.split.n_z] for c, g in self.pool[t])

    def add_cut(self, t, value, coef, z):
        """Add ``theta_t - coef z >= value - coef zbar``; skip one no stronger than the pool at ``z``."""
        n_z = self.split.n_z
        zz = z[:n_z]
        const = value - coef @ zz
        if self.cut_value(t, zz) >= value - _TOL * max(1.0, abs(value)):
            return False
        nz = np.flatnonzero(np.abs(coef) > 1e-12)
        self.pool[t].append((const, _Dense(coef[nz], nz)))
        index = np.concatenate([nz, [self.n + t]]).astype(np.int32)
        values = np.concatenate([-coef[nz], [1.0]])
        self.h.addRows(
            1, np.array([const]), np.array([_INF]), len(index), np.array([0], np.int32), index, values
        )
        self.n_cuts += 1
        return True

    def solve(self, time_limit, gap=None, start=None):
        """Solve; return (has, objective, bound, column values incl. thetas)."""
        h = self.h
        h.setOptionValue("time_limit", float(max(time_limit, 0.5)))
        if gap is not None:
            h.setOptionValue("mip_rel_gap", float(gap))
        if start is not None:
            s = highspy.HighsSolution()
            s.col_value = list(map(float, start))
            s.value_valid = True
            h.setSolution(s)
        h.run()
        info = h.getInfo()
        status = h.getModelStatus()
        sol = h.getSolution()
        has = info.primal_solution_status == 2  # kSolutionStatusFeasible
        values = np.asarray(sol.col_value) if has else None
        obj = info.objective_function_value if has else math.nan
        bound = info.mip_dual_bound if self.integer else obj
        if status == highspy.HighsModelStatus.kOptimal and not math.isfinite(bound):
            bound = obj
        return has, obj, bound, values, status


class _Dense:
    """A sparse cut vector with a fast dot product against a dense plan."""

    __slots__ = ("val", "idx")

    def __init__(self, val, idx):
        self.val, self.idx = val, idx

    def __matmul__(self, z):
        return float(self.val @ z[self.idx])

    __rmatmul__ = __matmul__


# --- the outer loop ------------------------------------------------------------------------------


class _State:
    """Incumbent, bound and the models of one Benders solve."""

    def __init__(self, split, options, deadline):
        self.split = split
        self.options = options
        self.deadline = deadline
        self.master = _Master(split, options)
        self.fixer = None
        self.best = math.inf
        self.best_plan = None  # (z, master column values, [sub primal per period], [v_t])
        self.bound = -math.inf
        self.seen = set()
        self.stats = BendersStats()

    def left(self):
        return self.deadline - perf_counter()

    def master_rest(self, z):
        """Cheapest master columns for plan ``z`` (open, shortfalls): (cost, values) or None if infeasible."""
        sp_ = self.split
        n_z, n = sp_.n_z, len(sp_.master_cols)
        if n == n_z:
            act = sp_.master_a @ z if sp_.master_a.shape[0] else np.zeros(0)
            tol = 1e-6 * np.maximum(1.0, np.abs(act))
            if ((act < sp_.master_row_lower - tol) | (act > sp_.master_row_upper + tol)).any():
                return None
            return float(sp_.master_cost @ z), z.copy()
        if self.fixer is None:
            self.fixer = _new_highs(self.options)
            _pass_lp(
                self.fixer, sp_.master_cost, sp_.master_lower, sp_.master_upper, sp_.master_a,
                sp_.master_row_lower, sp_.master_row_upper,
            )
        h = self.fixer
        h.changeColsBounds(n_z, np.arange(n_z, dtype=np.int32), z, z)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = np.asarray(h.getSolution().col_value)
        values[:n_z] = z
        return float(sp_.master_cost @ values), values

    def evaluate(self, z):
        """Exact cost of integer plan ``z`` (subproblems), cuts at it; update the incumbent."""
        z = np.round(np.asarray(z, dtype=float))
        key = z.tobytes()
        if key in self.seen:
            return None
        self.seen.add(key)
        rest = self.master_rest(z)
        if rest is None:
            return None
        total, mvals = rest
        primals, values, slack = [], [], 0.0
        for t, sub in enumerate(self.split.subs):
            v, coef, primal, s = _solve_sub(sub, z, self.options)
            self.master.add_cut(t, v, coef, z)
            primals.append(primal)
            values.append(v)
            total += v
            slack += s
        self.stats.evaluations += 1
        if slack <= 1e-6 and total < self.best:
            self.best = total
            self.best_plan = (z, mvals, primals, values)
        return total

    def start_vector(self):
        """The incumbent as a master solution: its columns and theta_t = v_t (meets every cut)."""
        if self.best_plan is None:
            return None
        z, mvals, primals, values = self.best_plan
        sp_ = self.split
        u = np.zeros(sp_.n_u)
        for sub, primal in zip(sp_.subs, primals, strict=True):
            at = (sub.cols >= sp_.u_first) & (sub.cols < sp_.u_first + sp_.n_u)
            u[sub.cols[at] - sp_.u_first] = primal[at]
        theta = [max(v, self.master.cut_value(t, z)) for t, v in enumerate(values)]
        return np.concatenate([mvals, u, theta])

    def gap(self):
        if not math.isfinite(self.best) or not math.isfinite(self.bound):
            return math.inf
        return max(0.0, (self.best - self.bound) / max(abs(self.best), 1e-9))

    def log(self, what):
        self.stats.history.append((what, self.left(), self.bound, self.best))
        if self.options.tee:
            print(f"benders {what}: bound {self.bound:.6g}, incumbent {self.best:.6g}, "
                  f"gap {100 * self.gap():.3f} %, {self.master.n_cuts} cuts, {self.left():.0f} s left",
                  flush=True)


#: Root rounds without a bound gain (relative) of at least :data:`ROOT_STALL_GAIN` end the root.
ROOT_STALL_ROUNDS = 5
ROOT_STALL_GAIN = 1e-4
#: Weight of the LP optimum in the in-out separation point (the rest on the stability centre).
IN_OUT_LAMBDA = 0.2


def _root(state: _State, budget_s: float):
    """In-out cutting planes on the master's LP relaxation; returns the last LP plan (z)."""
    master, split = state.master, state.split
    n_z, n = split.n_z, master.n
    stop = perf_counter() + budget_s
    z_in = split.master_upper[:n_z].copy()
    lam, history, z_out = IN_OUT_LAMBDA, [], np.zeros(n_z)
    master.set_integer(False)
    while perf_counter() < stop and state.left() > 0:
        has, obj, _, vals, _ = master.solve(min(state.left(), stop - perf_counter()))
        if not has:
            break
        state.stats.root_iterations += 1
        state.bound = max(state.bound, obj)
        history.append(obj)
        z_out, theta = vals[:n_z], vals[n:]
        z_sep = lam * z_out + (1.0 - lam) * z_in
        added = 0
        for t, sub in enumerate(split.subs):
            v, coef, _, _ = _solve_sub(sub, z_sep, state.options)
            at_out = v + coef @ (z_out - z_sep)
            if at_out > theta[t] + _TOL * max(1.0, abs(theta[t])):
                added += master.add_cut(t, v, coef, z_sep)
        z_in = 0.5 * (z_in + z_out)
        stalled = (
            len(history) > ROOT_STALL_ROUNDS
            and history[-1] - history[-1 - ROOT_STALL_ROUNDS] <= ROOT_STALL_GAIN * abs(history[-1])
        )
        if added == 0 or stalled:
            if lam == 1.0:
                break
            lam, history = 1.0, history[-1:]
    state.stats.root_bound = state.bound
    state.log("root")
    return z_out


def _round_plans(state: _State, z_lp, model):
    """Evaluate the greedy plan and the LP plan rounded at :data:`ROUNDING_THRESHOLDS`.

    The greedy plan is :func:`h2model.network.greedy._greedy_installed`; a rounded plan
    has a module where the LP value reaches the threshold.
    """
    from h2model.network.greedy import _greedy_installed

    state.evaluate(_greedy_installed(model))
    ub = state.split.master_upper[: state.split.n_z]
    for tau in ROUNDING_THRESHOLDS:
        if state.left() <= 0:
            break
        state.evaluate(np.minimum(np.floor(z_lp + 1.0 - tau + 1e-9), ub))
    state.log("rounding")


#: First master MILP round's share of the time left (later rounds take what is left).
MASTER_ROUND_SHARE = 0.3


def _master_rounds(state: _State):
    """Master MILP rounds from the incumbent; evaluate the plans found; stop at the gap or time limit."""
    master, n_z = state.master, state.split.n_z
    master.set_integer(True)
    target = state.options.mip_gap
    while state.left() > 1.0 and state.gap() > target:
        limit = max(5.0, MASTER_ROUND_SHARE * state.left())
        has, obj, bound, vals, status = master.solve(limit, gap=0.5 * target, start=state.start_vector())
        state.stats.master_rounds += 1
        if math.isfinite(bound):
            state.bound = max(state.bound, min(bound, obj) if has else bound)
        if not has:
            break
        cuts_before = master.n_cuts
        state.evaluate(vals[:n_z])
        for saved in state.master.h.getSavedMipSolutions()[-5:]:
            if state.left() <= 0:
                break
            state.evaluate(np.asarray(saved.col_value)[:n_z])
        state.log(f"master round {state.stats.master_rounds}")
        if master.n_cuts == cuts_before and status == highspy.HighsModelStatus.kOptimal:
            # the master's optimum is priced exactly by its cuts: its bound is the optimum's
            break


def _load_plan(model, split, best_plan):
    """Put the incumbent's values into the model's variables."""
    z, mvals, primals, _ = best_plan
    allvars = [v for family in model.network_index.variables.values() for v in family]
    for col, value in zip(split.master_cols.tolist(), mvals.tolist(), strict=True):
        allvars[col].set_value(value, skip_validation=True)
    for sub, primal in zip(split.subs, primals, strict=True):
        for col, value in zip(sub.cols.tolist(), primal.tolist(), strict=True):
            allvars[col].set_value(value, skip_validation=True)


def _matrix_model_limit(model, options, method: str) -> tuple[float, float]:
    """Start time and time limit (s, inf without one) of a solve on a model built as a
    matrix (``NetworkOptions(method=...)``: Benders and the window heuristic); refuses a
    model built for the monolithic solve."""
    if getattr(model, "matrix_rows", None) is None:
        raise ValueError(f'method="{method}" needs a model built with NetworkOptions(method="{method}")')
    limit = options.time_limit_s if options.time_limit_s is not None else math.inf
    return perf_counter(), limit


def solve_benders(model, options):
    """Solve a model built with ``method="benders"`` by Benders decomposition (module docstring).

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        From :func:`h2model.network.build.build_model` with ``method="benders"``
        (its rows as a matrix, ``model.matrix_rows``).
    options : NetworkOptions
        ``time_limit_s`` (the whole loop), ``mip_gap`` (between the best plan
        evaluated exactly and the best master bound), ``tee`` (progress lines),
        ``solver_options`` (passed to every HiGHS model).

    Returns
    -------
    status, termination : str
    has_solution : bool
    objective, bound : float or None
        Scaled objective units (as the model's objective).
    solver_time : None

    Raises
    ------
    ValueError
        If the model was not built with ``method="benders"``.
    """
    t0, limit = _matrix_model_limit(model, options, "benders")
    split = _split(model, model.network_data)
    state = _State(split, options, t0 + limit)
    z_lp = _root(state, ROOT_SHARE * limit if math.isfinite(limit) else math.inf)
    _round_plans(state, z_lp, model)
    if state.gap() > options.mip_gap:
        _master_rounds(state)
    state.stats.cuts = state.master.n_cuts
    model.benders_stats = state.stats
    has = state.best_plan is not None
    if has:
        _load_plan(model, split, state.best_plan)
    gap = state.gap()
    if has and gap <= options.mip_gap + 1e-12:
        status, term = "optimal", "optimal within mip_gap"
    elif has:
        status, term = "feasible", "time limit" if state.left() <= 1.0 else "stopped"
    else:
        status, term = "no_solution", "time limit"
    bound = state.bound if math.isfinite(state.bound) else None
    return status, term, has, (state.best if has else None), bound, None
