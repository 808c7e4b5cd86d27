"""N11: syslog parsing, each pitfall of anchors/devices.md C2 fed as the exact bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from services.devices.syslog.parse import MAX_MESSAGE, VN, Format, parse

JAN = datetime(2026, 1, 2, 3, 0, tzinfo=UTC)


def test_n11_rfc5424_header_fields_and_bom() -> None:
    p = parse(
        b"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xef\xbb\xbf'su root' failed",
        received=JAN,
    )
    assert p.format is Format.RFC5424
    assert (p.facility, p.severity) == (4, 2)
    assert p.timestamp == datetime(2003, 10, 11, 22, 14, 15, 3000, tzinfo=UTC)
    assert (p.hostname, p.app_name, p.procid, p.msgid) == ("mymachine.example.com", "su", None, "ID47")
    assert p.message == "'su root' failed"  # the BOM is not part of the text


def test_n11_rfc5424_timestamp_offset_and_microseconds() -> None:
    p = parse(b"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time", received=JAN)
    assert p.timestamp == datetime(2003, 8, 24, 12, 14, 15, 3, tzinfo=UTC)
    assert p.timestamp is not None and p.timestamp.utcoffset() == timedelta(hours=-7)
    assert (p.hostname, p.procid, p.message) == ("192.0.2.1", "8710", "%% It's time")


def test_n11_rfc5424_nilvalue_everywhere() -> None:
    p = parse(b"<165>1 - - - - - -", received=JAN)
    assert p.format is Format.RFC5424
    assert (p.timestamp, p.hostname, p.app_name, p.procid, p.msgid, p.structured_data, p.message) == (
        None,
        None,
        None,
        None,
        None,
        [],
        "",
    )


def test_n11_rfc5424_structured_data_escapes() -> None:
    raw = (
        b'<165>1 2003-10-11T22:14:15.003Z host evntslog - ID47 [exampleSDID@32473 iut="3" '
        b'eventSource="Appl\\"ic\\\\a\\]tion" path="C:\\temp"][examplePriority@32473 class="high"] \xef\xbb\xbfAn event'
    )
    p = parse(raw, received=JAN)
    assert p.structured_data == [
        ("exampleSDID@32473", [("iut", "3"), ("eventSource", 'Appl"ic\\a]tion'), ("path", "C:\\temp")]),
        ("examplePriority@32473", [("class", "high")]),
    ]
    assert p.message == "An event"


def test_n11_rfc5424_bracket_inside_value_does_not_end_the_element() -> None:
    p = parse(b'<13>1 - h a - - [x@1 v="a]b \\] c"] msg', received=JAN)
    assert p.structured_data == [("x@1", [("v", "a]b ] c")])]
    assert p.message == "msg"


def test_n11_rfc5424_broken_structured_data_is_kept_not_dropped() -> None:
    raw = b'<13>1 - h a - - [x@1 v="unterminated] msg'
    p = parse(raw, received=JAN)
    assert p.format is not Format.RFC5424
    assert "unterminated" in p.message and p.severity == 5


def test_n11_rfc3164_december_line_received_in_january_is_last_year() -> None:
    p = parse(b"<34>Dec 31 23:59:58 mymachine su: 'su root' failed for lonvick", received=JAN)
    assert p.timestamp == datetime(2025, 12, 31, 23, 59, 58, tzinfo=VN)
    assert (p.hostname, p.app_name, p.message) == ("mymachine", "su", "'su root' failed for lonvick")


def test_n11_rfc3164_year_is_never_zero_and_clock_slightly_ahead_is_next_year() -> None:
    dec31 = datetime(2025, 12, 31, 16, 59, 59, tzinfo=UTC)  # 23:59:59 in Hà Nội
    p = parse(b"<13>Jan  1 00:00:30 host app: x", received=dec31)
    assert p.timestamp == datetime(2026, 1, 1, 0, 0, 30, tzinfo=VN)
    later = parse(b"<13>Mar  1 00:01:02 host app: x", received=JAN)  # two months "ahead": last year
    assert later.timestamp is not None and later.timestamp.year == 2025


def test_n11_rfc3164_zone_is_asia_ho_chi_minh_unless_configured() -> None:
    p = parse(b"<13>Jun 15 12:00:00 host app: x", received=datetime(2026, 6, 15, 5, 0, tzinfo=UTC))
    assert p.timestamp is not None and p.timestamp.astimezone(UTC) == datetime(2026, 6, 15, 5, 0, tzinfo=UTC)
    utc = parse(
        b"<13>Jun 15 12:00:00 host app: x",
        received=datetime(2026, 6, 15, 12, 0, tzinfo=UTC),
        tz=ZoneInfo("UTC"),
    )
    assert utc.timestamp is not None and utc.timestamp.astimezone(UTC) == datetime(
        2026, 6, 15, 12, 0, tzinfo=UTC
    )


def test_n11_rfc3164_february_29_takes_a_leap_year() -> None:
    p = parse(b"<13>Feb 29 10:00:00 host app: x", received=datetime(2027, 3, 1, tzinfo=UTC))
    assert p.timestamp == datetime(2024, 2, 29, 10, 0, tzinfo=VN)


def test_n11_pri_without_timestamp_or_hostname_ubiquiti() -> None:
    p = parse(b"<30>dnsmasq-dhcp[2360]: DHCPACK(br0) 10.0.0.5 aa:bb:cc:dd:ee:ff", received=JAN)
    assert (p.format, p.facility, p.severity, p.timestamp, p.hostname) == (Format.RFC3164, 3, 6, None, None)
    assert (p.app_name, p.procid, p.message) == (
        "dnsmasq-dhcp",
        "2360",
        "DHCPACK(br0) 10.0.0.5 aa:bb:cc:dd:ee:ff",
    )
    ubnt = parse(b"<13>U7PG2,7483c2a8ed9a,v4.0.15.9872: hostapd: ath0: STA associated", received=JAN)
    assert ubnt.message == "U7PG2,7483c2a8ed9a,v4.0.15.9872: hostapd: ath0: STA associated"


def test_n11_hostname_heuristic_does_not_swallow_the_first_word() -> None:
    no_host = parse(b"<13>Jan  1 00:00:00 sshd[123]: Failed password for root", received=JAN)
    assert (no_host.hostname, no_host.app_name, no_host.procid) == (None, "sshd", "123")
    plain = parse(b"<13>Jan  1 00:00:00 Connection refused by peer", received=JAN)
    assert (plain.hostname, plain.message) == (None, "Connection refused by peer")
    with_host = parse(b"<13>Jan  1 00:00:00 sw-01 sshd[9]: Accepted", received=JAN)
    assert (with_host.hostname, with_host.app_name) == ("sw-01", "sshd")
    ip_host = parse(b"<13>Jan  1 00:00:00 10.1.2.3 link down", received=JAN)
    assert (ip_host.hostname, ip_host.message) == ("10.1.2.3", "link down")


def test_n11_esxi_hybrid_iso_timestamp_without_version() -> None:
    raw = b"<166>2021-04-08T13:42:27.620Z esxi-01.local Hostd: [LikewiseGetDomainJoinInfo:355] QueryInformation(): ERROR"
    p = parse(raw, received=JAN)
    assert p.timestamp == datetime(2021, 4, 8, 13, 42, 27, 620000, tzinfo=UTC)
    assert (p.hostname, p.app_name, p.message) == (
        "esxi-01.local",
        "Hostd",
        "[LikewiseGetDomainJoinInfo:355] QueryInformation(): ERROR",
    )


def test_n11_cisco_sequence_number_and_unsynchronised_clock() -> None:
    p = parse(
        b"<189>52: *Mar  1 00:01:02.123: %SYS-5-CONFIG_I: Configured from console by vty0", received=JAN
    )
    assert p.timestamp is not None and (p.timestamp.month, p.timestamp.microsecond) == (3, 123000)
    assert (p.app_name, p.message) == ("%SYS-5-CONFIG_I", "Configured from console by vty0")


def test_n11_vietnamese_utf8_text_in_both_formats() -> None:
    text = "Cảnh báo đăng nhập thất bại"
    a = parse(b"<38>Jan  2 09:00:00 host sshd: " + text.encode(), received=JAN)
    b = parse(b"<38>1 2026-01-02T09:00:00+07:00 host sshd - - - \xef\xbb\xbf" + text.encode(), received=JAN)
    assert a.message == b.message == text
    assert (
        b.timestamp is not None
        and b.timestamp.utcoffset() == timedelta(hours=7)
        and b.timestamp.tzinfo == timezone(timedelta(hours=7))
    )


def test_n11_unparseable_is_kept_raw_never_dropped() -> None:
    for raw in (b"no pri at all", b"<999>too big", b"<013>leading zero", b"", b"\xff\xfe\x00garbage"):
        p = parse(raw, received=JAN)
        assert p.format is Format.RAW and p.severity is None
        assert p.message == raw.decode("utf-8", "replace").replace("\x00", "\ufffd")


def test_n11_nul_and_invalid_utf8_are_stored_safely() -> None:
    p = parse(b"<13>Jan  1 00:00:00 host app: a\x00b\xffc", received=JAN)
    assert p.message == "a\ufffdb\ufffdc"


def test_n11_messages_up_to_8_kib_whole_longer_truncated_and_marked() -> None:
    head = b"<13>1 - host app - - - "
    full = head + b"x" * (MAX_MESSAGE - len(head))
    p = parse(full, received=JAN)
    assert len(p.message) == MAX_MESSAGE - len(head) and not p.truncated
    long = parse(full + b"yyyy", received=JAN)
    assert long.truncated and long.message == p.message


def test_n11_trailing_newline_is_not_part_of_the_message() -> None:
    assert parse(b"<13>1 - h a - - - text\n", received=JAN).message == "text"
    assert parse(b"<13>1 - h a - - - two\nlines", received=JAN).message == "two\nlines"
