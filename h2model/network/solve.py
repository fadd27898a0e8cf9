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
On large instances HiGHS may spend its whole time limit at the root node without a
good incumbent. With ``heuristic_start`` (automatic above
:data:`~h2model.network.build.HEURISTIC_START_BINARIES` binaries) :func:`solve`
first (1) solves the last period alone, standing for the whole horizon (capex
paid once, operation discounted over all years): the final network; then (2)
solves the full multi-period model with every (site, module) outside that network
fixed at zero, which settles when each module is built; and (3) solves the full
model with that plan as HiGHS's MIP start (``appsi_highs``, persistent, so the
model is loaded once) in the time left. Stages (1) and (2) take at most 20 % and
30 % of ``time_limit_s``. The reported bound and gap are those of stage (3), valid
for the full model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
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
    build_model,
)

__all__ = ["LEGACY_OPTION_NAMES", "SolveInfo", "SolverUnavailable", "solve"]

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
        Time the solver itself reports, s; NaN where not reported.
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


def _final_period(data):
    """The last period alone, standing for all the years of the horizon."""
    weight = int(data.period_weight_years.sum())
    return replace(
        data,
        periods=data.periods.iloc[[-1]].assign(weight_years=weight).reset_index(drop=True),
        demand_kg_per_day=data.demand_kg_per_day[:, -1:],
        period_year=data.period_year[-1:],
        period_weight_years=np.array([weight]),
    )


def _appsi_result(res):
    obj = res.best_feasible_objective
    bound = res.best_objective_bound
    has = obj is not None and math.isfinite(obj)
    bound = bound if bound is not None and math.isfinite(bound) else None
    return has, (obj if has else None), bound


def _solve_staged(model, options):
    """Final network -> restricted horizon -> full MIP from that start (HiGHS)."""
    from pyomo.contrib.appsi.base import TerminationCondition as AppsiTermination
    from pyomo.contrib.appsi.solvers import Highs as AppsiHighs

    t0 = perf_counter()
    budget = options.time_limit_s if options.time_limit_s is not None else math.inf
    data = model.network_data
    idx = model.network_index
    zs = idx.variables["installed"]

    def left():
        return budget - (perf_counter() - t0)

    # (1) the final network
    stage = replace(
        options,
        heuristic_start=False,
        solver="highs",
        time_limit_s=0.2 * budget if math.isfinite(budget) else None,
        mip_gap=max(options.mip_gap, 0.005),
    )
    final = build_model(_final_period(data), stage)
    info1 = solve(final, stage)
    keep = np.zeros(data.capex_cny.shape)
    if info1.has_solution:
        fidx = final.network_index
        z1 = np.array([v.value or 0.0 for v in fidx.variables["installed"]])
        keep[fidx.z_site, fidx.z_module] = np.round(z1)

    solver = AppsiHighs()
    solver.config.load_solution = False
    solver.config.stream_solver = options.tee
    solver.config.mip_gap = options.mip_gap
    if options.threads is not None:
        solver.highs_options["threads"] = options.threads
    solver.highs_options.update(options.solver_options)

    # (2) the whole horizon, modules restricted to the final network
    has2 = False
    obj = None
    if info1.has_solution:
        allowed = keep[idx.z_site, idx.z_module]
        upper = [v.ub for v in zs]
        for v, a in zip(zs, allowed.tolist(), strict=True):
            if a < 0.5:
                v.fix(0)
            elif v.ub is None or a < v.ub:
                v.setub(a)
        solver.config.time_limit = max(1.0, min(0.3 * budget, left()))
        has2, obj, _ = _appsi_result(solver.solve(model))
        if has2:
            solver.load_vars()
        for v, ub in zip(zs, upper, strict=True):
            v.unfix()
            v.setub(ub)

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
    build_time = getattr(getattr(model, "network_index", None), "build_time_s", math.nan)
    t0 = perf_counter()
    idx = getattr(model, "network_index", None)
    n_bin = len(idx.variables["installed"]) if idx is not None else 0
    staged = opt.heuristic_start if opt.heuristic_start is not None else n_bin > HEURISTIC_START_BINARIES
    staged = (
        staged
        and opt.solver in ("highs", "appsi_highs")
        and getattr(model, "network_data", None) is not None
        and len(model.network_data.period_year) > 1
    )
    if staged:
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
    message = f"{opt.solver}{' with heuristic start' if staged else ''}: {status} ({term})"
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
