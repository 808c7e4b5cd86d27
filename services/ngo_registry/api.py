"""The ngo_registry service's HTTP routes: each domain's router, in the order the API documents them."""

from __future__ import annotations

from fastapi import APIRouter

from services.ngo_registry.categories.api import router as categories
from services.ngo_registry.documents.api import router as documents
from services.ngo_registry.fees.api import router as fees
from services.ngo_registry.lists.api import router as lists
from services.ngo_registry.records.api import router as records
from services.ngo_registry.search.api import router as search
from services.ngo_registry.submissions.api import router as submissions

router = APIRouter()
for domain in (search, records, categories, submissions, lists, documents, fees):
    router.include_router(domain)
