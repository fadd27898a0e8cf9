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
import itertools
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from .errors import InputError, Problem
from .limits import limit, max_rows, over, readme_rows, row_limit_name
from .raw import RawCase, RawSheet, cell_problems, clean_header, is_blank
from .schema import SHEET_ORDER, SHEETS, Column

README_SHEET = "README"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def read_workbook(path: Path, keep_unknown: bool = False) -> RawCase:
    """Read the sheets of a workbook into a :class:`RawCase` (read-only).

    The zip directory is checked against the input limits (:mod:`.limits`) before any
    sheet is parsed: members too large once inflated or too highly compressed (zip
    bombs), too many shared strings or rows. Formula cells are taken at their cached
    value; a formula with no cached value (a workbook written by a program and never
    opened in Excel) is a problem. Sheets the schema does not know are not read (a
    note says so) unless ``keep_unknown`` (for a lossless export).
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > limit("MAX_FILE_BYTES"):
            raise InputError([Problem(name, None, None, None, over("MAX_FILE_BYTES", size, "the file"))])
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(name, None, None, None, f"cannot be read: {exc.strerror}")]) from None
    sha = hashlib.sha256(data).hexdigest()
    try:
        parts, formulas = check_zip(data, name, keep_unknown)
        values_wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas_wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False) if formulas else None
    except InputError:
        raise
    except _CORRUPT as exc:
        bad = _corrupt_parts(data, name)
        if bad:
            raise InputError(bad) from None
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
            if ws.title not in SHEETS and not keep_unknown:
                raw.notes.append(f"{name} › {ws.title}: not a sheet of the schema; not read")
                continue
            fws = formulas_wb[ws.title] if ws.title in formulas else None
            try:
                raw.sheets[ws.title] = _read_sheet(ws, fws, name, raw.problems)
            except _CORRUPT as exc:
                raw.problems.append(Problem(
                    name, ws.title, None, None,
                    f"sheet cannot be read: its part {parts.get(ws.title, '?')} is corrupt"
                    f" ({type(exc).__name__}); open the workbook in Excel, repair it and save it"))
    finally:
        values_wb.close()
        if formulas_wb is not None:
            formulas_wb.close()
    return raw


# What a corrupt zip member or sheet XML raises while it is read.
_CORRUPT = (zipfile.BadZipFile, zlib.error, EOFError, InvalidFileException, KeyError, IndexError,
            OSError, ValueError, TypeError, AttributeError, SyntaxError)  # ParseError is a SyntaxError

_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CHUNK = 1 << 20


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> zip member of its XML, from ``xl/workbook.xml`` and its relations."""
    try:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    target = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for el in book.iter():
        if el.tag.endswith("}sheet"):
            t = target.get(el.get(f"{_NS_REL}id"), "")
            out[el.get("name", "")] = t.lstrip("/") if t.startswith("/") else f"xl/{t}"
    return out


def _count_tags(zf: zipfile.ZipFile, member: str, tags: tuple[bytes, ...]) -> list[int]:
    """How often each element opens in a member, streamed (``<t>``, ``<t ...``, ``<x:t``)."""
    pats = [(b"<" + t + b">", b"<" + t + b" ", b":" + t + b">", b":" + t + b" ") for t in tags]
    keep = max(len(t) for t in tags) + 2
    counts = [0] * len(tags)
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(_CHUNK):
            buf = tail + chunk
            for k, ps in enumerate(pats):
                counts[k] += sum(buf.count(p) - tail.count(p) for p in ps)
            tail = buf[-keep:]
    return counts


