"""Where in the micro-grid an incident is: the building and unit (楼栋/单元), and a map pin.

Communities differ (see the glossary's four levels): Changshan's grid tree has buildings and
units as nodes, Taipingjie's micro-grids only name their buildings as address keys ("朝华新城
1栋"). So an incident keeps the building and unit as the names people read, and they are checked
against what the tree knows of the micro-grid: its building nodes and address keys, and a
building node's units. Where the tree knows none, any short name is taken. The pin (latitude,
longitude, WGS-84) comes only from consoles whose deployment has a map; both or neither.
"""

from __future__ import annotations

from collections.abc import Mapping

from lianxin.errors import RuleBroken

MAX_NAME = 64


def check_location(
    building: str,
    unit: str,
    latitude: float | None,
    longitude: float | None,
    buildings: Mapping[str, list[str]],
) -> tuple[str, str]:
    """The building and unit, trimmed, if the micro-grid has them. `buildings`: the micro-grid's
    building names, each with its unit names (empty when the tree has no unit nodes there)."""
    building, unit = building.strip(), unit.strip()
    for field, name in (("building", building), ("unit", unit)):
        if len(name) > MAX_NAME:
            raise RuleBroken(
                field,
                f"at most {MAX_NAME} characters",
                type_="string_too_long",
                ctx={"max_length": MAX_NAME},
            )
    if unit and not building:
        raise RuleBroken("building", "a unit is in a building: name the building", type_="missing")
    if building and buildings and building not in buildings:
        raise RuleBroken(
            "building", f"{building} is not a building of this micro-grid", type_="unknown_building"
        )
    units = buildings.get(building) or []
    if unit and units and unit not in units:
        raise RuleBroken("unit", f"{unit} is not a unit of {building}", type_="unknown_unit")
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise RuleBroken(missing, "a map pin has both a latitude and a longitude", type_="missing")
    if latitude is not None and not -90 <= latitude <= 90:
        raise RuleBroken("latitude", "between -90 and 90", type_="less_than_equal", ctx={"le": 90})
    if longitude is not None and not -180 <= longitude <= 180:
        raise RuleBroken(
            "longitude", "between -180 and 180", type_="less_than_equal", ctx={"le": 180}
        )
    return building, unit
