"""Build the Greater Bay Area city-cluster case (inputs/greater_bay_area.xlsx and its CSV mirror).

The case covers the nine mainland cities of the Greater Bay Area (Guangzhou, Shenzhen,
Foshan, Dongguan, Zhongshan, Zhuhai, Huizhou, Jiangmen, Zhaoqing), each one "district" of
the case (the plan works at city level). It starts from the Guangzhou case
(``inputs/guangzhou/``) and changes what differs:

* **Districts**: the nine cities at their city-government centres (approximate).
* **Fleet**: the Guangdong cluster's 2025 target of 10,000 FCEVs (Guangdong action plan
  2022-2025) split by city: Guangzhou keeps its own case rollout (2,600 in 2025, the plan's
  > 2,500); the other 7,400 are split in proportion to the 2020 census population times a
  readiness factor (:data:`READINESS`: 2.5 for Foshan, the cluster's lead city with about 1,400
  FCEVs in 2020; 1 for the other cluster cities; 0.5 for Huizhou, Jiangmen and Zhaoqing, which
  are not cluster members), by largest remainder. Each city follows Guangzhou's S-shaped path
  and segment mix scaled to its 2025 total; Foshan never falls below a straight line from its
  sourced 2020 stock to its 2025 total.
* **Demand nodes**: Guangzhou's depots and demand points; for every other city a few named
  ports, airports, zones and hubs (approximate coordinates) plus generated depots and demand
  points around the city's sub-centres (:data:`ANCHORS`), as many per FCEV as Guangzhou has.
* **Candidate sites** ("from existing fuel stations and logistics parks"): no station-level
  data set is available offline, so ``--sites`` candidates are generated: allocated to the
  cities in proportion to their 2020 census population (the national ratio of ~110,000 fuel
  stations to 1.4 billion people makes a city's fuel stations proportional to its people; the
  GBA's ~78 million people imply ~6,100 fuel stations, so 2,000 candidates are about a third
  of them), 80 % placed as fuel stations around the city's sub-centres (combined oil-hydrogen
  stations) and 20 % as logistics parks next to the city's depots and demand points
  (standalone stations). Seeded: the same ``--seed`` writes the same CSVs.
* **Stations**: Guangzhou's existing and planned stations (its candidates are replaced by the
  generated ones), Foshan's 15 stations of 2020 (number sourced, places and sizes assumed) and
  Dongguan's Sinopec oil-hydrogen station (2021).
* **Supply**: Guangzhou's sources, the Foshan Nanhai SMR supplier (now inside the case), and
  by-product hydrogen at the action plan's supply bases Dongguan and Zhuhai and at the Huizhou
  Daya Bay petrochemical base (capacities assumed; all sources together ~274 t/day, the action
  plan's > 100 kt/yr).
* **Policy**: national cluster rewards and Guangdong's station grants apply cluster-wide
  (``district = all``: one cluster-level reward budget); Guangzhou's municipal station grants
  and sales subsidies apply to Guangzhou only. Guangzhou's vehicle subsidies are left out (the
  vehicle engine pays vehicle programmes to every district), as is Huangpu's district grant.
* **Targets**: the action plan's > 200 stations, >= 10,000 FCEVs and < 30 CNY/kg in 2025.

Every generated row names an assumption on the Sources sheet.

Usage::

    python scripts/build_gba_case.py                      # 2,000 sites -> inputs/greater_bay_area{,.xlsx}
    python scripts/build_gba_case.py --sites 200 --out /tmp/gba_small --xlsx /tmp/gba_small.xlsx
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
GUANGZHOU = ROOT / "inputs" / "guangzhou"

#: id: (English, Chinese, centre lon, centre lat, 2020 census population (10,000 persons), code)
CITIES = {
    "guangzhou": ("Guangzhou", "广州市", 113.264, 23.129, 1867.66, "GZ"),
    "shenzhen": ("Shenzhen", "深圳市", 114.058, 22.543, 1756.01, "SZ"),
    "foshan": ("Foshan", "佛山市", 113.122, 23.021, 949.89, "FS"),
    "dongguan": ("Dongguan", "东莞市", 113.752, 23.021, 1046.66, "DG"),
    "zhongshan": ("Zhongshan", "中山市", 113.393, 22.517, 441.81, "ZS"),
    "zhuhai": ("Zhuhai", "珠海市", 113.577, 22.271, 243.96, "ZH"),
    "huizhou": ("Huizhou", "惠州市", 114.416, 23.112, 604.29, "HU"),
    "jiangmen": ("Jiangmen", "江门市", 113.082, 22.579, 479.81, "JM"),
    "zhaoqing": ("Zhaoqing", "肇庆市", 112.465, 23.047, 411.36, "ZQ"),
}
#: Relative FCEV uptake per resident (assumption): Foshan leads the cluster; Huizhou, Jiangmen
#: and Zhaoqing are not members of the Guangdong demonstration cluster.
READINESS = {"shenzhen": 1.0, "foshan": 2.5, "dongguan": 1.0, "zhongshan": 1.0, "zhuhai": 1.0,
             "huizhou": 0.5, "jiangmen": 0.5, "zhaoqing": 0.5}
CLUSTER_FCEV_2025 = 10_000   # gd_action_targets_2022
FOSHAN_FCEV_2020 = 1_400     # foshan_caixin_2020
#: Sub-centres (district or town centres, approximate) around which sites and nodes are
#: placed: lon, lat, weight. Guangzhou's are its district centres.
ANCHORS = {
    "shenzhen": [(114.055, 22.522, 2), (113.930, 22.533, 2), (113.884, 22.555, 2), (114.247, 22.720, 2),
                 (114.045, 22.696, 2), (113.936, 22.748, 1), (114.346, 22.690, 1), (114.236, 22.557, 1),
                 (114.131, 22.548, 1)],
    "foshan": [(113.122, 23.009, 2), (113.145, 23.030, 2), (113.293, 22.806, 2), (112.897, 23.156, 1),
               (112.893, 22.900, 1), (113.000, 23.120, 1), (113.200, 22.920, 1)],
    "dongguan": [(113.752, 23.020, 2), (113.672, 22.815, 2), (113.804, 22.816, 2), (113.886, 22.923, 1),
                 (114.080, 22.800, 1), (114.006, 22.976, 1), (113.807, 23.100, 1), (114.155, 22.845, 1)],
    "zhongshan": [(113.392, 22.517, 2), (113.251, 22.672, 1), (113.480, 22.540, 1), (113.440, 22.360, 1),
                  (113.300, 22.500, 1)],
    "zhuhai": [(113.553, 22.271, 2), (113.363, 22.147, 1), (113.296, 22.209, 1), (113.245, 21.955, 1),
               (113.540, 22.135, 1)],
    "huizhou": [(114.416, 23.112, 2), (114.456, 22.789, 2), (114.540, 22.730, 1), (114.290, 23.172, 1),
                (114.720, 22.985, 1), (114.254, 23.727, 0.5)],
    "jiangmen": [(113.078, 22.595, 2), (113.034, 22.459, 1), (112.964, 22.765, 1), (112.794, 22.252, 1),
                 (112.698, 22.376, 1), (112.305, 22.183, 0.5)],
    "zhaoqing": [(112.472, 23.052, 2), (112.734, 23.327, 1), (112.567, 23.164, 1), (112.440, 23.635, 0.5),
                 (112.184, 23.911, 0.5), (111.785, 23.143, 0.5), (111.512, 23.424, 0.5)],
}
#: Spread of fuel-station sites around a sub-centre, km (assumption, from the cities' size).
SPREAD_KM = {"guangzhou": 5.0, "shenzhen": 4.0, "foshan": 5.0, "dongguan": 4.0, "zhongshan": 4.0,
             "zhuhai": 4.0, "huizhou": 6.0, "jiangmen": 6.0, "zhaoqing": 7.0}
#: Named en-route demand points outside Guangzhou (approximate coordinates): city, id suffix,
#: name, kind, lon, lat, weight.
NAMED_POINTS = [
    ("shenzhen", "YT", "Yantian port container terminals (盐田港)", "port", 114.270, 22.575, 4),
    ("shenzhen", "SK", "Shekou container terminals (蛇口港)", "port", 113.905, 22.480, 4),
    ("shenzhen", "AP", "Shenzhen Bao'an airport cargo area (宝安机场货运区)", "airport", 113.810, 22.640, 3),
    ("shenzhen", "PH", "Pinghu logistics park (平湖物流园)", "logistics_park", 114.130, 22.680, 3),
    ("shenzhen", "NS", "Shenzhen North railway station (深圳北站)", "rail_hub", 114.030, 22.610, 1),
    ("foshan", "SS", "Sanshan port (三山港)", "port", 113.130, 22.970, 3),
    ("foshan", "DZ", "Nanhai Danzao hydrogen industry park (丹灶)", "industrial_zone", 112.930, 23.050, 2),
    ("foshan", "BJ", "Shunde Beijiao industrial area (北滘)", "industrial_zone", 113.200, 22.920, 2),
    ("foshan", "WS", "Foshan West railway station (佛山西站)", "rail_hub", 113.040, 23.080, 1),
    ("dongguan", "ST", "Humen port at Shatian (虎门港沙田)", "port", 113.620, 22.900, 4),
    ("dongguan", "SL", "Songshan Lake high-tech zone (松山湖)", "industrial_zone", 113.890, 22.920, 2),
    ("dongguan", "CP", "Changping logistics area (常平)", "logistics_park", 114.000, 22.970, 3),
    ("zhongshan", "ZP", "Zhongshan port (中山港)", "port", 113.500, 22.560, 3),
    ("zhongshan", "HJ", "Zhongshan Torch development zone (火炬开发区)", "industrial_zone",
     113.470, 22.530, 2),
    ("zhongshan", "XL", "Xiaolan industrial area (小榄)", "industrial_zone", 113.250, 22.670, 2),
    ("zhuhai", "GL", "Gaolan port (高栏港)", "port", 113.240, 21.950, 4),
    ("zhuhai", "AP", "Zhuhai Jinwan airport (珠海金湾机场)", "airport", 113.380, 22.010, 2),
    ("zhuhai", "HQ", "Hengqin port area (横琴)", "logistics_park", 113.540, 22.140, 2),
    ("huizhou", "DY", "Huizhou port at Daya Bay (惠州港)", "port", 114.600, 22.720, 4),
    ("huizhou", "SH", "Daya Bay petrochemical zone (大亚湾石化区)", "industrial_zone", 114.560, 22.760, 2),
    ("huizhou", "ZK", "Zhongkai high-tech zone (仲恺高新区)", "industrial_zone", 114.320, 23.030, 2),
    ("jiangmen", "XH", "Xinhui port (新会港)", "port", 113.030, 22.380, 3),
    ("jiangmen", "GX", "Jiangmen high-tech zone (江门高新区)", "industrial_zone", 113.100, 22.560, 2),
    ("jiangmen", "RS", "Jiangmen railway station (江门站)", "rail_hub", 113.040, 22.560, 1),
    ("zhaoqing", "XG", "Zhaoqing new port (肇庆新港)", "port", 112.550, 23.050, 3),
    ("zhaoqing", "GX", "Zhaoqing high-tech zone (肇庆高新区)", "industrial_zone", 112.860, 23.350, 2),
    ("zhaoqing", "ED", "Zhaoqing East railway station (肇庆东站)", "rail_hub", 112.730, 23.070, 1),
]
GENERATED_KINDS = ("logistics_park", "industrial_zone", "commercial_centre", "expressway_interchange")
GENERATED_KIND_P = (0.35, 0.35, 0.15, 0.15)
LOGISTICS_PARK_SHARE = 0.2
LON_RANGE, LAT_RANGE = (111.35, 115.45), (21.55, 24.45)

#: Extra supplies: id, name, type, city, lon, lat, t/day, production, purification CNY/kg, from year.
EXTRA_SUPPLY = [
    ("dongguan_byproduct", "Dongguan Lisha Island petrochemical by-product hydrogen (supply base)",
     "byproduct_chemical", "dongguan", 113.640, 22.940, 10, 13, 3, 2022),
    ("huizhou_byproduct", "Huizhou Daya Bay petrochemical base by-product hydrogen",
     "byproduct_refinery", "huizhou", 114.550, 22.750, 15, 12, 3, 2023),
    ("zhuhai_byproduct", "Zhuhai Gaolan port chemical park by-product hydrogen (supply base)",
     "byproduct_chemical", "zhuhai", 113.250, 21.960, 8, 13, 3, 2022),
]
MAX_DETOUR_KM = 10.0  # Network.max_detour_km of the GBA case (Guangzhou: 20)
PRD_SMR_T_PER_DAY = 160  # sources then total ~274 t/day = 100 kt/yr (gd_action_targets_2022)
RE_HUB_T_PER_DAY = 200  # renewable hub from 2028: the 2035 outlook needs ~390 t/day

NEW_SOURCES = [
    ("gd_action_targets_2022",
     "Guangdong DRC: Action Plan to accelerate the FCV demonstration city cluster 2022-2025 (issued"
     " 2022-08-12), Nanfang+/chinaiut summary; Shenzhen Daily (2022-08-15)",
     "http://www.chinaiut.com/yw/22485.html", 2022, "sourced",
     "By the end of 2025: more than 10,000 FCEVs promoted, hydrogen supply capacity above 100,000 t/yr,"
     " more than 200 stations in the cluster cities (300 province-wide in the 14th FYP), retail"
     " vehicle hydrogen below 30 CNY/kg. Dongguan, Zhuhai and Yangjiang named hydrogen supply bases"
     " (eyeshenzhen.com 2022-08-15)."),
    ("gd_cluster_members_2021",
     "Foshan News (2021-09-06): Foshan leads fuel cell vehicle applications in GD; Netherlands"
     " Innovation Network on the Guangdong cluster",
     "http://en.foshannews.net/2021/Business/BusinessEnvironment/Specials_37943/202109/"
     "t20210906_6380355.html", 2021, "sourced",
     "Guangdong cluster led by Foshan with Guangzhou, Shenzhen, Zhuhai, Dongguan, Zhongshan,"
     " Yangjiang, Yunfu, Fuzhou, Zibo, Baotou and Lu'an: Huizhou, Jiangmen and Zhaoqing are not"
     " members (readiness factor 0.5 in asm_gba_fleet). Guangdong had 39 stations (10 more under"
     " construction) in 2021."),
    ("census_gba_2020",
     "Guangdong Provincial Statistics Bureau, 7th census (2020): year-end resident population of the"
     " GBA cities, as tabulated by IPIM (Macao)",
     "https://dev-ipim.alphasolution.com.mo/zh-hans/gba/introduction/population/", 2020, "sourced",
     "10,000 persons: Guangzhou 1867.66, Shenzhen 1756.01, Zhuhai 243.96, Foshan 949.89, Huizhou"
     " 604.29, Dongguan 1046.66, Zhongshan 441.81, Jiangmen 479.81, Zhaoqing 411.36."),
    ("foshan_caixin_2020",
     "Caixin Global (2020-10-20): South China city hits early targets for local hydrogen car economy",
     "https://www.caixinglobal.com/2020-10-20/south-china-city-hits-early-targets-for-local-hydrogen"
     "-car-economy-101616824.html", 2020, "sourced",
     "Foshan: 15 hydrogen stations and nearly 1,400 hydrogen vehicles in October 2020; Nanhai district"
     " goal 6,000 FCEVs and > 30 stations by 2025. The 2018 batch of 8 stations (7 conversions of"
     " petrol or LPG stations) is foshan_hrs_2018."),
    ("fuel_stations_china_2018",
     "PetrolPlaza (ResearchAndMarkets): China to see over 20,000 new filling stations open",
     "https://www.petrolplaza.com/news/20431", 2018, "sourced",
     "About 110,000 filling stations and 240 million automobiles in China at the end of 2018: with"
     " 1.4 billion people, ~79 fuel stations per million residents, used to make a city's candidate"
     " sites proportional to its population (asm_gba_candidates)."),
    ("asm_gba_cities",
     "h2model analyst assumption: GBA city centres and sub-centres", "", 2024, "assumption",
     "City-government centres and district or town centres read off a map (WGS84, +-0.05 deg); the"
     " case plans at city level (each city one district). Named ports, airports, zones and stations"
     " outside Guangzhou at approximate coordinates (+-3 km)."),
    ("asm_gba_fleet",
     "h2model analyst assumption: GBA FCEV rollout by city", "", 2024, "assumption",
     "Cluster 2025 total 10,000 (gd_action_targets_2022). Guangzhou keeps its case rollout (2,600 in"
     " 2025). The other 7,400 split by 2020 population x readiness (Foshan 2.5; Shenzhen, Dongguan,"
     " Zhongshan, Zhuhai 1; Huizhou, Jiangmen, Zhaoqing 0.5), largest remainder. Each city's path and"
     " segment mix follow Guangzhou's scaled to its 2025 total; Foshan at least the straight line"
     " from 1,400 in 2020 (foshan_caixin_2020). The cluster target counts vehicles of members outside"
     " the GBA (Yangjiang, Yunfu, Fuzhou, Zibo, Baotou, Lu'an) and not of Huizhou, Jiangmen and"
     " Zhaoqing; the case applies it to the nine GBA cities."),
    ("asm_gba_nodes",
     "h2model analyst assumption: GBA depots and en-route demand points", "", 2024, "assumption",
     "Guangzhou's depots and demand points; elsewhere named places plus generated ones around the"
     " sub-centres (N(0, 3 km)), as many per 2025 FCEV as Guangzhou has (18 depots, 43 points per"
     " 2,600), at least 3 depots and 5 points per city. Weights random (depots 20-100, points 1-3)."),
    ("asm_gba_candidates",
     "h2model analyst assumption: generated candidate sites (fuel stations and logistics parks)", "",
     2024, "assumption",
     "No station-level data offline. scripts/build_gba_case.py (seeded) allocates --sites candidates"
     " to cities in proportion to 2020 population (census_gba_2020; fuel stations per resident from"
     " fuel_stations_china_2018), largest remainder; 80 % are fuel stations (combined oil-hydrogen,"
     " 35 MPa) placed around the city's sub-centres (N(0, 4-7 km)), 20 % logistics parks (standalone)"
     " within N(0, 1.5 km) of a depot or demand point. Up to 2,000 kg/day; nearest by-product or SMR"
     " source as default supply. Places are not real stations."),
    ("asm_gba_stations",
     "h2model analyst assumption: existing stations outside Guangzhou", "", 2024, "assumption",
     "Foshan's 15 stations of October 2020 (foshan_caixin_2020): 2 in 2017, the 2018 batch of 8"
     " (7 combined conversions, 1 standalone; foshan_hrs_2018), 3 in 2019, 2 in 2020; places at the"
     " sub-centres, 1,000 kg/day (24 h basis), names placeholders. Dongguan: one Sinopec oil-hydrogen"
     " station 2021 (sinopec_kaitaibei_2021: Sinopec's stations in Foshan, Guangzhou, Dongguan)."),
    ("asm_gba_supply",
     "h2model analyst assumption: GBA hydrogen sources", "", 2024, "assumption",
     "Dongguan (10 t/d from 2022) and Zhuhai (8 t/d from 2022) by-product hydrogen at the action plan's"
     " supply bases, Huizhou Daya Bay petrochemical base 15 t/d from 2023; costs as Guangzhou's"
     " by-product sources (integral_2021). Foshan Nanhai SMR raised to 160 t/d so that all sources"
     " of 2025 together (~214 t/d, ~274 with the 2028 renewable hub at Guangzhou's 60) match the action"
     " plan's > 100 kt/yr; the renewable hub (Nansha, from 2028) raised to 200 t/d so that supply"
     " (~414 t/d) covers the 2035 outlook's ~390 t/d."),
    ("asm_gba_policy",
     "h2model analyst assumption: one cluster-level reward budget", "", 2024, "assumption",
     "National city-cluster rewards (vehicle and hydrogen-supply points) are one budget for the whole"
     " cluster: rows with district 'all'. The notice caps it at 15,000 vehicle points (1.5 bn CNY) and"
     " 2,000 hydrogen points (0.2 bn CNY) per cluster (cluster_notice_2020); the model has no cap on"
     " a programme's total across stations and years, so the cap is not applied. Guangzhou's municipal"
     " station programmes apply to Guangzhou only; its vehicle programmes and Huangpu's district grant"
     " are left out."),
]


# --- helpers --------------------------------------------------------------------------------------

def largest_remainder(total: int, weights) -> np.ndarray:
    """Whole numbers proportional to ``weights`` that sum to ``total`` (Hamilton's method).

    >>> largest_remainder(10, [1, 1, 1]).tolist()
    [4, 3, 3]
    """
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - base), kind="stable")
    base[order[: total - int(base.sum())]] += 1
    return base


def city_fcev_2025(gz_2025: int) -> dict[str, int]:
    """2025 FCEVs by city: Guangzhou's own rollout, the rest of the cluster target by weight."""
    others = list(READINESS)
    w = [CITIES[c][4] * READINESS[c] for c in others]
    split = largest_remainder(CLUSTER_FCEV_2025 - gz_2025, w)
    return {"guangzhou": gz_2025, **dict(zip(others, split.tolist(), strict=True))}


def _offset(rng, lon, lat, sigma_km, n):
    lat = np.asarray(lat, float)
    dlat = rng.normal(0.0, sigma_km, n) / 111.0
    dlon = rng.normal(0.0, sigma_km, n) / (111.0 * np.cos(np.radians(lat)))
    return (np.clip(np.round(lon + dlon, 4), *LON_RANGE), np.clip(np.round(lat + dlat, 4), *LAT_RANGE))


def _anchors(city: str, districts: pd.DataFrame) -> np.ndarray:
    if city == "guangzhou":
        return np.column_stack([districts["longitude"], districts["latitude"], np.ones(len(districts))])
    return np.array(ANCHORS[city], dtype=float)


def _haversine_km(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


# --- sheets -----------------------------------------------------------------------------------------

def districts_sheet() -> pd.DataFrame:
    return pd.DataFrame([{"district": c, "name_en": v[0], "name_zh": v[1],
                          "longitude": v[2], "latitude": v[3],
                          "source_key": "asm_gba_cities;census_gba_2020"} for c, v in CITIES.items()])


def fleet_sheet(gz: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Fleet rows by city, year and segment (see the module docstring)."""
    f = gz["Fleet"]
    by = f.groupby(["year", "segment"], sort=True)["fcev_in_service"].sum()
    total = by.groupby(level="year").sum()
    targets = city_fcev_2025(int(total.loc[2025]))
    rows = [pd.DataFrame({"year": by.index.get_level_values(0), "district": "guangzhou",
                          "segment": by.index.get_level_values(1), "fcev_in_service": by.to_numpy(),
                          "source_key": "asm_fleet;asm_gba_fleet"})]
    years = total.index.to_numpy()
    for city in READINESS:
        t = targets[city] * total.to_numpy(float) / float(total.loc[2025])
        if city == "foshan":
            line = FOSHAN_FCEV_2020 + (targets[city] - FOSHAN_FCEV_2020) * (years - 2020) / 5.0
            t = np.where(years <= 2025, np.maximum(t, line), t)
        t = np.rint(t).astype(np.int64)
        t[years == 2025] = targets[city]
        for y, n in zip(years, t, strict=True):
            seg = by.loc[y]
            split = largest_remainder(int(n), seg.to_numpy(float))
            rows.append(pd.DataFrame({"year": y, "district": city, "segment": seg.index,
                                      "fcev_in_service": split,
                                      "source_key": "asm_gba_fleet;gd_action_targets_2022"
                                      + (";foshan_caixin_2020" if city == "foshan" else "")}))
    return pd.concat(rows, ignore_index=True), targets


def nodes_sheets(gz, rng, targets, districts) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Depots and DemandPoints: Guangzhou's, plus named and generated ones elsewhere."""
    dep = gz["Depots"].assign(district="guangzhou")
    pts = gz["DemandPoints"].assign(district="guangzhou")
    dep_rows, pt_rows = [dep], [pts]
    per_dep, per_pt = len(dep) / targets["guangzhou"], len(pts) / targets["guangzhou"]
    for city in READINESS:
        code, anchors = CITIES[city][5], _anchors(city, districts)
        n_dep = int(np.clip(round(per_dep * targets[city]), 3, 30))
        a = rng.choice(len(anchors), n_dep, p=anchors[:, 2] / anchors[:, 2].sum())
        lon, lat = _offset(rng, anchors[a, 0], anchors[a, 1], 3.0, n_dep)
        dep_rows.append(pd.DataFrame({
            "depot_id": [f"DP-{code}-{i + 1:03d}" for i in range(n_dep)],
            "name": [f"{CITIES[city][0]} fleet depot {i + 1} (generated)" for i in range(n_dep)],
            "district": city, "longitude": lon, "latitude": lat,
            "weight": rng.integers(20, 101, n_dep).astype(float), "source_key": "asm_gba_nodes"}))
        named = [p for p in NAMED_POINTS if p[0] == city]
        n_gen = int(np.clip(round(per_pt * targets[city]), 5, 60)) - len(named)
        a = rng.choice(len(anchors), max(n_gen, 0), p=anchors[:, 2] / anchors[:, 2].sum())
        lon, lat = _offset(rng, anchors[a, 0], anchors[a, 1], 3.0, len(a))
        kind = rng.choice(GENERATED_KINDS, len(a), p=GENERATED_KIND_P)
        pt_rows.append(pd.DataFrame({
            "point_id": [f"EP-{code}-{p[1]}" for p in named]
            + [f"EP-{code}-{i + 1:03d}" for i in range(len(a))],
            "name": [p[2] for p in named]
            + [f"{CITIES[city][0]} {k.replace('_', ' ')} {i + 1} (generated)" for i, k in enumerate(kind)],
            "kind": [p[3] for p in named] + list(kind), "district": city,
            "longitude": [p[4] for p in named] + list(lon), "latitude": [p[5] for p in named] + list(lat),
            "weight": [float(p[6]) for p in named] + list(rng.integers(1, 4, len(a)).astype(float)),
            "source_key": "asm_gba_nodes;asm_gba_cities"}))
    return pd.concat(dep_rows, ignore_index=True), pd.concat(pt_rows, ignore_index=True)


def supply_sheet(gz) -> pd.DataFrame:
    sup = gz["Supply"].copy()
    sup["district"] = "guangzhou"
    smr = sup["supply_id"] == "prd_smr"
    sup.loc[smr, "district"] = "foshan"
    sup.loc[smr, "name"] = "Pearl River Delta natural-gas SMR supplier (Foshan Nanhai)"
    sup.loc[smr, "capacity_t_per_day"] = PRD_SMR_T_PER_DAY
    sup.loc[smr, "source_key"] = sup.loc[smr, "source_key"] + ";asm_gba_supply;gd_action_targets_2022"
    re = sup["supply_id"] == "re_electrolysis"
    sup.loc[re, "capacity_t_per_day"] = RE_HUB_T_PER_DAY
    sup.loc[re, "source_key"] = sup.loc[re, "source_key"] + ";asm_gba_supply"
    extra = pd.DataFrame([{
        "supply_id": s[0], "name": s[1], "supply_type": s[2], "district": s[3], "longitude": s[4],
        "latitude": s[5], "capacity_t_per_day": s[6], "production_cost_cny_per_kg": s[7],
        "purification_cost_cny_per_kg": s[8], "co2_kg_per_kg_h2": 0, "electricity_kwh_per_kg": 0,
        "available_from_year": s[9], "source_key": "asm_gba_supply;gd_action_targets_2022;integral_2021"}
        for s in EXTRA_SUPPLY])
    return pd.concat([sup, extra], ignore_index=True)


def stations_sheet(gz, rng, n_sites, districts, depots, points, supply) -> pd.DataFrame:
    """Guangzhou's existing and planned stations, Foshan's and Dongguan's, and the candidates."""
    st = gz["Stations"]
    st = st[st["status"] != "candidate"].assign(district="guangzhou")
    fs = np.array(ANCHORS["foshan"], float)
    years = [2017, 2017] + [2018] * 8 + [2019] * 3 + [2020] * 2
    types = ["standalone", "skid"] + ["combined"] * 7 + ["standalone"] + ["combined"] * 5
    a = np.arange(15) % len(fs)
    lon, lat = _offset(rng, fs[a, 0], fs[a, 1], 2.0, 15)
    foshan = pd.DataFrame({
        "station_id": [f"FS-E{i + 1:02d}" for i in range(15)],
        "name": [f"Foshan demonstration HRS {i + 1} (placeholder name)" for i in range(15)],
        "district": "foshan", "longitude": lon, "latitude": lat, "status": "existing",
        "commissioning_year": years, "capacity_kg_per_day": [500 if t == "skid" else 1000 for t in types],
        "pressure_mpa": 35, "station_type": types, "supply_id": "prd_smr",
        "source_key": "asm_gba_stations;foshan_caixin_2020;foshan_hrs_2018"})
    dongguan = pd.DataFrame([{
        "station_id": "DG-E01", "name": "Sinopec Dongguan oil-hydrogen combined station (placeholder place)",
        "district": "dongguan", "longitude": 113.760, "latitude": 23.010, "status": "existing",
        "commissioning_year": 2021, "capacity_kg_per_day": 1000, "pressure_mpa": 35,
        "station_type": "combined", "supply_id": "dongguan_byproduct",
        "source_key": "asm_gba_stations;sinopec_kaitaibei_2021"}])
    cities = list(CITIES)
    per_city = largest_remainder(n_sites, [CITIES[c][4] for c in cities])
    cols = ["district", "longitude", "latitude"]
    nodes = pd.concat([depots[cols], points[cols]])
    bulk = supply[supply["supply_type"].isin(["byproduct_refinery", "byproduct_chemical", "smr"])]
    rows = []
    for city, n in zip(cities, per_city, strict=True):
        code, anchors = CITIES[city][5], _anchors(city, districts)
        n_lp = int(round(LOGISTICS_PARK_SHARE * n))
        n_fs = int(n) - n_lp
        a = rng.choice(len(anchors), n_fs, p=anchors[:, 2] / anchors[:, 2].sum())
        lon_f, lat_f = _offset(rng, anchors[a, 0], anchors[a, 1], SPREAD_KM[city], n_fs)
        cn = nodes[nodes["district"] == city]
        b = rng.integers(0, len(cn), n_lp)
        lon_l, lat_l = _offset(rng, cn["longitude"].to_numpy()[b], cn["latitude"].to_numpy()[b], 1.5, n_lp)
        lon, lat = np.concatenate([lon_f, lon_l]), np.concatenate([lat_f, lat_l])
        is_lp = np.arange(n) >= n_fs
        d = _haversine_km(lon[:, None], lat[:, None], bulk["longitude"].to_numpy()[None, :],
                          bulk["latitude"].to_numpy()[None, :])
        rows.append(pd.DataFrame({
            "station_id": [f"{code}-C{i + 1:04d}" for i in range(n)],
            "name": [f"{CITIES[city][0]} {'logistics-park' if lp else 'fuel-station'} site {i + 1}"
                     " (generated)"
                     for i, lp in enumerate(is_lp)],
            "district": city, "longitude": lon, "latitude": lat, "status": "candidate",
            "commissioning_year": np.nan, "capacity_kg_per_day": 2000, "pressure_mpa": 35,
            "station_type": np.where(is_lp, "standalone", "combined"),
            "supply_id": bulk["supply_id"].to_numpy()[d.argmin(axis=1)],
            "source_key": "asm_gba_candidates;census_gba_2020;fuel_stations_china_2018"}))
    out = pd.concat([st, foshan, dongguan, *rows], ignore_index=True)
    out["commissioning_year"] = out["commissioning_year"].astype("Int64")
    return out


def policy_sheet(gz) -> pd.DataFrame:
    """Cluster-wide national and provincial programmes; Guangzhou's station programmes for
    Guangzhou only; Guangzhou's vehicle programmes and Huangpu's grant left out."""
    pol = gz["Policy"].copy()
    vehicle = pol["kind"].isin(["vehicle_purchase_per_kw", "vehicle_operation_per_km"])
    pol = pol[~(vehicle & (pol["level"] == "municipal")) & (pol["level"] != "district")].copy()
    local = pol["level"] == "municipal"
    pol.loc[local, "district"] = "guangzhou"
    cluster = pol["level"] == "national"
    pol.loc[cluster, "name"] = pol.loc[cluster, "name"] + " (one cluster-wide budget)"
    pol.loc[cluster, "source_key"] = pol.loc[cluster, "source_key"] + ";asm_gba_policy"
    pol.loc[local, "source_key"] = pol.loc[local, "source_key"] + ";asm_gba_policy"
    return pol.reset_index(drop=True)


def targets_sheet() -> pd.DataFrame:
    src = "gd_action_targets_2022"
    return pd.DataFrame([
        ("stations", "More than 200 stations in the cluster cities by 2025 (Guangdong action plan)", 2025,
         ">",
         200, "stations", src),
        ("fcev", "At least 10,000 FCEVs by 2025 (Guangdong action plan: '1万辆以上')", 2025, ">=", 10000,
         "vehicles", src + ";asm_gba_fleet"),
        ("price", "Retail vehicle hydrogen below 30 CNY/kg by 2025 (Guangdong action plan)", 2025, "<", 30,
         "CNY/kg", src),
    ], columns=["target_id", "description", "year", "comparator", "value", "unit", "source_key"])


def network_sheet(gz, time_limit_s: float, mip_gap: float) -> pd.DataFrame:
    net = gz["Network"].copy().set_index("key")
    net["value"] = net["value"].astype(object)  # numbers and the solve_method text
    net.loc["time_limit_s", ["value", "description"]] = [
        time_limit_s, "Solver time limit per solve (solve_method auto picks the LP-guided window heuristic"
        " for this case's 67,000 module columns; on 2 cores it does not reach mip_gap within the limit:"
        " the plan is the best found, its gap to the LP bound is in network_solve.csv)"]
    net.loc["mip_gap", "value"] = mip_gap
    net.loc["max_detour_km", ["value", "description", "source_key"]] = [
        MAX_DETOUR_KM, "Farthest a depot or demand point may refuel from (GBA: 10 km, as the generated"
        " benchmark instances; 20 km triples the assignment pairs)", "asm_network;asm_gba_candidates"]
    net.loc["enforce_station_target", "description"] = "Plan at least the action plan's station number"
    net.loc["enforce_station_target", "source_key"] = "asm_network;gd_action_targets_2022"
    return net.reset_index()


def markets_sheet(gz, years) -> pd.DataFrame:
    """Guangzhou's yearly purchases by segment (summed over its districts, each district's rows
    held from its first year), scaled to every city by population."""
    m = gz["Markets"]
    yrs = np.asarray(years)
    rows = []
    for seg, g in m.groupby("segment", sort=True):
        series = np.zeros(len(yrs))
        for _, d in g.groupby("district"):
            d = d.sort_values("year")
            series += np.where(yrs < d["year"].min(), 0.0,
                               np.interp(yrs, d["year"], d["new_vehicles_per_year"]))
        share = float(g["mandated_fcev_share"].max())
        for city, v in CITIES.items():
            k = v[4] / CITIES["guangzhou"][4]
            rows.append(pd.DataFrame({"segment": seg, "district": city, "year": yrs,
                                      "new_vehicles_per_year": np.round(series * k, 1),
                                      "mandated_fcev_share": share,
                                      "source_key": "asm_markets;asm_gba_fleet;census_gba_2020"}))
    return pd.concat(rows, ignore_index=True)


def scenarios_sheet(gz) -> pd.DataFrame:
    sc = gz["Scenarios"].copy()
    text = {
        "plan-2025": "The Guangdong action plan's 2025 targets as in the GBA data (>200 stations, >=10,000"
                     " FCEVs, <30 CNY/kg)",
        "subsidy-exit": "City-cluster rewards and local hydrogen subsidies end after 2025 (Guangzhou 2024"
                        " station"
                        " and sales subsidies cut from 2027 to 2025)",
        "accelerated-2035": "Heavy trucks at scale across the cluster: heavy-tractor fleet x3 and medium"
                            " trucks"
                            " x2 in every year of the default rollout",
    }
    for k, v in text.items():
        sc.loc[sc["scenario"] == k, "description"] = v
    return sc


def sources_sheet(gz) -> pd.DataFrame:
    new = pd.DataFrame(NEW_SOURCES, columns=["source_key", "title", "url", "year", "kind", "note"])
    return pd.concat([gz["Sources"], new], ignore_index=True)


#: The GBA city each corridor node of the Guangzhou case lies in (by its coordinates on the
#: expressway map; blank: outside the nine cities, e.g. Yangjiang, Maoming and Zhanjiang on the
#: Guangzhou-Zhanjiang route).
CORRIDOR_NODE_CITY = {
    "GZ-CC": "guangzhou", "GZ-HP": "guangzhou", "GZ-NS": "guangzhou", "SA-HC": "guangzhou",
    "SA-GQ": "guangzhou", "NS-HG": "guangzhou", "SA-HJ": "dongguan", "DG-HM": "dongguan",
    "SZ-HG": "shenzhen", "SZ-YT": "shenzhen", "SZ-SK": "shenzhen", "SA-ZS": "zhongshan",
    "ZS-TH": "zhongshan", "ZS-MA": "zhongshan", "ZH-CC": "zhuhai", "ZH-GL": "zhuhai",
    "SA-JM": "jiangmen",
}


def corridor_nodes_sheet(gz) -> pd.DataFrame:
    """Guangzhou's corridor nodes with the GBA city each lies in as its district (the GBA
    case's districts are cities); nodes outside the nine cities stay blank."""
    nodes = gz["CorridorNodes"].copy()
    nodes["district"] = nodes["node_id"].map(CORRIDOR_NODE_CITY)
    return nodes


def build(n_sites: int = 2000, seed: int = 17, time_limit_s: float = 300.0,
          mip_gap: float = 0.01) -> dict[str, pd.DataFrame]:
    """Every sheet of the GBA case as a table (see the module docstring)."""
    gz = {p.stem: pd.read_csv(p, keep_default_na=False, na_values=[""])
          for p in sorted(GUANGZHOU.glob("*.csv"))}
    rng = np.random.default_rng(seed)
    districts = gz["Districts"]  # Guangzhou's district centres: its sub-centres
    sheets = dict(gz)
    sheets["Districts"] = districts_sheet()
    sheets["Fleet"], targets = fleet_sheet(gz)
    sheets["Depots"], sheets["DemandPoints"] = nodes_sheets(gz, rng, targets, districts)
    sheets["Supply"] = supply_sheet(gz)
    sheets["Stations"] = stations_sheet(gz, rng, n_sites, districts, sheets["Depots"], sheets["DemandPoints"],
                                        sheets["Supply"])
    sheets["Policy"] = policy_sheet(gz)
    if "CorridorNodes" in gz:
        sheets["CorridorNodes"] = corridor_nodes_sheet(gz)
    sheets["Targets"] = targets_sheet()
    sheets["Network"] = network_sheet(gz, time_limit_s, mip_gap)
    years = range(int(gz["Finance"].set_index("key").loc["analysis_start_year", "value"]),
                  int(gz["Finance"].set_index("key").loc["analysis_end_year", "value"]) + 1)
    sheets["Markets"] = markets_sheet(gz, years)
    sheets["Scenarios"] = scenarios_sheet(gz)
    sheets["Sources"] = sources_sheet(gz)
    return sheets


def write(sheets: dict[str, pd.DataFrame], out: Path, xlsx: Path | None) -> None:
    """Write the CSVs, build the workbook from them, and rewrite the CSVs from the workbook
    (h2model's own export), so that the mirror and the workbook are the same case."""
    sys.path.insert(0, str(ROOT))
    from h2model.inputs import export_case, import_case

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        for name, df in sheets.items():
            df.to_csv(raw / f"{name}.csv", index=False, lineterminator="\n")
        book = Path(tmp) / "case.xlsx"
        import_case(raw, book)
        if out.exists():
            shutil.rmtree(out)
        export_case(book, out)
        if xlsx is not None:
            xlsx.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(book, xlsx)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, default=2000, help="generated candidate sites (default 2,000)")
    p.add_argument("--seed", type=int, default=17)
    p.add_argument("--time-limit", type=float, default=300.0, help="Network.time_limit_s, s per solve")
    p.add_argument("--mip-gap", type=float, default=0.01, help="Network.mip_gap")
    p.add_argument("--out", type=Path, default=ROOT / "inputs" / "greater_bay_area", help="CSV folder")
    p.add_argument("--xlsx", type=Path, default=ROOT / "inputs" / "greater_bay_area.xlsx",
                   help="workbook ('-' for none)")
    args = p.parse_args(argv)
    sheets = build(args.sites, args.seed, args.time_limit, args.mip_gap)
    write(sheets, args.out, None if str(args.xlsx) == "-" else args.xlsx)
    st = sheets["Stations"]
    print(f"{args.out}: {len(st)} station rows ({int((st['status'] == 'candidate').sum())} candidates),"
          f" {len(sheets['Depots'])} depots, {len(sheets['DemandPoints'])} demand points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
