"""Scenario overrides: named edits of any input, applied before validation.

A scenario is a set of rows of the ``Scenarios`` sheet: ``sheet, key, column, value,
operation``. ``key`` names the rows to change:

* on a params sheet (``Finance``, ``Delivery``, ``Network``): the parameter key;
* on a table sheet: the row's id (several key columns joined with ``|``, e.g.
  ``bus_12m|fcev`` on ``Segments``), ``*`` for every row, or a filter
  ``column=value``.

``operation`` is ``set`` (default), ``scale`` (multiply) or ``add``; in whole-number
columns (vehicle counts, years) a scaled or added value is rounded to the nearest whole
number. Overrides are
applied to the raw cells, so the overridden values are validated like any other, and
a problem in one points at the Scenarios cell that set it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .errors import Problem
from .raw import RawCase, RawSheet, is_blank, parse_number
from .schema import SHEETS

AS_ENTERED = "as-entered"


@dataclass(frozen=True)
class ScenarioRow:
    scenario: str
    description: str
    sheet: str | None
    key: str | None
    column: str | None
    value: object
    operation: str
    row_number: int


def scenario_rows(raw: RawCase) -> list[ScenarioRow]:
    """The Scenarios sheet's rows as read (blank-tolerant; validation types them)."""
    sheet = raw.sheets.get("Scenarios")
    if sheet is None:
        return []
    idx = {h: sheet.col_index(h) for h in ("scenario", "description", "sheet", "key", "column",
                                            "value", "operation")}

    def get(i, name):
        j = idx[name]
        if j is None:
            return None
        v = sheet.value(i, j)
        return None if is_blank(v) else v

    out = []
    for i in range(len(sheet.rows)):
        def text(name, i=i):
            v = get(i, name)
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            return None if v is None else str(v).strip()
        out.append(ScenarioRow(
            text("scenario") or "", text("description") or "", text("sheet"), text("key"),
            text("column"), get(i, "value"), (text("operation") or "set"), sheet.row_numbers[i],
        ))
    return out


def scenario_names(raw: RawCase) -> list[str]:
    seen: list[str] = []
    for r in scenario_rows(raw):
        if r.scenario and r.scenario not in seen:
            seen.append(r.scenario)
    return seen


