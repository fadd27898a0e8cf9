r"""Corridor plan: a flow-refuelling location model for hydrogen trucks on expressways.

The city plan (:mod:`h2model.network.build`) sites stations against depot demand
inside Guangzhou. Trucks on the plan's hydrogen corridors (Guangzhou-Shenzhen,
Guangzhou-Zhuhai) refuel on their trips instead: a station is useful to a trip only
if, together with the other open stations on its path, it lets the truck get
there and back without running dry. This module sites corridor stations for such
trips (flow-refuelling location model, FRLM; Kuby and Lim 2005), multi-period like
the city plan, in Pyomo on HiGHS. It knows nothing of workbooks: the case adapter is
:mod:`h2model.network.corridor_case`.

Round-trip convention
---------------------
A path *q* is the road path from origin to destination through the corridor nodes
:math:`v_0, \ldots, v_m` with cumulative road km :math:`d_0 = 0, \ldots, d_m`. Its
trucks drive the **round trip** :math:`v_0 \to v_m \to v_0`, over and over: a
cycle of length :math:`2 d_m`. A truck fills its tank at every open station it
passes (a node passed on the way out and back counts twice) and buys there the
hydrogen it burned since its last fill. The trip is **refuelled** iff there is at
least one open station on the path and every stretch between consecutive fills
around the cycle (including the one that runs through the turn at the destination
and the one through the origin) is at most the segment's usable range *R*. This is
the symmetric round-trip condition of Kuby and Lim (2005), whose vehicles leave an
origin without a station with half a tank (bought on the way in), stated as a cycle.

Formulation (arc cover, Capar et al. 2013)
-----------------------------------------
For every arc *a* of the cycle (from cycle position *i* to *i* + 1), let
:math:`K_{qa}` be the nodes at cycle positions from which the truck reaches the
arc's end within range going forward (positions *j* on or before *i*, cyclically,
with cycle distance from *j* to *i* + 1 at most *R*). Every stretch between
consecutive fills is within range iff every arc has an open station in its
:math:`K_{qa}` (the nearest fill behind an arc is the previous open station, so the
stretch that contains the arc is covered iff that station is in the set). Sets that
contain another set of the same path are dropped (they are implied), and so are
those that contain a station open in the period without a decision (a fixed
station: the city network at a Guangzhou end of a path).

Variables, by period *t* (year :math:`y_t`, standing for :math:`w_t` years):
:math:`x_{kt} \in \{0, 1\}` a corridor station at candidate node *k*
(:math:`x_{kt} \ge x_{k,t-1}`: built once, stays open), :math:`y_{qt} \in [0, 1]`
path *q* refuelled.

.. math::

    \sum_{k \in K_{qa}} x_{kt} &\ge y_{qt} \qquad \text{(every arc of the round trip covered)}\\
    \sum_k x_{kt} &\le P_t \qquad \text{(optional: at most } P_t \text{ corridor stations)}

Objective (the city plan's conventions: CNY of the price year discounted to the first
year of the first period, :func:`h2model.finance.period_discount_factors`):

.. math::

    \min \sum_t \Big[ S_t \sum_k c_k (x_{kt} - x_{k,t-1}) + A_t \sum_k F_k x_{kt}
      + 365\,A_t\,\pi \sum_q g_{qt} (1 - y_{qt}) \Big]

with :math:`c_k` the capex of a corridor station (the city plan's cost model),
:math:`F_k` its fixed O&M per year, :math:`g_{qt}` path *q*'s hydrogen need in kg/day
(round trips per day x round-trip km x the segment's kg/km) and :math:`\pi` the
penalty per kg of need left unrefuelled (the city plan's unmet-demand penalty).
That is: **minimise cost, refuelling the flows whose hydrogen is worth more than the
stations they need** (with the default penalty, every flow that can be refuelled
is). With zero station costs and a station budget :math:`P_t` it is the classic FRLM
(maximise refuelled flow with *p* stations).

>>> import numpy as np, pandas as pd
>>> periods = pd.DataFrame({"year": [2025], "weight_years": [1]})
>>> data = CorridorData(node_ids=np.array(["A", "B", "C"]), candidate=np.array([True, True, True]),
...     capex_cny=np.full(3, 1e6), fixed_om_cny_per_year=np.zeros(3),
...     path_nodes=[np.array([0, 1, 2])], path_km=[np.array([0.0, 100.0, 200.0])],
...     range_km=np.array([250.0]), need_kg_per_day=np.array([[1000.0]]), periods=periods)
>>> plan = solve_corridor(data)
>>> plan.open_nodes(2025)   # 400 km round trip, 250 km range: A and C, or B twice a trip
['B']
>>> bool(plan.refuelled[0, 0])
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from time import perf_counter

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from h2model.finance import period_discount_factors
from h2model.network.build import DAYS_PER_YEAR, OBJECTIVE_SCALE, NetworkOptions
from h2model.network.solve import SolveInfo, solve

__all__ = [
    "CorridorData",
    "CorridorPlan",
    "build_corridor_model",
    "cover_sets",
    "fill_km",
    "fill_shares",
    "node_kg_per_day",
    "generate_corridor_instance",
    "round_trip",
    "shortest_paths",
    "solve_corridor",
    "trip_refuelled",
]

#: Tolerance on km comparisons (a stretch exactly at the range is within it).
KM_TOL = 1e-6


@dataclass
class CorridorData:
    """Input of the corridor model (plain arrays; see the module docstring).

    Attributes
    ----------
    node_ids : numpy.ndarray of str, shape (N,)
    candidate : numpy.ndarray of bool, shape (N,)
        Nodes where a corridor station may be built.
    capex_cny : numpy.ndarray, shape (N,)
        Capex of a corridor station at the node, CNY (read for candidates).
    fixed_om_cny_per_year : numpy.ndarray, shape (N,)
        Fixed O&M of a corridor station, CNY/year.
    path_nodes : list of numpy.ndarray of int
        Per path, node indices from origin to destination.
    path_km : list of numpy.ndarray of float
        Per path, cumulative road km at each of its nodes (starting at 0).
    range_km : numpy.ndarray, shape (Q,)
        Usable range of the path's trucks, km.
    need_kg_per_day : numpy.ndarray, shape (Q, T)
        Hydrogen the path's round trips burn, kg/day, by period.
    periods : pandas.DataFrame
        ``year, weight_years`` (as :func:`h2model.network.default_periods`).
    open_from_period : numpy.ndarray of int, shape (N,), optional
        First period in which a **fixed** station (not decided here: the city network)
        is open at the node; ``T`` or more: none. Default: none anywhere.
    available_from_period : numpy.ndarray of int, shape (N,), optional
        First period in which a corridor station may be built at a candidate. Default 0.
    discount_rate : float
        Real discount rate, 1/year.
    unrefuelled_penalty_cny_per_kg : float
        :math:`\\pi`, CNY per kg of need left unrefuelled.
    max_stations : numpy.ndarray, shape (T,), optional
        :math:`P_t`, most corridor stations open in each period (cumulative). Default: no limit.
    """

    node_ids: np.ndarray
    candidate: np.ndarray
    capex_cny: np.ndarray
    fixed_om_cny_per_year: np.ndarray
    path_nodes: list
    path_km: list
    range_km: np.ndarray
    need_kg_per_day: np.ndarray
    periods: pd.DataFrame
    open_from_period: np.ndarray | None = None
    available_from_period: np.ndarray | None = None
    discount_rate: float = 0.06
    unrefuelled_penalty_cny_per_kg: float = 200.0
    max_stations: np.ndarray | None = None

    def __post_init__(self):
        n, t = len(self.node_ids), len(self.periods)
        self.node_ids = np.asarray(self.node_ids, dtype=object)
        self.candidate = np.asarray(self.candidate, dtype=bool)
        self.capex_cny = np.asarray(self.capex_cny, dtype=float)
        self.fixed_om_cny_per_year = np.asarray(self.fixed_om_cny_per_year, dtype=float)
        self.range_km = np.asarray(self.range_km, dtype=float)
        self.need_kg_per_day = np.asarray(self.need_kg_per_day, dtype=float).reshape(len(self.path_nodes), t)
        self.open_from_period = (np.full(n, t, dtype=np.int64) if self.open_from_period is None
                                 else np.asarray(self.open_from_period, dtype=np.int64))
        self.available_from_period = (np.zeros(n, dtype=np.int64) if self.available_from_period is None
                                      else np.asarray(self.available_from_period, dtype=np.int64))
        self.path_nodes = [np.asarray(p, dtype=np.int64) for p in self.path_nodes]
        self.path_km = [np.asarray(d, dtype=float) for d in self.path_km]
        for q, (p, d) in enumerate(zip(self.path_nodes, self.path_km, strict=True)):
            if len(p) != len(d) or len(p) < 2:
                raise ValueError(f"path {q}: needs at least 2 nodes and one km value per node")
            if np.any(np.diff(d) < 0) or d[0] != 0:
                raise ValueError(f"path {q}: cumulative km must start at 0 and not decrease")
        if np.any(self.range_km <= 0):
            raise ValueError("range_km must be positive")

    @property
    def n_periods(self) -> int:
        return len(self.periods)

    def fixed_open(self) -> np.ndarray:
        """(N, T) bool: a fixed station is open at the node in the period."""
        return self.open_from_period[:, None] <= np.arange(self.n_periods)[None, :]


def round_trip(nodes: np.ndarray, cum_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The round trip of a path as a cycle.

    Parameters
    ----------
    nodes : numpy.ndarray of int, shape (m+1,)
        Nodes from origin to destination.
    cum_km : numpy.ndarray, shape (m+1,)
        Cumulative road km at each node.

    Returns
    -------
    cycle_nodes : numpy.ndarray of int, shape (2m,)
        Node at each cycle position: out ``v0..vm``, back ``v(m-1)..v1`` (the next
        position after the last is ``v0`` again).
    arc_km : numpy.ndarray, shape (2m,)
        Length of the arc from each position to the next, km.

    Examples
    --------
    >>> c, a = round_trip(np.array([5, 6, 7]), np.array([0.0, 30.0, 100.0]))
    >>> c.tolist(), a.tolist()
    ([5, 6, 7, 6], [30.0, 70.0, 70.0, 30.0])
    """
    leg = np.diff(cum_km)
    return (np.concatenate([nodes, nodes[-2:0:-1]]),
            np.concatenate([leg, leg[::-1]]))


