#!/usr/bin/env python3
"""Walks every listUsers page of 100 of a workspace over one TLS connection and prints one Markdown row:
LABEL | pages | p50 and p99 per page (client-side, TLS included) | the whole walk.

Usage: list_walk.py LABEL PORT CERTS_DIR [WORKSPACE]   (CERTS_DIR holds ca.pem, client.pem, client-key.pem)
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "clients", "python"))
from asana_access_client import Client  # noqa: E402

label, port, certs = sys.argv[1], int(sys.argv[2]), sys.argv[3]
workspace = sys.argv[4] if len(sys.argv) > 4 else "1000"
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
ordered = sorted(times)
p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
print(f"| listUsers walk, {label} | {len(times)} pages of 100 | p50 {statistics.median(times) * 1e3:.2f} ms, "
      f"p99 {p99 * 1e3:.2f} ms | {walk:.2f} s |")
