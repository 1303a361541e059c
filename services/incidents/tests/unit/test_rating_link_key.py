"""Issue #17, 9: residents' rating links are signed with a random key of their own
(`LIANXIN_RATING_LINK_KEY`), not one derived from the platform secret: whoever holds that secret
(the platform's client) cannot make a link a resident's rating is taken from."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime

import pytest

from incidents.domain.rating_links import link_key, make_token, read_token
from lianxin.errors import RuleBroken
from lianxin.runtime.platform import PLATFORM_SECRET, service_env

RESOLVED = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)


def test_a_link_signed_from_the_platform_secret_is_refused() -> None:
    key = link_key("a-random-key-of-its-own-0123456789abcdef")
    incident = uuid.uuid4()
    assert read_token(key, make_token(key, incident, RESOLVED)).incident_id == incident
    # The key these links had before: the platform secret's, derived for this purpose.
    derived = hmac.new(PLATFORM_SECRET.encode(), b"rating-link", hashlib.sha256).digest()
    for forger in (derived, PLATFORM_SECRET.encode()):
        with pytest.raises(RuleBroken):
            read_token(key, make_token(forger, incident, RESOLVED))


def test_without_a_key_no_link_is_signed() -> None:
    with pytest.raises(ValueError, match="LIANXIN_RATING_LINK_KEY"):
        link_key("")


def test_a_platform_started_here_gives_incidents_a_random_key_of_its_own() -> None:
    env = service_env("incidents", "postgresql://x@127.0.0.1:1", "nats://127.0.0.1:1", None, {})
    key = env["LIANXIN_RATING_LINK_KEY"]
    assert len(key) >= 32 and PLATFORM_SECRET not in key
