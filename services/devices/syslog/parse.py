"""Syslog parsing as pure functions: RFC 5424, RFC 3164 and the vendor hybrids in between.

``parse(data, received=..., tz=...)`` never raises and never drops: what it cannot read is
kept whole as a ``raw`` message. Regexes and byte slicing only (no parser generator), so one
core parses well over 50,000 mixed messages per second (benchmarks/syslog.py).

Pitfalls handled (anchors/devices.md, C2): the 3164 timestamp has no year (the year that puts it
nearest the receive time, so a December line received in January is last year's) and no zone
(``tz``, Asia/Ho_Chi_Minh by default); PRI with neither timestamp nor hostname (Ubiquiti); a
hostname heuristic that does not swallow the message's first word; ESXi's 5424-style lines
without VERSION; 5424 NILVALUE ``-``, STRUCTURED-DATA escapes (``\\"``, ``\\\\``, ``\\]``) and
the UTF-8 BOM before MSG.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_MESSAGE = 8192
BOM = b"\xef\xbb\xbf"
NIL = b"-"
FUTURE_SLACK = timedelta(days=31)

SDParams = list[tuple[str, str]]
SDElements = list[tuple[str, SDParams]]


class Format(StrEnum):
    """How a message was read."""

    RFC5424 = "rfc5424"
    RFC3164 = "rfc3164"
    RAW = "raw"


@dataclass(slots=True)
class Parsed:
    """One syslog message as read from the wire."""

    format: Format
    message: str
    facility: int | None = None
    severity: int | None = None
    timestamp: datetime | None = None
    hostname: str | None = None
    app_name: str | None = None
    procid: str | None = None
    msgid: str | None = None
    structured_data: SDElements = field(default_factory=list)
    truncated: bool = False


_PRI = re.compile(rb"<(\d{1,3})>")
_5424 = re.compile(
    rb"([1-9]\d{0,2}) (-|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) "
    rb"(\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) ?"
)
# ESXi and friends: an ISO timestamp right after PRI, no VERSION.
_ISO = re.compile(rb"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?) ")
_MONTHS = {
    m: i
    for i, m in enumerate(
        (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"), 1
    )
}
# Optional Cisco sequence number and '*' (unsynchronised clock), Mmm dd [yyyy] hh:mm:ss[.fff][:] .
_BSD = re.compile(
    rb"(?:\d{1,10}: )?[*.]?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ 0-3]?\d) (?:(\d{4}) )?"
    rb"([0-2]\d):([0-5]\d):([0-6]\d)(?:\.(\d{1,6}))?(?: [A-Z]{3,4})?:? ?"
)
_TAG = re.compile(rb"([A-Za-z0-9_./%@-]{1,64})(?:\[([^\]\s]{1,128})\])?:(?: |$)")
_HOST = re.compile(rb"([A-Za-z0-9_.:-]{1,255}) ")
_IPV4 = re.compile(rb"\d{1,3}(?:\.\d{1,3}){3}")
_SD_ID = re.compile(rb'\[([^\s=\]"]{1,32})')
_SD_PARAM = re.compile(rb' ([^\s=\]"]{1,32})="')


def _text(data: bytes) -> str:
    """UTF-8 text of ``data`` (invalid bytes as U+FFFD; NUL too, which PostgreSQL text refuses)."""
    return data.decode("utf-8", "replace").replace("\x00", "\ufffd")


def _nil(value: bytes) -> str | None:
    """None for the NILVALUE, else the field's text."""
    return None if value == NIL else _text(value)


def parse_structured_data(data: bytes, pos: int) -> tuple[SDElements, int] | None:
    """The SD-ELEMENTs starting at ``pos`` and the index after them, or None if malformed."""
    elements: SDElements = []
    n = len(data)
    while pos < n and data[pos] == 0x5B:  # '['
        m = _SD_ID.match(data, pos)
        if m is None:
            return None
        sd_id = _text(m.group(1))
        pos = m.end()
        params: SDParams = []
        while True:
            if pos < n and data[pos] == 0x5D:  # ']'
                pos += 1
                break
            p = _SD_PARAM.match(data, pos)
            if p is None:
                return None
            pos = p.end()
            value = bytearray()
            while True:
                end = data.find(b'"', pos)
                slash = data.find(b"\\", pos, end if end >= 0 else n)
                if end < 0:
                    return None
                if slash < 0:
                    value += data[pos:end]
                    pos = end + 1
                    break
                value += data[pos:slash]
                nxt = data[slash + 1 : slash + 2]
                # RFC 5424 6.3.3: only \" \\ \] are escapes; a backslash before anything else stays.
                value += nxt if nxt in (b'"', b"\\", b"]") else b"\\" + nxt
                pos = slash + 2
            params.append((_text(p.group(1)), _text(bytes(value))))
        elements.append((sd_id, params))
    return (elements, pos) if elements else None


def _msg(data: bytes) -> str:
    """MSG text, without the UTF-8 BOM that may precede it (RFC 5424 6.4)."""
    return _text(data[3:] if data.startswith(BOM) else data)


