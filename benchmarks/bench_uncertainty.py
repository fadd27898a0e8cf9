"""Benchmark h2model.uncertainty: Monte Carlo draws per second and peak memory.

Run on demand (not a test): ``.venv/bin/python benchmarks/bench_uncertainty.py``.

Times :func:`h2model.uncertainty.monte_carlo` on the default Guangzhou case with
``--draws`` draws (default 100,000) of every input of its Uncertainty sheet, for the
``--years`` given (default 2025): the break-even price of every operating station in
those years (52 in 2025) with self-consistent subsidies, the network price, the
subsidy budget and the TCO of every segment and powertrain for those purchase years
(parity of 6 FCEV segments against diesel and BEV), plus the tornado and the summary
tables. The Sobol design and the frontier are timed apart (``--sobol-n`` base samples,
default 4,096, i.e. N(K+2) = 57,344 evaluations of the 2025 network price), as is the
report's default run (200 draws over every analysis year). The fleet run and case load
are set-up, not timed.

Prints seconds, draws per second and peak resident memory of the process (the
draws are processed in chunks, so memory does not grow with the chunk count).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np

from h2model import uncertainty
from h2model.fleet import fleet_from_case
from h2model.inputs import DEFAULT_CASE, load_case


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MB (Linux reports KiB)."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 2**20


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--years", type=int, nargs="+", default=[2025])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sobol-n", type=int, default=4096)
    ap.add_argument("--report-draws", type=int, default=200)
    args = ap.parse_args()

    case = load_case(DEFAULT_CASE)
    fl = fleet_from_case(case)
    k = len(uncertainty.uncertain_inputs(case))
    rss0 = peak_rss_mb()
    print(f"case: {DEFAULT_CASE.name}, {k} uncertain inputs, years {args.years}; "
          f"set-up peak RSS {rss0:.0f} MB")

    t, res = timed(lambda: uncertainty.monte_carlo(case, args.draws, args.seed, years=args.years, sobol_n=0,
                                                   fleet=fl, frontier=False))
    rss1 = peak_rss_mb()
    s = res.summary.iloc[0]
    n_rows = int((res.station_price["quantity"] == "breakeven_price_with_subsidy_cny_per_kg").sum())
    print(f"monte_carlo: {args.draws:,} draws in {t:.2f} s = {args.draws / t:,.0f} draws/s "
          f"({n_rows} selling station-years, {len(res.parity)} parity rows); peak RSS {rss1:.0f} MB")
    print(f"  P({int(s['year'])} network price {s['comparator']} {s['price_target_cny_per_kg']:g}) = "
          f"{s['prob_meets_target']:.3f}; p5/p50/p95 = {s['p5']:.2f} / {s['p50']:.2f} / {s['p95']:.2f} "
          "CNY/kg "
          f"(base {s['base_cny_per_kg']:.2f})")

    t2, res2 = timed(lambda: uncertainty.monte_carlo(case, args.draws, args.seed, years=args.years, sobol_n=0,
                                                     fleet=fl, frontier=False))
    same = np.array_equal(res.network_price_draws, res2.network_price_draws)
    print(f"  repeat: {t2:.2f} s; same seed, same draws bit for bit: {same}")

    if args.sobol_n:
        t, sob = timed(lambda: uncertainty.sobol_analysis(case, n=args.sobol_n, seed=args.seed, fleet=fl))
        n_eval = int(sob["base_samples"].iloc[0]) * (k + 2)
        print(f"sobol_analysis: N={int(sob['base_samples'].iloc[0])}, {n_eval:,} evaluations in {t:.2f} s "
              f"({n_eval / t:,.0f}/s); top ST: "
              + ", ".join(f"{r.input_id} {r.ST:.2f}" for r in sob.head(3).itertuples()))
    t, fr = timed(lambda: uncertainty.breakeven_frontier(case))
    print(f"breakeven_frontier: {len(fr):,} grid points in {t * 1e3:.0f} ms (one finance call)")
    if args.report_draws:
        t, _ = timed(lambda: uncertainty.monte_carlo(case, args.report_draws, args.seed, fleet=fl))
        print(f"report default: monte_carlo(n={args.report_draws}, every year, Sobol N={args.report_draws}, "
              f"frontier) in {t:.2f} s")
    print(f"peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
