"""Re-execute the notebooks and keep only the outputs nbval checks.

Notebooks are committed without outputs, except cells marked ``# NBVAL_CHECK_OUTPUT``
(headline numbers that ``pytest --nbval-lax notebooks/`` compares). After a change
that moves a headline number on purpose, run

    .venv/bin/python scripts/refresh_notebooks.py            # every notebook
    .venv/bin/python scripts/refresh_notebooks.py notebooks/fleet_tco.ipynb

review the diff of the checked cells, and commit. Other cells' outputs and
execution counts, and execution metadata, are cleared so that the files diff cleanly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
MARK = "# NBVAL_CHECK_OUTPUT"


def refresh(path: Path, timeout_s: int = 900) -> int:
    """Execute ``path`` in its folder, strip unchecked outputs, write it back.

    Returns the number of checked cells kept with outputs.
    """
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, kernel_name="python3", timeout=timeout_s, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    kept = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if cell.source.lstrip().startswith(MARK):
            kept += 1  # nbval needs the execution count of a cell whose output it checks
        else:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("papermill", None)
    nbformat.write(nb, path)
    return kept


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for p in paths:
        print(f"{p.name}: {refresh(p.resolve())} checked cell(s) refreshed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
