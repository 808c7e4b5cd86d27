"""addresses keep their mask and a role; shared roles (anycast, VIP, VRRP, HSRP, GLBP, CARP) may repeat

The one-owner unique constraint becomes a partial unique index over unshared copies, a CHECK keeps
``shared`` equal to "the role is a shared one", and on PostgreSQL an exclusion constraint forbids a
shared copy next to an unshared one, so that the rule holds for concurrent writers too. Existing
addresses get their containing prefix's length as mask (/32 or /128 outside any prefix).

Revision ID: b7d2e4f1a3c9
Revises: 96577b871e47
Create Date: 2026-12-02 14:05:00.000000
"""
from collections.abc import Sequence

from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = 'b7d2e4f1a3c9'
down_revision: str | None = '96577b871e47'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHARED_CHECK = "shared = (role IS NOT NULL AND role IN ('anycast', 'carp', 'glbp', 'hsrp', 'vip', 'vrrp'))"
VALUE = ["vrf_key", "family", "value_hex"]


def _batch() -> Any:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # on SQLite the table is rebuilt: keep AUTOINCREMENT (ids are never reused, migration 96577b871e47)
    return op.batch_alter_table("ip_address", recreate="always" if sqlite else "auto", table_kwargs={"sqlite_autoincrement": True})


def upgrade() -> None:
    with _batch() as batch:
        batch.add_column(sa.Column("mask_length", sa.Integer(), nullable=False, server_default="32"))
        batch.add_column(sa.Column("role", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.drop_constraint(op.f("uq_ip_address_vrf_key_family_value_hex"), type_="unique")
        batch.create_check_constraint(op.f("ck_ip_address_shared_role"), sa.text(SHARED_CHECK))
        batch.create_index("uq_ip_address_unshared", VALUE, unique=True, sqlite_where=sa.text("NOT shared"), postgresql_where=sa.text("NOT shared"))
        batch.create_index("ix_ip_address_value", VALUE, unique=False)
    op.execute("UPDATE ip_address SET mask_length = 128 WHERE family = 6")
    op.execute(
        "UPDATE ip_address SET mask_length = (SELECT prefix_length FROM prefix WHERE prefix.id = ip_address.prefix_id) "
        "WHERE prefix_id IS NOT NULL"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE ip_address ADD CONSTRAINT ex_ip_address_shared_mix EXCLUDE USING gist "
            "(vrf_key WITH =, family WITH =, value_hex WITH =, shared WITH <>)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE ip_address DROP CONSTRAINT IF EXISTS ex_ip_address_shared_mix")
    with _batch() as batch:
        batch.drop_index("ix_ip_address_value")
        batch.drop_index("uq_ip_address_unshared")
        batch.drop_constraint(op.f("ck_ip_address_shared_role"), type_="check")
        batch.create_unique_constraint(op.f("uq_ip_address_vrf_key_family_value_hex"), VALUE)
        batch.drop_column("shared")
        batch.drop_column("role")
        batch.drop_column("mask_length")
