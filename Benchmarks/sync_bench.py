#!/usr/bin/env python3
"""sync against Asana's floor and against Asana's official Python SDK in a plain loop (issue 12).

For each per-call latency, on loopback: starts `asana-sim` (a generated organization, `--latency-ms L`) and
`asana-accessd serve` (mutual TLS) with the sync credential, then
  1. measures the simulator's time per call: the median of 20 sequential reads of a workspace-membership page over
     one keep-alive connection;
  2. computes the floor: the longest chain of dependent pages in the data (each page of a listing needs the
     previous page's offset: the workspace memberships, or the teams and then one team's memberships) times that
     time per call;
  3. runs the product's sync twice (`asana-access sync`, wall time on the client), reading the simulator's request
     count and the most GETs it had in flight at once (`GET /-/sim/stats`);
  4. runs the reference, a plain sequential loop over the `asana` SDK (v5) reading the same data: the workspace,
     `/users`, the workspace memberships, the teams and each team's memberships (what the issue measured, and what
     the product read before), and once more without `/users` (the fewest listings that carry the same data).
Prints Markdown rows: case | product | reference | ratio.

Usage: sync_bench.py --bin DIR [--product-bin DIR] [--users 10000] [--teams 200] [--latencies 50,200]
                     [--no-reference] [--asana-requests-per-minute N]
`--product-bin` runs another build's asana-accessd and asana-access (e.g. the commit before a change) against the
simulator of `--bin`. Every process listens on 127.0.0.1 and is stopped by its pid at the end.
"""
import argparse
import http.client
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

WORKSPACE = "1000"
TOKEN = "demo-admin-token"
MEMBERSHIP_FIELDS = "user,user.name,user.email,is_active,is_admin,is_guest,is_view_only"
TEAM_MEMBERSHIP_FIELDS = "user,user.name,user.email,team,team.name,is_admin,is_guest,is_limited_access"


def start(command, work, name, env=None):
    """Starts `command` with stdout to WORK/NAME.out and waits for its 'listening' line; returns (process, line)."""
    out_path = os.path.join(work, name + ".out")
    out = open(out_path, "w")
    process = subprocess.Popen(command, stdout=out, stderr=open(os.path.join(work, name + ".err"), "w"), env=env)
    deadline = time.time() + 120
    while time.time() < deadline:
        with open(out_path) as f:
            text = f.read()
        if "listening" in text:
            return process, text.strip().splitlines()[-1]
        if process.poll() is not None:
            raise SystemExit(f"{name} exited: " + open(os.path.join(work, name + ".err")).read()[-2000:])
        time.sleep(0.05)
    raise SystemExit(f"{name} did not start")


def stop(process):
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


class Simulator:
    """HTTP to the simulator over one keep-alive connection."""

    def __init__(self, base_url):
        parsed = urllib.parse.urlparse(base_url)
        self.base_url, self.host, self.port, self.prefix = base_url, parsed.hostname, parsed.port, parsed.path
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def request(self, method, path):
        self.connection.request(method, path, headers={"Authorization": "Bearer " + TOKEN})
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{method} {path}: {response.status} {body[:200]!r}")
        return json.loads(body)

    def per_call_seconds(self, calls=20):
        path = f"{self.prefix}/workspaces/{WORKSPACE}/workspace_memberships?limit=100&opt_fields={MEMBERSHIP_FIELDS}"
        self.request("GET", path)  # connection up
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            self.request("GET", path)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    def reset_stats(self):
        self.request("POST", "/-/sim/stats/reset")

    def stats(self):
        return self.request("GET", "/-/sim/stats")


def longest_chain(seed_path):
    """Pages of the longest chain of dependent pages (limit 100): the workspace memberships, or the teams listing
    followed by the largest team's memberships; and the fewest calls that read everything (every page of the
    memberships, the teams and each team's memberships, plus GET /workspaces/{gid})."""
    with open(seed_path) as f:
        seed = json.load(f)
    pages = lambda records: max(1, math.ceil(records / 100))
    memberships = sum(1 for m in seed["workspace_memberships"] if m["workspace"] == WORKSPACE)
    teams = [t["gid"] for t in seed["teams"] if t["organization"] == WORKSPACE]
    per_team = {gid: 0 for gid in teams}
    for m in seed["team_memberships"]:
        if m["team"] in per_team:
            per_team[m["team"]] += 1
    team_chain = pages(len(teams)) + max((pages(n) for n in per_team.values()), default=0) if teams else 0
    fewest = 1 + pages(memberships) + (pages(len(teams)) + sum(pages(n) for n in per_team.values()) if teams else 0)
    return max(pages(memberships), team_chain), memberships, len(teams), fewest


