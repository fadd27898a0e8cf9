"""Charts: results tables in, Altair charts out, in English or Chinese.

Each function takes tidy results tables (as :func:`h2model.model.run` makes them) and
a ``lang``, and returns an Altair chart whose every title, axis and legend comes from
:mod:`h2model.glossary` (a missing key raises ``KeyError``). Charts only scale units
for display (kg to t, CNY to million CNY) and sum rows for stacking: every figure they
show is computed by the engines. Reports, notebooks and tests share these functions.

:func:`save` writes a chart as PNG and SVG with vl-convert, offline. Chinese text in
PNGs needs a CJK font: :func:`register_cjk_font` finds one (Debian's
``fonts-wqy-microhei`` or ``fonts-noto-cjk``, or the folder in ``H2MODEL_CJK_FONT_DIR``)
and registers it with vl-convert; without one PNGs still render, with boxes for
Chinese characters.

>>> import pandas as pd
>>> path = pd.DataFrame({"year": [2024, 2025], "h2_price_cny_per_kg": [38.0, 34.0]})
>>> price_path(path, lang="zh").to_dict()["title"]["text"]
'网络车用氢气终端销售价格与 35 元/公斤目标'
"""

from __future__ import annotations

import functools
import json
import os
import textwrap
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from .glossary import categories, category, t
from .prices import NETWORK_PRICE

#: Font stack for charts: a Latin face first, then CJK faces (per-glyph fallback).
FONT = (
    "'Noto Sans', 'DejaVu Sans', Arial, 'Noto Sans CJK SC', 'Source Han Sans SC', "
    "'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', sans-serif"
)

#: Folders searched for a CJK font, in order (after ``H2MODEL_CJK_FONT_DIR``).
CJK_FONT_DIRS = (
    "/usr/share/fonts/truetype/wqy",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/wenquanyi",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
)
_CJK_FILES = (
    "wqy-microhei",
    "wqy-zenhei",
    "notosanscjk",
    "notoserifcjk",
    "sourcehansans",
    "msyh",
    "pingfang",
    "notosanssc",
)

WIDTH = 720
HEIGHT = 300
#: Colours for met / not met.
MET_COLOURS = ("#2e7d32", "#c62828")
TARGET_COLOUR = "#c62828"


# --- fonts and export -----------------------------------------------------------------------------


def find_cjk_font_dir() -> str | None:
    """A folder holding a CJK font, or None.

    Looks in ``$H2MODEL_CJK_FONT_DIR`` first, then :data:`CJK_FONT_DIRS`, for a file
    whose name contains one of the known CJK font names.

    Returns
    -------
    str or None
        The folder's absolute path.
    """
    dirs = [os.environ.get("H2MODEL_CJK_FONT_DIR", "")] + list(CJK_FONT_DIRS)
    for d in dirs:
        if not d or not os.path.isdir(d):
            continue
        for root, _sub, files in os.walk(d):
            for f in files:
                name = f.lower().replace("-", "").replace("_", "")
                if name.endswith((".ttf", ".ttc", ".otf")) and any(
                    k.replace("-", "") in name for k in _CJK_FILES
                ):
                    return os.path.abspath(root)
    return None


@functools.cache
def register_cjk_font() -> str | None:
    """Register a CJK font folder with vl-convert once per process.

    Returns
    -------
    str or None
        The folder registered, or None when no CJK font was found (PNG text in
        Chinese then renders as boxes; SVG and HTML are unaffected, as the viewer's
        fonts draw them).
    """
    import vl_convert as vlc

    d = find_cjk_font_dir()
    if d:
        vlc.register_font_directory(d)
    return d


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """PNG bytes of a chart, rendered offline by vl-convert (CJK font registered)."""
    import vl_convert as vlc

    register_cjk_font()
    return vlc.vegalite_to_png(chart.to_dict(), scale=scale)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """SVG text of a chart, rendered offline by vl-convert."""
    import vl_convert as vlc

    register_cjk_font()
    return vlc.vegalite_to_svg(chart.to_dict())


