"""Scenario reports: offline, bilingual HTML from results, driven by a notebook.

Two levels:

* :func:`render_report` turns one scenario's :class:`~h2model.results.Results` into
  files in a folder: the results tables (CSV and ``results.xlsx``, via
  :meth:`Results.write <h2model.results.Results.write>`), every chart as PNG and SVG in
  ``charts/``, and a self-contained ``report_<lang>.html``. The notebook
  ``notebooks/report.ipynb`` calls it, so the report an analyst runs by hand and the
  one ``make report`` builds are the same.
* :func:`build_reports` executes that notebook with papermill for each scenario and
  language into ``<out>/<scenario>/`` (the executed ``report_<lang>.ipynb`` beside
  the HTML), each scenario in a temporary folder moved into place only when
  complete, then writes the cross-scenario ``comparison_<lang>.html``, a
  ``targets.csv`` across scenarios and ``index.html``. A scenario that fails is
  reported and skipped; the others, and its earlier output, are untouched.

The HTML opens with no network: the Vega, Vega-Lite and Vega-Embed JavaScript comes
from vl-convert (:func:`vl_convert.javascript_bundle`) and is inlined once per page;
charts are embedded as Vega-Lite specs with their data and drawn as SVG in the
browser. Fonts are the reader's system fonts (a CJK stack for Chinese). Text comes
from :mod:`h2model.glossary`; the executive summary reads the ``targets`` table
and never recomputes it.

Layout: :mod:`h2model.report.views` holds what a report shows (the tables, headline
figures and chart specs, which the notebooks also use) and :mod:`h2model.report.render`
writes it (HTML templates, atomic writes, the notebook runs, the comparison and index);
every name is importable from :mod:`h2model.report` itself.
"""

from __future__ import annotations

# ``x as x``: names other code used as ``report.x`` that are not in ``__all__``.
from ..glossary import category as category
from ..glossary import t as t
from .render import (
    NOTEBOOK,
    build_reports,
    comparison_charts,
    read_tables,
    render_comparison,
    render_index,
    render_report,
    vega_bundle,
)
from .views import (
    CHARTS,
    SECTIONS,
    SENSITIVITY_CHARTS,
    UNCERTAINTY_TABLES,
    assumptions,
    build_charts,
    executive_summary,
    first_screen,
    has_uncertainty,
    headline,
    html_table,
    lcoh_components,
    mc_headline,
    price_card,
    sensitivity_tables,
    station_sites,
    supply_by_source,
    what_would_it_take,
)
from .views import FINANCE_KEYS as FINANCE_KEYS
from .views import LCOH_COMPONENTS as LCOH_COMPONENTS
from .views import MAX_ROWS as MAX_ROWS
from .views import SOBOL_COLUMNS as SOBOL_COLUMNS
from .views import TORNADO_COLUMNS as TORNADO_COLUMNS
from .views import ChartSpec as ChartSpec
from .views import _fmt_target as _fmt_target

__all__ = [
    "NOTEBOOK",
    "CHARTS",
    "SECTIONS",
    "build_charts",
    "station_sites",
    "lcoh_components",
    "supply_by_source",
    "executive_summary",
    "first_screen",
    "price_card",
    "what_would_it_take",
    "headline",
    "sensitivity_tables",
    "has_uncertainty",
    "mc_headline",
    "SENSITIVITY_CHARTS",
    "UNCERTAINTY_TABLES",
    "render_report",
    "render_comparison",
    "render_index",
    "build_reports",
    "comparison_charts",
    "read_tables",
    "html_table",
    "assumptions",
    "vega_bundle",
]
