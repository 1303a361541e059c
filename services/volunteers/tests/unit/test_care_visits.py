"""Care visits as a volunteer's service (issue #18): the rules of what counts, and the handler
on the fake unit of work — a volunteer's visit earns her hours and points once, however often
its event arrives; anyone else's earns nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from lianxin.contracts.care import CareVisitRecorded
from lianxin.errors import NotFound, RuleBroken
from lianxin.testing.events import as_sent
from volunteers.domain.accounts import Account
from volunteers.domain.care_services import care_service, earns
from volunteers.domain.volunteers import Volunteer
from volunteers.service_layer.care_visits import care_services_of, credit_care_visit

from .test_handlers import COORD, OTHER, T0, at, me, person

CONSUMER = "volunteers_care"


def visit(visitor: str | None, *, minutes: int | None = 90, kind="meal_delivery", **kw):
    fields = {
        "visit_id": str(uuid4()),
        "community_code": "changshan",
        "grid_code": "cs-g1",
        "kind": kind,
        "at": T0 + timedelta(hours=2),
        "visitor": visitor,
        "minutes": minutes,
    }
    return CareVisitRecorded(**{**fields, **kw})


def test_a_visits_minutes_are_its_hours_and_its_kind_a_points_rule_and_chinese_words() -> None:
    service = care_service("v1", "meal_delivery", 90)
    assert (service.kind, service.hours, service.description) == (
        "elder_care",
        Decimal("1.50"),
        "关爱送餐",
    )
    assert service.source_key == "care_visit:v1"
    assert care_service("v2", "free_clinic", 20).kind == "health"
    assert care_service("v3", "haircut", 20).hours == Decimal("0.33")
    assert care_service("v4", "home_visit", None).hours is None
    with pytest.raises(RuleBroken) as refused:
        care_service("v5", "gardening", 30)
    assert refused.value.field == "kind"


def test_only_a_volunteer_of_the_community_registered_before_the_visit_earns() -> None:
    zhao = Volunteer.register("changshan", "赵红", "13900000000", ["cs-g1"], T0)
    assert earns(zhao, "changshan", T0)
    assert earns(zhao, "changshan", T0 + timedelta(days=1))
    assert not earns(zhao, "changshan", T0 - timedelta(seconds=1))  # before she joined
    assert not earns(zhao, "taipingjie", T0 + timedelta(days=1))
    assert not earns(None, "changshan", T0)


async def test_a_volunteers_visit_earns_her_hours_and_points_once_however_often_it_arrives(
    uow,
) -> None:
    zhao = await person(uow, "赵红", account="cs-zhao")
    recorded = visit("cs-zhao")  # 90 minutes at the default 10 points an hour
    first = as_sent(recorded)
    for event in (first, first, as_sent(recorded)):  # redelivered, and sent again
        await credit_care_visit(uow, event, recorded, CONSUMER, at(180))
    assert uow.balance(Account.passbook(zhao, "changshan").id) == 15
    assert uow.types().count("PointsTransferred") == 1
    [(visit_id, done)] = await care_services_of(uow, me(zhao), zhao)
    assert visit_id == recorded.visit_id
    assert (done.hours, done.points, done.description) == (Decimal("1.50"), 15, "关爱送餐")
    assert done.at == recorded.at  # dated when it was done
    # Her coordinators see it; another community's do not see her at all.
    assert await care_services_of(uow, COORD, zhao)
    with pytest.raises(NotFound):
        await care_services_of(uow, OTHER, zhao)


async def test_a_visit_without_a_length_is_one_hours_worth_without_hours(uow) -> None:
    zhao = await person(uow, "赵红", account="cs-zhao")
    recorded = visit("cs-zhao", minutes=None, kind="haircut")
    await credit_care_visit(uow, as_sent(recorded), recorded, CONSUMER, at(180))
    [(_, done)] = await care_services_of(uow, me(zhao), zhao)
    assert (done.hours, done.points, done.description) == (None, 10, "关爱理发")


@pytest.mark.parametrize(
    "visitor, community",
    [
        ("cs-grid-member", "changshan"),  # a grid member who is no volunteer
        (None, "changshan"),  # the person's family contact: organisation names nobody
        ("cs-zhao", "taipingjie"),  # a visit in a community she does not volunteer in
    ],
)
async def test_a_visit_that_is_nobodys_volunteering_earns_nothing(uow, visitor, community) -> None:
    zhao = await person(uow, "赵红", account="cs-zhao")
    recorded = visit(visitor, community_code=community)
    assert await credit_care_visit(uow, as_sent(recorded), recorded, CONSUMER, at(180)) is None
    assert uow.balance(Account.passbook(zhao, "changshan").id) == 0
    assert await care_services_of(uow, me(zhao), zhao) == []


async def test_a_visit_before_she_registered_earns_nothing(uow) -> None:
    zhao = await person(uow, "赵红", account="cs-zhao")
    earlier = visit("cs-zhao", at=T0 - timedelta(days=2))
    assert await credit_care_visit(uow, as_sent(earlier), earlier, CONSUMER, at(180)) is None
    assert await care_services_of(uow, me(zhao), zhao) == []
