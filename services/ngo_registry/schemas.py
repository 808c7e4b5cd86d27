"""Request and response models of the ngo_registry service."""

from __future__ import annotations
