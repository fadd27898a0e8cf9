"""Input schema: one table per workbook sheet.

Each sheet of the input workbook (or CSV file of the same name) is described once
here: its columns with type, unit, allowed range or choices, cross-sheet
references and a description. Validation (:mod:`h2model.inputs.validate`), the
workbook's ``README`` sheet, its in-cell dropdowns and input messages, and the
documentation are all generated from these tables, so they cannot drift apart.

Two kinds of sheet exist:

* ``table`` sheets hold one record per row (``Stations``, ``Segments``, ...); their
  ``key`` columns must be unique.
* ``params`` sheets hold named scalars, one per row, in the columns
  ``key, value, unit, description, source_key`` (``Finance``, ``Delivery``,
  ``Network``); each allowed key is declared here with its own type and range.

Every data row carries a ``source_key`` naming one or more rows of the ``Sources``
sheet (separated by ``;``), so that every default value traces to a source and year.

>>> SHEETS["Stations"].column("capacity_kg_per_day").unit
'kg/day'
>>> [s for s in SHEET_ORDER if SHEETS[s].kind == "params"]
['Finance', 'Delivery', 'Adoption', 'PolicyCaps', 'Network', 'PeakSizing']
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- vocabularies ---------------------------------------------------------------------

#: Guangzhou's 11 districts (the default case plans at district level).
GUANGZHOU_DISTRICTS = (
    "tianhe", "huangpu", "zengcheng", "panyu", "nansha", "huadu",
    "baiyun", "conghua", "liwan", "yuexiu", "haizhu",
)
#: The nine mainland cities of the Greater Bay Area (inputs/greater_bay_area.xlsx plans at
#: city level: each city is one "district" of that case).
GBA_CITIES = (
    "guangzhou", "shenzhen", "foshan", "dongguan", "zhongshan", "zhuhai", "huizhou",
    "jiangmen", "zhaoqing",
)
DISTRICTS = GUANGZHOU_DISTRICTS + GBA_CITIES
STATION_STATUS = ("existing", "planned", "candidate")
STATION_TYPES = ("standalone", "combined", "skid", "onsite_electrolysis")
PRESSURES_MPA = (35, 70)
SUPPLY_TYPES = (
    "byproduct_refinery", "byproduct_chemical", "smr",
    "electrolysis_grid", "electrolysis_renewable",
)
SEGMENTS = (
    "bus_12m", "logistics_van", "medium_truck", "heavy_tractor",
    "sanitation_truck", "passenger_car",
)
POWERTRAINS = ("fcev", "bev", "diesel")
#: Where a segment's vehicles refuel: at their home depot, or en route / near where they
#: operate (at the demand points of their district).
REFUELLING_PATTERNS = ("depot", "en_route")
DEMAND_POINT_KINDS = (
    "port", "logistics_park", "industrial_zone", "airport", "rail_hub",
    "commercial_centre", "expressway_interchange",
)
WEIGHT_CLASSES = ("light", "medium", "heavy")
#: Kinds of corridor node (CorridorNodes): stations may be built at any kind flagged candidate.
CORRIDOR_NODE_KINDS = ("city_centre", "port", "logistics_park", "service_area", "interchange")
POLICY_LEVELS = ("national", "provincial", "municipal", "district")
POLICY_KINDS = (
    "vehicle_purchase_per_kw",     # CNY per kW of rated fuel-cell power, once at purchase
    "vehicle_reward_per_vehicle",  # city-cluster reward per vehicle: funds local subsidies
    "vehicle_operation_per_km",    # CNY per km driven, capped per vehicle and year
    "station_capex",               # CNY per station built, capped by a share of capex
    "h2_sales_per_kg",             # CNY per kg sold at the station, capped per year
    "h2_supply_reward_per_kg",     # city-cluster reward per kg supplied (conditional)
)
#: Groups of programmes whose grants to one station share an all-level cap (PolicyCaps).
CAP_GROUPS = ("station_grant",)
TARGET_IDS = ("stations", "fcev", "price")
COMPARATORS = (">=", ">", "<=", "<")
SOURCE_KINDS = ("sourced", "range", "derived", "estimate", "assumption")
OVERRIDE_OPERATIONS = ("set", "scale", "add")
DISTRIBUTIONS = ("uniform", "triangular", "normal", "lognormal")

YEAR_MIN, YEAR_MAX = 2000, 2060

# VAT basis of money inputs (Column.vat). Station costs enter the finance engine ex VAT:
# a station is a general VAT taxpayer and credits its input VAT (h2model.finance.ex_vat).
EX_VAT = "ex VAT (input VAT credited)"
EX_VAT_H2 = ("ex VAT: a producer's cost at the gate; the 13 % VAT on hydrogen bought is credited"
             " by the station")
NO_VAT = "outside VAT (wages)"
NO_VAT_INS = "as paid (insurance is VAT-exempt or its VAT is not credited in the TCO)"
INCL_VAT_ELEC = ("incl. VAT: station costs divide it by 1 + Finance.electricity_vat_rate; BEV TCO"
                 " uses it as paid")
INCL_VAT_DIESEL = ("incl. VAT: delivery costs divide it by 1 + Finance.diesel_vat_rate; diesel"
                   " TCO uses it as paid")
#: A name that becomes a folder or file name and a link (a scenario's output folder):
#: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64
#: characters, no '..' (so never a path outside the output folder, an absolute path or a
#: ``javascript:`` address). Checked by validation and again wherever an output is written.
NAME_PATTERN = r"^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
NAME_RULE = ("of 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'"
             " (it names a folder)")
INCL_VAT_H2 = "incl. VAT: the retail price an FCEV operator pays (TCO)"
INCL_VAT_PAID = "incl. VAT: the price the vehicle operator pays (TCO)"


@dataclass(frozen=True)
class Column:
    """One column of a table sheet, or one key of a params sheet.

    Parameters
    ----------
    name : str
        Header text (for a params sheet: the key), with its unit in the name.
    kind : {"str", "int", "float", "flag"}
        Cell type; ``flag`` is 0 or 1.
    unit : str
        Unit shown in the README sheet and the input message.
    description : str
        What the value means.
    min, max : float, optional
        Inclusive allowed range for numbers.
    choices : tuple, optional
        Allowed values (drop-down list in the workbook).
    ref : str, optional
        ``"Sheet.column"`` that this value must name an existing row of.
    required : bool
        Whether a blank cell is an error.
    multi : bool
        Whether the cell may hold several values separated by ``;`` (each checked).
    pattern : str, optional
        Regular expression a text value must match in full (:data:`NAME_PATTERN`).
    vat : str
        VAT basis of a money input (ex VAT, incl. VAT, or outside VAT) and how the
        engines use it; shown in the README sheet. Empty for non-money fields.
    """

    name: str
    kind: str = "float"
    unit: str = ""
    description: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple | None = None
    ref: str | None = None
    required: bool = True
    multi: bool = False
    vat: str = ""
    pattern: str | None = None

    def rule(self) -> str:
        """The column's rule in words, as shown in error messages and the README."""
        parts = []
        if self.kind == "int":
            parts.append("a whole number")
        elif self.kind == "float":
            parts.append("a number")
        elif self.kind == "flag":
            parts.append("0 or 1")
        else:
            parts.append("text")
        if self.min is not None and self.max is not None:
            parts.append(f"from {_fmt(self.min)} to {_fmt(self.max)}")
        elif self.min is not None:
            parts.append(f"at least {_fmt(self.min)}")
        elif self.max is not None:
            parts.append(f"at most {_fmt(self.max)}")
        if self.choices:
            parts.append("one of " + ", ".join(str(c) for c in self.choices))
        if self.ref:
            parts.append(f"naming a row of {self.ref}")
        if self.pattern == NAME_PATTERN:
            parts.append(NAME_RULE)
        if not self.required:
            parts.append("(may be blank)")
        return " ".join(parts)


