"""Fuel-cell vehicle fleet and hydrogen demand by demand node, district, station and year.

The fleet comes either from the rollout (``Fleet`` sheet: vehicles in service at the end
of each year, by district and segment) or from a vehicle register (``Vehicles`` sheet,
used when the case has one). Either way it becomes one row per vehicle, with its
segment, district, demand node, purchase year, retirement year and annual distance, so
that every later step (demand, subsidies, emissions) sums over the same vehicles.

A vehicle's **demand node** is where its hydrogen is drawn, by its segment's refuelling
pattern (``Refuelling`` sheet): a segment that refuels at its home depot (buses,
sanitation trucks) draws at a depot of its district (``Depots``); a segment that refuels
en route or near where it operates (logistics vans, trucks, tractors, cars) draws at the
en-route demand points of its district (``DemandPoints``: ports, logistics parks,
industrial zones, transport hubs), or at the district's depots when it has none. Without
a ``Refuelling`` sheet every segment refuels at its depot. Tables keep the name
``depot_id`` for the demand node; ``node_kind`` says which kind it is.

The steps, each a function of arrays that broadcasts or works on whole vectors:

1. :func:`interpolate_stock` puts the rollout on the analysis years;
   :func:`stock_flows` derives purchases and retirements from it by vintage
   accounting (a vehicle serves ``lifetime_years`` years);
2. :func:`expand_cohorts` turns vintage cohorts into one entry per vehicle;
3. :func:`allocate_depots` shares each district's vehicles among its demand nodes by
   weight (depot segments among depots, en-route segments among demand points);
4. :func:`vehicle_h2_kg_per_day` and :func:`in_service_totals` give demand by year;
5. :func:`assign_stations` sends each demand node's demand to its nearest open station
   with capacity left (or :func:`flows_from_assignment` uses the network plan's
   assignment).

:func:`fleet_from_case` wires these together for a :class:`~h2model.inputs.case.Case`.

>>> flows = stock_flows([[10, 10, 12]], lifetime_years=2)
>>> flows.purchased.tolist(), flows.retired.tolist()
([[10.0, 0.0, 12.0]], [[0.0, 0.0, 10.0]])
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from .supply import road_km

#: Days a vehicle operates per year when annual distance becomes daily demand.
OPERATING_DAYS_PER_YEAR = 365.0

#: Default of ``Network.max_capacity_factor``: the most a station sells in a year as a
#: share of its daily capacity x 365 (used when a case does not give the key).
DEFAULT_MAX_CAPACITY_FACTOR = 0.8


def max_capacity_factor(case) -> float:
    """``Network.max_capacity_factor`` of a case (fraction): the most a station sells in a
    year as a share of its daily capacity (24 h basis) x 365, the same limit in the fleet's
    station assignment, the network plan and station economics.

    >>> from types import SimpleNamespace
    >>> max_capacity_factor(SimpleNamespace(params={"Network": {"max_capacity_factor": 0.7}}))
    0.7
    """
    return float(case.params.get("Network", {}).get("max_capacity_factor", DEFAULT_MAX_CAPACITY_FACTOR))

#: Kinds of demand node: a home depot (a ``Depots`` row, or a district centroid standing
#: in for a district without one) and an en-route demand point (a ``DemandPoints`` row).
NODE_KINDS = ("depot", "en_route")

#: Station statuses that can refuel vehicles without a network plan: existing stations
#: (from their commissioning year, or always when it is blank) and planned stations
#: from their commissioning year. Candidates serve only through a network plan.
OPEN_STATUSES = ("existing", "planned")

# Fractional part of the golden ratio: the Weyl sequence k * phi mod 1 is the most
# evenly spread deterministic sequence in [0, 1) (a low-discrepancy sequence).
_WEYL_STEP = (np.sqrt(5.0) - 1.0) / 2.0
_TOL = 1e-9


# --- stock accounting ----------------------------------------------------------------


class StockFlows(NamedTuple):
    """Purchases and retirements that reproduce a stock path (see :func:`stock_flows`).

    Attributes
    ----------
    purchased : numpy.ndarray
        Vehicles bought in each year, shape ``(..., n_years)``.
    retired : numpy.ndarray
        Vehicles leaving service in each year (end of life or early, when the stock
        falls), shape ``(..., n_years)``.
    exits : numpy.ndarray
        ``exits[..., v, x]``: vehicles bought in year index ``v`` that leave service at
        the start of year index ``x``; ``x == n_years`` holds those still in service
        after the last year. Shape ``(..., n_years, n_years + 1)``.
    """

    purchased: np.ndarray
    retired: np.ndarray
    exits: np.ndarray


def stock_flows(stock, lifetime_years) -> StockFlows:
    """Purchases and retirements by year from vehicles in service, by vintage accounting.

    A vehicle bought in year :math:`v` is in service in years :math:`v` to
    :math:`v + L - 1` and retires at the start of year :math:`v + L`. In each year the
    vehicles reaching their lifetime retire, then

    .. math::

        P_t = \\max(0,\\; S_t - A_t), \\qquad A_t = S_{t-1} - R_t,

    where :math:`S_t` is the stock at the end of year :math:`t`, :math:`R_t` the
    end-of-life retirements and :math:`P_t` the purchases. Where the stock falls by more
    than the retirements, the oldest vehicles leave early. The first year's stock is
    taken as bought in the first year (vintages before the horizon are unknown).

    Parameters
    ----------
    stock : array_like
        Vehicles in service at the end of each year, shape ``(..., n_years)`` over
        consecutive years (vehicles).
    lifetime_years : int or array_like of int
        Service life, broadcastable to ``stock.shape[:-1]`` (years, at least 1).

    Returns
    -------
    StockFlows
        Purchases, retirements and the vintage-by-exit-year matrix (vehicles).

    Examples
    --------
    A stock of 5 vehicles with a 3-year life is renewed in year 3:

    >>> f = stock_flows([5, 5, 5, 5, 7], lifetime_years=3)
    >>> f.purchased.tolist(), f.retired.tolist()
    ([5.0, 0.0, 0.0, 5.0, 2.0], [0.0, 0.0, 0.0, 5.0, 0.0])
    """
    s = np.asarray(stock, dtype=float)
    n_years = s.shape[-1]
    lead = s.shape[:-1]
    life = np.broadcast_to(np.asarray(lifetime_years), lead)
    if np.any(life < 1):
        raise ValueError("lifetime_years must be at least 1")
    if np.any(s < 0):
        raise ValueError("stock must not be negative")
    alive = np.zeros(lead + (n_years,))  # vehicles in service by vintage index
    exits = np.zeros(lead + (n_years, n_years + 1))
    purchased = np.zeros(lead + (n_years,))
    retired = np.zeros(lead + (n_years,))
    vintage = np.arange(n_years)
    for j in range(n_years):  # a loop over a few tens of years, vectorised over groups
        old = (j - vintage) >= life[..., None]
        out = np.where(old, alive, 0.0)
        alive = alive - out
        need = s[..., j] - alive.sum(axis=-1)
        drop = np.maximum(-need, 0.0)
        cum = np.cumsum(alive, axis=-1)
        early = np.clip(drop[..., None] - (cum - alive), 0.0, alive)  # oldest first
        alive = alive - early
        alive[..., j] = np.maximum(need, 0.0)
        exits[..., :, j] = out + early
        purchased[..., j] = alive[..., j]
        retired[..., j] = (out + early).sum(axis=-1)
    exits[..., :, n_years] = alive
    return StockFlows(purchased, retired, exits)


def interpolate_stock(fleet: pd.DataFrame, years, column: str = "fcev_in_service",
                      whole: bool = True) -> tuple[pd.DataFrame, np.ndarray]:
    """Put the rollout (vehicles in service by year, district, segment) on ``years``.

    Between the years given, the stock is interpolated linearly and rounded to whole
    vehicles; before the first year given it is zero, after the last it stays at the
    last value (the fleet is kept, its vehicles replaced at end of life).

    Parameters
    ----------
    fleet : pandas.DataFrame
        Columns ``year``, ``district``, ``segment`` and ``column``.
    years : array_like of int
        Consecutive analysis years.
    column : str, optional
        The column to interpolate (default ``fcev_in_service``, vehicles; the
        purchase-choice model also puts its ``Markets`` sheet on the years with it).
    whole : bool, optional
        Round to whole numbers (vehicles); default yes.

    Returns
    -------
    keys : pandas.DataFrame
        One row per (district, segment) group, columns ``district``, ``segment``.
    stock : numpy.ndarray
        Vehicles in service (the values of ``column``), shape ``(n_groups, n_years)``.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2020, 2022], "district": ["a", "a"],
    ...                   "segment": ["bus", "bus"], "fcev_in_service": [10, 20]})
    >>> keys, s = interpolate_stock(t, [2019, 2020, 2021, 2022, 2023])
    >>> s.tolist()
    [[0.0, 10.0, 15.0, 20.0, 20.0]]
    """
    years = np.asarray(years, dtype=int)
    if fleet.empty:
        return pd.DataFrame({"district": [], "segment": []}, dtype=object), np.zeros((0, len(years)))
    wide = fleet.pivot_table(index=["district", "segment"], columns="year",
                             values=column, aggfunc="sum").astype(float)
    given = wide.columns.to_numpy(dtype=float)
    values = wide.to_numpy()
    stock = np.zeros((len(wide), len(years)))
    # Interpolate each group over the years it gives (a loop over <= 66 district-segment
    # groups; np.interp is one-dimensional).
    for g in range(len(wide)):
        ok = ~np.isnan(values[g])
        x, y = given[ok], values[g, ok]
        est = np.interp(years, x, y)
        est[years < x[0]] = 0.0
        stock[g] = np.rint(est) if whole else est
    keys = wide.index.to_frame(index=False)
    keys["district"] = keys["district"].astype(object)
    keys["segment"] = keys["segment"].astype(object)
    return keys, stock


class Cohorts(NamedTuple):
    """One entry per vehicle (see :func:`expand_cohorts`).

    Attributes
    ----------
    group : numpy.ndarray of int
        Group (row of the stock array) of each vehicle.
    purchase_year : numpy.ndarray of int
        Year bought (first year in service).
    retire_year : numpy.ndarray of int
        First year out of service.
    """

    group: np.ndarray
    purchase_year: np.ndarray
    retire_year: np.ndarray


def expand_cohorts(exits, years, lifetime_years) -> Cohorts:
    """One entry per vehicle from the vintage-by-exit matrix of :func:`stock_flows`.

    Parameters
    ----------
    exits : array_like
        Shape ``(n_groups, n_years, n_years + 1)`` (vehicles).
    years : array_like of int
        The consecutive years of the stock path.
    lifetime_years : array_like of int
        Service life per group, shape ``(n_groups,)`` (years); gives the retirement year
        of vehicles still in service after the last year.

    Returns
    -------
    Cohorts
        ``group`` index, ``purchase_year`` and ``retire_year`` (first year out of
        service) of each vehicle, sorted by group, purchase year and retirement year.

    Examples
    --------
    >>> f = stock_flows([[2, 1]], lifetime_years=5)
    >>> c = expand_cohorts(f.exits, [2020, 2021], [5])
    >>> c.purchase_year.tolist(), c.retire_year.tolist()
    ([2020, 2020], [2021, 2025])
    """
    e = np.rint(np.asarray(exits, dtype=float)).astype(np.int64)
    years = np.asarray(years, dtype=np.int64)
    n_groups, n_years = e.shape[0], e.shape[1]
    life = np.broadcast_to(np.asarray(lifetime_years, dtype=np.int64), (n_groups,))
    g, v, x = np.nonzero(e)
    counts = e[g, v, x]
    purchase = years[v]
    retire = np.where(x < n_years, years[np.minimum(x, n_years - 1)], purchase + life[g])
    return Cohorts(np.repeat(g, counts), np.repeat(purchase, counts), np.repeat(retire, counts))


# --- demand nodes and demand ---------------------------------------------------------


def allocate_depots(vehicle_district, depot_district, depot_weight) -> np.ndarray:
    """Share each district's vehicles among its demand nodes in proportion to their weights.

    Used for depots (depot segments) and for en-route demand points (en-route
    segments) alike; a node with zero weight receives no vehicle.

    Vehicle :math:`k` of district :math:`d` draws :math:`u_k = \\{k\\varphi\\}` (the
    golden-ratio Weyl sequence, deterministic and evenly spread) and goes to the depot
    whose slice of the district's cumulative weights contains :math:`u_k`. Any run of
    consecutive vehicles is therefore shared close to the weights, with no random seed.

    Parameters
    ----------
    vehicle_district : array_like of int
        District index of each vehicle, shape ``(n_vehicles,)``.
    depot_district : array_like of int
        District index of each demand node, shape ``(n_nodes,)``.
    depot_weight : array_like of float
        Relative weight of each demand node within its district (-), shape
        ``(n_nodes,)``.

    Returns
    -------
    numpy.ndarray
        Demand-node index of each vehicle.

    Raises
    ------
    ValueError
        If a vehicle's district has no node with positive weight.

    Examples
    --------
    >>> d = allocate_depots(np.zeros(1000, int), [0, 0, 1], [3.0, 1.0, 1.0])
    >>> np.bincount(d).tolist()
    [750, 250]
    """
    vd = np.asarray(vehicle_district, dtype=np.int64)
    dd = np.asarray(depot_district, dtype=np.int64)
    w = np.asarray(depot_weight, dtype=float)
    if len(vd) == 0:
        return np.zeros(0, dtype=np.int64)
    n_d = int(max(vd.max(), dd.max() if len(dd) else 0)) + 1
    total = np.bincount(dd, weights=w, minlength=n_d)
    missing = np.setdiff1d(np.unique(vd), np.flatnonzero(total > 0))
    if len(missing):
        raise ValueError(f"no depot with positive weight in district index {missing.tolist()}")
    order = np.lexsort((np.arange(len(dd)), dd))
    ws, ds = w[order], dd[order]
    before = np.concatenate([[0.0], np.cumsum(total)])[ds]
    key = ds + (np.cumsum(ws) - before) / np.where(total[ds] > 0, total[ds], 1.0)
    last = np.r_[ds[1:] != ds[:-1], True]
    key[last] = ds[last] + 1.0
    u = np.minimum((np.arange(1, len(vd) + 1) * _WEYL_STEP) % 1.0, 1.0 - 1e-12)
    pos = np.searchsorted(key, vd + u, side="right")
    return order[pos]


def vehicle_h2_kg_per_day(annual_km, h2_kg_per_100km, operating_days=OPERATING_DAYS_PER_YEAR):
    """Average daily hydrogen use of a vehicle.

    .. math:: q = \\frac{D \\cdot h / 100}{N}

    Parameters
    ----------
    annual_km : array_like
        Distance driven per year, :math:`D` (km/year).
    h2_kg_per_100km : array_like
        Hydrogen use, :math:`h` (kg/100 km).
    operating_days : float, optional
        Days over which the year's hydrogen is drawn, :math:`N` (days/year).

    Returns
    -------
    numpy.ndarray
        Hydrogen demand (kg/day).

    Examples
    --------
    >>> float(vehicle_h2_kg_per_day(73000, 10.0))
    20.0
    """
    return np.asarray(annual_km, dtype=float) * np.asarray(h2_kg_per_100km) / 100.0 / operating_days


def in_service_totals(group, n_groups, purchase_year, retire_year, years, weights=None):
    """Sum of a per-vehicle quantity over vehicles in service, by group and year.

    A vehicle is in service in year :math:`y` when ``purchase_year <= y < retire_year``.
    Built with difference arrays and ``bincount``: linear in the number of vehicles.

    Parameters
    ----------
    group : array_like of int
        Group index of each vehicle (depot, district-segment, ...), ``(n_vehicles,)``.
    n_groups : int
        Number of groups.
    purchase_year, retire_year : array_like of int
        First year in service and first year out of service, ``(n_vehicles,)``.
    years : array_like of int
        Consecutive years to report.
    weights : array_like, optional
        Per-vehicle quantity (e.g. kg/day); vehicles are counted when omitted.

    Returns
    -------
    numpy.ndarray
        Totals, shape ``(n_groups, n_years)``, in the unit of ``weights``.

    Examples
    --------
    >>> in_service_totals([0, 0, 1], 2, [2020, 2021, 2020], [2022, 2030, 2021],
    ...                   [2020, 2021, 2022]).tolist()
    [[1.0, 2.0, 1.0], [1.0, 0.0, 0.0]]
    """
    years = np.asarray(years, dtype=np.int64)
    n_years = len(years)
    g = np.asarray(group, dtype=np.int64)
    start = np.clip(np.asarray(purchase_year, dtype=np.int64) - years[0], 0, n_years)
    end = np.clip(np.asarray(retire_year, dtype=np.int64) - years[0], 0, n_years)
    w = np.ones(len(g)) if weights is None else np.broadcast_to(np.asarray(weights, float), g.shape)
    width = n_years + 1
    size = n_groups * width
    delta = (np.bincount(g * width + start, weights=w, minlength=size)
             - np.bincount(g * width + end, weights=w, minlength=size))
    totals = np.cumsum(delta.reshape(n_groups, width), axis=1)[:, :n_years]
    if np.all(w >= 0):  # a total of non-negative weights: the cumulated +w/-w leave -1e-15 residues
        np.maximum(totals, 0, out=totals)
    return totals


# --- stations ------------------------------------------------------------------------


class StationFlows(NamedTuple):
    """Hydrogen sent from each demand node (depot or en-route demand point) to each
    station (see :func:`assign_stations`).

    Attributes
    ----------
    flow_kg_per_day : numpy.ndarray
        Shape ``(n_depots, n_stations)`` (kg/day).
    unserved_kg_per_day : numpy.ndarray
        Demand no station could take, shape ``(n_depots,)`` (kg/day).
    """

    flow_kg_per_day: np.ndarray
    unserved_kg_per_day: np.ndarray


def _group_before(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` earlier in the same run of equal sorted ``keys``."""
    cs = np.cumsum(values)
    first = np.r_[True, keys[1:] != keys[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(keys)), 0))
    return cs - values - (cs[start] - values[start])


