"""Reports and exports of the incidents service."""

from __future__ import annotations
