#!/usr/bin/env python3
"""listUsers paging at scale: per-page latency over one TLS connection, first page to last; single pages (the
first, the middle, the last, filtered ones); and the first page against a plain script running the same SQL and JSON
encoding on the same SQLite file (the reference of issue 12).
Each single page: one cold call (the case's first, timed on its own), 10 warm-up calls, then CALLS (default 1000)
timed calls for its p50 and p99 (with 200, the p99 was the second slowest call: one stray call made it).

Usage: [CALLS=N] list_users_pages.py PORT CERTS_DIR DATABASE [WORKSPACE]
(run by Benchmarks/run.sh after its sync; CERTS_DIR holds ca.pem, client.pem, client-key.pem; DATABASE "-" leaves the
reference out: Benchmarks/list_users_postgres.sh).
With SERVER_LOG set to the server's output (run with --log-level info: the access log), each single-page case also
gets its server-side time: the access log's durationMs of the same calls (from the params to the result; the
answer's JSON writing and TLS not included).
Prints Markdown table rows: page latency by position in the walk (p50/p99 of the pages in each fifth), the
whole walk, the first page against the reference, and the ratio last fifth / first fifth (1.0 = linear walk).
"""
import json
import os
import re
import socket
import sqlite3
import ssl
import statistics
import sys
import time

port, certs, database = int(sys.argv[1]), sys.argv[2], sys.argv[3]
workspace = sys.argv[4] if len(sys.argv) > 4 else "1000"
calls = int(os.environ.get("CALLS", "1000"))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class RawConnection:
    """One mutual-TLS connection that times a call from the request's first byte written to the answer's last
    byte read (TLS and the loopback round trip included, the client's JSON decoding not: the decoding of a
    40 KiB page in Python would otherwise be a large part of what is timed)."""

    def __init__(self):
        context = ssl.create_default_context(cafile=os.path.join(certs, "ca.pem"))
        context.load_cert_chain(os.path.join(certs, "client.pem"), os.path.join(certs, "client-key.pem"))
        self.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
        self.buffer = b""
        self.next_id = 0

    def call(self, params):
        """(seconds, result) of one listUsers call."""
        self.next_id += 1
        line = json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": "listUsers", "params": params}).encode() + b"\n"
        start = time.perf_counter()
        self.sock.sendall(line)
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise SystemExit("the server closed the connection")
            self.buffer += chunk
        elapsed = time.perf_counter() - start
        answer, self.buffer = self.buffer.split(b"\n", 1)
        message = json.loads(answer)
        if "error" in message:
            raise SystemExit(f"listUsers {params}: {message['error']}")
        return elapsed, message["result"]


server_log = os.environ.get("SERVER_LOG")


def log_size():
    return os.path.getsize(server_log) if server_log else 0


def server_times(offset, count):
    """The durationMs (in seconds) of the last `count` listUsers lines the access log wrote after `offset`; waits (up
    to 10 s) for the lines of calls whose answers were read before their line was written."""
    pattern = re.compile(rb"durationMs=([0-9.]+).*rpc\.method=listUsers")
    deadline = time.monotonic() + 10
    while True:
        with open(server_log, "rb") as log:
            log.seek(offset)
            found = [float(m.group(1)) / 1e3 for m in map(pattern.search, log.read().splitlines()) if m]
        if len(found) >= count or time.monotonic() > deadline:
            return found[-count:]
        time.sleep(0.05)


def row(what, times, server=None, cold=None):
    side = "client-side: TLS and round trip included, JSON decoding not"
    if server:
        side += f"; server-side (access log) p50 {statistics.median(server) * 1e3:.2f} ms, p99 {percentile(server, 0.99) * 1e3:.2f} ms"
    if cold:
        side += f"; cold (the case's first call) {cold[0] * 1e3:.2f} ms client-side" + (
            f", {cold[1] * 1e3:.2f} ms server-side" if cold[1] is not None else "")
    print(f"| listUsers {what} | {len(times)} calls | p50 {statistics.median(times) * 1e3:.2f} ms, "
          f"p99 {percentile(times, 0.99) * 1e3:.2f} ms | {side} |")


