"""shared/legal.py: a legal parameter carries its value and the text it comes from."""

from __future__ import annotations

from datetime import date

from services.devices.rules import rule_set as devices_rules
from services.incidents.rules import rule_set as incidents_rules
from shared.legal import LegalBasis, Parameter


def test_basis_cites_document_article_and_effective_date() -> None:
    basis = LegalBasis("Quyết định 58/2024/QĐ-UBND tỉnh An Giang", "Điều 7 khoản 1", date(2024, 12, 1))
    assert basis.cite() == "Quyết định 58/2024/QĐ-UBND tỉnh An Giang, Điều 7 khoản 1 (hiệu lực 01/12/2024)"
    assert Parameter(0.9, basis).value == 0.9


def test_skeleton_rule_sets_resolve_and_list_their_parameters() -> None:
    for rules in (devices_rules(), incidents_rules()):
        assert rules.basis.document.startswith("Quyết định 58/2024")
        assert rules.parameters() == {}  # the Devices and Incidents issues add them
