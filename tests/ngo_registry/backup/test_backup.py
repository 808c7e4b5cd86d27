"""Backups (G18, G10): CLI backup with raw files, restore into a fresh database, retention, schedule; demo data."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from services.cli import app as cli
from services.ngo_registry.backup import service as backup
from shared import migrations
from tests.conftest import POSTGRES_URL, wait_until
from tests.ngo_registry.helpers import ADMIN, BASE, create, red_cross, simple
from tests.support import create_scratch_database, drop_scratch_database


def test_g18_backup_includes_raw_files_and_restores_into_a_fresh_database(db_url, db_backend, make_client, keys, tmp_path, monkeypatch) -> None:
    var = tmp_path / "var"
    client = make_client("ngo_registry", db_url, var_dir=var, backup_schedule_enabled=False)
    aid = create(client, keys, red_cross())["id"]
    create(client, keys, simple("Hội Tin học Việt Nam"))
    raw = b'{"office_phone": "024 1111"}'
    sub = client.post(f"{BASE}/submissions", content=raw, headers={**keys.headers("ngo:submit", org=str(aid)), "content-type": "application/json"}).json()
    monkeypatch.setenv("GOVNET_VAR_DIR", str(var))
    monkeypatch.setenv("GOVNET_NGO_REGISTRY_DATABASE_URL", db_url)
    done = CliRunner().invoke(cli, ["backup", "ngo_registry"])
    assert done.exit_code == 0, done.output
    backups = backup.list_backups(var / "backups")
    assert len(backups) == 1
    manifest = json.loads((backups[0] / "manifest.json").read_text())
    assert manifest["tables"]["association"]["rows"] == 2
    assert (backups[0] / "raw" / sub["raw_sha256"][:2] / sub["raw_sha256"]).read_bytes() == raw

    fresh = f"sqlite:///{tmp_path / 'restored.db'}" if db_backend == "sqlite" else create_scratch_database(POSTGRES_URL or "", "govnet_test")
    try:
        restored_raw = tmp_path / "restored_raw"
        done = CliRunner().invoke(cli, ["restore", str(backups[0]), "--database-url", fresh, "--raw-dir", str(restored_raw)])
        assert done.exit_code == 0, done.output
        source, copy = backup.table_fingerprints(db_url), backup.table_fingerprints(fresh)
        assert source == copy  # row counts and checksums of every table, on both databases
        assert copy["association"]["rows"] == 2 and copy["submission"]["rows"] == 1
        assert (restored_raw / sub["raw_sha256"][:2] / sub["raw_sha256"]).read_bytes() == raw
        migrations.upgrade("ngo_registry", fresh)  # the restored database is at head
        restored_client = make_client("ngo_registry", fresh, var_dir=tmp_path / "var2", backup_schedule_enabled=False)
        hits = restored_client.get(f"{BASE}/associations", params={"q": "hoi chu thap do"}, headers=keys.headers(ADMIN)).json()
        assert hits["count"] == 1  # the search index came back too
    finally:
        if db_backend == "postgres":
            drop_scratch_database(POSTGRES_URL or "", fresh)


def test_g18_keeps_the_newest_n_backups_and_refuses_a_damaged_one(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'ngo.db'}"
    migrations.upgrade("ngo_registry", url)
    made = [backup.backup(database_url=url, raw_dir=tmp_path / "raw", backup_dir=tmp_path / "b", keep=2).path for _ in range(3)]
    assert backup.list_backups(tmp_path / "b") == made[1:]
    snapshot = made[-1] / "database.sqlite3"
    snapshot.write_bytes(snapshot.read_bytes()[:-10] + b"0" * 10)
    try:
        backup.restore(path=made[-1], database_url=f"sqlite:///{tmp_path / 'x.db'}", raw_dir=tmp_path / "r")
    except backup.BackupError as exc:
        assert "damaged" in str(exc)
    else:
        raise AssertionError("a damaged backup was restored")


def test_g10_weekly_backup_is_scheduled_while_the_service_runs(tmp_path, make_client) -> None:
    db = f"sqlite:///{tmp_path / 'ngo.db'}"
    var = tmp_path / "var"
    make_client("ngo_registry", db, var_dir=var, backup_interval_seconds=0.3)
    wait_until(lambda: len(backup.list_backups(var / "backups")) >= 2, timeout=20)


def test_demo_data_loads_once_with_overdue_congresses(tmp_path, make_client, keys) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    client = make_client("ngo_registry", db, load_demo_data=True, backup_schedule_enabled=False)
    h = keys.headers(ADMIN)
    page = client.get(f"{BASE}/associations", params={"limit": 1}, headers=h).json()
    assert page["count"] == 200
    assert client.get(f"{BASE}/public/associations", params={"q": "hoi chu thap do viet nam"}).json()["results"][0]["name_vi"] == "Hội Chữ thập đỏ Việt Nam"
    overdue = client.get(f"{BASE}/lists/congress-tracking", params={"min_level": 2}, headers=h).json()
    assert overdue["count"] >= 20
    everything = client.get(f"{BASE}/associations", params={"limit": 200}, headers=h).json()["results"]
    scopes = {i["scope"]["code"] for i in everything}
    assert scopes == {"ca_nuoc", "lien_tinh", "tinh", "huyen", "xa"}
    names = [i["name_vi"] for i in everything]
    assert len(set(names)) == 200 and names.count("Liên đoàn Bóng đá Việt Nam") == 1  # G17: every name its own
    again = make_client("ngo_registry", db, load_demo_data=True, backup_schedule_enabled=False)
    assert again.get(f"{BASE}/associations", params={"limit": 1}, headers=h).json()["count"] == 200
    assert Path(db.removeprefix("sqlite:///")).exists()


def test_g17_demo_data_loads_under_the_decree_126_name_rule(tmp_path, make_client, keys) -> None:
    db = f"sqlite:///{tmp_path / 'demo126.db'}"
    client = make_client("ngo_registry", db, load_demo_data=True, backup_schedule_enabled=False, rule_set="decree_126_2024")
    assert client.get(f"{BASE}/associations", params={"limit": 1}, headers=keys.headers(ADMIN)).json()["count"] == 200
