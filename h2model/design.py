r"""Subsidy designer: the least-cost mix of programmes that meets the plan's targets, each with a
chosen probability.

Decision
--------
The amounts :math:`a_j` of the programmes on the ``Design`` sheet, each within
``min_amount_cny .. max_amount_cny`` (:class:`Lever`): an existing ``Policy`` programme
(its conditions and caps stay; only ``amount_cny`` changes), or a new one of a kind in
:data:`DESIGN_KINDS` (per-kg sales subsidy or supply reward, station capital grant; vehicle
purchase subsidy per kW, per-km operating subsidy) paid by the ``level`` given, in
``start_year .. end_year`` (to the ``segment`` given, default all), without a price condition or a
yearly cap; new capital grants join the all-level cap of their ``combined_cap_group``. The
selectable targets (:data:`TARGETS`) are the Targets sheet's price, FCEV count and station count
(the earliest row of each).

Objective and constraint
------------------------
Least expected discounted outlay of the designed programmes,
:math:`\min \sum_j \bar u_j a_j` (:func:`discounted_cny`: real CNY of the price year,
discounted at ``Finance.discount_rate`` to ``Finance.analysis_start_year``), such that the
price target (``Targets`` row ``price``: network price with subsidies of its year, nominal,
:func:`h2model.uncertainty.engine._meets`) holds in at least a share :math:`p` of the Monte Carlo
draws :math:`d = 1..N` (sample-average approximation, one binary :math:`z_d` per draw):

.. math::

    P_d(a^0) + \sum_j g_{dj} (a_j - a^0_j) \le T - \varepsilon + M_d (1 - z_d), \qquad
    \sum_d z_d \ge \lceil pN \rceil

with :math:`M_d` the largest violation over the bounds' box. Mixed-integer programme in Pyomo,
solved by HiGHS (:func:`_solve_saa`), after bounds that exploit the linearity: each draw's cheapest
cost alone (a fractional knapsack over the levers) bounds the optimum from below, levers filled one
after the other give an incumbent; when they meet (as on the default case, where every draw ranks
the levers alike) the incumbent is the optimum and HiGHS is not called, otherwise draws dearer than
the incumbent are left out of the programme.

Linearity, caps and price conditions
------------------------------------
The network price is the sum of the operating stations' annualised costs over the year's
sales (:func:`h2model.station.network_price`); a per-kg subsidy and a capital grant lower each
eligible station's annualised cost by an amount proportional to them (the finance engine
annualises the grant and the per-kg payments over the station's life), so the price is affine
in each amount **while no cap or price condition changes**. The designer does not assume it:
intercepts :math:`P_d(a^0)`, slopes :math:`g_{dj}` and outlays per unit come from the station
engine on every draw (:class:`_Evaluator`; secants between the bounds, then at the solution),
and every candidate is re-evaluated by the engine, with caps and price conditions applied
exactly (a designed grant tops the all-level cap up in the order of levels, so where the cap
binds its payment is :math:`\min(a, \text{headroom})`: the price is convex in :math:`a`, the
secant conservative). The linear model's largest error at the bounds' midpoint is reported
(``linearity_max_error_cny_per_kg``); the model is re-linearised at the solution until the
engine's share at the candidate is at least :math:`p` (at most ``max_iterations`` rounds); where
the engine misses draws the linear model counted, the next round asks the model for that many
more draws. The cheapest candidate the engine finds feasible is kept (every lever at its
maximum if none is), then bisected against the cheapest candidate the engine found short (the
engine's share is taken to rise along that segment), ``bisections`` times.

Vehicle levers and the FCEV target
-----------------------------------
A vehicle purchase subsidy per kW of fuel-cell power and a per-km operating subsidy
(:data:`VEHICLE_LEVER_KINDS`) lower the FCEV's TCO; they do not enter the station engine. In the
responsive fleet mode (``Adoption.mode = responsive``) they raise FCEV purchases: the FCEV count
in the target year :math:`N(v)` at vehicle-lever amounts :math:`v` is the purchase choice
(:func:`h2model.adoption.adopt`, one pass at the setting's network price path), monotone
non-decreasing in each amount (``tests/test_adoption.py``). It is tabulated on a grid of levels
(``vehicle_levels`` per lever, the product of the levers' grids, :class:`_FleetResponse`), each
draw's count is :math:`N_d(v) = \phi_d N(v)` with :math:`\phi_d` the draw's fleet factor (the
``Fleet`` inputs of the Uncertainty sheet, weighted by their rows' share of the target-year
stock), and one level is chosen by binaries :math:`y_c` (:func:`_solve_levels`):

.. math::

    \min \sum_c C_c y_c \quad \text{s.t.} \quad \sum_c y_c = 1, \quad
    w_d \le \sum_c [N_d(v_c) \text{ meets the target}]\, y_c, \quad \sum_d w_d \ge \lceil pN \rceil

with :math:`C_c` the levers' expected discounted outlay at level :math:`c` (vehicles bought or
in service times the subsidy, :func:`h2model.policy.vehicle_budget`). In the fixed fleet mode the
count is the Fleet sheet's and the vehicle levers move no target: they stay at their minimum.

Separation. The price constraint is evaluated on the setting's fleet (every lever at its
minimum, :func:`setting`); more FCEVs would raise station sales and lower the network price, so
leaving that out is conservative for the price target, and the one-pass count at the
minimum-subsidy price path is conservative for the FCEV target. With that, the station levers
and the vehicle levels are two separate programmes, solved one after the other.

The station target
------------------
Stations operating in the target year are an outcome of the network plan (or the Stations
sheet without a plan), which the subsidy amounts do not change here: the designer reports the
count, and a selected station target that the plan misses is infeasible whatever the amounts
("the designer cannot move it").

The network plan, the fleet and the stations are those of the case's run at every lever's
minimum (:func:`setting`, :func:`h2model.model.flow`, the same wiring as :func:`h2model.model.run`),
held fixed: subsidies do not change which stations are built.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import adoption, policy, station
from .finance import discount_factors, nominal_cny
from .fleet import interpolate_stock
from .inputs.uncertainty import uncertain_inputs
from .model import Flow, flow
from .params import as_params
from .prices import nominal
from .station.pricing import _sum_by_year
from .targets import meets, shortfall
from .uncertainty.engine import _Engine
from .uncertainty.sampling import _ppf_matrix, _uniforms

#: Programme kinds that lower the stations' break-even price (continuous levers).
PRICE_KINDS = policy.H2_KINDS + policy.STATION_KINDS
#: Vehicle programme kinds the designer may vary (levels on a grid): they lower the FCEV's TCO.
VEHICLE_LEVER_KINDS = ("vehicle_purchase_per_kw", "vehicle_operation_per_km")
#: Programme kinds the designer may vary.
DESIGN_KINDS = PRICE_KINDS + VEHICLE_LEVER_KINDS
#: Targets the designer can constrain (``Targets.target_id``).
TARGETS = ("price", "fcev", "stations")
#: Margin that turns a strict price target into a closed constraint, real CNY/kg.
STRICT_MARGIN_CNY_PER_KG = 1e-6
#: Units of the amounts by kind.
UNITS = {"station_capex": "CNY/station", "vehicle_purchase_per_kw": "CNY/kW",
         "vehicle_operation_per_km": "CNY/km"}

#: The fleet, plan and station economics the design holds fixed (:func:`h2model.model.flow`).
Setting = Flow

__all__ = ["DESIGN_KINDS", "DesignInfeasible", "DesignResult", "Lever", "PRICE_KINDS", "Setting", "TARGETS",
           "VEHICLE_LEVER_KINDS", "add_scenario", "design", "discounted_cny", "levers", "policy_with",
           "setting", "write_scenario"]


class DesignInfeasible(ValueError):
    """A target cannot hold with the share asked for within the Design bounds."""


@dataclasses.dataclass(frozen=True)
class Lever:
    """One programme amount the designer chooses.

    Attributes
    ----------
    programme_id, kind, level : str
        As on the Policy sheet (``level``: the government paying).
    start_year, end_year : int
        Years paid (capital grants: commissioning years; purchase subsidies: purchase years).
    min_amount_cny, max_amount_cny : float
        Bounds of the amount, nominal CNY per kg, per station, per kW or per km (:attr:`unit`).
    new : bool
        Whether the programme is added to the Policy sheet (else an existing row).
    row : dict
        The Policy row the programme is (amount set by :func:`policy_with`).
    """

    programme_id: str
    kind: str
    level: str
    start_year: int
    end_year: int
    min_amount_cny: float
    max_amount_cny: float
    new: bool
    row: dict

    @property
    def unit(self) -> str:
        """Unit of the amount."""
        return UNITS.get(self.kind, "CNY/kg")

    @property
    def moves_price(self) -> bool:
        """Whether the amount enters the station engine (a station or hydrogen programme)."""
        return self.kind in PRICE_KINDS


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or str(v).strip() == ""


def levers(case, design: pd.DataFrame | None = None) -> list[Lever]:
    """The decision variables of a case's ``Design`` sheet (or of ``design``).

    Raises
    ------
    ValueError
        Without a Design sheet; for a row whose kind the designer cannot vary, a new
        programme without kind, level or years, or ``max_amount_cny < min_amount_cny``.
    """
    d = case.tables.get("Design") if design is None else design
    if d is None or d.empty:
        raise ValueError("the case has no Design sheet rows: nothing to design")
    pol = case.tables.get("Policy")
    pol = pd.DataFrame(columns=["programme_id"]) if pol is None else pol
    by_id = {str(r["programme_id"]): r for r in pol.to_dict("records")}
    out = []
    for r in d.to_dict("records"):
        pid = str(r["programme_id"])
        lo, hi = float(r["min_amount_cny"]), float(r["max_amount_cny"])
        if hi < lo:
            raise ValueError(f"Design {pid}: max_amount_cny {hi:g} is below min_amount_cny {lo:g}")
        if pid in by_id:
            row = dict(by_id[pid])
            if not int(r.get("may_change", 1)):
                lo = hi = float(row["amount_cny"])
        else:
            missing = [c for c in ("kind", "level", "start_year", "end_year") if _blank(r.get(c))]
            if missing:
                raise ValueError(f"Design {pid}: a new programme (not on the Policy sheet) needs "
                                 + ", ".join(missing))
            if not int(r.get("may_change", 1)):
                hi = lo
            group = r.get("combined_cap_group")
            row = {"programme_id": pid, "name": f"Designed: {r['kind']} ({r['level']})",
                   "level": r["level"], "kind": r["kind"],
                   "segment": "all" if _blank(r.get("segment")) else r["segment"],
                   "station_type": "all" if _blank(r.get("station_type")) else r["station_type"],
                   "district": "all", "amount_cny": lo, "start_year": int(r["start_year"]),
                   "end_year": int(r["end_year"]),
                   "combined_cap_group": np.nan if _blank(group) else group,
                   "source_key": r.get("source_key", np.nan)}
        if row["kind"] not in DESIGN_KINDS:
            raise ValueError(f"Design {pid}: kind {row['kind']!r} cannot be designed; the designer varies"
                             f" {', '.join(DESIGN_KINDS)}")
        out.append(Lever(pid, str(row["kind"]), str(row["level"]), int(row["start_year"]),
                         int(row["end_year"]), lo, hi, pid not in by_id, row))
    return out


def policy_with(policy_table: pd.DataFrame, levers_: list[Lever], amounts) -> pd.DataFrame:
    """The Policy sheet with each lever's ``amount_cny`` set to ``amounts`` (new programmes
    appended unless the table has them already), nominal CNY per kg, station, kW or km."""
    pol = policy_table.copy()
    new = []
    have = set(pol["programme_id"].astype(str))
    for lv, a in zip(levers_, np.asarray(amounts, dtype=float), strict=True):
        if lv.new and lv.programme_id not in have:
            new.append({**lv.row, "amount_cny": float(a)})
        else:
            pol.loc[pol["programme_id"] == lv.programme_id, "amount_cny"] = float(a)
    if new:
        add = pd.DataFrame(new).reindex(columns=pol.columns)
        for c in pol.columns:
            add[c] = add[c].astype(pol[c].dtype)
        pol = pd.concat([pol, add], ignore_index=True)
    return pol


def _with_policy(case, levers_: list[Lever], amounts):
    return dataclasses.replace(case, tables={**case.tables,
                                             "Policy": policy_with(case.tables["Policy"], levers_, amounts)})


# --- the flow the design holds fixed -------------------------------------------------------


def setting(case, plan_network: bool = True, levers_: list[Lever] | None = None) -> Setting:
    """Fleet, network plan, station economics and price path the designer holds fixed: steps 1-3
    of :func:`h2model.model.run` (:func:`h2model.model.flow`, the one wiring), on the case with
    every lever at its minimum (default: :func:`levers` of its Design sheet, if any). In the
    responsive fleet mode the fleet is the price and fleet fixed point at those amounts."""
    if levers_ is None and case.tables.get("Design") is not None and len(case.tables["Design"]):
        levers_ = levers(case)
    if levers_:
        case = _with_policy(case, levers_, [lv.min_amount_cny for lv in levers_])
    return flow(case, plan_network=plan_network)


def target_row(case, target_id: str) -> tuple[int, float, str]:
    """(year, value, comparator) of the Targets sheet's earliest row of ``target_id``."""
    if target_id not in TARGETS:
        raise ValueError(f"target {target_id!r}: the designer constrains {', '.join(TARGETS)}")
    t = case["Targets"]
    t = t[t["target_id"] == target_id].sort_values("year")
    if t.empty:
        raise ValueError(f"the Targets sheet has no {target_id} target")
    r = t.iloc[0]
    return int(r["year"]), float(r["value"]), str(r["comparator"])


