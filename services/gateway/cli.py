"""Operator commands: ``govnet user create``, ``govnet client create``, ``govnet keys rotate``."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer
from argon2 import PasswordHasher

from services.gateway.access.service import (
    active_grants,
    create_grant,
    ensure_operator_grant,
    ensure_organisation,
)
from services.gateway.audit.writer import AuditWriter
from services.gateway.clients.service import create_client
from services.gateway.identity.service import create_user, make_hasher
from services.gateway.keys import rotate_signing_key
from services.gateway.models import utcnow
from services.gateway.rules import PasswordRules
from services.gateway.settings import GatewaySettings
from shared.db import Database
from shared.errors import DomainError


def _context() -> tuple[GatewaySettings, Database]:
    settings = GatewaySettings()
    return settings, Database(settings.database_url, pool_size=1)


def _hasher(settings: GatewaySettings) -> PasswordHasher:
    return make_hasher(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib,
                       parallelism=settings.argon2_parallelism)


def register(app: typer.Typer) -> None:
    """Add the gateway's command groups to ``govnet``."""
    user_app = typer.Typer(help="People's accounts at the gateway.", no_args_is_help=True)
    client_app = typer.Typer(help="System clients (OAuth2 client credentials).", no_args_is_help=True)
    keys_app = typer.Typer(help="Token signing keys.", no_args_is_help=True)
    app.add_typer(user_app, name="user")
    app.add_typer(client_app, name="client")
    app.add_typer(keys_app, name="keys")

    @user_app.command("create")
    def user_create(
        username: Annotated[str, typer.Option(prompt=True, help="User name")],
        password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password (N10 rules)")],
        admin: Annotated[bool, typer.Option("--admin", help="Administrator (gateway:admin)")] = False,
        org: Annotated[str | None, typer.Option(help="Organisation id or name (not for --admin)")] = None,
        full_name: Annotated[str, typer.Option(help="Full name")] = "",
        must_change: Annotated[bool, typer.Option(help="Force a change at first login")] = True,
    ) -> None:
        """Create a person's account."""
        settings, database = _context()
        audit = AuditWriter(database)
        try:
            with database.transaction() as session:
                if admin:
                    organisation, _ = ensure_operator_grant(session=session)
                elif org:
                    organisation = ensure_organisation(session=session, ref=org)
                else:
                    raise typer.BadParameter("give --org, or --admin")
                user = create_user(session=session, hasher=_hasher(settings), rules=PasswordRules(),
                                   username=username, password=password, org_id=organisation.id,
                                   full_name=full_name, is_admin=admin, must_change=must_change)
            audit.record("user_created", actor="cli", org=user.org_id, detail={"username": username, "admin": admin})
            audit.flush()
        except DomainError as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(1) from None
        finally:
            database.dispose()
        typer.echo(f"created user {username}{' (administrator)' if admin else ''}")

    @client_app.command("create")
    def client_create(
        name: Annotated[str, typer.Option(help="Client name")],
        org: Annotated[str, typer.Option(help="Organisation id or name (created when missing)")],
        scope: Annotated[str, typer.Option(help='Scopes the client needs, e.g. "ipam:read ipam:write"')] = "",
        days: Annotated[int, typer.Option(help="Validity of a grant created for missing scopes")] = 365,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    ) -> None:
        """Create a client; prints its secret once. Missing scopes are granted to the organisation."""
        settings, database = _context()
        audit = AuditWriter(database)
        try:
            with database.transaction() as session:
                organisation = ensure_organisation(session=session, ref=org)
                wanted = scope.split()
                held = {s for g in active_grants(session=session, org_id=organisation.id) for s in g.scopes}
                missing = sorted(set(wanted) - held)
                grant_id = None
                if missing:
                    now = utcnow()
                    grant = create_grant(session=session, org_id=organisation.id, scopes=missing,
                                         valid_from=now, valid_until=now + timedelta(days=days))
                    grant_id = grant.id
                client, secret = create_client(session=session, hasher=_hasher(settings), name=name,
                                               org_id=organisation.id)
            audit.record("client_created", actor="cli", org=organisation.id, client_id=client.client_id,
                         grant_id=grant_id, detail={"scopes": wanted})
            audit.flush()
        except DomainError as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(1) from None
        finally:
            database.dispose()
        out = {"client_id": client.client_id, "client_secret": secret, "org_id": organisation.id, "scope": " ".join(wanted),
               "grant_id": grant_id}
        if as_json:
            typer.echo(json.dumps(out))
        else:
            typer.echo(f"client_id:     {client.client_id}\nclient_secret: {secret}  (shown once)")

    @keys_app.command("rotate")
    def keys_rotate() -> None:
        """Add a new signing key; the old one stays published until its tokens have expired."""
        _, database = _context()
        audit = AuditWriter(database)
        try:
            with database.transaction() as session:
                key = rotate_signing_key(session=session)
            audit.record("key_rotated", actor="cli", detail={"kid": key.kid})
            audit.flush()
        finally:
            database.dispose()
        typer.echo(f"new signing key {key.kid}")
