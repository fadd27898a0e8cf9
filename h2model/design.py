r"""Subsidy designer: the least-cost mix of station programmes that meets the price target
with a chosen probability.

Decision
--------
The amounts :math:`a_j` of the programmes on the ``Design`` sheet, each within
``min_amount_cny .. max_amount_cny`` (:class:`Lever`): an existing ``Policy`` programme
(its conditions and caps stay; only ``amount_cny`` changes), or a new one of a station kind
(:data:`DESIGN_KINDS`: per-kg sales subsidy or supply reward, station capital grant) paid by
the ``level`` given, in ``start_year .. end_year``, without a price condition or a yearly cap;
new capital grants join the all-level cap of their ``combined_cap_group``. Vehicle kinds do not
move the network price (the fleet is the Fleet sheet's rollout) and are refused.

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
solved by HiGHS (:func:`_solve_saa`).

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

The network plan, the fleet and the stations are those of the case's run (:func:`setting`),
held fixed: subsidies do not change which stations are built or who buys vehicles here.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pandas as pd

from . import adoption, fleet, policy, station
from .finance import discount_factors, nominal_cny
from .inputs.uncertainty import uncertain_inputs
from .params import as_params
from .station.pricing import _sum_by_year
from .targets import meets
from .uncertainty.engine import _Engine, _price_target
from .uncertainty.sampling import _ppf_matrix, _uniforms

#: Programme kinds the designer may vary: those that lower the stations' break-even price.
DESIGN_KINDS = policy.H2_KINDS + policy.STATION_KINDS
#: Margin that turns a strict price target into a closed constraint, real CNY/kg.
STRICT_MARGIN_CNY_PER_KG = 1e-6

__all__ = ["DESIGN_KINDS", "DesignInfeasible", "DesignResult", "Lever", "Setting", "design",
           "discounted_cny", "levers", "policy_with", "setting"]


class DesignInfeasible(ValueError):
    """The target cannot hold with the share asked for within the Design bounds."""


@dataclasses.dataclass(frozen=True)
class Lever:
    """One programme amount the designer chooses.

    Attributes
    ----------
    programme_id, kind, level : str
        As on the Policy sheet (``level``: the government paying).
    start_year, end_year : int
        Years paid (capital grants: commissioning years).
    min_amount_cny, max_amount_cny : float
        Bounds of the amount, nominal CNY per kg (per-kg kinds) or per station (grants).
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
        return "CNY/station" if self.kind in policy.STATION_KINDS else "CNY/kg"


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
                   "level": r["level"], "kind": r["kind"], "segment": "all",
                   "station_type": "all" if _blank(r.get("station_type")) else r["station_type"],
                   "district": "all", "amount_cny": lo, "start_year": int(r["start_year"]),
                   "end_year": int(r["end_year"]),
                   "combined_cap_group": np.nan if _blank(group) else group,
                   "source_key": r.get("source_key", np.nan)}
        if row["kind"] not in DESIGN_KINDS:
            raise ValueError(f"Design {pid}: kind {row['kind']!r} does not move the hydrogen price;"
                             f" the designer varies {', '.join(DESIGN_KINDS)}")
        out.append(Lever(pid, str(row["kind"]), str(row["level"]), int(row["start_year"]),
                         int(row["end_year"]), lo, hi, pid not in by_id, row))
    return out


def policy_with(policy_table: pd.DataFrame, levers_: list[Lever], amounts) -> pd.DataFrame:
    """The Policy sheet with each lever's ``amount_cny`` set to ``amounts`` (new programmes
    appended), nominal CNY per kg or per station."""
    pol = policy_table.copy()
    new = []
    for lv, a in zip(levers_, np.asarray(amounts, dtype=float), strict=True):
        if lv.new:
            new.append({**lv.row, "amount_cny": float(a)})
        else:
            pol.loc[pol["programme_id"] == lv.programme_id, "amount_cny"] = float(a)
    if new:
        add = pd.DataFrame(new).reindex(columns=pol.columns)
        for c in pol.columns:
            add[c] = add[c].astype(pol[c].dtype)
        pol = pd.concat([pol, add], ignore_index=True)
    return pol


# --- the flow the design holds fixed -------------------------------------------------------


@dataclasses.dataclass
class Setting:
    """The case's fleet and network plan as :func:`h2model.model.run` builds them (fixed
    fleet mode): the case the flow runs (plan applied), its fleet, and the plan's stations,
    capacity and supply by year (None without a plan)."""

    case: object
    fleet: object
    built: pd.DataFrame | None = None
    station_capacity: pd.DataFrame | None = None
    station_supply: pd.DataFrame | None = None


