"""Tests of the Python client against the real asana-accessd and asana-sim.

Run from the repository root with either of:

    python3 -m unittest discover -s clients/python/tests -v
    python3 -m pytest clients/python/tests -v

The binaries come from $ASANA_ACCESS_BIN_DIR (default: .build/debug under the repository root).
setUpModule starts one asana-sim (300 generated users, 5 teams), one asana-accessd that takes API
tokens, and one that requires mutual TLS (principal dev-admin = admin), all on 127.0.0.1 with
--port 0; OAuthTests adds a third asana-accessd with its own data directory, so that the OAuth
credentials it stores never replace the shared server's PATs. tearDownModule stops every one of
them and deletes the temporary directory.
"""

from __future__ import annotations

import atexit
import csv
import io
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(os.path.dirname(PYTHON_DIR))
sys.path.insert(0, PYTHON_DIR)

from asana_access_client import (  # noqa: E402
    Client,
    ConnectionFailed,
    OAuthFinishResult,
    OAuthStart,
    RpcError,
    User,
)

import schema_check  # noqa: E402
from schema_check import CHECKED, DESCRIBED, SchemaCheckedClient  # noqa: E402

CLI = os.path.join(PYTHON_DIR, "asana_access_cli.py")
CONFORMANCE = os.path.join(REPO_ROOT, "clients", "conformance", "run_transcripts.py")
WORKSPACE = "1000"
START_TIMEOUT = 60.0
BINARY_WAIT = 120.0


def _bin_dir() -> str:
    path = os.environ.get("ASANA_ACCESS_BIN_DIR") or os.path.join(".build", "debug")
    return path if os.path.isabs(path) else os.path.join(REPO_ROOT, path)


class Environment:
    """The processes and files the tests share."""

    def __init__(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="asana-access-pytest-")
        self.bin = _bin_dir()
        self.procs: List[subprocess.Popen] = []
        self.tokens: Dict[str, str] = {}
        self.certs = os.path.join(self.tmp, "certs")
        self.ca = os.path.join(self.certs, "ca.pem")
        self.client_cert = os.path.join(self.certs, "client.pem")
        self.client_key = os.path.join(self.certs, "client-key.pem")
        self.sim_url = ""
        self.port = 0
        self.mtls_port = 0

    # -- helpers ---------------------------------------------------------------------------

    def binary(self, name: str) -> str:
        return os.path.join(self.bin, name)

    def wait_for_binaries(self) -> None:
        """The lead rebuilds the binaries from time to time: wait a moment for them."""
        deadline = time.monotonic() + BINARY_WAIT
        names = ("asana-accessd", "asana-sim")
        while True:
            missing = [n for n in names if not os.access(self.binary(n), os.X_OK)]
            if not missing:
                return
            if time.monotonic() > deadline:
                raise unittest.SkipTest(f"binaries missing in {self.bin}: {', '.join(missing)} "
                                        "(build with `swift build` or set ASANA_ACCESS_BIN_DIR)")
            time.sleep(2)

    def run(self, *args: str, stdin: Optional[bytes] = None) -> str:
        done = subprocess.run(list(args), input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=120, cwd=self.tmp)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
        return done.stdout.decode()

    def start(self, name: str, args: List[str], marker: str) -> str:
        """Starts a process with stdout/stderr in files and returns the rest of the first
        stdout line after `marker`."""
        out_path = os.path.join(self.tmp, f"{name}.out")
        err = open(os.path.join(self.tmp, f"{name}.err"), "wb")
        out = open(out_path, "wb")
        proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=self.tmp)
        out.close()
        err.close()
        self.procs.append(proc)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with open(out_path, "rb") as handle:
                first = handle.readline()
            if first.endswith(b"\n"):
                text = first.decode().strip()
                if marker not in text:
                    raise RuntimeError(f"{name}: unexpected first line {text!r}")
                return text.split(marker, 1)[1].strip()
            if proc.poll() is not None:
                with open(os.path.join(self.tmp, f"{name}.err"), "rb") as handle:
                    tail = handle.read()[-2000:].decode(errors="replace")
                raise RuntimeError(f"{name} exited with {proc.returncode}: {tail}")
            time.sleep(0.05)
        raise RuntimeError(f"{name} did not print its listening line within {START_TIMEOUT} s")

    def init_data(self, data: str) -> None:
        accessd = self.binary("asana-accessd")
        self.run(accessd, "init", "--data-dir", data)
        for purpose in ("provision", "sync"):
            self.run(accessd, "credentials", "put", "--data-dir", data, "--workspace", WORKSPACE,
                     "--purpose", purpose, "--asana-base-url", self.sim_url, stdin=b"demo-admin-token")

    # -- lifecycle -------------------------------------------------------------------------

    def setup(self) -> None:
        self.wait_for_binaries()
        accessd = self.binary("asana-accessd")
        self.run(accessd, "certs", "dev", "--out", self.certs)
        self.sim_url = self.start("asana-sim", [self.binary("asana-sim"), "--generate-users", "300",
                                                "--generate-teams", "5", "--port", "0", "--host", "127.0.0.1"],
                                  "listening on ")
        data = os.path.join(self.tmp, "data")
        self.init_data(data)
        for role in ("reader", "operator", "admin"):
            self.tokens[role] = self.run(accessd, "tokens", "create", "--data-dir", data,
                                         "--name", f"py-{role}", "--role", role).strip()
        # --sync-interval 0: no scheduled sync (a never-synced workspace gets one within 5 s of the start), which
        # would race the tests' own syncs (sync.in_progress).
        tls = ["--tls-cert", os.path.join(self.certs, "server.pem"),
               "--tls-key", os.path.join(self.certs, "server-key.pem"), "--sync-interval", "0"]
        address = self.start("accessd", [accessd, "serve", "--data-dir", data, "--host", "127.0.0.1",
                                         "--port", "0", "--asana-base-url", self.sim_url, *tls],
                             "listening on ")
        self.port = int(address.rsplit(":", 1)[1])

        mtls_data = os.path.join(self.tmp, "data-mtls")
        self.init_data(mtls_data)
        address = self.start("accessd-mtls", [accessd, "serve", "--data-dir", mtls_data, "--host", "127.0.0.1",
                                              "--port", "0", "--asana-base-url", self.sim_url, *tls,
                                              "--client-ca", self.ca, "--principal-role", "dev-admin=admin"],
                             "listening on ")
        self.mtls_port = int(address.rsplit(":", 1)[1])

        # One snapshot to query; the sync tests make more.
        with self.client("operator") as client:
            client.sync(WORKSPACE)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=35)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        self.procs.clear()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- clients ---------------------------------------------------------------------------

    def client(self, role: Optional[str] = None, **kwargs: Any) -> Client:
        token = self.tokens[role] if role else None
        return SchemaCheckedClient("127.0.0.1", self.port, self.ca, token=token, timeout=60, **kwargs)

    def mtls_client(self, **kwargs: Any) -> Client:
        return SchemaCheckedClient("127.0.0.1", self.mtls_port, self.ca, certfile=self.client_cert,
                      keyfile=self.client_key, timeout=60, **kwargs)


ENV: Optional[Environment] = None


def setUpModule() -> None:  # noqa: N802 (unittest and pytest both call this name)
    global ENV
    env = Environment()
    atexit.register(env.stop)  # even if tearDownModule never runs
    try:
        env.setup()
    except BaseException:
        env.stop()
        raise
    ENV = env


def tearDownModule() -> None:  # noqa: N802
    global ENV
    if ENV is not None:
        ENV.stop()
        ENV = None
    # Every method the server describes had at least one answer checked against its schema.
    unchecked = sorted(DESCRIBED - CHECKED)
    if DESCRIBED and unchecked:
        raise AssertionError(f"no test checked an answer of {', '.join(unchecked)} against its schema")


def env() -> Environment:
    assert ENV is not None, "setUpModule did not run"
    return ENV


