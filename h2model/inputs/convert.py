"""Type CSV text as Excel numbers where the schema says a column is numeric."""

from __future__ import annotations

import copy

from .raw import RawCase
from .schema import SHEETS, Column


def _number(v: object, col: Column) -> object:
    if not isinstance(v, str) or col.kind == "str":
        return v
    try:
        x = float(v)
    except ValueError:
        return v  # left as text: validation reports it
    if col.kind in ("int", "flag") and x.is_integer():
        return int(x)
    return x


def typed_for_excel(raw: RawCase) -> RawCase:
    """A copy of ``raw`` whose numeric cells are numbers, not text.

    >>> from h2model.inputs.raw import RawCase, RawSheet
    >>> r = RawCase("x", None, "", {"Modules": RawSheet("Modules",
    ...     ["module_id", "capacity_kg_per_day", "source_key"], [["m1", "500.0", "s"]], [2])})
    >>> typed_for_excel(r).sheets["Modules"].rows
    [['m1', 500.0, 's']]
    """
    out = copy.deepcopy(raw)
    for name, sheet in out.sheets.items():
        schema = SHEETS.get(name)
        if schema is None:
            continue
        cols = {c.name: c for c in schema.columns}
        kj = sheet.col_index("key") if schema.kind == "params" else None
        for row in sheet.rows:
            for j, h in enumerate(sheet.header):
                if j >= len(row):
                    break
                col = cols.get(h)
                if schema.kind == "params" and h == "value" and kj is not None:
                    try:
                        col = schema.column(str(row[kj]))
                    except KeyError:
                        col = None
                if col is not None:
                    row[j] = _number(row[j], col)
    return out
