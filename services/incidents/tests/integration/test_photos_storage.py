"""Photos and locations on real PostgreSQL: the migration builds what the code declares, the
bytes come back as stored, the building is checked against the read model's tree, and a photo is
seen only by those who see its incident."""

from __future__ import annotations

import io
from uuid import uuid4

import pytest
from PIL import Image

from incidents.adapters.images import prepare
from incidents.adapters.orm import metadata
from incidents.service_layer import commands, photos
from incidents.service_layer.read_models import apply_org_event
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, Scope
from lianxin.contracts import org
from lianxin.errors import Conflict, NotFound, RuleBroken
from lianxin.testing.migrations import schema_drift

LEADER = Principal("l1", Role.GRID_LEADER, Scope(grid_nodes=frozenset({"tpj-g01"})))
STRANGERS = (
    Principal("c2", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"changshan"}))),
    Principal("l2", Role.GRID_LEADER, Scope(grid_nodes=frozenset({"tpj-g02"}))),
    Principal("d1", Role.DEPARTMENT_OPERATOR, Scope(department="power_supply")),
)
LIMIT = 1024 * 1024
REPORT = {
    "micro_grid_code": "tpj-g01-m01",
    "category": "property",
    "urgency": "general",
    "description": "楼道堆物",
    "affected_households": 3,
    "reporter": "l1",
}


def node(path: list[str], kind: str, **more) -> org.GridNodeRegistered:
    parent = path[-2] if len(path) > 1 else None
    code = path[-1]
    return org.GridNodeRegistered(
        code=code, name=code, kind=kind, community_code="taipingjie", parent_code=parent,
        path=path, **more,
    )  # fmt: skip


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "PNG")
    return out.getvalue()


async def _report(uow: IncidentsUnitOfWork, **where: object):
    await apply_org_event(uow, node(["tpj-g01"], "grid"))
    addresses = ["朝华新城1栋", "朝华新城2栋"]
    await apply_org_event(uow, node(["tpj-g01", "tpj-g01-m01"], "micro_grid", addresses=addresses))
    return await commands.report(uow, LEADER, **REPORT, **where)


async def _attach(uow: IncidentsUnitOfWork, who: Principal, incident_id, data=None, limit=LIMIT):
    data = photo_bytes() if data is None else data
    return await photos.attach(uow, who, incident_id, data, limit=limit, prepare=prepare)


async def test_the_migration_builds_what_the_code_declares(migrated_database) -> None:
    database = await migrated_database("incidents")
    assert await schema_drift(database, metadata) == []


async def test_a_photo_is_stored_and_read_back_within_the_incidents_scope(
    uow: IncidentsUnitOfWork,
) -> None:
    incident = await _report(uow, building="朝华新城2栋", unit="3单元")
    async with uow:
        stored = await uow.incidents.get(incident.id)
    assert (stored.building, stored.unit) == ("朝华新城2栋", "3单元")

    photo = await _attach(uow, LEADER, incident.id)
    assert photo.uploaded_by == "l1"
    assert [p.id for p in await photos.listed(uow, LEADER, incident.id)] == [photo.id]
    for thumbnail in (False, True):
        data = await photos.content(uow, LEADER, incident.id, photo.id, thumbnail=thumbnail)
        served = Image.open(io.BytesIO(data))
        assert (served.format, served.size) == ("JPEG", (64, 48))  # small: its own thumbnail

    for stranger in STRANGERS:
        with pytest.raises(NotFound):
            await photos.content(uow, stranger, incident.id, photo.id)
        with pytest.raises(NotFound):
            await photos.listed(uow, stranger, incident.id)
        with pytest.raises(NotFound):
            await _attach(uow, stranger, incident.id)
    # Another incident's id with this photo's: no such photo there.
    with pytest.raises(NotFound):
        await photos.content(uow, LEADER, uuid4(), photo.id)


async def test_bad_photos_and_unknown_buildings_are_refused_and_leave_nothing(
    uow: IncidentsUnitOfWork,
) -> None:
    with pytest.raises(RuleBroken) as refused:
        await _report(uow, building="朝华新城9栋")
    assert refused.value.field == "building"
    incident = await _report(uow)
    for data, limit in ((b"%PDF-1.7 not a photo", LIMIT), (photo_bytes(), 10)):
        with pytest.raises(RuleBroken) as refused:
            await _attach(uow, LEADER, incident.id, data, limit)
        assert refused.value.field == "photo"
    assert await photos.listed(uow, LEADER, incident.id) == []

    await commands.run(uow, LEADER, incident.id, "cancel", reason="重复上报")
    with pytest.raises(Conflict):
        await _attach(uow, LEADER, incident.id)
