"""Command-line interface: a thin shell over the package's functions.

Run ``h2model --help`` or ``h2model COMMAND --help``. Input problems are printed as
one located list and the command exits with status 2, never with a traceback; other
failures (a file in the way, a Dask cluster that cannot be reached) print one line and
exit with status 1; Ctrl-C prints one line and exits with status 130, keeping the
outputs of the scenarios or variants that finished.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .inputs import DEFAULT_CASE, InputError

EXIT_FAIL = 1
EXIT_INPUT = 2
EXIT_INTERRUPTED = 130


def _add_case_args(p: argparse.ArgumentParser, workbook_default: bool = True) -> None:
    p.add_argument("workbook", nargs="?" if workbook_default else None,
                   default=str(DEFAULT_CASE) if workbook_default else None,
                   help="input workbook (.xlsx) or folder of <Sheet>.csv files"
                        + (f" (default: {DEFAULT_CASE.name})" if workbook_default else ""))


def cmd_validate(args) -> int:
    from .inputs import list_scenarios, load_case
    scenarios = [args.scenario] if args.scenario else (list_scenarios(args.workbook) or [None])
    if args.all is False and not args.scenario:
        scenarios = [None]
    for sc in scenarios:
        case = load_case(args.workbook, sc)
        # the Uncertainty rows a Monte Carlo run would refuse (inputs its engines never read)
        from .uncertainty import check_uncertainty
        check_uncertainty(case)
        for note in case.notes:
            print(f"note: {note}")
        st = case["Stations"]
        n25 = int(((st["status"] != "candidate") & (st["commissioning_year"] <= 2025)).sum())
        fleet = case["Fleet"]
        v25 = int(fleet.loc[fleet["year"] == 2025, "fcev_in_service"].sum())
        print(f"OK  {Path(args.workbook).name}  scenario={case.scenario}: {len(st)} station rows"
              f" ({n25} existing or planned by 2025), {v25} FCEVs in 2025, {len(case.overrides)} overrides")
    return 0


def cmd_inputs_export(args) -> int:
    from .inputs import export_case
    if Path(args.dir).exists() and not Path(args.dir).is_dir():
        print(f"{args.dir} is a file; give a folder to write the CSV files to", file=sys.stderr)
        return EXIT_INPUT
    export_case(args.workbook, args.dir)
    print(f"wrote {args.dir}/<Sheet>.csv from {args.workbook}")
    return 0


def cmd_inputs_import(args) -> int:
    from .inputs import import_case
    out = Path(args.workbook)
    if out.exists() and not args.force:
        print(f"{out} exists; pass --force to replace it", file=sys.stderr)
        return EXIT_INPUT
    import_case(args.dir, out)
    print(f"wrote {out} from {args.dir}")
    return 0


def cmd_run(args) -> int:
    from .model import run_scenarios
    status = run_scenarios(args.workbook, scenarios=args.scenario, all_scenarios=args.all,
                           out=Path(args.out), progress=not args.quiet, mc_draws=args.mc_draws,
                           compare_to=args.compare_to)
    for name, state in status.items():
        print(f"{'OK ' if state == 'ok' else 'FAIL'} {name}" + ("" if state == "ok" else f": {state}"))
    return 0 if all(s == "ok" for s in status.values()) else 1


def cmd_design(args) -> int:
    import pickle

    from .design import DesignInfeasible, design, levers, setting, write_scenario
    from .inputs import load_case
    from .results import write_csv
    if bool(args.write_scenario) != bool(args.out_workbook):
        print("give --write-scenario NAME and --out-workbook PATH together", file=sys.stderr)
        return EXIT_INPUT
    if args.out_workbook and Path(args.out_workbook).resolve() == Path(args.workbook).resolve():
        print("--out-workbook must differ from the input workbook (inputs are never modified)",
              file=sys.stderr)
        return EXIT_INPUT
    case = load_case(args.workbook, args.scenario)
    try:
        lv = levers(case)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INPUT
    st = None
    cache = Path(args.plan_cache) if args.plan_cache else None
    key = (case.input_sha256, case.scenario, args.plan_network, "flow-at-lever-minima")
    if cache is not None and cache.exists():  # a plan computed earlier for the same inputs
        try:
            got, cached = pickle.loads(cache.read_bytes())
        except (AttributeError, ModuleNotFoundError, pickle.UnpicklingError, ValueError):
            got = None  # written by another version
        st = cached if got == key else None
    if st is None:
        st = setting(case, plan_network=args.plan_network, levers_=lv)
        if cache is not None:
            cache.write_bytes(pickle.dumps((key, st)))
    try:
        res = design(st, lv, p=args.p, targets=args.targets, n=args.draws, seed=args.seed,
                     check_n=args.check_draws, check_seed=args.check_seed, vehicle_levels=args.vehicle_levels)
    except DesignInfeasible as exc:
        print(f"infeasible: {exc}", file=sys.stderr)
        return EXIT_FAIL
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in res.tables().items():
        write_csv(table, out / f"{name}.csv")
    for x, a in zip(res.levers, res.amounts, strict=True):
        print(f"{x.programme_id} ({x.level}, {x.kind}): {a:,.4g} {x.unit}")
    s = res.summary
    for r in s.itertuples(index=False):
        moved = "" if r.moved_by_design else " (no lever moves it: checked, not designed)"
        print(f"target {r.target} {r.target_year} {r.comparator} {r.required:g} {r.unit}: met in"
              f" {r.share_design_draws:.1%} of {r.draws} design draws and {r.share_check_draws:.1%} of"
              f" {r.check_draws} fresh draws (seed {r.check_seed}){moved}")
    print(f"expected discounted outlay {s.discounted_outlay_cny.iloc[0] / 1e6:,.1f} M CNY;"
          f" {s.time_s.iloc[0]:.1f} s; tables in {out}")
    if args.write_scenario:
        path = write_scenario(args.workbook, args.out_workbook, args.write_scenario, res,
                              base_scenario=args.scenario)
        print(f"scenario {args.write_scenario} written to {path} (a copy; {args.workbook} unchanged)")
    return 0


def cmd_report(args) -> int:
    from .report import build_reports
    if args.scenario and args.all:
        print("give --scenario NAME or --all, not both", file=sys.stderr)
        return EXIT_INPUT
    langs = ["en", "zh"] if args.lang == "both" else [args.lang]
    status = build_reports(args.workbook, scenarios=args.scenario or None, langs=langs, out=Path(args.out),
                           mc_draws=args.mc_draws, progress=not args.quiet, compare_to=args.compare_to)
    for name, state in status.items():
        print(f"{'OK ' if state == 'ok' else 'FAIL'} {name}" + ("" if state == "ok" else f": {state}"))
    print(f"index: {Path(args.out) / 'index.html'}")
    return 0 if all(s == "ok" for s in status.values()) else 1


def cmd_sweep(args) -> int:
    from .results import write_atomic, write_csv
    from .sweep import SweepError, grid, parse_set, read_grid, sweep
    try:
        if args.grid:
            if args.scenario:
                print("--scenario applies to --set axes; a --grid file names its own scenarios",
                      file=sys.stderr)
                return EXIT_INPUT
            variants = read_grid(args.grid)
        else:
            axes = dict(parse_set(s) for s in args.set)
            variants = grid(axes, args.scenario or [None])
    except (ValueError, OSError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_INPUT
    out = Path(args.out)
    if out.is_dir():
        print(f"--out {out} is a folder; give the CSV file to write, e.g. {out / 'sweep.csv'}",
              file=sys.stderr)
        return EXIT_INPUT
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"--out {out}: cannot create its folder: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT

    def write(table) -> None:  # finished variants are on disk as they arrive
        write_atomic(out, lambda tmp: write_csv(table, tmp))

    try:
        table = sweep(args.workbook, variants, scheduler=args.scheduler, processes=args.processes,
                      progress=not args.quiet, plan_network=args.plan_network, on_result=write,
                      connect_timeout_s=args.connect_timeout)
    except SweepError as exc:
        kept = f"; the finished variants are in {out}" if exc.table is not None else ""
        print(f"error: {exc}{kept}", file=sys.stderr)
        return EXIT_FAIL
    ok = table["status"] == "ok"
    for r in table[~ok].itertuples(index=False):
        print(f"FAIL {r.variant}: {r.status}", file=sys.stderr)
    print(f"{int(ok.sum())} of {len(table)} variants ran; wrote {out}")
    return 0 if ok.all() else 1


def _add_design_parser(sub) -> None:
    """The ``design`` subcommand's options."""
    p = sub.add_parser("design", help="design the least-cost subsidy mix for the plan's targets",
                       description=("Choose the amounts of the Design sheet's programmes (within their"
                                    " bounds) for the least expected discounted public outlay such that each"
                                    " selected target holds in at least a share P of Monte Carlo draws (Pyomo"
                                    " + HiGHS); re-check on fresh draws. Writes design.csv,"
                                    " design_by_level.csv, design_summary.csv and design_policy.csv to OUT"
                                    " (the scenario's output folder puts a subsidy design section in its"
                                    " report); --write-scenario also writes the design as a scenario of a"
                                    " copy of the workbook."))
    _add_case_args(p)
    p.add_argument("--scenario", help="scenario to design on (default: the inputs as entered)")
    p.add_argument("--p", type=float, default=0.8, help="share of draws meeting each target (default: 0.8)")
    p.add_argument("--targets", nargs="+", default=["price"], choices=("price", "fcev", "stations"),
                   help="targets to meet (default: price); stations are checked, not moved (the plan's"
                        " count)")
    p.add_argument("--draws", type=int, default=1000, help="design draws (default: 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the design draws (default: 0)")
    p.add_argument("--check-draws", type=int, help="fresh draws for the re-check (default: --draws)")
    p.add_argument("--check-seed", type=int, help="seed of the fresh draws (default: --seed + 1)")
    p.add_argument("--vehicle-levels", type=int, default=5,
                   help="levels per vehicle lever, minimum to maximum (default: 5)")
    p.add_argument("--no-plan-network", dest="plan_network", action="store_false",
                   help="the case's stations and nearest-station assignment instead of the network plan")
    p.add_argument("--plan-cache", metavar="FILE",
                   help="pickle of the fleet and network plan, reused when the inputs are the same")
    p.add_argument("--out", default="outputs/design", help="output folder (default: outputs/design)")
    p.add_argument("--write-scenario", metavar="NAME",
                   help="write the design as scenario NAME of a workbook copy")
    p.add_argument("--out-workbook", metavar="PATH", help="the copy to write (.xlsx; never the input)")
    p.set_defaults(func=cmd_design)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="h2model",
        description="Hydrogen refuelling network and fuel-cell fleet analysis for Guangzhou's"
                    " 2025 plan (50+ stations, 2,500+ FCEVs, hydrogen below 35 CNY/kg).",
        epilog="Example: h2model validate inputs/guangzhou.xlsx --all",
    )
    parser.add_argument("--version", action="version", version=f"h2model {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("validate", help="check a workbook or CSV folder and list every problem",
                       description="Validate an input workbook (or CSV folder) under one or all"
                                   " scenarios. Prints every problem with sheet, cell, value and"
                                   " rule; exits 2 if there are any.")
    _add_case_args(p)
    p.add_argument("--scenario", help="scenario from the Scenarios sheet (default: the inputs as entered)")
    p.add_argument("--all", action="store_true", help="validate every scenario")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("inputs", help="convert inputs between workbook and CSV folder",
                       description="Convert between the workbook and a folder of CSV files"
                                   " (one per sheet), losslessly, for review as text diffs.")
    isub = p.add_subparsers(dest="inputs_command", metavar="ACTION", required=True)
    q = isub.add_parser("export", help="workbook -> folder of CSV files",
                        description="Write each sheet of WORKBOOK to DIR/<Sheet>.csv.")
    q.add_argument("workbook", help="input workbook (.xlsx)")
    q.add_argument("dir", help="folder to write the CSV files to (created if needed)")
    q.set_defaults(func=cmd_inputs_export)
    q = isub.add_parser("import", help="folder of CSV files -> formatted workbook",
                        description="Build a workbook from DIR/<Sheet>.csv with drop-downs,"
                                    " range checks, frozen headers and a README sheet.")
    q.add_argument("dir", help="folder of <Sheet>.csv files")
    q.add_argument("workbook", help="workbook to write (.xlsx)")
    q.add_argument("--force", action="store_true", help="replace WORKBOOK if it exists")
    q.set_defaults(func=cmd_inputs_import)

    p = sub.add_parser("run", help="run the model and write the results tables",
                       description="Run fleet, station economics, network plan, policy and"
                                   " emissions for one or all scenarios and write the results"
                                   " tables (CSV and one Excel workbook) to OUT/<scenario>/.")
    _add_case_args(p)
    p.add_argument("--scenario", action="append", help="scenario to run (repeatable)")
    p.add_argument("--all", action="store_true", help="run every scenario of the workbook")
    p.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    p.add_argument("--mc-draws", type=int, default=0,
                   help="Monte Carlo draws for the uncertainty tables (default: 0, none)")
    p.add_argument("--compare-to", metavar="BASE_OUT", default=None,
                   help="output folder of a base run: also write what_changed_inputs.csv (the input cells "
                        "that differ from the base run's workbook) and what_changed_headline.csv (the "
                        "targets before and after)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)

    _add_design_parser(sub)

    p = sub.add_parser("report", help="build the HTML scenario reports, charts and tables",
                       description="Execute notebooks/report.ipynb for each scenario and language into"
                                   " OUT/<scenario>/ (executed notebook, self-contained HTML report,"
                                   " charts as PNG and SVG, results as CSV and results.xlsx), then write"
                                   " OUT/comparison_<lang>.html and OUT/index.html. Reports open offline.")
    _add_case_args(p)
    p.add_argument("--scenario", action="append", help="scenario to report (repeatable; default: all)")
    p.add_argument("--all", action="store_true", help="report every scenario of the workbook (the default)")
    p.add_argument("--lang", choices=["en", "zh", "both"], default="both",
                   help="report language (default: both)")
    p.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    p.add_argument("--mc-draws", type=int, default=1000,
                   help="Monte Carlo draws for the sensitivity section (default: 1000; 0 skips)")
    p.add_argument("--compare-to", metavar="BASE_OUT", default=None,
                   help="output folder of a base run: the report gains a 'what changed' block (the input "
                        "cells that differ and the targets before and after)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "sweep", help="run the model over a grid of input variants (locally or on Dask)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run the model for every variant of a grid and write one CSV with a row per variant:\n"
                    "its parameters, status and headline results (targets met, 2025 network price,\n"
                    "budget). Variants run on a local process pool, or on a Dask cluster with\n"
                    "--scheduler tcp://HOST:8786 (same results).",
        epilog="""axes (--set, repeatable; the variants are their product):
  Sheet.key.column=v1,v2     set the cells to each value
  Sheet.key.column*=f1,f2    scale them by each factor
  Sheet.key.column+=a1,a2    add each amount
  Sheet.key=v1,v2            a params sheet's key (Finance, Delivery, Network)
  key as in the Scenarios sheet: a row id (key columns joined with |), * for every
  row, or a filter column=value.

grid file (--grid): YAML/JSON
  scenario: plan-2025                 # or scenarios: [baseline, plan-2025]
  grid:
    Finance.discount_rate: [0.06, 0.08, 0.10]
    "StationCosts.*.capex_excl_land_cny*": [0.8, 1.2]
  variants:                           # optional, one by one
    - {id: cheap, scenario: baseline, set: {"Supply.gzpc_byproduct.production_cost_cny_per_kg": 10}}
or CSV with columns variant, scenario, sheet, key, column, value, operation
(one override per row, as the Scenarios sheet).

examples:
  h2model sweep --set Finance.discount_rate=0.06,0.08,0.1 \\
      --set "StationCosts.*.capex_excl_land_cny*=0.8,1.2" \\
      --scenario baseline --scenario plan-2025 --out outputs/sweep.csv
  h2model sweep --grid grid.yaml --scheduler tcp://10.0.0.5:8786 --out outputs/sweep.csv""")
    _add_case_args(p)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--grid", metavar="FILE", help="grid file (.yaml, .yml, .json or .csv)")
    g.add_argument("--set", action="append", metavar="AXIS=V1,V2,...",
                   help="an axis of the grid (repeatable)")
    p.add_argument("--scenario", action="append",
                   help="base scenario for --set axes (repeatable; default: the inputs as entered)")
    p.add_argument("--no-plan-network", dest="plan_network", action="store_false",
                   help="skip the network plan in variants that do not say (faster; the case's stations with"
                        " the nearest-station assignment; then the figures differ from 'h2model run')")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address, e.g. tcp://host:8786 or tls://host:8786 (trusted"
                        " schedulers only: results come back pickled)")
    p.add_argument("--connect-timeout", type=float, default=30.0, metavar="SECONDS",
                   help="how long to try to reach the Dask scheduler (default: 30)")
    p.add_argument("--processes", type=int, help="local worker processes (default: CPUs; 1: no pool)")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="results table to write")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sweep)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``h2model`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted; the outputs of finished scenarios (or sweep variants) are kept", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # a file in the way, no permission, disk full: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAIL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
