"""Request and response models of the incidents service.

Every response has a schema (no dicts); a list answers ``shared.pagination.Page[ItemSchema]``;
bounded inputs use :mod:`shared.types` (``Id``, ``Text``, ``Name``, ``PatchModel``).
"""

from __future__ import annotations
