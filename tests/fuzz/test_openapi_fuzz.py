"""Schemathesis over every service's OpenAPI and the gateway's (issue 9, "Must show").

The test starts the whole suite as ``govnet up`` starts it (broker, migrations, demo data, five
services) in a scratch directory on free loopback ports, creates a client holding every scope,
and runs schemathesis against each document with a fixed seed and a bounded number of examples.
It asserts what a fuzzer can prove: no response is a 5xx, and every response matches its
documented schema. It is marked ``fuzz``: `make test` leaves it out, `.ci/run` runs it as its own
stage (`make fuzz`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.broker import wait_for_port
from tests.support import free_test_port

pytestmark = pytest.mark.fuzz

SEED = 20261202
MAX_EXAMPLES = int(os.environ.get("GOVNET_FUZZ_MAX_EXAMPLES", "15"))
SERVICES = ("ipam", "devices", "incidents", "ngo_registry")
UPSTREAM = {"ipam": "IPAM", "devices": "DEVICES", "incidents": "INCIDENTS", "ngo_registry": "NGO"}
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))


class Suite:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.ports = {name: free_test_port() for name in ("gateway", *SERVICES)}
        broker = free_test_port()
        gateway = f"http://127.0.0.1:{self.ports['gateway']}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GOVNET_")},
            "GOVNET_VAR_DIR": str(root / "var"),
            "GOVNET_KAFKA_BOOTSTRAP": f"127.0.0.1:{broker}",
            "GOVNET_JWT_ISSUER": gateway,
            "GOVNET_JWKS_URL": f"{gateway}/.well-known/jwks.json",
            "GOVNET_LOG_LEVEL": "WARNING",
            "GOVNET_GATEWAY_ACCESS_TOKEN_SECONDS": "3600",
            "GOVNET_GATEWAY_RATE_LIMIT_CLIENT_RPS": "100000",
            "GOVNET_GATEWAY_RATE_LIMIT_CLIENT_BURST": "100000",
            "GOVNET_GATEWAY_RATE_LIMIT_ANONYMOUS_RPS": "100000",
            "GOVNET_GATEWAY_RATE_LIMIT_ANONYMOUS_BURST": "100000",
        }
        for name, port in self.ports.items():
            self.env[f"GOVNET_{name.upper()}_PORT"] = str(port)
            if name in UPSTREAM:
                self.env[f"GOVNET_GATEWAY_UPSTREAM_{UPSTREAM[name]}"] = f"http://127.0.0.1:{port}"
        # devices assigns management addresses through IPAM's API: this suite's IPAM, not one on 8101
        self.env["GOVNET_DEVICES_IPAM_URL"] = f"http://127.0.0.1:{self.ports['ipam']}"
        self.broker_port = broker
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def govnet(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "services.cli", *args], env=self.env, capture_output=True,
                              text=True, timeout=120, check=True)
        return done.stdout

    def start(self) -> None:
        log = open(self.root / "up.log", "ab")
        # the broker of this suite: `govnet up` starts none when GOVNET_KAFKA_BOOTSTRAP is set
        self.broker = subprocess.Popen([sys.executable, "-m", "services.cli", "broker", "--port", str(self.broker_port)],
                                       env=self.env, stdout=log, stderr=log)
        wait_for_port("127.0.0.1", self.broker_port, timeout=30, proc=self.broker)
        self.proc = subprocess.Popen([sys.executable, "-m", "services.cli", "up"], env=self.env, stdout=log,
                                     stderr=log, start_new_session=True)
        for name in ("gateway", *SERVICES):
            wait_for_port("127.0.0.1", self.ports[name], timeout=120, proc=self.proc)

    def stop(self) -> None:
        for proc in (self.proc, getattr(self, "broker", None)):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM) if proc is self.proc else proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    s = Suite(tmp_path_factory.mktemp("fuzz"))
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def token(suite: Suite) -> str:
    from services.gateway.routes import KNOWN_SCOPES

    created = json.loads(suite.govnet("client", "create", "--name", "fuzzer", "--org", "Fuzzing",
                                      "--scope", " ".join(KNOWN_SCOPES), "--json"))
    response = httpx.post(f"{suite.url('gateway')}/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(created["client_id"], created["client_secret"]), timeout=30)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture(scope="module")
def config(suite: Suite) -> Path:
    """Pins grant ids to a grant of another organisation: the fuzzer may revoke or suspend that one,
    not the grant behind its own token (which would turn the rest of the run into 401s). Pins the
    server-sent-event stream's duration short."""
    target = json.loads(suite.govnet("client", "create", "--name", "fuzz-target", "--org", "Fuzzing target",
                                     "--scope", "ipam:read", "--json"))
    path = suite.root / "schemathesis.toml"
    grant = target["grant_id"]
    # the security-event stream holds its response open for `seconds`: a short one keeps each case quick
    path.write_text(f'[parameters]\n"path.grant_id" = "{grant}"\n"query.seconds" = 0.2\n')
    return path


def run_schemathesis(suite: Suite, target: str, token: str, config: Path) -> subprocess.CompletedProcess[str]:
    report = suite.root / f"{target}.junit.xml"
    command = [
        SCHEMATHESIS, "--config-file", str(config), "run", f"{suite.url(target)}/openapi.json",
        "--checks", "not_a_server_error,response_schema_conformance",
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
        "--header", f"Authorization: Bearer {token}",
        "--request-timeout", "30", "--workers", "2", "--no-color", "--suppress-health-check", "all",
        "--generation-database", "none",
        "--report", "junit", "--report-junit-path", str(report),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=1150, env=suite.env, cwd=suite.root)


@pytest.mark.timeout(1200)  # a shared CI machine may be slow; the stage as a whole stays within minutes
@pytest.mark.parametrize("target", ["gateway", *SERVICES])
def test_hardening_fuzz_no_5xx_and_responses_match_schema(suite: Suite, token: str, config: Path, target: str) -> None:
    result = run_schemathesis(suite, target, token, config)
    summary = result.stdout[-6000:]
    print(summary)
    assert result.returncode == 0, f"schemathesis found failures on {target}:\n{summary}\n{result.stderr[-2000:]}"
