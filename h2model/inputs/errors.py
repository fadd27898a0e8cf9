"""Input errors that say where the problem is and what rule it breaks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in the input.

    Attributes
    ----------
    workbook : str
        File or folder name of the input.
    sheet : str or None
        Sheet (or CSV file stem) with the problem; None for a whole-file problem.
    cell : str or None
        Excel cell reference (``"E12"``), a column header (``"E1"``), or None.
    value : object
        The value found (None where nothing was found).
    rule : str
        The rule it breaks, in words a consultant can act on.
    column : str or None
        Column header (or params key) the cell belongs to.
    """

    workbook: str
    sheet: str | None
    cell: str | None
    value: object
    rule: str
    column: str | None = None

    def location(self) -> str:
        loc = self.workbook
        if self.sheet:
            loc += f" › {self.sheet}"
            if self.cell:
                loc += f"!{self.cell}"
        if self.column:
            loc += f" ({self.column})"
        return loc

    def __str__(self) -> str:
        found = "" if self.value is None else f": found {self.value!r}"
        return f"{self.location()}{found} — {self.rule}"


class InputError(ValueError):
    """All problems found in an input, raised together.

    >>> e = InputError([Problem("gz.xlsx", "Stations", "E12", "Huangpo", "must be a district")])
    >>> print(e)
    1 problem in the input:
      1. gz.xlsx › Stations!E12: found 'Huangpo' — must be a district
    >>> e.problems[0].cell
    'E12'
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        lines = [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        return "\n".join([head, *lines])

    def __str__(self) -> str:
        return self._message()
