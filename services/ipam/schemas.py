"""Request and response models of the ipam service."""

from __future__ import annotations
