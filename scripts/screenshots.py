"""Regenerate the README's pictures: the first screen of the default scenario's reports.

Builds the plan-2025 reports (English and Chinese, 1,000 Monte Carlo draws, as
``make report`` does) into a temporary folder, or reuses ``--from OUT`` (an output
folder of ``make report``), and takes a 1280 x 1000 px screenshot of each report's
first screen with headless Chromium, networking off, into ``docs/report_en.png`` and
``docs/report_zh.png``.

Usage: python scripts/screenshots.py [--from outputs] [--scenario plan-2025]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    sys.exit("chromium not found (scripts/system-deps.sh installs it as root)")


def shoot(exe: str, page: Path, png: Path, profile: Path) -> None:
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
           f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=20000",
           "--window-size=1280,1000", f"--screenshot={png}", page.as_uri()]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    if res.returncode != 0 or not png.exists():
        sys.exit(f"chromium failed on {page}: {res.stderr[-1000:]}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="src", default=None, help="output folder of make report to reuse")
    ap.add_argument("--scenario", default="plan-2025")
    a = ap.parse_args(argv)
    exe = chromium()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(a.src) if a.src else Path(tmp) / "out"
        if not a.src:
            subprocess.run([sys.executable, "-m", "h2model.cli", "report", "--scenario", a.scenario, "--lang",
                            "both", "--out", str(out), "--mc-draws", "1000", "--quiet"], check=True)
        docs = ROOT / "docs"
        docs.mkdir(exist_ok=True)
        for lang in ("en", "zh"):
            page = out / a.scenario / f"report_{lang}.html"
            shoot(exe, page, docs / f"report_{lang}.png", Path(tmp) / f"profile-{lang}")
            print(f"wrote docs/report_{lang}.png from {page}")


if __name__ == "__main__":
    main()