def assign_stations(demand_kg_per_day, distance_km, capacity_kg_per_day,
                    max_distance_km=np.inf) -> StationFlows:
    """Send each demand node's demand (depot or en-route demand point) to its nearest
    station with capacity left.

    Greedy by distance, in rounds over whole vectors. Round by round, every depot not
    yet served proposes its whole demand to the nearest station (within
    ``max_distance_km``) whose remaining capacity can take it; each station accepts its
    proposals nearest first while their running total fits. When no whole depot fits
    anywhere, the depots left split their demand over the nearest stations with any
    capacity left, by the same rule. What no station can take is unserved.

    Parameters
    ----------
    demand_kg_per_day : array_like
        Demand of each depot, shape ``(n_depots,)`` (kg/day).
    distance_km : array_like
        Depot-to-station distance, shape ``(n_depots, n_stations)`` (km); ``inf``
        marks a station that is closed to the depot.
    capacity_kg_per_day : array_like
        Station capacity, shape ``(n_stations,)`` (kg/day).
    max_distance_km : float, optional
        Farthest a depot may refuel from (km).

    Returns
    -------
    StationFlows
        Flows by depot and station, and unserved demand by depot (kg/day).

    Examples
    --------
    Two depots and two stations 1 and 5 km from the first depot: the nearer station is
    full after the first depot, so the second goes to the farther one.

    >>> f = assign_stations([300, 300], [[1, 5], [2, 3]], [400, 400])
    >>> f.flow_kg_per_day.tolist(), f.unserved_kg_per_day.tolist()
    ([[300.0, 0.0], [0.0, 300.0]], [0.0, 0.0])
    """
    demand = np.asarray(demand_kg_per_day, dtype=float)
    dist = np.asarray(distance_km, dtype=float)
    remaining = np.asarray(capacity_kg_per_day, dtype=float).copy()
    n_d, n_s = dist.shape
    reach = np.where(dist <= max_distance_km, dist, np.inf)
    flow = np.zeros((n_d, n_s))
    left = demand.copy()
    depots = np.arange(n_d)
    for whole in (True, False):  # phase 1: whole depots; phase 2: split the rest
        for _ in range(n_d + n_s + 1):  # each round serves at least one depot or fills a station
            todo = left > _TOL
            if whole:
                fits = remaining[None, :] >= left[:, None] - _TOL
            else:
                fits = np.broadcast_to(remaining[None, :] > _TOL, (n_d, n_s))
            ok = todo[:, None] & fits & np.isfinite(reach)
            rows = np.flatnonzero(ok.any(axis=1))
            if len(rows) == 0:
                break
            choice = np.argmin(np.where(ok[rows], reach[rows], np.inf), axis=1)
            order = np.lexsort((depots[rows], reach[rows, choice], choice))
            r, s = rows[order], choice[order]
            before = _group_before(s, left[r])
            if whole:
                give = np.where(before + left[r] <= remaining[s] + _TOL, left[r], 0.0)
            else:
                give = np.clip(remaining[s] - before, 0.0, left[r])
            flow[r, s] += give
            left[r] -= give
            remaining -= np.bincount(s, weights=give, minlength=n_s)
            left[left < _TOL] = 0.0
    return StationFlows(flow, left)


