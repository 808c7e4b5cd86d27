"""N12 (Art. 9.3): anti-malware and central-monitoring heartbeats, pushed by agents or seen in syslog; the report of breaches."""

from __future__ import annotations

import io
import time
from datetime import date, timedelta
from typing import Any

from openpyxl import load_workbook

from tests.support import free_test_port

API = "/api/v1/devices"


def _device(client: Any, keys: Any, site: int, name: str, role: str, address: str) -> int:
    as_a = keys.headers("devices:read devices:write", org="org-a")
    body = {"site_id": site, "name": name, "role": role, "management_address": address, "status": "active"}
    r = client.post(f"{API}/devices", headers=as_a, json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_n12_heartbeats_syslog_and_the_art_9_3_report(db_url: str, make_client: Any, keys: Any) -> None:
    client = make_client(
        "devices",
        db_url,
        syslog_enabled=True,
        syslog_port=free_test_port(),
        syslog_sender_refresh_seconds=0.01,
        monitoring_signature_days=7,
        monitoring_heartbeat_hours=24,
    )
    as_a = keys.headers("devices:read devices:write", org="org-a")
    site = client.post(
        f"{API}/sites", headers=as_a, json={"agency_id": 1, "name": "Phòng máy", "room_type": "phong_may"}
    ).json()["id"]
    good = _device(client, keys, site, "srv-good", "server", "10.5.0.1")
    stale = _device(client, keys, site, "srv-stale", "server", "10.5.0.2")
    bare = _device(client, keys, site, "pc-bare", "workstation", "10.5.0.3")
    switch = _device(client, keys, site, "sw-syslog", "switch", "10.5.0.4")

    agent = keys.headers("devices:report", org="org-a")
    today = date.today().isoformat()
    r = client.post(
        f"{API}/{good}/heartbeat",
        headers=agent,
        json={"antimalware_product": "BKAV Pro", "antimalware_engine": "6.1", "signature_date": today},
    )
    assert (
        r.status_code == 200
        and r.json()["antimalware_product"] == "BKAV Pro"
        and r.json()["last_heartbeat_at"]
    )
    old = (date.today() - timedelta(days=30)).isoformat()
    assert (
        client.post(
            f"{API}/{stale}/heartbeat",
            headers=agent,
            json={"antimalware_product": "Kaspersky", "signature_date": old},
        ).status_code
        == 200
    )
    # a heartbeat without a body keeps what was reported before
    assert (
        client.post(f"{API}/{good}/heartbeat", headers=agent, json={}).json()["antimalware_product"]
        == "BKAV Pro"
    )
    assert (
        client.post(
            f"{API}/{good}/heartbeat", headers=keys.headers("devices:report", org="org-b"), json={}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{API}/{good}/heartbeat", headers=keys.headers("devices:read", org="org-a"), json={}
        ).status_code
        == 403
    )
    assert client.post(f"{API}/{good}/heartbeat", headers=agent, json={"virus": "x"}).status_code == 422
    assert client.post(f"{API}/999999/heartbeat", headers=agent, json={}).status_code == 404

    # the switch's own syslog is its heartbeat
    intake = client.app.state.syslog.intake
    time.sleep(0.02)
    now = time.time()
    intake.write([(b"<14>Jan  2 09:00:00 sw-syslog app: alive", "10.5.0.4", "udp", now)], now)

    report = client.get(f"{API}/reports/art-9-3", headers=keys.headers("devices:read", org="org-a")).json()
    got = {b["device_id"]: b["reasons"] for b in report["results"]}
    assert set(got) == {stale, bare}
    assert got[stale] == ["Mẫu nhận diện mã độc cũ hơn 7 ngày"]
    assert got[bare] == [
        "Không có phần mềm phòng chống mã độc",
        "Không có tín hiệu giám sát tập trung trong 24 giờ",
    ]
    assert good not in got and switch not in got
    assert report["signature_days"] == 7 and report["heartbeat_hours"] == 24
    stricter = client.get(f"{API}/reports/art-9-3", headers=as_a, params={"signature_days": 60}).json()
    assert {b["device_id"] for b in stricter["results"]} == {bare}
    assert (
        client.get(f"{API}/reports/art-9-3", headers=keys.headers("devices:read", org="org-b")).json()[
            "results"
        ]
        == []
    )

    csv = client.get(f"{API}/reports/art-9-3", headers=as_a, params={"format": "csv"})
    assert (
        csv.status_code == 200
        and "Vi phạm" in csv.content.decode("utf-8-sig")
        and "pc-bare" in csv.content.decode("utf-8-sig")
    )
    xlsx = client.get(f"{API}/reports/art-9-3", headers=as_a, params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and any(
        "srv-stale" in str(c) for row in sheet.iter_rows(values_only=True) for c in row if c
    )
