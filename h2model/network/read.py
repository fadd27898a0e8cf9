"""Results extraction for the network plan: solved model in, tidy tables out.

:func:`read_results` reads variable values with numpy, once per variable family,
and returns a :class:`NetworkPlan` of long/tidy pandas tables keyed by ``year``
(the period's year), ``site_id``, ``node_id``, ``supply_id`` and ``module_id``, with
units in the value column names, plus a ``targets`` table and a ``binding`` list of
plain-language messages naming every target or limit that binds and by how much.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from h2model.network.build import DAYS_PER_YEAR, NetworkOptions
from h2model.network.prepare import NetworkData
from h2model.network.solve import SolveInfo

__all__ = ["COST_COMPONENTS", "NetworkPlan", "read_results"]

#: Cost components of the objective, in the order of the ``costs`` table.
COST_COMPONENTS = (
    "capex",
    "fixed_om",
    "production",
    "delivery",
    "detour",
    "unmet_penalty",
    "target_penalty",
)

_TOL = 1e-6  # kg/day or fraction below which a value is treated as zero


@dataclass(eq=False)
class NetworkPlan:
    """The network plan: build plan, operation by period, costs and findings.

    Attributes
    ----------
    build_plan : pandas.DataFrame
        One row per module installation: ``year``, ``site_id``, ``district``,
        ``existing`` (expansion of an existing station), ``module_id``,
        ``modules_built``, ``capacity_kg_per_day`` (added), ``capex_cny``
        (undiscounted), ``supply_id`` (main source of the site that year).
    stations : pandas.DataFrame
        One row per open station and period: ``year``, ``site_id``, ``district``,
        ``existing``, ``capacity_kg_per_day``, ``throughput_kg_per_day``,
        ``utilisation`` (fraction), ``supply_id`` (main source).
    assignment : pandas.DataFrame
        ``year``, ``node_id``, ``site_id``, ``kg_per_day``, ``detour_km`` (one-way road
        km).
    supply_flows : pandas.DataFrame
        ``year``, ``supply_id``, ``site_id``, ``kg_per_day``, ``cost_cny_per_kg``
        (production), ``delivery_cny_per_kg``.
    unmet : pandas.DataFrame
        Node-periods with unmet demand: ``year``, ``node_id``, ``district``,
        ``demand_kg_per_day``, ``unmet_kg_per_day``, ``reason`` (``no_site_in_reach``,
        ``supply_exhausted`` or ``not_served``: cheaper to pay the penalty, or held
        back by a limit).
    costs : pandas.DataFrame
        ``year``, ``component`` (see :data:`COST_COMPONENTS`), ``cost_cny``
        (undiscounted, all years of the period), ``discounted_cny``.
    by_year : pandas.DataFrame
        ``year``, ``stations_open``, ``new_stations``, ``capacity_kg_per_day``,
        ``demand_kg_per_day``, ``served_kg_per_day``, ``unmet_kg_per_day``.
    targets : pandas.DataFrame
        ``target``, ``year``, ``required``, ``achieved``, ``met``, ``gap``.
    binding : list of str
        Messages: targets that cannot be met or bind, unmet demand, supplies at
        capacity, limits that bind.
    solve : SolveInfo or None
        Solver status, gap and times.
    """

    build_plan: pd.DataFrame
    stations: pd.DataFrame
    assignment: pd.DataFrame
    supply_flows: pd.DataFrame
    unmet: pd.DataFrame
    costs: pd.DataFrame
    by_year: pd.DataFrame
    targets: pd.DataFrame
    binding: list = field(default_factory=list)
    solve: SolveInfo | None = None

    @property
    def objective_cny(self) -> float:
        """Total discounted cost of the plan, CNY (sum of the ``costs`` table)."""
        return float(self.costs["discounted_cny"].sum()) if len(self.costs) else math.nan

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables by name (the name is the file name for writing)."""
        return {
            "build_plan": self.build_plan,
            "stations": self.stations,
            "assignment": self.assignment,
            "supply_flows": self.supply_flows,
            "unmet": self.unmet,
            "costs": self.costs,
            "network_by_year": self.by_year,
            "targets": self.targets,
        }


