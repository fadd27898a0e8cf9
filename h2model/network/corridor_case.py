r"""The corridor plan of a case: from the Corridors sheets and the city plan to station rows.

How the corridor plan relates to the city plan: a **documented sequence**
(``Network.corridors`` = 1; off by default):

1. the city plan (:mod:`h2model.network.adapter`) is solved first, as without corridors;
2. the corridor plan (:mod:`h2model.network.corridor`) then sites corridor stations
   for the ``CorridorFlows`` trips over the same planning periods, with

   * **station cost** from the city plan's cost model: the capex of a station of
     ``Network.corridor_station_kg_per_day`` of the node's ``station_type`` and
     ``pressure_mpa`` (:func:`h2model.station.module_capex_cny`, land included as for
     the city plan's optional sites) and fixed O&M at the type's
     ``fixed_om_share_per_year`` of the equipment capex, as the city plan's modules;
     the unrefuelled penalty is the city plan's ``Network.unmet_penalty_cny_per_kg``
     and discounting is the city plan's;
   * the **city network** as fixed stations: a ``city_network`` node is open to corridor
     trucks from the first period whose first year has a city-plan station (fixed or
     built) within ``Network.max_detour_km`` straight-line km. What trucks buy there
     is reported (``kg_at_city_network``) but not added to those stations' loads: the
     Guangzhou end of a corridor trip is the city fleet's heavy trucks, whose demand the
     city plan already serves;
3. each corridor station's kg/day (every calendar year: the year's flows with the
   period's open stations and fill shares) is sold at a station of the smallest
   ``Modules`` size that sells it within ``Network.max_capacity_factor`` (several of the
   largest beyond it), never shrinking; it opens in the first calendar year of the
   period that builds it;
4. **supply is shared** by deducting what the city plan buys from each source in each
   period: corridor stations buy, each calendar year, from the cheapest sources
   (production + purification + the model's one delivery rule,
   :func:`h2model.supply.delivery_cost`) within what is left (a transport LP); the
   source that delivers most is the station-year's ``supply_id``;
5. the corridor stations join the city plan's built stations, capacities, sources and
   loads in station economics (:func:`h2model.model.run`), so their costs and kg enter
   the station table and the network price.

The corridor trucks are not in the fleet (its vehicle counts, TCO and budget): only
their hydrogen and stations are. Corridor stations are analysed stations like the city
plan's (station economics, ``stations_operating``, the network price); those at a node
whose ``CorridorNodes.district`` is blank lie outside the case's area: no district
programme pays them and the station-count target does not count them
(:func:`h2model.targets.targets_table`). Station sizes follow their kg (uncapacitated
siting: one busy node may need a large station). Monte Carlo draws (``mc_draws``) sell
the same loads as station economics (:func:`h2model.model.station_loads`), the corridor
stations' included, at their base: fleet and demand draws do not scale them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from .. import station, supply
from ..fleet import max_capacity_factor
from ..supply import haversine_km
from . import NetworkOptions, default_periods
from .corridor import CorridorData, CorridorPlan, fill_shares, shortest_paths, solve_corridor

__all__ = ["CaseCorridorPlan", "corridor_data_from_case", "corridor_plan_from_case", "corridors_on"]


def corridors_on(case) -> bool:
    """Whether the case asks for the corridor plan (``Network.corridors`` = 1)."""
    return bool(int(case.params.get("Network", {}).get("corridors", 0) or 0))


@dataclass
class CaseCorridorPlan:
    """A corridor plan in the case's terms (see the module docstring).

    Attributes
    ----------
    plan : CorridorPlan
    built_stations, station_capacity, station_supply : pandas.DataFrame
        Rows to add to the city plan's (same columns as
        :class:`h2model.network.adapter.CasePlan`'s).
    station_load : pandas.DataFrame
        ``year, station_id, h2_kg_per_day``: corridor stations' sales, every calendar year.
    segment_loads : pandas.DataFrame
        ``year, station_id, segment, h2_kg_per_day`` (for peak sizing).
    flows : pandas.DataFrame
        Results table ``corridor_flows``: ``year, origin, destination, segment, corridor,
        trucks_per_day, round_trip_km, range_km, need_kg_per_day, refuelled,
        refuelled_kg_per_day, unrefuelled_kg_per_day, reason`` by period.
    stations : pandas.DataFrame
        Results table ``corridor_stations``: ``year, node_id, name, kind, longitude,
        latitude, corridor_station, city_network, kg_per_day, kg_at_city_network`` by period,
        for every node that is open.
    links : pandas.DataFrame
        Results table ``corridor_links``: ``year, from, to, road_km, trucks_per_day`` (round
        trips per day whose path uses the link) and the ends' ``from_longitude,
        from_latitude, to_longitude, to_latitude``, by period (the corridor map's lines).
    notes : list of str
    """

    plan: CorridorPlan
    built_stations: pd.DataFrame
    station_capacity: pd.DataFrame
    station_supply: pd.DataFrame
    station_load: pd.DataFrame
    segment_loads: pd.DataFrame
    flows: pd.DataFrame
    stations: pd.DataFrame
    links: pd.DataFrame = None
    notes: list = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        info = self.plan.solve
        return {"corridor_stations": self.stations, "corridor_flows": self.flows,
                "corridor_links": self.links,
                "corridor_solve": pd.DataFrame([{
                    "solver": info.solver, "status": info.status, "objective_cny": info.objective_cny,
                    "mip_gap": info.gap, "build_time_s": info.build_time_s,
                    "solve_time_s": info.solve_time_s}])}

    def extend(self, built, capacity, supplied):
        """The city plan's ``built_stations, station_capacity, station_supply`` with the
        corridor stations added."""
        return (pd.concat([built, self.built_stations], ignore_index=True),
                pd.concat([capacity, self.station_capacity], ignore_index=True),
                pd.concat([supplied, self.station_supply], ignore_index=True))

    def with_loads(self, loads: pd.DataFrame) -> pd.DataFrame:
        """``loads`` (``year, station_id, h2_kg_per_day, ...``) with the corridor stations'."""
        return pd.concat([loads, self.station_load], ignore_index=True)

    def with_segment_loads(self, segment_loads: pd.DataFrame | None) -> pd.DataFrame | None:
        if segment_loads is None:
            return None
        return pd.concat([segment_loads, self.segment_loads], ignore_index=True)


def _flows_at(flows: pd.DataFrame, keys: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    """Round trips per day of each (origin, destination, segment) in ``keys`` at each of
    ``years``: linear between listed years, 0 before the first, flat after the last."""
    out = np.zeros((len(keys), len(years)))
    grouped = flows.groupby(["origin", "destination", "segment"], sort=False)
    for i, key in enumerate(keys.itertuples(index=False)):  # one entry per flow (a few dozen)
        g = grouped.get_group(tuple(key)).sort_values("year")
        y, v = g["year"].to_numpy(float), g["trucks_per_day"].to_numpy(float)
        out[i] = np.where(years < y[0], 0.0, np.interp(years, y, v))
    return out


def _city_open_year(case, city, nodes: pd.DataFrame) -> np.ndarray:
    """First calendar year a city-plan station operates within ``Network.max_detour_km``
    (straight line) of each ``city_network`` node; inf elsewhere."""
    cap = city.station_capacity
    first = cap.groupby("station_id")["year"].min()
    cols = ["station_id", "longitude", "latitude"]
    sheet = city.sheet_stations if city.sheet_stations is not None else case["Stations"]
    st = pd.concat([sheet[cols], city.built_stations[cols]]).drop_duplicates("station_id")
    st = st.set_index("station_id").reindex(first.index)
    d = haversine_km(nodes["longitude"].to_numpy(float)[:, None], nodes["latitude"].to_numpy(float)[:, None],
                     st["longitude"].to_numpy(float)[None, :], st["latitude"].to_numpy(float)[None, :])
    near = d <= float(case.params["Network"]["max_detour_km"])
    years = np.where(near, first.to_numpy(float)[None, :], np.inf).min(axis=1, initial=np.inf)
    return np.where(nodes["city_network"].to_numpy(int) == 1, years, np.inf)


def corridor_data_from_case(case, city, periods: pd.DataFrame | None = None):
    """The corridor model's input from a case and its city plan
    (:class:`h2model.network.adapter.CasePlan`).

    Returns ``(data, keys, seg_kg_per_km)``: the :class:`CorridorData`, the flows'
    ``origin, destination, segment, corridor`` (one row per path) and each path's kg/km.
    """
    years = case.years
    first, last = int(years[0]), int(years[-1])
    periods = default_periods(first, min(2025, last), last) if periods is None else periods
    nodes, links, flows = case["CorridorNodes"], case["CorridorLinks"], case["CorridorFlows"]
    net = case.params["Network"]
    keys = flows.drop_duplicates(["origin", "destination", "segment"])[
        ["origin", "destination", "segment", "corridor"]].reset_index(drop=True)
    path_nodes, path_km = shortest_paths(nodes["node_id"], links, keys["origin"], keys["destination"])
    seg = case["Segments"]
    per_km = seg[seg["powertrain"] == "fcev"].set_index("segment")["h2_kg_per_100km"] / 100.0
    kg_per_km = per_km.reindex(keys["segment"]).to_numpy(float)
    trips = _flows_at(flows, keys[["origin", "destination", "segment"]], periods["year"].to_numpy(float))
    round_km = np.array([2.0 * k[-1] for k in path_km])
    rng = case["VehicleRange"].set_index("segment")["range_km"].reindex(keys["segment"]).to_numpy(float)
    kind, pressure = nodes["station_type"].to_numpy(object), nodes["pressure_mpa"].to_numpy(int)
    size = float(net["corridor_station_kg_per_day"])
    capex = station.module_capex_cny(case, kind, pressure, size, include_land=True)
    equipment = station.module_capex_cny(case, kind, pressure, size)
    om_share = case["StationCosts"].set_index(["station_type", "pressure_mpa"])["fixed_om_share_per_year"]
    om = equipment * om_share.reindex(pd.MultiIndex.from_arrays([kind, pressure])).to_numpy(float)
    period_first = (periods["year"] - periods["weight_years"] + 1).to_numpy(float)
    open_year = _city_open_year(case, city, nodes)
    open_from = np.searchsorted(period_first, open_year, side="left")  # first period starting at/after it
    data = CorridorData(
        node_ids=nodes["node_id"].to_numpy(object), candidate=nodes["candidate"].to_numpy(int) == 1,
        capex_cny=capex, fixed_om_cny_per_year=om, path_nodes=path_nodes, path_km=path_km, range_km=rng,
        need_kg_per_day=trips * round_km[:, None] * kg_per_km[:, None], periods=periods,
        open_from_period=open_from, discount_rate=float(case.finance["discount_rate"]),
        unrefuelled_penalty_cny_per_kg=float(net["unmet_penalty_cny_per_kg"]))
    return data, keys, kg_per_km


def _node_districts(rows: pd.DataFrame) -> np.ndarray:
    """``CorridorNodes.district`` of the rows (None where blank or the column is absent)."""
    if "district" not in rows:
        return np.full(len(rows), None, dtype=object)
    d = rows["district"].astype(object)
    blank = d.isna() | (d.astype(str).str.strip() == "")
    return d.where(~blank, None).to_numpy(object)


def _module_capacity(kg_per_day: np.ndarray, modules: np.ndarray, factor: float) -> np.ndarray:
    """Smallest module (kg/day) that sells ``kg_per_day`` within ``factor`` of its
    capacity; beyond the largest, whole multiples of it."""
    need = kg_per_day / factor
    mods = np.sort(modules)
    idx = np.searchsorted(mods, need - 1e-9)
    return np.where(idx < len(mods), mods[np.minimum(idx, len(mods) - 1)],
                    np.ceil(need / mods[-1]) * mods[-1])


def _corridor_supply(case, city, frame: pd.DataFrame, kg: np.ndarray, years: np.ndarray,
                     period_of_year: np.ndarray, period_years: np.ndarray) -> tuple[np.ndarray, list]:
    """Main source (``Supply`` row) of each corridor station-year, shape (K, Y): a
    least-cost transport LP per calendar year within the supply left after the city
    plan's purchases in that period. Returns the rows and notes (a year whose corridor
    kg exceed what is left buys at the cheapest sources regardless, and says so)."""
    sup = case["Supply"]
    cap = sup["capacity_t_per_day"].to_numpy(float)[:, None] * 1000.0 * (
        sup["available_from_year"].to_numpy(int)[:, None] <= years[None, :])
    used = (city.plan.supply_flows.pivot_table(index="supply_id", columns="year", values="kg_per_day",
                                               aggfunc="sum")
            .reindex(index=sup["supply_id"], columns=period_years).fillna(0.0).to_numpy(float))
    left = np.maximum(cap - used[:, period_of_year], 0.0)
    n_s, n_k = len(sup), len(frame)
    d = supply.delivery_cost(case, np.arange(n_s)[:, None, None], np.arange(n_k)[None, :, None],
                             years[None, None, :], stations=frame).cny_per_kg
    cost = (sup["production_cost_cny_per_kg"] + sup["purification_cost_cny_per_kg"]).to_numpy(float)
    cost = cost[:, None, None] + d  # (S, K, Y)
    cheapest = np.argmin(np.where(cap[:, None, :] > 0, cost, np.inf), axis=0)
    main, notes = cheapest.copy(), []
    a_ub = np.kron(np.eye(n_s), np.ones((1, n_k)))  # sum over stations of each source
    a_eq = np.kron(np.ones((1, n_s)), np.eye(n_k))  # sum over sources of each station
    for y in np.flatnonzero(kg.sum(axis=0) > 0):  # one LP per calendar year
        res = linprog(cost[:, :, y].ravel(), A_ub=a_ub, b_ub=left[:, y], A_eq=a_eq, b_eq=kg[:, y],
                      bounds=(0, None), method="highs")
        if res.status != 0:
            notes.append(f"Corridor stations need {kg[:, y].sum():,.0f} kg/day in {years[y]} but the"
                         f" sources have {left[:, y].sum():,.0f} left after the city plan: they buy from"
                         " the cheapest source regardless.")
            continue
        flow = res.x.reshape(n_s, n_k)
        main[:, y] = np.where(kg[:, y] > 0, flow.argmax(axis=0), cheapest[:, y])
    return main, notes


def corridor_plan_from_case(case, city, options: NetworkOptions | None = None) -> CaseCorridorPlan:
    """Solve the corridor plan after the city plan ``city`` (module docstring)."""
    data, keys, kg_per_km = corridor_data_from_case(case, city)
    net = case.params["Network"]
    plan = solve_corridor(data, options or NetworkOptions(mip_gap=float(net["mip_gap"]),
                                                          time_limit_s=float(net["time_limit_s"])))
    periods = data.periods
    p_year = periods["year"].to_numpy(int)
    p_first = p_year - periods["weight_years"].to_numpy(int) + 1
    years = np.arange(int(case.years[0]), int(case.years[-1]) + 1)
    pi = np.searchsorted(p_year, years)  # period of each calendar year
    is_open = plan.built | plan.fixed
    round_km = np.array([2.0 * k[-1] for k in data.path_km])
    od = keys[["origin", "destination", "segment"]]
    need_y = _flows_at(case["CorridorFlows"], od, years.astype(float)) * (round_km * kg_per_km)[:, None]
    share = fill_shares(data, is_open, plan.refuelled)[:, :, pi]  # (N, Q, Y)
    kg_nqy = share * need_y[None, :, :]
    built_any = plan.built.any(axis=1)
    ks = np.flatnonzero(built_any)
    opening = p_first[plan.built[ks].argmax(axis=1)]
    nodes = case["CorridorNodes"]
    on = years[None, :] >= opening[:, None]  # (K, Y)
    kg = np.where(on, kg_nqy[ks].sum(axis=1), 0.0)
    mods = case["Modules"]["capacity_kg_per_day"].to_numpy(float)
    cap = np.maximum.accumulate(np.where(on, _module_capacity(kg, mods, max_capacity_factor(case)), 0.0),
                                axis=1)
    rows = nodes.iloc[ks]
    ids = rows["node_id"].to_numpy(object)
    frame = pd.DataFrame({"station_id": ids, "station_type": rows["station_type"].to_numpy(object),
                          "supply_id": case["Supply"]["supply_id"].iloc[0],
                          "longitude": rows["longitude"].to_numpy(float),
                          "latitude": rows["latitude"].to_numpy(float)})
    main, notes = _corridor_supply(case, city, frame, kg, years, pi, p_year)
    sup_ids = case["Supply"]["supply_id"].to_numpy(object)
    ki, yi = np.nonzero(on)
    built = pd.DataFrame({
        "station_id": ids, "commissioning_year": opening.astype(int),
        "capacity_kg_per_day": cap[np.arange(len(ks)), np.searchsorted(years, opening)] if len(ks) else [],
        "station_type": frame["station_type"], "pressure_mpa": rows["pressure_mpa"].to_numpy(int),
        "supply_id": sup_ids[main[np.arange(len(ks)), np.searchsorted(years, opening)]] if len(ks) else [],
        "district": _node_districts(rows), "longitude": frame["longitude"], "latitude": frame["latitude"],
        "name": rows["name"].to_numpy(object)})
    by_seg = pd.DataFrame({"segment": keys["segment"]})
    seg_codes, seg_names = pd.factorize(by_seg["segment"])
    seg_kg = np.zeros((len(ks), len(seg_names), len(years)))
    np.add.at(seg_kg, (slice(None), seg_codes, slice(None)), kg_nqy[ks])
    si, gi, sy = np.nonzero((seg_kg > 0) & on[:, None, :])
    flows_t, stations_t = _result_tables(data, plan, keys, nodes, round_km, kg_per_km)
    refuelled = (data.need_kg_per_day * plan.refuelled).sum()
    notes = [f"Corridor plan: {len(ks)} corridor station(s) ({', '.join(map(str, ids))}); "
             f"{refuelled / max(data.need_kg_per_day.sum(), 1e-9):.0%} of the corridor trucks' hydrogen need"
             f" refuelled over the periods; {plan.solve.message}."] + notes
    return CaseCorridorPlan(
        plan=plan, built_stations=built,
        station_capacity=pd.DataFrame({"station_id": ids[ki], "year": years[yi].astype("int64"),
                                       "capacity_kg_per_day": cap[ki, yi]}),
        station_supply=pd.DataFrame({"station_id": ids[ki], "year": years[yi].astype("int64"),
                                     "supply_id": sup_ids[main[ki, yi]]}),
        station_load=pd.DataFrame({"year": years[yi].astype("int64"), "station_id": ids[ki],
                                   "h2_kg_per_day": kg[ki, yi]}),
        segment_loads=pd.DataFrame({"year": years[sy].astype("int64"), "station_id": ids[si],
                                    "segment": np.asarray(seg_names, dtype=object)[gi],
                                    "h2_kg_per_day": seg_kg[si, gi, sy]}),
        flows=flows_t, stations=stations_t,
        links=_link_table(data, keys, flows_t, case["CorridorLinks"], nodes),
        notes=notes)


def _result_tables(data: CorridorData, plan: CorridorPlan, keys: pd.DataFrame, nodes: pd.DataFrame,
                   round_km: np.ndarray, kg_per_km: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``corridor_flows`` and ``corridor_stations`` tables, by period."""
    n_q, n_t = data.need_kg_per_day.shape
    q, t = np.divmod(np.arange(n_q * n_t), n_t)
    need = data.need_kg_per_day[q, t]
    ok = plan.refuelled[q, t]
    flows = pd.DataFrame({
        "year": data.periods["year"].to_numpy(int)[t], "origin": keys["origin"].to_numpy(object)[q],
        "destination": keys["destination"].to_numpy(object)[q],
        "segment": keys["segment"].to_numpy(object)[q],
        "corridor": keys["corridor"].to_numpy(object)[q],
        "trucks_per_day": need / (round_km[q] * kg_per_km[q]),
        "round_trip_km": round_km[q], "range_km": data.range_km[q], "need_kg_per_day": need,
        "refuelled": ok, "refuelled_kg_per_day": np.where(ok, need, 0.0),
        "unrefuelled_kg_per_day": np.where(ok, 0.0, need),
        "reason": np.where(ok | (need == 0), "", np.where(np.array(plan.reason, dtype=object)[q] != "",
                                                          np.array(plan.reason, dtype=object)[q],
                                                          "not_refuelled"))})
    flows = flows[flows["need_kg_per_day"] > 0].reset_index(drop=True)
    is_open = plan.built | plan.fixed
    n, k = np.nonzero(is_open)
    stations = pd.DataFrame({
        "year": data.periods["year"].to_numpy(int)[k], "node_id": nodes["node_id"].to_numpy(object)[n],
        "name": nodes["name"].to_numpy(object)[n], "kind": nodes["kind"].to_numpy(object)[n],
        "longitude": nodes["longitude"].to_numpy(float)[n], "latitude": nodes["latitude"].to_numpy(float)[n],
        "corridor_station": plan.built[n, k], "city_network": plan.fixed[n, k],
        "kg_per_day": np.where(plan.built[n, k] & ~plan.fixed[n, k], plan.kg_per_day[n, k], 0.0),
        "kg_at_city_network": np.where(plan.fixed[n, k], plan.kg_per_day[n, k], 0.0)})
    return flows, stations.sort_values(["year", "node_id"]).reset_index(drop=True)


def _link_table(data: CorridorData, keys: pd.DataFrame, flows: pd.DataFrame, links: pd.DataFrame,
                nodes: pd.DataFrame) -> pd.DataFrame:
    """Round trips per day on every link, by period (``corridor_links``)."""
    ids = pd.Index(nodes["node_id"])
    a, b = ids.get_indexer(links["from"]), ids.get_indexer(links["to"])
    n = len(ids)
    index = pd.Series(np.arange(len(links)), index=np.minimum(a, b) * n + np.maximum(a, b))
    trips = np.zeros((len(links), data.n_periods))
    t_of = pd.Index(data.periods["year"]).get_indexer(flows["year"])
    q_of = pd.MultiIndex.from_frame(keys[["origin", "destination", "segment"]]).get_indexer(
        pd.MultiIndex.from_frame(flows[["origin", "destination", "segment"]]))
    for q, t, v in zip(q_of, t_of, flows["trucks_per_day"].to_numpy(float), strict=True):
        p = data.path_nodes[q]
        np.add.at(trips[:, t], index.reindex(np.minimum(p[:-1], p[1:]) * n + np.maximum(p[:-1], p[1:])), v)
    li, ti = np.nonzero(np.ones_like(trips, dtype=bool))
    lon, lat = nodes["longitude"].to_numpy(float), nodes["latitude"].to_numpy(float)
    return pd.DataFrame({
        "year": data.periods["year"].to_numpy(int)[ti], "from": links["from"].to_numpy(object)[li],
        "to": links["to"].to_numpy(object)[li], "road_km": links["road_km"].to_numpy(float)[li],
        "trucks_per_day": trips[li, ti], "from_longitude": lon[a[li]], "from_latitude": lat[a[li]],
        "to_longitude": lon[b[li]], "to_latitude": lat[b[li]]})
