"""Reports and exports of the ipam service."""

from __future__ import annotations
