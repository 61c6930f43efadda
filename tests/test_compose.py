"""docker-compose.yml and the Dockerfile, checked without Docker.

No Docker engine runs here, so these tests parse the files and compare them with
what the code reads: the TIERGRAPH_* settings (tiergraph.settings.Settings) and
the packages pyproject.toml installs. Renaming a setting or a package without
updating the compose file or the Dockerfile makes them fail.
"""

from __future__ import annotations

import os
import re
import shlex
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tiergraph.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
PYPROJECT = ROOT / "pyproject.toml"

APP_SERVICES = ("api", "worker")
BACKING_SERVICES = ("neo4j", "redis")
ENV_PREFIX = Settings.model_config.get("env_prefix", "")
SETTING_VARIABLES = {f"{ENV_PREFIX}{name}".upper() for name in Settings.model_fields}

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}; $$ is a literal $.
_INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")

# What a user must set before `docker compose up` (there is no default password).
REQUIRED = {"NEO4J_PASSWORD": "a-password-the-user-chose"}


class Unset(Exception):
    """compose would refuse to start: a required variable is not set."""


def resolve(value: object, variables: dict[str, str] = REQUIRED) -> str:
    """A compose value as compose would use it with only `variables` set (by default
    the ones a user must set; compose treats an empty value as unset for `:`)."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op = match.group("name"), match.group("op") or ""
        if variables.get(name):
            return variables[name]
        if "?" in op:
            raise Unset(f"{match.group(0)} requires {name} to be set")
        return match.group("arg") if op else ""

    return _INTERPOLATION.sub(substitute, str(value))


def environment(service: dict) -> dict[str, str]:
    """A service's environment as a dict (compose allows a mapping or KEY=VALUE list)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in env)
        env = dict(pairs)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def tiergraph_variables(env: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in env.items() if key.startswith(ENV_PREFIX)}


@pytest.fixture(scope="module")
def compose() -> dict:
    assert COMPOSE.is_file(), "docker-compose.yml is missing"
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_the_four_services_exist(services: dict[str, dict]) -> None:
    assert set(BACKING_SERVICES + APP_SERVICES) <= set(services)


def test_neo4j_is_5_26_community_with_a_data_volume(compose: dict, services: dict) -> None:
    neo4j = services["neo4j"]
    assert neo4j.get("image") == "neo4j:5.26-community"
    mounts = [str(volume).split(":") for volume in neo4j.get("volumes", [])]
    data_sources = [mount[0] for mount in mounts if len(mount) >= 2 and mount[1] == "/data"]
    assert data_sources, "neo4j must mount a volume at /data"
    named = [source for source in data_sources if not source.startswith((".", "/", "~"))]
    for source in named:
        assert source in (compose.get("volumes") or {}), f"named volume {source} is not declared"


def test_redis_is_version_7(services: dict) -> None:
    assert str(services["redis"].get("image", "")).startswith("redis:7")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_build_here_and_wait_for_healthy_backends(services: dict, name: str) -> None:
    service = services[name]
    build = service.get("build")
    context = build.get("context") if isinstance(build, dict) else build
    assert str(context).rstrip("/") == ".", f"{name} must build from the project's Dockerfile"
    depends_on = service.get("depends_on")
    assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions (mapping form)"
    for backend in BACKING_SERVICES:
        assert (depends_on.get(backend) or {}).get("condition") == "service_healthy", (
            f"{name} must wait for {backend} to be healthy"
        )


def test_services_waited_for_have_healthchecks(services: dict) -> None:
    for name, service in services.items():
        depends_on = service.get("depends_on")
        if not isinstance(depends_on, dict):
            continue
        for backend, spec in depends_on.items():
            if (spec or {}).get("condition") == "service_healthy":
                check = services[backend].get("healthcheck") or {}
                assert check.get("test") and not check.get("disable"), (
                    f"{name} waits for {backend} to be healthy, but {backend} has no healthcheck"
                )


def test_every_tiergraph_variable_is_a_setting(services: dict, compose: dict) -> None:
    assert "x-tiergraph-env" in compose, "the shared TIERGRAPH_* block (x-tiergraph-env) is gone"
    found = {}
    for name, service in services.items():
        for key in tiergraph_variables(environment(service)):
            found.setdefault(key, name)
    assert found, "compose sets no TIERGRAPH_* variable"
    unknown = {key: name for key, name in found.items() if key not in SETTING_VARIABLES}
    assert not unknown, f"not fields of Settings (the code would ignore them): {unknown}"


