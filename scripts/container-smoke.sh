#!/usr/bin/env bash
# Container smoke test: builds the Dockerfile's runtime stage with podman and runs the real
# binary inside it, as the image's non-root user with a read-only root filesystem, against the
# fake X API on the host's loopback (and against moto_server for S3 when both are available).
# It proves the runtime image carries every shared library the binary links.
#
# No registry is reachable here, so the base image is made locally: debootstrap (minbase, the
# same package set as debian:bookworm-slim) from Debian's archive, tarred and `podman import`ed.
# The binary is built on the host (`swift build -c release --static-swift-stdlib`), which is
# Debian bookworm like the image, and copied in where the Dockerfile copies it from its build
# stage. The Dockerfile's runtime stage is used verbatim apart from those two lines.
#
# Needs root (debootstrap, rootful podman) and Debian's apt; installs podman, debootstrap and
# runc if missing. Every wait is bounded; containers, images and temporary files it made are
# removed on exit. The debootstrapped base is cached as a tarball (see SMOKE_CACHE_DIR).
#
# Environment:
#   SMOKE_BINARY        use this tweet-ingest binary instead of building one
#   SMOKE_SCRATCH_PATH  SwiftPM scratch path for the static build (default .build-static)
#   SMOKE_CACHE_DIR     where the base tarball is kept (default ~/.cache/tweet-ingest)
#   SMOKE_REFRESH_BASE  1: debootstrap again even if the cached base is younger than 7 days
#   SMOKE_MIRROR        Debian mirror to debootstrap from (default: the one this host's apt uses,
#                       see apt_debian_mirrors; its security archive is taken as MIRROR-security)
#   SMOKE_KEEP          1: keep the built images and the output folders (for debugging)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

started_at=$(date +%s)
say() { printf 'smoke: %s\n' "$*"; }
fail() { printf 'smoke: FAIL: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# The Debian mirror: the one this host's apt already uses, so the script names no host
# ---------------------------------------------------------------------------------------------
# Debian release names a suite may carry; a source with none of them is not Debian's archive
# (Ubuntu, a vendor's repository) and is never used.
debian_releases='buster bullseye bookworm trixie forky duke sid oldstable stable testing unstable'

# apt_source_entries DIR: "URI SUITE" for every enabled `deb` source with the component main
# in DIR/sources.list, DIR/sources.list.d/*.list (one-line format) and DIR/sources.list.d/*.sources
# (deb822), in apt's order. Only http, https and file URIs (what debootstrap can fetch from).
apt_source_entries() {
  local dir=$1 files=()
  [ -f "$dir/sources.list" ] && files+=("$dir/sources.list")
  local file
  for file in "$dir"/sources.list.d/*.list "$dir"/sources.list.d/*.sources; do
    [ -f "$file" ] && files+=("$file")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  awk '
    function emit(types, uris, suites, components, enabled,   t, u, s, c, nt, nu, ns, nc, i, j, deb, main) {
      if (tolower(enabled) == "no" || tolower(enabled) == "false") return
      nt = split(types, t, /[ \t]+/); nc = split(components, c, /[ \t]+/)
      for (i = 1; i <= nt; i++) if (t[i] == "deb") deb = 1
      for (i = 1; i <= nc; i++) if (c[i] == "main") main = 1
      if (!deb || !main) return
      nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
      for (i = 1; i <= nu; i++) {
        if (u[i] !~ /^(https?:\/\/|file:\/)/) continue
        sub(/\/+$/, "", u[i])
        for (j = 1; j <= ns; j++) if (s[j] != "") print u[i], s[j]
      }
    }
    function flush() {
      if (stanza) emit(f["types"], f["uris"], f["suites"], f["components"], f["enabled"])
      delete f; stanza = 0; key = ""
    }
    FNR == 1 { flush(); deb822 = FILENAME ~ /\.sources$/ }
    deb822 {
      if ($0 ~ /^[ \t]*#/) next
      if ($0 ~ /^[ \t]*$/) { flush(); next }
      if ($0 ~ /^[ \t]/ && key != "") { f[key] = f[key] " " $0; next }
      colon = index($0, ":")
      if (colon == 0) next
      key = tolower(substr($0, 1, colon - 1)); f[key] = substr($0, colon + 1); stanza = 1
      gsub(/^[ \t]+|[ \t]+$/, "", f[key])
      next
    }
    {
      line = $0; sub(/#.*/, "", line)
      gsub(/\[[^]]*\]/, " ", line)  # [ arch=amd64 signed-by=... ]
      n = split(line, w, /[ \t]+/); k = 0
      for (i = 1; i <= n; i++) if (w[i] != "") v[++k] = w[i]
      if (k < 4) next
      components = v[4]; for (i = 5; i <= k; i++) components = components " " v[i]
      emit(v[1], v[2], v[3], components, "yes")
    }
    END { flush() }
  ' "${files[@]}"
}

