"""Interface counter arithmetic: deltas with wrap, resets, speed and utilisation (pure functions).

The rules are those of RFC 2863 and the anchors (B2): prefer the 64-bit HC counters, read a
decrease as a wrap at the counter's width, and discard an interval when the agent restarted
(sysUpTime went back) or when the delta implies more than the link can carry, instead of
inventing a spike (the 61.5 PB/s "reset read as a wrap").
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTER32 = 2**32
COUNTER64 = 2**64
#: ifSpeed is a Gauge32 that saturates at 2^32 - 1 b/s (4.29 Gb/s); ifHighSpeed (Mb/s) then rules.
IFSPEED_SATURATED = COUNTER32 - 1
#: A delta may exceed the line rate a little (timestamps are taken around the request, not at
#: the agent's read); beyond this factor it is a reset, not traffic.
SPEED_TOLERANCE = 1.05


@dataclass(frozen=True)
class CounterReading:
    """One interface's counters at one poll."""

    ts: float
    """Poll time, seconds since the epoch (the real time of the response, not the schedule)."""
    uptime_ticks: int
    """sysUpTime in hundredths of a second."""
    in_octets: int | None
    out_octets: int | None
    bits: int
    """64 when the HC counters were read, 32 when only ifInOctets/ifOutOctets exist."""


@dataclass(frozen=True)
class Interval:
    """The delta of one direction pair between two polls; ``None`` where discarded."""

    seconds: float
    in_octets: int | None
    out_octets: int | None


def counter_delta(previous: int, current: int, *, bits: int) -> int:
    """The increase of a counter of ``bits`` width, wrapping once at 2^bits."""
    modulus: int = 1 << bits
    if not (0 <= previous < modulus and 0 <= current < modulus):
        raise ValueError(f"counter outside {bits}-bit range")
    return (current - previous) % modulus


def choose_counters(
    *, hc_in: int | None, hc_out: int | None, in32: int | None, out32: int | None
) -> tuple[int | None, int | None, int]:
    """(in, out, bits): the HC pair when the agent has it, else the 32-bit pair."""
    if hc_in is not None or hc_out is not None:
        return hc_in, hc_out, 64
    return in32, out32, 32


def speed_bps(*, if_high_speed: int | None, if_speed: int | None) -> int | None:
    """The interface speed in b/s: ifHighSpeed (Mb/s) when non-zero, else ifSpeed; None if unknown."""
    if if_high_speed:
        return if_high_speed * 1_000_000
    if if_speed:
        return if_speed
    return None


def capacity_bps(
    *, contracted_bps: int | None, if_high_speed: int | None, if_speed: int | None
) -> int | None:
    """A link's capacity: its contracted capacity when set, else the interface speed."""
    if contracted_bps:
        return contracted_bps
    return speed_bps(if_high_speed=if_high_speed, if_speed=if_speed)


def is_restart(previous_ticks: int, current_ticks: int) -> bool:
    """True when sysUpTime went back (the agent or device restarted; counters may have reset)."""
    return current_ticks < previous_ticks


def _one(
    prev: int | None, cur: int | None, *, bits: int, seconds: float, limit_bps: int | None
) -> int | None:
    if prev is None or cur is None or not (0 <= prev < 1 << bits and 0 <= cur < 1 << bits):
        return None
    if bits == 64 and cur < prev:
        # A 64-bit octet counter wraps after 4.7 years at 1 Tb/s: a decrease is a reset.
        return None
    delta = counter_delta(prev, cur, bits=bits)
    if limit_bps is not None and delta * 8 > limit_bps * seconds * SPEED_TOLERANCE:
        return None
    return delta


def interval(previous: CounterReading, current: CounterReading, *, speed: int | None) -> Interval | None:
    """The octets moved between two polls per direction, or None if the whole interval is void.

    Void: no time passed, the counter width changed, or sysUpTime went back. A direction whose
    delta implies more than ``speed`` (b/s, with a small tolerance) is discarded alone.
    """
    seconds = current.ts - previous.ts
    if seconds <= 0 or previous.bits != current.bits:
        return None
    if is_restart(previous.uptime_ticks, current.uptime_ticks):
        return None
    return Interval(
        seconds=seconds,
        in_octets=_one(
            previous.in_octets, current.in_octets, bits=current.bits, seconds=seconds, limit_bps=speed
        ),
        out_octets=_one(
            previous.out_octets, current.out_octets, bits=current.bits, seconds=seconds, limit_bps=speed
        ),
    )


def utilisation(octets: int, seconds: float, capacity: int) -> float:
    """Share of ``capacity`` (b/s) used: Δoctets × 8 / (Δt × capacity), 0.0–1.0 (or more)."""
    if seconds <= 0 or capacity <= 0:
        raise ValueError("seconds and capacity must be positive")
    return octets * 8 / (seconds * capacity)


def utilisation_permille(octets: int, seconds: float, capacity: int) -> int:
    """Utilisation in tenths of a percent, rounded half up (the stored integer form)."""
    return int(utilisation(octets, seconds, capacity) * 1000 + 0.5)