def cover_sets(nodes: np.ndarray, cum_km: np.ndarray, range_km: float) -> list[np.ndarray] | None:
    """The arc-cover sets :math:`K_{qa}` of a path's round trip (module docstring).

    Returns the distinct, minimal sets of node indices (a set that contains another
    is implied by it and dropped), or ``None`` if an arc is longer than the range
    (the trip can never be refuelled).

    Examples
    --------
    Nodes 0-1-2 at 0, 100, 200 km, range 250 km: the 400 km cycle needs a fill at B
    (twice a trip), or at both ends.

    >>> [s.tolist() for s in cover_sets(np.array([0, 1, 2]), np.array([0.0, 100.0, 200.0]), 250.0)]
    [[0, 1], [1, 2]]
    """
    cyc, arc = round_trip(nodes, cum_km)
    n = len(cyc)
    if np.any(arc > range_km + KM_TOL):
        return None
    # forward km from position j to the end of arc i: k = 1..n arcs (k = n for j = i + 1, a lap)
    cum = np.concatenate([[0.0], np.cumsum(np.tile(arc, 2))])
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    k = (i + 1 - j) % n
    k = np.where(k == 0, n, k)
    member = cum[j + k] - cum[j] <= range_km + KM_TOL
    cols = np.unique(cyc)
    m = np.zeros((n, len(cols)), dtype=bool)
    np.logical_or.at(m, (np.repeat(np.arange(n), n), np.searchsorted(cols, np.tile(cyc, n))),
                     member.ravel())
    m = np.unique(m, axis=0)
    size = m.sum(axis=1)
    inter = m.astype(np.int64) @ m.T.astype(np.int64)
    # row i is implied if some other row j is a proper subset of it
    implied = ((inter == size[None, :]) & (size[None, :] < size[:, None])).any(axis=1)
    return sorted((cols[row] for row in m[~implied]), key=lambda a: tuple(a.tolist()))