def save(chart: alt.TopLevelMixin, stem: str | Path) -> tuple[Path, Path]:
    """Write ``<stem>.png`` and ``<stem>.svg``; returns the two paths."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    png.write_bytes(to_png(chart))
    svg.write_text(to_svg(chart), encoding="utf-8")
    return png, svg


# --- helpers --------------------------------------------------------------------------------------


def _need(df: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: table lacks column(s) {missing}; has {list(df.columns)}")


def wrap(text: str, lang: str, width: int = 100) -> list[str]:
    """Split a subtitle into lines: ``width`` characters in English, half that in
    Chinese (a CJK character is about twice as wide).

    >>> wrap("一二三四五六", "zh", width=8)
    ['一二三四', '五六']
    """
    if lang == "zh":
        n = max(width // 2, 1)
        return [text[i : i + n] for i in range(0, len(text), n)]
    return textwrap.wrap(text, width) or [""]


def _finish(chart, title: str, lang: str, subtitle: str | None = None):
    """Title and the house style (font, sizes) on a top-level chart."""
    sub = wrap(subtitle, lang) if subtitle else alt.Undefined
    title_params = alt.TitleParams(
        text=title, subtitle=sub, anchor="start", fontSize=15, subtitleFontSize=11, subtitleColor="#555"
    )
    return (
        chart.properties(title=title_params)
        .configure(font=FONT, locale=_LOCALES[lang])
        .configure_axis(labelFontSize=11, titleFontSize=12, grid=True, gridColor="#eee")
        .configure_legend(labelFontSize=11, titleFontSize=11, labelLimit=260)
        .configure_view(stroke=None)
    )


_LOCALES = {
    "en": {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]}},
    "zh": {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]}},
}


def _year_axis(lang: str, key: str = "axis.year") -> alt.Axis:
    return alt.Axis(title=t(key, lang), format="d", labelAngle=0)


def _labelled(df: pd.DataFrame, column: str, kind: str, lang: str, out: str | None = None) -> pd.DataFrame:
    out = out or f"{column}_label"
    df = df.copy()
    df[out] = categories(kind, df[column].tolist(), lang)
    return df


def _order(kind: str, values, lang: str) -> list[str]:
    """Category labels in first-seen order (for stable colours and legends)."""
    seen = list(dict.fromkeys(values))
    return categories(kind, seen, lang)


def _target_row(targets: pd.DataFrame | None, target: str) -> pd.Series | None:
    if targets is None or targets.empty or "target" not in targets.columns:
        return None
    rows = targets[targets["target"] == target]
    return None if rows.empty else rows.iloc[0]


# --- one scenario ---------------------------------------------------------------------------------


#: District boundaries shipped with the package (see ``h2model/data/README.md``).
DISTRICT_BOUNDARIES = "data/guangzhou_districts.geojson"
#: Districts smaller than this (Guangzhou's old city) are named in a smaller font on the map, km2.
SMALL_DISTRICT_KM2 = 200.0
#: Station map: prices more than this above or below the target take the end colours, CNY/kg.
PRICE_MAP_SPAN_CNY_PER_KG = 15.0


@functools.lru_cache(maxsize=1)
def district_boundaries() -> dict:
    """Guangzhou's district boundaries: a GeoJSON FeatureCollection, one feature per
    district with ``id`` = the Districts sheet's ``district`` id, exterior rings clockwise
    (the winding Vega's d3-geo expects) and a ``source`` member (package, version,
    licence, data provenance). Read from the package, offline.

    >>> sorted(f["id"] for f in district_boundaries()["features"])[:3]
    ['baiyun', 'conghua', 'haizhu']
    """
    from importlib.resources import files

    return json.loads(files("h2model").joinpath(DISTRICT_BOUNDARIES).read_text(encoding="utf-8"))


def district_areas_km2() -> pd.Series:
    """Area of each district of :func:`district_boundaries`, km2 (shoelace on an
    equirectangular projection at each ring's mean latitude; holes subtract).

    >>> round(district_areas_km2()["yuexiu"])  # published area 33.8 km2
    34
    """
    km_per_deg = 6371.0088 * np.pi / 180
    out = {}
    for f in district_boundaries()["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        total = 0.0
        for poly in polys:
            for ring in poly:
                xy = np.asarray(ring, float)
                x = xy[:, 0] * km_per_deg * np.cos(np.radians(xy[:, 1].mean()))
                y = xy[:, 1] * km_per_deg
                total -= 0.5 * np.sum(x[:-1] * y[1:] - x[1:] * y[:-1])  # clockwise exterior: positive
        out[f["id"]] = total
    return pd.Series(out, name="area_km2")


def _boundary_layer(districts: pd.DataFrame, lang: str):
    """Geoshape layer of the shipped boundaries of ``districts`` (None if none match)."""
    d = _labelled(districts, "district", "district", lang, "label").set_index("district")["label"]
    feats = [
        {**f, "properties": {**f["properties"], "label": d[f["id"]]}}
        for f in district_boundaries()["features"]
        if f["id"] in d.index
    ]
    if not feats:
        return None
    return (
        alt.Chart(alt.Data(values=feats))
        .mark_geoshape(fill="#f4f4f1", stroke="#9a9a9a", strokeWidth=0.8)
        .encode(tooltip=[alt.Tooltip("properties.label:N", title=t("col.district", lang))])
        .project(type="mercator")
    )


def _station_prices(stations: pd.DataFrame, prices: pd.DataFrame, year: int) -> tuple[pd.DataFrame, float]:
    """``stations`` with ``price_cny_per_kg``: each station's break-even price with
    subsidy in ``year`` (NaN where it does not sell that year), and the year's price
    target (35 CNY/kg if the table has none)."""
    col = "breakeven_price_with_subsidy_cny_per_kg"
    _need(prices, ["station_id", "year", col], "station_map prices")
    p = prices[prices["year"] == year]
    st = stations.merge(
        p[["station_id", col]].rename(columns={col: "price_cny_per_kg"}), on="station_id", how="left"
    )
    tgt = p["price_target_cny_per_kg"].dropna() if "price_target_cny_per_kg" in p.columns else p[[]]
    return st, float(tgt.iloc[0]) if len(tgt) else 35.0


def station_map(
    stations: pd.DataFrame,
    districts: pd.DataFrame | None = None,
    *,
    prices: pd.DataFrame | None = None,
    price_year: int = 2025,
    lang: str = "en",
):
    """Station network map: points by longitude/latitude, sized by capacity, over the
    district boundaries shipped with the package (:func:`district_boundaries`, drawn in
    the same Mercator projection) and district names.

    With ``prices`` the stations are coloured by their break-even retail price with
    subsidy in ``price_year`` (CNY/kg, as given in ``prices``) on a diverging scale
    centred on that year's price target (blue below, red above; the colours stop
    changing :data:`PRICE_MAP_SPAN_CNY_PER_KG` from it); stations not selling that year
    are hollow grey circles. Without ``prices`` they are coloured by opening year.

    Parameters
    ----------
    stations : pandas.DataFrame
        One row per station: ``station_id, longitude, latitude, capacity_kg_per_day,
        commissioning_year``; optional ``name``, ``district``, ``station_type``.
    districts : pandas.DataFrame, optional
        ``district, longitude, latitude`` (the case's Districts sheet): boundaries of
        the districts the shipped data set has, and names at the centres.
    prices : pandas.DataFrame, optional
        One row per station and year with ``station_id, year,
        breakeven_price_with_subsidy_cny_per_kg`` and optionally
        ``price_target_cny_per_kg``, the price in the target's basis (the report passes
        nominal CNY of the year, :func:`h2model.report.views.nominal_station_prices`).
    price_year : int
        Year of the prices shown.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.LayerChart
    """
    _need(
        stations,
        ["station_id", "longitude", "latitude", "capacity_kg_per_day", "commissioning_year"],
        "station_map",
    )
    st = stations.copy()
    if "station_type" in st.columns:
        st = _labelled(st, "station_type", "station_type", lang)
    if "district" in st.columns:
        st = _labelled(st, "district", "district", lang)
    tooltip = [alt.Tooltip("station_id:N", title=t("col.station_id", lang))]
    if "name" in st.columns:
        tooltip.append(alt.Tooltip("name:N", title=t("col.name", lang)))
    for col, key in (("district_label", "col.district"), ("station_type_label", "col.station_type")):
        if col in st.columns:
            tooltip.append(alt.Tooltip(f"{col}:N", title=t(key, lang)))
    tooltip += [
        alt.Tooltip("capacity_kg_per_day:Q", title=t("col.capacity_kg_per_day", lang), format=",.0f"),
        alt.Tooltip("commissioning_year:O", title=t("col.commissioning_year", lang)),
    ]
    years = pd.to_numeric(st["commissioning_year"], errors="coerce")
    st["commissioning_year"] = years.astype("Int64")
    size = alt.Size(
        "capacity_kg_per_day:Q", title=t("legend.capacity", lang), scale=alt.Scale(range=[30, 420])
    )
    title, subtitle = t("chart.station_map", lang), t("narr.network", lang)
    if prices is None:
        color = alt.Color(
            "commissioning_year:O",
            title=t("legend.opening_year", lang),
            scale=alt.Scale(scheme="viridis", reverse=True),
        )
        station_layers = [_points(st, size, color, tooltip)]
    else:
        st, target = _station_prices(st, prices, price_year)
        label = t("legend.station_price", lang, year=price_year)
        tooltip.append(alt.Tooltip("price_cny_per_kg:Q", title=label, format=",.1f"))
        lo, hi = target - PRICE_MAP_SPAN_CNY_PER_KG, target + PRICE_MAP_SPAN_CNY_PER_KG
        color = alt.Color(
            "price_cny_per_kg:Q",
            title=label,
            scale=alt.Scale(scheme="redblue", reverse=True, domain=[lo, target, hi], clamp=True),
            legend=alt.Legend(format=",.0f", titleLimit=360, values=[lo, target, hi]),
        )
        selling = st[st["price_cny_per_kg"].notna()]
        idle = st[st["price_cny_per_kg"].isna()]
        station_layers = [_points(selling, size, color, tooltip)] if len(selling) else []
        if len(idle):  # opens later or sells nothing that year: no price to colour by
            station_layers.insert(0, _points(idle, size, None, tooltip))
        title = t("chart.station_map_price", lang, year=price_year)
        subtitle = t("narr.network_price", lang, year=price_year, target=f"{target:g}", lo=f"{lo:g}",
                     hi=f"{hi:g}")
    layers = []
    if districts is not None and len(districts):
        _need(districts, ["district", "longitude", "latitude"], "station_map districts")
        d = districts[["district", "longitude", "latitude"]]
        shapes = _boundary_layer(d, lang)
        if shapes is not None:
            layers.append(shapes)
        small = d["district"].map(district_areas_km2()).fillna(np.inf) < SMALL_DISTRICT_KM2
        named = _labelled(d, "district", "district", lang, "label")
        for part, px in ((named[~small], 12), (named[small], 9)):  # the old city's small districts
            if len(part):
                layers.append(
                    alt.Chart(part)
                    .mark_text(color="#555", fontWeight="bold", fontSize=px)
                    .encode(longitude="longitude:Q", latitude="latitude:Q", text="label:N")
                    .project(type="mercator")
                )
    chart = alt.layer(*layers, *station_layers).properties(width=WIDTH, height=560)
    return _finish(chart, title, lang, subtitle)


def _points(st: pd.DataFrame, size, color, tooltip):
    """Station circles; ``color=None``: hollow grey (no value to colour by)."""
    mark = (
        alt.Chart(st).mark_circle(opacity=0.85, stroke="white", strokeWidth=0.6)
        if color is not None
        else alt.Chart(st).mark_point(shape="circle", filled=False, color="#888", strokeWidth=1.2)
    )
    enc = {"longitude": "longitude:Q", "latitude": "latitude:Q", "size": size, "tooltip": tooltip}
    if color is not None:
        enc["color"] = color
    return mark.encode(**enc).project(type="mercator")


def corridor_map(links: pd.DataFrame, stations: pd.DataFrame, nodes: pd.DataFrame | None = None, *,
                 year: int | None = None, lang: str = "en"):
    """Corridor map: corridor roads as lines, thicker with more truck round trips; corridor
    stations as circles sized by kg/day; city-network nodes as squares; empty candidate
    sites as grey points. Offline: the data are inline, no map tiles.

    Parameters
    ----------
    links : pandas.DataFrame
        The ``corridor_links`` results table: ``year, from, to, trucks_per_day,
        from_longitude, from_latitude, to_longitude, to_latitude``.
    stations : pandas.DataFrame
        The ``corridor_stations`` table: ``year, node_id, name, longitude, latitude,
        corridor_station, city_network, kg_per_day, kg_at_city_network``.
    nodes : pandas.DataFrame, optional
        ``node_id, longitude, latitude, candidate`` (the CorridorNodes sheet): candidates
        without a station in the year are shown in grey.
    year : int, optional
        Year (period) to show; default the last.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.LayerChart
    """
    _need(links, ["year", "trucks_per_day", "from_longitude", "from_latitude", "to_longitude", "to_latitude"],
          "corridor_map links")
    _need(stations, ["year", "node_id", "longitude", "latitude", "corridor_station", "city_network",
                     "kg_per_day", "kg_at_city_network"], "corridor_map stations")
    year = int(links["year"].max()) if year is None else int(year)
    ln = links[links["year"] == year]
    st = stations[stations["year"] == year].copy()
    st["role"] = np.where(st["corridor_station"].astype(bool), "corridor_station", "city_network")
    st["kg"] = np.where(st["role"] == "corridor_station", st["kg_per_day"], st["kg_at_city_network"])
    if nodes is not None and len(nodes):
        empty = nodes[(nodes["candidate"] == 1) & ~nodes["node_id"].isin(st["node_id"])]
        st = pd.concat([st, pd.DataFrame({"node_id": empty["node_id"], "longitude": empty["longitude"],
                                          "latitude": empty["latitude"], "role": "candidate", "kg": 0.0})])
    st = _labelled(st, "role", "corridor_node", lang)
    roles = ["corridor_station", "city_network", "candidate"]
    tip = [alt.Tooltip("node_id:N", title=t("col.node_id", lang)),
           alt.Tooltip("role_label:N", title=t("legend.corridor_node", lang)),
           alt.Tooltip("kg:Q", title=t("legend.kg_per_day", lang), format=",.0f")]
    roads = (alt.Chart(ln).mark_rule(color="#4a7fb0", opacity=0.7)
             .encode(longitude="from_longitude:Q", latitude="from_latitude:Q", longitude2="to_longitude:Q",
                     latitude2="to_latitude:Q",
                     strokeWidth=alt.StrokeWidth("trucks_per_day:Q", title=t("legend.trucks_per_day", lang),
                                                 scale=alt.Scale(range=[1, 9])),
                     tooltip=[alt.Tooltip("trucks_per_day:Q", title=t("col.trucks_per_day", lang),
                                          format=",.0f")])
             .project(type="mercator"))
    points = (alt.Chart(st).mark_point(filled=True, opacity=0.9)
              .encode(longitude="longitude:Q", latitude="latitude:Q",
                      shape=alt.Shape("role_label:N", title=t("legend.corridor_node", lang),
                                      scale=alt.Scale(domain=_order("corridor_node", roles, lang),
                                                      range=["circle", "square", "triangle-up"])),
                      color=alt.Color("role_label:N", title=t("legend.corridor_node", lang),
                                      scale=alt.Scale(domain=_order("corridor_node", roles, lang),
                                                      range=["#d95f02", "#1b9e77", "#bbbbbb"])),
                      size=alt.Size("kg:Q", title=t("legend.kg_per_day", lang),
                                    scale=alt.Scale(range=[40, 600])),
                      tooltip=tip)
              .project(type="mercator"))
    chart = alt.layer(roads, points).properties(width=WIDTH, height=460)
    return _finish(chart, f"{t('chart.corridor_map', lang)} ({year})", lang, t("narr.corridor_map", lang))


def build_schedule(stations: pd.DataFrame, *, lang: str = "en"):
    """Capex and build schedule: capex of the stations opening each year (bars, by
    station type) and stations in operation (line, right axis).

    Parameters
    ----------
    stations : pandas.DataFrame
        One row per station: ``station_id, commissioning_year, capex_cny``; optional
        ``station_type``. Stations with missing capex count in the line only.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.LayerChart
    """
    _need(stations, ["station_id", "commissioning_year", "capex_cny"], "build_schedule")
    st = stations.copy()
    if "station_type" not in st.columns:
        st["station_type"] = "other"
    st = _labelled(st, "station_type", "station_type", lang)
    st["commissioning_year"] = pd.to_numeric(st["commissioning_year"]).astype(int)
    st["capex_m_cny"] = pd.to_numeric(st["capex_cny"], errors="coerce") / 1e6
    per_year = (
        st.groupby("commissioning_year").size().rename("new").reset_index().sort_values("commissioning_year")
    )
    per_year["open"] = per_year["new"].cumsum()
    x = alt.X("commissioning_year:O", axis=_year_axis(lang))
    bars = (
        alt.Chart(st)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("sum(capex_m_cny):Q", title=t("axis.capex_m_cny", lang)),
            color=alt.Color(
                "station_type_label:N",
                title=t("legend.station_type", lang),
                sort=_order("station_type", st["station_type"], lang),
            ),
            tooltip=[
                alt.Tooltip("commissioning_year:O", title=t("axis.year", lang)),
                alt.Tooltip("station_type_label:N", title=t("legend.station_type", lang)),
                alt.Tooltip("sum(capex_m_cny):Q", title=t("axis.capex_m_cny", lang), format=",.1f"),
                alt.Tooltip("count():Q", title=t("col.new_stations", lang)),
            ],
        )
    )
    line = (
        alt.Chart(per_year)
        .mark_line(color="black", point=alt.OverlayMarkDef(color="black"))
        .encode(
            x=x,
            y=alt.Y(
                "open:Q",
                title=t("axis.stations_open", lang),
                axis=alt.Axis(orient="right", grid=False, titlePadding=10),
            ),
            tooltip=[
                alt.Tooltip("commissioning_year:O", title=t("axis.year", lang)),
                alt.Tooltip("open:Q", title=t("axis.stations_open", lang)),
            ],
        )
    )
    chart = alt.layer(bars, line).resolve_scale(y="independent").properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, t("chart.build_schedule", lang), lang, t("narr.build", lang))


def levelised_cost(
    components: pd.DataFrame, *, year: int, target_cny_per_kg: float | None = None, lang: str = "en"
):
    """Levelised cost waterfall: each component of the cost of hydrogen at the nozzle
    stacked from zero to the total, with the price target as a dashed line.

    Parameters
    ----------
    components : pandas.DataFrame
        ``component, cny_per_kg`` in the order to stack; negative values (subsidies)
        step down. The total is drawn as a last bar.
    year : int
        The year the components describe (in the title).
    target_cny_per_kg : float, optional
        The price target (from the ``targets`` table), drawn as a dashed rule.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.LayerChart
    """
    _need(components, ["component", "cny_per_kg"], "levelised_cost")
    c = components[["component", "cny_per_kg"]].copy().reset_index(drop=True)
    c["cny_per_kg"] = c["cny_per_kg"].astype(float)
    c["end"] = c["cny_per_kg"].cumsum()
    c["start"] = c["end"] - c["cny_per_kg"]
    total = float(c["cny_per_kg"].sum())
    c = pd.concat(
        [c, pd.DataFrame({"component": ["total"], "cny_per_kg": [total], "start": [0.0], "end": [total]})],
        ignore_index=True,
    )
    c["label"] = categories("component", c["component"], lang)
    c["kind"] = np.where(c["component"] == "total", "total", np.where(c["cny_per_kg"] < 0, "down", "up"))
    order = c["label"].tolist()
    x = alt.X("label:N", sort=order, title=t("axis.component", lang), axis=alt.Axis(labelAngle=-30))
    bars = (
        alt.Chart(c)
        .mark_bar(size=34)
        .encode(
            x=x,
            y=alt.Y("start:Q", title=t("axis.cny_per_kg", lang)),
            y2="end:Q",
            color=alt.Color(
                "kind:N",
                legend=None,
                scale=alt.Scale(domain=["up", "down", "total"], range=["#4c78a8", "#54a24b", "#333"]),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=t("axis.component", lang)),
                alt.Tooltip("cny_per_kg:Q", title=t("axis.cny_per_kg", lang), format=",.2f"),
            ],
        )
    )
    text = (
        alt.Chart(c)
        .mark_text(dy=-7, fontSize=11)
        .encode(x=x, y=alt.Y("end:Q"), text=alt.Text("cny_per_kg:Q", format=",.1f"))
    )
    layers = [bars, text]
    if target_cny_per_kg is not None and np.isfinite(target_cny_per_kg):
        tdf = pd.DataFrame(
            {
                "y": [float(target_cny_per_kg)],
                "label": [t("mark.target_35", lang, value=f"{target_cny_per_kg:g}")],
            }
        )
        layers.append(
            alt.Chart(tdf).mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4], size=2).encode(y="y:Q")
        )
        layers.append(
            alt.Chart(tdf)
            .mark_text(color=TARGET_COLOUR, align="left", dy=-7, x=4)
            .encode(y="y:Q", text="label:N")
        )
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, t("chart.lcoh", lang, year=year), lang, t("narr.lcoh", lang, year=year))


def price_axis(prices, target: float | None = None) -> tuple[float, float]:
    """A price axis fitted to the data and the target line: from 5 below the lower of the
    lowest price and the target (not below 0) to the highest price, capped at 2.5 x the
    target so that an early outlier (a first year's few kilograms) does not flatten the
    rest; points above the cap are drawn at the edge with their value.

    >>> price_axis([172.0, 70.0, 41.7, 38.0], 35.0)
    (30.0, 87.5)
    >>> price_axis([40.0, 38.0], 35.0)
    (30.0, 40.0)
    """
    v = np.asarray(prices, dtype=float)
    v = v[np.isfinite(v)]
    low = float(v.min()) if len(v) else 0.0
    high = float(v.max()) if len(v) else 1.0
    if target is not None and np.isfinite(target):
        low, high = min(low, target), min(max(high, target), 2.5 * target)
    return max(0.0, float(5.0 * np.ceil(low / 5.0) - 5.0)), high


def price_path(path: pd.DataFrame, targets: pd.DataFrame | None = None, *, lang: str = "en",
               observed: pd.DataFrame | None = None):
    """Network retail hydrogen price by year against the price target, with the prices
    observed at the pump as separate points.

    Parameters
    ----------
    path : pandas.DataFrame
        ``year, h2_price_cny_per_kg`` (the ``price_path`` table).
    targets : pandas.DataFrame, optional
        The ``targets`` table; its ``price`` row gives the dashed target line and the
        target year.
    lang : {'en', 'zh'}
    observed : pandas.DataFrame, optional
        ``year, price_cny_per_kg, place, price_basis`` (the ``ObservedPrices`` sheet, the
        place already named in ``lang``): drawn as diamonds (market) and triangles
        (subsidised), in the axis range.

    Returns
    -------
    altair.LayerChart
    """
    _need(path, ["year", "h2_price_cny_per_kg"], "price_path")
    p = path[["year", "h2_price_cny_per_kg"]].copy()
    p["year"] = p["year"].astype(int)
    p["series"] = t("mark.network_price", lang)
    row = _target_row(targets, "price")
    obs = None
    if observed is not None and len(observed):
        _need(observed, ["year", "price_cny_per_kg", "place", "price_basis"], "price_path observed")
        obs = observed[["year", "price_cny_per_kg", "place", "price_basis"]].copy()
        obs["year"] = obs["year"].astype(int)
        obs["basis"] = [t(f"mark.observed_{b}", lang) for b in obs["price_basis"]]
    fitted = pd.concat([p["h2_price_cny_per_kg"], obs["price_cny_per_kg"] if obs is not None else None])
    lo, hi = price_axis(fitted, float(row["required"]) if row is not None else None)
    yscale = alt.Scale(domain=[lo, hi], nice=False, zero=False)
    line = (
        alt.Chart(p)
        .mark_line(point=True, color="#4c78a8", clip=True)
        .encode(
            x=alt.X("year:Q", axis=_year_axis(lang), scale=alt.Scale(zero=False, nice=False)),
            y=alt.Y("h2_price_cny_per_kg:Q", title=t("axis.h2_price", lang), scale=yscale),
            tooltip=[
                alt.Tooltip("year:Q", title=t("axis.year", lang), format="d"),
                alt.Tooltip("h2_price_cny_per_kg:Q", title=t("axis.h2_price", lang), format=",.1f"),
            ],
        )
    )
    layers = [line]
    if obs is not None:
        bases = [t(f"mark.observed_{b}", lang) for b in ("market", "subsidised")]
        layers.append(
            alt.Chart(obs)
            .mark_point(size=90, filled=True, opacity=0.85, clip=True)
            .encode(
                x="year:Q",
                y=alt.Y("price_cny_per_kg:Q", scale=yscale),
                shape=alt.Shape("basis:N", title=t("legend.observed", lang),
                                scale=alt.Scale(domain=bases, range=["diamond", "triangle-down"])),
                color=alt.Color("basis:N", title=t("legend.observed", lang),
                                scale=alt.Scale(domain=bases, range=["#e45756", "#f58518"])),
                tooltip=[
                    alt.Tooltip("place:N", title=t("legend.observed", lang)),
                    alt.Tooltip("year:Q", title=t("axis.year", lang), format="d"),
                    alt.Tooltip("price_cny_per_kg:Q", title=t("axis.h2_price", lang), format=",.1f"),
                    alt.Tooltip("basis:N", title=t("col.price_basis", lang)),
                ],
            )
        )
    off = p[p["h2_price_cny_per_kg"] > hi].assign(
        top=hi, text=lambda d: d["h2_price_cny_per_kg"].map("{:,.0f} ↑".format)
    )
    if len(off):
        layers.append(
            alt.Chart(off).mark_text(color="#4c78a8", dy=8, fontSize=10).encode(
                x="year:Q", y=alt.Y("top:Q", scale=yscale), text="text:N")
        )
    if row is not None:
        tdf = pd.DataFrame(
            {
                "y": [float(row["required"])],
                "year": [int(row["year"])],
                "label": [t("mark.target_35", lang, value=f"{float(row['required']):g}")],
                "ylabel": [t("mark.target_year", lang, year=int(row["year"]))],
            }
        )
        layers += [
            alt.Chart(tdf).mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4], size=2).encode(y="y:Q"),
            alt.Chart(tdf)
            .mark_text(color=TARGET_COLOUR, align="right", dy=-7, x=WIDTH - 4)
            .encode(y="y:Q", text="label:N"),
            alt.Chart(tdf).mark_rule(color="#999", strokeDash=[2, 3]).encode(x="year:Q"),
            alt.Chart(tdf)
            .mark_text(color="#666", align="left", dx=4, y=8)
            .encode(x="year:Q", text="ylabel:N"),
        ]
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, t("chart.price_path", lang), lang, t("narr.price", lang))


def tco_parity(parity: pd.DataFrame, *, lang: str = "en", columns: int = 3):
    """TCO parity by segment: the break-even hydrogen price against each alternative
    (coloured lines) and the network price (black), by purchase year, one panel per
    segment.

    Parameters
    ----------
    parity : pandas.DataFrame
        The ``tco_parity`` table: ``segment, alternative, purchase_year,
        h2_price_cny_per_kg, breakeven_h2_cny_per_kg``.
    lang : {'en', 'zh'}
    columns : int
        Panels per row.

    Returns
    -------
    altair.FacetChart
    """
    _need(
        parity,
        ["segment", "alternative", "purchase_year", "h2_price_cny_per_kg", "breakeven_h2_cny_per_kg"],
        "tco_parity",
    )
    p = _labelled(parity, "segment", "segment", lang)
    p = _labelled(p, "alternative", "alternative", lang)
    price = (
        p.drop_duplicates(["segment", "purchase_year"])[
            ["segment_label", "purchase_year", "h2_price_cny_per_kg"]
        ]
        .rename(columns={"h2_price_cny_per_kg": "breakeven_h2_cny_per_kg"})
        .assign(alternative_label=t("mark.network_price", lang))
    )
    data = pd.concat(
        [p[["segment_label", "purchase_year", "breakeven_h2_cny_per_kg", "alternative_label"]], price],
        ignore_index=True,
    )
    data["purchase_year"] = data["purchase_year"].astype(int)
    headers = parity_headers(parity, lang)
    data["segment_label"] = data["segment_label"].map(lambda x: headers.get(x, x))
    network = price["breakeven_h2_cny_per_kg"].to_numpy(float)
    top = min(float(np.nanmax(data["breakeven_h2_cny_per_kg"])), 2.5 * float(np.nanmedian(network)))
    yscale = alt.Scale(domain=[0.0, top], nice=True, clamp=False)
    alts = _order("alternative", parity["alternative"], lang) + [t("mark.network_price", lang)]
    palette = ["#f58518", "#54a24b", "#e45756", "#72b7b2"][: len(alts) - 1] + ["#000000"]
    base = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=18), clip=True)
        .encode(
            x=alt.X(
                "purchase_year:Q",
                axis=_year_axis(lang, "axis.purchase_year"),
                scale=alt.Scale(zero=False, nice=False),
            ),
            y=alt.Y("breakeven_h2_cny_per_kg:Q", title=t("axis.cny_per_kg", lang), scale=yscale),
            color=alt.Color(
                "alternative_label:N",
                title=t("legend.alternative", lang),
                scale=alt.Scale(domain=alts, range=palette),
            ),
            tooltip=[
                alt.Tooltip("segment_label:N", title=t("legend.segment", lang)),
                alt.Tooltip("alternative_label:N", title=t("legend.alternative", lang)),
                alt.Tooltip("purchase_year:Q", title=t("axis.purchase_year", lang), format="d"),
                alt.Tooltip("breakeven_h2_cny_per_kg:Q", title=t("axis.h2_price", lang), format=",.1f"),
            ],
        )
        .properties(width=220, height=150)
    )
    order = [headers.get(x, x) for x in _order("segment", parity["segment"], lang)]
    chart = base.facet(
        facet=alt.Facet("segment_label:N", title=None, sort=order, header=alt.Header(labelLimit=300)),
        columns=columns,
    )
    subtitle = t("narr.tco", lang) + " " + t("narr.tco_clip", lang)
    return _finish(chart, t("chart.tco_parity", lang), lang, subtitle)


#: Colours of the TCO component groups (:data:`h2model.tco.COMPONENT_GROUPS`), subsidies green.
TCO_GROUP_COLOURS = {"vehicle_capital": "#4c78a8", "energy": "#f58518", "maintenance": "#72b7b2",
                     "other_costs": "#b279a2", "subsidies": "#54a24b"}


def tco_components(components: pd.DataFrame, years=(2025, 2030), *, lang: str = "en", columns: int = 3):
    """Vehicle cost per km by component: stacked bars per powertrain and purchase year,
    one panel per segment; subsidies stack below zero and a black tick marks the total.

    Parameters
    ----------
    components : pandas.DataFrame
        The ``tco_components`` table: ``segment, powertrain, purchase_year, component,
        tco_cny_per_km``.
    years : iterable of int
        Purchase years shown (those the table has).
    lang : {'en', 'zh'}
    columns : int
        Panels per row.

    Returns
    -------
    altair.FacetChart
    """
    _need(components, ["segment", "powertrain", "purchase_year", "component", "tco_cny_per_km"],
          "tco_components")
    d = components[components["purchase_year"].isin(list(years))].copy()
    d["purchase_year"] = d["purchase_year"].astype(int)
    d = _labelled(d, "segment", "segment", lang)
    d = _labelled(d, "component", "component", lang)
    d["bar"] = [f"{category('powertrain_short', p, lang)} {y}"
                for p, y in zip(d["powertrain"], d["purchase_year"], strict=True)]
    groups = list(TCO_GROUP_COLOURS)
    labels = categories("component", groups, lang)
    d["order"] = d["component"].map({g: i for i, g in enumerate(groups)}).fillna(len(groups))
    bars_order = [f"{category('powertrain_short', p, lang)} {y}" for p in ("fcev", "bev", "diesel")
                  for y in sorted(d["purchase_year"].unique())]
    total = d.groupby(["segment_label", "bar"], as_index=False)["tco_cny_per_km"].sum()
    data = pd.concat([d.assign(kind="part"), total.assign(kind="total")], ignore_index=True)
    data = data[["segment_label", "bar", "component_label", "order", "tco_cny_per_km", "kind"]]
    x = alt.X("bar:N", sort=bars_order, title=None, axis=alt.Axis(labelAngle=-40))
    y_title = t("axis.cny_per_km", lang)
    stack = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "part")
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("tco_cny_per_km:Q", title=y_title, stack="zero"),
            color=alt.Color("component_label:N", title=t("axis.component", lang),
                            scale=alt.Scale(domain=labels, range=list(TCO_GROUP_COLOURS.values()))),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("segment_label:N", title=t("legend.segment", lang)),
                alt.Tooltip("bar:N", title=t("legend.powertrain_year", lang)),
                alt.Tooltip("component_label:N", title=t("axis.component", lang)),
                alt.Tooltip("tco_cny_per_km:Q", title=y_title, format=",.2f"),
            ],
        )
    )
    ticks = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "total")
        .mark_tick(color="black", thickness=2, size=18)
        .encode(x=x, y=alt.Y("tco_cny_per_km:Q"),
                tooltip=[alt.Tooltip("tco_cny_per_km:Q", title=t("mark.total", lang), format=",.2f")])
    )
    order = _order("segment", components["segment"], lang)
    chart = (
        alt.layer(stack, ticks, data=data)
        .properties(width=200, height=170)
        .facet(facet=alt.Facet("segment_label:N", title=None, sort=order), columns=columns)
    )
    return _finish(chart, t("chart.tco_components", lang), lang, t("narr.tco_components", lang))


def parity_headers(parity: pd.DataFrame, lang: str) -> dict[str, str]:
    """Panel titles of the parity chart: each segment's name with its parity year against
    each alternative (the ``parity_year`` column), or "no parity by <last year>".

    >>> p = pd.DataFrame({"segment": ["bus_12m"] * 2, "alternative": ["diesel"] * 2,
    ...                   "purchase_year": [2034, 2035], "parity_year": [np.nan, np.nan]})
    >>> parity_headers(p, "en")
    {'12 m bus': '12 m bus: no parity by 2035'}
    """
    last = int(parity["purchase_year"].max())
    out = {}
    for seg, g in parity.groupby("segment", sort=False):
        parts = []
        for alt_id, h in g.groupby("alternative", sort=False):
            years = h["parity_year"].dropna() if "parity_year" in h else pd.Series(dtype=float)
            if len(years):
                a = category("alternative", alt_id, lang)
                parts.append(t("mark.parity_year", lang, alternative=a, year=int(years.min())))
        parts = parts or [t("mark.no_parity", lang, year=last)]
        name = category("segment", seg, lang)
        out[name] = f"{name}: {'; '.join(parts)}" if lang == "en" else f"{name}：{'；'.join(parts)}"
    return out


def subsidy_budget(budget: pd.DataFrame, *, lang: str = "en"):
    """Subsidy budget: outlay by year, stacked by level of government (programmes in
    the tooltip).

    Parameters
    ----------
    budget : pandas.DataFrame
        The ``budget`` table: ``year, programme_id, level, kind, outlay_cny``.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.Chart
    """
    _need(budget, ["year", "programme_id", "level", "outlay_cny"], "subsidy_budget")
    b = _labelled(budget, "level", "level", lang)
    if "kind" in b.columns:
        b = _labelled(b, "kind", "kind", lang)
    b["outlay_m_cny"] = b["outlay_cny"].astype(float) / 1e6
    b["year"] = b["year"].astype(int)
    levels = ["national", "provincial", "municipal", "district"]
    present = [lv for lv in levels if lv in set(b["level"])] + [
        lv for lv in dict.fromkeys(b["level"]) if lv not in levels
    ]
    tooltip = [
        alt.Tooltip("year:O", title=t("axis.year", lang)),
        alt.Tooltip("programme_id:N", title=t("col.programme_id", lang)),
        alt.Tooltip("level_label:N", title=t("legend.level", lang)),
    ]
    if "kind_label" in b.columns:
        tooltip.append(alt.Tooltip("kind_label:N", title=t("col.kind", lang)))
    tooltip.append(alt.Tooltip("outlay_m_cny:Q", title=t("axis.outlay_m_cny", lang), format=",.2f"))
    chart = (
        alt.Chart(b)
        .mark_bar()
        .encode(
            x=alt.X("year:O", axis=_year_axis(lang)),
            y=alt.Y("sum(outlay_m_cny):Q", title=t("axis.outlay_m_cny", lang)),
            color=alt.Color(
                "level_label:N",
                title=t("legend.level", lang),
                sort=categories("level", present, lang),
                scale=alt.Scale(scheme="tableau10"),
            ),
            detail="programme_id:N",
            tooltip=tooltip,
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _finish(chart, t("chart.budget", lang), lang, t("narr.budget", lang))


def demand_by_district(demand: pd.DataFrame, *, lang: str = "en"):
    """Hydrogen demand by district and year (t/day), stacked areas.

    Parameters
    ----------
    demand : pandas.DataFrame
        The ``demand_by_district`` table: ``year, district, h2_kg_per_day`` (summed
        over segments for the chart).
    lang : {'en', 'zh'}

    Returns
    -------
    altair.Chart
    """
    _need(demand, ["year", "district", "h2_kg_per_day"], "demand_by_district")
    d = demand.groupby(["year", "district"], as_index=False, sort=False)["h2_kg_per_day"].sum()
    d = _labelled(d, "district", "district", lang)
    d["h2_t_per_day"] = d["h2_kg_per_day"] / 1000.0
    d["year"] = d["year"].astype(int)
    order = d.groupby("district_label")["h2_t_per_day"].sum().sort_values(ascending=False).index.tolist()
    chart = (
        alt.Chart(d)
        .mark_area()
        .encode(
            x=alt.X("year:Q", axis=_year_axis(lang), scale=alt.Scale(zero=False, nice=False)),
            y=alt.Y("h2_t_per_day:Q", title=t("axis.h2_t_per_day", lang), stack=True),
            color=alt.Color(
                "district_label:N",
                title=t("legend.district", lang),
                sort=order,
                scale=alt.Scale(scheme="tableau20"),
            ),
            order=alt.Order("district_order:Q"),
            tooltip=[
                alt.Tooltip("year:Q", title=t("axis.year", lang), format="d"),
                alt.Tooltip("district_label:N", title=t("legend.district", lang)),
                alt.Tooltip("h2_t_per_day:Q", title=t("axis.h2_t_per_day", lang), format=",.2f"),
            ],
        )
        .transform_calculate(
            district_order=f"indexof({json.dumps(order, ensure_ascii=False)}, datum.district_label)"
        )
    )
    chart = chart.properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, t("chart.demand", lang), lang, t("narr.demand", lang))


def supply_mix(supply: pd.DataFrame, *, lang: str = "en"):
    """Hydrogen supply mix by year (t/day), stacked bars by source.

    Parameters
    ----------
    supply : pandas.DataFrame
        ``year, source, kg_per_day``: ``source`` is a supply type (glossary
        ``supply_type.*``) or a source name.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.Chart
    """
    _need(supply, ["year", "source", "kg_per_day"], "supply_mix")
    s = supply.groupby(["year", "source"], as_index=False, sort=False)["kg_per_day"].sum()
    s = _labelled(s, "source", "supply_type", lang)
    s["t_per_day"] = s["kg_per_day"] / 1000.0
    s["year"] = s["year"].astype(int)
    chart = (
        alt.Chart(s)
        .mark_bar()
        .encode(
            x=alt.X("year:O", axis=_year_axis(lang)),
            y=alt.Y("t_per_day:Q", title=t("axis.supply_t_per_day", lang)),
            color=alt.Color(
                "source_label:N",
                title=t("legend.supply", lang),
                sort=_order("supply_type", supply["source"], lang),
            ),
            tooltip=[
                alt.Tooltip("year:O", title=t("axis.year", lang)),
                alt.Tooltip("source_label:N", title=t("legend.supply", lang)),
                alt.Tooltip("t_per_day:Q", title=t("axis.supply_t_per_day", lang), format=",.2f"),
            ],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _finish(chart, t("chart.supply_mix", lang), lang, t("narr.supply", lang))


def co2_abatement(co2: pd.DataFrame, *, lang: str = "en"):
    """CO2 avoided against diesel by year (kt/year), stacked by segment.

    Parameters
    ----------
    co2 : pandas.DataFrame
        The ``co2`` table: ``year, segment, co2_avoided_t``.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.Chart
    """
    _need(co2, ["year", "segment", "co2_avoided_t"], "co2_abatement")
    c = _labelled(co2, "segment", "segment", lang)
    c["co2_kt"] = c["co2_avoided_t"].astype(float).fillna(0.0) / 1000.0
    c["year"] = c["year"].astype(int)
    chart = (
        alt.Chart(c)
        .mark_bar()
        .encode(
            x=alt.X("year:O", axis=_year_axis(lang)),
            y=alt.Y("sum(co2_kt):Q", title=t("axis.co2_kt", lang)),
            color=alt.Color(
                "segment_label:N",
                title=t("legend.segment", lang),
                sort=_order("segment", co2["segment"], lang),
            ),
            tooltip=[
                alt.Tooltip("year:O", title=t("axis.year", lang)),
                alt.Tooltip("segment_label:N", title=t("legend.segment", lang)),
                alt.Tooltip("sum(co2_kt):Q", title=t("axis.co2_kt", lang), format=",.2f"),
            ],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _finish(chart, t("chart.co2", lang), lang, t("narr.co2", lang))


def targets_summary(targets: pd.DataFrame, *, lang: str = "en"):
    """The plan's targets: achieved (bar, green when met) against required (tick), one
    row per target on a common scale of achieved / required.

    Parameters
    ----------
    targets : pandas.DataFrame
        The ``targets`` table: ``target, year, required, achieved, unit, met``.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.LayerChart
    """
    _need(targets, ["target", "year", "required", "achieved", "unit", "met"], "targets_summary")
    d = targets.copy()
    d["label"] = [f"{category('target', x, lang)} ({y})" for x, y in zip(d["target"], d["year"], strict=True)]
    d["share"] = d["achieved"].astype(float) / d["required"].astype(float)
    d["status"] = [t("ui.met", lang) if m else t("ui.not_met", lang) for m in d["met"]]
    d["unit_label"] = categories("unit", d["unit"], lang)
    d["text"] = [
        _fmt(a, u) + " " + ul for a, u, ul in zip(d["achieved"], d["unit"], d["unit_label"], strict=True)
    ]
    y = alt.Y("label:N", title=None, sort=d["label"].tolist(), axis=alt.Axis(labelLimit=360))
    shares = d["share"].replace([np.inf, -np.inf], np.nan).dropna()
    top = max(1.0, float(shares.max()) if len(shares) else 1.0) * 1.35  # room for the figures
    bars = (
        alt.Chart(d)
        .mark_bar(height=22)
        .encode(
            y=y,
            x=alt.X(
                "share:Q",
                title=t("axis.achieved_share", lang),
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, top], nice=False, clamp=True),
            ),
            color=alt.Color(
                "status:N",
                title=t("legend.met", lang),
                scale=alt.Scale(domain=[t("ui.met", lang), t("ui.not_met", lang)], range=list(MET_COLOURS)),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=t("ui.target", lang)),
                alt.Tooltip("required:Q", title=t("ui.required", lang), format=",.1f"),
                alt.Tooltip("achieved:Q", title=t("ui.achieved", lang), format=",.1f"),
                alt.Tooltip("status:N", title=t("ui.status", lang)),
            ],
        )
    )
    ticks = alt.Chart(d).mark_tick(color="black", thickness=3, size=30).encode(y=y, x=alt.datum(1.0))
    text = (
        alt.Chart(d)
        .transform_calculate(text_x="max(datum.share, 1)")
        .mark_text(align="left", dx=8, fontSize=11)
        .encode(y=y, x="text_x:Q", text="text:N")
    )
    chart = alt.layer(bars, ticks, text).properties(width=WIDTH - 200, height=40 * len(d) + 10)
    chart = _finish(chart, t("chart.targets", lang), lang, t("narr.targets_chart", lang))
    return chart.configure_legend(orient="bottom", labelFontSize=11, titleFontSize=11)


def _fmt(value, unit: str) -> str:
    """A figure for display: whole numbers for counts, one decimal otherwise."""
    if value is None or not np.isfinite(float(value)):
        return "–"
    return f"{float(value):,.0f}" if unit in ("stations", "vehicles") else f"{float(value):,.1f}"


# --- uncertainty ----------------------------------------------------------------------------------


#: The network price quantity drawn from ``uncertainty_network_price`` by default
#: (:data:`h2model.prices.NETWORK_PRICE`, the flow's headline price).


def _target_rule(
    value: float, lang: str, *, field: str = "y", x: int = WIDTH - 4, align: str = "right"
) -> list:
    """A dashed target rule at ``value`` with its label (layers)."""
    tdf = pd.DataFrame(
        {field: [float(value)], "label": [t("mark.target_35", lang, value=f"{float(value):g}")]}
    )
    return [
        alt.Chart(tdf)
        .mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4], size=2)
        .encode(**{field: f"{field}:Q"}),
        alt.Chart(tdf)
        .mark_text(color=TARGET_COLOUR, align=align, dy=10, x=x)
        .encode(**{field: f"{field}:Q"}, text="label:N"),
    ]


def mc_distribution(
    network_price: pd.DataFrame,
    *,
    lang: str = "en",
    quantity: str = NETWORK_PRICE,
    y_max: float | None = None,
):
    """Distribution of the network break-even price by year over the Monte Carlo draws:
    a p5-p95 band, a p25-p75 band, the median line, the price with every input at its
    base (dotted) and the price target (dashed).

    Parameters
    ----------
    network_price : pandas.DataFrame
        The ``uncertainty_network_price`` table: ``year, quantity, p5, p25, p50, p75,
        p95, base, price_target_cny_per_kg``.
    lang : {'en', 'zh'}
    quantity : str
        Which ``quantity`` rows to draw (default the price with subsidies).
    y_max : float, optional
        Top of the price axis (marks above are clipped; tooltips keep the figures);
        default three times the price target, or the highest p95 if lower.

    Returns
    -------
    altair.LayerChart
    """
    _need(network_price, ["year", "quantity", "p5", "p25", "p50", "p75", "p95"], "uncertainty_network_price")
    d = network_price[network_price["quantity"] == quantity].copy()
    d["year"] = d["year"].astype(int)
    outer, inner, median, base = (
        t(k, lang) for k in ("mark.p5_p95", "mark.p25_p75", "mark.median", "mark.base")
    )
    series = [outer, inner, median] + ([base] if "base" in d.columns else [])
    colour = alt.Color(
        "series:N",
        title=t("legend.band", lang),
        scale=alt.Scale(domain=series, range=["#c6dbef", "#6baed6", "#08519c", "#444444"][: len(series)]),
        legend=alt.Legend(orient="top-right", fillColor="white"),
    )
    x = alt.X("year:Q", axis=_year_axis(lang), scale=alt.Scale(zero=False, nice=False))
    tips = [
        alt.Tooltip("year:Q", title=t("axis.year", lang), format="d"),
        *[
            alt.Tooltip(f"{c}:Q", title=t(f"col.{c}", lang), format=",.1f")
            for c in ("p5", "p25", "p50", "p75", "p95")
        ],
    ]
    target = (
        float(d["price_target_cny_per_kg"].dropna().iloc[0])
        if "price_target_cny_per_kg" in d.columns and d["price_target_cny_per_kg"].notna().any()
        else None
    )
    top = (
        float(np.nanmax(d[["p95"] + (["base"] if "base" in d.columns else [])].to_numpy(float)))
        if len(d)
        else 1.0
    )
    if y_max is None and target is not None:
        y_max = min(top, 3 * target)
    yscale = alt.Scale(zero=True, domain=[0, y_max], nice=False) if y_max else alt.Scale(zero=True)
    bands = pd.concat(
        [d.assign(series=outer, lo=d["p5"], hi=d["p95"]), d.assign(series=inner, lo=d["p25"], hi=d["p75"])],
        ignore_index=True,
    )[["year", "series", "lo", "hi", "p5", "p25", "p50", "p75", "p95"]]
    layers = [
        alt.Chart(bands)
        .mark_area(opacity=0.9, clip=True)
        .encode(
            x=x,
            y=alt.Y("lo:Q", title=t("axis.network_price", lang), scale=yscale),
            y2="hi:Q",
            color=colour,
            tooltip=tips,
        ),
        alt.Chart(d[["year", "p5", "p25", "p50", "p75", "p95"]].assign(series=median))
        .mark_line(point=True, strokeWidth=2, clip=True)
        .encode(x=x, y="p50:Q", color=colour, tooltip=tips),
    ]
    if "base" in d.columns:
        layers.append(
            alt.Chart(d[["year", "base"]].assign(series=base))
            .mark_line(strokeDash=[2, 3], strokeWidth=1.5, clip=True)
            .encode(
                x=x,
                y="base:Q",
                color=colour,
                tooltip=[
                    alt.Tooltip("year:Q", title=t("axis.year", lang), format="d"),
                    alt.Tooltip("base:Q", title=t("col.base", lang), format=",.1f"),
                ],
            )
        )
    if target is not None:
        layers += _target_rule(target, lang, x=4, align="left")
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, t("chart.mc_distribution", lang), lang, t("narr.mc_distribution", lang))


def tornado(tornado: pd.DataFrame, *, lang: str = "en", top: int | None = None):
    """Tornado chart: for each input, bars from the base price to the price with the
    input at its low and at its high value (others at base), largest swing on top.

    Parameters
    ----------
    tornado : pandas.DataFrame
        The ``tornado`` table: ``input_id, price_at_low, base_price, price_at_high,
        swing`` (``low_value, high_value`` in the tooltip when present).
    lang : {'en', 'zh'}
    top : int, optional
        Only the ``top`` largest swings.

    Returns
    -------
    altair.LayerChart
    """
    _need(tornado, ["input_id", "price_at_low", "base_price", "price_at_high", "swing"], "tornado")
    d = tornado.sort_values("swing", ascending=False, kind="stable")
    if top is not None:
        d = d.head(top)
    d = _labelled(d, "input_id", "input", lang, out="input")
    low, high = t("mark.low", lang), t("mark.high", lang)
    rows = []
    for r in d.itertuples(index=False):
        for end, price, value in (
            (low, r.price_at_low, getattr(r, "low_value", np.nan)),
            (high, r.price_at_high, getattr(r, "high_value", np.nan)),
        ):
            rows.append(
                {
                    "input": r.input,
                    "end": end,
                    "start": float(r.base_price),
                    "price": float(price),
                    "value": float(value),
                    "swing": float(r.swing),
                }
            )
    bars = pd.DataFrame(rows, columns=["input", "end", "start", "price", "value", "swing"])
    order = d["input"].tolist()
    base_price = float(d["base_price"].iloc[0]) if len(d) else np.nan
    layers = [
        alt.Chart(bars)
        .mark_bar(height={"band": 0.7})
        .encode(
            y=alt.Y("input:N", sort=order, title=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X("start:Q", title=t("axis.network_price", lang), scale=alt.Scale(zero=False)),
            x2="price:Q",
            color=alt.Color(
                "end:N",
                title=t("legend.swing_end", lang),
                scale=alt.Scale(domain=[low, high], range=["#4c78a8", "#f58518"]),
            ),
            tooltip=[
                alt.Tooltip("input:N", title=t("axis.input", lang)),
                alt.Tooltip("end:N", title=t("legend.swing_end", lang)),
                alt.Tooltip("value:Q", title=t("ui.value", lang), format=",.3g"),
                alt.Tooltip("price:Q", title=t("axis.network_price", lang), format=",.2f"),
                alt.Tooltip("swing:Q", title=t("col.swing", lang), format=",.2f"),
            ],
        ),
        alt.Chart(pd.DataFrame({"x": [base_price], "label": [f"{t('mark.base', lang)}: {base_price:,.1f}"]}))
        .mark_rule(color="#333", size=1.5)
        .encode(x="x:Q"),
    ]
    chart = alt.layer(*layers).properties(width=WIDTH - 160, height=max(22 * len(order), 60))
    return _finish(chart, t("chart.tornado", lang), lang, t("narr.tornado", lang))


def sobol_ranking(sobol: pd.DataFrame, *, lang: str = "en"):
    """Sobol ranking: first-order (S1) and total (ST) index of each input as bars side by
    side with their 95 % intervals, inputs by ST, largest on top.

    Parameters
    ----------
    sobol : pandas.DataFrame
        The ``sobol`` table: ``input_id, S1, ST`` (``S1_conf, ST_conf`` for whiskers).
    lang : {'en', 'zh'}

    Returns
    -------
    altair.LayerChart
    """
    _need(sobol, ["input_id", "S1", "ST"], "sobol")
    d = _labelled(
        sobol.sort_values("ST", ascending=False, kind="stable"), "input_id", "input", lang, out="input"
    )
    s1, st = t("mark.s1", lang), t("mark.st", lang)
    rows = []
    for r in d.to_dict("records"):
        for key, label in (("S1", s1), ("ST", st)):
            conf = float(r.get(f"{key}_conf", np.nan))
            rows.append(
                {
                    "input": r["input"],
                    "index": label,
                    "value": float(r[key]),
                    "lo": float(r[key]) - conf,
                    "hi": float(r[key]) + conf,
                }
            )
    data = pd.DataFrame(rows, columns=["input", "index", "value", "lo", "hi"])
    order = d["input"].tolist()
    y = alt.Y("input:N", sort=order, title=None, axis=alt.Axis(labelLimit=240))
    off = alt.YOffset("index:N", sort=[s1, st])
    colour = alt.Color(
        "index:N",
        title=t("legend.sobol_index", lang),
        scale=alt.Scale(domain=[s1, st], range=["#4c78a8", "#e45756"]),
    )
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=y,
            yOffset=off,
            x=alt.X("value:Q", title=t("axis.sobol_index", lang)),
            color=colour,
            tooltip=[
                alt.Tooltip("input:N", title=t("axis.input", lang)),
                alt.Tooltip("index:N", title=t("legend.sobol_index", lang)),
                alt.Tooltip("value:Q", title=t("ui.value", lang), format=".3f"),
            ],
        )
    )
    whiskers = alt.Chart(data).mark_rule(color="#333").encode(y=y, yOffset=off, x="lo:Q", x2="hi:Q")
    chart = alt.layer(bars, whiskers).properties(width=WIDTH - 160, height=max(30 * len(order), 60))
    return _finish(chart, t("chart.sobol", lang), lang, t("narr.sobol", lang))


def _step(values) -> float:
    v = np.unique(np.asarray(values, dtype=float))
    return float(np.min(np.diff(v))) if len(v) > 1 else 1.0


def breakeven_frontier(frontier: pd.DataFrame, contour: pd.DataFrame | None = None, *, lang: str = "en"):
    """Break-even frontier heatmap: utilisation (x) against delivered hydrogen cost (y),
    coloured by the reference station's break-even price (diverging at the target),
    one panel per station type (columns) and capital subsidy share (rows), with the
    target's contour from ``frontier_contour`` as a line.

    Parameters
    ----------
    frontier : pandas.DataFrame
        The ``frontier`` table: ``station_type, capex_subsidy_share, utilisation,
        delivered_cny_per_kg, breakeven_price_cny_per_kg, price_target_cny_per_kg``.
    contour : pandas.DataFrame, optional
        The ``frontier_contour`` table: ``station_type, capex_subsidy_share,
        utilisation, max_delivered_cny_per_kg``.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.FacetChart
    """
    cols = [
        "station_type",
        "capex_subsidy_share",
        "utilisation",
        "delivered_cny_per_kg",
        "breakeven_price_cny_per_kg",
    ]
    _need(frontier, cols, "frontier")
    types = _order("station_type", frontier["station_type"], lang)
    shares = sorted(frontier["capex_subsidy_share"].unique())
    share_labels = [t("mark.subsidy_share", lang, share=f"{s:.0%}") for s in shares]
    type_codes = list(dict.fromkeys(frontier["station_type"]))
    share_of = {s: i for i, s in enumerate(shares)}

    # Compact rows (the grid has thousands of cells): panel codes, short field names.
    def panel(df):
        return pd.DataFrame(
            {
                "t": df["station_type"].map({c: i for i, c in enumerate(type_codes)}).to_numpy(int),
                "s": df["capex_subsidy_share"].map(share_of).to_numpy(int),
                "u": df["utilisation"].to_numpy(float).round(4),
            }
        )

    grid = panel(frontier).assign(
        c=frontier["delivered_cny_per_kg"].to_numpy(float).round(3),
        price=frontier["breakeven_price_cny_per_kg"].to_numpy(float).round(2),
        g=1,
    )
    target = (
        float(frontier["price_target_cny_per_kg"].dropna().iloc[0])
        if "price_target_cny_per_kg" in frontier.columns and frontier["price_target_cny_per_kg"].notna().any()
        else 35.0
    )
    c_lo, c_hi = float(grid["c"].min()), float(grid["c"].max())
    du, dc = _step(grid["u"]), _step(grid["c"])
    parts = [grid]
    if contour is not None and len(contour):
        _need(
            contour,
            ["station_type", "capex_subsidy_share", "utilisation", "max_delivered_cny_per_kg"],
            "frontier_contour",
        )
        cont = contour[contour["capex_subsidy_share"].isin(shares) & contour["station_type"].isin(type_codes)]
        parts.append(panel(cont).assign(c=cont["max_delivered_cny_per_kg"].to_numpy(float).round(3), g=0))
    data = pd.concat(parts, ignore_index=True)
    lo = max(float(np.nanmin(grid["price"])), 0.0)
    lo = min(lo, target - 1.0)
    domain = [lo, target, 2 * target - lo]
    xscale = alt.Scale(domain=[float(grid["u"].min()) - du / 2, float(grid["u"].max()) + du / 2], nice=False)
    x = alt.X("u_lo:Q", title=t("axis.utilisation", lang), axis=alt.Axis(format="%"), scale=xscale)
    yscale = alt.Scale(domain=[c_lo - dc / 2, c_hi + dc / 2], nice=False)
    heat = (
        alt.Chart()
        .transform_filter("datum.g == 1")
        .transform_calculate(
            u_lo=f"datum.u - {du / 2}",
            u_hi=f"datum.u + {du / 2}",
            c_lo=f"datum.c - {dc / 2}",
            c_hi=f"datum.c + {dc / 2}",
        )
        .mark_rect()
        .encode(
            x=x,
            x2="u_hi:Q",
            y=alt.Y("c_lo:Q", title=t("axis.delivered_cost", lang), scale=yscale),
            y2="c_hi:Q",
            color=alt.Color(
                "price:Q",
                title=t("legend.breakeven_price", lang),
                scale=alt.Scale(scheme="blueorange", domain=domain, clamp=True),
                legend=alt.Legend(format=",.0f", gradientLength=160),
            ),
            tooltip=[
                alt.Tooltip("u:Q", title=t("axis.utilisation", lang), format=".0%"),
                alt.Tooltip("c:Q", title=t("axis.delivered_cost", lang), format=",.0f"),
                alt.Tooltip("price:Q", title=t("legend.breakeven_price", lang), format=",.1f"),
            ],
        )
    )
    line = (
        alt.Chart()
        .transform_filter("datum.g == 0")
        .mark_line(color="black", strokeWidth=2, clip=True)
        .encode(
            x=alt.X("u:Q", scale=xscale),
            y=alt.Y("c:Q", scale=yscale),
            tooltip=[
                alt.Tooltip("u:Q", title=t("axis.utilisation", lang), format=".0%"),
                alt.Tooltip("c:Q", title=t("col.max_delivered_cny_per_kg", lang), format=",.1f"),
            ],
        )
    )
    # Inline values: the full grid is above Altair's row limit for data frames, and is
    # drawn as it is.
    values = alt.InlineData(values=json.loads(data.to_json(orient="records")))

    def header(labels, orient="top"):
        return alt.Header(
            labelExpr=f"{json.dumps(labels, ensure_ascii=False)}[datum.value]", labelFontSize=12,
            labelOrient=orient,
        )

    chart = (
        alt.layer(heat, line, data=values)
        .properties(width=150, height=130)
        .facet(
            column=alt.Column("t:O", title=None, header=header(types)),
            row=alt.Row("s:O", title=None, header=header(share_labels, orient="right")),
        )
    )
    subtitle = t("narr.frontier", lang) + " " + t("mark.contour", lang, value=f"{target:g}")
    return _finish(chart, t("chart.frontier", lang), lang, subtitle)


def parity_probability(parity: pd.DataFrame, *, lang: str = "en"):
    """Probability of TCO parity by segment (rows) and purchase year (columns), one
    panel per alternative, from the ``uncertainty_parity`` table.

    Parameters
    ----------
    parity : pandas.DataFrame
        ``segment, alternative, purchase_year, prob_parity``.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.FacetChart
    """
    _need(parity, ["segment", "alternative", "purchase_year", "prob_parity"], "uncertainty_parity")
    d = _labelled(parity, "segment", "segment", lang)
    d = _labelled(d, "alternative", "alternative", lang)
    d = d[["segment_label", "alternative_label", "purchase_year", "prob_parity"]].copy()
    d["purchase_year"] = d["purchase_year"].astype(int)
    base = alt.Chart().encode(
        x=alt.X(
            "purchase_year:O", title=t("axis.purchase_year", lang), axis=alt.Axis(labelAngle=-45, grid=False)
        ),
        y=alt.Y(
            "segment_label:N",
            title=None,
            sort=_order("segment", parity["segment"], lang),
            axis=alt.Axis(grid=False),
        ),
    )
    heat = base.mark_rect().encode(
        color=alt.Color(
            "prob_parity:Q",
            title=t("legend.prob_parity", lang),
            scale=alt.Scale(scheme="greens", domain=[0, 1]),
            legend=alt.Legend(format=".0%"),
        ),
        tooltip=[
            alt.Tooltip("segment_label:N", title=t("legend.segment", lang)),
            alt.Tooltip("alternative_label:N", title=t("legend.alternative", lang)),
            alt.Tooltip("purchase_year:O", title=t("axis.purchase_year", lang)),
            alt.Tooltip("prob_parity:Q", title=t("legend.prob_parity", lang), format=".0%"),
        ],
    )
    text = base.mark_text(fontSize=8).encode(
        text=alt.Text("prob_parity:Q", format=".0%"),
        color=alt.condition("datum.prob_parity > 0.6", alt.value("white"), alt.value("#333")),
    )
    chart = (
        alt.layer(heat, text, data=d)
        .properties(
            width=max(320, 28 * d["purchase_year"].nunique()),
            height=22 * max(d["segment_label"].nunique(), 1),
        )
        .facet(
            column=alt.Column(
                "alternative_label:N", title=None, sort=_order("alternative", parity["alternative"], lang)
            )
        )
    )
    return _finish(chart, t("chart.parity_prob", lang), lang, t("narr.parity_prob", lang))


# --- across scenarios -----------------------------------------------------------------------------


def compare_price(paths: pd.DataFrame, targets: pd.DataFrame | None = None, *, lang: str = "en"):
    """Network hydrogen price by year, one panel per scenario (the others in grey behind it),
    against the price target.

    Parameters
    ----------
    paths : pandas.DataFrame
        ``scenario, year, h2_price_cny_per_kg`` (the scenarios' ``price_path`` tables).
    targets : pandas.DataFrame, optional
        A ``targets`` table (the price row gives the target line).
    lang : {'en', 'zh'}

    Returns
    -------
    altair.FacetChart
    """
    _need(paths, ["scenario", "year", "h2_price_cny_per_kg"], "compare_price")
    p = paths.copy()
    p["year"] = p["year"].astype(int)
    row = _target_row(targets, "price")
    target = float(row["required"]) if row is not None else None
    lo, hi = price_axis(p["h2_price_cny_per_kg"], target)
    rule = None
    if target is not None:
        rule = (alt.Chart().mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4], size=1.5)
                .encode(y=alt.datum(target)))
    chart = _small_multiples(p, "h2_price_cny_per_kg", t("axis.h2_price", lang), lang,
                             yscale=alt.Scale(domain=[lo, hi], nice=False, zero=False), extra=rule)
    subtitle = t("narr.compare_multiples", lang) + (
        " " + t("mark.target_35", lang, value=f"{target:g}") if target is not None else "")
    return _finish(chart, t("chart.compare_price", lang), lang, subtitle)


def compare_targets(targets: pd.DataFrame, *, lang: str = "en"):
    """Achieved / required for each target and scenario (green when met).

    Parameters
    ----------
    targets : pandas.DataFrame
        The scenarios' ``targets`` tables stacked: ``scenario, target, year, required,
        achieved, met``.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.FacetChart
    """
    _need(targets, ["scenario", "target", "year", "required", "achieved", "met"], "compare_targets")
    d = targets.copy()
    d["label"] = [f"{category('target', x, lang)} ({y})" for x, y in zip(d["target"], d["year"], strict=True)]
    d["share"] = d["achieved"].astype(float) / d["required"].astype(float)
    d["status"] = [t("ui.met", lang) if m else t("ui.not_met", lang) for m in d["met"]]
    scen = list(dict.fromkeys(d["scenario"]))
    bars = (
        alt.Chart(d)
        .mark_bar()
        .encode(
            y=alt.Y("scenario:N", title=None, sort=scen),
            x=alt.X("share:Q", title=t("axis.achieved_share", lang), axis=alt.Axis(format="%")),
            color=alt.Color(
                "status:N",
                title=t("legend.met", lang),
                scale=alt.Scale(domain=[t("ui.met", lang), t("ui.not_met", lang)], range=list(MET_COLOURS)),
            ),
            tooltip=[
                alt.Tooltip("scenario:N", title=t("legend.scenario", lang)),
                alt.Tooltip("label:N", title=t("ui.target", lang)),
                alt.Tooltip("required:Q", title=t("ui.required", lang), format=",.1f"),
                alt.Tooltip("achieved:Q", title=t("ui.achieved", lang), format=",.1f"),
            ],
        )
    )
    ticks = alt.Chart(d).mark_rule(color="black", strokeWidth=2).encode(x=alt.datum(1.0))
    chart = (
        alt.layer(bars, ticks, data=d)
        .properties(width=170, height=22 * len(scen))
        .facet(column=alt.Column("label:N", title=None, sort=list(dict.fromkeys(d["label"]))))
    )
    return _finish(chart, t("chart.compare_targets", lang), lang)


def _small_multiples(d: pd.DataFrame, value: str, y_title: str, lang: str, *, yscale=alt.Undefined,
                     extra=None, fmt: str = ",.1f", columns: int = 4):
    """One panel per scenario: the panel's scenario as a coloured line with points, every
    other scenario as a thin grey line behind it for comparison, so that scenarios with
    the same values do not hide each other. ``d`` has ``scenario, year`` and ``value``;
    ``extra`` is a layer drawn in every panel (e.g. a target rule)."""
    order = list(dict.fromkeys(d["scenario"]))
    cross = pd.concat([d.assign(panel=s) for s in order], ignore_index=True)
    cross["own"] = cross["scenario"] == cross["panel"]
    x = alt.X("year:Q", axis=_year_axis(lang), scale=alt.Scale(zero=False, nice=False))
    y = alt.Y(f"{value}:Q", title=y_title, scale=yscale)
    others = (alt.Chart().transform_filter(~alt.datum.own)
              .mark_line(color="#bbb", strokeWidth=1, clip=True)
              .encode(x=x, y=y, detail="scenario:N"))
    own = (
        alt.Chart()
        .transform_filter(alt.datum.own)
        .mark_line(point=alt.OverlayMarkDef(size=22), strokeWidth=2.5, clip=True)
        .encode(
            x=x, y=y,
            color=alt.Color("scenario:N", title=t("legend.scenario", lang), sort=order, legend=None),
            tooltip=[
                alt.Tooltip("scenario:N", title=t("legend.scenario", lang)),
                alt.Tooltip("year:Q", title=t("axis.year", lang), format="d"),
                alt.Tooltip(f"{value}:Q", title=y_title, format=fmt),
            ],
        )
    )
    layers = [others, own] + ([extra] if extra is not None else [])
    return (alt.layer(*layers, data=cross).properties(width=170, height=130)
            .facet(facet=alt.Facet("panel:N", title=None, sort=order, header=alt.Header(labelFontSize=12)),
                   columns=columns))


def _compare_lines(df: pd.DataFrame, value: str, scale: float, axis_key: str, title_key: str, lang: str):
    d = df.groupby(["scenario", "year"], as_index=False, sort=False)[value].sum()
    d["v"] = d[value].astype(float) * scale
    d["year"] = d["year"].astype(int)
    chart = _small_multiples(d[["scenario", "year", "v"]], "v", t(axis_key, lang), lang, fmt=",.2f")
    return _finish(chart, t(title_key, lang), lang, t("narr.compare_multiples", lang))


def compare_fleet(fleet: pd.DataFrame, *, lang: str = "en"):
    """Fuel-cell vehicles in service by year, one line per scenario.

    Parameters
    ----------
    fleet : pandas.DataFrame
        The scenarios' ``fleet`` tables stacked: ``scenario, year, fcev_in_service``.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.Chart
    """
    _need(fleet, ["scenario", "year", "fcev_in_service"], "compare_fleet")
    return _compare_lines(fleet, "fcev_in_service", 1.0, "axis.fcev", "chart.compare_fleet", lang)


def compare_budget(budget: pd.DataFrame, *, lang: str = "en"):
    """Subsidy outlay by year (million CNY), one line per scenario.

    Parameters
    ----------
    budget : pandas.DataFrame
        The scenarios' ``budget`` tables stacked: ``scenario, year, outlay_cny``.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.Chart
    """
    _need(budget, ["scenario", "year", "outlay_cny"], "compare_budget")
    return _compare_lines(budget, "outlay_cny", 1e-6, "axis.outlay_m_cny", "chart.compare_budget", lang)


def compare_co2(co2: pd.DataFrame, *, lang: str = "en"):
    """CO2 avoided by year (kt), one line per scenario.

    Parameters
    ----------
    co2 : pandas.DataFrame
        The scenarios' ``co2`` tables stacked: ``scenario, year, co2_avoided_t``.
    lang : {'en', 'zh'}

    Returns
    -------
    altair.Chart
    """
    _need(co2, ["scenario", "year", "co2_avoided_t"], "compare_co2")
    return _compare_lines(
        co2.fillna({"co2_avoided_t": 0.0}), "co2_avoided_t", 1e-3, "axis.co2_kt", "chart.compare_co2", lang
    )


__all__ = [
    "mc_distribution",
    "tornado",
    "sobol_ranking",
    "breakeven_frontier",
    "parity_probability",
    "FONT",
    "find_cjk_font_dir",
    "register_cjk_font",
    "to_png",
    "to_svg",
    "save",
    "station_map",
    "build_schedule",
    "levelised_cost",
    "price_path",
    "tco_parity",
    "tco_components",
    "subsidy_budget",
    "demand_by_district",
    "supply_mix",
    "co2_abatement",
    "targets_summary",
    "compare_price",
    "compare_targets",
    "compare_fleet",
    "compare_budget",
    "compare_co2",
]
