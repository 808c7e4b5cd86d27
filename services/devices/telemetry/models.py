"""Tables of telemetry: raw per-poll samples, daily roll-ups, counter and device state, outages.

``telemetry_sample`` is the big one (1,000 links × 2 directions × 288 a day ≈ 53 million rows in
three months, 13 months kept): integer columns only, the composite key (link, direction, ts)
and no surrogate id. ``telemetry_daily`` keeps per link, direction and local day what the
uplink report needs, including the exact 95th percentile (the day's utilisation values in
hundredths of a percent, sorted, 2 bytes each), so a report never reads raw rows.
"""

from __future__ import annotations

import base64
import json
import sys
from array import array
from datetime import date
from enum import IntEnum
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Column, Integer, SmallInteger, Text
from sqlmodel import Field

if TYPE_CHECKING:  # make_base returns a class object; type checkers see plain SQLModel
    from sqlmodel import SQLModel as Base
else:
    from services.devices.models import Base


class Direction(IntEnum):
    """A link's direction as stored (a SMALLINT)."""

    IN = 0
    OUT = 1


class TelemetrySample(Base, table=True):
    """One poll interval of one link in one direction."""

    __tablename__ = "telemetry_sample"

    link_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    direction: int = Field(sa_column=Column(SmallInteger, primary_key=True, autoincrement=False))
    ts: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    """End of the interval, seconds since the epoch (UTC)."""
    duration_ms: int = Field(sa_column=Column(Integer, nullable=False))
    octets: int = Field(sa_column=Column(BigInteger, nullable=False))
    util_bp: int = Field(sa_column=Column(Integer, nullable=False))
    """Utilisation in hundredths of a percent (basis points of capacity), rounded down."""


class TelemetryDaily(Base, table=True):
    """One local day of one link in one direction."""

    __tablename__ = "telemetry_daily"

    link_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    direction: int = Field(sa_column=Column(SmallInteger, primary_key=True, autoincrement=False))
    day: date = Field(primary_key=True)
    samples: int = 0
    max_bp: int = 0
    over_threshold: int = 0
    """Samples at or above the link threshold (90 %)."""
    histogram: str = Field(default="", sa_column=Column(Text, nullable=False))
    """Every sample's utilisation in basis points, sorted (:func:`pack_values`): exact percentiles."""


class CounterState(Base, table=True):
    """The last reading of one interface, to compute the next delta (survives poller restarts).

    64-bit counters are stored as signed two's complement so they fit a BIGINT.
    """

    __tablename__ = "telemetry_counter_state"

    device_id: int = Field(primary_key=True)
    if_index: int = Field(primary_key=True)
    ts_ms: int = Field(sa_column=Column(BigInteger, nullable=False))
    uptime_ticks: int = Field(sa_column=Column(BigInteger, nullable=False))
    bits: int = Field(sa_column=Column(SmallInteger, nullable=False))
    in_octets: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    out_octets: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class DeviceReachability(Base, table=True):
    """A device's up/down state from polling, its failure streak and its backoff."""

    __tablename__ = "telemetry_device_state"

    device_id: int = Field(primary_key=True)
    up: bool | None = None
    """None until the first poll decided."""
    since_ms: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    last_poll_ms: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    failures: int = 0
    first_failure_ms: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    """The first failed poll of the current streak: where an outage starts."""
    next_attempt_ms: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class Outage(Base, table=True):
    """A period a device did not answer polls (N14: monthly availability and its outage list)."""

    __tablename__ = "telemetry_outage"

    device_id: int = Field(primary_key=True)
    started_ms: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    ended_ms: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


def to_signed64(value: int | None) -> int | None:
    """An unsigned 64-bit counter as the signed BIGINT that stores it."""
    if value is None:
        return None
    return value - (1 << 64) if value >= 1 << 63 else value


def from_signed64(value: int | None) -> int | None:
    """The unsigned counter back from its stored BIGINT."""
    if value is None:
        return None
    return value + (1 << 64) if value < 0 else value


#: utilisation values above this (655.35 %) are stored as this: still far above any threshold
VALUE_CAP = 65_535


def pack_values(values: array[int] | list[int]) -> str:
    """A day's utilisation values (basis points) as stored: sorted little-endian uint16, base64."""
    packed = array("H", sorted(min(max(v, 0), VALUE_CAP) for v in values))
    if sys.byteorder != "little":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def unpack_values(text: str) -> array[int]:
    """The sorted values back (a JSON ``{value: count}`` object from before is read too)."""
    if text.startswith("{"):
        counts: dict[str, int] = json.loads(text)
        return array("H", sorted(min(int(v), VALUE_CAP) for v, c in counts.items() for _ in range(c)))
    out = array("H")
    out.frombytes(base64.b64decode(text))
    if sys.byteorder != "little":
        out.byteswap()
    return out
