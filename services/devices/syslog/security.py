"""Which messages are security relevant, and their grouping into events (Alertmanager's idea).

Pure logic: :func:`classify` names the reason a message matters (a configured pattern, a
security facility, a severity of warning or worse). :class:`Grouper` folds a burst of the same
message from one sender into one group: a new group is reported after ``group_wait`` with the
count it gathered, then at most once per ``group_interval`` while more arrive; a group that
stays quiet for an interval is forgotten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.devices.syslog.parse import Parsed

_NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class SecurityRules:
    """What makes a message security relevant."""

    facilities: frozenset[int]
    severity: int
    patterns: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def of(cls, *, facilities: list[int], severity: int, patterns: dict[str, str]) -> SecurityRules:
        """Rules from settings values (the patterns compiled once)."""
        return cls(
            frozenset(facilities), severity, tuple((name, re.compile(rx)) for name, rx in patterns.items())
        )


def classify(p: Parsed, rules: SecurityRules) -> str | None:
    """The category of a security-relevant message (pattern name, ``facility``, ``severity``), else None."""
    for name, rx in rules.patterns:
        if rx.search(p.message) or (p.app_name is not None and rx.search(p.app_name)):
            return name
    if p.facility is not None and p.facility in rules.facilities:
        return "facility"
    if p.severity is not None and p.severity <= rules.severity:
        return "severity"
    return None


def group_key(sender: str, category: str, app_name: str | None, message: str) -> tuple[str, str, str, str]:
    """Messages alike but for their numbers (ports, pids, counters) from one sender group together."""
    return (sender, category, app_name or "", _NUMBERS.sub("#", message[:512]))


@dataclass
class Occurrence:
    """One security-relevant message, as the grouper sees it."""

    sender: str
    device_id: int | None
    org_id: str | None
    category: str
    facility: int | None
    severity: int | None
    app_name: str | None
    message: str
    at: float  # receive time, epoch seconds


@dataclass
class Group:
    """Messages of one key since the group's last report."""

    first: Occurrence
    count: int = 0
    first_at: float = 0.0
    last_at: float = 0.0
    worst: int | None = None
    due: float = 0.0
    reported: int = 0  # reports so far
    total: int = 0  # messages over the group's life


@dataclass(frozen=True)
class Report:
    """One event to publish: a group's messages since its last report."""

    first: Occurrence
    count: int
    first_at: float
    last_at: float
    severity: int | None


class Grouper:
    """Alertmanager-style grouping by key with ``group_wait`` and ``group_interval`` (seconds)."""

    def __init__(self, *, wait: float, interval: float) -> None:
        self.wait = wait
        self.interval = interval
        self.groups: dict[tuple[str, str, str, str], Group] = {}

    def add(self, occ: Occurrence, *, now: float) -> None:
        """Count ``occ`` into its group (a new group is due after ``wait``)."""
        key = group_key(occ.sender, occ.category, occ.app_name, occ.message)
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = Group(first=occ, due=now + self.wait)
        if g.count == 0:
            g.first, g.first_at, g.worst = occ, occ.at, occ.severity
        g.count += 1
        g.total += 1
        g.last_at = occ.at
        if occ.severity is not None and (g.worst is None or occ.severity < g.worst):
            g.worst = occ.severity

    def due(self, *, now: float) -> list[Report]:
        """Reports of the groups whose time has come; quiet groups are dropped."""
        out: list[Report] = []
        for key, g in list(self.groups.items()):
            if now < g.due:
                continue
            if g.count == 0:
                del self.groups[key]  # nothing new for a whole interval: the burst is over
                continue
            out.append(
                Report(first=g.first, count=g.count, first_at=g.first_at, last_at=g.last_at, severity=g.worst)
            )
            g.count = 0
            g.reported += 1
            g.due = now + self.interval
        return out

    def flush(self) -> list[Report]:
        """Every pending group's report now (shutdown)."""
        return self.due(now=float("inf"))
