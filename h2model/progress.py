"""Progress bars that advance by each step's typical duration, so the time left they
show is sensible from the first step on.

A scenario run spends almost all its time in the network plan (a MIP) and the Monte
Carlo draws; a bar that counts steps (fleet, network, station, ...) as equal jumps
through the quick ones and then stalls, and its first estimate of the time left is
off by orders of magnitude. Here each step advances the bar by its share of
:data:`STEP_S`, a table of typical step durations measured once; tqdm then estimates
the time left from the average rate so far (``smoothing=0``), which is right as soon
as the measured shares are, whatever the machine's speed.

>>> from h2model.model import STEPS
>>> steps = run_steps(STEPS, mc_draws=0)
>>> round(steps["network"] / sum(steps.values()), 2)  # the plan is most of a run
0.89
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping

#: Typical duration of each step, seconds. Measured on 2026-12-04 with ``plan-2025`` of
#: the default workbook on the 2-core development machine under load (load average 8.5
#: to 9.7, so several times a quiet machine's durations; only the ratios matter):
#: :func:`h2model.model.run`'s steps timed between its ``on_step`` calls, ``load`` =
#: reading the workbook in a fresh process (2.0 s in ``h2model report``), ``write`` =
#: ``Results.write`` (CSV and results.xlsx), ``uncertainty`` per 1,000 Monte Carlo draws,
#: ``kernel`` = starting the report notebook's kernel and its imports, ``render`` =
#: the report notebook's HTML, charts (PNG and SVG) and tables after the run (23 s in
#: English, 38 s in Chinese), ``publish`` = moving the files into place.
STEP_S: dict[str, float] = {
    "load": 2.0,
    "fleet": 0.2,
    "network": 140.0,
    "station": 0.2,
    "tco": 0.15,
    "policy": 0.2,
    "emissions": 0.2,
    "uncertainty": 42.0,  # per 1,000 draws
    "targets": 0.05,
    "write": 14.6,
    "kernel": 3.0,
    "render": 33.0,
    "publish": 0.5,
}

def run_steps(steps: Iterable[str], mc_draws: int = 0, *, write: bool = True) -> dict[str, float]:
    """Steps of one scenario of :func:`h2model.model.run_scenarios` and their typical
    durations (s): ``load``, the model's ``steps`` (:data:`h2model.model.STEPS`; a step
    not in :data:`STEP_S` counts 0), ``uncertainty`` with draws, ``write``.

    >>> run_steps(["fleet", "network"], 2000)  # twice the draws, twice the time
    {'load': 2.0, 'fleet': 0.2, 'network': 140.0, 'uncertainty': 84.0, 'write': 14.6}
    """
    out = {"load": STEP_S["load"], **{s: STEP_S.get(s, 0.0) for s in steps}}
    if mc_draws > 0:
        out["uncertainty"] = STEP_S["uncertainty"] * mc_draws / 1000
    if write:
        out["write"] = STEP_S["write"]
    return out


def report_steps(steps: Iterable[str], langs: Iterable[str], mc_draws: int = 0) -> dict[str, float]:
    """Steps of one scenario of :func:`h2model.report.build_reports` and their typical
    durations (s): ``load``, ``report <lang>`` for each language (the notebook starts a
    kernel, runs the model's ``steps``, writes the tables and renders the report) and
    ``publish``. The first language solves the network plan; the others read it from
    the build's plan cache (:func:`h2model.report.render.shared_plan_cache`; a plan
    proven optimal, as the shipped scenarios' are), so their ``network`` step is free.

    >>> from h2model.model import STEPS
    >>> steps = report_steps(STEPS, ["en", "zh"], 1000)  # 3 + (2 + 141 + 42) + 33; then no plan
    >>> {k: round(v, 6) for k, v in steps.items()}
    {'load': 2.0, 'report en': 221.0, 'report zh': 81.0, 'publish': 0.5}
    """
    model = run_steps(steps, mc_draws, write=False)  # the notebook loads and runs the case
    first = STEP_S["kernel"] + sum(model.values()) + STEP_S["render"]  # render writes the tables too
    again = first - model.get("network", 0.0)
    reports = {f"report {lang}": first if i == 0 else again for i, lang in enumerate(langs)}
    return {"load": STEP_S["load"], **reports, "publish": STEP_S["publish"]}


class StepBar:
    """A tqdm bar over ``units`` scenarios of ``steps``, advancing by step duration.

    Call :meth:`step` when a step starts (it completes the step before it, as
    :func:`h2model.model.run`'s ``on_step`` does) and :meth:`finish` when a scenario
    ends, done or failed (it completes whatever the scenario had left, so a failed or
    short scenario does not leave the bar behind). A step not in ``steps`` counts 0.

    Parameters
    ----------
    steps : mapping
        Step name -> typical duration (s), for one scenario (:func:`run_steps`,
        :func:`report_steps`).
    units : int
        Number of scenarios.
    desc : str
        The bar's label.
    disable : bool
        No bar (``--quiet``); the bookkeeping still runs.

    >>> bar = StepBar({"a": 1.0, "b": 3.0}, units=2, disable=True)
    >>> bar.step("s1", "a"); bar.step("s1", "b"); bar.done
    1.0
    >>> bar.finish(); bar.done, bar.total
    (4.0, 8.0)
    """

    def __init__(
        self, steps: Mapping[str, float], units: int, *, desc: str = "h2model", disable: bool = False
    ):
        from tqdm.auto import tqdm

        self.steps = {k: float(v) for k, v in steps.items()}
        self.per_unit = sum(self.steps.values())
        self.total = self.per_unit * max(int(units), 0)
        self.done = 0.0
        self._unit_done = 0.0
        self._current: str | None = None
        self._bar = tqdm(
            total=self.total,
            disable=disable,
            desc=desc,
            file=sys.stderr,
            smoothing=0,  # the average rate: the steps are weighted, so it is the honest one
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}{postfix}",
        )

    def _advance(self, seconds: float) -> None:
        seconds = max(min(seconds, self.per_unit - self._unit_done), 0.0)  # never past the unit
        self._unit_done += seconds
        self.done += seconds
        self._bar.update(seconds)

    def step(self, label: str, name: str) -> None:
        """Step ``name`` of scenario ``label`` starts: the previous step is complete."""
        if self._current is not None:
            self._advance(self.steps.get(self._current, 0.0))
        self._current = name
        self._bar.set_postfix_str(f"{label}: {name}")

    def finish(self) -> None:
        """The current scenario ends (done or failed): complete its share of the bar."""
        self._advance(self.per_unit - self._unit_done)
        self._unit_done = 0.0
        self._current = None

    def write(self, message: str) -> None:
        """Print a message above the bar (stderr)."""
        self._bar.write(message, file=sys.stderr)

    def close(self) -> None:
        self._bar.close()


__all__ = ["STEP_S", "run_steps", "report_steps", "StepBar"]
