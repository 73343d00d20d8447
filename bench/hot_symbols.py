#!/usr/bin/env python3
"""Regenerates Sources/tweet-ingest/hot-symbols.txt: the functions the daemon runs, which the
release link places first and together (lld --symbol-ordering-file).

Why: the kernel maps a program's code 64 KiB at a time around each page it touches (fault-around).
With the few hundred functions an idle daemon uses scattered over 11 MB of code (the Swift runtime,
the standard library, FoundationEssentials and ours, all linked in), most of the code ends up
resident. Placed together, the same functions fill a few hundred KiB.

How: under valgrind's callgrind (which records every function that ran, in full), it runs
  1. `tweet-ingest run` against the fake X API on loopback: start-up, a first cycle of 4 pages,
     delivery to the local folder, polls with nothing new, SIGTERM;
  2. the same with S3_BUCKET against moto_server when `moto_server` is installed (SigV4, the
     credential chain, the S3 checkpoint);
  3. `tweet-ingest replay` with COMPRESSION=gzip;
and writes the mangled names of every function that ran and is defined in the binary, in the
order of the binary's own symbol table (so the file is stable for a given toolchain).

    python3 bench/hot_symbols.py [--binary PATH] [--scratch DIR]

A stale or partial list is harmless: the linker ignores names it does not find
(--no-warn-symbol-ordering) and places every other function after the listed ones. Regenerate
after a toolchain upgrade or a large change in what the daemon runs at idle.
"""
import argparse
import bisect
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as bench  # noqa: E402  (the benchmark's fake-API wrapper, valgrind shim and helpers)

ROOT = bench.ROOT
OUTPUT = os.path.join(ROOT, "Sources", "tweet-ingest", "hot-symbols.txt")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def callgrind(binary, args, env, cwd, out_file, shim, until=None, timeout=600):
    """Runs the binary under callgrind; with `until`, sends SIGTERM once until() is true."""
    # Set, `run` does not exec itself again (GnuTLSImplicitInit.swift), which callgrind would not follow.
    env = {**env, **bench.NO_REEXEC_ENV}
    if shim:
        env = {**env, "LD_PRELOAD": shim}
    cmd = ["valgrind", "--tool=callgrind", "--demangle=no", "--dump-instr=yes", f"--callgrind-out-file={out_file}",
           binary, *args]
    p = bench.spawn(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        if until:
            while time.monotonic() < deadline and p.poll() is None and not until():
                time.sleep(0.2)
            if p.poll() is None:
                os.kill(p.pid, signal.SIGTERM)
        _, err = p.communicate(timeout=max(1, deadline - time.monotonic()))
    finally:
        if p.poll() is None:
            bench.kill_group(p)
            p.wait()
        if p in bench.LIVE:
            bench.LIVE.remove(p)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(args)} under callgrind exited {p.returncode}:\n{err.decode(errors='replace')[-3000:]}")


def functions_in(out_file):
    """Every function name in a callgrind output (names are written once, then referred to by id)."""
    names = set()
    with open(out_file, errors="replace") as f:
        for line in f:
            m = re.match(r"^c?fn=(?:\(\d+\))? ?(.+)$", line.rstrip("\n"))
            if m and m.group(1):
                names.add(m.group(1))
    return names


