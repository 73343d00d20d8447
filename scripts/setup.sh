#!/usr/bin/env bash
# Installs what tweet-ingest needs to build and test on Debian/Ubuntu, skipping what is there.
# Needs the Swift toolchain (6.0 or newer) on PATH: https://www.swift.org/install/linux/
set -euo pipefail

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: the Swift toolchain is missing: install Swift 6 (https://www.swift.org/install/linux/) and run this again" >&2
  exit 1
fi

packages=(libcurl4-openssl-dev libssl-dev zlib1g-dev librdkafka-dev libzstd-dev libsnappy-dev pkg-config python3 python3-pip gzip spin gcc)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--test" ]; then
  # Test-only peers: moto_server (S3 on loopback, read back with boto3) and pytest.
  python3 -c "import moto.server, boto3" 2>/dev/null || python3 -m pip install -q 'moto[server]' 2>&1 | tail -n 2
  python3 -c "import pytest" 2>/dev/null || python3 -m pip install -q pytest 2>&1 | tail -n 2
  python3 -c "import jsonschema" 2>/dev/null || python3 -m pip install -q jsonschema 2>&1 | tail -n 2
  python3 -c "import twarc" 2>/dev/null || python3 -m pip install -q twarc 2>&1 | tail -n 2
  # Parquet read back by two independent readers (Tests/ParquetTests/Support/read_parquet.py).
  python3 -c "import pyarrow" 2>/dev/null || python3 -m pip install -q pyarrow 2>&1 | tail -n 2
  python3 -c "import duckdb" 2>/dev/null || python3 -m pip install -q duckdb 2>&1 | tail -n 2
fi
echo "setup: ready"
