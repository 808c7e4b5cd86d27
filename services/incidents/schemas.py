"""Request and response models of the incidents service."""

from __future__ import annotations
