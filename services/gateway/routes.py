"""The gateway's route table: method + path pattern -> the scopes that open it.

This is the ONE place that decides what the proxy lets through. The first matching rule wins;
a request no rule matches is refused (deny by default) and never reaches a service. A rule
lists the scopes any one of which opens it; ``public`` rules need no token (G15: NGO items (a)
and (b) are public on the Ministry's website).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

READ = frozenset({"GET", "HEAD"})
WRITE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ANY = READ | WRITE | {"OPTIONS"}

NGO_TIERS = ("basic", "advanced", "value_added")
NGO_READ_ANY = ("ngo:read:basic", "ngo:read:advanced", "ngo:read:value_added", "ngo:admin")

#: every scope the suite knows; registrations may only ask for these
KNOWN_SCOPES: tuple[str, ...] = (
    "ipam:read",
    "ipam:write",
    "ipam:admin",
    "devices:read",
    "devices:write",
    "devices:admin",
    "incidents:read",
    "incidents:write",
    "incidents:admin",
    "ngo:read:basic",
    "ngo:read:advanced",
    "ngo:read:value_added",
    "ngo:submit",
    "ngo:admin",
    "gateway:admin",
)

#: URL segment -> upstream name in settings
SEGMENTS: tuple[str, ...] = ("ipam", "devices", "incidents", "ngo")


@dataclass(frozen=True)
class RouteRule:
    """Methods and a path pattern (``*`` one segment, ``**`` the rest) and the scopes, any of which opens it."""

    methods: frozenset[str]
    pattern: str
    scopes: tuple[str, ...] = ()
    public: bool = False
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = []
        for piece in self.pattern.strip("/").split("/"):
            if piece == "**":
                parts.append("(?:/.*)?")
            elif piece == "*":
                parts.append("/[^/]+")
            else:
                parts.append("/" + re.escape(piece))
        object.__setattr__(self, "regex", re.compile("^" + "".join(parts) + "/?$"))

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and self.regex.match(path) is not None


def _service_rules(segment: str) -> list[RouteRule]:
    base = f"/api/v1/{segment}/**"
    return [
        RouteRule(READ, base, (f"{segment}:read", f"{segment}:write", f"{segment}:admin")),
        RouteRule(WRITE, base, (f"{segment}:write", f"{segment}:admin")),
    ]


ROUTES: tuple[RouteRule, ...] = (
    # NGO register (Vụ TCPCP's association database)
    RouteRule(READ, "/api/v1/ngo/public/**", public=True),
    RouteRule(READ, "/api/v1/ngo/associations/**", NGO_READ_ANY),
    RouteRule(READ, "/api/v1/ngo/lists/**", ("ngo:read:value_added", "ngo:admin")),
    RouteRule(READ, "/api/v1/ngo/statistics/**", ("ngo:read:value_added", "ngo:admin")),
    RouteRule(READ, "/api/v1/ngo/reports/**", ("ngo:read:value_added", "ngo:admin")),
    RouteRule(frozenset({"POST"}), "/api/v1/ngo/submissions/**", ("ngo:submit", "ngo:admin")),
    RouteRule(READ, "/api/v1/ngo/submissions/**", ("ngo:submit", "ngo:admin")),
    RouteRule(READ | WRITE, "/api/v1/ngo/fees/**", ("ngo:read:value_added", "ngo:admin")),
    RouteRule(READ | WRITE, "/api/v1/ngo/**", ("ngo:admin",)),
    # IPAM, devices, incidents: reads need :read, everything else :write (or the service's :admin)
    *_service_rules("ipam"),
    *_service_rules("devices"),
    *_service_rules("incidents"),
)


def match_route(method: str, path: str) -> RouteRule | None:
    """The first rule that matches, or ``None`` (refused)."""
    for rule in ROUTES:
        if rule.matches(method, path):
            return rule
    return None


def segment_of(path: str) -> str | None:
    """``ipam`` for ``/api/v1/ipam/...``; ``None`` when the path is not a proxied one."""
    if not path.startswith("/api/v1/"):
        return None
    segment = path[8:].split("/", 1)[0]
    return segment if segment in SEGMENTS else None
