"""Inputs: the default case loads; every kind of defect gets a located message."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from h2model.cli import main
from h2model.inputs import (
    DEFAULT_CASE,
    InputError,
    case_from_raw,
    export_case,
    import_case,
    list_scenarios,
    load_case,
    read_raw,
)
from h2model.inputs.schema import SHEETS

CSV_MIRROR = DEFAULT_CASE.parent / "guangzhou"


@pytest.fixture(scope="module")
def default_case():
    return load_case(DEFAULT_CASE)


def test_default_case_meets_plan_scale(default_case):
    st_ = default_case["Stations"]
    operating_2025 = (st_["status"] != "candidate") & (st_["commissioning_year"] <= 2025)
    assert operating_2025.sum() >= 50
    assert ((st_["status"] == "existing") & (st_["commissioning_year"] <= 2020)).sum() == 5
    fleet = default_case["Fleet"]
    by_year = fleet.groupby("year")["fcev_in_service"].sum()
    assert by_year[2020] == 58
    assert by_year[2025] >= 2500
    assert default_case.price_year == default_case.finance["price_year"]
    assert default_case["Stations"]["capacity_kg_per_day"].dtype == float
    assert str(default_case["Fleet"]["fcev_in_service"].dtype) == "Int64"


def test_every_default_row_is_sourced(default_case):
    known = set(default_case["Sources"]["source_key"])
    for name, df in default_case.tables.items():
        if "source_key" in df and len(df):
            keys = {k.strip() for v in df["source_key"] for k in str(v).split(";")}
            assert keys <= known, name


def test_input_file_is_never_modified(tmp_path):
    wb = tmp_path / "gz.xlsx"
    shutil.copy(DEFAULT_CASE, wb)
    before = hashlib.sha256(wb.read_bytes()).hexdigest()
    mtime = wb.stat().st_mtime_ns
    case = load_case(wb, "subsidy-exit")
    assert case.input_sha256 == before
    assert hashlib.sha256(wb.read_bytes()).hexdigest() == before
    assert wb.stat().st_mtime_ns == mtime


# --- broken workbooks ----------------------------------------------------------------------

def _col(ws, name):
    for cell in ws[1]:
        if cell.value == name:
            return cell.column
    raise KeyError(name)


def _set(ws, row, column, value):
    """Set a data cell; returns its Excel reference."""
    c = _col(ws, column)
    ws.cell(row=row, column=c).value = value
    return f"{get_column_letter(c)}{row}"


def _params_row(ws, key):
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == key:
            return r
    raise KeyError(key)


def _first_row(ws, column, value):
    c = _col(ws, column)
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=c).value == value:
            return r
    raise KeyError(value)


def d_missing_sheet(wb):
    del wb["Supply"]
    return "Supply", None, "sheet is missing"


def d_missing_column(wb):
    ws = wb["Stations"]
    ws.cell(row=1, column=_col(ws, "capacity_kg_per_day"), value="capacity")
    return "Stations", "row 1", "column 'capacity_kg_per_day' is missing"


def d_text_in_number(wb):
    return "Stations", _set(wb["Stations"], 3, "capacity_kg_per_day", "lots"), "must be a number"


def d_below_range(wb):
    return "Stations", _set(wb["Stations"], 4, "capacity_kg_per_day", 10), "from 50 to 20000"


def d_finance_range(wb):
    ws = wb["Finance"]
    r = _params_row(ws, "discount_rate")
    return "Finance", _set(ws, r, "value", -0.1), "discount_rate"


def d_bad_choice(wb):
    return "Stations", _set(wb["Stations"], 5, "station_type", "floating"), "must be one of"


def d_unknown_district(wb):
    return "Stations", _set(wb["Stations"], 6, "district", "Huangpo"), "unknown reference Huangpo"


def d_unknown_supply(wb):
    return "Stations", _set(wb["Stations"], 7, "supply_id", "nowhere"), "unknown reference nowhere"


def d_unknown_source(wb):
    return "Supply", _set(wb["Supply"], 2, "source_key", "made_up_2099"), "unknown reference"


def d_duplicate_id(wb):
    ws = wb["Stations"]
    first = ws.cell(row=2, column=_col(ws, "station_id")).value
    return "Stations", _set(ws, 9, "station_id", first), "duplicate station_id"


def d_formula_no_cache(wb):
    return "Stations", _set(wb["Stations"], 8, "capacity_kg_per_day", "=500*2"), "no cached value"


def d_fleet_year_outside(wb):
    return "Fleet", _set(wb["Fleet"], 2, "year", 2055), "outside the analysis horizon"


def d_fleet_unknown_segment(wb):
    return "Fleet", _set(wb["Fleet"], 3, "segment", "tram"), "must be one of"


def d_fleet_negative(wb):
    return "Fleet", _set(wb["Fleet"], 4, "fcev_in_service", -3), "from 0 to"


def d_fleet_fraction(wb):
    return "Fleet", _set(wb["Fleet"], 5, "fcev_in_service", 2.5), "whole number"


def d_segments_duplicate(wb):
    ws = wb["Segments"]
    seg = ws.cell(row=2, column=_col(ws, "segment")).value
    pt = ws.cell(row=2, column=_col(ws, "powertrain")).value
    _set(ws, 3, "powertrain", pt)
    return "Segments", _set(ws, 3, "segment", seg), "duplicate segment + powertrain"


def d_finance_unknown_key(wb):
    ws = wb["Finance"]
    return "Finance", _set(ws, 2, "key", "discount_rat"), "unknown key"


def d_finance_missing_key(wb):
    ws = wb["Finance"]
    ws.delete_rows(_params_row(ws, "vat_rate"))
    return "Finance", None, "key 'vat_rate' is missing"


def d_pressure(wb):
    return "Stations", _set(wb["Stations"], 10, "pressure_mpa", 50), "one of 35, 70"


def d_cost_shares(wb):
    return "StationCosts", _set(wb["StationCosts"], 2, "share_compressor", 0.9), "must sum to 1"


def d_policy_years(wb):
    ws = wb["Policy"]
    _set(ws, 2, "start_year", 2024)
    return "Policy", _set(ws, 2, "end_year", 2022), "end_year must not be before start_year"


def d_policy_price_without_comparator(wb):
    ws = wb["Policy"]
    r = _first_row(ws, "programme_id", "gz_h2_sales_2025")
    return "Policy", _set(ws, r, "price_comparator", None), "required where max_price_cny_per_kg is given"


def d_policy_cap_group_on_sales(wb):
    ws = wb["Policy"]
    r = _first_row(ws, "programme_id", "gz_h2_sales_2025")
    return "Policy", _set(ws, r, "combined_cap_group", "station_grant"), "only station_capex programmes"


def d_policy_caps_share_out_of_range(wb):
    ws = wb["PolicyCaps"]
    r = _params_row(ws, "station_grant_cap_share_of_investment")
    return "PolicyCaps", _set(ws, r, "value", 1.5), "from 0 to 1"


def d_planned_without_year(wb):
    ws = wb["Stations"]
    r = _first_row(ws, "status", "planned")
    return "Stations", _set(ws, r, "commissioning_year", None), "needs a commissioning year"


def d_prices_missing_year(wb):
    ws = wb["Prices"]
    ws.delete_rows(_first_row(ws, "year", 2030))
    return "Prices", None, "missing [2030]"


def d_blank_required(wb):
    return "Stations", _set(wb["Stations"], 11, "name", None), "required value is blank"


def d_date_in_number(wb):
    return "Supply", _set(wb["Supply"], 3, "capacity_t_per_day", dt.datetime(2024, 1, 1)), "must be"


def d_depot_district(wb):
    return "Depots", _set(wb["Depots"], 2, "district", "shenzhen"), "unknown reference shenzhen"


def d_commissioning_after_horizon(wb):
    ws = wb["Stations"]
    r = _first_row(ws, "status", "planned")
    return "Stations", _set(ws, r, "commissioning_year", 2045), "after the analysis horizon"


def d_flag(wb):
    ws = wb["Network"]
    r = _params_row(ws, "enforce_coverage")
    return "Network", _set(ws, r, "value", 2), "0 or 1"


def d_duplicate_header(wb):
    ws = wb["Modules"]
    ws.cell(row=1, column=ws.max_column + 1, value="module_id")
    return "Modules", None, "column header appears twice"


DEFECTS = [v for k, v in sorted(globals().items()) if k.startswith("d_")]


@pytest.fixture
def template():
    """The default workbook, freshly loaded for editing (openpyxl workbooks do not deepcopy)."""
    return load_workbook(DEFAULT_CASE)


@pytest.mark.parametrize("defect", DEFECTS, ids=lambda f: f.__name__[2:])
def test_broken_workbook_names_sheet_cell_and_rule(defect, template, tmp_path):
    wb = template
    sheet, cell, rule = defect(wb)
    path = tmp_path / "broken.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as info:
        load_case(path)
    hits = [p for p in info.value.problems
            if p.sheet == sheet and rule in str(p) and (cell is None or (p.cell or "").startswith(cell))]
    assert hits, f"expected {sheet}!{cell} '{rule}' in:\n{info.value}"
    assert all(p.workbook == "broken.xlsx" for p in info.value.problems)


def test_at_least_25_kinds_of_defect():
    assert len(DEFECTS) >= 25


def test_all_problems_reported_at_once(template, tmp_path):
    wb = template
    d_text_in_number(wb)
    d_unknown_district(wb)
    d_fleet_year_outside(wb)
    path = tmp_path / "three.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as info:
        load_case(path)
    sheets = sorted(p.sheet for p in info.value.problems)
    assert sheets == ["Fleet", "Stations", "Stations"], str(info.value)
    assert str(info.value).startswith("3 problems in the input:")


def test_not_a_workbook(tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("this is not a workbook")
    with pytest.raises(InputError, match="notes.xlsx — is not an Excel workbook"):
        load_case(bad)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_case(tmp_path / "nope.xlsx")


# --- scenarios -------------------------------------------------------------------------------

def test_scenarios_are_declared():
    names = list_scenarios(DEFAULT_CASE)
    for s in ("baseline", "plan-2025", "subsidy-exit", "accelerated-2035", "green-hydrogen"):
        assert s in names


@pytest.mark.parametrize("scenario", ["baseline", "plan-2025", "subsidy-exit", "accelerated-2035",
                                      "green-hydrogen"])
def test_every_scenario_loads_and_records_overrides(scenario):
    case = load_case(DEFAULT_CASE, scenario)
    assert case.scenario == scenario
    assert case.scenario_description
    if scenario != "plan-2025":
        assert len(case.overrides) > 0
        assert set(case.overrides.columns) >= {"sheet", "key", "column", "old", "new"}


def test_subsidy_exit_ends_programmes_by_2025():
    base = load_case(DEFAULT_CASE, "plan-2025")["Policy"]
    exit_ = load_case(DEFAULT_CASE, "subsidy-exit")["Policy"]
    changed = exit_["end_year"] != base["end_year"]
    assert changed.any()
    assert (exit_.loc[changed, "end_year"] <= 2025).all()


def test_unknown_scenario():
    with pytest.raises(InputError, match="unknown scenario; scenarios are: baseline"):
        load_case(DEFAULT_CASE, "no-such-scenario")


def _add_override(wb, row):
    ws = wb["Scenarios"]
    ws.append(row)
    return ws.max_row


@pytest.mark.parametrize("row,column,rule", [
    (["x", "bad sheet", "Nowhere", "*", "value", "1", "set"], "C", "names no sheet"),
    (["x", "bad column", "Stations", "*", "capacity", "1", "set"], "E", "names no column"),
    (["x", "bad key", "Stations", "no-such-id", "capacity_kg_per_day", "1", "set"], "D", "no row"),
    (["x", "bad filter", "Fleet", "segment=tram", "fcev_in_service", "2", "scale"], "D", "no row"),
    (["x", "text scale", "Stations", "*", "name", "2", "scale"], "F", "scale needs numbers"),
])
def test_bad_override_points_at_scenarios_cell(template, tmp_path, row, column, rule):
    wb = template
    r = _add_override(wb, row)
    path = tmp_path / "sc.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as info:
        load_case(path, "x")
    assert any(p.sheet == "Scenarios" and p.cell == f"{column}{r}" and rule in p.rule
               for p in info.value.problems), str(info.value)


def test_invalid_overridden_value_names_the_override(template, tmp_path):
    wb = template
    r = _add_override(wb, ["x", "too big", "Finance", "discount_rate", "value", "0.9", "set"])
    path = tmp_path / "sc.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match=rf"set by scenario 'x' at Scenarios row {r}"):
        load_case(path, "x")


def test_scale_override_multiplies(template, tmp_path):
    wb = template
    _add_override(wb, ["x", "double heavy", "Fleet", "segment=heavy_tractor", "fcev_in_service",
                       "2", "scale"])
    path = tmp_path / "sc.xlsx"
    wb.save(path)
    base = load_case(path, "plan-2025")["Fleet"]
    doubled = load_case(path, "x")["Fleet"]
    heavy = base["segment"] == "heavy_tractor"
    assert heavy.any()
    pd.testing.assert_series_equal(doubled.loc[heavy, "fcev_in_service"],
                                   base.loc[heavy, "fcev_in_service"] * 2)
    pd.testing.assert_series_equal(doubled.loc[~heavy, "fcev_in_service"],
                                   base.loc[~heavy, "fcev_in_service"])


# --- round trips -------------------------------------------------------------------------------

def assert_same_case(a, b):
    assert a.tables.keys() == b.tables.keys()
    for k in a.tables:
        pd.testing.assert_frame_equal(a.tables[k], b.tables[k], check_exact=True, obj=k)
    assert a.params == b.params


def test_workbook_csv_round_trip(tmp_path):
    export_case(DEFAULT_CASE, tmp_path / "csv")
    import_case(tmp_path / "csv", tmp_path / "back.xlsx")
    original = load_case(DEFAULT_CASE, "green-hydrogen")
    via_csv = load_case(tmp_path / "csv", "green-hydrogen")
    back = load_case(tmp_path / "back.xlsx", "green-hydrogen")
    assert_same_case(original, via_csv)
    assert_same_case(original, back)
    # and the CSV written from the re-imported workbook is byte-identical
    export_case(tmp_path / "back.xlsx", tmp_path / "csv2")
    for f in sorted((tmp_path / "csv").glob("*.csv")):
        assert f.read_bytes() == (tmp_path / "csv2" / f.name).read_bytes(), f.name


def test_committed_csv_mirror_matches_workbook():
    assert_same_case(load_case(DEFAULT_CASE), load_case(CSV_MIRROR))


def test_workbook_helps_while_typing():
    wb = load_workbook(DEFAULT_CASE)
    ws = wb["Stations"]
    assert ws.freeze_panes == "A2"
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert any("combined" in (dv.formula1 or "") for dv in lists)
    ranged = [dv for dv in ws.data_validations.dataValidation if dv.type == "decimal"]
    assert any("kg/day" in (dv.prompt or "") for dv in ranged)
    readme = wb["README"]
    fields = {readme.cell(row=r, column=2).value for r in range(5, readme.max_row + 1)}
    for sheet in SHEETS.values():
        for c in sheet.columns + sheet.params:
            assert c.name in fields


def test_every_cost_input_states_its_vat_basis():
    # Station costs enter the finance engine ex VAT; each money input of the cost sheets
    # says whether it is ex or incl. VAT, and the README sheet shows it.
    cost_sheets = ("StationCosts", "Supply", "Delivery", "Prices", "Segments")
    money = [(s, c) for s in cost_sheets for c in SHEETS[s].columns + SHEETS[s].params if "CNY" in c.unit
             and "/USD" not in c.unit]
    assert len(money) >= 15
    missing = [f"{s}.{c.name}" for s, c in money if not c.vat]
    assert not missing
    assert "incl. VAT" in SHEETS["Prices"].column("electricity_cny_per_kwh").vat
    assert "ex VAT" in SHEETS["Supply"].column("production_cost_cny_per_kg").vat
    readme = load_workbook(DEFAULT_CASE)["README"]
    assert readme.cell(row=4, column=8).value == "VAT basis"
    vat_of = {readme.cell(row=r, column=2).value: readme.cell(row=r, column=8).value
              for r in range(5, readme.max_row + 1)}
    assert "electricity_vat_rate" in vat_of["electricity_cny_per_kwh"]


# --- CLI ----------------------------------------------------------------------------------------

def test_cli_validate_ok(capsys):
    assert main(["validate", str(DEFAULT_CASE), "--all"]) == 0
    out = capsys.readouterr().out
    assert out.count("OK") == len(list_scenarios(DEFAULT_CASE))


def test_cli_validate_lists_problems_without_traceback(template, tmp_path, capsys):
    wb = template
    d_unknown_district(wb)
    d_pressure(wb)
    path = tmp_path / "two.xlsx"
    wb.save(path)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("2 problems in the input:")
    assert "Traceback" not in err
    assert "two.xlsx › Stations!C6 (district): found 'Huangpo'" in err


def test_cli_help_for_every_command(capsys):
    for argv in (["--help"], ["validate", "--help"], ["inputs", "export", "--help"],
                 ["inputs", "import", "--help"], ["run", "--help"]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 0
    assert "usage: h2model run" in capsys.readouterr().out


# --- property: random cell edits give a Case or the input error, nothing else -------------

_RAW = read_raw(DEFAULT_CASE)
_CELLS = [(name, i, j) for name, s in _RAW.sheets.items()
          for i in range(len(s.rows)) for j in range(len(s.header))]

cell_values = st.one_of(
    st.none(), st.text(max_size=12), st.integers(-10**6, 10**7),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["huangpu", "combined", "35", "fcev", "2025", "=A1", "", " ", "1e9", "nan"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(_CELLS), cell_values), min_size=1, max_size=4),
       scenario=st.sampled_from([None, "subsidy-exit", "green-hydrogen"]))
def test_random_cell_edits_give_case_or_input_error(edits, scenario):
    raw = copy.deepcopy(_RAW)
    for (name, i, j), value in edits:
        row = raw.sheets[name].rows[i]
        row.extend([None] * (j + 1 - len(row)))
        row[j] = value
    try:
        case = case_from_raw(raw, scenario)
    except InputError as exc:
        assert exc.problems and all(p.rule for p in exc.problems)
    else:
        assert len(case["Stations"]) > 0


def test_csv_errors_point_at_line(tmp_path):
    shutil.copytree(CSV_MIRROR, tmp_path / "gz")
    f = tmp_path / "gz" / "Modules.csv"
    lines = f.read_text().splitlines()
    parts = lines[1].split(",")
    parts[1] = "huge"
    lines[1] = ",".join(parts)
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"gz › Modules!B2 \(capacity_kg_per_day\): found 'huge'"):
        load_case(tmp_path / "gz")


def test_default_workbook_is_in_repository():
    assert Path(DEFAULT_CASE).is_file()


csv_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["500,5", "1,000", '"', 'a"b', "x\ny", "x\u2028y", "\u0085", "\x00", "1_000", "=SUM(A1)",
                     "huangpu", "35", "-1", "1e400", " 2025 "]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(sorted(p.stem for p in CSV_MIRROR.glob("*.csv"))),
                                st.integers(0, 30), st.integers(0, 12), csv_text), min_size=1, max_size=4))
def test_random_csv_edits_give_case_or_input_error(edits):
    # the same property on the CSV folder form: whatever a consultant types into a
    # cell (quotes, newlines, separators, NUL, locale numbers), a Case or InputError
    import csv
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "gz"
        shutil.copytree(CSV_MIRROR, folder)
        for sheet, i, j, value in edits:
            path = folder / f"{sheet}.csv"
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            if len(rows) < 2:
                continue
            r = rows[1 + i % (len(rows) - 1)]
            r[j % len(r)] = value
            with open(path, "w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows(rows)
        try:
            case = load_case(folder)
        except InputError as exc:
            assert exc.problems and all(p.rule for p in exc.problems)
        else:
            assert len(case["Stations"]) > 0