def test_dockerfile_env_variables_are_settings(dockerfile: list[tuple[str, str]]) -> None:
    names = set()
    for keyword, rest in dockerfile:
        if keyword == "ENV":
            names.update(part.split("=", 1)[0] for part in shlex.split(rest) if "=" in part)
    unknown = {name for name in names if name.startswith(ENV_PREFIX)} - SETTING_VARIABLES
    assert not unknown, f"Dockerfile sets TIERGRAPH_* variables Settings does not read: {unknown}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_reach_neo4j_and_redis(services: dict, name: str) -> None:
    env = {key: resolve(value) for key, value in environment(services[name]).items()}
    store = f"{ENV_PREFIX}STORE"
    uri, redis_url = f"{ENV_PREFIX}NEO4J_URI", f"{ENV_PREFIX}REDIS_URL"
    assert env.get(store) == "neo4j"
    assert uri in env and redis_url in env
    neo4j = urlsplit(env[uri])
    assert neo4j.scheme in ("bolt", "neo4j") and neo4j.hostname == "neo4j"
    assert neo4j.port in (None, 7687)
    redis = urlsplit(env[redis_url])
    assert redis.scheme == "redis" and redis.hostname == "redis"
    assert redis.port in (None, 6379)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_neo4j_credentials_match(services: dict, name: str) -> None:
    auth = resolve(environment(services["neo4j"]).get("NEO4J_AUTH", ""))
    assert "/" in auth, "NEO4J_AUTH must be user/password (auth on)"
    user, password = auth.split("/", 1)
    env = {key: resolve(value) for key, value in environment(services[name]).items()}
    assert env.get(f"{ENV_PREFIX}NEO4J_USER") == user
    assert env.get(f"{ENV_PREFIX}NEO4J_PASSWORD") == password
    assert len(password) >= 8, "Neo4j 5 refuses an initial password under 8 characters"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_settings_parse_the_service_environment(
    services: dict, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in list(os.environ):
        if key.upper().startswith(ENV_PREFIX):
            monkeypatch.delenv(key)
    env = {key: resolve(value) for key, value in environment(services[name]).items()}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.store == "neo4j"
    assert urlsplit(settings.neo4j_uri).hostname == "neo4j"
    assert urlsplit(settings.redis_url).hostname == "redis"
    assert settings.neo4j_user == "neo4j"
    assert settings.neo4j_password == env[f"{ENV_PREFIX}NEO4J_PASSWORD"]


def test_there_is_no_default_neo4j_password(services: dict) -> None:
    """Without NEO4J_PASSWORD set, compose refuses to start (no password that
    works for everyone), and the one set reaches Neo4j, the API and the worker."""
    values = [environment(services["neo4j"])["NEO4J_AUTH"]] + [
        environment(services[name])[f"{ENV_PREFIX}NEO4J_PASSWORD"] for name in APP_SERVICES
    ]
    for value in values:
        with pytest.raises(Unset, match="NEO4J_PASSWORD"):
            resolve(value, {})
        assert resolve(value).endswith(REQUIRED["NEO4J_PASSWORD"])
    assert "tiergraph-dev" not in COMPOSE.read_text(encoding="utf-8")


def test_published_ports_listen_on_localhost_only_by_default(services: dict) -> None:
    published = {
        name: [resolve(port) for port in service.get("ports", [])]
        for name, service in services.items()
    }
    assert published["api"], "the API must be published"
    for name, ports in published.items():
        for port in ports:
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"
    api_bound = resolve(services["api"]["ports"][0], {**REQUIRED, "API_BIND": "0.0.0.0"})
    assert api_bound == "0.0.0.0:8000:8000"  # published on every interface when asked


def test_dockerfile_copies_every_installed_package(dockerfile: list[tuple[str, str]]) -> None:
    pyproject = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.split(".")[0].rstrip("*") for pattern in include}
    assert packages

    copied: set[str] = set()
    for keyword, rest in dockerfile:
        if keyword in ("COPY", "ADD"):
            args = [arg for arg in shlex.split(rest) if not arg.startswith("--")]
            copied.update(src.rstrip("/").removeprefix("./") or "." for src in args[:-1])
    assert "pyproject.toml" in copied or "." in copied
    if "." not in copied:
        missing = packages - copied
        assert not missing, f"Dockerfile does not copy packages pyproject.toml installs: {missing}"
    for package in packages:
        assert (ROOT / package / "__init__.py").is_file(), f"{package}/ is not a package here"
    stale = {
        src for src in copied if "*" not in src and "[" not in src and not (ROOT / src).exists()
    }
    assert not stale, f"Dockerfile copies paths that do not exist: {stale}"


def test_dockerfile_runs_the_api_as_a_non_root_user(dockerfile: list[tuple[str, str]]) -> None:
    keywords = [keyword for keyword, _ in dockerfile]
    assert keywords[0] in ("FROM", "ARG")
    base = next(rest for keyword, rest in dockerfile if keyword == "FROM")
    assert base.split()[0].startswith("python:3.11")
    users = [rest for keyword, rest in dockerfile if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    cmd = [rest for keyword, rest in dockerfile if keyword == "CMD"][-1]
    assert cmd.startswith("[") and '"serve"' in cmd
    assert any(keyword == "EXPOSE" and "8000" in rest.split() for keyword, rest in dockerfile)


def test_every_package_of_the_project_is_installed() -> None:
    """A package left out of pyproject's list is missing from the image: the
    API would fail to import it there and nowhere else."""
    pyproject = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    installed = {pattern.split(".")[0].rstrip("*") for pattern in include}
    not_shipped = {"tests", "bench", "scripts"}
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in not_shipped and not path.parent.name.startswith(".")
    }
    assert packages - installed == set(), "add them to [tool.setuptools.packages.find]"


def shared_volume(compose: dict, services: dict, setting: str, volume: str) -> None:
    """Every app service has the folder of `setting` on the one named `volume`."""
    folders = []
    for name in APP_SERVICES:
        folder = resolve(environment(services[name])[f"{ENV_PREFIX}{setting}"])
        mounts = [str(v).split(":") for v in services[name].get("volumes", [])]
        assert [s for s, target, *_ in mounts if target == folder] == [volume], name
        folders.append(folder)
    assert len(set(folders)) == 1 and volume in (compose.get("volumes") or {})


def test_the_api_serves_exports_from_the_volume_the_worker_writes_them_to(
    compose: dict, services: dict
) -> None:
    shared_volume(compose, services, "EXPORT_DIR", "exports")


def test_the_projection_cache_outlives_a_recreated_container(compose: dict, services: dict) -> None:
    shared_volume(compose, services, "CACHE_DIR", "cache")
