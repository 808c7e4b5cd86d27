"""Request and response models of the devices service."""

from __future__ import annotations
