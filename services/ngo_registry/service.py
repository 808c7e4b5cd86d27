"""Domain logic of the ngo_registry service: plain functions taking a session; no FastAPI here."""

from __future__ import annotations
