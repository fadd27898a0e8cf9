"""Benchmark the corridor plan (flow-refuelling location model) on a province-size instance.

The instance (:func:`h2model.network.corridor.generate_corridor_instance`) is the size of
Guangdong's expressway network: about 11,000 km of expressway (the province's order of
magnitude, 2023) and a few hundred service areas. By default: 320 nodes in a 550 x 400 km
box (21 cities, one per prefecture, and 299 service areas, every node a candidate),
links along a Delaunay triangulation kept shortest first on top of a spanning tree until
they sum to 11,000 road km (about one service area per 35-40 km of road, as Chinese
expressways space them at about 50 km per direction), 300 origin-destination truck flows
between cities, a usable range of 350 km, and the city plan's 10 periods (2021-2035).
It is solved to a 1 % gap (HiGHS, 2 threads) and the build time, solve time, gap and
model size are printed.

Usage::

    python benchmarks/bench_corridor.py
    python benchmarks/bench_corridor.py --nodes 600 --paths 600 --km 11000 --gap 0.01 --time-limit 600

Timing is a measurement, not a test: nothing here asserts wall-clock time. The machine
may be shared: the load average is printed next to the times.
"""

from __future__ import annotations

import argparse
import os
from time import perf_counter

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=320)
    ap.add_argument("--cities", type=int, default=21)
    ap.add_argument("--paths", type=int, default=300)
    ap.add_argument("--km", type=float, default=11000.0)
    ap.add_argument("--range-km", type=float, default=350.0)
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from h2model.network import NetworkOptions
    from h2model.network.corridor import build_corridor_model, generate_corridor_instance, solve_corridor

    t0 = perf_counter()
    data = generate_corridor_instance(args.nodes, args.cities, args.paths, args.km, range_km=args.range_km,
                                      seed=args.seed)
    gen = perf_counter() - t0
    hops = np.array([len(p) - 1 for p in data.path_nodes])
    one_way = np.array([k[-1] for k in data.path_km])
    m = build_corridor_model(data)  # size only; solve_corridor builds its own
    n_x, n_y, n_rows = len(m.x), len(m.y), m.corridor_index["n_rows"]
    del m
    opts = NetworkOptions(mip_gap=args.gap, time_limit_s=args.time_limit, threads=args.threads)
    load_before = os.getloadavg()
    plan = solve_corridor(data, opts)
    load_after = os.getloadavg()
    info = plan.solve
    print(f"instance: {args.nodes} nodes ({args.cities} cities), {args.km:,.0f} road km,"
          f" {len(data.path_nodes)} paths (one way {one_way.min():.0f}-{one_way.max():.0f} km,"
          f" median {np.median(one_way):.0f};"
          f" {np.median(hops):.0f} links median), range {args.range_km:.0f} km, {data.n_periods} periods;"
          f" generated in {gen:.1f} s")
    print(f"model: {n_x:,} binaries, {n_y:,} path-period variables, {n_rows:,} arc-cover rows")
    print(f"build {info.build_time_s:.1f} s, solve {info.solve_time_s:.1f} s, status {info.status},"
          f" gap {100 * info.gap:.3g} % (target {100 * args.gap:g} %),"
          f" objective {info.objective_cny:,.0f} CNY")
    print(f"stations open by period: {plan.built.sum(axis=0).tolist()}; refuelled need"
          f" {(data.need_kg_per_day * plan.refuelled).sum() / data.need_kg_per_day.sum():.1%}")
    print(f"load average (1, 5, 15 min) before {tuple(round(x, 1) for x in load_before)},"
          f" after {tuple(round(x, 1) for x in load_after)}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
