"""A domain rule's refusal in one line, for the services' domain tests:
`assert refused(lambda: meeting.close(now)) == "minutes"`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lianxin.errors import RuleBroken


def refused(call: Callable[[], object]) -> str:
    """The field a domain rule refuses `call` for; the test fails if the call goes through."""
    with pytest.raises(RuleBroken) as refusal:
        call()
    return refusal.value.field