def setting(case, plan_network: bool = True) -> Setting:
    """Steps 1-2 of :func:`h2model.model.run` (fleet, network plan) for the designer.

    Raises
    ------
    ValueError
        In the responsive fleet mode (the fleet would respond to the designed subsidies;
        not modelled by the designer).
    """
    if adoption.is_responsive(case):
        raise ValueError("design: Adoption.mode = responsive is not supported (the fleet would respond"
                         " to the designed subsidies); design on the fixed fleet")
    fl = fleet.fleet_from_case(case)
    if not plan_network:
        return Setting(case, fl)
    from .network.adapter import network_from_case
    plan = network_from_case(case, fl)
    case = plan.case_for_flow(case)
    fl = fleet.fleet_on_assignment(case, fl, plan.depot_assignment, station_capacity=plan.station_capacity)
    return Setting(case, fl, plan.built_stations, plan.station_capacity, plan.station_supply)


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
        self.eng = _Engine(st.case, self.inputs, years, st.fleet, st.built, full=False,
                           station_capacity=st.station_capacity, station_supply=st.station_supply)
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


# --- the sample-average approximation ------------------------------------------------------


def _solve_saa(p0, g, a0, lo, hi, cost, limit, need: int, *, solver: str = "highs",
               time_limit_s: float = 60.0):
    """Least ``cost @ a`` over ``lo <= a <= hi`` with ``p0 + g (a - a0) <= limit`` in at least
    ``need`` draws (one binary per undecided draw, big-M from the bounds), on HiGHS.

    Returns
    -------
    tuple
        ``(a, status)``; ``a`` None when the model is infeasible.
    """
    import pyomo.environ as pyo
    from pyomo.contrib.solver.common.factory import SolverFactory as SolverFactoryV2
    from pyomo.contrib.solver.common.results import SolutionStatus

    lo, hi, a0 = (np.asarray(v, dtype=float) for v in (lo, hi, a0))
    ok = np.isfinite(p0) & np.isfinite(g).all(axis=1)
    p0, g = np.where(ok, p0, np.inf), np.where(ok[:, None], g, 0.0)
    best = p0 + np.minimum(g * (lo - a0), g * (hi - a0)).sum(axis=1)
    worst = p0 + np.maximum(g * (lo - a0), g * (hi - a0)).sum(axis=1)
    always = ok & (worst <= limit)
    free = np.flatnonzero(ok & ~always & (best <= limit))
    more = need - int(always.sum())
    if more > len(free):
        return None, "infeasible"
    m = pyo.ConcreteModel()
    m.J = pyo.RangeSet(0, len(lo) - 1)
    m.a = pyo.Var(m.J, bounds=lambda _, j: (lo[j], hi[j]))
    m.obj = pyo.Objective(expr=sum(float(cost[j]) * m.a[j] for j in m.J))
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


# --- the designer ----------------------------------------------------------------------------


