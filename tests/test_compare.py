"""What changed: the input cells a consultant edited and the headline before and after."""

import csv
import json
import shutil

import pandas as pd
import pytest

from h2model.compare import headline_changes, input_changes, what_changed
from h2model.inputs import DEFAULT_CASE

CSV_MIRROR = DEFAULT_CASE.parent / "guangzhou"


def _edit(folder, sheet, row, column, value):
    path = folder / f"{sheet}.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[row - 1][rows[0].index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return rows[row - 1][0]


@pytest.fixture()
def edited(tmp_path):
    base, new = tmp_path / "base", tmp_path / "new"
    shutil.copytree(CSV_MIRROR, base)
    shutil.copytree(CSV_MIRROR, new)
    k1 = _edit(new, "Stations", 5, "capacity_kg_per_day", "1500")
    k2 = _edit(new, "Supply", 2, "production_cost_cny_per_kg", "13.5")
    return base, new, {("Stations", "capacity_kg_per_day", k1), ("Supply", "production_cost_cny_per_kg", k2)}


def test_input_changes_lists_exactly_the_edited_cells(edited):
    base, new, want = edited
    got = input_changes(base, new)
    assert {(r.sheet, r.column, r.row_key) for r in got.itertuples()} == want
    st = got[got["sheet"] == "Stations"].iloc[0]
    header = (CSV_MIRROR / "Stations.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert st["cell"] == f"{chr(ord('A') + header.index('capacity_kg_per_day'))}5"
    assert st["new"] == "1500"


def test_same_inputs_no_changes_and_workbook_equals_its_csv_mirror(tmp_path):
    assert input_changes(CSV_MIRROR, CSV_MIRROR).empty
    # numbers compare by value: the typed workbook and its text mirror hold the same case
    assert input_changes(DEFAULT_CASE, CSV_MIRROR).empty


def test_added_row_is_reported(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(CSV_MIRROR, new)
    lines = (new / "Modules.csv").read_text(encoding="utf-8").splitlines()
    (new / "Modules.csv").write_text("\n".join(lines + [lines[-1]]) + "\n", encoding="utf-8")
    got = input_changes(CSV_MIRROR, new)
    want = [["Modules", f"row {len(lines) + 1}", "", "(row)"]]
    assert got[["sheet", "cell", "old", "new"]].values.tolist() == want


def test_headline_changes_before_and_after():
    base = pd.DataFrame({"target": ["price", "fcev"], "year": [2025, 2025], "unit": ["CNY/kg", "vehicles"],
                         "achieved": [41.7, 2600.0], "met": [False, True], "prob_met": [0.0, float("nan")]})
    new = base.assign(achieved=[34.5, 2600.0], met=[True, True], prob_met=[0.07, float("nan")])
    got = headline_changes(base, new).set_index("target")
    assert got.loc["price", "change"] == pytest.approx(34.5 - 41.7)
    assert (got.loc["price", "met_before"], got.loc["price", "met_after"]) == (False, True)
    assert got.loc["price", "prob_met_after"] == 0.07


def test_what_changed_reads_the_base_run_and_its_workbook(edited, tmp_path):
    base, new, want = edited
    out = tmp_path / "out" / "plan-2025"
    out.mkdir(parents=True)
    t = pd.DataFrame({"target": ["price"], "year": [2025], "unit": ["CNY/kg"], "achieved": [41.7],
                      "met": [False], "prob_met": [0.0]})
    t.to_csv(out / "targets.csv", index=False)
    from h2model.inputs import read_raw
    prov = {"input_path": str(base), "input_sha256": read_raw(base).sha256}
    (out / "provenance.json").write_text(json.dumps(prov))
    got = what_changed(tmp_path / "out", "plan-2025", new, t.assign(achieved=[40.0]))
    assert got["note"] == "" and len(got["inputs"]) == len(want)
    assert got["headline"]["change"].tolist() == [pytest.approx(-1.7)]
    # the base workbook edited since the base run: no cell list, and the reason
    _edit(base, "Supply", 3, "production_cost_cny_per_kg", "99")
    got = what_changed(tmp_path / "out", "plan-2025", new, t)
    assert got["inputs"] is None and "has changed since the base run" in got["note"]
    with pytest.raises(FileNotFoundError, match="run the base case"):
        what_changed(tmp_path / "out", "baseline", new, t)


def test_run_compare_to_writes_what_changed(tmp_path):
    from h2model.model import run_scenarios
    base_wb = tmp_path / "base"
    shutil.copytree(CSV_MIRROR, base_wb)
    new_wb = tmp_path / "new"
    shutil.copytree(CSV_MIRROR, new_wb)
    key = _edit(new_wb, "Supply", 2, "production_cost_cny_per_kg", "6.0")
    args = dict(scenarios=["plan-2025"], progress=False, plan_network=False)
    assert run_scenarios(base_wb, out=tmp_path / "out_base", **args) == {"plan-2025": "ok"}
    assert run_scenarios(new_wb, out=tmp_path / "out_new", compare_to=tmp_path / "out_base",
                         **args) == {"plan-2025": "ok"}
    inputs = pd.read_csv(tmp_path / "out_new" / "plan-2025" / "what_changed_inputs.csv")
    assert inputs[["sheet", "column", "row_key"]].values.tolist() == [
        ["Supply", "production_cost_cny_per_kg", key]]
    head = pd.read_csv(tmp_path / "out_new" / "plan-2025" / "what_changed_headline.csv").set_index("target")
    base_t = pd.read_csv(tmp_path / "out_base" / "plan-2025" / "targets.csv").set_index("target")
    assert head.loc["price", "before"] == pytest.approx(base_t.loc["price", "achieved"])
    assert head.loc["price", "after"] < head.loc["price", "before"]  # cheaper hydrogen, lower price
    # no base run for the scenario: refused before running
    status = run_scenarios(new_wb, out=tmp_path / "out_x", compare_to=tmp_path / "nowhere", **args)
    assert "run the base case into it first" in status["plan-2025"]
