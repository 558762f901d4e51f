#!/usr/bin/env python
"""Throughput and latency of the built-in LRS, served by gunicorn (2 workers), on SQLite and PostgreSQL.

    .venv/bin/python bench/lrs_bench.py [--backends sqlite,postgresql] [--sizes 100000,1000000]
                                        [--clients 4] [--singles 2000] [--batches 300]

Figures printed for each backend:
- trivial endpoint: GET /xapi/about (no database), requests/s — the app's own ceiling;
- single POST: one statement per request, statements/s;
- batched POST: 100 statements per request, statements/s;
- filtered GET (agent, verb, activity, registration; limit 10) latency median/p95 after the store holds each
  size in --sizes (filled in-process by the same store function, in 5,000-statement transactions);
- CPU time per request measured inside one process (trivial, single POST, batched POST per statement,
  filtered GET), which stays meaningful when other tenants load the machine (the load average is printed).

PostgreSQL: a throw-away database is created from LMS_TEST_POSTGRES_URL
(default postgresql://postgres@127.0.0.1:5432/test) and dropped at the end.
PostgreSQL is ANALYZEd after each fill, as after any bulk load: without statistics its planner may drive an
agent+verb query from the verb's keys (p95 over 100 ms at 1 M statements instead of a few ms).
Ralph (``--ralph VENV``): the same single/batched POST load and filtered GETs against Ralph 5.1 (file-system
backend with appending writes, see RALPH_FS_SHIM; gunicorn with 2 uvicorn workers) installed in a separate
virtual environment
(``python -m venv VENV && VENV/bin/pip install "ralph-malph[cli,lrs]==5.1.0" gunicorn requests``), started by this
script, with the ratio printed. Ralph's query latency is measured on what the POST phases stored.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("LRS_BENCH_PORT", "5078"))
AGENTS, VERBS, ACTIVITIES = 1000, 20, 500


def statement(rng: random.Random, registration: str | None = None) -> dict:
    data = {"actor": {"objectType": "Agent", "account": {"homePage": "http://lms.bench",
                                                         "name": f"user-{rng.randrange(AGENTS)}"}},
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/v{rng.randrange(VERBS)}", "display": {"en-US": "did"}},
            "object": {"objectType": "Activity", "id": f"http://lms.bench/activity/{rng.randrange(ACTIVITIES)}",
                       "definition": {"name": {"en-US": "An activity"}}},
            "result": {"score": {"scaled": round(rng.random(), 2)}, "completion": True}}
    if registration:
        data["context"] = {"registration": registration}
    return data


class Server:
    def __init__(self, database_url: str):
        self.env = dict(os.environ, LMS_DATABASE_URL=database_url, LMS_SITE_URL=f"http://127.0.0.1:{PORT}",
                        LMS_SECRET_KEY="bench-secret", PYTHONPATH=str(ROOT))
        self.database_url = database_url
        self.proc = None

    def cli(self, *args: str) -> str:
        return subprocess.run([sys.executable, "-c", "from lms.cli import main; main()", *args], cwd=ROOT,
                              env=self.env, check=True, capture_output=True, text=True).stdout

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{PORT}",
                                      "--log-level", "warning", "--timeout", "300", "lms:create_app()"],
                                     cwd=ROOT, env=self.env)
        wait_for("/xapi/about")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


# Ralph 5.1's file-system LRS backend writes with the CREATE operation by default: the first request creates
# its statements file and every later write fails because the file exists. APPEND is what a file-backed LRS
# needs, so the bench serves Ralph's app through this shim (nothing else in Ralph is changed).
RALPH_FS_SHIM = """
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
from ralph.api import app  # noqa: E402
"""


class RalphServer:
    """Ralph 5.1 (openfun/ralph) in its own virtual environment, 2 workers. Backend: ``RALPH_RUNSERVER_BACKEND``
    from the environment (es, mongo, clickhouse with their own settings), else the file-system backend with
    appending writes (see RALPH_FS_SHIM) — the only one whose server can be installed on a machine that reaches
    PyPI, npm and Debian only."""

    def __init__(self, venv: str):
        self.venv = Path(venv)
        folder = tempfile.mkdtemp(prefix="ralph-bench-")
        self.env = dict(os.environ, RALPH_AUTH_FILE=f"{folder}/auth.json", RALPH_APP_DIR=folder,
                        PYTHONPATH=folder)
        self.env.setdefault("RALPH_RUNSERVER_BACKEND", "fs")
        self.backend = self.env["RALPH_RUNSERVER_BACKEND"]
        self.env.setdefault("RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH", f"{folder}/data")
        Path(folder, "data").mkdir()
        Path(folder, "ralph_fs_append.py").write_text(RALPH_FS_SHIM)
        self.proc = None

    def start(self) -> None:
        subprocess.run([str(self.venv / "bin" / "ralph"), "auth", "-u", "bench", "-p", "bench-secret", "-s", "all",
                        "-M", "mailto:bench@lms.bench", "-w"], env=self.env, check=True, capture_output=True)
        app = "ralph_fs_append:app" if self.backend == "fs" else "ralph.api:app"
        self.proc = subprocess.Popen([str(self.venv / "bin" / "gunicorn"), "-w", "2", "-k",
                                      "uvicorn.workers.UvicornWorker", "-b", f"127.0.0.1:{PORT}", "--log-level",
                                      "warning", app], env=self.env)
        wait_for("/__heartbeat__")

    stop = Server.stop


def wait_for(path: str) -> None:
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start")


def bench_ralph(venv: str, args) -> dict:
    server = RalphServer(venv)
    print(f"\n== Ralph 5.1 ({server.backend} backend) == (load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs)")
    server.start()
    try:
        return _bench_ralph(server, args)
    finally:
        server.stop()


def _bench_ralph(server: RalphServer, args) -> dict:
    headers = {"Authorization": "Basic " + base64.b64encode(b"bench:bench-secret").decode(),
               "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
    results = measure_ingest(args, headers, "/__heartbeat__", "/xAPI/statements")
    stored = args.singles + args.batches * 100
    latencies = measure_queries(headers, random.Random(7), count=40, path="/xAPI/statements")
    results["query"] = (statistics.median(latencies), stored)
    print(f"  filtered GET at {stored:,} statements: median {statistics.median(latencies):.1f} ms")
    return results


def measure_ingest(args, headers: dict, trivial_path: str, statements_path: str) -> dict:
    """The same HTTP load for any LRS: its trivial endpoint, single-statement POSTs, then 100-statement
    batches (one statement in ten with a registration); statements/s (requests/s for the trivial endpoint)."""
    results = {}

    def get_trivial(conn, _item):
        conn.request("GET", trivial_path)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status

    count = args.singles
    results["trivial_rps"] = count / run_clients(args.clients, list(range(count)), get_trivial)
    print(f"  trivial endpoint (GET {trivial_path}): {results['trivial_rps']:,.0f} requests/s")

    rng = random.Random(1)
    bodies = [json.dumps(statement(rng)) for _ in range(args.singles)]

    def post(conn, body):
        conn.request("POST", statements_path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status

    results["single_sps"] = len(bodies) / run_clients(args.clients, bodies, post)
    print(f"  single POST: {results['single_sps']:,.0f} statements/s "
          f"({results['single_sps'] / results['trivial_rps']:.0%} of the trivial endpoint)")
    batches = [json.dumps([statement(rng, str(uuid.uuid4()) if i % 10 == 0 else None) for i in range(100)])
               for _ in range(args.batches)]
    results["batch_sps"] = len(batches) * 100 / run_clients(args.clients, batches, post)
    print(f"  batched POST (100/request, {args.clients} clients): {results['batch_sps']:,.0f} statements/s")
    return results


def run_clients(clients: int, work: list, send) -> float:
    """Split ``work`` over ``clients`` threads, each with its own connection; returns elapsed seconds."""
    chunks = [work[i::clients] for i in range(clients)]
    errors = []

    def worker(items):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        try:
            for item in items:
                send(conn, item)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def fill(server: Server, total: int, already: int) -> int:
    """Store statements in-process (the emitter's path) up to ``total``; returns the new count."""
    missing = total - already
    if missing <= 0:
        return already
    code = f"""
import random, time
from lms import create_app
from lms.core.db import db
from lms.lrs.store import store_statements
import bench.lrs_bench as b
app = create_app()
rng = random.Random({already})
with app.app_context():
    left = {missing}
    while left:
        n = min(5000, left)
        store_statements([b.statement(rng) for _ in range(n)])
        db.session.commit()
        left -= n
    if db.engine.dialect.name == "postgresql":  # planner statistics, as after any bulk load (autovacuum
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # would, later)
            conn.exec_driver_sql("ANALYZE lrs_statement")
            conn.exec_driver_sql("ANALYZE lrs_statement_key")
"""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=server.env, check=True)
    elapsed = time.perf_counter() - start
    print(f"    filled {missing:,} statements in-process in {elapsed:.1f} s ({missing / elapsed:,.0f}/s)")
    return total


