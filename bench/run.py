#!/usr/bin/env python3
"""tweet-ingest benchmark: one command, every workload, a markdown table with PASS/FAIL.

    python3 bench/run.py [--size-mb 200] [--quick] [--rounds 3] [--no-build] [--binary PATH]
                         [--skip-profile] [--skip-idle] [--scratch DIR]

What it does (see bench/README.md):
  0. swift build -c release --static-swift-stdlib, as the image does (unless --no-build); a venv with twarc from PyPI (unless --twarc2).
  1. Input: the recorded pages replicated to --size-mb MB of twarc JSONL with unique ids.
  2. Replay comparison, interleaved rounds, each run with a fresh output folder:
       tweet-ingest replay (COMPRESSION=none, gzip), twarc2 flatten (plain, | Python gzip),
       bench/seed_pipeline.py (plain, --gzip).
     Wall time, CPU (user+sys from wait4), peak RSS (ru_maxrss), MB/s, records/s.
  3. The daemon against the fake X API on loopback: `run --once`, max_results 10 and 100.
  4. Idle: the daemon polling with nothing new (CPU and RSS from /proc), start to first request.
  5. Peak RSS with the 128 MiB buffer filling up.
  6. callgrind on a small replay; top functions.
Results: stdout, /tmp/bench-results.md and /tmp/bench-results.json.
Every server binds 127.0.0.1; everything started is stopped (process groups) in `finally`.
"""
import argparse
import glob
import gzip
import json
import math
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import make_input  # noqa: E402
import parquet_bench  # noqa: E402

FIXTURES = os.path.join(ROOT, "Tests", "TweetIngestTests", "Fixtures", "twitter")
FAKE_API = os.path.join(ROOT, "Tests", "IntegrationTests", "Support", "fake_x_api.py")
SEED = os.path.join(HERE, "seed_pipeline.py")
RESULTS_MD = "/tmp/bench-results.md"
RESULTS_JSON = "/tmp/bench-results.json"
MIB = 1 << 20
BUFFER_MB = 128
PEAK_TARGET_MIB = 1.5 * BUFFER_MB + 25
CLK_TCK = os.sysconf("SC_CLK_TCK")
GZIP_SNIPPET = (
    "import gzip,shutil,sys\n"
    "with gzip.open(sys.argv[1],'wb',compresslevel=6) as f: shutil.copyfileobj(sys.stdin.buffer,f,1<<20)\n"
)

LIVE = []  # Popen objects we started and have not reaped


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def base_env(**extra):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


# ---- processes -----------------------------------------------------------------------------

