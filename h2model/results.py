"""Results: named tidy tables, written atomically and reproducibly.

A table's name is its file name (``stations.csv``, ``tco.csv``, ...). ``write`` puts
every table in a temporary folder beside the destination (CSV files with
round-trip float formatting, one ``results.xlsx`` for consultants and a
``provenance.json``) and moves it into place only when complete, so a failed run
never leaves a half-written folder and never damages an earlier one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import __version__

_FIXED_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass
class Results:
    """The tables of one scenario run, with the facts needed to reproduce it."""

    scenario: str
    scenario_description: str
    case_name: str
    input_sha256: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    overrides: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __contains__(self, name: str) -> bool:
        return name in self.tables

    def provenance(self) -> dict:
        """Inputs' hash, scenario, overrides and package version (no timestamps)."""
        return {
            "case": self.case_name,
            "input_sha256": self.input_sha256,
            "scenario": self.scenario,
            "scenario_description": self.scenario_description,
            "h2model_version": __version__,
            "overrides": self.overrides.astype(str).to_dict("records") if len(self.overrides) else [],
            "tables": sorted(self.tables),
            "notes": list(self.notes),
        }

    def write(self, folder: str | Path, excel: bool = True) -> Path:
        """Write every table to ``folder`` atomically; returns the folder.

        The CSV files and ``provenance.json`` are byte-identical for identical inputs.
        """
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
        try:
            for name, df in sorted(self.tables.items()):
                write_csv(df, tmp / f"{name}.csv")
            if excel:
                write_excel(self.tables, tmp / "results.xlsx")
            (tmp / "provenance.json").write_text(
                json.dumps(self.provenance(), indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                encoding="utf-8")
            replace_dir(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return folder


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """A table as CSV with shortest round-trip floats (deterministic bytes)."""
    df.to_csv(path, index=False, float_format=None, lineterminator="\n")


def write_excel(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """All tables in one workbook, a sheet each, with fixed document times; a ``Summary``
    sheet first (:func:`h2model.summary.summary_table`) when there is a ``targets`` table."""
    from .summary import summary_table

    summary = {"Summary": summary_table(tables)} if "targets" in tables else {}
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, df in [*summary.items(), *sorted(tables.items())]:
            df.to_excel(xl, sheet_name=name[:31], index=False)
            ws = xl.sheets[name[:31]]
            ws.freeze_panes = "A2"
            for j, col in enumerate(df.columns, start=1):
                ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = min(
                    max(len(str(col)) + 2, 10), 40)
        import datetime as dt
        xl.book.properties.created = dt.datetime(*_FIXED_TIME)
        xl.book.properties.modified = dt.datetime(*_FIXED_TIME)


def replace_dir(src: Path, dst: Path) -> None:
    """Move folder ``src`` to ``dst``, replacing ``dst`` as nearly atomically as a
    file system allows (rename the old one aside, rename the new one in, delete)."""
    if dst.exists():
        old = Path(tempfile.mkdtemp(dir=dst.parent, prefix=f".{dst.name}.old."))
        os.replace(dst, old / dst.name)
        os.replace(src, dst)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(src, dst)
