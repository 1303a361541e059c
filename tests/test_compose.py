"""The production shapes: docker-compose.yml and deploy/, parsed and cross-checked (no Docker).

Each platform service must be wired as `lianxin.runtime.platform` runs it on a laptop: its own
database `lianxin_<service>`, the shared NATS cluster, OTLP to Jaeger, the bootstrap first.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from lianxin.runtime.cluster import SECOND_PORT_OFFSET, second
from lianxin.runtime.nats import nats_server_binary, server_config
from lianxin.runtime.platform import DATABASE_SERVICES, SERVICES
from lianxin.runtime.processes import free_port
from lianxin.settings import DEFAULT_PORTS

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
NATS_NODES = ("nats-1", "nats-2", "nats-3")
INFRASTRUCTURE = ("postgres", *NATS_NODES, "jaeger", "bootstrap")
CONTAINER_PORT = 8000


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def service(compose: dict, name: str) -> dict:
    services = compose.get("services") or {}
    assert name in services, f"docker-compose.yml has no service {name!r}"
    return services[name]


def environment(svc: dict) -> dict[str, str]:
    """A service's environment, whether written as a mapping or as a list of KEY=VALUE."""
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def command(svc: dict) -> str:
    cmd = svc.get("command") or ""
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def volume_mounts(svc: dict) -> dict[str, str]:
    """target -> source of a service's short-syntax volumes (`source:target[:mode]`)."""
    mounts = {}
    for volume in svc.get("volumes") or []:
        if isinstance(volume, dict):
            mounts[volume["target"]] = volume["source"]
        else:
            source, target, *_ = volume.split(":")
            mounts[target] = source
    return mounts


def published_ports(svc: dict) -> dict[int, int]:
    """container port -> host port."""
    ports = {}
    for entry in svc.get("ports") or []:
        *_, host, container = str(entry).split(":")
        ports[int(container)] = int(host)
    return ports


def depends_on(svc: dict) -> dict[str, str]:
    deps = svc.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


def healthcheck(svc: dict) -> str:
    test = (svc.get("healthcheck") or {}).get("test") or ""
    return " ".join(test) if isinstance(test, list) else test


def strip_comments(conf: str) -> str:
    return "\n".join(line.split("#", 1)[0].rstrip() for line in conf.splitlines())


def conf_block(conf: str, name: str) -> str:
    """The body of `name { ... }` in a NATS config (comments stripped), braces balanced."""
    text = strip_comments(conf)
    match = re.search(rf"^\s*{name}\s*[:=]?\s*\{{", text, re.M)
    assert match, f"no `{name} {{ }}` block"
    depth, start = 1, match.end()
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i]
    raise AssertionError(f"`{name}` block is not closed")


def conf_value(conf: str, key: str) -> str | None:
    match = re.search(rf"^\s*{key}\s*[:=]\s*(\S+)", strip_comments(conf), re.M)
    return match.group(1).strip("'\"") if match else None


def nats_config(compose: dict, node: str) -> tuple[str, str]:
    """(config path in the container, config text on disk) that a NATS node runs with."""
    svc = service(compose, node)
    args = command(svc).split()
    assert "--config" in args or "-c" in args, f"{node} must run with a config file"
    flag = "--config" if "--config" in args else "-c"
    path = args[args.index(flag) + 1]
    source = volume_mounts(svc).get(path)
    assert source, f"{node}: nothing is mounted at {path}"
    host_file = (ROOT / source).resolve()
    assert host_file.is_file(), f"{node} mounts {source}, which does not exist"
    return path, host_file.read_text()


def nats_hosts(compose: dict) -> set[str]:
    """The names that reach a NATS node: node names, and aliases that every node carries."""
    aliases = None
    for node in NATS_NODES:
        node_aliases = set()
        for network in (service(compose, node).get("networks") or {}).values():
            node_aliases |= set((network or {}).get("aliases") or [])
        aliases = node_aliases if aliases is None else aliases & node_aliases
    return set(NATS_NODES) | (aliases or set())


