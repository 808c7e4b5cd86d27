"""N11: ``govnet syslog`` runs intake as its own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from shared import migrations
from tests.support import free_test_port, wait_until


def test_n11_govnet_syslog_process_receives_and_stores(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'devices.db'}"
    migrations.upgrade("devices", url)
    port = free_test_port()
    env = {**os.environ, "GOVNET_DEVICES_DATABASE_URL": url, "GOVNET_DEVICES_SYSLOG_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "syslog"], env=env, stderr=subprocess.PIPE)
    try:
        engine = create_engine(url)

        def stored() -> list[str]:
            subprocess.run(
                [
                    "/usr/bin/logger",
                    "--server",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--udp",
                    "-t",
                    "proc",
                    "xin chào",
                ],
                check=True,
            )
            with engine.connect() as c:
                return [r[0] for r in c.execute(text("SELECT app_name FROM syslog_message"))]

        assert "proc" in wait_until(stored, timeout=30, interval=0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
