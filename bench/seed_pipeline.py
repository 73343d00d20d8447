#!/usr/bin/env python3
"""The seed's Python pipeline, per tweet, as a benchmark peer (stdlib only).

    python3 bench/seed_pipeline.py INPUT.jsonl OUTPUT.jsonl[.gz] [--gzip] [--level 6]

What the seed article does with each recent-search page: json.loads the page, index
includes.users by id, and for every tweet build the record {tweet fields..., "author": the user
whose id is author_id (or None), "ingest": {query, fetched_at, source}} and json.dumps it as one
line. INPUT holds one page per line (twarc JSONL). Records are serialized compactly with
ensure_ascii=False, so the output is the same shape as tweet-ingest's records (not a strawman:
lines are joined per page and written in one call, and gzip uses level 6 like tweet-ingest).
Prints "<pages> pages <records> records" on stderr.
"""
import argparse
import gzip
import json
import sys
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit


def ingest_for(page, default_query):
    meta = page.get("__twarc") or {}
    query = default_query
    url = meta.get("url")
    if url:
        query = parse_qs(urlsplit(url).query).get("query", [query])[0]
    fetched_at = meta.get("retrieved_at") or datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    return {"query": query, "fetched_at": fetched_at, "source": "replay"}


def run(infile, out, default_query=None):
    pages = records = 0
    dumps = json.dumps
    for line in infile:
        if not line.strip():
            continue
        page = json.loads(line)
        pages += 1
        users = {u["id"]: u for u in page.get("includes", {}).get("users", [])}
        ingest = ingest_for(page, default_query)
        lines = []
        for tweet in page.get("data", []):
            record = dict(tweet)
            record["author"] = users.get(tweet.get("author_id"))
            record["ingest"] = ingest
            lines.append(dumps(record, ensure_ascii=False, separators=(",", ":")))
        if lines:
            lines.append("")
            out.write("\n".join(lines).encode("utf-8"))
            records += len(lines) - 1
    return pages, records


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--gzip", action="store_true", help="write gzip (the gzip module)")
    ap.add_argument("--level", type=int, default=6, help="gzip compression level (default 6)")
    ap.add_argument("--query", default=None, help="query for pages without __twarc metadata")
    args = ap.parse_args(argv)
    with open(args.input, "rb") as infile:
        if args.gzip:
            with gzip.open(args.output, "wb", compresslevel=args.level) as out:
                pages, records = run(infile, out, args.query)
        else:
            with open(args.output, "wb") as out:
                pages, records = run(infile, out, args.query)
    print(f"{pages} pages {records} records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