def trip_refuelled(open_nodes, nodes: np.ndarray, cum_km: np.ndarray, range_km: float) -> bool:
    """Whether a path's round trip is refuelled by the open nodes: some open node on
    the path, and every stretch between consecutive fills around the cycle within
    range. The direct check of the condition the arc-cover constraints encode.

    Examples
    --------
    >>> trip_refuelled({0, 2}, np.array([0, 1, 2]), np.array([0.0, 100.0, 200.0]), 250.0)
    True
    >>> trip_refuelled({0}, np.array([0, 1, 2]), np.array([0.0, 100.0, 200.0]), 250.0)
    False
    """
    gaps = fill_km(open_nodes, nodes, cum_km)
    return gaps is not None and bool(np.all(gaps[gaps > 0] <= range_km + KM_TOL))


def fill_km(open_nodes, nodes: np.ndarray, cum_km: np.ndarray) -> np.ndarray | None:
    """Km driven since the previous fill at each cycle position of a round trip
    (0 where there is no open station), ``None`` if no node of the path is open.

    Each fill buys what the truck burned over that stretch: the kg a station sells per
    trip is its km here x the segment's kg/km.

    Examples
    --------
    >>> fill_km({0, 2}, np.array([0, 1, 2]), np.array([0.0, 100.0, 200.0])).tolist()
    [200.0, 0.0, 200.0, 0.0]
    """
    cyc, arc = round_trip(nodes, cum_km)
    is_open = np.isin(cyc, np.fromiter(open_nodes, dtype=np.int64, count=-1))
    if not is_open.any():
        return None
    start = np.concatenate([[0.0], np.cumsum(arc)[:-1]])
    pos = np.flatnonzero(is_open)
    prev = np.roll(pos, 1)
    gap = start[pos] - start[prev] + float(arc.sum()) * (pos <= prev)  # one fill per lap: the lap
    out = np.zeros(len(cyc))
    out[pos] = gap
    return out


