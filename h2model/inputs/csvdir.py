"""Read and write a case as a folder of CSV files, one per sheet (``<Sheet>.csv``).

A CSV folder holds the same sheets as the workbook so that input changes can be
reviewed as text diffs. Line numbers play the part of Excel rows (the header is
line 1), so error messages point the same way in both forms.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from pathlib import Path

from .errors import InputError, Problem
from .limits import limit, max_rows, over, row_limit_name
from .raw import RawCase, RawSheet, cell_problems, clean_header, is_blank
from .schema import SHEETS


def read_csv_dir(path: Path, keep_unknown: bool = False) -> RawCase:
    """Read the ``*.csv`` files of a folder into a :class:`RawCase` (read-only).

    Row numbers are physical lines: a record holding a quoted line break keeps the
    number of the line it starts on, and later records count every line. Records end
    only at a line break (``\\n``, ``\\r\\n`` or ``\\r``), never at U+2028 and the like.
    Files the schema does not know are not read (a note says so) unless ``keep_unknown``.
    """
    path = Path(path)
    files = sorted(path.glob("*.csv"))
    if not files:
        raise InputError([Problem(path.name, None, None, None,
                                  "folder holds no .csv files (one per sheet expected)")])
    big = [(f, f.stat().st_size) for f in files if f.stat().st_size > limit("MAX_FILE_BYTES")]
    if big:
        raise InputError([Problem(path.name, f.stem, None, None, over("MAX_FILE_BYTES", n, f"{f.name}"))
                          for f, n in big])
    digest = hashlib.sha256()
    raw = RawCase(path.name, path, "", {})
    for f in files:
        data = f.read_bytes()
        digest.update(f.name.encode() + b"\0" + data + b"\0")
        if f.stem not in SHEETS and not keep_unknown:
            raw.notes.append(f"{path.name} › {f.name}: not a sheet of the schema; not read")
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raw.problems.append(Problem(path.name, f.stem, None, None,
                                        "file is not UTF-8 text: save it as 'CSV UTF-8'"))
            continue
        sheet = _read_csv_text(text, f.stem, path.name, raw.problems)
        if sheet is None:  # beyond a limit or not CSV: stop here, saying why (not "sheet missing")
            raise InputError(raw.problems)
        raw.sheets[f.stem] = sheet
    raw.sha256 = digest.hexdigest()
    return raw


def _read_csv_text(text: str, stem: str, book: str, problems: list[Problem]) -> RawSheet | None:
    """One CSV file's text as a sheet, numbered by physical line; None if it cannot be read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    data_rows, numbers = [], []
    start = 1  # physical line on which the next record starts
    cap = max_rows(stem)
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                header = clean_header(row)
                problems += cell_problems(header, stem, line, book)
                continue
            vals = [None if is_blank(v) else v for v in row[: len(header)]]
            if all(v is None for v in vals):
                continue
            if len(data_rows) == cap:
                problems.append(Problem(book, stem, None, None, over(
                    row_limit_name(stem), cap + 1,
                    f"the sheet's data (rows after the header; reading stopped at line {line})")))
                return None
            problems += cell_problems(vals, stem, line, book, header)
            data_rows.append(vals)
            numbers.append(line)
    except csv.Error as exc:
        big = "field larger than field limit" in str(exc)
        rule = (f"a cell of this record holds more than {csv.field_size_limit():,} characters; the limit"
                f" is {limit('MAX_CELL_CHARS'):,} (MAX_CELL_CHARS)" if big else
                f"is not valid CSV ({exc}): check the quotes of this record")
        problems.append(Problem(book, stem, f"row {start}", None, rule))
        return None
    return RawSheet(stem, header or [], data_rows, numbers)


def format_csv_value(v: object) -> str:
    """A cell as CSV text that reads back to the same value.

    >>> format_csv_value(0.1), format_csv_value(3.0), format_csv_value(None)
    ('0.1', '3.0', '')
    """
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def write_csv_dir(raw: RawCase, out: Path) -> None:
    """Write every sheet of ``raw`` to ``out/<Sheet>.csv`` (atomically per file)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, sheet in raw.sheets.items():
        fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(sheet.header)
            for row in sheet.rows:
                cells = [format_csv_value(v) for v in row]
                w.writerow(cells + [""] * (len(sheet.header) - len(cells)))
        Path(tmp).replace(out / f"{name}.csv")
