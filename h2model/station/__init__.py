r"""Station economics: capex, operating cost and break-even price of every station.

For each hydrogen refuelling station and each analysis year in which it operates,
this module answers: *what retail price (CNY/kg, incl. VAT) must the station charge to
earn its cost of capital at this year's sales, with and without the subsidies it
is paid, and how far is that from the plan's price target (< 35 CNY/kg)?*

The steps, each a function of arrays (stations and years are axes; there is no
Python loop over stations or years):

1. :func:`station_capex_cny` scales the ``StationCosts`` reference capex by an
   economy-of-scale power law; :func:`station_costs_from_case` splits it into
   components (compressor, storage, dispensers, pre-cooling, civil works) and adds
   land, fixed O&M, staff, electricity use and the compressor replacement schedule
   (:func:`replacement_shares`). :func:`module_capex_cny` gives the network
   optimiser the capex of a capacity module.
2. The ``Policy`` sheet's station and hydrogen programmes are applied with the rules
   of :mod:`h2model.policy` (their one home): one-off capex grants under the
   all-level cap, per-kg sales subsidies and supply rewards by year, capped per
   station-year and conditional on the retail price. What each station is paid, by
   programme and year, is the ``station_subsidies`` table the budget sums.
3. :func:`station_economics` assembles every operating station-year at the
   capacity installed that year (:func:`station_years`; the network plan's
   expansions arrive as a ``station_capacity`` table), prices delivered hydrogen
   (production + purification + delivery, after :mod:`h2model.supply`) and
   electricity for the year, and calls :func:`h2model.finance.breakeven_price` /
   :func:`~h2model.finance.levelised_cost` once for all station-years at once.

Layout
------
The package is split by concern; every name below is importable from
:mod:`h2model.station` itself.

- :mod:`h2model.station.capex` -- the cost model: capex by size and component, land,
  O&M and replacements (:func:`station_capex_cny`, :func:`station_costs_from_case`,
  :func:`module_capex_cny`).
- :mod:`h2model.station.years` -- the operating station-years and their operating cost
  (:func:`analysed_stations`, :func:`station_years`, :func:`station_year_costs`).
- :mod:`h2model.station.pricing` -- break-even prices with and without subsidies and the
  network price (:func:`station_year_prices`, :func:`annualised_costs`,
  :func:`network_price`).
- :mod:`h2model.station.economics` -- :func:`station_economics` and its result tables.
- :mod:`h2model.station.cashflow` -- each station's cash flow, NPV and IRR at the network
  price (:func:`station_cash_flow_tables`), from the break-even's own inputs.

Conventions
-----------
**Station-year break-even.** The break-even price of station :math:`s` in year
:math:`y` is the constant real price at which the equity NPV of the station's
whole life is zero *if it sold every year what it sells in year* :math:`y`: the
finance ramp-up is switched off (``ramp_up_years = 0``) and sales are flat at
:math:`q_{s,y}`. It answers "what price must it charge at this year's utilisation"
and moves with the load year by year, which is what the plan's price target and
the network optimiser's price constraint compare with. The alternative, one
price per station from its full load path, needs loads beyond the analysis horizon
(stations built in 2035 would have one year of data) and hides the year in which
a station becomes viable, so it is not used.

**Capacity by year.** A station-year is costed at the capacity installed in that
year: the station's own ``capacity_kg_per_day`` unless a ``station_capacity`` table
(``station_id, year, capacity_kg_per_day``, e.g. the network plan's
:attr:`h2model.network.adapter.CasePlan.station_capacity`) gives another for that
year. Consistently with the break-even convention, the row is a station *of that
size* over its whole life: capex, fixed O&M and compressor replacement come from the
cost model at the row's capacity (economies of scale included, so an expanded
station costs :func:`station_capex_cny` of its new size, not the sum of its
modules), per-kg subsidy eligibility (``min_capacity_kg_per_day``) is tested at it,
and utilisation is sales over it; capital grants are tested at the capacity the
station is commissioned with (its row in the stations table), as the budget pays
them. Land is bought once per site: the cost model does not scale land purchase,
land lease or staff with capacity, so every size of a station carries the same land.
An expanded station therefore has a higher break-even price at the same sales from
its expansion year (more capex and O&M), which falls again as sales grow into the
new capacity; years before the expansion are unchanged.

**Calendar of a station's life.** The life is anchored to the real commissioning
year :math:`c_s` (first year of sales; construction in the
``construction_years`` before it), so that the station receives exactly the
capital grants of its commissioning year and the per-kg subsidies of the calendar
years it operates. Cost inputs are those of year :math:`y` (electricity price,
diesel price for delivery) held flat over the life.

**Money.** Costs are real CNY of the case's price year. Subsidy amounts, caps and
price thresholds are nominal CNY of the year they are paid (as policies state
them). The finance engine treats real money as money of its year 0 and takes
subsidies as nominal on its own time axis; a station whose construction starts in
calendar year :math:`y_0 \ne` price year therefore has its subsidies re-based by
:math:`(1+i)^{p - y_0}` (:math:`p` the price year, :math:`i` inflation), which
leaves the real break-even price exact. A programme's ``max_price_cny_per_kg``
is compared with the station's nominal retail price in the year paid,
:math:`P(1+v)(1+i)^{Y-p}`; the plan's price target is compared with the real
break-even price in price-year CNY (the target table's unit).

**Price-conditional subsidies** make the break-even price depend on itself. The
engine starts with every programme the station qualifies for apart from the
price condition, computes the price, drops the programme-years whose condition
fails at that price and repeats; prices only rise and eligibility only shrinks,
so this stops after a few rounds at the largest self-consistent set (a station
that cannot break even below a threshold even with the subsidy does not get it).

**Zero sales.** A station-year that sells nothing has no finite break-even price:
its prices, levelised components and gaps are NaN, it is excluded from volume
weighting and counts as operating but not as selling or as meeting the target.

References
----------
.. [1] Argonne National Laboratory (2022). Hydrogen Delivery Scenario Analysis
   Model (HDSAM) v4: refuelling-station cost structure and component shares.
.. [2] Short, W., Packey, D. J. and Holt, T. (1995). A Manual for the Economic
   Evaluation of Energy Efficiency and Renewable Energy Technologies.
   NREL/TP-462-5173 (levelised cost).

Examples
--------
>>> round(float(station_capex_cny(2000.0, 1000.0, 10e6, 0.65)) / 1e6, 3)
15.692
"""

