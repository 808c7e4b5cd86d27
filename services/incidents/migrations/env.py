"""Alembic environment of the incidents service."""

from services.incidents.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
