"""Benchmark the network-plan optimiser on generated instances.

Builds and solves seeded instances from
:func:`h2model.network.prepare.generate_instance` with *n* candidate sites and
3 *n* demand nodes over 10 periods, and prints, per size, the model size, the
times of data preparation, model construction and solve (wall time including
loading the model into the solver, and the solver's own time), the status and
relative gap, and the peak resident memory after construction and after the
solve. Each size runs in its own process so that peak memory is its own.

The default Guangzhou case (through the workbook adapter, with its own Network
sheet options and no time limit: time to a plan proven within the sheet's gap, 0.5 %) runs first.

Usage::

    python benchmarks/bench_network.py              # 200 and 1,000 sites, 120 s each
    python benchmarks/bench_network.py --all        # also 2,000 sites and the GBA case, 600 s each
    python benchmarks/bench_network.py --sizes 60 500 --gap 0.0001 --time-limit 120
    python benchmarks/bench_network.py --no-guangzhou --sizes 200 --start relax_and_fix --covering
    python benchmarks/bench_network.py --all --method benders --covering     # Benders decomposition
    python benchmarks/bench_network.py --all --method windows --covering     # LP-guided windows heuristic
    python benchmarks/bench_network.py --all --workbook inputs/greater_bay_area.xlsx  # another case too

``--workbook PATH`` (repeatable) adds a case workbook run like Guangzhou (through the adapter,
its Network sheet's options) but with the benchmark's gap and time limit.

Timing is a measurement, not a test: nothing here asserts wall-clock time.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from time import perf_counter

#: The Greater Bay Area case, run by ``--all`` after the generated instances.
GBA_WORKBOOK = "inputs/greater_bay_area.xlsx"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def run_guangzhou(args, workbook=None) -> dict:
    """A case through the adapter with its workbook's options.

    The default Guangzhou case (``workbook`` None) is solved to a plan proven within its
    sheet's gap, with no time limit (a Benders solve gets the benchmark's time limit);
    another workbook with the benchmark's gap and time limit.
    """
    import dataclasses

    from h2model import fleet
    from h2model.inputs import DEFAULT_CASE, load_case
    from h2model.network.adapter import network_from_case, network_options_from_case

    case = load_case(workbook or DEFAULT_CASE)
    fl = fleet.fleet_from_case(case)
    sheet = network_options_from_case(case, fl)
    # Guangzhou: proven within its sheet's gap (0.5 %), no time limit (gap 0 took over 8 minutes)
    gap, limit = (sheet.mip_gap, None) if workbook is None else (args.gap, args.time_limit)
    if args.method == "benders" and workbook is None:
        limit = args.time_limit
    options = dataclasses.replace(
        sheet, mip_gap=gap, time_limit_s=limit,
        covering_rows=args.covering or sheet.covering_rows, start=args.start,
        method=sheet.method if args.method == "auto" else args.method,
    )
    peak_prepare = _peak_mb()
    t0 = perf_counter()
    cp = network_from_case(case, fl, options)
    total = perf_counter() - t0
    info = cp.plan.solve
    by_year = cp.plan.by_year
    return {
        "sites": len(case["Stations"]),
        "nodes": int(cp.plan.assignment["node_id"].nunique()),
        "periods": len(by_year),
        "pairs": -1,
        "binaries": -1,
        "continuous": -1,
        "rows": -1,
        "prepare_s": total - info.build_time_s - info.solve_time_s,
        "build_s": info.build_time_s,
        "solve_s": info.solve_time_s,
        "solver_s": info.solver_time_s,
        "read_s": float("nan"),
        "status": info.status,
        "gap": info.gap,
        "objective_cny": info.objective_cny,
        "bound_cny": info.bound_cny,
        "stations_last": int(by_year["stations_open"].iloc[-1]),
        "peak_prepare_mb": peak_prepare,
        "peak_build_mb": float("nan"),
        "peak_solve_mb": _peak_mb(),
        "label": "Guangzhou" if workbook is None else str(workbook),
    }


def run_one(args) -> dict:
    """Prepare, build, solve and read one instance; return its figures."""
    if args.sites == 0:
        return run_guangzhou(args)
    if args.sites < 0:
        return run_guangzhou(args, args.workbook[-1 - args.sites])
    from h2model.network import NetworkOptions, build_model, generate_instance, read_results, solve

    t0 = perf_counter()
    data = generate_instance(args.sites, 3 * args.sites, args.periods, seed=args.seed)
    prepare_s = perf_counter() - t0
    options = NetworkOptions(
        max_detour_km=args.max_detour_km,
        max_sites_per_node=args.max_sites_per_node or None,
        max_supplies_per_site=args.max_supplies_per_site or None,
        tight_linking=args.tight,
        heuristic_start={"auto": None, "on": True, "off": False}[args.heuristic_start],
        covering_rows=args.covering,
        start=args.start,
        method=args.method,
        mip_gap=args.gap,
        time_limit_s=args.time_limit,
        tee=args.tee,
    )
    peak_prepare = _peak_mb()
    model = build_model(data, options)
    idx = model.network_index
    peak_build = _peak_mb()
    info = solve(model, options)
    peak_solve = _peak_mb()
    t1 = perf_counter()
    plan = read_results(model, data, info)
    read_s = perf_counter() - t1
    n_bin = len(idx.variables["installed"])
    n_var = sum(len(v) for v in idx.variables.values())
    n_rows = (sum(r[1] for r in model.matrix_rows) if getattr(model, "matrix_rows", None) is not None
              else model.nconstraints())
    return {
        "sites": args.sites,
        "nodes": 3 * args.sites,
        "periods": args.periods,
        "pairs": data.shape["pairs"],
        "binaries": n_bin,
        "continuous": n_var - n_bin,
        "rows": n_rows,
        "prepare_s": prepare_s,
        "build_s": info.build_time_s,
        "solve_s": info.solve_time_s,
        "solver_s": info.solver_time_s,
        "read_s": read_s,
        "status": info.status,
        "gap": info.gap,
        "objective_cny": info.objective_cny,
        "bound_cny": info.bound_cny,
        "stations_last": int(plan.by_year["stations_open"].iloc[-1]) if len(plan.by_year) else -1,
        "peak_prepare_mb": peak_prepare,
        "peak_build_mb": peak_build,
        "peak_solve_mb": peak_solve,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[200, 1000],
                        help="site counts (none: only the cases)")
    parser.add_argument("--all", action="store_true", help="run 200, 1,000 and 2,000 sites")
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gap", type=float, default=0.01, help="relative MIP gap (default 1%%)")
    parser.add_argument(
        "--time-limit", type=float, default=None, help="solver limit per size, s (120; 600 with --all)"
    )
    parser.add_argument("--max-detour-km", type=float, default=10.0)
    parser.add_argument(
        "--max-sites-per-node", type=int, default=10, help="nearest sites kept per node (0: all)"
    )
    parser.add_argument(
        "--max-supplies-per-site", type=int, default=0, help="cheapest supplies per site (0: all)"
    )
    parser.add_argument("--tight", action="store_true", help="tight assignment-capacity linking")
    parser.add_argument(
        "--heuristic-start", choices=["auto", "on", "off"], default="auto", help="greedy MIP start"
    )
    parser.add_argument("--covering", action="store_true", help="NetworkOptions.covering_rows")
    parser.add_argument(
        "--start", choices=["greedy", "relax_and_fix"], default="greedy", help="heuristic start's plan"
    )
    parser.add_argument(
        "--method", choices=["auto", "monolithic", "benders", "windows"], default="auto",
        help="NetworkOptions.method (auto: one MILP up to 3,000 module columns, the windows heuristic "
             "with covering rows and tight-linking cuts above; a case workbook uses its Network sheet's)",
    )
    parser.add_argument(
        "--workbook", action="append", default=[], help="a case workbook to run too (repeatable)"
    )
    parser.add_argument("--no-guangzhou", action="store_true", help="skip the Guangzhou case")
    parser.add_argument("--tee", action="store_true", help="show the solver log")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one is not None:
        args.sites = args.one
        print("RESULT " + json.dumps(run_one(args)), flush=True)
        return 0

    if args.all and GBA_WORKBOOK not in args.workbook:
        args.workbook.append(GBA_WORKBOOK)
    sizes = (
        ([] if args.no_guangzhou else [0])
        + ([200, 1000, 2000] if args.all else args.sizes)
        + [-1 - i for i in range(len(args.workbook))]
    )
    if args.time_limit is None:
        args.time_limit = 600.0 if args.all else 120.0
    passthrough = (
        [
            "--periods",
            str(args.periods),
            "--seed",
            str(args.seed),
            "--gap",
            str(args.gap),
            "--time-limit",
            str(args.time_limit),
            "--max-detour-km",
            str(args.max_detour_km),
            "--max-sites-per-node",
            str(args.max_sites_per_node),
            "--max-supplies-per-site",
            str(args.max_supplies_per_site),
            "--heuristic-start",
            args.heuristic_start,
            "--start",
            args.start,
            "--method",
            args.method,
        ]
        + [x for w in args.workbook for x in ("--workbook", w)]
        + (["--tight"] if args.tight else [])
        + (["--covering"] if args.covering else [])
        + (["--tee"] if args.tee else [])
    )
    header = (
        f"{'sites':>6} {'nodes':>6} {'bin':>7} {'cont':>9} {'rows':>8} {'prep s':>7} "
        f"{'build s':>8} {'solve s':>8} {'solver s':>9} {'status':>11} {'gap %':>7} "
        f"{'stations':>8} {'MB build':>9} {'MB solve':>9} {'objective CNY':>15} {'bound CNY':>15}"
    )
    print(
        f"network benchmark: {args.periods} periods, seed {args.seed}, gap {args.gap:g}, "
        f"time limit {args.time_limit:g} s, detour {args.max_detour_km:g} km, "
        f"{args.max_sites_per_node or 'all'} sites/node, tight={args.tight}, "
        f"heuristic start {args.heuristic_start} ({args.start}), covering rows {args.covering}, "
        f"method {args.method}"
        + (" (over 3,000 module columns: windows with covering rows and tight-linking cuts)"
           if args.method == "auto" else "")
    )
    print(header)
    for n in sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(n), *passthrough],
            capture_output=True,
            text=True,
            check=False,
        )
        if args.tee:
            print(proc.stdout, proc.stderr)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            print(f"{n:>6} failed: {proc.stderr[-500:]}")
            continue
        r = json.loads(lines[-1][len("RESULT ") :])
        if r.get("label") == "Guangzhou":
            how = ("the sheet's gap and the time limit, Benders" if args.method == "benders"
                   else "the sheet's gap and no time limit: proven within it")
            print(f"Guangzhou case (its Network sheet's options, {how}; 'prep s' includes delivery "
                  "costs and the plan's second solve, without the station target):")
        elif r.get("label"):
            print(f"{r['label']} (its Network sheet's options, the benchmark's gap and time limit):")
        print(
            f"{r['sites']:>6} {r['nodes']:>6} {r['binaries']:>7} {r['continuous']:>9} "
            f"{r['rows']:>8} {r['prepare_s']:>7.1f} {r['build_s']:>8.1f} {r['solve_s']:>8.1f} "
            f"{r['solver_s']:>9.1f} {r['status']:>11} {100 * r['gap']:>7.3f} "
            f"{r['stations_last']:>8} {r['peak_build_mb']:>9.0f} {r['peak_solve_mb']:>9.0f} "
            f"{r['objective_cny']:>15,.0f} {r['bound_cny']:>15,.0f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