def reference_loop(base_url, with_users):
    """A plain loop over Asana's official Python SDK (v5): what a script reading the same data would do."""
    import asana  # from the venv of Benchmarks/install-deps.sh

    configuration = asana.Configuration()
    configuration.host = base_url
    configuration.access_token = TOKEN
    client = asana.ApiClient(configuration)
    records = {}
    records["workspace"] = asana.WorkspacesApi(client).get_workspace(WORKSPACE, {"opt_fields": "name,is_organization,email_domains"})
    if with_users:
        records["users"] = list(asana.UsersApi(client).get_users({"workspace": WORKSPACE, "limit": 100, "opt_fields": "name,email"}))
    records["memberships"] = list(asana.WorkspaceMembershipsApi(client).get_workspace_memberships_for_workspace(
        WORKSPACE, {"limit": 100, "opt_fields": MEMBERSHIP_FIELDS}))
    teams = list(asana.TeamsApi(client).get_teams_for_workspace(WORKSPACE, {"limit": 100, "opt_fields": "name"}))
    records["teams"] = teams
    team_memberships = asana.TeamMembershipsApi(client)
    records["team_memberships"] = sum(
        len(list(team_memberships.get_team_memberships_for_team(team["gid"], {"limit": 100, "opt_fields": TEAM_MEMBERSHIP_FIELDS})))
        for team in teams)
    return records


def seconds(value):
    return f"{value:.2f} s"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--product-bin")
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--latencies", default="50,200")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--asana-requests-per-minute", type=int)
    args = parser.parse_args()
    simulator_bin = os.path.abspath(args.bin)
    product_bin = os.path.abspath(args.product_bin or args.bin)
    size = f"{args.users:,} people / {args.teams} teams"

    for latency in [int(value) for value in args.latencies.split(",")]:
        work = tempfile.mkdtemp(prefix="sync-bench-")
        sim = server = None
        try:
            accessd = os.path.join(product_bin, "asana-accessd")
            subprocess.run([accessd, "certs", "dev", "--out", f"{work}/certs"], check=True, stdout=subprocess.DEVNULL)
            subprocess.run([accessd, "init", "--data-dir", f"{work}/data"], check=True, stdout=subprocess.DEVNULL)
            sim, line = start([os.path.join(simulator_bin, "asana-sim"), "--generate-users", str(args.users),
                               "--generate-teams", str(args.teams), "--port", "0", "--latency-ms", str(latency),
                               "--requests-per-minute", "10000000", "--write-seed", f"{work}/seed.json"], work, "sim")
            base_url = line.split()[-1]
            subprocess.run([accessd, "credentials", "put", "--data-dir", f"{work}/data", "--workspace", WORKSPACE,
                            "--purpose", "sync", "--asana-base-url", base_url], input=TOKEN.encode(), check=True,
                           stdout=subprocess.DEVNULL)
            serve = [accessd, "serve", "--data-dir", f"{work}/data", "--port", "0", "--asana-base-url", base_url,
                     "--log-level", "warning", "--tls-cert", f"{work}/certs/server.pem", "--tls-key",
                     f"{work}/certs/server-key.pem", "--client-ca", f"{work}/certs/ca.pem",
                     "--principal-role", "dev-admin=admin", "--sync-interval", "0"]
            if args.asana_requests_per_minute:
                serve += ["--asana-requests-per-minute", str(args.asana_requests_per_minute)]
            server, line = start(serve, work, "server")
            port = line.split()[-1].rsplit(":", 1)[-1]
            client = [os.path.join(product_bin, "asana-access"), "sync", "--workspace", WORKSPACE, "--port", port,
                      "--ca", f"{work}/certs/ca.pem", "--cert", f"{work}/certs/client.pem",
                      "--key", f"{work}/certs/client-key.pem", "--json"]

            api = Simulator(base_url)
            per_call = api.per_call_seconds()
            chain, memberships, teams, fewest = longest_chain(f"{work}/seed.json")
            floor = chain * per_call
            case = f"sync, {size}, {latency} ms per call"
            print(f"| {case}: floor | longest chain {chain} pages (memberships: {memberships} records, teams: {teams}) "
                  f"× {per_call * 1000:.1f} ms measured per call = {seconds(floor)}; fewest calls that read everything: {fewest} | | |",
                  flush=True)

            product = []
            for run in ("first", "second"):
                api.reset_stats()
                started = time.perf_counter()
                result = json.loads(subprocess.run(client, check=True, capture_output=True).stdout)
                wall = time.perf_counter() - started
                stats = api.stats()
                product.append(wall)
                print(f"| {case}: product, {run} sync | {seconds(wall)} wall, {result['apiCalls']} API calls, "
                      f"{stats['peak_reads_in_flight']} reads in flight at most, {result['users']} people, "
                      f"{result['teamMemberships']} team memberships | floor {seconds(floor)} | "
                      f"{wall / floor:.2f} × floor |", flush=True)
            if args.no_reference:
                continue
            for with_users, what in ((True, "workspace, /users, memberships, teams, team memberships"),
                                     (False, "the same without /users")):
                api.reset_stats()
                started = time.perf_counter()
                records = reference_loop(base_url, with_users)
                wall = time.perf_counter() - started
                stats = api.stats()
                print(f"| {case}: product vs SDK loop ({what}) | {seconds(product[0])} (first sync) | "
                      f"{seconds(wall)}, {stats['requests']} API calls, {stats['peak_reads_in_flight']} in flight at most, "
                      f"{len(records['memberships'])} memberships, {records['team_memberships']} team memberships | "
                      f"{wall / product[0]:.2f}× faster |", flush=True)
        finally:
            stop(server)
            stop(sim)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
