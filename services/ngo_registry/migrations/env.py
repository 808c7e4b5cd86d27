"""Alembic environment of the ngo_registry service."""

from services.ngo_registry.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