def _rfc5424(data: bytes, pos: int, out: Parsed) -> bool:
    """Fill ``out`` from the 5424 header at ``pos``; False if it is not one."""
    m = _5424.match(data, pos)
    if m is None:
        return False
    version, ts, host, app, proc, msgid = m.groups()
    if ts != NIL:
        try:
            out.timestamp = datetime.fromisoformat(ts.decode())
        except ValueError:
            return False
    pos = m.end()
    if data.startswith(NIL, pos):
        sd: SDElements = []
        pos += 1
    else:
        found = parse_structured_data(data, pos)
        if found is None:
            return False
        sd, pos = found
    if pos < len(data) and data[pos] != 0x20:
        return False
    out.format = Format.RFC5424
    out.hostname, out.app_name, out.procid, out.msgid = _nil(host), _nil(app), _nil(proc), _nil(msgid)
    out.structured_data = sd
    out.message = _msg(data[pos + 1 :])
    return True


def infer_year(
    month: int, day: int, clock: tuple[int, int, int, int], received: datetime, tz: tzinfo
) -> datetime | None:
    """The 3164 time in the latest year that puts it no more than 31 days after ``received``.

    So a December line received in January is last year's, a 1 January line received on
    31 December (a clock slightly ahead) is next year's; 29 February takes the nearest leap year.
    """
    hour, minute, second, micro = clock
    local = received.astimezone(tz)
    horizon = local + FUTURE_SLACK
    for year in range(local.year + 1, local.year - 8, -1):
        try:
            candidate = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
        except ValueError:  # 29 February of a common year, 31 April, hour 24
            continue
        if candidate <= horizon:
            return candidate
    return None


def _looks_like_host(token: bytes, rest: bytes) -> bool:
    """Whether ``token`` is a HOSTNAME rather than the first word of the message.

    It is when the next word is a TAG (``app:`` or ``app[pid]:``), or when it is an address or a
    dotted name itself; ``sshd[1]:`` or the ``Connection`` of ``Connection refused`` never are.
    """
    if token.endswith(b":"):
        return False
    if _TAG.fullmatch(rest.split(b" ", 1)[0]) is not None:
        return True
    return b"." in token or token.count(b":") >= 2


def _rfc3164(data: bytes, pos: int, out: Parsed, received: datetime, tz: tzinfo) -> None:
    """Fill ``out`` from a BSD-style line at ``pos`` (timestamp, hostname and tag all optional)."""
    out.format = Format.RFC3164
    m = _BSD.match(data, pos)
    if m is not None:
        mon, day, year, hh, mm, ss, frac = m.groups()
        micro = int(frac.ljust(6, b"0")) if frac else 0
        clock = (int(hh), int(mm), int(ss), micro)
        month = _MONTHS[mon]
        if year is not None:
            try:
                out.timestamp = datetime(int(year), month, int(day), *clock, tzinfo=tz)
            except ValueError:
                out.timestamp = None
        else:
            out.timestamp = infer_year(month, int(day), clock, received, tz)
        pos = m.end()
    else:
        iso = _ISO.match(data, pos)
        if iso is not None:
            try:
                ts = datetime.fromisoformat(iso.group(1).decode())
                out.timestamp = ts if ts.tzinfo is not None else ts.replace(tzinfo=tz)
                pos = iso.end()
            except ValueError:
                pass
    if out.timestamp is not None:
        h = _HOST.match(data, pos)
        if h is not None and _looks_like_host(h.group(1), data[h.end() : h.end() + 200]):
            out.hostname = _text(h.group(1))
            pos = h.end()
    t = _TAG.match(data, pos)
    if t is not None:
        out.app_name = _text(t.group(1))
        out.procid = _text(t.group(2)) if t.group(2) else None
        pos = t.end()
    out.message = _text(data[pos:])


def parse(data: bytes, *, received: datetime, tz: tzinfo = VN, limit: int = MAX_MESSAGE) -> Parsed:
    """Read one syslog message; never raises, keeps unparseable input whole as ``raw``."""
    truncated = len(data) > limit
    if truncated:
        data = data[:limit]
    data = data.rstrip(b"\r\n\x00")
    out = Parsed(format=Format.RAW, message="", truncated=truncated)
    try:
        m = _PRI.match(data)
        if m is None or int(m.group(1)) > 191 or (len(m.group(1)) > 1 and m.group(1)[0] == 0x30):
            out.message = _text(data)
            return out
        pri = int(m.group(1))
        out.facility, out.severity = pri >> 3, pri & 7
        pos = m.end()
        if not _rfc5424(data, pos, out):
            out.timestamp = None
            _rfc3164(data, pos, out, received, tz)
    except Exception:
        out = Parsed(format=Format.RAW, message=_text(data), truncated=truncated)
    return out


__all__ = ["MAX_MESSAGE", "VN", "Format", "Parsed", "infer_year", "parse", "parse_structured_data"]
