"""N11: RFC 6587 TCP framing, octet counting and LF, with the exact bytes (anchors C2)."""

from __future__ import annotations

from services.devices.syslog.framing import Framer


def test_n11_octet_counting_keeps_embedded_newlines() -> None:
    msg = b"<13>1 - h app - - - line one\nline two"
    assert Framer().feed(str(len(msg)).encode() + b" " + msg) == [msg]


def test_n11_lf_framing() -> None:
    assert Framer().feed(b"<13>a\n<14>b\r\n\n<15>c\n") == [b"<13>a", b"<14>b", b"<15>c"]


def test_n11_framing_detected_per_message_in_one_stream() -> None:
    f = Framer()
    assert f.feed(b"5 <13>a<14>lf\n10 <15>x\ny\nz\n") == [b"<13>a", b"<14>lf", b"<15>x\ny\nz\n"]


def test_n11_message_spanning_reads_is_reassembled_byte_by_byte() -> None:
    msg = "<13>1 - h app - - - Cảnh báo\nđăng nhập".encode()
    stream = str(len(msg)).encode() + b" " + msg + b"<14>tail line\n"
    f = Framer()
    frames: list[bytes] = []
    for i in range(len(stream)):
        frames += f.feed(stream[i : i + 1])
    assert frames == [msg, b"<14>tail line"]


def test_n11_overlong_frames_are_cut_at_the_limit_and_the_stream_stays_in_step() -> None:
    f = Framer(limit=16)
    body = b"<13>" + b"x" * 40
    out = f.feed(b"44 " + body + b"<13>" + b"y" * 30 + b"\n<14>ok\n")
    assert out == [body[:16], b"<13>" + b"y" * 12, b"<14>ok"]


def test_n11_unterminated_last_frame_is_kept_at_close() -> None:
    f = Framer()
    assert f.feed(b"<13>no newline") == []
    assert f.close() == [b"<13>no newline"]
