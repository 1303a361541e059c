"""Functional departments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lianxin.errors import RuleBroken
from organisation.domain.departments import Department
from organisation.service_layer.handlers import absent, found, publish, retire, rules, save, utcnow
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW


async def _check_areas(uow: UoW, areas: list[dict[str, Any]] | None) -> None:
    """Every area a department serves is a district, street or community we know."""
    stores = {
        "district": uow.org.districts,
        "street": uow.org.streets,
        "community": uow.org.communities,
    }
    for level, store in stores.items():
        codes = [a["code"] for a in areas or [] if a["level"] == level]
        missing = sorted(set(codes) - await store.exists(codes)) if codes else []
        if missing:
            raise RuleBroken("areas", f"no {level} {', '.join(missing)}")


async def register_department(
    uow: UoW,
    code: str,
    name: str,
    categories: list[str],
    name_en: str = "",
    areas: list[dict[str, Any]] | None = None,
    channels: list[dict[str, Any]] | None = None,
    sla: dict[str, Any] | None = None,
) -> Department:
    async with uow:
        await absent(uow.org.departments, code, "department")
        await _check_areas(uow, areas)
        with rules():
            department = Department.register(code, name, categories, name_en, areas, channels, sla)
        await uow.org.departments.add(department)
        await publish(uow, department)
        await uow.commit()
    return department


async def update_department(uow: UoW, code: str, changes: dict[str, Any]) -> Department:
    async with uow:
        department = await found(uow.org.departments, code, "department")
        await _check_areas(uow, changes.get("areas"))
        with rules():
            department.ensure_active()
            department.update(changes)
        await save(uow, uow.org.departments, department)
    return department


async def retire_department(uow: UoW, code: str, now: datetime | None = None) -> Department:
    """A retired department is no longer whistled to; its past assignments keep its code."""
    async with uow:
        return await retire(uow, uow.org.departments, code, "department", now or utcnow())
