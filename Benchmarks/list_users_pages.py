#!/usr/bin/env python3
"""listUsers paging at scale: per-page latency over one TLS connection, first page to last, against a plain
script running the same SQL and JSON encoding on the same SQLite file (the reference of issue 12).

Usage: list_users_pages.py PORT CERTS_DIR DATABASE [WORKSPACE]
(run by Benchmarks/run.sh after its sync; CERTS_DIR holds ca.pem, client.pem, client-key.pem).
Prints Markdown table rows: page latency by position in the walk (p50/p99 of the pages in each fifth), the
whole walk, the first page against the reference, and the ratio last fifth / first fifth (1.0 = linear walk).
"""
import json
import os
import sqlite3
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "clients", "python"))
from asana_access_client import Client  # noqa: E402

port, certs, database = int(sys.argv[1]), sys.argv[2], sys.argv[3]
workspace = sys.argv[4] if len(sys.argv) > 4 else "1000"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


client = Client("127.0.0.1", port, os.path.join(certs, "ca.pem"), certfile=os.path.join(certs, "client.pem"),
                keyfile=os.path.join(certs, "client-key.pem"), timeout=120)
with client:
    for _ in range(20):  # warm up
        client.call("listUsers", {"workspace": workspace, "limit": 100})
    times, cursor = [], None
    walk_start = time.perf_counter()
    while True:
        params = {"workspace": workspace, "limit": 100}
        if cursor:
            params["cursor"] = cursor
        start = time.perf_counter()
        page = client.call("listUsers", params)
        times.append(time.perf_counter() - start)
        cursor = page.get("nextCursor")
        if not cursor:
            break
    walk = time.perf_counter() - walk_start
    first_pages = [0.0] * 200
    for index in range(200):
        start = time.perf_counter()
        client.call("listUsers", {"workspace": workspace, "limit": 100})
        first_pages[index] = time.perf_counter() - start

fifth = max(1, len(times) // 5)
for part in range(5):
    chunk = times[part * fifth:(part + 1) * fifth] or times[-1:]
    print(f"| listUsers page of 100, pages {part * fifth + 1}–{part * fifth + len(chunk)} of {len(times)} "
          f"| one connection | p50 {statistics.median(chunk) * 1e3:.2f} ms, p99 {percentile(chunk, 0.99) * 1e3:.2f} ms | client-side, TLS included |")
print(f"| listUsers, whole walk by cursor | {len(times)} pages of 100 | {walk:.2f} s | last fifth / first fifth p50: "
      f"{statistics.median(times[-fifth:]) / statistics.median(times[:fifth]):.2f} (1.0 = linear) |")

# The reference: the same query and JSON encoding in a plain script, on the same database.
db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
columns = "gid, name, email, isActive, isAdmin, isGuest, isViewOnly, firstSeenAt, lastSeenAt, departedAt, changedAt"
reference = []
for _ in range(200):
    start = time.perf_counter()
    rows = db.execute(f"SELECT {columns} FROM workspaceUser WHERE workspaceGid = ? AND departedAt IS NULL "
                      "ORDER BY ifnull(name, '') COLLATE NOCASE, gid LIMIT 101", (workspace,)).fetchall()
    gids = [row[0] for row in rows[:100]]
    teams = db.execute("SELECT tm.userGid, t.gid, t.name, tm.isAdmin, tm.isGuest, tm.isLimitedAccess FROM teamMembership tm "
                       "JOIN team t ON t.workspaceGid = tm.workspaceGid AND t.gid = tm.teamGid "
                       f"WHERE tm.workspaceGid = ? AND tm.userGid IN ({','.join('?' * len(gids))})", (workspace, *gids)).fetchall()
    by_user = {}
    for user, gid, name, admin, guest, limited in teams:
        by_user.setdefault(user, []).append({"gid": gid, "name": name, "isAdmin": admin, "isGuest": guest, "isLimitedAccess": limited})
    users = [dict(zip(columns.split(", "), row), teams=by_user.get(row[0], [])) for row in rows[:100]]
    json.dumps({"users": users, "workspace": {"gid": workspace}}, sort_keys=True, separators=(",", ":"))
    reference.append(time.perf_counter() - start)
print(f"| listUsers first page of 100 vs a plain script (same SQL + JSON, Python sqlite3) | 200 calls each "
      f"| p50 {statistics.median(first_pages) * 1e3:.2f} ms vs {statistics.median(reference) * 1e3:.2f} ms "
      f"| ratio {statistics.median(first_pages) / statistics.median(reference):.2f} (the server's includes TLS and the loopback round trip) |")
