"""A volunteer signs in with her organisation account: the profile her coordinator linked to
that account is who her token speaks for (issue #13)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lianxin.auth import Principal, Role, Scope
from lianxin.errors import Conflict
from volunteers.service_layer import commands
from volunteers.service_layer.pipeline import is_self, speaking_for

NOW = datetime(2026, 3, 7, 1, tzinfo=UTC)
CS = Scope(communities=frozenset({"changshan"}))
COORD = Principal("coord-cs", Role.COMMUNITY_COORDINATOR, CS)
PROFILE = {
    "community_code": "changshan",
    "contact": "13812345678",
    "home_node_path": ["cs-g1"],
}


async def test_the_account_she_signs_in_with_speaks_for_her_profile(uow) -> None:
    her = await commands.register_volunteer(
        uow, COORD, {**PROFILE, "name": "李阿姨", "account": " cs-volunteer "}, lambda: NOW
    )
    assert her.account == "cs-volunteer"  # trimmed as typed
    token = Principal("cs-volunteer", Role.VOLUNTEER, CS, "李阿姨")

    speaker = await speaking_for(uow, token)

    assert speaker.subject == str(her.id) and speaker.name == "李阿姨"
    assert is_self(speaker, her) and not is_self(token, her)


async def test_an_account_no_profile_names_speaks_for_no_one_and_others_are_left_alone(
    uow,
) -> None:
    await commands.register_volunteer(
        uow, COORD, {**PROFILE, "name": "李阿姨", "account": "cs-volunteer"}, lambda: NOW
    )
    stranger = Principal("tpj-volunteer", Role.VOLUNTEER, CS)
    assert await speaking_for(uow, stranger) == stranger
    # A coordinator whose username happens to be a volunteer's account is still a coordinator.
    named = Principal("cs-volunteer", Role.COMMUNITY_COORDINATOR, CS)
    assert await speaking_for(uow, named) == named


async def test_one_account_speaks_for_one_profile_and_a_blank_one_for_none(uow) -> None:
    await commands.register_volunteer(
        uow, COORD, {**PROFILE, "name": "李阿姨", "account": "cs-volunteer"}, lambda: NOW
    )
    with pytest.raises(Conflict, match="cs-volunteer"):
        await commands.register_volunteer(
            uow, COORD, {**PROFILE, "name": "王师傅", "account": "cs-volunteer"}, lambda: NOW
        )
    assert [v.name for v in uow.db["volunteers"].values()] == ["李阿姨"]
    blank = await commands.register_volunteer(
        uow, COORD, {**PROFILE, "name": "王师傅", "account": "  "}, lambda: NOW
    )
    assert blank.account is None
