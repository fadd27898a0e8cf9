"""h2model.network.cache: a stored plan is returned only for the inputs it was solved from."""

from __future__ import annotations

import dataclasses
import threading
import time

import pandas as pd
import pytest

from h2model.network import NetworkOptions, generate_instance, plan_network
from h2model.network import cache as plan_cache


def _data():
    return generate_instance(8, 20, n_periods=2, seed=5)


OPTIONS = NetworkOptions(time_limit_s=60.0)


@pytest.fixture
def solves(monkeypatch):
    """Each real solve of the cache module, as (data, options); the plans are genuine."""
    seen = []

    def counted(data, options):
        seen.append((data, options))
        return plan_network(data, options)

    monkeypatch.setattr(plan_cache, "plan_network", counted)
    return seen


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(plan_cache.ENV_VAR, str(tmp_path / "plans"))
    return tmp_path / "plans"


#: What a solve took: the one part of a plan two solves of one model need not share.
TIMES = {"build_time_s": 0.0, "solve_time_s": 0.0, "solver_time_s": 0.0}


def _assert_same_plan(got, want):
    assert dataclasses.replace(got.solve, **TIMES) == dataclasses.replace(want.solve, **TIMES)
    assert got.binding == want.binding
    for name, table in want.tables().items():
        pd.testing.assert_frame_equal(got.tables()[name], table, check_exact=True, obj=name)


def test_without_the_variable_every_call_solves(solves, monkeypatch):
    monkeypatch.delenv(plan_cache.ENV_VAR, raising=False)
    plan_cache.cached_plan_network(_data(), OPTIONS)
    plan_cache.cached_plan_network(_data(), OPTIONS)
    assert len(solves) == 2
    monkeypatch.setenv(plan_cache.ENV_VAR, "")  # empty means off too
    plan_cache.cached_plan_network(_data(), OPTIONS)
    assert len(solves) == 3


def test_the_same_inputs_read_the_stored_plan_and_give_the_fresh_solve(solves, folder):
    first = plan_cache.cached_plan_network(_data(), OPTIONS)
    assert first.solve.status == "optimal" and len(first.build_plan) > 0
    again = plan_cache.cached_plan_network(_data(), NetworkOptions(time_limit_s=60.0))  # equal, rebuilt
    assert len(solves) == 1 and len(list(folder.glob("*.pkl"))) == 1
    assert again.solve == first.solve  # the stored plan, times included
    _assert_same_plan(again, plan_network(_data(), OPTIONS))  # what a solve gives now
    # each call gets its own copy: changing one changes no stored plan
    again.build_plan.loc[:, "modules_built"] = -1
    _assert_same_plan(plan_cache.cached_plan_network(_data(), OPTIONS), first)


def _more_demand(data):
    demand = data.demand_kg_per_day.copy()
    demand[0, -1] += 1.0
    return dataclasses.replace(data, demand_kg_per_day=demand)


@pytest.mark.parametrize("change", [
    lambda d, o: (_more_demand(d), o),
    lambda d, o: (dataclasses.replace(d, discount_rate=d.discount_rate + 0.01), o),
    lambda d, o: (d, dataclasses.replace(o, time_limit_s=61.0)),
    lambda d, o: (d, dataclasses.replace(o, station_target_count=3, station_target_year=2026)),
    lambda d, o: (d, dataclasses.replace(o, solver_options={"random_seed": 1})),
], ids=["demand", "discount_rate", "time_limit", "station_target", "solver_options"])
def test_any_changed_input_is_solved_again(solves, folder, change):
    data = _data()
    plan_cache.cached_plan_network(data, OPTIONS)
    other_data, other_options = change(data, OPTIONS)
    assert plan_cache.plan_key(other_data, other_options) != plan_cache.plan_key(data, OPTIONS)
    plan_cache.cached_plan_network(other_data, other_options)
    assert len(solves) == 2 and len(list(folder.glob("*.pkl"))) == 2


def test_a_plan_not_proven_optimal_is_not_kept(folder, monkeypatch):
    calls = []

    def stopped_at_time_limit(data, options):
        calls.append(1)
        plan = plan_network(data, options)
        return dataclasses.replace(plan, solve=dataclasses.replace(plan.solve, status="feasible"))

    monkeypatch.setattr(plan_cache, "plan_network", stopped_at_time_limit)
    for _ in range(2):
        assert plan_cache.cached_plan_network(_data(), OPTIONS).solve.status == "feasible"
    assert len(calls) == 2 and not list(folder.glob("*.pkl"))


def test_callers_at_once_solve_once(folder, monkeypatch):
    # two threads ask for the same plan together: the second waits for the first's solve
    calls = []

    def slow(data, options):
        calls.append(1)
        time.sleep(0.5)
        return plan_network(data, options)

    monkeypatch.setattr(plan_cache, "plan_network", slow)
    plans = []
    threads = [threading.Thread(target=lambda: plans.append(plan_cache.cached_plan_network(_data(), OPTIONS)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(plans) == 2
    _assert_same_plan(plans[1], plans[0])
