"""Tests for the LP-guided windows heuristic of the network plan (h2model.network.heuristic).

The heuristic's plans must be feasible plans of the whole model, so never cheaper than
the monolithic optimum, and close to it on small instances; its bound (the LP
relaxation, then the whole MILP's) must never exceed the optimum; and the same seed
must give the same plan.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from h2model.network import NetworkOptions, build_model, generate_instance, plan_network, read_results, solve
from h2model.network import heuristic as hh
from h2model.network.benders import _model_matrix
from h2model.network.build import OBJECTIVE_SCALE
from h2model.network.solve import solve_relaxation
from tests.test_network import tiny_data, tiny_options

OPTS = {"max_sites_per_node": 10, "covering_rows": True}


@pytest.fixture(scope="module")
def instance():
    """A generated instance, its monolithic optimum (CNY) and a windows solve of it."""
    data = generate_instance(40, 120, n_periods=4, seed=3)
    mono = plan_network(data, NetworkOptions(**OPTS, mip_gap=1e-7, time_limit_s=120.0))
    assert mono.solve.status == "optimal"
    model = build_model(data, NetworkOptions(**OPTS, method="windows", mip_gap=1e-7, time_limit_s=120.0))
    info = solve(model)
    return data, mono.solve.objective_cny, model, info


def _incumbents_cny(model, upto):
    """Incumbents after each phase up to (and including) the phase named ``upto``."""
    out = []
    for what, _, best in model.window_stats.history:
        if np.isfinite(best):
            out.append(best / OBJECTIVE_SCALE)
        if what == upto:
            break
    return out


def test_windows_plan_is_feasible_and_priced_exactly(instance):
    data, _, model, info = instance
    assert info.has_solution and "LP-guided windows" in info.message
    a, lo, up, _ = _model_matrix(model)
    x = np.array([v.value for fam in model.network_index.variables.values() for v in fam], dtype=float)
    act = a @ x
    tol = 1e-6 * np.maximum(1.0, np.abs(act))
    assert (act >= lo - tol).all() and (act <= up + tol).all()
    z = x[: len(model.network_index.variables["installed"])]
    assert np.array_equal(z, np.round(z))  # whole modules
    # the objective reported is the loaded plan's, every term
    assert info.objective_cny == pytest.approx(model.objective_coefficients @ x / OBJECTIVE_SCALE, rel=1e-9)
    plan = read_results(model, data, info)
    assert plan.objective_cny == pytest.approx(info.objective_cny, rel=1e-6)


def test_heuristic_plans_are_no_cheaper_than_the_optimum_and_close_to_it(instance):
    _, opt, model, _ = instance
    stats = model.window_stats
    assert stats.windows_solved > 0 and stats.rins_rounds > 0
    # before the whole MILP runs: the heuristic's own plans (first plans, windows, polish)
    own = _incumbents_cny(model, "polish")
    assert min(own) >= opt * (1 - 1e-6)  # feasible plans of the whole model
    assert own[-1] <= opt * 1.03  # within a few per cent
    # each window MILP is a restriction from the incumbent: the incumbent never rises
    assert all(b <= a * (1 + 1e-12) for a, b in zip(own, own[1:], strict=False))


def test_bounds_never_exceed_the_optimum_and_lp_bound_is_the_relaxation(instance):
    data, opt, model, info = instance
    assert info.bound_cny <= opt * (1 + 1e-6)
    lp = model.window_stats.lp_bound / OBJECTIVE_SCALE
    assert lp <= opt * (1 + 1e-9)
    # the same relaxation solved through the Pyomo model (another path to the same LP)
    relaxed = solve_relaxation(build_model(data, NetworkOptions(**OPTS)))
    assert lp == pytest.approx(relaxed.objective_cny, rel=1e-6)
    # given the time, the whole MILP from the incumbent proves the optimum
    assert info.status == "optimal"
    assert info.objective_cny == pytest.approx(opt, rel=1e-5)


def test_same_seed_same_plan():
    data = generate_instance(30, 90, n_periods=3, seed=5)
    options = NetworkOptions(**OPTS, method="windows", mip_gap=1e-4, time_limit_s=120.0)
    runs = []
    for _ in range(2):
        model = build_model(data, options)
        info = solve(model)
        z = np.array([v.value for v in model.network_index.variables["installed"]])
        assert model.window_stats.windows_solved > 0
        runs.append((info.objective_cny, z, [h[0] for h in model.window_stats.history]))
    assert runs[0][0] == runs[1][0]
    assert np.array_equal(runs[0][1], runs[1][1])
    assert runs[0][2] == runs[1][2]


def test_windows_are_a_partition_of_the_sites():
    data = generate_instance(60, 30, n_periods=2, seed=0)
    windows = hh._windows(data, 20, seed=0)
    sites = np.sort(np.concatenate(windows))
    assert np.array_equal(sites, np.arange(60))
    assert 2 <= len(windows) <= 3  # about 60 / 20 clusters (an empty one dropped)
    again = hh._windows(data, 20, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(windows, again, strict=True))


def test_rounding_is_monotone_over_periods():
    # one site-module over three periods: LP values 0.6, 0.2, 0.8; threshold 0.5
    prev = np.array([-1, 0, 1])
    z = hh._rounded(np.array([0.6, 0.2, 0.8]), np.ones(3), 0.5, prev)
    assert z.tolist() == [1.0, 1.0, 1.0]  # a module built stays built
    z = hh._rounded(np.array([0.1, 0.2, 0.8]), np.ones(3), 0.5, prev)
    assert z.tolist() == [0.0, 0.0, 1.0]


def test_method_needs_a_matrix_model():
    model = build_model(tiny_data(), tiny_options())
    with pytest.raises(ValueError, match='needs a model built with NetworkOptions\\(method="windows"\\)'):
        solve(model, dataclasses.replace(model.network_options, method="windows"))


def test_link_cuts_reach_the_relaxation_with_every_tight_linking_row():
    """The LP with only the violated tight-linking rows added (cut rounds) is the LP with all of them.

    Checked against the Pyomo model holding every row (another path to the same LP); the cuts lift
    the bound above the covering-only LP on this instance, and fewer rows than all are added.
    """
    data = generate_instance(40, 120, n_periods=4, seed=3)
    tight = {**OPTS, "tight_linking": True}
    model = build_model(data, NetworkOptions(**tight, method="windows"))
    prob = hh._Problem(model, model.network_options)
    n_rows = prob.a.shape[0]
    lp, x, _ = prob.relaxation(120.0)
    assert 0 < prob.link_active.sum() < prob.link.shape[0]
    assert prob.a.shape[0] == n_rows + prob.link_active.sum()  # the cuts stay for the whole MILP
    assert (prob.link @ x <= hh.LINK_TOL).all()  # no violated row left
    every = solve_relaxation(build_model(data, NetworkOptions(**tight))).objective_cny
    assert lp / OBJECTIVE_SCALE == pytest.approx(every, rel=1e-6)
    covering_only = solve_relaxation(build_model(data, NetworkOptions(**OPTS))).objective_cny
    assert every > covering_only * (1 + 1e-4)


def test_whole_milp_is_skipped_when_the_first_lp_is_slow(monkeypatch):
    """With MILP_LP_SHARE 0 every first LP counts as slow: no whole MILP and no RINS (the windows get
    the time), the bound stays the LP's."""
    data = generate_instance(30, 90, n_periods=3, seed=5)
    monkeypatch.setattr(hh, "MILP_LP_SHARE", 0.0)
    model = build_model(data, NetworkOptions(**OPTS, method="windows", mip_gap=1e-7, time_limit_s=60.0))
    info = solve(model)
    phases = [h[0] for h in model.window_stats.history]
    assert "whole MILP" not in phases and "RINS" not in phases and "sweep 1" in phases
    assert np.isnan(model.window_stats.mip_bound)
    assert info.bound_cny == pytest.approx(model.window_stats.lp_bound / OBJECTIVE_SCALE, rel=1e-12)


def test_matrix_built_solves_print_no_highs_banner(tmp_path):
    """HiGHS prints its banner at a process's first Highs(); a windows solve must not show it."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "from h2model.network import NetworkOptions, build_model, generate_instance, solve\n"
        "d = generate_instance(12, 30, n_periods=2, seed=3)\n"
        "o = NetworkOptions(method='windows', covering_rows=True, time_limit_s=30.0)\n"
        "print('status', solve(build_model(d, o)).status)\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert "status " in out.stdout
    assert "Running HiGHS" not in out.stdout + out.stderr
