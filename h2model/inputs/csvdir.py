"""Read and write a case as a folder of CSV files, one per sheet (``<Sheet>.csv``).

A CSV folder holds the same sheets as the workbook so that input changes can be
reviewed as text diffs. Line numbers play the part of Excel rows (the header is
line 1), so error messages point the same way in both forms.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from pathlib import Path

from .errors import InputError, Problem
from .raw import RawCase, RawSheet, clean_header, is_blank


def read_csv_dir(path: Path) -> RawCase:
    """Read every ``*.csv`` of a folder into a :class:`RawCase` (read-only)."""
    path = Path(path)
    files = sorted(path.glob("*.csv"))
    if not files:
        raise InputError([Problem(path.name, None, None, None,
                                  "folder holds no .csv files (one per sheet expected)")])
    digest = hashlib.sha256()
    raw = RawCase(path.name, path, "", {})
    for f in files:
        data = f.read_bytes()
        digest.update(f.name.encode() + b"\0" + data + b"\0")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raw.problems.append(Problem(path.name, f.stem, None, None,
                                        "file is not UTF-8 text: save it as 'CSV UTF-8'"))
            continue
        rows = list(csv.reader(text.splitlines()))
        header = clean_header(rows[0]) if rows else []
        data_rows, numbers = [], []
        for n, row in enumerate(rows[1:], start=2):
            vals = [None if is_blank(v) else v for v in row[: len(header)]]
            if all(v is None for v in vals):
                continue
            data_rows.append(vals)
            numbers.append(n)
        raw.sheets[f.stem] = RawSheet(f.stem, header, data_rows, numbers)
    raw.sha256 = digest.hexdigest()
    return raw


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
