#!/usr/bin/env python3
"""DuckDB over objects tweet-ingest delivered.

    check_queries.py --readme README.md --jsonl DIR --parquet DIR
        Runs every ```sql block of the README's "Query it" section over a view `tweets_posts`
        with the Athena view's columns, once over the gzip JSON Lines objects and once over the
        Parquet objects: both answer the same, and each query returns rows. Prints a JSON summary.
        With --timings, also each query's time over each format (the benchmark uses this).
    check_queries.py --long-posts DIR
        Prints the longest full_text (characters) in the Parquet objects under DIR.
    check_queries.py --partition-folders DIR
        Checks that every row under DIR/lang=X/ has lang X (or none, for X = unknown).
"""
import argparse
import json
import os
import re
import sys
import time

import duckdb

# The Athena view's columns (deploy/athena.tf builds the same view over a JSON Lines table).
JSONL_VIEW = """
CREATE VIEW tweets_posts AS
SELECT
  json_extract_string(json, '$.id') AS id,
  CAST(json_extract_string(json, '$.created_at') AS TIMESTAMPTZ) AS created_at,
  json_extract_string(json, '$.text') AS text,
  coalesce(json_extract_string(json, '$.note_tweet.text'), json_extract_string(json, '$.text')) AS full_text,
  json_extract_string(json, '$.lang') AS lang,
  json_extract_string(json, '$.author_id') AS author_id,
  json_extract_string(json, '$.author.username') AS author_username,
  TRY_CAST(json_extract(json, '$.author.public_metrics.followers_count') AS BIGINT) AS author_followers_count,
  TRY_CAST(json_extract(json, '$.public_metrics.like_count') AS BIGINT) AS like_count,
  TRY_CAST(json_extract(json, '$.public_metrics.retweet_count') AS BIGINT) AS retweet_count,
  CASE WHEN json_type(json, '$.entities.hashtags') = 'ARRAY'
       THEN json_extract_string(json, '$.entities.hashtags[*].tag') END AS hashtags,
  CAST(json_extract_string(json, '$.ingest.fetched_at') AS TIMESTAMPTZ) AS ingest_fetched_at
FROM read_ndjson_objects({files})
"""
# hive_partitioning off: the lang column comes from the file, not from a lang=... folder.
PARQUET_VIEW = "CREATE VIEW tweets_posts AS SELECT * FROM read_parquet({files}, hive_partitioning = false)"


def files(root, suffix):
    found = []
    for folder, _, names in os.walk(root):
        if os.path.relpath(folder, root).split(os.sep)[0] in ("errors", "_state"):
            continue
        found += [os.path.join(folder, n) for n in names if n.endswith(suffix)]
    return sorted(found)


def readme_queries(path):
    text = open(path, encoding="utf-8").read()
    section = re.search(r"^## Query it.*?(?=^## )", text, re.S | re.M)
    if not section:
        raise SystemExit("the README has no '## Query it' section")
    return re.findall(r"```sql\n(.*?)```", section.group(0), re.S)


def connect(view, paths):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(view.format(files="[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"))
    return con


def normalise(rows):
    return [tuple(str(v) for v in row) for row in rows]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--readme")
    parser.add_argument("--jsonl")
    parser.add_argument("--parquet")
    parser.add_argument("--timings", action="store_true")
    parser.add_argument("--long-posts")
    parser.add_argument("--partition-folders")
    args = parser.parse_args()

    if args.long_posts:
        con = connect(PARQUET_VIEW, files(args.long_posts, ".parquet"))
        print(con.execute("SELECT max(length(full_text)) FROM tweets_posts").fetchone()[0] or 0)
        return 0

    if args.partition_folders:
        wrong = 0
        folders = [d for d in os.listdir(args.partition_folders) if d.startswith("lang=")]
        for folder in folders:
            value = folder[len("lang="):]
            con = connect(PARQUET_VIEW, files(os.path.join(args.partition_folders, folder), ".parquet"))
            expected = "coalesce(lang, 'unknown')" if value == "unknown" else "lang"
            wrong += con.execute(f"SELECT count(*) FROM tweets_posts WHERE {expected} IS DISTINCT FROM ?", [value]).fetchone()[0]
        if wrong or not folders:
            print(f"{wrong} rows in the wrong lang= folder ({len(folders)} folders)", file=sys.stderr)
            return 1
        print(json.dumps({"folders": len(folders)}))
        return 0

    queries = readme_queries(args.readme)
    jsonl = connect(JSONL_VIEW, files(args.jsonl, ".gz"))
    parquet = connect(PARQUET_VIEW, files(args.parquet, ".parquet"))
    problems, counts, timings = [], [], []
    for query in queries:
        answers = {}
        for label, con in (("jsonl", jsonl), ("parquet", parquet)):
            started = time.perf_counter()
            answers[label] = normalise(con.execute(query).fetchall())
            timings.append({"format": label, "seconds": round(time.perf_counter() - started, 4), "query": query.split("\n")[0]})
        if answers["jsonl"] != answers["parquet"]:
            problems.append(f"{query.splitlines()[0]}: JSON Lines {answers['jsonl'][:5]} but Parquet {answers['parquet'][:5]}")
        counts.append(len(answers["parquet"]))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    summary = {"queries": len(queries), "rows": counts}
    if args.timings:
        summary["timings"] = timings
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
