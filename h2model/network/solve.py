"""Solve a built network-plan model with a Pyomo solver (HiGHS by default).

``"highs"`` uses Pyomo's interface to highspy in ``pyomo.contrib.solver`` (the
"v2" solver API), which loads the model into HiGHS in memory without writing
files; of the two HiGHS interfaces Pyomo 6.10 offers it loads large models
fastest here (``"appsi_highs"`` also works). Any other name goes to Pyomo's
classic ``SolverFactory`` (``cbc``, ``glpk``, ``gurobi``, ``cplex``, ``scip``...);
``time_limit_s`` and ``mip_gap`` are translated for the solvers listed in
:data:`LEGACY_OPTION_NAMES` and may otherwise be given in
``NetworkOptions.solver_options``.

Heuristic start
---------------
On large instances HiGHS may spend its whole time limit near the root node without
a good incumbent. With ``heuristic_start`` (automatic above
:data:`~h2model.network.build.HEURISTIC_START_BINARIES` binaries) :func:`solve`
first (1) builds a plan greedily, period by period: while the open stations cannot
serve all demand in reach (a max flow of demand to capacity) and a module beats the
unmet-demand penalty, the module that serves the most extra demand per CNY of capex
and fixed O&M among the likeliest few is added; then modules the service does not
need are dropped or delayed; (2) solves the model with those modules fixed (a linear programme in
effect) for a complete, feasible start; and (3) solves the full model from that
start (HiGHS MIP start through ``appsi_highs``, persistent, so the model is loaded
once) in the time left. Stage (2) takes at most 30 % of ``time_limit_s``. The
reported bound and gap are those of stage (3), valid for the full model. The
greedy plan ignores supply capacity, coverage and the price target; where they
make it infeasible, stage (3) simply starts without it.

With ``start="relax_and_fix"`` stage (1) is instead a relax-and-fix over periods
(:func:`_relax_and_fix_installed`): with the ``installed`` variables of later
periods continuous, HiGHS solves the model with those of the first period integer,
they are fixed at its solution, and so on period by period; the last stage gives
an integer plan that respects every constraint. It takes at most
:data:`RELAX_AND_FIX_SHARE` of ``time_limit_s``, shared among the periods left.
"""

from __future__ import annotations

import dataclasses
import math
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory as SolverFactoryV2
from pyomo.contrib.solver.common.results import SolutionStatus
from pyomo.opt import SolverStatus, TerminationCondition

from h2model.network.build import (
    HEURISTIC_START_BINARIES,
    OBJECTIVE_SCALE,
    NetworkOptions,
)
from h2model.network.greedy import _greedy_installed, _served_kg_per_day  # noqa: F401 (tests use them here)

__all__ = ["LEGACY_OPTION_NAMES", "SolveInfo", "SolverUnavailable", "solve", "solve_relaxation"]

#: Option names for time limit (s) and relative MIP gap of classic Pyomo solvers.
LEGACY_OPTION_NAMES = {
    "appsi_highs": ("time_limit", "mip_rel_gap"),
    "cbc": ("seconds", "ratioGap"),
    "glpk": ("tmlim", "mipgap"),
    "gurobi": ("TimeLimit", "MIPGap"),
    "cplex": ("timelimit", "mipgap"),
    "scip": ("limits/time", "limits/gap"),
}


class SolverUnavailable(RuntimeError):
    """The requested solver is not installed or not known to Pyomo."""


