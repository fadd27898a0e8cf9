"""The plan's targets, checked in one place.

Every report, notebook and CLI summary reads the ``targets`` table this module
makes; nobody recomputes it.
"""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd

_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


def check_targets(targets: pd.DataFrame, achieved: dict[tuple[str, int], float]) -> pd.DataFrame:
    """Compare achieved figures with the Targets sheet.

    Parameters
    ----------
    targets : pandas.DataFrame
        The Targets sheet: ``target_id, description, year, comparator, value, unit``.
    achieved : dict
        ``(target_id, year) -> achieved value`` (stations, vehicles, CNY/kg). A
        missing or NaN figure gives ``met = False`` and a NaN gap.

    Returns
    -------
    pandas.DataFrame
        ``target, description, year, comparator, required, achieved, unit, met, gap``,
        where ``gap`` is how far the achieved figure falls short (positive) or
        exceeds (negative) the requirement, in the target's unit.

    >>> t = pd.DataFrame({"target_id": ["stations", "price"], "description": ["", ""],
    ...     "year": [2025, 2025], "comparator": [">=", "<"], "value": [50.0, 35.0],
    ...     "unit": ["stations", "CNY/kg"]})
    >>> r = check_targets(t, {("stations", 2025): 44, ("price", 2025): 33.2})
    >>> r[["target", "met", "gap"]].values.tolist()
    [['stations', False, 6.0], ['price', True, -1.8]]
    """
    rows = []
    for t in targets.itertuples(index=False):
        got = achieved.get((t.target_id, int(t.year)), np.nan)
        got = float(got) if got is not None else np.nan
        met = bool(np.isfinite(got) and _OPS[t.comparator](got, t.value))
        if t.comparator in (">=", ">"):
            gap = t.value - got
        else:
            gap = got - t.value
        rows.append({
            "target": t.target_id, "description": t.description, "year": int(t.year),
            "comparator": t.comparator, "required": float(t.value), "achieved": got,
            "unit": t.unit, "met": met, "gap": round(float(gap), 10),
        })
    return pd.DataFrame(rows)
