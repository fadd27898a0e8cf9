"""Network plan: where to build hydrogen refuelling stations, when, and how big.

The optimisation core is four steps, each a function that can be tested and timed
on its own (data preparation -> model construction -> solve -> results):

* :func:`prepare` checks plain tables and precomputes distances and sparse pairs
  (:mod:`h2model.network.prepare`, which documents the input columns);
* :func:`build_model` builds the Pyomo MILP (:mod:`h2model.network.build`, which
  documents the formulation);
* :func:`solve` runs HiGHS (or any Pyomo solver);
* :func:`read_results` returns a :class:`NetworkPlan` of tidy tables.

:func:`plan_network` runs the last three in order.

>>> from h2model.network import generate_instance, NetworkOptions, plan_network
>>> plan = plan_network(generate_instance(12, 30, n_periods=2, seed=3), NetworkOptions())
>>> plan.solve.status
'optimal'
>>> abs(plan.objective_cny / plan.solve.objective_cny - 1) < 1e-6
True
"""

from h2model.network.build import (
    NetworkIndex,
    NetworkOptions,
    build_model,
    discount_factors,
)
from h2model.network.prepare import (
    NetworkData,
    default_periods,
    detour_cost_cny_per_km_per_kg,
    generate_instance,
    haversine_km,
    prepare,
    road_km,
)
from h2model.network.read import COST_COMPONENTS, NetworkPlan, read_results
from h2model.network.solve import SolveInfo, SolverUnavailable, solve, solve_relaxation

__all__ = [
    "COST_COMPONENTS",
    "NetworkData",
    "NetworkIndex",
    "NetworkOptions",
    "NetworkPlan",
    "SolveInfo",
    "SolverUnavailable",
    "build_model",
    "default_periods",
    "detour_cost_cny_per_km_per_kg",
    "discount_factors",
    "generate_instance",
    "haversine_km",
    "plan_network",
    "prepare",
    "read_results",
    "road_km",
    "solve",
    "solve_relaxation",
]


def plan_network(data: NetworkData, options: NetworkOptions | None = None) -> NetworkPlan:
    """Build, solve and read the network plan for prepared data.

    Parameters
    ----------
    data : NetworkData
        From :func:`prepare` (or :func:`generate_instance`).
    options : NetworkOptions, optional
        Targets, limits, costs and solver settings; defaults to ``NetworkOptions()``.

    Returns
    -------
    NetworkPlan
        With ``plan.solve`` holding solver status, gap and build/solve times, and
        ``plan.binding`` the targets and limits that bind (a target the candidates
        cannot meet is reported there, never raised).
    """
    options = options or NetworkOptions()
    model = build_model(data, options)
    info = solve(model, options)
    return read_results(model, data, info)