@dataclass(frozen=True)
class SolveInfo:
    """How a solve went.

    Attributes
    ----------
    solver : str
        Solver name as given.
    status : str
        ``"optimal"`` (within ``mip_gap``), ``"feasible"`` (stopped with a solution,
        e.g. at the time limit), ``"no_solution"`` or ``"error"``.
    termination : str
        The solver's termination condition, as Pyomo reports it.
    has_solution : bool
        Whether variable values were loaded into the model.
    objective_cny : float
        Objective of the solution, CNY (discounted); NaN without a solution.
    bound_cny : float
        Best proven lower bound, CNY; NaN where unknown.
    gap : float
        Relative gap ``(objective - bound) / |objective|``; NaN where unknown.
    build_time_s : float
        Model construction time, s (from the model).
    solve_time_s : float
        Wall time of the solve call, s (loading the model into the solver and
        solving).
    solver_time_s : float
        Time the solver itself reports, s; NaN where not reported (classic
        interfaces, and the heuristic start, which runs HiGHS more than once).
    message : str
        Short human summary.
    """

    solver: str
    status: str
    termination: str
    has_solution: bool
    objective_cny: float
    bound_cny: float
    gap: float
    build_time_s: float
    solve_time_s: float
    solver_time_s: float
    message: str


def _gap(objective, bound):
    if objective is None or bound is None or not math.isfinite(objective) or not math.isfinite(bound):
        return math.nan
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))


def _solve_v2(model, options):
    solver = SolverFactoryV2(options.solver)
    if not solver.available():
        raise SolverUnavailable(f"solver {options.solver!r} is not available: {solver.available()}")
    kwargs = {
        "load_solutions": False,
        "raise_exception_on_nonoptimal_result": False,
        "tee": options.tee,
        "rel_gap": options.mip_gap,
        "solver_options": dict(options.solver_options),
    }
    if options.time_limit_s is not None:
        kwargs["time_limit"] = options.time_limit_s
    if options.threads is not None:
        kwargs["threads"] = options.threads
    res = solver.solve(model, **kwargs)
    has = res.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    if has:
        res.solution_loader.load_vars()
    obj = res.incumbent_objective if has else None
    bound = res.objective_bound
    term = res.termination_condition.name
    if res.solution_status == SolutionStatus.optimal:
        status = "optimal"
    elif has:
        status = "feasible"
    elif term in ("error", "licensingProblems"):
        status = "error"
    else:
        status = "no_solution"
    solver_time = getattr(res.timing_info, "highs_time", None)
    return status, term, has, obj, bound, solver_time


def _solve_legacy(model, options):
    solver = pyo.SolverFactory(options.solver)
    try:
        available = solver is not None and solver.available(exception_flag=False)
    except Exception:  # pragma: no cover - depends on the solver plugin
        available = False
    if not available:
        raise SolverUnavailable(
            f"solver {options.solver!r} is not available; install it or use solver='highs'"
        )
    solver_options = {}
    names = LEGACY_OPTION_NAMES.get(options.solver)
    if names is not None:
        if options.time_limit_s is not None:
            solver_options[names[0]] = options.time_limit_s
        solver_options[names[1]] = options.mip_gap
    solver_options.update(options.solver_options)
    res = solver.solve(model, load_solutions=False, tee=options.tee, options=solver_options)
    term_cond = res.solver.termination_condition
    term = str(term_cond)
    has = len(res.solution) > 0 and term_cond not in (
        TerminationCondition.infeasible,
        TerminationCondition.infeasibleOrUnbounded,
        TerminationCondition.unbounded,
    )
    if has:
        model.solutions.load_from(res)
    obj = pyo.value(model.cost) if has else None
    bound = None
    try:
        lower = res.problem.lower_bound
        bound = float(lower) if lower is not None and math.isfinite(float(lower)) else None
    except (TypeError, ValueError, AttributeError):  # pragma: no cover
        bound = None
    if term_cond == TerminationCondition.optimal and has:
        status = "optimal"
    elif has:
        status = "feasible"
    elif res.solver.status == SolverStatus.error:
        status = "error"
    else:
        status = "no_solution"
    return status, term, has, obj, bound, None


#: Most of ``time_limit_s`` the relax-and-fix start may take.
RELAX_AND_FIX_SHARE = 0.5
#: Most stages of the relax-and-fix start (consecutive periods are grouped into this many).
RELAX_AND_FIX_STAGES = 4
#: Relative gap each relax-and-fix stage is solved to (of the whole objective, so tighter
#: than a plan's gap: one stage decides only its own periods).
RELAX_AND_FIX_GAP = 1e-3