# apt_debian_mirrors DIR: "ARCHIVE SECURITY": the first Debian archive in DIR's sources (a suite
# bookworm, else any Debian release) and the first Debian security archive (a suite
# RELEASE-security), SECURITY being ARCHIVE-security when the sources name none. Exit 1, saying
# what was looked at, when no Debian archive is there.
apt_debian_mirrors() {
  local dir=$1 entries archive="" security="" uri suite release
  entries=$(apt_source_entries "$dir")
  while read -r uri suite; do
    [ -n "$uri" ] || continue
    [ "$suite" = bookworm ] && { archive=$uri; break; }
  done <<<"$entries"
  while [ -z "$archive" ] && read -r uri suite; do
    for release in $debian_releases; do [ "$suite" = "$release" ] && { archive=$uri; break; }; done
  done <<<"$entries"
  while [ -z "$security" ] && read -r uri suite; do
    for release in $debian_releases; do
      if [ "$suite" = "$release-security" ] || [ "$suite" = "$release/updates" ]; then security=$uri; break; fi
    done
  done <<<"$entries"
  if [ -z "$archive" ]; then
    printf 'smoke: FAIL: no Debian archive (an enabled "deb" source with component main and a suite among: %s) in %s/sources.list or %s/sources.list.d/*.list, *.sources; set SMOKE_MIRROR to a Debian mirror URL\n' \
      "$debian_releases" "$dir" "$dir" >&2
    return 1
  fi
  printf '%s %s\n' "$archive" "${security:-${archive%/debian}/debian-security}"
}

# `container-smoke.sh --apt-mirrors [DIR]` prints what apt_debian_mirrors finds (default
# /etc/apt) and exits: the script's tests call it, and so can a user wondering what it will use.
if [ "${1:-}" = --apt-mirrors ]; then
  apt_debian_mirrors "${2:-/etc/apt}"
  exit
fi

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap and rootful podman); run it with sudo"
command -v apt-get >/dev/null || fail "needs a Debian or Ubuntu host (apt-get, debootstrap)"

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
missing=()
for tool in podman:podman debootstrap:debootstrap runc:runc curl:curl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt)"
  timeout 300 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The base is made again when it is missing, older than 7 days or SMOKE_REFRESH_BASE=1; only
# then is a mirror needed, and it is found before the long build below.
cache=${SMOKE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tweet-ingest}
base_tar="$cache/debian-bookworm-minbase.tar"
mkdir -p "$cache"
need_base=""
if [ "${SMOKE_REFRESH_BASE:-0}" = 1 ] || [ -z "$(find "$base_tar" -mtime -7 2>/dev/null)" ]; then
  need_base=1
  if [ -n "${SMOKE_MIRROR:-}" ]; then
    mirror=${SMOKE_MIRROR%/}
    security_mirror=${mirror%/debian}/debian-security
    say "mirror: $mirror (SMOKE_MIRROR)"
  else
    mirrors=$(apt_debian_mirrors /etc/apt) || exit 1
    read -r mirror security_mirror <<<"$mirrors"
    say "mirror: $mirror, security: $security_mirror (this host's apt sources)"
  fi
fi

tag="smoke-$$"
base_image="localhost/tweet-ingest-smoke-base:$tag"
image="localhost/tweet-ingest-smoke:$tag"
work=$(mktemp -d /tmp/tweet-ingest-smoke.XXXXXX)
containers=()
pids=()