@dataclasses.dataclass
class DesignResult:
    """A designed subsidy mix (:func:`design`).

    Attributes
    ----------
    amounts : numpy.ndarray, shape (J,)
        Designed amount of each lever, nominal CNY per kg or per station.
    levers : list of Lever
    design : pandas.DataFrame
        ``design``: one row per lever and year it pays in: ``programme_id, kind, level, year,
        amount_cny, unit, min_amount_cny, max_amount_cny, outlay_cny`` (mean over the design
        draws, nominal CNY of the year) and ``discounted_outlay_cny`` (:func:`discounted_cny`).
    by_level : pandas.DataFrame
        ``design_by_level``: ``level, outlay_cny, discounted_outlay_cny`` summed over the levers
        each level of government pays.
    summary : pandas.DataFrame
        ``design_summary``, one row: the target (``target_year, comparator,
        target_cny_per_kg`` nominal), ``p``, ``draws, seed``, ``share_design_draws`` (share of
        the design draws meeting the target at the designed amounts, by the engine),
        ``check_draws, check_seed, share_check_draws`` (the same on fresh draws) and
        ``check_tolerance`` (three binomial standard errors of a share p over
        ``check_draws``), ``price_quantile_cny_per_kg`` (the p-quantile of the target-year
        network price over the design draws at the design, nominal CNY/kg),
        ``discounted_outlay_cny`` (expected),
        ``other_programmes_change_cny`` (change in the other station programmes' discounted
        outlay in the years evaluated, against every lever at its minimum),
        ``linearity_max_error_cny_per_kg``, ``iterations, solver_status, time_s``. Outlays are
        the engine's on every year the levers pay in, at their minima and maxima, interpolated
        (exact without caps or price conditions).
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


def _quantile(case, ev_price_target, p: float) -> float:
    """The p-quantile of a target-year price (real CNY/kg, NaN = no sales = +inf)."""
    x = np.where(np.isfinite(ev_price_target), ev_price_target, np.inf)
    return float(np.quantile(x, p, method="higher"))


def _infeasible(ev: _Evaluator, price, target, p: float, hi) -> DesignInfeasible:
    year, value, cmp = target
    nom = nominal_cny(price[:, ev.t_col], year, ev.case.price_year, float(ev.case.finance["inflation_rate"]))
    share = float(ev.meets(price, target).mean())
    q = _quantile(ev.case, nom, p)
    mix = ", ".join(f"{lv.programme_id} = {a:g} {lv.unit}" for lv, a in zip(ev.levers, hi, strict=True))
    return DesignInfeasible(
        f"price target {year} {cmp} {value:g} CNY/kg (nominal) cannot hold in {p:.0%} of draws within the"
        f" Design bounds: with every programme at its maximum ({mix}) it holds in {share:.1%} of draws;"
        f" the {p:.0%} quantile of the {year} network price is {q:.2f} CNY/kg, {q - value:.2f} CNY/kg"
        f" above the target")


def design(st: Setting, levers_: list[Lever] | None = None, *, p: float = 0.8, n: int = 1000, seed: int = 0,
           check_n: int | None = None, check_seed: int | None = None, max_iterations: int = 6,
           bisections: int = 8, solver: str = "highs") -> DesignResult:
    """Least expected discounted outlay on the levers such that the price target holds in at
    least a share ``p`` of ``n`` draws (module docstring), re-checked on fresh draws.

    Parameters
    ----------
    st : Setting
        From :func:`setting`.
    levers_ : list of Lever, optional
        Default :func:`levers` of the case's Design sheet.
    p : float
        Share of draws in which the target must hold.
    n, seed : int
        Design draws and their seed (the Uncertainty sheet's inputs).
    check_n, check_seed : int, optional
        Fresh draws for the re-check; default ``n`` and ``seed + 1``.
    max_iterations : int
        Linearisations at most (the first between the bounds).
    bisections : int
        Engine evaluations of the final line search (module docstring).
    solver : str
        Pyomo solver name (``highs``).

    Raises
    ------
    DesignInfeasible
        If even every lever at its maximum meets the target in less than a share ``p`` of the
        draws: the message names the target, the share reached and the gap of the price
        quantile to the target.
    """
    t0 = time.perf_counter()
    if not 0 < p <= 1:
        raise ValueError(f"p = {p}: must be in (0, 1]")
    case = st.case
    lv = levers(case) if levers_ is None else levers_
    target = _price_target(case)
    year, value, cmp = target
    ev = _Evaluator(st, lv, year, years=[year])  # the price: the target year's station-years
    x = ev.draws(n, seed)
    chunks = ev.load(x)
    lo = np.array([x.min_amount_cny for x in lv])
    hi = np.array([x.max_amount_cny for x in lv])
    limit = value / float(nominal_cny(1.0, year, case.price_year, float(case.finance["inflation_rate"])))
    limit -= STRICT_MARGIN_CNY_PER_KG if cmp in ("<", ">") else 0.0
    need = math.ceil(p * n - 1e-9)
    cache: dict[bytes, dict] = {}

    def run(a):
        a = np.asarray(a, dtype=float)
        key = a.tobytes()
        if key not in cache:
            cache[key] = ev.evaluate(chunks, a)
        return cache[key]

    at_hi = run(hi)
    if ev.meets(at_hi["price"], target).sum() < need:
        raise _infeasible(ev, at_hi["price"], target, p, hi)
    span = hi - lo
    out = _Outlays(st, lv, year, x, lo, span)
    u = out.cost
    anchor, step = lo.copy(), span.copy()
    best, best_cost, status, lin_err, it = hi.copy(), np.inf, "not solved", np.nan, 0
    need_model = need
    cheap, cheap_cost = None, np.inf  # the cheapest candidate the engine found short
    for it in range(1, max_iterations + 1):
        base = run(anchor)
        p0 = base["price"][:, ev.t_col]
        g = np.zeros((n, len(lv)))
        for j in np.flatnonzero(span > 0):  # a loop over the few levers
            s = step[j] if anchor[j] + step[j] <= hi[j] + 1e-12 else -step[j]
            a = anchor.copy()
            a[j] += s
            e = run(a)
            g[:, j] = (e["price"][:, ev.t_col] - p0) / s
        if it == 1:  # the linear model against the engine at the bounds' midpoint
            mid = (lo + hi) / 2
            err = run(mid)["price"][:, ev.t_col] - (p0 + g @ (mid - anchor))
            lin_err = float(np.nanmax(np.abs(err))) if np.isfinite(err).any() else np.nan
        a_new, status = _solve_saa(p0, g, anchor, lo, hi, u, limit, need_model, solver=solver)
        if a_new is None:
            break
        e = run(a_new)
        cost = float(u @ a_new)
        short = need - int(ev.meets(e["price"], target).sum())
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
            t = (lo_t + hi_t) / 2
            if ev.meets(run(cheap + t * (best - cheap))["price"], target).sum() >= need:
                hi_t = t
            else:
                lo_t = t
        best = cheap + hi_t * (best - cheap)
    return _result(ev, out, run, lv, best, target, p, n, seed, check_n, check_seed,
                   lin_err, it, status, t0)


class _Outlays:
    """Outlays by draw, lever and year at any amounts, from the engine on every year the levers
    pay in: at the minima and at each lever's maximum, interpolated linearly in between (exact for
    programmes without cap or price condition, a secant otherwise)."""

    def __init__(self, st: Setting, lv: list[Lever], year: int, x: np.ndarray, lo, span):
        self.ev = ev = _Evaluator(st, lv, year)
        self.lo, self.span = lo, span
        chunks = ev.load(x)
        self.base = ev.evaluate(chunks, lo)
        self.d: list[dict | None] = []
        for j in range(len(lv)):  # a loop over the few levers
            if span[j] > 0:
                a = lo.copy()
                a[j] += span[j]
                e = ev.evaluate(chunks, a)
                self.d.append({k: (e[k] - self.base[k]) / span[j] for k in ("lever", "all")})
            else:
                self.d.append(None)
        #: expected discounted outlay on the levers per unit of each lever's amount
        self.cost = np.array([0.0 if d is None else float(ev.outlay(d).sum(axis=1).mean()) for d in self.d])

    def at(self, a) -> dict[str, np.ndarray]:
        """``lever`` (n, J, Y) and ``all`` (n, Y) outlays, nominal CNY, at amounts ``a``."""
        out = {k: self.base[k].copy() for k in ("lever", "all")}
        for j, d in enumerate(self.d):
            if d is not None:
                for k in out:
                    out[k] += d[k] * (a[j] - self.lo[j])
        return out


def _result(ev: _Evaluator, out, run, lv, a, target, p, n, seed, check_n, check_seed,
            lin_err, iterations, status, t0) -> DesignResult:
    """Tables of the design ``a`` and its re-check on fresh draws."""
    case = ev.case
    year, value, cmp = target
    e = run(a)
    share = float(ev.meets(e["price"], target).mean())
    cn = n if check_n is None else int(check_n)
    cs = seed + 1 if check_seed is None else int(check_seed)
    check = ev.evaluate(ev.load(ev.draws(cn, cs)), a)
    share_check = float(ev.meets(check["price"], target).mean())
    o = out.at(a)
    disc = out.ev.outlay(o)  # (n, J)
    yrs = out.ev.years
    rows = []
    for j, x in enumerate(lv):
        for k, y in enumerate(yrs):
            if x.start_year <= y <= x.end_year:
                nominal_mean = float(o["lever"][:, j, k].mean())
                rows.append({"programme_id": x.programme_id, "kind": x.kind, "level": x.level, "year": int(y),
                             "amount_cny": float(a[j]), "unit": x.unit, "min_amount_cny": x.min_amount_cny,
                             "max_amount_cny": x.max_amount_cny, "outlay_cny": nominal_mean,
                             "discounted_outlay_cny": float(discounted_cny(case, nominal_mean, [y]))})
    table = pd.DataFrame(rows)
    money = ["outlay_cny", "discounted_outlay_cny"]
    by_level = table.groupby("level", as_index=False, sort=False)[money].sum()
    others = lambda ev_: discounted_cny(case, ev_["all"] - ev_["lever"].sum(axis=1), yrs).mean()  # noqa: E731
    nom = nominal_cny(e["price"][:, ev.t_col], year, case.price_year, float(case.finance["inflation_rate"]))
    summary = pd.DataFrame([{
        "target_year": year, "comparator": cmp, "target_cny_per_kg": value, "p": p, "draws": n, "seed": seed,
        "share_design_draws": share, "check_draws": cn, "check_seed": cs, "share_check_draws": share_check,
        "check_tolerance": 3 * math.sqrt(p * (1 - p) / cn),
        "price_quantile_cny_per_kg": _quantile(case, nom, p),
        "discounted_outlay_cny": float(disc.sum(axis=1).mean()),
        "other_programmes_change_cny": float(others(o) - others(out.at(out.lo))),
        "linearity_max_error_cny_per_kg": lin_err, "iterations": iterations, "solver_status": status,
        "time_s": time.perf_counter() - t0}])
    pol = policy_with(case.tables["Policy"], lv, a)
    pol = pol[pol["programme_id"].isin([x.programme_id for x in lv])].reset_index(drop=True)
    return DesignResult(np.asarray(a, dtype=float), lv, table, by_level, summary, pol)
