"""docker-compose.yml and the Dockerfile, checked against the code (no Docker engine runs here).

The compose file is parsed with PyYAML; every ``GOVNET_*`` name it mentions must be an
environment name that a settings class actually reads, derived from the classes themselves
(``SuiteSettings`` validation aliases and ``GOVNET_<SERVICE>_<FIELD>`` for the service fields).
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer.main
import yaml
from pydantic import AliasChoices, AliasPath
from pydantic.fields import FieldInfo

from services.cli import app as cli_app
from shared.config import DEFAULT_PORTS, REPO_ROOT, SEGMENTS, SERVICE_NAMES, ServiceSettings, SuiteSettings

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
GOVNET_NAME = re.compile(r"\bGOVNET_[A-Z0-9_]+\b")
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


# -- what the code accepts --------------------------------------------------------------------


def _alias_names(field: FieldInfo) -> set[str]:
    """The environment names a field's alias stands for (string, AliasChoices, single-key AliasPath)."""
    names: set[str] = set()
    for alias in (field.validation_alias, field.alias):
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
        for choice in choices:
            if isinstance(choice, str):
                names.add(choice)
            elif isinstance(choice, AliasPath) and len(choice.path) == 1 and isinstance(choice.path[0], str):
                names.add(choice.path[0])
    return {name.upper() for name in names if name.upper().startswith("GOVNET_")}


def _has_alias(field: FieldInfo) -> bool:
    return field.validation_alias is not None or field.alias is not None


@cache
def settings_class(service: str) -> type[ServiceSettings]:
    """The settings class of ``service`` (the ServiceSettings subclass in services.<service>.settings)."""
    module = importlib.import_module(f"services.{service}.settings")
    found = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, ServiceSettings) and obj.service_name == service
    ]
    assert len(found) == 1, f"services/{service}/settings.py should define one settings class, found {found}"
    return found[0]


def suite_env_names() -> frozenset[str]:
    """``GOVNET_<FIELD>`` names of the suite-wide settings (their validation aliases)."""
    names: set[str] = set()
    for field in SuiteSettings.model_fields.values():
        names |= _alias_names(field)
    return frozenset(names)


@cache
def service_env_fields(service: str) -> dict[str, str]:
    """Environment name -> field name, for every setting the service reads."""
    cls = settings_class(service)
    prefix = str(cls.model_config.get("env_prefix", ""))
    assert prefix.upper() == f"GOVNET_{service.upper()}_", (
        f"{cls.__name__} reads {prefix!r}, not GOVNET_{service.upper()}_"
    )
    mapping: dict[str, str] = {}
    for name, field in cls.model_fields.items():
        if _has_alias(field):
            for env_name in _alias_names(field):
                mapping[env_name] = name
        else:
            mapping[f"{prefix}{name}".upper()] = name
    return mapping


def accepted_env_names(service: str | None = None) -> frozenset[str]:
    """The ``GOVNET_*`` names one service reads, or (``None``) any service of the suite."""
    services = SERVICE_NAMES if service is None else (service,)
    names: set[str] = set(suite_env_names())
    for name in services:
        names |= service_env_fields(name).keys()
    return frozenset(names)


# -- what the compose file says ---------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict) and isinstance(loaded.get("services"), dict)
    return loaded


def service(name: str) -> dict[str, Any]:
    services = compose()["services"]
    assert name in services, f"docker-compose.yml has no service {name!r}"
    return services[name]


def environment(name: str) -> dict[str, str]:
    """A compose service's environment as a dict (mapping or list form)."""
    env = service(name).get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def interpolate(value: str) -> str:
    """Compose's ``${NAME:-default}`` with nothing set: the default (or empty)."""
    return INTERPOLATION.sub(lambda m: m.group(2) or "", value)


def command_text(name: str) -> str:
    command = service(name).get("command")
    return " ".join(command) if isinstance(command, list) else str(command or "")


def healthcheck_text(name: str) -> str:
    test = (service(name).get("healthcheck") or {}).get("test")
    return " ".join(test) if isinstance(test, list) else str(test or "")


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    pairs = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


# -- the accepted-names helper itself -----------------------------------------------------------


def test_compose_env_helper_accepts_real_names_and_rejects_misspellings() -> None:
    everything = accepted_env_names()
    for real in (
        "GOVNET_KAFKA_BOOTSTRAP",
        "GOVNET_KAFKA_IDEMPOTENT",
        "GOVNET_JWKS_URL",
        "GOVNET_JWT_ISSUER",
        "GOVNET_IPAM_DATABASE_URL",
        "GOVNET_NGO_REGISTRY_HOST",
        "GOVNET_GATEWAY_UPSTREAM_NGO",
    ):
        assert real in everything, real
    for wrong in (
        "GOVNET_KAFKA_BOOTSTAP",  # misspelt
        "GOVNET_KAFKA_BOOTSTRAP_SERVERS",  # not a field
        "GOVNET_IPAM_DATABSE_URL",  # misspelt
        "GOVNET_GATEWAY_UPSTREAM_NGO_REGISTRY",  # the field is upstream_ngo
        "GOVNET_GATEWAY_KAFKA_BOOTSTRAP",  # suite fields carry no service prefix
        "GOVNET_NGO_DATABASE_URL",  # the prefix is the service name, not its URL segment
        "GOVNET_IPAM_SERVICE_NAME",  # a ClassVar, not a setting
        "GOVNET_DATABASE_URL",  # per service only
    ):
        assert wrong not in everything, wrong
    # per service: another service's variables are not read
    assert "GOVNET_IPAM_DATABASE_URL" not in accepted_env_names("gateway")
    assert "GOVNET_GATEWAY_UPSTREAM_IPAM" not in accepted_env_names("ipam")


