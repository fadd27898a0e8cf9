"""Inputs: read a workbook or CSV folder, apply a scenario, validate, return a Case.

>>> from h2model.inputs import load_case, DEFAULT_CASE
>>> case = load_case(DEFAULT_CASE)
>>> len(case["Stations"]) >= 50
True
"""

from __future__ import annotations

from pathlib import Path

from .case import Case
from .csvdir import read_csv_dir, write_csv_dir
from .errors import InputError, Problem
from .raw import RawCase
from .scenarios import apply_scenario, scenario_names
from .validate import Validator
from .workbook import read_workbook, write_workbook

__all__ = [
    "Case", "InputError", "Problem", "load_case", "case_from_raw", "read_raw", "export_case", "import_case",
    "DEFAULT_CASE", "list_scenarios",
]

#: The bundled Guangzhou case (repository checkout).
DEFAULT_CASE = Path(__file__).resolve().parents[2] / "inputs" / "guangzhou.xlsx"


def read_raw(path: str | Path, keep_unknown: bool = False) -> RawCase:
    """Read a workbook (``.xlsx``) or a folder of CSVs, without validating it.

    Sheets the schema does not know are skipped with a note in ``RawCase.notes``, unless
    ``keep_unknown`` (export and import keep them).
    """
    path = Path(path)
    if path.is_dir():
        return read_csv_dir(path, keep_unknown)
    if not path.exists():
        raise InputError([Problem(path.name, None, None, str(path), "file or folder not found")])
    return read_workbook(path, keep_unknown)


def load_case(path: str | Path, scenario: str | None = None) -> Case:
    """Load, override and validate a case.

    Parameters
    ----------
    path : str or pathlib.Path
        An ``.xlsx`` workbook or a folder of ``<Sheet>.csv`` files.
    scenario : str, optional
        A scenario of the Scenarios sheet. By default no overrides are applied: the
        inputs as entered, named after the one scenario that overrides nothing
        (``plan-2025`` in the Guangzhou case) or ``as-entered``.

    Returns
    -------
    Case
        Typed tables and parameters, with the overrides applied and recorded.

    Raises
    ------
    InputError
        With every problem found, each naming workbook, sheet, cell, value and rule.
    """
    return case_from_raw(read_raw(path), scenario)


def case_from_raw(raw: RawCase, scenario: str | None = None) -> Case:
    """Apply ``scenario`` to a raw case (in place) and validate it; see :func:`load_case`."""
    path = raw.path
    name, description, overrides, problems = apply_scenario(raw, scenario)
    v = Validator(raw)
    v.run()
    problems = v.problems + problems
    if problems:
        raise InputError(problems)
    tables = {k: t for k, t in v.tables.items() if not k.startswith("__")}
    for sheet in ("Vehicles", "Uncertainty", "ObservedPrices"):
        if sheet not in tables:
            from .schema import SHEETS
            tables[sheet] = _empty(SHEETS[sheet])
    case = Case(
        name=Path(path).stem if path else raw.display_name, path=Path(path) if path else None,
        input_sha256=raw.sha256, scenario=name,
        scenario_description=description, tables=tables, params=v.params, overrides=overrides,
        notes=list(raw.notes), param_sources=v.param_sources,
    )
    # The Uncertainty sheet resolved as a Monte Carlo run resolves it (its sheets, keys and
    # columns), so that validate and every run refuse what a Monte Carlo run would.
    from .uncertainty import uncertain_inputs
    uncertain_inputs(case)
    return case


def _empty(schema):
    import pandas as pd

    from .validate import _typed
    return pd.DataFrame({c.name: _typed([], c) for c in schema.columns})


def list_scenarios(path: str | Path) -> list[str]:
    """Scenario names of a workbook or CSV folder, in sheet order."""
    return scenario_names(read_raw(path))


def export_case(workbook: str | Path, out_dir: str | Path) -> None:
    """Write a workbook's sheets to ``out_dir/<Sheet>.csv`` (lossless; README sheet omitted)."""
    write_csv_dir(read_raw(workbook, keep_unknown=True), Path(out_dir))


def import_case(csv_dir: str | Path, workbook: str | Path) -> None:
    """Build a formatted workbook from a CSV folder (numbers typed by the schema)."""
    from .convert import typed_for_excel
    raw = read_raw(csv_dir, keep_unknown=True)
    write_workbook(typed_for_excel(raw), Path(workbook))
