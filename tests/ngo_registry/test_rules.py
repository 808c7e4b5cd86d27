"""Legal parameters (G11, TT 03/2013 Art. 3) as pure functions, and the switchable rule set."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.ngo_registry.rules import (
    DECREE_45_2010,
    RULE_SETS,
    OverdueLevel,
    add_months,
    annual_report_due,
    congress_status,
    next_congress_due,
    overdue_cutoff,
    quarter_end,
    rule_set,
)
from services.ngo_registry.settings import NgoRegistrySettings
from services.ngo_registry.text import normalise


def test_every_parameter_has_a_legal_basis_in_both_rule_sets() -> None:
    for rules in RULE_SETS.values():
        for name, param in rules.parameters().items():
            assert param.basis.document and param.basis.article and param.basis.effective, name
    assert DECREE_45_2010.max_term_years.value == 5
    assert "Thông tư 03/2013/TT-BNV" in DECREE_45_2010.overdue_first_months.basis.document


def test_rule_set_is_chosen_by_configuration() -> None:
    assert NgoRegistrySettings().rules.code == "decree_45_2010"
    assert NgoRegistrySettings(rule_set="decree_126_2024").rules.max_term_years.basis.document.startswith("Nghị định 126/2024")
    with pytest.raises(ValueError):
        NgoRegistrySettings(rule_set="decree_1")
    with pytest.raises(ValueError):
        rule_set("nope")


def test_congress_escalation_12_months_then_6_months_then_90_days() -> None:
    rules = DECREE_45_2010
    due = next_congress_due(date(2019, 3, 15), 5, rules)
    assert due == date(2024, 3, 15)
    assert next_congress_due(date(2019, 3, 15), 9, rules) == due  # never longer than the legal max
    assert congress_status(due, due - timedelta(days=1), rules).level == OverdueLevel.ON_TIME
    assert congress_status(due, due, rules).level == OverdueLevel.DUE
    assert congress_status(due, date(2025, 3, 14), rules).level == OverdueLevel.DUE
    assert congress_status(due, date(2025, 3, 15), rules).level == OverdueLevel.FIRST
    assert congress_status(due, date(2025, 9, 15), rules).level == OverdueLevel.SECOND
    third = date(2025, 9, 15) + timedelta(days=90)
    assert congress_status(due, third - timedelta(days=1), rules).level == OverdueLevel.SECOND
    assert congress_status(due, third, rules).level == OverdueLevel.THIRD


@pytest.mark.parametrize("today", [date(2026, 2, 28), date(2026, 3, 31), date(2024, 2, 29), date(2026, 11, 21)])
def test_overdue_cutoff_is_the_exact_boundary(today: date) -> None:
    rules = DECREE_45_2010
    for level in (OverdueLevel.FIRST, OverdueLevel.SECOND, OverdueLevel.THIRD):
        cutoff = overdue_cutoff(today, level, rules)
        assert congress_status(cutoff, today, rules).level >= level
        assert congress_status(cutoff + timedelta(days=1), today, rules).level < level


def test_quarter_ends_and_report_due_dates() -> None:
    rules = DECREE_45_2010
    assert [quarter_end(2026, q, rules) for q in (1, 2, 3, 4)] == [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]
    assert annual_report_due(2026, rules) == date(2026, 12, 31)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_normalise_removes_diacritics_including_d_stroke() -> None:
    assert normalise("Hội Chữ thập đỏ Việt Nam") == "hoi chu thap do viet nam"
    assert normalise("ĐOÀN Luật sư, TP.HCM") == "doan luat su tp hcm"