def _price_target(case) -> tuple[int, float, str]:
    return target_row(case, "price")


# --- discounting -----------------------------------------------------------------------------


def discounted_cny(case, nominal_by_year, years) -> np.ndarray:
    r"""Nominal outlays by year as real CNY of the price year, discounted to the start of the
    analysis.

    .. math:: D = \sum_y \frac{O_y}{(1+i)^{y - y_p}}\,(1+r)^{-(y - y_0)}

    with inflation :math:`i`, price year :math:`y_p`, ``Finance.discount_rate`` :math:`r` and
    ``analysis_start_year`` :math:`y_0` (its outlays undiscounted: :func:`h2model.finance.discount_factors`
    with ``timing="start"``).

    Parameters
    ----------
    case : Case
    nominal_by_year : array_like, shape (..., n_years)
        Nominal CNY paid in each year.
    years : array_like of int, shape (n_years,)
        Calendar years, none before ``analysis_start_year``.

    Returns
    -------
    numpy.ndarray, shape (...)
        Discounted real CNY.
    """
    fin = case.finance
    y = np.asarray(years, dtype=np.int64)
    y0 = int(fin["analysis_start_year"])
    if len(y) and y.min() < y0:
        raise ValueError(f"outlays before analysis_start_year {y0}")
    real = np.asarray(nominal_by_year, dtype=float) / nominal_cny(1.0, y, case.price_year,
                                                                 float(fin["inflation_rate"]))
    if not len(y):
        return real.sum(axis=-1)
    d = discount_factors(float(fin["discount_rate"]), int(y.max()) - y0 + 1, timing="start")[y - y0]
    return (real * d).sum(axis=-1)


