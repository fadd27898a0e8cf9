"""Raw sheets: cell values as found, with their Excel locations.

Both readers (:mod:`.workbook`, :mod:`.csvdir`) produce a :class:`RawCase`; scenario
overrides edit it; validation turns it into a typed :class:`~h2model.inputs.case.Case`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from .errors import Problem


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


def clean_header(values) -> list[str]:
    """Header cells as stripped strings, trailing blanks removed."""
    header = ["" if v is None else str(v).strip() for v in values]
    while header and header[-1] == "":
        header.pop()
    return header


def is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")