def flows_from_assignment(demand_kg_per_day, share) -> StationFlows:
    """Depot-to-station flows from a given assignment (the network plan's).

    Parameters
    ----------
    demand_kg_per_day : array_like
        Demand of each depot, shape ``(n_depots,)`` (kg/day).
    share : array_like
        Share of each depot's demand each station serves, ``(n_depots, n_stations)``
        (fraction); rows may sum to less than 1, the rest being unserved.

    Returns
    -------
    StationFlows
        Flows and unserved demand (kg/day).

    Examples
    --------
    >>> f = flows_from_assignment([100.0, 50.0], [[0.5, 0.5], [0.0, 0.0]])
    >>> f.flow_kg_per_day.tolist(), f.unserved_kg_per_day.tolist()
    ([[50.0, 50.0], [0.0, 0.0]], [0.0, 50.0])
    """
    demand = np.asarray(demand_kg_per_day, dtype=float)
    share = np.asarray(share, dtype=float)
    flow = demand[:, None] * share
    return StationFlows(flow, np.maximum(demand - flow.sum(axis=1), 0.0))


# --- from the case -------------------------------------------------------------------


@dataclass
class FleetResult:
    """The fleet engine's tables (tidy; a ``scenario`` column is added by the orchestrator).

    Attributes
    ----------
    vehicles : pandas.DataFrame
        One row per vehicle: ``vehicle_id, segment, district, depot_id, purchase_year,
        retire_year, annual_km, h2_kg_per_day``. ``retire_year`` is the first year out
        of service; ``depot_id`` is the vehicle's demand node (depot or en-route demand
        point).
    fleet : pandas.DataFrame
        ``year, district, segment, fcev_in_service, fcev_purchased, fcev_retired,
        vehicle_km_per_year``.
    demand_by_depot : pandas.DataFrame
        ``year, depot_id, node_kind, district, vehicles, h2_kg_per_day``: vehicles and
        hydrogen demand (kg/day) of each demand node (depot or en-route demand point;
        ``node_kind`` one of :data:`NODE_KINDS`).
    demand_by_district : pandas.DataFrame
        ``year, district, segment, vehicles, h2_kg_per_day``.
    assignment : pandas.DataFrame
        ``year, depot_id, station_id, h2_kg_per_day, distance_km`` (road km): where
        each demand node (depot or en-route demand point) refuels (a node may be split
        over stations when none can take it whole).
    station_load : pandas.DataFrame
        ``year, station_id, h2_kg_per_day, capacity_kg_per_day, utilisation`` for every
        station open in the year (and any the assignment names).
    unserved : pandas.DataFrame
        ``year, depot_id, district, h2_kg_per_day``: demand no station could take
        (rows with positive demand only).
    nodes : pandas.DataFrame
        ``depot_id, node_kind, district, longitude, latitude, weight``: every demand
        node (depot, district-centroid pseudo-depot or en-route demand point), in the
        row order of the demand tables; not a results table.
    """

    vehicles: pd.DataFrame
    fleet: pd.DataFrame
    demand_by_depot: pd.DataFrame
    demand_by_district: pd.DataFrame
    assignment: pd.DataFrame
    station_load: pd.DataFrame
    unserved: pd.DataFrame
    nodes: pd.DataFrame | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """Result tables by name (the name is the table's file name)."""
        return {
            "fleet": self.fleet,
            "demand_by_depot": self.demand_by_depot,
            "demand_by_district": self.demand_by_district,
            "station_assignment": self.assignment,
            "station_load": self.station_load,
            "unserved_demand": self.unserved,
        }


