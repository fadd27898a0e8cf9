"""The validated case: the only thing engines read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass
class Case:
    """A validated input case with one scenario's overrides applied.

    Attributes
    ----------
    name : str
        Case name (the workbook's or folder's stem, e.g. ``guangzhou``).
    path : pathlib.Path
        Workbook or CSV folder it was read from.
    input_sha256 : str
        SHA-256 of the input bytes (for a folder: of its CSV files in name order).
    scenario : str
        Scenario name (``baseline`` when none was asked for).
    scenario_description : str
        The scenario's one-line description.
    tables : dict of str to pandas.DataFrame
        Table sheets by sheet name, columns typed as the schema says (``int``
        columns are pandas ``Int64``, ``float`` are ``float64``, ``str`` are
        ``object``), in workbook row order with a fresh ``RangeIndex``.
    params : dict of str to dict
        Params sheets (``Finance``, ``Delivery``, ``Network``, ``PolicyCaps``): key -> value.
    overrides : pandas.DataFrame
        The overrides applied: ``sheet, key, column, old, new, operation``.
    notes : list of str
        Remarks on the input that did not stop it loading (e.g. sheets not in the schema,
        not read).
    param_sources : dict
        Params sheet -> key -> its ``source_key`` cell (e.g. ``["Finance"]["discount_rate"]``).
    """

    name: str
    path: Path
    input_sha256: str
    scenario: str
    scenario_description: str
    tables: dict[str, pd.DataFrame]
    params: dict[str, dict[str, float]]
    overrides: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    param_sources: dict[str, dict[str, str]] = field(default_factory=dict)

    def __getitem__(self, sheet: str) -> pd.DataFrame:
        """The table of a sheet, e.g. ``case["Stations"]``."""
        return self.tables[sheet]

    @property
    def finance(self) -> dict[str, float]:
        """The Finance sheet as key -> value."""
        return self.params["Finance"]

    @property
    def years(self) -> np.ndarray:
        """Analysis years, ``analysis_start_year`` to ``analysis_end_year`` inclusive."""
        f = self.finance
        return np.arange(int(f["analysis_start_year"]), int(f["analysis_end_year"]) + 1)

    @property
    def price_year(self) -> int:
        """Price year of every CNY amount in the case."""
        return int(self.finance["price_year"])

    def scenarios(self) -> pd.DataFrame:
        """Scenario names with their descriptions, in workbook order."""
        sc = self.tables["Scenarios"]
        return sc.drop_duplicates("scenario")[["scenario", "description"]].reset_index(drop=True)
