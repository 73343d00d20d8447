#!/usr/bin/env python3
"""Reads tweet-ingest's Parquet objects with two independent readers (pyarrow and DuckDB) and
compares every row, value and null with what the README's schema says the same records give as
JSON Lines (the records delivered to another folder from the same input).

    check_parquet.py --jsonl DIR --parquet DIR [--codec ZSTD]

Exit 0 and one JSON summary line when everything matches; 1 and the first differences otherwise.
"""
import argparse
import base64
import datetime
import gzip
import json
import os
import re
import sys

import duckdb
import pyarrow.parquet as pq

POST_METRICS = ["retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count", "impression_count"]
AUTHOR_METRICS = ["followers_count", "following_count", "tweet_count", "listed_count", "like_count", "media_count"]
COLUMNS = (
    ["id", "created_at", "text", "full_text", "lang", "author_id", "conversation_id", "in_reply_to_user_id", "possibly_sensitive"]
    + POST_METRICS
    + ["author_username", "author_name", "author_location", "author_verified", "author_verified_type"]
    + ["author_" + m for m in AUTHOR_METRICS]
    + ["hashtags", "mentions", "urls", "referenced_tweets", "media_types", "place_full_name", "ingest_query", "ingest_fetched_at",
       "ingest_source", "record"]
)
TIMESTAMPS = {"created_at", "ingest_fetched_at"}
TRUNCATE = 64  # bytes: the writer's statisticsTruncateLength
RFC3339 = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))$")


def data_files(root, suffixes):
    for folder, _, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        if rel.split(os.sep)[0] in ("errors", "_state"):
            continue
        for name in sorted(files):
            if name.endswith(suffixes) and not name.startswith("."):
                yield os.path.join(folder, name)


