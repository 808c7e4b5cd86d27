"""Request dependencies shared by the ngo_registry routers: settings, bounded words, filters."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from pydantic import Field

from services.ngo_registry.search.service import AssociationFilter
from services.ngo_registry.settings import NgoRegistrySettings
from shared.types import Text

#: a code, filter or search text from the query string or path: bounded, no control characters
#: (PostgreSQL refuses NUL in a text parameter, which would otherwise be a 500)
Word = Annotated[Text, Field(max_length=500)]
#: lists and statistics answer JSON, CSV or XLSX as ``format`` asks
Format = Annotated[Literal["json", "csv", "xlsx"], Query(description="json, csv or xlsx (Vietnamese headings)")]
Year = Annotated[int, Query(ge=1900, le=2200)]


def get_settings(request: Request) -> NgoRegistrySettings:
    """The service's settings."""
    settings: NgoRegistrySettings = request.app.state.settings
    return settings


Settings = Annotated[NgoRegistrySettings, Depends(get_settings)]


def association_filter(
    field: Word | None = None,
    managing_agency: Word | None = None,
    nature: Word | None = None,
    scope: Word | None = None,
    name_type: Word | None = None,
    status: Word | None = None,
    special_status: bool | None = None,
) -> AssociationFilter:
    """The filters the search and every list of associations take from the query string."""
    return AssociationFilter(field, managing_agency, nature, scope, name_type, status, special_status)


Filter = Annotated[AssociationFilter, Depends(association_filter)]
