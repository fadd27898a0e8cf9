"""Hostile and broken inputs (issue 13): limits before parsing, located errors, no misreads.

Each test builds the bad input in ``tmp_path`` from the bundled case and checks that
loading it gives an :class:`InputError` naming workbook, sheet, cell, value and rule
(or, for the silent misreads, that the value and row number read are the right ones).
"""

from __future__ import annotations

import csv
import shutil
import zipfile

import pytest
from openpyxl import load_workbook

from h2model.cli import main
from h2model.fleet import fleet_from_case
from h2model.inputs import DEFAULT_CASE, InputError, load_case, read_raw
from h2model.inputs.limits import limit

CSV_MIRROR = DEFAULT_CASE.parent / "guangzhou"


# --- helpers ---------------------------------------------------------------------------

def csv_case(tmp_path, name="gz"):
    """A copy of the bundled CSV folder."""
    out = tmp_path / name
    shutil.copytree(CSV_MIRROR, out)
    return out


def read_rows(f):
    with open(f, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write_rows(f, rows):
    with open(f, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_csv(folder, sheet, i, column, value):
    """Set data row ``i`` (0-based, so CSV line i + 2 when no record spans lines) of a sheet."""
    f = folder / f"{sheet}.csv"
    rows = read_rows(f)
    rows[i + 1][rows[0].index(column)] = value
    write_rows(f, rows)


def rezip(src, dst, replace=None, add=None):
    """Copy a workbook's zip, replacing or adding members (name -> bytes)."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, replace.get(info.filename, zin.read(info.filename)))
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def sheet_member(title):
    """The zip member of a sheet of the bundled workbook (README is sheet1)."""
    wb = load_workbook(DEFAULT_CASE, read_only=True)
    k = wb.sheetnames.index(title) + 1
    wb.close()
    return f"xl/worksheets/sheet{k}.xml"


# --- 3. limits checked before parsing -----------------------------------------------------

def test_zip_bomb_member_refused_before_parsing(tmp_path):
    # 8 MB of one character deflates to about 8 kB: a ratio near 1000, beyond 200
    bomb = b'<sst xmlns="x"><si><t>' + b"a" * 8_000_000 + b"</t></si></sst>"
    wb = rezip(DEFAULT_CASE, tmp_path / "bomb.xlsx", add={"xl/sharedStrings.xml": bomb})
    with pytest.raises(InputError, match=rf"bomb\.xlsx: found 'xl/sharedStrings\.xml' — zip member"
                       rf" xl/sharedStrings\.xml \({len(bomb):,} bytes inflated\) compression is [\d,]+ x;"
                       r" the limit is 200 x \(MAX_COMPRESSION_RATIO"):
        load_case(wb)


def test_oversized_member_refused(tmp_path, monkeypatch):
    # the limit set at the second-largest member's size: exactly the largest one is refused
    with zipfile.ZipFile(DEFAULT_CASE) as z:
        sizes = sorted(((i.file_size, i.filename) for i in z.infolist()), reverse=True)
    (size, member), (limit, _) = sizes[0], sizes[1]
    assert size > limit
    monkeypatch.setenv("H2MODEL_LIMIT_MAX_PART_BYTES", str(limit))
    with pytest.raises(InputError, match=rf"^1 problem in the input:\n  1\. guangzhou\.xlsx: found"
                       rf" '{member}' — zip member {member} is {size:,} bytes; the limit is {limit:,} bytes"
                       r" \(MAX_PART_BYTES"):
        load_case(DEFAULT_CASE)


def test_too_many_shared_strings_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("H2MODEL_LIMIT_MAX_SHARED_STRINGS", "10")
    sst = b'<sst xmlns="x" count="11">' + b"<si><t>x</t></si>" * 11 + b"</sst>"
    wb = rezip(DEFAULT_CASE, tmp_path / "strings.xlsx", add={"xl/sharedStrings.xml": sst})
    with pytest.raises(InputError, match=r"the shared-strings table is 11 strings; the limit is 10 strings"):
        load_case(wb)


def test_too_many_rows_refused_in_workbook_and_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("H2MODEL_LIMIT_MAX_ROWS_STATIONS", "60")
    n = len(read_rows(CSV_MIRROR / "Stations.csv")) - 1  # 100 data rows
    with pytest.raises(InputError, match=rf"guangzhou\.xlsx › Stations — the sheet's data \(rows after the"
                       rf" header\) is {n} rows; the limit is 60 rows \(MAX_ROWS_STATIONS"):
        load_case(DEFAULT_CASE)
    # the CSV reader stops at the first row beyond the limit (data row 61 is line 62)
    with pytest.raises(InputError, match=r"guangzhou › Stations — the sheet's data \(rows after the header;"
                       r" reading stopped at line 62\) is 61 rows; the limit is 60 rows"):
        load_case(CSV_MIRROR)
    with pytest.raises(InputError) as err:
        load_case(CSV_MIRROR)
    assert len(err.value.problems) == 1  # not also "sheet is missing"


def test_long_cell_text_is_located(tmp_path):
    folder = csv_case(tmp_path)
    set_csv(folder, "Stations", 3, "name", "x" * 40_000)  # line 5, column B
    with pytest.raises(InputError, match=r"gz › Stations!B5 \(name\): found"
                       r" \"'x+' \.\.\. \(40,000 characters\)\" — the text is 40,000 characters; the limit is"
                       r" 32,767 characters"):
        load_case(folder)


def test_fleet_expanding_beyond_memory_is_refused(tmp_path):
    folder = csv_case(tmp_path)
    set_csv(folder, "Fleet", 700, "fcev_in_service", "10000000")  # within the schema's 0 .. 10 million
    with pytest.raises(InputError, match=r"gz › Fleet \(fcev_in_service\): found \d+ — the vehicles"
                       r" the rollout expands to over 2020-2035 \(.*\) is [\d,]+ vehicles;"
                       r" the limit is 5,000,000 vehicles \(MAX_VEHICLES.*H2MODEL_LIMIT_MAX_VEHICLES\);"
                       r" about [\d.]+ GB"):
        load_case(folder)


def test_vehicle_count_of_the_check_is_what_the_fleet_engine_builds(monkeypatch):
    """The pre-check counts the vehicles the engine creates (two implementations agree)."""
    n = len(fleet_from_case(load_case(DEFAULT_CASE)).vehicles)
    monkeypatch.setenv("H2MODEL_LIMIT_MAX_VEHICLES", str(n - 1))
    with pytest.raises(InputError, match=rf"\) is {n:,} vehicles; the limit is {n - 1:,}"):
        load_case(DEFAULT_CASE)
    monkeypatch.setenv("H2MODEL_LIMIT_MAX_VEHICLES", str(n))
    load_case(DEFAULT_CASE)


def test_limit_env_override_ignores_nonsense(monkeypatch):
    monkeypatch.setenv("H2MODEL_LIMIT_MAX_CELL_CHARS", "-5")
    assert limit("MAX_CELL_CHARS") == 32_767
    monkeypatch.setenv("H2MODEL_LIMIT_MAX_CELL_CHARS", "40000")
    assert limit("MAX_CELL_CHARS") == 40_000


# --- 4. located errors instead of tracebacks ---------------------------------------------

def test_corrupt_sheet_in_valid_zip_is_located(tmp_path):
    member = sheet_member("Modules")
    wb = rezip(DEFAULT_CASE, tmp_path / "corrupt.xlsx",
               replace={member: b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                 b"<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>module_id"})
    with pytest.raises(InputError, match=rf"corrupt\.xlsx › Modules — sheet cannot be read: its part"
                       rf" {member} is corrupt \(no element found: line 1, column \d+\)"):
        load_case(wb)


def test_renamed_key_header_on_overridden_params_sheet(tmp_path):
    folder = csv_case(tmp_path)
    rows = read_rows(folder / "Network.csv")
    rows[0][0] = "name"
    write_rows(folder / "Network.csv", rows)
    with pytest.raises(InputError) as err:
        load_case(folder, "baseline")  # baseline overrides Network keys
    text = str(err.value)
    assert "gz › Scenarios!D18 (key): found 'enforce_station_target' — Network has no 'key' column" in text
    assert "gz › Network!row 1 (key) — column 'key' is missing from the header row" in text


def test_csv_field_beyond_csv_module_limit_is_located(tmp_path):
    folder = csv_case(tmp_path)
    set_csv(folder, "Modules", 1, "module_id", "m" * 200_000)  # data row 2: line 3
    with pytest.raises(InputError, match=r"gz › Modules!row 3 — a cell of this record holds more than"
                       r" 131,072 characters; the limit is 32,767"):
        load_case(folder)


def test_cli_validate_prints_no_traceback_for_corrupt_sheet(tmp_path, capsys):
    member = sheet_member("Modules")
    wb = rezip(DEFAULT_CASE, tmp_path / "corrupt.xlsx", replace={member: b"\x00garbage"})
    assert main(["validate", str(wb)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "corrupt.xlsx › Modules — sheet cannot be read" in err


# --- 5. validate refuses what run (or Monte Carlo) would -------------------------------------

@pytest.mark.parametrize("row, edits, match", [
    (3, {"low": "30", "high": "20"},                              # smr_cost, uniform, line 5
     r"Uncertainty!H5 \(high\): found 20\.0 — input 'smr_cost': uniform needs low <= high"),
    (11, {"high": "-0.3"},                                        # stack_replacement, lognormal, line 13
     r"Uncertainty!H13 \(high\): found -0\.3 — input 'stack_replacement': lognormal: high is the"
     r" standard deviation and must be >= 0"),
    (11, {"high": "50"},
     r"Uncertainty!H13 \(high\): found 50\.0 — input 'stack_replacement': lognormal draws between the 0\.1%"
     r" and 99\.9% quantiles run from 7\.88e-68 to 1\.27e\+67; factors must stay within 0 to 10"),
    (10, {"high": "0.5"},  # diesel_price normal(1, 0.5): 1 - 3.09 * 0.5 < 0
     r"Uncertainty!H12 \(high\): found 0\.5 — input 'diesel_price': normal draws between the 0\.1% and"
     r" 99\.9% quantiles run from -0\.545116 to 2\.54512; factors must stay within 0 to 10"),
    (5, {"low": "0.03", "mode": "0.08", "high": "0.6"},           # discount_rate, a value: Finance range
     r"Uncertainty!H7 \(high\): found 0\.6 — input 'discount_rate': triangular draws run from 0\.03 to 0\.6;"
     r" values must stay within the allowed range of discount_rate \(a number from 0 to 0\.3\)"),
    (0, {"sheet": "Scenarios", "column": "value"},                # uncertain_inputs' own check
     r"Uncertainty!B2 \(sheet\): found 'Scenarios' — input 'station_capex': sheet must be one of"),
    (0, {"sheet": "Stations", "column": "commissioning_year"},    # a year cannot be drawn
     r"Uncertainty!D2 \(column\): found 'commissioning_year' — input 'station_capex': "
     r"Stations.commissioning_year is not a number that can be drawn"),
])
def test_uncertainty_sheet_is_validated(tmp_path, row, edits, match, capsys):
    folder = csv_case(tmp_path)
    for column, value in edits.items():
        set_csv(folder, "Uncertainty", row, column, value)
    with pytest.raises(InputError, match=match):
        load_case(folder)
    assert main(["validate", str(folder)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_nul_byte_in_csv_text_is_refused_at_read(tmp_path):
    folder = csv_case(tmp_path)
    set_csv(folder, "Stations", 0, "name", "HRS\x00one")
    with pytest.raises(InputError, match=r"gz › Stations!B2 \(name\): found 'HRS\\x00one' — holds a control"
                       r" character \(U\+0000 at position 4\)"):
        load_case(folder)


# --- 6. silent misreads --------------------------------------------------------------------

def test_decimal_comma_is_refused_not_guessed(tmp_path):
    folder = csv_case(tmp_path)
    set_csv(folder, "Stations", 0, "capacity_kg_per_day", "500,5")
    with pytest.raises(InputError, match=r"gz › Stations!H2 \(capacity_kg_per_day\): found '500,5' —"
                       r" ambiguous comma in '500,5': write the number with a decimal point and no"
                       r" separators \(e\.g\. 500\.5 or 5005\)"):
        load_case(folder)


def test_thousands_grouping_in_threes_is_read(tmp_path):
    folder = csv_case(tmp_path)
    set_csv(folder, "Stations", 0, "capacity_kg_per_day", "1,000")
    assert load_case(folder)["Stations"]["capacity_kg_per_day"].iloc[0] == 1000.0


def test_multiline_field_keeps_newline_and_row_numbers(tmp_path):
    folder = csv_case(tmp_path)
    set_csv(folder, "Stations", 0, "name", "Two-line\nname")   # record on lines 2-3
    set_csv(folder, "Stations", 2, "capacity_kg_per_day", "huge")  # third record: line 2 + 1 + 2 = 5
    with pytest.raises(InputError, match=r"gz › Stations!H5 \(capacity_kg_per_day\): found 'huge'"):
        load_case(folder)
    set_csv(folder, "Stations", 2, "capacity_kg_per_day", "1000")
    raw = read_raw(folder)
    assert raw.sheets["Stations"].rows[0][1] == "Two-line\nname"
    assert raw.sheets["Stations"].row_numbers[:3] == [2, 4, 5]


def test_line_separator_does_not_split_records(tmp_path):
    folder = csv_case(tmp_path)
    set_csv(folder, "Stations", 0, "name", "a\u2028b\u2029c\x85d")
    set_csv(folder, "Stations", 1, "capacity_kg_per_day", "huge")
    with pytest.raises(InputError, match=r"gz › Stations!H3 \(capacity_kg_per_day\): found 'huge'"):
        load_case(folder)
    set_csv(folder, "Stations", 1, "capacity_kg_per_day", "1000")
    case = load_case(folder)
    assert case["Stations"]["name"].iloc[0] == "a\u2028b\u2029c\x85d"
    assert len(case["Stations"]) == len(read_rows(CSV_MIRROR / "Stations.csv")) - 1


def test_extra_sheet_with_unsaved_formula_is_ignored_with_note(tmp_path, capsys):
    wb = load_workbook(DEFAULT_CASE)
    notes = wb.create_sheet("Notes")
    notes.append(["remark", "sum"])
    notes.append(["check", "=SUM(A1:A9)"])  # written by a program: no cached value
    wb.save(tmp_path / "notes.xlsx")
    case = load_case(tmp_path / "notes.xlsx")
    assert case.notes == ["notes.xlsx › Notes: not a sheet of the schema; not read"]
    assert main(["validate", str(tmp_path / "notes.xlsx")]) == 0
    assert "note: notes.xlsx › Notes: not a sheet of the schema; not read" in capsys.readouterr().out
    # an export keeps the extra sheet (lossless)
    assert "Notes" in read_raw(tmp_path / "notes.xlsx", keep_unknown=True).sheets


def test_unsaved_formula_in_schema_sheet_says_open_and_save(tmp_path):
    wb = load_workbook(DEFAULT_CASE)
    wb["Modules"]["B3"] = "=B2*2"
    wb.save(tmp_path / "formula.xlsx")
    with pytest.raises(InputError, match=r"formula\.xlsx › Modules!B3 \(capacity_kg_per_day\): found"
                       r" '=B2\*2' — formula cell has no cached value: open the workbook in Excel and"
                       r" save it"):
        load_case(tmp_path / "formula.xlsx")


def test_workbook_readme_states_limits(tmp_path):
    from h2model.inputs import import_case
    import_case(CSV_MIRROR, tmp_path / "w.xlsx")
    wb = load_workbook(tmp_path / "w.xlsx", read_only=True)
    ws = wb["README"]
    rows = [r for r in ws.iter_rows(values_only=True) if r and r[0] == "limits"]
    text = " ".join(str(c) for r in ws.iter_rows(values_only=True) for c in r if c)
    wb.close()  # read-only workbooks hold the file open until closed
    assert (rows[-1][1], rows[-1][4]) == ("MAX_VEHICLES", "5,000,000 vehicles")
    assert "a factor (relative = 1) stays within 0 to 10" in text
