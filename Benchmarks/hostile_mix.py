#!/usr/bin/env python3
"""The hostile mix of issue 10 against a running asana-accessd, for a fixed time.

Runs at once, against HOST:PORT (loopback only):
  - a flood that keeps CONNECTIONS connections open (half plain TCP that never starts TLS, half TLS
    that never authenticates), reconnecting whenever the server closes one;
  - BATCHERS unauthenticated TLS connections that pipeline 100-element batches of rpc.discover and
    never read;
  - READERS connections authenticated with a reader token that pipeline batches of listUsers
    (limit 1000) and never read;
  - SLOWLORIS connections that send one byte of a never-ending line every second;
  - STALLED_READERS reader-token connections with a 4 KiB receive buffer that pipeline single
    listUsers lines (limit 1000) and never read: together they fill the server's total of untaken answers;
  - COSTLY unauthenticated connections that send, as fast as the server reads them, 64 KiB pings
    padded with an array of 30,000 zeros (costly to decode, refused by the value limit before it);
  - a fresh client that, once a second, opens a new TLS connection, sends ping and times the answer.
    It runs in a process of its own (`--role fresh`), so that the attackers' work in this process
    never delays it: what it measures is the server.

Prints the counts and latencies as `name: value` lines, and exits 1 if the server process (--pid)
died or a fresh ping failed. Standard library only.
"""
import argparse
import asyncio
import json
import os
import socket
import ssl
import sys
import time

def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True, help="PEM of the CA that signed the server certificate")
    p.add_argument("--token-file", required=True, help="a reader API token")
    p.add_argument("--workspace", default="1000")
    p.add_argument("--pid", type=int, required=True, help="the server's process id (for RSS and liveness)")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--connections", type=int, default=300)
    p.add_argument("--batchers", type=int, default=100)
    p.add_argument("--readers", type=int, default=4)
    p.add_argument("--slowloris", type=int, default=20)
    p.add_argument("--costly", type=int, default=0,
                   help="unauthenticated connections sending costly-to-decode 64 KiB pings (not in issue 10's mix; 20 in RESULTS.md)")
    p.add_argument("--stalled-readers", type=int, default=0,
                   help="reader-token connections with a 4 KiB receive buffer pipelining single listUsers lines, never reading (not in issue 10's mix; 20 in RESULTS.md)")
    p.add_argument("--role", choices=("mix", "fresh"), default="mix",
                   help="mix: the attackers, and a child process with --role fresh; fresh: only the fresh client, results as JSON")
    return p.parse_args()

ARGS = parse_args()
assert ARGS.host in ("127.0.0.1", "::1", "localhost"), "loopback only"
CONTEXT = ssl.create_default_context(cafile=ARGS.ca)
STATS = {"flood_connects": 0, "flood_limit_connections": 0, "flood_connect_errors": 0,
         "batcher_bytes_sent": 0, "reader_bytes_sent": 0, "slowloris_line_seconds": 0, "costly_bytes_sent": 0, "stalled_reader_bytes_sent": 0,
         "fresh_pings": 0, "fresh_ping_failures": 0}
LATENCIES_MS = []
PING_ONLY_MS = []
RSS_SAMPLES_KB = []

def deadline_passed(end):
    return time.monotonic() >= end

async def tls_connect(receive_buffer=None):
    """A TLS connection; `receive_buffer` (bytes) shrinks the socket's receive buffer, so that the
    client's kernel holds almost nothing of what it does not read."""
    sock = None
    if receive_buffer:
        sock = socket.socket(socket.AF_INET6 if ":" in ARGS.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (ARGS.host, ARGS.port))
        return await asyncio.wait_for(asyncio.open_connection(sock=sock, ssl=CONTEXT, server_hostname=ARGS.host), timeout=15)
    return await asyncio.wait_for(asyncio.open_connection(ARGS.host, ARGS.port, ssl=CONTEXT), timeout=15)

async def close(writer):
    writer.close()
    try:
        await asyncio.wait_for(writer.wait_closed(), timeout=2)
    except Exception:
        pass

