"""A link's utilisation over a period as SVG (in and out, each bin's maximum, the threshold line).

Written by hand (no plotting dependency): at most ``BINS`` points per direction, each the
highest 5-minute sample of its bin, so a peak never disappears into an average.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from services.devices.telemetry.models import Direction, TelemetrySample

BINS = 720
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 960, 360, 56, 16, 36, 40
COLOURS = {Direction.IN: "#1f77b4", Direction.OUT: "#d62728"}
LABELS = {Direction.IN: "vào", Direction.OUT: "ra"}


def binned(
    points: Sequence[tuple[int, int]], start: int, end: int, bins: int = BINS
) -> list[tuple[int, int]]:
    """(bin index, max value) for the bins that have samples; ``points`` are (ts, util_bp)."""
    span = max(1, end - start)
    tops: dict[int, int] = {}
    for ts, value in points:
        index = min(bins - 1, max(0, (ts - start) * bins // span))
        tops[index] = max(tops.get(index, 0), value)
    return sorted(tops.items())


def svg(
    *,
    title: str,
    series: Mapping[Direction, Sequence[tuple[int, int]]],
    start: int,
    end: int,
    threshold_bp: int,
    tz: str,
) -> str:
    """The chart: y from 0 to max(100 %, the highest point), x over [start, end)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bins = {d: binned(points, start, end) for d, points in series.items()}
    top = max([10_000, *(v for b in bins.values() for _, v in b)])

    def x(index: float) -> float:
        return LEFT + plot_w * index / BINS

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>',
    ]
    for pct in range(0, top // 100 + 1, 25 if top <= 10_000 else 100):
        parts.append(f'<text x="{LEFT - 6}" y="{y(pct * 100) + 4:.1f}" text-anchor="end">{pct} %</text>')
    zone = ZoneInfo(tz)
    for i in range(5):
        at = start + (end - start) * i // 4
        label = datetime.fromtimestamp(at, UTC).astimezone(zone).strftime("%d/%m/%Y")
        parts.append(f'<text x="{x(BINS * i / 4):.1f}" y="{HEIGHT - 16}" text-anchor="middle">{label}</text>')
    for direction, points in bins.items():
        if points:
            path = " ".join(f"{x(i + 0.5):.1f},{y(v):.1f}" for i, v in points)
            parts.append(
                f'<polyline fill="none" stroke="{COLOURS[direction]}" stroke-width="1.2" points="{path}"/>'
            )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(threshold_bp):.1f}" y2="{y(threshold_bp):.1f}" '
        'stroke="#ff7f0e" stroke-dasharray="6 4" stroke-width="1.5"/>'
    )
    parts.append(
        f'<text x="{WIDTH - RIGHT - 4}" y="{y(threshold_bp) - 4:.1f}" text-anchor="end" fill="#ff7f0e">'
        f"ngưỡng {threshold_bp / 100:g} %</text>"
    )
    for i, direction in enumerate(Direction):
        parts.append(
            f'<text x="{LEFT + 10 + 70 * i}" y="{TOP + 16}" fill="{COLOURS[direction]}">— {LABELS[direction]}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def link_series(
    *, session: Session, link_id: int, start: int, end: int
) -> dict[Direction, list[tuple[int, int]]]:
    """The link's samples in [start, end) per direction, as (ts, util_bp)."""
    rows = session.execute(
        select(col(TelemetrySample.direction), col(TelemetrySample.ts), col(TelemetrySample.util_bp)).where(
            col(TelemetrySample.link_id) == link_id,
            col(TelemetrySample.ts) >= start,
            col(TelemetrySample.ts) < end,
        )
    ).all()
    series: dict[Direction, list[tuple[int, int]]] = {Direction.IN: [], Direction.OUT: []}
    for direction, ts, value in rows:
        series[Direction(direction)].append((ts, value))
    return series
