"""The lists as spreadsheets: for each list the columns it shows, in the reader's language, with
names instead of codes (`console.domain.exports` writes the table as CSV or Excel)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from console.domain.deadlines import local_time
from console.domain.names import Names

Cell = Callable[[dict, "Words"], str]


@dataclass(frozen=True)
class Words:
    """What a cell is worded with: messages, names of places, member units' names."""

    t: Callable[[str], str]
    names: Names
    units: Mapping[str, str]

    def community(self, code: str | None) -> str:
        return self.names.communities.get(code or "", code or "")

    def grid(self, code: str | None) -> str:
        return self.names.grid_nodes.get(code or "", code or "")

    def unit(self, code: str | None) -> str:
        return self.units.get(code or "", code or "")


def _day(moment: str | None) -> str:
    return local_time(moment)[:10] if moment else ""


def _percent(value: int | None) -> str:
    return "" if value is None else f"{value}%"


COLUMNS: dict[str, tuple[tuple[str, Cell], ...]] = {
    "needs": (
        ("ls.recorded", lambda n, w: _day(n["recorded_at"])),
        ("incident.community", lambda n, w: w.community(n["community_code"])),
        ("ls.grid", lambda n, w: w.grid(n["grid_node_code"])),
        ("incident.category", lambda n, w: w.t("category." + n["category"])),
        ("ls.need", lambda n, w: n["title"]),
        ("incident.description", lambda n, w: n.get("description") or ""),
        ("ls.affected", lambda n, w: f"{n['affected']} ({n['affected_count']})"),
        ("incident.urgency", lambda n, w: w.t("ls.urgency." + n["urgency"])),
        ("incident.status", lambda n, w: w.t("ls.need." + n["status"])),
    ),
    "resources": (
        ("incident.community", lambda o, w: w.community(o["community_code"])),
        ("ls.unit", lambda o, w: w.unit(o["member_unit_code"])),
        ("ls.kind", lambda o, w: w.t("ls.offer." + o["kind"])),
        ("ls.offer", lambda o, w: o["title"]),
        ("ls.left", lambda o, w: f"{o['quantity_left']} / {o['quantity']} {o['unit']}"),
        (
            "ls.available",
            lambda o, w: f"{_day(o['available_from'])} – {_day(o.get('available_until'))}",
        ),
        ("ls.refreshed", lambda o, w: _day(o["refreshed_at"])),
    ),
    "projects": (
        ("incident.community", lambda p, w: w.community(p["community_code"])),
        ("ls.project", lambda p, w: p["title"]),
        (
            "ls.claimed_by",
            lambda p, w: "、".join(w.unit(c["member_unit_code"]) for c in p["claims"]),
        ),
        ("ls.due", lambda p, w: _day(p["due_at"])),
        ("ls.percent", lambda p, w: _percent(p["percent_done"])),
        ("incident.status", lambda p, w: w.t("ls.project." + p["state"])),
    ),
    "responsibilities": (
        ("ls.holder", lambda r, w: w.unit(r["holder_code"])),
        ("ls.task", lambda r, w: r["task"]),
        ("ls.project", lambda r, w: r["project_title"]),
        ("ls.due", lambda r, w: _day(r["due_at"])),
        ("incident.status", lambda r, w: w.t("ls.resp." + r["state"])),
    ),
    "feedback": (
        ("ls.decision", lambda i, w: w.t("ls.decision." + i["decision"])),
        ("ls.subject", lambda i, w: i["title"]),
        ("ls.percent", lambda i, w: _percent(i["percent_done"])),
        ("incident.status", lambda i, w: w.t("ls.feedback." + i["state"])),
    ),
    "wishes": (  # the wish board's: never the resident
        ("ls.published", lambda x, w: _day(x.get("published_at"))),
        ("incident.community", lambda x, w: w.community(x["community_code"])),
        ("ls.grid", lambda x, w: w.grid(x["grid_node_code"])),
        ("ls.wish", lambda x, w: x["title"]),
        ("incident.description", lambda x, w: x.get("description") or ""),
        ("incident.status", lambda x, w: w.t("ls.wish." + x["status"])),
        ("ls.claimed_by", lambda x, w: _claimant(x, w)),
    ),
    "meetings": (
        ("ls.scheduled", lambda m, w: _day(m["scheduled_at"])),
        ("ls.quarter", lambda m, w: f"{m['quarter']['year']}-Q{m['quarter']['number']}"),
        ("incident.community", lambda m, w: w.community(m["community_code"])),
        ("ls.chair", lambda m, w: w.unit(m["chair_unit_code"])),
        ("ls.decisions", lambda m, w: str(len(m["decisions"]))),
        ("incident.status", lambda m, w: w.t("ls.meeting." + m["status"])),
    ),
    "activities": (
        ("ls.activity", lambda a, w: a["title"]),
        ("ls.kind", lambda a, w: w.t("kind." + a["kind"])),
        ("ls.grid", lambda a, w: w.grid(a["node_code"])),
        ("incident.community", lambda a, w: w.community(a["community_code"])),
    ),
}


def _claimant(wish: dict, words: Words) -> str:
    if wish.get("claimant_kind") == "member_unit":
        return words.unit(wish.get("claimant_id"))
    held = wish.get("claimant_id")
    return f"{words.t('ls.party_member')} {held}" if held else ""


def table(kind: str, rows: list[dict], words: Words) -> list[list[str]]:
    """The header row and one row per row of the list `kind`."""
    columns = COLUMNS[kind]
    return [
        [words.t(h) for h, _ in columns],
        *([cell(r, words) for _, cell in columns] for r in rows),
    ]