def shortest_paths(node_ids, links: pd.DataFrame, origins, destinations) -> tuple[list, list]:
    """Shortest road paths between node pairs over undirected links.

    Parameters
    ----------
    node_ids : sequence of str
    links : pandas.DataFrame
        ``from, to, road_km``.
    origins, destinations : sequence of str

    Returns
    -------
    path_nodes, path_km : lists
        Node indices and cumulative km from origin to destination, per pair.

    Raises
    ------
    ValueError
        If a pair is not connected.
    """
    ids = pd.Index(node_ids)
    a, b = ids.get_indexer(links["from"]), ids.get_indexer(links["to"])
    edges = (pd.DataFrame({"a": np.concatenate([a, b]), "b": np.concatenate([b, a]),
                           "km": np.tile(links["road_km"].to_numpy(float), 2)})
             .groupby(["a", "b"], as_index=False)["km"].min())  # the shorter of parallel links
    n = len(ids)
    g = sp.csr_matrix((edges["km"].to_numpy() + 1e-9, (edges["a"], edges["b"])), shape=(n, n))
    km_of = sp.csr_matrix((edges["km"].to_numpy(), (edges["a"], edges["b"])), shape=(n, n))
    o, d = ids.get_indexer(origins), ids.get_indexer(destinations)
    dist, pred = dijkstra(g, directed=True, indices=np.unique(o), return_predecessors=True)
    row = pd.Index(np.unique(o)).get_indexer(o)
    nodes_out, km_out = [], []
    for r, src, dst in zip(row, o, d, strict=True):  # one walk back per origin-destination pair
        if not np.isfinite(dist[r, dst]):
            raise ValueError(f"no road path from {ids[src]} to {ids[dst]} over the links")
        walk = [dst]
        while walk[-1] != src:
            walk.append(pred[r, walk[-1]])
        walk = np.array(walk[::-1], dtype=np.int64)
        nodes_out.append(walk)
        km_out.append(np.concatenate([[0.0], np.cumsum(np.asarray(km_of[walk[:-1], walk[1:]]).ravel())]))
    return nodes_out, km_out


