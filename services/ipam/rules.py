"""Legal parameters of IP address management, each with its legal basis; switchable by configuration.

The seed (Decision 58/2024/QĐ-UBND, An Giang) cites Circular 19/2023/TT-BTTTT; Circular
06/2026/TT-BKHCN (effective 30/03/2026) replaces it for the annual registration (form Mẫu 01).
``GOVNET_IPAM_RULESET`` picks the set ("tt06_2026", the default, or "tt19_2023"). The types
(:class:`~shared.legal.LegalBasis`, :class:`~shared.legal.Parameter`) are shared; the values live here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from shared.legal import LegalBasis, Parameter


@dataclass(frozen=True)
class IpamRules:
    """One consistent set of legal parameters."""

    name: str
    #: a demand growing by more than this fraction over last year needs a justification
    demand_growth_justification: Parameter[float]
    #: annual registration (technical information) due: (month, day) of the reporting year
    registration_due: Parameter[tuple[int, int]]
    #: the form the registration is made on
    registration_form: Parameter[str]
    #: the yearly review of level-II IP usage and its report to Cục BĐTW
    annual_review_basis: LegalBasis
    #: no overlap between services, agencies or organisations; use for the stated purpose
    no_overlap_basis: LegalBasis
    #: access-network levels an agency may be on, and who manages each
    access_levels: Parameter[dict[str, str]]
    #: the change history must cover at least this many years (the yearly review looks back)
    change_log_retention_years: int


_SEED = LegalBasis("Quyết định 58/2024/QĐ-UBND tỉnh An Giang", "Điều 7 khoản 2", date(2024, 12, 1))
_LEVELS = LegalBasis("Quyết định 58/2024/QĐ-UBND tỉnh An Giang", "Điều 3, Điều 6", date(2024, 12, 1))
_TT06 = LegalBasis("Thông tư 06/2026/TT-BKHCN", "đăng ký hằng năm trước ngày 31/01", date(2026, 3, 30))
_TT19 = LegalBasis("Thông tư 19/2023/TT-BTTTT", "Phụ lục II", date(2024, 2, 1))

TT06_2026 = IpamRules(
    name="tt06_2026",
    demand_growth_justification=Parameter(
        0.20, LegalBasis("Thông tư 06/2026/TT-BKHCN", "Mẫu 01 (đăng ký kết nối hằng năm)", date(2026, 3, 30))
    ),
    registration_due=Parameter((1, 31), _TT06),
    registration_form=Parameter("Mẫu 01", _TT06),
    annual_review_basis=_SEED,
    no_overlap_basis=_SEED,
    access_levels=Parameter({"I": "Cục Bưu điện Trung ương", "II": "Sở Khoa học và Công nghệ (trước đây Sở TT&TT)"}, _LEVELS),
    change_log_retention_years=2,
)

TT19_2023 = IpamRules(
    name="tt19_2023",
    demand_growth_justification=Parameter(0.20, _TT19),
    registration_due=Parameter((1, 31), _TT19),
    registration_form=Parameter("Phụ lục II", _TT19),
    annual_review_basis=_SEED,
    no_overlap_basis=_SEED,
    access_levels=Parameter({"I": "Cục Bưu điện Trung ương", "II": "Sở Thông tin và Truyền thông"}, _LEVELS),
    change_log_retention_years=2,
)

RULESETS: dict[str, IpamRules] = {r.name: r for r in (TT06_2026, TT19_2023)}


def rules_for(name: str, *, demand_growth: float | None = None) -> IpamRules:
    """The rule set called ``name``, optionally with the growth threshold overridden by configuration
    (the override keeps the text it overrides as its basis)."""
    rules = RULESETS[name]
    if demand_growth is not None:
        rules = replace(rules, demand_growth_justification=Parameter(demand_growth, rules.demand_growth_justification.basis))
    return rules
