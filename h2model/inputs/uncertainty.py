"""Uncertain inputs: the ``Uncertainty`` sheet resolved to the cells it perturbs.

Which inputs an Uncertainty row may name (:func:`drawable_inputs`), each row of the
``Uncertainty`` sheet as an :class:`UncertainInput` (its distribution, its quantile
function and the rows it matches) and :func:`uncertain_inputs`, which resolves and
checks the sheet, reporting bad rows as input errors at their cells, and
:func:`check_read`, which reports drawn inputs the engines did not read.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
from scipy import stats

from .errors import InputError, Problem
from .raw import RawSheet
from .scenarios import _match_rows
from .schema import DISTRIBUTIONS, KINDS, SHEETS
from .validate import distribution_rule

_LETTER = {"low": "F", "mode": "G", "high": "H"}


def _names(schema) -> set[str]:
    """Column names (table sheet) or keys (params sheet) of a sheet schema."""
    return {c.name for c in (schema.params if schema.kind == "params" else schema.columns)}


#: The Fleet input the Monte Carlo engine scales station sales and the vehicle budget by
#: (factors only; the fleet itself is the run's).
FLEET_INPUT = ("Fleet", "fcev_in_service")


def drawable_inputs(case) -> frozenset[tuple[str, str]]:
    """Inputs an Uncertainty row may name: every ``float`` input of the schema
    (:data:`h2model.inputs.schema.KINDS`; what :meth:`h2model.params.Params.drawable`
    accepts) that the case has, and :data:`FLEET_INPUT`.

    Whether the engines that ran actually read a drawn input is checked after the
    draws (:func:`check_read`), not listed by hand here.
    """
    has = {(s, c) for s, df in case.tables.items() for c in df.columns}
    has |= {(s, k) for s, d in case.params.items() for k in d}
    return frozenset(k for k, kind in KINDS.items() if kind == "float" and k in has) | {FLEET_INPUT}


# --- inputs ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class UncertainInput:
    """One row of the ``Uncertainty`` sheet, resolved to the cells it perturbs.

    Attributes
    ----------
    input_id, sheet, key, column : str
        As in the sheet (``column`` is ``value`` for params sheets).
    distribution : {"uniform", "triangular", "normal", "lognormal"}
        Distribution of the draw.
    low, mode, high : float
        Distribution parameters as in the sheet (see the module docstring); ``mode``
        is NaN unless triangular.
    relative : bool
        Draws are factors on the base values (True) or the values themselves.
    rows : numpy.ndarray of int
        Matched rows of a table sheet (sheet order); empty for a params sheet.
    base : numpy.ndarray
        Base values of the matched rows (one value for a params sheet), in the
        column's unit.
    row : int
        Row of the Uncertainty sheet (Excel numbering; 0 if not from a sheet).
    """

    input_id: str
    sheet: str
    key: str
    column: str
    distribution: str
    low: float
    mode: float
    high: float
    relative: bool
    rows: np.ndarray
    base: np.ndarray
    row: int = 0

    @property
    def is_params(self) -> bool:
        """Whether the input is a params-sheet key (Finance, Delivery)."""
        return SHEETS[self.sheet].kind == "params"

    @property
    def target(self) -> tuple[str, str]:
        """``(sheet, column)`` for a table sheet, ``(sheet, key)`` for a params sheet."""
        return (self.sheet, self.key) if self.is_params else (self.sheet, self.column)

    @property
    def base_value(self) -> float:
        """The unperturbed draw: 1 for a factor, else the base value (NaN if the
        matched rows differ)."""
        if self.relative:
            return 1.0
        b = np.unique(self.base)
        return float(b[0]) if len(b) == 1 else float("nan")

    def ppf(self, q) -> np.ndarray:
        r"""Quantile function: the draw (factor or value) at probability ``q``.

        Zero-width distributions (``low == high``, or a zero standard deviation) give
        their one value exactly.

        Parameters
        ----------
        q : array_like
            Probabilities in (0, 1).

        Returns
        -------
        numpy.ndarray
            Draws, shaped like ``q`` (factor, or the column's unit).

        Examples
        --------
        >>> u = UncertainInput("x", "Finance", "discount_rate", "value", "triangular",
        ...                    0.06, 0.08, 0.1, False, np.zeros(0, int), np.array([0.08]))
        >>> u.ppf([0.0, 0.5, 1.0]).round(4).tolist()
        [0.06, 0.08, 0.1]
        """
        q = np.asarray(q, dtype=float)
        lo, mode, hi = self.low, self.mode, self.high
        d = self.distribution
        if d in ("uniform", "triangular") and hi == lo:
            return np.full(q.shape, lo)
        if d in ("normal", "lognormal") and hi == 0:
            return np.full(q.shape, lo if d == "normal" else math.exp(lo))
        if d == "uniform":
            return stats.uniform.ppf(q, loc=lo, scale=hi - lo)
        if d == "triangular":
            return stats.triang.ppf(q, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        if d == "normal":
            return stats.norm.ppf(q, loc=lo, scale=hi)
        return stats.lognorm.ppf(q, hi, scale=math.exp(lo))


def _raw_sheet(name: str, df: pd.DataFrame) -> RawSheet:
    """A typed table as a raw sheet, for the Scenarios row matcher."""
    obj = df.astype(object).where(df.notna(), None)
    return RawSheet(name, list(df.columns), obj.to_numpy().tolist(), list(range(2, len(df) + 2)))


def uncertain_inputs(case) -> list[UncertainInput]:
    """The ``Uncertainty`` sheet resolved to the inputs it perturbs.

    Parameters
    ----------
    case : h2model.inputs.case.Case
        Reads ``Uncertainty`` and the sheets it names.

    Returns
    -------
    list of UncertainInput
        In sheet order.

    Raises
    ------
    InputError
        Every problem at once, each located at its Uncertainty cell: unknown sheet,
        column or key; a key matching no row; an input that cannot be drawn (not a
        ``float`` input, :func:`drawable_inputs`); inconsistent distribution
        parameters.
    """
    unc = case.tables.get("Uncertainty")
    if unc is None or unc.empty:
        return []
    book = case.name
    drawable = drawable_inputs(case)
    problems: list[Problem] = []
    out: list[UncertainInput] = []
    for i, r in enumerate(unc.itertuples(index=False)):
        row = i + 2

        def bad(col_letter, value, rule, column, row=row, r=r):
            problems.append(Problem(book, "Uncertainty", f"{col_letter}{row}", value,
                                    f"input '{r.input_id}': {rule}", column))

        sheet, key = str(r.sheet), str(r.key)
        schema = SHEETS.get(sheet)
        if schema is None or sheet not in {s for s, _ in drawable}:
            bad("B", sheet, "sheet must be one of " + ", ".join(sorted({s for s, _ in drawable})), "sheet")
            continue
        dist = str(r.distribution)
        lo, hi = float(r.low), float(r.high)
        mode = float(r.mode) if pd.notna(r.mode) else float("nan")
        if dist not in DISTRIBUTIONS:
            bad("E", dist, f"distribution must be one of {', '.join(DISTRIBUTIONS)}", "distribution")
            continue
        relative = bool(int(r.relative))
        name = str(r.column) if schema.kind == "table" else key
        target = schema.column(name) if name in _names(schema) else None
        broken = distribution_rule(dist, lo, mode, hi, relative, target)
        if broken is not None:
            col, rule = broken
            bad(_LETTER[col], getattr(r, col), rule, col)
            continue
        if schema.kind == "params":
            column = str(r.column) if pd.notna(r.column) else "value"
            if column != "value":
                bad("D", column, "column of a params sheet must be 'value'", "column")
                continue
            if key not in case.params.get(sheet, {}):
                bad("C", key, f"no row of {sheet} has key '{key}'", "key")
                continue
            if (sheet, key) not in drawable:
                keys = ", ".join(sorted(k for s, k in drawable if s == sheet))
                bad("C", key, f"{sheet}.{key} is not a number that can be drawn (a count, year or "
                    f"switch); drawable {sheet} keys: {keys}", "key")
                continue
            rows = np.zeros(0, dtype=np.int64)
            base = np.array([float(case.params[sheet][key])])
        else:
            column = str(r.column)
            df = case.tables.get(sheet)
            if column not in schema.column_names:
                bad("D", column, f"{sheet} has no column '{column}'", "column")
                continue
            if (sheet, column) not in drawable:
                bad("D", column, f"{sheet}.{column} is not a number that can be drawn (text, a count, "
                    f"year or switch); drawable {sheet} columns: "
                    f"{', '.join(sorted(c for s, c in drawable if s == sheet))}", "column")
                continue
            hits = _match_rows(_raw_sheet(sheet, df), schema, key)
            if isinstance(hits, str):
                bad("C", key, hits, "key")
                continue
            if sheet == "Fleet":
                reg = case.tables.get("Vehicles")
                if reg is not None and len(reg):
                    bad("B", sheet, "the case has a Vehicles register, so the Fleet rollout is not used",
                        "sheet")
                    continue
                if not relative:
                    bad("I", 0, "Fleet sizes can only be perturbed by factors (relative = 1)", "relative")
                    continue
            rows = np.asarray(hits, dtype=np.int64)
            base = df[column].to_numpy(float)[rows]
        out.append(UncertainInput(str(r.input_id), sheet, key, column, dist, lo, mode, hi, relative,
                                  rows, base, row))
    if problems:
        raise InputError(problems)
    return out


def check_read(inputs, accessed, book: str) -> None:
    """Refuse drawn inputs that the engines which ran never read.

    The Monte Carlo draws act on the station, subsidy and TCO engines over the run's
    fleet and network plan; an input that acts only through the plan, the fleet's
    vehicle counts or a rule's structure (e.g. ``Policy`` amounts, a station's
    capacity) would be drawn and change nothing, so it is an input error.

    Parameters
    ----------
    inputs : sequence of UncertainInput
    accessed : set of tuple
        ``(sheet, column or key)`` the engines read (:attr:`h2model.params.Params.accessed`).
    book : str
        Workbook name for the error location.

    Raises
    ------
    InputError
        One problem per unread input, at its Uncertainty row.
    """
    problems = [Problem(book, "Uncertainty", f"{'C' if u.is_params else 'D'}{u.row}",
                        u.key if u.is_params else u.column,
                        f"input '{u.input_id}': the Monte Carlo engines do not read "
                        f"{u.target[0]}.{u.target[1]} "
                        "(they draw the station, subsidy and TCO engines on the run's fleet and network "
                        "plan; this input acts only through those)", "key" if u.is_params else "column")
                for u in inputs if u.target not in accessed]
    if problems:
        raise InputError(problems)
