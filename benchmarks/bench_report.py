"""Wall time of the reports: the whole ``h2model report --all --lang both`` run and one
scenario (``--scenario plan-2025 --lang both``), each a fresh process into a temporary
folder, as ``make report`` runs it (after install).

Run: ``.venv/bin/python benchmarks/bench_report.py [--mc-draws N]``. Prints both
times, the time per scenario of the full run, and their ratio.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
H2MODEL = Path(sys.executable).with_name("h2model")


def timed(args: list[str]) -> tuple[float, str]:
    """Run ``h2model report ARGS`` into a fresh folder; (seconds, last line of output)."""
    out = Path(tempfile.mkdtemp(prefix="h2bench-"))
    try:
        t0 = time.perf_counter()
        res = subprocess.run(
            [str(H2MODEL), "report", *args, "--out", str(out), "--quiet"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        dt = time.perf_counter() - t0
        if res.returncode != 0:
            sys.exit(
                f"h2model report {' '.join(args)} failed ({res.returncode}):\n"
                f"{res.stdout}\n{res.stderr[-3000:]}"
            )
        n_html = len(list(out.glob("*/report_*.html")))
        return dt, f"{n_html} scenario reports, {len(list(out.glob('comparison_*.html')))} comparison reports"
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mc-draws", type=int, default=1000, help="Monte Carlo draws (as make report)")
    a = ap.parse_args()
    draws = ["--mc-draws", str(a.mc_draws)]
    from h2model.inputs import DEFAULT_CASE, list_scenarios

    n = len(list_scenarios(DEFAULT_CASE))
    one, what1 = timed(["--scenario", "plan-2025", "--lang", "both", *draws])
    print(f"one scenario (plan-2025, en+zh):      {one:7.1f} s  ({what1})")
    full, what = timed(["--all", "--lang", "both", *draws])
    print(f"all {n} scenarios (en+zh) + comparison: {full:7.1f} s  ({what})")
    print(
        f"per scenario in the full run:          {full / n:7.1f} s  (full / one scenario = {full / one:.2f}x)"
    )


if __name__ == "__main__":
    main()