@dataclass
class CorridorPlan:
    """A solved corridor plan.

    Attributes
    ----------
    data : CorridorData
    solve : SolveInfo
        Status, objective (CNY, discounted), gap, build and solve times.
    built : numpy.ndarray of bool, shape (N, T)
        A corridor station is open at the node in the period (built then or before).
    fixed : numpy.ndarray of bool, shape (N, T)
        A fixed station (city network) is open at the node.
    refuelled : numpy.ndarray of bool, shape (Q, T)
        The path's round trips are refuelled (:func:`trip_refuelled` on the open nodes).
    kg_per_day : numpy.ndarray, shape (N, T)
        Hydrogen the refuelled trips buy at each node's open station, kg/day
        (:func:`fill_km` x kg/km).
    reason : list of str
        Per path, why it can never be refuelled (``"arc_over_range"``: a road link on
        it is longer than the range), else ``""``.
    """

    data: CorridorData
    solve: SolveInfo
    built: np.ndarray
    fixed: np.ndarray
    refuelled: np.ndarray
    kg_per_day: np.ndarray
    reason: list = field(default_factory=list)

    def open_nodes(self, year: int) -> list[str]:
        """Ids of the nodes with a corridor station in the period of ``year``."""
        t = int(np.flatnonzero(self.data.periods["year"].to_numpy() == year)[0])
        return [str(x) for x in self.data.node_ids[self.built[:, t]]]


def _decisions(data: CorridorData):
    """Flat decision indices: ``x`` (node, period) for candidates from their
    availability; per path and period the arc-cover rows left after fixed stations.

    Returns ``xk, xt, rows, y_path, y_period, always, reason`` where ``rows`` is a list of
    ``(y index, x indices)``, ``always`` (Q, T) marks path-periods refuelled by fixed
    stations alone.
    """
    n, t_n = len(data.node_ids), data.n_periods
    can = data.candidate[:, None] & (np.arange(t_n)[None, :] >= data.available_from_period[:, None])
    xk, xt = np.nonzero(can)
    xid = np.full((n, t_n), -1, dtype=np.int64)
    xid[xk, xt] = np.arange(len(xk))
    fixed = data.fixed_open()
    rows, y_path, y_period, reason = [], [], [], []
    always = np.zeros((len(data.path_nodes), t_n), dtype=bool)
    for q, (nodes, km) in enumerate(zip(data.path_nodes, data.path_km, strict=True)):  # one entry per path
        sets = cover_sets(nodes, km, float(data.range_km[q]))
        reason.append("arc_over_range" if sets is None else "")
        if sets is None:
            continue
        for t in np.flatnonzero(data.need_kg_per_day[q] > 0):
            left = [s for s in sets if not fixed[s, t].any()]
            if not left:
                always[q, t] = True
                continue
            cols = [xid[s, t][xid[s, t] >= 0] for s in left]
            if any(len(c) == 0 for c in cols):
                continue  # an arc no station can cover in this period: not refuelled
            y = len(y_path)
            y_path.append(q)
            y_period.append(t)
            rows.extend((y, c) for c in cols)
    return xk, xt, rows, np.array(y_path, dtype=np.int64), np.array(y_period, dtype=np.int64), always, reason


