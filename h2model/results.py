"""Results: named tidy tables, written safely and reproducibly.

A table's name is its file name (``stations.csv``, ``tco.csv``, ...). ``write`` puts
every table in a hidden temporary folder beside the destination (CSV files with
round-trip float formatting, one ``results.xlsx`` for consultants and a
``provenance.json``) and, only when all are complete, moves them into the scenario's
folder one file at a time (:func:`publish`): each file is replaced atomically, so at
every instant the folder holds the old or the new version of each file, and files the
run does not produce (HTML reports, charts, notes) are kept. A failed run never
leaves a half-written file and never damages an earlier output.

Output safety (one home for the rules every writer follows):

- :func:`output_dir`: a scenario's folder is ``out/<name>`` only for a name matching
  :data:`h2model.inputs.schema.NAME_PATTERN`, and the resolved path must lie inside ``out``;
- :func:`clean_temps`: hidden temporary folders and files left by a killed run are
  removed on the next run;
- :func:`scenarios_in` and :func:`write_targets_summary`: the summaries at the top of
  ``out`` list every scenario present there, not only those just built.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import __version__
from .inputs.schema import NAME_PATTERN, NAME_RULE

#: Document and zip-member times of ``results.xlsx`` (fixed, so reruns are byte-identical).
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)
#: Prefix of the hidden temporary folders and files of a write (then the owner's pid).
TMP_PREFIX = ".tmp-"


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
    input_path: str = ""

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __contains__(self, name: str) -> bool:
        return name in self.tables

    def provenance(self) -> dict:
        """Inputs' hash, scenario, overrides and package version (no timestamps)."""
        return {
            "case": self.case_name,
            "input_sha256": self.input_sha256,
            "input_path": self.input_path,
            "scenario": self.scenario,
            "scenario_description": self.scenario_description,
            "h2model_version": __version__,
            "overrides": self.overrides.astype(str).to_dict("records") if len(self.overrides) else [],
            "tables": sorted(self.tables),
            "notes": list(self.notes),
        }

    def write(self, folder: str | Path, excel: bool = True) -> Path:
        """Write every table into ``folder`` (created); returns the folder.

        The files are written to a hidden temporary folder beside ``folder`` and then
        moved in one by one (:func:`publish`); other files in ``folder`` are kept,
        except the tables an earlier run listed in its ``provenance.json`` and this
        run no longer produces. The CSV files, ``results.xlsx`` and ``provenance.json``
        are byte-identical for identical inputs.
        """
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = make_temp_dir(folder.parent, folder.name)
        try:
            for name, df in sorted(self.tables.items()):
                write_csv(df, tmp / f"{name}.csv")
            if excel:
                write_excel(self.tables, tmp / "results.xlsx")
            (tmp / "provenance.json").write_text(
                json.dumps(self.provenance(), indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                encoding="utf-8")
            stale = [f"{t}.csv" for t in set(_tables_listed(folder)) - set(self.tables)]
            publish(tmp, folder, remove=stale)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return folder


def _tables_listed(folder: Path) -> list[str]:
    """The tables an earlier run's ``provenance.json`` in ``folder`` lists (none if unreadable)."""
    try:
        tables = json.loads((folder / "provenance.json").read_text(encoding="utf-8")).get("tables", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [t for t in tables if isinstance(t, str) and re.fullmatch(NAME_PATTERN, t)]


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """A table as CSV with shortest round-trip floats (deterministic bytes)."""
    df.to_csv(path, index=False, float_format=None, lineterminator="\n")


def write_excel(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """All tables in one workbook, a sheet each, byte-identical for identical tables:
    fixed document times (docProps/core.xml) and fixed zip-member times; a ``Summary``
    sheet first (:func:`h2model.summary.summary_table`) when there is a ``targets`` table."""
    import datetime as dt

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
        xl.book.properties.created = dt.datetime(*_FIXED_TIME)
        xl.book.properties.modified = dt.datetime(*_FIXED_TIME)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Rewrite a zip file with every member's time set to :data:`_FIXED_TIME`."""
    tmp = path.with_name(f"{path.name}.zip-tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info))
    os.replace(tmp, path)


# --- output safety ---------------------------------------------------------------------------------


class UnsafeOutputError(ValueError):
    """A name or path that would write outside the output folder (or become an unsafe link)."""


def is_safe_name(name: object) -> bool:
    """Whether ``name`` may be a folder name and a relative link (:data:`NAME_PATTERN`).

    >>> [is_safe_name(n) for n in ("plan-2025", "../victim", "/abs", "javascript:alert(1)", "a..b")]
    [True, False, False, False, False]
    """
    return isinstance(name, str) and re.fullmatch(NAME_PATTERN, name) is not None


def output_dir(out: str | Path, name: str) -> Path:
    """The folder ``out/<name>``, after checking the name and that it resolves inside ``out``.

    Raises
    ------
    UnsafeOutputError
        A name outside :data:`NAME_PATTERN`, or a path (e.g. a symlink) leading out of ``out``.
    """
    if not is_safe_name(name):
        raise UnsafeOutputError(
            f"scenario name {name!r} cannot name an output folder: it must be {NAME_RULE}")
    return inside(out, Path(out) / name)


def inside(out: str | Path, path: str | Path) -> Path:
    """``path``, checked to resolve (symlinks followed) to ``out`` itself or a path within it."""
    root = Path(out).resolve()
    full = Path(path).resolve()
    if full != root and root not in full.parents:
        raise UnsafeOutputError(f"{path} resolves to {full}, outside the output folder {root}")
    return Path(path)


def make_temp_dir(parent: Path, name: str) -> Path:
    """A new hidden folder ``parent/.tmp-<name>-<pid>-<random>`` (see :func:`clean_temps`)."""
    return Path(tempfile.mkdtemp(dir=parent, prefix=f"{TMP_PREFIX}{name}-{os.getpid()}-"))


def publish(src: Path, dst: Path, remove: list[str] = ()) -> None:
    """Move every file of folder ``src`` into ``dst`` (created), one ``os.replace`` each,
    recursing into subfolders; then delete the files named in ``remove`` from ``dst``.

    Each file is replaced atomically, so at every instant ``dst`` exists and holds the
    old or the new version of each file; files of ``dst`` that ``src`` lacks are kept.
    """
    dst.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.iterdir()):
        if f.is_dir() and not f.is_symlink():
            publish(f, dst / f.name)
        else:
            os.replace(f, dst / f.name)
    for name in remove:
        (dst / name).unlink(missing_ok=True)


def write_atomic(path: Path, write) -> None:
    """Call ``write(tmp)`` on a hidden temporary file beside ``path``, then move it over ``path``."""
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}-{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # someone else's process (or cannot tell): leave its files
    return True


_TEMP = re.compile(rf"^{re.escape(TMP_PREFIX)}.*?-(\d+)(?:-[A-Za-z0-9_]+|\.tmp)$")
#: Temporary folders of earlier versions: ``.<scenario>.<8 random>``, ``.<scenario>.old.<8 random>``
_LEGACY = re.compile(r"^\.(?P<name>.+?)\.(?:old\.)?[a-z0-9_]{8}$")


def clean_temps(out: str | Path) -> list[Path]:
    """Remove the hidden temporary folders and files a killed run left in ``out`` and in
    its scenario folders: ``.tmp-...-<pid>-...`` whose process is gone, and the
    ``.<scenario>.<random>`` folders of earlier versions beside an existing scenario folder.

    Returns
    -------
    list of pathlib.Path
        What was removed.
    """
    out = Path(out)
    removed: list[Path] = []
    if not out.is_dir():
        return removed
    folders = [out, *(p for p in out.iterdir() if p.is_dir() and is_safe_name(p.name))]
    for folder in folders:
        for p in folder.iterdir():
            m, legacy = _TEMP.match(p.name), _LEGACY.match(p.name)
            stale = (m is not None and not _pid_alive(int(m.group(1)))) or (
                legacy is not None and folder == out and p.is_dir() and (out / legacy.group("name")).is_dir())
            if not stale:
                continue
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def scenarios_in(out: str | Path) -> list[str]:
    """The scenarios whose results are in ``out``: safe-named folders holding ``targets.csv``, sorted."""
    out = Path(out)
    if not out.is_dir():
        return []
    return sorted(p.name for p in out.iterdir()
                  if is_safe_name(p.name) and p.is_dir() and (p / "targets.csv").is_file())


def write_targets_summary(out: str | Path) -> Path | None:
    """``out/targets.csv``: the targets tables of every scenario present in ``out``
    (:func:`scenarios_in`), stacked; None (nothing written) if there are none. A
    scenario's table that cannot be read is left out, with a warning on stderr."""
    out = Path(out)
    frames = []
    for name in scenarios_in(out):
        try:
            frames.append(pd.read_csv(out / name / "targets.csv"))
        except (OSError, ValueError) as exc:
            print(f"warning: {out / name / 'targets.csv'} left out of {out / 'targets.csv'}: {exc}",
                  file=sys.stderr)
    if not frames:
        return None
    path = out / "targets.csv"
    write_atomic(path, lambda tmp: write_csv(pd.concat(frames, ignore_index=True), tmp))
    return path


def replace_dir(src: Path, dst: Path) -> None:
    """Move the files of folder ``src`` into ``dst`` (:func:`publish`) and remove ``src``.

    Kept for callers of earlier versions: ``dst``'s other files are now kept, and ``dst``
    exists at every instant."""
    publish(src, dst)
    shutil.rmtree(src, ignore_errors=True)
