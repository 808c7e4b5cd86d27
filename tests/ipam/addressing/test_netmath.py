"""The pure address arithmetic of netmath: keys, gaps, aligned first fit, range to CIDRs, usable ranges."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from services.ipam.addressing import netmath
from shared.errors import InvalidInput


def _v4(text: str) -> int:
    return int(ipaddress.IPv4Address(text))


class TestKeys:
    def test_hex_keys_sort_like_the_integers_for_both_families(self) -> None:
        values = [0, 1, 255, 2**32 - 1, 2**32, 2**128 - 1]
        keys = [netmath.to_hex(v) for v in values]
        assert keys == sorted(keys)
        assert all(len(k) == 32 for k in keys)
        assert netmath.to_hex(255) == "0" * 30 + "ff"
        assert [netmath.from_hex(k) for k in keys] == values


class TestGaps:
    def test_free_space_between_sorted_children(self) -> None:
        assert list(netmath.gaps(0, 99, [(10, 19), (30, 39)])) == [(0, 9), (20, 29), (40, 99)]

    def test_nested_and_overlapping_used_intervals_count_once(self) -> None:
        # an address inside a child prefix and a child reaching past the next one start
        assert list(netmath.gaps(0, 99, [(10, 49), (12, 12), (40, 59), (70, 70)])) == [(0, 9), (60, 69), (71, 99)]

    def test_full_and_empty(self) -> None:
        assert list(netmath.gaps(0, 99, [(0, 99)])) == []
        assert list(netmath.gaps(0, 99, [])) == [(0, 99)]

    def test_used_space_outside_the_window_is_ignored(self) -> None:
        assert list(netmath.gaps(50, 59, [(0, 49), (55, 55), (60, 200)])) == [(50, 54), (56, 59)]

    def test_is_lazy_and_stops_at_the_window_end(self) -> None:
        def used() -> Iterator[tuple[int, int]]:
            yield (10, 19)
            yield (100, 109)
            raise AssertionError("read past the window")

        gen = netmath.gaps(0, 50, used())
        assert next(gen) == (0, 9)
        assert next(gen) == (20, 50)


class TestFirstAlignedFit:
    def test_aligned_start_inside_the_gap(self) -> None:
        # a /24 (256 addresses) in the gap 10.0.0.5 - 10.0.2.255 starts at 10.0.1.0
        assert netmath.first_aligned_fit(_v4("10.0.0.5"), _v4("10.0.2.255"), 256) == _v4("10.0.1.0")

    def test_already_aligned_gap_start(self) -> None:
        assert netmath.first_aligned_fit(_v4("10.0.1.0"), _v4("10.0.1.255"), 256) == _v4("10.0.1.0")

    def test_no_fit_when_the_aligned_block_would_overrun(self) -> None:
        assert netmath.first_aligned_fit(_v4("10.0.0.5"), _v4("10.0.1.254"), 256) is None
        assert netmath.first_aligned_fit(8, 15, 16) is None

    def test_a_single_address_fits_anywhere(self) -> None:
        assert netmath.first_aligned_fit(7, 7, 1) == 7


class TestRangeToCidrs:
    def test_fewest_aligned_blocks_covering_the_range_exactly(self) -> None:
        nets = netmath.range_to_cidrs(4, _v4("10.0.0.1"), _v4("10.0.0.10"))
        assert [n.cidr for n in nets] == ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/30", "10.0.0.8/31", "10.0.0.10/32"]
        assert sum(n.size for n in nets) == 10

    def test_an_aligned_range_is_one_block(self) -> None:
        assert [n.cidr for n in netmath.range_to_cidrs(4, _v4("10.1.0.0"), _v4("10.1.255.255"))] == ["10.1.0.0/16"]

    def test_the_whole_space(self) -> None:
        assert [n.cidr for n in netmath.range_to_cidrs(4, 0, 2**32 - 1)] == ["0.0.0.0/0"]
        assert [n.cidr for n in netmath.range_to_cidrs(6, 0, 2**128 - 1)] == ["::/0"]

    def test_ipv6_halves(self) -> None:
        first = int(ipaddress.IPv6Address("2001:db8::"))
        nets = netmath.range_to_cidrs(6, first + 2**64, first + 2**66 - 1)
        assert [n.cidr for n in nets] == ["2001:db8:0:1::/64", "2001:db8:0:2::/63"]
        assert all(n.first % n.size == 0 for n in nets)


class TestParsing:
    def test_canonical_prefix_and_range(self) -> None:
        net = netmath.parse_prefix(" 2001:DB8:0:0::/48 ")
        assert (net.cidr, net.family, net.length, net.size) == ("2001:db8::/48", 6, 48, 2**80)
        v4 = netmath.parse_prefix("10.20.0.0/16")
        assert (v4.first, v4.last) == (_v4("10.20.0.0"), _v4("10.20.255.255"))
        assert netmath.parse_prefix("10.0.0.0/8").contains(v4) and not v4.contains(netmath.parse_prefix("10.0.0.0/8"))

    def test_host_bits_get_a_suggestion(self) -> None:
        with pytest.raises(InvalidInput) as err:
            netmath.parse_prefix("10.0.0.5/24")
        assert "did you mean 10.0.0.0/24" in err.value.detail

    @pytest.mark.parametrize("text", ["10.0.0.0", "10/8", "10.0.0.0/33", "not-a-prefix/24"])
    def test_malformed_prefixes_are_422(self, text: str) -> None:
        with pytest.raises(InvalidInput):
            netmath.parse_prefix(text)

    def test_address_with_mask_drops_the_mask(self) -> None:
        assert netmath.parse_address("10.0.0.5/24") == (4, _v4("10.0.0.5"), "10.0.0.5")
        assert netmath.address_text(6, int(ipaddress.IPv6Address("2001:db8::5"))) == "2001:db8::5"


class TestUsableRange:
    def test_ipv4_drops_network_and_broadcast_outside_pools(self) -> None:
        net = netmath.parse_prefix("10.0.0.0/24")
        assert netmath.usable_range(net, is_pool=False) == (_v4("10.0.0.1"), _v4("10.0.0.254"))
        assert netmath.usable_range(net, is_pool=True) == (_v4("10.0.0.0"), _v4("10.0.0.255"))

    def test_point_to_point_and_host_prefixes_use_every_address(self) -> None:
        p2p = netmath.parse_prefix("10.0.0.0/31")
        assert netmath.usable_range(p2p, is_pool=False) == (p2p.first, p2p.last)

    def test_ipv6_drops_only_the_subnet_router_anycast(self) -> None:
        net = netmath.parse_prefix("2001:db8::/64")
        assert netmath.usable_range(net, is_pool=False) == (net.first + 1, net.last)


def test_net_from_range() -> None:
    net = netmath.net_from_range(4, _v4("192.168.4.0"), 22)
    assert (net.cidr, net.last) == ("192.168.4.0/22", _v4("192.168.7.255"))
