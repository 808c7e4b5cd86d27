"""N6: the uplink verdicts under QĐ 58/2024 Art. 7.1 and Circular 06/2026; missing data is never a pass."""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from services.devices.rules import UPLINK_ROUTES, UPLINK_RULES
from services.devices.telemetry.models import TelemetryDaily, pack_values, unpack_values
from services.devices.telemetry.uplinks import (
    UplinkRef,
    Verdict,
    judge,
    link_figures,
    route_checks,
    window_met,
)
from shared import migrations
from shared.db import Database

QD58 = UPLINK_RULES["qd58_2024"].value


def days(counts: dict[int, int]) -> list[array[int]]:
    """One stored day holding ``counts`` (value -> how many samples)."""
    return [unpack_values(pack_values([v for v, c in counts.items() for _ in range(c)]))]


TT06 = UPLINK_RULES["tt06_2026"].value


def test_n6_rules_cite_their_articles() -> None:
    assert UPLINK_RULES["qd58_2024"].basis.article == "Điều 7 khoản 1 điểm b"
    assert "06/2026" in UPLINK_RULES["tt06_2026"].basis.document
    assert UPLINK_ROUTES.value == 2 and UPLINK_ROUTES.basis.article == "Điều 7 khoản 1 điểm a"


def test_n6_three_consecutive_months_window() -> None:
    assert window_met(QD58, date(2026, 1, 1), date(2026, 3, 31))
    assert not window_met(QD58, date(2026, 1, 1), date(2026, 3, 30))
    assert window_met(QD58, date(2026, 1, 15), date(2026, 4, 14))
    assert not window_met(QD58, date(2026, 1, 31), date(2026, 4, 29))
    assert window_met(QD58, date(2026, 1, 31), date(2026, 4, 30))
    assert window_met(TT06, date(2026, 5, 1), date(2026, 5, 7))
    assert not window_met(TT06, date(2026, 5, 1), date(2026, 5, 6))


def test_n6_every_sample_rule() -> None:
    full = {8999: 26_496}
    assert (
        judge(rule=QD58, values=days(full), expected=26_496, received=26_496, over=0, window=True)[0]
        is Verdict.PASS
    )
    # one sample at exactly 90 % fails, whatever else is missing
    assert (
        judge(rule=QD58, values=days({9000: 1}), expected=26_496, received=1, over=1, window=False)[0]
        is Verdict.FAIL
    )
    # one sample missing: not proven, never a pass
    verdict, reason = judge(
        rule=QD58, values=days({10: 26_495}), expected=26_496, received=26_495, over=0, window=True
    )
    assert verdict is Verdict.NOT_PROVEN and "1" in reason
    assert (
        judge(rule=QD58, values=days(full), expected=26_496, received=26_496, over=0, window=False)[0]
        is Verdict.NOT_PROVEN
    )


def test_n6_p95_rule_proven_both_ways() -> None:
    week = 7 * 288  # 2016 samples
    # 5 % of samples (100) at 100 %, the rest at 50 %: p95 is 50 % -> pass
    mostly_low = {5000: week - 100, 10000: 100}
    assert (
        judge(rule=TT06, values=days(mostly_low), expected=week, received=week, over=100, window=True)[0]
        is Verdict.PASS
    )
    # 110 at 95 %: p95 is 95 % -> fail even though the every-sample rule would fail too
    high = {5000: week - 110, 9500: 110}
    assert (
        judge(rule=TT06, values=days(high), expected=week, received=week, over=110, window=True)[0]
        is Verdict.FAIL
    )
    # 20 samples missing, 90 at 100 %: as 0 % p95 is 50 %, as 100 % it is above: not proven
    gap = {5000: week - 110, 10000: 90}
    assert (
        judge(rule=TT06, values=days(gap), expected=week, received=week - 20, over=90, window=True)[0]
        is Verdict.NOT_PROVEN
    )
    # a few missing that cannot change the outcome: still a pass
    few = {5000: week - 10}
    assert (
        judge(rule=TT06, values=days(few), expected=week, received=week - 10, over=0, window=True)[0]
        is Verdict.PASS
    )
    assert (
        judge(rule=TT06, values=days({}), expected=week, received=0, over=0, window=True)[0]
        is Verdict.NOT_PROVEN
    )


def test_n6_two_routes_from_the_centre_router() -> None:
    def ref(link_id: int, device: int, route: str | None) -> UplinkRef:
        return UplinkRef(link_id, device, f"L{link_id}", "VNPT", route, 1_000_000_000)

    checks = {
        c.device_id: c
        for c in route_checks(
            [
                ref(1, 10, "A"),
                ref(2, 10, "B"),
                ref(3, 20, "A"),
                ref(4, 20, "A"),
                ref(5, 30, "A"),
                ref(6, 30, None),
                ref(7, 40, "A"),
            ],
            required=2,
        )
    }
    assert checks[10].verdict is Verdict.PASS
    assert checks[20].verdict is Verdict.FAIL  # two links, one fibre path
    assert checks[30].verdict is Verdict.NOT_PROVEN
    assert checks[40].verdict is Verdict.FAIL


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    migrations.upgrade("devices", db_url)
    database = Database(db_url, pool_size=2)
    yield database
    database.engine.dispose()


def test_n6_report_figures_from_daily_rollups(db: Database) -> None:
    start = date(2026, 1, 1)
    with db.transaction() as session:
        for offset in range(7):
            day = start + timedelta(days=offset)
            # link 1: full days at 40 % in, one 95 % sample out on day 3; link 2: only 100 samples a day
            session.add(
                TelemetryDaily(
                    link_id=1,
                    direction=0,
                    day=day,
                    samples=288,
                    max_bp=4000,
                    over_threshold=0,
                    histogram=json.dumps({"4000": 288}),
                )
            )
            out_hist = {"3000": 287, "9500": 1} if offset == 2 else {"3000": 288}
            session.add(
                TelemetryDaily(
                    link_id=1,
                    direction=1,
                    day=day,
                    samples=288,
                    max_bp=9500 if offset == 2 else 3000,
                    over_threshold=int(offset == 2),
                    histogram=json.dumps(out_hist),
                )
            )
            session.add(
                TelemetryDaily(
                    link_id=2,
                    direction=0,
                    day=day,
                    samples=100,
                    max_bp=1000,
                    over_threshold=0,
                    histogram=json.dumps({"1000": 100}),
                )
            )
    links = [
        UplinkRef(1, 10, "VNPT-1", "VNPT", "A", 10**9),
        UplinkRef(2, 10, "Viettel-1", "Viettel", "B", 10**9),
    ]
    with db.transaction(write=False) as session:
        tt06 = link_figures(
            session=session, links=links, start=start, end=start + timedelta(days=6), rule=TT06
        )
        qd58 = link_figures(
            session=session, links=links, start=start, end=start + timedelta(days=6), rule=QD58
        )
    first_in, first_out = tt06[0].directions
    assert (first_in.expected, first_in.received, first_in.max_percent, first_in.p95_percent) == (
        2016,
        2016,
        40.0,
        40.0,
    )
    assert first_out.max_percent == 95.0 and first_out.p95_percent == 30.0
    assert first_out.share_over_percent == round(100 / 2016, 2)
    assert tt06[0].verdict is Verdict.PASS
    assert qd58[0].verdict is Verdict.FAIL  # one 5-minute sample at 95 %
    assert tt06[1].directions[0].received == 700
    assert tt06[1].verdict is Verdict.NOT_PROVEN  # out has no data at all; in misses most
    assert qd58[1].verdict is Verdict.NOT_PROVEN
