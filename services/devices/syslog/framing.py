"""TCP syslog framing (RFC 6587): octet counting and LF framing, detected per message.

A frame that starts with ``NONZERO-DIGIT *DIGIT SP`` is octet counted (``LEN SP MSG``; newlines
inside MSG stay in it); anything else runs to the next LF. A frame split across reads is
reassembled; one longer than ``limit`` is cut at ``limit`` and the rest of it discarded, so a
connection never buffers more than about ``limit`` bytes.
"""

from __future__ import annotations

import re

_COUNT = re.compile(rb"([1-9]\d{0,7}) ")
_MAX_PREFIX = 9  # 8 digits and the space


class Framer:
    """Turns a TCP byte stream into syslog frames."""

    __slots__ = ("_buf", "_count", "_kept", "_skip", "_skip_line", "limit")

    def __init__(self, limit: int = 8192) -> None:
        self.limit = limit
        self._buf = bytearray()
        self._count = 0  # bytes still owed to the octet-counted frame being read
        self._kept = bytearray()  # its first ``limit`` bytes
        self._skip = 0  # bytes of an overlong octet-counted frame to discard
        self._skip_line = False  # discarding the rest of an overlong LF frame

    def feed(self, data: bytes) -> list[bytes]:
        """The frames completed by ``data`` (in order)."""
        buf = self._buf
        buf += data
        frames: list[bytes] = []
        pos = 0
        n = len(buf)
        while pos < n:
            if self._count:
                take = min(self._count, n - pos)
                room = self.limit - len(self._kept)
                if room > 0:
                    self._kept += buf[pos : pos + min(take, room)]
                self._count -= take
                pos += take
                if self._count == 0:
                    frames.append(bytes(self._kept))
                    self._kept.clear()
                continue
            if self._skip_line:
                nl = buf.find(b"\n", pos)
                if nl < 0:
                    pos = n
                    break
                self._skip_line = False
                pos = nl + 1
                continue
            first = buf[pos]
            if 0x31 <= first <= 0x39:  # octet counting starts with a nonzero digit
                m = _COUNT.match(buf, pos)
                if m is not None:
                    self._count = int(m.group(1))
                    pos = m.end()
                    continue
                if n - pos < _MAX_PREFIX and buf.find(b" ", pos) < 0 and buf[pos:].isdigit():
                    break  # the length may continue in the next read
            if first in (0x0A, 0x0D, 0x00):  # blank lines and NUL trailers between frames
                pos += 1
                continue
            nl = buf.find(b"\n", pos)
            if nl < 0:
                if n - pos >= self.limit:
                    frames.append(bytes(buf[pos : pos + self.limit]))
                    self._skip_line = True
                    pos = n
                break
            end = min(nl, pos + self.limit)
            frames.append(bytes(buf[pos:end]).rstrip(b"\r"))
            pos = nl + 1
        del buf[:pos]
        return frames

    def close(self) -> list[bytes]:
        """What is left when the peer closes: an unterminated LF frame, or a short counted one."""
        rest: list[bytes] = []
        if self._count and self._kept:
            rest.append(bytes(self._kept))
        elif self._buf and not self._skip_line:
            rest.append(bytes(self._buf[: self.limit]))
        self._buf.clear()
        self._kept.clear()
        self._count = 0
        return rest
