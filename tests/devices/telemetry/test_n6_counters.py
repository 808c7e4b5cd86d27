"""N6/N14: the counter arithmetic (anchors B2) as pure functions, with the anchors' numbers."""

from __future__ import annotations

import pytest

from services.devices.telemetry.counters import (
    COUNTER32,
    COUNTER64,
    CounterReading,
    capacity_bps,
    choose_counters,
    counter_delta,
    interval,
    speed_bps,
    utilisation,
    utilisation_permille,
)

GBIT = 1_000_000_000


def reading(
    ts: float, uptime: int, in_octets: int | None, out_octets: int | None, bits: int = 64
) -> CounterReading:
    return CounterReading(ts=ts, uptime_ticks=uptime, in_octets=in_octets, out_octets=out_octets, bits=bits)


def test_n6_delta_without_wrap() -> None:
    assert counter_delta(1_000, 5_000, bits=32) == 4_000
    assert counter_delta(1_000, 5_000, bits=64) == 4_000


def test_n6_wrap_at_2_32() -> None:
    assert counter_delta(COUNTER32 - 10, 5, bits=32) == 15


def test_n6_wrap_at_2_64() -> None:
    assert counter_delta(COUNTER64 - 1, 0, bits=64) == 1


def test_n6_counter_outside_its_width_is_refused() -> None:
    with pytest.raises(ValueError):
        counter_delta(0, COUNTER32, bits=32)


def test_n6_115_mbps_over_300_s_wraps_a_32_bit_counter() -> None:
    # 115 Mb/s for 300 s = 4.3125e9 octets > 2^32 (librenms#7756): the counter wraps once.
    moved = 115_000_000 * 300 // 8
    assert moved > COUNTER32
    start = COUNTER32 - 1_000_000
    end = (start + moved) % COUNTER32
    assert end < start
    got = interval(reading(0, 100, start, 0, 32), reading(300, 30_100, end, 0, 32), speed=GBIT)
    assert got is not None
    # One wrap only is visible: the 32-bit counter under-counts by exactly 2^32.
    assert got.in_octets == moved - COUNTER32
    # The same traffic on HC counters is exact, 115 Mb/s over 300 s at 1 Gb/s is 11.5 %.
    hc = interval(reading(0, 100, start, 0), reading(300, 30_100, start + moved, 0), speed=GBIT)
    assert hc is not None and hc.in_octets == moved
    assert utilisation(moved, 300, GBIT) == pytest.approx(0.115)


def test_n6_reset_read_as_wrap_61_5_pb_s_is_discarded() -> None:
    # (0 - (2^32 + 1) + 2^64) / 300 ≈ 61.5 PB/s (rrd-users, 2007): sysUpTime did not go back here,
    # but a 64-bit counter that decreased is a reset and a delta beyond the line rate is void.
    bogus = counter_delta(COUNTER32 + 1, 0, bits=64)
    assert bogus / 300 == pytest.approx(61.49e15, rel=1e-3)
    got = interval(reading(0, 100, COUNTER32 + 1, 10), reading(300, 30_100, 0, 20), speed=10 * GBIT)
    assert got is not None
    assert got.in_octets is None
    assert got.out_octets == 10


def test_n6_uptime_going_back_discards_the_interval() -> None:
    assert interval(reading(0, 50_000, 1_000, 1_000), reading(300, 200, 9_000, 9_000), speed=GBIT) is None


def test_n6_32_bit_delta_above_link_speed_is_discarded() -> None:
    # A reset on a 32-bit counter looks like a wrap; on a 100 Mb/s link 300 s carry at most 3.75e9
    # octets, so a wrapped delta of ~4.29e9 is void, not a 114 Mb/s spike.
    got = interval(reading(0, 100, 5_000, 0, 32), reading(300, 30_100, 1_000, 0, 32), speed=100_000_000)
    assert got is not None and got.in_octets is None and got.out_octets == 0


def test_n6_delta_t_from_real_timestamps() -> None:
    # A poll that came 7 s late: 37.5 MB over 307 s on 1 Gb/s, not over the nominal 300 s.
    got = interval(reading(1_000.0, 0, 0, 0), reading(1_307.0, 30_700, 37_500_000, 0), speed=GBIT)
    assert got is not None and got.seconds == 307.0
    assert utilisation(got.in_octets or 0, got.seconds, GBIT) == pytest.approx(300_000_000 / (307 * GBIT))


def test_n6_no_time_passed_or_width_changed_is_void() -> None:
    assert interval(reading(5, 0, 0, 0), reading(5, 10, 10, 10), speed=None) is None
    assert interval(reading(0, 0, 0, 0, 32), reading(300, 30_000, 10, 10, 64), speed=None) is None


def test_n6_utilisation_per_direction() -> None:
    got = interval(reading(0, 0, 0, 0), reading(300, 30_000, 33_750_000_000, 3_375_000_000), speed=GBIT)
    assert got is not None
    assert utilisation(got.in_octets or 0, got.seconds, GBIT) == pytest.approx(0.9)
    assert utilisation(got.out_octets or 0, got.seconds, GBIT) == pytest.approx(0.09)
    assert utilisation_permille(33_750_000_000, 300, GBIT) == 900


def test_n6_hc_counters_preferred_32_bit_only_when_absent() -> None:
    assert choose_counters(hc_in=7, hc_out=8, in32=1, out32=2) == (7, 8, 64)
    assert choose_counters(hc_in=None, hc_out=None, in32=1, out32=2) == (1, 2, 32)


def test_n6_if_high_speed_with_if_speed_fallback() -> None:
    assert speed_bps(if_high_speed=10_000, if_speed=COUNTER32 - 1) == 10 * GBIT
    assert speed_bps(if_high_speed=0, if_speed=100_000_000) == 100_000_000
    assert speed_bps(if_high_speed=None, if_speed=None) is None
    assert capacity_bps(contracted_bps=50_000_000, if_high_speed=1_000, if_speed=None) == 50_000_000
    assert capacity_bps(contracted_bps=None, if_high_speed=1_000, if_speed=None) == GBIT


def test_n6_agent_value_outside_the_counter_width_is_discarded() -> None:
    got = interval(reading(0, 0, 0, 0, 32), reading(300, 30_000, COUNTER32 + 5, 10, 32), speed=None)
    assert got is not None and got.in_octets is None and got.out_octets == 10