# --- the engine on draws, at any amounts ---------------------------------------------------


def _station_engine(st: Setting, inputs, years) -> _Engine:
    """The Monte Carlo station engine on what the run's stations sell (the fleet's loads
    plus corridor trucks' and the peak hour's segment mix: :func:`h2model.model.station_loads`),
    as :func:`h2model.model.run` builds it."""
    from .model import station_loads

    loads, segment_loads = station_loads(st.case, st.fleet, st.corridors)
    return _Engine(st.case, inputs, years, st.fleet, st.built, full=False,
                   station_capacity=st.station_capacity, station_supply=st.station_supply,
                   loads=loads, segment_loads=segment_loads)


class _Evaluator:
    """The station engine of a :class:`Setting` on a draws axis, at any lever amounts.

    Draws, sales and station costs do not depend on the programmes: they are computed once
    per set of draws (:meth:`load`); each evaluation (:meth:`evaluate`) runs
    :func:`h2model.station.station_year_prices` with the Policy sheet of those amounts.
    """

    def __init__(self, st: Setting, levers_: list[Lever], target_year: int, years=None):
        self.case, self.levers = st.case, levers_
        years = {int(target_year)} | ({y for lv in levers_ for y in range(lv.start_year, lv.end_year + 1)}
                                      if years is None else set(years))
        years = sorted(y for y in years if y in set(int(v) for v in st.case.years))
        self.inputs = uncertain_inputs(st.case)
        self.eng = _station_engine(st, self.inputs, years)
        sy = self.eng.sy
        cy = sy.stations["commissioning_year"].to_numpy(float)
        self.commissioning = sy.years[sy.year_index] == cy[sy.station_index]
        self.years = sy.years
        self.t_col = int(np.flatnonzero(sy.years == int(target_year))[0])

    def draws(self, n: int, seed: int) -> np.ndarray:
        """Input draws ``(n, K)`` as :func:`h2model.uncertainty.monte_carlo` draws them."""
        u = _uniforms(np.random.default_rng(seed), int(n), self.inputs, None)
        return _ppf_matrix(self.inputs, u)

    def load(self, x: np.ndarray) -> list[tuple]:
        """Drawn values, sales and station costs of each chunk of draws."""
        eng, out = self.eng, []
        step = eng.chunk_size()
        for s in range(0, x.shape[0], step):  # a loop over chunks of draws
            xc = x[s:s + step]
            vals = eng.values(xc)
            kg = eng.kg_per_year(xc, vals)
            out.append((vals, kg, station.station_year_costs(eng.params.with_draws(vals), eng.sy)))
        return out

    def evaluate(self, chunks: list[tuple], amounts) -> dict[str, np.ndarray]:
        """Network price by year (real CNY/kg, ``(n, Y)``), the levers' outlays by year
        (nominal CNY, ``(n, J, Y)``) and every station programme's outlay (``(n, Y)``)."""
        case = dataclasses.replace(self.case, tables={
            **self.case.tables, "Policy": policy_with(self.case.tables["Policy"], self.levers, amounts)})
        p = as_params(case)
        sy = self.eng.sy
        parts: dict[str, list] = {"price": [], "lever": [], "all": []}
        for vals, kg, costs in chunks:
            pr = station.station_year_prices(p.with_draws(vals), sy, costs, kg)
            parts["price"].append(station.network_price(sy, kg, pr.annualised_cost_with_subsidy_cny_per_year))
            grants, per_kg = policy.station_outlays_cny(pr.capital_subsidy_by_programme_cny,
                                                        pr.operating_subsidy_now_by_programme_cny_per_kg,
                                                        kg, self.commissioning)
            grants = np.broadcast_to(grants, kg.shape + grants.shape[-1:])
            ids = np.concatenate([pr.capital_programmes.programme_id, pr.operating_programmes.programme_id])
            both = np.concatenate([grants, per_kg], axis=-1)  # (m, R, P)
            sel = np.array([int(np.flatnonzero(ids == lv.programme_id)[0]) for lv in self.levers])
            parts["lever"].append(_sum_by_year(sy, np.moveaxis(both[..., sel], -1, -2)))
            parts["all"].append(_sum_by_year(sy, both.sum(axis=-1)))
        return {k: np.concatenate(v, axis=0) for k, v in parts.items()}

    def meets(self, price: np.ndarray, target) -> np.ndarray:
        """Whether each draw's target-year price (real) meets the target (nominal)."""
        year, value, cmp = target
        return meets(nominal_cny(price[:, self.t_col], year, self.case.price_year,
                                 float(self.case.finance["inflation_rate"])), value, cmp)

    def outlay(self, ev: dict) -> np.ndarray:
        """Discounted outlay of each lever and draw, ``(n, J)`` (:func:`discounted_cny`)."""
        return discounted_cny(self.case, ev["lever"], self.years)

    def fleet_scale(self, x: np.ndarray, year: int) -> np.ndarray:
        """Each draw's fleet factor in ``year``, ``(n,)``: FCEVs in service over the base count
        (:meth:`h2model.uncertainty.engine._Engine.fleet_scale`)."""
        return self.eng.fleet_scale(x, [year])[:, 0]


# --- the sample-average approximation ------------------------------------------------------


