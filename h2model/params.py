r"""The parameters layer: every number the engines read, as arrays built once from a Case.

A validated :class:`~h2model.inputs.case.Case` holds typed DataFrames and the params
sheets as dicts. :class:`Params` turns every numeric input of them -- each ``float``,
``int`` or ``flag`` column of a table sheet and each numeric key of a params sheet,
as the schema (:data:`h2model.inputs.schema.SHEETS`) types them -- into a float array
once, and the engines read numbers only through it:

- :meth:`Params.col` -- a column of a table sheet, ``(..., n_rows)``;
- :meth:`Params.par` -- a params-sheet value, a float or ``(...)`` with unit axes
  appended so it broadcasts against row arrays;
- :meth:`Params.by_year` -- a ``Prices`` column on calendar years.

Structure (ids, types, text, which rows exist) is read from the case's tables as
before (``params["Stations"]`` is the DataFrame); the numbers are not.

The draws axis
--------------
:meth:`Params.with_draws` returns the same parameters with some inputs replaced by
arrays that carry leading axes (Monte Carlo draws, sweep variants). Every engine that
reads through ``col``/``par``/``by_year`` then computes with those leading axes in
front of its own, with no change to its code: there is no separate "uncertain" path
and no hand-written list of drawable inputs. Any ``float`` input may be drawn
(:meth:`Params.drawable`); :attr:`Params.accessed` records which ones an engine actually
read, so a caller can tell the user that a drawn input does not reach the engines it
ran (:mod:`h2model.uncertainty` does).

Engines accept a :class:`Params` (or a Case, converted once by :func:`as_params`).

Examples
--------
>>> from h2model.inputs import load_case, DEFAULT_CASE
>>> p = Params.from_case(load_case(DEFAULT_CASE))
>>> p.par("Finance", "discount_rate")
0.08
>>> q = p.with_draws({("Finance", "discount_rate"): np.array([0.06, 0.1])})
>>> q.draws_shape, q.par("Finance", "discount_rate").shape
((2,), (2, 1))
>>> ("Finance", "discount_rate") in q.accessed
True
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .inputs.schema import KINDS, NUMERIC_KINDS, SHEETS

__all__ = ["KINDS", "NUMERIC_KINDS", "Params", "as_params"]

def _numbers(case) -> dict[tuple[str, str], np.ndarray]:
    """Every numeric input of the case as float arrays: ``(sheet, column)`` -> ``(n_rows,)``
    for table sheets, ``(sheet, key)`` -> 0-d for params sheets."""
    out: dict[tuple[str, str], np.ndarray] = {}
    for name, sheet in SHEETS.items():
        if sheet.kind == "params":
            vals = case.params.get(name, {})
            for c in sheet.params:
                v = vals.get(c.name)
                if c.kind in NUMERIC_KINDS and v is not None:
                    out[(name, c.name)] = np.asarray(float(v))
            continue
        df = case.tables.get(name)
        if df is None:
            continue
        for c in sheet.columns:
            if c.kind in NUMERIC_KINDS and c.name in df.columns:
                a = pd.to_numeric(df[c.name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                a.flags.writeable = False
                out[(name, c.name)] = a
    return out


class Params:
    """The numeric inputs of one case (and scenario) as arrays, with optional draws.

    Build with :meth:`from_case` (once per run); derive drawn variants with
    :meth:`with_draws`. Reads of structure go to the case's tables
    (``params[sheet]``, :attr:`params`, :attr:`finance`, :attr:`years`), reads of
    numbers through :meth:`col`, :meth:`par` and :meth:`by_year`.

    Attributes
    ----------
    case : h2model.inputs.case.Case
        The validated case: structure, text and the base values.
    draws : dict
        Drawn inputs, ``(sheet, column or key)`` -> array whose trailing axis is the
        sheet's rows (table sheets) or which has only draws axes (params sheets).
    accessed : set
        ``(sheet, column or key)`` of every numeric input read so far.
    """

    def __init__(self, case, numbers: Mapping[tuple[str, str], np.ndarray] | None = None,
                 draws: Mapping[tuple[str, str], np.ndarray] | None = None):
        self.case = case
        self._numbers = dict(_numbers(case) if numbers is None else numbers)
        self.draws = dict(draws or {})
        self.accessed: set[tuple[str, str]] = set()
        shapes = [self._draw_shape(k, v) for k, v in self.draws.items()]
        self.draws_shape = np.broadcast_shapes(*shapes) if shapes else ()

    @classmethod
    def from_case(cls, case) -> Params:
        """The case's numeric inputs as arrays (no draws)."""
        return cls(case)

    # -- the case's structure -------------------------------------------------------------

    def __getitem__(self, sheet: str) -> pd.DataFrame:
        """The case's table of a sheet (structure and base values)."""
        return self.case.tables[sheet]

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The case's tables by sheet name."""
        return self.case.tables

    @property
    def params(self) -> dict[str, dict[str, float]]:
        """The case's params sheets (base values)."""
        return self.case.params

    @property
    def finance(self) -> dict[str, float]:
        """The Finance sheet (base values)."""
        return self.case.finance

    @property
    def years(self) -> np.ndarray:
        """Analysis years of the case."""
        return self.case.years

    @property
    def price_year(self) -> int:
        """Price year of every CNY amount."""
        return self.case.price_year

    @property
    def name(self) -> str:
        """Case name."""
        return self.case.name

    # -- numbers ----------------------------------------------------------------------------

    def inputs(self) -> frozenset[tuple[str, str]]:
        """Every numeric input the engines can read: ``(sheet, column or key)``."""
        return frozenset(self._numbers)

    def drawable(self) -> frozenset[tuple[str, str]]:
        """The inputs that can be drawn: the ``float`` ones (counts, years and flags
        shape the arrays or switch rules, so they cannot vary along a draws axis)."""
        return frozenset(k for k in self._numbers if KINDS.get(k) == "float")

    def _draw_shape(self, key, value) -> tuple[int, ...]:
        if key not in self._numbers:
            raise KeyError(f"{key[0]}.{key[1]} is not a numeric input of the case")
        if KINDS.get(key) != "float":
            raise KeyError(f"{key[0]}.{key[1]} is a whole number ({KINDS.get(key)}) and cannot be drawn")
        base = self._numbers[key]
        v = np.asarray(value)
        if base.ndim and (v.ndim == 0 or v.shape[-1] != base.shape[-1]):
            raise ValueError(f"{key[0]}.{key[1]}: drawn array {v.shape} must end with the sheet's "
                             f"{base.shape[-1]} rows")
        return v.shape[:v.ndim - base.ndim]

    def with_draws(self, draws: Mapping[tuple[str, str], np.ndarray]) -> Params:
        """The same parameters with ``draws`` replacing (or adding to) the drawn inputs.

        Parameters
        ----------
        draws : mapping
            ``(sheet, column)`` -> array ``(..., n_rows)`` or ``(sheet, key)`` ->
            array ``(...)``; the leading axes of all of them broadcast together and
            lead every engine output.

        Returns
        -------
        Params
            Shares the base arrays; its :attr:`accessed` starts empty.
        """
        return Params(self.case, self._numbers, {**self.draws, **draws})

    def col(self, sheet: str, column: str) -> np.ndarray:
        """A numeric column of a table sheet, ``(..., n_rows)`` (drawn, or the case's)."""
        key = (sheet, column)
        self.accessed.add(key)
        if key in self.draws:
            return np.asarray(self.draws[key], dtype=float)
        return self._numbers[key]

    def par(self, sheet: str, key: str, trailing: int = 1):
        """A params-sheet value: the case's float, or its draws ``(...)`` with
        ``trailing`` unit axes appended so that they broadcast against row arrays."""
        k = (sheet, key)
        self.accessed.add(k)
        if k in self.draws:
            v = np.asarray(self.draws[k], dtype=float)
            return v.reshape(v.shape + (1,) * trailing)
        return float(self._numbers[k])

    def price_rows(self, years) -> np.ndarray:
        """Row of ``Prices`` (sheet order) holding each year, clamped to the sheet's years."""
        py_all = self.case.tables["Prices"]["year"].to_numpy(np.int64)
        order = np.argsort(py_all, kind="stable")
        py = py_all[order]
        y = np.clip(np.asarray(years, dtype=np.int64), py[0], py[-1])
        idx = np.searchsorted(py, y)
        if not np.array_equal(py[idx], y):
            raise ValueError(f"Prices: year(s) missing between {py[0]} and {py[-1]}")
        return order[idx]

    def by_year(self, column: str, years) -> np.ndarray:
        """A ``Prices`` column on calendar years (clamped to the sheet's years),
        ``(..., *years.shape)``."""
        return self.col("Prices", column)[..., self.price_rows(years)]


def as_params(case_or_params) -> Params:
    """``case_or_params`` if it is a :class:`Params`, else :meth:`Params.from_case` of it."""
    if isinstance(case_or_params, Params):
        return case_or_params
    return Params.from_case(case_or_params)
