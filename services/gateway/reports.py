"""Reports and exports of the gateway service."""

from __future__ import annotations
