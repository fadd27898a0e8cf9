"""Raw sheets: cell values as found, with their Excel locations.

Both readers (:mod:`.workbook`, :mod:`.csvdir`) produce a :class:`RawCase`; scenario
overrides edit it; validation turns it into a typed :class:`~h2model.inputs.case.Case`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from .errors import Problem
from .limits import limit, over


@dataclass
class RawSheet:
    """One sheet as read: a header and data rows.

    ``row_numbers[i]`` is the Excel row (or CSV line) of ``rows[i]``; the header is
    row 1. ``origins`` maps ``(i, column_index)`` of a cell changed by a scenario
    override to the Scenarios cell that set it.
    """

    name: str
    header: list[str]
    rows: list[list[object]]
    row_numbers: list[int]
    origins: dict[tuple[int, int], str] = field(default_factory=dict)

    def col_index(self, name: str) -> int | None:
        try:
            return self.header.index(name)
        except ValueError:
            return None

    def cell_ref(self, i: int, j: int) -> str:
        """Excel reference of data row ``i``, column ``j`` (e.g. ``"E12"``), with the
        scenario override that set it, if any."""
        ref = f"{get_column_letter(j + 1)}{self.row_numbers[i]}"
        origin = self.origins.get((i, j))
        return f"{ref} (set by {origin})" if origin else ref

    def value(self, i: int, j: int) -> object:
        row = self.rows[i]
        return row[j] if j < len(row) else None


@dataclass
class RawCase:
    """All sheets of one input, before validation."""

    display_name: str
    path: Path
    sha256: str
    sheets: dict[str, RawSheet]
    problems: list[Problem] = field(default_factory=list)
    #: Remarks that do not stop the run (e.g. sheets not in the schema, not read).
    notes: list[str] = field(default_factory=list)


def clean_header(values) -> list[str]:
    """Header cells as stripped strings, trailing blanks removed."""
    header = ["" if v is None else str(v).strip() for v in values]
    while header and header[-1] == "":
        header.pop()
    return header


def is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def cell_rule(v: object) -> str | None:
    """The rule a cell's text breaks as read, or None: longer than ``MAX_CELL_CHARS``, or
    holding control characters (NUL and the like, which no workbook can store).

    >>> cell_rule("ok\\nline two") is None
    True
    >>> cell_rule("a\\x00b")
    'holds a control character (U+0000 at position 2): delete it or retype the text'
    """
    if not isinstance(v, str):
        return None
    if len(v) > limit("MAX_CELL_CHARS"):
        return over("MAX_CELL_CHARS", len(v), "the text")
    m = ILLEGAL_CHARACTERS_RE.search(v)
    if m:
        return (f"holds a control character (U+{ord(m.group()):04X} at position {m.start() + 1}):"
                " delete it or retype the text")
    return None


def cell_problems(values, sheet: str, row: int, book: str, header=None) -> list[Problem]:
    """Problems for the cells of Excel row (or CSV line) ``row`` that break :func:`cell_rule`."""
    out = []
    for j, v in enumerate(values):
        rule = cell_rule(v)
        if rule:
            column = header[j] if header is not None and j < len(header) else None
            out.append(Problem(book, sheet, f"{get_column_letter(j + 1)}{row}", shown(v), rule, column))
    return out


def shown(v: object, width: int = 60) -> object:
    """A cell value short enough to print in a message (long text is cut, with its length).

    >>> shown("x" * 100, 10)
    "'xxxxxxxxxx' ... (100 characters)"
    """
    if isinstance(v, str) and len(v) > width:
        return f"{v[:width]!r} ... ({len(v):,} characters)"
    return v


# Thousands grouping as written in English and Chinese: 1,234 or 12,345,678.9 (groups of 3).
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_number(text: str) -> tuple[float | None, str | None]:
    """A number typed as text; return (value, None) or (None, the rule it breaks).

    Commas are read only as thousands separators in groups of three (``1,234.5``);
    any other comma (``500,5``, ``1,5``, ``1.234,5``) may be a decimal comma and is
    refused rather than guessed at. Python-only forms (``1_000``) are refused too.

    >>> parse_number("12,345.5"), parse_number(" 1e3 ")
    ((12345.5, None), (1000.0, None))
    >>> parse_number("500,5")[1]
    "ambiguous comma in '500,5': write the number with a decimal point and no separators (e.g. 500.5 or 5005)"
    >>> parse_number("abc")
    (None, None)
    """
    s = text.strip()
    if "," in s:
        if not _GROUPED.fullmatch(s):
            example = s.replace(".", "").replace(",", ".", 1) if s.count(",") == 1 else "1234.5"
            alt = s.replace(",", "").replace(".", "")
            hint = f"e.g. {example} or {alt}" if s.count(",") == 1 and alt.lstrip("+-").isdigit() \
                else "e.g. 1234.5"
            return None, (f"ambiguous comma in {s!r}: write the number with a decimal point and no"
                          f" separators ({hint})")
        s = s.replace(",", "")
    if "_" in s:
        return None, None
    try:
        return float(s), None
    except ValueError:
        return None, None
