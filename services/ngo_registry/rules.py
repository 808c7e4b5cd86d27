"""Legal parameters of the NGO registry, each with its legal basis, in one switchable place.

The default rule set follows Decree 45/2010/NĐ-CP (with Decree 33/2012/NĐ-CP and Circular
03/2013/TT-BNV) and Decision 113/QĐ-BNV; ``decree_126_2024`` is the set for Decree
126/2024/NĐ-CP, selected with ``GOVNET_NGO_REGISTRY_RULE_SET=decree_126_2024``. Code elsewhere
only reads :func:`rule_set` and never hard-codes a threshold.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher
from enum import IntEnum, StrEnum

from shared.legal import LegalBasis, Parameter

DECISION_113 = "Quyết định 113/QĐ-BNV ngày 05/02/2013"
DECREE_45 = "Nghị định 45/2010/NĐ-CP ngày 21/4/2010"
CIRCULAR_03 = "Thông tư 03/2013/TT-BNV ngày 16/4/2013"
DECREE_126 = "Nghị định 126/2024/NĐ-CP ngày 08/10/2024"


class NameRule(StrEnum):
    """Which names of a live association a new or renamed association may not take."""

    #: Decree 45/2010 Art. 4: the same name (ignoring case, diacritics, punctuation, spacing)
    DUPLICATE = "duplicate"
    #: Decree 126/2024: the same name, or one that wholly contains another's name (encompassing)
    DUPLICATE_OR_ENCOMPASSING = "duplicate_or_encompassing"


@dataclass(frozen=True)
class RuleSet:
    """One consistent set of legal parameters."""

    code: str
    label: str
    #: maximum length of an association's term (nhiệm kỳ), in years
    max_term_years: Parameter[int]
    #: first escalation: the term congress is this many months overdue
    overdue_first_months: Parameter[int]
    #: second escalation: this many months after the first
    overdue_second_months: Parameter[int]
    #: third escalation: this many days after the second
    overdue_third_days: Parameter[int]
    #: months whose last day is a quarter-end update day
    quarter_end_months: Parameter[tuple[int, ...]]
    #: the yearly report to the Ministry's leadership is due before this (month, day)
    annual_report_due: Parameter[tuple[int, int]]
    #: associations send their yearly activity report by this (month, day)
    activity_report_due: Parameter[tuple[int, int]]
    #: minimum backup interval, in days
    backup_interval_days: Parameter[int]
    #: a record not updated for this many days counts as stale in the quarterly report
    stale_after_days: Parameter[int]
    #: names a new or renamed association is refused (409) because a live one holds them
    name_refused: Parameter[NameRule]
    #: word similarity (0-1) from which a name counts as close to another: accepted with a warning
    name_near_match: Parameter[float]

    def parameters(self) -> dict[str, Parameter[object]]:
        """Every parameter by name (for the API and documentation)."""
        names = [
            "max_term_years",
            "overdue_first_months",
            "overdue_second_months",
            "overdue_third_days",
            "quarter_end_months",
            "annual_report_due",
            "activity_report_due",
            "backup_interval_days",
            "stale_after_days",
            "name_refused",
            "name_near_match",
        ]
        return {n: getattr(self, n) for n in names}


_D113_13 = LegalBasis(DECISION_113, "Quy chế, Điều 13", date(2013, 2, 5))

DECREE_45_2010 = RuleSet(
    code="decree_45_2010",
    label="Nghị định 45/2010/NĐ-CP (sửa đổi bởi Nghị định 33/2012/NĐ-CP) và Thông tư 03/2013/TT-BNV",
    max_term_years=Parameter(5, LegalBasis(DECREE_45, "Điều 11 khoản 3 (nhiệm kỳ tối đa 5 năm)", date(2010, 7, 1))),
    overdue_first_months=Parameter(12, LegalBasis(CIRCULAR_03, "Điều 3 (quá 12 tháng chưa đại hội)", date(2013, 6, 1))),
    overdue_second_months=Parameter(6, LegalBasis(CIRCULAR_03, "Điều 3 (sau 6 tháng tiếp theo)", date(2013, 6, 1))),
    overdue_third_days=Parameter(90, LegalBasis(CIRCULAR_03, "Điều 3 (sau 90 ngày tiếp theo)", date(2013, 6, 1))),
    quarter_end_months=Parameter((3, 6, 9, 12), LegalBasis(DECISION_113, "Quy chế, Điều 13 khoản 2", date(2013, 2, 5))),
    annual_report_due=Parameter((12, 31), LegalBasis(DECISION_113, "Quy chế, Điều 13 khoản 1", date(2013, 2, 5))),
    activity_report_due=Parameter((12, 1), LegalBasis(DECREE_45, "Điều 23 khoản 9 (báo cáo trước 01/12)", date(2010, 7, 1))),
    backup_interval_days=Parameter(7, LegalBasis(DECISION_113, "Quy chế, Điều 20 khoản 1", date(2013, 2, 5))),
    stale_after_days=Parameter(365, _D113_13),
    name_refused=Parameter(NameRule.DUPLICATE, LegalBasis(DECREE_45, "Điều 4 (tên hội không được trùng lặp hoặc gây nhầm lẫn với tên hội khác đã được thành lập)", date(2010, 7, 1))),
    # the law names "confusing" names without a measure: the threshold only decides which names
    # staff are shown as near matches to judge, it refuses nothing
    name_near_match=Parameter(0.75, LegalBasis(DECREE_45, "Điều 4 (gây nhầm lẫn: ngưỡng cảnh báo để cán bộ xem xét)", date(2010, 7, 1))),
)

_TBC = "điều khoản cần Vụ TCPCP xác nhận"
DECREE_126_2024 = RuleSet(
    code="decree_126_2024",
    label="Nghị định 126/2024/NĐ-CP",
    max_term_years=Parameter(5, LegalBasis(DECREE_126, f"nhiệm kỳ đại hội tối đa 5 năm ({_TBC})", date(2024, 11, 26))),
    overdue_first_months=Parameter(12, LegalBasis(DECREE_126, f"quá hạn đại hội ({_TBC})", date(2024, 11, 26))),
    overdue_second_months=Parameter(6, LegalBasis(DECREE_126, f"quá hạn đại hội ({_TBC})", date(2024, 11, 26))),
    overdue_third_days=Parameter(90, LegalBasis(DECREE_126, f"quá hạn đại hội ({_TBC})", date(2024, 11, 26))),
    quarter_end_months=DECREE_45_2010.quarter_end_months,
    annual_report_due=DECREE_45_2010.annual_report_due,
    activity_report_due=Parameter((12, 1), LegalBasis(DECREE_126, f"báo cáo hoạt động hằng năm ({_TBC})", date(2024, 11, 26))),
    backup_interval_days=DECREE_45_2010.backup_interval_days,
    stale_after_days=DECREE_45_2010.stale_after_days,
    name_refused=Parameter(
        NameRule.DUPLICATE_OR_ENCOMPASSING,
        LegalBasis(DECREE_126, f"tên hội không trùng lặp toàn bộ, gây nhầm lẫn hoặc bao trùm tên hội khác ({_TBC})", date(2024, 11, 26)),
    ),
    name_near_match=Parameter(0.75, LegalBasis(DECREE_126, f"gây nhầm lẫn: ngưỡng cảnh báo để cán bộ xem xét ({_TBC})", date(2024, 11, 26))),
)

RULE_SETS: dict[str, RuleSet] = {r.code: r for r in (DECREE_45_2010, DECREE_126_2024)}
DEFAULT_RULE_SET = DECREE_45_2010.code


def rule_set(code: str | None = None) -> RuleSet:
    """The rule set named ``code`` (the default when None); ValueError when unknown."""
    key = code or DEFAULT_RULE_SET
    if key not in RULE_SETS:
        raise ValueError(f"unknown rule set {key!r}; choose one of {', '.join(RULE_SETS)}")
    return RULE_SETS[key]


# -- the name rule (pure; names are compared folded, see text.fold_name) ----------------------
class NameClash(StrEnum):
    """Why a name is refused."""

    DUPLICATE = "duplicate"
    ENCOMPASSING = "encompassing"


def encompasses(name_key: str, other_key: str) -> bool:
    """True when ``name_key`` holds every word of ``other_key``, in order and adjacent, and more.

    Whole words only: "hoi tin hoc viet nam mien nam" encompasses "hoi tin hoc viet nam",
    "hoi tin hocx viet nam" does not encompass "hoi tin hoc", and "hoi tin hoc nghe an" does not
    encompass "hoi tin hoc an" (the words must stand together). A name never encompasses itself.
    """
    words, other = name_key.split(), other_key.split()
    if not other or len(other) >= len(words):
        return False
    return any(words[i : i + len(other)] == other for i in range(len(words) - len(other) + 1))


def name_runs(name_key: str) -> list[str]:
    """Every run of adjacent whole words of ``name_key`` (the names it could encompass), itself included."""
    words = name_key.split()
    return [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)]


def name_clash(name_key: str, other_key: str, rules: RuleSet) -> NameClash | None:
    """Why ``name_key`` may not be taken while a live association is named ``other_key``, or None."""
    if name_key == other_key:
        return NameClash.DUPLICATE
    if rules.name_refused.value == NameRule.DUPLICATE_OR_ENCOMPASSING and encompasses(name_key, other_key):
        return NameClash.ENCOMPASSING
    return None


def name_similarity(name_key: str, other_key: str) -> float:
    """How alike two folded names are, 0-1: matching words over all words (difflib ratio on words)."""
    return SequenceMatcher(None, name_key.split(), other_key.split(), autojunk=False).ratio()


def is_near_match(name_key: str, other_key: str, rules: RuleSet) -> bool:
    """True when two different names are close enough that staff should compare them."""
    return name_key != other_key and name_similarity(name_key, other_key) >= rules.name_near_match.value


# -- pure date rules ------------------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


class OverdueLevel(IntEnum):
    """Escalation of a missed term congress."""

    ON_TIME = 0
    DUE = 1  # the term has ended, not yet flagged
    FIRST = 2  # 12 months overdue
    SECOND = 3  # then 6 months later
    THIRD = 4  # then 90 days later


OVERDUE_LABELS: dict[OverdueLevel, str] = {
    OverdueLevel.ON_TIME: "Trong nhiệm kỳ",
    OverdueLevel.DUE: "Đến hạn đại hội",
    OverdueLevel.FIRST: "Quá hạn 12 tháng: nhắc nhở lần 1",
    OverdueLevel.SECOND: "Quá hạn thêm 6 tháng: nhắc nhở lần 2",
    OverdueLevel.THIRD: "Quá hạn thêm 90 ngày: đề nghị xử lý",
}


@dataclass(frozen=True)
class CongressStatus:
    """Where an association stands with its next term congress."""

    next_due: date
    level: OverdueLevel
    first_flag: date
    second_flag: date
    third_flag: date

    @property
    def label(self) -> str:
        return OVERDUE_LABELS[self.level]


def next_congress_due(last_congress: date, term_years: int | None, rules: RuleSet) -> date:
    """The date the next term congress is due: the last congress plus the term (at most the legal max)."""
    years = min(term_years or rules.max_term_years.value, rules.max_term_years.value)
    return add_years(last_congress, years)


def congress_status(next_due: date, today: date, rules: RuleSet) -> CongressStatus:
    """The escalation level on ``today`` for a congress due on ``next_due``."""
    first = add_months(next_due, rules.overdue_first_months.value)
    second = add_months(first, rules.overdue_second_months.value)
    third = second + timedelta(days=rules.overdue_third_days.value)
    if today >= third:
        level = OverdueLevel.THIRD
    elif today >= second:
        level = OverdueLevel.SECOND
    elif today >= first:
        level = OverdueLevel.FIRST
    elif today >= next_due:
        level = OverdueLevel.DUE
    else:
        level = OverdueLevel.ON_TIME
    return CongressStatus(next_due=next_due, level=level, first_flag=first, second_flag=second, third_flag=third)


def overdue_cutoff(today: date, level: OverdueLevel, rules: RuleSet) -> date:
    """The latest ``next_due`` that has reached ``level`` on ``today`` (for indexed queries)."""
    if level <= OverdueLevel.ON_TIME:
        return date.max
    if level == OverdueLevel.DUE:
        return today
    # invert the escalation: walk back from today; add_months clamps, so check and step
    candidate = add_months(today, -rules.overdue_first_months.value)
    if level >= OverdueLevel.SECOND:
        candidate = add_months(candidate, -rules.overdue_second_months.value)
    if level >= OverdueLevel.THIRD:
        candidate = candidate - timedelta(days=rules.overdue_third_days.value)
    # clamping can make the inverse a day early or late: settle on the exact boundary
    while congress_status(candidate + timedelta(days=1), today, rules).level >= level:
        candidate += timedelta(days=1)
    while candidate > date.min and congress_status(candidate, today, rules).level < level:
        candidate -= timedelta(days=1)
    return candidate


def quarter_end(year: int, quarter: int, rules: RuleSet) -> date:
    """The last day of the quarter-end month of ``quarter`` (1-4)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1, 2, 3 or 4")
    month = rules.quarter_end_months.value[quarter - 1]
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_start(year: int, quarter: int, rules: RuleSet) -> date:
    previous = rules.quarter_end_months.value[quarter - 2] if quarter > 1 else 0
    return date(year, previous + 1, 1)


def annual_report_due(year: int, rules: RuleSet) -> date:
    month, day = rules.annual_report_due.value
    return date(year, month, day)


def activity_report_due(year: int, rules: RuleSet) -> date:
    month, day = rules.activity_report_due.value
    return date(year, month, day)
