"""Legal parameters of the devices service, each with its legal basis.

The Devices issue adds the thresholds of Decision 58/2024/QĐ-UBND it applies as
:class:`shared.legal.Parameter` fields of :class:`DevicesRules`, each with its article: link
occupancy below 90 % on 5-minute samples over 3 consecutive months (N6, Art. 7.1), the terminal
minimum (N13, Appendix 1), a machine room at 20–25 °C and 40–55 % RH (N14, Appendix 2). Code
elsewhere reads them from :data:`RULES`, never as literals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.legal import LegalBasis, Parameter, RuleSet


@dataclass(frozen=True)
class DevicesRules(RuleSet):
    """The devices parameters of one legal text (Điều 6 khoản 2, Điều 7 khoản 1, Điều 9, Phụ lục 1-2)."""


RULES = DevicesRules(code="qd58_2024", label="Quyết định 58/2024/QĐ-UBND tỉnh An Giang")


# -- N6: uplink capacity and routes (telemetry) ------------------------------------------------
@dataclass(frozen=True)
class UplinkRule:
    """How a link's occupancy is judged: every sample, or the 95th percentile, over a window."""

    code: str
    threshold_percent: float
    method: str
    """``every_sample`` (each 5-minute sample below the threshold) or ``p95`` (95th percentile at most)."""
    window_months: int
    window_days: int
    sample_seconds: int


_QD58_71 = LegalBasis("Quyết định 58/2024/QĐ-UBND tỉnh An Giang", "Điều 7 khoản 1 điểm b", date(2024, 12, 1))
_TT06_CAP = LegalBasis("Thông tư 06/2026/TT-BKHCN", "dung lượng kênh truyền: phân vị 95 ≤ 90 % trong 7 ngày liên tiếp", date(2026, 3, 30))

UPLINK_RULES: dict[str, Parameter[UplinkRule]] = {
    "qd58_2024": Parameter(UplinkRule("qd58_2024", 90.0, "every_sample", 3, 0, 300), _QD58_71),
    "tt06_2026": Parameter(UplinkRule("tt06_2026", 90.0, "p95", 0, 7, 300), _TT06_CAP),
}
"""The occupancy rule of each text; ``GOVNET_DEVICES_UPLINK_RULESET`` picks one (the seed's by default)."""

UPLINK_ROUTES = Parameter(
    2, LegalBasis("Quyết định 58/2024/QĐ-UBND tỉnh An Giang", "Điều 7 khoản 1 điểm a", date(2024, 12, 1))
)
"""At least this many fibre links from the centre's router, over as many physically different routes."""


# -- N13/N14: the terminal minimum and its environment (inventory compliance) --------------------
_QD58_APPX = "Quyết định 58/2024/QĐ-UBND tỉnh An Giang"
_QD58_DATE = date(2024, 12, 1)
_TT06 = LegalBasis("Thông tư 06/2026/TT-BKHCN", "yêu cầu tối thiểu thiết bị đầu cuối", date(2026, 3, 30))


def _appx(article: str) -> LegalBasis:
    return LegalBasis(_QD58_APPX, article, _QD58_DATE)


TERMINAL_PORTS: dict[str, dict[str, Parameter[tuple[int, int]]]] = {
    "qd58_2024": {
        "I": Parameter((2, 1), _appx("Phụ lục mục 1 điểm a")),
        "II": Parameter((2, 1), _appx("Phụ lục mục 1 điểm a")),
    },
    "tt06_2026": {"I": Parameter((8, 4), _TT06), "II": Parameter((4, 1), _TT06)},
}
"""Minimum (LAN, WAN) ports per access level under each text; ``GOVNET_DEVICES_TERMINAL_RULESET`` picks one."""

TERMINAL_SNMP = Parameter(True, _appx("Phụ lục mục 1 điểm b"))
TERMINAL_SYSLOG = Parameter(True, _appx("Phụ lục mục 1 điểm b"))
TERMINAL_IPV6 = Parameter(True, _appx("Phụ lục mục 1 điểm c"))
TERMINAL_SECURE_MANAGEMENT = Parameter(
    frozenset({"ssh", "https", "snmpv3_authpriv"}), _appx("Phụ lục mục 1 điểm d")
)
"""Authenticated and encrypted configuration management; telnet and plain HTTP are neither."""
TERMINAL_UPS = Parameter(True, _appx("Phụ lục mục 2 điểm a (nguồn điện)"))

ENVIRONMENT: dict[str, Parameter[tuple[tuple[float, float], tuple[float, float]]]] = {
    "phong_may": Parameter(((20.0, 25.0), (40.0, 55.0)), _appx("Phụ lục mục 2 điểm a (phòng máy)")),
    "phong_lam_viec": Parameter(((20.0, 32.0), (40.0, 80.0)), _appx("Phụ lục mục 2 điểm a (phòng làm việc)")),
}
"""(temperature °C, relative humidity %) ranges, inclusive, per room type."""

MONITORING_PASSWORD_ROTATION = Parameter(90, LegalBasis(_QD58_APPX, "Điều 9 khoản 1", _QD58_DATE))
"""Days after which a monitoring credential is due for change (the article says "định kỳ"; 90 is the default)."""
