"""Alembic environment of the ipam service."""

from services.ipam.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
