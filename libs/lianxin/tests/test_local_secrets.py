"""`lianxin up` generates the keys a laptop's platform needs at first start and keeps them: the
rating links' key (issue #17, 9: its own, not the platform secret's) and the webhook keys'
encryption key; the next start reads the same ones, so links sent and keys issued still work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lianxin import cli
from lianxin.runtime import local
from lianxin.runtime.platform import PLATFORM_SECRET

SETTINGS = ("LIANXIN_KEYS_ENCRYPTION_KEY", "LIANXIN_RATING_LINK_KEY")


def test_first_start_generates_them_and_the_next_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "DATA_DIR", tmp_path)
    for setting in SETTINGS:
        monkeypatch.delenv(setting, raising=False)
    cli._local_secrets()
    first = {setting: os.environ[setting] for setting in SETTINGS}
    assert len(first["LIANXIN_RATING_LINK_KEY"]) >= 32
    assert PLATFORM_SECRET not in first["LIANXIN_RATING_LINK_KEY"]
    assert (tmp_path / "secrets" / "rating-link-key").stat().st_mode & 0o077 == 0

    for setting in SETTINGS:
        monkeypatch.delenv(setting)
    cli._local_secrets()
    assert {setting: os.environ[setting] for setting in SETTINGS} == first


def test_a_key_set_by_the_deployment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "DATA_DIR", tmp_path)
    monkeypatch.setenv("LIANXIN_RATING_LINK_KEY", "set-by-the-operator-0123456789abcdef")
    cli._local_secrets()
    assert os.environ["LIANXIN_RATING_LINK_KEY"] == "set-by-the-operator-0123456789abcdef"
    assert not (tmp_path / "secrets" / "rating-link-key").exists()
