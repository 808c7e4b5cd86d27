"""``govnet backup ngo_registry`` and ``govnet restore PATH`` (G18)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the backup and restore commands to the ``govnet`` CLI."""

    @app.command("backup")
    def backup_command(
        service: Annotated[str, typer.Argument(help="The service to back up: ngo_registry")] = "ngo_registry",
        keep: Annotated[int | None, typer.Option(help="Backups to keep (default: settings.backup_keep, 8)")] = None,
        database_url: Annotated[str | None, typer.Option(help="Back up this database instead of the configured one")] = None,
    ) -> None:
        """Write a consistent backup (SQLite online backup or pg_dump) with the raw files to var/backups/."""
        from services.ngo_registry.backup import service as backup
        from services.ngo_registry.settings import NgoRegistrySettings

        if service != "ngo_registry":
            raise typer.BadParameter(f"backups are implemented for ngo_registry, not '{service}'")
        settings = NgoRegistrySettings()
        try:
            result = backup.backup(database_url=database_url or settings.database_url, raw_dir=settings.raw_dir, backup_dir=settings.backup_dir, keep=keep or settings.backup_keep)
        except backup.BackupError as exc:
            typer.echo(f"backup failed: {exc}", err=True)
            raise typer.Exit(1) from None
        rows = sum(t["rows"] for t in result.manifest["tables"].values())
        typer.echo(f"backup written: {result.path} ({rows} rows, {len(result.manifest['raw_files'])} raw files)")
        for old in result.removed:
            typer.echo(f"removed old backup: {old}")

    @app.command("restore")
    def restore_command(
        path: Annotated[Path, typer.Argument(help="A backup directory written by 'govnet backup'")],
        database_url: Annotated[str | None, typer.Option(help="Restore into this database instead of the configured one")] = None,
        raw_dir: Annotated[Path | None, typer.Option(help="Where to put the raw files (default: the service's)")] = None,
    ) -> None:
        """Restore a backup into the configured database (or --database-url) and verify it."""
        from services.ngo_registry.backup import service as backup
        from services.ngo_registry.settings import NgoRegistrySettings

        settings = NgoRegistrySettings()
        try:
            result = backup.restore(path=path, database_url=database_url or settings.database_url, raw_dir=raw_dir or settings.raw_dir)
        except backup.BackupError as exc:
            typer.echo(f"restore failed: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(json.dumps({"restored_from": result["restored_from"], "raw_files": result["raw_files"], "rows": {k: v["rows"] for k, v in result["tables"].items()}}, ensure_ascii=False))