def free_port() -> int:
    """A port nothing listens on (bound and closed at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unique(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{time.monotonic_ns()}"


# ------------------------------------------------------------------------------------------------
# Connection, ping, authentication
# ------------------------------------------------------------------------------------------------


class ConnectionTests(unittest.TestCase):
    def test_ping_without_identity(self) -> None:
        with env().client() as client:
            pong = client.ping()
            self.assertEqual(pong.protocol_version, "1.0")
            self.assertEqual(pong.server, "asana-accessd")
            self.assertTrue(pong.version)
            self.assertRegex(pong.time, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIsNone(pong.identity)
            self.assertIn(client.tls_version, ("TLSv1.2", "TLSv1.3"))
            # The server's defaults (serve was started without limit options), published before authentication.
            self.assertEqual(pong.limits["unauthenticated"], {
                "lineBytes": 65536, "batchLength": 10, "jsonValues": 256, "linesPerSecond": 10, "inFlight": 1,
                "answerBytes": 16384, "queuedBytes": 16384})
            self.assertEqual(pong.limits["authenticated"], {
                "lineBytes": 1048576, "batchLength": 100, "jsonValues": 10000, "linesPerSecond": None, "inFlight": 16,
                "answerBytes": 4194304, "queuedBytes": 4194304})
            self.assertEqual((pong.limits["jsonDepth"], pong.limits["connections"]), (64, 256))

    def test_tls_1_2_is_accepted(self) -> None:
        # The client's floor is TLS 1.2; check the server speaks it when the client asks for exactly 1.2.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(env().ca)
        context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
        with socket.create_connection(("127.0.0.1", env().port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                self.assertEqual(tls.version(), "TLSv1.2")
                tls.sendall(b'{"jsonrpc":"2.0","id":7,"method":"ping"}\r\n')
                self.assertTrue(tls.recv(65536).startswith(b'{"id":7,'))

    def test_discover_lists_every_method(self) -> None:
        with env().client() as client:
            with self.assertRaises(RpcError) as caught:
                client.discover()
            self.assertEqual((caught.exception.code, caught.exception.name), (-32001, "auth.required"))
        with env().client("reader") as client:
            document = client.discover()
            names = set(client.method_names())
        listed = {m["name"]: m for m in document["methods"]}
        self.assertEqual(listed["listUsers"]["x-minimumRole"], "reader")
        self.assertIsNone(listed["ping"]["x-minimumRole"])
        self.assertIn({"name": "workspace", "required": True, "schema": {"type": "string"}}, listed["listUsers"]["params"])
        self.assertEqual(document["components"]["errors"]["workspace.not_synced"]["code"], 1001)
        self.assertTrue({"ping", "rpc.discover", "authenticate", "sync", "listUsers", "provision",
                         "createToken", "listTokens", "revokeToken", "putCredential", "listCredentials",
                         "deleteCredential", "listSyncRuns", "getSyncRun", "listAuditEvents",
                         "putOAuthClient", "listOAuthClients", "deleteOAuthClient", "oauthStart", "oauthFinish"} <= names)

    def test_authenticate_each_role(self) -> None:
        for role in ("reader", "operator", "admin"):
            with self.subTest(role=role), env().client(role) as client:
                self.assertEqual(client.identity.role, role)
                self.assertEqual(client.identity.principal, f"token:py-{role}")
                self.assertEqual(client.ping().identity, client.identity)

    def test_authenticate_later_on_an_open_connection(self) -> None:
        with env().client() as client:
            self.assertIsNone(client.ping().identity)
            identity = client.authenticate(env().tokens["reader"])
            self.assertEqual(identity.role, "reader")
            self.assertEqual(client.ping().identity.principal, "token:py-reader")

    def test_bad_token_is_auth_failed(self) -> None:
        bad = "aat_0123456789abcdef_" + "A" * 43
        with env().client() as client:
            with self.assertRaises(RpcError) as caught:
                client.authenticate(bad)
            self.assertEqual(caught.exception.code, -32003)
            self.assertEqual(caught.exception.name, "auth.failed")
            self.assertIsNone(client.ping().identity)  # the connection stays open, unauthenticated

    def test_bad_token_in_constructor_raises_and_closes(self) -> None:
        with self.assertRaises(RpcError) as caught:
            Client("127.0.0.1", env().port, env().ca, token="aat_nope")
        self.assertEqual(caught.exception.code, RpcError.AUTH_FAILED)

    def test_too_many_attempts(self) -> None:
        # 250 + 500 + 1000 + 2000 + 4000 ms of throttling, then -32004 at once.
        with env().client() as client:
            for _ in range(5):
                with self.assertRaises(RpcError) as caught:
                    client.authenticate("aat_wrong")
                self.assertEqual(caught.exception.code, -32003)
            started = time.monotonic()
            with self.assertRaises(RpcError) as caught:
                client.authenticate(env().tokens["admin"])  # even a good token
            self.assertEqual(caught.exception.code, -32004)
            self.assertEqual(caught.exception.name, "auth.too_many_attempts")
            self.assertLess(time.monotonic() - started, 2.0)

    def test_unauthenticated_call_is_auth_required(self) -> None:
        with env().client() as client:
            with self.assertRaises(RpcError) as caught:
                client.list_users(WORKSPACE)
        self.assertEqual(caught.exception.code, -32001)
        self.assertEqual(caught.exception.name, "auth.required")

    def test_reader_is_forbidden_from_sync(self) -> None:
        with env().client("reader") as client:
            with self.assertRaises(RpcError) as caught:
                client.sync(WORKSPACE)
            self.assertEqual(caught.exception.code, -32002)
            self.assertEqual(caught.exception.name, "auth.forbidden")
            self.assertIn("operator", caught.exception.data.get("allowedRoles", []))
            with self.assertRaises(RpcError) as caught:
                client.provision(WORKSPACE, "x@acme.example", "add")
            self.assertEqual(caught.exception.code, -32002)

    def test_operator_is_forbidden_from_admin_methods(self) -> None:
        with env().client("operator") as client:
            for call in (client.list_tokens, client.list_credentials, client.list_audit_events):
                with self.subTest(method=call.__name__), self.assertRaises(RpcError) as caught:
                    call()
                self.assertEqual(caught.exception.code, -32002)
                self.assertEqual(caught.exception.data.get("allowedRoles"), ["admin"])

    def test_connection_refused_is_connection_failed(self) -> None:
        with self.assertRaises(ConnectionFailed):
            Client("127.0.0.1", free_port(), env().ca, timeout=5)

    def test_wrong_server_name_is_connection_failed(self) -> None:
        with self.assertRaises(ConnectionFailed) as caught:
            Client("127.0.0.1", env().port, env().ca, server_hostname="not-in-the-cert.example", timeout=5)
        self.assertIn("certificate", str(caught.exception).lower())

    def test_untrusted_ca_is_connection_failed(self) -> None:
        with self.assertRaises(ConnectionFailed):
            Client("127.0.0.1", env().port, None, timeout=5)  # the system store does not know the dev CA

    def test_closed_client_raises_connection_failed(self) -> None:
        client = env().client()
        client.close()
        self.assertTrue(client.closed)
        with self.assertRaises(ConnectionFailed):
            client.ping()


class MutualTLSTests(unittest.TestCase):
    def test_dev_admin_certificate(self) -> None:
        with env().mtls_client() as client:
            pong = client.ping()
            self.assertEqual(pong.identity.principal, "cert:dev-admin")
            self.assertEqual(pong.identity.role, "admin")
            self.assertGreaterEqual(len(client.list_credentials()), 2)  # an admin method

    def test_no_client_certificate_is_refused(self) -> None:
        with self.assertRaises(ConnectionFailed):
            # TLS 1.3: the refusal may only show up at the first read.
            with Client("127.0.0.1", env().mtls_port, env().ca, timeout=10) as client:
                client.ping()


# ------------------------------------------------------------------------------------------------
# Framing and the generic call
# ------------------------------------------------------------------------------------------------


class GenericCallTests(unittest.TestCase):
    def test_schema_check_catches_drift(self) -> None:
        with env().client("reader") as client:
            good = client.call("ping")
        schema_check.check("ping", good)
        drifted = [dict(good, extra=1),                                      # a member the contract lacks
                   {k: v for k, v in good.items() if k != "time"},           # a required member left out
                   dict(good, version=1),                                    # a wrong type
                   dict(good, identity={"principal": "token:x"})]            # a nested member left out
        for result in drifted:
            with self.assertRaises(AssertionError, msg=str(result)):
                schema_check.check("ping", result)

    def test_unknown_method(self) -> None:
        with env().client() as client:
            with self.assertRaises(RpcError) as caught:
                client.call("noSuchMethod")
        self.assertEqual((caught.exception.code, caught.exception.name), (-32601, "rpc.method_not_found"))

    def test_unknown_param_names_the_field(self) -> None:
        with env().client("reader") as client:
            with self.assertRaises(RpcError) as caught:
                client.call("listUsers", {"workspace": WORKSPACE, "admn": True})
        self.assertEqual(caught.exception.code, -32602)
        self.assertEqual(caught.exception.data.get("field"), "admn")

    def test_over_long_line_is_answered_and_connection_survives(self) -> None:
        with env().client() as client:
            with self.assertRaises(RpcError) as caught:
                client.call("ping", {"padding": "x" * (1024 * 1024 + 10)})
            self.assertEqual(caught.exception.code, -32600)
            self.assertEqual(caught.exception.name, "limit.line_bytes")
            self.assertEqual(client.ping().protocol_version, "1.0")

    def test_batch(self) -> None:
        with env().client("reader") as client:
            answers = client.batch([("ping", None), ("noSuchMethod", None),
                                    ("listUsers", {"workspace": WORKSPACE, "limit": 1})])
        self.assertEqual(answers[0]["protocolVersion"], "1.0")
        self.assertIsInstance(answers[1], RpcError)
        self.assertEqual(answers[1].code, -32601)
        self.assertEqual(len(answers[2]["users"]), 1)

    def test_notification_gets_no_answer(self) -> None:
        with env().client() as client:
            client.notify("ping")
            self.assertIsNone(client.ping().identity)  # the next answer is the ping's, not the notification's


class _FakeSocket:
    """Hands out scripted chunks to the client's reader."""

    def __init__(self, chunks: List[bytes]) -> None:
        self.chunks = list(chunks)
        self.sent = b""

    def recv(self, size: int) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""

    def sendall(self, data: bytes) -> None:
        self.sent += data

    def close(self) -> None:
        pass

    def version(self) -> str:
        return "fake"


