"""Address arithmetic on integer intervals: parsing, fixed-width keys, gaps and aligned first fit.

Never materialises sets of addresses: free space is the complement of sorted child intervals,
and listing free prefixes decomposes each gap into at most 2x128 CIDR blocks.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import netaddr

from shared.errors import InvalidInput

HEX_WIDTH = 32  # 128 bits: IPv4 and IPv6 keys share one width so text comparison is numeric order
BITS = {4: 32, 6: 128}


def to_hex(value: int) -> str:
    """A fixed-width, zero-padded, lowercase hex key that sorts like the integer."""
    return f"{value:0{HEX_WIDTH}x}"


def from_hex(key: str) -> int:
    return int(key, 16)


@dataclass(frozen=True)
class Net:
    """A parsed prefix: CIDR text, family, length and its integer range."""

    cidr: str
    family: int
    length: int
    first: int
    last: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    @property
    def first_hex(self) -> str:
        return to_hex(self.first)

    @property
    def last_hex(self) -> str:
        return to_hex(self.last)

    def contains(self, other: Net) -> bool:
        return self.family == other.family and self.first <= other.first and other.last <= self.last


def net_from_range(family: int, first: int, length: int) -> Net:
    ip = netaddr.IPNetwork((first, length), version=family)
    return Net(cidr=str(ip.cidr), family=family, length=length, first=first, last=first + (1 << (BITS[family] - length)) - 1)


_AF = {4: socket.AF_INET, 6: socket.AF_INET6}


def _fast_prefix(raw: str) -> Net | None:
    """The common case (well-formed, no host bits) without building netaddr objects; None otherwise."""
    addr, _, length_text = raw.partition("/")
    if not length_text.isdigit():
        return None
    family = 6 if ":" in addr else 4
    try:
        packed = socket.inet_pton(_AF[family], addr)
    except OSError:
        return None
    length, bits = int(length_text), BITS[family]
    if length > bits:
        return None
    first = int.from_bytes(packed, "big")
    host = (1 << (bits - length)) - 1
    if first & host:
        return None
    return Net(cidr=f"{socket.inet_ntop(_AF[family], packed)}/{length}", family=family, length=length, first=first, last=first | host)


def parse_prefix(text: str, *, field: str = "prefix") -> Net:
    """Parse CIDR text strictly: a 422 with a suggestion when it is malformed or has host bits set."""
    raw = (text or "").strip()
    fast = _fast_prefix(raw)
    if fast is not None:
        return fast
    if "/" not in raw:
        raise InvalidInput(
            f"'{raw}' is not a prefix: give it in CIDR notation with a length, e.g. 10.0.0.0/24 or 2001:db8::/48.",
            errors=[{"field": field, "message": "missing '/length'"}],
        )
    try:
        ip = netaddr.IPNetwork(raw)
        addr_part = raw.split("/", 1)[0]
        netaddr.IPAddress(addr_part)  # rejects shorthand such as '10/8' or '10.1/16'
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise InvalidInput(
            f"'{raw}' is not a valid CIDR prefix; write it like 10.0.0.0/24 (IPv4) or 2001:db8::/48 (IPv6).",
            errors=[{"field": field, "message": "invalid CIDR"}],
        ) from None
    if ip.ip != ip.network:
        suggestion = str(ip.cidr)
        raise InvalidInput(
            f"'{raw}' has host bits set; did you mean {suggestion}?",
            errors=[{"field": field, "message": f"host bits set; did you mean {suggestion}?"}],
            suggestion=suggestion,
        )
    return Net(cidr=str(ip.cidr), family=ip.version, length=ip.prefixlen, first=int(ip.first), last=int(ip.last))


def parse_address(text: str, *, field: str = "address") -> tuple[int, int, str]:
    """(family, integer value, canonical text) of an address; '10.0.0.5/24' is accepted (mask dropped)."""
    raw = (text or "").strip().split("/", 1)[0]
    try:
        ip = netaddr.IPAddress(raw, flags=netaddr.INET_PTON)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise InvalidInput(
            f"'{text}' is not a valid IP address; write it like 10.0.0.5 or 2001:db8::5.",
            errors=[{"field": field, "message": "invalid IP address"}],
        ) from None
    return ip.version, int(ip), str(ip)


def parse_interface_address(text: str, *, field: str = "address") -> tuple[int, int, str, int | None]:
    """(family, value, canonical text, mask length or None) of an address as engineers write it: '10.1.2.5/24' or '10.1.2.5'."""
    raw, slash, mask = (text or "").strip().partition("/")
    family, value, textual = parse_address(raw, field=field)
    if not slash:
        return family, value, textual, None
    bits = BITS[family]
    if not (mask.isascii() and mask.isdecimal() and 1 <= int(mask) <= bits):
        raise InvalidInput(
            f"'{text}' has no valid mask; write it like {textual}/24 (a length from 1 to {bits}), or leave the mask out to take the prefix's.",
            errors=[{"field": field, "message": f"mask must be 1 to {bits}"}],
        )
    return family, value, textual, int(mask)


def address_text(family: int, value: int) -> str:
    return str(netaddr.IPAddress(value, version=family))


def gaps(first: int, last: int, used: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Free closed intervals of [first, last] given used intervals sorted by start (may nest)."""
    cursor = first
    for u_first, u_last in used:
        if u_last < cursor:
            continue
        if u_first > last:
            break
        if u_first > cursor:
            yield cursor, min(u_first - 1, last)
        cursor = max(cursor, u_last + 1)
        if cursor > last:
            return
    if cursor <= last:
        yield cursor, last


def first_aligned_fit(gap_first: int, gap_last: int, block: int) -> int | None:
    """Start of the first block of ``block`` addresses (a power of two) aligned inside the gap."""
    start = (gap_first + block - 1) // block * block
    return start if start + block - 1 <= gap_last else None


def range_to_cidrs(family: int, first: int, last: int) -> list[Net]:
    """The fewest aligned CIDR blocks covering [first, last] exactly."""
    bits = BITS[family]
    out: list[Net] = []
    cursor = first
    while cursor <= last:
        # largest aligned block starting at cursor that fits
        align = (cursor & -cursor).bit_length() - 1 if cursor else bits
        span = (last - cursor + 1).bit_length() - 1
        host_bits = min(align, span, bits)
        out.append(net_from_range(family, cursor, bits - host_bits))
        cursor += 1 << host_bits
    return out


def usable_range(net: Net, *, is_pool: bool) -> tuple[int, int]:
    """Addresses that may be assigned: IPv4 drops network/broadcast and IPv6 the subnet-router
    anycast address, except in pools and point-to-point (/31, /127) or host prefixes (NetBox rules)."""
    bits = BITS[net.family]
    if is_pool or net.length >= bits - 1:
        return net.first, net.last
    if net.family == 4:
        return net.first + 1, net.last - 1
    return net.first + 1, net.last