def bench_backend(name: str, database_url: str, args) -> dict:
    print(f"\n== {name} == (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    server = Server(database_url)
    server.cli("lrs", "init-db")
    key, secret = server.cli("lrs", "create-credential", "bench", "--scope", "all").split()
    headers = {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
               "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
    server.start()
    results: dict = {}
    try:
        results.update(measure_ingest(args, headers, "/xapi/about", "/xapi/statements"))

        results["cpu"] = cpu_costs(database_url)
        stored = args.singles + args.batches * 100 + 300 + 2000
        for size in args.sizes:
            stored = fill(server, size, stored)
            latencies = measure_queries(headers, random.Random(size))
            median = statistics.median(latencies)
            p95 = sorted(latencies)[int(len(latencies) * 0.95) - 1]
            results[f"query_{size}"] = (median, p95)
            print(f"  filtered GET at {size:,} statements: median {median:.1f} ms, p95 {p95:.1f} ms")
    finally:
        server.stop()
    return results


def measure_queries(headers: dict, rng: random.Random, count: int = 200, path: str = "/xapi/statements") -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    get_headers = {k: v for k, v in headers.items() if k != "Content-Type"}
    latencies = []
    for index in range(count):
        kind = index % 4
        if kind == 0:
            params = {"agent": json.dumps({"account": {"homePage": "http://lms.bench",
                                                       "name": f"user-{rng.randrange(AGENTS)}"}})}
        elif kind == 1:
            params = {"verb": f"http://adlnet.gov/expapi/verbs/v{rng.randrange(VERBS)}"}
        elif kind == 2:
            params = {"activity": f"http://lms.bench/activity/{rng.randrange(ACTIVITIES)}"}
        else:
            params = {"agent": json.dumps({"account": {"homePage": "http://lms.bench",
                                                       "name": f"user-{rng.randrange(AGENTS)}"}}),
                      "verb": f"http://adlnet.gov/expapi/verbs/v{rng.randrange(VERBS)}"}
        params["limit"] = "10"
        start = time.perf_counter()
        conn.request("GET", path + "?" + urlencode(params), headers=get_headers)
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        assert response.status == 200, response.status
    return latencies


def cpu_costs(database_url: str) -> dict:
    """CPU time per request inside one process (Flask test client, no HTTP, no other load counted): a figure
    that stays meaningful on a shared machine whose other tenants make wall-clock throughput meaningless."""
    code = f"""
import base64, json, random, time
from lms import create_app
from lms.core.db import db
from lms.lrs.credentials import create_credential
import bench.lrs_bench as b
app = create_app()
with app.app_context():
    key, secret = create_credential("cpu", ["all"])
    db.session.commit()
client = app.test_client()
headers = {{"Authorization": "Basic " + base64.b64encode(f"{{key}}:{{secret}}".encode()).decode(),
           "X-Experience-API-Version": "1.0.3"}}
rng = random.Random(3)
def cpu(fn, n):
    for _ in range(min(20, n)):
        fn()
    start = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - start) / n * 1e6
out = {{}}
out["trivial_us"] = cpu(lambda: client.get("/xapi/about"), 300)
out["single_us"] = cpu(lambda: client.post("/xapi/statements", data=json.dumps(b.statement(rng)), headers=headers,
                                           content_type="application/json"), 300)
out["batch_us_per_statement"] = cpu(lambda: client.post("/xapi/statements", headers=headers,
    data=json.dumps([b.statement(rng) for _ in range(100)]), content_type="application/json"), 20) / 100
def query():
    agent = json.dumps({{"account": {{"homePage": "http://lms.bench", "name": f"user-{{rng.randrange(b.AGENTS)}}"}}}})
    response = client.get("/xapi/statements", query_string={{"agent": agent, "limit": "10"}}, headers=headers)
    assert response.status_code == 200
out["query_us"] = cpu(query, 200)
print(json.dumps(out))
"""
    env = dict(os.environ, LMS_DATABASE_URL=database_url, LMS_SITE_URL=f"http://127.0.0.1:{PORT}",
               LMS_SECRET_KEY="bench-secret", PYTHONPATH=str(ROOT))
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True,
                            text=True).stdout
    costs = json.loads(output.strip().splitlines()[-1])
    print(f"  CPU per request in-process: trivial {costs['trivial_us']:,.0f} µs, single POST "
          f"{costs['single_us']:,.0f} µs, batched POST {costs['batch_us_per_statement']:,.0f} µs/statement "
          f"(≈{1e6 / costs['batch_us_per_statement']:,.0f} statements/s per core), filtered GET "
          f"{costs['query_us']:,.0f} µs")
    return costs


def postgres_database():
    import sqlalchemy as sa

    base = os.environ.get("LMS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin_url = base.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"lrs_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def drop():
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        engine.dispose()

    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="100000", help="comma-separated store sizes for the query latency "
                                                          "(the issue's full run: 100000,1000000)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--singles", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--ralph", metavar="VENV", help="also load Ralph 5.1 installed in this virtual environment")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    summary = {}
    for backend in args.backends.split(","):
        if backend == "sqlite":
            folder = tempfile.mkdtemp(prefix="lrs-bench-")
            summary[backend] = bench_backend("SQLite", f"sqlite:///{folder}/bench.db", args)
        elif backend == "postgresql":
            url, drop = postgres_database()
            try:
                summary[backend] = bench_backend("PostgreSQL", url, args)
            finally:
                drop()
    if args.ralph:
        summary["ralph"] = bench_ralph(args.ralph, args)
        ours = summary.get("sqlite") or next(iter(v for k, v in summary.items() if k != "ralph"), None)
        if ours and summary["ralph"]:
            print("\n== ratio (this LRS on %s / Ralph) ==" % ("SQLite" if "sqlite" in summary else "PostgreSQL"))
            for key, label in (("single_sps", "single POST"), ("batch_sps", "batched POST")):
                print(f"  {label}: x{ours[key] / summary['ralph'][key]:.1f}")
            query_keys = [k for k in ours if k.startswith("query_")]
            if query_keys:
                print(f"  filtered GET median: Ralph {summary['ralph']['query'][0]:.1f} ms at "
                      f"{summary['ralph']['query'][1]:,} statements vs {ours[query_keys[0]][0]:.1f} ms at "
                      f"{query_keys[0][6:]} statements")
    print("\n" + json.dumps(summary))


if __name__ == "__main__":
    main()
