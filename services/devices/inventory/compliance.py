"""Compliance of terminal equipment with the minimum of the rule set in force (N13, N14): pure functions.

Every rule answers ``pass``, ``fail`` or ``unknown`` (the inventory does not know the fact yet)
with its legal basis. The port minimum comes from the selected rule set (the seed's Appendix or
Circular 06/2026/TT-BKHCN); the rest is the seed's Appendix under both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.devices import rules
from shared.legal import LegalBasis

INSECURE = frozenset({"telnet", "http"})


class Outcome(StrEnum):
    passed = "pass"
    failed = "fail"
    unknown = "unknown"


@dataclass(frozen=True)
class Facts:
    """What the inventory knows about a device, its site and its latest environment reading."""

    access_level: str = "II"
    lan_ports: int | None = None
    wan_ports: int | None = None
    snmp_v2c: bool | None = None
    snmp_v3: bool | None = None
    syslog: bool | None = None
    ipv6: bool | None = None
    management_protocols: Sequence[str] = ()
    room_type: str | None = None
    ups_present: bool | None = None
    temperature_c: float | None = None
    humidity_pct: float | None = None


@dataclass(frozen=True)
class Check:
    """One rule's verdict on one device."""

    code: str
    title: str
    outcome: Outcome
    detail: str
    basis: LegalBasis


def _flag(value: bool | None) -> Outcome:
    return Outcome.unknown if value is None else (Outcome.passed if value else Outcome.failed)


def _within(value: float | None, bounds: tuple[float, float]) -> Outcome:
    if value is None:
        return Outcome.unknown
    return Outcome.passed if bounds[0] <= value <= bounds[1] else Outcome.failed


def ports(facts: Facts, *, ruleset: str) -> Check:
    """At least the rule set's LAN and WAN ports for the device's access level."""
    param = rules.TERMINAL_PORTS[ruleset][facts.access_level]
    lan, wan = param.value
    if facts.lan_ports is None or facts.wan_ports is None:
        outcome = Outcome.unknown
    else:
        outcome = Outcome.passed if facts.lan_ports >= lan and facts.wan_ports >= wan else Outcome.failed
    detail = f"cần ≥ {lan} LAN + {wan} WAN; có {facts.lan_ports} LAN + {facts.wan_ports} WAN"
    return Check("ports", "Số lượng cổng kết nối", outcome, detail, param.basis)


def snmp(facts: Facts) -> Check:
    """SNMP (v2c or v3) supported."""
    known = [v for v in (facts.snmp_v2c, facts.snmp_v3) if v is not None]
    outcome = _flag(any(known) if known else None)
    if outcome is Outcome.failed and len(known) < 2:
        outcome = Outcome.unknown  # one version known absent, the other not known
    return Check("snmp", "Hỗ trợ giám sát SNMP", outcome, "SNMP v2c hoặc v3", rules.TERMINAL_SNMP.basis)


def secure_management(facts: Facts) -> Check:
    """Configuration managed with authentication and encryption only (SSH, HTTPS, SNMPv3 authPriv)."""
    enabled = set(facts.management_protocols)
    if not enabled:
        outcome = Outcome.unknown
    elif enabled & INSECURE or not enabled & rules.TERMINAL_SECURE_MANAGEMENT.value:
        outcome = Outcome.failed
    else:
        outcome = Outcome.passed
    insecure = ", ".join(sorted(enabled & INSECURE))
    detail = f"giao thức không mã hoá đang bật: {insecure}" if insecure else "SSH/HTTPS/SNMPv3 authPriv"
    return Check("secure_management", "Quản trị cấu hình có xác thực và mã hoá", outcome, detail,
                 rules.TERMINAL_SECURE_MANAGEMENT.basis)


def environment(facts: Facts) -> list[Check]:
    """Temperature and humidity of the latest reading within the room type's ranges."""
    if facts.room_type not in rules.ENVIRONMENT:
        basis = rules.ENVIRONMENT["phong_may"].basis
        return [Check("temperature", "Nhiệt độ", Outcome.unknown, "chưa rõ loại phòng", basis),
                Check("humidity", "Độ ẩm", Outcome.unknown, "chưa rõ loại phòng", basis)]
    param = rules.ENVIRONMENT[facts.room_type]
    (t_lo, t_hi), (h_lo, h_hi) = param.value
    return [
        Check("temperature", "Nhiệt độ", _within(facts.temperature_c, (t_lo, t_hi)),
              f"{t_lo:g}–{t_hi:g} °C; đo được {facts.temperature_c}", param.basis),
        Check("humidity", "Độ ẩm", _within(facts.humidity_pct, (h_lo, h_hi)),
              f"{h_lo:g}–{h_hi:g} %; đo được {facts.humidity_pct}", param.basis),
    ]


def evaluate(facts: Facts, *, ruleset: str) -> list[Check]:
    """Every rule of ``ruleset`` on ``facts``, in the Appendix's order."""
    return [
        ports(facts, ruleset=ruleset),
        snmp(facts),
        Check("syslog", "Hỗ trợ Logs/Syslog", _flag(facts.syslog), "Syslog", rules.TERMINAL_SYSLOG.basis),
        Check("ipv6", "Hỗ trợ IPv6", _flag(facts.ipv6), "IPv6", rules.TERMINAL_IPV6.basis),
        secure_management(facts),
        *environment(facts),
        Check("ups", "Nguồn điện có UPS", _flag(facts.ups_present), "thiết bị lưu điện", rules.TERMINAL_UPS.basis),
    ]


def out_of_range(room_type: str, *, temperature_c: float | None, humidity_pct: float | None,
                 ups_on_mains: bool | None) -> list[str]:
    """The readings outside the room type's ranges (and a UPS running on battery)."""
    found = [c.code for c in environment(Facts(room_type=room_type, temperature_c=temperature_c,
                                                humidity_pct=humidity_pct)) if c.outcome is Outcome.failed]
    if ups_on_mains is False:
        found.append("ups_on_battery")
    return found


def summary(checks: Sequence[Check]) -> Outcome:
    """``fail`` when any rule fails, else ``unknown`` when any is unknown, else ``pass``."""
    outcomes = {c.outcome for c in checks}
    if Outcome.failed in outcomes:
        return Outcome.failed
    return Outcome.unknown if Outcome.unknown in outcomes else Outcome.passed