def _offline_client(chunks: List[bytes], max_line_bytes: int = 1 << 20) -> Client:
    client = Client.__new__(Client)
    client.host, client.port, client.timeout = "fake", 0, 1
    client.max_line_bytes = max_line_bytes
    client.on_notification = None
    client.identity = None
    client._next_id = 1
    client._buffer = bytearray()
    client._sock = _FakeSocket(chunks)  # type: ignore[assignment]
    return client


class FramingTests(unittest.TestCase):
    """The reader, offline: split on LF, drop one CR, skip blank lines, bound the length."""

    def test_crlf_blank_lines_split_chunks_and_notifications(self) -> None:
        seen: List[Any] = []
        client = _offline_client([b"\r\n  \t\n", b'{"jsonrpc":"2.0","method":"sync.progress","params":{"phase":"users"}}\n{"id":1,"jso',
                                  b'nrpc":"2.0","result":{"ok":true}}\r\n'])
        result = client.call("ping", on_notification=lambda m, p: seen.append((m, p)))
        self.assertEqual(result, {"ok": True})
        self.assertEqual(seen, [("sync.progress", {"phase": "users"})])
        self.assertEqual(client._sock.sent, b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n')  # type: ignore[union-attr]

    def test_answers_to_other_ids_are_skipped_and_null_id_errors_raise(self) -> None:
        client = _offline_client([b'{"id":99,"jsonrpc":"2.0","result":1}\n{"error":{"code":-32600,"data":{"name":"limit.line_bytes"},"message":"too long"},"id":null,"jsonrpc":"2.0"}\n'])
        with self.assertRaises(RpcError) as caught:
            client.call("ping")
        self.assertEqual(caught.exception.name, "limit.line_bytes")

    def test_line_too_long(self) -> None:
        client = _offline_client([b"x" * 100, b"y" * 100], max_line_bytes=150)
        with self.assertRaises(ConnectionFailed):
            client.call("ping")
        self.assertTrue(client.closed)

    def test_not_json_and_eof(self) -> None:
        with self.assertRaises(ConnectionFailed):
            _offline_client([b"{nope\n"]).call("ping")
        with self.assertRaises(ConnectionFailed):
            _offline_client([b'{"id":1,"jsonrpc":"2.0","result":{}}']).call("ping")  # no LF before EOF


# ------------------------------------------------------------------------------------------------
# sync, listUsers, provision
# ------------------------------------------------------------------------------------------------


class SyncTests(unittest.TestCase):
    def test_sync_counts_and_progress(self) -> None:
        steps: List[Dict[str, Any]] = []
        with env().client("operator") as client:
            result = client.sync(WORKSPACE, on_progress=steps.append)
            run = client.get_sync_run(result.run_id)
            page = client.list_users(WORKSPACE, limit=1000)
        phases = [s["phase"] for s in steps]
        self.assertEqual(phases[0], "workspace")
        self.assertEqual(phases[-1], "commit")
        # The people listing runs beside the teams, so their notifications interleave; no /users listing.
        self.assertEqual(set(phases), {"workspace", "workspaceMemberships", "teams", "teamMemberships", "commit"})
        request_id = steps[0]["requestId"]
        self.assertIsInstance(request_id, int)
        self.assertEqual({s["requestId"] for s in steps}, {request_id}, "every notification names the sync request")
        memberships = [s for s in steps if s["phase"] == "workspaceMemberships"]
        self.assertEqual([s["done"] for s in memberships][0], 0)
        self.assertEqual(memberships[-1]["done"], memberships[-1]["total"])
        self.assertGreaterEqual(memberships[-1]["done"], result.users)
        team_steps = [s for s in steps if s["phase"] == "teamMemberships"]
        self.assertEqual(team_steps[-1], {"workspace": WORKSPACE, "phase": "teamMemberships", "done": 5, "total": 5,
                                          "requestId": request_id})
        self.assertEqual(run.rate_limited, 0)
        self.assertGreater(result.users, 250)
        self.assertEqual(result.teams, 5)
        self.assertGreater(result.team_memberships, 0)
        self.assertGreater(result.api_calls, 3)
        self.assertEqual(result.rate_limited, 0)
        self.assertTrue(result.capabilities.membership_flags)
        self.assertEqual(result.workspace.gid, WORKSPACE)
        self.assertTrue(result.workspace.is_organization)
        self.assertEqual(len(page.users), result.users)  # present people only
        self.assertEqual(run.status, "succeeded")
        self.assertEqual(run.workspace_gid, WORKSPACE)
        self.assertEqual(run.trigger, "token:py-operator")
        self.assertEqual(run.counts["users"], result.users)

    def test_sync_without_progress_sends_no_notifications(self) -> None:
        notes: List[Any] = []
        with env().client("operator", on_notification=lambda m, p: notes.append(m)) as client:
            result = client.sync(WORKSPACE)
        self.assertEqual(notes, [])
        self.assertEqual(result.added, 0)

    def test_sync_runs(self) -> None:
        with env().client("reader") as client:
            runs = client.list_sync_runs(workspace=WORKSPACE, limit=2)
            self.assertTrue(1 <= len(runs) <= 2)
            if len(runs) == 2:
                self.assertGreater(runs[0].id, runs[1].id)  # newest first
            self.assertEqual(client.get_sync_run(runs[0].id).id, runs[0].id)
            with self.assertRaises(RpcError) as caught:
                client.get_sync_run(987654321)
            self.assertEqual((caught.exception.code, caught.exception.name), (1030, "sync_run.not_found"))

    def test_workspace_status(self) -> None:
        with env().client("reader") as client:
            status = client.get_workspace_status(WORKSPACE)
        self.assertEqual(status["workspace"]["gid"], WORKSPACE)
        self.assertEqual(set(status), {"workspace", "credentials", "lastRun", "nextScheduledRunAt",
                                       "schedule", "pausedReason", "capabilities"})
        self.assertIn(status["schedule"], {"active", "paused", "disabled"})
        self.assertTrue(all("fingerprint" in c and "secret" not in c for c in status["credentials"]))

    def test_unsynced_workspace(self) -> None:
        with env().client("reader") as client:
            with self.assertRaises(RpcError) as caught:
                client.list_users("999999")
        self.assertEqual((caught.exception.code, caught.exception.name), (1001, "workspace.not_synced"))


class ListUsersTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        with env().client("reader") as client:
            cls.everyone: List[User] = client.list_users(WORKSPACE, limit=1000).users

    def filtered(self, **filters: Any) -> List[User]:
        with env().client("reader") as client:
            return list(client.iter_users(WORKSPACE, limit=1000, **filters))

    def test_page_shape(self) -> None:
        with env().client("reader") as client:
            page = client.list_users(WORKSPACE, limit=3)
        self.assertEqual(len(page.users), 3)
        self.assertIsNotNone(page.next_cursor)
        self.assertEqual(page.workspace.gid, WORKSPACE)
        self.assertTrue(page.synced_at)
        user = page.users[0]
        self.assertTrue(user.gid.isdigit())
        self.assertIsNone(user.departed_at)
        self.assertIn(user.is_active, (True, False, None))

    def test_sorted_by_name_then_gid(self) -> None:
        keys = [(u.name.casefold(), int(u.gid)) for u in self.everyone]
        self.assertEqual(keys, sorted(keys))

    def test_flag_filters(self) -> None:
        for flag, attr in (("admin", "is_admin"), ("guest", "is_guest"), ("active", "is_active")):
            for value in (True, False):
                with self.subTest(flag=flag, value=value):
                    got = self.filtered(**{flag: value})
                    expected = [u.gid for u in self.everyone if getattr(u, attr) is value]
                    self.assertEqual([u.gid for u in got], expected)
                    self.assertTrue(all(getattr(u, attr) is value for u in got))
        self.assertTrue(self.filtered(admin=True))
        self.assertTrue(self.filtered(guest=True))

    def test_team_filter_by_name_and_gid(self) -> None:
        team = next(t for u in self.everyone for t in u.teams)
        by_name = self.filtered(team=team.name)
        by_gid = self.filtered(team=team.gid)
        self.assertEqual([u.gid for u in by_name], [u.gid for u in by_gid])
        self.assertEqual([u.gid for u in by_name], [u.gid for u in self.everyone if team in u.teams])
        with env().client("reader") as client, self.assertRaises(RpcError) as caught:
            client.list_users(WORKSPACE, team="No Such Team")
        self.assertEqual(caught.exception.code, 1010)

    def test_query_matches_name_or_email_case_insensitively(self) -> None:
        target = self.everyone[len(self.everyone) // 2]
        needle = target.email.split("@")[0][1:5].upper()
        got = self.filtered(query=needle)
        self.assertIn(target.gid, [u.gid for u in got])
        for user in got:
            self.assertIn(needle.lower(), (user.name + " " + (user.email or "")).lower())

    def test_combined_filters(self) -> None:
        got = self.filtered(active=True, admin=False, guest=False)
        expected = [u.gid for u in self.everyone if u.is_active is True and u.is_admin is False and u.is_guest is False]
        self.assertEqual([u.gid for u in got], expected)

    def test_iter_users_pages_without_duplicates(self) -> None:
        with env().client("reader") as client:
            pages = 0
            cursor = None
            seen: List[str] = []
            while True:
                page = client.list_users(WORKSPACE, limit=7, cursor=cursor)
                pages += 1
                self.assertLessEqual(len(page.users), 7)
                seen.extend(u.gid for u in page.users)
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            iterated = [u.gid for u in client.iter_users(WORKSPACE, limit=7)]
        self.assertEqual(len(seen), len(set(seen)), "a gid came twice")
        self.assertEqual(seen, [u.gid for u in self.everyone])
        self.assertEqual(iterated, seen)
        self.assertEqual(pages, -(-len(self.everyone) // 7))

    def test_limit_bounds(self) -> None:
        with env().client("reader") as client:
            for bad in (0, 1001):
                with self.subTest(limit=bad), self.assertRaises(RpcError) as caught:
                    client.list_users(WORKSPACE, limit=bad)
                self.assertEqual(caught.exception.code, -32602)
                self.assertEqual(caught.exception.data.get("field"), "limit")
            with self.assertRaises(RpcError) as caught:
                client.list_users(WORKSPACE, cursor="not-a-cursor")
            self.assertEqual(caught.exception.data.get("field"), "cursor")

    def test_changed_since_and_fields(self) -> None:
        with env().client("reader") as client:
            page = client.list_users(WORKSPACE, fields=["email", "teams"], limit=5)
            self.assertTrue(page.users)
            self.assertTrue(all(set(u.raw) == {"gid", "email", "teams"} for u in page.users))
            teams = [t for u in client.list_users(WORKSPACE, limit=1000).users for t in u.raw["teams"]]
            self.assertTrue(all(set(t) == {"gid", "name", "isAdmin", "isGuest", "isLimitedAccess"} for t in teams))
            everything = client.list_users(WORKSPACE, changed_since="1970-01-01T00:00:00Z", limit=1000)
            self.assertEqual(everything.changed_since, "1970-01-01T00:00:00.000Z")
            self.assertTrue(everything.users and all(u.change in {"added", "departed"} for u in everything.users))
            with self.assertRaises(RpcError) as caught:
                client.list_users(WORKSPACE, fields=["salary"])
            self.assertEqual((caught.exception.code, caught.exception.data.get("field")), (-32602, "fields[0]"))
            with self.assertRaises(RpcError) as caught:
                client.list_users(WORKSPACE, changed_since=987654321)
            self.assertEqual((caught.exception.code, caught.exception.name), (1030, "sync_run.not_found"))


def render_in_chromium(chromium: str, path: str, work: str, *arguments: str) -> Tuple[str, List[str]]:
    """Loads ``path`` in headless chromium; returns its stdout and the URL of every network request the
    page made (from chromium's NetLog: requests whose network isolation key is the page's ``file://``
    origin; the browser's own background requests have another key and are not the page's)."""
    netlog = os.path.join(work, f"netlog-{len(os.listdir(work))}.json")
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               f"--user-data-dir={os.path.join(work, 'profile')}", f"--log-net-log={netlog}",
               *arguments, "file://" + path]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    with open(netlog, encoding="utf-8") as file:
        log = json.load(file)
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requests = [event["params"]["url"] for event in log["events"]
                if event["type"] == start_job and "file://" in event.get("params", {}).get("network_isolation_key", "")
                and not event["params"].get("url", "").startswith("file://")]
    return done.stdout, requests


class HistoryTests(unittest.TestCase):
    def test_as_of_and_access_changes(self) -> None:
        email = unique("py.history").replace("-", ".") + "@acme.example"
        with env().client("admin") as client:
            first = client.sync(WORKSPACE)
            added = client.provision(WORKSPACE, email, "add")
            gid = added.user.gid
            changes = list(client.iter_access_changes(WORKSPACE, first.run_id, person=email, limit=1))
            self.assertEqual([c.kind for c in changes], ["joined"])
            self.assertEqual(changes[0].person["gid"], gid)
            self.assertIsNone(changes[0].sync_run_id)
            self.assertEqual(changes[0].provision["principal"], "token:py-admin")
            self.assertEqual(changes[0].observed_at, changes[0].not_before)
            # The picture the first sync left has no trace of them; the one at the provision has.
            before = client.list_users(WORKSPACE, as_of=first.run_id, query=email, include_departed=True)
            self.assertEqual(before.users, [])
            self.assertEqual(before.as_of["syncRunId"], first.run_id)
            after = client.list_users(WORKSPACE, as_of=changes[0].observed_at, query=email)
            self.assertEqual([u.gid for u in after.users], [gid])
            client.provision(WORKSPACE, email, "remove")
            kinds = [c.kind for c in client.iter_access_changes(WORKSPACE, first.run_id, person=gid)]
            self.assertEqual(kinds, ["joined", "left"])
            with self.assertRaises(RpcError) as caught:
                client.list_users(WORKSPACE, as_of="2001-01-01")
            self.assertEqual((caught.exception.code, caught.exception.name), (1031, "history.before_first_sync"))
            with self.assertRaises(RpcError) as caught:
                client.list_access_changes(WORKSPACE, since="not a time")
            self.assertEqual((caught.exception.code, caught.exception.data.get("field")), (-32602, "since"))

    def test_access_review_export_parses_as_csv_and_jsonl(self) -> None:
        with env().client("reader") as client:
            people = list(client.iter_users(WORKSPACE, limit=1000))
            text, stands = client.export_access_review(WORKSPACE, "csv")
            self.assertTrue(text.startswith("\ufeffworkspace_gid,"))
            self.assertIn("\r\n", text)
            rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
            self.assertEqual(len(rows), sum(max(1, len(u.teams)) for u in people))
            self.assertEqual({r["user_gid"] for r in rows}, {u.gid for u in people})
            self.assertTrue(all(r["as_of"] == rows[0]["as_of"] for r in rows))
            self.assertTrue(all(r["is_admin"] in {"true", "false", "unknown"} for r in rows))
            lines, _ = client.export_access_review(WORKSPACE, "jsonl", as_of=stands["syncRunId"])
            users = [json.loads(line) for line in lines.splitlines()]
            self.assertEqual([u["gid"] for u in users], [u.gid for u in people])

    def test_html_report_renders_in_chromium_without_a_request(self) -> None:
        chromium = shutil.which("chromium")
        self.assertIsNotNone(chromium, "chromium is missing: scripts/install-deps.sh installs it")
        with env().client("reader") as client:
            page, stands = client.export_access_review(WORKSPACE, "html")
            text, _ = client.export_access_review(WORKSPACE, "csv", as_of=stands["time"])
        csv_rows = len(list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))))
        with tempfile.TemporaryDirectory() as work:
            report = os.path.join(work, "review.html")
            with open(report, "w", encoding="utf-8") as file:
                file.write(page)
            dom, requests = render_in_chromium(chromium, report, work, "--dump-dom")
            self.assertEqual(dom.count('<tr class="access-row">'), csv_rows)
            self.assertIn('id="count-people"', dom)
            shot = os.path.join(work, "review.png")
            _, more = render_in_chromium(chromium, report, work, f"--screenshot={shot}", "--window-size=1280,2000")
            with open(shot, "rb") as image:
                self.assertEqual(image.read(8), b"\x89PNG\r\n\x1a\n")
            self.assertEqual(requests + more, [], "the page made network requests")
            # The NetLog shows a page's request when it makes one (so its silence above means something).
            control = os.path.join(work, "control.html")
            with open(control, "w", encoding="utf-8") as file:
                file.write('<!DOCTYPE html><img src="http://report-assets.invalid/logo.png">')
            _, control_requests = render_in_chromium(chromium, control, work, "--dump-dom")
            self.assertEqual(control_requests, ["http://report-assets.invalid/logo.png"])