def _values(variables):
    out = np.fromiter(
        (math.nan if v.value is None else v.value for v in variables), float, count=len(variables)
    )
    return out


def _years_text(years):
    return ", ".join(str(int(y)) for y in years)


def _main_supply(data, idx, f, n_s, n_t):
    """Supply with the largest flow to each site-period (-1 where none)."""
    best = np.full((n_s, n_t), -1, np.int64)
    if len(f) == 0:
        return best
    pos = f > _TOL
    k, s, t, v = idx.f_supply[pos], idx.f_site[pos], idx.f_period[pos], f[pos]
    order = np.lexsort((-v, t, s))  # by site, period, then flow descending
    k, s, t = k[order], s[order], t[order]
    first = np.ones(len(s), bool)
    first[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
    best[s[first], t[first]] = k[first]
    return best


def _empty_plan(data, binding, info):
    def frame(columns):
        return pd.DataFrame({c: [] for c in columns})

    return NetworkPlan(
        build_plan=frame(
            [
                "year",
                "site_id",
                "district",
                "existing",
                "module_id",
                "modules_built",
                "capacity_kg_per_day",
                "capex_cny",
                "supply_id",
            ]
        ),
        stations=frame(
            [
                "year",
                "site_id",
                "district",
                "existing",
                "capacity_kg_per_day",
                "throughput_kg_per_day",
                "utilisation",
                "supply_id",
            ]
        ),
        assignment=frame(["year", "node_id", "site_id", "kg_per_day", "detour_km"]),
        supply_flows=frame(
            ["year", "supply_id", "site_id", "kg_per_day", "cost_cny_per_kg", "delivery_cny_per_kg"]
        ),
        unmet=frame(["year", "node_id", "district", "demand_kg_per_day", "unmet_kg_per_day", "reason"]),
        costs=frame(["year", "component", "cost_cny", "discounted_cny"]),
        by_year=frame(
            [
                "year",
                "stations_open",
                "new_stations",
                "capacity_kg_per_day",
                "demand_kg_per_day",
                "served_kg_per_day",
                "unmet_kg_per_day",
            ]
        ),
        targets=frame(["target", "year", "required", "achieved", "met", "gap"]),
        binding=binding,
        solve=info,
    )


def _installed(data, idx, z):
    """Capacity open in each site-period and modules built in each ``installed`` column.

    Returns
    -------
    capacity : numpy.ndarray, shape (S, T)
        Existing plus installed capacity, kg/day.
    built : numpy.ndarray
        :math:`\\max(z_{smt} - z_{sm,t-1}, 0)`, modules, one per ``installed`` column.
    """
    n_t = len(data.period_year)
    site_t0 = data.first_period(data.site_available_from_year)
    existing_on = data.site_existing[:, None] & (np.arange(n_t)[None, :] >= site_t0[:, None])
    capacity = data.site_existing_capacity_kg_per_day[:, None] * existing_on
    np.add.at(capacity, (idx.z_site, idx.z_period), z * data.module_capacity_kg_per_day[idx.z_module])
    prev = np.zeros_like(z)
    if len(z) > 1:
        same = (
            (idx.z_site[1:] == idx.z_site[:-1])
            & (idx.z_module[1:] == idx.z_module[:-1])
            & (idx.z_period[1:] == idx.z_period[:-1] + 1)
        )
        prev[1:] = np.where(same, z[:-1], 0.0)
    return capacity, np.maximum(z - prev, 0.0)


def _supply_label(data, k):
    """Supply id of each supply position (``None`` where -1: no supply)."""
    return np.where(k >= 0, data.supply_ids[np.maximum(k, 0)], None)


def _build_plan_table(data, idx, built, main):
    """The ``build_plan`` table: one row per module installation (see :class:`NetworkPlan`)."""
    b = np.flatnonzero(built > 0.5)
    bs, bm, bt = idx.z_site[b], idx.z_module[b], idx.z_period[b]
    return pd.DataFrame(
        {
            "year": data.period_year[bt],
            "site_id": data.site_ids[bs],
            "district": data.site_district[bs],
            "existing": data.site_existing[bs],
            "module_id": data.module_ids[bm],
            "modules_built": built[b].astype(np.int64),
            "capacity_kg_per_day": built[b] * data.module_capacity_kg_per_day[bm],
            "capex_cny": built[b] * data.capex_cny[bs, bm],
            "supply_id": _supply_label(data, main[bs, bt]),
        }
    ).sort_values(["year", "site_id", "module_id"], ignore_index=True)


def _stations_table(data, capacity, throughput, main):
    """The ``stations`` table: one row per open station and period, by period then site id."""
    site_ids = data.site_ids
    os_, ot = np.nonzero(capacity > _TOL)
    order = np.lexsort((site_ids[os_].astype(str), ot))
    os_, ot = os_[order], ot[order]
    return pd.DataFrame(
        {
            "year": data.period_year[ot],
            "site_id": site_ids[os_],
            "district": data.site_district[os_],
            "existing": data.site_existing[os_],
            "capacity_kg_per_day": capacity[os_, ot],
            "throughput_kg_per_day": throughput[os_, ot],
            "utilisation": throughput[os_, ot] / capacity[os_, ot],
            "supply_id": _supply_label(data, main[os_, ot]),
        }
    )


def _assignment_table(data, idx, x):
    """The ``assignment`` table: kg/day of each node refuelled at each site and period."""
    xa = np.flatnonzero(x > _TOL)
    return pd.DataFrame(
        {
            "year": data.period_year[idx.x_period[xa]],
            "node_id": data.node_ids[idx.x_node[xa]],
            "site_id": data.site_ids[idx.x_site[xa]],
            "kg_per_day": x[xa],
            "detour_km": idx.x_km[xa],
        }
    ).sort_values(["year", "node_id", "site_id"], ignore_index=True)


def _supply_flows_table(data, idx, f):
    """The ``supply_flows`` table: kg/day from each supply to each site and period, with unit costs."""
    fa = np.flatnonzero(f > _TOL)
    fk, fs_, ft = idx.f_supply[fa], idx.f_site[fa], idx.f_period[fa]
    return pd.DataFrame(
        {
            "year": data.period_year[ft],
            "supply_id": data.supply_ids[fk],
            "site_id": data.site_ids[fs_],
            "kg_per_day": f[fa],
            "cost_cny_per_kg": data.supply_cost_cny_per_kg[fk],
            "delivery_cny_per_kg": data.delivery_cny_per_kg[fk, fs_, ft],
        }
    ).sort_values(["year", "supply_id", "site_id"], ignore_index=True)


def _supply_use(data, idx, f):
    """Capacity of each supply in each period (0 before it is available) and what it delivers, kg/day.

    Returns
    -------
    capacity, used : numpy.ndarray, shape (K, T)
    """
    n_t = len(data.period_year)
    supply_t0 = data.first_period(data.supply_available_from_year)
    capacity = data.supply_capacity_kg_per_day[:, None] * (np.arange(n_t)[None, :] >= supply_t0[:, None])
    used = np.zeros((len(data.supply_ids), n_t))
    np.add.at(used, (idx.f_supply, idx.f_period), f)
    return capacity, used


def _unmet_table(data, idx, f, u):
    """The ``unmet`` table: node-periods with unmet demand and why.

    ``no_site_in_reach`` where no site is within the detour (left out of the model),
    ``supply_exhausted`` in periods where the supplies together deliver their capacity, else
    ``not_served``.
    """
    years, node_ids, demand = data.period_year, data.node_ids, data.demand_kg_per_day
    reach = np.zeros((len(node_ids), len(years)), bool)
    reach[idx.x_node, idx.x_period] = True
    supply_cap_t, supply_used = _supply_use(data, idx, f)
    exhausted = supply_used.sum(axis=0) >= supply_cap_t.sum(axis=0) * (1 - 1e-6) - _TOL
    ua = np.flatnonzero(u > _TOL)
    un, ut, uv = idx.u_node[ua], idx.u_period[ua], u[ua]
    reason = np.where(exhausted[ut], "supply_exhausted", "not_served")
    ln, lt = np.nonzero((demand > 0) & ~reach)
    return pd.DataFrame(
        {
            "year": years[np.concatenate([ut, lt])],
            "node_id": node_ids[np.concatenate([un, ln])],
            "district": data.node_district[np.concatenate([un, ln])],
            "demand_kg_per_day": demand[np.concatenate([un, ln]), np.concatenate([ut, lt])],
            "unmet_kg_per_day": np.concatenate([uv, demand[ln, lt]]),
            "reason": np.concatenate([reason, np.full(len(ln), "no_site_in_reach")]),
        }
    ).sort_values(["year", "node_id"], ignore_index=True)


def _by_period(period, values, n_t):
    """Sum of ``values`` by period, shape (T,)."""
    return np.bincount(period, weights=values, minlength=n_t)


def _costs_table(data, idx, opt, sol):
    r"""The ``costs`` table: each objective component by period, undiscounted and discounted.

    Capex is charged in the period's first year (:math:`S_t`); operating costs are
    per year over the period's :math:`w_t` years (discounted with :math:`A_t / w_t`);
    target penalties are not discounted.
    """
    years, weights = data.period_year, data.period_weight_years
    n_t = len(years)
    start_f, annual_f = idx.start_factor, idx.annual_factor
    z, x, f, u = sol["installed"], sol["assign"], sol["flow"], sol["unmet"]
    days_w = DAYS_PER_YEAR * weights
    unit_prod = data.supply_cost_cny_per_kg[idx.f_supply]
    unit_del = data.delivery_cny_per_kg[idx.f_supply, idx.f_site, idx.f_period]
    om = z * data.module_fixed_om_cny_per_year[idx.z_module]
    capex = sol["built"] * data.capex_cny[idx.z_site, idx.z_module]

    def by_t(period, values):
        return _by_period(period, values, n_t)

    raw = {
        "capex": (by_t(idx.z_period, capex), start_f),
        "fixed_om": (by_t(idx.z_period, om) * weights, annual_f / weights),
        "production": (by_t(idx.f_period, f * unit_prod) * days_w, annual_f / weights),
        "delivery": (by_t(idx.f_period, f * unit_del) * days_w, annual_f / weights),
        "detour": (
            by_t(idx.x_period, x * idx.x_km * opt.detour_cost_cny_per_km_per_kg) * days_w,
            annual_f / weights,
        ),
        "unmet_penalty": (
            by_t(idx.u_period, u * opt.unmet_penalty_cny_per_kg) * days_w,
            annual_f / weights,
        ),
    }
    target_cost = by_t(idx.cov_period, sol["coverage_short"] * opt.target_penalty_cny)
    if idx.target_period is not None and len(sol["target_short"]):
        target_cost[idx.target_period] += sol["target_short"][0] * opt.target_penalty_cny
    raw["target_penalty"] = (target_cost, np.ones(n_t))
    return pd.DataFrame(
        [
            {
                "year": int(years[t]),
                "component": name,
                "cost_cny": float(cost[t]),
                "discounted_cny": float(cost[t] * factor[t]),
            }
            for name in COST_COMPONENTS
            for cost, factor in [raw[name]]
            for t in range(n_t)
        ]
    )


def _by_year_table(data, idx, capacity, x, unmet):
    """The ``by_year`` table: stations open and new, capacity, demand, served and unmet, per period."""
    years = data.period_year
    n_t = len(years)
    stations_open = (capacity > _TOL).sum(axis=0)
    return pd.DataFrame(
        {
            "year": years,
            "stations_open": stations_open,
            "new_stations": np.diff(np.concatenate([[0], stations_open])),
            "capacity_kg_per_day": capacity.sum(axis=0),
            "demand_kg_per_day": data.demand_kg_per_day.sum(axis=0),
            "served_kg_per_day": _by_period(idx.x_period, x, n_t),
            "unmet_kg_per_day": np.bincount(
                np.searchsorted(years, unmet["year"]), unmet["unmet_kg_per_day"], minlength=n_t
            ),
        }
    )


def _station_target_rows(data, idx, opt, stations_open):
    """Row of the station target in the ``targets`` table, and a message if it binds."""
    years = data.period_year
    tp = int(np.searchsorted(years, opt.station_target_year, side="left"))
    if tp >= len(years):
        return [], []
    achieved = int(stations_open[tp])
    required = int(opt.station_target_count)
    row = {
        "target": "stations",
        "year": int(opt.station_target_year),
        "required": float(required),
        "achieved": float(achieved),
        "met": achieved >= required,
        "gap": float(max(0, required - achieved)),
    }
    messages = []
    if achieved < required:
        messages.append(
            f"station target binds: {achieved} of {required} stations open by "
            f"{opt.station_target_year} ({required - achieved} short)"
        )
    elif achieved == required and idx.target_period is not None:
        messages.append(
            f"station target met exactly: {achieved} stations open by "
            f"{opt.station_target_year} (the target may be forcing stations)"
        )
    return [row], messages


def _coverage_rows(data, opt, open_st):
    """Rows of the coverage target in the ``targets`` table (one per period it applies), and messages."""
    years = data.period_year
    n_t = len(years)
    from_year = opt.coverage_from_year if opt.coverage_from_year is not None else years[0]
    node_dpos = np.searchsorted(data.districts.astype(str), data.node_district.astype(str))
    district_demand = np.zeros((len(data.districts), n_t))
    np.add.at(district_demand, node_dpos, data.demand_kg_per_day)
    within = data.district_site_km <= opt.coverage_km
    covered = (within.astype(np.int64) @ open_st.astype(np.int64)) > 0  # (D, T)
    rows = []
    for t in np.flatnonzero(years >= from_year):
        need = district_demand[:, t] > 0
        req, ach = int(need.sum()), int((covered[:, t] & need).sum())
        rows.append(
            {
                "target": "coverage",
                "year": int(years[t]),
                "required": float(req),
                "achieved": float(ach),
                "met": ach >= req,
                "gap": float(req - ach),
            }
        )
    need_all = (district_demand > 0) & ~covered & (years[None, :] >= from_year)
    messages = [
        f"coverage target binds: district {data.districts[d]} has no open station within "
        f"{opt.coverage_km:g} km of its demand centre in {_years_text(years[need_all[d]])}"
        for d in np.flatnonzero(need_all.any(axis=1))
    ]
    return rows, messages


def _targets_table(data, idx, opt, open_st):
    """The ``targets`` table (station count, then coverage) and the messages of targets that bind."""
    rows, messages = [], []
    if opt.station_target_count is not None:
        more_rows, more = _station_target_rows(data, idx, opt, open_st.sum(axis=0))
        rows += more_rows
        messages += more
    if opt.coverage_km is not None:
        more_rows, more = _coverage_rows(data, opt, open_st)
        rows += more_rows
        messages += more
    return pd.DataFrame(rows, columns=["target", "year", "required", "achieved", "met", "gap"]), messages


def _limit_messages(data, idx, opt, info, sol, unmet, by_year):
    """Messages on unmet demand, supplies at capacity, the build limit, the price target and optimality."""
    years, weights = data.period_year, data.period_weight_years
    messages = []
    for t in range(len(years)):
        lost = unmet[unmet["year"] == years[t]]
        if len(lost):
            parts = ", ".join(
                f"{g['unmet_kg_per_day'].sum():,.0f} kg/day {r.replace('_', ' ')}"
                for r, g in lost.groupby("reason")
            )
            messages.append(
                f"unmet demand in {years[t]}: {lost['unmet_kg_per_day'].sum():,.0f} kg/day "
                f"at {len(lost)} node(s) ({parts})"
            )
    supply_cap_t, supply_used = _supply_use(data, idx, sol["flow"])
    full = (supply_cap_t > 0) & (supply_used >= supply_cap_t * (1 - 1e-6))
    for k in np.flatnonzero(full.any(axis=1)):
        messages.append(
            f"supply {data.supply_ids[k]} at capacity "
            f"({data.supply_capacity_kg_per_day[k]:,.0f} kg/day) in {_years_text(years[full[k]])}"
        )
    if opt.build_limit_per_year is not None:
        new_stations = by_year["new_stations"].to_numpy()
        limit = opt.build_limit_per_year * weights
        at_limit = (new_stations >= limit - 1e-6) & (new_stations > 0)
        if at_limit.any():
            messages.append(
                f"build limit binds ({opt.build_limit_per_year:g} new stations/year) in "
                f"{_years_text(years[at_limit])}"
            )
    if opt.price_target_cny_per_kg is not None and len(idx.price_site):
        messages += _price_target_messages(data, idx, opt, sol)
    if info is not None and info.status != "optimal":
        messages.append(f"plan not proven optimal: {info.message}")
    return messages


def _price_target_messages(data, idx, opt, sol):
    """A message naming station-periods held at the price target's minimum throughput, if any."""
    n_s, n_t = len(data.site_ids), len(data.period_year)
    q = np.asarray(opt.price_target_min_kg_per_day, dtype=float)
    minimum = np.zeros((n_s, n_t))
    np.add.at(minimum, (idx.z_site, idx.z_period), sol["installed"] * q[idx.z_module])
    ps, pt = idx.price_site, idx.price_period
    throughput = sol["throughput"]
    held = (minimum[ps, pt] > _TOL) & (throughput[ps, pt] <= minimum[ps, pt] * (1 + 1e-6) + _TOL)
    if not held.any():
        return []
    first = [
        f"{data.site_ids[s]} in {data.period_year[t]}"
        for s, t in zip(ps[held][:3], pt[held][:3], strict=True)
    ]
    return [
        f"price target ({opt.price_target_cny_per_kg:g} CNY/kg) binds at "
        f"{int(held.sum())} station-period(s) held at their minimum throughput "
        f"(e.g. {'; '.join(first)})"
    ]


def read_results(model, data: NetworkData, info: SolveInfo | None = None) -> NetworkPlan:
    """Read the solution of a solved model into a :class:`NetworkPlan`.

    Each table has its own reader below; the ``binding`` messages come in the order:
    pre-checks, targets, unmet demand, supplies at capacity, build limit, price
    target, optimality.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        From :func:`h2model.network.build.build_model`, after
        :func:`h2model.network.solve.solve`.
    data : NetworkData
        The data the model was built from.
    info : SolveInfo, optional
        Attached to the plan; without a solution the plan has empty tables and a
        message saying why.

    Returns
    -------
    NetworkPlan
    """
    idx = model.network_index
    opt: NetworkOptions = model.network_options
    binding = list(idx.messages)
    z = _values(idx.variables["installed"])
    if (info is not None and not info.has_solution) or (len(z) and np.isnan(z).all()):
        why = info.message if info is not None else "the model has no solution loaded"
        binding.append(f"no plan: {why}")
        return _empty_plan(data, binding, info)
    sol = {
        name: np.nan_to_num(_values(idx.variables[name]))
        for name in ("assign", "flow", "unmet", "target_short", "coverage_short")
    }
    sol["installed"] = np.round(np.nan_to_num(z))
    capacity, sol["built"] = _installed(data, idx, sol["installed"])
    sol["throughput"] = np.zeros(capacity.shape)
    np.add.at(sol["throughput"], (idx.x_site, idx.x_period), sol["assign"])
    main = _main_supply(data, idx, sol["flow"], *capacity.shape)

    unmet = _unmet_table(data, idx, sol["flow"], sol["unmet"])
    by_year = _by_year_table(data, idx, capacity, sol["assign"], unmet)
    targets, target_messages = _targets_table(data, idx, opt, capacity > _TOL)
    binding += target_messages + _limit_messages(data, idx, opt, info, sol, unmet, by_year)
    return NetworkPlan(
        build_plan=_build_plan_table(data, idx, sol["built"], main),
        stations=_stations_table(data, capacity, sol["throughput"], main),
        assignment=_assignment_table(data, idx, sol["assign"]),
        supply_flows=_supply_flows_table(data, idx, sol["flow"]),
        unmet=unmet,
        costs=_costs_table(data, idx, opt, sol),
        by_year=by_year,
        targets=targets,
        binding=binding,
        solve=info,
    )
