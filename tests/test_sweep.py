"""Tests for h2model.sweep: variants apply like Scenarios rows, and run the same
locally, on a process pool and on a Dask cluster."""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import pytest

from h2model import model, sweep
from h2model.cli import main
from h2model.inputs import DEFAULT_CASE, load_case, read_raw
from h2model.sweep import Override, Variant
from tests.data import report_case


@functools.cache
def raw():
    return read_raw(DEFAULT_CASE)


def headline_of(scenario: str | None) -> dict:
    return sweep.headline(model.run(load_case(DEFAULT_CASE, scenario), plan_network=False))


SMALL = [
    Variant("base"),
    Variant("dear-capital", None, (Override("Finance", "discount_rate", "value", 0.1),)),
    Variant("cheap-stations", "baseline",
            (Override("StationCosts", "*", "capex_excl_land_cny", 0.8, "scale"),)),
    Variant("broken", None, (Override("Finance", "discount_rate", "value", 5.0),)),
]


@functools.cache
def local_result() -> pd.DataFrame:
    return sweep.sweep(raw(), SMALL, processes=1, progress=False, plan_network=False)


# --- grid specifications ------------------------------------------------------------------


def test_axes_and_set_options_parse():
    assert sweep.parse_axis("Segments.bus_12m|fcev.purchase_price_cny") == (
        "Segments", "bus_12m|fcev", "purchase_price_cny", "set")
    assert sweep.parse_axis("Stations.capacity_kg_per_day=1000.0.capacity_kg_per_day*") == (
        "Stations", "capacity_kg_per_day=1000.0", "capacity_kg_per_day", "scale")
    assert sweep.parse_set("Network.enforce_station_target=0,1") == ("Network.enforce_station_target", [0, 1])
    assert sweep.parse_set("Supply.gzpc_byproduct.supply_type=smr") == ("Supply.gzpc_byproduct.supply_type",
                                                                         ["smr"])
    for bad in ("discount_rate=0.1", "Finance.discount_rate=", "=1"):
        with pytest.raises(ValueError):
            sweep.parse_set(bad)


def test_grid_is_the_product_of_axes_and_scenarios():
    vs = sweep.grid({"Finance.discount_rate": [0.06, 0.1], "Fleet.*.fcev_in_service*": [0.5, 1.0, 1.5]},
                    scenarios=["baseline", "plan-2025"], plan_network=False)
    assert len(vs) == 12 and len({v.variant_id for v in vs}) == 12
    assert [v.scenario for v in vs] == ["baseline"] * 6 + ["plan-2025"] * 6
    assert vs[1].overrides == (Override("Finance", "discount_rate", "value", 0.06),
                               Override("Fleet", "*", "fcev_in_service", 1.0, "scale"))
    assert vs[1].parameters == {"Finance.discount_rate": 0.06, "Fleet.*.fcev_in_service*": 1.0}


def test_grid_files_yaml_json_and_csv_agree(tmp_path):
    spec = {"scenario": "baseline", "grid": {"Finance.discount_rate": [0.06, 0.1]},
            "variants": [{"id": "cheap", "set": {"Supply.gzpc_byproduct.production_cost_cny_per_kg": 10}}]}
    (tmp_path / "g.json").write_text(json.dumps(spec))
    (tmp_path / "g.yaml").write_text(
        "scenario: baseline\n"
        "grid:\n  Finance.discount_rate: [0.06, 0.1]\n"
        "variants:\n  - id: cheap\n    set: {Supply.gzpc_byproduct.production_cost_cny_per_kg: 10}\n")
    (tmp_path / "g.csv").write_text(
        "variant,scenario,sheet,key,column,value,operation\n"
        "v001,baseline,Finance,discount_rate,value,0.06,\n"
        "v002,baseline,Finance,discount_rate,,0.1,set\n"
        "cheap,baseline,Supply,gzpc_byproduct,production_cost_cny_per_kg,10,\n")
    got = [sweep.read_grid(tmp_path / f"g.{ext}") for ext in ("json", "yaml", "csv")]
    assert got[0] == got[1] == got[2]
    assert [v.variant_id for v in got[0]] == ["v001", "v002", "cheap"]
    assert got[0][2] == Variant("cheap", "baseline",
                                (Override("Supply", "gzpc_byproduct", "production_cost_cny_per_kg", 10),))
    (tmp_path / "g.txt").write_text("")
    with pytest.raises(ValueError, match="g.txt: grid file must be"):
        sweep.read_grid(tmp_path / "g.txt")


# --- one variant ------------------------------------------------------------------------------


def test_a_base_scenario_alone_runs_that_scenario():
    row = sweep.run_variant(raw(), Variant("b", "baseline"), plan_network=False)
    assert row["status"] == "ok"
    assert {k: row[k] for k in headline_of("baseline")} == headline_of("baseline")