def _cheapest_per_draw(reduction, rate, span, u) -> np.ndarray:
    r"""Least cost :math:`u \cdot x` of lowering each draw's price by ``reduction`` with
    :math:`0 \le x \le` ``span`` (amounts above the minima) in the linear model, where lever
    :math:`j` lowers draw :math:`d`'s price by ``rate[d, j]`` per unit: a fractional knapsack per
    draw (levers taken in order of cost per unit of price; harmful ones, rate <= 0, never).
    ``inf`` where the bounds cannot reach it, 0 where nothing is needed.

    >>> _cheapest_per_draw(np.array([3.0, 0.0, 9.0]), np.array([[1.0, 2.0]] * 3), np.array([2.0, 2.0]),
    ...                    np.array([1.0, 1.0])).tolist()  # the second lever first (2 per unit)
    [1.5, 0.0, inf]
    """
    r = np.maximum(rate, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(r > 0, u / np.where(r > 0, r, 1.0), np.inf)  # cost per unit of price, (n, J)
    order = np.argsort(per, axis=1, kind="stable")
    cap = np.take_along_axis(r * span, order, axis=1)
    per = np.take_along_axis(per, order, axis=1)
    cum = np.cumsum(cap, axis=1)
    take = np.clip(reduction[:, None] - (cum - cap), 0.0, cap)
    cost = (take * np.where(np.isfinite(per), per, 0.0)).sum(axis=1)
    cost = np.where(cum[:, -1] >= reduction - 1e-12 * np.maximum(1.0, np.abs(reduction)), cost, np.inf)
    return np.where(reduction <= 0, 0.0, cost)


def _path_incumbent(reduction, rate, span, u, need: int):
    """A feasible point of the linear model: levers filled to their maxima one after the other
    (each order of at most 4 levers), stopped where ``need`` draws are met; the cheapest, as
    amounts above the minima, or None."""
    n, J = rate.shape
    best, best_cost = None, np.inf
    for perm in itertools.islice(itertools.permutations(range(J)), 24):  # a loop over a few orders
        x = np.zeros(J)
        spent = np.zeros(n)  # reduction reached so far by each draw
        for j in perm:
            left = reduction - spent
            ok = left <= 0
            if ok.sum() >= need:
                break
            r = rate[:, j]
            with np.errstate(divide="ignore", invalid="ignore"):
                t = np.where(r > 0, left / np.where(r > 0, r, 1.0), np.inf)  # amount draw d needs
            t = np.where(ok, 0.0, t)
            k = np.sort(t)[need - 1]
            x[j] = min(max(k, 0.0), span[j])
            spent = spent + r * x[j]
        if int((reduction - rate @ x <= 1e-12 * np.maximum(1.0, np.abs(reduction))).sum()) >= need \
                and float(u @ x) < best_cost:
            best, best_cost = x.copy(), float(u @ x)
    return best, best_cost


def _solve_saa(p0, g, a0, lo, hi, cost, limit, need: int, *, solver: str = "highs",
               time_limit_s: float = 60.0):
    r"""Least ``cost @ a`` over ``lo <= a <= hi`` with ``p0 + g (a - a0) <= limit`` in at least
    ``need`` draws.

    Bounds first: each draw's cheapest cost alone, :math:`c_d` (:func:`_cheapest_per_draw`), gives
    a lower bound, the ``need``-th smallest :math:`c_d` (a point meeting ``need`` draws costs at
    least the most any of them needs), and levers filled one after the other an incumbent
    (:func:`_path_incumbent`). When they meet (relative gap 1e-9) the incumbent is optimal
    (status ``optimal_bound``); else draws with :math:`c_d` above the incumbent's cost are left out
    (no solution at most as dear meets them), draws met everywhere in the box are counted, and
    the rest get a binary each (big-M from the bounds) in a mixed-integer programme on HiGHS,
    with the objective between the bounds.

    Returns
    -------
    tuple
        ``(a, status)``; ``a`` None when the model is infeasible.
    """
    lo, hi, a0, cost = (np.asarray(v, dtype=float) for v in (lo, hi, a0, cost))
    ok = np.isfinite(p0) & np.isfinite(g).all(axis=1)
    p0, g = np.where(ok, p0, np.inf), np.where(ok[:, None], g, 0.0)
    best = p0 + np.minimum(g * (lo - a0), g * (hi - a0)).sum(axis=1)
    worst = p0 + np.maximum(g * (lo - a0), g * (hi - a0)).sum(axis=1)
    always = ok & (worst <= limit)
    if int((ok & (best <= limit)).sum()) < need:
        return None, "infeasible"
    reduction = np.where(ok, p0 + g @ (lo - a0) - limit, np.inf)
    c = np.where(always, 0.0, _cheapest_per_draw(reduction, -g, hi - lo, cost))
    lower = float(np.sort(c)[need - 1]) if need > 0 else 0.0
    x, upper = _path_incumbent(reduction, -g, hi - lo, cost, need) if need > 0 else (np.zeros(len(lo)), 0.0)
    if x is not None and upper <= lower + 1e-9 * max(abs(lower), 1.0):
        return np.clip(lo + x, lo, hi), "optimal_bound"
    keep = ok & (c <= upper * (1 + 1e-9) + 1e-9) if x is not None else ok & (best <= limit)
    free = np.flatnonzero(keep & ~always)
    more = need - int(always.sum())
    return _milp(p0, g, a0, lo, hi, cost, limit, free, more, worst, (lower, upper), solver, time_limit_s)


def _milp(p0, g, a0, lo, hi, cost, limit, free, more, worst, bounds, solver, time_limit_s):
    """The mixed-integer programme of :func:`_solve_saa` on the draws ``free``."""
    import pyomo.environ as pyo
    from pyomo.contrib.solver.common.factory import SolverFactory as SolverFactoryV2
    from pyomo.contrib.solver.common.results import SolutionStatus

    m = pyo.ConcreteModel()
    m.J = pyo.RangeSet(0, len(lo) - 1)
    m.a = pyo.Var(m.J, bounds=lambda _, j: (lo[j], hi[j]))
    spend = sum(float(cost[j]) * m.a[j] for j in m.J)
    m.obj = pyo.Objective(expr=spend)
    base = float(cost @ lo)
    m.lower = pyo.Constraint(expr=spend >= base + bounds[0] * (1 - 1e-9))
    if np.isfinite(bounds[1]):
        m.upper = pyo.Constraint(expr=spend <= base + bounds[1] * (1 + 1e-9) + 1e-6)
    if more > 0:
        m.D = pyo.RangeSet(0, len(free) - 1)
        m.z = pyo.Var(m.D, within=pyo.Binary)
        big = worst[free] - limit

        def price(mm, k):
            d = free[k]
            return (float(p0[d]) + sum(float(g[d, j]) * (mm.a[j] - float(a0[j])) for j in mm.J)
                    <= limit + float(big[k]) * (1 - mm.z[k]))

        m.price = pyo.Constraint(m.D, rule=price)
        m.count = pyo.Constraint(expr=sum(m.z[k] for k in m.D) >= more)
    opt = SolverFactoryV2(solver)
    res = opt.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False,
                    time_limit=time_limit_s, rel_gap=1e-6)
    if res.solution_status not in (SolutionStatus.optimal, SolutionStatus.feasible):
        return None, res.termination_condition.name
    res.solution_loader.load_vars()
    a = np.array([pyo.value(m.a[j]) for j in m.J], dtype=float)
    return np.clip(a, lo, hi), res.solution_status.name


# --- the FCEV count at vehicle-lever levels --------------------------------------------------


def _vehicles(case) -> pd.DataFrame:
    """One row per vehicle of a case's Fleet sheet (``segment, purchase_year, retire_year,
    annual_km``), as :func:`h2model.fleet.fleet_from_case` expands the rollout into vehicles."""
    from .fleet import _fcev_segments, _vehicles_from_rollout
    v = _vehicles_from_rollout(case, np.asarray(case.years, dtype=np.int64), _fcev_segments(case), 0.0, 0)
    return pd.DataFrame({"segment": v.group_segment[v.group], "purchase_year": v.purchase_year,
                         "retire_year": v.retire_year, "annual_km": v.annual_km})


class _FleetResponse:
    """FCEVs in service in the target year and the vehicle levers' outlays at every combination of
    levels (module docstring): ``levels`` amounts per lever from its minimum to its maximum, their
    product. In the responsive fleet mode the count is :func:`h2model.adoption.adopt` at the
    setting's price path (one pass); in the fixed mode the Fleet sheet's."""

    def __init__(self, st: Setting, vl: list[Lever], year: int, levels: int):
        case = st.case
        self.levers, self.year = vl, int(year)
        grids = [np.linspace(x.min_amount_cny, x.max_amount_cny, max(int(levels), 2))
                 if x.max_amount_cny > x.min_amount_cny else np.array([x.min_amount_cny]) for x in vl]
        self.combos = np.array(list(itertools.product(*grids)), dtype=float).reshape(-1, len(vl)) if vl \
            else np.zeros((1, 0))
        self.responsive = adoption.is_responsive(case)
        self.years = np.asarray(case.years, dtype=np.int64)
        price = None if st.price_path is None else nominal(case, st.price_path, st.price_path.index)
        self.count = np.zeros(len(self.combos))
        self.nominal = np.zeros((len(self.combos), len(vl), len(self.years)))  # CNY by lever and year
        ids = [x.programme_id for x in vl]
        for c, amounts in enumerate(self.combos):  # a loop over the few levels
            case_c = _with_policy(case, vl, amounts)
            fleet_case = adoption.adopt(case_c, st.price_path).case if self.responsive else case_c
            _, stock = interpolate_stock(fleet_case.tables["Fleet"], [self.year])
            self.count[c] = float(stock.sum())
            if not vl:
                continue
            vehicles = _vehicles(fleet_case) if self.responsive else st.fleet.vehicles
            rates = policy.vehicle_subsidy_rates_from_case(case_c, price)
            vb = policy.vehicle_budget(rates[rates["programme_id"].isin(ids)], vehicles, self.years)
            grid = vb.pivot_table(index="programme_id", columns="year", values="outlay_cny", aggfunc="sum")
            self.nominal[c] = grid.reindex(index=ids, columns=self.years).fillna(0.0).to_numpy(float)

    def counts(self, scale: np.ndarray) -> np.ndarray:
        """FCEVs in service in the target year by draw and level, ``(n, C)``: the drawn fleet
        factor (``scale``, ``(n,)``) times the count at each level."""
        return np.asarray(scale, dtype=float)[:, None] * self.count[None, :]