def kill_group(p, sig=signal.SIGKILL):
    try:
        os.killpg(p.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_all():
    for p in list(LIVE):
        if p.returncode is None:
            kill_group(p, signal.SIGTERM)
    deadline = time.monotonic() + 5
    for p in list(LIVE):
        while p.returncode is None and time.monotonic() < deadline:
            if p.poll() is None:
                time.sleep(0.05)
        if p.returncode is None:
            kill_group(p)
            try:
                p.wait(timeout=5)
            except Exception:
                pass
        LIVE.remove(p)


def spawn(argv, **kw):
    p = subprocess.Popen(argv, start_new_session=True, **kw)
    LIVE.append(p)
    return p


def reap(p):
    """wait4 the child: (exit code, rusage)."""
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p in LIVE:
        LIVE.remove(p)
    return p.returncode, usage


def run_measured(cmds, env, cwd, stdout_path, stderr_path, timeout=900, on_start=None):
    """Runs argv lists as a pipeline (cmd0 | cmd1 ...). Wall from before the first exec to the
    last exit; CPU and peak RSS from each process's own rusage (wait4)."""
    procs, files = [], []
    out = open(stdout_path, "wb")
    err = open(stderr_path, "wb")
    files += [out, err]
    start = time.monotonic()
    try:
        prev = None
        for i, argv in enumerate(cmds):
            last = i == len(cmds) - 1
            p = spawn(argv, stdin=prev.stdout if prev else subprocess.DEVNULL,
                      stdout=out if last else subprocess.PIPE, stderr=err, env=env, cwd=cwd)
            if prev is not None:
                prev.stdout.close()
            procs.append(p)
            prev = p
        if on_start:
            on_start(procs[0], start)
        timer = threading.Timer(timeout, lambda: [kill_group(p) for p in procs])
        timer.start()
        results = [reap(p) for p in procs]
        wall = time.monotonic() - start
        timer.cancel()
    finally:
        for f in files:
            f.close()
    codes = [rc for rc, _ in results]
    if any(codes):
        with open(stderr_path, "rb") as f:
            tail = f.read()[-2000:].decode("utf-8", "replace")
        raise RuntimeError(f"{' | '.join(c[0] for c in cmds)} exited {codes} (timeout {timeout}s?):\n{tail}")
    return {
        "wall": wall,
        "user": sum(u.ru_utime for _, u in results),
        "sys": sum(u.ru_stime for _, u in results),
        "cpu": sum(u.ru_utime + u.ru_stime for _, u in results),
        "maxrss_mib": [u.ru_maxrss / 1024 for _, u in results],
        "minflt": sum(u.ru_minflt for _, u in results),
        "end": time.monotonic(),
    }


def proc_stat_cpu(pid):
    """user+sys seconds of a live process from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
                out[key] = int(value.split()[0]) / 1024  # MiB
            elif key == "Threads":
                out[key] = int(value)
    return out


def rss_by_mapping(pid, top=8):
    """Resident MiB per mapped file (or [heap], [anon], [stack]) from /proc/<pid>/smaps."""
    sizes, name = {}, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                name = os.path.basename(parts[5]) if len(parts) > 5 else "[anon]"
            elif parts and parts[0] == "Rss:":
                sizes[name] = sizes.get(name, 0) + int(parts[1]) / 1024
    return sorted(sizes.items(), key=lambda kv: -kv[1])[:top]


# ---- setup ---------------------------------------------------------------------------------

def build(args):
    if args.binary:
        return os.path.abspath(args.binary)
    binary = os.path.join(ROOT, ".build", "release", "tweet-ingest")
    if args.no_build:
        if not os.path.exists(binary):
            raise SystemExit(f"--no-build: {binary} does not exist")
        log(f"--no-build: using {binary} as it is")
        return binary
    log("swift build -c release --static-swift-stdlib, as the image builds it (waits if another build holds the lock)")
    r = subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "tweet-ingest"], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=3600)
    if r.returncode != 0:
        sys.stderr.write(r.stdout.decode("utf-8", "replace")[-4000:])
        raise SystemExit("the release build failed; fix it, or pass --no-build to benchmark the existing "
                         f"{binary}, or --binary PATH")
    return binary


def git_info():
    def git(*a):
        r = subprocess.run(["git", *a], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return r.stdout.strip()
    head = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--", "Sources", "Package.swift")
    return head, len(dirty.splitlines()) if dirty else 0


def ensure_twarc(args):
    if args.twarc2:
        twarc2 = args.twarc2
        py = os.path.join(os.path.dirname(twarc2), "python")
    else:
        venv = args.venv
        twarc2 = os.path.join(venv, "bin", "twarc2")
        py = os.path.join(venv, "bin", "python")
        if not os.path.exists(twarc2):
            log(f"installing twarc from PyPI into {venv}")
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
            subprocess.run([py, "-m", "pip", "install", "-q", "twarc"], check=True)
    r = subprocess.run([py, "-c", "import importlib.metadata as m; print(m.version('twarc'))"],
                       stdout=subprocess.PIPE, text=True)
    version = r.stdout.strip() or "?"
    return twarc2, version


def prepare_input(scratch, size_mb):
    path = os.path.join(scratch, f"input-{size_mb:g}mb.jsonl")
    meta_path = path + ".meta.json"
    src_mtime = max(os.path.getmtime(p) for p in glob.glob(os.path.join(FIXTURES, "twarc_search_recent_*.json")))
    gen_mtime = os.path.getmtime(make_input.__file__)
    if os.path.exists(path) and os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        if meta.get("src_mtime") == src_mtime and meta.get("gen_mtime") == gen_mtime and \
                meta.get("bytes") == os.path.getsize(path):
            return path, meta
    log(f"generating {path}")
    meta = make_input.make_input(path, size_mb, FIXTURES)
    meta.update(src_mtime=src_mtime, gen_mtime=gen_mtime)
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    return path, meta


# ---- output checks -------------------------------------------------------------------------

def count_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    n = size = 0
    with opener(path, "rb") as f:
        while True:
            chunk = f.read(1 << 22)
            if not chunk:
                break
            n += chunk.count(b"\n")
            size += len(chunk)
    return n, size


def ingest_objects(out_dir):
    data, errors = [], []
    for dirpath, _, names in os.walk(out_dir):
        rel = os.path.relpath(dirpath, out_dir)
        if rel.startswith("_state"):
            continue
        for name in names:
            if name.startswith("."):
                continue
            (errors if rel.startswith("errors") else data).append(os.path.join(dirpath, name))
    return sorted(data), sorted(errors)


def check_ingest_output(out_dir, expected):
    data, errors = ingest_objects(out_dir)
    records = size = 0
    for path in data:
        n, s = count_lines(path)
        records += n
        size += s
    if errors:
        raise RuntimeError(f"{out_dir}: unexpected error objects {errors}")
    if records != expected:
        raise RuntimeError(f"{out_dir}: {records} records, expected {expected}")
    return {"records": records, "record_bytes": size, "objects": len(data),
            "object_bytes": sum(os.path.getsize(p) for p in data)}


def check_file_output(path, expected):
    records, size = count_lines(path)
    if records != expected:
        raise RuntimeError(f"{path}: {records} records, expected {expected}")
    return {"records": records, "record_bytes": size, "objects": 1, "object_bytes": os.path.getsize(path)}


# ---- workload 1+2: replay comparison -------------------------------------------------------

def replay_workloads(binary, twarc2, input_path):
    ti_env = dict(BUFFER_SIZE_MB=BUFFER_MB, BUFFER_INTERVAL_SECONDS=900, LOG_LEVEL="warning", LOG_FORMAT="json")
    py = sys.executable
    return [
        {"name": "tweet-ingest replay", "key": "ti", "kind": "ingest",
         "cmds": lambda out: [[binary, "replay", input_path]],
         "env": lambda out: base_env(OUTPUT_DIR=out, COMPRESSION="none", **ti_env)},
        {"name": "tweet-ingest replay, gzip", "key": "ti_gz", "kind": "ingest",
         "cmds": lambda out: [[binary, "replay", input_path]],
         "env": lambda out: base_env(OUTPUT_DIR=out, COMPRESSION="gzip", **ti_env)},
        {"name": "tweet-ingest replay, BUFFER_SIZE_MB=5 (the default)", "key": "ti_5mb", "kind": "ingest",
         "cmds": lambda out: [[binary, "replay", input_path]],
         "env": lambda out: base_env(OUTPUT_DIR=out, COMPRESSION="none", **{**ti_env, "BUFFER_SIZE_MB": 5})},
        {"name": "tweet-ingest replay, BUFFER_SIZE_MB=64", "key": "ti_64mb", "kind": "ingest",
         "cmds": lambda out: [[binary, "replay", input_path]],
         "env": lambda out: base_env(OUTPUT_DIR=out, COMPRESSION="none", **{**ti_env, "BUFFER_SIZE_MB": 64})},
        {"name": "twarc2 flatten", "key": "twarc", "kind": "file", "file": "flat.jsonl",
         "cmds": lambda out: [[twarc2, "--log", os.path.join(out, "twarc.log"), "flatten", "--hide-progress",
                               input_path, os.path.join(out, "flat.jsonl")]],
         "env": lambda out: base_env(BEARER_TOKEN="unused-by-flatten")},
        {"name": "twarc2 flatten | Python gzip", "key": "twarc_gz", "kind": "file", "file": "flat.jsonl.gz",
         "cmds": lambda out: [[twarc2, "--log", os.path.join(out, "twarc.log"), "flatten", "--hide-progress",
                               input_path, "-"],
                              [py, "-c", GZIP_SNIPPET, os.path.join(out, "flat.jsonl.gz")]],
         "env": lambda out: base_env(BEARER_TOKEN="unused-by-flatten")},
        {"name": "seed pipeline (Python json)", "key": "seed", "kind": "file", "file": "records.jsonl",
         "cmds": lambda out: [[py, SEED, input_path, os.path.join(out, "records.jsonl")]],
         "env": lambda out: base_env()},
        {"name": "seed pipeline, gzip", "key": "seed_gz", "kind": "file", "file": "records.jsonl.gz",
         "cmds": lambda out: [[py, SEED, input_path, os.path.join(out, "records.jsonl.gz"), "--gzip"]],
         "env": lambda out: base_env()},
    ]


def run_replay_comparison(workloads, scratch, expected, rounds):
    runs = {w["key"]: [] for w in workloads}
    checks = {}
    for r in range(rounds):
        order = workloads[r % len(workloads):] + workloads[: r % len(workloads)]  # rotate the order
        for w in order:
            out = os.path.join(scratch, "out", w["key"])
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            os.sync()  # nobody pays for an earlier run's dirty pages
            load = loadavg()
            m = run_measured(w["cmds"](out), w["env"](out), out, os.path.join(scratch, f"{w['key']}.stdout"),
                             os.path.join(scratch, f"{w['key']}.stderr"))
            m["loadavg"] = load
            if r == 0:
                checks[w["key"]] = (check_ingest_output(out, expected) if w["kind"] == "ingest"
                                    else parquet_bench.check_parquet_output(out, expected) if w["kind"] == "parquet"
                                    else check_file_output(os.path.join(out, w["file"]), expected))
            runs[w["key"]].append(m)
            log(f"round {r + 1}/{rounds} {w['name']:32s} wall {m['wall']:6.2f}s cpu {m['cpu']:6.2f}s "
                f"rss {'+'.join(f'{x:.0f}' for x in m['maxrss_mib'])} MiB  (load {load})")
            shutil.rmtree(out, ignore_errors=True)
    return runs, checks


def summarize(runs_list, input_bytes, records):
    wall = statistics.median(m["wall"] for m in runs_list)
    cpu = statistics.median(m["cpu"] for m in runs_list)
    rss = max(sum(m["maxrss_mib"]) for m in runs_list)
    return {
        "wall_median": wall, "wall_best": min(m["wall"] for m in runs_list),
        "cpu_median": cpu, "cpu_best": min(m["cpu"] for m in runs_list),
        "user_median": statistics.median(m["user"] for m in runs_list),
        "sys_median": statistics.median(m["sys"] for m in runs_list),
        "peak_rss_mib": rss,
        "minflt_median": statistics.median(m["minflt"] for m in runs_list),
        "mb_per_s": input_bytes / 1e6 / wall,
        "records_per_s": records / wall,
        "records_per_cpu_s": records / cpu,
        "mb_per_cpu_s": input_bytes / 1e6 / cpu,
    }


# ---- workload 3: the daemon against the fake X API -----------------------------------------

NODELAY_WRAPPER = (
    "import sys\n"
    "sys.path.insert(0, sys.argv.pop(1))\n"
    "import fake_x_api\n"
    "fake_x_api.Handler.disable_nagle_algorithm = True  # TCP_NODELAY on accepted sockets\n"
    "sys.exit(fake_x_api.main(sys.argv[1:]))\n"
)


class Fake:
    """fake_x_api.py as shipped, or (nodelay=True) the same module run with TCP_NODELAY set on its
    sockets by a wrapper (the file itself is not changed)."""

    def __init__(self, scratch, tag, extra=(), nodelay=False, fixtures=FIXTURES):
        self.log_path = os.path.join(scratch, f"fake-{tag}.log")
        if os.path.exists(self.log_path):
            os.unlink(self.log_path)
        self.err = open(os.path.join(scratch, f"fake-{tag}.stderr"), "wb")
        prog = ([sys.executable, "-c", NODELAY_WRAPPER, os.path.dirname(FAKE_API)] if nodelay
                else [sys.executable, FAKE_API])
        self.p = spawn([*prog, "--fixtures", fixtures, "--port", "0", "--log", self.log_path,
                        "--max-seconds", "900", "--exit-on-stdin-eof", *extra],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, env=base_env())
        deadline = time.monotonic() + 30
        line = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.p.stdout], [], [], 0.5)
            if ready:
                line = self.p.stdout.readline()
                break
            if self.p.poll() is not None:
                break
        m = re.match(rb"LISTENING (\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError(f"the fake X API did not start: {line!r}")
        self.port = int(m.group(1))
        # Its log file is created (empty) at start; the first line is the first request.
        while not os.path.exists(self.log_path) and time.monotonic() < deadline:
            time.sleep(0.01)

    def entries(self):
        with open(self.log_path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def cpu(self):
        return proc_stat_cpu(self.p.pid)

    def stop(self):
        try:
            self.p.stdin.close()
        except Exception:
            pass
        kill_group(self.p, signal.SIGTERM)
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_group(self.p)
            self.p.wait(timeout=10)
        if self.p in LIVE:
            LIVE.remove(self.p)
        self.err.close()


def watch_first_request(log_path, result, stop):
    """Polls the fake's log every 0.2 ms; records when its first line appears (monotonic)."""
    while not stop.is_set():
        try:
            if os.stat(log_path).st_size > 0:
                result["first_request"] = time.monotonic()
                return
        except FileNotFoundError:
            pass
        time.sleep(0.0002)


def daemon_env(port, out, **extra):
    return base_env(TWITTER_API_URL=f"http://127.0.0.1:{port}", TWITTER_BEARER_TOKEN="test-token",
                    TWITTER_QUERY="x", OUTPUT_DIR=out, BUFFER_SIZE_MB=BUFFER_MB, BUFFER_INTERVAL_SECONDS=900,
                    LOG_LEVEL="warning", LOG_FORMAT="json", COMPRESSION="none", **extra)


def fake_settings(big_dir, big_pool):
    """(fake variant, nodelay, fixtures dir, pool size, max_results): the recorded 400-tweet pool at
    max_results 10 and 100, and a generated pool (big_dir) at 100."""
    out = []
    for variant, nodelay in (("as shipped", False), ("TCP_NODELAY", True)):
        out += [(variant, nodelay, FIXTURES, 400, 10), (variant, nodelay, FIXTURES, 400, 100),
                (variant, nodelay, big_dir, big_pool, 100)]
    return out


def run_fake_api(binary, scratch, repeats, big_dir, big_pool):
    results = []
    for variant, nodelay, fixtures, pool, max_results in fake_settings(big_dir, big_pool):
        rows = []
        for i in range(repeats):
            # A fresh fake per run: its rate-limit counter starts again at 450.
            fake = Fake(scratch, f"once-{max_results}-{i}", nodelay=nodelay, fixtures=fixtures)
            try:
                out = os.path.join(scratch, "out", f"once-{max_results}")
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                os.sync()
                fake_cpu0 = fake.cpu()
                seen, stop = {}, threading.Event()
                watcher = threading.Thread(target=watch_first_request, args=(fake.log_path, seen, stop))
                starts = {}
                m = run_measured([[binary, "run", "--once"]], daemon_env(fake.port, out, TWITTER_MAX_RESULTS=max_results),
                                 out, os.path.join(scratch, "once.stdout"), os.path.join(scratch, "once.stderr"),
                                 timeout=120, on_start=lambda p, t: (starts.update(t=t), watcher.start()))
                stop.set()
                watcher.join()
                fake_cpu = fake.cpu() - fake_cpu0
                entries = fake.entries()
                pages = sum(1 for e in entries if e["status"] == 200)
                if pages != len(entries):
                    raise RuntimeError(f"the fake answered something other than 200: {entries}")
                check = check_ingest_output(out, pool)
                first = seen.get("first_request")
                row = {"pages": pages, "records": check["records"], "wall": m["wall"], "cpu": m["cpu"],
                       "rss_mib": m["maxrss_mib"][0], "fake_cpu": fake_cpu,
                       "start_to_first_request": (first - starts["t"]) if first else None,
                       "fetch_window": (m["end"] - first) if first else None}
                rows.append(row)
                log(f"run --once, fake {variant}, pool {pool}, max_results={max_results} #{i + 1}: {pages} pages "
                    f"{row['records']} records wall {m['wall']:.3f}s daemon cpu {m['cpu']:.3f}s fake cpu {fake_cpu:.2f}s "
                    f"first request after {row['start_to_first_request'] * 1000:.1f} ms")
                shutil.rmtree(out, ignore_errors=True)
            finally:
                fake.stop()
        results.append(({"variant": variant, "pool": pool, "max_results": max_results}, rows))
    return results


def summarize_once(rows):
    med = lambda k: statistics.median(r[k] for r in rows if r[k] is not None)  # noqa: E731
    wall, window = med("wall"), med("fetch_window")
    pages, records = rows[0]["pages"], rows[0]["records"]
    return {"pages": pages, "records": records, "wall_median": wall, "wall_best": min(r["wall"] for r in rows),
            "pages_per_s": pages / wall, "records_per_s": records / wall,
            "pages_per_s_fetching": pages / window, "records_per_s_fetching": records / window,
            "fetch_window_median": window, "cpu_median": med("cpu"), "fake_cpu_median": med("fake_cpu"),
            "rss_mib": max(r["rss_mib"] for r in rows), "start_to_first_request_ms": med("start_to_first_request") * 1000,
            "fake_busy_fraction": med("fake_cpu") / window}


# ---- workload 4: idle ----------------------------------------------------------------------

# What the image's Dockerfile sets that changes the daemon's memory (see the Dockerfile). Since
# 2026-12-05 `run` sets it itself and execs once more when it is missing (GnuTLSImplicitInit.swift),
# so the two idle windows measure the same process image; the first one includes that exec.
IMAGE_ENV = {"GNUTLS_NO_IMPLICIT_INIT": "1"}
# Under valgrind the variable is set up front: callgrind does not follow the daemon's own exec.
NO_REEXEC_ENV = IMAGE_ENV


def run_idle(binary, scratch, interval, window, extra_env=None):
    fake = Fake(scratch, "idle")
    daemon = None
    try:
        out = os.path.join(scratch, "out", "idle")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        env = daemon_env(fake.port, out, TWITTER_MAX_RESULTS=100, TWITTER_POLL_INTERVAL_SECONDS=interval)
        env["BUFFER_INTERVAL_SECONDS"] = "0"  # deliver the first cycle's 400 tweets, then nothing is buffered
        env.update(extra_env or {})
        logf = open(os.path.join(scratch, "idle.stdout"), "wb")
        daemon = spawn([binary, "run"], stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT, env=env, cwd=out)
        logf.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # first cycle: 4 pages served and one object delivered
            if daemon.poll() is not None:
                raise RuntimeError(f"the daemon exited {daemon.returncode} during the first cycle")
            if os.path.getsize(fake.log_path) and len(fake.entries()) >= 4 and ingest_objects(out)[0]:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("the daemon's first cycle did not complete within 60 s")
        time.sleep(0.5)
        requests0 = len(fake.entries())
        cpu0, t0 = proc_stat_cpu(daemon.pid), time.monotonic()
        first_status = proc_status(daemon.pid)
        samples = []
        while time.monotonic() - t0 < window:
            samples.append(proc_status(daemon.pid))
            time.sleep(min(1.0, max(0.0, window - (time.monotonic() - t0))))
        cpu1, t1 = proc_stat_cpu(daemon.pid), time.monotonic()
        last = proc_status(daemon.pid)
        mappings = rss_by_mapping(daemon.pid)
        samples.append(last)
        polls = [e for e in fake.entries()[requests0:]]
        served = sum(len(e["served_ids"]) for e in polls)
        kill_group(daemon, signal.SIGTERM)
        try:
            rc, _ = reap_with_timeout(daemon, 30)
        except TimeoutError:
            raise RuntimeError("the daemon did not exit within 30 s of SIGTERM")
        return {"interval": interval, "window": t1 - t0, "cpu_seconds": cpu1 - cpu0,
                "cpu_percent": 100 * (cpu1 - cpu0) / (t1 - t0), "polls_in_window": len(polls),
                "tweets_served_in_window": served, "rss_max_mib": max(s["VmRSS"] for s in samples),
                "rss_end_mib": last["VmRSS"], "rss_start_mib": first_status["VmRSS"], "hwm_mib": last["VmHWM"],
                "rss_anon_mib": last.get("RssAnon"), "rss_file_mib": last.get("RssFile"),
                "threads": last.get("Threads"), "exit_code": rc, "rss_by_mapping": mappings}
    finally:
        if daemon is not None and daemon.returncode is None:
            kill_group(daemon)
            try:
                reap_with_timeout(daemon, 10)
            except TimeoutError:
                pass
        fake.stop()


def reap_with_timeout(p, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            if p in LIVE:
                LIVE.remove(p)
            return p.returncode, usage
        time.sleep(0.05)
    raise TimeoutError


def run_exec_baseline(binary, scratch, repeats=5):
    """Time to run `check-config` (exec, dynamic linking, Swift runtime start, config) for scale."""
    times = []
    env = base_env(TWITTER_BEARER_TOKEN="x", TWITTER_QUERY="x", OUTPUT_DIR=os.path.join(scratch, "out", "cc"))
    for _ in range(repeats):
        t = time.monotonic()
        subprocess.run([binary, "check-config"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=30, check=True)
        times.append(time.monotonic() - t)
    return statistics.median(times) * 1000


# ---- memory with the buffer filling --------------------------------------------------------

def run_memory(binary, scratch, input_path, copies, expected_per_copy, record_bytes_per_copy=0):
    res = {}
    for comp in ("none", "gzip", "parquet"):
        out = os.path.join(scratch, "out", f"mem-{comp}")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        os.sync()
        fmt_env = {"OUTPUT_FORMAT": "parquet"} if comp == "parquet" else {"COMPRESSION": comp}
        m = run_measured([[binary, "replay", *([input_path] * copies)]],
                         base_env(OUTPUT_DIR=out, BUFFER_SIZE_MB=BUFFER_MB, BUFFER_INTERVAL_SECONDS=900,
                                  LOG_LEVEL="warning", LOG_FORMAT="json", **fmt_env),
                         out, os.path.join(scratch, "mem.stdout"), os.path.join(scratch, "mem.stderr"))
        if comp == "parquet":
            check = parquet_bench.check_parquet_output(out, expected_per_copy * copies)
            check["record_bytes"] = copies * record_bytes_per_copy if record_bytes_per_copy else 0
        else:
            check = check_ingest_output(out, expected_per_copy * copies)
        res[comp] = {"peak_rss_mib": m["maxrss_mib"][0], "wall": m["wall"], "objects": check["objects"],
                     "record_mib": check["record_bytes"] / MIB, "copies": copies}
        log(f"memory, COMPRESSION={comp}: {check['record_bytes'] / MIB:.0f} MiB of records in {check['objects']} "
            f"objects, peak RSS {m['maxrss_mib'][0]:.0f} MiB")
        shutil.rmtree(out, ignore_errors=True)
    return res


# ---- profile -------------------------------------------------------------------------------

def demangle(text):
    swift = shutil.which("swift")
    if not swift:
        return text
    r = subprocess.run([swift, "demangle", "--simplified"], input=text, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return r.stdout if r.returncode == 0 else text


SIGSUSPEND_SHIM = r"""
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
/* valgrind 3.19 writes into the mask passed to rt_sigsuspend (to keep its own signals out), and
   libdispatch's dispatch_main() (the main thread of an async Swift main) passes a mask that lives
   in read-only memory: valgrind itself then dies of SIGSEGV. Suspend on a writable copy instead. */
int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
"""


def sigsuspend_shim(scratch):
    """Builds the LD_PRELOAD shim above (only used under valgrind); None without a C compiler."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        return None
    src, lib = os.path.join(scratch, "sigsuspend_shim.c"), os.path.join(scratch, "sigsuspend_shim.so")
    with open(src, "w") as f:
        f.write(SIGSUSPEND_SHIM)
    r = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", lib, src], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return lib if r.returncode == 0 else None


def short_function(name):
    name = re.sub(r" \[/[^\]]*/([^/\]]+)\]$", r" [\1]", name)  # binary path -> its file name
    return name.replace(ROOT + "/", "")


def annotate(cg, scratch, label, top):
    """callgrind_annotate self and inclusive, demangled; the top entries of each."""
    tables = {}
    for inclusive in ("no", "yes"):
        a = subprocess.run(["callgrind_annotate", f"--inclusive={inclusive}", "--threshold=100", cg],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        text = demangle(a.stdout)
        path = os.path.join(scratch, f"callgrind-{label}-{'inclusive' if inclusive == 'yes' else 'self'}.txt")
        with open(path, "w") as f:
            f.write(text)
        tables[inclusive] = (path, text)
    total, self_top, ours = None, [], []
    for which, (_, text) in tables.items():
        for line in text.splitlines():
            s = line.strip()
            mt = re.match(r"^([\d,]+)(?: \(100\.0%\))?\s+PROGRAM TOTALS", s)
            if mt:
                total = int(mt.group(1).replace(",", ""))
                continue
            mf = re.match(r"^([\d,]+) \(\s*([\d.]+)%\)\s+(.*)$", s)
            if not mf:
                continue
            entry = (int(mf.group(1).replace(",", "")), float(mf.group(2)), short_function(mf.group(3)))
            if which == "no" and len(self_top) < top:
                self_top.append(entry)
            elif which == "yes" and entry[2].startswith("Sources/TweetIngest/") and len(ours) < 12:
                # Skip callgrind's recursion cycles ('2, over 100%) and the same function listed twice.
                name = re.sub(r" \[[^\]]*\]$", "", entry[2])
                if "'" in name or entry[1] > 100 or any(name == n for _, _, n in ours):
                    continue
                ours.append((entry[0], entry[1], name))
    return {"total_ir": total, "top": self_top, "ours_inclusive": ours, "self_file": tables["no"][0],
            "inclusive_file": tables["yes"][0]}


def run_profile(binary, scratch, small_input, small_tweets, big_dir, big_pool, top=15):
    if not shutil.which("valgrind"):
        return {"error": "valgrind is not installed (apt-get install valgrind)"}
    shim = sigsuspend_shim(scratch)
    res = {}
    jobs = [("replay-none", "none"), ("replay-gzip", "gzip"), ("run-once", "none")]
    for label, comp in jobs:
        out = os.path.join(scratch, "out", f"prof-{label}")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        cg = os.path.join(scratch, f"callgrind.out.{label}")
        env = base_env(OUTPUT_DIR=out, COMPRESSION=comp, BUFFER_SIZE_MB=BUFFER_MB, BUFFER_INTERVAL_SECONDS=900,
                       LOG_LEVEL="warning", LOG_FORMAT="json", **NO_REEXEC_ENV)
        if shim:
            env["LD_PRELOAD"] = shim
        fake = None
        try:
            if label == "run-once":
                fake = Fake(scratch, "profile", nodelay=True, fixtures=big_dir)
                env = {**env, **daemon_env(fake.port, out, TWITTER_MAX_RESULTS=100, TWITTER_REQUEST_TIMEOUT_SECONDS=300)}
                cmd, expected, what = ["run", "--once"], big_pool, (
                    f"`run --once` against the fake X API (TCP_NODELAY), {big_pool} tweets in {big_pool // 100} pages")
            else:
                cmd, expected, what = ["replay", small_input], small_tweets, (
                    f"`replay` of {os.path.getsize(small_input) / 1e6:.1f} MB ({small_tweets} tweets), COMPRESSION={comp}")
            r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={cg}", binary, *cmd],
                               env=env, cwd=out, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=1800)
        finally:
            if fake:
                fake.stop()
        if r.returncode != 0:
            res[label] = {"what": what, "error": r.stderr[-2000:]}
            continue
        check_ingest_output(out, expected)
        shutil.rmtree(out, ignore_errors=True)
        res[label] = {"what": what, "tweets": expected, "shim": shim, "callgrind_out": cg, **annotate(cg, scratch, label, top)}
        log(f"callgrind {label}: {res[label]['total_ir']:,} instructions")
    return res


# ---- report --------------------------------------------------------------------------------

def fmt(x, digits=1):
    if x is None:
        return "-"
    if isinstance(x, float) and abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def report(ctx):
    R = []
    w = R.append
    w(f"# tweet-ingest benchmark ({ctx['date']})\n")
    w(f"- command: `{ctx['command']}`")
    w(f"- machine: {os.cpu_count()} cores, load average {ctx['load_start']} at start, {ctx['load_end']} at end "
      f"(other builds may share the machine: compare the ratios and CPU seconds, not absolute wall times)")
    w(f"- binary: `{ctx['binary']}` built {ctx['binary_mtime']}, git HEAD {ctx['git_head']}"
      + (f", {ctx['dirty']} uncommitted change(s) under Sources/ or Package.swift" if ctx["dirty"] else ""))
    w(f"- peers: twarc {ctx['twarc_version']} (PyPI) `twarc2 flatten`; Python {sys.version.split()[0]}; "
      f"gzip level 6 everywhere")
    inp = ctx["input"]
    w(f"- input: {inp['bytes'] / 1e6:.1f} MB twarc JSONL, {inp['pages']} pages, {inp['tweets']} tweets (the 4 recorded "
      f"pages with unique 19-digit ids), page cache warm")
    w(f"- replay rows: median of {ctx['rounds']} interleaved rounds (order rotated each round); MB/s and records/s "
      f"use wall time, `rec/CPU-s` uses user+sys; peak RSS is ru_maxrss (sum over a pipeline's processes)\n")

    w("## Replay: normalize + serialize + write\n")
    w("| workload | wall s | CPU s (user+sys) | peak RSS MiB | MB/s in | records/s | rec/CPU-s | "
      "vs twarc2 flatten (wall) | vs twarc2 flatten (CPU) | output MB | minor page faults |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    S, C = ctx["replay"], ctx["checks"]
    for wl in ctx["workloads"]:
        k = wl["key"]
        s = S[k]
        base = S["twarc_gz" if k.endswith("_gz") else "twarc"]
        bname = "twarc2 flatten \\| gzip" if k.endswith("_gz") else "twarc2 flatten"
        w(f"| {wl['name'].replace('|', chr(92) + '|')} | {s['wall_median']:.2f} | {s['cpu_median']:.2f} ({s['user_median']:.2f}+{s['sys_median']:.2f}) | "
          f"{s['peak_rss_mib']:.0f} | {s['mb_per_s']:.1f} | {s['records_per_s']:,.0f} | {s['records_per_cpu_s']:,.0f} | "
          f"{s['records_per_s'] / base['records_per_s']:.2f}x {'' if bname == 'twarc2 flatten' else '(vs ' + bname + ')'} | "
          f"{s['records_per_cpu_s'] / base['records_per_cpu_s']:.2f}x | {C[k]['object_bytes'] / 1e6:.0f} | "
          f"{s['minflt_median']:,.0f} |")
    w("\nBoth sides do the same work per tweet: tweet-ingest's records are twarc2 flatten's objects (author, "
      "mentioned and replied-to users, media, polls, places and referenced posts inlined) plus an `ingest` "
      "object, without `__twarc`. tweet-ingest fsyncs every object it writes (inside its time); the Python "
      "peers do not.\n")

    w("## Daemon against the fake X API (loopback, `run --once`, fresh OUTPUT_DIR, no checkpoint)\n")
    w("| fake X API | tweet pool | max_results | pages | records | wall s (exec to exit) | pages/s | records/s | pages/s while fetching | "
      "daemon CPU s | fake CPU s | fake busy while fetching | daemon peak RSS MiB | start to first request ms | "
      "records/s vs twarc2 flatten |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in ctx["once"]:
        w(f"| {s['variant']} | {s['pool']} | {s['max_results']} | {s['pages']} | {s['records']} | {s['wall_median']:.3f} | {s['pages_per_s']:.0f} | "
          f"{s['records_per_s']:,.0f} | {s['pages_per_s_fetching']:.0f} | {s['cpu_median']:.3f} | {s['fake_cpu_median']:.3f} | "
          f"{100 * s['fake_busy_fraction']:.0f}% | {s['rss_mib']:.0f} | {s['start_to_first_request_ms']:.1f} | "
          f"{s['records_per_s'] / ctx['replay']['twarc']['records_per_s']:.2f}x |")
    w(f"\nMedians of {ctx['once_repeats']} runs each, a fresh fake per run. \"While fetching\" is from the fake's first "
      "logged request to the daemon's exit. CPU of the fake is from /proc/<pid>/stat (10 ms ticks). "
      "\"TCP_NODELAY\": the same fake_x_api.py module, run by a wrapper that sets "
      "`Handler.disable_nagle_algorithm = True`; as shipped, http.server writes the headers and the body of "
      "each answer in two send() calls, and Nagle's algorithm holds the second until the client's delayed ACK "
      "(~40 ms): a fixed wait per page that neither process spends CPU on.\n")

    idle = ctx.get("idle")
    w("## Idle, start-up, memory\n")
    if idle:
        w(f"- idle: {idle['window']:.1f} s window after the first cycle (400 tweets delivered), polling every "
          f"{idle['interval']} s, {idle['polls_in_window']} poll(s) in the window, {idle['tweets_served_in_window']} new tweets: "
          f"CPU {idle['cpu_seconds']:.2f} s = {idle['cpu_percent']:.3f}% of one core; VmRSS {idle['rss_start_mib']:.1f} → "
          f"{idle['rss_end_mib']:.1f} MiB (max {idle['rss_max_mib']:.1f}; RssAnon {fmt(idle['rss_anon_mib'])}, "
          f"RssFile {fmt(idle['rss_file_mib'])}), VmHWM {idle['hwm_mib']:.1f} MiB, {idle['threads']} threads; "
          f"SIGTERM exit {idle['exit_code']}")
        w("- idle RSS by mapping (MiB, /proc/<pid>/smaps): " +
          ", ".join(f"{name} {mib:.1f}" for name, mib in idle["rss_by_mapping"]))
    image = ctx.get("idle_image_env")
    if image:
        w(f"- idle with the image's environment ({', '.join(f'{k}={v}' for k, v in IMAGE_ENV.items())}), "
          f"{image['window']:.1f} s window: VmRSS max {image['rss_max_mib']:.1f} MiB (RssAnon {fmt(image['rss_anon_mib'])}, "
          f"RssFile {fmt(image['rss_file_mib'])}); by mapping: " +
          ", ".join(f"{name} {mib:.1f}" for name, mib in image["rss_by_mapping"]))
    w(f"- start to first request: {ctx['start_ms']:.1f} ms median, {ctx['start_ms_max']:.1f} ms worst of "
      f"{ctx['start_runs']} runs (exec of `run --once` to the fake's first log line, "
      f"which it writes after parsing the request; the bench polls the log file every 0.2 ms). For scale, a whole "
      f"`check-config` run takes {ctx['exec_ms']:.1f} ms.")
    mem = ctx["memory"]
    for comp, m in mem.items():
        label = "OUTPUT_FORMAT=parquet" if comp == "parquet" else f"COMPRESSION={comp}"
        w(f"- 128 MiB buffer filling up, {label}: replay of {m['record_mib']:.0f} MiB of records "
          f"({m['copies']} x the input) into {m['objects']} objects: peak RSS {m['peak_rss_mib']:.0f} MiB "
          f"(target {parquet_bench.PARQUET_PEAK_FACTOR * BUFFER_MB + parquet_bench.PARQUET_PEAK_SLACK_MIB if comp == 'parquet' else PEAK_TARGET_MIB:.0f})")
    w("")

    parquet_bench.report(ctx, w)
    w("")

    w("## Targets (issues 6, 11 and 13)\n")
    w("| target | measured | result |")
    w("|---|---|---|")
    for name, measured, ok in ctx["targets"]:
        w(f"| {name} | {measured} | {'PASS' if ok else 'FAIL'} |")
    w("")

    prof = ctx.get("profile")
    if prof:
        w("## callgrind (instruction counts, reproducible)\n")
        if "error" in prof:
            w(f"- {prof['error']}\n")
            prof = {}
        for label, p in prof.items():
            if "error" in p:
                w(f"- {p['what']}: callgrind failed: {p['error'][-300:]}")
                continue
            w(f"### {p['what']}\n")
            w(f"{p['total_ir']:,} instructions in total ({p['total_ir'] / p['tweets']:,.0f} per tweet, start-up "
              f"included). Full listings: `{p['self_file']}` (self), `{p['inclusive_file']}` (inclusive)"
              + ("; run with the LD_PRELOAD sigsuspend shim (see run.py: valgrind 3.19 dies on libdispatch's "
                 "read-only sigsuspend mask without it)" if p.get("shim") else "") + ".\n")
            w("| Ir (self) | % | function |")
            w("|---|---|---|")
            for ir, pct, fn in p["top"]:
                fn = fn.replace("|", "\\|")
                w(f"| {ir:,} | {pct:.1f} | `{fn[:157] + '...' if len(fn) > 160 else fn}` |")
            if p["ours_inclusive"]:
                w("\nOur code, inclusive (callees included):\n")
                w("| Ir (inclusive) | % | function |")
                w("|---|---|---|")
                for ir, pct, fn in p["ours_inclusive"]:
                    fn = fn.replace("|", "\\|")
                    w(f"| {ir:,} | {pct:.1f} | `{fn[:157] + '...' if len(fn) > 160 else fn}` |")
            w("")
    return "\n".join(R) + "\n"


def evaluate_targets(ctx):
    S = ctx["replay"]
    t = []
    # Issue 11's targets: records per CPU-second at the default buffer, wall time at 64 MiB; the
    # 128 MiB figures are shown too (the kernel's time to take 128 MiB objects into the page cache
    # weighs on CPU seconds there, see the sys column).
    for key, label, measure, goal in (("ti_5mb", "default BUFFER_SIZE_MB=5", "cpu", 20),
                                      ("ti_64mb", "BUFFER_SIZE_MB=64", "wall", 10),
                                      ("ti", f"BUFFER_SIZE_MB={BUFFER_MB}", "cpu", 10)):
        r_cpu = S[key]["records_per_cpu_s"] / S["twarc"]["records_per_cpu_s"]
        r_wall = S[key]["records_per_s"] / S["twarc"]["records_per_s"]
        r_user = S["twarc"]["user_median"] / S[key]["user_median"]
        what = "records per CPU-second" if measure == "cpu" else "wall time"
        t.append((f"replay with inlined expansions ≥ {goal}x twarc2 flatten ({what}; {label})",
                  f"{r_cpu:.1f}x per CPU-second, {r_wall:.1f}x wall (user CPU alone: {r_user:.1f}x; "
                  f"sys {S[key]['sys_median']:.2f} s)",
                  (r_cpu if measure == "cpu" else r_wall) >= goal))
    g_cpu = S["ti_gz"]["records_per_cpu_s"] / S["twarc_gz"]["records_per_cpu_s"]
    g_wall = S["ti_gz"]["records_per_s"] / S["twarc_gz"]["records_per_s"]
    t.append(("gzip path ≥ 5x twarc2 flatten + Python gzip (records per CPU-second)",
              f"{g_cpu:.1f}x (wall: {g_wall:.1f}x)", g_cpu >= 5))
    idle = ctx.get("idle")
    if idle:
        image = ctx.get("idle_image_env")
        t.append(("idle RSS ≤ 20 MiB", f"{idle['rss_max_mib']:.1f} MiB (VmRSS max over the idle window, the binary alone; "
                  f"{idle['rss_end_mib']:.1f} at its end" + (f"; {image['rss_max_mib']:.1f} with the image's environment"
                                                            if image else "") + ")",
                  idle["rss_max_mib"] <= 20))
    for comp, m in ctx["memory"].items():
        if comp == "parquet":
            continue  # its own target, below
        t.append((f"peak RSS ≤ 1.5 x 128 + 25 = {PEAK_TARGET_MIB:.0f} MiB with a 128 MiB buffer filling up "
                  f"(COMPRESSION={comp})", f"{m['peak_rss_mib']:.0f} MiB", m["peak_rss_mib"] <= PEAK_TARGET_MIB))
    if idle:
        t.append((f"idle < 1% of one core polling every {idle['interval']} s", f"{idle['cpu_percent']:.3f}%",
                  idle["cpu_percent"] < 1))
    return t + parquet_bench.targets(ctx)


def main(argv=None):
    ap = argparse.ArgumentParser(description="tweet-ingest benchmark (see bench/README.md)")
    ap.add_argument("--size-mb", type=float, default=None, help="input size in MB (default 200; --quick 20)")
    ap.add_argument("--quick", action="store_true", help="20 MB input, 15 s idle window polling every 5 s")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--once-repeats", type=int, default=None, help="run --once repeats (default 5; --quick 3)")
    ap.add_argument("--no-build", action="store_true", help="use .build/release/tweet-ingest as it is")
    ap.add_argument("--binary", help="benchmark this tweet-ingest binary (implies no build)")
    ap.add_argument("--twarc2", help="a twarc2 executable (default: a venv with twarc from PyPI)")
    ap.add_argument("--venv", default="/tmp/tweet-ingest-bench-venv")
    ap.add_argument("--scratch", default="/tmp/tweet-ingest-bench")
    ap.add_argument("--skip-idle", action="store_true")
    ap.add_argument("--skip-profile", action="store_true")
    ap.add_argument("--profile-mb", type=float, default=5.0, help="input size for callgrind (default 5 MB)")
    args = ap.parse_args(argv)
    size_mb = args.size_mb or (20.0 if args.quick else 200.0)
    once_repeats = args.once_repeats or (3 if args.quick else 5)
    idle_interval, idle_window = (5, 15.0) if args.quick else (60, 60.0)

    os.makedirs(args.scratch, exist_ok=True)
    ctx = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "rounds": args.rounds,
           "command": " ".join(["python3 bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
           "load_start": loadavg(), "once_repeats": once_repeats}
    try:
        binary = build(args)
        ctx["binary"] = binary
        ctx["binary_mtime"] = datetime.fromtimestamp(os.path.getmtime(binary), timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        ctx["git_head"], ctx["dirty"] = git_info()
        twarc2, ctx["twarc_version"] = ensure_twarc(args)
        input_path, ctx["input"] = prepare_input(args.scratch, size_mb)
        small_path, small = prepare_input(args.scratch, args.profile_mb)
        ctx["small_input_mb"], ctx["small_tweets"] = small["bytes"] / 1e6, small["tweets"]
        expected = ctx["input"]["tweets"]
        log(f"input {input_path}: {ctx['input']['bytes'] / 1e6:.1f} MB, {ctx['input']['pages']} pages, {expected} tweets")

        workloads = replay_workloads(binary, twarc2, input_path) + parquet_bench.workloads(binary, input_path, base_env, BUFFER_MB)
        ctx["workloads"] = [{"key": w["key"], "name": w["name"]} for w in workloads]
        runs, ctx["checks"] = run_replay_comparison(workloads, args.scratch, expected, args.rounds)
        ctx["replay_runs"] = runs
        ctx["replay"] = {k: summarize(v, ctx["input"]["bytes"], expected) for k, v in runs.items()}

        big_dir = os.path.join(args.scratch, "fixtures-generated")
        big_pool = make_input.make_fixtures_dir(big_dir, 40, FIXTURES)
        once = run_fake_api(binary, args.scratch, once_repeats, big_dir, big_pool)
        ctx["once_runs"] = [{**setting, "runs": rows} for setting, rows in once]
        ctx["once"] = [{**setting, **summarize_once(rows)} for setting, rows in once]
        starts = [r["start_to_first_request"] for _, rows in once for r in rows]
        ctx["start_ms"], ctx["start_ms_max"], ctx["start_runs"] = statistics.median(starts) * 1000, max(starts) * 1000, len(starts)
        ctx["exec_ms"] = run_exec_baseline(binary, args.scratch)

        if not args.skip_idle:
            log(f"idle: polling every {idle_interval} s, measuring {idle_window:.0f} s")
            ctx["idle"] = run_idle(binary, args.scratch, idle_interval, idle_window)
            log(f"idle: cpu {ctx['idle']['cpu_percent']:.3f}% rss {ctx['idle']['rss_max_mib']:.1f} MiB")
            ctx["idle_image_env"] = run_idle(binary, args.scratch, idle_interval, min(idle_window, 15.0), IMAGE_ENV)
            log(f"idle with the image's environment: rss {ctx['idle_image_env']['rss_max_mib']:.1f} MiB")

        record_bytes = ctx["checks"]["ti"]["record_bytes"]
        copies = max(1, math.ceil(BUFFER_MB * MIB * 1.1 / record_bytes))
        ctx["memory"] = run_memory(binary, args.scratch, input_path, copies, expected, record_bytes)
        ctx["queries"] = parquet_bench.query_timings(binary, args.scratch, input_path, base_env, log)

        if not args.skip_profile:
            log("callgrind (a few minutes under valgrind)")
            ctx["profile"] = run_profile(binary, args.scratch, small_path, small["tweets"], big_dir, big_pool)
        ctx["load_end"] = loadavg()
        ctx["targets"] = evaluate_targets(ctx)
        text = report(ctx)
        with open(RESULTS_MD, "w") as f:
            f.write(text)
        with open(RESULTS_JSON, "w") as f:
            json.dump(ctx, f, indent=1, default=str)
        print()
        print(text)
        log(f"wrote {RESULTS_MD} and {RESULTS_JSON}")
        return 0
    finally:
        stop_all()
        shutil.rmtree(os.path.join(args.scratch, "out"), ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