def functions_by_address(out_file, binary):
    """Every function of `binary` with an instruction that ran, found from the instruction
    addresses in a callgrind output (`--dump-instr=yes`) and the binary's symbol table.

    Names alone miss functions: callgrind attributes some (metadata accessors, value witnesses,
    async resume funclets, seen in an idle daemon) to another name, yet the kernel maps 64 KiB of
    code around each of them; the addresses say exactly what ran."""
    symbols = []
    out = subprocess.run(["nm", "-nS", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            symbols.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    starts = [s[0] for s in symbols]
    by_name = {s[2]: s[0] for s in symbols}
    addresses, offsets = set(), {}
    address, pending = 0, None
    with open(out_file, errors="replace") as f:
        for line in f:
            m = re.match(r"^fn=(?:\(\d+\))? ?(.*)$", line)
            if m:
                pending = m.group(1) or None
                continue
            m = re.match(r"^(0x[0-9a-fA-F]+|[+-]\d+|\*)\s", line)
            if not m:
                continue
            token = m.group(1)
            address = int(token, 16) if token.startswith("0x") else address if token == "*" else address + int(token)
            addresses.add(address)
            if pending and pending in by_name:  # a function's first cost line: its load offset
                offset = address - by_name[pending]
                offsets[offset] = offsets.get(offset, 0) + 1
            pending = None
    if not offsets:
        return set()
    base = max(offsets, key=offsets.get)  # where valgrind loaded the binary
    ran = set()
    for address in addresses:
        index = bisect.bisect_right(starts, address - base) - 1
        if index >= 0 and address - base < symbols[index][0] + max(symbols[index][1], 1):
            ran.add(symbols[index][2])
    return ran


def defined_functions(binary):
    out = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    seen, order = set(), []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW" and parts[2] not in seen:
            seen.add(parts[2])
            order.append(parts[2])
    return order


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", help="a release tweet-ingest (default: build one with --static-swift-stdlib)")
    ap.add_argument("--scratch", default=os.path.join(tempfile.gettempdir(), "tweet-ingest-hot-symbols"))
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    os.makedirs(args.scratch, exist_ok=True)
    binary = args.binary
    if not binary:
        bench.log("swift build -c release --static-swift-stdlib")
        subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "tweet-ingest"], cwd=ROOT,
                       check=True)
        binary = os.path.join(ROOT, ".build", "release", "tweet-ingest")
    binary = os.path.abspath(binary)
    shim = bench.sigsuspend_shim(args.scratch)
    ran = set()
    try:
        # 1 and 2: the daemon, local folder then S3.
        destinations = [("file", {})]
        moto = None
        if shutil.which("moto_server"):
            port = free_port()
            moto = bench.spawn(["moto_server", "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=bench.base_env())
            for _ in range(200):
                try:
                    # moto without IAM checks takes an unsigned CreateBucket.
                    request = urllib.request.Request(f"http://127.0.0.1:{port}/hot-symbols", method="PUT")
                    urllib.request.urlopen(request, timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            destinations.append(("s3", {"S3_BUCKET": "hot-symbols", "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{port}",
                                        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                                        "AWS_REGION": "us-east-1", "S3_FORCE_PATH_STYLE": "true"}))
        else:
            bench.log("moto_server not found: profiling the local-folder sink only")
        for name, extra in destinations:
            fake = bench.Fake(args.scratch, f"hot-{name}")
            try:
                out = os.path.join(args.scratch, f"out-{name}")
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                env = {**bench.daemon_env(fake.port, out, TWITTER_MAX_RESULTS=100, TWITTER_POLL_INTERVAL_SECONDS=1,
                                          METRICS_EMF="on", STATE_DIR=os.path.join(out, "state"), **extra),
                       "BUFFER_INTERVAL_SECONDS": "0", "BUFFER_SIZE_MB": "5"}
                cg = os.path.join(args.scratch, f"callgrind.out.run-{name}")
                # The first cycle is 4 pages; then three polls with nothing new.
                callgrind(binary, ["run"], env, out, cg, shim, until=lambda: len(fake.entries()) >= 7)
                ran |= functions_in(cg) | functions_by_address(cg, binary)
                bench.log(f"run ({name}): {len(fake.entries())} requests served")
            finally:
                fake.stop()
        if moto:
            bench.kill_group(moto, signal.SIGTERM)
            moto.wait(timeout=10)
        # 3: replay with gzip.
        out = os.path.join(args.scratch, "out-replay")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        pages = sorted(os.path.join(bench.FIXTURES, f) for f in os.listdir(bench.FIXTURES) if f.startswith("twarc_search_recent"))
        cg = os.path.join(args.scratch, "callgrind.out.replay")
        callgrind(binary, ["replay", *pages], bench.base_env(OUTPUT_DIR=out, COMPRESSION="gzip", LOG_LEVEL="warning"), out,
                  cg, shim)
        ran |= functions_in(cg) | functions_by_address(cg, binary)
    finally:
        bench.stop_all()
    hot = [name for name in defined_functions(binary) if name in ran]
    with open(OUTPUT, "w") as f:
        f.write("\n".join(hot) + "\n")
    # SwiftPM does not see the list as an input of the link: remove the release binaries built
    # here so the next release build links again with it.
    for old in glob.glob(os.path.join(ROOT, ".build*", "*", "release", "tweet-ingest")):
        os.unlink(old)
    bench.log(f"wrote {len(hot)} functions to {os.path.relpath(OUTPUT, ROOT)}; the next release build relinks")


if __name__ == "__main__":
    main()
