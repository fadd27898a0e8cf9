"""Progress bars weighted by typical step durations (h2model.progress)."""

from __future__ import annotations

import pytest

from h2model import model
from h2model.progress import STEP_S, StepBar, report_steps, run_steps


def test_run_steps_are_the_models_steps_with_load_write_and_draws_scaled():
    steps = run_steps(model.STEPS, 500)
    assert list(steps) == ["load", *model.STEPS, "uncertainty", "write"]
    assert steps["uncertainty"] == pytest.approx(STEP_S["uncertainty"] / 2)
    assert "write" not in run_steps(model.STEPS, 0, write=False)
    assert "uncertainty" not in run_steps(model.STEPS, 0)


def test_a_report_language_costs_a_kernel_a_model_run_and_the_rendering():
    steps = report_steps(model.STEPS, ["en"], mc_draws=0)
    # 3 (kernel) + 2 (load) + 141 (model: 0.2 + 140 + 0.2 + 0.15 + 0.2 + 0.2 + 0.05) + 33 (render)
    assert steps["report en"] == pytest.approx(179.0)
    assert list(steps) == ["load", "report en", "publish"]


def test_the_first_estimate_of_a_report_is_the_weighted_share_not_a_quarter():
    """One scenario, two languages: after ``load`` the bar is at 2 / 304.5 of its length
    (not 1/4 as with four equal steps; the second language reads the first's network
    plan, 221 - 140 s), so tqdm's time left (elapsed x (1 - f) / f) after a 2-second load
    is 302.5 s, the order of minutes, not 6 s."""
    bar = StepBar(report_steps(model.STEPS, ["en", "zh"], 1000), units=1, disable=True)
    bar.step("plan-2025", "load")
    bar.step("plan-2025", "report en")
    f = bar.done / bar.total
    assert f == pytest.approx(2.0 / (2.0 + 221.0 + 81.0 + 0.5))
    assert 2.0 * (1 - f) / f == pytest.approx(302.5)


def test_a_failed_scenario_fills_its_share_and_the_next_starts_at_its_boundary():
    steps = {"load": 1.0, "network": 8.0, "write": 1.0}
    bar = StepBar(steps, units=3, disable=True)
    bar.step("a", "load")
    bar.step("a", "network")
    assert bar.done == 1.0
    bar.finish()  # failed in the network step
    assert bar.done == 10.0
    bar.step("b", "load")
    bar.step("b", "network")
    bar.step("b", "write")
    bar.finish()
    assert bar.done == 20.0 and bar.total == 30.0


def test_an_unknown_step_counts_nothing_and_the_bar_never_passes_a_scenario():
    bar = StepBar({"a": 1.0, "b": 1.0}, units=1, disable=True)
    bar.step("s", "new_step")
    bar.step("s", "a")
    assert bar.done == 0.0
    bar.step("s", "a")  # a repeated step cannot push the bar past the scenario's share
    bar.step("s", "a")
    bar.step("s", "b")
    assert bar.done == 2.0
    bar.finish()
    assert bar.done == 2.0 == bar.total
