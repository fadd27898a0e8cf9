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


def read_results(model, data: NetworkData, info: SolveInfo | None = None) -> NetworkPlan:
    """Read the solution of a solved model into a :class:`NetworkPlan`.

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
    variables = idx.variables
    z = _values(variables["installed"])
    if (info is not None and not info.has_solution) or (len(z) and np.isnan(z).all()):
        why = info.message if info is not None else "the model has no solution loaded"
        binding.append(f"no plan: {why}")
        return _empty_plan(data, binding, info)
    z = np.round(np.nan_to_num(z))
    x = np.nan_to_num(_values(variables["assign"]))
    f = np.nan_to_num(_values(variables["flow"]))
    u = np.nan_to_num(_values(variables["unmet"]))
    short_t = np.nan_to_num(_values(variables["target_short"]))
    short_c = np.nan_to_num(_values(variables["coverage_short"]))

    years = data.period_year
    weights = data.period_weight_years
    n_s, n_m = data.capex_cny.shape
    n_t = len(years)
    site_ids = data.site_ids
    node_ids = data.node_ids
    supply_ids = data.supply_ids
    module_ids = data.module_ids
    demand = data.demand_kg_per_day
    start_f, annual_f = idx.start_factor, idx.annual_factor

    # installed capacity and builds
    t_idx = np.arange(n_t)
    site_t0 = data.first_period(data.site_available_from_year)
    existing_on = data.site_existing[:, None] & (t_idx[None, :] >= site_t0[:, None])
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
    built = np.maximum(z - prev, 0.0)
    throughput = np.zeros((n_s, n_t))
    np.add.at(throughput, (idx.x_site, idx.x_period), x)
    main = _main_supply(data, idx, f, n_s, n_t)

    def supply_label(k):
        return np.where(k >= 0, supply_ids[np.maximum(k, 0)], None)

    b = np.flatnonzero(built > 0.5)
    bs, bm, bt = idx.z_site[b], idx.z_module[b], idx.z_period[b]
    build_plan = pd.DataFrame(
        {
            "year": years[bt],
            "site_id": site_ids[bs],
            "district": data.site_district[bs],
            "existing": data.site_existing[bs],
            "module_id": module_ids[bm],
            "modules_built": built[b].astype(np.int64),
            "capacity_kg_per_day": built[b] * data.module_capacity_kg_per_day[bm],
            "capex_cny": built[b] * data.capex_cny[bs, bm],
            "supply_id": supply_label(main[bs, bt]),
        }
    ).sort_values(["year", "site_id", "module_id"], ignore_index=True)

    open_st = capacity > _TOL
    os_, ot = np.nonzero(open_st)
    order = np.lexsort((site_ids[os_].astype(str), ot))
    os_, ot = os_[order], ot[order]
    stations = pd.DataFrame(
        {
            "year": years[ot],
            "site_id": site_ids[os_],
            "district": data.site_district[os_],
            "existing": data.site_existing[os_],
            "capacity_kg_per_day": capacity[os_, ot],
            "throughput_kg_per_day": throughput[os_, ot],
            "utilisation": throughput[os_, ot] / capacity[os_, ot],
            "supply_id": supply_label(main[os_, ot]),
        }
    )

    xa = np.flatnonzero(x > _TOL)
    assignment = pd.DataFrame(
        {
            "year": years[idx.x_period[xa]],
            "node_id": node_ids[idx.x_node[xa]],
            "site_id": site_ids[idx.x_site[xa]],
            "kg_per_day": x[xa],
            "detour_km": idx.x_km[xa],
        }
    ).sort_values(["year", "node_id", "site_id"], ignore_index=True)

    fa = np.flatnonzero(f > _TOL)
    fk, fs_, ft = idx.f_supply[fa], idx.f_site[fa], idx.f_period[fa]
    supply_flows = pd.DataFrame(
        {
            "year": years[ft],
            "supply_id": supply_ids[fk],
            "site_id": site_ids[fs_],
            "kg_per_day": f[fa],
            "cost_cny_per_kg": data.supply_cost_cny_per_kg[fk],
            "delivery_cny_per_kg": data.delivery_cny_per_kg[fk, fs_, ft],
        }
    ).sort_values(["year", "supply_id", "site_id"], ignore_index=True)

    # unmet demand and its reason
    reach = np.zeros((len(node_ids), n_t), bool)
    reach[idx.x_node, idx.x_period] = True
    supply_t0 = data.first_period(data.supply_available_from_year)
    supply_cap_t = data.supply_capacity_kg_per_day[:, None] * (t_idx[None, :] >= supply_t0[:, None])
    supply_used = np.zeros((len(supply_ids), n_t))
    np.add.at(supply_used, (idx.f_supply, idx.f_period), f)
    exhausted = supply_used.sum(axis=0) >= supply_cap_t.sum(axis=0) * (1 - 1e-6) - _TOL
    ua = np.flatnonzero(u > _TOL)
    un, ut, uv = idx.u_node[ua], idx.u_period[ua], u[ua]
    reason = np.where(exhausted[ut], "supply_exhausted", "not_served")
    ln, lt = np.nonzero((demand > 0) & ~reach)
    unmet = pd.DataFrame(
        {
            "year": years[np.concatenate([ut, lt])],
            "node_id": node_ids[np.concatenate([un, ln])],
            "district": data.node_district[np.concatenate([un, ln])],
            "demand_kg_per_day": demand[np.concatenate([un, ln]), np.concatenate([ut, lt])],
            "unmet_kg_per_day": np.concatenate([uv, demand[ln, lt]]),
            "reason": np.concatenate([reason, np.full(len(ln), "no_site_in_reach")]),
        }
    ).sort_values(["year", "node_id"], ignore_index=True)

    # costs by year and component
    days_w = DAYS_PER_YEAR * weights
    unit_prod = data.supply_cost_cny_per_kg[idx.f_supply]
    unit_del = data.delivery_cny_per_kg[idx.f_supply, idx.f_site, idx.f_period]
    om = z * data.module_fixed_om_cny_per_year[idx.z_module]
    capex = built * data.capex_cny[idx.z_site, idx.z_module]

    def by_t(period, values):
        return np.bincount(period, weights=values, minlength=n_t)

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
    target_cost = by_t(idx.cov_period, short_c * opt.target_penalty_cny)
    if idx.target_period is not None and len(short_t):
        target_cost[idx.target_period] += short_t[0] * opt.target_penalty_cny
    raw["target_penalty"] = (target_cost, np.ones(n_t))
    costs = pd.DataFrame(
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

    # by year
    stations_open = open_st.sum(axis=0)
    new_stations = np.diff(np.concatenate([[0], stations_open]))
    by_year = pd.DataFrame(
        {
            "year": years,
            "stations_open": stations_open,
            "new_stations": new_stations,
            "capacity_kg_per_day": capacity.sum(axis=0),
            "demand_kg_per_day": demand.sum(axis=0),
            "served_kg_per_day": by_t(idx.x_period, x),
            "unmet_kg_per_day": np.bincount(
                np.searchsorted(years, unmet["year"]), unmet["unmet_kg_per_day"], minlength=n_t
            ),
        }
    )

    # targets and binding messages
    target_rows = []
    if opt.station_target_count is not None:
        tp = int(np.searchsorted(years, opt.station_target_year, side="left"))
        if tp < n_t:
            achieved = int(stations_open[tp])
            required = int(opt.station_target_count)
            target_rows.append(
                {
                    "target": "stations",
                    "year": int(opt.station_target_year),
                    "required": float(required),
                    "achieved": float(achieved),
                    "met": achieved >= required,
                    "gap": float(max(0, required - achieved)),
                }
            )
            if achieved < required:
                binding.append(
                    f"station target binds: {achieved} of {required} stations open by "
                    f"{opt.station_target_year} ({required - achieved} short)"
                )
            elif achieved == required and idx.target_period is not None:
                binding.append(
                    f"station target met exactly: {achieved} stations open by "
                    f"{opt.station_target_year} (the target may be forcing stations)"
                )
    if opt.coverage_km is not None:
        from_year = opt.coverage_from_year if opt.coverage_from_year is not None else years[0]
        node_dpos = np.searchsorted(data.districts.astype(str), data.node_district.astype(str))
        district_demand = np.zeros((len(data.districts), n_t))
        np.add.at(district_demand, node_dpos, demand)
        within = data.district_site_km <= opt.coverage_km
        covered = (within.astype(np.int64) @ open_st.astype(np.int64)) > 0  # (D, T)
        for t in np.flatnonzero(years >= from_year):
            need = district_demand[:, t] > 0
            req, ach = int(need.sum()), int((covered[:, t] & need).sum())
            target_rows.append(
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
        for d in np.flatnonzero(need_all.any(axis=1)):
            binding.append(
                f"coverage target binds: district {data.districts[d]} has no open station within "
                f"{opt.coverage_km:g} km of its demand centre in {_years_text(years[need_all[d]])}"
            )
    targets = pd.DataFrame(target_rows, columns=["target", "year", "required", "achieved", "met", "gap"])

    for t in range(n_t):
        lost = unmet[unmet["year"] == years[t]]
        if len(lost):
            parts = ", ".join(
                f"{g['unmet_kg_per_day'].sum():,.0f} kg/day {r.replace('_', ' ')}"
                for r, g in lost.groupby("reason")
            )
            binding.append(
                f"unmet demand in {years[t]}: {lost['unmet_kg_per_day'].sum():,.0f} kg/day "
                f"at {len(lost)} node(s) ({parts})"
            )
    full = (supply_cap_t > 0) & (supply_used >= supply_cap_t * (1 - 1e-6))
    for k in np.flatnonzero(full.any(axis=1)):
        binding.append(
            f"supply {supply_ids[k]} at capacity "
            f"({data.supply_capacity_kg_per_day[k]:,.0f} kg/day) in {_years_text(years[full[k]])}"
        )
    if opt.build_limit_per_year is not None:
        limit = opt.build_limit_per_year * weights
        at_limit = (new_stations >= limit - 1e-6) & (new_stations > 0)
        if at_limit.any():
            binding.append(
                f"build limit binds ({opt.build_limit_per_year:g} new stations/year) in "
                f"{_years_text(years[at_limit])}"
            )
    if opt.price_target_cny_per_kg is not None and len(idx.price_site):
        q = np.asarray(opt.price_target_min_kg_per_day, dtype=float)
        minimum = np.zeros((n_s, n_t))
        np.add.at(minimum, (idx.z_site, idx.z_period), z * q[idx.z_module])
        ps, pt = idx.price_site, idx.price_period
        held = (minimum[ps, pt] > _TOL) & (throughput[ps, pt] <= minimum[ps, pt] * (1 + 1e-6) + _TOL)
        if held.any():
            first = [f"{site_ids[s]} in {years[t]}" for s, t in zip(ps[held][:3], pt[held][:3], strict=True)]
            binding.append(
                f"price target ({opt.price_target_cny_per_kg:g} CNY/kg) binds at "
                f"{int(held.sum())} station-period(s) held at their minimum throughput "
                f"(e.g. {'; '.join(first)})"
            )
    if info is not None and info.status != "optimal":
        binding.append(f"plan not proven optimal: {info.message}")

    return NetworkPlan(
        build_plan=build_plan,
        stations=stations,
        assignment=assignment,
        supply_flows=supply_flows,
        unmet=unmet,
        costs=costs,
        by_year=by_year,
        targets=targets,
        binding=binding,
        solve=info,
    )
