"""Legal parameters of the incidents service, each with its legal basis, in one switchable place.

The Incidents issue adds here, as :class:`shared.legal.Parameter` fields of
:class:`IncidentsRules` with their article, the parameters of Decision 58/2024/QĐ-UBND it
applies: who handles and who is told of a level-II incident (N5, Art. 6.4) and the parties
that must agree to a routing-policy change (N8, Art. 7.3). Code elsewhere reads them from
:func:`rule_set`, never as literals.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from shared.legal import LegalBasis, Parameter

DECISION_58_2024 = "Quyết định 58/2024/QĐ-UBND tỉnh An Giang"


@dataclass(frozen=True)
class IncidentsRules:
    """One consistent set of legal parameters."""

    code: str
    label: str
    #: the regulation the set follows
    basis: LegalBasis

    def parameters(self) -> dict[str, Parameter[object]]:
        """Every parameter by name (for the API and documentation)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: v for k, v in values.items() if isinstance(v, Parameter)}


QD58_2024 = IncidentsRules(
    code="qd58_2024",
    label=DECISION_58_2024,
    basis=LegalBasis(DECISION_58_2024, "Điều 6 khoản 4, Điều 7 khoản 3", date(2024, 12, 1)),
)

RULE_SETS = {r.code: r for r in (QD58_2024,)}


def rule_set(code: str = QD58_2024.code) -> IncidentsRules:
    """The rule set called ``code``."""
    return RULE_SETS[code]