def _fcev_segments(case) -> pd.DataFrame:
    seg = case.tables["Segments"]
    seg = seg[seg["powertrain"] == "fcev"].set_index("segment")
    return seg


def en_route_segments(case) -> list[str]:
    """Segments whose vehicles refuel en route or near where they operate (``Refuelling``
    rows with ``refuels_at`` = ``en_route``); every other segment refuels at its depot.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads the optional ``Refuelling`` sheet.

    Returns
    -------
    list of str
        Segment names, sorted (empty without the sheet).
    """
    r = case.tables.get("Refuelling")
    if r is None or not len(r):
        return []
    return sorted(set(r.loc[r["refuels_at"] == NODE_KINDS[1], "segment"].astype(object)))


def _demand_points(case) -> pd.DataFrame:
    """The ``DemandPoints`` rows as demand nodes of kind ``en_route``."""
    pts = case.tables.get("DemandPoints")
    cols = ["depot_id", "district", "longitude", "latitude", "weight"]
    if pts is None or not len(pts):
        return pd.DataFrame({c: pd.Series([], dtype=float if c in cols[2:] else object) for c in cols})
    return pts.rename(columns={"point_id": "depot_id"})[cols].astype(
        {"depot_id": object, "district": object, "longitude": float, "latitude": float, "weight": float})