class ProvisionTests(unittest.TestCase):
    def test_add_and_remove_outcomes(self) -> None:
        email = unique("py.joiner").replace("-", ".") + "@acme.example"
        with env().client("admin") as client:
            team = next(t for u in client.list_users(WORKSPACE, limit=50).users for t in u.teams)

            added = client.provision(WORKSPACE, email, "add", teams=[team.name])
            self.assertEqual(added.action, "add")
            self.assertFalse(added.dry_run)
            # A new email: Asana invites it (creating the user), then the team add is a plain add.
            self.assertEqual([(t.type, t.outcome) for t in added.targets], [("workspace", "invited"), ("team", "added")])
            self.assertEqual(added.targets[1].gid, team.gid)
            self.assertTrue(all(t.changed and t.calls for t in added.targets))
            self.assertEqual(added.user.email, email)
            self.assertTrue(added.user.gid)
            self.assertEqual(added.failed, [])

            again = client.provision(WORKSPACE, email, "add", teams=[team.gid])
            self.assertEqual(again.outcomes, ["alreadyMember", "alreadyMember"])
            self.assertEqual([t.calls for t in again.targets], [(), ()])

            # The snapshot reflects the change at once.
            found = client.list_users(WORKSPACE, query=email).users
            self.assertEqual([u.email for u in found], [email])
            self.assertIn(team, found[0].teams)

            left_team = client.provision(WORKSPACE, email, "remove", teams=[team.gid])
            self.assertEqual([(t.type, t.outcome) for t in left_team.targets], [("team", "removed")])
            self.assertEqual(client.provision(WORKSPACE, email, "remove", teams=[team.gid]).outcomes, ["notMember"])

            removed = client.provision(WORKSPACE, email, "remove")
            self.assertEqual([(t.type, t.outcome) for t in removed.targets], [("workspace", "removed")])
            self.assertEqual(client.provision(WORKSPACE, email, "remove").outcomes, ["notMember"])

            self.assertEqual(client.list_users(WORKSPACE, query=email).users, [])
            departed = client.list_users(WORKSPACE, query=email, include_departed=True).users
            self.assertEqual(len(departed), 1)
            self.assertIsNotNone(departed[0].departed_at)

            # Asana knows the person now: adding them back is "added", not "invited".
            self.assertEqual(client.provision(WORKSPACE, email, "add").outcomes, ["added"])
            self.assertEqual(client.provision(WORKSPACE, email, "remove").outcomes, ["removed"])

            events = client.list_audit_events(method="provision", principal="token:py-admin", limit=50).items
            mine = [e for e in events if email in (e.params or "")]
            self.assertEqual(len(mine), 8)
            self.assertTrue(all(e.method == "provision" and e.principal == "token:py-admin" for e in events))

    def test_dry_run_changes_nothing(self) -> None:
        email = unique("py.dry").replace("-", ".") + "@acme.example"
        with env().client("admin") as client:
            preview = client.provision(WORKSPACE, email, "add", dry_run=True)
            self.assertTrue(preview.dry_run)
            self.assertEqual(len(preview.targets), 1)
            self.assertEqual(preview.targets[0].type, "workspace")
            self.assertTrue(preview.targets[0].calls)
            self.assertIn(email, preview.targets[0].calls[0])
            self.assertEqual(client.list_users(WORKSPACE, query=email, include_departed=True).users, [])
            # And the real call after it does what the preview said.
            real = client.provision(WORKSPACE, email, "add")
            self.assertEqual(real.targets[0].calls, preview.targets[0].calls)
            client.provision(WORKSPACE, email, "remove")

    def test_outside_domain_needs_allow_guest(self) -> None:
        email = unique("py.guest").replace("-", ".") + "@freelance.example"
        with env().client("admin") as client:
            refused = client.provision(WORKSPACE, email, "add")
            self.assertEqual(refused.outcomes, ["failed"])
            self.assertTrue(refused.user.guest)
            error = refused.targets[0].error
            self.assertIsNotNone(error)
            assert error is not None
            self.assertEqual(error.code, RpcError.PROVISION_OUTSIDE_DOMAIN)
            self.assertEqual(error.name, "provision.outside_domain")
            self.assertEqual(refused.targets[0].calls, ())
            preview = client.provision(WORKSPACE, email, "add", dry_run=True, allow_guest=True)
            self.assertEqual(preview.outcomes, ["invited"])
            self.assertTrue(preview.user.guest)
            added = client.provision(WORKSPACE, email, "add", allow_guest=True)
            self.assertEqual(added.outcomes, ["invited"])
            self.assertTrue(added.user.guest)
            inside = client.provision(WORKSPACE, unique("py.inside").replace("-", ".") + "@acme.example", "add", dry_run=True)
            self.assertIs(inside.user.guest, False)

    def test_many_people_and_self_removal(self) -> None:
        emails = [unique(f"py.bulk{i}").replace("-", ".") + "@acme.example" for i in range(3)]
        with env().client("admin") as client:
            owner = "ada.admin@acme.example"  # the simulator's demo-admin-token belongs to Ada
            bulk = client.provision_many(WORKSPACE, [{"email": e, "action": "add"} for e in emails]
                                         + [{"email": owner, "action": "remove"}])
            self.assertFalse(bulk.dry_run)
            self.assertEqual(bulk.workspace.gid, WORKSPACE)
            self.assertEqual([r.user.email for r in bulk.results], emails + [owner])
            self.assertEqual([r.outcomes for r in bulk.results[:3]], [["invited"]] * 3)
            refused = bulk.results[3]
            self.assertEqual(refused.outcomes, ["failed"])
            self.assertFalse(bulk.ok)
            self.assertEqual((bulk.raw["ok"], bulk.raw["outcomes"]), (False, {
                "added": 0, "invited": 3, "alreadyMember": 0, "removed": 0, "notMember": 0, "failed": 1}))
            self.assertEqual(refused.failed[0].error.code, RpcError.PROVISION_SELF_REMOVAL)
            self.assertEqual(refused.failed[0].error.name, "provision.self_removal")
            cleanup = client.provision_many(WORKSPACE, [{"email": e, "action": "remove"} for e in emails])
            self.assertEqual([r.outcomes for r in cleanup.results], [["removed"]] * 3)
            self.assertTrue(cleanup.ok and cleanup.raw["ok"])
            with self.assertRaises(RpcError) as caught:
                client.provision_many(WORKSPACE, [{"email": "ok@acme.example", "action": "add"},
                                                  {"email": "nope", "action": "add"}])
            self.assertEqual(caught.exception.data.get("field"), "users[1].email")

    def test_bad_params(self) -> None:
        with env().client("admin") as client:
            for kwargs, field_name in (({"email": "not-an-email", "action": "add"}, "email"),
                                       ({"email": "a@acme.example", "action": "frob"}, "action")):
                with self.subTest(field=field_name), self.assertRaises(RpcError) as caught:
                    client.provision(WORKSPACE, **kwargs)
                self.assertEqual(caught.exception.code, -32602)
                self.assertEqual(caught.exception.data.get("field"), field_name)
            with self.assertRaises(RpcError) as caught:
                client.provision(WORKSPACE, "a@acme.example", "add", teams=["No Such Team"])
            self.assertEqual(caught.exception.code, 1010)
            with self.assertRaises(RpcError) as caught:
                client.provision(WORKSPACE, "a@acme.example", "add", teams=[])
            self.assertEqual(caught.exception.data.get("field"), "teams")


