"""N11: security relevance and Alertmanager-style grouping, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime

from services.devices.syslog.parse import parse
from services.devices.syslog.security import Grouper, Occurrence, SecurityRules, classify
from services.devices.syslog.settings import DEFAULT_PATTERNS

RULES = SecurityRules.of(facilities=[4, 10, 13, 14], severity=4, patterns=DEFAULT_PATTERNS)
NOW = datetime(2026, 1, 2, tzinfo=UTC)


def _cat(raw: bytes) -> str | None:
    return classify(parse(raw, received=NOW), RULES)


def test_n11_security_relevance_by_pattern_facility_and_severity() -> None:
    assert _cat("<14>Jan  2 09:00:00 host sshd: Cảnh báo đăng nhập thất bại".encode()) == "failed_login"
    assert (
        _cat(b"<30>Jan  2 09:00:00 sw1 sshd[7]: Failed password for root from 10.0.0.9 port 5022")
        == "failed_login"
    )
    assert (
        _cat(b"<189>52: *Mar  1 00:01:02: %SYS-5-CONFIG_I: Configured from console by vty0")
        == "config_change"
    )
    assert (
        _cat(b"<187>Jan  2 09:00:00 sw1 %LINK-3-UPDOWN: Interface Gi0/1, changed state to down")
        == "interface_flap"
    )
    assert _cat(b"<86>Jan  2 09:00:00 host cron[1]: session opened") == "facility"  # authpriv (10), info
    assert _cat(b"<12>Jan  2 09:00:00 host kernel: disk almost full") == "severity"  # user.warning
    assert _cat(b"<14>Jan  2 09:00:00 host app: all is well") is None  # user.info
    assert _cat(b"no pri, nothing matches") is None


def _occ(msg: str, at: float, sender: str = "10.0.0.1") -> Occurrence:
    return Occurrence(sender, 1, "org-a", "failed_login", 4, 4, "sshd", msg, at)


def test_n11_a_burst_of_the_same_message_is_one_event_with_a_count() -> None:
    g = Grouper(wait=10, interval=60)
    for i in range(500):
        g.add(_occ(f"Failed password for root port {5000 + i}", at=100 + i * 0.01), now=100 + i * 0.01)
    assert g.due(now=105) == []  # still within group_wait
    (report,) = g.due(now=110)
    assert report.count == 500 and report.first_at == 100 and report.first.message.endswith("port 5000")
    assert g.due(now=111) == []


def test_n11_group_interval_reports_again_only_with_new_messages_then_forgets() -> None:
    g = Grouper(wait=10, interval=60)
    g.add(_occ("x", at=0), now=0)
    assert [r.count for r in g.due(now=10)] == [1]
    g.add(_occ("x", at=20), now=20)
    g.add(_occ("x", at=30), now=30)
    assert g.due(now=69) == []  # next report at 10 + 60
    assert [r.count for r in g.due(now=70)] == [2]
    assert g.due(now=130) == [] and g.groups == {}  # a quiet interval ends the group
    g.add(_occ("x", at=131), now=131)
    assert g.due(now=135) == [] and [r.count for r in g.due(now=141)] == [1]  # a new burst waits again


def test_n11_different_senders_or_messages_are_different_groups() -> None:
    g = Grouper(wait=0, interval=60)
    g.add(_occ("Failed password", at=0, sender="10.0.0.1"), now=0)
    g.add(_occ("Failed password", at=0, sender="10.0.0.2"), now=0)
    g.add(_occ("Invalid user admin", at=0, sender="10.0.0.1"), now=0)
    assert sorted(r.count for r in g.due(now=0)) == [1, 1, 1]


def test_n11_flush_reports_everything_pending() -> None:
    g = Grouper(wait=10, interval=60)
    g.add(_occ("x", at=0), now=0)
    assert [r.count for r in g.flush()] == [1]