def _relax_and_fix_installed(model, make_solver, budget_s: float, n_stages: int = RELAX_AND_FIX_STAGES):
    """A build plan by relax-and-fix over periods: modules installed per ``installed`` variable.

    The periods are split into ``n_stages`` blocks of consecutive periods. All
    ``installed`` variables are made continuous; then for each block in turn, those
    of its periods get their integer domain back, the model is solved (a new HiGHS
    from ``make_solver`` per stage) to :data:`RELAX_AND_FIX_GAP`, and they are fixed
    (through their bounds) at the solution, rounded. Later periods are an LP
    relaxation that prices what a module built now is worth later; earlier ones are
    fixed. A stage that ends without a solution (time limit) keeps the modules of
    the period before it, and so do the periods after it. Domains and bounds are
    restored; the variable values left in the model are the last stage's (a
    complete plan) when it found one.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        From :func:`h2model.network.build.build_model`.
    make_solver : callable
        Returns a new appsi HiGHS solver with the caller's settings (threads,
        options); its gap and time limit are set per stage.
    budget_s : float
        Wall time for all stages, s (``inf``: no limit), shared equally among the
        stages left.
    n_stages : int
        Most stages.

    Returns
    -------
    values : numpy.ndarray
        Modules installed, one per ``installed`` variable (integers, cumulative).
    objective : float or None
        Objective of the complete plan left in the model (scaled, as the solver
        reports it); ``None`` when a stage found no solution.
    """
    t0 = perf_counter()
    idx = model.network_index
    zs = idx.variables["installed"]
    z_t = idx.z_period
    n_t = len(model.network_data.period_year)
    domains = [v.domain for v in zs]
    # column of the same site and module in the period before (-1: none)
    prev = np.full(len(zs), -1, np.int64)
    nxt = np.flatnonzero((z_t[:-1] + 1 == z_t[1:]) & (idx.z_site[:-1] == idx.z_site[1:])
                         & (idx.z_module[:-1] == idx.z_module[1:]))
    prev[nxt + 1] = nxt
    values = np.zeros(len(zs))
    objective = None
    blocks = np.array_split(np.arange(n_t), min(n_stages, n_t))
    with _integrality_relaxed(zs):
        for b, periods in enumerate(blocks):
            cols = np.flatnonzero(np.isin(z_t, periods))
            got = None
            if b == 0 or objective is not None:
                for i in cols.tolist():
                    zs[i].domain = domains[i]
                left = budget_s - (perf_counter() - t0)
                # an equal share of what is left, but never under half an equal share of the budget
                # (HiGHS may overrun a stage's limit; the last stage then still gets time)
                floor_s = max(1.0, 0.5 * budget_s / len(blocks))
                limit_s = max(floor_s, left / (len(blocks) - b)) if math.isfinite(left) else None
                # a new HiGHS per stage: a persistent one, after the integrality of its
                # columns changed, was seen to report the objective of another plan
                solver = make_solver()
                solver.config.mip_gap = RELAX_AND_FIX_GAP
                solver.config.time_limit = limit_s
                res = solver.solve(model)
                has, objective, _ = _appsi_result(res)
                if has:
                    solver.load_vars()
                    got = np.round([zs[i].value for i in cols.tolist()])
            for t in periods:  # in period order: a fallback period copies the one before
                ct = np.flatnonzero(z_t[cols] == t)
                before = np.where(prev[cols[ct]] >= 0, values[np.maximum(prev[cols[ct]], 0)], 0.0)
                values[cols[ct]] = np.maximum(got[ct], before) if got is not None else before
            for i, value in zip(cols.tolist(), values[cols].tolist(), strict=True):
                zs[i].domain = pyo.Reals
                zs[i].setlb(value)
                zs[i].setub(value)
    return values, objective


