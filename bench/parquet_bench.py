"""Issue 13's numbers for bench/run.py: Parquet replay speed and object size, peak RSS with a
128 MiB buffer writing Parquet, and DuckDB's time for the README's queries over Parquet versus
gzip JSON Lines. Functions only; run.py calls them in its one run."""
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK_QUERIES = os.path.join(ROOT, "Tests", "IntegrationTests", "Support", "parquet", "check_queries.py")
PARQUET_PEAK_FACTOR, PARQUET_PEAK_SLACK_MIB = 2, 25


def parquet_rows(out_dir):
    """Rows and bytes of the .parquet objects under out_dir (pyarrow reads the footers)."""
    import pyarrow.parquet as pq
    rows = size = files = 0
    for folder, _, names in os.walk(out_dir):
        for name in names:
            if name.endswith(".parquet"):
                path = os.path.join(folder, name)
                rows += pq.ParquetFile(path).metadata.num_rows
                size += os.path.getsize(path)
                files += 1
    return {"records": rows, "objects": files, "object_bytes": size}


def check_parquet_output(out_dir, expected):
    found = parquet_rows(out_dir)
    if found["records"] != expected:
        raise RuntimeError(f"{out_dir}: {found['records']} Parquet rows, expected {expected}")
    if os.path.isdir(os.path.join(out_dir, "errors")):
        raise RuntimeError(f"{out_dir}: unexpected error objects")
    return found


def workloads(binary, input_path, base_env, buffer_mb):
    env = dict(BUFFER_SIZE_MB=buffer_mb, BUFFER_INTERVAL_SECONDS=900, LOG_LEVEL="warning", LOG_FORMAT="json", OUTPUT_FORMAT="parquet")
    return [
        {"name": "tweet-ingest replay, Parquet (zstd)", "key": "ti_pq", "kind": "parquet",
         "cmds": lambda out: [[binary, "replay", input_path]],
         "env": lambda out: base_env(OUTPUT_DIR=out, PARQUET_COMPRESSION="zstd", **env)},
        {"name": "tweet-ingest replay, Parquet (snappy)", "key": "ti_pq_snappy", "kind": "parquet",
         "cmds": lambda out: [[binary, "replay", input_path]],
         "env": lambda out: base_env(OUTPUT_DIR=out, PARQUET_COMPRESSION="snappy", **env)},
    ]


def query_timings(binary, scratch, input_path, base_env, log, rounds=3):
    """The README's three queries with DuckDB over the same records as gzip JSON Lines and as
    Parquet (zstd), median of `rounds` runs of each."""
    out = os.path.join(scratch, "out", "queries")
    shutil.rmtree(out, ignore_errors=True)
    dirs = {}
    for label, extra in (("jsonl", {"COMPRESSION": "gzip"}), ("parquet", {"OUTPUT_FORMAT": "parquet"})):
        dirs[label] = os.path.join(out, label)
        os.makedirs(dirs[label])
        subprocess.run([binary, "replay", input_path], check=True, stdout=subprocess.DEVNULL,
                       env=base_env(OUTPUT_DIR=dirs[label], BUFFER_SIZE_MB=128, BUFFER_INTERVAL_SECONDS=900,
                                    LOG_LEVEL="warning", LOG_FORMAT="json", **extra))
    samples = []
    for _ in range(rounds):
        done = subprocess.run([sys.executable, CHECK_QUERIES, "--readme", os.path.join(ROOT, "README.md"), "--jsonl", dirs["jsonl"],
                               "--parquet", dirs["parquet"], "--timings"], check=True, capture_output=True, text=True)
        samples.append(json.loads(done.stdout.strip().splitlines()[-1])["timings"])
    result = []
    for index, first in enumerate(samples[0]):
        seconds = sorted(s[index]["seconds"] for s in samples)
        result.append({"format": first["format"], "query": first["query"], "seconds": seconds[len(seconds) // 2]})
    sizes = {label: sum(os.path.getsize(os.path.join(f, n)) for f, _, ns in os.walk(d) for n in ns) for label, d in dirs.items()}
    shutil.rmtree(out, ignore_errors=True)
    for r in result:
        log(f"DuckDB {r['format']:8s} {r['seconds']:.3f} s  {r['query']}")
    return {"timings": result, "bytes": sizes}


def targets(ctx):
    """(label, measured, pass) rows for evaluate_targets."""
    S = ctx["replay"]
    rows = []
    if "ti_pq" in S:
        r_cpu = S["ti_pq"]["records_per_cpu_s"] / S["twarc"]["records_per_cpu_s"]
        rows.append(("Parquet (zstd) replay ≥ 10x twarc2 flatten (records per CPU-second)",
                     f"{r_cpu:.1f}x ({S['ti_pq']['cpu_median']:.2f} s CPU vs {S['twarc']['cpu_median']:.2f} s)", r_cpu >= 10))
        pq_bytes = ctx["checks"]["ti_pq"]["object_bytes"]
        gz_bytes = ctx["checks"]["ti_gz"]["object_bytes"]
        rows.append(("Parquet (zstd) objects no larger than gzip JSON Lines of the same records",
                     f"{pq_bytes / 1e6:.1f} MB vs {gz_bytes / 1e6:.1f} MB ({pq_bytes / gz_bytes:.2f}x)", pq_bytes <= gz_bytes))
    memory = ctx.get("memory", {}).get("parquet")
    if memory:
        goal = PARQUET_PEAK_FACTOR * 128 + PARQUET_PEAK_SLACK_MIB
        rows.append((f"peak RSS ≤ 2 x 128 + 25 = {goal} MiB with a 128 MiB buffer, OUTPUT_FORMAT=parquet",
                     f"{memory['peak_rss_mib']:.0f} MiB", memory["peak_rss_mib"] <= goal))
    return rows


def report(ctx, w):
    q = ctx.get("queries")
    if not q:
        return
    w("\n### DuckDB: the README's queries over Parquet and gzip JSON Lines\n")
    w(f"Objects of the same records (128 MiB buffer): gzip JSON Lines {q['bytes']['jsonl'] / 1e6:.1f} MB, "
      f"Parquet (zstd) {q['bytes']['parquet'] / 1e6:.1f} MB. Median of 3 runs, DuckDB {duckdb_version()}.\n")
    w("| query | gzip JSON Lines s | Parquet s | speed-up |")
    w("|---|---|---|---|")
    by_query = {}
    for r in q["timings"]:
        by_query.setdefault(r["query"], {})[r["format"]] = r["seconds"]
    for query, t in by_query.items():
        w(f"| `{query.strip()}` | {t['jsonl']:.3f} | {t['parquet']:.3f} | {t['jsonl'] / max(t['parquet'], 1e-6):.1f}x |")


def duckdb_version():
    try:
        import duckdb
        return duckdb.__version__
    except ImportError:
        return "?"
