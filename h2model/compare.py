"""What changed: a consultant's edit against a base case, in inputs and in headline results.

A consultant copies the workbook, edits some cells and reruns. This module answers
"what did I change, and what did it do?":

- :func:`input_changes` -- every cell that differs between two workbooks (or CSV
  folders), located as an input error is (sheet, Excel cell, column, the row's key),
  with the old and new value; added and removed rows and sheets too.
- :func:`headline_changes` -- each target's figure before and after, with whether it is
  met and, with Monte Carlo, the median and the probability of meeting it.
- :func:`what_changed` -- both, against a base **output** folder of an earlier run
  (its ``<scenario>/targets.csv``; its ``provenance.json`` names the workbook it ran
  on, whose cells are compared if its hash still matches).

Values are compared as read (before scenario overrides), numbers by value
(``1`` = ``1.0``), text exactly.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from .inputs import read_raw

__all__ = ["INPUT_CHANGE_COLUMNS", "HEADLINE_CHANGE_COLUMNS", "add_what_changed", "headline_changes",
           "input_changes", "what_changed"]

#: Columns of :func:`input_changes`.
INPUT_CHANGE_COLUMNS = ("sheet", "cell", "column", "row_key", "old", "new")
#: Columns of :func:`headline_changes`.
HEADLINE_CHANGE_COLUMNS = ("target", "year", "unit", "before", "after", "change", "met_before", "met_after",
                           "prob_met_before", "prob_met_after")


def _blank(x) -> bool:
    return x is None or (isinstance(x, str) and x.strip() == "") or (isinstance(x, float) and math.isnan(x))


def _same(a, b) -> bool:
    """Cell equality: blanks equal blanks, numbers by value, text exactly."""
    blank_a, blank_b = _blank(a), _blank(b)
    if blank_a or blank_b:
        return blank_a and blank_b
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _show(x) -> str:
    return "" if x is None else str(x)


def input_changes(base: str | Path, new: str | Path) -> pd.DataFrame:
    """The cells that differ between two input workbooks or CSV folders.

    Parameters
    ----------
    base, new : path
        Workbooks (``.xlsx``) or folders of ``<Sheet>.csv`` (read as :func:`h2model.inputs.read_raw`
        reads them, without validation).

    Returns
    -------
    pandas.DataFrame
        :data:`INPUT_CHANGE_COLUMNS`: ``sheet``; ``cell`` (Excel reference in ``new``,
        e.g. ``E12``, or ``row 12`` for a row added or removed, or ``sheet``);
        ``column``; ``row_key`` (the row's first cell, e.g. its id); ``old``, ``new``
        as text. Rows are matched by position, columns by header.
    """
    a, b = read_raw(base), read_raw(new)
    out: list[dict] = []
    for name in sorted(set(a.sheets) | set(b.sheets)):
        sa, sb = a.sheets.get(name), b.sheets.get(name)
        if sa is None or sb is None:
            out.append(dict(sheet=name, cell="sheet", column="", row_key="",
                            old="" if sa is None else "(sheet)", new="" if sb is None else "(sheet)"))
            continue
        cols = list(sb.header) + [c for c in sa.header if c not in sb.header]
        for i in range(max(len(sa.rows), len(sb.rows))):
            ra = sa.rows[i] if i < len(sa.rows) else None
            rb = sb.rows[i] if i < len(sb.rows) else None
            if ra is None or rb is None:
                row = rb if rb is not None else ra
                num = (sb.row_numbers[i] if rb is not None else sa.row_numbers[i])
                out.append(dict(sheet=name, cell=f"row {num}", column="",
                                row_key=_show(row[0] if row else ""),
                                old="" if ra is None else "(row)", new="" if rb is None else "(row)"))
                continue
            for c in cols:
                ja, jb = sa.col_index(c), sb.col_index(c)
                va = ra[ja] if ja is not None and ja < len(ra) else None
                vb = rb[jb] if jb is not None and jb < len(rb) else None
                if not _same(va, vb):
                    ref = (f"{get_column_letter(jb + 1)}{sb.row_numbers[i]}" if jb is not None
                           else f"{get_column_letter(ja + 1)}{sa.row_numbers[i]}")
                    out.append(dict(sheet=name, cell=ref, column=c, row_key=_show(rb[0] if rb else ""),
                                    old=_show(va), new=_show(vb)))
    return pd.DataFrame(out, columns=list(INPUT_CHANGE_COLUMNS))


def headline_changes(base_targets: pd.DataFrame, new_targets: pd.DataFrame) -> pd.DataFrame:
    """Each target's achieved figure before and after (``targets`` tables of two runs).

    Returns
    -------
    pandas.DataFrame
        :data:`HEADLINE_CHANGE_COLUMNS`, one row per (target, year) of ``new_targets``;
        ``change`` is after - before (the target's unit); ``prob_met_*`` NaN without
        Monte Carlo.
    """
    key = ["target", "year"]
    b = base_targets.set_index(key)
    rows = []
    for r in new_targets.itertuples(index=False):
        k = (r.target, int(r.year))
        old = b.loc[k] if k in b.index else None
        before = float(old["achieved"]) if old is not None else math.nan
        rows.append(dict(
            target=r.target, year=int(r.year), unit=r.unit, before=before, after=float(r.achieved),
            change=float(r.achieved) - before,
            met_before=bool(old["met"]) if old is not None else None, met_after=bool(r.met),
            prob_met_before=float(old["prob_met"]) if old is not None and "prob_met" in old else math.nan,
            prob_met_after=float(getattr(r, "prob_met", math.nan)),
        ))
    return pd.DataFrame(rows, columns=list(HEADLINE_CHANGE_COLUMNS))


def what_changed(base_out: str | Path, scenario: str, new_workbook: str | Path,
                 new_targets: pd.DataFrame) -> dict[str, object]:
    """Inputs and headline of a run against a base run's output folder.

    Parameters
    ----------
    base_out : path
        Output folder of the base run (``--out`` of an earlier ``run`` or ``report``);
        ``base_out/<scenario>/targets.csv`` is the base headline and
        ``provenance.json`` names its workbook (``input_path``) and hash.
    scenario : str
        Scenario compared.
    new_workbook : path
        The workbook this run read.
    new_targets : pandas.DataFrame
        This run's ``targets`` table.

    Returns
    -------
    dict
        ``inputs`` (:func:`input_changes`, or None when the base workbook is missing or
        has changed since the base run), ``headline`` (:func:`headline_changes`),
        ``base`` (the base folder) and ``note`` (why inputs are None, else "").

    Raises
    ------
    FileNotFoundError
        If the base folder has no ``targets.csv`` for the scenario.
    """
    folder = Path(base_out) / scenario
    targets = folder / "targets.csv"
    if not targets.exists():
        raise FileNotFoundError(f"--compare-to: {targets} not found "
                                f"(run the base case into {base_out} first)")
    headline = headline_changes(pd.read_csv(targets), new_targets)
    prov_path = folder / "provenance.json"
    prov = json.loads(prov_path.read_text(encoding="utf-8")) if prov_path.exists() else {}
    base_input = Path(prov.get("input_path", "")) if prov.get("input_path") else None
    note, inputs = "", None
    if base_input is None:
        note = "the base run does not name its workbook (provenance.json has no input_path)"
    elif not base_input.exists():
        note = f"the base workbook {base_input} no longer exists"
    elif read_raw(base_input).sha256 != prov.get("input_sha256"):
        note = f"the base workbook {base_input} has changed since the base run"
    else:
        inputs = input_changes(base_input, new_workbook)
    return {"inputs": inputs, "headline": headline, "base": str(Path(base_out)), "note": note}


def add_what_changed(results, base_out: str | Path, workbook: str | Path) -> None:
    """Add :func:`what_changed`'s tables to a run's results (``what_changed_inputs``,
    ``what_changed_headline``) and a note; ``run --compare-to`` and the report notebook
    call it."""
    ch = what_changed(base_out, results.scenario, workbook, results["targets"])
    inputs = ch["inputs"] if ch["inputs"] is not None else pd.DataFrame(columns=list(INPUT_CHANGE_COLUMNS))
    results.tables["what_changed_inputs"] = inputs
    results.tables["what_changed_headline"] = ch["headline"]
    results.notes.append(f"compared with {ch['base']}: {len(inputs)} input cell(s) changed"
                         + (f" ({ch['note']})" if ch["note"] else ""))
