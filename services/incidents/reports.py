"""Reports and exports of the incidents service (CSV and XLSX through :mod:`shared.exports`)."""

from __future__ import annotations
