"""Benchmark h2model.station.station_economics on many synthetic stations.

Run on demand (not a test): ``.venv/bin/python benchmarks/bench_station.py``.

Builds ``--stations`` synthetic stations (default 5,000) by replicating the default
case's existing and planned stations with jittered capacity (x0.7-1.5) and location
(about 2 km), all commissioned by the first analysis year so that each operates in
every one of the 16 analysis years (80,000 station-years), and times
:func:`~h2model.station.station_economics` twice: with the fallback load path and
with a loads table (random utilisation 0-0.9, 5 % of station-years idle). Prints the
best of ``--repeat`` runs in seconds and station-years per second, and the share of
the time spent in the finance engine.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import pstats
import time

import numpy as np
import pandas as pd

from h2model import station
from h2model.inputs import DEFAULT_CASE, load_case


def synthetic_case(case, n: int, seed: int):
    """The case with its Stations sheet replaced by ``n`` jittered copies of its open stations."""
    rng = np.random.default_rng(seed)
    st = case["Stations"]
    st = st[st["status"] != "candidate"].reset_index(drop=True)
    s = st.iloc[rng.integers(0, len(st), n)].reset_index(drop=True).copy()
    s["station_id"] = [f"S{i:05d}" for i in range(n)]
    s["capacity_kg_per_day"] = s["capacity_kg_per_day"].to_numpy(float) * rng.uniform(0.7, 1.5, n)
    s["longitude"] = s["longitude"].to_numpy(float) + rng.normal(0.0, 0.02, n)
    s["latitude"] = s["latitude"].to_numpy(float) + rng.normal(0.0, 0.02, n)
    s["status"] = "planned"
    s["commissioning_year"] = pd.array(rng.integers(2012, int(case.years[0]) + 1, n), dtype="Int64")
    return dataclasses.replace(case, tables={**case.tables, "Stations": s})


def synthetic_loads(case, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    st = case["Stations"]
    years = np.asarray(case.years)
    n, y = len(st), len(years)
    util = rng.uniform(0.0, 0.9, (y, n)) * (rng.random((y, n)) > 0.05)
    return pd.DataFrame({
        "year": np.repeat(years, n),
        "station_id": np.tile(st["station_id"].to_numpy(object), y),
        "h2_kg_per_day": (util * st["capacity_kg_per_day"].to_numpy(float)[None, :]).ravel(),
    })


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def finance_share(fn) -> float:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stats = pstats.Stats(prof).stats
    total = sum(v[2] for v in stats.values())  # tottime over all functions
    fin = sum(v[2] for k, v in stats.items() if k[0].endswith("finance.py"))
    return fin / total if total else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stations", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    case = synthetic_case(load_case(DEFAULT_CASE), a.stations, a.seed)
    loads = synthetic_loads(case, a.seed)
    print(f"{a.stations:,} synthetic stations x {len(case.years)} years "
          f"({case.years[0]}-{case.years[-1]}); best of {a.repeat}")
    for label, ld in (("fallback loads", None), ("loads table", loads)):
        def run(ld=ld):
            return station.station_economics(case, loads=ld)
        seconds, econ = best_of(run, a.repeat)
        rows = len(econ.stations)
        selling = int((econ.stations["kg_sold_per_year"] > 0).sum())
        print(f"  {label:15s} {seconds:7.3f} s  {rows:,} station-years ({selling:,} selling)  "
              f"{rows / seconds:,.0f} station-years/s  finance engine {finance_share(run):.0%} of time")


if __name__ == "__main__":
    main()
