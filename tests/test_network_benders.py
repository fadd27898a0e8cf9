"""Tests for the Benders decomposition of the network plan (h2model.network.benders).

The decomposition must reach the monolithic model's optimum (the same formulation,
solved whole by HiGHS) and its bounds must never exceed it. The tiny instance's
optimum is also checked against the enumeration of tests/test_network.py.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from h2model.network import (
    NetworkOptions,
    build_model,
    generate_instance,
    plan_network,
    read_results,
    solve,
    solve_relaxation,
)
from h2model.network import benders as bd
from h2model.network.build import OBJECTIVE_SCALE
from tests.test_network import (
    coverage_case,
    enumerate_optimum,
    plan_builds,
    tiny_data,
    tiny_options,
    two_site_case,
)

EXACT = {"mip_gap": 1e-7, "time_limit_s": 120.0}


def _both(data, **opts):
    """Monolithic and Benders plans of the same data and options."""
    mono = plan_network(data, NetworkOptions(**opts))
    model = build_model(data, NetworkOptions(**opts, method="benders"))
    info = solve(model)
    return mono, read_results(model, data, info), model


def test_tiny_instance_matches_enumeration():
    best, builds, _ = enumerate_optimum()
    plan = plan_network(tiny_data(), tiny_options(method="benders"))
    assert plan.solve.status == "optimal"
    assert plan.solve.objective_cny == pytest.approx(best, rel=1e-6)
    assert plan.objective_cny == pytest.approx(best, rel=1e-6)  # the tables price the loaded plan
    assert plan_builds(plan) == builds
    assert "Benders" in plan.solve.message


@pytest.mark.parametrize("covering", [False, True])
def test_generated_instance_same_optimum_and_valid_bounds(covering):
    data = generate_instance(25, 75, n_periods=4, seed=2)
    mono, plan, model = _both(data, covering_rows=covering, **EXACT)
    assert mono.solve.status == "optimal" and plan.solve.status == "optimal"
    opt = mono.solve.objective_cny
    assert plan.solve.objective_cny == pytest.approx(opt, rel=1e-5)
    assert plan.objective_cny == pytest.approx(plan.solve.objective_cny, rel=1e-6)
    # every bound the decomposition reported is a lower bound of the optimum
    stats = model.benders_stats
    bounds = [b / OBJECTIVE_SCALE for _, _, b, _ in stats.history]
    assert max(bounds) <= opt * (1 + 1e-6)
    assert plan.solve.bound_cny <= opt * (1 + 1e-6)
    assert stats.evaluations >= 2 and stats.cuts > 0


def test_targets_coverage_and_price_rows_in_the_master_and_subproblems():
    # station target and coverage live in the master (open and shortfall columns)
    data = generate_instance(20, 60, n_periods=3, seed=4)
    mono, plan, _ = _both(data, station_target_count=12, station_target_year=2022, coverage_km=6.0, **EXACT)
    assert plan.solve.objective_cny == pytest.approx(mono.solve.objective_cny, rel=1e-5)
    assert plan.by_year["stations_open"].tolist() == mono.by_year["stations_open"].tolist()
    # coverage forces a second station (tests/test_network.py); with Benders too
    cov = plan_network(coverage_case(), tiny_options(coverage_km=2.0, method="benders"))
    assert "S1" in set(cov.stations["site_id"])
    # the price target is a subproblem row with the modules on its right-hand side: one
    # station must serve both nodes (each 200 kg/day, minimum 250 kg/day per module)
    opts = {"detour_cost_cny_per_km_per_kg": 10.0, "unmet_penalty_cny_per_kg": 1000.0}
    price = {"price_target_cny_per_kg": 35.0, "price_target_year": 2024,
             "price_target_min_kg_per_day": (250.0, 250.0)}  # fmt: skip
    priced = plan_network(two_site_case(), tiny_options(**opts, **price, method="benders"))
    mono_priced = plan_network(two_site_case(), tiny_options(**opts, **price))
    assert priced.by_year["stations_open"].tolist() == [1, 1]
    assert priced.solve.objective_cny == pytest.approx(mono_priced.solve.objective_cny, rel=1e-6)


def test_cut_is_a_lower_bound_of_the_subproblem_everywhere():
    # v_t is convex in the plan, so the cut taken at one plan underestimates it at another;
    # checked on plans far apart (none, all, and random fractional ones)
    data = generate_instance(30, 90, n_periods=3, seed=1)
    opts = NetworkOptions(covering_rows=True, method="benders")
    model = build_model(data, opts)
    split = bd._split(model, data)
    ub = split.master_upper[: split.n_z]
    rng = np.random.default_rng(0)
    plans = [np.zeros_like(ub), ub, *(rng.random(len(ub)) * ub for _ in range(3))]
    for sub in split.subs:
        at = [bd._solve_sub(sub, z, opts)[:2] for z in plans]
        for (v_a, g_a), z_a in zip(at, plans, strict=True):
            for (v_b, _), z_b in zip(at, plans, strict=True):
                assert v_a + g_a @ (z_b - z_a) <= v_b + 1e-6 * max(1.0, abs(v_b))
        # and the cut is exact at its own plan, and not flat (modules change the cost)
        assert np.abs(at[0][1]).max() > 0


def test_covering_rows_raise_the_bound_on_a_generated_instance():
    data = generate_instance(60, 180, n_periods=4, seed=0)
    plain = build_model(data, NetworkOptions(max_sites_per_node=10))
    covered = build_model(data, NetworkOptions(max_sites_per_node=10, covering_rows=True))
    lp_plain = solve_relaxation(plain).objective_cny
    lp_cov = solve_relaxation(covered).objective_cny
    assert lp_cov > lp_plain * 1.02  # the LP can no longer serve a node with slivers of modules
    # the decomposition's root bound carries the same strength
    roots = {}
    for cov in (False, True):
        opts = NetworkOptions(max_sites_per_node=10, covering_rows=cov, method="benders", mip_gap=0.5)
        model = build_model(data, opts)
        solve(model, opts)
        roots[cov] = model.benders_stats.root_bound / OBJECTIVE_SCALE
    assert roots[True] > roots[False] * 1.01
    assert roots[True] <= lp_cov * (1 + 1e-4) or roots[True] <= lp_cov + 1.0


def test_method_is_validated_and_needs_a_matrix_model():
    with pytest.raises(ValueError, match="method 'lagrange' must be one of"):
        NetworkOptions(method="lagrange")
    data = tiny_data()
    model = build_model(data, tiny_options())
    with pytest.raises(ValueError, match='needs a model built with NetworkOptions\\(method="benders"\\)'):
        solve(model, dataclasses.replace(model.network_options, method="benders"))
