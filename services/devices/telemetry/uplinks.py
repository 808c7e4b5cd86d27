"""The uplink report's figures and verdicts (N6), from the daily roll-ups only.

Per link and direction: samples expected and received, the maximum, the exact 95th percentile
(the days' sorted values, searched with bisect), the share of samples at or above the threshold, and a verdict under the
active rule. A verdict is proven both ways or not at all: a missing sample is counted once as
0 % and once as 100 %+, and only a result that holds under both is "đạt"/"không đạt"; anything
else is "chưa đủ căn cứ" (not proven), never a pass.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlmodel import Session

from services.devices.rules import UplinkRule
from services.devices.telemetry.models import Direction, TelemetryDaily, unpack_values
from services.devices.telemetry.store import count_at_most, kth_smallest, nearest_rank, percentile_bp

#: a missing sample counted at its worst: above any threshold
WORST_BP = 1_000_000


class Verdict(StrEnum):
    """The outcome of one rule for one link direction (Vietnamese values as the report prints them)."""

    PASS = "đạt"
    FAIL = "không đạt"
    NOT_PROVEN = "chưa đủ căn cứ"


@dataclass(frozen=True)
class UplinkRef:
    """What the report needs to know about one uplink from the inventory."""

    link_id: int
    device_id: int
    name: str
    provider: str | None
    route_id: str | None
    capacity_bps: int | None


@dataclass
class DirectionFigures:
    """One direction of one link over the period."""

    direction: str
    expected: int
    received: int
    max_percent: float | None
    p95_percent: float | None
    share_over_percent: float | None
    verdict: Verdict
    reason: str


@dataclass
class LinkFigures:
    """One link over the period."""

    link: UplinkRef
    directions: list[DirectionFigures] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        """The link fails if a direction fails, passes only if both pass."""
        verdicts = {d.verdict for d in self.directions}
        if Verdict.FAIL in verdicts:
            return Verdict.FAIL
        return Verdict.PASS if verdicts == {Verdict.PASS} else Verdict.NOT_PROVEN


def window_met(rule: UplinkRule, start: date, end: date) -> bool:
    """True when [start, end] spans the rule's window (calendar months, or days)."""
    days = (end - start).days + 1
    if rule.window_months:
        month = start.month - 1 + rule.window_months
        year = start.year + month // 12
        first_after = date(year, month % 12 + 1, 1)
        # the window's last day: the day before the same day-of-month rule.window_months later
        try:
            boundary = first_after.replace(day=start.day)
        except ValueError:  # 31/01 + 3 months: the window ends on the last day of April
            boundary = (first_after.replace(day=28) + timedelta(days=4)).replace(day=1)
        return end >= boundary - timedelta(days=1)
    return days >= rule.window_days


def judge(
    *,
    rule: UplinkRule,
    values: Sequence[array[int]],
    expected: int,
    received: int,
    over: int,
    window: bool,
    p95: int | None = None,
) -> tuple[Verdict, str]:
    """The verdict for one direction (``values``: the days' sorted arrays), proven under both readings of the missing samples."""
    threshold = int(round(rule.threshold_percent * 100))
    missing = max(0, expected - received)
    if rule.method == "every_sample":
        if over:
            return Verdict.FAIL, f"{over} mẫu ≥ {rule.threshold_percent:g} %"
        if not window:
            return Verdict.NOT_PROVEN, "khoảng thời gian ngắn hơn thời gian giám sát tối thiểu"
        if missing:
            return Verdict.NOT_PROVEN, f"thiếu {missing} mẫu"
        return Verdict.PASS, "mọi mẫu dưới ngưỡng"
    total = received + missing
    rank = nearest_rank(0.95, total) if total else 0
    # missing samples at 0 %: the lowest the p95 can be; at the top: the highest
    low: int | None
    high: int | None
    if not missing and p95 is not None:
        low = p95  # the caller's p95 of the same values
    else:
        low = kth_smallest(values, rank, zeros=missing) if total else None
    if not missing:
        high = low  # nothing missing: one reading only
    else:
        high = (kth_smallest(values, rank) if rank <= received else WORST_BP) if total else None
    if low is not None and low > threshold:
        return Verdict.FAIL, "phân vị 95 vượt ngưỡng"
    if not window:
        return Verdict.NOT_PROVEN, "khoảng thời gian ngắn hơn thời gian giám sát tối thiểu"
    if high is None or not received:
        return Verdict.NOT_PROVEN, "không có mẫu"
    if high <= threshold:
        return Verdict.PASS, "phân vị 95 không vượt ngưỡng"
    return Verdict.NOT_PROVEN, f"thiếu {missing} mẫu"