def _demand_nodes(case, depot_districts, en_route_districts) -> pd.DataFrame:
    """Demand nodes: depots (with a pseudo-depot ``<district>-centroid`` for a district
    that needs a depot and has none), then en-route demand points.

    A district needs a depot when it has vehicles of depot segments, or vehicles of
    en-route segments and no demand point with positive weight (they then draw at its
    depots). Columns ``depot_id, node_kind, district, longitude, latitude, weight``.
    """
    pts = _demand_points(case)
    has_pt = pts.groupby("district")["weight"].sum()
    needed = sorted(set(depot_districts) | {d for d in en_route_districts if has_pt.get(d, 0.0) <= 0.0})
    dep = _depots(case, needed)
    nodes = pd.concat([dep.assign(node_kind=NODE_KINDS[0]), pts.assign(node_kind=NODE_KINDS[1])],
                      ignore_index=True) if len(pts) else dep.assign(node_kind=NODE_KINDS[0])
    if nodes["depot_id"].duplicated().any():
        dup = sorted(set(nodes.loc[nodes["depot_id"].duplicated(), "depot_id"]))
        raise ValueError(f"demand point ids {dup} are also depot ids")
    return nodes[["depot_id", "node_kind", "district", "longitude", "latitude", "weight"]]


def _allocate_nodes(vehicle_district, en_route, nodes, node_district) -> np.ndarray:
    """Demand-node index of each vehicle: depot-segment vehicles share their district's
    depots by weight, en-route vehicles its demand points by weight (its depots when it
    has no demand point); both by :func:`allocate_depots`."""
    w = nodes["weight"].to_numpy(float)
    is_depot = (nodes["node_kind"] == NODE_KINDS[0]).to_numpy()
    n_d = int(max(node_district.max(initial=0), vehicle_district.max(initial=0))) + 1
    pt_total = np.bincount(node_district, weights=np.where(is_depot, 0.0, w), minlength=n_d)
    w_depot = np.where(is_depot, w, 0.0)
    w_en_route = np.where(is_depot, np.where(pt_total[node_district] > 0, 0.0, w), w)
    code = np.zeros(len(vehicle_district), dtype=np.int64)
    for mask, weight in ((~en_route, w_depot), (en_route, w_en_route)):
        if mask.any():
            code[mask] = allocate_depots(vehicle_district[mask], node_district, weight)
    return code


def _depots(case, districts_needed) -> pd.DataFrame:
    """Depots with a pseudo-depot ``<district>-centroid`` for districts that have none."""
    dep = case.tables.get("Depots")
    cols = ["depot_id", "district", "longitude", "latitude", "weight"]
    dep = (pd.DataFrame(columns=cols) if dep is None else dep[cols]).copy()
    dep = dep.astype({"depot_id": object, "district": object, "longitude": float,
                      "latitude": float, "weight": float})
    has = dep.groupby("district")["weight"].sum()
    lacking = [d for d in districts_needed if has.get(d, 0.0) <= 0.0]
    if lacking:
        dist = case.tables["Districts"].set_index("district")
        unknown = [d for d in lacking if d not in dist.index]
        if unknown:
            raise ValueError(f"districts {unknown} have vehicles but no depot and no centroid")
        pseudo = pd.DataFrame({
            "depot_id": [f"{d}-centroid" for d in lacking], "district": lacking,
            "longitude": dist.loc[lacking, "longitude"].to_numpy(float),
            "latitude": dist.loc[lacking, "latitude"].to_numpy(float),
            "weight": 1.0,
        })
        dep = pd.concat([dep, pseudo], ignore_index=True) if len(dep) else pseudo
    return dep.reset_index(drop=True)


def _codes(values, categories) -> np.ndarray:
    codes = pd.Categorical(values, categories=categories).codes.astype(np.int64)
    if np.any(codes < 0):
        bad = sorted(set(pd.Series(values)[codes < 0].astype(str)))
        raise ValueError(f"unknown values {bad}; expected one of {list(categories)}")
    return codes