cleanup() {
  local status=$?
  for name in "${containers[@]}"; do
    timeout 60 podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  done
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${SMOKE_KEEP:-0}" = 1 ]; then
    say "kept images $image $base_image and $work"
  else
    timeout 120 podman rmi -f "$image" "$base_image" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# The binary
# ---------------------------------------------------------------------------------------------
if [ -n "${SMOKE_BINARY:-}" ]; then
  binary=$SMOKE_BINARY
  [ -x "$binary" ] || fail "SMOKE_BINARY=$binary is not an executable"
  say "binary: $binary (given)"
else
  scratch=${SMOKE_SCRATCH_PATH:-.build-static}
  say "building the release binary with the static Swift stdlib in $scratch"
  timeout 1800 swift build -c release --static-swift-stdlib --product tweet-ingest \
    --scratch-path "$scratch" 2>&1 | tail -n 3
  binary="$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/tweet-ingest"
  [ -x "$binary" ] || fail "the build produced no $binary"
  # The release link that keeps the idle daemon small (Package.swift; README, "Memory").
  if nm "$binary" | grep -q ' \$s10Foundation'; then
    fail "$binary links Foundation, not only FoundationEssentials: something imports Foundation (README, Memory)"
  fi
  readelf -SW "$binary" | grep -q '\.relr\.dyn' || fail "$binary has no packed relocations (.relr.dyn): was it linked by lld?"
  say "release link: FoundationEssentials only, packed relocations"
fi

# ---------------------------------------------------------------------------------------------
# Base image: Debian bookworm minbase (what debian:bookworm-slim is made from)
# ---------------------------------------------------------------------------------------------
if [ -n "$need_base" ]; then
  say "debootstrap bookworm (minbase) from $mirror"
  rootfs="$work/rootfs"
  timeout 900 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed (log above)"; }
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
EOF
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log
  tar --numeric-owner -C "$rootfs" -cf "$base_tar.tmp" .
  mv "$base_tar.tmp" "$base_tar"
  rm -rf "$rootfs"
else
  say "base: cached $base_tar"
fi
timeout 300 podman import --quiet --change 'CMD ["/bin/bash"]' "$base_tar" "$base_image" >/dev/null

# ---------------------------------------------------------------------------------------------
# The runtime stage of the Dockerfile, with the local base and the host-built binary
# ---------------------------------------------------------------------------------------------
context="$work/context"
mkdir -p "$context"
install -m 0755 "$binary" "$context/tweet-ingest"
strip "$context/tweet-ingest" 2>/dev/null || true # as the Dockerfile's build stage does
python3 - "$repo/Dockerfile" "$context/Containerfile" "$base_image" <<'PY'
import re, sys
src, dst, base = sys.argv[1:4]
text = open(src).read()
match = re.search(r"^FROM debian:bookworm-slim AS runtime$.*", text, re.M | re.S)
if not match:
    sys.exit("smoke: FAIL: no 'FROM debian:bookworm-slim AS runtime' stage in the Dockerfile")
stage = match.group(0)
stage, n_from = re.subn(r"^FROM debian:bookworm-slim AS runtime$", f"FROM {base} AS runtime", stage, count=1, flags=re.M)
stage, n_copy = re.subn(r"^COPY --from=build /out/tweet-ingest /usr/local/bin/tweet-ingest$",
                        "COPY tweet-ingest /usr/local/bin/tweet-ingest", stage, flags=re.M)
if n_from != 1 or n_copy != 1:
    sys.exit("smoke: FAIL: the runtime stage no longer has exactly one 'COPY --from=build /out/tweet-ingest "
             "/usr/local/bin/tweet-ingest' line; update scripts/container-smoke.sh with the Dockerfile")
open(dst, "w").write(stage)
PY

say "podman build (runtime stage, --isolation=chroot)"
build_start=$(date +%s)
timeout 900 podman build --isolation=chroot --format docker --pull=never \
  --label tweet-ingest.smoke=1 -t "$image" -f "$context/Containerfile" "$context" >"$work/build.log" 2>&1 \
  || { tail -n 30 "$work/build.log" >&2; fail "podman build failed (log above)"; }
say "built $image in $(($(date +%s) - build_start)) s, $(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"

# The image's own configuration, as the Dockerfile declares it.
podman image inspect "$image" >"$work/config.json"
python3 - "$work/config.json" <<'PY' || fail "the image configuration differs from what the Dockerfile declares"
import json, sys
image = json.load(open(sys.argv[1]))[0]
c = image["Config"]
health = image.get("Healthcheck") or c.get("Healthcheck") or {}
checks = {
    "user 10001:10001": c.get("User") == "10001:10001",
    "entrypoint": c.get("Entrypoint") == ["/usr/local/bin/tweet-ingest"],
    "cmd run": c.get("Cmd") == ["run"],
    "stop signal SIGTERM": c.get("StopSignal") == "SIGTERM",
    "healthcheck": "healthcheck" in " ".join(health.get("Test") or []),
    "volumes": set((c.get("Volumes") or {}).keys()) == {"/var/lib/tweet-ingest", "/tmp"},
    "STATE_DIR": "STATE_DIR=/var/lib/tweet-ingest" in (c.get("Env") or []),
}
print("smoke: image config: " + ", ".join(k + (" ok" if ok else " WRONG") for k, ok in checks.items()))
sys.exit(0 if all(checks.values()) else 1)
PY

# ---------------------------------------------------------------------------------------------
# How containers can run here: pick a runtime and resource limits the host lets us set
# ---------------------------------------------------------------------------------------------
hard_nofile=$(ulimit -Hn)
limits=(--ulimit "nofile=$hard_nofile:$hard_nofile" --ulimit nproc=4096:4096)
run_flags=()
for candidate in "default|" "default|limits" "runc|" "runc|limits"; do
  flags=()
  [ "${candidate%%|*}" = runc ] && flags+=(--runtime runc)
  [ "${candidate#*|}" = limits ] && flags+=("${limits[@]}")
  if timeout 60 podman run --rm "${flags[@]}" --network host --entrypoint /bin/true "$image" >"$work/probe.log" 2>&1; then
    run_flags=("${flags[@]}")
    say "containers run with: ${flags[*]:-podman defaults}"
    break
  fi
  say "probe '${candidate}' could not start a container: $(tail -n 1 "$work/probe.log")"
done
[ ${#run_flags[@]} -gt 0 ] || timeout 60 podman run --rm --network host --entrypoint /bin/true "$image" >/dev/null 2>&1 \
  || fail "no container runtime configuration works on this host (see the probe errors above)"

# As ECS runs it: read-only root, no capabilities, no privilege escalation, the image's user.
hardening=(--read-only --cap-drop ALL --security-opt no-new-privileges --network host --no-healthcheck)

# Every library resolves inside the image, and the CA bundle is there.
ldd_out=$(timeout 60 podman run --rm "${run_flags[@]}" "${hardening[@]}" --entrypoint /usr/bin/ldd "$image" /usr/local/bin/tweet-ingest)
if grep -q 'not found' <<<"$ldd_out"; then
  printf '%s\n' "$ldd_out" >&2
  fail "libraries missing from the image (above)"
fi
say "ldd inside the image: $(grep -c '=>' <<<"$ldd_out") libraries, none missing"
timeout 60 podman run --rm "${run_flags[@]}" "${hardening[@]}" --entrypoint /usr/bin/test "$image" \
  -s /etc/ssl/certs/ca-certificates.crt || fail "no CA bundle at /etc/ssl/certs/ca-certificates.crt"

# ---------------------------------------------------------------------------------------------
# The fake X API on the host's loopback
# ---------------------------------------------------------------------------------------------
python3 Tests/IntegrationTests/Support/fake_x_api.py \
  --fixtures Tests/TweetIngestTests/Fixtures/twitter --port 0 --token smoke-token \
  --max-seconds 600 --log "$work/fake_x_api.log" >"$work/fake_x_api.out" 2>&1 &
pids+=($!)
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/^LISTENING \([0-9][0-9]*\)$/\1/p' "$work/fake_x_api.out")
  [ -n "$port" ] && break
  kill -0 "${pids[-1]}" 2>/dev/null || break
  sleep 0.2
done
[ -n "$port" ] || { cat "$work/fake_x_api.out" >&2; fail "the fake X API did not start within 20 s"; }
say "fake X API on 127.0.0.1:$port ($(head -n 1 "$work/fake_x_api.out"))"

x_env=(-e TWITTER_API_URL="http://127.0.0.1:$port" -e TWITTER_BEARER_TOKEN=smoke-token
  -e TWITTER_QUERY=obama -e TWITTER_START_TIME=7d -e BUFFER_INTERVAL_SECONDS=0 -e STREAM_NAME=smoke)

# A host folder owned by the image's user, mounted where STATE_DIR and OUTPUT_DIR point.
new_volume() {
  local dir="$work/$1"
  mkdir -p "$dir"
  chown 10001:10001 "$dir"
  chmod 0750 "$dir"
  printf '%s' "$dir"
}

count_records() { # folder -> "objects records" under data/ (not _state, not errors)
  python3 - "$1" <<'PY'
import gzip, os, sys
root = os.path.join(sys.argv[1], "data")
objects = records = 0
for dirpath, dirnames, filenames in os.walk(root):
    rel = os.path.relpath(dirpath, root)
    if rel.split(os.sep)[0] in ("_state", "errors"):
        continue
    for name in filenames:
        if name.startswith("."):
            continue
        path = os.path.join(dirpath, name)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rb") as f:
            records += sum(1 for line in f if line.strip())
        objects += 1
print(objects, records)
PY
}

# 1. check-config: the configuration the container gets is valid.
timeout 60 podman run --rm "${run_flags[@]}" "${hardening[@]}" "${x_env[@]}" "$image" check-config >"$work/check-config.out" 2>&1 \
  || { cat "$work/check-config.out" >&2; fail "check-config failed inside the container"; }
say "check-config inside the container: exit 0"

# 2. run --once: one poll cycle, delivered to the local sink on the mounted folder.
once_dir=$(new_volume once)
name="tweet-ingest-smoke-$$-once"
containers+=("$name")
once_start=$(date +%s)
set +e
timeout 180 podman run --rm --name "$name" "${run_flags[@]}" "${hardening[@]}" "${x_env[@]}" \
  -v "$once_dir:/var/lib/tweet-ingest" "$image" run --once >"$work/once.out" 2>&1
once_status=$?
set -e
if [ "$once_status" -ne 0 ]; then
  tail -n 30 "$work/once.out" >&2
  fail "run --once exited $once_status inside the container (output above)"
fi
read -r objects records < <(count_records "$once_dir")
[ "$records" -gt 0 ] || { tail -n 30 "$work/once.out" >&2; fail "run --once wrote no records"; }
[ -f "$once_dir/data/_state/smoke.json" ] || fail "run --once wrote no checkpoint (data/_state/smoke.json)"
owners=$(find "$once_dir" -mindepth 1 -printf '%u:%g\n' | sort -u | tr '\n' ' ')
[ "$owners" = "10001:10001 " ] || fail "files not all written by 10001:10001: $owners"
say "run --once as 10001 on a read-only root: exit 0 in $(($(date +%s) - once_start)) s, $objects objects, $records records, checkpoint written"
say "  first object: $(cd "$once_dir" && find data -type f ! -path 'data/_state/*' | sort | head -n 1)"

# 3. The daemon: SIGTERM (podman stop, the image's STOPSIGNAL) delivers and exits 0; the
#    health check passes while it runs, when the binary has the subcommand.
daemon_dir=$(new_volume daemon)
name="tweet-ingest-smoke-$$-daemon"
containers+=("$name")
timeout 60 podman run -d --name "$name" "${run_flags[@]}" "${hardening[@]}" "${x_env[@]}" \
  -e TWITTER_POLL_INTERVAL_SECONDS=5 -v "$daemon_dir:/var/lib/tweet-ingest" "$image" >/dev/null
delivered=""
for _ in $(seq 1 60); do
  [ -f "$daemon_dir/data/_state/smoke.json" ] && { delivered=1; break; }
  [ "$(podman inspect --format '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || break
  sleep 1
done
if [ -z "$delivered" ]; then
  timeout 30 podman logs "$name" 2>&1 | tail -n 30 >&2
  fail "the daemon delivered nothing within 60 s"
fi
help_out=$(timeout 30 podman run --rm "${run_flags[@]}" "${hardening[@]}" "$image" --help 2>&1 || true)
if grep -qw healthcheck <<<"$help_out"; then
  healthy=""
  health_out=""
  for _ in $(seq 1 20); do
    if health_out=$(timeout 30 podman exec "$name" /usr/local/bin/tweet-ingest healthcheck 2>&1); then
      healthy=1
      break
    fi
    sleep 1
  done
  [ -n "$healthy" ] || fail "tweet-ingest healthcheck kept failing in the running container: $health_out"
  say "healthcheck in the running daemon's container: exit 0${health_out:+ ($(head -n 1 <<<"$health_out"))}"
else
  say "healthcheck: SKIPPED (this binary has no 'healthcheck' subcommand yet)"
fi
stop_start=$(date +%s)
timeout 60 podman stop --time 30 "$name" >/dev/null
daemon_status=$(podman inspect --format '{{.State.ExitCode}}' "$name")
[ "$daemon_status" = 0 ] || { timeout 30 podman logs "$name" 2>&1 | tail -n 30 >&2; fail "the daemon exited $daemon_status on SIGTERM"; }
read -r objects records < <(count_records "$daemon_dir")
say "daemon: SIGTERM -> exit 0 in $(($(date +%s) - stop_start)) s; $objects objects, $records records"
timeout 60 podman rm -f "$name" >/dev/null 2>&1 || true

# 4. S3 through moto_server on loopback (SigV4 signing exercises libcrypto inside the image),
#    when moto is installed and this binary delivers to S3.
s3_env=(-e S3_BUCKET=smoke-bucket -e AWS_REGION=us-east-1 -e AWS_ACCESS_KEY_ID=smoke
  -e AWS_SECRET_ACCESS_KEY=smoke-secret -e S3_FORCE_PATH_STYLE=true)
s3_support=""
if command -v moto_server >/dev/null 2>&1 \
  && timeout 60 podman run --rm "${run_flags[@]}" "${hardening[@]}" "${x_env[@]}" "${s3_env[@]}" \
    -e AWS_ENDPOINT_URL_S3=http://127.0.0.1:1 "$image" check-config >"$work/s3-check.out" 2>&1 \
  && grep -q '^S3_BUCKET=smoke-bucket' "$work/s3-check.out"; then
  s3_support=1
fi
if ! command -v moto_server >/dev/null 2>&1; then
  say "S3 via moto_server: SKIPPED (moto_server not installed: pip install 'moto[server]')"
elif [ -z "$s3_support" ]; then
  say "S3 via moto_server: SKIPPED (check-config of this binary shows no S3_BUCKET: it has no S3 sink yet)"
else
  moto_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$moto_port/" && break
    sleep 0.2
  done
  curl -fs -X PUT "http://127.0.0.1:$moto_port/smoke-bucket" -o /dev/null || fail "moto_server did not start or refused the bucket"
  s3_dir=$(new_volume s3)
  name="tweet-ingest-smoke-$$-s3"
  containers+=("$name")
  set +e
  timeout 180 podman run --rm --name "$name" "${run_flags[@]}" "${hardening[@]}" "${x_env[@]}" "${s3_env[@]}" \
    -e AWS_ENDPOINT_URL_S3="http://127.0.0.1:$moto_port" -v "$s3_dir:/var/lib/tweet-ingest" \
    -e OUTPUT_FORMAT=parquet -e S3_PREFIX_TIME_ZONE=Asia/Tokyo \
    "$image" run --once >"$work/s3.out" 2>&1
  s3_status=$?
  set -e
  [ "$s3_status" -eq 0 ] || { tail -n 30 "$work/s3.out" >&2; fail "run --once to S3 exited $s3_status"; }
  keys=$(curl -fs "http://127.0.0.1:$moto_port/smoke-bucket?list-type=2" | { grep -o '<Key>[^<]*</Key>' || true; } | sed 's/<[^>]*>//g')
  n_keys=$(grep -c . <<<"$keys" || true)
  grep -q '^_state/smoke.json$' <<<"$keys" || fail "no checkpoint _state/smoke.json in the bucket (keys: $keys)"
  [ "$n_keys" -gt 1 ] || fail "no object delivered to the bucket (keys: $keys)"
  # Parquet (libzstd in the image) under hour folders in Tokyo time (tzdata in the image).
  grep -q '\.parquet$' <<<"$keys" || fail "no .parquet object with OUTPUT_FORMAT=parquet (keys: $keys)"
  tokyo_hour=$(TZ=Asia/Tokyo date +%Y/%m/%d/%H)
  tokyo_before=$(TZ=Asia/Tokyo date -d '-1 hour' +%Y/%m/%d/%H)
  grep -qE "^($tokyo_hour|$tokyo_before)/" <<<"$keys" || fail "no hour folder in Asia/Tokyo time ($tokyo_hour) (keys: $keys)"
  say "S3 via moto_server: run --once exit 0, $((n_keys - 1)) Parquet objects under Tokyo hours and the checkpoint in s3://smoke-bucket"
fi

say "PASS in $(($(date +%s) - started_at)) s"
