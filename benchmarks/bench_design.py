"""Benchmark h2model.design: the subsidy designer over 1,000 draws of the default case.

Run on demand (not a test): ``.venv/bin/python benchmarks/bench_design.py [--draws N]
[--p P] [--plan-cache FILE] [--no-plan-network] [--profile]``.

Set-up (not timed): load the case and build its fleet, network plan and station economics at every
lever's minimum (:func:`h2model.design.setting`; ``--plan-cache`` reuses a pickled one). Timed:
:func:`h2model.design.design` -- draws, station costs, the engine at the bounds and at each candidate,
the HiGHS mixed-integer programmes, the final bisection and the re-check on as many fresh draws.
Prints seconds, the designed amounts and the shares, or the infeasibility message (also timed), the
machine's load average, and the time as a ratio of the 60 s aim. ``--profile`` runs the timed part
under cProfile and prints the 25 costliest calls (cumulative).
"""

from __future__ import annotations

import argparse
import os
import pickle
import time
from pathlib import Path

from h2model import design as D
from h2model.inputs import DEFAULT_CASE, load_case


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workbook", nargs="?", default=str(DEFAULT_CASE))
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--p", type=float, default=0.8)
    ap.add_argument("--plan-cache", help="pickle of the setting (h2model design --plan-cache format)")
    ap.add_argument("--no-plan-network", dest="plan_network", action="store_false")
    ap.add_argument("--profile", action="store_true", help="cProfile the timed part")
    args = ap.parse_args()
    case = load_case(args.workbook)
    lv = D.levers(case)
    st = None
    key = (case.input_sha256, case.scenario, args.plan_network, "flow-at-lever-minima")
    cache = Path(args.plan_cache) if args.plan_cache else None
    if cache is not None and cache.exists():
        try:
            got, st = pickle.loads(cache.read_bytes())
        except (AttributeError, ModuleNotFoundError, pickle.UnpicklingError, ValueError):
            got, st = None, None
        st = st if got == key else None
    if st is None:
        t = time.perf_counter()
        st = D.setting(case, plan_network=args.plan_network, levers_=lv)
        print(f"set-up (fleet and network plan): {time.perf_counter() - t:.1f} s")
        if cache is not None:
            cache.write_bytes(pickle.dumps((key, st)))
    prof = None
    if args.profile:
        import cProfile
        prof = cProfile.Profile()
        prof.enable()
    t = time.perf_counter()
    try:
        res = D.design(st, lv, p=args.p, n=args.draws, seed=0)
    except D.DesignInfeasible as exc:
        print(f"design, {args.draws} draws: {time.perf_counter() - t:.1f} s -- infeasible: {exc}")
        return
    took = time.perf_counter() - t
    if prof is not None:
        import pstats
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    s = res.summary.iloc[0]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"design, {args.draws} draws: {took:.1f} s ({s.iterations} linearisations); {took / 60:.2f} x the"
          f" 60 s aim; load average {load} on {os.cpu_count()} cores")
    for x, a in zip(res.levers, res.amounts, strict=True):
        print(f"  {x.programme_id}: {a:,.4g} {x.unit}")
    print(f"  share meeting the target: {s.share_design_draws:.3f} (design draws),"
          f" {s.share_check_draws:.3f} (fresh draws, seed {s.check_seed}); expected discounted outlay"
          f" {s.discounted_outlay_cny / 1e6:,.1f} M CNY")


if __name__ == "__main__":
    main()