def test_overrides_apply_like_scenario_rows():
    # The subsidy-exit scenario's rows given as sweep overrides on the inputs as entered.
    overrides = tuple(Override(r.sheet, r.key, r.column, r.value, r.operation or "set")
                      for r in load_case(DEFAULT_CASE)["Scenarios"].itertuples(index=False)
                      if r.scenario == "subsidy-exit" and isinstance(r.sheet, str))
    assert len(overrides) == 5
    row = sweep.run_variant(raw(), Variant("exit", None, overrides), plan_network=False)
    want = headline_of("subsidy-exit")
    assert {k: row[k] for k in want} == want
    case = sweep.case_for_variant(raw(), Variant("exit", None, overrides))
    assert case.scenario == "exit" and len(case.overrides) == 5


def test_sweep_gives_the_answer_of_run():
    # By default a sweep plans the network as run does: the same case gives the same
    # targets (achieved, met, gap) and network price.
    row = sweep.run_variant(raw(), Variant("plan", "plan-2025"))
    res = report_case.default_results()  # run(plan-2025) shared by the session (with draws)
    assert row["status"] == "ok" and row["plan_network"] is True
    for r in res["targets"].itertuples(index=False):
        key = f"{r.target}_{r.year}"
        got = (row[f"{key}_achieved"], row[f"{key}_met"], row[f"{key}_gap"])
        assert got == (r.achieved, r.met, r.gap), r.target
    net = res["network_by_year"].set_index("year")
    assert row["network_price_2025_cny_per_kg"] == net.loc[2025, "network_price_with_subsidy_cny_per_kg"]
    assert row["stations_idle_2025"] == net.loc[2025, "stations_idle"]


def test_a_bad_override_is_located_and_spares_the_others():
    df = local_result()
    status = df.set_index("variant")["status"]
    assert (status.drop("broken") == "ok").all()
    assert "Finance!" in status["broken"] and "discount_rate" in status["broken"]
    assert "sweep-broken" in status["broken"]  # points at the override that set it
    assert np.isnan(df.set_index("variant").loc["broken", "network_price_2025_cny_per_kg"])
    unknown = sweep.run_variant(raw(), Variant("x", "no-such-scenario"))
    assert "unknown scenario" in unknown["status"]


def test_sweep_table_columns_and_values():
    df = local_result()
    assert list(df.columns[:6]) == ["variant", "scenario", "Finance.discount_rate",
                                    "StationCosts.*.capex_excl_land_cny*", "plan_network", "status"]
    base = df.set_index("variant").loc["base"]
    want = headline_of(None)
    assert {k: base[k] for k in want} == want
    dear = df.set_index("variant").loc["dear-capital"]
    assert dear["network_price_no_subsidy_2025_cny_per_kg"] > base["network_price_no_subsidy_2025_cny_per_kg"]
    with pytest.raises(ValueError, match="appears more than once"):
        sweep.sweep(raw(), [Variant("a"), Variant("a")], processes=1, progress=False)


# --- executors: local pool and Dask give the same table -------------------------------------------


def test_process_pool_matches_serial():
    pd.testing.assert_frame_equal(sweep.sweep(raw(), SMALL, processes=2, progress=False, plan_network=False),
                                  local_result())


def test_dask_cluster_matches_local_run():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster) as client:
        by_address = sweep.sweep(raw(), SMALL, scheduler=cluster.scheduler_address, progress=False,
                                 plan_network=False)
        by_client = sweep.sweep(DEFAULT_CASE, SMALL, scheduler=client, progress=False, plan_network=False)
        assert client.status == "running"  # a client passed in is left open
    pd.testing.assert_frame_equal(by_address, local_result())
    pd.testing.assert_frame_equal(by_client, local_result())


# --- command line ----------------------------------------------------------------------------------


def test_cli_sweep_with_set_writes_the_table(tmp_path, capsys):
    out = tmp_path / "sweep.csv"
    rc = main(["sweep", str(DEFAULT_CASE), "--set", "Finance.discount_rate=0.06,0.1", "--scenario",
               "baseline", "--processes", "1", "--quiet", "--no-plan-network", "--out", str(out)])
    assert rc == 0 and "2 of 2 variants ran" in capsys.readouterr().out
    df = pd.read_csv(out)
    assert df["variant"].tolist() == ["v001", "v002"]
    assert df["Finance.discount_rate"].tolist() == [0.06, 0.1]
    assert (df["scenario"] == "baseline").all() and (df["status"] == "ok").all()


def test_cli_sweep_with_grid_file_and_errors(tmp_path, capsys):
    g = tmp_path / "grid.yaml"
    g.write_text("grid:\n  Finance.income_tax_rate: [0.2, 5.0]\n")  # v002 out of range
    out = tmp_path / "out" / "sweep.csv"
    assert main(["sweep", "--grid", str(g), "--processes", "1", "--quiet", "--out", str(out)]) == 1
    assert "FAIL v002" in capsys.readouterr().err and out.exists()
    assert main(["sweep", "--set", "discount_rate=0.1", "--out", str(out)]) == 2
    assert "expected Sheet.key.column" in capsys.readouterr().err
    assert main(["sweep", "--grid", str(g), "--scenario", "baseline", "--out", str(out)]) == 2
    with pytest.raises(SystemExit):
        main(["sweep", "--grid", str(g), "--set", "Finance.discount_rate=0.1", "--out", str(out)])