def millis(text):
    if not isinstance(text, str):
        return None
    m = RFC3339.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    try:
        base = datetime.datetime(y, mo, d, h, mi, min(s, 59), tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    ms = int(((m.group(7) or "") + "000")[:3])
    offset = 0
    if m.group(9):
        offset = (int(m.group(10)) * 3600 + int(m.group(11)) * 60) * (1 if m.group(9) == "+" else -1)
    return int(base.timestamp()) * 1000 + (1000 if s == 60 else 0) + ms - offset * 1000


def expected_row(line):
    rec = json.loads(line)
    obj = lambda v: v if isinstance(v, dict) else {}
    s = lambda v: v if isinstance(v, str) else None
    i = lambda v: v if isinstance(v, int) and not isinstance(v, bool) and -2**63 <= v < 2**63 else None
    b = lambda v: v if isinstance(v, bool) else None

    def strings(v, key):
        if not isinstance(v, list):
            return None
        return [s(e.get(key)) if isinstance(e, dict) else None for e in v]

    pm, author, ents, note = obj(rec.get("public_metrics")), obj(rec.get("author")), obj(rec.get("entities")), obj(rec.get("note_tweet"))
    apm = obj(author.get("public_metrics"))
    refs = rec.get("referenced_tweets")
    media = obj(rec.get("attachments")).get("media")
    row = {
        "id": s(rec.get("id")), "created_at": millis(rec.get("created_at")), "text": s(rec.get("text")),
        "full_text": s(note.get("text")) if s(note.get("text")) is not None else s(rec.get("text")), "lang": s(rec.get("lang")),
        "author_id": s(rec.get("author_id")), "conversation_id": s(rec.get("conversation_id")),
        "in_reply_to_user_id": s(rec.get("in_reply_to_user_id")), "possibly_sensitive": b(rec.get("possibly_sensitive")),
        "author_username": s(author.get("username")), "author_name": s(author.get("name")), "author_location": s(author.get("location")),
        "author_verified": b(author.get("verified")), "author_verified_type": s(author.get("verified_type")),
        "hashtags": strings(ents.get("hashtags"), "tag"), "mentions": strings(ents.get("mentions"), "username"),
        "urls": strings(ents.get("urls"), "expanded_url"),
        "referenced_tweets": None if not isinstance(refs, list) else [
            {"type": s(e.get("type")), "id": s(e.get("id"))} if isinstance(e, dict) else None for e in refs],
        "media_types": strings(media, "type"), "place_full_name": s(obj(rec.get("geo")).get("full_name")),
        "ingest_query": s(obj(rec.get("ingest")).get("query")), "ingest_fetched_at": millis(obj(rec.get("ingest")).get("fetched_at")),
        "ingest_source": s(obj(rec.get("ingest")).get("source")), "record": line,
    }
    for m in POST_METRICS:
        row[m] = i(pm.get(m))
    for m in AUTHOR_METRICS:
        row["author_" + m] = i(apm.get(m))
    return row


def read_jsonl(root):
    """id -> the record's line."""
    lines = {}
    for path in data_files(root, (".gz", "")):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f.read().split("\n"):
                if line:
                    lines[json.loads(line)["id"]] = line
    return lines


FETCHED_AT = re.compile(r'("ingest":\{.*"fetched_at":")[^"]*(")')


def same_record(a, b):
    """Byte for byte, but for ingest.fetched_at: a page without twarc's metadata gets the time of
    the replay that read it, and the two folders come from two replays."""
    return FETCHED_AT.sub(r"\1\2", a) == FETCHED_AT.sub(r"\1\2", b)


def from_pyarrow(table):
    out = table.to_pylist()
    for row in out:
        for name in TIMESTAMPS:
            if row[name] is not None:
                row[name] = int(row[name].timestamp() * 1000) if hasattr(row[name], "timestamp") else row[name]
    return out


def diff(label, got, want, problems):
    for column in COLUMNS:
        if got.get(column) != want.get(column):
            problems.append(f"{label} id={want['id']} column {column}: read {got.get(column)!r}, the JSON record gives {want.get(column)!r}")


def check_statistics(path, problems, codec):
    meta = pq.ParquetFile(path).metadata
    table = pq.read_table(path)
    names = [meta.schema.column(i).path for i in range(meta.num_columns)]
    dictionary_seen = False
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        start = sum(meta.row_group(k).num_rows for k in range(g))
        part = table.slice(start, group.num_rows)
        for c in range(group.num_columns):
            column = group.column(c)
            if codec and column.compression != codec:
                problems.append(f"{path}: column {names[c]} is {column.compression}, expected {codec}")
            if column.dictionary_page_offset is not None:
                dictionary_seen = True
            name = names[c]
            if "." in name:  # list leaves: null counts count leaf slots, checked by the readers above
                continue
            stats = column.statistics
            if stats is None:
                problems.append(f"{path}: column {name} has no statistics")
                continue
            values = part.column(name).to_pylist()
            present = [v for v in values if v is not None]
            if stats.null_count != len(values) - len(present):
                problems.append(f"{path}: {name} null_count {stats.null_count}, the column has {len(values) - len(present)} nulls")
            if present and stats.has_min_max:
                if isinstance(present[0], str):
                    key = lambda v: v.encode()
                    lo, hi = min(present, key=key), max(present, key=key)
                    # Long strings get truncated bounds (a prefix for min, a prefix with its last
                    # character raised for max): still bounds, exact when short.
                    bounds = key(stats.min) <= key(lo) and key(stats.max) >= key(hi)
                    exact_min = len(key(lo)) > TRUNCATE or stats.min == lo
                    exact_max = len(key(hi)) > TRUNCATE or stats.max == hi
                    ok = bounds and exact_min and exact_max
                else:
                    lo, hi = min(present), max(present)
                    ok = stats.min == lo and stats.max == hi
                if not ok:
                    problems.append(f"{path}: {name} statistics min/max {stats.min!r}/{stats.max!r}, the data has {lo!r}/{hi!r}")
    if not dictionary_seen and meta.num_rows >= 20:
        problems.append(f"{path}: no column chunk has a dictionary page (lang, ingest_source are low-cardinality)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jsonl", required=True)
    parser.add_argument("--parquet", required=True)
    parser.add_argument("--codec", default=None, help="ZSTD, SNAPPY, GZIP or UNCOMPRESSED")
    args = parser.parse_args()

    want = read_jsonl(args.jsonl)
    files = list(data_files(args.parquet, (".parquet",)))
    problems = []
    if not files:
        problems.append(f"no .parquet objects under {args.parquet}")
    arrow_rows = []
    for path in files:
        arrow_rows += from_pyarrow(pq.read_table(path))
        check_statistics(path, problems, args.codec)
        schema = [f.name for f in pq.read_schema(path)]
        if schema != COLUMNS:
            problems.append(f"{path}: columns {schema}, expected {COLUMNS}")
    con = duckdb.connect()
    select = ", ".join(f"epoch_ms({c}) AS {c}" if c in TIMESTAMPS else c for c in COLUMNS)
    duck_rows = []
    if files:
        # hive_partitioning off: a lang=en folder must not stand in for the lang column read from the file.
        cursor = con.execute(f"SELECT {select} FROM read_parquet(?, hive_partitioning = false)", [files])
        names = [d[0] for d in cursor.description]
        duck_rows = [dict(zip(names, r)) for r in cursor.fetchall()]
        metadata = con.execute("SELECT count(*), count(stats_min_value) FROM parquet_metadata(?)", [files]).fetchone()
        if metadata[0] == 0 or metadata[1] == 0:
            problems.append(f"DuckDB parquet_metadata: {metadata[0]} column chunks, {metadata[1]} with statistics")
    for label, rows in (("pyarrow", arrow_rows), ("duckdb", duck_rows)):
        ids = [r["id"] for r in rows]
        if sorted(ids) != sorted(want):
            problems.append(f"{label}: {len(ids)} rows ({len(set(ids))} distinct ids), the JSON Lines objects hold {len(want)} records")
        for row in rows:
            if row["id"] not in want:
                continue
            if not same_record(row["record"] or "", want[row["id"]]):
                problems.append(f"{label} id={row['id']}: column record differs from the JSON Lines record")
                continue
            # Every other column is what the README's mapping gives for this record.
            diff(label, row, expected_row(row["record"]), problems)
    if problems:
        for p in problems[:20]:
            print(p, file=sys.stderr)
        print(f"{len(problems)} differences", file=sys.stderr)
        return 1
    print(json.dumps({"rows": len(want), "files": len(files), "readers": ["pyarrow", "duckdb"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
