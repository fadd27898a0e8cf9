r"""Uncertainty: Monte Carlo, tornado, Sobol indices and the break-even frontier.

How sure is the plan's price target (retail hydrogen below 35 CNY/kg by 2025), given
what the inputs could be? This module puts a leading **draws axis** on the same
engines the deterministic model runs -- :func:`h2model.station.station_year_costs`,
:func:`h2model.station.station_year_prices`, :func:`h2model.station.network_price`
and :func:`h2model.tco.tco_arrays` -- and reads the distributions from the case's
``Uncertainty`` sheet. There is no Python loop over draws; draws are processed in
chunks that bound memory.

Public API
----------
- :func:`uncertain_inputs` -- the ``Uncertainty`` sheet resolved to the cells it
  perturbs (:class:`UncertainInput`, whose :meth:`~UncertainInput.ppf` is the
  quantile function).
- :func:`monte_carlo` -- draws every input at once and returns a
  :class:`MonteCarloResult` with tidy tables (``uncertainty_network_price``,
  ``uncertainty_station_price``, ``uncertainty_parity``, ``uncertainty_budget``,
  ``uncertainty_summary``, ``uncertainty_inputs``, ``tornado``, ``sobol``,
  ``frontier``, ``frontier_contour``).
- :func:`tornado`, :func:`sobol_analysis` -- one-at-a-time swings and variance-based
  (Sobol) indices of the target-year network price.
- :func:`saltelli_samples`, :func:`sobol_indices` -- the Saltelli design and the
  Saltelli / Jansen estimators on arrays (any model).
- :func:`breakeven_frontier` -- the break-even retail price of a reference station of
  each type over utilisation x delivered hydrogen cost x capital subsidy share, in
  one vectorised finance call.

Layout
------
The package is split by concern; every name above is importable from
:mod:`h2model.uncertainty` itself.

- :mod:`h2model.inputs.uncertainty` -- the Uncertainty sheet resolved
  (:func:`drawable_inputs`, :class:`UncertainInput`, :func:`uncertain_inputs`,
  :func:`check_read`).
- :mod:`h2model.uncertainty.sampling` -- correlated draws, quantiles and the Saltelli
  design (:func:`saltelli_samples`).
- :mod:`h2model.uncertainty.engine` -- the model's engines on a draws axis: each chunk of
  draws is a :class:`h2model.params.Params` with drawn arrays
  (:meth:`~h2model.params.Params.with_draws`), run through the same station, subsidy
  and TCO functions as the deterministic model.
- :mod:`h2model.uncertainty.montecarlo` -- :func:`monte_carlo` and its tables
  (:class:`MonteCarloResult`).
- :mod:`h2model.uncertainty.sensitivity` -- :func:`sobol_indices`, :func:`tornado`,
  :func:`sobol_analysis`, :func:`breakeven_frontier`, :func:`frontier_contour`.

The Uncertainty sheet
---------------------
Each row names an input as a Scenarios override does (``sheet``, ``key``, ``column``;
see :mod:`h2model.inputs.scenarios`) and gives its distribution: ``uniform`` (``low``,
``high``), ``triangular`` (``low``, ``mode``, ``high``), ``normal`` (mean ``low``,
standard deviation ``high``) or ``lognormal`` (``low`` and ``high`` are the mean and
standard deviation of the logarithm). With ``relative = 1`` a draw is a factor on the
base value of every row the key matches; with ``relative = 0`` it is the value itself,
set on every matched row. One draw per input is shared by all its rows (a fully
correlated perturbation, e.g. every station type's capex moves together). Draws of
different inputs are independent unless ``correlation`` is given (Gaussian copula).
Any ``float`` input of the workbook may be named (:func:`drawable_inputs`; the Fleet's
``fcev_in_service`` as a factor); there is no hand-written list. An input that the
engines which ran never read -- one that acts only through the network plan, the
fleet's vehicle counts or a rule's structure -- is an input error located at its
Uncertainty row (:func:`check_read`), as is a count, year, switch or text column.

Approximations
--------------
- **Station sales** come from one deterministic fleet run (the nearest-station
  assignment, or the network plan's when ``fleet``, ``built`` and
  ``station_capacity`` are passed). Inputs that change demand --
  ``Fleet.fcev_in_service`` factors and the ``h2_kg_per_100km`` and ``annual_km`` of
  FCEV ``Segments`` rows -- scale each station's sales by the demand-weighted factor
  of the depots, districts and segments it serves, with the assignment held fixed
  and sales capped at the capacity installed that year (demand beyond it is
  unserved; the plan's capacity is not re-optimised for the draws).
  Several Fleet inputs on overlapping rows combine additively (first order).
  The corridor stations' sales (``Network.corridors = 1``) are in the draws
  (:func:`h2model.model.station_loads`, as in station economics) at their base: the
  corridor trucks are not in the fleet, so fleet and demand draws do not scale them.
- **Vehicle subsidies** are those of the deterministic run (at base annual km and the
  deterministic price path); their budget is scaled by the drawn fleet size.
- The station **budget** is what the station engine pays in each draw
  (:func:`h2model.policy.station_outlays_cny`, as the deterministic
  ``station_subsidies`` table): capital grants in each station's commissioning year
  plus per-kg subsidies on the year's sales.

References
----------
.. [1] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. and Tarantola,
   S. (2010). Variance based sensitivity analysis of model output. Design and
   estimator for the total sensitivity index. Computer Physics Communications 181,
   259-270. https://doi.org/10.1016/j.cpc.2009.09.018
.. [2] Jansen, M. J. W. (1999). Analysis of variance designs for model output.
   Computer Physics Communications 117, 35-43.
.. [3] Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical
   models and their Monte Carlo estimates. Mathematics and Computers in Simulation
   55, 271-280.
.. [4] Ishigami, T. and Homma, T. (1990). An importance quantification technique in
   uncertainty analysis for computer models. Proc. ISUMA '90, 398-403.
.. [5] Iman, R. L. and Conover, W. J. (1982). A distribution-free approach to inducing
   rank correlation among input variables. Communications in Statistics B 11,
   311-334 (normal-score / Gaussian-copula correlation).

Examples
--------
>>> from h2model.inputs import load_case, DEFAULT_CASE
>>> case = load_case(DEFAULT_CASE)
>>> [u.input_id for u in uncertain_inputs(case)][:3]
['station_capex', 'station_fixed_om', 'byproduct_cost']
>>> res = monte_carlo(case, n=64, seed=1, years=[2025], sobol_n=0)
>>> s = res.summary.iloc[0]
>>> int(s["year"]), bool(0.0 <= s["prob_meets_target"] <= 1.0), bool(s["p5"] <= s["p50"] <= s["p95"])
(2025, True, True)
"""

from __future__ import annotations

from ..inputs.uncertainty import FLEET_INPUT, UncertainInput, check_read, drawable_inputs, uncertain_inputs
from .montecarlo import PERCENTILES, STAT_COLUMNS, MonteCarloResult, check_uncertainty, monte_carlo
from .sampling import saltelli_samples
from .sensitivity import (
    SobolIndices,
    breakeven_frontier,
    frontier_contour,
    sobol_analysis,
    sobol_indices,
    tornado,
)

__all__ = [
    "PERCENTILES",
    "STAT_COLUMNS",
    "FLEET_INPUT",
    "MonteCarloResult",
    "SobolIndices",
    "UncertainInput",
    "breakeven_frontier",
    "check_read",
    "check_uncertainty",
    "drawable_inputs",
    "frontier_contour",
    "monte_carlo",
    "saltelli_samples",
    "sobol_analysis",
    "sobol_indices",
    "tornado",
    "uncertain_inputs",
]
