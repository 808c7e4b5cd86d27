"""Legal parameters (G11, TT 03/2013 Art. 3) as pure functions, and the switchable rule set."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.ngo_registry.demo import CITIES, DISTRICTS_OF, generate
from services.ngo_registry.rules import (
    DECREE_45_2010,
    DECREE_126_2024,
    RULE_SETS,
    NameClash,
    NameRule,
    OverdueLevel,
    add_months,
    annual_report_due,
    congress_status,
    encompasses,
    is_near_match,
    name_clash,
    name_runs,
    name_similarity,
    next_congress_due,
    overdue_cutoff,
    quarter_end,
    rule_set,
)
from services.ngo_registry.settings import NgoRegistrySettings
from services.ngo_registry.text import fold_name, normalise


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


# -- the name rule (G17; Decree 45/2010 Art. 4, Decree 126/2024) --------------------------------
def test_g17_fold_name_ignores_case_diacritics_punctuation_and_spacing() -> None:
    folded = {fold_name(n) for n in ("Liên đoàn Bóng đá Việt Nam", "  LIÊN ĐOÀN   BÓNG ĐÁ VIỆT NAM ", "lien doan bong da viet nam", "Liên đoàn Bóng-đá Việt Nam")}
    assert folded == {"lien doan bong da viet nam"}
    assert fold_name("Hội Hữu nghị Việt - Nhật") == normalise("Hội Hữu nghị Việt - Nhật")
    # other scripts are kept (lower-cased), so such names never all fold to ""
    assert fold_name("越南中国友好协会") == "越南中国友好协会"
    assert fold_name("ОБЩЕСТВО Дружбы") == "общество дружбы"
    assert fold_name("សមាគម") == "សមាគម"  # a script's own vowel signs are not diacritics
    assert fold_name(None) == fold_name("") == ""


def test_g17_name_rule_parameters_in_both_rule_sets() -> None:
    assert DECREE_45_2010.name_refused.value == NameRule.DUPLICATE
    assert "Nghị định 45/2010/NĐ-CP" in DECREE_45_2010.name_refused.basis.document and "Điều 4" in DECREE_45_2010.name_refused.basis.article
    assert DECREE_126_2024.name_refused.value == NameRule.DUPLICATE_OR_ENCOMPASSING
    assert DECREE_126_2024.name_refused.basis.document.startswith("Nghị định 126/2024")
    assert {"name_refused", "name_near_match"} <= set(DECREE_126_2024.parameters())


def test_g17_encompassing_is_a_run_of_whole_adjacent_words() -> None:
    assert encompasses("hoi tin hoc viet nam phia nam", "hoi tin hoc viet nam")
    assert encompasses("lien hiep hoi tin hoc viet nam", "hoi tin hoc viet nam")
    assert not encompasses("hoi tin hoc viet nam", "hoi tin hoc viet nam")  # never itself
    assert not encompasses("hoi tin hoc", "hoi tin hoc viet nam")  # the shorter name encompasses nothing
    assert not encompasses("hoi tin hoc viet namese", "hoi tin hoc viet nam")  # whole words only
    assert not encompasses("hoi tin hoc nghe an", "hoi tin hoc an")  # adjacent words only
    assert not encompasses("hoi tin hoc", "")
    assert name_runs("a b c") == ["a", "a b", "a b c", "b", "b c", "c"]


def test_g17_name_clash_depends_on_the_rule_set() -> None:
    new, live = "hoi tin hoc viet nam phia nam", "hoi tin hoc viet nam"
    assert name_clash(live, live, DECREE_45_2010) == name_clash(live, live, DECREE_126_2024) == NameClash.DUPLICATE
    assert name_clash(new, live, DECREE_45_2010) is None
    assert name_clash(new, live, DECREE_126_2024) == NameClash.ENCOMPASSING
    assert name_clash(live, new, DECREE_126_2024) is None


def test_g17_near_match_is_word_similarity_over_the_threshold() -> None:
    assert name_similarity("hoi tin hoc viet nam", "hiep hoi tin hoc viet nam") == pytest.approx(10 / 11)
    assert is_near_match("hoi tin hoc viet nam", "hiep hoi tin hoc viet nam", DECREE_45_2010)
    assert not is_near_match("hoi tin hoc tinh nghe an", "hoi tin hoc tinh ha tinh", DECREE_45_2010)
    assert not is_near_match("hoi tin hoc viet nam", "hoi vat ly viet nam", DECREE_45_2010)
    assert not is_near_match("hoi tin hoc viet nam", "hoi tin hoc viet nam", DECREE_45_2010)  # the same name is a clash


def test_g17_demo_names_are_unique_and_plausible_under_both_rule_sets() -> None:
    payloads = list(generate(200))
    names = [p["name_vi"] for p in payloads]
    keys = [fold_name(n) for n in names]
    assert len(payloads) == 200 and len(set(keys)) == 200
    assert names.count("Liên đoàn Bóng đá Việt Nam") <= 1 and names[0] == "Hội Chữ thập đỏ Việt Nam"
    live = set(keys)
    for key in keys:  # no demo name encompasses another (Decree 126/2024 loads them all too)
        assert not [run for run in name_runs(key) if run != key and run in live], key
    places = {f"tỉnh {p}" for p in DISTRICTS_OF} | {f"thành phố {c}" for c in CITIES} | {"Thành phố Hồ Chí Minh"}
    districts = {d for ds in DISTRICTS_OF.values() for d in ds}
    for p in payloads:
        name, scope = p["name_vi"], p["scope"]
        if scope == "ca_nuoc":  # a national association is named for the country, once per topic
            assert name.endswith("Việt Nam") or "Việt Nam - " in name, name
        elif scope == "tinh":
            assert any(name.endswith(place) for place in places), name
        elif scope == "huyen":
            assert any(name.endswith(d) for d in districts), name
        elif scope == "xa":
            assert " xã " in name and any(name.endswith(d) for d in districts), name
        if scope != "ca_nuoc":
            assert not name.startswith(("Tổng hội", "Liên hiệp các hội")), name  # federations are national
    assert {p["scope"] for p in payloads} == {"ca_nuoc", "lien_tinh", "tinh", "huyen", "xa"}
    assert [p["name_vi"] for p in generate(200)] == names  # deterministic
