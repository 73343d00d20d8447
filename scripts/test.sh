#!/usr/bin/env bash
# Runs every test: the fake X API's own checks, then the Swift unit and integration tests
# (the real binary against the fake X API and moto_server, all on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
python3 -m pytest -q -p no:cacheprovider Tests/IntegrationTests/Support
swift build --build-tests
swift test --skip-build