def _corrupt_parts(data: bytes, name: str) -> list[Problem]:
    """Sheets whose XML is not well formed (or cannot be inflated): one problem each."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        parts = _sheet_parts(zf)
    except _CORRUPT:
        return []
    out = []
    for title, member in parts.items():
        parser = expat.ParserCreate()
        try:
            with zf.open(member) as fh:
                while chunk := fh.read(_CHUNK):
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except (expat.ExpatError, *_CORRUPT) as exc:
            out.append(Problem(name, title, None, None,
                               f"sheet cannot be read: its part {member} is corrupt ({exc}); open the"
                               " workbook in Excel, repair it and save it"))
    return out


def check_zip(data: bytes, name: str, keep_unknown: bool = False) -> tuple[dict[str, str], set[str]]:
    """Check a workbook's zip directory and sheet sizes against the input limits, before parsing.

    Returns the zip member of each sheet and the sheets holding formulas. Raises
    :class:`InputError` naming the member (or sheet), its size and the limit broken.
    """
    zf = zipfile.ZipFile(io.BytesIO(data))
    parts = {}
    problems: list[Problem] = []
    total = 0
    for info in zf.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limit("MAX_PART_BYTES"):
            problems.append(Problem(name, None, None, info.filename,
                                    over("MAX_PART_BYTES", info.file_size, f"zip member {info.filename}")))
        elif info.file_size > _CHUNK and ratio > limit("MAX_COMPRESSION_RATIO"):
            problems.append(Problem(name, None, None, info.filename, over(
                "MAX_COMPRESSION_RATIO", ratio,
                f"zip member {info.filename} ({info.file_size:,} bytes inflated) compression")))
    if total > limit("MAX_TOTAL_BYTES"):
        problems.append(Problem(name, None, None, None,
                                over("MAX_TOTAL_BYTES", total, "the inflated workbook")))
    if problems:
        raise InputError(problems)
    parts = _sheet_parts(zf)
    members = set(zf.namelist())
    strings = "xl/sharedStrings.xml"
    if strings in members:
        (n,) = _count_tags(zf, strings, (b"si",))
        if n > limit("MAX_SHARED_STRINGS"):
            problems.append(Problem(name, None, None, strings,
                                    over("MAX_SHARED_STRINGS", n, "the shared-strings table")))
    formulas = set()
    for title, member in parts.items():
        if title == README_SHEET or member not in members or (title not in SHEETS and not keep_unknown):
            continue
        rows, f = _count_tags(zf, member, (b"row", b"f"))
        if rows - 1 > max_rows(title):
            problems.append(Problem(name, title, None, None, over(
                row_limit_name(title), rows - 1, "the sheet's data (rows after the header)")))
        if f:
            formulas.add(title)
    if problems:
        raise InputError(problems)
    return parts, formulas


def _read_sheet(ws, fws, workbook_name, problems) -> RawSheet:
    """One sheet streamed row by row: the header, then non-blank rows cut to its width."""
    title = ws.title
    ws.reset_dimensions()  # read every row present, whatever the stored dimension says
    rows = ws.iter_rows(max_col=limit("MAX_COLUMNS"), values_only=True)
    if fws is not None:
        fws.reset_dimensions()
        frows = fws.iter_rows(max_col=limit("MAX_COLUMNS"), values_only=True)
    else:
        frows = itertools.repeat(())
    first = next(rows, None)
    next(frows, None)
    header = clean_header(first) if first else []
    problems += cell_problems(header, title, 1, workbook_name)
    width = len(header)
    data, numbers = [], []
    for r, (vals, fvals) in enumerate(zip(rows, frows, strict=False), start=2):
        vals = list(vals[:width])
        if all(is_blank(v) for v in vals):
            continue
        for j, f in enumerate(fvals[:width]):
            if vals[j] is None and isinstance(f, str) and f.startswith("="):
                problems.append(Problem(
                    workbook_name, title, f"{get_column_letter(j + 1)}{r}", f,
                    "formula cell has no cached value: open the workbook in Excel and save it,"
                    " or type the value", header[j] if j < len(header) else None,
                ))
        problems += cell_problems(vals, title, r, workbook_name, header)
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
    ws.append([])
    ws.append(["limits", "", "", "", "", "", "Input sizes refused before reading (raise one with the"
               " environment variable H2MODEL_LIMIT_<NAME>)"])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    for lim, value, reason in readme_rows():
        ws.append(["limits", lim, "", "", value, "", reason])
    ws.freeze_panes = "A5"
    for letter, width in zip("ABCDEFGH", (14, 34, 8, 22, 60, 9, 80, 40), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=5):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
        row[6].alignment = Alignment(wrap_text=True, vertical="top")
