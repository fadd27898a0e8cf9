r"""An LP-guided primal heuristic with the LP bound (``NetworkOptions(method="windows")``).

On large instances the bound is not the problem: the LP relaxation with the
covering rows (``covering_rows``) lies within a fraction of a per cent of the
optimum. Finding plans that good is. :func:`solve_windows` works on the model's
rows as one sparse matrix (built as for Benders, ``model.matrix_rows``) in highspy:

1. **LP relaxation** (HiGHS interior point with crossover, the fastest on the large
   root LP), then, with ``tight_linking``, rounds of the tight-linking rows
   :math:`x_{nst} \le \sum_m \min(d_{nt}, \phi Q_m) z_{smt}` it violates, added as
   cuts and re-solved by dual simplex from the last basis (the LP of every row,
   with a few per cent of them): its optimum is the reported **bound** (the
   relaxation of the whole model, so valid on its own), its plan :math:`\bar z`
   guides the rest.
2. **First plans**: the greedy plan (:func:`h2model.network.greedy._greedy_installed`)
   and the LP plan rounded at a few thresholds (a module where
   :math:`\bar z_{smt}` reaches it), each priced exactly as the Benders
   decomposition prices a plan (one transportation LP per period, warm between
   plans); the cheapest complete solution is the first incumbent.
3. **RINS windows**: the sites are split into windows of about
   :data:`RINS_WINDOW_SITES` (one window for the 200-site instance); in each, the
   modules on which the LP and the incumbent agree (and which the LP sets whole)
   stay fixed, the window's other modules and its flows (as in step 4) are free; the
   MILP from the incumbent is a restriction of the whole model, its solution a
   priced plan. Rounds over new windows while one improves, at most
   :data:`RINS_ROUNDS`, within :data:`RINS_SHARE` of the time left; only where the
   whole MILP runs (step 6): on larger models these MILPs improved nothing.
4. **Spatial windows** (fix-and-optimize): the sites are split into windows of
   about :data:`WINDOW_SITES` neighbours (k-means on their coordinates, seeded).
   For one window *W*, the free columns are the modules and ``open`` columns of
   *W*'s sites, the assignments and unmet demand of every node that reaches a site
   of *W*, the supply flows of every site those nodes reach and the shortfall
   columns; everything else is fixed at the incumbent, which moves into the rows'
   bounds. That small MILP (HiGHS, from the incumbent) is a restriction of the
   whole model, so each of its solutions completes the incumbent to a feasible
   plan whose cost is exact; a better one replaces it. Windows are visited in order
   of how far the incumbent's modules are from the LP's, and sweeps repeat over
   new windows (the next seed) until a sweep gains less than
   :data:`SWEEP_MIN_GAIN`, the gap to the bound is within ``mip_gap`` or time runs
   out.
   The first sweep keeps out modules that neither the LP nor the incumbent has
   (small, fast MILPs); later sweeps may open any module of the window. The sweeps
   take at most :data:`WINDOWS_SHARE` of the time left.
5. **Polish**: the incumbent's modules priced again re-route every assignment
   and flow at once.
6. **Whole MILP** (skipped where the first LP took more than :data:`MILP_LP_SHARE`
   of the time limit: its root would not finish, and the windows get the time): in
   the time left, HiGHS solves the whole model (with the cuts of step 1) from the
   incumbent; its cuts raise the bound above the LP's (the LP relaxation with the
   covering rows is about 1.5 % below the optimum on the 200-site instance) and its
   search may improve the plan.

The reported objective is the incumbent's (every term of the model's objective),
the bound the better of the LP relaxation's and the whole MILP's, and the gap
between the two. The same data, options
and ``seed`` give the same plan when no MILP stops at its time limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from time import perf_counter

import highspy
import numpy as np
import scipy.sparse as sp

from h2model.network.benders import (
    _INF,
    _column_layout,
    _matrix_model_limit,
    _model_matrix,
    _new_highs,
    _pass_lp,
)

__all__ = ["WINDOW_SITES", "WindowStats", "solve_windows"]

#: Sites per spatial window (about; k-means clusters of the site coordinates).
WINDOW_SITES = 20
#: Thresholds at which the LP plan is rounded for the first plans.
ROUNDING_THRESHOLDS = (0.5, 0.3, 0.7, 0.15)
#: Share of the time limit the LP relaxation may take (2,000 sites: 150-300 s of interior point).
LP_SHARE = 0.6
#: Relative gap each window MILP is solved to (of the window's own cost).
WINDOW_GAP = 1e-3
#: Most seconds one window MILP may take.
WINDOW_TIME_S = 10.0
#: A module whose LP value is at most this (and which the incumbent lacks) stays out of a window MILP.
LP_ZERO = 1e-6
#: A sweep that lowers the incumbent by less than this share ends the search.
SWEEP_MIN_GAIN = 2e-4
#: Most sweeps (each over new windows).
MAX_SWEEPS = 6
#: Share of the time left after the first plans that the window sweeps may take (the rest: the
#: whole MILP from the incumbent, for a better bound).
WINDOWS_SHARE = 0.6
#: The whole MILP is skipped (the sweeps take all the time) when the first LP relaxation took more
#: than this share of the time limit: its root would not finish (1,000 sites: LP 40 s of 600 s,
#: the whole MILP's 213 s ended without a root bound or a plan).
MILP_LP_SHARE = 0.04
#: A module whose LP value is within this of the incumbent's (and of a whole number) stays fixed in
#: the RINS neighbourhood.
RINS_AGREE = 0.01
#: Most seconds of one RINS MILP, and most RINS rounds (each from the last incumbent).
RINS_TIME_S = 60.0
RINS_ROUNDS = 4
#: Share of the time left after the first plans that the RINS rounds may take. They run only where
#: the whole MILP does (small models): on 1,000 sites five RINS windows of 200 sites, 52 s each,
#: improved nothing (2026-12-05), where the 20-site windows do.
RINS_SHARE = 0.4
#: Sites per RINS window (about; k-means): one window up to 1.5 times this many sites.
RINS_WINDOW_SITES = 200
#: Most rounds of tight-linking cuts added to the LP relaxation.
LINK_ROUNDS = 50
#: The tight-linking cut rounds may take the first LP's time again, or this many seconds if more.
LINK_MIN_S = 10.0
#: A tight-linking row violated by more than this (kg/day) is added as a cut.
LINK_TOL = 1e-4
_OPTIMAL = highspy.HighsModelStatus.kOptimal


@dataclass
class WindowStats:
    """How a windows solve went (kept on ``model.window_stats``).

    Attributes
    ----------
    lp_s : float
        Wall time of the LP relaxation, s.
    lp_bound : float
        LP relaxation optimum (scaled objective units); NaN if not solved in time.
    first_plan : str
        Which first plan was the cheapest (``"greedy"`` or ``"round 0.5"``...).
    windows_solved, windows_improved : int
        Window MILPs solved, and those that lowered the incumbent.
    sweeps : int
        Sweeps over all windows begun.
    mip_bound : float
        Dual bound of the whole MILP's last phase (scaled); NaN if it did not run.
    link_cuts : int
        Tight-linking rows added to the LP relaxation as cuts (model built with
        ``tight_linking``).
    rins_rounds : int
        RINS window MILPs solved.
    history : list of tuple
        ``(what, seconds since start, incumbent)`` after each phase and sweep.
    """

    lp_s: float = math.nan
    lp_bound: float = math.nan
    first_plan: str = ""
    windows_solved: int = 0
    windows_improved: int = 0
    sweeps: int = 0
    mip_bound: float = math.nan
    link_cuts: int = 0
    rins_rounds: int = 0
    history: list = field(default_factory=list)


class _Problem:
    """The whole model as a matrix, one highspy LP kept warm, and the incumbent."""

    def __init__(self, model, options):
        idx = model.network_index
        self.options = options
        self.sizes, self.first, self.n_col, _ = _column_layout(idx)
        a, lo, up, family = _model_matrix(model)
        link = family == "link"  # tight-linking rows (tight_linking): cuts, not rows of the LP
        self.a, self.row_lo, self.row_up = a[~link], lo[~link], up[~link]
        self.link = a[link]  # x_nst - sum_m min(d, phi Q_m) z_smt <= 0
        self.link_active = np.zeros(self.link.shape[0], bool)
        self.window_a = sp.vstack([self.a, self.link], format="csr")  # window MILPs: every row
        self.window_a_csc = self.window_a.tocsc()
        self.window_lo = np.concatenate([self.row_lo, np.full(self.link.shape[0], -_INF)])
        self.window_up = np.concatenate([self.row_up, np.zeros(self.link.shape[0])])
        self.cost = np.asarray(model.objective_coefficients, dtype=float)
        self.lower = np.zeros(self.n_col)
        self.upper = np.full(self.n_col, _INF)
        self.n_z = self.sizes["installed"]
        zs = idx.variables["installed"]
        self.z_upper = np.array([v.ub for v in zs], dtype=float) if self.n_z else np.zeros(0)
        self.upper[: self.n_z] = self.z_upper
        o0 = self.first["open"]
        self.upper[o0 : o0 + self.sizes["open"]] = 1.0
        self.split = None  # the Benders split, for pricing plans (price)
        self.fixer = None
        self.best = math.inf
        self.x = None  # incumbent, all columns

    def family(self, name):
        return np.arange(self.first[name], self.first[name] + self.sizes[name])

    def relaxation(self, time_limit):
        """Solve the LP relaxation with the tight-linking cuts it violates.

        HiGHS interior point with crossover solves the LP without the tight-linking rows;
        then, for at most :data:`LINK_ROUNDS` rounds and the first LP's time again (at least
        :data:`LINK_MIN_S`),
        the rows the LP solution violates by more than :data:`LINK_TOL` kg/day are added and
        the LP re-solved by dual simplex from the last basis. The rows added stay in the
        model's rows (``self.a``) for the whole MILP.

        Returns
        -------
        objective : float or None
            The last LP optimum (scaled objective units; a valid bound), None if the first
            LP was not solved in time.
        values : numpy.ndarray or None
            Its column values.
        first_s : float
            Wall time of the first LP, s.
        """
        t0 = perf_counter()
        h = _new_highs(self.options)
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "on")
        h.setOptionValue("time_limit", float(max(time_limit, 1.0)))
        if self.options.threads is not None:
            h.setOptionValue("threads", int(self.options.threads))
        _pass_lp(h, self.cost, self.lower, self.upper, self.a, self.row_lo, self.row_up)
        h.run()
        first_s = perf_counter() - t0
        if h.getModelStatus() != _OPTIMAL:
            return None, None, first_s
        obj, x = h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)
        h.setOptionValue("solver", "simplex")
        for _ in range(LINK_ROUNDS if self.link.shape[0] else 0):
            new = np.flatnonzero((self.link @ x > LINK_TOL) & ~self.link_active)
            rounds_s = max(first_s, LINK_MIN_S)  # the cut rounds take at most the first LP's time again
            left = min(time_limit, first_s + rounds_s) - (perf_counter() - t0)
            if not len(new) or left < 0.1:
                break
            cut = self.link[new]
            h.addRows(len(new), np.full(len(new), -_INF), np.zeros(len(new)), cut.nnz,
                      cut.indptr[:-1].astype(np.int32), cut.indices.astype(np.int32), cut.data)
            self.link_active[new] = True
            h.setOptionValue("time_limit", float(left))
            h.run()
            if h.getModelStatus() != _OPTIMAL:
                break
            obj, x = h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)
        active = self.link[self.link_active]
        self.a = sp.vstack([self.a, active], format="csr")
        self.row_lo = np.concatenate([self.row_lo, np.full(active.shape[0], -_INF)])
        self.row_up = np.concatenate([self.row_up, np.zeros(active.shape[0])])
        return obj, x, first_s

    def price(self, z, model):
        """Cost and operation of integer plan ``z``: (cost, all columns) or (inf, None) if infeasible.

        Priced as the Benders decomposition prices a plan (one transportation LP per
        period, warm between calls, and the cheapest open and shortfall columns),
        far faster than the whole model's LP with the modules fixed.
        """
        from h2model.network.benders import _solve_sub, _split, _State

        if self.split is None:
            self.split = _split(model, model.network_data, drop=("link",))
            self.fixer = None
        rest = _State.master_rest(self, z)  # uses self.split, self.fixer, self.options
        if rest is None:
            return math.inf, None
        total, mvals = rest
        x = np.zeros(self.n_col)
        x[self.split.master_cols] = mvals
        for sub in self.split.subs:
            value, _, primal, slack = _solve_sub(sub, z, self.options)
            if slack > 1e-6:  # a price-target row not met: no plan
                return math.inf, None
            x[sub.cols] = primal
            total += value
        return total, x

    def full_milp(self, time_limit):
        """The whole MILP from the incumbent: (objective, dual bound, values or None)."""
        h = _new_highs(self.options)
        h.setOptionValue("time_limit", float(max(time_limit, 1.0)))
        h.setOptionValue("mip_rel_gap", float(self.options.mip_gap))
        if self.options.threads is not None:
            h.setOptionValue("threads", int(self.options.threads))
        integer = np.zeros(self.n_col, bool)
        integer[: self.n_z] = True
        _pass_lp(h, self.cost, self.lower, self.upper, self.a, self.row_lo, self.row_up, integer=integer)
        start = highspy.HighsSolution()
        start.col_value = self.x.tolist()
        start.value_valid = True
        h.setSolution(start)
        h.run()
        info = h.getInfo()
        bound = info.mip_dual_bound
        if info.primal_solution_status != 2:
            return math.inf, bound, None
        x = np.asarray(h.getSolution().col_value)
        x[: self.n_z] = np.round(x[: self.n_z])
        return info.objective_function_value, bound, x

    def offer(self, x):
        """Make complete solution ``x`` the incumbent if it is cheaper; return whether it was."""
        value = float(self.cost @ x)
        if value < self.best - 1e-9 * max(1.0, abs(value)):
            self.best, self.x = value, x.copy()
            return True
        return False


def _rounded(z_lp, upper, tau, monotone_prev):
    """LP plan rounded at ``tau`` (a module where the LP value reaches it), made monotone over periods."""
    z = np.minimum(np.floor(z_lp + 1.0 - tau + 1e-9), upper)
    for _ in range(len(monotone_prev)):  # propagate forward: z_t >= z_{t-1}
        has = monotone_prev >= 0
        lifted = np.maximum(z[has], z[monotone_prev[has]])
        if np.array_equal(lifted, z[has]):
            break
        z[has] = lifted
    return z


def _previous_column(idx):
    """Column of the same site and module in the period before (-1: none), per ``installed`` column."""
    z_s, z_m, z_t = idx.z_site, idx.z_module, idx.z_period
    order = np.lexsort((z_t, z_m, z_s))
    prev = np.full(len(z_s), -1, np.int64)
    same = (z_s[order][1:] == z_s[order][:-1]) & (z_m[order][1:] == z_m[order][:-1])
    prev[order[1:][same]] = order[:-1][same]
    return prev


def _windows(data, n_sites_per_window, seed):
    """Site windows: k-means clusters of the site coordinates (list of site index arrays)."""
    from scipy.cluster.vq import kmeans2

    n_s = len(data.site_lon)
    k = max(1, round(n_s / n_sites_per_window))
    if k == 1:
        return [np.arange(n_s)]
    xy = np.column_stack([data.site_lon * np.cos(np.radians(np.mean(data.site_lat))), data.site_lat])
    _, label = kmeans2(xy, k, seed=np.random.default_rng(seed), minit="++")
    return [w for w in (np.flatnonzero(label == c) for c in range(k)) if len(w)]


class _WindowSearch:
    """Fix-and-optimize MILPs over windows of sites (module docstring, step 3)."""

    def __init__(self, prob: _Problem, model):
        idx = model.network_index
        self.prob, self.idx = prob, idx
        n_s = len(model.network_data.site_lon)
        pn, ps = model.network_data.pair_node, model.network_data.pair_site
        n_n = len(model.network_data.node_lon)
        self.reach = sp.csr_matrix((np.ones(len(pn)), (ps, pn)), shape=(n_s, n_n))
        # columns by site / node
        self.z_cols = prob.family("installed")
        self.x_cols, self.f_cols = prob.family("assign"), prob.family("flow")
        self.u_cols, self.o_cols = prob.family("unmet"), prob.family("open")
        self.short_cols = np.concatenate([prob.family("target_short"), prob.family("coverage_short")])

    def free_columns(self, sites, z_lp=None, rins=False):
        """Free columns of the window of ``sites`` (model columns).

        With ``z_lp``, only the modules the LP or the incumbent has are free; with ``rins`` too,
        only those the LP leaves fractional or sets otherwise than the incumbent (RINS).
        """
        idx = self.idx
        in_w = np.zeros(self.reach.shape[0], bool)
        in_w[sites] = True
        nodes = np.zeros(self.reach.shape[1], bool)
        nodes[self.reach[sites].indices] = True
        node_x = nodes[idx.x_node]
        reached = np.zeros(len(in_w), bool)
        reached[idx.x_site[node_x]] = True
        z_free = in_w[idx.z_site]
        if z_lp is not None:
            z_inc = self.prob.x[: self.prob.n_z]
            z_free &= (z_lp > LP_ZERO) | (z_inc > 0.5)
            if rins:
                z_free &= (np.abs(z_lp - z_inc) > RINS_AGREE) | (np.abs(z_lp - np.round(z_lp)) > RINS_AGREE)
        return np.concatenate([
            self.z_cols[z_free], self.x_cols[node_x], self.f_cols[reached[idx.f_site]],
            self.u_cols[nodes[idx.u_node]], self.o_cols[in_w[idx.o_site]], self.short_cols,
        ])  # fmt: skip

    def solve(self, sites, time_limit, gap, z_lp=None, rins=False):
        """Window MILP over ``sites`` from the incumbent; offer its solution; return whether it improved."""
        return self.solve_columns(self.free_columns(sites, z_lp, rins), time_limit, gap)

    def solve_columns(self, free, time_limit, gap):
        """MILP over the ``free`` columns, the rest fixed at the incumbent; offer its solution;
        return whether it improved."""
        prob = self.prob
        a_f = prob.window_a_csc[:, free].tocsr()
        rows = np.flatnonzero(np.diff(a_f.indptr) > 0)
        a_sub = a_f[rows]
        x = prob.x
        fixed_part = prob.window_a[rows] @ x - a_sub @ x[free]
        lo = np.where(prob.window_lo[rows] <= -_INF, -_INF, prob.window_lo[rows] - fixed_part)
        up = np.where(prob.window_up[rows] >= _INF, _INF, prob.window_up[rows] - fixed_part)
        h = _new_highs(prob.options)
        h.setOptionValue("time_limit", float(max(time_limit, 1.0)))
        h.setOptionValue("mip_rel_gap", float(gap))
        integer = free < prob.n_z
        _pass_lp(h, prob.cost[free], prob.lower[free], prob.upper[free], a_sub, lo, up, integer=integer)
        start = highspy.HighsSolution()
        start.col_value = x[free].tolist()
        start.value_valid = True
        h.setSolution(start)
        h.run()
        if h.getInfo().primal_solution_status != 2:
            return False
        trial = x.copy()
        trial[free] = np.asarray(h.getSolution().col_value)
        trial[free[integer]] = np.round(trial[free[integer]])
        return prob.offer(trial)


def _order(windows, z_lp, z_inc, z_site, n_s):
    """Windows by how far the incumbent's modules are from the LP's (largest first; stable)."""
    if z_lp is None:
        return windows
    dist = np.bincount(z_site, weights=np.abs(z_lp - z_inc), minlength=n_s)
    score = np.array([dist[w].sum() for w in windows])
    return [windows[i] for i in np.argsort(-score, kind="stable")]


def solve_windows(model, options, seed: int = 0):
    """Solve a model built with ``method="windows"`` by the LP-guided heuristic (module docstring).

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        From :func:`h2model.network.build.build_model` with ``method="windows"``.
    options : NetworkOptions
        ``time_limit_s`` (the whole search), ``mip_gap`` (stop when the incumbent is
        this close to the LP bound), ``threads`` (the LP), ``solver_options`` (every
        HiGHS model), ``tee`` (progress lines).
    seed : int
        Seed of the k-means windows.

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
        If the model was not built with ``method="windows"``.
    """
    from h2model.network.greedy import _greedy_installed

    t0, limit = _matrix_model_limit(model, options, "windows")
    deadline = t0 + limit

    def left():
        return deadline - perf_counter()

    stats = WindowStats()
    prob = _Problem(model, options)
    idx = model.network_index

    def log(what):
        stats.history.append((what, perf_counter() - t0, prob.best))
        if options.tee:
            b = np.fmax(stats.lp_bound, stats.mip_bound)
            gap = (prob.best - b) / abs(prob.best) if math.isfinite(prob.best) else math.nan
            print(f"windows {what}: incumbent {prob.best:.6g}, bound {b:.6g}, "
                  f"gap {100 * gap:.3f} %, {perf_counter() - t0:.0f} s", flush=True)

    # 1. LP relaxation: the bound and the guide
    lp_obj, x_lp, first_lp_s = prob.relaxation(LP_SHARE * limit if math.isfinite(limit) else 1e9)
    stats.lp_s = perf_counter() - t0
    stats.link_cuts = int(prob.link_active.sum())
    whole_milp = not (math.isfinite(limit) and first_lp_s > MILP_LP_SHARE * limit)
    bound = lp_obj
    stats.lp_bound = lp_obj if lp_obj is not None else math.nan
    z_lp = x_lp[: prob.n_z] if x_lp is not None else None
    log("LP relaxation")

    # 2. first plans: greedy and the LP rounded
    plans = [("greedy", _greedy_installed(model))]
    if z_lp is not None:
        prev = _previous_column(idx)
        plans += [(f"round {tau}", _rounded(z_lp, prob.z_upper, tau, prev)) for tau in ROUNDING_THRESHOLDS]
    for name, z in plans:
        if left() <= 0 and prob.x is not None:
            break
        value, x = prob.price(np.asarray(z, dtype=float), model)
        if x is not None and prob.offer(x):
            stats.first_plan = name
    log(f"first plans ({stats.first_plan})")

    # 3. window sweeps
    def gap():
        return (prob.best - bound) / max(abs(prob.best), 1e-9) if bound is not None else math.inf

    search = _WindowSearch(prob, model) if prob.x is not None else None
    # 3a. RINS over large windows (one window of every site up to RINS_WINDOW_SITES sites): the
    # modules the LP and the incumbent agree on stay fixed, the rest and the window's flows are free
    if whole_milp and search is not None and z_lp is not None:
        rins_end = perf_counter() + RINS_SHARE * left()
        for rnd in range(RINS_ROUNDS):
            improved = False
            big = _windows(model.network_data, RINS_WINDOW_SITES, seed + 100 + rnd)
            for i, w in enumerate(big):
                budget = min(RINS_TIME_S, (rins_end - perf_counter()) / (len(big) - i))
                if budget <= 2.0 or gap() <= options.mip_gap:
                    break
                improved |= search.solve(w, budget, WINDOW_GAP, z_lp, rins=True)
                stats.rins_rounds += 1
            log("RINS")
            if not improved:
                break

    windows_end = perf_counter() + (WINDOWS_SHARE if whole_milp else 1.0) * left()

    def window_left():
        return min(windows_end, deadline) - perf_counter()

    if search is not None:
        n_s = len(model.network_data.site_lon)
        for sweep in range(MAX_SWEEPS):
            if window_left() <= 1.0 or gap() <= options.mip_gap:
                break
            stats.sweeps += 1
            before = prob.best
            windows = _order(_windows(model.network_data, WINDOW_SITES, seed + sweep), z_lp,
                             prob.x[: prob.n_z], idx.z_site, n_s)
            for w in windows:
                if window_left() <= 1.0 or gap() <= options.mip_gap:
                    break
                # the first sweep keeps out modules the LP has not; later ones may open any
                improved = search.solve(w, min(WINDOW_TIME_S, window_left()), WINDOW_GAP,
                                        z_lp if sweep == 0 else None)
                stats.windows_solved += 1
                stats.windows_improved += int(improved)
            log(f"sweep {sweep + 1}")
            if before - prob.best < SWEEP_MIN_GAIN * abs(before) and sweep > 0:
                break

        # 4. polish: re-route everything with the incumbent's modules
        if left() > 1.0:
            _, x = prob.price(np.round(prob.x[: prob.n_z]), model)
            if x is not None:
                prob.offer(x)
            log("polish")

    # 5. the whole MILP from the incumbent, for HiGHS's cuts (a better bound) and its search
    if whole_milp and prob.x is not None and left() > 5.0 and gap() > options.mip_gap:
        mip_obj, mip_bound, x = prob.full_milp(left())
        if x is not None:
            prob.offer(x)
        if math.isfinite(mip_bound):
            bound = max(bound, mip_bound) if bound is not None else mip_bound
            stats.mip_bound = mip_bound
        log("whole MILP")

    model.window_stats = stats
    has = prob.x is not None
    if has:
        allvars = [v for family in idx.variables.values() for v in family]
        for v, value in zip(allvars, prob.x.tolist(), strict=True):
            v.set_value(value, skip_validation=True)
    g = gap() if has else math.inf
    if has and g <= options.mip_gap + 1e-12:
        status, term = "optimal", "optimal within mip_gap (LP bound)"
    elif has:
        status, term = "feasible", "time limit" if left() <= 1.0 else "windows exhausted"
    else:
        status, term = "no_solution", "time limit"
    return status, term, has, (prob.best if has else None), bound, None
