"""The counters behind ticket numbers: one row per community and day (China's), its last number
given. A report's number is taken in its commit's one statement (`lianxin.persistence.writes`),
which bumps the row and writes the incident with its number at once: two reports at once get two
numbers, a report that fails gives its number back with its statement, and the row is locked only
for that statement (taken in a statement of its own, it stayed locked until the report's commit,
and every other report of the community that day waited for it)."""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, Table, Text

from incidents.adapters.orm import incidents, metadata
from incidents.domain import tickets
from incidents.domain.incident import Incident
from lianxin.persistence.writes import Counter, Writes

ticket_counters = Table(
    "ticket_counters",
    metadata,
    Column("community_code", Text, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last", Integer, nullable=False),
)

_COUNTER = Counter(
    ticket_counters,
    key=("community_code", "day"),
    value="last",
    into=incidents,
    column="ticket_no",
    digits=tickets.DIGITS,
)


class TicketCounters:
    def __init__(self, writes: Writes) -> None:
        self._writes = writes

    def number_at_commit(self, incident: Incident) -> None:
        """Give the new incident the community's next number of its day when the unit of work
        commits (the day's first report gets 1); `taken` tells it after the commit."""
        incident.ticket_no = tickets.stem(incident.community_code, incident.reported_at)
        day = tickets.day_of(incident.reported_at).date()
        self._writes.number(_COUNTER, {"community_code": incident.community_code, "day": day})

    def taken(self, incident: Incident) -> str:
        """The incident's number, once the commit took it."""
        assert self._writes.taken is not None, "no number taken: not committed"
        return tickets.number(incident.community_code, incident.reported_at, self._writes.taken)