def link_figures(
    *,
    session: Session,
    links: Sequence[UplinkRef],
    start: date,
    end: date,
    rule: UplinkRule,
    tolerance: float = 0.0,
) -> list[LinkFigures]:
    """The report's rows: one per link, each with its two directions, from ``telemetry_daily``."""
    days = (end - start).days + 1
    per_day = 86_400 // rule.sample_seconds
    expected = days * per_day
    allowed_missing = int(expected * tolerance)
    window = window_met(rule, start, end)
    threshold = int(round(rule.threshold_percent * 100))
    ids = [link.link_id for link in links]
    table = TelemetryDaily.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        select(
            table.c.link_id,
            table.c.direction,
            table.c.samples,
            table.c.max_bp,
            table.c.over_threshold,
            table.c.histogram,
        ).where(table.c.link_id.in_(ids), table.c.day >= start, table.c.day <= end)
    ).all()
    grouped: dict[tuple[int, int], list[tuple[int, int, int, str]]] = {}
    for link_id, direction, samples, max_bp, over_threshold, packed in rows:
        grouped.setdefault((link_id, direction), []).append((samples, max_bp, over_threshold, packed))
    out: list[LinkFigures] = []
    for link in links:
        figures = LinkFigures(link=link)
        for direction in Direction:
            days_rows = grouped.get((link.link_id, int(direction)), [])
            values = [unpack_values(packed) for _, _, _, packed in days_rows]
            received = sum(d[0] for d in days_rows)
            over = sum(d[2] for d in days_rows)
            top = max((d[1] for d in days_rows), default=None)
            p95 = percentile_bp(values, 0.95)
            verdict, reason = judge(
                rule=rule,
                values=values,
                expected=max(received, expected - allowed_missing),
                received=received,
                over=over,
                window=window,
                p95=p95,
            )
            figures.directions.append(
                DirectionFigures(
                    direction="vào" if direction is Direction.IN else "ra",
                    expected=expected,
                    received=received,
                    max_percent=None if top is None else top / 100,
                    p95_percent=None if p95 is None else p95 / 100,
                    share_over_percent=None
                    if not received
                    else round(100 * (received - count_at_most(values, threshold - 1)) / received, 2),
                    verdict=verdict,
                    reason=reason,
                )
            )
        out.append(figures)
    return out


@dataclass(frozen=True)
class RouteCheck:
    """Art. 7.1a for one router: enough links over enough different physical routes."""

    device_id: int
    links: int
    routes: int
    verdict: Verdict
    reason: str


def route_checks(links: Sequence[UplinkRef], *, required: int) -> list[RouteCheck]:
    """For each router carrying uplinks: at least ``required`` links over ``required`` distinct routes."""
    by_device: dict[int, list[UplinkRef]] = {}
    for link in links:
        by_device.setdefault(link.device_id, []).append(link)
    checks = []
    for device_id, own in sorted(by_device.items()):
        routes = {link.route_id for link in own if link.route_id}
        unknown = sum(1 for link in own if not link.route_id)
        if len(own) >= required and len(routes) >= required:
            verdict, reason = Verdict.PASS, f"{len(own)} kênh, {len(routes)} hướng vật lý"
        elif len(own) >= required and len(routes) + unknown >= required:
            verdict, reason = Verdict.NOT_PROVEN, f"{unknown} kênh chưa khai báo hướng vật lý"
        else:
            verdict, reason = Verdict.FAIL, f"{len(own)} kênh, {len(routes)} hướng vật lý (cần {required})"
        checks.append(RouteCheck(device_id, len(own), len(routes), verdict, reason))
    return checks
