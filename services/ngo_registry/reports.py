"""Reports and exports of the ngo_registry service."""

from __future__ import annotations
