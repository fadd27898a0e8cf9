"""The one flow: run(case) wires the engines; run_scenarios isolates failures."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from h2model.inputs import DEFAULT_CASE, load_case
from h2model.model import STEPS, run, run_scenarios


@pytest.fixture(scope="module")
def results():
    return run(load_case(DEFAULT_CASE, "plan-2025"), plan_network=False)


def test_every_table_carries_the_scenario(results):
    for name, df in results.tables.items():
        assert (df["scenario"] == "plan-2025").all(), name


def test_targets_table_reads_the_engines(results):
    t = results["targets"].set_index("target")
    fleet = results["fleet"]
    assert t.loc["fcev", "achieved"] == fleet.loc[fleet["year"] == 2025, "fcev_in_service"].sum()
    st = results["stations"]
    assert t.loc["stations", "achieved"] == st.loc[st["year"] == 2025, "station_id"].nunique()
    net = results["network_by_year"].set_index("year")
    # the price target is nominal 2025 CNY: the real network price inflated at 2 % a year
    assert t.loc["price", "achieved"] == pytest.approx(
        net.loc[2025, "network_price_with_subsidy_cny_per_kg"] * 1.02 ** (2025 - 2024), rel=1e-12)
    assert t["kind"].to_dict() == {"fcev": "input", "stations": "input", "price": "outcome"}  # no plan here
    # met and gap agree with the comparator
    for row in t.itertuples():
        sign = 1 if row.comparator in (">", ">=") else -1
        assert row.gap == pytest.approx(sign * (row.required - row.achieved))


def test_tco_uses_the_network_price_path(results):
    path = results["price_path"].set_index("year")["h2_price_cny_per_kg"]
    net = results["network_by_year"].set_index("year")["network_price_with_subsidy_cny_per_kg"]
    selling = net.dropna().index
    np.testing.assert_allclose(path.loc[selling], net.loc[selling])


def test_steps_are_reported_in_flow_order():
    seen = []
    run(load_case(DEFAULT_CASE, "plan-2025"), plan_network=False, on_step=seen.append)
    assert seen == list(STEPS)


def test_failed_scenario_does_not_stop_or_damage_others(tmp_path):
    wb = tmp_path / "gz.xlsx"
    shutil.copy(DEFAULT_CASE, wb)
    from openpyxl import load_workbook
    book = load_workbook(wb)
    book["Scenarios"].append(["broken", "bad override", "Nowhere", "*", "value", "1", "set"])
    book.save(wb)
    out = tmp_path / "out"
    status = run_scenarios(wb, ["plan-2025", "broken"], out=out, progress=False, plan_network=False)
    assert status["plan-2025"] == "ok"
    assert "names no sheet" in status["broken"]
    assert (out / "plan-2025" / "targets.csv").exists()
    assert not (out / "broken").exists()
    first = (out / "plan-2025" / "stations.csv").read_bytes()
    # a rerun reproduces the same bytes
    run_scenarios(wb, ["plan-2025"], out=out, progress=False, plan_network=False)
    assert (out / "plan-2025" / "stations.csv").read_bytes() == first
    targets = pd.read_csv(out / "targets.csv")
    assert set(targets["scenario"]) == {"plan-2025"}


def _counted(monkeypatch, module, name: str) -> list:
    """Replace ``module.name`` by a wrapper that records each call; returns the record."""
    calls = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_run_with_network_plan_feeds_station_economics(monkeypatch):
    from h2model import fleet

    built_fleet = _counted(monkeypatch, fleet, "fleet_from_case")
    reassigned = _counted(monkeypatch, fleet, "fleet_on_assignment")
    res = run(load_case(DEFAULT_CASE, "plan-2025"))
    # the vehicles and their demand are built once; the plan's assignment redoes the stations
    assert (len(built_fleet), len(reassigned)) == (1, 1)
    for name in ("build_plan", "network_assignment", "network_costs", "network_solve"):
        assert name in res, name
    built = set(res["build_plan"]["site_id"])
    operating = set(res["stations"]["station_id"])
    candidates = {s for s in built if "-C" in s}
    assert candidates <= operating  # stations the plan builds at candidate sites are costed
    st = res["stations"]
    assert (st["commissioning_year"] <= st["year"]).all()


def test_monte_carlo_tables_join_the_results_when_asked(monkeypatch):
    from h2model import station

    case = load_case(DEFAULT_CASE, "plan-2025")
    econ_calls = _counted(monkeypatch, station, "station_economics")
    res = run(case, plan_network=False, mc_draws=64, mc_seed=1)
    assert len(econ_calls) == 1  # the Monte Carlo reuses the run's station economics
    for name in ("uncertainty_summary", "tornado", "sobol", "frontier"):
        assert name in res and len(res[name]) > 0, name
    again = run(case, plan_network=False, mc_draws=64, mc_seed=1)
    pd.testing.assert_frame_equal(res["uncertainty_network_price"], again["uncertainty_network_price"])


def test_budget_station_programmes_are_what_station_economics_paid(results):
    # Engines against each other (default case): (1) the budget's station and hydrogen
    # programmes are the station_subsidies table, per programme and year; (2) that table
    # is, per station, programme and year, the policy rules applied to the stations
    # table's rows at their nominal retail break-even price: capital grants of the
    # commissioning row, per-kg subsidies x kg sold.
    from h2model import policy

    case = load_case(DEFAULT_CASE, "plan-2025")
    paid = results["station_subsidies"]
    budget = results["budget"]
    station_part = budget[budget["kind"].isin(policy.STATION_KINDS + policy.H2_KINDS)]
    grouped = paid.groupby(["year", "programme_id"]).agg(items=("station_id", "nunique"),
                                                        outlay_cny=("outlay_cny", "sum"))
    got = station_part.set_index(["year", "programme_id"])[["items", "outlay_cny"]].sort_index()
    pd.testing.assert_frame_equal(got.reset_index(), grouped.sort_index().reset_index(), check_dtype=False)

    s = results["stations"]
    infl, vat = case.finance["inflation_rate"], case.finance["vat_rate"]
    assert vat > 0
    nominal = s["breakeven_price_with_subsidy_cny_per_kg"] * (1 + infl) ** (s["year"] - case.price_year)
    first = (s["year"] == s["commissioning_year"]).to_numpy()
    caps = case.params["PolicyCaps"]
    cp = policy.station_programmes(case["Policy"], policy.STATION_KINDS, caps)
    hp = policy.station_programmes(case["Policy"], policy.H2_KINDS, caps)
    args = (s["station_type"].to_numpy(object), s["capacity_kg_per_day"].to_numpy(float),
            s["year"].to_numpy())
    grants = policy.station_grants_cny(cp, *args, s["capex_cny"].to_numpy(float), nominal.to_numpy(),
                                       district=s["district"].to_numpy(object))
    kg = s["kg_sold_per_year"].to_numpy(float)
    rates = policy.per_kg_subsidies_cny_per_kg(hp, *args, kg, nominal.to_numpy(),
                                               district=s["district"].to_numpy(object))
    want = policy.station_subsidy_table(s["year"], s["station_id"], [
        (cp, np.where(first[:, None], grants, 0.0)), (hp, rates * kg[:, None])])
    key = ["year", "station_id", "programme_id"]
    a = paid.drop(columns="scenario").sort_values(key).reset_index(drop=True)
    b = want.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
    # city-cluster vehicle rewards fund the local purchase subsidies: not in the budget
    assert not budget["kind"].isin(policy.TRANSFER_KINDS).any()
    assert (budget.loc[budget["kind"] == "station_capex"].groupby("year")["outlay_cny"].sum() > 0).any()


def test_fleet_on_assignment_is_the_fleet_built_on_that_assignment():
    # The flow builds the fleet once and redoes only its stations on the plan's
    # assignment; that must give every table fleet_from_case gives on the assignment.
    # The assignment sends every node to another station than its nearest and the
    # capacity table halves every station in 2030, so flows move and some are cut.
    from h2model import fleet

    case = load_case(DEFAULT_CASE, "plan-2025")
    nearest = fleet.fleet_from_case(case)
    ids = case["Stations"]["station_id"].to_numpy(object)
    nxt = dict(zip(ids, np.roll(ids, 1), strict=True))
    a = nearest.assignment
    moved = a[["year", "depot_id"]].assign(station_id=a["station_id"].map(nxt))
    half = pd.DataFrame({"station_id": ids, "year": 2030,
                         "capacity_kg_per_day": case["Stations"]["capacity_kg_per_day"] / 2})
    got = fleet.fleet_on_assignment(case, nearest, moved, station_capacity=half)
    want = fleet.fleet_from_case(case, assignment=moved, station_capacity=half)
    for name, df in want.tables().items():
        pd.testing.assert_frame_equal(got.tables()[name], df, check_exact=True, obj=name)
    pd.testing.assert_frame_equal(got.vehicles, want.vehicles, check_exact=True)
    assert not got.assignment.equals(nearest.assignment)
    assert (got.unserved["year"] == 2030).any()  # halved stations cut flows in 2030
