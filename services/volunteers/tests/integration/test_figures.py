"""A community's volunteering in a period as counts, for the dashboards: who served, their hours
and points, and the open mobilisations; nothing of another community's."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from lianxin.auth import Principal, Role, Scope
from volunteers.domain.records import ServiceDone

from .conftest import bearer

CS = Scope(communities=frozenset({"changshan"}))
COORD = bearer(Principal("coord", Role.COMMUNITY_COORDINATOR, CS))
VOLUNTEER = bearer(Principal("someone", Role.VOLUNTEER, CS))
OTHER = bearer(Principal("c2", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"x"}))))


async def test_figures_count_the_periods_services_of_the_community_only(api, uows) -> None:
    ids = []
    for name in ("耿尚彬", "张立春", "李淑琴"):
        body = {
            "community_code": "changshan",
            "name": name,
            "contact": "13812345678",
            "home_node_path": ["cs-g1"],
        }
        ids.append(UUID((await api.post("/volunteers", json=body, headers=COORD)).json()["id"]))
    march, april = datetime(2026, 3, 7, 2, tzinfo=UTC), datetime(2026, 4, 1, 2, tzinfo=UTC)
    done = [
        (ids[0], march, Decimal("2.5"), 25, "changshan"),
        (ids[0], march, Decimal("1"), 10, "changshan"),
        (ids[1], march, Decimal("2"), 30, "changshan"),
        (ids[2], april, Decimal("3"), 30, "changshan"),  # another month
        (ids[2], march, Decimal("4"), 40, "taipingjie"),  # another community's service
        (ids[1], march, None, 10, "changshan"),  # a micro-wish: points, no hours
    ]
    async with uows() as uow:
        for n, (who, at, hours, points, community) in enumerate(done):
            served = ServiceDone(who, at, "repair", "修家电", community, hours, points)
            assert await uow.ledger.record_service(served, f"test:{n}")
        await uow.commit()

    answer = await api.get("/figures?community_code=changshan&period=2026-03", headers=VOLUNTEER)
    assert answer.status_code == 200, answer.text
    figures = answer.json()
    assert (figures["volunteers"], figures["served"], figures["points"]) == (3, 2, 75)
    assert Decimal(str(figures["hours"])) == Decimal("5.5")
    assert figures["open_mobilisations"] == 0 and figures["period"] == "2026-03"

    elsewhere = await api.get("/figures?community_code=changshan&period=2026-03", headers=OTHER)
    assert elsewhere.status_code == 404
    bad = await api.get("/figures?community_code=changshan&period=March", headers=COORD)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"
