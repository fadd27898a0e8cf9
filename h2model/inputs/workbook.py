"""Read and write the input workbook (.xlsx).

Reading never writes: the file's bytes are read once into memory (which also gives
the input hash) and parsed from there. Writing builds a consultant-friendly workbook
from raw sheets and the schema: a generated README sheet, frozen header rows, fitted
column widths, drop-downs for categorical columns and range checks with an input
message giving unit and allowed range.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from .errors import InputError, Problem
from .raw import RawCase, RawSheet, clean_header, is_blank
from .schema import SHEET_ORDER, SHEETS, Column

README_SHEET = "README"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def read_workbook(path: Path) -> RawCase:
    """Read every sheet of a workbook into a :class:`RawCase` (read-only).

    Formula cells are taken at their cached value; a formula with no cached value
    (a workbook written by a program and never opened in Excel) is a problem.
    """
    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(name, None, None, None, f"cannot be read: {exc.strerror}")]) from None
    sha = hashlib.sha256(data).hexdigest()
    try:
        values_wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas_wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        rule = (
            "is not an Excel workbook (.xlsx) or is corrupt; save it from Excel as"
            f" 'Excel Workbook (*.xlsx)' ({type(exc).__name__})"
        )
        raise InputError([Problem(name, None, None, None, rule)]) from None
    raw = RawCase(name, path, sha, {})
    try:
        for ws in values_wb.worksheets:
            if ws.title == README_SHEET:
                continue
            fws = formulas_wb[ws.title]
            rows = list(ws.iter_rows(values_only=True))
            frows = list(fws.iter_rows(values_only=True))
            raw.sheets[ws.title] = _sheet_from_rows(ws.title, rows, frows, name, raw.problems)
    finally:
        values_wb.close()
        formulas_wb.close()
    return raw


def _sheet_from_rows(title, rows, frows, workbook_name, problems) -> RawSheet:
    header = clean_header(rows[0]) if rows else []
    data, numbers = [], []
    for r, (vals, fvals) in enumerate(zip(rows[1:], frows[1:], strict=False), start=2):
        vals = list(vals[: len(header)])
        if all(is_blank(v) for v in vals):
            continue
        for j, (v, f) in enumerate(zip(vals, fvals, strict=False)):
            if v is None and isinstance(f, str) and f.startswith("="):
                problems.append(Problem(
                    workbook_name, title, f"{get_column_letter(j + 1)}{r}", f,
                    "formula cell has no cached value: open the workbook in Excel and save it,"
                    " or type the value", header[j] if j < len(header) else None,
                ))
        data.append(vals)
        numbers.append(r)
    return RawSheet(title, header, data, numbers)


def _validation_for(col: Column, list_ranges: dict[str, str]) -> DataValidation | None:
    prompt = col.rule()
    if col.unit:
        prompt = f"Unit: {col.unit}. {prompt}"
    prompt = prompt[:250]
    title = col.name[:32]
    if col.choices:
        formula = '"' + ",".join(str(c) for c in col.choices) + '"'
        dv = DataValidation(type="list", formula1=formula, allow_blank=not col.required)
    elif col.ref and col.ref in list_ranges:
        dv = DataValidation(type="list", formula1=list_ranges[col.ref], allow_blank=not col.required)
    elif col.kind in ("int", "flag", "float") and (col.min is not None or col.max is not None):
        kind = "decimal" if col.kind == "float" else "whole"
        lo = col.min if col.min is not None else -1e15
        hi = col.max if col.max is not None else 1e15
        dv = DataValidation(type=kind, operator="between", formula1=f"{lo:g}", formula2=f"{hi:g}",
                            allow_blank=not col.required)
    else:
        dv = DataValidation(allow_blank=True)
    dv.promptTitle = title
    dv.prompt = prompt
    dv.showInputMessage = True
    dv.errorTitle = f"{col.name}: not allowed"[:32]
    dv.error = prompt
    dv.showErrorMessage = True
    return dv


def write_workbook(raw: RawCase, out: Path) -> None:
    """Write raw sheets to ``out`` as a formatted workbook with a README sheet.

    Values are written as they are (numbers as numbers); sheets and columns that the
    schema does not know are kept as they are, after the known ones.
    """
    wb = Workbook()
    readme = wb.active
    readme.title = README_SHEET
    _write_readme(readme)
    names = [s for s in SHEET_ORDER if s in raw.sheets] + [s for s in raw.sheets if s not in SHEETS]
    # ranges of id columns, for drop-downs that list another sheet's rows
    list_ranges: dict[str, str] = {}
    for name in names:
        sheet = raw.sheets[name]
        for j, h in enumerate(sheet.header):
            last = max(len(sheet.rows) + 1, 2)
            letter = get_column_letter(j + 1)
            list_ranges[f"{name}.{h}"] = f"{quote_sheetname(name)}!${letter}$2:${letter}${last}"
    for name in names:
        sheet = raw.sheets[name]
        ws = wb.create_sheet(name)
        schema = SHEETS.get(name)
        ws.append(sheet.header)
        for row in sheet.rows:
            ws.append([_excel_value(v) for v in row])
        ws.freeze_panes = "A2"
        for j, h in enumerate(sheet.header, start=1):
            cell = ws.cell(row=1, column=j)
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            width = max([len(str(h))] + [len(str(r[j - 1])) for r in sheet.rows if j - 1 < len(r)
                                          and r[j - 1] is not None])
            ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
            if schema is None:
                continue
            col = _schema_column(schema, h)
            if col is None:
                continue
            cell.comment = Comment(f"{col.description}\nUnit: {col.unit or '-'}\n{col.rule()}", "h2model")
            dv = _validation_for(col, list_ranges)
            if schema.kind == "params" and h == "value":
                continue  # each params row has its own range: checked on load
            if dv is not None:
                letter = get_column_letter(j)
                dv.add(f"{letter}2:{letter}{max(len(sheet.rows) + 200, 300)}")
                ws.add_data_validation(dv)
        if schema is not None and schema.kind == "params":
            _params_validations(ws, sheet, schema)
    tmp = out.with_name(f".{out.name}.tmp")
    wb.save(tmp)
    tmp.replace(out)


def _params_validations(ws, sheet: RawSheet, schema) -> None:
    """One range check per params row, on its value cell."""
    kj = sheet.col_index("key")
    vj = sheet.col_index("value")
    if kj is None or vj is None:
        return
    letter = get_column_letter(vj + 1)
    for i, row in enumerate(sheet.rows):
        key = row[kj] if kj < len(row) else None
        try:
            col = schema.column(str(key))
        except KeyError:
            continue
        if col in schema.columns:
            continue
        dv = _validation_for(col, {})
        dv.add(f"{letter}{sheet.row_numbers[i]}")
        ws.add_data_validation(dv)


def _schema_column(schema, header: str) -> Column | None:
    for c in schema.columns:
        if c.name == header:
            return c
    return None


def _excel_value(v):
    if isinstance(v, str):
        s = v.strip()
        return s
    return v


def _write_readme(ws) -> None:
    ws.append(["h2model input workbook: every sheet and field, with unit and allowed values."])
    ws.append(["Edit values in the sheets; keep the header row. Validate with:"
               " h2model validate <this file>. Blank rows are ignored."])
    ws.append([])
    ws.append(["sheet", "field", "type", "unit", "allowed", "required", "description", "VAT basis"])
    for c in ws[4]:
        c.font = Font(bold=True)
        c.fill = _HEADER_FILL
    for name in SHEET_ORDER:
        s = SHEETS[name]
        ws.append([name, "", s.kind + (" (optional)" if s.optional else ""), "", "", "", s.description])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        for c in s.columns + s.params:
            ws.append([name, c.name, c.kind, c.unit, c.rule(), "yes" if c.required else "no",
                       c.description, c.vat])
    ws.freeze_panes = "A5"
    for letter, width in zip("ABCDEFGH", (14, 34, 8, 22, 60, 9, 80, 40), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=5):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
        row[6].alignment = Alignment(wrap_text=True, vertical="top")
