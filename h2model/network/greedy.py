"""The greedy start plan of the network model, used by every solve method.

:func:`_greedy_installed` is the quick build plan the staged solve
(:mod:`h2model.network.solve`), the Benders decomposition
(:mod:`h2model.network.benders`) and the window heuristic
(:mod:`h2model.network.heuristic`) start from; :func:`_served_kg_per_day` the bipartite
max flow it measures demand served with. Its own module so that those solvers share it
without importing each other.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow

from h2model.network.build import DAYS_PER_YEAR, _site_room

__all__ = ["GREEDY_TOP_K"]


def _served_kg_per_day(pair_node, pair_site, demand_kg_per_day, capacity_kg_per_day):
    """Most demand the stations can serve, by node, kg/day: a bipartite max flow.

    Source -> node (its demand) -> site (pairs within reach) -> sink (the site's
    capacity), in whole kg/day (demand rounded up, capacity down: conservative).

    Examples
    --------
    Two nodes of 60 and 50 kg/day; the first reaches sites 0 and 1, the second only
    site 1; sites hold 40 and 70 kg/day:

    >>> import numpy as np
    >>> _served_kg_per_day(np.array([0, 0, 1]), np.array([0, 1, 1]),
    ...                    np.array([60.0, 50.0]), np.array([40.0, 70.0])).tolist()
    [60.0, 50.0]
    """
    n_n, n_s = len(demand_kg_per_day), len(capacity_kg_per_day)
    src, sink = n_n + n_s, n_n + n_s + 1
    dem = np.ceil(demand_kg_per_day).astype(np.int64)
    cap = np.floor(np.maximum(capacity_kg_per_day, 0.0)).astype(np.int64)
    big = int(min(dem.sum() + 1, np.iinfo(np.int32).max))
    rows = np.concatenate([np.full(n_n, src), pair_node, n_n + np.arange(n_s)])
    cols = np.concatenate([np.arange(n_n), n_n + pair_site, np.full(n_s, sink)])
    w = np.minimum(np.concatenate([dem, np.full(len(pair_node), big), cap]), big).astype(np.int32)
    graph = sp.csr_matrix((w, (rows, cols)), shape=(sink + 1, sink + 1))
    graph.sum_duplicates()
    flow = maximum_flow(graph, src, sink).flow.tocsr()
    inflow = np.asarray(flow[src, :n_n].todense(), dtype=float).ravel()
    return np.minimum(inflow, demand_kg_per_day)



#: Candidates whose actual gain in served demand the greedy start evaluates per step.
GREEDY_TOP_K = 5


def _greedy_installed(model, top_k: int = GREEDY_TOP_K):
    """A quick build plan: modules installed per ``installed`` variable.

    Period by period, while demand the open stations cannot serve (a max flow of
    demand to capacity within reach, :func:`_served_kg_per_day`) is worth a module at
    the unmet-demand penalty: the ``top_k`` sites (or expansions) with the most
    unserved demand in reach per CNY of discounted capex and fixed O&M are tried, and
    the one that serves the most extra demand per CNY gets its module (the smallest
    that covers the unserved demand in reach, the largest if none does), within the
    build limit. Then modules are dropped (dearest first) and, without a build
    limit, delayed by a period where the demand served in every period does not
    fall. A module goes only where the site's size leaves room for it (the site-size
    rows). Supply capacity, coverage and the price target are left to the solver.
    """
    data = model.network_data
    idx = model.network_index
    opt = model.network_options
    n_t = len(data.period_year)
    n_s, n_m = data.capex_cny.shape
    cap_m = data.module_capacity_kg_per_day
    demand = data.demand_kg_per_day
    site_t0 = data.first_period(data.site_available_from_year)
    existing = data.site_existing_capacity_kg_per_day * data.site_existing
    may = np.zeros((n_s, n_m, n_t), bool)
    may[idx.z_site, idx.z_module, idx.z_period] = True
    room_kg_per_day = _site_room(data)  # capacity a site may still add (site size rows), inf: no limit
    installed = np.zeros((n_s, n_m))
    history = np.zeros((n_s, n_m, n_t))
    start_f, annual_f = idx.start_factor, idx.annual_factor
    later = DAYS_PER_YEAR * np.cumsum(annual_f[::-1])[::-1]  # kg/day -> discounted kg from t on
    pairs = []
    for t in range(n_t):
        sel = np.flatnonzero(idx.x_period == t)
        pairs.append((idx.x_node[sel], idx.x_site[sel]))

    phi_m, phi_e = data.sells_per_kg_per_day(opt.max_capacity_factor)

    def capacity(t, inst):  # what the stations may sell, kg/day
        if np.ndim(phi_m) == 0:
            return phi_m * (existing * (t >= site_t0) + inst @ cap_m)
        return phi_e[:, t] * existing * (t >= site_t0) + (inst * phi_m[:, :, t]) @ cap_m  # peak sizing

    def served(t, inst):
        return _served_kg_per_day(*pairs[t], demand[:, t], capacity(t, inst))

    for t in range(n_t):
        pn, ps = pairs[t]
        budget = math.inf
        if opt.build_limit_per_year is not None:
            budget = opt.build_limit_per_year * data.period_weight_years[t]
        opened = 0
        while True:
            got = served(t, installed)
            unserved = demand[:, t] - got
            unserved[unserved < 1.0] = 0.0
            reach = np.bincount(ps, weights=unserved[pn], minlength=n_s)
            room = (
                may[:, :, t]
                & (installed < data.module_max_per_site)
                & ((installed @ cap_m)[:, None] + cap_m[None, :] <= room_kg_per_day[:, None] + 1e-6)
            )
            candidate = room.any(axis=1) & (reach > 0)
            is_new = (installed.sum(axis=1) == 0) & ~(data.site_existing & (t >= site_t0))
            if opened >= budget:
                candidate &= ~is_new
            if not candidate.any():
                break
            fits = room & (cap_m[None, :] >= reach[:, None])
            big = np.where(room, cap_m[None, :], -np.inf).argmax(axis=1)
            small = np.where(fits, cap_m[None, :], np.inf).argmin(axis=1)
            module = np.where(fits.any(axis=1), small, big)
            cost = (
                data.capex_cny[np.arange(n_s), module] * start_f[t]
                + data.module_fixed_om_cny_per_year[module] * annual_f[t:].sum()
            )
            served_est = np.minimum(reach, cap_m[module])
            candidate &= served_est * opt.unmet_penalty_cny_per_kg * later[t] > cost
            if not candidate.any():
                break
            score = np.where(candidate, served_est / np.maximum(cost, 1.0), -1.0)
            top = np.argsort(-score, kind="stable")[:top_k]
            top = top[score[top] > 0]
            gain = np.empty(len(top))
            for i, s_c in enumerate(top):
                trial = installed.copy()
                trial[s_c, module[s_c]] += 1
                gain[i] = served(t, trial).sum() - got.sum()
            if gain.max() < 1.0:
                break
            s_best = int(top[np.argmax(gain / np.maximum(cost[top], 1.0))])
            installed[s_best, module[s_best]] += 1
            opened += int(is_new[s_best])
        history[:, :, t] = installed

    # local improvement: drop, then delay, modules that the service does not need
    base = np.array([served(t, history[:, :, t]).sum() for t in range(n_t)])
    sm = np.argwhere(history[:, :, -1] > 0) if n_t else np.zeros((0, 2), np.int64)
    for s, m in sm[np.argsort(-data.capex_cny[sm[:, 0], sm[:, 1]], kind="stable")]:
        t0 = int(np.argmax(history[s, m] > 0))
        trial = history.copy()
        trial[s, m, t0:] -= 1
        if all(served(t, trial[:, :, t]).sum() >= base[t] - 1.0 for t in range(t0, n_t)):
            history = trial
    changed = opt.build_limit_per_year is None
    while changed:
        changed = False
        for s, m in np.argwhere(history[:, :, -1] > 0):
            t0 = int(np.argmax(history[s, m] > 0))
            if t0 >= n_t - 1:
                continue
            trial = history[:, :, t0].copy()
            trial[s, m] -= 1
            if served(t0, trial).sum() >= base[t0] - 1.0:
                history[s, m, t0] -= 1
                changed = True
    return history[idx.z_site, idx.z_module, idx.z_period]