async def flood_one(index, end):
    """Keeps one connection open; counts limit.connections lines; reconnects when closed."""
    while not deadline_passed(end):
        try:
            if index % 2 == 0:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(ARGS.host, ARGS.port), timeout=15)
            else:
                reader, writer = await tls_connect()
            STATS["flood_connects"] += 1
            try:
                line = await asyncio.wait_for(reader.readline(), timeout=max(0.1, end - time.monotonic()))
                if b"limit.connections" in line:
                    STATS["flood_limit_connections"] += 1
            except (asyncio.TimeoutError, ConnectionError, ssl.SSLError, OSError):
                pass
            await close(writer)
        except (asyncio.TimeoutError, ConnectionError, ssl.SSLError, OSError):
            STATS["flood_connect_errors"] += 1
        await asyncio.sleep(0.1)

async def pipeline_without_reading(end, line, counter, authenticate=None, receive_buffer=None):
    """Writes `line` again and again, never reading answers; reconnects when the server closes."""
    while not deadline_passed(end):
        try:
            reader, writer = await tls_connect(receive_buffer)
            if authenticate:
                writer.write(authenticate)
                await writer.drain()
                await asyncio.wait_for(reader.readline(), timeout=15)
            while not deadline_passed(end):
                writer.write(line)
                await asyncio.wait_for(writer.drain(), timeout=max(0.1, end - time.monotonic()))
                STATS[counter] += len(line)
            await close(writer)
        except (asyncio.TimeoutError, ConnectionError, ssl.SSLError, OSError):
            await asyncio.sleep(0.2)

async def slowloris(end):
    while not deadline_passed(end):
        try:
            reader, writer = await tls_connect()
            writer.write(b'{"jsonrpc":"2.0",')
            while not deadline_passed(end):
                writer.write(b" ")
                await writer.drain()
                try:
                    line = await asyncio.wait_for(reader.readline(), timeout=1)
                    if b"limit.line_seconds" in line:
                        STATS["slowloris_line_seconds"] += 1
                    if not line:
                        break
                except asyncio.TimeoutError:
                    pass
            await close(writer)
        except (asyncio.TimeoutError, ConnectionError, ssl.SSLError, OSError):
            await asyncio.sleep(0.2)

async def fresh_client(end):
    begin = time.monotonic()
    while not deadline_passed(end):
        started = time.monotonic()
        try:
            reader, writer = await tls_connect()
            sent = time.monotonic()
            writer.write(b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n')
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), timeout=15)
            answered = time.monotonic()
            if json.loads(line).get("result") is None:
                raise ConnectionError(line[:200])
            LATENCIES_MS.append((answered - started) * 1000)
            PING_ONLY_MS.append((answered - sent) * 1000)
            STATS["fresh_pings"] += 1
            await close(writer)
        except Exception as error:
            STATS["fresh_ping_failures"] += 1
            print(f"fresh ping failed {started - begin:.1f} s into the run: {error!r}", file=sys.stderr)
        await asyncio.sleep(max(0, 1 - (time.monotonic() - started)))

def rss_kb(field):
    with open(f"/proc/{ARGS.pid}/status") as status:
        for entry in status:
            if entry.startswith(field + ":"):
                return int(entry.split()[1])
    return 0

async def sample_rss(end):
    while not deadline_passed(end):
        try:
            RSS_SAMPLES_KB.append(rss_kb("VmRSS"))
        except FileNotFoundError:
            return
        await asyncio.sleep(0.5)

def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]

