"""Legal parameters of the devices service, each with its legal basis.

The Devices issue adds the thresholds of Decision 58/2024/QĐ-UBND it applies as
:class:`shared.legal.Parameter` fields of :class:`DevicesRules`, each with its article: link
occupancy below 90 % on 5-minute samples over 3 consecutive months (N6, Art. 7.1), the terminal
minimum (N13, Appendix 1), a machine room at 20–25 °C and 40–55 % RH (N14, Appendix 2). Code
elsewhere reads them from :data:`RULES`, never as literals.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.legal import RuleSet


@dataclass(frozen=True)
class DevicesRules(RuleSet):
    """The devices parameters of one legal text (Điều 6 khoản 2, Điều 7 khoản 1, Điều 9, Phụ lục 1-2)."""


RULES = DevicesRules(code="qd58_2024", label="Quyết định 58/2024/QĐ-UBND tỉnh An Giang")
