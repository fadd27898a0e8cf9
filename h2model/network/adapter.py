"""From a validated case and its fleet demand to a network plan, and back.

The optimisation core (:mod:`.prepare`, :mod:`.build`, :mod:`.solve`, :mod:`.read`)
knows nothing of workbooks; this adapter maps the case onto its input contract:

* **sites**: every ``Stations`` row. Existing stations are fixed (``existing``) at
  their capacity from their commissioning year; candidates are optional sites that
  may receive modules from the first planning year, up to their
  ``capacity_kg_per_day``. Planned stations are optional sites too when
  ``Network.plan_places_planned_stations`` is 1 (the default): the plan may open
  each at its site from its sheet ``commissioning_year`` on (never earlier; a year
  inside a two-year period counts from the next period, as for every site), with
  ``Modules`` up to its sheet capacity, costed like a candidate; with 0 they are
  fixed like existing stations. (The sheet's planned stations are a plausible
  build-out, not an inventory, ``asm_stations_layout``: the plan decides which of
  them the demand and the station target need, and when.) Modules rather than one
  module of the sheet size, because the optimiser's modules are one list for all
  sites (a site-specific size would need a module per site); every planned size in
  the default sheet (500, 1,000, 2,000 kg/day) is a module, so a planned station
  can open at its sheet size, or smaller where demand is small;
* **modules**: the ``Modules`` sheet, costed per site with the station cost model
  (:func:`h2model.station.module_capex_cny`; land added for modules on an optional
  site) and fixed O&M at the site type's share of capex;
* **demand nodes**: the fleet's demand nodes with their hydrogen demand by year:
  depots (district centroids for districts without one) for segments that refuel
  at their home depot, and en-route demand points (``DemandPoints``) for segments
  that refuel en route or near where they operate (see :mod:`h2model.fleet`);
* **supplies**: the ``Supply`` sheet at production plus purification cost, with the
  delivery cost from each source to each site in each period from the model's one
  delivery rule (:func:`h2model.supply.delivery_cost`, the rule station economics
  prices station-years with), averaged over the calendar years the period stands
  for;
* **periods**: yearly to 2025, then two-year steps to the end of the horizon;
* **options**: the ``Network`` sheet; the station-count target comes from the
  ``Targets`` sheet (a ``>`` target of 50 means at least 51). The detour cost per
  vehicle-km is turned into CNY/(kg km) with the fleet's mean daily hydrogen use per
  vehicle as the fill per visit (one visit a day). The price target, when switched
  on, is linearised as a minimum throughput per module: the break-even price of a
  combined station of the module's size falls as :math:`A/q + B` in throughput
  :math:`q`, so the throughput at which it reaches the target is
  :math:`q^* = A/(P^* - B)`.

The plan returns to the flow as ``built_stations`` (rows for station economics:
new stations at optional sites -- candidates and placed planned stations -- at their
opening capacity), ``station_capacity``
(the capacity installed at every analysed station -- fixed and built --
in every calendar year from its opening, with every module the plan adds, so that
station economics costs each station-year at the size it has then, expansions
included), ``station_supply`` (the source that delivers most of each station's
hydrogen in the plan, every calendar year; :func:`h2model.station.station_economics`
prices station-years at it: purchase cost and delivery distance) and
``depot_assignment`` (which station each demand node -- depot or en-route demand
point -- refuels at, every calendar year of each period), and ``sheet_stations``
(the ``Stations`` sheet with the placed planned rows as candidates:
:meth:`CasePlan.case_for_flow` hands it to every later engine, so that a planned
station the plan leaves empty is not operating in station economics, the fleet's
loads, emissions or the budget). A period that stands for several calendar years
builds at its first one: a station opening or a module added in the period counts
from that year.

``stations_justified`` says how many stations demand alone would justify: the
number of stations that sell (serve demand) in each calendar year of the plan
solved without the station-count target, all other options the same. The target
forces stations beyond those, and the plan with the target opens them where and
when they cost least: its objective is the discounted system cost (station capex,
fixed O&M, hydrogen bought and delivered, detours), and with demand fixed and met
its station and hydrogen costs are what the network price recovers (the network
price's numerator: every operating station's annualised cost over the fixed
sales), so the cheapest extra stations are the ones that raise the network price
least (up to the detour costs, which the price does not carry, and the
difference between discounting and annualising). When the target is not
enforced, or the fixed stations (existing, and planned when not placed) meet it by
themselves so that it cannot change the plan, it is the plan's own count of
selling stations (no second solve). Fixed stations count as selling only when
demand reaches them.

With ``Network.plan_chooses_supply`` = 1 (the default) the optimiser chooses each
station's sources among all ``Supply`` rows within their capacities, and station
economics buys from the plan's main source; with 0 every station is supplied only
from its ``Stations`` ``supply_id`` (as a scenario that pins sources, e.g. green
hydrogen for new stations, needs), and the plan's main source is that one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import finance, peak, station, supply
from ..fleet import max_capacity_factor
from . import NetworkOptions, NetworkPlan, default_periods, prepare
from .cache import cached_plan_network
from .prepare import detour_cost_cny_per_km_per_kg

_TABLE_NAMES = {
    "build_plan": "build_plan",
    "stations": "network_stations",
    "assignment": "network_assignment",
    "supply_flows": "supply_flows",
    "unmet": "network_unmet_demand",
    "costs": "network_costs",
    "network_by_year": "network_plan_by_year",
    "targets": "network_targets",
}
_JUSTIFIED_TABLE = "network_justified_stations"


@dataclass
class CasePlan:
    """A network plan in the case's terms.

    Attributes
    ----------
    plan : NetworkPlan
        The optimiser's plan (periods, sites and modules).
    built_stations : pandas.DataFrame
        New stations at optional sites (candidates, and planned stations the plan
        places), at their opening capacity (rows for
        :func:`h2model.station.analysed_stations`).
    depot_assignment : pandas.DataFrame
        ``year, depot_id, site_id, share``: where each demand node (depot or en-route
        demand point) refuels, every calendar year (``share``: fraction of the node's
        demand).
    binding : list of str
        Targets and limits that bind.
    station_capacity : pandas.DataFrame
        ``station_id, year, capacity_kg_per_day``: capacity installed (kg/day) at
        every fixed (existing, unplaced planned) and built station in every calendar year from its
        opening to the end of the plan, expansions included (the
        ``station_capacity`` argument of :func:`h2model.station.station_economics`).
    station_supply : pandas.DataFrame
        ``station_id, year, supply_id``: the source that delivers most of a
        station's hydrogen in the plan, every calendar year of each period in which
        the station is supplied (the ``station_supply`` argument of
        :func:`h2model.station.station_economics`).
    stations_justified : pandas.DataFrame
        ``year, stations_justified_by_demand``: stations that sell (serve demand)
        in each calendar year of the plan solved without the station-count target
        (the stations demand alone justifies; the plan's own count when the target
        is not enforced).
    sheet_stations : pandas.DataFrame
        The ``Stations`` sheet as the rest of the flow must read it with this plan:
        the planned rows the plan places have status ``candidate`` (they operate
        only as the plan's ``built_stations``, from the year it opens them); the
        sheet itself when the plan places none (see :meth:`case_for_flow`).
    """

    plan: NetworkPlan
    built_stations: pd.DataFrame
    depot_assignment: pd.DataFrame
    binding: list[str] = field(default_factory=list)
    station_capacity: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"station_id": pd.Series([], dtype=object),
                                              "year": pd.Series([], dtype="int64"),
                                              "capacity_kg_per_day": pd.Series([], dtype=float)}))
    station_supply: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"station_id": pd.Series([], dtype=object),
                                              "year": pd.Series([], dtype="int64"),
                                              "supply_id": pd.Series([], dtype=object)}))
    stations_justified: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"year": pd.Series([], dtype="int64"),
                                              "stations_justified_by_demand": pd.Series([], dtype="int64")}))
    sheet_stations: pd.DataFrame | None = None

    def case_for_flow(self, case):
        """``case`` with its ``Stations`` sheet as this plan leaves it
        (:attr:`sheet_stations`), for every engine after the plan (fleet loads,
        station economics, emissions, budget, Monte Carlo): a planned station the plan
        places but does not open is a candidate site it left empty, so it neither
        operates, sells, nor costs anything; one it opens is a built station."""
        if self.sheet_stations is None:
            return case
        return dataclasses.replace(case, tables={**case.tables, "Stations": self.sheet_stations})

    def tables(self) -> dict[str, pd.DataFrame]:
        """The plan's tables under results-table names (``build_plan``, ``network_*``)."""
        out = {_TABLE_NAMES[k]: v for k, v in self.plan.tables().items()}
        out[_JUSTIFIED_TABLE] = self.stations_justified
        info = self.plan.solve
        if info is not None:
            out["network_solve"] = pd.DataFrame([{
                "solver": info.solver, "status": info.status, "termination": info.termination,
                "objective_cny": info.objective_cny, "mip_gap": info.gap,
            }])
        return out


def _depot_nodes(fl) -> pd.DataFrame:
    """The network's demand nodes (depots and en-route demand points) where the fleet
    located them (:attr:`h2model.fleet.FleetResult.nodes`): ``node_id, district,
    longitude, latitude``, in the order of ``fl.demand_by_depot``."""
    ids = pd.Index(fl.demand_by_depot["depot_id"].unique())
    known = fl.nodes.set_index("depot_id").reindex(ids)[["district", "longitude", "latitude"]]
    return known.rename_axis("node_id").reset_index()


def _price_target_throughput(case, modules: pd.DataFrame, target: float) -> tuple[float, ...]:
    """Minimum kg/day per module at which a combined 35 MPa station of the module's
    size breaks even at ``target`` CNY/kg (incl. VAT), before subsidies."""
    fin = finance.FinanceAssumptions.from_mapping(case.finance)
    cap = modules["capacity_kg_per_day"].to_numpy(float)
    costs = case["StationCosts"]
    row = costs[(costs["station_type"] == "combined") & (costs["pressure_mpa"] == 35)]
    row = row.iloc[0] if len(row) else costs.iloc[0]
    capex = station.module_capex_cny(case, row["station_type"], int(row["pressure_mpa"]), cap)
    fixed = capex * row["fixed_om_share_per_year"] + row["staff_count"] * row[
        "staff_cost_cny_per_person_year"] + row["land_lease_cny_per_year"]
    delivered = supply.delivered_cost_from_case(case)["delivered_cny_per_kg"].median()
    elec = finance.ex_vat(float(case["Prices"]["electricity_cny_per_kwh"].median()),
                          case.finance["electricity_vat_rate"])
    variable = delivered + row["electricity_kwh_per_kg"] * elec
    # price(q) = A/q + B: evaluate at two throughputs and solve
    q = np.stack([cap * 0.25, cap]) * 365.0
    p = finance.breakeven_price_incl_vat(capex, fixed, variable, q, fin, land_cny=float(row["land_cost_cny"]))
    a = (p[0] - p[1]) / (1.0 / q[0] - 1.0 / q[1])
    b = p[1] - a / q[1]
    with np.errstate(divide="ignore"):
        need = np.where(target > b, a / (target - b) / 365.0, np.inf)
    return tuple(float(x) for x in np.minimum(need, cap))


def network_options_from_case(case, fl) -> NetworkOptions:
    """The optimiser's options from the Network and Targets sheets."""
    net = case.params["Network"]
    veh = fl.demand_by_depot.groupby("year")[["vehicles", "h2_kg_per_day"]].sum()
    veh = veh[veh["vehicles"] > 0]
    kg_per_vehicle_day = float((veh["h2_kg_per_day"] / veh["vehicles"]).median()) if len(veh) else 20.0
    opts = {
        "max_detour_km": float(net["max_detour_km"]),
        "detour_cost_cny_per_km_per_kg": float(detour_cost_cny_per_km_per_kg(
            net["detour_cost_cny_per_km"], kg_per_vehicle_day)),
        "unmet_penalty_cny_per_kg": float(net["unmet_penalty_cny_per_kg"]),
        "mip_gap": float(net["mip_gap"]),
        "max_capacity_factor": max_capacity_factor(case),
        "time_limit_s": float(net["time_limit_s"]),
        "method": str(net["solve_method"]),
    }
    targets = case["Targets"].set_index("target_id")
    if int(net["enforce_station_target"]) and "stations" in targets.index:
        t = targets.loc[["stations"]].iloc[0]
        count = int(np.ceil(t["value"])) + (1 if t["comparator"] == ">" else 0)
        opts.update(station_target_count=count, station_target_year=int(t["year"]))
    if int(net["enforce_coverage"]):
        opts["coverage_km"] = float(net["coverage_km"])
    if int(net["build_limit_per_year"]) > 0:
        opts["build_limit_per_year"] = float(net["build_limit_per_year"])
    if int(net["enforce_price_target"]) and "price" in targets.index:
        t = targets.loc[["price"]].iloc[0]
        opts.update(price_target_cny_per_kg=float(t["value"]), price_target_year=int(t["year"]),
                    price_target_min_kg_per_day=_price_target_throughput(
                        case, case["Modules"], float(t["value"])))
    return NetworkOptions(**opts)


def network_from_case(case, fl, options: NetworkOptions | None = None) -> CasePlan:
    """Plan the network for a case and its fleet demand (see the module docstring).

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads Stations, StationCosts, Modules, Supply, Delivery, Prices, Districts,
        Depots, Network, Targets and Finance.
    fl : h2model.fleet.FleetResult
        Demand by demand node (depot or en-route demand point) and year (kg/day),
        and the nodes' locations.
    options : NetworkOptions, optional
        Overrides the options read from the Network sheet.

    Returns
    -------
    CasePlan

    Notes
    -----
    With the station-count target enforced the plan is solved twice: with the
    target, and without it for ``CasePlan.stations_justified``; once when the
    fixed stations alone meet the target (it cannot change the plan).
    """
    st = case["Stations"].reset_index(drop=True)
    years = case.years
    first, last = int(years[0]), int(years[-1])
    periods = default_periods(first_year=first, yearly_until=min(2025, last), last_year=last)
    cand = _optional_sites(case)
    sites = pd.DataFrame({
        "site_id": st["station_id"], "longitude": st["longitude"], "latitude": st["latitude"],
        "district": st["district"], "existing": ~cand,
        "existing_capacity_kg_per_day": np.where(cand, 0.0, st["capacity_kg_per_day"]),
        # a candidate from the first year; a placed planned station from its sheet year
        "available_from_year": np.where((st["status"] == "candidate").to_numpy(), first,
                                        st["commissioning_year"].fillna(first)).astype(int),
        "max_capacity_kg_per_day": np.where(cand, st["capacity_kg_per_day"], np.inf),
    })
    mods = case["Modules"]
    cap = mods["capacity_kg_per_day"].to_numpy(float)
    capex = station.module_capex_cny(
        case, st["station_type"].to_numpy(object)[:, None],
        st["pressure_mpa"].to_numpy(int)[:, None], cap[None, :], include_land=False)
    land = station.module_capex_cny(
        case, st["station_type"].to_numpy(object)[:, None],
        st["pressure_mpa"].to_numpy(int)[:, None], cap[None, :], include_land=True) - capex
    capex_by_site = capex + np.where(cand[:, None], land, 0.0)
    om_share = case["StationCosts"].set_index(["station_type", "pressure_mpa"])[
        "fixed_om_share_per_year"]
    site_om = om_share.reindex(pd.MultiIndex.from_arrays(
        [st["station_type"], st["pressure_mpa"].astype(int)])).to_numpy(float)
    modules = pd.DataFrame({
        "module_id": mods["module_id"], "capacity_kg_per_day": cap,
        "capex_cny": np.median(capex_by_site[cand] if cand.any() else capex_by_site, axis=0),
        "fixed_om_cny_per_year": np.median(capex * site_om[:, None], axis=0),
    })
    nodes = _depot_nodes(fl)
    dem = fl.demand_by_depot.rename(columns={"depot_id": "node_id",
                                             "h2_kg_per_day": "demand_kg_per_day"})
    dem = (dem.pivot_table(index="node_id", columns="year", values="demand_kg_per_day", aggfunc="sum")
           .reindex(index=nodes["node_id"], columns=periods["year"]).fillna(0.0).to_numpy(float))
    sup = case["Supply"]
    supplies = pd.DataFrame({
        "supply_id": sup["supply_id"], "longitude": sup["longitude"], "latitude": sup["latitude"],
        "capacity_kg_per_day": sup["capacity_t_per_day"] * 1000.0,
        "available_from_year": sup["available_from_year"].astype(int),
        "cost_cny_per_kg": sup["production_cost_cny_per_kg"] + sup["purification_cost_cny_per_kg"],
    })
    delivery = _delivery_by_period(case, st, periods)
    if not int(case.params["Network"].get("plan_chooses_supply", 1)):
        # each station only from its Stations supply_id
        pinned = supplies["supply_id"].to_numpy(object)[:, None] == st["supply_id"].to_numpy(object)[None, :]
        delivery = np.where(pinned[:, :, None], delivery, np.inf)
    opts = options or network_options_from_case(case, fl)
    shares = {}
    if peak.peak_sizing_on(case):  # capacity rows at the peak-feasible share (h2model.peak)
        shares = dict(zip(("module_usable_share", "existing_usable_share"), peak.plan_usable_shares(
            peak.PeakInputs.from_case(case), fl.demand_by_district, sites["district"].to_numpy(object), cap,
            sites["existing_capacity_kg_per_day"].to_numpy(float), periods["year"].to_numpy(),
            opts.max_capacity_factor), strict=True))
    data = prepare(sites, modules, nodes, dem, supplies, periods, float(case.finance["discount_rate"]),
                   delivery_cny_per_kg=delivery, capex_cny_by_site=capex_by_site,
                   circuity=float(case.params["Delivery"]["road_circuity_factor"]),
                   max_pair_km=max(float(opts.max_detour_km), 1.0), **shares)
    plan = cached_plan_network(data, opts)
    built, assignment = _plan_assignment(st, cand, plan, periods)
    if _target_adds_stations(sites, opts):  # what demand alone justifies: no station target
        free = cached_plan_network(data, dataclasses.replace(opts, station_target_count=None,
                                                             station_target_year=None))
        free_assignment = _plan_assignment(st, cand, free, periods)[1]
    else:
        free_assignment = assignment
    return CasePlan(plan, built, assignment, list(plan.binding),
                    station_capacity=_station_capacity(st, cand, plan, periods, built, first, last),
                    station_supply=_station_supply(plan, periods),
                    stations_justified=_selling_stations(free_assignment, fl.demand_by_depot, first, last),
                    sheet_stations=st.assign(status=np.where(cand, "candidate", st["status"])))


def places_planned_stations(case) -> bool:
    """Whether the plan places the ``planned`` Stations rows
    (``Network.plan_places_planned_stations``, default 1): each is then an optional
    site, open only if and from when the plan opens it; with 0 each is open at its
    sheet capacity from its sheet commissioning year."""
    return bool(int(case.params["Network"].get("plan_places_planned_stations", 1)))


def _optional_sites(case) -> np.ndarray:
    """Stations rows the plan may open or leave (bool, row order): the candidates, and
    the planned stations when the plan places them (:func:`places_planned_stations`).
    The other rows (existing, and planned when not placed) are fixed."""
    status = case["Stations"]["status"].to_numpy(object)
    return (status == "candidate") | ((status == "planned") & places_planned_stations(case))


def _target_adds_stations(sites: pd.DataFrame, opts: NetworkOptions) -> bool:
    """Whether the station-count target can change the plan: it is enforced and the
    fixed stations (always open) do not meet it by themselves by the target year."""
    if opts.station_target_count is None:
        return False
    fixed = sites["existing"].to_numpy(bool) & (sites["available_from_year"].to_numpy()
                                                <= int(opts.station_target_year))
    return int(fixed.sum()) < int(opts.station_target_count)


def _plan_assignment(st: pd.DataFrame, optional: np.ndarray, plan: NetworkPlan, periods: pd.DataFrame):
    """The plan's new stations at optional sites (:func:`_built_stations`) and its
    demand-node assignment by calendar year (:func:`_depot_assignment`)."""
    built = _built_stations(st, optional, plan, periods)
    sheet_year = st["commissioning_year"].astype("Float64").fillna(np.inf).astype(float).to_numpy()
    open_from = pd.Series(np.where(optional, np.inf, sheet_year), index=st["station_id"])
    open_from.update(built.set_index("station_id")["commissioning_year"].astype(float))
    return built, _depot_assignment(plan, periods, open_from)


def _selling_stations(assignment: pd.DataFrame, demand: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Stations that sell in each calendar year ``first`` to ``last``: those with a
    positive share of a demand node that has positive demand that year.

    ``assignment``: ``year, depot_id, site_id, share``; ``demand``: ``year, depot_id,
    h2_kg_per_day``. Returns ``year, stations_justified_by_demand`` (int).
    """
    need = demand.loc[demand["h2_kg_per_day"] > 0, ["year", "depot_id"]]
    sold = assignment[assignment["share"] > 0].merge(need, on=["year", "depot_id"])
    years = np.arange(first, last + 1, dtype=np.int64)
    count = sold.groupby("year")["site_id"].nunique().reindex(years, fill_value=0)
    return pd.DataFrame({"year": years, "stations_justified_by_demand": count.to_numpy(np.int64)})


def _delivery_by_period(case, st: pd.DataFrame, periods: pd.DataFrame) -> np.ndarray:
    """Delivery cost from every ``Supply`` row to every site in every period, CNY/kg,
    shape (supplies, sites, periods): :func:`h2model.supply.delivery_cost` in each
    calendar year a period stands for, averaged over them (the cost of a kg delivered
    evenly through the period; equal to each year's when the diesel price is flat)."""
    last = periods["year"].to_numpy(np.int64)
    span = periods["weight_years"].to_numpy(np.int64)
    years = np.arange(int((last - span + 1).min()), int(last.max()) + 1)
    d = supply.delivery_cost(case, np.arange(len(case["Supply"]))[:, None, None],
                             np.arange(len(st))[None, :, None], years[None, None, :], stations=st)
    inside = (years[:, None] > (last - span)[None, :]) & (years[:, None] <= last[None, :])  # (years, periods)
    return d.cny_per_kg @ inside / span


def _built_stations(st: pd.DataFrame, optional: np.ndarray, plan: NetworkPlan,
                    periods: pd.DataFrame) -> pd.DataFrame:
    """Station rows for station economics: the new stations at optional sites
    (``optional``: candidates, and planned stations the plan places), opening in the
    first calendar year of their first build period with the capacity built then.

    Later modules (expansions of existing or new stations) are not in these rows:
    they reach station economics through :func:`_station_capacity`, from the first
    calendar year of the period that builds them, so that their capex is not charged
    from the opening year.
    """
    bp = plan.build_plan
    cols = ["station_id", "commissioning_year", "capacity_kg_per_day", "station_type",
            "pressure_mpa", "supply_id", "district", "longitude", "latitude"]
    cand_ids = set(st.loc[optional, "station_id"])
    bp = bp[bp["site_id"].isin(cand_ids)]
    if bp.empty:
        return pd.DataFrame(columns=cols)
    first = bp.groupby("site_id")["year"].transform("min")
    opening = bp[bp["year"] == first]
    agg = opening.groupby("site_id").agg(first_year=("year", "min"),
                                         capacity_kg_per_day=("capacity_kg_per_day", "sum"),
                                         supply_id=("supply_id", "first"))
    span = periods.set_index("year")["weight_years"]
    agg["first_year"] = agg["first_year"] - span.reindex(agg["first_year"]).to_numpy() + 1
    rows = st.set_index("station_id").loc[agg.index]
    out = pd.DataFrame({
        "station_id": agg.index,
        "commissioning_year": agg["first_year"].astype(int).to_numpy(),
        "capacity_kg_per_day": agg["capacity_kg_per_day"].to_numpy(float),
        "station_type": rows["station_type"].to_numpy(),
        "pressure_mpa": rows["pressure_mpa"].astype(int).to_numpy(),
        "supply_id": agg["supply_id"].fillna(rows["supply_id"]).to_numpy(),
        "district": rows["district"].to_numpy(),
        "longitude": rows["longitude"].to_numpy(),
        "latitude": rows["latitude"].to_numpy(),
    })
    return out.reset_index(drop=True)[cols]


def _station_capacity(st: pd.DataFrame, optional: np.ndarray, plan: NetworkPlan, periods: pd.DataFrame,
                      built: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Installed capacity of every analysed station in every calendar year.

    The stations are the case's fixed ones (existing, and planned ones the plan does
    not place: their ``Stations`` capacity from their commissioning year, a blank one
    being ``first``) and the ``built`` ones at optional sites (nothing before their
    first module). Every module of the plan's
    ``build_plan`` adds its capacity from the first calendar year of the period that
    builds it (as ``_built_stations`` opens new stations). One row per station and
    calendar year from its opening (or ``first``) to ``last``: ``station_id, year``
    (int), ``capacity_kg_per_day`` (kg/day).
    """
    case_st = st[~optional]
    ids = np.concatenate([case_st["station_id"].to_numpy(object), built["station_id"].to_numpy(object)])
    base = np.concatenate([case_st["capacity_kg_per_day"].to_numpy(float), np.zeros(len(built))])
    opening = np.concatenate([case_st["commissioning_year"].to_numpy(float),
                              built["commissioning_year"].to_numpy(float)])
    opening = np.maximum(np.where(np.isnan(opening), first, opening), first).astype(np.int64)
    years = np.arange(first, last + 1, dtype=np.int64)
    added = np.zeros((len(ids), len(years)))
    bp = plan.build_plan
    if len(bp):
        span = periods.set_index("year")["weight_years"]
        start = bp["year"].to_numpy(np.int64) - span.reindex(bp["year"]).to_numpy(np.int64) + 1
        s = pd.Index(ids).get_indexer(bp["site_id"].astype(object))
        keep = (s >= 0) & (start <= last)
        np.add.at(added, (s[keep], np.maximum(start[keep] - first, 0)),
                  bp["capacity_kg_per_day"].to_numpy(float)[keep])
    cap = base[:, None] + np.cumsum(added, axis=1)  # (stations, years)
    si, yi = np.nonzero(years[None, :] >= opening[:, None])
    return pd.DataFrame({"station_id": ids[si], "year": years[yi], "capacity_kg_per_day": cap[si, yi]})


def _station_supply(plan: NetworkPlan, periods: pd.DataFrame) -> pd.DataFrame:
    """The plan's main source of each station (most kg/day; the first supply in
    id order on a tie), for every calendar year of each period in which it is supplied."""
    f = plan.supply_flows
    cols = {"station_id": object, "year": "int64", "supply_id": object}
    f = f[f["kg_per_day"] > 0]
    if f.empty:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()})
    main = f.sort_values(["year", "site_id", "kg_per_day"], ascending=[True, True, False], kind="stable")
    main = main.drop_duplicates(["year", "site_id"])
    span = periods.set_index("year")["weight_years"].reindex(main["year"]).to_numpy(np.int64)
    rep = np.repeat(np.arange(len(main)), span)
    offset = np.arange(len(rep)) - np.repeat(np.cumsum(span) - span, span)
    year = main["year"].to_numpy(np.int64)[rep] - span[rep] + 1 + offset
    return pd.DataFrame({"station_id": main["site_id"].to_numpy(object)[rep], "year": year,
                         "supply_id": main["supply_id"].to_numpy(object)[rep]}).astype(cols)


def _depot_assignment(plan: NetworkPlan, periods: pd.DataFrame, open_from: pd.Series) -> pd.DataFrame:
    """Shares of each depot's demand by station, for every calendar year a period
    stands for; a station not yet open in a calendar year of a longer period gets no
    share that year (the depot's shares among the open ones are rescaled)."""
    a = plan.assignment
    if a.empty:
        return pd.DataFrame(columns=["year", "depot_id", "site_id", "share"])
    total = a.groupby(["year", "node_id"])["kg_per_day"].transform("sum")
    a = a.assign(share=np.where(total > 0, a["kg_per_day"] / total, 0.0))
    span = periods.assign(first=periods["year"] - periods["weight_years"] + 1)
    years = span.apply(lambda r: list(range(int(r["first"]), int(r["year"]) + 1)), axis=1)
    expand = pd.DataFrame({"year": span["year"], "calendar_year": years}).explode("calendar_year")
    out = a.merge(expand, on="year")
    out = out[out["calendar_year"].astype(float).to_numpy() >= open_from.reindex(out["site_id"]).to_numpy()]
    tot = out.groupby(["calendar_year", "node_id"])["share"].transform("sum")
    return pd.DataFrame({
        "year": out["calendar_year"].astype(int), "depot_id": out["node_id"],
        "site_id": out["site_id"], "share": np.where(tot > 0, out["share"] / tot, 0.0),
    }).sort_values(["year", "depot_id", "site_id"]).reset_index(drop=True)
