"""Benchmark: fleet demand and TCO for a synthetic fleet of one million vehicles.

Run on demand (``python benchmarks/bench_fleet.py [n_vehicles]``); prints wall-clock
times and peak memory of each step. Tests never assert on time.

Two measurements:

1. ``fleet_from_case`` on a synthetic Guangzhou-shaped case (11 districts x 6 segments,
   stock rising to ``n_vehicles`` over 16 years, 110 depots, 220 stations): vintage
   accounting, expansion to one row per vehicle, depot allocation, demand by depot and
   district, and station assignment for every year;
2. ``tco_per_vehicle`` for every vehicle with its own annual distance and lifetime, on
   a hydrogen price path by year of life (per-vehicle arrays, shape ``(n,)`` and
   ``(n, T)``).
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from h2model import fleet, tco  # noqa: E402
from h2model.inputs.schema import DISTRICTS, SEGMENTS  # noqa: E402
from tests.data.fleet_case import DISTRICTS as DISTRICT_ROWS  # noqa: E402
from tests.data.fleet_case import FINANCE, make_case  # noqa: E402
from tests.data.fleet_case import SEGMENTS as SEGMENT_ROWS


def synthetic_case(n_vehicles: int, seed: int = 1):
    """A case with ``n_vehicles`` FCEVs in service by the last year."""
    rng = np.random.default_rng(seed)
    years = np.arange(2020, 2036)
    share = rng.dirichlet(np.ones(len(DISTRICTS) * len(SEGMENTS)))
    ramp = np.linspace(0.01, 1.0, len(years)) ** 2
    fleet_rows = []
    for k, (d, s) in enumerate((d, s) for d in DISTRICTS for s in SEGMENTS):
        stock = np.rint(n_vehicles * share[k] * ramp).astype(int)
        fleet_rows += [{"year": int(y), "district": d, "segment": s, "fcev_in_service": int(v)}
                       for y, v in zip(years, stock, strict=True)]
    centroids = {r["district"]: r for r in DISTRICT_ROWS}
    district_rows = [{"district": d, "name_en": d, "name_zh": d,
                      "longitude": centroids.get(d, {}).get("longitude", 113.3 + 0.05 * i),
                      "latitude": centroids.get(d, {}).get("latitude", 23.1 + 0.03 * i)}
                     for i, d in enumerate(DISTRICTS)]
    depots, stations = [], []
    for i, d in enumerate(DISTRICTS):
        lon0, lat0 = district_rows[i]["longitude"], district_rows[i]["latitude"]
        for j in range(10):
            depots.append({"depot_id": f"{d}-d{j}", "name": "x", "district": d,
                           "longitude": lon0 + rng.normal(0, 0.05), "latitude": lat0 + rng.normal(0, 0.05),
                           "weight": float(rng.uniform(0.5, 2.0))})
        for j in range(20):
            stations.append({"station_id": f"{d}-s{j}", "name": "x", "district": d,
                             "longitude": lon0 + rng.normal(0, 0.05), "latitude": lat0 + rng.normal(0, 0.05),
                             "status": "planned", "commissioning_year": int(rng.integers(2020, 2036)),
                             "capacity_kg_per_day": 20000.0, "pressure_mpa": 35,
                             "station_type": "standalone", "supply_id": "bp"})
    base = {r["segment"]: r for r in SEGMENT_ROWS if r["powertrain"] == "fcev"}
    segments = [{**base["heavy_tractor"], "segment": s} for s in SEGMENTS]
    finance = {**FINANCE, "price_year": 2020, "analysis_start_year": 2020, "analysis_end_year": 2035}
    return make_case({"Fleet": fleet_rows, "Districts": district_rows, "Depots": depots,
                      "Stations": stations, "Segments": segments}, finance=finance)


def timed(label, fn, *args, **kwargs):
    """Best of three untraced runs, then one run under tracemalloc for peak memory."""
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    dt = min(times)
    print(f"{label:<52s} {dt:6.2f} s  (runs {', '.join(f'{t:.2f}' for t in times)})"
          f"  peak {peak / 2**20:6.0f} MiB")
    return out, dt


def main(n_vehicles: int = 1_000_000) -> None:
    print(f"synthetic fleet: {n_vehicles:,} vehicles in service in the last year")
    case = synthetic_case(n_vehicles)
    res, t_fleet = timed("fleet_from_case (expand, depots, demand, stations)", fleet.fleet_from_case, case)
    v = res.vehicles
    print(f"  vehicles expanded: {len(v):,}; depots: {res.demand_by_depot['depot_id'].nunique()}; "
          f"station-years: {len(res.station_load):,}")
    last = res.demand_by_district[res.demand_by_district["year"] == 2035]
    short = res.unserved.loc[res.unserved["year"] == 2035, "h2_kg_per_day"].sum()
    print(f"  demand 2035: {last['h2_kg_per_day'].sum() / 1000:,.0f} t/day, of which unserved "
          f"{short / 1000:,.0f} t/day (synthetic stations are deliberately few)")

    n = len(v)
    rng = np.random.default_rng(2)
    km = v["annual_km"].to_numpy() * rng.lognormal(0.0, 0.2, n)
    life = rng.integers(5, 11, n)
    h2_path = np.linspace(40.0, 25.0, 10)  # CNY/kg by year of life
    purchase_index = (v["purchase_year"].to_numpy() - 2020) % 5
    price_path = h2_path[None, :] - purchase_index[:, None]  # (n, 10)

    def run_tco():
        return tco.tco_per_vehicle(
            1_000_000.0, km, 0.10, price_path, life, 0.08, maintenance_cny_per_km=0.5,
            insurance_cny_per_year=10_000.0, replacement_cost_cny=100_000.0, replacement_year=5,
            residual_share=0.1, purchase_subsidy_cny=300_000.0,
            operation_subsidy_cny_per_year=np.minimum(km * 2.5, 100_000.0)[:, None])

    out, t_tco = timed("tco_per_vehicle (per vehicle, 10-year path)", run_tco)
    print(f"  mean TCO {out['total'].mean() / 1e6:,.3f} M CNY per vehicle")
    print(f"total {t_fleet + t_tco:.2f} s for {n:,} vehicles (aim: under 5 s); "
          f"{(t_fleet + t_tco) / n * 1e6:.2f} us per vehicle; "
          f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
