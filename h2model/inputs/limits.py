"""Input limits: how large an input may be, checked before it is parsed.

Every limit lives here, once, with the reason for its value. They are generous for
real cases (the Guangzhou workbook is 0.14 MB, its largest sheet 712 rows, no cell over
300 characters) and stop a small hostile or broken file from exhausting the machine:
a zip member that inflates to gigabytes, millions of shared strings or rows, or a
rollout that expands to more vehicles than memory holds. An input beyond a limit is
refused with a located :class:`~h2model.inputs.errors.InputError` naming the limit.

A limit can be raised for one run with the environment variable
``H2MODEL_LIMIT_<NAME>`` (e.g. ``H2MODEL_LIMIT_MAX_VEHICLES=20000000``), at the cost of
the time and memory the reason states.

>>> limit("MAX_CELL_CHARS")
32767
>>> max_rows("Stations") < max_rows("Vehicles")
True
"""

from __future__ import annotations

import os
from typing import NamedTuple


class Limit(NamedTuple):
    """One input limit: its value, unit and why it is set there."""

    value: float
    unit: str
    reason: str


LIMITS: dict[str, Limit] = {
    "MAX_FILE_BYTES": Limit(
        100_000_000, "bytes",
        "input file (workbook or one CSV) on disk; the Guangzhou workbook is 0.14 MB"),
    "MAX_PART_BYTES": Limit(
        200_000_000, "bytes",
        "one member of the workbook zip (a sheet, the shared strings) once inflated: the"
        " reader holds a sheet's cells in memory, about 10x its XML size"),
    "MAX_TOTAL_BYTES": Limit(
        400_000_000, "bytes", "all members of the workbook zip together, once inflated"),
    "MAX_COMPRESSION_RATIO": Limit(
        200, "x",
        "inflated / compressed size of a zip member over 1 MB; real sheets compress 4-20x, a zip"
        " bomb thousands of times"),
    "MAX_SHARED_STRINGS": Limit(
        1_000_000, "strings",
        "distinct texts of a workbook (shared strings), all loaded before the first sheet is read"),
    "MAX_CELL_CHARS": Limit(32_767, "characters", "text in one cell: Excel's own limit"),
    "MAX_COLUMNS": Limit(
        200, "columns", "columns read per sheet; the widest sheet of the schema has 18"),
    "MAX_ROWS": Limit(
        20_000, "rows",
        "data rows of a sheet not listed below: each row is typed and checked one by one"),
    "MAX_ROWS_STATIONS": Limit(
        5_000, "rows",
        "Stations rows: every site is a set of integer variables of the network plan per year, and"
        " station distances are a sites x demand-nodes matrix"),
    "MAX_ROWS_VEHICLES": Limit(
        500_000, "rows", "Vehicles register rows (one per vehicle)"),
    "MAX_VEHICLES": Limit(
        5_000_000, "vehicles",
        "vehicles the Fleet rollout expands to over the horizon (first stock plus every purchase):"
        " the model keeps one row per vehicle, about 300 bytes of memory each at peak (measured: 1.45 GB"
        " for 4.8 million vehicles in the fleet engine, 0.47 GB for a whole run with 0.97 million)"),
}

#: Sheets with their own row limit (``MAX_ROWS_<SHEET>``); the rest have ``MAX_ROWS``.
_SHEET_ROW_LIMITS = {"Stations": "MAX_ROWS_STATIONS", "Vehicles": "MAX_ROWS_VEHICLES"}

_ENV_PREFIX = "H2MODEL_LIMIT_"


def limit(name: str) -> int:
    """The limit ``name`` (a key of :data:`LIMITS`), raised by ``H2MODEL_LIMIT_<NAME>`` if set.

    A set variable that is not a positive whole number is ignored.
    """
    env = os.environ.get(_ENV_PREFIX + name, "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return int(LIMITS[name].value)


def max_rows(sheet: str) -> int:
    """Most data rows (header excluded) allowed on ``sheet``."""
    return limit(_SHEET_ROW_LIMITS.get(sheet, "MAX_ROWS"))


def row_limit_name(sheet: str) -> str:
    """Name of the limit that applies to ``sheet``'s rows (for messages)."""
    return _SHEET_ROW_LIMITS.get(sheet, "MAX_ROWS")


def over(name: str, found: float, what: str) -> str:
    """The rule text for a value beyond limit ``name``.

    >>> over("MAX_CELL_CHARS", 40000, "the text")[:60]
    'the text is 40,000 characters; the limit is 32,767 character'
    """
    lim = LIMITS[name]
    return (f"{what} is {found:,.0f} {lim.unit}; the limit is {limit(name):,} {lim.unit}"
            f" ({name}: {lim.reason}; raise it with {_ENV_PREFIX}{name})")


def readme_rows() -> list[tuple[str, str, str]]:
    """``(name, value with unit, reason)`` of every limit, for the workbook README sheet."""
    return [(name, f"{limit(name):,} {lim.unit}", lim.reason) for name, lim in LIMITS.items()]
