"""Legal parameters of the devices service, each with its legal basis, in one switchable place.

The Devices issue adds here, as :class:`shared.legal.Parameter` fields of :class:`DevicesRules`
with their article, the thresholds of Decision 58/2024/QĐ-UBND it applies: link occupancy
below 90 % judged on 5-minute samples over 3 consecutive months (N6, Art. 7.1), the terminal
minimum (N13, Appendix 1) and the installation environment, 20–25 °C and 40–55 % RH in a
machine room (N14, Appendix 2). Code elsewhere reads them from :func:`rule_set`, never as
literals.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from shared.legal import LegalBasis, Parameter

DECISION_58_2024 = "Quyết định 58/2024/QĐ-UBND tỉnh An Giang"


@dataclass(frozen=True)
class DevicesRules:
    """One consistent set of legal parameters."""

    code: str
    label: str
    #: the regulation the set follows
    basis: LegalBasis

    def parameters(self) -> dict[str, Parameter[object]]:
        """Every parameter by name (for the API and documentation)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: v for k, v in values.items() if isinstance(v, Parameter)}


QD58_2024 = DevicesRules(
    code="qd58_2024",
    label=DECISION_58_2024,
    basis=LegalBasis(DECISION_58_2024, "Điều 6 khoản 2, Điều 7 khoản 1, Điều 9, Phụ lục 1-2", date(2024, 12, 1)),
)

RULE_SETS = {r.code: r for r in (QD58_2024,)}


def rule_set(code: str = QD58_2024.code) -> DevicesRules:
    """The rule set called ``code``."""
    return RULE_SETS[code]