# -- the compose file ---------------------------------------------------------------------------


def test_compose_runs_the_five_services_from_the_one_dockerfile() -> None:
    for name in SERVICE_NAMES:
        build = service(name).get("build")
        assert isinstance(build, dict), f"{name}: build should name the context and the Dockerfile"
        context = REPO_ROOT / build.get("context", ".")
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.resolve() == DOCKERFILE.resolve(), f"{name} is built from {dockerfile}"
    assert DOCKERFILE.is_file()


def test_compose_postgres_16_has_one_database_per_service() -> None:
    postgres = service("postgres")
    assert str(postgres["image"]).split(":")[0] == "postgres"
    assert str(postgres["image"]).split(":")[1].startswith("16")
    mounts = [str(v) for v in postgres.get("volumes", [])]
    init = [m for m in mounts if ":/docker-entrypoint-initdb.d/" in m]
    assert init, "the init script must be mounted into /docker-entrypoint-initdb.d"
    script = REPO_ROOT / init[0].split(":")[0]
    assert script.is_file(), f"{script} is missing"
    created = re.findall(r"CREATE\s+DATABASE\s+(\w+)", script.read_text(encoding="utf-8"), re.IGNORECASE)
    assert sorted(created) == sorted(SERVICE_NAMES)
    user = environment("postgres")["POSTGRES_USER"]
    for name in SERVICE_NAMES:
        url = urlsplit(interpolate(environment(name)[f"GOVNET_{name.upper()}_DATABASE_URL"]))
        assert url.scheme == "postgresql+psycopg"
        assert (url.hostname, url.port, url.path, url.username) == ("postgres", 5432, f"/{name}", user)
        assert url.password == interpolate(environment("postgres")["POSTGRES_PASSWORD"])


def test_compose_kafka_is_apache_kafka_in_kraft_mode() -> None:
    kafka = service("kafka")
    assert str(kafka["image"]).startswith("apache/kafka")
    env = environment("kafka")
    assert "KAFKA_PROCESS_ROLES" in env
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] in env["KAFKA_LISTENERS"]
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@kafka:")
    assert not any("ZOOKEEPER" in key for key in env)
    advertised = {urlsplit(listener).netloc for listener in env["KAFKA_ADVERTISED_LISTENERS"].split(",")}
    for name in SERVICE_NAMES:
        assert environment(name)["GOVNET_KAFKA_BOOTSTRAP"] in advertised, name
        assert environment(name)["GOVNET_KAFKA_IDEMPOTENT"] == "true", (
            "Apache Kafka supports the idempotent producer"
        )


def test_compose_every_container_has_a_healthcheck() -> None:
    for name in compose()["services"]:
        assert healthcheck_text(name), f"{name} has no healthcheck"
    for name in SERVICE_NAMES:
        text = healthcheck_text(name)
        port = DEFAULT_PORTS[name]
        assert environment(name)[f"GOVNET_{name.upper()}_PORT"] == str(port)
        assert f"http://127.0.0.1:{port}/healthz" in text, f"{name}: {text}"
        assert "urllib" in text and "curl" not in text, f"{name}: python:3.11-slim has no curl"


def test_compose_services_wait_for_healthy_dependencies() -> None:
    for name in SERVICE_NAMES:
        depends = service(name).get("depends_on")
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        for dependency in ("postgres", "kafka"):
            assert depends.get(dependency, {}).get("condition") == "service_healthy", (
                f"{name} -> {dependency}"
            )
    gateway_depends = service("gateway")["depends_on"]
    for name in SERVICE_NAMES:
        if name != "gateway":
            assert gateway_depends[name]["condition"] == "service_healthy"


def test_compose_only_the_gateway_publishes_a_port() -> None:
    publishing = sorted(name for name, spec in compose()["services"].items() if spec.get("ports"))
    assert publishing == ["gateway"]
    assert any(str(p).endswith(f":{DEFAULT_PORTS['gateway']}") for p in service("gateway")["ports"])


def test_compose_gateway_upstreams_point_at_the_services() -> None:
    env = environment("gateway")
    by_segment = {segment: name for name, segment in SEGMENTS.items() if name != "gateway"}
    for segment, name in by_segment.items():
        url = urlsplit(env[f"GOVNET_GATEWAY_UPSTREAM_{segment.upper()}"])
        aliases = {name}
        for network in (service(name).get("networks") or {}).values():
            aliases |= set((network or {}).get("aliases", []))
        assert url.hostname in aliases, f"upstream {segment} -> {url.hostname}, not a name of {name}"
        assert "_" not in (url.hostname or ""), "host names with '_' are not valid in URLs"
        assert url.port == DEFAULT_PORTS[name]


