"""The gateway's route table: method + path pattern -> the scopes that open it.

This is the ONE place that decides what the proxy lets through. The first matching rule wins;
a request no rule matches is refused (deny by default) and never reaches a service. A rule
lists the scopes any one of which opens it; ``public`` rules need no token (G15: NGO items (a)
and (b) are public on the Ministry's website).

The table repeats what each service's own ``require_scopes`` dependencies declare; it is not a
second opinion. tests/gateway/test_policy_agreement.py builds every service app and fails when
any operation's rule here differs from the service's (public or not, scopes, methods).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: the services answer GET only (FastAPI routes do not add HEAD), so the gateway opens GET only
READ = frozenset({"GET"})
WRITE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
POST = frozenset({"POST"})

NGO_TIERS = ("basic", "advanced", "value_added")
#: the NGO registry's ``Reader``: any data tier, or an association submitting its own sheet
NGO_READERS = ("ngo:read:basic", "ngo:read:advanced", "ngo:read:value_added", "ngo:submit", "ngo:admin")
NGO_VALUE_ADDED = ("ngo:read:value_added", "ngo:admin")
NGO_SUBMITTERS = ("ngo:submit", "ngo:admin")
NGO_DEPARTMENT = ("ngo:admin",)

#: every scope the suite knows; registrations may only ask for these
KNOWN_SCOPES: tuple[str, ...] = (
    "ipam:read",
    "ipam:write",
    "ipam:admin",
    "devices:read",
    "devices:write",
    "devices:admin",
    "devices:report",
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
    """``<svc>:read`` reads, ``<svc>:write`` writes, ``<svc>:admin`` both: what ``require_scopes`` does there."""
    base = f"/api/v1/{segment}/**"
    return [
        RouteRule(READ, base, (f"{segment}:read", f"{segment}:admin")),
        RouteRule(WRITE, base, (f"{segment}:write", f"{segment}:admin")),
    ]


# Each rule says what the owning service's own ``require_scopes`` dependency says for the same
# operation (``<service>:admin`` always passes there, so it is listed here too); the test
# tests/gateway/test_policy_agreement.py walks every operation of every service and proves it.
ROUTES: tuple[RouteRule, ...] = (
    # NGO register (Vụ TCPCP's association database). G15: items (a) and (b) and the category
    # lists (the codes validation errors point submitters to) are public.
    RouteRule(READ, "/api/v1/ngo/public/associations", public=True),
    RouteRule(READ, "/api/v1/ngo/public/associations/*", public=True),
    RouteRule(READ, "/api/v1/ngo/categories", public=True),
    RouteRule(READ, "/api/v1/ngo/categories/*", public=True),
    RouteRule(READ, "/api/v1/ngo/associations", NGO_READERS),
    RouteRule(READ, "/api/v1/ngo/associations/*", NGO_READERS),
    RouteRule(READ, "/api/v1/ngo/associations/*/history", NGO_READERS),
    RouteRule(POST, "/api/v1/ngo/submissions", NGO_SUBMITTERS),
    RouteRule(POST, "/api/v1/ngo/submissions/upload", NGO_SUBMITTERS),
    RouteRule(READ, "/api/v1/ngo/submissions", NGO_SUBMITTERS),
    RouteRule(READ, "/api/v1/ngo/submissions/*", NGO_SUBMITTERS),
    RouteRule(READ, "/api/v1/ngo/submissions/*/files/*", NGO_SUBMITTERS),
    RouteRule(READ, "/api/v1/ngo/lists/**", NGO_VALUE_ADDED),
    RouteRule(READ, "/api/v1/ngo/statistics/**", NGO_VALUE_ADDED),
    RouteRule(READ, "/api/v1/ngo/fees/schedule", NGO_READERS),
    RouteRule(READ, "/api/v1/ngo/fees/statement", NGO_READERS),
    RouteRule(READ, "/api/v1/ngo/reports/rules", NGO_READERS),
    # the rest (edits, reviews, documents, fees, reports, category changes): the NGO Department
    RouteRule(READ | WRITE, "/api/v1/ngo/**", NGO_DEPARTMENT),
    # IPAM, devices, incidents: reads need :read, everything else :write (or the service's :admin)
    *_service_rules("ipam"),
    # devices: an agent's environment readings (devices:report); monitoring credentials (devices:admin only)
    RouteRule(POST, "/api/v1/devices/devices/*/readings", ("devices:report", "devices:admin")),
    RouteRule(POST, "/api/v1/devices/*/heartbeat", ("devices:report", "devices:admin")),
    RouteRule(frozenset({"PUT", "DELETE"}), "/api/v1/devices/devices/*/credentials", ("devices:admin",)),
    RouteRule(READ, "/api/v1/devices/credentials/due", ("devices:admin",)),
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
