"""The glossary: every entry in both languages, every key the code uses exists, every
results-table column has a header."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from h2model import glossary
from h2model.glossary import GLOSSARY, LANGS, category, label_columns, missing_columns, t
from tests.data import report_case

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def default_case():
    return report_case.default_case()


@pytest.fixture(scope="module")
def default_results():
    return report_case.default_results()


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("key", sorted(GLOSSARY))
def test_every_entry_has_english_and_chinese(key):
    en, zh = GLOSSARY[key]
    assert en.strip() and zh.strip(), key
    assert CJK.search(zh), f"{key}: the Chinese text {zh!r} has no Chinese characters"
    assert not CJK.search(en), f"{key}: the English text {en!r} has Chinese characters"
    assert _fields(en) == _fields(zh), f"{key}: format fields differ between en and zh"


def test_plan_terms_are_the_plans_own_words():
    # reference/plan.md, "Words for the bilingual reports"
    assert t("target.stations", "zh") == "加氢站"
    assert t("target.price", "zh") == "车用氢气终端销售价格"
    assert t("ui.met", "zh") == "达成" and t("ui.not_met", "zh") == "未达成"
    assert t("powertrain.bev", "zh") == "纯电动" and t("powertrain.diesel", "zh") == "柴油"
    assert t("supply_type.byproduct_refinery", "zh").endswith("工业副产氢")
    assert t("delivery.tube_trailer", "zh") == "长管拖车"


def test_t_fills_fields_and_rejects_unknown_keys_and_languages():
    assert t("narr.summary_count", "zh", met=2, total=3) == "3 项目标中达成 2 项。"
    with pytest.raises(KeyError, match="no key 'chart.nonexistent'"):
        t("chart.nonexistent", "en")
    with pytest.raises(ValueError, match="language must be one of"):
        t("ui.met", "fr")


def test_category_falls_back_to_the_value_for_data_the_glossary_does_not_know():
    assert category("district", "huangpu", "zh") == "黄埔区"
    assert category("district", "shenzhen", "zh") == "shenzhen"


def _keys_used_in(text: str) -> set[str]:
    """Literal glossary keys passed to t(...) in code or templates."""
    return set(re.findall(r"""\bt\(\s*f?["']([a-z_]+\.[A-Za-z0-9_./]+)["']""", text))


def test_every_key_the_code_and_templates_use_exists():
    used = set()
    for path in [
        ROOT / "h2model" / "charts.py",
        *sorted((ROOT / "h2model" / "report").glob("*.py")),
        *sorted((ROOT / "h2model" / "templates").glob("*.j2")),
    ]:
        used |= _keys_used_in(path.read_text(encoding="utf-8"))
    assert len(used) > 60  # the scan finds the keys (a broken regex would pass vacuously)
    assert sorted(k for k in used if k not in GLOSSARY) == []


def test_finance_keys_of_the_assumptions_table_exist():
    from h2model.report import FINANCE_KEYS, LCOH_COMPONENTS

    assert [k for k in FINANCE_KEYS if f"finance.{k}" not in GLOSSARY] == []
    assert [c for c in LCOH_COMPONENTS if f"component.{c}" not in GLOSSARY] == []


def test_every_results_column_has_a_header(default_results):
    columns = {c for df in default_results.tables.values() for c in df.columns}
    assert missing_columns(columns) == []
    labelled = label_columns(default_results["targets"], "zh")
    assert "是否达成" in labelled.columns and "目标" in labelled.columns


def test_every_input_category_of_the_default_case_has_a_name(default_case):
    checks = {
        "segment": default_case["Segments"]["segment"],
        "district": default_case["Districts"]["district"],
        "level": default_case["Policy"]["level"],
        "kind": default_case["Policy"]["kind"],
        "station_type": default_case["Stations"]["station_type"],
        "supply_type": default_case["Supply"]["supply_type"],
        "target": default_case["Targets"]["target_id"],
        "unit": default_case["Targets"]["unit"],
        "source_kind": default_case["Sources"]["kind"],
    }
    missing = [
        f"{kind}.{v}"
        for kind, values in checks.items()
        for v in set(values)
        if not glossary.has(f"{kind}.{v}")
    ]
    assert sorted(missing) == []


def test_langs_are_english_then_chinese():
    assert LANGS == ("en", "zh")
