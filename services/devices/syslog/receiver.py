"""The syslog listeners: UDP (RFC 5426), TCP (RFC 6587) and TLS (RFC 5425), all asyncio.

Each hands raw frames to :meth:`Intake.offer`; parsing and storage happen in the writer, so the
receive path is a queue put. TLS listens only when a certificate is configured.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any

from services.devices.syslog.framing import Framer
from services.devices.syslog.intake import Intake

log = logging.getLogger("govnet.devices.syslog")
UDP_BUFFER = 4 * 1024 * 1024
MAX_CONNECTIONS = 1000


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self.intake.offer(data, addr[0], "udp")


@dataclass
class Receiver:
    """Running listeners and the ports they are bound to."""

    intake: Intake
    udp_port: int | None = None
    tcp_port: int | None = None
    tls_port: int | None = None
    _transports: list[asyncio.BaseTransport] = field(default_factory=list)
    _servers: list[asyncio.Server] = field(default_factory=list)
    _connections: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        """Bind the configured listeners (port 0 picks a free port, reported in ``*_port``)."""
        s = self.intake.settings
        loop = asyncio.get_running_loop()
        if s.syslog_udp:
            sock = socket.socket(
                socket.AF_INET6 if ":" in s.syslog_host else socket.AF_INET, socket.SOCK_DGRAM
            )
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_BUFFER)
            sock.bind((s.syslog_host, s.syslog_port))
            transport, _ = await loop.create_datagram_endpoint(lambda: _Datagrams(self.intake), sock=sock)
            self._transports.append(transport)
            self.udp_port = sock.getsockname()[1]
        if s.syslog_tcp:
            port = self.udp_port if s.syslog_port == 0 and self.udp_port else s.syslog_port
            server = await asyncio.start_server(
                self._serve("tcp"), s.syslog_host, port, limit=s.syslog_max_message
            )
            self._servers.append(server)
            self.tcp_port = server.sockets[0].getsockname()[1]
        if s.syslog_tls_cert:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(s.syslog_tls_cert, s.syslog_tls_key)
            server = await asyncio.start_server(self._serve("tls"), s.syslog_host, s.syslog_tls_port, ssl=ctx)
            self._servers.append(server)
            self.tls_port = server.sockets[0].getsockname()[1]
        log.info("syslog listening", extra={"udp": self.udp_port, "tcp": self.tcp_port, "tls": self.tls_port})

    def _serve(self, transport: str) -> Any:
        limit = self.intake.settings.syslog_max_message

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            peer = writer.get_extra_info("peername")
            sender = str(peer[0]) if peer else "unknown"
            task = asyncio.current_task()
            if len(self._connections) >= MAX_CONNECTIONS or task is None:
                writer.close()
                return
            self._connections.add(task)
            framer = Framer(limit)
            try:
                while data := await reader.read(65536):
                    for frame in framer.feed(data):
                        self.intake.offer(frame, sender, transport)
                for frame in framer.close():
                    self.intake.offer(frame, sender, transport)
            except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError) as exc:
                log.info("syslog connection ended", extra={"sender": sender, "error": str(exc)})
            finally:
                self._connections.discard(task)
                writer.close()

        return handle

    async def stop(self) -> None:
        """Close the listeners and the open connections."""
        for t in self._transports:
            t.close()
        for server in self._servers:
            server.close()
        for task in list(self._connections):
            task.cancel()
        for server in self._servers:
            await server.wait_closed()
