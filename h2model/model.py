"""The one flow: ``run(case) -> Results``.

The engines are called in the order data flows:

1. **fleet**: vehicles by year x district x segment -> hydrogen demand by demand node
   (depots for depot-based segments, en-route demand points for the others), and where
   each node refuels;
2. **network**: the optimised build plan and assignment of demand nodes to stations
   (when the case asks for it), which replaces the nearest-station assignment (the
   fleet's vehicles and demand stay; only its station side is redone,
   :func:`h2model.fleet.fleet_on_assignment`); the stations it builds, the capacity
   of every station by year (its expansions) and each station's main source by year
   go on to station economics;
3. **station**: capex, O&M and delivered hydrogen cost -> annualised cost and
   break-even price of every operating station-year at the capacity installed that
   year, the network price by year (every operating station's annualised cost, idle
   ones included, over the year's sales) and the price path
   (:func:`h2model.prices.network_price_path`);
4. **tco**: per segment, powertrain and purchase year, with the network's price path;
5. **policy**: subsidy and reward outlays by year and programme;
6. **emissions**: well-to-wheel CO2 and abatement cost;
7. **targets**: the plan's targets checked once, in one table;
8. **uncertainty** (optional): Monte Carlo draws through the same engines, tornado,
   Sobol ranking and the break-even frontier, on this run's fleet, plan, station
   economics, price path and station loads (:func:`station_loads`: the corridor
   stations' too), not recomputed.

Notebooks, reports and the CLI call :func:`run` (or :func:`run_scenarios`); they do
not re-wire the engines.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from . import adoption, emissions, fleet, peak, policy, station, tco, uncertainty
from .inputs import Case, InputError, list_scenarios, load_case
from .params import Params
from .prices import network_price_path, nominal
from .results import Results, clean_temps, output_dir, replace_dir, write_targets_summary
from .targets import targets_table

STEPS = ("fleet", "network", "station", "tco", "policy", "emissions", "targets")


def _noop(step: str) -> None:
    return None


@dataclasses.dataclass
class Flow:
    """Steps 1-3 of :func:`run`: the fleet, the network plan and station economics of a case.

    Attributes
    ----------
    case : Case
        The case the later steps read (plan applied: planned stations operate only where and
        when the plan opens them; in the responsive mode its Fleet sheet is the responsive fleet).
    fleet : h2model.fleet.FleetResult
        Vehicles, demand and station loads (on the plan's assignment when planned).
    built, station_capacity, station_supply : pandas.DataFrame or None
        The plan's stations, capacity of every station by year and main source by year
        (None without a plan).
    plan : object or None
        The network plan (:func:`h2model.network.adapter.network_from_case`).
    params : h2model.params.Params or None
        The numbers every engine after step 2 reads.
    economics : object or None
        Station economics (:func:`h2model.station.station_economics`).
    price_path : pandas.Series or None
        Network price path, real CNY/kg by year (:func:`h2model.prices.network_price_path`).
    fixed_point : h2model.adoption.FixedPoint or None
        The price and fleet fixed point (responsive fleet mode).
    corridors : h2model.network.corridor_case.CaseCorridorPlan or None
        The corridor plan after the city plan (``Network.corridors = 1``), whose stations
        and loads are in ``built``, ``station_capacity``, ``station_supply`` and ``economics``.
    """

    case: object
    fleet: object
    built: pd.DataFrame | None = None
    station_capacity: pd.DataFrame | None = None
    station_supply: pd.DataFrame | None = None
    plan: object = None
    params: object = None
    economics: object = None
    price_path: pd.Series | None = None
    fixed_point: object = None
    corridors: object = None


def flow(case: Case, *, plan_network: bool = True, on_step: Callable[[str], None] = _noop) -> Flow:
    """Steps 1-3 of :func:`run` (fleet, network plan, station economics and price path, the
    responsive fleet's fixed point): the one wiring :func:`run` and the subsidy designer
    (:func:`h2model.design.setting`) call.

    Parameters
    ----------
    case : Case
    plan_network : bool
        Optimise the network plan (Pyomo + HiGHS).
    on_step : callable
        Called with ``"fleet"``, ``"network"`` and ``"station"`` before each step.

    Returns
    -------
    Flow
    """
    on_step("fleet")
    responsive = adoption.is_responsive(case)
    if responsive:  # first pass: purchases chosen at the Prices sheet's hydrogen price
        adopted = adoption.adopt(case)
        case = adopted.case  # its Fleet sheet is the responsive fleet
    fl = fleet.fleet_from_case(case)  # vehicles and demand by node, built once
    built = capacity = supplied = plan = corridors = None
    on_step("network")
    if plan_network:
        from .network.adapter import network_from_case
        from .network.corridor_case import corridor_plan_from_case, corridors_on
        plan = network_from_case(case, fl)
        case = plan.case_for_flow(case)  # planned stations operate only where and when the plan opens them
        built, capacity, supplied = plan.built_stations, plan.station_capacity, plan.station_supply
        # the plan's assignment replaces the nearest-station one: only the station side is redone
        fl = fleet.fleet_on_assignment(case, fl, plan.depot_assignment, station_capacity=capacity)
        if corridors_on(case):  # the corridor plan after the city plan (h2model.network.corridor_case)
            corridors = corridor_plan_from_case(case, plan)
            built, capacity, supplied = corridors.extend(built, capacity, supplied)

    params = Params.from_case(case)  # the numbers every engine below reads, built once
    on_step("station")

    def economics(fl):  # station economics and network price path of a fleet's loads
        loads, segment_loads = station_loads(case, fl, corridors)
        econ = station.station_economics(params, loads=loads, built=built,
                                         station_capacity=capacity, station_supply=supplied,
                                         segment_loads=segment_loads)
        return econ, network_price_path(case, econ.network)

    econ, price_path = economics(fl)
    fp = None
    if responsive:  # price <-> fleet fixed point; the network plan is fixed after the first pass
        assignment = plan.depot_assignment if plan_network else None
        fp = adoption.fixed_point(case, lambda c: fleet.fleet_from_case(
            c, assignment, station_capacity=capacity), economics, first=(adopted, fl, econ, price_path))
        case, fl, econ, price_path = fp.adoption.case, fp.fleet, fp.economics, fp.price_path
        params = Params.from_case(case)
    return Flow(case, fl, built, capacity, supplied, plan, params, econ, price_path, fp, corridors)


def run(case: Case, *, plan_network: bool | None = None, mc_draws: int = 0, mc_seed: int = 0,
        on_step: Callable[[str], None] = _noop) -> Results:
    """Run every engine on a validated case.

    Parameters
    ----------
    case : Case
        A validated case (:func:`h2model.inputs.load_case`).
    plan_network : bool, optional
        Optimise the network plan (Pyomo + HiGHS). Default: yes.
    mc_draws : int, optional
        Monte Carlo draws for the uncertainty tables (0: none). The draws run the same
        station and TCO engines over a draws axis, on this run's fleet and network.
    mc_seed : int, optional
        Seed of the draws; the same seed gives the same numbers, bit for bit.
    on_step : callable, optional
        Called with each step's name before it runs (progress bars).

    Returns
    -------
    Results
        Named tidy tables, each with a ``scenario`` column.
    """
    res = Results(case.scenario, case.scenario_description, case.name, case.input_sha256,
                  overrides=case.overrides, input_path=str(case.path) if case.path else "")
    plan_network = True if plan_network is None else plan_network
    fw = flow(case, plan_network=plan_network, on_step=on_step)  # steps 1-3
    case, fl, params, econ, price_path = fw.case, fw.fleet, fw.params, fw.economics, fw.price_path
    built, capacity, supplied = fw.built, fw.station_capacity, fw.station_supply
    plan, fp = fw.plan, fw.fixed_point
    responsive = fp is not None
    if plan is not None:
        res.tables.update(plan.tables())
        res.notes.extend(plan.binding)
    if fw.corridors is not None:
        res.tables.update(fw.corridors.tables())
        res.notes.extend(fw.corridors.notes)
    if responsive:
        res.tables[adoption.TABLE] = fp.adoption.purchases
        res.tables[adoption.ITERATIONS_TABLE] = fp.iterations
        res.notes.append(fp.note + (" Network plan fixed after the first pass." if plan_network else ""))
    res.tables.update(fl.tables())
    res.tables["stations"] = econ.stations
    res.tables["network_by_year"] = econ.network
    if econ.flows is not None:  # each station's cash flow, NPV and IRR at the network price
        tg = case["Targets"]
        flow_years = sorted(set(tg.loc[tg["target_id"] == "price", "year"].astype(int)))
        cash, npv_table = station.station_cash_flow_tables(econ, flow_years or None)
        res.tables["station_cashflow"], res.tables["station_npv"] = cash, npv_table
    if plan_network:  # how many stations demand alone justifies, next to those operating
        res.tables["network_by_year"] = econ.network.merge(plan.stations_justified, on="year", how="left")

    on_step("tco")
    tc = tco.tco_from_case(params, h2_price_cny_per_kg=price_path)
    res.tables.update(tc.tables())

    on_step("policy")
    # station programmes: what station economics paid; vehicle price conditions are nominal
    res.tables["station_subsidies"] = econ.station_subsidies
    budget = policy.budget_from_case(case, fl, station_subsidies=econ.station_subsidies,
                                     h2_price_cny_per_kg=nominal(case, price_path, price_path.index))
    res.tables["budget"] = budget
    res.tables["budget_summary"] = policy.budget_summary(budget, fl)

    on_step("emissions")
    # Social abatement cost: no subsidies, hydrogen at the unsubsidised network price.
    unsubsidised = network_price_path(case, econ.network, subsidised=False)
    tc_social = tco.tco_from_case(params, h2_price_cny_per_kg=unsubsidised, subsidies=pd.DataFrame())
    co2 = emissions.co2_from_case(case, fl, tc, stations=econ.stations, tco_social=tc_social)
    res.tables["co2"] = co2.co2
    res.tables["co2_per_km"] = co2.co2_per_km
    res.tables["abatement"] = co2.abatement

    res.tables["price_path"] = price_path.rename("h2_price_cny_per_kg").rename_axis("year").reset_index()
    mc = None
    if mc_draws:
        on_step("uncertainty")
        loads, segment_loads = station_loads(case, fl, fw.corridors)  # what station economics sold
        mc = uncertainty.monte_carlo(params, int(mc_draws), mc_seed, fleet=fl, built=built,
                                     station_capacity=capacity, station_supply=supplied,
                                     economics=econ, price_path=price_path, loads=loads,
                                     segment_loads=segment_loads)
        res.tables.update(mc.tables())
    on_step("targets")
    res.tables["targets"] = targets_table(case, fl, econ, mc=mc, plan_network=plan_network,
                                          fleet_responsive=responsive)
    for name, df in res.tables.items():
        res.tables[name] = _with_scenario(df, case.scenario)
    return res


def station_loads(case, fl, corridors=None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """What the stations sell: the loads station economics and the Monte Carlo draws read.

    Parameters
    ----------
    case : Case
    fl : h2model.fleet.FleetResult
        The fleet run (its ``station_load`` and, for peak sizing, its vehicles and
        assignment).
    corridors : h2model.network.corridor_case.CaseCorridorPlan, optional
        The corridor plan: its stations' sales to corridor trucks are added.

    Returns
    -------
    loads : pandas.DataFrame
        ``year, station_id, h2_kg_per_day, ...``: the fleet's station loads and the
        corridor stations' (kg/day).
    segment_loads : pandas.DataFrame or None
        ``year, station_id, segment, h2_kg_per_day``: the same loads by segment (the peak
        hour's segment mix) with ``Network.peak_sizing = 1``; None without.
    """
    segment_loads = (peak.station_segment_loads(fl.vehicles, fl.assignment)
                     if peak.peak_sizing_on(case) else None)
    loads = fl.station_load
    if corridors is not None:  # corridor stations sell to corridor trucks
        loads, segment_loads = corridors.with_loads(loads), corridors.with_segment_loads(segment_loads)
    return loads, segment_loads


def _with_scenario(df: pd.DataFrame, scenario: str) -> pd.DataFrame:
    if "scenario" in df.columns:
        return df
    out = df.copy()
    out.insert(0, "scenario", scenario)
    return out


def run_scenarios(workbook: str | Path, scenarios: Iterable[str] | None = None, *,
                  all_scenarios: bool = False, out: str | Path = "outputs",
                  progress: bool = True, plan_network: bool | None = None,
                  mc_draws: int = 0, compare_to: str | Path | None = None) -> dict[str, str]:
    """Run scenarios of a workbook and write each one's tables to ``out/<scenario>/``.

    A scenario that fails (bad override, infeasible plan, any error) is reported and
    skipped; the others still run, and an earlier output of the failed scenario is
    left untouched. A scenario's folder keeps the files the run does not write (its
    HTML reports and charts). Then ``out/targets.csv`` is rewritten across every
    scenario present in ``out`` (:func:`h2model.results.write_targets_summary`), also
    when the run is interrupted. Temporary files a killed run left in ``out`` are
    removed first (:func:`h2model.results.clean_temps`).

    With ``compare_to`` (the output folder of a base run), each scenario also gets
    ``what_changed_inputs`` and ``what_changed_headline`` (:func:`h2model.compare.what_changed`):
    the input cells that differ from the base run's workbook and the targets before and after.

    Returns
    -------
    dict
        Scenario -> ``"ok"`` or the error message.
    """
    from .progress import StepBar, run_steps

    out = Path(out)
    clean_temps(out)
    names = list(scenarios or [])
    if all_scenarios or not names:
        names = list_scenarios(workbook) if all_scenarios else [None]
    status: dict[str, str] = {}
    bar = StepBar(run_steps(STEPS, mc_draws), len(names), desc="h2model", disable=not progress)
    try:
        for name in names:
            label = name or "default"
            try:
                bar.step(label, "load")
                case = load_case(workbook, name)
                folder = output_dir(out, case.scenario)  # checked before the run, not after
                if compare_to is not None and not (Path(compare_to) / case.scenario / "targets.csv").exists():
                    raise FileNotFoundError(f"--compare-to: no {case.scenario}/targets.csv in {compare_to} "
                                            "(run the base case into it first)")
                res = run(case, plan_network=plan_network, mc_draws=mc_draws,
                          on_step=lambda s, label=label: bar.step(label, s))
                if compare_to is not None:
                    from .compare import add_what_changed
                    add_what_changed(res, compare_to, workbook)
                bar.step(label, "write")
                res.write(folder)
                status[case.scenario] = "ok"
            except InputError as exc:
                status[label] = str(exc)
                bar.write(f"scenario {label}: input problems, skipped\n{exc}")
            except Exception as exc:  # noqa: BLE001 - one failed scenario must not stop the others
                status[label] = f"{type(exc).__name__}: {exc}"
                bar.write(f"scenario {label} failed, skipped: {type(exc).__name__}: {exc}\n"
                          + "".join(traceback.format_exception_only(exc)))
            finally:
                bar.finish()
    finally:
        bar.close()
        if "ok" in status.values():
            write_targets_summary(out)
    return status


__all__ = ["Flow", "flow", "run", "run_scenarios", "station_loads", "targets_table", "STEPS", "replace_dir"]
