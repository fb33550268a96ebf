#!/usr/bin/env python3
"""asana_access_cli: a small command-line client for asana-accessd (see README.md).

    asana_access_cli.py [connection options] ping
    asana_access_cli.py [connection options] sync --workspace 1000 [--progress]
    asana_access_cli.py [connection options] list-users --workspace 1000 [filters] [--all]
    asana_access_cli.py [connection options] provision --workspace 1000 --email a@b.example --action add [--team T ...] [--dry-run] [--allow-guest]
    asana_access_cli.py [connection options] call METHOD [--params JSON]

Connection options fall back to the same environment variables as the Swift client:
--host ASANA_ACCESS_HOST (127.0.0.1), --port ASANA_ACCESS_PORT (7443), --ca ASANA_ACCESS_CA
(system trust store), --cert ASANA_ACCESS_CERT, --key ASANA_ACCESS_KEY. The API token comes from
ASANA_ACCESS_TOKEN or --token-file (never from the command line).

The result is printed as JSON on stdout (one line, sorted keys; --pretty indents it). Exit
status: 0 ok, 1 the server answered with an error (printed as JSON on stderr), 2 usage error,
3 connection or TLS failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Dict, List, Optional, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from asana_access_client import DEFAULT_PORT, Client, ConnectionFailed, RpcError  # noqa: E402

EXIT_OK = 0
EXIT_RPC_ERROR = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3


class UsageError(Exception):
    """A usage problem found after parsing (exit 2)."""


def _env(name: str) -> Optional[str]:
    value = os.environ.get(name)
    return value if value else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asana_access_cli.py",
        description="Call asana-accessd over TLS JSON-RPC and print the result as JSON.",
        epilog="Exit status: 0 ok, 1 RPC error, 2 usage, 3 connection/TLS failure.",
    )
    conn = parser.add_argument_group("connection (each falls back to an environment variable)")
    conn.add_argument("--host", help="server host name or IP (env ASANA_ACCESS_HOST, default 127.0.0.1)")
    conn.add_argument("--port", help=f"server TCP port (env ASANA_ACCESS_PORT, default {DEFAULT_PORT})")
    conn.add_argument("--ca", help="PEM of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: system trust store)")
    conn.add_argument("--cert", help="PEM client certificate for mutual TLS (env ASANA_ACCESS_CERT)")
    conn.add_argument("--key", help="PEM key of the client certificate (env ASANA_ACCESS_KEY)")
    conn.add_argument("--server-name", help="name to check the server certificate against (default: --host)")
    conn.add_argument("--token-file", help="file holding an API token (env ASANA_ACCESS_TOKEN holds the token itself)")
    conn.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the connection and each answer (default 600)")
    parser.add_argument("--pretty", action="store_true", help="indent the JSON output")

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    sub.add_parser("ping", help="server version and who this connection is")

    sync = sub.add_parser("sync", help="pull a workspace from Asana into a new snapshot (operator)")
    sync.add_argument("--workspace", "-w", required=True, help="workspace gid")
    sync.add_argument("--progress", action="store_true", help="print sync.progress notifications as JSON lines on stderr")

    lu = sub.add_parser("list-users", help="people of a workspace from its last snapshot (reader)")
    lu.add_argument("--workspace", "-w", required=True, help="workspace gid")
    lu.add_argument("--active", action=argparse.BooleanOptionalAction, default=None, help="membership active / inactive")
    lu.add_argument("--admin", action=argparse.BooleanOptionalAction, default=None, help="workspace admins / non-admins")
    lu.add_argument("--guest", action=argparse.BooleanOptionalAction, default=None, help="guests / non-guests")
    lu.add_argument("--team", help="team gid or exact name")
    lu.add_argument("--query", "-q", help="case-insensitive substring of name or email")
    lu.add_argument("--include-departed", action="store_true", default=None, help="include people who have left")
    lu.add_argument("--limit", type=int, help="page size, 1 to 1000 (server default 100)")
    lu.add_argument("--cursor", help="nextCursor of the previous page")
    lu.add_argument("--changed-since", metavar="TIME_OR_RUN",
                    help="only people added/updated/departed after an ISO 8601 time or a sync run id (digits)")
    lu.add_argument("--fields", metavar="A,B", help="only these user members, comma-separated (gid always)")
    lu.add_argument("--all", action="store_true", help="follow nextCursor and print every user in one object")

    prov = sub.add_parser("provision", help="add a person to / remove them from a workspace and teams (admin)")
    prov.add_argument("--workspace", "-w", required=True, help="workspace gid")
    prov.add_argument("--email", "-e", required=True, help="the person's email address")
    prov.add_argument("--action", "-a", required=True, choices=["add", "remove"])
    prov.add_argument("--team", "-t", action="append", dest="teams", metavar="TEAM", help="team gid or exact name; repeat for more")
    prov.add_argument("--dry-run", action="store_true", default=None, help="say what would happen, and the exact Asana calls, changing nothing")
    prov.add_argument("--allow-guest", action="store_true", default=None,
                      help="allow adding an email outside the organization's email domains (the person joins as a guest)")

    call = sub.add_parser("call", help="call any method with a JSON params object")
    call.add_argument("method", metavar="METHOD", help="method name, e.g. listSyncRuns")
    call.add_argument("--params", "-p", help="params as a JSON object, e.g. '{\"workspace\":\"1000\"}'")
    return parser


def _connection_settings(args: argparse.Namespace) -> Dict[str, Any]:
    host = args.host or _env("ASANA_ACCESS_HOST") or "127.0.0.1"
    port_text = args.port or _env("ASANA_ACCESS_PORT") or str(DEFAULT_PORT)
    try:
        port = int(port_text)
    except ValueError:
        raise UsageError(f"the port must be a number, got {port_text!r}") from None
    if not 1 <= port <= 65535:
        raise UsageError(f"the port must be in 1...65535, got {port}")
    cert = args.cert or _env("ASANA_ACCESS_CERT")
    key = args.key or _env("ASANA_ACCESS_KEY")
    if (cert is None) != (key is None):
        raise UsageError("--cert and --key (ASANA_ACCESS_CERT / ASANA_ACCESS_KEY) go together")
    if args.token_file:
        try:
            with open(args.token_file, encoding="utf-8") as handle:
                token: Optional[str] = handle.read().strip()
        except OSError as exc:
            raise UsageError(f"--token-file {args.token_file}: {exc.strerror}") from None
    else:
        token = _env("ASANA_ACCESS_TOKEN")
    return {
        "host": host, "port": port, "cafile": args.ca or _env("ASANA_ACCESS_CA"),
        "certfile": cert, "keyfile": key, "token": token or None,
        "server_hostname": args.server_name, "timeout": args.timeout,
    }


def _params_object(text: Optional[str]) -> Optional[Dict[str, Any]]:
    if text is None:
        return None
    try:
        params = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"--params is not JSON: {exc}") from None
    if params is not None and not isinstance(params, dict):
        raise UsageError("--params must be a JSON object (params are by name)")
    return params


def _print(value: Any, pretty: bool) -> None:
    if pretty:
        text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)
    else:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run(args: argparse.Namespace) -> Any:
    """Runs the parsed command and returns the JSON value to print."""
    settings = _connection_settings(args)
    params = _params_object(args.params) if args.command == "call" else None
    with Client(**settings) as client:
        if args.command == "ping":
            return client.call("ping")
        if args.command == "sync":
            def progress(note: Dict[str, Any]) -> None:
                sys.stderr.write(json.dumps({"progress": note}, sort_keys=True) + "\n")
                sys.stderr.flush()
            return client.sync(args.workspace, on_progress=progress if args.progress else None).raw
        if args.command == "list-users":
            filters = dict(active=args.active, admin=args.admin, guest=args.guest, team=args.team,
                           query=args.query, include_departed=args.include_departed, limit=args.limit,
                           changed_since=(int(args.changed_since) if args.changed_since and args.changed_since.isdigit()
                                          else args.changed_since),
                           fields=[f.strip() for f in args.fields.split(",") if f.strip()] if args.fields else None)
            if not args.all:
                return client.list_users(args.workspace, cursor=args.cursor, **filters).raw
            users: List[Dict[str, Any]] = []
            first = None
            cursor = args.cursor
            while True:
                page = client.list_users(args.workspace, cursor=cursor, **filters)
                first = first or page
                users.extend(u.raw for u in page.users)
                if not page.next_cursor:
                    break
                cursor = page.next_cursor
            return {"count": len(users), "syncedAt": first.synced_at, "users": users,
                    "workspace": first.raw.get("workspace")}
        if args.command == "provision":
            return client.provision(args.workspace, args.email, args.action, teams=args.teams,
                                    dry_run=args.dry_run, allow_guest=args.allow_guest).raw
        if args.command == "call":
            return client.call(args.method, params)
    raise UsageError(f"unknown command {args.command}")  # pragma: no cover


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help, 2 for usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        result = run(args)
    except UsageError as exc:
        sys.stderr.write(f"{parser.prog}: error: {exc}\n")
        return EXIT_USAGE
    except RpcError as exc:
        sys.stderr.write(json.dumps({"error": exc.to_dict()}, sort_keys=True, ensure_ascii=False) + "\n")
        return EXIT_RPC_ERROR
    except ConnectionFailed as exc:
        sys.stderr.write(f"{parser.prog}: connection failed: {exc}\n")
        return EXIT_CONNECTION
    _print(result, args.pretty)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