def build_corridor_model(data: CorridorData) -> pyo.ConcreteModel:
    """The corridor MILP of the module docstring (Pyomo, objective ``cost`` scaled by
    :data:`~h2model.network.build.OBJECTIVE_SCALE`). The index arrays are kept on
    ``model.corridor_index`` (a dict)."""
    t0 = perf_counter()
    periods = data.periods
    start, annual = period_discount_factors(periods["year"].to_numpy(), periods["weight_years"].to_numpy(),
                                            data.discount_rate)
    xk, xt, rows, y_path, y_period, always, reason = _decisions(data)
    m = pyo.ConcreteModel(name="corridor_frlm")
    m.x = pyo.Var(range(len(xk)), within=pyo.Binary)
    m.y = pyo.Var(range(len(y_path)), bounds=(0.0, 1.0))
    # capex telescoped onto x: c_k (S_t - S_{t+1}) x_kt, plus fixed O&M A_t F_k x_kt
    s_next = np.append(start[1:], 0.0)
    x_coef = data.capex_cny[xk] * (start[xt] - s_next[xt]) + annual[xt] * data.fixed_om_cny_per_year[xk]
    pen = DAYS_PER_YEAR * annual[None, :] * data.unrefuelled_penalty_cny_per_kg * data.need_kg_per_day
    y_coef = pen[y_path, y_period]
    constant = float(pen.sum() - pen[always].sum())
    m.cost = pyo.Objective(expr=OBJECTIVE_SCALE * (
        pyo.quicksum(float(c) * m.x[i] for i, c in enumerate(x_coef))
        - pyo.quicksum(float(c) * m.y[i] for i, c in enumerate(y_coef)) + constant), sense=pyo.minimize)
    m.cover = pyo.ConstraintList()
    for y, cols in rows:
        m.cover.add(pyo.quicksum(m.x[int(i)] for i in cols) >= m.y[y])
    m.stay_open = pyo.ConstraintList()
    prev = np.flatnonzero((xk[1:] == xk[:-1]) & (xt[1:] == xt[:-1] + 1))  # x_{k,t} >= x_{k,t-1}
    for i in prev:
        m.stay_open.add(m.x[int(i) + 1] >= m.x[int(i)])
    if data.max_stations is not None:
        m.budget = pyo.ConstraintList()
        for t in range(data.n_periods):
            sel = np.flatnonzero(xt == t)
            if len(sel):
                m.budget.add(pyo.quicksum(m.x[int(i)] for i in sel) <= float(data.max_stations[t]))
    m.corridor_index = {"xk": xk, "xt": xt, "y_path": y_path, "y_period": y_period, "always": always,
                        "reason": reason, "n_rows": len(rows), "build_time_s": perf_counter() - t0}
    return m


def fill_shares(data: CorridorData, is_open: np.ndarray, refuelled: np.ndarray) -> np.ndarray:
    """Share of each refuelled path's need bought at each node, shape (N, Q, T): every
    refuelled round trip fills at each open station it passes the kg it burned since
    its last fill (:func:`fill_km` over the round-trip km). Rows of a path-period sum
    to 1 where it is refuelled, 0 elsewhere."""
    out = np.zeros((is_open.shape[0], len(data.path_nodes), is_open.shape[1]))
    for q, t in zip(*np.nonzero(refuelled), strict=True):  # one entry per refuelled path-period
        nodes, km = data.path_nodes[q], data.path_km[q]
        cyc, _ = round_trip(nodes, km)
        np.add.at(out[:, q, t], cyc, fill_km(np.flatnonzero(is_open[:, t]), nodes, km) / (2.0 * km[-1]))
    return out


def node_kg_per_day(data: CorridorData, is_open: np.ndarray, refuelled: np.ndarray) -> np.ndarray:
    """Hydrogen bought at each node's open station, kg/day, shape (N, T)
    (:func:`fill_shares` x the paths' need)."""
    return np.einsum("nqt,qt->nt", fill_shares(data, is_open, refuelled), data.need_kg_per_day)


def solve_corridor(data: CorridorData, options: NetworkOptions | None = None) -> CorridorPlan:
    """Build, solve (HiGHS by default, :func:`h2model.network.solve`) and read the
    corridor plan. ``options``: solver, ``mip_gap``, ``time_limit_s``, ``threads``."""
    model = build_corridor_model(data)
    idx = model.corridor_index
    info = solve(model, options or NetworkOptions())
    info = SolveInfo(**{**info.__dict__, "build_time_s": idx["build_time_s"]})
    n, t_n = len(data.node_ids), data.n_periods
    built = np.zeros((n, t_n), dtype=bool)
    if info.has_solution and len(idx["xk"]):
        val = np.array([pyo.value(model.x[i]) for i in range(len(idx["xk"]))], dtype=float)
        built[idx["xk"], idx["xt"]] = np.nan_to_num(val) > 0.5
    fixed = data.fixed_open()
    is_open = built | fixed
    refuelled = np.zeros((len(data.path_nodes), t_n), dtype=bool)
    for q, t in zip(*np.nonzero(data.need_kg_per_day > 0), strict=True):  # direct range check
        refuelled[q, t] = trip_refuelled(np.flatnonzero(is_open[:, t]), data.path_nodes[q],
                                         data.path_km[q], float(data.range_km[q]))
    return CorridorPlan(data, info, built, fixed, refuelled, node_kg_per_day(data, is_open, refuelled),
                        idx["reason"])


