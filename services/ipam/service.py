"""Domain logic of the ipam service: plain functions taking a session; no FastAPI here."""

from __future__ import annotations