def _appsi_result(res):
    obj = res.best_feasible_objective
    bound = res.best_objective_bound
    has = obj is not None and math.isfinite(obj)
    bound = bound if bound is not None and math.isfinite(bound) else None
    return has, (obj if has else None), bound


def _solve_staged(model, options):
    """Heuristic plan (greedy, relax-and-fix) -> its operation -> full MIP from that start (HiGHS, appsi)."""
    from pyomo.contrib.appsi.base import TerminationCondition as AppsiTermination
    from pyomo.contrib.appsi.solvers import Highs as AppsiHighs

    t0 = perf_counter()
    budget = options.time_limit_s if options.time_limit_s is not None else math.inf
    idx = model.network_index
    zs = idx.variables["installed"]

    def left():
        return budget - (perf_counter() - t0)

    def make_solver():
        solver = AppsiHighs()
        solver.config.load_solution = False
        solver.update_config.treat_fixed_vars_as_params = False
        solver.config.stream_solver = options.tee
        solver.config.mip_gap = options.mip_gap
        if options.threads is not None:
            solver.highs_options["threads"] = options.threads
        solver.highs_options.update(options.solver_options)
        return solver

    solver = make_solver()

    # (1) a build plan; relax-and-fix leaves its operation in the model when it completes
    rf_obj = None
    z_start = _greedy_installed(model)
    if options.start == "relax_and_fix":
        rf_values, rf_obj = _relax_and_fix_installed(model, make_solver, RELAX_AND_FIX_SHARE * budget)
        # an incomplete relax-and-fix (a stage without a solution) leaves the greedy plan
        del rf_values

    # (2) operation of the greedy plan (its modules fixed through their bounds: appsi would
    # re-add every row of a fixed variable), a complete start for the solver; after a
    # complete relax-and-fix, the better of the two plans
    if rf_obj is not None:
        allvars = list(model.component_data_objects(pyo.Var, descend_into=True))
        kept = [v.value for v in allvars]
    else:
        kept = None
    bounds = [(v.lb, v.ub) for v in zs]
    for v, value in zip(zs, z_start.tolist(), strict=True):
        v.setlb(value)
        v.setub(value)
    solver.config.time_limit = max(1.0, min(0.3 * budget, left()))
    has2, obj, _ = _appsi_result(solver.solve(model))
    if has2:
        solver.load_vars()
    for v, (lb, ub) in zip(zs, bounds, strict=True):
        v.setlb(lb)
        v.setub(ub)
    if kept is not None and (not has2 or rf_obj < obj):
        for v, value in zip(allvars, kept, strict=True):
            v.set_value(value, skip_validation=True)
        has2, obj = True, rf_obj

    # (3) the full model from that start
    solver.config.warmstart = has2
    solver.config.time_limit = max(1.0, left())
    res = solver.solve(model)
    has3, obj3, bound = _appsi_result(res)
    if has3 and (obj is None or obj3 <= obj):
        solver.load_vars()
        obj = obj3
    term = res.termination_condition.name
    has = has2 or has3
    if res.termination_condition == AppsiTermination.optimal and has:
        status = "optimal"
    elif has:
        status = "feasible"
    else:
        status = "no_solution"
    return status, term, has, obj, bound, None


@contextmanager
def _integrality_relaxed(variables):
    """Within the block, ``variables`` are continuous between their bounds; restored after.

    Bounds are set from the integer domain first (a binary becomes [0, 1]), so the
    relaxation keeps them; domains and bounds are put back on leaving.
    """
    saved = [(v.domain, v.lb, v.ub) for v in variables]
    try:
        for v in variables:
            lb, ub = v.lb, v.ub
            v.domain = pyo.Reals
            v.setlb(lb)
            v.setub(ub)
        yield
    finally:
        for v, (domain, lb, ub) in zip(variables, saved, strict=True):
            v.domain = domain
            v.setlb(lb)
            v.setub(ub)


