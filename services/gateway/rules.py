"""Password and account rules (N10), each with its legal basis, switchable by configuration.

Basis: Quyết định 58/2024/QĐ-UBND tỉnh An Giang (Quy chế Mạng truyền số liệu chuyên dùng),
Điều 9 khoản 1 — monitoring-account credentials are kept secret, changed periodically, and
passwords are strong; in force from 03/01/2025. The figures (12 characters, three classes,
five remembered, 90 days, five failures / 15 minutes) are the gateway's reading of "strong"
and "periodically", aligned with TCVN 11930:2017 level-3 practice; each can be overridden with
``GOVNET_GATEWAY_PASSWORD_<FIELD>``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date

from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.legal import LegalBasis

#: where every N10 figure below comes from
N10_BASIS = LegalBasis(
    document="Quyết định 58/2024/QĐ-UBND (An Giang)", article="Điều 9 khoản 1", effective=date(2025, 1, 3)
)


class PasswordRules(BaseSettings):
    """N10 thresholds, each overridable as ``GOVNET_GATEWAY_PASSWORD_<FIELD>``.

    ``legal_basis`` names the text they come from; a deployment that applies a newer text sets
    it too (as JSON: ``{"document": …, "article": …, "effective": "YYYY-MM-DD"}``).
    """

    model_config = SettingsConfigDict(env_prefix="GOVNET_GATEWAY_PASSWORD_", extra="ignore")

    min_length: int = 12
    #: of: lower case, upper case, digits, other characters
    min_classes: int = 3
    history: int = 5
    max_age_days: int = 90
    change_at_first_login: bool = True
    max_failures: int = 5
    lockout_minutes: int = 15
    legal_basis: LegalBasis = N10_BASIS


@dataclass(frozen=True)
class Weakness:
    field: str
    message: str


def character_classes(password: str) -> int:
    """How many of the four character classes ``password`` uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() or c in string.punctuation for c in password),
        )
    )


def password_weaknesses(password: str, *, rules: PasswordRules, username: str = "") -> list[Weakness]:
    """Why ``password`` is not strong enough (empty when it is)."""
    out: list[Weakness] = []
    if len(password) < rules.min_length:
        out.append(Weakness("new_password", f"Use at least {rules.min_length} characters."))
    if character_classes(password) < rules.min_classes:
        out.append(
            Weakness(
                "new_password",
                f"Mix at least {rules.min_classes} of: lower case, upper case, digits, symbols.",
            )
        )
    if username and username.lower() in password.lower():
        out.append(Weakness("new_password", "Do not include the user name in the password."))
    return out
