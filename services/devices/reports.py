"""Reports and exports of the devices service."""

from __future__ import annotations
