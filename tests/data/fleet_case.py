"""A small hand-checkable case for the fleet, TCO, policy and emissions tests.

Tables are typed as the loader types them (schema ``int`` -> ``Int64``, ``float`` ->
``float64``, ``str`` -> ``object``), so the engines see what :func:`h2model.inputs.load_case`
would give them. Numbers are round so that test arithmetic can be written out by hand;
they are not Guangzhou data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from h2model.inputs.case import Case
from h2model.inputs.schema import SHEETS


def typed(sheet: str, rows: list[dict]) -> pd.DataFrame:
    """A table of ``sheet`` from row dicts, typed by the schema; missing cells are blank."""
    cols = SHEETS[sheet].columns
    data = {}
    for c in cols:
        values = [r.get(c.name, "test" if c.name == "source_key" else None) for r in rows]
        if c.kind in ("int", "flag"):
            data[c.name] = pd.array(values, dtype="Int64")
        elif c.kind == "float":
            data[c.name] = np.array([np.nan if v is None else v for v in values], dtype=float)
        else:
            data[c.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)


FINANCE = {
    "price_year": 2023, "analysis_start_year": 2023, "analysis_end_year": 2027,
    "discount_rate": 0.08, "inflation_rate": 0.02, "income_tax_rate": 0.25, "vat_rate": 0.13,
    "debt_share": 0.5, "debt_rate": 0.05, "debt_tenor_years": 10, "depreciation_years": 10,
    "declining_balance": 0, "construction_years": 1, "station_life_years": 20,
    "working_capital_share": 0.0, "salvage_share": 0.0, "ramp_up_years": 0,
    "ramp_start_share": 1.0, "usd_cny_rate": 7.0,
}

DISTRICTS = [
    {"district": "huangpu", "name_en": "Huangpu", "name_zh": "黄埔", "longitude": 113.48, "latitude": 23.18},
    {"district": "panyu", "name_en": "Panyu", "name_zh": "番禺", "longitude": 113.38, "latitude": 22.94},
    {"district": "baiyun", "name_en": "Baiyun", "name_zh": "白云", "longitude": 113.27, "latitude": 23.30},
]

_BASE = {"price_change_per_year": 0.0, "h2_kg_per_100km": 0.0, "electricity_kwh_per_100km": 0.0,
         "diesel_l_per_100km": 0.0, "maintenance_cny_per_km": 0.5, "insurance_cny_per_year": 10000.0,
         "toll_cny_per_km": 0.0, "replacement_cost_cny": 0.0, "replacement_year": 0,
         "residual_share": 0.1, "fc_power_kw": 0.0, "weight_class": "heavy"}


def _seg(segment, powertrain, **kw):
    return {**_BASE, "segment": segment, "powertrain": powertrain, **kw}


SEGMENTS = [
    _seg("bus_12m", "fcev", purchase_price_cny=2_000_000.0, h2_kg_per_100km=8.0, annual_km=60_000.0,
         lifetime_years=8, fc_power_kw=80.0, payload_t=0.0),
    _seg("bus_12m", "bev", purchase_price_cny=1_200_000.0, electricity_kwh_per_100km=100.0,
         annual_km=60_000.0, lifetime_years=8, payload_t=0.0),
    _seg("bus_12m", "diesel", purchase_price_cny=800_000.0, diesel_l_per_100km=30.0,
         annual_km=60_000.0, lifetime_years=8, payload_t=0.0),
    _seg("heavy_tractor", "fcev", purchase_price_cny=1_000_000.0, h2_kg_per_100km=10.0,
         annual_km=100_000.0, lifetime_years=5, fc_power_kw=120.0, payload_t=30.0,
         replacement_cost_cny=100_000.0, replacement_year=3),
    _seg("heavy_tractor", "diesel", purchase_price_cny=400_000.0, diesel_l_per_100km=35.0,
         annual_km=100_000.0, lifetime_years=5, payload_t=30.0),
]

FLEET = [  # vehicles in service at the end of each year
    {"year": 2023, "district": "huangpu", "segment": "bus_12m", "fcev_in_service": 10},
    {"year": 2025, "district": "huangpu", "segment": "bus_12m", "fcev_in_service": 30},
    {"year": 2023, "district": "huangpu", "segment": "heavy_tractor", "fcev_in_service": 4},
    {"year": 2027, "district": "huangpu", "segment": "heavy_tractor", "fcev_in_service": 4},
    {"year": 2024, "district": "baiyun", "segment": "heavy_tractor", "fcev_in_service": 6},
    {"year": 2026, "district": "baiyun", "segment": "heavy_tractor", "fcev_in_service": 6},
]

DEPOTS = [
    {"depot_id": "hp-bus", "name": "Huangpu bus depot", "district": "huangpu",
     "longitude": 113.45, "latitude": 23.10, "weight": 3.0},
    {"depot_id": "hp-port", "name": "Huangpu port", "district": "huangpu",
     "longitude": 113.52, "latitude": 23.08, "weight": 1.0},
    {"depot_id": "py-depot", "name": "Panyu depot", "district": "panyu",
     "longitude": 113.38, "latitude": 22.94, "weight": 1.0},
]

STATIONS = [
    {"station_id": "S1", "name": "Huangpu 1", "district": "huangpu", "longitude": 113.46,
     "latitude": 23.11, "status": "existing", "commissioning_year": 2020,
     "capacity_kg_per_day": 500.0, "pressure_mpa": 35, "station_type": "combined", "supply_id": "bp"},
    {"station_id": "S2", "name": "Huangpu 2", "district": "huangpu", "longitude": 113.53,
     "latitude": 23.09, "status": "planned", "commissioning_year": 2025,
     "capacity_kg_per_day": 1000.0, "pressure_mpa": 35, "station_type": "standalone", "supply_id": "el"},
    {"station_id": "S3", "name": "Baiyun 1", "district": "baiyun", "longitude": 113.28,
     "latitude": 23.31, "status": "existing", "commissioning_year": None,
     "capacity_kg_per_day": 500.0, "pressure_mpa": 35, "station_type": "skid", "supply_id": "bp"},
    {"station_id": "C1", "name": "Candidate", "district": "panyu", "longitude": 113.39,
     "latitude": 22.95, "status": "candidate", "commissioning_year": None,
     "capacity_kg_per_day": 2000.0, "pressure_mpa": 35, "station_type": "standalone", "supply_id": "bp"},
]

SUPPLY = [
    {"supply_id": "bp", "name": "Refinery by-product", "supply_type": "byproduct_refinery",
     "district": "huangpu", "longitude": 113.50, "latitude": 23.10, "capacity_t_per_day": 4.0,
     "production_cost_cny_per_kg": 15.0, "purification_cost_cny_per_kg": 3.0,
     "co2_kg_per_kg_h2": 5.0, "electricity_kwh_per_kg": 0.0, "available_from_year": 2020},
    {"supply_id": "el", "name": "Grid electrolysis", "supply_type": "electrolysis_grid",
     "district": "nansha", "longitude": 113.60, "latitude": 22.80, "capacity_t_per_day": 1.0,
     "production_cost_cny_per_kg": 40.0, "purification_cost_cny_per_kg": 0.0,
     "co2_kg_per_kg_h2": 0.0, "electricity_kwh_per_kg": 50.0, "available_from_year": 2024},
]

PRICES = [
    {"year": y, "electricity_cny_per_kwh": 1.0, "diesel_cny_per_l": 8.0,
     "h2_retail_cny_per_kg": h2, "grid_co2_kg_per_kwh": g}
    for y, h2, g in [(2023, 40.0, 0.6), (2024, 38.0, 0.58), (2025, 35.0, 0.56),
                     (2026, 32.0, 0.54), (2027, 30.0, 0.52)]
]

STATION_COSTS = [
    {"station_type": t, "pressure_mpa": 35, "reference_capacity_kg_per_day": 500.0,
     "capex_excl_land_cny": 1e7, "scale_exponent": 0.7, "land_cost_cny": 0.0,
     "land_lease_cny_per_year": 0.0, "share_compressor": 0.3, "share_storage": 0.2,
     "share_dispenser": 0.2, "share_precooling": 0.1, "share_civil": 0.2,
     "fixed_om_share_per_year": 0.03, "staff_count": 4, "staff_cost_cny_per_person_year": 1e5,
     "electricity_kwh_per_kg": 2.0, "compressor_life_years": 10}
    for t in ("standalone", "combined", "skid")
]


def make_case(tables: dict | None = None, finance: dict | None = None,
              network: dict | None = None) -> Case:
    """The small case; ``tables`` maps sheet name to row dicts replacing the default rows."""
    rows = {
        "Districts": DISTRICTS, "Segments": SEGMENTS, "Fleet": FLEET, "Depots": DEPOTS,
        "Stations": STATIONS, "Supply": SUPPLY, "Prices": PRICES, "Policy": [],
        "Vehicles": [], "StationCosts": STATION_COSTS,
    }
    rows.update(tables or {})
    params = {"Finance": {**FINANCE, **(finance or {})}}
    if network is not None:
        params["Network"] = network
    return Case(name="fleet_small", path=Path("tests/data"), input_sha256="", scenario="baseline",
                scenario_description="small hand-checkable case",
                tables={k: typed(k, v) for k, v in rows.items()}, params=params)
