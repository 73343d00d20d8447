#!/usr/bin/env python3
"""Builds the benchmark input: the real recorded recent-search pages, replicated as twarc JSONL.

    python3 bench/make_input.py OUT.jsonl [--size-mb 200] [--fixtures DIR]

Reads Tests/TweetIngestTests/Fixtures/twitter/twarc_search_recent_*.json (4 real pages of 100
tweets each, as `twarc2 search` stored them, `__twarc` metadata included) and writes them again
and again, one compact page per line, until the file holds at least --size-mb MB (10^6 bytes).

Each copy gets fresh ids so that every tweet in the file is unique: every quoted string in a
page that is the id of one of its tweets (`data[].id`, `includes.tweets[].id`) or users
(`includes.users[].id`) is replaced wherever it occurs in that page (so `author_id`,
`in_reply_to_user_id`, `conversation_id`, `referenced_tweets[].id`, `edit_history_tweet_ids`,
mentions and `meta.newest_id`/`oldest_id` stay consistent). New ids are 19-digit decimal strings:
tweets count down from 1 700 000 000 000 000 000 (newest first, as search returns them, and in
the same order within a page as the originals), users count up from 1 100 000 000 000 000 000.
Everything else (text, numbers, key order, `__twarc`) is byte-for-byte what the page holds after
compact re-serialisation.
"""
import argparse
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURES = os.path.join(HERE, "..", "Tests", "TweetIngestTests", "Fixtures", "twitter")
TWEET_BASE = 1_700_000_000_000_000_000
USER_BASE = 1_100_000_000_000_000_000
QUOTED_DIGITS = re.compile(r'"([0-9]{1,20})"')


class Template:
    """A compact page cut into literal segments and id slots, so each copy is one join."""

    def __init__(self, page):
        self.tweets = len(page.get("data", []))
        tweet_ids = {t["id"] for t in page.get("data", []) if isinstance(t, dict) and "id" in t}
        tweet_ids |= {t["id"] for t in page.get("includes", {}).get("tweets", []) if "id" in t}
        user_ids = {u["id"] for u in page.get("includes", {}).get("users", []) if "id" in u}
        user_ids -= tweet_ids
        # Slot numbers: tweets newest first (so new ids keep the original order), then users.
        self.tweet_order = sorted(tweet_ids, key=int, reverse=True)
        self.user_order = sorted(user_ids, key=int)
        slot_of = {tid: i for i, tid in enumerate(self.tweet_order)}
        slot_of.update({uid: len(self.tweet_order) + i for i, uid in enumerate(self.user_order)})
        text = json.dumps(page, ensure_ascii=False, separators=(",", ":"))
        self.segments, self.slots = [], []
        last = 0
        for match in QUOTED_DIGITS.finditer(text):
            slot = slot_of.get(match.group(1))
            if slot is None:
                continue
            self.segments.append(text[last:match.start(1)])
            self.slots.append(slot)
            last = match.end(1)
        self.segments.append(text[last:])

    def render(self, first_tweet_seq, first_user_seq):
        n_tweets = len(self.tweet_order)
        ids = [str(TWEET_BASE - (first_tweet_seq + i)) for i in range(n_tweets)]
        ids += [str(USER_BASE + first_user_seq + i) for i in range(len(self.user_order))]
        parts = []
        for segment, slot in zip(self.segments, self.slots):
            parts.append(segment)
            parts.append(ids[slot])
        parts.append(self.segments[-1])
        return "".join(parts)


def load_templates(fixtures):
    files = sorted(glob.glob(os.path.join(fixtures, "twarc_search_recent_*.json")))
    if not files:
        raise SystemExit(f"make_input: no twarc_search_recent_*.json in {fixtures}")
    templates = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            templates.append(Template(json.load(f)))
    return templates


def pages(fixtures=DEFAULT_FIXTURES):
    """Endless compact pages with fresh ids: yields (line without newline, tweets in data)."""
    templates = load_templates(fixtures)
    tweet_seq = user_seq = 0
    while True:
        for template in templates:
            line = template.render(tweet_seq, user_seq)
            tweet_seq += len(template.tweet_order)
            user_seq += len(template.user_order)
            if TWEET_BASE - tweet_seq < 10**18:
                raise SystemExit("make_input: too many tweets for 19-digit ids")
            yield line, template.tweets


def make_input(out_path, size_mb, fixtures=DEFAULT_FIXTURES):
    """Writes the file; returns {"bytes", "pages", "tweets"}."""
    target = int(size_mb * 1_000_000)
    written = count = tweets = 0
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as out:
        for line, n in pages(fixtures):
            out.write(line)
            out.write("\n")
            written += len(line.encode("utf-8")) + 1
            count += 1
            tweets += n
            if written >= target:
                break
    os.replace(tmp, out_path)
    return {"bytes": os.path.getsize(out_path), "pages": count, "tweets": tweets}


def make_fixtures_dir(directory, page_count, fixtures=DEFAULT_FIXTURES):
    """A --fixtures folder for fake_x_api.py with page_count generated pages (a bigger tweet pool)
    and the recorded errors/ bodies; returns the number of tweets."""
    os.makedirs(directory, exist_ok=True)
    for old in glob.glob(os.path.join(directory, "twarc_search_recent_*.json")):
        os.unlink(old)
    errors = os.path.join(directory, "errors")
    if not os.path.exists(errors):
        os.symlink(os.path.abspath(os.path.join(fixtures, "errors")), errors)
    tweets = 0
    for i, (line, n) in enumerate(pages(fixtures)):
        if i == page_count:
            break
        with open(os.path.join(directory, f"twarc_search_recent_generated_{i:04d}.json"), "w", encoding="utf-8") as f:
            f.write(line)
        tweets += n
    return tweets


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--size-mb", type=float, default=200.0)
    ap.add_argument("--fixtures", default=DEFAULT_FIXTURES)
    args = ap.parse_args(argv)
    info = make_input(args.out, args.size_mb, args.fixtures)
    print(f"{args.out}: {info['bytes']} bytes, {info['pages']} pages, {info['tweets']} tweets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
