"""Legal parameters of the incidents service, each with its legal basis.

The Incidents issue adds what Decision 58/2024/QĐ-UBND says about incidents and routing as
:class:`shared.legal.Parameter` fields of :class:`IncidentsRules`, each with its article: who
handles and who is told of a level-II incident (N5, Art. 6.4), which parties agree to a
routing-policy change (N8, Art. 7.3). Code elsewhere reads them from :data:`RULES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.legal import RuleSet


@dataclass(frozen=True)
class IncidentsRules(RuleSet):
    """The incidents parameters of one legal text (Điều 6 khoản 4, Điều 7 khoản 3)."""


RULES = IncidentsRules(code="qd58_2024", label="Quyết định 58/2024/QĐ-UBND tỉnh An Giang")
