"""Alembic environment of the devices service."""

from services.devices.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