connection = RawConnection()
for _ in range(20):  # warm up
    connection.call({"workspace": workspace, "limit": 100})
times, cursors, cursor = [], [], None
walk_start = time.perf_counter()
while True:
    params = {"workspace": workspace, "limit": 100}
    if cursor:
        params["cursor"] = cursor
    cursors.append(cursor)
    elapsed, page = connection.call(params)
    times.append(elapsed)
    cursor = page.get("nextCursor")
    if not cursor:
        break
walk = time.perf_counter() - walk_start

fifth = max(1, len(times) // 5)
for part in range(5):
    chunk = times[part * fifth:(part + 1) * fifth] or times[-1:]
    print(f"| listUsers page of 100, pages {part * fifth + 1}–{part * fifth + len(chunk)} of {len(times)} "
          f"| one connection | p50 {statistics.median(chunk) * 1e3:.2f} ms, p99 {percentile(chunk, 0.99) * 1e3:.2f} ms | client-side, TLS included |")
print(f"| listUsers, whole walk by cursor | {len(times)} pages of 100 | {walk:.2f} s | last fifth / first fifth p50: "
      f"{statistics.median(times[-fifth:]) / statistics.median(times[:fifth]):.2f} (1.0 = linear) |")

# Single pages: the first, the middle, the last, and filtered ones; each called once cold, 10 times to warm up, then
# `calls` times.
_, first = connection.call({"workspace": workspace, "limit": 100})
team = next((t["gid"] for u in first["users"] for t in u.get("teams", [])), None)
# A last name (shared by about one person in the number of last names) and one person's whole email (one match:
# the search reads every row of the workspace, as a substring search without a text index must).
last_name = first["users"][-1]["name"].split()[-1]
email = first["users"][len(first["users"]) // 2]["email"]
first_page_params = {"workspace": workspace, "limit": 100}
cases = [
    ("first page of 100", first_page_params),
    (f"middle page of 100 (page {len(cursors) // 2 + 1})", {"workspace": workspace, "limit": 100, "cursor": cursors[len(cursors) // 2]}),
    (f"last page (page {len(cursors)})", {"workspace": workspace, "limit": 100, **({"cursor": cursors[-1]} if cursors[-1] else {})}),
    ("filtered: admin, first page of 100", {"workspace": workspace, "limit": 100, "admin": True}),
    ("filtered: guest, first page of 100", {"workspace": workspace, "limit": 100, "guest": True}),
    ("filtered: a team, first page of 100", {"workspace": workspace, "limit": 100, "team": team}),
    (f"filtered: query {last_name!r} (a last name), first page of 100", {"workspace": workspace, "limit": 100, "query": last_name}),
    ("filtered: query one person's email (one match)", {"workspace": workspace, "limit": 100, "query": email}),
]
# More texts for the trigram index (session 9): a first and last name (tens of matches), the first name that sorts
# last (a few percent of people, all at the end of the listing order: a scan reads nearly every row before them),
# a trigram in about one person in ten ('sen': Hansen, Jensen, Larsen, Eriksen), the mail domain (everyone), a
# 2-character text (read as the trigrams that begin with it since session 14; scanned before), 1-character ones (from
# the index since session 15), the second page of the last name (after a cursor), and the last name with another filter
# (admin).
full_name = first["users"][-1]["name"]
domain = email.split("@")[1]
_, last_name_page = connection.call({"workspace": workspace, "limit": 100, "query": last_name})
cases += [
    (f"filtered: query {full_name!r} (a full name), first page of 100", {"workspace": workspace, "limit": 100, "query": full_name}),
    ("filtered: query 'zoe' (a first name sorting last), first page of 100", {"workspace": workspace, "limit": 100, "query": "zoe"}),
    ("filtered: query 'sen' (a common trigram), first page of 100", {"workspace": workspace, "limit": 100, "query": "sen"}),
    (f"filtered: query {domain!r} (everyone), first page of 100", {"workspace": workspace, "limit": 100, "query": domain}),
    ("filtered: query 'xu' (2 characters: the trigrams that begin with them), first page of 100", {"workspace": workspace, "limit": 100, "query": "xu"}),
    ("filtered: query 'ex' (2 characters, everyone: one trigram, 'exa'), first page of 100", {"workspace": workspace, "limit": 100, "query": "ex"}),
    ("filtered: query 'q' (1 character, about 7% of people), first page of 100", {"workspace": workspace, "limit": 100, "query": "q"}),
    ("filtered: query '!' (1 character nobody holds)", {"workspace": workspace, "limit": 100, "query": "!"}),
    (f"filtered: query {last_name!r} and admin, first page of 100", {"workspace": workspace, "limit": 100, "query": last_name, "admin": True}),
]
if last_name_page.get("nextCursor"):
    cases.append((f"filtered: query {last_name!r}, second page of 100 (cursor)",
                  {"workspace": workspace, "limit": 100, "query": last_name, "cursor": last_name_page["nextCursor"]}))
for what, params in cases:
    offset = log_size()
    cold = connection.call(params)[0]
    cold_server = server_times(offset, 1)[0] if server_log else None
    for _ in range(10):
        connection.call(params)
    offset = log_size()
    samples = [connection.call(params)[0] for _ in range(calls)]
    row(what, samples, server_times(offset, len(samples)) if server_log else None, (cold, cold_server))

# The reference: the same query and JSON encoding in a plain script, on the same database (none for "-": PostgreSQL).
if database == "-":
    sys.exit(0)
db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
columns = "gid, name, email, isActive, isAdmin, isGuest, isViewOnly, firstSeenAt, lastSeenAt, departedAt, changedAt"
# The teams query the product runs: from each membership's copy of its team's name (migration v17), else joining
# the team (a store from before it), in the product's order either way.
has_team_names = any(column[1] == "teamName" for column in db.execute("PRAGMA table_info(teamMembership)"))
teams_sql = ("SELECT userGid, teamGid, teamName, isAdmin, isGuest, isLimitedAccess FROM teamMembership "
             "WHERE workspaceGid = ? AND userGid IN ({}) ORDER BY userGid, teamName COLLATE NOCASE, teamGid") if has_team_names else (
            "SELECT tm.userGid, t.gid, t.name, tm.isAdmin, tm.isGuest, tm.isLimitedAccess FROM teamMembership tm "
            "JOIN team t ON t.workspaceGid = tm.workspaceGid AND t.gid = tm.teamGid "
            "WHERE tm.workspaceGid = ? AND tm.userGid IN ({}) ORDER BY t.name COLLATE NOCASE, t.gid")


def reference_page():
    """Seconds the plain script takes for the first page: the product's SQL, then JSON like the product's answer."""
    start = time.perf_counter()
    rows = db.execute(f"SELECT {columns} FROM workspaceUser WHERE workspaceGid = ? AND departedAt IS NULL "
                      "ORDER BY ifnull(name, '') COLLATE NOCASE, gid LIMIT 101", (workspace,)).fetchall()
    gids = [row[0] for row in rows[:100]]
    teams = db.execute(teams_sql.format(",".join("?" * len(gids))), (workspace, *gids)).fetchall()
    by_user = {}
    for user, gid, name, admin, guest, limited in teams:
        by_user.setdefault(user, []).append({"gid": gid, "name": name, "isAdmin": admin, "isGuest": guest, "isLimitedAccess": limited})
    users = [dict(zip(columns.split(", "), row), teams=by_user.get(row[0], [])) for row in rows[:100]]
    json.dumps({"users": users, "workspace": {"gid": workspace}}, sort_keys=True, separators=(",", ":"))
    return time.perf_counter() - start


# Interleaved in blocks (product, then reference, five times), so that a machine slowing down or speeding up during
# the run weighs on both sides alike.
product, reference = [], []
for _ in range(5):
    product += [connection.call(first_page_params)[0] for _ in range(40)]
    reference += [reference_page() for _ in range(40)]
print(f"| listUsers first page of 100 vs a plain script (same SQL + JSON, Python sqlite3) | 200 calls each, interleaved "
      f"| p50 {statistics.median(product) * 1e3:.2f} ms vs {statistics.median(reference) * 1e3:.2f} ms "
      f"| ratio {statistics.median(product) / statistics.median(reference):.2f} (the server's includes TLS and the loopback round trip) |")