def _fmt(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Sheet:
    """One sheet of the input workbook."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    kind: str = "table"  # "table" or "params"
    optional: bool = False
    params: tuple[Column, ...] = field(default=())

    def column(self, name: str) -> Column:
        for c in self.columns + self.params:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column or key {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _src() -> Column:
    return Column(
        "source_key", "str", description="Sources sheet key(s) for this row, ';'-separated",
        ref="Sources.source_key", multi=True,
    )


def _year(name: str, description: str, required: bool = True) -> Column:
    return Column(name, "int", "year", description, YEAR_MIN, YEAR_MAX, required=required)


def _share(name: str, description: str, required: bool = True) -> Column:
    return Column(name, "float", "fraction", description, 0.0, 1.0, required=required)


def _lon() -> Column:
    return Column("longitude", "float", "degrees E", "WGS84 longitude (approximate; Greater Bay Area)", 111.3, 115.5)


def _lat() -> Column:
    return Column("latitude", "float", "degrees N", "WGS84 latitude (approximate; Greater Bay Area)", 21.5, 24.5)


PARAMS_COLUMNS = (
    Column("key", "str", description="Parameter name"),
    Column("value", "float", description="Parameter value (unit in the unit column)"),
    Column("unit", "str", description="Unit of the value (informative)", required=False),
    Column("description", "str", description="What the parameter means", required=False),
    _src(),
)

SOURCES = Sheet(
    "Sources",
    "Where every default value comes from: one row per source, named by source_key.",
    (
        Column("source_key", "str", description="Short unique key used by other sheets"),
        Column("title", "str", description="Title, author or publisher of the source"),
        Column("url", "str", description="Address of the source", required=False),
        _year("year", "Year of publication or of the data"),
        Column("kind", "str", description="How far to trust it", choices=SOURCE_KINDS),
        Column("note", "str", description="What was taken and how (conversions)", required=False),
    ),
    key=("source_key",),
)

FINANCE = Sheet(
    "Finance",
    "Financial assumptions shared by every engine; all money in CNY of price_year.",
    PARAMS_COLUMNS,
    key=("key",),
    kind="params",
    params=(
        Column("price_year", "int", "year", "Price year of every CNY amount in the case", 2015, 2035),
        Column("analysis_start_year", "int", "year", "First year of the analysis horizon", 2015, 2035),
        Column("analysis_end_year", "int", "year", "Last year of the analysis horizon", 2020, 2060),
        Column("discount_rate", "float", "1/year", "Real discount rate (cost of capital)", 0.0, 0.30),
        Column("inflation_rate", "float", "1/year", "General inflation", -0.05, 0.20),
        Column("income_tax_rate", "float", "fraction", "Corporate income tax rate", 0.0, 0.60),
        Column("vat_rate", "float", "fraction", "VAT on hydrogen retail sales", 0.0, 0.30),
        Column("electricity_vat_rate", "float", "fraction",
               "VAT included in Prices.electricity_cny_per_kwh (credited by stations)", 0.0, 0.30),
        Column("diesel_vat_rate", "float", "fraction",
               "VAT included in Prices.diesel_cny_per_l (credited on hydrogen delivery)", 0.0, 0.30),
        Column("debt_share", "float", "fraction", "Share of capex financed by debt", 0.0, 1.0),
        Column("debt_rate", "float", "1/year", "Nominal interest rate on debt", 0.0, 0.30),
        Column("debt_tenor_years", "int", "years", "Loan tenor", 1, 40),
        Column("depreciation_years", "int", "years", "Tax depreciation life", 1, 50),
        Column("declining_balance", "flag", "0/1", "1: double-declining-balance depreciation", 0, 1),
        Column("construction_years", "int", "years", "Years of construction before operation", 0, 5),
        Column("station_life_years", "int", "years", "Economic life of a station", 5, 40),
        Column("working_capital_share", "float", "fraction of revenue", "Working capital", 0.0, 1.0),
        Column("salvage_share", "float", "fraction of capex",
               "Salvage value of equipment at end of life (land is recovered at its real value)", 0.0, 1.0),
        Column("capital_grant_taxable", "flag", "0/1",
               "Capital grants: 0 untaxed and excluded from the depreciable base, 1 taxable income"
               " and depreciated in full (Caishui [2011] No. 70: one or the other)", 0, 1),
        Column("ramp_up_years", "int", "years", "Years for utilisation to reach its plateau", 0, 15),
        Column("ramp_start_share", "float", "fraction", "Utilisation in the first year, relative to plateau", 0.0, 1.0),
        Column("usd_cny_rate", "float", "CNY/USD", "Exchange rate used to convert USD sources", 1.0, 20.0),
    ),
)

DISTRICTS_SHEET = Sheet(
    "Districts",
    "Guangzhou's 11 districts with approximate centroids.",
    (
        Column("district", "str", description="District id", choices=DISTRICTS),
        Column("name_en", "str", description="English name"),
        Column("name_zh", "str", description="Chinese name"),
        _lon(),
        _lat(),
        _src(),
    ),
    key=("district",),
)

STATIONS = Sheet(
    "Stations",
    "Hydrogen refuelling stations: existing (operating in 2020), planned (committed build-out"
    " with a commissioning year) and candidate sites the network optimiser may choose from.",
    (
        Column("station_id", "str", description="Unique station id"),
        Column("name", "str", description="Station name"),
        Column("district", "str", description="District", ref="Districts.district"),
        _lon(),
        _lat(),
        Column("status", "str", description="existing, planned or candidate", choices=STATION_STATUS),
        _year("commissioning_year", "Year the station starts dispensing (blank for candidates)",
              required=False),
        Column("capacity_kg_per_day", "float", "kg/day",
               "Dispensing capacity (24 h basis); for a candidate the largest size allowed", 50, 20000),
        Column("pressure_mpa", "int", "MPa", "Dispensing pressure", choices=PRESSURES_MPA),
        Column("station_type", "str", description="Station type", choices=STATION_TYPES),
        Column("supply_id", "str", description="Default hydrogen source", ref="Supply.supply_id"),
        _src(),
    ),
    key=("station_id",),
)

STATION_COSTS = Sheet(
    "StationCosts",
    "Station cost model by type and pressure: capex at a reference size scaled by an"
    " economy-of-scale exponent, its component split, and operating costs.",
    (
        Column("station_type", "str", description="Station type", choices=STATION_TYPES),
        Column("pressure_mpa", "int", "MPa", "Dispensing pressure", choices=PRESSURES_MPA),
        Column("reference_capacity_kg_per_day", "float", "kg/day", "Size the capex refers to", 50, 20000),
        Column("capex_excl_land_cny", "float", "CNY", "Installed capex at reference size, excl. land", 1e5, 5e8, vat=EX_VAT),
        Column("scale_exponent", "float", "-", "Capex scales as (capacity/reference)^exponent", 0.3, 1.2),
        Column("land_cost_cny", "float", "CNY", "Land purchase (0 where land is leased or shared)", 0, 5e7, vat=EX_VAT),
        Column("land_lease_cny_per_year", "float", "CNY/year", "Land lease", 0, 5e6, vat=EX_VAT),
        _share("share_compressor", "Share of capex: compressors"),
        _share("share_storage", "Share of capex: storage"),
        _share("share_dispenser", "Share of capex: dispensers"),
        _share("share_precooling", "Share of capex: pre-cooling"),
        _share("share_civil", "Share of capex: civil works, installation and other"),
        Column("fixed_om_share_per_year", "float", "fraction of capex/year", "Fixed O&M", 0.0, 0.3),
        Column("staff_count", "float", "persons", "Station staff", 0, 50),
        Column("staff_cost_cny_per_person_year", "float", "CNY/person/year", "Staff cost", 0, 1e6, vat=NO_VAT),
        Column("electricity_kwh_per_kg", "float", "kWh/kg", "Compression, cooling and dispensing", 0, 80),
        Column("compressor_life_years", "int", "years", "Compressor replacement interval", 3, 40),
        _src(),
    ),
    key=("station_type", "pressure_mpa"),
)

SUPPLY = Sheet(
    "Supply",
    "Hydrogen sources: location, capacity, production cost and CO2 intensity.",
    (
        Column("supply_id", "str", description="Unique source id"),
        Column("name", "str", description="Source name"),
        Column("supply_type", "str", description="Production route", choices=SUPPLY_TYPES),
        Column("district", "str", description="District (or nearest for outside the city)",
               ref="Districts.district"),
        _lon(),
        _lat(),
        Column("capacity_t_per_day", "float", "t/day", "Hydrogen available for vehicles", 0, 1000),
        Column("production_cost_cny_per_kg", "float", "CNY/kg", "Production cost at the gate", 0, 200, vat=EX_VAT_H2),
        Column("purification_cost_cny_per_kg", "float", "CNY/kg", "Purification to fuel-cell grade", 0, 50, vat=EX_VAT_H2),
        Column("co2_kg_per_kg_h2", "float", "kg CO2/kg H2", "Process CO2, excluding grid electricity", 0, 40),
        Column("electricity_kwh_per_kg", "float", "kWh/kg", "Grid electricity used (electrolysis)", 0, 80),
        _year("available_from_year", "First year the source can supply"),
        _src(),
    ),
    key=("supply_id",),
)

DELIVERY = Sheet(
    "Delivery",
    "Delivery cost parameters: 20 MPa tube trailer and liquid hydrogen.",
    PARAMS_COLUMNS,
    key=("key",),
    kind="params",
    params=(
        Column("road_circuity_factor", "float", "-", "Road distance / straight-line distance", 1.0, 2.5),
        Column("trailer_payload_kg", "float", "kg", "Hydrogen delivered per tube-trailer trip", 100, 3000),
        Column("trailer_capex_cny", "float", "CNY", "Tube trailer purchase", 0, 1e7, vat=EX_VAT),
        Column("tractor_capex_cny", "float", "CNY", "Tractor purchase", 0, 5e6, vat=EX_VAT),
        Column("trailer_life_years", "int", "years", "Tube trailer life", 1, 40),
        Column("tractor_life_years", "int", "years", "Tractor life", 1, 30),
        Column("trailer_om_share_per_year", "float", "fraction of capex/year", "Trailer and tractor O&M", 0, 0.5),
        Column("truck_speed_km_per_h", "float", "km/h", "Average road speed", 10, 120),
        Column("load_unload_h_per_trip", "float", "h", "Filling and unloading time per trip", 0, 24),
        Column("operating_hours_per_day", "float", "h/day", "Hours a trailer set works per day", 1, 24),
        Column("operating_days_per_year", "float", "days/year", "Working days per year", 100, 366),
        Column("driver_cny_per_h", "float", "CNY/h", "Driver cost", 0, 500, vat=NO_VAT),
        Column("truck_diesel_l_per_100km", "float", "L/100 km", "Tractor fuel use", 0, 100),
        Column("filling_cny_per_kg", "float", "CNY/kg", "Compression into the trailer at the source", 0, 20, vat=EX_VAT),
        Column("liquid_fixed_cny_per_kg", "float", "CNY/kg", "Liquefaction and terminal cost", 0, 100, vat=EX_VAT),
        Column("liquid_cny_per_kg_per_100km", "float", "CNY/kg/100 km", "Liquid tanker haul", 0, 50, vat=EX_VAT),
    ),
)

PRICES = Sheet(
    "Prices",
    "Energy prices and grid CO2 by year (CNY of price_year).",
    (
        _year("year", "Year"),
        Column("electricity_cny_per_kwh", "float", "CNY/kWh", "Commercial electricity price", 0, 5, vat=INCL_VAT_ELEC),
        Column("diesel_cny_per_l", "float", "CNY/L", "Diesel retail price", 0, 30, vat=INCL_VAT_DIESEL),
        Column("h2_retail_cny_per_kg", "float", "CNY/kg",
               "Retail hydrogen price path (used for TCO when station economics is not run)", 0, 200, vat=INCL_VAT_H2),
        Column("grid_co2_kg_per_kwh", "float", "kg CO2/kWh", "Grid emission factor", 0, 2),
        _src(),
    ),
    key=("year",),
)

SEGMENT_COLUMNS = (
    Column("segment", "str", description="Vehicle segment", choices=SEGMENTS),
    Column("powertrain", "str", description="Powertrain", choices=POWERTRAINS),
    Column("purchase_price_cny", "float", "CNY", "Purchase price before subsidies, in price_year", 0, 1e7, vat=INCL_VAT_PAID),
    Column("price_change_per_year", "float", "1/year", "Real change of purchase price per year", -0.5, 0.5),
    Column("h2_kg_per_100km", "float", "kg/100 km", "Hydrogen use (FCEV)", 0, 50),
    Column("electricity_kwh_per_100km", "float", "kWh/100 km", "Electricity use (BEV)", 0, 500),
    Column("diesel_l_per_100km", "float", "L/100 km", "Diesel use", 0, 100),
    Column("annual_km", "float", "km/year", "Distance driven per year", 1000, 300000),
    Column("lifetime_years", "int", "years", "Service life", 1, 30),
    Column("maintenance_cny_per_km", "float", "CNY/km", "Maintenance and repair", 0, 20, vat=INCL_VAT_PAID),
    Column("insurance_cny_per_year", "float", "CNY/year", "Insurance", 0, 1e6, vat=NO_VAT_INS),
    Column("toll_cny_per_km", "float", "CNY/km", "Road tolls (net of exemptions)", 0, 20, vat=INCL_VAT_PAID),
    Column("replacement_cost_cny", "float", "CNY", "Fuel-cell stack or battery replacement", 0, 5e6, vat=INCL_VAT_PAID),
    Column("replacement_year", "int", "year of life", "When it is replaced (0: never)", 0, 30),
    Column("payload_t", "float", "t", "Payload (0 for buses and cars)", 0, 60),
    Column("residual_share", "float", "fraction", "Resale value at end of life / purchase price", 0, 1),
    Column("fc_power_kw", "float", "kW", "Rated fuel-cell system power (FCEV)", 0, 500),
    Column("weight_class", "str", description="Class for operating subsidies", choices=WEIGHT_CLASSES),
    _src(),
)

SEGMENTS_SHEET = Sheet(
    "Segments",
    "Vehicle segments by powertrain (FCEV, BEV, diesel), for total cost of ownership.",
    SEGMENT_COLUMNS,
    key=("segment", "powertrain"),
)

DEPOTS = Sheet(
    "Depots",
    "Depots where fuel-cell vehicles are based; a district's vehicles are shared among"
    " its depots by weight.",
    (
        Column("depot_id", "str", description="Unique depot id"),
        Column("name", "str", description="Depot name"),
        Column("district", "str", description="District", ref="Districts.district"),
        _lon(),
        _lat(),
        Column("weight", "float", "-", "Share of the district's vehicles (relative)", 0, 1000),
        _src(),
    ),
    key=("depot_id",),
)

REFUELLING = Sheet(
    "Refuelling",
    "Where each segment's fuel-cell vehicles refuel: 'depot' (at their home depot, Depots"
    " sheet) or 'en_route' (near where they operate: at the DemandPoints of their district)."
    " A segment not listed refuels at its depot.",
    (
        Column("segment", "str", description="Vehicle segment", choices=SEGMENTS),
        Column("refuels_at", "str", description="Refuelling pattern", choices=REFUELLING_PATTERNS),
        Column("note", "str", description="Why (operating pattern)", required=False),
        _src(),
    ),
    key=("segment",),
    optional=True,
)

REFUELLING_PROFILE = Sheet(
    "RefuellingProfile",
    "When in the day each segment's vehicles fill: share of the segment's daily fills in each"
    " hour (24 rows per segment, summing to 1). Read only with Network.peak_sizing = 1"
    " (h2model.peak).",
    (
        Column("segment", "str", description="Vehicle segment", choices=SEGMENTS),
        Column("hour", "int", "hour of day", "Hour starting at this clock hour (0 = 00:00-01:00)", 0, 23),
        _share("share_of_daily_fills", "Share of the segment's daily fills in this hour"),
        _src(),
    ),
    key=("segment", "hour"),
    optional=True,
)

FILL_SIZES = Sheet(
    "FillSizes",
    "Hydrogen per fill and time at the dispenser per fill, by segment: turn kg/day into fills"
    " and hose occupancy for the peak-hour queue (h2model.peak; Network.peak_sizing = 1).",
    (
        Column("segment", "str", description="Vehicle segment", choices=SEGMENTS),
        Column("kg_per_fill", "float", "kg/fill", "Hydrogen dispensed per fill (average)", 0.1, 200),
        Column("minutes_per_fill", "float", "min/fill",
               "Time a fill occupies a hose, incl. connection and payment (average)", 0.5, 120),
        Column("fill_pressure_mpa", "int", "MPa",
               "Nominal fill pressure; 70 MPa fills are pre-cooled (PeakSizing.precooling_kw_per_hose)."
               " Blank: 35", 35, 70, choices=(35, 70), required=False),
        _src(),
    ),
    key=("segment",),
    optional=True,
)

DEMAND_POINTS = Sheet(
    "DemandPoints",
    "Places where en-route segments draw hydrogen (ports, logistics parks, industrial zones,"
    " transport hubs, expressway interchanges); a district's en-route vehicles are shared"
    " among its points by weight (among its depots when it has no point).",
    (
        Column("point_id", "str", description="Unique demand-point id (distinct from depot ids)"),
        Column("name", "str", description="Place name"),
        Column("kind", "str", description="Kind of place", choices=DEMAND_POINT_KINDS),
        Column("district", "str", description="District", ref="Districts.district"),
        _lon(),
        _lat(),
        Column("weight", "float", "-", "Share of the district's en-route vehicles (relative)", 0, 1000),
        _src(),
    ),
    key=("point_id",),
    optional=True,
)

def _corridor_lon() -> Column:
    return Column("longitude", "float", "degrees E", "WGS84 longitude (approximate; Guangdong's extent)",
                  109.5, 117.5)


def _corridor_lat() -> Column:
    return Column("latitude", "float", "degrees N", "WGS84 latitude (approximate; Guangdong's extent)",
                  20.0, 25.6)


CORRIDOR_NODES = Sheet(
    "CorridorNodes",
    "Corridors: nodes of the expressway corridors (city centres, ports, logistics parks, interchanges,"
    " service areas) where truck trips start, end or pass, and where corridor stations may be built"
    " (h2model.network.corridor; read only with Network.corridors = 1).",
    (
        Column("node_id", "str", description="Unique node id (must differ from every Stations station_id)"),
        Column("name", "str", description="Node name"),
        Column("name_zh", "str", description="Node name in Chinese", required=False),
        Column("kind", "str", description="Kind of node", choices=CORRIDOR_NODE_KINDS),
        Column("district", "str", required=False, ref="Districts.district",
               description="District of the case the node lies in; blank: outside the case's area (a"
                           " corridor station there is analysed but does not count toward the case's"
                           " station target, and no district programme pays it)"),
        _corridor_lon(),
        _corridor_lat(),
        Column("candidate", "flag", "0/1", "1: a corridor station may be built here", 0, 1),
        Column("city_network", "flag", "0/1",
               "1: a Guangzhou node the city plan's stations serve: open to corridor trucks from the first"
               " year a station of the city plan operates within Network.max_detour_km (straight line);"
               " what trucks buy there is in the city fleet's demand, not added again", 0, 1),
        Column("station_type", "str", description="Type of a corridor station here (StationCosts)",
               choices=STATION_TYPES),
        Column("pressure_mpa", "int", "MPa", "Dispensing pressure of a corridor station here",
               choices=PRESSURES_MPA),
        _src(),
    ),
    key=("node_id",),
    optional=True,
)

CORRIDOR_LINKS = Sheet(
    "CorridorLinks",
    "Corridors: road links between corridor nodes (both directions), with road length.",
    (
        Column("from", "str", description="Node at one end", ref="CorridorNodes.node_id"),
        Column("to", "str", description="Node at the other end", ref="CorridorNodes.node_id"),
        Column("road_km", "float", "km", "Road length of the link", 0.1, 2000),
        Column("expressway", "str", description="Expressway (name and number)", required=False),
        _src(),
    ),
    key=("from", "to"),
    optional=True,
)

CORRIDOR_FLOWS = Sheet(
    "CorridorFlows",
    "Corridors: fuel-cell truck round trips per day between corridor nodes, by segment and year"
    " (linear between listed years, none before the first, flat after the last). Trucks take the"
    " shortest road path over CorridorLinks.",
    (
        Column("origin", "str", description="Origin node", ref="CorridorNodes.node_id"),
        Column("destination", "str", description="Destination node", ref="CorridorNodes.node_id"),
        Column("segment", "str", description="Vehicle segment (its range: VehicleRange; its kg/100 km:"
               " Segments fcev row)", choices=SEGMENTS),
        _year("year", "Year of the flow"),
        Column("trucks_per_day", "float", "round trips/day",
               "Round trips origin-destination-origin per day by fuel-cell trucks", 0, 100000),
        Column("corridor", "str", description="Corridor the flow belongs to (for reporting)", required=False),
        _src(),
    ),
    key=("origin", "destination", "segment", "year"),
    optional=True,
)

VEHICLE_RANGE = Sheet(
    "VehicleRange",
    "Corridors: usable range of a segment's fuel-cell vehicles between fills (nominal range less the"
    " reserve drivers keep).",
    (
        Column("segment", "str", description="Vehicle segment", choices=SEGMENTS),
        Column("range_km", "float", "km", "Usable range between fills", 50, 2000),
        _src(),
    ),
    key=("segment",),
    optional=True,
)

FLEET = Sheet(
    "Fleet",
    "Fuel-cell vehicles in service by year, district and segment (the rollout).",
    (
        _year("year", "Year (end of year stock)"),
        Column("district", "str", description="District", ref="Districts.district"),
        Column("segment", "str", description="Vehicle segment", choices=SEGMENTS),
        Column("fcev_in_service", "int", "vehicles", "Fuel-cell vehicles in service", 0, 10_000_000),
        _src(),
    ),
    key=("year", "district", "segment"),
)

#: Fleet modes (``Adoption.mode``): the Fleet sheet's rollout, or the purchase-choice model.
#: Network.solve_method choices (h2model.network.build.SOLVE_METHODS; a test checks they agree).
NETWORK_SOLVE_METHODS = ("auto", "monolithic", "windows", "benders")
FLEET_MODES = ("fixed", "responsive")

MARKETS = Sheet(
    "Markets",
    "New vehicles bought per year by segment and district (all powertrains), for the purchase-choice"
    " model of Adoption.mode = responsive: linear between the years given, zero before the first,"
    " the last value after the last.",
    (
        Column("segment", "str", description="Vehicle segment", choices=SEGMENTS),
        Column("district", "str", description="District", ref="Districts.district"),
        _year("year", "Year of purchase"),
        Column("new_vehicles_per_year", "float", "vehicles/year",
               "New vehicles of the segment bought in the district in the year, all powertrains", 0, 1e7),
        _share("mandated_fcev_share",
               "Share of those purchases that are FCEVs by mandate or public procurement (city buses,"
               " sanitation fleets), taken before the cost-driven choice splits the rest"),
        _src(),
    ),
    key=("segment", "district", "year"),
    optional=True,
)

ADOPTION = Sheet(
    "Adoption",
    "Fleet mode and the purchase-choice (multinomial logit) model: each Markets purchase not mandated"
    " goes to FCEV, BEV or diesel with share n_i exp(-beta c_i / c_diesel) / sum_j n_j exp(-beta c_j /"
    " c_diesel), c the levelised TCO per km of the purchase year, n the neutral shares.",
    PARAMS_COLUMNS,
    key=("key",),
    kind="params",
    optional=True,
    params=(
        Column("mode", "str", "-", "fixed: FCEVs in service are the Fleet sheet's rollout; responsive:"
               " FCEV purchases from first_model_year come from the purchase-choice model on Markets",
               choices=FLEET_MODES),
        Column("cost_sensitivity", "float", "-",
               "beta: utility lost per unit of TCO per km relative to the diesel TCO per km of the segment"
               " and year (a 10 % cost gap changes the odds by exp(0.1 beta))", 0, 100),
        _share("neutral_share_fcev", "Share of FCEV purchases when all three TCOs are equal"),
        _share("neutral_share_bev", "Share of BEV purchases when all three TCOs are equal"),
        _share("neutral_share_diesel", "Share of diesel purchases when all three TCOs are equal"),
        _year("first_model_year", "First purchase year the model decides; earlier purchases are the"
              " Fleet sheet's rollout (history)"),
        Column("tolerance", "float", "fraction",
               "Fixed point of price and fleet: stop when no year's FCEVs in service change by more than"
               " this share between iterations", 1e-6, 0.5),
        Column("max_iterations", "int", "-", "Most fixed-point iterations (fleet -> price -> fleet)", 1, 100),
    ),
)

VEHICLES = Sheet(
    "Vehicles",
    "Optional vehicle register: one row per fuel-cell vehicle (replaces the Fleet rollout).",
    (
        Column("vehicle_id", "str", description="Unique vehicle id"),
        Column("segment", "str", description="Vehicle segment", choices=SEGMENTS),
        Column("depot_id", "str", description="Home depot", ref="Depots.depot_id"),
        _year("purchase_year", "Year put in service"),
        Column("annual_km", "float", "km/year", "Distance driven per year", 1000, 300000),
        _src(),
    ),
    key=("vehicle_id",),
    optional=True,
)

POLICY = Sheet(
    "Policy",
    "Subsidy and reward programmes: national city-cluster rewards, provincial, municipal and"
    " district purchase, operation, station and hydrogen subsidies. Public money is counted once,"
    " at its final recipient: vehicle_reward_per_vehicle (national city-cluster rewards) funds the"
    " local purchase subsidies, so it enters neither the buyer's TCO nor the budget (the local"
    " subsidies do); h2_supply_reward_per_kg (national hydrogen-supply reward) is passed on to the"
    " station selling the kg: it lowers the station's break-even price (and the network price the"
    " TCO uses) and the budget counts it once. Station grants of one combined_cap_group are capped"
    " together per station (PolicyCaps), filled national, provincial, municipal, then district: the"
    " lowest level's grant is cut first.",
    (
        Column("programme_id", "str", description="Unique programme id"),
        Column("name", "str", description="Programme name"),
        Column("level", "str", description="Level of government paying", choices=POLICY_LEVELS),
        Column("kind", "str", description="What is paid for", choices=POLICY_KINDS),
        Column("segment", "str", description="Segment it applies to ('all' for every one)",
               choices=("all",) + SEGMENTS),
        Column("station_type", "str", description="Station type it applies to ('all')",
               choices=("all",) + STATION_TYPES),
        Column("district", "str", description="District it applies to ('all': the whole city)",
               choices=("all",) + DISTRICTS),
        Column("amount_cny", "float", "CNY per unit of kind",
               "CNY per kW, vehicle, km, station or kg, as the kind says", 0, 1e8),
        Column("cap_cny_per_year", "float", "CNY/item/year", "Cap per vehicle or station and year",
               0, 1e9, required=False),
        Column("cap_share_of_capex", "float", "fraction", "Cap as a share of the investment",
               0, 1, required=False),
        _year("start_year", "First year paid"),
        _year("end_year", "Last year paid"),
        Column("max_price_cny_per_kg", "float", "CNY/kg",
               "Paid only where the retail price is below this (or at most this, as"
               " price_comparator says)", 0, 200, required=False),
        Column("price_comparator", "str",
               description="How the retail price must compare with max_price_cny_per_kg: '<' for"
               " 'below X' (the price must be less than X), '<=' for 'not exceeding X'; required"
               " with a max price", choices=("<", "<="), required=False),
        Column("min_capacity_kg_per_day", "float", "kg/day",
               "Paid only for stations at least this large", 0, 20000, required=False),
        Column("combined_cap_group", "str",
               description="station_capex only: the grants of all programmes of this group to one"
               " station are capped together (PolicyCaps <group>_cap_cny and"
               " <group>_cap_share_of_investment), the lowest level cut first; blank: no all-level cap",
               choices=CAP_GROUPS, required=False),
        _src(),
    ),
    key=("programme_id",),
)

POLICY_CAPS = Sheet(
    "PolicyCaps",
    "All-level caps per station on the programmes of a Policy combined_cap_group: the grants of"
    " every level of government together are limited to the lower of the two caps.",
    PARAMS_COLUMNS,
    key=("key",),
    kind="params",
    optional=True,
    params=(
        Column("station_grant_cap_cny", "float", "CNY/station",
               "Most a station may receive in construction grants from all levels together", 0, 1e9),
        Column("station_grant_cap_share_of_investment", "float", "fraction",
               "Most a station may receive in construction grants from all levels together, as a"
               " share of its fixed-asset investment (capex incl. land purchase)", 0, 1),
    ),
)

DESIGN = Sheet(
    "Design",
    "Subsidy designer (h2model design): the programme amounts it may choose, each within bounds, for the"
    " least expected discounted public outlay that meets the price target with a chosen probability."
    " A programme_id on the Policy sheet varies that programme's amount_cny (its conditions and caps stay);"
    " a new programme_id adds a programme of the kind, level and years given, without a price condition"
    " or yearly cap. Station kinds move the hydrogen price; vehicle kinds (per kW, per km) the FCEV count"
    " in the responsive fleet mode.",
    (
        Column("programme_id", "str", description="Policy programme to vary, or a new programme's id",
               pattern=NAME_PATTERN),
        Column("kind", "str", description="New programme: what is paid for (blank: the Policy row's)",
               choices=("h2_sales_per_kg", "h2_supply_reward_per_kg", "station_capex", "vehicle_purchase_per_kw",
                        "vehicle_operation_per_km"), required=False),
        Column("level", "str", description="New programme: level of government paying", choices=POLICY_LEVELS,
               required=False),
        Column("station_type", "str", description="New programme: station type paid ('all')",
               choices=("all",) + STATION_TYPES, required=False),
        Column("segment", "str", description="New vehicle programme: segment paid ('all', the default)",
               required=False),
        _year("start_year", "New programme: first year paid (grants: first commissioning year)", required=False),
        _year("end_year", "New programme: last year paid (grants: last commissioning year)", required=False),
        Column("min_amount_cny", "float", "CNY/kg or CNY/station", "Smallest amount the designer may choose",
               0, 1e8),
        Column("max_amount_cny", "float", "CNY/kg or CNY/station", "Largest amount the designer may choose",
               0, 1e8),
        Column("may_change", "flag", "0/1",
               "1: the designer chooses the amount; 0: fixed (the Policy amount, or min_amount_cny)", 0, 1),
        Column("combined_cap_group", "str",
               description="New station_capex programme: all-level cap group it joins (blank: none)",
               choices=CAP_GROUPS, required=False),
        _src(),
    ),
    key=("programme_id",),
    optional=True,
)

TARGETS = Sheet(
    "Targets",
    "The plan's targets, checked in one place (the targets results table).",
    (
        Column("target_id", "str", description="Target", choices=TARGET_IDS),
        Column("description", "str", description="Target in words"),
        _year("year", "Year by which it applies"),
        Column("comparator", "str", description="How achieved compares with required", choices=COMPARATORS),
        Column("value", "float", description="Required value (unit in the unit column)"),
        Column("unit", "str", description="Unit", required=False),
        _src(),
    ),
    key=("target_id", "year"),
)

NETWORK = Sheet(
    "Network",
    "Network-plan options: what the optimiser must respect and what it may do.",
    PARAMS_COLUMNS,
    key=("key",),
    kind="params",
    params=(
        Column("max_detour_km", "float", "km",
               "Farthest a demand node (depot or en-route demand point) may refuel from", 1, 200),
        Column("detour_cost_cny_per_km", "float", "CNY/vehicle-km", "Cost of a vehicle's detour", 0, 100),
        Column("unmet_penalty_cny_per_kg", "float", "CNY/kg", "Penalty for demand left unmet", 0, 1e5),
        Column("enforce_station_target", "flag", "0/1", "Plan at least the target number of stations", 0, 1),
        Column("enforce_coverage", "flag", "0/1", "Every district with demand has a station within coverage_km", 0, 1),
        Column("coverage_km", "float", "km", "Coverage distance", 1, 200),
        Column("enforce_price_target", "flag", "0/1", "Each new station's break-even price at most the target", 0, 1),
        Column("build_limit_per_year", "int", "stations/year", "Most stations built per year (0: no limit)", 0, 1000),
        Column("plan_chooses_supply", "flag", "0/1",
               "1: the plan may supply a station from any source and station economics buys from the"
               " plan's main source; 0: each station only from its Stations supply_id", 0, 1),
        Column("plan_places_planned_stations", "flag", "0/1",
               "1: the plan treats planned Stations rows as optional sites (it may open each from its"
               " commissioning_year, up to its capacity, and leaves those demand and targets do not need);"
               " 0: planned stations are fixed, open at their capacity from their commissioning year"
               " (always so without a network plan)", 0, 1),
        Column("max_capacity_factor", "float", "fraction",
               "Most a station sells in a year, as a share of its daily capacity (24 h basis) x 365:"
               " demand peaks within the day, so stations are planned below nameplate", 0.05, 1),
        Column("peak_sizing", "flag", "0/1",
               "1: station-years are sized for the peak hour (PeakSizing, RefuellingProfile, FillSizes):"
               " sales capped at what the base design's hoses serve at the service level, extra compressor"
               " and storage capex where the peak needs more than the base design; 0: daily-average"
               " sizing only", 0, 1),
        Column("corridors", "flag", "0/1",
               "1: after the city plan, the corridor plan (h2model.network.corridor) sites stations for truck"
               " trips on the corridors (CorridorNodes, CorridorLinks, CorridorFlows, VehicleRange); their"
               " kg enter station economics and the network price; 0: no corridor plan", 0, 1),
        Column("corridor_station_kg_per_day", "float", "kg/day",
               "Capacity at which the corridor plan costs a corridor station when siting it", 50, 20000),
        Column("mip_gap", "float", "fraction", "Relative optimality gap at which to stop", 0, 0.5),
        Column("time_limit_s", "float", "s", "Solver time limit", 1, 86400),
        Column("solve_method", "str", "-",
               "How the plan is solved (h2model.network): monolithic: one MILP (HiGHS), proven within"
               " mip_gap; windows: the LP-guided window heuristic for large cases (best plan found against"
               " the LP bound); benders: Benders decomposition; auto: monolithic up to 3,000 module"
               " columns (sites x modules x periods), windows above", choices=NETWORK_SOLVE_METHODS),
    ),
)

PEAK_SIZING = Sheet(
    "PeakSizing",
    "Peak-hour sizing of station components (h2model.peak), read only with Network.peak_sizing = 1:"
    " the dispenser queue's service level, the design day, the base design of a station, pre-cooling"
    " for 70 MPa fills and the lives of replaced components.",
    PARAMS_COLUMNS,
    key=("key",),
    kind="params",
    optional=True,
    params=(
        _share("service_level_share",
               "Share of the peak hour's fills that must wait at most service_level_wait_minutes for a hose"),
        Column("service_level_wait_minutes", "float", "min", "Longest wait for a hose the service level allows",
               0, 120),
        Column("peak_day_factor", "float", "ratio",
               "Fills on the design (peak) day over the yearly average day", 1, 3),
        Column("base_hoses_per_1000_kg_per_day", "float", "hoses per 1000 kg/day",
               "Dispenser hoses of a station's base design per 1000 kg/day of capacity (24 h basis);"
               " rounded up, at least 1", 0.1, 50),
        Column("base_storage_kg_per_kg_per_day", "float", "kg per kg/day",
               "Cascade storage (kg of hydrogen held) of a station's base design per kg/day of capacity", 0, 5),
        Column("cascade_usable_share", "float", "fraction",
               "Share of the cascade's hydrogen that can be dispensed (pressure above what a fill needs)",
               0.01, 1),
        Column("precooling_kw_per_hose", "float", "kW per hose",
               "Refrigeration of the pre-cooler per hose that dispenses 70 MPa fills (HDSAM: one unit per"
               " hose); sized for the hoses the 70 MPa fills need in their peak hour", 0, 100),
        Column("precooling_capex_cny_per_kw", "float", "CNY/kW",
               "Installed pre-cooling capex per kW at a station whose base design has no pre-cooler"
               " (35 MPa; a 70 MPa station's own StationCosts pre-cooling share sets its unit cost)", 0, 1e6),
        Column("storage_life_years", "int", "years", "Cascade storage life before replacement", 1, 60),
        Column("dispenser_life_years", "int", "years", "Dispenser life before replacement", 1, 60),
        Column("precooling_life_years", "int", "years", "Pre-cooling refrigeration life before replacement",
               1, 60),
    ),
)

MODULES = Sheet(
    "Modules",
    "Capacity modules the optimiser may build or add at a site.",
    (
        Column("module_id", "str", description="Unique module id"),
        Column("capacity_kg_per_day", "float", "kg/day", "Dispensing capacity added", 50, 20000),
        _src(),
    ),
    key=("module_id",),
)

SCENARIOS = Sheet(
    "Scenarios",
    "Named policy scenarios, each a list of overrides of any input. A row with blank sheet"
    " only declares a scenario. key names the row: a params key, a table's id (several key"
    " columns joined with '|'), '*' for every row, or a filter 'column=value'.",
    (
        Column("scenario", "str", description="Scenario name (also its output folder's name)",
               pattern=NAME_PATTERN),
        Column("description", "str", description="One line shown in the scenario's report"),
        Column("sheet", "str", description="Sheet to override", required=False),
        Column("key", "str", description="Row to override (see sheet description)", required=False),
        Column("column", "str", description="Column to override ('value' for params sheets)", required=False),
        Column("value", "str", description="New value, or factor / addend", required=False),
        Column("operation", "str", description="set (default), scale or add",
               choices=OVERRIDE_OPERATIONS, required=False),
    ),
    key=(),
)

#: How an observed pump price was charged.
PRICE_BASES = ("market", "subsidised")

OBSERVED_PRICES = Sheet(
    "ObservedPrices",
    "Retail hydrogen prices observed at the pump (nominal CNY/kg incl. VAT of the year observed), for"
    " comparison with the model's network price; no engine reads them.",
    (
        _year("year", "Year the price was observed"),
        Column("place", "str", description="Station, city or region where the price was observed"),
        Column("name_zh", "str", description="Chinese name of the place", required=False),
        Column("price_cny_per_kg", "float", "CNY/kg", "Retail price at the pump, nominal CNY of the year",
               0.0, 500.0, vat=INCL_VAT_H2),
        Column("price_basis", "str", description="market: the price charged without a sales subsidy;"
               " subsidised: after a per-kg sales subsidy", choices=PRICE_BASES),
        Column("description", "str", description="What the price is and how it was read", required=False),
        Column("description_zh", "str", description="The description in Chinese", required=False),
        _src(),
    ),
    key=("year", "place"),
    optional=True,
)

#: Quantiles that bound the plausible draws of an Uncertainty row (0.1 % and 99.9 %).
PLAUSIBLE_QUANTILES = (0.001, 0.999)
#: Range a factor drawn for a relative Uncertainty row must stay in, between those quantiles:
#: a factor above 10 (or below 0) is a typing error, not an uncertainty.
FACTOR_RANGE = (0.0, 10.0)

UNCERTAINTY = Sheet(
    "Uncertainty",
    "Distributions of uncertain inputs for Monte Carlo and sensitivity runs. Draws must be"
    f" plausible: between the {PLAUSIBLE_QUANTILES[0]:.1%} and {PLAUSIBLE_QUANTILES[1]:.1%}"
    f" quantiles a factor (relative = 1) stays within {FACTOR_RANGE[0]:g} to {FACTOR_RANGE[1]:g},"
    " a value (relative = 0) within its column's allowed range.",
    (
        Column("input_id", "str", description="Unique name of the uncertain input"),
        Column("sheet", "str", description="Sheet of the input"),
        Column("key", "str", description="Row (as in Scenarios; '*' for every row)"),
        Column("column", "str", description="Column ('value' for params sheets)"),
        Column("distribution", "str", description="Distribution", choices=DISTRIBUTIONS),
        Column("low", "float", description="Low (uniform, triangular), or mean (normal) or log-mean"),
        Column("mode", "float", description="Mode (triangular)", required=False),
        Column("high", "float", description="High (uniform, triangular) or standard deviation"),
        Column("relative", "flag", "0/1", "1: values are factors on the base value", 0, 1),
        _src(),
    ),
    key=("input_id",),
    optional=True,
)

_ALL = (
    SOURCES, FINANCE, DISTRICTS_SHEET, STATIONS, STATION_COSTS, SUPPLY, DELIVERY, PRICES,
    SEGMENTS_SHEET, DEPOTS, REFUELLING, REFUELLING_PROFILE, FILL_SIZES, DEMAND_POINTS, FLEET, MARKETS,
    ADOPTION, VEHICLES, POLICY,
    POLICY_CAPS, DESIGN, TARGETS, NETWORK, PEAK_SIZING, MODULES, CORRIDOR_NODES, CORRIDOR_LINKS,
    CORRIDOR_FLOWS, VEHICLE_RANGE, SCENARIOS, UNCERTAINTY, OBSERVED_PRICES,
)
#: Sheet name -> schema, in workbook order.
SHEETS: dict[str, Sheet] = {s.name: s for s in _ALL}
#: Workbook order (the README sheet comes first and is generated).
SHEET_ORDER: tuple[str, ...] = tuple(SHEETS)


#: Schema column kinds that are numbers.
NUMERIC_KINDS = ("float", "int", "flag")


def _numeric_kinds() -> dict[tuple[str, str], str]:
    out = {}
    for name, sheet in SHEETS.items():
        for c in sheet.params if sheet.kind == "params" else sheet.columns:
            if c.kind in NUMERIC_KINDS:
                out[(name, c.name)] = c.kind
    return out


#: Kind of every numeric input: ``(sheet, column or key)`` -> ``float``, ``int`` or ``flag``.
#: The ``float`` ones can be drawn (:mod:`h2model.params`); counts, years and switches shape
#: arrays or rules and cannot vary along a draws axis.
KINDS = _numeric_kinds()