from __future__ import annotations

# ``x as x``: private names other code used as ``station._x`` before the split, still importable.
from .capex import (
    CAPEX_COMPONENTS,
    module_capex_cny,
    replacement_shares,
    station_capex_cny,
    station_costs_from_case,
)
from .capex import _lead as _lead
from .capex import _station_costs as _station_costs
from .cashflow import CASH_FLOW_LINES, StationFlowInputs, station_cash_flow_tables
from .economics import StationEconomics, station_economics
from .pricing import (
    StationPrices,
    annualised_costs,
    network_price,
    sellers_volume_weighted_price,
    station_year_prices,
)
from .pricing import _finance_with as _finance_with
from .pricing import _sum_by_year as _sum_by_year
from .years import DAYS_PER_YEAR as DAYS_PER_YEAR
from .years import (
    FALLBACK_PLATEAU_UTILISATION,
    StationYears,
    analysed_stations,
    station_year_costs,
    station_years,
)

__all__ = [
    "CAPEX_COMPONENTS",
    "CASH_FLOW_LINES",
    "StationFlowInputs",
    "station_cash_flow_tables",
    "FALLBACK_PLATEAU_UTILISATION",
    "StationEconomics",
    "StationPrices",
    "StationYears",
    "analysed_stations",
    "annualised_costs",
    "module_capex_cny",
    "network_price",
    "replacement_shares",
    "sellers_volume_weighted_price",
    "station_capex_cny",
    "station_costs_from_case",
    "station_economics",
    "station_year_costs",
    "station_year_prices",
    "station_years",
]
