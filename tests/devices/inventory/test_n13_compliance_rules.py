"""N13/N14: the terminal minimum and environment rules as pure functions, under both rule sets."""

from __future__ import annotations

from services.devices import rules
from services.devices.inventory.compliance import Facts, Outcome, evaluate, out_of_range, summary

GOOD = Facts(
    access_level="II", lan_ports=2, wan_ports=1, snmp_v2c=True, snmp_v3=False, syslog=True, ipv6=True,
    management_protocols=("ssh", "https"), room_type="phong_may", ups_present=True,
    temperature_c=22.0, humidity_pct=50.0,
)


def _by_code(facts: Facts, ruleset: str = "qd58_2024") -> dict[str, Outcome]:
    return {c.code: c.outcome for c in evaluate(facts, ruleset=ruleset)}


def test_n13_seed_minimum_passes_every_rule_with_its_article() -> None:
    checks = evaluate(GOOD, ruleset="qd58_2024")
    assert [c.code for c in checks] == [
        "ports", "snmp", "syslog", "ipv6", "secure_management", "temperature", "humidity", "ups",
    ]
    assert {c.outcome for c in checks} == {Outcome.passed} and summary(checks) is Outcome.passed
    assert all(c.basis.document.startswith("Quyết định 58/2024") for c in checks)
    assert checks[0].basis.article == "Phụ lục mục 1 điểm a"


def test_n13_port_minimum_per_rule_set_and_level() -> None:
    assert _by_code(Facts(lan_ports=1, wan_ports=1))["ports"] is Outcome.failed
    assert _by_code(Facts(lan_ports=2, wan_ports=0))["ports"] is Outcome.failed
    assert _by_code(Facts(lan_ports=None, wan_ports=1))["ports"] is Outcome.unknown
    # Circular 06/2026: level II 4 LAN + 1 WAN, level I 8 LAN + 4 WAN
    assert _by_code(GOOD, "tt06_2026")["ports"] is Outcome.failed
    assert _by_code(Facts(access_level="II", lan_ports=4, wan_ports=1), "tt06_2026")["ports"] is Outcome.passed
    assert _by_code(Facts(access_level="I", lan_ports=4, wan_ports=1), "tt06_2026")["ports"] is Outcome.failed
    assert _by_code(Facts(access_level="I", lan_ports=8, wan_ports=4), "tt06_2026")["ports"] is Outcome.passed
    assert evaluate(GOOD, ruleset="tt06_2026")[0].basis.document == "Thông tư 06/2026/TT-BKHCN"
    assert rules.TERMINAL_PORTS["tt06_2026"]["I"].value == (8, 4)


def test_n13_management_must_be_authenticated_and_encrypted() -> None:
    assert _by_code(Facts(management_protocols=("snmpv3_authpriv",)))["secure_management"] is Outcome.passed
    assert _by_code(Facts(management_protocols=("ssh", "telnet")))["secure_management"] is Outcome.failed
    assert _by_code(Facts(management_protocols=("http",)))["secure_management"] is Outcome.failed
    assert _by_code(Facts())["secure_management"] is Outcome.unknown


def test_n13_snmp_syslog_ipv6_unknown_until_known() -> None:
    blank = _by_code(Facts())
    assert blank["snmp"] is blank["syslog"] is blank["ipv6"] is blank["ups"] is Outcome.unknown
    assert _by_code(Facts(snmp_v2c=False))["snmp"] is Outcome.unknown  # v3 still unknown
    assert _by_code(Facts(snmp_v2c=False, snmp_v3=False))["snmp"] is Outcome.failed
    assert _by_code(Facts(snmp_v3=True))["snmp"] is Outcome.passed
    assert _by_code(Facts(ipv6=False))["ipv6"] is Outcome.failed
    assert summary(evaluate(Facts(), ruleset="qd58_2024")) is Outcome.unknown


def test_n14_environment_ranges_by_room_type_inclusive() -> None:
    machine = dict(room_type="phong_may", ups_on_mains=True)
    assert out_of_range(temperature_c=20.0, humidity_pct=40.0, **machine) == []  # type: ignore[arg-type]
    assert out_of_range(temperature_c=25.0, humidity_pct=55.0, **machine) == []  # type: ignore[arg-type]
    assert out_of_range(temperature_c=25.1, humidity_pct=55.1, **machine) == ["temperature", "humidity"]  # type: ignore[arg-type]
    assert out_of_range("phong_lam_viec", temperature_c=32.0, humidity_pct=80.0, ups_on_mains=None) == []
    assert out_of_range("phong_lam_viec", temperature_c=19.9, humidity_pct=None, ups_on_mains=False) == [
        "temperature", "ups_on_battery",
    ]
    office_hot = Facts(room_type="phong_lam_viec", temperature_c=30.0, humidity_pct=70.0)
    machine_hot = Facts(room_type="phong_may", temperature_c=30.0, humidity_pct=70.0)
    assert _by_code(office_hot)["temperature"] is Outcome.passed
    assert _by_code(machine_hot)["temperature"] is _by_code(machine_hot)["humidity"] is Outcome.failed