# ------------------------------------------------------------------------------------------------
# Administration
# ------------------------------------------------------------------------------------------------


class AdminTests(unittest.TestCase):
    def test_token_lifecycle(self) -> None:
        name = unique("py-tmp")
        with env().client("admin") as admin:
            created = admin.create_token(name, "reader")
            self.assertRegex(created.token, r"^aat_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$")
            self.assertEqual((created.summary.name, created.summary.role), (name, "reader"))
            self.assertNotIn(created.token, repr(created))
            listed = {t.name: t for t in admin.list_tokens()}
            self.assertIsNone(listed[name].revoked_at)

            with Client("127.0.0.1", env().port, env().ca, token=created.token) as holder:
                self.assertEqual(holder.identity.principal, f"token:{name}")
                self.assertTrue(admin.revoke_token(name))
                self.assertFalse(admin.revoke_token(name))
                # An authenticated connection loses its identity at its next call after revocation ...
                with self.assertRaises(RpcError) as caught:
                    holder.ping()
                self.assertEqual(caught.exception.code, RpcError.AUTH_TOKEN_REVOKED)
                self.assertEqual(caught.exception.data.get("token"), name)
                self.assertIsNone(holder.ping().identity)
                with self.assertRaises(RpcError) as caught:
                    holder.call("listUsers", {"workspace": "1000"})
                self.assertEqual(caught.exception.code, RpcError.AUTH_REQUIRED)
            # ... and the token no longer authenticates.
            with self.assertRaises(RpcError) as caught:
                Client("127.0.0.1", env().port, env().ca, token=created.token)
            self.assertEqual(caught.exception.code, -32003)
            self.assertIsNotNone({t.name: t for t in admin.list_tokens()}[name].revoked_at)

            with self.assertRaises(RpcError) as caught:
                admin.create_token(name, "reader")  # names stay taken
            self.assertEqual(caught.exception.data.get("field"), "name")
            with self.assertRaises(RpcError) as caught:
                admin.create_token("bad name!", "reader")
            self.assertEqual(caught.exception.data.get("field"), "name")

    def test_credential_lifecycle(self) -> None:
        workspace = "424242"
        with env().client("admin") as admin:
            with self.assertRaises(RpcError) as refused:  # Asana refuses the made-up token: nothing stored
                admin.put_credential(workspace, "sync", "some-secret-value", kind="pat")
            self.assertEqual((refused.exception.code, refused.exception.name), (1007, "credential.checks_failed"))
            self.assertEqual(refused.exception.data["checks"][0]["name"], "token")
            self.assertNotIn((workspace, "sync"), [(c.workspace_gid, c.purpose) for c in admin.list_credentials()])
            stored = admin.put_credential(workspace, "sync", "some-secret-value", kind="pat", check=False)
            self.assertEqual((stored.workspace_gid, stored.purpose, stored.kind), (workspace, "sync", "pat"))
            self.assertEqual((stored.state, stored.state_reason), ("active", None))
            self.assertTrue(stored.fingerprint.startswith("sha256:"))
            self.assertNotIn("some-secret-value", repr(stored.raw))
            self.assertIn((workspace, "sync"), [(c.workspace_gid, c.purpose) for c in admin.list_credentials()])
            tested = admin.test_credential(workspace, "sync")  # Asana refuses the made-up token
            self.assertEqual((tested["ok"], tested["checks"][0]["name"], tested["checks"][0]["ok"]), (False, "token", False))
            self.assertTrue(admin.delete_credential(workspace, "sync"))
            self.assertFalse(admin.delete_credential(workspace, "sync"))
            self.assertNotIn((workspace, "sync"), [(c.workspace_gid, c.purpose) for c in admin.list_credentials()])
            events = admin.list_audit_events(method="putCredential", limit=10).items
            self.assertTrue(events)
            self.assertNotIn("some-secret-value", events[0].params or "")
            with self.assertRaises(RpcError) as caught:
                admin.sync(workspace)
            self.assertEqual((caught.exception.code, caught.exception.name), (1003, "credential.missing"))

    def test_audit_paging_filters_and_chain(self) -> None:
        with env().client("admin") as admin:
            first = admin.list_audit_events(limit=5)
            self.assertEqual(len(first.items), 5)
            self.assertIsNotNone(first.next_cursor)
            ids = [e.id for e in first.items]
            self.assertEqual(ids, sorted(ids, reverse=True))
            second = admin.list_audit_events(limit=5, cursor=first.next_cursor)
            self.assertTrue(all(e.id < ids[-1] for e in second.items))
            every = [e.id for e in admin.iter_audit_events(limit=4)]
            self.assertEqual(len(every), len(set(every)))
            self.assertEqual(every[:10], ids + [e.id for e in second.items])
            # The hash chain: each event names the hash of the one before it.
            events = list(admin.iter_audit_events(limit=1000))
            for newer, older in zip(events, events[1:]):
                if newer.id == older.id + 1:
                    self.assertEqual(newer.prev_hash, older.hash)
            self.assertTrue(all(len(e.hash or "") == 64 for e in events))
            # Filters.
            local = admin.list_audit_events(principal="local:root", limit=1000).items
            self.assertTrue(local)  # `tokens create` on the command line
            self.assertTrue(all(e.principal == "local:root" for e in local))
            newest = events[0]
            since = admin.list_audit_events(since=newest.at).items
            self.assertIn(newest.id, [e.id for e in since])
            self.assertTrue(all(e.at >= newest.at for e in since))
            for bad in ({"since": "yesterday"}, {"cursor": "garbage"}, {"limit": 0}):
                with self.subTest(params=bad), self.assertRaises(RpcError) as caught:
                    admin.list_audit_events(**bad)
                self.assertEqual(caught.exception.code, -32602)
            self.assertIsInstance(newest.params_json(), (dict, type(None)))