def _vehicles_from_rollout(case, years, fcev, annual_km_cv, seed):
    keys, stock = interpolate_stock(case.tables["Fleet"], years)
    missing = sorted(set(keys["segment"]) - set(fcev.index))
    if missing:
        raise ValueError(f"Segments has no fcev row for segments {missing} used in Fleet")
    life = fcev.loc[keys["segment"], "lifetime_years"].to_numpy(dtype=np.int64)
    flows = stock_flows(stock, life)
    coh = expand_cohorts(flows.exits, years, life)
    km = fcev.loc[keys["segment"], "annual_km"].to_numpy(dtype=float)[coh.group]
    if annual_km_cv > 0:
        # Lognormal with mean 1 and the given coefficient of variation.
        sigma = np.sqrt(np.log1p(annual_km_cv ** 2))
        rng = np.random.default_rng(seed)
        km = km * rng.lognormal(-sigma ** 2 / 2, sigma, size=len(km))
    return _Vehicles(keys["segment"].to_numpy(dtype=object), keys["district"].to_numpy(dtype=object),
                     coh.group, coh.purchase_year, coh.retire_year, km)


def _vehicles_from_register(case, fcev):
    reg = case.tables["Vehicles"]
    seg = reg["segment"].to_numpy(dtype=object)
    missing = sorted(set(seg) - set(fcev.index))
    if missing:
        raise ValueError(f"Segments has no fcev row for segments {missing} used in Vehicles")
    dep = case.tables["Depots"].set_index("depot_id")
    depot = reg["depot_id"].to_numpy(dtype=object)
    unknown = sorted(set(depot) - set(dep.index))
    if unknown:
        raise ValueError(f"Vehicles names depots {unknown} missing from Depots")
    dis = dep.loc[depot, "district"].to_numpy(dtype=object)
    purchase = reg["purchase_year"].to_numpy(dtype=np.int64)
    life = fcev.loc[seg, "lifetime_years"].to_numpy(dtype=np.int64)
    km = reg["annual_km"].to_numpy(dtype=float)
    return _Vehicles(seg, dis, np.arange(len(seg)), purchase, purchase + life, km,
                     depot, reg["vehicle_id"].to_numpy(dtype=object))


class _Vehicles(NamedTuple):
    """Vehicles as groups (segment and district per group) and per-vehicle arrays."""

    group_segment: np.ndarray
    group_district: np.ndarray
    group: np.ndarray
    purchase_year: np.ndarray
    retire_year: np.ndarray
    annual_km: np.ndarray
    depot_id: np.ndarray | None = None
    vehicle_id: np.ndarray | None = None


