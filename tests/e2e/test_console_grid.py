"""A demo community coordinator signs in to the console and sees her community's grid tree."""

from __future__ import annotations

import re

import pytest

from lianxin.demo import FIGURES
from lianxin.demo.accounts import PASSWORD
from tests.conftest import Platform

pytestmark = pytest.mark.e2e


def _figure(page: str, attribute: str, name: str) -> int:
    found = re.search(rf'data-{attribute}="{name}">(\d+)<', page)
    assert found, f"no {name} on the page"
    return int(found.group(1))


def test_the_taipingjie_coordinator_sees_taipingjie_with_the_articles_numbers(
    demo_platform: Platform,
) -> None:
    page = demo_platform.console_as("tpj-coordinator").get("/grid").text
    assert 'data-community="taipingjie"' in page and "太平街社区" in page
    assert 'data-community="changshan"' not in page
    figures = FIGURES["taipingjie"]
    assert _figure(page, "total", "residents") == figures["residents"]  # 12,116
    assert _figure(page, "total", "merchants") == figures["merchants"]  # 2,775
    assert _figure(page, "count", "grid") == figures["grids"]  # 10
    assert _figure(page, "count", "micro_grid") == figures["micro_grids"]  # 44
    assert _figure(page, "count", "compound") == figures["compounds"]  # 7


def test_the_changshan_coordinator_cannot_read_taipingjies_tree(demo_platform: Platform) -> None:
    token = demo_platform.token("cs-coordinator", PASSWORD)
    with demo_platform.http("organisation", token) as org:
        assert org.get("/communities/taipingjie/grid-nodes").status_code == 404
        assert org.get("/communities/changshan/grid-nodes").status_code == 200
        moved = org.post("/grid-nodes/tpj-g01/retirement")
        assert moved.status_code == 404
    page = demo_platform.console_as("cs-coordinator").get("/grid").text
    assert 'data-community="changshan"' in page and "taipingjie" not in page