def _solve_levels(cost, ok, need: int, *, solver: str = "highs", time_limit_s: float = 60.0):
    """The cheapest level ``c`` (``cost (C,)``) with ``ok[d, c]`` in at least ``need`` draws
    (``ok`` None: no constraint): binaries ``y_c`` (one level) and ``w_d`` (draw counted), HiGHS.

    Returns
    -------
    int or None
        The level's index; None when no level is feasible.
    """
    cost = np.asarray(cost, dtype=float)
    if ok is None or need <= 0:
        return int(np.argmin(cost))
    import pyomo.environ as pyo
    from pyomo.contrib.solver.common.factory import SolverFactory as SolverFactoryV2
    from pyomo.contrib.solver.common.results import SolutionStatus

    ok = np.asarray(ok, dtype=bool)
    if int(ok.sum(axis=0).max()) < need:
        return None
    always = ok.all(axis=1)
    free = np.flatnonzero(ok.any(axis=1) & ~always)
    m = pyo.ConcreteModel()
    m.C = pyo.RangeSet(0, len(cost) - 1)
    m.y = pyo.Var(m.C, within=pyo.Binary)
    m.one = pyo.Constraint(expr=sum(m.y[c] for c in m.C) == 1)
    m.obj = pyo.Objective(expr=sum(float(cost[c]) * m.y[c] for c in m.C))
    more = need - int(always.sum())
    if more > 0:
        m.D = pyo.RangeSet(0, len(free) - 1)
        m.w = pyo.Var(m.D, within=pyo.Binary)
        m.link = pyo.Constraint(m.D, rule=lambda mm, k: mm.w[k] <= sum(
            mm.y[c] for c in np.flatnonzero(ok[free[k]])))
        m.count = pyo.Constraint(expr=sum(m.w[k] for k in m.D) >= more)
    res = SolverFactoryV2(solver).solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False,
                                        time_limit=time_limit_s)
    if res.solution_status not in (SolutionStatus.optimal, SolutionStatus.feasible):
        return None
    res.solution_loader.load_vars()
    return int(np.argmax([pyo.value(m.y[c]) for c in m.C]))


# --- the designer ----------------------------------------------------------------------------