def apply_scenario(raw: RawCase, scenario: str | None) -> tuple[str, str, pd.DataFrame, list[Problem]]:
    """Apply ``scenario``'s overrides to ``raw`` in place.

    Returns the scenario name, its description, the table of applied overrides and
    the problems found (unknown scenario, sheet, column or row; non-numeric scale).
    """
    name = raw.display_name
    rows = scenario_rows(raw)
    names = scenario_names(raw)
    problems: list[Problem] = []
    log: list[dict] = []
    if scenario is None:
        # the inputs as entered: named after the scenario that overrides nothing, if any
        plain = [n for n in names if all(r.sheet is None for r in rows if r.scenario == n)]
        if len(plain) == 1:
            desc = next((r.description for r in rows if r.scenario == plain[0]), "")
            return plain[0], desc, pd.DataFrame(log), []
        return AS_ENTERED, "The case as entered in the workbook, no overrides.", pd.DataFrame(log), []
    if scenario not in names:
        problems.append(Problem(name, "Scenarios", None, scenario,
                                f"unknown scenario; scenarios are: {', '.join(names) or '(none)'}",
                                "scenario"))
        return scenario, "", pd.DataFrame(log), problems
    mine = [r for r in rows if r.scenario == scenario]
    description = next((r.description for r in mine if r.description), "")
    for r in mine:
        if r.sheet is None and r.column is None and r.key is None:
            continue  # declaration row
        loc = f"scenario '{scenario}' at Scenarios row {r.row_number}"

        def bad(col_letter, value, rule, column, r=r):
            problems.append(Problem(name, "Scenarios", f"{col_letter}{r.row_number}", value, rule,
                                    column))

        sheet = raw.sheets.get(r.sheet or "")
        if sheet is None or r.sheet == "Scenarios":
            bad("C", r.sheet, f"override names no sheet of the workbook ({', '.join(raw.sheets)})",
                "sheet")
            continue
        schema = SHEETS.get(r.sheet)
        col = r.column or ("value" if schema is not None and schema.kind == "params" else None)
        j = sheet.col_index(col) if col else None
        if j is None:
            bad("E", r.column, f"override names no column of {r.sheet} ({', '.join(sheet.header)})",
                "column")
            continue
        targets = _match_rows(sheet, schema, r.key)
        if isinstance(targets, str):
            bad("D", r.key, targets, "key")
            continue
        whole = schema is not None and col in schema.column_names and \
            schema.column(col).kind == "int"
        op = r.operation
        if op not in ("set", "scale", "add"):
            bad("G", op, "operation must be set, scale or add", "operation")
            continue
        if r.value is None and op != "set":
            bad("F", None, f"{op} needs a number", "value")
            continue
        for i in targets:
            old = sheet.value(i, j)
            if op == "set":
                new = r.value
            else:
                a, b = _number(old), _number(r.value)
                if a is None or b is None:
                    bad("F", r.value, f"{op} needs numbers; {r.sheet}!{sheet.cell_ref(i, j)} holds"
                        f" {old!r}", "value")
                    break
                new = a * b if op == "scale" else a + b
                if whole:
                    new = int(round(new))
            row = sheet.rows[i]
            if j >= len(row):
                row.extend([None] * (j + 1 - len(row)))
            row[j] = new
            sheet.origins[(i, j)] = loc
            log.append({"scenario": scenario, "sheet": r.sheet, "key": r.key, "column": col,
                        "excel_row": sheet.row_numbers[i], "old": _show(old), "new": _show(new),
                        "operation": op})
    return scenario, description, pd.DataFrame(log), problems


def _number(v) -> float | None:
    """A cell as a number for scale/add (the same reading as validation), or None."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return float(v)
    return parse_number(str(v))[0]


def _show(v) -> str:
    return "" if v is None else str(v)


def _match_rows(sheet: RawSheet, schema, key: str | None) -> list[int] | str:
    n = len(sheet.rows)
    if key is None or key == "":
        return "override needs a key: a row id, '*' or column=value"
    if key == "*":
        return list(range(n))
    if schema is not None and schema.kind == "params":
        kj = sheet.col_index("key")
        if kj is None:
            return f"{sheet.name} has no 'key' column in its header row (row 1), so no key can be found"
        hits = [i for i in range(n) if str(sheet.value(i, kj)).strip() == key]
        return hits or f"no row of {sheet.name} has key '{key}'"
    if "=" in key:
        col, _, want = key.partition("=")
        j = sheet.col_index(col.strip())
        if j is None:
            return f"filter column '{col.strip()}' is not a column of {sheet.name}"
        hits = [i for i in range(n) if _same(sheet.value(i, j), want.strip())]
        return hits or f"no row of {sheet.name} has {col.strip()} = {want.strip()}"
    if not sheet.header:
        return f"{sheet.name} has no header row"
    key_cols = list(schema.key) if schema is not None and schema.key else [sheet.header[0]]
    parts = [p.strip() for p in key.split("|")]
    if len(parts) != len(key_cols):
        return f"key must give {' | '.join(key_cols)}"
    js = [sheet.col_index(c) for c in key_cols]
    if any(j is None for j in js):
        return f"{sheet.name} lacks its key columns"
    hits = [i for i in range(n) if all(_same(sheet.value(i, j), p) for j, p in zip(js, parts,
                                                                                   strict=True))]
    return hits or f"no row of {sheet.name} has {' | '.join(key_cols)} = {key}"


def _same(cell, text: str) -> bool:
    if cell is None:
        return False
    if str(cell).strip() == text:
        return True
    try:
        return float(cell) == float(text)
    except (TypeError, ValueError):
        return False
