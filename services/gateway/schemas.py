"""Request and response models of the gateway service."""

from __future__ import annotations
