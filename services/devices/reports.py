"""Reports and exports of the devices service (CSV and XLSX through :mod:`shared.exports`)."""

from __future__ import annotations
