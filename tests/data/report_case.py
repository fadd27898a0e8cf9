"""The default case under ``plan-2025`` and its results, computed once per test session
for the glossary, chart and report tests."""

from __future__ import annotations

import functools

from h2model.inputs import DEFAULT_CASE, load_case
from h2model.model import run

SCENARIO = "plan-2025"

#: Monte Carlo draws of the shared run (small: the tests check wiring, not statistics).
MC_DRAWS = 200


@functools.cache
def default_case():
    """The bundled Guangzhou case under ``plan-2025``."""
    return load_case(DEFAULT_CASE, SCENARIO)


@functools.cache
def default_results():
    """``run(default_case(), mc_draws=MC_DRAWS)`` (treat as read-only: it is shared)."""
    return run(default_case(), mc_draws=MC_DRAWS)
