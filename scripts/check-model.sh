#!/usr/bin/env bash
# Model-checks the exactly-once commit protocol (model/commit.pml) with spin, exhaustively:
#
#   protocol       the protocol as designed: spin must find no error, and must reach the
#                  end-state check (else it would pass without checking anything);
#   TODAY, ...     each known-bad variant (see the model's header): spin must find the
#                  counterexample that breaks the named property. A checker that finds
#                  nothing there is not checking, and fails this script as surely as a bug does.
#
# One line per variant: states explored, errors, seconds, verdict. --trails also prints each
# bad variant's shortest counterexample (pan -i, replayed with spin -t); an error in the
# protocol always prints its trail (the shortest one, which may break another property than
# the first one found). Needs spin and gcc (Debian packages; scripts/setup.sh installs both).
# Works in a temporary folder, removed at exit. Exit status 0 when every verdict is the
# expected one.
set -euo pipefail
cd "$(dirname "$0")/.."
model=$PWD/model/commit.pml

trails=0
case "${1:-}" in
  --trails) trails=1 ;;
  "") ;;
  *)
    echo "usage: scripts/check-model.sh [--trails]" >&2
    exit 2
    ;;
esac

# spin preprocesses the model with gcc -E; gcc also compiles the verifier.
for tool in spin gcc; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "check-model: FAIL: $tool is missing: run scripts/setup.sh (Debian: apt-get install spin gcc)" >&2
    exit 1
  fi
done

work=$(mktemp -d /tmp/tweet-ingest-model.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$model" "$work/commit.pml"
cd "$work"

# name:property — the property spin must find broken (empty: none may be).
variants=(
  protocol:
  TODAY:duplicate
  NO_ROLLBACK:duplicate
  COMMIT_FIRST:lost
  NO_ABORT:leaked
  LATE_WRITE:duplicate
)
end_line=$(grep -n 'end-state check' commit.pml | cut -d: -f1)

# Builds and runs the verifier for one variant; `shortest` asks for the shortest trail.
verify() {
  local name=$1 mode=$2
  local defines=()
  [ "$name" = protocol ] || defines=("-D$name")
  rm -f pan pan.? pan.?? commit.pml.trail
  if ! spin "${defines[@]}" -a commit.pml >spin.out 2>&1; then
    echo "check-model: FAIL: spin cannot translate the model ($name):" >&2
    cat spin.out >&2
    return 1
  fi
  if [ "$mode" = shortest ]; then
    gcc -O2 -w -DCOLLAPSE -DREACH -o pan pan.c
    ./pan -i -m100000 -w23 >pan.out 2>&1 || true
  else
    gcc -O2 -w -DCOLLAPSE -DSAFETY -o pan pan.c
    ./pan -m100000 -w23 >pan.out 2>&1 || true
  fi
}

print_trail() {
  local name=$1
  local defines=()
  [ "$name" = protocol ] || defines=("-D$name")
  verify "$name" shortest
  spin -T -B "${defines[@]}" -t commit.pml 2>&1 | grep -v '^spin: trail ends' | sed 's/^/    | /'
}

failed=0
for entry in "${variants[@]}"; do
  name=${entry%%:*}
  expect=${entry#*:}
  verify "$name" first
  states=$(awk '/states, stored/ { print $1; exit }' pan.out)
  errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.out | head -n 1)
  broken=$(sed -n 's/.*assertion violated *!(\([a-z_]*\)).*/\1/p' pan.out | head -n 1)
  seconds=$(sed -n 's/^pan: elapsed time \([0-9.]*\).*/\1/p' pan.out | head -n 1)
  if [ -z "$states" ] || [ -z "$errors" ]; then
    verdict="FAIL: pan gave no result"
    cat pan.out >&2
  elif grep -q 'max search depth too small' pan.out; then
    verdict="FAIL: the search was cut off (max search depth too small)"
  elif [ -z "$expect" ] && [ "$errors" -ne 0 ]; then
    verdict="FAIL: the protocol breaks ${broken:-an end state}"
  elif [ -z "$expect" ] && grep -q "commit.pml:$end_line," pan.out; then
    verdict="FAIL: the end-state check is never reached: nothing was checked"
  elif [ -z "$expect" ]; then
    verdict="ok: no counterexample"
  elif [ "$errors" -eq 0 ]; then
    verdict="FAIL: spin found no counterexample; expected $expect broken"
  elif [ "$broken" != "$expect" ]; then
    verdict="FAIL: expected $expect broken, spin found ${broken:-another error}"
  else
    verdict="ok: counterexample found: $expect"
  fi
  printf 'check-model: %-13s %9s states  %s error(s)  %5ss  %s\n' "$name" "${states:-?}" "${errors:-?}" "${seconds:-?}" "$verdict"
  case $verdict in
    FAIL*)
      failed=1
      [ -n "$expect" ] || [ "${errors:-0}" -eq 0 ] || print_trail "$name"
      ;;
    *) [ "$trails" -eq 0 ] || [ -z "$expect" ] || print_trail "$name" ;;
  esac
done

if [ "$failed" -ne 0 ]; then
  echo "check-model: FAIL: a verdict is not the expected one (see above)" >&2
  exit 1
fi
echo "check-model: ok"
