"""``govnet``: the operator's command line (typer).

``govnet up`` runs the whole suite; ``broker``, ``serve`` and ``migrate`` run one part.
Services may add their own commands with a ``register(app)`` function in ``services/<name>/cli.py``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from typing import Annotated

import typer

from shared.broker import broker_command, port_in_use, start_broker, wait_for_port
from shared.config import ALL_TOPICS, SERVICE_NAMES, ServiceSettings, SuiteSettings
from shared.events.kafka import ensure_topics

app = typer.Typer(help="GovNet: run and operate the suite.", no_args_is_help=True, add_completion=False)

ServiceArg = Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICE_NAMES)}")]


def _check_service(name: str) -> str:
    if name not in SERVICE_NAMES:
        raise typer.BadParameter(f"unknown service '{name}'; choose one of {', '.join(SERVICE_NAMES)}")
    return name


def settings_for(service: str) -> ServiceSettings:
    """The settings object of ``service`` (read from the environment)."""
    module = importlib.import_module(f"services.{service}.settings")
    cls: type[ServiceSettings] = next(
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings
    )
    return cls()


@app.command()
def broker(
    host: Annotated[str, typer.Option(help="Listen address (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Kafka port")] = 9092,
) -> None:
    """Run the embedded Kafka-compatible broker (tansu) in the foreground."""
    cmd = broker_command(host, port)
    typer.echo(f"broker listening on {host}:{port}", err=True)
    os.execv(cmd[0], cmd)


@app.command()
def serve(
    service: ServiceArg,
    host: Annotated[str | None, typer.Option(help="Listen address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Serve one service with uvicorn."""
    import uvicorn

    name = _check_service(service)
    settings = settings_for(name)
    module = importlib.import_module(f"services.{name}.app")
    application = module.create_app(settings, configure_logs=True)
    uvicorn.run(
        application,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
    )


@app.command()
def migrate(
    service: Annotated[str, typer.Argument(help="A service, or 'all'")] = "all",
    revision: Annotated[str, typer.Option(help="Target revision")] = "head",
    autogenerate: Annotated[str | None, typer.Option(help="Write a new revision with this message instead")] = None,
) -> None:
    """Apply migrations (or, with --autogenerate, write a new revision)."""
    from shared import migrations

    names = SERVICE_NAMES if service == "all" else (_check_service(service),)
    for name in names:
        url = settings_for(name).database_url
        if autogenerate:
            migrations.autogenerate(name, url, autogenerate)
        else:
            migrations.upgrade(name, url, revision)
            typer.echo(f"{name}: migrated to {revision}")


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="Load demo data once")] = True,
) -> None:
    """Start the broker (unless GOVNET_KAFKA_BOOTSTRAP names one) and all five services."""
    suite = SuiteSettings()
    suite.var_dir.mkdir(parents=True, exist_ok=True)
    (suite.var_dir / "log").mkdir(exist_ok=True)
    children: list[subprocess.Popen[bytes]] = []
    env = {**os.environ, "GOVNET_LOAD_DEMO_DATA": "true" if demo else "false"}

    def stop_all(*_: object) -> None:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        if "GOVNET_KAFKA_BOOTSTRAP" not in os.environ:
            host, _, port = suite.kafka_bootstrap.rpartition(":")
            if port_in_use(host, int(port)):
                typer.echo(f"a broker already listens on {suite.kafka_bootstrap}; using it", err=True)
            else:
                children.append(start_broker(host, int(port), log_path=suite.var_dir / "log" / "broker.log"))
        # create every topic once, up front, with the configured partitions (see shared/events)
        asyncio.run(ensure_topics(suite, ALL_TOPICS))
        subprocess.run([sys.executable, "-m", "services.cli", "migrate", "all"], check=True, env=env)
        for name in SERVICE_NAMES:
            children.append(subprocess.Popen([sys.executable, "-m", "services.cli", "serve", name], env=env))
        for name in SERVICE_NAMES:
            settings = settings_for(name)
            wait_for_port(settings.host, settings.port, timeout=60, proc=children[-len(SERVICE_NAMES) + SERVICE_NAMES.index(name)])
        typer.echo("\nGovNet is running:")
        for name in SERVICE_NAMES:
            settings = settings_for(name)
            typer.echo(f"  {name:<13} http://{settings.host}:{settings.port}  (docs: /docs)")
        typer.echo(f"  broker        {suite.kafka_bootstrap}")
        credentials = suite.var_dir / "admin-credentials.json"
        if credentials.exists():
            admin = json.loads(credentials.read_text())
            typer.echo(
                f"\nAdministrator (generated on the first run; the password must be changed at first login): "
                f"{admin['username']} / {admin['password']}\n  (kept in {credentials}, readable by you only)"
            )
        typer.echo("Press Ctrl-C to stop.\n")
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        failed = [c.args for c in children if c.poll() is not None]
        typer.echo(f"a child process exited: {failed}; stopping", err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        typer.echo("\nstopping…", err=True)
    finally:
        stop_all()


def _register_service_commands() -> None:
    for name in SERVICE_NAMES:
        try:
            module = importlib.import_module(f"services.{name}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"services.{name}.cli":
                raise
            continue
        module.register(app)


_register_service_commands()


if __name__ == "__main__":
    app()
