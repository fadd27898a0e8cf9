"""Data preparation for the network plan: plain tables in, checked arrays out.

:func:`prepare` turns plain pandas tables (sites, capacity modules, demand nodes,
hydrogen sources, periods) into a frozen :class:`NetworkData` of aligned numpy
arrays, and precomputes what the optimisation model needs so that the model never
scans all pairs in Python:

* road distances (haversine great-circle distance times a road-circuity factor);
* the sparse (demand node, site) pairs within ``max_pair_km``, sorted by node and
  distance, from which :func:`h2model.network.build.build_model` keeps those within
  its ``max_detour_km``;
* the caller's delivery-cost array supply x site (x period), held per period;
* demand-weighted district centres and their road distance to every site (for the
  coverage option).

Input contract (column names; units in the names; one row per record)
--------------------------------------------------------------------
``sites``
    ``site_id`` (unique), ``longitude``, ``latitude`` (degrees, WGS84), ``district``,
    ``existing`` (bool: an existing or committed station, open at its existing
    capacity from ``available_from_year`` on), ``existing_capacity_kg_per_day``
    (0 for a candidate), ``available_from_year`` (int: first year a module may be
    installed; for an existing station its commissioning year). Optional:
    ``max_capacity_kg_per_day`` (total capacity allowed at the site, existing plus
    modules; blank or absent = no limit beyond the modules).
``modules``
    ``module_id`` (unique), ``capacity_kg_per_day``, ``capex_cny`` (installed cost of
    one module), ``fixed_om_cny_per_year``. Optional: ``max_per_site`` (int, default
    1: how many modules of this kind a site may hold; existing stations may be
    expanded with modules too).
``nodes``
    ``node_id`` (unique), ``district``, ``longitude``, ``latitude``.
``demand``
    Either a long table ``node_id, year, demand_kg_per_day`` (pairs absent are 0)
    or an array of shape (nodes, periods) in the row order of ``nodes``, kg/day.
``supplies``
    ``supply_id`` (unique), ``longitude``, ``latitude``, ``capacity_kg_per_day``,
    ``available_from_year``, ``cost_cny_per_kg`` (production plus purification at
    the gate).
``periods``
    ``year`` (strictly increasing), ``weight_years`` (int >= 1): period *t*
    represents the ``weight_years`` calendar years ending with ``year``, e.g.
    ``(2027, 2)`` stands for 2026 and 2027. See :func:`default_periods`.

Arrays: ``delivery_cny_per_kg`` of shape (supplies, sites) or (supplies, sites,
periods) (required: the model's delivery rule is
:func:`h2model.supply.delivery_cost`) and, optionally, ``capex_cny_by_site`` of shape
(sites, modules), in the row orders of the tables.

All money is in CNY of the case's single price year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from h2model.supply import EARTH_RADIUS_KM, haversine_km, road_km

__all__ = [
    "EARTH_RADIUS_KM",
    "NetworkData",
    "default_periods",
    "detour_cost_cny_per_km_per_kg",
    "generate_instance",
    "haversine_km",
    "prepare",
    "road_km",
]


SITE_COLUMNS = (
    "site_id",
    "longitude",
    "latitude",
    "district",
    "existing",
    "existing_capacity_kg_per_day",
    "available_from_year",
)
MODULE_COLUMNS = ("module_id", "capacity_kg_per_day", "capex_cny", "fixed_om_cny_per_year")
NODE_COLUMNS = ("node_id", "district", "longitude", "latitude")
DEMAND_COLUMNS = ("node_id", "year", "demand_kg_per_day")
SUPPLY_COLUMNS = (
    "supply_id",
    "longitude",
    "latitude",
    "capacity_kg_per_day",
    "available_from_year",
    "cost_cny_per_kg",
)
PERIOD_COLUMNS = ("year", "weight_years")


def detour_cost_cny_per_km_per_kg(cost_cny_per_vehicle_km, kg_per_refuel, round_trip=True):
    """Convert a vehicle's running cost into the model's detour cost per kg per km.

    The model charges ``detour_cost_cny_per_km_per_kg * detour_km`` for every kg a
    node draws from a site ``detour_km`` (one-way road km) away. A vehicle that
    takes ``kg_per_refuel`` per visit and drives there and back pays

    .. math:: c_{kg,km} = \\frac{k \\, c_{veh,km}}{q}, \\quad k = 2 \\text{ (round trip) or } 1

    Parameters
    ----------
    cost_cny_per_vehicle_km : array_like
        Cost of driving one vehicle-km (fuel, wear, driver time), CNY/vehicle-km.
    kg_per_refuel : array_like
        Hydrogen taken per station visit, kg.
    round_trip : bool, default True
        Count the way back as well as the way to the station.

    Returns
    -------
    numpy.ndarray
        Detour cost, CNY per kg per one-way km.

    Examples
    --------
    A truck costing 3 CNY/km that takes 25 kg per visit:

    >>> round(float(detour_cost_cny_per_km_per_kg(3.0, 25.0)), 3)
    0.24
    """
    factor = 2.0 if round_trip else 1.0
    return factor * np.asarray(cost_cny_per_vehicle_km, dtype=float) / np.asarray(kg_per_refuel, dtype=float)


def default_periods(first_year=2021, yearly_until=2025, last_year=2035, step_years=2):
    """Planning periods: yearly to ``yearly_until``, then every ``step_years`` years.

    Period years are the last year each period stands for; ``weight_years`` is the
    number of calendar years it stands for, so that the periods tile
    ``first_year..last_year`` without gaps.

    Parameters
    ----------
    first_year : int, default 2021
        First calendar year of the plan.
    yearly_until : int, default 2025
        Last year modelled one year at a time.
    last_year : int, default 2035
        Last year of the plan.
    step_years : int, default 2
        Length of the coarser periods after ``yearly_until``, years.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int) and ``weight_years`` (int).

    Examples
    --------
    >>> p = default_periods()
    >>> p["year"].tolist()
    [2021, 2022, 2023, 2024, 2025, 2027, 2029, 2031, 2033, 2035]
    >>> int(p["weight_years"].sum())
    15
    """
    years = list(range(first_year, min(yearly_until, last_year) + 1))
    weights = [1] * len(years)
    y = years[-1] if years else first_year - 1
    while y < last_year:
        nxt = min(y + step_years, last_year)
        years.append(nxt)
        weights.append(nxt - y)
        y = nxt
    return pd.DataFrame({"year": years, "weight_years": weights})


@dataclass(frozen=True, eq=False)
class NetworkData:
    """Checked, aligned arrays for the network plan (built by :func:`prepare`).

    Axis names: *S* sites, *M* modules, *N* demand nodes, *K* supplies, *T* periods,
    *P* precomputed (node, site) pairs, *D* districts. Arrays follow the row order
    of the input tables, which are kept (re-indexed 0..n-1) for labels.

    Attributes
    ----------
    sites, modules, nodes, supplies, periods : pandas.DataFrame
        The input tables (see the module docstring for columns).
    site_lon, site_lat : numpy.ndarray, shape (S,)
        Site coordinates, degrees.
    site_district : numpy.ndarray of object, shape (S,)
    site_existing : numpy.ndarray of bool, shape (S,)
    site_existing_capacity_kg_per_day : numpy.ndarray, shape (S,)
    site_available_from_year : numpy.ndarray of int, shape (S,)
    site_max_capacity_kg_per_day : numpy.ndarray, shape (S,)
        Total capacity allowed at a site, kg/day (``inf`` where unlimited).
    module_capacity_kg_per_day : numpy.ndarray, shape (M,)
    module_max_per_site : numpy.ndarray of int, shape (M,)
    module_fixed_om_cny_per_year : numpy.ndarray, shape (M,)
    capex_cny : numpy.ndarray, shape (S, M)
        Installed cost of one module at a site, CNY.
    node_district : numpy.ndarray of object, shape (N,)
    node_lon, node_lat : numpy.ndarray, shape (N,)
    demand_kg_per_day : numpy.ndarray, shape (N, T)
    supply_lon, supply_lat : numpy.ndarray, shape (K,)
    supply_capacity_kg_per_day : numpy.ndarray, shape (K,)
    supply_available_from_year : numpy.ndarray of int, shape (K,)
    supply_cost_cny_per_kg : numpy.ndarray, shape (K,)
    delivery_cny_per_kg : numpy.ndarray, shape (K, S, T)
        Delivery cost from each supply to each site in each period, CNY/kg (``inf``:
        cannot deliver).
    period_year, period_weight_years : numpy.ndarray of int, shape (T,)
    discount_rate : float
        Real discount rate, fraction per year.
    circuity : float
        Road-circuity factor used for all distances.
    max_pair_km : float
        Radius within which (node, site) pairs were kept, road km.
    pair_node, pair_site : numpy.ndarray of int, shape (P,)
        Pairs within ``max_pair_km``, sorted by node, then by distance.
    pair_km : numpy.ndarray, shape (P,)
        Road distance of each pair, km.
    districts : numpy.ndarray of object, shape (D,)
        Districts of the demand nodes, sorted.
    district_lon, district_lat : numpy.ndarray, shape (D,)
        Demand-weighted centre of each district's nodes, degrees.
    district_site_km : numpy.ndarray, shape (D, S)
        Road distance from each district centre to each site, km.
    module_usable_share : numpy.ndarray, shape (S, M, T), optional
        Most a site sells per kg/day of a module's capacity in each period (fraction;
        the peak-feasible share, :func:`h2model.peak.plan_usable_shares`); None: no limit
        beyond the options' ``max_capacity_factor``.
    existing_usable_share : numpy.ndarray, shape (S, T), optional
        The same for each site's existing capacity.
    """

    sites: pd.DataFrame
    modules: pd.DataFrame
    nodes: pd.DataFrame
    supplies: pd.DataFrame
    periods: pd.DataFrame
    site_lon: np.ndarray
    site_lat: np.ndarray
    site_district: np.ndarray
    site_existing: np.ndarray
    site_existing_capacity_kg_per_day: np.ndarray
    site_available_from_year: np.ndarray
    site_max_capacity_kg_per_day: np.ndarray
    module_capacity_kg_per_day: np.ndarray
    module_max_per_site: np.ndarray
    module_fixed_om_cny_per_year: np.ndarray
    capex_cny: np.ndarray
    node_district: np.ndarray
    node_lon: np.ndarray
    node_lat: np.ndarray
    demand_kg_per_day: np.ndarray
    supply_lon: np.ndarray
    supply_lat: np.ndarray
    supply_capacity_kg_per_day: np.ndarray
    supply_available_from_year: np.ndarray
    supply_cost_cny_per_kg: np.ndarray
    delivery_cny_per_kg: np.ndarray
    period_year: np.ndarray
    period_weight_years: np.ndarray
    discount_rate: float
    circuity: float
    max_pair_km: float
    pair_node: np.ndarray
    pair_site: np.ndarray
    pair_km: np.ndarray
    districts: np.ndarray
    district_lon: np.ndarray
    district_lat: np.ndarray
    district_site_km: np.ndarray
    module_usable_share: np.ndarray | None = None
    existing_usable_share: np.ndarray | None = None

    def sells_per_kg_per_day(self, max_capacity_factor: float):
        r"""What a site sells per kg/day of module and existing capacity:
        :math:`\min(\phi, u)` with :math:`\phi` = ``max_capacity_factor`` and :math:`u` the
        usable shares (the one home of the capacity rows' coefficients).

        Returns
        -------
        module : float or numpy.ndarray, shape (S, M, T)
        existing : float or numpy.ndarray, shape (S, T)
            ``max_capacity_factor`` itself (a float) where there are no usable shares.
        """
        phi = max_capacity_factor
        module = phi if self.module_usable_share is None else np.minimum(phi, self.module_usable_share)
        existing = phi if self.existing_usable_share is None else np.minimum(phi, self.existing_usable_share)
        return module, existing

    def first_period(self, from_year) -> np.ndarray:
        """First period all of whose years are at or after ``from_year``.

        A period stands for the years ``year - weight_years + 1 .. year``; a site or
        supply that becomes available within a period counts from the next one (the
        model holds capacity in a period for all its years).

        Parameters
        ----------
        from_year : array_like of int
            First calendar year of availability.

        Returns
        -------
        numpy.ndarray of int
            Period index; ``T`` (number of periods) where none qualifies.
        """
        first_years = self.period_year - self.period_weight_years + 1
        return np.searchsorted(first_years, np.asarray(from_year), side="left")

    @property
    def site_ids(self) -> np.ndarray:
        """Site ids in row order, shape (S,)."""
        return self.sites["site_id"].to_numpy()

    @property
    def module_ids(self) -> np.ndarray:
        """Module ids in row order, shape (M,)."""
        return self.modules["module_id"].to_numpy()

    @property
    def node_ids(self) -> np.ndarray:
        """Demand node ids in row order, shape (N,)."""
        return self.nodes["node_id"].to_numpy()

    @property
    def supply_ids(self) -> np.ndarray:
        """Supply ids in row order, shape (K,)."""
        return self.supplies["supply_id"].to_numpy()

    @property
    def shape(self) -> dict[str, int]:
        """Sizes of the axes: sites, modules, nodes, supplies, periods, pairs."""
        return {
            "sites": len(self.site_lon),
            "modules": len(self.module_capacity_kg_per_day),
            "nodes": len(self.node_lon),
            "supplies": len(self.supply_lon),
            "periods": len(self.period_year),
            "pairs": len(self.pair_node),
        }


def _check_table(table, name, columns, unique=True):
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{name}: expected a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; required: {list(columns)}")
    table = table.reset_index(drop=True).copy()
    id_col = columns[0]
    if unique and id_col.endswith("_id"):
        dup = table[id_col][table[id_col].duplicated()].unique()
        if len(dup):
            raise ValueError(f"{name}: duplicate {id_col} {list(dup[:5])}")
    return table


def _numeric(table, name, column, *, minimum=0.0, allow_inf=False):
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) | (values < minimum) | (~allow_inf & np.isinf(values))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name}: column {column!r} row {row} value {table[column].iloc[row]!r} "
            f"must be a finite number >= {minimum}"
        )
    return values


def _years(table, name, column):
    values = _numeric(table, name, column, minimum=0.0)
    if np.any(values != np.round(values)):
        raise ValueError(f"{name}: column {column!r} must hold whole years")
    return values.astype(np.int64)


def _demand_array(demand, nodes, period_year):
    n, t = len(nodes), len(period_year)
    if isinstance(demand, pd.DataFrame):
        table = _check_table(demand, "demand", DEMAND_COLUMNS, unique=False)
        node_pos = pd.Index(nodes["node_id"]).get_indexer(table["node_id"])
        year_pos = pd.Index(period_year).get_indexer(table["year"])
        if (node_pos < 0).any():
            bad = table["node_id"][node_pos < 0].iloc[0]
            raise ValueError(f"demand: node_id {bad!r} is not in nodes")
        if (year_pos < 0).any():
            bad = table["year"][year_pos < 0].iloc[0]
            raise ValueError(f"demand: year {bad!r} is not a period year {list(period_year)}")
        values = _numeric(table, "demand", "demand_kg_per_day")
        out = np.zeros((n, t))
        np.add.at(out, (node_pos, year_pos), values)
        return out
    out = np.asarray(demand, dtype=float)
    if out.shape != (n, t):
        raise ValueError(f"demand: array shape {out.shape} != (nodes, periods) = {(n, t)}")
    if not np.all(np.isfinite(out)) or (out < 0).any():
        raise ValueError("demand: values must be finite and >= 0 kg/day")
    return out


def _pairs_within(node_lon, node_lat, site_lon, site_lat, max_km, circuity, chunk=2_000_000):
    """(node, site, km) for all pairs within ``max_km`` road km, sorted by node then km."""
    n, s = len(node_lon), len(site_lon)
    rows = max(1, chunk // max(s, 1))
    nodes, sites, kms = [], [], []
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        km = road_km(node_lon[start:stop, None], node_lat[start:stop, None], site_lon, site_lat, circuity)
        i, j = np.nonzero(km <= max_km)
        nodes.append(i + start)
        sites.append(j)
        kms.append(km[i, j])
    node = np.concatenate(nodes) if nodes else np.zeros(0, np.int64)
    site = np.concatenate(sites) if sites else np.zeros(0, np.int64)
    km = np.concatenate(kms) if kms else np.zeros(0)
    order = np.lexsort((km, node))
    return node[order].astype(np.int64), site[order].astype(np.int64), km[order]


def _period_arrays(periods):
    """Years and weights of the periods, checked: at least one, increasing, not overlapping."""
    period_year = _years(periods, "periods", "year")
    period_weight = _years(periods, "periods", "weight_years")
    if len(period_year) == 0:
        raise ValueError("periods: at least one period is required")
    if (period_weight < 1).any():
        raise ValueError("periods: weight_years must be >= 1")
    if np.any(np.diff(period_year) <= 0):
        raise ValueError("periods: years must be strictly increasing")
    if np.any(period_year[1:] - period_weight[1:] < period_year[:-1]):
        raise ValueError("periods: periods overlap (year - weight_years < previous year)")
    return period_year, period_weight


def _site_arrays(sites):
    """Checked site columns.

    Returns
    -------
    lon, lat, existing, existing_capacity_kg_per_day, available_from_year, max_capacity_kg_per_day
        One array each, in the row order of ``sites``; the maximum is inf where not given.
    """
    site_lon = _numeric(sites, "sites", "longitude", minimum=-180.0)
    site_lat = _numeric(sites, "sites", "latitude", minimum=-90.0)
    site_existing = sites["existing"].astype(bool).to_numpy()
    site_cap = _numeric(sites, "sites", "existing_capacity_kg_per_day")
    site_avail = _years(sites, "sites", "available_from_year")
    if (site_existing & (site_cap <= 0)).any():
        row = int(np.flatnonzero(site_existing & (site_cap <= 0))[0])
        raise ValueError(
            f"sites: row {row} ({sites['site_id'].iloc[row]!r}) is existing but has "
            "existing_capacity_kg_per_day <= 0"
        )
    if (~site_existing & (site_cap > 0)).any():
        row = int(np.flatnonzero(~site_existing & (site_cap > 0))[0])
        raise ValueError(
            f"sites: row {row} ({sites['site_id'].iloc[row]!r}) is a candidate but has "
            "existing_capacity_kg_per_day > 0 (set existing=True or capacity 0)"
        )
    if "max_capacity_kg_per_day" in sites.columns:
        max_cap = pd.to_numeric(sites["max_capacity_kg_per_day"], errors="coerce").to_numpy(float)
        max_cap = np.where(np.isnan(max_cap), np.inf, max_cap)
        if (max_cap < site_cap).any():
            row = int(np.flatnonzero(max_cap < site_cap)[0])
            raise ValueError(
                f"sites: row {row} max_capacity_kg_per_day is below existing_capacity_kg_per_day"
            )
    else:
        max_cap = np.full(len(sites), np.inf)
    return site_lon, site_lat, site_existing, site_cap, site_avail, max_cap


def _module_arrays(modules, capex_cny_by_site, s):
    """Checked module columns and the (sites, modules) capex array.

    Returns
    -------
    capacity_kg_per_day, fixed_om_cny_per_year, max_per_site, capex_cny
        Per module; ``capex_cny`` of shape (s, modules), ``capex_cny_by_site`` or
        ``modules.capex_cny`` at every site.
    """
    m = len(modules)
    module_cap = _numeric(modules, "modules", "capacity_kg_per_day")
    if (module_cap <= 0).any():
        raise ValueError("modules: capacity_kg_per_day must be > 0")
    module_capex = _numeric(modules, "modules", "capex_cny")
    module_om = _numeric(modules, "modules", "fixed_om_cny_per_year")
    if "max_per_site" in modules.columns:
        module_max = _years(modules, "modules", "max_per_site")
    else:
        module_max = np.ones(m, dtype=np.int64)
    if capex_cny_by_site is None:
        capex = np.broadcast_to(module_capex, (s, m)).copy()
    else:
        capex = np.asarray(capex_cny_by_site, dtype=float)
        if capex.shape != (s, m):
            raise ValueError(f"capex_cny_by_site: shape {capex.shape} != (sites, modules) {(s, m)}")
        if not np.all(np.isfinite(capex)) or (capex < 0).any():
            raise ValueError("capex_cny_by_site: values must be finite and >= 0 CNY")
    return module_cap, module_om, module_max, capex


def _delivery_array(delivery_cny_per_kg, k, s, n_t):
    """Delivery cost, CNY/kg, checked and held per period: shape (k supplies, s sites, n_t periods)."""
    delivery = np.asarray(delivery_cny_per_kg, dtype=float)
    if delivery.shape == (k, s):
        delivery = np.repeat(delivery[:, :, None], n_t, axis=2)
    if delivery.shape != (k, s, n_t):
        raise ValueError(f"delivery_cny_per_kg: shape {delivery.shape} != (supplies, sites) {(k, s)} "
                         f"or (supplies, sites, periods) {(k, s, n_t)}")
    if np.isnan(delivery).any() or (delivery < 0).any():
        raise ValueError("delivery_cny_per_kg: values must be >= 0 CNY/kg (inf: cannot deliver)")
    return delivery


def _district_centres(node_district, demand, node_lon, node_lat):
    """Districts (sorted) and their demand-weighted centres, degrees.

    A district's centre weights its nodes by their demand summed over periods; a
    district without demand takes the plain mean of its nodes.
    """
    districts, district_pos = np.unique(node_district.astype(str), return_inverse=True)
    weight = demand.sum(axis=1)
    weight_d = np.bincount(district_pos, weights=weight, minlength=len(districts))
    count_d = np.bincount(district_pos, minlength=len(districts))
    use_w = weight_d[district_pos] > 0
    w = np.where(use_w, weight, 1.0)
    denom = np.where(weight_d > 0, weight_d, count_d)
    district_lon = np.bincount(district_pos, weights=w * node_lon, minlength=len(districts)) / denom
    district_lat = np.bincount(district_pos, weights=w * node_lat, minlength=len(districts)) / denom
    return districts, district_lon, district_lat


def prepare(
    sites,
    modules,
    nodes,
    demand,
    supplies,
    periods,
    discount_rate,
    *,
    delivery_cny_per_kg,
    capex_cny_by_site=None,
    circuity=1.3,
    max_pair_km=30.0,
    module_usable_share=None,
    existing_usable_share=None,
) -> NetworkData:
    """Check plain input tables and precompute distances and sparse pairs.

    Parameters
    ----------
    sites, modules, nodes, supplies, periods : pandas.DataFrame
        Input tables; the columns are listed in the module docstring
        (:mod:`h2model.network.prepare`).
    demand : pandas.DataFrame or array_like
        Long table ``node_id, year, demand_kg_per_day`` or an array of shape
        (nodes, periods), kg/day.
    discount_rate : float
        Real discount rate, fraction per year (e.g. 0.06).
    delivery_cny_per_kg : array_like
        Delivery cost from each supply to each site, shape (supplies, sites) or, to
        vary by period, (supplies, sites, periods), CNY/kg (the model's rule is
        :func:`h2model.supply.delivery_cost`); ``inf`` where the supply may not serve
        the site.
    capex_cny_by_site : array_like, optional
        Installed cost of one module at each site, shape (sites, modules), CNY
        (land and civil works vary by site). Default: ``modules.capex_cny`` at every
        site.
    circuity : float, default 1.3
        Road-circuity factor applied to great-circle distances, dimensionless.
    max_pair_km : float, default 30
        Keep (node, site) pairs up to this road distance, km. The model's
        ``max_detour_km`` may not exceed it.
    module_usable_share : array_like, optional
        Most a site sells per kg/day of one module's capacity, shape (sites, modules,
        periods) or broadcastable to it (fraction in (0, 1]); the capacity rows use the
        lower of it and ``max_capacity_factor`` (:meth:`NetworkData.sells_per_kg_per_day`).
        Default: none (``max_capacity_factor`` alone).
    existing_usable_share : array_like, optional
        The same for each site's existing capacity, shape (sites, periods) or
        broadcastable to it.

    Returns
    -------
    NetworkData

    Raises
    ------
    ValueError
        Naming the table, column, row and rule of the first bad value.
    """
    sites = _check_table(sites, "sites", SITE_COLUMNS)
    modules = _check_table(modules, "modules", MODULE_COLUMNS)
    nodes = _check_table(nodes, "nodes", NODE_COLUMNS)
    supplies = _check_table(supplies, "supplies", SUPPLY_COLUMNS)
    periods = _check_table(periods, "periods", PERIOD_COLUMNS)

    period_year, period_weight = _period_arrays(periods)
    if not (np.isfinite(discount_rate) and -1.0 < discount_rate):
        raise ValueError(f"discount_rate {discount_rate!r} must be a finite fraction > -1")

    s = len(sites)
    site_lon, site_lat, site_existing, site_cap, site_avail, max_cap = _site_arrays(sites)
    module_cap, module_om, module_max, capex = _module_arrays(modules, capex_cny_by_site, s)
    node_lon = _numeric(nodes, "nodes", "longitude", minimum=-180.0)
    node_lat = _numeric(nodes, "nodes", "latitude", minimum=-90.0)
    demand_arr = _demand_array(demand, nodes, period_year)

    supply_lon = _numeric(supplies, "supplies", "longitude", minimum=-180.0)
    supply_lat = _numeric(supplies, "supplies", "latitude", minimum=-90.0)
    supply_cap = _numeric(supplies, "supplies", "capacity_kg_per_day")
    supply_avail = _years(supplies, "supplies", "available_from_year")
    supply_cost = _numeric(supplies, "supplies", "cost_cny_per_kg")
    delivery = _delivery_array(delivery_cny_per_kg, len(supplies), s, len(period_year))

    pair_node, pair_site, pair_km = _pairs_within(
        node_lon, node_lat, site_lon, site_lat, max_pair_km, circuity
    )

    node_district = nodes["district"].astype(str).to_numpy(dtype=object)
    districts, district_lon, district_lat = _district_centres(node_district, demand_arr, node_lon, node_lat)
    district_site_km = road_km(district_lon[:, None], district_lat[:, None], site_lon, site_lat, circuity)

    n_t = len(period_year)
    module_share = _share_array(module_usable_share, "module_usable_share", (s, len(modules), n_t))
    existing_share = _share_array(existing_usable_share, "existing_usable_share", (s, n_t))

    return NetworkData(
        sites=sites,
        modules=modules,
        nodes=nodes,
        supplies=supplies,
        periods=periods,
        site_lon=site_lon,
        site_lat=site_lat,
        site_district=sites["district"].astype(str).to_numpy(dtype=object),
        site_existing=site_existing,
        site_existing_capacity_kg_per_day=np.where(site_existing, site_cap, 0.0),
        site_available_from_year=site_avail,
        site_max_capacity_kg_per_day=max_cap,
        module_capacity_kg_per_day=module_cap,
        module_max_per_site=module_max,
        module_fixed_om_cny_per_year=module_om,
        capex_cny=capex,
        node_district=node_district,
        node_lon=node_lon,
        node_lat=node_lat,
        demand_kg_per_day=demand_arr,
        supply_lon=supply_lon,
        supply_lat=supply_lat,
        supply_capacity_kg_per_day=supply_cap,
        supply_available_from_year=supply_avail,
        supply_cost_cny_per_kg=supply_cost,
        delivery_cny_per_kg=delivery,
        period_year=period_year,
        period_weight_years=period_weight,
        discount_rate=float(discount_rate),
        circuity=float(circuity),
        max_pair_km=float(max_pair_km),
        pair_node=pair_node,
        pair_site=pair_site,
        pair_km=pair_km,
        districts=districts.astype(object),
        district_lon=district_lon,
        district_lat=district_lat,
        district_site_km=district_site_km,
        module_usable_share=module_share,
        existing_usable_share=existing_share,
    )


def _share_array(share, name, shape):
    """A usable-share array broadcast to ``shape`` and checked (fractions in (0, 1]); None stays None."""
    if share is None:
        return None
    try:
        out = np.broadcast_to(np.asarray(share, dtype=float), shape).copy()
    except ValueError:
        raise ValueError(f"{name}: shape {np.shape(share)} does not broadcast to {shape}") from None
    if not np.all((out > 0) & (out <= 1)):
        raise ValueError(f"{name}: values must be in (0, 1]")
    return out


# --- generated instances --------------------------------------------------------------

#: Approximate district centres of Guangzhou (lon, lat, spread km, relative weight);
#: spreads and weights are rough, for generated test instances only.
_GZ_DISTRICTS = {
    "yuexiu": (113.267, 23.129, 2.0, 0.6),
    "liwan": (113.244, 23.125, 2.5, 0.6),
    "haizhu": (113.318, 23.084, 3.0, 0.8),
    "tianhe": (113.361, 23.125, 3.5, 1.0),
    "baiyun": (113.300, 23.250, 7.0, 1.4),
    "huangpu": (113.480, 23.180, 7.0, 1.4),
    "panyu": (113.384, 22.938, 7.0, 1.3),
    "huadu": (113.220, 23.404, 8.0, 1.0),
    "nansha": (113.525, 22.801, 8.0, 1.0),
    "conghua": (113.586, 23.548, 10.0, 0.5),
    "zengcheng": (113.810, 23.261, 10.0, 0.9),
}


def _scatter(rng, n, names, centres):
    lon0, lat0, spread, weight = (np.array([centres[d][i] for d in names]) for i in range(4))
    district = rng.choice(len(names), size=n, p=weight / weight.sum())
    dx = rng.normal(0.0, spread[district])
    dy = rng.normal(0.0, spread[district])
    lat = lat0[district] + dy / 111.195
    lon = lon0[district] + dx / (111.195 * np.cos(np.radians(lat0[district])))
    return np.array(names, dtype=object)[district], lon, lat


def generate_instance(n_sites, n_nodes, n_periods=10, seed=0, **prepare_kwargs) -> NetworkData:
    """A seeded synthetic Guangzhou-like instance (for tests and benchmarks).

    Demand nodes are scattered around Guangzhou's 11 district centres and sites
    around randomly chosen nodes;
    about 4 % of sites are existing 500 kg/day stations; two modules (500 kg/day
    for 12 M CNY, 1,000 kg/day for 20 M CNY, at most one of each per site, capex
    scaled by a site factor); each node's demand starts in its own year and ramps
    up to a total of 0.25 x ``n_sites`` x 750 kg/day in the last period; ``4 + n_sites // 250``
    sources at 18-32 CNY/kg whose capacities add up to 1.3 times the final demand,
    some available only later, delivered at 3 CNY/kg plus 0.04 CNY/kg per road-km.
    Periods come from :func:`default_periods` (``n_periods`` = 10 gives 2021-2025
    yearly and 2027-2035 every two years).

    Parameters
    ----------
    n_sites : int
        Number of sites (existing and candidate).
    n_nodes : int
        Number of demand nodes.
    n_periods : int, default 10
        Number of periods.
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`; the same arguments give the same
        instance.
    **prepare_kwargs
        Passed to :func:`prepare` (e.g. ``max_pair_km``).

    Returns
    -------
    NetworkData

    Examples
    --------
    >>> data = generate_instance(20, 60, n_periods=3, seed=1)
    >>> data.shape["sites"], data.shape["nodes"], data.shape["periods"]
    (20, 60, 3)
    """
    rng = np.random.default_rng(seed)
    names = list(_GZ_DISTRICTS)
    yearly = min(n_periods, 5)
    periods = default_periods(2021, 2020 + yearly, 2020 + yearly + 2 * (n_periods - yearly), 2)
    years = periods["year"].to_numpy()

    n_district, n_lon, n_lat = _scatter(rng, n_nodes, names, _GZ_DISTRICTS)
    nodes = pd.DataFrame(
        {
            "node_id": [f"N{i:05d}" for i in range(n_nodes)],
            "district": n_district,
            "longitude": n_lon,
            "latitude": n_lat,
        }
    )
    # sites lie near demand: around randomly chosen nodes, 2.5 km spread
    near = rng.integers(0, n_nodes, n_sites)
    s_district = n_district[near]
    s_lat = n_lat[near] + rng.normal(0.0, 2.5, n_sites) / 111.195
    s_lon = n_lon[near] + rng.normal(0.0, 2.5, n_sites) / (111.195 * np.cos(np.radians(n_lat[near])))
    existing = rng.random(n_sites) < 0.04
    avail = np.where(
        existing,
        rng.integers(2019, 2024, n_sites),
        rng.choice([2021, 2021, 2021, 2023, 2026], size=n_sites),
    )
    sites = pd.DataFrame(
        {
            "site_id": [f"S{i:05d}" for i in range(n_sites)],
            "longitude": s_lon,
            "latitude": s_lat,
            "district": s_district,
            "existing": existing,
            "existing_capacity_kg_per_day": np.where(existing, 500.0, 0.0),
            "available_from_year": avail,
        }
    )
    modules = pd.DataFrame(
        {
            "module_id": ["M500", "M1000"],
            "capacity_kg_per_day": [500.0, 1000.0],
            "capex_cny": [12.0e6, 20.0e6],
            "fixed_om_cny_per_year": [0.6e6, 0.9e6],
        }
    )
    core = np.isin(s_district, ["yuexiu", "liwan", "haizhu", "tianhe"])
    site_factor = np.exp(rng.normal(0.0, 0.1, n_sites)) * np.where(core, 1.25, 1.0)
    capex_by_site = site_factor[:, None] * modules["capex_cny"].to_numpy()[None, :]

    final_total = 0.25 * n_sites * 750.0
    size = rng.lognormal(0.0, 0.6, n_nodes)
    final = final_total * size / size.sum()
    # each node (a depot) gets vehicles from its own first year, then ramps up
    first = np.floor(2020.0 + 14.0 * rng.beta(1.6, 1.2, n_nodes))
    first = np.minimum(first, years[-1])
    ramp = 1.0 - np.exp(-(years[None, :] - first[:, None] + 1.0) / 2.5)
    share = np.where(years[None, :] >= first[:, None], ramp, 0.0)
    demand = final[:, None] * share / share[:, -1:]

    n_supplies = 4 + n_sites // 250
    sup_names = ["huangpu", "nansha", "zengcheng", "panyu", "baiyun", "huadu"]
    k_district, k_lon, k_lat = _scatter(rng, n_supplies, sup_names, {d: _GZ_DISTRICTS[d] for d in sup_names})
    k_avail = np.where(np.arange(n_supplies) < max(2, n_supplies // 2), 2020, 2027)
    k_cap = rng.uniform(0.5, 1.5, n_supplies)
    k_cap = 1.3 * demand[:, -1].sum() * k_cap / k_cap.sum()
    supplies = pd.DataFrame(
        {
            "supply_id": [f"H{i:02d}" for i in range(n_supplies)],
            "longitude": k_lon,
            "latitude": k_lat,
            "capacity_kg_per_day": k_cap,
            "available_from_year": k_avail,
            "cost_cny_per_kg": rng.uniform(18.0, 32.0, n_supplies),
        }
    )
    # synthetic delivery: 3 CNY/kg handling plus 0.04 CNY/kg per road-km (orders of
    # magnitude of a tube trailer; the model's rule is h2model.supply.delivery_cost)
    circuity = prepare_kwargs.get("circuity", 1.3)
    delivery = 3.0 + 0.04 * road_km(k_lon[:, None], k_lat[:, None], s_lon[None, :], s_lat[None, :], circuity)
    return prepare(
        sites,
        modules,
        nodes,
        demand,
        supplies,
        periods,
        0.06,
        capex_cny_by_site=capex_by_site,
        **{"delivery_cny_per_kg": delivery, **prepare_kwargs},
    )