def solve_relaxation(model, options: NetworkOptions | None = None) -> SolveInfo:
    """Solve the LP relaxation of a built model (``installed`` continuous), for its bound.

    The model's integer domains are restored afterwards; the variable values left in
    the model are the relaxation's (fractional ``installed``). The relaxation's
    optimum is a lower bound on the MILP's (``objective_cny``, CNY).

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        From :func:`h2model.network.build.build_model`.
    options : NetworkOptions, optional
        Solver settings (HiGHS-family solvers through ``pyomo.contrib.solver``);
        defaults to the model's.

    Returns
    -------
    SolveInfo
    """
    opt = options or model.network_options
    with _integrality_relaxed(model.network_index.variables["installed"]):
        return solve(model, dataclasses.replace(opt, heuristic_start=False))


def solve(model, options: NetworkOptions | None = None) -> SolveInfo:
    """Solve a model from :func:`h2model.network.build.build_model`.

    Variable values are loaded into ``model`` when the solver returns a solution
    (optimal or, at a time limit, feasible). The model cannot be infeasible by
    construction (unmet demand and target shortfalls are penalised slacks), so a
    missing solution means the solver stopped first (time limit) or failed.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        Built model.
    options : NetworkOptions, optional
        Solver name, ``time_limit_s``, ``mip_gap``, ``threads``,
        ``solver_options``, ``tee``. Defaults to the options the model was built
        with.

    Returns
    -------
    SolveInfo

    Raises
    ------
    SolverUnavailable
        If the solver is not installed or unknown.
    """
    opt = options or getattr(model, "network_options", None) or NetworkOptions()
    if opt.method == "auto":  # the method the model was built for (build.resolve_method)
        built = getattr(model, "network_options", None)
        opt = dataclasses.replace(opt, method=built.method if built is not None else "monolithic")
    build_time = getattr(getattr(model, "network_index", None), "build_time_s", math.nan)
    t0 = perf_counter()
    idx = getattr(model, "network_index", None)
    n_bin = len(idx.variables["installed"]) if idx is not None else 0
    staged = (
        opt.heuristic_start
        if opt.heuristic_start is not None
        else n_bin > HEURISTIC_START_BINARIES or opt.start != "greedy"
    )
    staged = (
        staged and opt.solver in ("highs", "appsi_highs") and getattr(model, "network_data", None) is not None
    )
    if opt.method == "benders":
        from h2model.network.benders import solve_benders

        staged = False
        status, term, has, obj, bound, solver_time = solve_benders(model, opt)
    elif opt.method == "windows":
        from h2model.network.heuristic import solve_windows

        staged = False
        status, term, has, obj, bound, solver_time = solve_windows(model, opt)
    elif staged:
        status, term, has, obj, bound, solver_time = _solve_staged(model, opt)
    elif opt.solver in SolverFactoryV2:
        status, term, has, obj, bound, solver_time = _solve_v2(model, opt)
    else:
        status, term, has, obj, bound, solver_time = _solve_legacy(model, opt)
    elapsed = perf_counter() - t0
    objective = obj / OBJECTIVE_SCALE if obj is not None else math.nan
    bound_cny = bound / OBJECTIVE_SCALE if bound is not None else math.nan
    gap = _gap(objective, bound_cny)
    if status == "optimal" and math.isnan(gap):
        gap = 0.0
    how = f" with heuristic start ({opt.start})" if staged else ""
    how = " by Benders decomposition" if opt.method == "benders" else how
    how = " by LP-guided windows (bound: LP relaxation)" if opt.method == "windows" else how
    message = f"{opt.solver}{how}: {status} ({term})"
    if has:
        message += f", objective {objective:,.0f} CNY"
        if math.isfinite(gap):
            message += f", gap {100 * gap:.3g}%"
    return SolveInfo(
        solver=opt.solver,
        status=status,
        termination=term,
        has_solution=has,
        objective_cny=objective,
        bound_cny=bound_cny,
        gap=gap,
        build_time_s=float(build_time),
        solve_time_s=elapsed,
        solver_time_s=float(solver_time) if solver_time is not None else math.nan,
        message=message,
    )