async def main():
    token = open(ARGS.token_file).read().strip()
    discover = b"[" + b",".join(b'{"jsonrpc":"2.0","id":%d,"method":"rpc.discover"}' % i for i in range(100)) + b"]\n"
    list_users = ("[" + ",".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": "listUsers",
                                             "params": {"workspace": ARGS.workspace, "limit": 1000}})
                                 for i in range(100)) + "]\n").encode()
    authenticate = (json.dumps({"jsonrpc": "2.0", "id": 0, "method": "authenticate", "params": {"token": token}}) + "\n").encode()
    start_rss = rss_kb("VmRSS")
    end = time.monotonic() + ARGS.seconds
    if ARGS.role == "fresh":
        await fresh_client(end)
        print(json.dumps({"ok": STATS["fresh_pings"], "failed": STATS["fresh_ping_failures"],
                          "latencies": LATENCIES_MS, "pingOnly": PING_ONLY_MS}))
        return 0
    child_args = [a for a in sys.argv[1:] if a not in ("--role", "fresh", "mix")] + ["--role", "fresh", "--seconds", str(ARGS.seconds)]
    fresh = await asyncio.create_subprocess_exec(sys.executable, os.path.abspath(__file__), *child_args, stdout=asyncio.subprocess.PIPE)
    tasks = [sample_rss(end)]
    tasks += [flood_one(i, end) for i in range(ARGS.connections)]
    tasks += [pipeline_without_reading(end, discover, "batcher_bytes_sent") for _ in range(ARGS.batchers)]
    tasks += [pipeline_without_reading(end, list_users, "reader_bytes_sent", authenticate) for _ in range(ARGS.readers)]
    tasks += [slowloris(end) for _ in range(ARGS.slowloris)]
    costly = b'{"jsonrpc":"2.0","id":1,"method":"ping","x":[' + b",".join([b"0"] * 30000) + b"]}\n"
    tasks += [pipeline_without_reading(end, costly, "costly_bytes_sent") for _ in range(ARGS.costly)]
    one_page = (json.dumps({"jsonrpc": "2.0", "id": 1, "method": "listUsers", "params": {"workspace": ARGS.workspace, "limit": 1000}}) + "\n").encode()
    tasks += [pipeline_without_reading(end, one_page, "stalled_reader_bytes_sent", authenticate, receive_buffer=4096)
              for _ in range(ARGS.stalled_readers)]
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=ARGS.seconds + 60)
    output, _ = await asyncio.wait_for(fresh.communicate(), timeout=60)
    measured = json.loads(output.decode().strip().splitlines()[-1])
    STATS["fresh_pings"], STATS["fresh_ping_failures"] = measured["ok"], measured["failed"]
    LATENCIES_MS.extend(measured["latencies"])
    PING_ONLY_MS.extend(measured["pingOnly"])
    alive = True
    try:
        os.kill(ARGS.pid, 0)
        peak = rss_kb("VmHWM")
    except (ProcessLookupError, FileNotFoundError):
        alive, peak = False, 0
    print(f"seconds: {ARGS.seconds:.0f}")
    print(f"server alive at the end: {'yes' if alive else 'NO (crashed)'}")
    print(f"server RSS at start: {start_rss / 1024:.0f} MiB")
    print(f"server peak RSS (VmHWM): {peak / 1024:.0f} MiB")
    print(f"server RSS, highest sample: {max(RSS_SAMPLES_KB, default=0) / 1024:.0f} MiB")
    print(f"fresh pings: {STATS['fresh_pings']} ok, {STATS['fresh_ping_failures']} failed")
    print(f"fresh connect+TLS+ping p50/p99/max: {percentile(LATENCIES_MS, .5):.1f} / {percentile(LATENCIES_MS, .99):.1f} / {max(LATENCIES_MS, default=float('nan')):.1f} ms")
    print(f"fresh ping alone p50/p99/max: {percentile(PING_ONLY_MS, .5):.1f} / {percentile(PING_ONLY_MS, .99):.1f} / {max(PING_ONLY_MS, default=float('nan')):.1f} ms")
    for name in ("flood_connects", "flood_limit_connections", "flood_connect_errors", "batcher_bytes_sent",
                 "reader_bytes_sent", "slowloris_line_seconds", "costly_bytes_sent", "stalled_reader_bytes_sent"):
        print(f"{name}: {STATS[name]}")
    return 0 if alive and STATS["fresh_ping_failures"] == 0 else 1

if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