def generate_corridor_instance(n_nodes: int = 300, n_cities: int = 21, n_paths: int = 300,
                               total_km: float = 11000.0, n_periods: int = 10, range_km: float = 350.0,
                               seed: int = 0) -> CorridorData:
    """A random corridor instance of a province's size (for benchmarks and tests).

    ``n_nodes`` nodes in a 550 x 400 km box (about Guangdong's extent), joined by the
    Delaunay triangulation's edges, shortest first on top of a minimum spanning tree
    (so that every node is connected), until the road km (straight line x 1.25) reach
    ``total_km``. The first ``n_cities`` nodes are cities, the others service areas;
    every node is a candidate. ``n_paths`` origin-destination pairs of distinct cities
    (repeats allowed when there are fewer pairs) carry a flow growing over the periods;
    the periods are yearly to 2025 from 2021, then two-yearly.
    """
    from scipy.sparse.csgraph import minimum_spanning_tree
    from scipy.spatial import Delaunay

    from h2model.network.prepare import default_periods

    rng = np.random.default_rng(seed)
    xy = rng.uniform([0.0, 0.0], [550.0, 400.0], size=(n_nodes, 2))
    tri = Delaunay(xy).simplices
    e = np.unique(np.sort(np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [0, 2]]]), axis=1), axis=0)
    km = 1.25 * np.hypot(*(xy[e[:, 0]] - xy[e[:, 1]]).T)
    mst = minimum_spanning_tree(sp.coo_matrix((km, (e[:, 0], e[:, 1])), shape=(n_nodes, n_nodes))).tocoo()
    in_tree = pd.MultiIndex.from_arrays([np.minimum(mst.row, mst.col), np.maximum(mst.row, mst.col)])
    tree = pd.MultiIndex.from_arrays([e[:, 0], e[:, 1]]).isin(in_tree)
    order = np.argsort(np.where(tree, -1.0, km), kind="stable")  # tree edges first, then shortest
    keep = order[: max(int(tree.sum()), int(np.searchsorted(np.cumsum(km[order]), total_km)) + 1)]
    ids = np.array([f"C{i:03d}" if i < n_cities else f"S{i:04d}" for i in range(n_nodes)], dtype=object)
    links = pd.DataFrame({"from": ids[e[keep, 0]], "to": ids[e[keep, 1]], "road_km": km[keep]})
    pairs = np.array([(a, b) for a in range(n_cities) for b in range(a + 1, n_cities)])
    pick = pairs[rng.permutation(np.resize(np.arange(len(pairs)), n_paths))]
    nodes, cum = shortest_paths(ids, links, ids[pick[:, 0]], ids[pick[:, 1]])
    periods = default_periods(2021, 2025, 2035)
    growth = np.linspace(0.2, 1.0, len(periods))[:n_periods]
    trips = rng.uniform(5, 50, size=len(pick))
    need = trips[:, None] * growth[None, :] * np.array([2 * c[-1] for c in cum])[:, None] * 0.12
    capex = rng.uniform(8e6, 12e6, size=n_nodes)
    return CorridorData(node_ids=ids, candidate=np.ones(n_nodes, dtype=bool), capex_cny=capex,
                        fixed_om_cny_per_year=0.05 * capex, path_nodes=nodes, path_km=cum,
                        range_km=np.full(len(pick), range_km), need_kg_per_day=need,
                        periods=periods.iloc[:n_periods].reset_index(drop=True))