# ------------------------------------------------------------------------------------------------
# OAuth (its own asana-accessd and data directory, so the shared server's credentials stay PATs)
# ------------------------------------------------------------------------------------------------


REDIRECT_URI = "http://127.0.0.1/oauth/callback"
SYNC_SCOPES = ["openid", "email", "profile", "users:read", "teams:read", "team_memberships:read",
               "workspaces:read", "workspaces.typeahead:read"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # keep the 302 and its Location
        return None


def consent(authorize_url: str, user_token: str = "demo-admin-token") -> Dict[str, str]:
    """Plays the browser at the simulator's /-/oauth_authorize (the consenting user is whoever's
    seeded token is sent) and returns the query of the 302's Location (code and state, or error)."""
    request = urllib.request.Request(authorize_url, headers={"Authorization": f"Bearer {user_token}"})
    try:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=30)
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            raise AssertionError(f"authorize answered {redirect.code}: {redirect.read()[:500]!r}")
        location = redirect.headers.get("Location") or ""
        if not location.startswith(REDIRECT_URI + "?"):
            raise AssertionError(f"unexpected redirect {location!r}")
        return {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).items()}
    raise AssertionError("authorize did not redirect")


def secret_keys(value: Any) -> set:
    """Member names anywhere in ``value`` that would hold a token, secret or PKCE verifier."""
    found = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            lowered = str(key).lower()
            if (("token" in lowered and not lowered.endswith("expiresat")) or "secret" in lowered
                    or "verifier" in lowered or lowered == "code"):
                found.add(key)
            found |= secret_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= secret_keys(inner)
    return found