@dataclasses.dataclass
class DesignResult:
    """A designed subsidy mix (:func:`design`).

    Attributes
    ----------
    amounts : numpy.ndarray, shape (J,)
        Designed amount of each lever (:attr:`Lever.unit`).
    levers : list of Lever
    design : pandas.DataFrame
        ``design``: one row per lever and year it pays in: ``programme_id, kind, level, year,
        amount_cny, unit, min_amount_cny, max_amount_cny, outlay_cny`` (expected, nominal CNY of
        the year) and ``discounted_outlay_cny`` (:func:`discounted_cny`).
    by_level : pandas.DataFrame
        ``design_by_level``: ``level, outlay_cny, discounted_outlay_cny`` summed over the levers
        each level of government pays.
    summary : pandas.DataFrame
        ``design_summary``, one row per selected target: ``target, target_year, comparator,
        required, unit`` (price: nominal CNY/kg of the target year), ``moved_by_design`` (whether
        a lever moves it), ``p``, ``draws, seed``, ``share_design_draws`` (share of the design
        draws meeting the target at the designed amounts), ``check_draws, check_seed,
        share_check_draws`` (the same on fresh draws), ``check_tolerance`` (three binomial
        standard errors of a share p over ``check_draws``), ``quantile`` (the value reached in a
        share p of the design draws: the ``ceil(p n)``-th lowest price, nominal, or highest count),
        ``discounted_outlay_cny`` (expected, all levers),
        ``other_programmes_change_cny`` (change in the other station programmes' discounted
        outlay in the years evaluated, against every lever at its minimum),
        ``linearity_max_error_cny_per_kg``, ``iterations, solver_status, time_s``. Station
        outlays are the engine's on every year the levers pay in, at their minima and maxima,
        interpolated (exact without caps or price conditions); vehicle outlays are those of
        the chosen level times the mean drawn fleet factor.
    policy : pandas.DataFrame
        ``design_policy``: the Policy rows of the levers at the designed amounts.
    """

    amounts: np.ndarray
    levers: list
    design: pd.DataFrame
    by_level: pd.DataFrame
    summary: pd.DataFrame
    policy: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Result tables by name."""
        return {"design": self.design, "design_by_level": self.by_level, "design_summary": self.summary,
                "design_policy": self.policy}


def _quantile(values, p: float, largest: bool = False) -> float:
    """The value met in a share ``p`` of draws: the ``ceil(p n)``-th smallest (a price, NaN = no
    sales = +inf), or with ``largest`` the ``ceil(p n)``-th largest (a count).

    >>> _quantile([5.0, 1.0, 3.0, np.nan], 0.5), _quantile([5.0, 1.0, 3.0, 2.0], 0.75, largest=True)
    (3.0, 2.0)
    """
    x = np.sort(np.where(np.isnan(np.asarray(values, dtype=float)), np.inf, values))
    k = max(math.ceil(p * len(x) - 1e-9), 1) - 1
    return float(x[::-1][k] if largest else x[k])


def _mix(levers_, amounts) -> str:
    return ", ".join(f"{x.programme_id} = {a:g} {x.unit}" for x, a in zip(levers_, amounts, strict=True))


def _infeasible_price(ev: _Evaluator, price, target, p: float, hi) -> str:
    year, value, cmp = target
    nom = nominal_cny(price[:, ev.t_col], year, ev.case.price_year, float(ev.case.finance["inflation_rate"]))
    share = float(ev.meets(price, target).mean())
    q = _quantile(nom, p)
    return (f"price target {year} {cmp} {value:g} CNY/kg (nominal) cannot hold in {p:.0%} of draws within the"
            f" Design bounds: with every programme at its maximum ({_mix(ev.levers, hi) or 'no price lever'})"
            f" it holds in {share:.1%} of draws; the {p:.0%} quantile of the {year} network price is {q:.2f}"
            f" CNY/kg, {q - value:.2f} CNY/kg above the target")


def _infeasible_fcev(fr: _FleetResponse, counts, target, p: float) -> str:
    year, value, cmp = target
    share = float(meets(counts[:, -1], value, cmp).mean())
    q = _quantile(counts[:, -1], p, largest=True)
    why = ("" if fr.responsive else "; the fleet mode is fixed (Adoption.mode): the count is the Fleet"
           " sheet's rollout, which no subsidy moves")
    return (f"FCEV target {year} {cmp} {value:g} vehicles cannot hold in {p:.0%} of draws within the Design"
            f" bounds: with every vehicle programme at its maximum"
            f" ({_mix(fr.levers, fr.combos[-1]) or 'none'})"
            f" it holds in {share:.1%} of draws; FCEVs in service in {year} reach {q:,.0f} in {p:.0%} of"
            f" draws,"
            f" {float(shortfall(q, value, cmp)):,.0f} short of the target{why}")


def _stations(st: Setting, year: int) -> float:
    s = st.economics.stations
    return float(s.loc[s["year"] == year, "station_id"].nunique())


def design(st: Setting, levers_: list[Lever] | None = None, *, p: float = 0.8, targets=("price",),
           n: int = 1000, seed: int = 0, check_n: int | None = None, check_seed: int | None = None,
           vehicle_levels: int = 5, max_iterations: int = 6, bisections: int = 8,
           solver: str = "highs") -> DesignResult:
    """Least expected discounted outlay on the levers such that each selected target holds in at
    least a share ``p`` of ``n`` draws (module docstring), re-checked on fresh draws.

    Parameters
    ----------
    st : Setting
        From :func:`setting`.
    levers_ : list of Lever, optional
        Default :func:`levers` of the case's Design sheet.
    p : float
        Share of draws in which each target must hold.
    targets : sequence of str
        Targets to meet (:data:`TARGETS`).
    n, seed : int
        Design draws and their seed (the Uncertainty sheet's inputs).
    check_n, check_seed : int, optional
        Fresh draws for the re-check; default ``n`` and ``seed + 1``.
    vehicle_levels : int
        Levels per vehicle lever (module docstring).
    max_iterations : int
        Linearisations of the price at most (the first between the bounds).
    bisections : int
        Engine evaluations of the price's final line search (module docstring).
    solver : str
        Pyomo solver name (``highs``).

    Raises
    ------
    DesignInfeasible
        If a selected target cannot hold in a share ``p`` of the draws with every lever at its
        maximum: the message names each such target, the share reached and the gap to it.
    """
    t0 = time.perf_counter()
    if not 0 < p <= 1:
        raise ValueError(f"p = {p}: must be in (0, 1]")
    case = st.case
    lv = levers(case) if levers_ is None else levers_
    targets = tuple(dict.fromkeys(targets))
    rows = {tid: target_row(case, tid) for tid in targets}
    pl = [x for x in lv if x.moves_price]
    vl = [x for x in lv if not x.moves_price]
    first = rows.get("price") or rows.get("fcev") or next(iter(rows.values()), None)
    year = int(first[0]) if first else int(case.years[0])
    ev = _Evaluator(st, pl, year, years=[year])  # the price: the target year's station-years
    x = ev.draws(n, seed)
    need = math.ceil(p * n - 1e-9)
    fr = _FleetResponse(st, vl, rows.get("fcev", (year,))[0], vehicle_levels)
    scale = ev.fleet_scale(x, fr.year)
    problems, pr = [], None
    if "price" in rows:
        pr = _PriceDesign(ev, x, rows["price"], need)
        if ev.meets(pr.run(pr.hi)["price"], rows["price"]).sum() < need:
            problems.append(_infeasible_price(ev, pr.run(pr.hi)["price"], rows["price"], p, pr.hi))
    ok = None
    if "fcev" in rows:
        ok = meets(fr.counts(scale), rows["fcev"][1], rows["fcev"][2])
        if int(ok.sum(axis=0).max()) < need:
            problems.append(_infeasible_fcev(fr, fr.counts(scale), rows["fcev"], p))
    if "stations" in rows:
        s_year, s_value, s_cmp = rows["stations"]
        got = _stations(st, s_year)
        if not meets(got, s_value, s_cmp):
            gap = float(shortfall(got, s_value, s_cmp))
            problems.append(f"station target {s_year} {s_cmp} {s_value:g} stations cannot hold: the network"
                            f" plan operates {got:g} stations in {s_year}, {gap:g} short; the station count"
                            " is an outcome of the network plan, which the designer cannot move")
    if problems:
        raise DesignInfeasible("; ".join(problems))
    lo = np.array([x_.min_amount_cny for x_ in pl])
    out = _Outlays(st, pl, year, x, lo, np.array([x_.max_amount_cny for x_ in pl]) - lo) if pl else None
    a_price, info = (pr.solve(out.cost, max_iterations, bisections, solver) if pr is not None and pl
                     else (lo, {"iterations": 0, "status": "not needed", "linearity": np.nan}))
    fleet_cost = discounted_cny(case, fr.nominal, fr.years).sum(axis=1) * float(scale.mean()) if vl \
        else np.zeros(len(fr.combos))
    level = _solve_levels(fleet_cost, ok, need, solver=solver)
    amounts = np.empty(len(lv))
    amounts[[i for i, x_ in enumerate(lv) if x_.moves_price]] = a_price
    amounts[[i for i, x_ in enumerate(lv) if not x_.moves_price]] = fr.combos[level]
    return _result(st, ev, out, fr, level, pr, lv, amounts, rows, p, n, seed, scale, check_n, check_seed,
                   info, t0)


class _PriceDesign:
    """The price part of the design: the engine at any station-lever amounts on the design draws
    (cached), and the linearise-solve-check loop of the module docstring (:meth:`solve`)."""

    def __init__(self, ev: _Evaluator, x: np.ndarray, target, need: int):
        self.ev, self.target, self.need, self.n = ev, target, need, x.shape[0]
        case = ev.case
        self.chunks = ev.load(x)
        self.lo = np.array([v.min_amount_cny for v in ev.levers])
        self.hi = np.array([v.max_amount_cny for v in ev.levers])
        year, value, cmp = target
        limit = value / float(nominal_cny(1.0, year, case.price_year, float(case.finance["inflation_rate"])))
        self.limit = limit - (STRICT_MARGIN_CNY_PER_KG if cmp in ("<", ">") else 0.0)
        self.cache: dict[bytes, dict] = {}

    def run(self, a) -> dict[str, np.ndarray]:
        """:meth:`_Evaluator.evaluate` at amounts ``a``, once per amounts."""
        a = np.asarray(a, dtype=float)
        key = a.tobytes()
        if key not in self.cache:
            self.cache[key] = self.ev.evaluate(self.chunks, a)
        return self.cache[key]

    def count(self, a) -> int:
        """Design draws meeting the target at ``a``."""
        return int(self.ev.meets(self.run(a)["price"], self.target).sum())

    def solve(self, u, max_iterations: int, bisections: int, solver: str):
        """Amounts of the price levers (module docstring) for unit costs ``u``, and
        ``{iterations, status, linearity}``."""
        lo, hi, need, n, t = self.lo, self.hi, self.need, self.n, self.ev.t_col
        span = hi - lo
        anchor, step = lo.copy(), span.copy()
        best, best_cost, status, lin_err, it = hi.copy(), np.inf, "not solved", np.nan, 0
        need_model = need
        cheap, cheap_cost = None, np.inf  # the cheapest candidate the engine found short
        for it in range(1, max_iterations + 1):
            p0 = self.run(anchor)["price"][:, t]
            g = np.zeros((n, len(lo)))
            for j in np.flatnonzero(span > 0):  # a loop over the few levers
                s = step[j] if anchor[j] + step[j] <= hi[j] + 1e-12 else -step[j]
                a = anchor.copy()
                a[j] += s
                g[:, j] = (self.run(a)["price"][:, t] - p0) / s
            if it == 1:  # the linear model against the engine at the bounds' midpoint
                mid = (lo + hi) / 2
                err = self.run(mid)["price"][:, t] - (p0 + g @ (mid - anchor))
                lin_err = float(np.nanmax(np.abs(err))) if np.isfinite(err).any() else np.nan
            a_new, status = _solve_saa(p0, g, anchor, lo, hi, u, self.limit, need_model, solver=solver)
            if a_new is None:
                break
            cost = float(u @ a_new)
            short = need - self.count(a_new)
            if short <= 0 and cost < best_cost - 1e-9:
                best, best_cost = a_new, cost
            if short > 0 and cost < cheap_cost:
                cheap, cheap_cost = a_new, cost
            if short > 0:  # the engine misses draws the linear model counted: ask the model for more
                need_model = min(n, need_model + short)
            elif np.allclose(a_new, anchor, rtol=0, atol=1e-6 * np.maximum(span, 1.0)):
                break
            anchor, step = a_new, np.maximum(span / 20, 1e-9)
        if cheap is not None and cheap_cost < best_cost:  # bisect between it and the best feasible one
            lo_t, hi_t = 0.0, 1.0
            for _ in range(bisections):
                mid_t = (lo_t + hi_t) / 2
                if self.count(cheap + mid_t * (best - cheap)) >= need:
                    hi_t = mid_t
                else:
                    lo_t = mid_t
            best = cheap + hi_t * (best - cheap)
        return best, {"iterations": it, "status": status, "linearity": lin_err}


def _simple(lv: Lever) -> bool:
    """A per-kg lever without a price condition or a yearly cap: its outlay is its amount times
    the eligible sales, whatever the price."""
    def none(k):
        return _blank(lv.row.get(k, np.nan))
    return lv.kind in policy.H2_KINDS and none("max_price_cny_per_kg") and none("cap_cny_per_year")


class _Outlays:
    """Outlays by draw, lever and year at any amounts, on every year the levers pay in.

    Years in which only per-kg levers without price condition or yearly cap pay (:func:`_simple`;
    no other station or hydrogen programme) are exact and linear: the amount times the eligible
    sales (:func:`h2model.policy.station_eligible`, the engine's sales), no finance engine. The
    other years come from the station engine at the minima and at each lever's maximum,
    interpolated linearly in between (exact for programmes without cap or price condition, a
    secant otherwise).
    """

    def __init__(self, st: Setting, lv: list[Lever], year: int, x: np.ndarray, lo, span):
        case = st.case
        self.case, self.lo, self.span = case, lo, span
        horizon = {int(v) for v in case.years}
        paid = {y for v in lv for y in range(v.start_year, v.end_year + 1)} & horizon
        pol = policy_with(case.tables["Policy"], lv, lo)
        ids = {v.programme_id for v in lv if _simple(v)}
        others = pol[pol["kind"].isin(PRICE_KINDS) & ~pol["programme_id"].isin(ids)]
        busy = {y for r in others.itertuples() for y in range(int(r.start_year), int(r.end_year) + 1)}
        busy |= {y for v in lv if not _simple(v) for y in range(v.start_year, v.end_year + 1)}
        engine_years = sorted(({int(year)} | (paid & busy)) & horizon)
        simple_years = sorted(paid - set(engine_years))
        self.ev = ev = _Evaluator(st, lv, year, years=engine_years)
        chunks = ev.load(x)
        base = ev.evaluate(chunks, lo)
        d = []
        for j in range(len(lv)):  # a loop over the few levers
            if span[j] > 0:
                a = lo.copy()
                a[j] += span[j]
                e = ev.evaluate(chunks, a)
                d.append({k: (e[k] - base[k]) / span[j] for k in ("lever", "all")})
            else:
                d.append({k: np.zeros_like(base[k]) for k in ("lever", "all")})
        self.years = np.asarray(ev.years)
        if simple_years:  # per unit of each simple lever: its eligible sales (kg) by draw and year
            unit = self._per_kg(st, lv, ids, simple_years, x)  # (n, J, Ys)
            base["lever"] = np.concatenate([base["lever"], unit * lo[None, :, None]], axis=-1)
            base["all"] = np.concatenate([base["all"], base["lever"][..., -len(simple_years):].sum(axis=1)],
                                         axis=-1)
            for j, dj in enumerate(d):
                dj["lever"] = np.concatenate([dj["lever"], np.where(np.arange(len(lv))[None, :, None] == j,
                                                                    unit, 0.0)], axis=-1)
                dj["all"] = np.concatenate([dj["all"], unit[:, j]], axis=-1)
            self.years = np.concatenate([self.years, simple_years])
        order = np.argsort(self.years, kind="stable")
        self.years = self.years[order]
        self.base = {k: base[k][..., order] for k in ("lever", "all")}
        self.d = [None if span[j] <= 0 else {k: v[..., order] for k, v in dj.items()}
                  for j, dj in enumerate(d)]
        #: expected discounted outlay on the levers per unit of each lever's amount
        self.cost = np.array([0.0 if dj is None else float(self.outlay(dj).sum(axis=1).mean())
                              for dj in self.d])

    def _per_kg(self, st: Setting, lv, ids, years, x) -> np.ndarray:
        """Eligible sales of each simple lever by draw and year, ``(n, J, Y)`` (0 for the others)."""
        inputs = uncertain_inputs(st.case)
        eng = _station_engine(st, inputs, years)
        sy = eng.sy
        progs = policy.station_programmes(policy_with(st.case.tables["Policy"], lv, np.ones(len(lv))),
                                          policy.H2_KINDS)
        col = [int(np.flatnonzero(progs.programme_id == v.programme_id)[0]) if v.programme_id in ids else -1
               for v in lv]
        st_ = sy.stations
        ok = policy.station_eligible(progs, st_["station_type"].to_numpy(object)[sy.station_index],
                                     sy.capacity_kg_per_day, sy.years[sy.year_index],
                                     st_["district"].to_numpy(object)[sy.station_index])  # (R, P)
        out = np.zeros((x.shape[0], len(lv), len(sy.years)))
        step = eng.chunk_size()
        for s0 in range(0, x.shape[0], step):  # a loop over chunks of draws
            xc = x[s0:s0 + step]
            kg = eng.kg_per_year(xc, eng.values(xc))  # (m, R)
            for j, c in enumerate(col):  # a loop over the few levers
                if c >= 0:
                    out[s0:s0 + step, j] = _sum_by_year(sy, kg * ok[:, c])
        return out

    def outlay(self, o: dict) -> np.ndarray:
        """Discounted outlay of each lever and draw, ``(n, J)`` (:func:`discounted_cny`)."""
        return discounted_cny(self.case, o["lever"], self.years)

    def at(self, a) -> dict[str, np.ndarray]:
        """``lever`` (n, J, Y) and ``all`` (n, Y) outlays, nominal CNY, at amounts ``a``."""
        out = {k: self.base[k].copy() for k in ("lever", "all")}
        for j, d in enumerate(self.d):
            if d is not None:
                for k in out:
                    out[k] += d[k] * (a[j] - self.lo[j])
        return out


def _design_rows(case, lv, amounts, years, nominal_by_lever) -> list[dict]:
    """Rows of the ``design`` table: each lever and year it pays in (``nominal_by_lever``: expected
    nominal CNY, ``(J, Y)`` over ``years``)."""
    rows = []
    for j, x in enumerate(lv):
        for k, y in enumerate(years):
            if x.start_year <= y <= x.end_year:
                o = float(nominal_by_lever[j, k])
                rows.append({"programme_id": x.programme_id, "kind": x.kind, "level": x.level, "year": int(y),
                             "amount_cny": float(amounts[j]), "unit": x.unit,
                             "min_amount_cny": x.min_amount_cny, "max_amount_cny": x.max_amount_cny,
                             "outlay_cny": o,
                             "discounted_outlay_cny": float(discounted_cny(case, o, [y]))})
    return rows


def _result(st, ev: _Evaluator, out, fr: _FleetResponse, level, pr, lv, amounts, rows, p, n, seed, scale,
            check_n, check_seed, info, t0) -> DesignResult:
    """Tables of the design and its re-check on fresh draws."""
    case = st.case
    cn = n if check_n is None else int(check_n)
    cs = seed + 1 if check_seed is None else int(check_seed)
    x_check = ev.draws(cn, cs)
    a_price = amounts[[i for i, x in enumerate(lv) if x.moves_price]]
    pl = [x for x in lv if x.moves_price]
    vl = [x for x in lv if not x.moves_price]
    table = pd.DataFrame(
        (_design_rows(case, pl, a_price, out.years, out.at(a_price)["lever"].mean(axis=0)) if pl else [])
        + _design_rows(case, vl, fr.combos[level], fr.years, fr.nominal[level] * float(scale.mean())),
        columns=["programme_id", "kind", "level", "year", "amount_cny", "unit", "min_amount_cny",
                 "max_amount_cny", "outlay_cny", "discounted_outlay_cny"])
    money = ["outlay_cny", "discounted_outlay_cny"]
    by_level = table.groupby("level", as_index=False, sort=False)[money].sum()
    others = 0.0
    if pl:
        other = lambda o: discounted_cny(case, o["all"] - o["lever"].sum(axis=1), out.years).mean()  # noqa: E731
        others = float(other(out.at(a_price)) - other(out.at(out.lo)))
    common = {"p": p, "draws": n, "seed": seed, "check_draws": cn, "check_seed": cs,
              "check_tolerance": 3 * math.sqrt(p * (1 - p) / cn),
              "discounted_outlay_cny": float(table["discounted_outlay_cny"].sum()),
              "other_programmes_change_cny": others, "linearity_max_error_cny_per_kg": info["linearity"],
              "iterations": info["iterations"], "solver_status": info["status"]}
    summary = []
    for tid, (year, value, cmp) in rows.items():
        r = {"target": tid, "target_year": year, "comparator": cmp, "required": value}
        if tid == "price":
            got = pr.run(a_price)["price"]
            fresh = ev.evaluate(ev.load(x_check), a_price)["price"]
            nom = nominal_cny(got[:, ev.t_col], year, case.price_year, float(case.finance["inflation_rate"]))
            r.update(unit="CNY/kg", moved_by_design=bool(pl),
                     share_design_draws=float(ev.meets(got, rows[tid]).mean()),
                     share_check_draws=float(ev.meets(fresh, rows[tid]).mean()), quantile=_quantile(nom, p))
        elif tid == "fcev":
            got = fr.counts(scale)[:, level]
            fresh = fr.counts(ev.fleet_scale(x_check, fr.year))[:, level]
            r.update(unit="vehicles", moved_by_design=bool(vl) and fr.responsive,
                     share_design_draws=float(meets(got, value, cmp).mean()),
                     share_check_draws=float(meets(fresh, value, cmp).mean()),
                     quantile=_quantile(got, p, largest=True))
        else:
            got = _stations(st, year)
            share = float(meets(got, value, cmp))
            r.update(unit="stations", moved_by_design=False, share_design_draws=share,
                     share_check_draws=share, quantile=got)
        summary.append({**r, **common})
    summary = pd.DataFrame(summary)
    summary["time_s"] = time.perf_counter() - t0
    pol = policy_with(case.tables["Policy"], lv, amounts)
    pol = pol[pol["programme_id"].isin([x.programme_id for x in lv])].reset_index(drop=True)
    return DesignResult(np.asarray(amounts, dtype=float), lv, table, by_level, summary, pol)


# --- the design written back as a scenario -------------------------------------------------


def add_scenario(workbook, out_workbook, name: str, description: str, overrides, *,
                 policy_rows=(), base_scenario: str | None = None) -> Path:
    """Write a COPY of ``workbook`` (an .xlsx or a CSV folder; never modified) to ``out_workbook``
    (.xlsx) with a scenario ``name`` on its Scenarios sheet.

    Parameters
    ----------
    workbook, out_workbook : str or pathlib.Path
        Input and the copy to write (must differ).
    name, description : str
        The new scenario.
    overrides : iterable of dict
        Its rows: ``sheet, key, column, value`` and optionally ``operation`` (default ``set``),
        after the rows of ``base_scenario`` (if given), so they win.
    policy_rows : iterable of dict
        Rows added to the copy's Policy sheet (programmes the scenario sets; give them an amount
        that pays nothing, so that other scenarios of the copy are unchanged).
    base_scenario : str, optional
        A scenario of ``workbook`` whose overrides the new one starts from.

    Returns
    -------
    pathlib.Path
        ``out_workbook``.

    Raises
    ------
    ValueError
        When ``out_workbook`` is ``workbook``, or the scenario name exists.
    """
    from .inputs import read_raw
    from .inputs.convert import typed_for_excel
    from .inputs.scenarios import scenario_names
    from .inputs.workbook import write_workbook

    src, dst = Path(workbook).resolve(), Path(out_workbook).resolve()
    if src == dst:
        raise ValueError(f"{dst}: the copy must not overwrite the input workbook")
    raw = read_raw(src, keep_unknown=True)
    if name in scenario_names(raw):
        raise ValueError(f"scenario {name!r} is already on the Scenarios sheet of {src.name}")
    if base_scenario is not None and base_scenario not in scenario_names(raw):
        raise ValueError(f"scenario {base_scenario!r} is not on the Scenarios sheet of {src.name}")
    sc = raw.sheets["Scenarios"]

    def add(sheet, record: dict) -> None:
        sheet.rows.append([record.get(c) for c in sheet.header])
        sheet.row_numbers.append(len(sheet.rows) + 1)

    add(sc, {"scenario": name, "description": description})
    if base_scenario is not None:
        i_s, i_sheet = sc.col_index("scenario"), sc.col_index("sheet")
        for row in [r for r in sc.rows if r[i_s] == base_scenario and r[i_sheet] not in (None, "")]:
            add(sc, {**dict(zip(sc.header, row, strict=False)), "scenario": name, "description": description})
    for o in overrides:
        add(sc, {"scenario": name, "description": description, "operation": "set", **o})
    for r in policy_rows:
        add(raw.sheets["Policy"], r)
    write_workbook(typed_for_excel(raw), dst)
    return dst


def write_scenario(workbook, out_workbook, name: str, result: DesignResult, *,
                   base_scenario: str | None = None) -> Path:
    """The design as a scenario ``name`` of a copy of ``workbook`` (:func:`add_scenario`): a ``set``
    of each lever's ``amount_cny`` on the Policy sheet, after the overrides of ``base_scenario``
    (the scenario designed on). New programmes are added to the copy's Policy sheet with
    ``amount_cny`` 0 (they pay nothing in the other scenarios).

    Examples
    --------
    ``h2model design --write-scenario designed-p80 --out-workbook designed.xlsx``, then
    ``h2model run designed.xlsx --scenario designed-p80 --mc-draws 1000``.
    """
    s = result.summary
    desc = (f"Designed by h2model design (p = {float(s['p'].iloc[0]):g}; targets "
            + ", ".join(f"{r.target} {r.target_year} {r.comparator} {r.required:g}" for r in s.itertuples())
            + "): " + _mix(result.levers, result.amounts)
            + (f"; on scenario {base_scenario}" if base_scenario else ""))
    rows = [{"sheet": "Policy", "key": x.programme_id, "column": "amount_cny", "value": float(a)}
            for x, a in zip(result.levers, result.amounts, strict=True)]
    new = [{k: (None if _blank(v) else v) for k, v in {**x.row, "amount_cny": 0.0}.items()}
           for x in result.levers if x.new]
    return add_scenario(workbook, out_workbook, name, desc, rows, policy_rows=new,
                        base_scenario=base_scenario)