def test_compose_every_govnet_variable_is_a_settings_field() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    mentioned = set(GOVNET_NAME.findall(text))
    assert mentioned, "the compose file names no GOVNET_ variables at all"
    unknown = sorted(mentioned - accepted_env_names())
    assert not unknown, f"docker-compose.yml names variables no settings class reads: {unknown}"
    for name in SERVICE_NAMES:
        env = {key for key in environment(name) if key.startswith("GOVNET_")}
        wrong = sorted(env - accepted_env_names(name))
        assert not wrong, f"{name} does not read {wrong}"
        for required in ("GOVNET_KAFKA_BOOTSTRAP", "GOVNET_JWKS_URL", "GOVNET_JWT_ISSUER"):
            assert required in env, f"{name} lacks {required}"
        for own in ("HOST", "DATABASE_URL"):
            assert f"GOVNET_{name.upper()}_{own}" in env, f"{name} lacks GOVNET_{name.upper()}_{own}"
    gateway_env = environment("gateway")
    assert {f"GOVNET_GATEWAY_UPSTREAM_{SEGMENTS[n].upper()}" for n in SERVICE_NAMES if n != "gateway"} <= set(
        gateway_env
    )


def _render(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_compose_environment_reaches_the_settings(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Load each service's settings from its compose environment: every value lands in its field."""
    import os

    for key in list(os.environ):
        if key.upper().startswith("GOVNET_"):
            monkeypatch.delenv(key)
    env = {key: interpolate(value) for key, value in environment(name).items() if key.startswith("GOVNET_")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = settings_class(name)()
    fields = service_env_fields(name)
    suite_fields = {
        alias: field for field, info in SuiteSettings.model_fields.items() for alias in _alias_names(info)
    }
    for key, value in env.items():
        field = fields.get(key) or suite_fields.get(key)
        assert field, f"{name}: {key} is not a setting of {settings_class(name).__name__}"
        assert _render(getattr(settings, field)) == value, f"{name}: {key} -> {field}"
    assert settings.host == "0.0.0.0"
    assert settings.jwks_url == "http://gateway:8000/.well-known/jwks.json"
    assert settings.database_url.startswith("postgresql+psycopg://")


# -- the image and the commands -------------------------------------------------------------------


def test_dockerfile_entrypoint_is_the_govnet_cli() -> None:
    instructions = dockerfile_instructions()
    keywords = [k for k, _ in instructions]
    assert instructions[0] == ("FROM", "python:3.11-slim")
    entrypoint = [args for k, args in instructions if k == "ENTRYPOINT"]
    assert entrypoint and json.loads(entrypoint[-1]) == ["govnet"]
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^govnet\s*=\s*"services\.cli:app"', pyproject, re.MULTILINE), (
        "govnet must be the CLI script"
    )
    assert any(k == "RUN" and re.search(r"pip install (\S+ )*\.(\s|$)", args) for k, args in instructions)
    users = [args for k, args in instructions if k == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, "the image must run as a non-root user"
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    cmd = json.loads([args for k, args in instructions if k == "CMD"][-1])
    assert cmd[:2] == ["serve", "gateway"]


def test_compose_commands_name_real_govnet_services() -> None:
    click_app = typer.main.get_command(cli_app)
    commands = click_app.commands  # type: ignore[attr-defined]
    serve_options = {opt for param in commands["serve"].params for opt in getattr(param, "opts", [])}
    assert "--host" in serve_options
    for name in SERVICE_NAMES:
        text = command_text(name)
        calls = re.findall(r"\bgovnet\s+(\S+)\s+(\S+)", text)
        assert calls, f"{name}: no govnet command in {text!r}"
        for subcommand, argument in calls:
            assert subcommand in commands, f"{name}: 'govnet {subcommand}' is not a CLI command"
            assert argument in SERVICE_NAMES, f"{name}: {argument!r} is not a govnet service"
            assert argument == name, f"compose service {name} runs govnet {subcommand} {argument}"
        assert [c for c, _ in calls] == ["migrate", "serve"], f"{name}: migrate, then serve"
        assert "&&" in text, f"{name}: serve only after a successful migrate"
        assert re.search(rf"govnet serve {name} .*--host 0\.0\.0\.0", text)
        entrypoint = service(name).get("entrypoint")
        assert entrypoint in (["sh", "-c"], ["/bin/sh", "-c"]), f"{name}: the chained command needs a shell"


def test_compose_dockerignore_keeps_the_build_context_small() -> None:
    ignored = {
        line.strip() for line in (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    }
    assert {".git", ".venv", "var"} <= ignored
    assert not {"shared", "services", "pyproject.toml"} & ignored
    assert Path(REPO_ROOT / "deploy" / "postgres-init.sql").is_file()