class OAuthTests(unittest.TestCase):
    port = 0
    tokens: Dict[str, str] = {}

    @classmethod
    def setUpClass(cls) -> None:
        e = env()
        accessd = e.binary("asana-accessd")
        data = os.path.join(e.tmp, "data-oauth")
        e.run(accessd, "init", "--data-dir", data)
        cls.tokens = {role: e.run(accessd, "tokens", "create", "--data-dir", data, "--name", f"py-oauth-{role}",
                                  "--role", role).strip() for role in ("reader", "admin")}
        address = e.start("accessd-oauth", [accessd, "serve", "--data-dir", data, "--host", "127.0.0.1",
                                            "--port", "0", "--asana-base-url", e.sim_url,
                                            "--tls-cert", os.path.join(e.certs, "server.pem"),
                                            "--tls-key", os.path.join(e.certs, "server-key.pem"), "--sync-interval", "0"],
                          "listening on ")
        cls.port = int(address.rsplit(":", 1)[1])
        with cls.client() as admin:
            admin.put_oauth_client("demo-client", "demo-client-secret")
            admin.put_oauth_client("demo-granular-client", "demo-granular-secret")

    @classmethod
    def client(cls, role: str = "admin") -> Client:
        return SchemaCheckedClient("127.0.0.1", cls.port, env().ca, token=cls.tokens[role], timeout=60)

    def assertRpcError(self, caught: Any, code: int, name: str) -> RpcError:  # noqa: N802
        self.assertEqual((caught.exception.code, caught.exception.name), (code, name), caught.exception.message)
        return caught.exception

    def test_full_flow_with_granular_scopes(self) -> None:
        with self.client() as admin:
            clients = {c.client_id: c for c in admin.list_oauth_clients()}
            self.assertTrue({"demo-client", "demo-granular-client"} <= set(clients))
            self.assertTrue(clients["demo-client"].fingerprint.startswith("sha256:"))
            self.assertNotIn("demo-client-secret", repr(clients["demo-client"].raw))

            start = admin.oauth_start(WORKSPACE, "demo-granular-client", REDIRECT_URI)
            self.assertIsInstance(start, OAuthStart)
            self.assertEqual((start.client_id, start.redirect_uri, start.purpose, start.workspace),
                             ("demo-granular-client", REDIRECT_URI, "sync", WORKSPACE))
            self.assertEqual(start.scopes, SYNC_SCOPES)
            self.assertRegex(start.state, r"^[A-Za-z0-9_-]{32}$")
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(start.authorize_url).query)
            self.assertEqual(query["state"], [start.state])
            self.assertEqual(query["code_challenge_method"], ["S256"])
            self.assertEqual(query["scope"], [" ".join(SYNC_SCOPES)])
            self.assertTrue(start.expires_at)

            redirect = consent(start.authorize_url)
            self.assertEqual(redirect["state"], start.state)
            done = admin.oauth_finish(redirect["state"], redirect["code"])
            self.assertIsInstance(done, OAuthFinishResult)
            self.assertEqual((done.credential.workspace_gid, done.credential.purpose, done.credential.kind,
                              done.credential.state, done.credential.state_reason),
                             (WORKSPACE, "sync", "oauth", "active", None))
            self.assertEqual(done.workspace.gid, WORKSPACE)
            self.assertEqual(done.purpose, "sync")
            self.assertEqual(done.scopes, SYNC_SCOPES)
            self.assertTrue(done.refreshable)
            self.assertTrue(done.access_token_expires_at)
            # The connection test ran with the granted token: granular scopes cannot read membership flags.
            self.assertTrue(done.checks["ok"])
            self.assertFalse(done.checks["capabilities"]["membershipFlags"])
            self.assertEqual(done.authorized_user.gid, "1001")  # the user of demo-admin-token

            result = admin.sync(WORKSPACE)  # with the OAuth credential
            self.assertGreater(result.users, 250)
            creds = [c for c in admin.list_credentials() if (c.workspace_gid, c.purpose) == (WORKSPACE, "sync")]
            self.assertEqual([(c.kind, c.state, c.state_reason) for c in creds], [("oauth", "active", None)])
            self.assertEqual(creds[0].fingerprint, done.credential.fingerprint)

            # No answer or audit event carries the code, the client secret or a token.
            events = admin.list_audit_events(limit=20).items
            self.assertTrue({"oauthStart", "oauthFinish"} <= {e.method for e in events})
            audit = [[e.raw, e.params_json(), e.result_json()] for e in events]
            for answer in (start.raw, done.raw, [c.raw for c in creds], audit):
                self.assertNotIn(redirect["code"], repr(answer))
                self.assertNotIn("demo-granular-secret", repr(answer))
                self.assertEqual(secret_keys(answer), set(), answer)

    def test_full_permission_app_for_provision(self) -> None:
        with self.client() as admin:
            start = admin.oauth_start("Acme Corp", "demo-client", REDIRECT_URI, scopes=["default"],
                                      purpose="provision")
            self.assertEqual((start.scopes, start.purpose, start.workspace), (["default"], "provision", "Acme Corp"))
            self.assertNotIn("scope=", start.authorize_url)
            redirect = consent(start.authorize_url)
            done = admin.oauth_finish(redirect["state"], redirect["code"])
            self.assertEqual((done.workspace.gid, done.credential.purpose, done.credential.kind),
                             (WORKSPACE, "provision", "oauth"))
            preview = admin.provision(WORKSPACE, "oauth.preview@acme.example", "add", dry_run=True)
            self.assertEqual(preview.targets[0].outcome, "invited")

    def test_finishing_twice_is_unknown_state(self) -> None:
        with self.client() as admin:
            start = admin.oauth_start(WORKSPACE, "demo-client", REDIRECT_URI, scopes=["default"])
            redirect = consent(start.authorize_url)
            admin.oauth_finish(redirect["state"], redirect["code"])
            with self.assertRaises(RpcError) as caught:
                admin.oauth_finish(redirect["state"], redirect["code"])
            self.assertRpcError(caught, 1060, "oauth.unknown_state")
            with self.assertRaises(RpcError) as caught:
                admin.oauth_finish("never-started-state", "some-code")
            self.assertRpcError(caught, RpcError.OAUTH_UNKNOWN_STATE, "oauth.unknown_state")

    def test_made_up_code_is_exchange_refused_and_uses_the_state(self) -> None:
        with self.client() as admin:
            before = [(c.workspace_gid, c.purpose, c.fingerprint) for c in admin.list_credentials()]
            start = admin.oauth_start(WORKSPACE, "demo-granular-client", REDIRECT_URI)
            with self.assertRaises(RpcError) as caught:
                admin.oauth_finish(start.state, "code/made-up")
            error = self.assertRpcError(caught, 1062, "oauth.exchange_refused")
            self.assertEqual(error.data.get("asanaError"), "invalid_grant")
            with self.assertRaises(RpcError) as caught:
                admin.oauth_finish(start.state, "code/made-up")
            self.assertRpcError(caught, 1060, "oauth.unknown_state")
            self.assertEqual([(c.workspace_gid, c.purpose, c.fingerprint) for c in admin.list_credentials()], before)

    def test_unknown_client(self) -> None:
        with self.client() as admin:
            with self.assertRaises(RpcError) as caught:
                admin.oauth_start(WORKSPACE, "no-such-client", REDIRECT_URI)
            self.assertRpcError(caught, 1061, "oauth.client_unknown")
            self.assertFalse(admin.delete_oauth_client("no-such-client"))

    def test_bad_params_name_the_field(self) -> None:
        cases = [
            (dict(redirect_uri="http://example.com/callback"), "redirectUri"),       # http, not loopback
            (dict(redirect_uri="https://ops.acme.example/cb#frag"), "redirectUri"),  # fragment
            (dict(redirect_uri="not a url"), "redirectUri"),
            (dict(redirect_uri=""), "redirectUri"),
            (dict(scopes=["default", "users:read"]), "scopes"),
            (dict(scopes=[]), "scopes"),
            (dict(scopes=["read everything"]), "scopes"),
            (dict(purpose="admin"), "purpose"),
        ]
        with self.client() as admin:
            for change, field in cases:
                args = dict(workspace=WORKSPACE, client_id="demo-client", redirect_uri=REDIRECT_URI)
                args.update(change)
                with self.subTest(change=change), self.assertRaises(RpcError) as caught:
                    admin.oauth_start(**args)
                self.assertEqual(caught.exception.code, -32602, caught.exception.message)
                self.assertTrue(str(caught.exception.data.get("field", "")).startswith(field),
                                caught.exception.data)
            with self.assertRaises(RpcError) as caught:
                admin.put_oauth_client("", "secret")
            self.assertEqual((caught.exception.code, caught.exception.data.get("field")), (-32602, "clientId"))

    def test_reader_is_forbidden(self) -> None:
        with self.client("reader") as reader:
            for call in (lambda: reader.oauth_start(WORKSPACE, "demo-client", REDIRECT_URI),
                         lambda: reader.oauth_finish("state", "code"),
                         lambda: reader.put_oauth_client("demo-client", "x"),
                         reader.list_oauth_clients):
                with self.assertRaises(RpcError) as caught:
                    call()
                self.assertRpcError(caught, -32002, "auth.forbidden")
                self.assertEqual(caught.exception.data.get("allowedRoles"), ["admin"])


