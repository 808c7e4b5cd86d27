"""Validation of a record's fields (G17): known codes, possible dates, terms within the legal maximum."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.ngo_registry.categories.service import Labels
from services.ngo_registry.records.schemas import AssociationFields
from services.ngo_registry.rules import RuleSet
from shared.errors import InvalidInput

_CODE_FIELDS: dict[str, str] = {
    "name_type": "name_type",
    "scope": "scope",
    "field": "field",
    "managing_agency": "managing_agency",
    "nature": "nature",
    "office_origin": "office_origin",
}
_LIST_CODES: dict[str, tuple[str, str]] = {
    "leaders": ("role", "leader_role"),
    "congresses": ("kind", "congress_kind"),
    "members": ("member_type", "member_type"),
    "funding": ("source", "funding_source"),
    "affiliated_units": ("kind", "unit_kind"),
}


def validate_fields(*, data: AssociationFields, labels: Labels, rules: RuleSet, today: date) -> None:
    """422 naming every field with an unknown code, an impossible date or a term over the legal max."""
    errors: list[dict[str, Any]] = []
    for attr, kind in _CODE_FIELDS.items():
        code = getattr(data, attr)
        if code is not None and code not in labels.active.get(kind, set()):
            errors.append({"field": attr, "message": f"unknown {kind} code '{code}'; see /api/v1/ngo/categories/{kind}"})
    for attr, (sub, kind) in _LIST_CODES.items():
        for i, item in enumerate(getattr(data, attr) or []):
            code = getattr(item, sub)
            if code not in labels.active.get(kind, set()):
                errors.append(
                    {"field": f"{attr}[{i}].{sub}", "message": f"unknown {kind} code '{code}'; see /api/v1/ngo/categories/{kind}"}
                )
    for attr in ("founding_decision_date", "charter_approval_date", "dossier_reconciled_on"):
        value = getattr(data, attr)
        if value is not None and value > today:
            errors.append({"field": attr, "message": f"{value.isoformat()} is in the future"})
    if data.founding_decision_date and data.charter_approval_date and data.charter_approval_date < data.founding_decision_date:
        errors.append({"field": "charter_approval_date", "message": "the charter cannot be approved before the founding decision"})
    max_term = rules.max_term_years.value
    for i, c in enumerate(data.congresses or []):
        if c.term_years is not None and c.term_years > max_term:
            errors.append(
                {"field": f"congresses[{i}].term_years", "message": f"{c.term_years} years exceeds the legal maximum of {max_term} ({rules.max_term_years.basis.cite()})"}
            )
        if c.held_on > today:
            errors.append({"field": f"congresses[{i}].held_on", "message": f"{c.held_on.isoformat()} is in the future"})
    for i, leader in enumerate(data.leaders or []):
        if leader.from_date and leader.to_date and leader.to_date < leader.from_date:
            errors.append({"field": f"leaders[{i}].to_date", "message": "ends before it starts"})
    for i, m in enumerate(data.members or []):
        if m.as_of > today:
            errors.append({"field": f"members[{i}].as_of", "message": f"{m.as_of.isoformat()} is in the future"})
    for i, s in enumerate(data.state_staff or []):
        if s.year > today.year + 1:
            errors.append({"field": f"state_staff[{i}].year", "message": f"{s.year} is too far in the future"})
    for i, f in enumerate(data.funding or []):
        if f.year > today.year + 1:
            errors.append({"field": f"funding[{i}].year", "message": f"{f.year} is too far in the future"})
    if errors:
        fields = ", ".join(e["field"] for e in errors)
        raise InvalidInput(f"Correct these fields: {fields}.", errors=errors)


def validate_collections(data: AssociationFields) -> None:
    """422 when a collection repeats what must be unique (one staff row per year)."""
    errors: list[dict[str, Any]] = []
    years = [s.year for s in data.state_staff or []]
    if len(years) != len(set(years)):
        errors.append({"field": "state_staff", "message": "one row per year"})
    if errors:
        raise InvalidInput("Correct these fields: state_staff.", errors=errors)
