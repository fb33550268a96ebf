#!/usr/bin/env python3
"""A year of access history through the real sync path (issue 13): DAYS syncs of the workspace, each after
about 1% of its people changed something in the simulator (joins, departures, team joins and leaves, through
Asana's write endpoints with the simulator's admin token), then the sizes and read times an auditor meets.

Usage: history_year.py PORT CERTS_DIR DATABASE SIMULATOR_URL [DAYS] [WORKSPACE]
(run by Benchmarks/history.sh; CERTS_DIR holds ca.pem, client.pem, client-key.pem). The simulator's Asana API
cannot change admin or guest flags, so the changes are presence and team memberships. Server time is real:
"days" are syncs, and "mid-year" is the run of day DAYS/2. Prints Markdown table rows.
"""
import json
import os
import random
import sqlite3
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "clients", "python"))
from asana_access_client import Client  # noqa: E402

port, certs, database, simulator = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
days = int(sys.argv[5]) if len(sys.argv) > 5 else 365
workspace = sys.argv[6] if len(sys.argv) > 6 else "1000"
ADMIN_TOKEN = "demo-admin-token"  # the simulator's seeded admin (asana-sim --help)
random.seed(13)


def asana(path, body):
    request = urllib.request.Request(simulator + path, data=json.dumps({"data": body}).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + ADMIN_TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer).get("data")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def history_rows():
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return sum(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                   for table in ("workspaceUserInterval", "teamMembershipInterval", "teamInterval", "accessChange"))


def logical_bytes():
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]


def timed(call, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


client = Client("127.0.0.1", port, os.path.join(certs, "ca.pem"), certfile=os.path.join(certs, "client.pem"),
                keyfile=os.path.join(certs, "client-key.pem"), timeout=600)
with client:
    first = client.call("sync", {"workspace": workspace})
    runs = [first["runId"]]
    people = [u["gid"] for u in client.call("listUsers", {"workspace": workspace, "limit": 1000, "fields": ["gid"]})["users"]]
    cursor = None
    present = set()
    while True:
        params = {"workspace": workspace, "limit": 1000, "fields": ["gid", "teams"]}
        if cursor:
            params["cursor"] = cursor
        page = client.call("listUsers", params)
        present.update(u["gid"] for u in page["users"])
        cursor = page.get("nextCursor")
        if not cursor:
            break
    teams = sorted({t["gid"] for u in client.call("listUsers", {"workspace": workspace, "limit": 1000})["users"] for t in u["teams"]})
    gone = set()
    size_after_first = logical_bytes()
    per_day = max(1, len(present) // 100)
    sync_seconds = []
    started = time.perf_counter()
    joined = 0
    for day in range(1, days + 1):
        for _ in range(per_day):
            action = random.random()
            candidates = sorted(present - {"1001", "1002"})
            if action < 0.25:
                joined += 1
                person = asana(f"/workspaces/{workspace}/addUser", {"user": f"year.{day}.{joined}@acme.example"})
                present.add(person["gid"])
            elif action < 0.45 and candidates:
                gid = random.choice(candidates)
                asana(f"/workspaces/{workspace}/removeUser", {"user": gid})
                present.discard(gid)
                gone.add(gid)
            elif action < 0.55 and gone:
                gid = random.choice(sorted(gone))
                asana(f"/workspaces/{workspace}/addUser", {"user": gid})
                gone.discard(gid)
                present.add(gid)
            elif candidates and teams:
                gid, team = random.choice(candidates), random.choice(teams)
                verb = "addUser" if action < 0.8 else "removeUser"
                asana(f"/teams/{team}/{verb}", {"user": gid})
        start = time.perf_counter()
        runs.append(client.call("sync", {"workspace": workspace})["runId"])
        sync_seconds.append(time.perf_counter() - start)
    year_seconds = time.perf_counter() - started

    rows_before, bytes_before = history_rows(), logical_bytes()
    client.call("sync", {"workspace": workspace})
    rows_added, bytes_added = history_rows() - rows_before, logical_bytes() - bytes_before
    changes = client.call("listAccessChanges", {"workspace": workspace, "since": runs[0], "limit": 1})

    middle = runs[len(runs) // 2]
    for _ in range(20):
        client.call("listUsers", {"workspace": workspace, "asOf": middle, "limit": 100})
    past = timed(lambda: client.call("listUsers", {"workspace": workspace, "asOf": middle, "limit": 100}), 200)
    now = timed(lambda: client.call("listUsers", {"workspace": workspace, "limit": 100}), 200)

    def quarter():
        params = {"workspace": workspace, "since": runs[len(runs) // 4], "until": runs[len(runs) // 2], "limit": 1000}
        count = 0
        while True:
            page = client.call("listAccessChanges", params)
            count += len(page["changes"])
            if not page.get("nextCursor"):
                return count
            params["cursor"] = page["nextCursor"]

    start = time.perf_counter()
    quarter_changes = quarter()
    quarter_seconds = time.perf_counter() - start

    def export(format):
        params, size = {"workspace": workspace, "format": format, "asOf": middle}, 0
        while True:
            answer = client.call("exportAccessReview", params)
            size += len(answer["chunk"].encode())
            if not answer.get("nextCursor"):
                return size
            params = {"workspace": workspace, "format": format, "cursor": answer["nextCursor"]}

    exports = {}
    for format in ("csv", "html"):
        start = time.perf_counter()
        size = export(format)
        exports[format] = (time.perf_counter() - start, size)

print(f"| a year of syncs | {len(present)} people now, {len(teams)} teams, {days} syncs, ~{per_day} changes a day | "
      f"{year_seconds:.0f} s | sync p50 {statistics.median(sync_seconds) * 1e3:.0f} ms, p99 {percentile(sync_seconds, 0.99) * 1e3:.0f} ms |")
print(f"| database size | after the first sync / after the year | {size_after_first / 2**20:.1f} MiB / {logical_bytes() / 2**20:.1f} MiB | "
      f"{(bytes_before - size_after_first) / max(1, days):.0f} bytes a day of history |")
print(f"| a sync that sees no change | history rows, database bytes added | {rows_added} rows, {bytes_added} bytes | target: under 1 KB |")
print(f"| listUsers asOf mid-year (run {middle}), page of 100 | 200 calls, one connection | p50 {statistics.median(past) * 1e3:.2f} ms, "
      f"p99 {percentile(past, 0.99) * 1e3:.2f} ms | current picture: p50 {statistics.median(now) * 1e3:.2f} ms, p99 {percentile(now, 0.99) * 1e3:.2f} ms (client-side, TLS included) |")
print(f"| listAccessChanges for a quarter | runs {runs[len(runs) // 4]}–{runs[len(runs) // 2]} | {quarter_seconds * 1e3:.0f} ms | {quarter_changes} changes, pages of 1000 |")
for format, (seconds, size) in exports.items():
    print(f"| exportAccessReview {format} as of mid-year | {size / 2**20:.1f} MiB | {seconds * 1e3:.0f} ms | chunks of ~256 KiB over one connection |")