# ------------------------------------------------------------------------------------------------
# The CLI
# ------------------------------------------------------------------------------------------------


class CLITests(unittest.TestCase):
    def cli(self, *args: str, role: Optional[str] = "admin", port: Optional[int] = None) -> subprocess.CompletedProcess:
        environ = dict(os.environ)
        for name in ("ASANA_ACCESS_HOST", "ASANA_ACCESS_CERT", "ASANA_ACCESS_KEY", "ASANA_ACCESS_TOKEN"):
            environ.pop(name, None)
        environ.update({"ASANA_ACCESS_PORT": str(port or env().port), "ASANA_ACCESS_CA": env().ca})
        if role:
            environ["ASANA_ACCESS_TOKEN"] = env().tokens[role]
        return subprocess.run([sys.executable, CLI, *args], env=environ, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=120, text=True)

    def test_ok_is_0(self) -> None:
        import json
        self.assertEqual(self.cli("ping", role=None).returncode, 0)
        done = self.cli("ping")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout)["identity"]["principal"], "token:py-admin")
        done = self.cli("list-users", "--workspace", WORKSPACE, "--admin", "--all", role="reader")
        self.assertEqual(done.returncode, 0, done.stderr)
        listing = json.loads(done.stdout)
        self.assertEqual(listing["count"], len(listing["users"]))
        self.assertTrue(all(u["isAdmin"] for u in listing["users"]))
        done = self.cli("call", "listSyncRuns", "--params", '{"limit":1}', role="reader")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(len(json.loads(done.stdout)["items"]), 1)
        done = self.cli("sync", "--workspace", WORKSPACE, "--progress", role="operator")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn('"phase": "commit"', done.stderr)

    def test_rpc_error_is_1(self) -> None:
        import json
        done = self.cli("sync", "--workspace", WORKSPACE, role="reader")
        self.assertEqual(done.returncode, 1)
        self.assertEqual(json.loads(done.stderr)["error"]["code"], -32002)
        self.assertEqual(self.cli("call", "noSuchMethod").returncode, 1)
        self.assertEqual(self.cli("call", "listUsers", "--params", '{"workspace":"1000"}', role=None).returncode, 1)

    def test_usage_is_2(self) -> None:
        self.assertEqual(self.cli("no-such-command").returncode, 2)
        self.assertEqual(self.cli("call", "ping", "--params", "{not json").returncode, 2)
        self.assertEqual(self.cli("call", "ping", "--params", "[1]").returncode, 2)
        self.assertEqual(self.cli("provision", "--workspace", WORKSPACE, "--email", "a@b.example", "--action", "frob").returncode, 2)
        self.assertEqual(self.cli("--port", "notaport", "ping").returncode, 2)

    def test_connection_failure_is_3(self) -> None:
        done = self.cli("ping", port=free_port())
        self.assertEqual(done.returncode, 3)
        self.assertIn("connection failed", done.stderr)
        done = self.cli("ping", port=env().mtls_port, role=None)  # mTLS server, no certificate
        self.assertEqual(done.returncode, 3)


# ------------------------------------------------------------------------------------------------
# clients/shell: rpc.sh and the README's examples
# ------------------------------------------------------------------------------------------------

SHELL_DIR = os.path.join(REPO_ROOT, "clients", "shell")
RPC_SH = os.path.join(SHELL_DIR, "rpc.sh")
SHELL_README = os.path.join(SHELL_DIR, "README.md")


def shell_env(mtls: bool = False, token: Optional[str] = None) -> Dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ASANA_ACCESS_")}
    environ.update({"ASANA_ACCESS_HOST": "127.0.0.1", "ASANA_ACCESS_CA": env().ca,
                    "ASANA_ACCESS_PORT": str(env().mtls_port if mtls else env().port)})
    if mtls:
        environ.update({"ASANA_ACCESS_CERT": env().client_cert, "ASANA_ACCESS_KEY": env().client_key})
    elif token:
        environ["ASANA_ACCESS_TOKEN"] = token
    return environ


def readme_examples() -> List[Dict[str, Any]]:
    """The ```sh blocks of clients/shell/README.md that start with `# example: NAME`."""
    examples = []
    with open(SHELL_README, encoding="utf-8") as handle:
        text = handle.read()
    for block in text.split("```sh\n")[1:]:
        body = block.split("```", 1)[0]
        lines = body.splitlines()
        if not lines or not lines[0].startswith("# example:"):
            continue
        example: Dict[str, Any] = {"name": lines[0].split(":", 1)[1].strip(), "script": body,
                                   "expect": [], "status": 0, "needs": [], "mtls": False}
        for line in lines[1:]:
            if not line.startswith("# "):
                break
            key, _, value = line[2:].partition(":")
            value = value.strip()
            if key == "expect":
                example["expect"].append(value)
            elif key == "expect-status":
                example["status"] = int(value)
            elif key == "needs":
                example["needs"].append(value)
            elif key == "server":
                example["mtls"] = value == "mtls"
        examples.append(example)
    return examples


@unittest.skipUnless(shutil.which("openssl") and shutil.which("bash"), "needs openssl and bash")
class ShellTests(unittest.TestCase):
    def rpc(self, *args: str, mtls: bool = False, token: Optional[str] = None) -> subprocess.CompletedProcess:
        return subprocess.run([RPC_SH, *args], env=shell_env(mtls, token), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60, text=True, cwd=REPO_ROOT)

    def test_rpc_sh(self) -> None:
        import json
        done = self.rpc("ping")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("identity", json.loads(done.stdout)["result"])
        # authenticate, then the call: never raced (the script waits for the authenticate answer)
        for _ in range(5):
            done = self.rpc("listTokens", token=env().tokens["admin"])
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            self.assertIn("items", json.loads(done.stdout)["result"])
        done = self.rpc("sync", '{"workspace":"1000","progress":true}', token=env().tokens["operator"])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn('"phase":"commit"', done.stderr)
        done = self.rpc("sync", '{"workspace":"1000"}', token=env().tokens["reader"])
        self.assertEqual(done.returncode, 1)
        self.assertEqual(json.loads(done.stdout)["error"]["code"], -32002)
        done = self.rpc("ping", token="aat_0123456789abcdef_" + "A" * 43)
        self.assertEqual(done.returncode, 1)
        self.assertEqual(json.loads(done.stdout)["error"]["data"]["name"], "auth.failed")
        done = self.rpc("ping", mtls=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout)["result"]["identity"]["principal"], "cert:dev-admin")
        self.assertEqual(self.rpc("ping", '[1]').returncode, 2)
        self.assertEqual(self.rpc().returncode, 2)
        environ = shell_env(mtls=True)
        del environ["ASANA_ACCESS_CERT"], environ["ASANA_ACCESS_KEY"]
        done = subprocess.run([RPC_SH, "ping"], env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=60, text=True)
        self.assertEqual(done.returncode, 3)
        self.assertIn("certificate required", done.stderr)

    def test_readme_examples(self) -> None:
        examples = readme_examples()
        self.assertGreaterEqual(len(examples), 8)
        for example in examples:
            with self.subTest(example=example["name"]):
                missing = [tool for tool in example["needs"] if not shutil.which(tool)]
                if missing:
                    self.skipTest(f"{example['name']}: {', '.join(missing)} not installed")
                environ = shell_env(example["mtls"], None if example["mtls"] else env().tokens["admin"])
                # Pipelining behind authenticate must never race: run those examples a few times.
                for _ in range(3 if "authenticate" in example["script"] else 1):
                    done = subprocess.run(["bash", "-c", "set -o pipefail\n" + example["script"]], env=environ,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90, text=True,
                                          cwd=REPO_ROOT)
                    self.assertEqual(done.returncode, example["status"], done.stdout + done.stderr)
                    for expected in example["expect"]:
                        self.assertIn(expected, done.stdout)
                    self.assertNotIn("auth.required", done.stdout)


# ------------------------------------------------------------------------------------------------
# Conformance transcripts (written by another helper)
# ------------------------------------------------------------------------------------------------


class ConformanceTests(unittest.TestCase):
    def test_run_transcripts(self) -> None:
        if not os.path.exists(CONFORMANCE):
            self.skipTest(f"{os.path.relpath(CONFORMANCE, REPO_ROOT)} is absent")
        done = subprocess.run([sys.executable, CONFORMANCE, env().binary("asana-accessd")],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900, text=True,
                              cwd=REPO_ROOT)
        self.assertEqual(done.returncode, 0, done.stdout[-4000:])


if __name__ == "__main__":
    unittest.main()
