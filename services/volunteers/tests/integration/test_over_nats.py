"""The running service on real PostgreSQL and NATS: a micro-wish closed by resources, delivered
twice and sent again, credits its party member once, and the credit leaves on the VOLUNTEERS
stream through the outbox."""

from __future__ import annotations

import asyncio
import json

import nats

from lianxin.auth import Principal, Role, Scope
from lianxin.messaging.publisher import publish
from lianxin.messaging.streams import declare_all
from lianxin.persistence.migrations import upgrade
from lianxin.settings import ServiceSettings
from lianxin.testing.events import as_sent, closed_wish
from volunteers.entrypoints.app import create_app
from volunteers.service_layer import commands

from .conftest import KEY

COORD = Principal("coord", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"changshan"})))


async def test_a_wish_sent_again_credits_once_and_the_credit_is_published(
    database: str, nats: str, uows
) -> None:
    await asyncio.to_thread(upgrade, "volunteers", database)
    nc = await nats_connect(nats)
    js = nc.jetstream()
    await declare_all(js)
    member = await commands.register_volunteer(
        uows(),
        COORD,
        {
            "community_code": "changshan",
            "name": "党员",
            "contact": "13812345678",
            "home_node_path": ["cs-g1"],
            "party_member_kind": "registered",
        },
    )

    async def jwks() -> dict:
        return {"keys": [KEY.public_jwk()]}

    settings = ServiceSettings(
        service_name="volunteers", database_url=database, nats_url=nats, outbox_poll_seconds=0.1
    )
    app = create_app(settings, lambda rt: jwks)
    wish = closed_wish(member.id)
    sent = as_sent(wish)
    async with app.router.lifespan_context(app):
        for event in (sent, sent, as_sent(wish)):
            await publish(js, "resources.wish.closed", event)
        credits = await published(js, "volunteers.points.transferred", want=1)
        await asyncio.sleep(1.0)  # time for a wrong second credit to show up
        credits = await published(js, "volunteers.points.transferred", want=1)
    await nc.close()
    assert len(credits) == 1
    [credit] = credits
    assert (credit["data"]["kind"], credit["data"]["source_key"]) == (
        "earn",
        f"wish:{wish.wish_id}",
    )
    assert credit["data"]["to_account"] == f"passbook:{member.id}"


async def nats_connect(url: str):
    return await nats.connect(url)


async def published(js, subject: str, want: int, seconds: float = 15) -> list[dict]:
    """The events on the VOLUNTEERS stream with this subject (read, never consumed)."""
    found: list[dict] = []
    for _ in range(int(seconds * 10)):
        info = await js.stream_info("VOLUNTEERS")
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            if info.state.messages == 0:
                break
            msg = await js.get_msg("VOLUNTEERS", seq)
            if msg.subject == subject:
                found.append(json.loads(msg.data))
        if len(found) >= want:
            return found
        await asyncio.sleep(0.1)
    return found
