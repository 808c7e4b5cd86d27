"""shared/legal.py: a legal parameter carries its value and the text it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.devices.rules import RULES as DEVICES_RULES
from services.incidents.rules import RULES as INCIDENTS_RULES
from shared.legal import LegalBasis, Parameter, RuleSet


def test_basis_cites_document_article_and_effective_date() -> None:
    basis = LegalBasis("Quyết định 58/2024/QĐ-UBND tỉnh An Giang", "Điều 7 khoản 1", date(2024, 12, 1))
    assert basis.cite() == "Quyết định 58/2024/QĐ-UBND tỉnh An Giang, Điều 7 khoản 1 (hiệu lực 01/12/2024)"
    assert Parameter(0.9, basis).value == 0.9


@dataclass(frozen=True)
class ExampleRules(RuleSet):
    max_occupancy: Parameter[float]
    note: str = ""


def test_a_rule_set_lists_its_parameters_by_name() -> None:
    basis = LegalBasis("Quyết định 58/2024/QĐ-UBND tỉnh An Giang", "Điều 7 khoản 1", date(2024, 12, 1))
    rules = ExampleRules(code="x", label="X", max_occupancy=Parameter(0.9, basis))
    assert rules.parameters() == {"max_occupancy": Parameter(0.9, basis)}
    for service_rules in (DEVICES_RULES, INCIDENTS_RULES):  # their issues add the parameters
        assert all(isinstance(p, Parameter) for p in service_rules.parameters().values())