def _open_stations(stations: pd.DataFrame, year: int) -> np.ndarray:
    cy = stations["commissioning_year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    status = stations["status"].to_numpy(dtype=object)
    existing = (status == OPEN_STATUSES[0]) & (np.isnan(cy) | (cy <= year))
    planned = (status == OPEN_STATUSES[1]) & (cy <= year)
    return existing | planned


def _assignment_share(assignment: pd.DataFrame, year: int, depot_ids, station_ids) -> np.ndarray:
    a = assignment
    dcol = "depot_id" if "depot_id" in a.columns else "node_id"
    scol = "site_id" if "site_id" in a.columns else "station_id"
    a = a[a["year"].astype(int) == year]
    share = np.zeros((len(depot_ids), len(station_ids)))
    if a.empty:
        return share
    di = pd.Index(depot_ids).get_indexer(a[dcol].astype(object))
    si = pd.Index(station_ids).get_indexer(a[scol].astype(object))
    if "share" in a.columns:
        w = a["share"].to_numpy(dtype=float)
    else:  # several stations for one depot without shares: split evenly
        w = 1.0 / a.groupby(dcol)[scol].transform("size").to_numpy(dtype=float)
    keep = (di >= 0) & (si >= 0)
    np.add.at(share, (di[keep], si[keep]), w[keep])
    return share


def fleet_from_case(case, assignment: pd.DataFrame | None = None, *, annual_km_cv: float = 0.0,
                    seed: int = 0, max_distance_km: float | None = None,
                    station_capacity: pd.DataFrame | None = None) -> FleetResult:
    """Fleet, hydrogen demand and station loads by year for a case.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Segments`` (fcev rows: ``lifetime_years``, ``annual_km``,
        ``h2_kg_per_100km``), ``Fleet`` or ``Vehicles`` (the register wins when it has
        rows), ``Depots``, ``Refuelling`` and ``DemandPoints`` (optional: which
        segments draw at en-route demand points, and those points), ``Districts``,
        ``Stations`` and ``Network.max_detour_km``.
    assignment : pandas.DataFrame, optional
        The network plan's assignment: columns ``year``, ``depot_id`` (or ``node_id``:
        the demand node, depot or en-route demand point), ``site_id`` (or
        ``station_id``) and optionally ``share`` (fraction of the node's demand; an
        even split when absent). Without it each demand node refuels at its nearest
        open station with capacity (:func:`assign_stations`). Sites not in
        ``Stations`` may carry ``capacity_kg_per_day`` in the table.
    annual_km_cv : float, optional
        Coefficient of variation of annual distance across rollout vehicles (-); 0
        gives every vehicle its segment's ``annual_km``. Draws are lognormal, mean 1.
    seed : int, optional
        Seed for those draws.
    max_distance_km : float, optional
        Farthest a demand node may refuel from (km); defaults to ``Network.max_detour_km``
        when the case has it, else no limit.
    station_capacity : pandas.DataFrame, optional
        ``station_id, year, capacity_kg_per_day``: capacity installed by year (e.g.
        the network plan's, with its expansions), kg/day; it replaces a station's
        ``Stations`` capacity in the years it lists, for the loads' capacity and
        utilisation (and for the nearest-station assignment without a plan).

    Returns
    -------
    FleetResult
        The fleet's tables.

    Notes
    -----
    Distances are road km, as in the network plan (:func:`h2model.supply.road_km`
    with ``Delivery.road_circuity_factor``, 1 when the case has none), so
    ``max_distance_km`` means the same in both. Vehicles bought in a year are in
    service, and draw hydrogen, for that whole year; demand is the year's average day
    (annual use / :data:`OPERATING_DAYS_PER_YEAR`).
    """
    years = np.asarray(case.years, dtype=np.int64)
    fcev = _fcev_segments(case)
    register = case.tables.get("Vehicles")
    if register is not None and len(register):
        v = _vehicles_from_register(case, fcev)
    else:
        v = _vehicles_from_rollout(case, years, fcev, annual_km_cv, seed)
    n = len(v.group)
    purchase, retire, km = v.purchase_year, v.retire_year, v.annual_km

    segments = sorted(set(v.group_segment) | set(fcev.index))
    group_en_route = np.isin(np.asarray(v.group_segment, dtype=object), en_route_segments(case))
    group_district = np.asarray(v.group_district, dtype=object)
    depots = _demand_nodes(case, set(group_district[~group_en_route]) if v.depot_id is None else set(),
                           set(group_district[group_en_route]))
    dep_ids = depots["depot_id"].to_numpy(dtype=object)
    all_districts = sorted(set(depots["district"]) | set(v.group_district))
    s_code = _codes(v.group_segment, segments)[v.group]
    d_code = _codes(v.group_district, all_districts)[v.group]
    en_route = group_en_route[v.group]
    h2_rate = fcev["h2_kg_per_100km"].reindex(segments).to_numpy(dtype=float)
    h2 = vehicle_h2_kg_per_day(km, h2_rate[s_code])
    node_d = _codes(depots["district"], all_districts)
    if v.depot_id is None:
        depot_code = _allocate_nodes(d_code, en_route, depots, node_d)
        ids = pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(7).radd("V").to_numpy(object)
    else:  # registered en-route vehicles move to their district's demand points, if any
        depot_code = _codes(v.depot_id, dep_ids)
        is_point = (depots["node_kind"] == NODE_KINDS[1]).to_numpy()
        has_points = np.bincount(node_d[is_point], minlength=len(all_districts)) > 0
        move = en_route & has_points[d_code]
        if move.any():
            depot_code[move] = _allocate_nodes(d_code[move], en_route[move], depots, node_d)
        ids = v.vehicle_id

    vehicles = pd.DataFrame({
        "vehicle_id": ids,
        "segment": pd.Categorical.from_codes(s_code, segments),
        "district": pd.Categorical.from_codes(d_code, all_districts),
        "depot_id": pd.Categorical.from_codes(depot_code, dep_ids),
        "purchase_year": purchase.astype(np.int64),
        "retire_year": retire.astype(np.int64),
        "annual_km": km,
        "h2_kg_per_day": h2,
    })

    # fleet and demand by district x segment x year
    n_ds = len(all_districts) * len(segments)
    ds = d_code * len(segments) + s_code
    count = in_service_totals(ds, n_ds, purchase, retire, years)
    kg = in_service_totals(ds, n_ds, purchase, retire, years, h2)
    vkm = in_service_totals(ds, n_ds, purchase, retire, years, km)
    ix = np.clip(purchase - years[0], 0, len(years))
    bought = np.bincount(ds * (len(years) + 1) + ix, minlength=n_ds * (len(years) + 1))
    bought = bought.reshape(n_ds, -1)[:, :len(years)]
    bought[:, 0] -= np.bincount(ds[purchase < years[0]], minlength=n_ds)
    rx = np.clip(retire - years[0], 0, len(years))
    gone = np.bincount(ds * (len(years) + 1) + rx, minlength=n_ds * (len(years) + 1))
    gone = gone.reshape(n_ds, -1)[:, :len(years)]
    gone[:, 0] -= np.bincount(ds[retire < years[0]], minlength=n_ds)

    gi, yi = np.meshgrid(np.arange(n_ds), np.arange(len(years)), indexing="ij")
    dist_names = np.asarray(all_districts, dtype=object)
    seg_names = np.asarray(segments, dtype=object)
    long = pd.DataFrame({
        "year": years[yi.ravel()],
        "district": dist_names[gi.ravel() // len(segments)],
        "segment": seg_names[gi.ravel() % len(segments)],
        "fcev_in_service": np.rint(count.ravel()).astype(np.int64),
        "fcev_purchased": bought.ravel().astype(np.int64),
        "fcev_retired": gone.ravel().astype(np.int64),
        "vehicle_km_per_year": vkm.ravel(),
        "h2_kg_per_day": kg.ravel(),
    })
    active = long.groupby(["district", "segment"])[
        ["fcev_in_service", "fcev_purchased", "fcev_retired"]].transform("sum").sum(axis=1) > 0
    long = long[active].reset_index(drop=True)
    fleet = long[["year", "district", "segment", "fcev_in_service", "fcev_purchased",
                  "fcev_retired", "vehicle_km_per_year"]].copy()
    by_district = long[["year", "district", "segment", "fcev_in_service", "h2_kg_per_day"]].rename(
        columns={"fcev_in_service": "vehicles"})

    # demand by depot x year
    n_dep = len(depots)
    dep_count = in_service_totals(depot_code, n_dep, purchase, retire, years)
    dep_kg = in_service_totals(depot_code, n_dep, purchase, retire, years, h2)
    di, yj = np.meshgrid(np.arange(n_dep), np.arange(len(years)), indexing="ij")
    by_depot = pd.DataFrame({
        "year": years[yj.ravel()],
        "depot_id": dep_ids[di.ravel()],
        "node_kind": depots["node_kind"].to_numpy(dtype=object)[di.ravel()],
        "district": depots["district"].to_numpy(dtype=object)[di.ravel()],
        "vehicles": np.rint(dep_count.ravel()).astype(np.int64),
        "h2_kg_per_day": dep_kg.ravel(),
    })

    assign, load, unserved = _stations(case, depots, dep_kg, years, assignment, max_distance_km,
                                       station_capacity)
    return FleetResult(vehicles, fleet, by_depot, by_district, assign, load, unserved,
                       depots.reset_index(drop=True))


def fleet_on_assignment(case, fl: FleetResult, assignment: pd.DataFrame, *,
                        max_distance_km: float | None = None,
                        station_capacity: pd.DataFrame | None = None) -> FleetResult:
    """The fleet ``fl`` refuelling where ``assignment`` sends its demand nodes.

    Only the station side is redone -- ``assignment``, ``station_load`` and
    ``unserved`` -- from ``fl``'s demand by node, so that the flow builds the vehicles
    and their demand once and assigns them twice (nearest station, then the network
    plan). The result is what :func:`fleet_from_case` gives with the same
    ``assignment`` and ``station_capacity``.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        The case ``fl`` was built from (reads ``Stations``, ``Delivery``, ``Network``).
    fl : FleetResult
        A fleet of :func:`fleet_from_case` (its ``nodes`` and ``demand_by_depot``).
    assignment, max_distance_km, station_capacity
        As for :func:`fleet_from_case`.

    Returns
    -------
    FleetResult
        ``fl`` with the new assignment, station loads and unserved demand.
    """
    years = np.asarray(case.years, dtype=np.int64)
    dep_kg = fl.demand_by_depot["h2_kg_per_day"].to_numpy(float).reshape(len(fl.nodes), len(years))
    assign, load, unserved = _stations(case, fl.nodes, dep_kg, years, assignment, max_distance_km,
                                       station_capacity)
    return dataclasses.replace(fl, assignment=assign, station_load=load, unserved=unserved)


def _stations(case, depots, dep_kg, years, assignment, max_distance_km, station_capacity=None):
    st = case.tables["Stations"].copy()
    cap = st["capacity_kg_per_day"].to_numpy(dtype=float)
    st_ids = st["station_id"].to_numpy(dtype=object)
    lon, lat = st["longitude"].to_numpy(float), st["latitude"].to_numpy(float)
    if assignment is not None:
        scol = "site_id" if "site_id" in assignment.columns else "station_id"
        extra = sorted(set(assignment[scol].astype(object)) - set(st_ids))
        if extra:
            ecap = np.full(len(extra), np.nan)
            if "capacity_kg_per_day" in assignment.columns:
                c = assignment.groupby(scol)["capacity_kg_per_day"].max()
                ecap = c.reindex(extra).to_numpy(dtype=float)
            st_ids = np.concatenate([st_ids, np.asarray(extra, dtype=object)])
            cap = np.concatenate([cap, ecap])
            lon = np.concatenate([lon, np.full(len(extra), np.nan)])
            lat = np.concatenate([lat, np.full(len(extra), np.nan)])
    circuity = float(case.params.get("Delivery", {}).get("road_circuity_factor", 1.0))
    dist = road_km(depots["longitude"].to_numpy(float)[:, None], depots["latitude"].to_numpy(float)[:, None],
                   lon[None, :], lat[None, :], circuity)
    if max_distance_km is None:
        max_distance_km = case.params.get("Network", {}).get("max_detour_km", np.inf)
    dep_ids = depots["depot_id"].to_numpy(dtype=object)
    dep_dist = depots["district"].to_numpy(dtype=object)
    n_stations_base = len(st)
    a_rows, l_rows, u_rows = [], [], []
    pos = {sid: i for i, sid in enumerate(st_ids)}
    if station_capacity is not None and len(station_capacity):
        sc_pos = station_capacity["station_id"].map(pos)
        sc = station_capacity[sc_pos.notna()].assign(pos=sc_pos[sc_pos.notna()].astype(int))
        sc_by_year = {int(y): g for y, g in sc.groupby("year")}
    else:
        sc_by_year = {}
    base_cap = cap
    for j, year in enumerate(years):  # a loop over analysis years
        demand = dep_kg[:, j]
        cap = base_cap
        if int(year) in sc_by_year:
            g = sc_by_year[int(year)]
            cap = base_cap.copy()
            cap[g["pos"].to_numpy()] = g["capacity_kg_per_day"].to_numpy(float)
        if assignment is None:
            is_open = _open_stations(st, int(year))
            flows = assign_stations(demand, np.where(is_open[None, :], dist, np.inf),
                                    cap * max_capacity_factor(case), max_distance_km)
            listed = is_open
        else:
            share = _assignment_share(assignment, int(year), dep_ids, st_ids)
            flows = _within_limit(flows_from_assignment(demand, share), cap * max_capacity_factor(case))
            listed = share.sum(axis=0) > 0
            listed[:n_stations_base] |= _open_stations(st, int(year))
        d_i, s_i = np.nonzero(flows.flow_kg_per_day > 0)
        a_rows.append(pd.DataFrame({
            "year": np.full(len(d_i), year), "depot_id": dep_ids[d_i], "station_id": st_ids[s_i],
            "h2_kg_per_day": flows.flow_kg_per_day[d_i, s_i], "distance_km": dist[d_i, s_i]}))
        s_load = flows.flow_kg_per_day.sum(axis=0)
        k = np.flatnonzero(listed)
        l_rows.append(pd.DataFrame({
            "year": np.full(len(k), year), "station_id": st_ids[k], "h2_kg_per_day": s_load[k],
            "capacity_kg_per_day": cap[k]}))
        u = np.flatnonzero(flows.unserved_kg_per_day > 0)
        u_rows.append(pd.DataFrame({
            "year": np.full(len(u), year), "depot_id": dep_ids[u], "district": dep_dist[u],
            "h2_kg_per_day": flows.unserved_kg_per_day[u]}))
    assign = _concat(a_rows, {"year": "int64", "depot_id": object, "station_id": object,
                              "h2_kg_per_day": float, "distance_km": float})
    load = _concat(l_rows, {"year": "int64", "station_id": object, "h2_kg_per_day": float,
                            "capacity_kg_per_day": float})
    load["utilisation"] = load["h2_kg_per_day"] / load["capacity_kg_per_day"]
    unserved = _concat(u_rows, {"year": "int64", "depot_id": object, "district": object,
                                "h2_kg_per_day": float})
    return assign, load, unserved


def _within_limit(flows: StationFlows, limit_kg_per_day: np.ndarray) -> StationFlows:
    """Scale each station's inflows down to its sales limit (kg/day; NaN: no limit); what
    is cut stays unserved at its node. A plan's period holds its assignment for several
    calendar years, in which node demand may exceed what the period was planned for."""
    load = flows.flow_kg_per_day.sum(axis=0)
    lim = np.where(np.isnan(limit_kg_per_day), np.inf, limit_kg_per_day)
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(load > lim, lim / np.where(load > 0, load, 1.0), 1.0)
    flow = flows.flow_kg_per_day * keep[None, :]
    return StationFlows(flow, flows.unserved_kg_per_day + (flows.flow_kg_per_day - flow).sum(axis=1))


def _concat(frames: list[pd.DataFrame], dtypes: dict) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in dtypes.items()})
    return pd.concat(frames, ignore_index=True).astype(dtypes)
