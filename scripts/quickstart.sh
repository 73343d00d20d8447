#!/usr/bin/env bash
# The whole pipeline offline: install what is missing, build, replay the bundled recorded API
# pages into ./data (Firehose's key layout), and show what was written.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release
export OUTPUT_DIR="${OUTPUT_DIR:-./data}" LOG_FORMAT="${LOG_FORMAT:-text}"
.build/release/tweet-ingest replay Tests/TweetIngestTests/Fixtures/twitter/twarc_search_recent_*.json
echo
echo "Objects written under $OUTPUT_DIR:"
find "$OUTPUT_DIR" -type f ! -path '*/_state/*' | sort
first=$(find "$OUTPUT_DIR" -type f ! -path '*/_state/*' ! -path '*/errors/*' | sort | head -n 1)
echo
echo "First record of $first:"
head -n 1 "$first" | python3 -m json.tool | head -n 40
