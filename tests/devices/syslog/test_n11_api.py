"""N11: the stored syslog and the security-event feed over HTTP: filters, paging, exports, scoping, retention, SSE."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from openpyxl import load_workbook

from tests.support import free_test_port, wait_until

API = "/api/v1/devices"
ADMIN = "devices:read devices:admin"


def _client(make_client: Any, db_url: str, keys: Any, **overrides: Any) -> tuple[Any, Any]:
    settings: dict[str, Any] = {
        "syslog_enabled": True,
        "syslog_port": free_test_port(),
        "syslog_group_wait": 0.0,
    }
    settings.update(overrides)
    client = make_client("devices", db_url, **settings)
    client.headers.update(keys.headers(ADMIN))
    return client, client.app.state.syslog.intake


def _feed(intake: Any, *lines: tuple[bytes, str], at: float | None = None) -> None:
    now = time.time() if at is None else at
    intake.write([(data, sender, "udp", now) for data, sender in lines], now)


CORPUS = [
    (b"<38>Jan  2 09:00:00 sw1 sshd[11]: Failed password for root from 10.9.9.9 port 5022", "10.0.0.1"),
    ("<14>1 2026-01-02T09:00:01+07:00 sw1 app - - - Thông báo bình thường".encode(), "10.0.0.1"),
    (b"<187>Jan  2 09:00:02 rt2 %LINK-3-UPDOWN: Interface Gi0/1, changed state to down", "10.0.0.2"),
    (b"<165>1 - - - - - - =cmd|' /C calc'!A0", "10.0.0.3"),
]


def test_n11_syslog_list_filters_and_paging(db_url: str, make_client: Any, keys: Any) -> None:
    client, intake = _client(make_client, db_url, keys)
    _feed(intake, *CORPUS)
    get = lambda **p: client.get(f"{API}/syslog", params=p)  # noqa: E731
    assert get().json()["count"] == 4
    assert [r["severity"] for r in get(max_severity=3).json()["results"]] == [3]
    assert get(severity=6).json()["count"] == 2 and get(facility=23).json()["count"] == 1
    assert get(sender="10.0.0.1").json()["count"] == 2
    assert [r["message"] for r in get(text="BÌNH THƯỜNG".lower()).json()["results"]] == [
        "Thông báo bình thường"
    ]
    assert get(text="100%_").json()["count"] == 0  # LIKE wildcards are literal
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert get(since=future).json()["count"] == 0 and get(until=future).json()["count"] == 4
    assert get(unknown=True).json()["count"] == 4 and get(unknown=False).json()["count"] == 0
    assert get(device_id=2**63 - 1).json()["count"] == 0  # the largest id is a plain no-match
    page = get(limit=3).json()
    assert len(page["results"]) == 3 and page["next"] and "offset=3" in page["next"]
    assert get(limit=3, offset=3).json()["previous"]
    for bad in (
        {"severity": 8},
        {"facility": -1},
        {"device_id": 0},
        {"since": "yesterday"},
        {"text": "x" * 201},
    ):
        assert get(**bad).status_code == 422


def test_n11_unknown_senders_are_listed(db_url: str, make_client: Any, keys: Any) -> None:
    client, intake = _client(make_client, db_url, keys)
    _feed(intake, *CORPUS)
    page = client.get(f"{API}/syslog/senders", params={"unknown": True}).json()
    assert page["count"] == 3
    assert [(s["sender"], s["messages"], s["known"]) for s in page["results"]] == [
        ("10.0.0.1", 2, False),
        ("10.0.0.2", 1, False),
        ("10.0.0.3", 1, False),
    ]


def test_n11_an_agency_token_sees_only_its_devices_messages(db_url: str, make_client: Any, keys: Any) -> None:
    client, intake = _client(make_client, db_url, keys)
    _feed(intake, *CORPUS)
    agency = keys.headers("devices:read", org="org-a")
    assert (
        client.get(f"{API}/syslog", headers=agency).json()["count"] == 0
    )  # unknown senders belong to no agency
    assert client.get(f"{API}/syslog/senders", headers=agency).json()["count"] == 0
    assert client.get(f"{API}/security-events", headers=agency).json()["count"] == 0
    assert client.get(f"{API}/syslog", headers=keys.headers("devices:read", org=None)).json()["count"] == 0
    assert client.get(f"{API}/syslog", headers=keys.headers("ipam:read")).status_code == 403
    assert client.get(f"{API}/syslog", headers={"Authorization": ""}).status_code == 401


def test_n11_syslog_export_csv_and_xlsx_neutralise_formulas(db_url: str, make_client: Any, keys: Any) -> None:
    client, intake = _client(make_client, db_url, keys)
    _feed(intake, *CORPUS)
    csv = client.get(f"{API}/syslog/export", params={"format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert "Nội dung" in body and "Thông báo bình thường" in body and "'=cmd" in body
    xlsx = client.get(f"{API}/syslog/export", params={"format": "xlsx", "sender": "10.0.0.2"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("changed state to down" in str(v) for v in values)
    assert client.get(f"{API}/syslog/export", params={"format": "pdf"}).status_code == 422


def test_n11_security_events_feed_and_stream(db_url: str, make_client: Any, keys: Any) -> None:
    client, intake = _client(make_client, db_url, keys)
    _feed(intake, *CORPUS)
    events = client.get(f"{API}/security-events").json()
    assert sorted(e["category"] for e in events["results"]) == ["failed_login", "interface_flap"]
    assert (
        client.get(f"{API}/security-events", params={"category": "interface_flap"}).json()["results"][0][
            "sender"
        ]
        == "10.0.0.2"
    )
    with client.stream("GET", f"{API}/security-events/stream", params={"after": 0, "seconds": 1}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    assert text.count("event: security") == 2 and "failed_login" in text
    last = max(e["id"] for e in events["results"])
    with client.stream(
        "GET", f"{API}/security-events/stream", params={"seconds": 0.5}, headers={"Last-Event-ID": str(last)}
    ) as r:
        assert "event: security" not in "".join(r.iter_text())


def test_n11_retention_purges_old_messages_and_events(db_url: str, make_client: Any, keys: Any) -> None:
    client, intake = _client(make_client, db_url, keys, syslog_retention_days=180)
    old = time.time() - 181 * 86400
    _feed(intake, CORPUS[0], at=old)
    _feed(intake, CORPUS[1])
    assert client.get(f"{API}/syslog").json()["count"] == 2
    assert intake.purge() == 1
    rows = client.get(f"{API}/syslog").json()["results"]
    assert [r["message"] for r in rows] == ["Thông báo bình thường"]
    assert client.get(f"{API}/security-events").json()["count"] == 0


def test_n11_the_periodic_purge_runs_by_itself(db_url: str, make_client: Any, keys: Any) -> None:
    client, intake = _client(make_client, db_url, keys, syslog_retention_days=1, syslog_purge_seconds=0.3)
    _feed(intake, CORPUS[1], at=time.time() - 2 * 86400)
    _feed(intake, CORPUS[1])
    wait_until(lambda: client.get(f"{API}/syslog").json()["count"] == 1, timeout=10)


def test_n11_hostile_filters_are_never_a_5xx(db_url: str, make_client: Any, keys: Any) -> None:
    client, intake = _client(make_client, db_url, keys)
    _feed(intake, *CORPUS)
    hostile: list[dict[str, Any]] = [
        {"since": "2026-01-01T00:00:00"},  # no zone: read as UTC
        {"until": "9999-12-31T23:59:59+14:00"},
        {"since": "0001-01-01T00:00:00-12:00"},
        {"text": "a\x00b"},
        {"text": "%' OR 1=1 --"},
        {"sender": "\x00"},
        {"agency": "\u202e\x00"},
        {"max_severity": 7, "offset": 2**63 - 1},
    ]
    for params in hostile:
        for path in ("/syslog", "/syslog/export", "/security-events", "/syslog/senders"):
            r = client.get(f"{API}{path}", params=params)
            assert r.status_code < 500, (path, params, r.status_code, r.text)
    assert client.get(f"{API}/syslog", params={"since": "2026-01-01T00:00:00"}).json()["count"] == 4
