"""The incident list as a spreadsheet: what the list shows, with names instead of codes and the
headers in the reader's language, as CSV (UTF-8 with a byte-order mark, so that Excel reads the
Chinese) or as an Excel workbook."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping

from openpyxl import Workbook

from console.domain.deadlines import local_time

COLUMNS = (
    "incident.ticket",
    "incident.reported_at",
    "incident.community",
    "incident.micro_grid",
    "incident.category",
    "incident.urgency",
    "incident.description",
    "incident.status",
    "incident.departments",
    "incident.overdue",
)


def rows(
    incidents: list[dict], names: Mapping[str, Mapping[str, str]], t: Callable[[str], str]
) -> list[list[str]]:
    """The header row and one row per incident. `names`: "communities", "grids" and
    "departments", each code → name (a code without a name shows as itself)."""

    def named(kind: str, code: str) -> str:
        return names.get(kind, {}).get(code, code)

    table = [[t(c) for c in COLUMNS]]
    for i in incidents:
        departments = "、".join(
            named("departments", a["department_code"]) for a in i.get("assignments", [])
        )
        table.append(
            [
                i.get("ticket_no", ""),
                local_time(i["reported_at"]),
                named("communities", i["community_code"]),
                named("grids", i["micro_grid_code"]),
                t("category." + i["category"]),
                t("urgency." + i["urgency"]),
                i["description"],
                t("status." + i["status"]),
                departments,
                t("export.yes") if i.get("overdue") else "",
            ]
        )
    return table


def as_csv(table: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(table: list[list[str]], sheet: str) -> bytes:
    book = Workbook()
    page = book.active
    page.title = sheet[:31]  # Excel's limit on a sheet's name
    for row in table:
        page.append(row)
    page.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJ", (20, 18, 14, 14, 12, 8, 50, 10, 24, 8), strict=True):
        page.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
