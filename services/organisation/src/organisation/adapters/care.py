"""Loading and saving the care register: entries, visits and the access log."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from organisation.adapters.orm import care_access_log, care_entries, care_visits
from organisation.domain.care import CareEntry, Carer, Consent, Visit, VisitPlan


class CareRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: CareEntry) -> None:
        row = asdict(entry)
        row["consent"] = {**row["consent"], "at": entry.consent.at.isoformat()}
        await self.session.execute(insert(care_entries).values(row))

    async def get(self, code: str) -> CareEntry | None:
        row = (
            await self.session.execute(select(care_entries).where(care_entries.c.code == code))
        ).first()
        return _entry(row) if row else None

    async def entries(
        self,
        *,
        community_code: str | None = None,
        grid_code: str | None = None,
        codes: list[str] | None = None,
    ) -> list[CareEntry]:
        query = select(care_entries).order_by(care_entries.c.code)
        if community_code is not None:
            query = query.where(care_entries.c.community_code == community_code)
        if grid_code is not None:
            query = query.where(care_entries.c.grid_code == grid_code)
        if codes is not None:
            query = query.where(care_entries.c.code.in_(codes))
        return [_entry(r) for r in await self.session.execute(query)]

    async def last_visits(self, codes: list[str]) -> dict[str, dict[str, datetime]]:
        """Per entry, the time of its latest visit of each kind."""
        query = (
            select(care_visits.c.entry_code, care_visits.c.kind, func.max(care_visits.c.at))
            .where(care_visits.c.entry_code.in_(codes))
            .group_by(care_visits.c.entry_code, care_visits.c.kind)
        )
        last: dict[str, dict[str, datetime]] = {}
        for code, kind, at in await self.session.execute(query):
            last.setdefault(code, {})[kind] = at
        return last

    async def visits(self, entry_code: str) -> list[Visit]:
        query = (
            select(care_visits)
            .where(care_visits.c.entry_code == entry_code)
            .order_by(care_visits.c.at.desc())
        )
        return [Visit(**r._mapping) for r in await self.session.execute(query)]

    async def follow_ups(self, codes: list[str]) -> list[Visit]:
        """Visits that asked for a need and have none linked yet."""
        query = (
            select(care_visits)
            .where(care_visits.c.entry_code.in_(codes), care_visits.c.needs_follow_up)
            .where(care_visits.c.need_id.is_(None))
            .order_by(care_visits.c.at)
        )
        return [Visit(**r._mapping) for r in await self.session.execute(query)]

    async def visit(self, visit_id: str, *, for_update: bool = False) -> Visit | None:
        query = select(care_visits).where(care_visits.c.id == visit_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        return Visit(**row._mapping) if row else None

    async def add_visit(self, visit: Visit) -> None:
        await self.session.execute(insert(care_visits).values(asdict(visit)))

    async def save_visit(self, visit: Visit) -> None:
        await self.session.execute(
            update(care_visits).where(care_visits.c.id == visit.id).values(need_id=visit.need_id)
        )

    async def log(
        self, codes: list[str], reader: str, role: str, action: str, purpose: str, at: datetime
    ) -> None:
        if codes:
            rows = [
                {
                    "entry_code": c,
                    "reader": reader,
                    "role": role,
                    "action": action,
                    "purpose": purpose,
                    "at": at,
                }
                for c in codes
            ]
            await self.session.execute(insert(care_access_log), rows)

    async def access_log(self, entry_code: str) -> list[dict]:
        query = (
            select(care_access_log)
            .where(care_access_log.c.entry_code == entry_code)
            .order_by(care_access_log.c.id)
        )
        return [dict(r._mapping) for r in await self.session.execute(query)]


def _entry(row) -> CareEntry:
    data = dict(row._mapping)
    consent = data["consent"]
    return CareEntry(
        **{
            **data,
            "carers": [Carer(**c) for c in data["carers"]],
            "consent": Consent(
                consent["given_by"],
                datetime.fromisoformat(consent["at"]),
                tuple(consent["purposes"]),
            ),
            "plans": [VisitPlan(**p) for p in data["plans"]],
        }
    )
