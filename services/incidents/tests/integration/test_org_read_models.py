"""Incidents' read models of the organisation, kept from ORG events alone, on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from incidents.service_layer.read_models import apply_org_event
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.contracts import org

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def node(code: str, path: list[str], kind: str = "micro_grid", **more) -> dict:
    parent = path[-2] if len(path) > 1 else None
    base = {"code": code, "name": code, "kind": kind, "community_code": "taipingjie"}
    return {**base, "parent_code": parent, "path": path, **more}


async def read(uow: IncidentsUnitOfWork, include_retired: bool = True):
    async with uow:
        departments = await uow.org.departments(include_retired)
        nodes = await uow.org.grid_nodes(None, include_retired)
    return {d.code: d for d in departments}, {n.code: n for n in nodes}


async def test_departments_keep_categories_areas_targets_and_only_newer_versions(uow) -> None:
    registered = org.DepartmentRegistered(
        code="power_supply",
        name="供电公司",
        categories=["power_supply"],
        areas=[org.Area(level="district", code="fuling")],
    )
    assert await apply_org_event(uow, registered) == "power_supply"
    updated = org.DepartmentUpdated(
        **{
            **registered.model_dump(),
            "version": 3,
            "categories": ["power_supply", "street_lights"],
        },
        changed=["categories"],
    )
    stale = org.DepartmentUpdated(**{**registered.model_dump(), "version": 2, "name": "旧名"})
    assert await apply_org_event(uow, updated) is None
    await apply_org_event(uow, stale)  # arrives late (a redelivery): ignored
    await apply_org_event(uow, registered)  # a replay: ignored too
    departments, _ = await read(uow)
    power = departments["power_supply"]
    assert (power.version, power.name) == (3, "供电公司")
    assert list(power.categories) == ["power_supply", "street_lights"]
    assert power.areas == [{"level": "district", "code": "fuling"}]
    assert power.sla["resolve_hours"]["utilities"] == 24 and power.sla["acknowledge_minutes"] == 30

    retired = org.DepartmentRetired(
        **{**updated.model_dump(exclude={"changed"}), "version": 4, "retired_at": NOW}
    )
    await apply_org_event(uow, retired)
    async with uow:
        assert await uow.org.known_departments(["power_supply"]) == set()
        assert await uow.org.departments() == []
    departments, _ = await read(uow)
    assert departments["power_supply"].retired_at == NOW


async def test_a_moved_subtree_and_a_retired_node_arrive_as_updates(uow) -> None:
    for data in (
        node("g1", ["g1"], "grid"),
        node("g2", ["g2"], "grid"),
        node("m1", ["g1", "m1"]),
        node("b1", ["g1", "m1", "b1"], "building"),
    ):
        await apply_org_event(uow, org.GridNodeRegistered(**data))
    # m1 moved under g2: organisation sends an update for every node of the moved subtree.
    await apply_org_event(
        uow,
        org.GridNodeUpdated(**node("m1", ["g2", "m1"], version=2), changed=["parent_code", "path"]),
    )
    await apply_org_event(
        uow,
        org.GridNodeUpdated(
            **node("b1", ["g2", "m1", "b1"], "building", version=2), changed=["path"]
        ),
    )
    await apply_org_event(
        uow,
        org.GridNodeRetired(
            **node("b1", ["g2", "m1", "b1"], "building", version=3, retired_at=NOW)
        ),
    )
    _, nodes = await read(uow)
    assert (nodes["m1"].parent_code, list(nodes["m1"].path)) == ("g2", ["g2", "m1"])
    assert list(nodes["b1"].path) == ["g2", "m1", "b1"] and nodes["b1"].retired_at == NOW
    _, active = await read(uow, include_retired=False)
    assert sorted(active) == ["g1", "g2", "m1"]


async def test_other_organisation_events_are_not_incidents_concern(uow) -> None:
    person = org.PersonRegistered(code="p1", community_code="taipingjie", name="王建国")
    assert await apply_org_event(uow, person) is None
    community = org.CommunityRegistered(
        code="taipingjie", name="太平街社区", street_code="dunren", district_code="fuling"
    )
    await apply_org_event(uow, community)
    async with uow:
        assert await uow.org.counts() == (0, 0)