def k8s_documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def k8s_kind(path: Path, kind: str, name: str | None = None) -> dict:
    found = [
        doc
        for doc in k8s_documents(path)
        if doc["kind"] == kind and (name is None or doc["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"{path.name}: expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def container_env(container: dict) -> dict[str, dict | str]:
    return {
        item["name"]: item.get("value", item.get("valueFrom"))
        for item in container.get("env") or []
    }


# ---------------------------------------------------------------------------------------------
# docker-compose.yml
# ---------------------------------------------------------------------------------------------


def test_compose_names_the_platform_and_its_infrastructure(compose):
    missing = {*SERVICES, *INFRASTRUCTURE} - set(compose.get("services") or {})
    assert not missing, f"docker-compose.yml lacks {sorted(missing)}"


@pytest.mark.parametrize("name", [*SERVICES, "bootstrap"])
def test_platform_containers_are_built_from_the_one_dockerfile(compose, name):
    svc = service(compose, name)
    build = svc.get("build")
    assert isinstance(build, dict), f"{name} must build deploy/Dockerfile"
    context = (ROOT / build.get("context", ".")).resolve()
    assert context == ROOT, f"{name} must build from the repo root"
    assert (context / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    assert svc.get("image") == service(compose, "bootstrap").get("image"), "one image for all"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_is_wired_like_the_laptop_platform(compose, name):
    svc = service(compose, name)
    env = environment(svc)

    assert env.get("SERVICE") == name, "SERVICE picks the app the image runs"
    assert env.get("SERVICE_NAME") == name

    nats = urlsplit(env.get("NATS_URL", ""))
    assert nats.scheme == "nats", f"{name}: NATS_URL must be a nats:// URL"
    assert nats.hostname in nats_hosts(compose), f"{name}: NATS_URL reaches no NATS node"

    otlp = urlsplit(env.get("OTEL_EXPORTER_OTLP_ENDPOINT", ""))
    assert otlp.scheme == "http", f"{name}: OTEL_EXPORTER_OTLP_ENDPOINT must be set"
    assert (otlp.hostname, otlp.port) == ("jaeger", 4318), "OTLP/HTTP goes to Jaeger's 4318"
    assert "jaeger" in compose["services"]

    if name in DATABASE_SERVICES:
        db = urlsplit(env.get("DATABASE_URL", ""))
        assert db.scheme in ("postgresql", "postgres", "postgresql+asyncpg")
        assert db.hostname == "postgres", f"{name}: DATABASE_URL must name the postgres service"
        assert db.path == f"/lianxin_{name}", f"{name} must use its own database lianxin_{name}"
        pg = environment(service(compose, "postgres"))
        assert (db.username, db.password) == (pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"])
    else:
        assert "DATABASE_URL" not in env, f"{name} has no database of its own"

    for other in SERVICES:
        url = urlsplit(env.get(f"{other.upper()}_URL", ""))
        assert (url.hostname, url.port) == (other, CONTAINER_PORT), f"{name} -> {other}"

    assert depends_on(svc).get("bootstrap") == "service_completed_successfully"
    assert "/readyz" in healthcheck(svc), f"{name}: healthcheck must ask /readyz"
    assert published_ports(svc) == {CONTAINER_PORT: DEFAULT_PORTS[name]}


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_twice_the_second_under_the_same_network_name(compose, name):
    # As Kubernetes runs it (replicas: 2) and `lianxin up --cluster` on a laptop (port + 10).
    first, again = service(compose, name), service(compose, second(name))
    assert environment(again) == environment(first)
    assert again.get("image") == first.get("image")
    assert depends_on(again) == depends_on(first)
    assert name in again["networks"]["default"]["aliases"], "reached as http://<name>:8000 too"
    assert published_ports(again) == {CONTAINER_PORT: DEFAULT_PORTS[name] + SECOND_PORT_OFFSET}


def test_the_nats_cluster_has_users_and_the_services_log_in_beside_the_url(compose):
    assert re.search(r"^include accounts\.conf$", (DEPLOY / "nats/cluster.conf").read_text(), re.M)
    accounts = (DEPLOY / "nats/accounts.conf").read_text()
    assert '{user: "platform", password: $LIANXIN_NATS_PLATFORM_PASSWORD}' in accounts
    for node in NATS_NODES:
        svc = service(compose, node)
        assert volume_mounts(svc)["/etc/nats/accounts.conf"] == "./deploy/nats/accounts.conf"
        assert "LIANXIN_NATS_PLATFORM_PASSWORD" in environment(svc)
    for name in [*SERVICES, "bootstrap"]:
        env = environment(service(compose, name))
        assert urlsplit(env["NATS_URL"]).username is None, f"{name}: no login inside NATS_URL"
        assert env["NATS_USER"] == "platform"
        assert "LIANXIN_NATS_PLATFORM_PASSWORD" in env["NATS_PASSWORD"]


@pytest.mark.integration  # runs nats-server
def test_nats_server_reads_the_users_file_with_the_password_from_the_environment(tmp_path):
    (tmp_path / "accounts.conf").write_text((DEPLOY / "nats/accounts.conf").read_text())
    config = tmp_path / "nats.conf"
    config.write_text(server_config(free_port(), tmp_path / "js", "include accounts.conf\n"))
    env = {**os.environ, "LIANXIN_NATS_PLATFORM_PASSWORD": "from-the-environment"}
    checked = subprocess.run(
        [nats_server_binary(), "-c", str(config), "-t"], env=env, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_services_never_share_a_database(compose):
    urls = [environment(service(compose, name)).get("DATABASE_URL") for name in DATABASE_SERVICES]
    assert len(set(urls)) == len(DATABASE_SERVICES)


def test_bootstrap_migrates_then_declares_replicated_streams(compose):
    svc = service(compose, "bootstrap")
    cmd = command(svc)
    assert "lianxin migrate" in cmd and "lianxin streams" in cmd
    assert cmd.index("lianxin migrate") < cmd.index("lianxin streams")
    assert "&&" in cmd, "streams only after a successful migrate"
    assert svc.get("restart", "no") == "no", "a one-shot container"

    env = environment(svc)
    db = urlsplit(env.get("DATABASE_URL", ""))
    assert (db.hostname, db.path) == ("postgres", "/postgres"), "the server, not one database"
    assert urlsplit(env.get("NATS_URL", "")).hostname in nats_hosts(compose)
    assert env.get("LIANXIN_STREAM_REPLICAS") == str(len(NATS_NODES))

    deps = depends_on(svc)
    for dependency in ("postgres", *NATS_NODES):
        assert deps.get(dependency) == "service_healthy", f"bootstrap waits for {dependency}"


def test_postgres_creates_every_service_database_on_first_start(compose):
    svc = service(compose, "postgres")
    assert str(svc.get("image", "")).startswith("postgres:17")
    assert environment(svc).get("POSTGRES_DB") == "postgres", "bootstrap connects to …/postgres"
    scripts = [
        (ROOT / source).resolve()
        for target, source in volume_mounts(svc).items()
        if target.startswith("/docker-entrypoint-initdb.d/")
    ]
    assert scripts, "an init script must be mounted into /docker-entrypoint-initdb.d/"
    text = "".join(script.read_text() for script in scripts)
    for name in DATABASE_SERVICES:
        assert f"lianxin_{name}" in text, f"the init script does not create lianxin_{name}"


def test_three_nats_nodes_form_one_jetstream_cluster(compose):
    names = set()
    for node in NATS_NODES:
        svc = service(compose, node)
        image = str(svc.get("image", ""))
        version = re.match(r"nats:(\d+)\.(\d+)", image)
        assert version and tuple(map(int, version.groups())) >= (2, 10), f"{node}: {image}"

        _, conf = nats_config(compose, node)
        env = environment(svc)
        name = conf_value(conf, "server_name")
        assert name and name.startswith("$"), "server_name comes from the node's environment"
        assert env.get(name[1:]) == node, f"{node} must be named {node}"
        names.add(env[name[1:]])

        jetstream = conf_block(conf, "jetstream")
        assert conf_value(jetstream, "sync_interval") == "always", "fsync before every ack"
        store_dir = conf_value(jetstream, "store_dir")
        assert store_dir in volume_mounts(svc), f"{node}: JetStream's {store_dir} is no volume"

        cluster = conf_block(conf, "cluster")
        assert conf_value(cluster, "name"), "the cluster is named"
        port = conf_value(cluster, "port") or "6222"
        routes = re.findall(r"nats(?:-route)?://([\w.-]+):(\d+)", cluster)
        assert {host for host, _ in routes} == set(NATS_NODES), f"{node} must route to all three"
        assert {p for _, p in routes} == {port}

        http_port = conf_value(conf, "http_port") or "8222"
        check = healthcheck(svc)
        assert "/healthz" in check and f":{http_port}" in check, f"{node}: healthcheck /healthz"
    assert names == set(NATS_NODES), "server names are unique"


def test_nats_url_survives_the_loss_of_a_node(compose):
    """Services name an alias every node carries (or list nodes), not one node's name."""
    hosts = nats_hosts(compose) - set(NATS_NODES)
    for name in SERVICES:
        host = urlsplit(environment(service(compose, name))["NATS_URL"]).hostname
        assert host in hosts, f"{name}: NATS_URL names {host}, a single node"


def test_dev_conf_is_what_lianxin_up_writes():
    conf = (DEPLOY / "nats" / "dev.conf").read_text()
    lines = [line for line in strip_comments(conf).splitlines() if line.strip()]
    store_dir = conf_value(conf, "store_dir")
    port = int(conf_value(conf, "listen").rsplit(":", 1)[1])
    assert lines == server_config(port, Path(store_dir)).splitlines()
    assert conf_value(conf_block(conf, "jetstream"), "sync_interval") == "always"


def test_dockerfile_runs_the_locked_workspace_as_a_non_root_user():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0"), "runs as a non-root user"
    assert "${SERVICE" in dockerfile and ".entrypoints.app:app" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".git", ".lianxin"):
        assert path in ignored, f".dockerignore must exclude {path}"
    assert any(".venv" in line for line in ignored)


# ---------------------------------------------------------------------------------------------
# deploy/k8s
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kustomization() -> dict:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def test_kustomization_lists_files_that_exist(kustomization):
    listed = kustomization.get("resources") or []
    assert listed, "the kustomization lists its resources"
    for resource in listed:
        assert (K8S / resource).is_file(), f"kustomization.yaml lists missing {resource}"
    # and forgets none: every manifest here but the Helm values is part of it
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "nats-values.yaml"}
    assert manifests <= set(listed), f"not in kustomization.yaml: {manifests - set(listed)}"


@pytest.mark.parametrize("name", SERVICES)
def test_k8s_runs_each_service_with_probes_and_its_own_database(kustomization, name):
    path = K8S / f"{name}.yaml"
    assert path.name in kustomization["resources"], f"{path.name} not in the kustomization"
    deployment = k8s_kind(path, "Deployment", name)
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    pod_labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= pod_labels.items()

    (container,) = spec["template"]["spec"]["containers"]
    env = container_env(container)
    assert env.get("SERVICE") == name
    if name in DATABASE_SERVICES:
        ref = env.get("DATABASE_URL", {}).get("secretKeyRef", {})
        assert (ref.get("name"), ref.get("key")) == ("lianxin-databases", name)
    else:
        assert "DATABASE_URL" not in env
    config_maps = [src["configMapRef"]["name"] for src in container.get("envFrom", [])]
    assert "lianxin-config" in config_maps

    assert {p["containerPort"] for p in container["ports"]} == {CONTAINER_PORT}
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"

    svc = k8s_kind(path, "Service", name)
    assert svc["spec"]["selector"].items() <= pod_labels.items()
    assert [p["port"] for p in svc["spec"]["ports"]] == [DEFAULT_PORTS[name]]


def test_k8s_shared_config_and_database_secret():
    config = k8s_kind(K8S / "config.yaml", "ConfigMap", "lianxin-config")["data"]
    assert urlsplit(config["NATS_URL"]).scheme == "nats"
    assert config["LIANXIN_STREAM_REPLICAS"] == "3"
    assert urlsplit(config["OTEL_EXPORTER_OTLP_ENDPOINT"]).scheme in ("http", "https")
    for name in SERVICES:
        url = urlsplit(config[f"{name.upper()}_URL"])
        assert (url.hostname, url.port) == (name, DEFAULT_PORTS[name]), "the Service's port"

    secret = k8s_kind(K8S / "databases-secret.yaml", "Secret", "lianxin-databases")
    urls = secret["stringData"]
    assert urlsplit(urls["admin"]).path == "/postgres"
    for name in DATABASE_SERVICES:
        assert urlsplit(urls[name]).path == f"/lianxin_{name}"


def test_k8s_bootstrap_job_migrates_then_declares_streams():
    job = k8s_kind(K8S / "bootstrap-job.yaml", "Job")
    pod = job["spec"]["template"]["spec"]
    steps = [*pod.get("initContainers", []), *pod["containers"]]
    commands = [" ".join(step.get("command", []) + step.get("args", [])) for step in steps]
    assert commands == ["lianxin migrate", "lianxin streams"]
    migrate, streams = (container_env(step) for step in steps)
    assert migrate["DATABASE_URL"]["secretKeyRef"]["key"] == "admin"
    assert "NATS_URL" in streams and "LIANXIN_STREAM_REPLICAS" in streams


@pytest.mark.parametrize("name", SERVICES)
def test_k8s_services_log_in_to_nats_as_the_platform_beside_the_url(name):
    (container,) = k8s_kind(K8S / f"{name}.yaml", "Deployment", name)["spec"]["template"]["spec"][
        "containers"
    ]
    ref = container_env(container)["NATS_PASSWORD"]["secretKeyRef"]
    assert (ref["name"], ref["key"]) == ("lianxin-platform", "nats-password")
    config = k8s_kind(K8S / "config.yaml", "ConfigMap", "lianxin-config")["data"]
    assert config["NATS_USER"] == "platform"
    assert urlsplit(config["NATS_URL"]).username is None


def test_k8s_nats_includes_the_users_from_their_secret():
    values = yaml.safe_load((K8S / "nats-values.yaml").read_text())
    include = values["config"]["merge"]["$include"]
    [volume] = [
        p["value"] for p in values["podTemplate"]["patch"] if p["path"] == "/spec/volumes/-"
    ]
    [mount] = [p["value"] for p in values["container"]["patch"] if p["path"] == "/volumeMounts/-"]
    assert volume["secret"]["secretName"] == "nats-accounts"
    assert mount["name"] == volume["name"]
    # the chart's config is /etc/nats-config/nats.conf; an include is relative to its folder
    assert Path("/etc/nats-config", include).resolve() == Path(mount["mountPath"], "accounts.conf")


def test_nats_helm_values_cluster_three_jetstream_nodes():
    values = yaml.safe_load((K8S / "nats-values.yaml").read_text())["config"]
    assert values["cluster"]["enabled"] and values["cluster"]["replicas"] == 3
    assert values["jetstream"]["enabled"] and values["jetstream"]["fileStore"]["enabled"]
    assert values["jetstream"]["merge"]["sync_interval"] == "always"


# ---------------------------------------------------------------------------------------------
# every YAML file: a typo fails here, whatever the file
# ---------------------------------------------------------------------------------------------

YAML_FILES = sorted([COMPOSE_FILE, *DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_yaml_parses(path):
    documents = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    assert documents, f"{path.relative_to(ROOT)} is empty"
    assert all(isinstance(doc, dict) for doc in documents)
