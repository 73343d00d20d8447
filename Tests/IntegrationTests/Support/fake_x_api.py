#!/usr/bin/env python3
"""Fake X (Twitter) API v2 server for the tweet-ingest integration tests.

Serves GET /2/tweets/search/recent from recorded real API pages, plus
/2/tweets/counts/recent and /2/usage/tweets (stdlib only).

Usage:
    python3 fake_x_api.py --fixtures DIR [--port 0] [--log FILE]
        [--token TOKEN] [--releases 50,120,200] [--faults SPEC]
        [--reset-seconds 2] [--slow-seconds 5] [--max-seconds 600]
        [--page-delay 0] [--exit-on-stdin-eof] [--multiply N] [--id-shift K]
        [--time-filters] [--long-posts K] [--seed 1] [--cap-after N]
        [--live-span S [--live-offset O] [--index-latency L]]
        [--counts-per-day n1,...,n8] [--usage-cap C] [--usage-used U]
        [--usage-reset-day D] [--usage-status 200|403|404] [--usage-shape a|b]

Binds 127.0.0.1 only. When ready it prints exactly "LISTENING <port>" on
stdout. It exits after --max-seconds, on SIGTERM/SIGINT, and on stdin EOF when
--exit-on-stdin-eof is given.

Tweet pool: the `data` tweets of every DIR/twarc_search_recent_*.json page,
deduplicated by id (the first file that has an id wins) and ordered by int(id).
Each tweet keeps the includes and errors of its own recorded page. Tweet objects
are served as recorded, except for long posts and live mode (below).

Expansions, as the real API serves them, from the tweet's own page, for the
request's `expansions` list: author_id, in_reply_to_user_id and
entities.mentions.username -> includes.users; referenced_tweets.id ->
includes.tweets; referenced_tweets.id.author_id -> the referenced posts' authors
in includes.users; attachments.media_keys -> includes.media;
attachments.poll_ids -> includes.polls; geo.place_id -> includes.places. Users
are deduplicated by id. An object the recorded page lacks (a deleted post, a
suspended user) is left out, and the page's recorded `errors[]` entry for it,
if any, goes into the answer's `errors`.

Long posts (--long-posts K): K pool posts (chosen with --seed) get a full text of
400-1200 characters (their own text, some non-ASCII and an emoji, then other
recorded texts); `text` is its first 280 characters (Python characters), and
`note_tweet: {"text": full}` is added only when tweet.fields contains note_tweet.

Releases: --releases 50,120,200 are cumulative counts. Release k shows the
oldest releases[k] tweets. The default is the whole pool in one release. Every
search that has no pagination token and gets a complete 200 answer starts a
"cycle". Cycle i uses release min(i, last). A next_token carries the release
it was issued under, so all pages of a cycle come from the same release.

Faults: --faults "3:429,5:drop,7:truncate". N is the 1-based number of the
request to the search path, counting all of them (invalid and faulted ones
too). Kinds:
  429 429cap 429capdaily 500 503 401 403 stale400 drop: replace the answer.
      They are applied before auth and validation. 429cap is the Monthly usage
      cap (x-rate-limit-remaining 39999), 429capdaily the Daily one
      (errors/http429_usage_capped_daily_remaining0.EXAMPLE.json, remaining 0
      and a reset --reset-seconds ahead, which a header-only client mistakes
      for a window wait).
  truncate: a 200 with the full Content-Length, then half the body, then close.
  slow: sleep --slow-seconds, then answer normally.
  partial-errors: a normal page with 2 recorded `errors` items added.
slow/truncate/partial-errors only apply to a request that would get a 200;
otherwise the real error is sent and the fault is still logged. Answers that
do not deliver a complete 200 body (error statuses, drop, truncate) serve
nothing and start no cycle. slow and partial-errors deliver complete pages, so
they count as served and can start a cycle.

Usage cap (--cap-after N): once N posts (entries of data[]) have been served
in complete answers, every further search request (after auth) gets the
429capdaily answer; its log line has "fault": "cap-after".

Live mode (--live-span S): the pool's ids become snowflake ids
((ms - 1288834974657) << 22 | unique low bits) whose times are spread evenly
over [start + --live-offset, start + --live-offset + S] (start = when the fake
started), oldest pool post first; created_at (and conversation_id where it was
the post's own id) are rewritten to match. With --index-latency L each post
becomes searchable only at created + lat_i, lat_i uniform in [0, L] from
--seed, so a newer post can be searchable before an older one. Releases do not
apply; every page (next_token pages too) shows what is searchable at that
moment, below the token's id. start_time/end_time always filter on created_at
(end_time exclusive, second granularity); without end_time the API's default
now - 30 s applies; an end_time later than now - 10 s, a start_time not before
end_time or older than 7 days get the API's 400.

Counts: GET /2/tweets/counts/recent (query required; granularity minute|hour|
day, default hour; start_time/end_time/since_id/until_id validated as in live
search, whatever the mode) -> {"data": [{"end", "start", "tweet_count"}],
"meta": {"total_tweet_count"}}, buckets over [start_time, end_time), default
the last 7 days up to now - 30 s (8 day buckets, the first and last partial).
Day counts come from --counts-per-day (oldest first, the last one today),
otherwise from the pool: in live mode its searchable posts, else the recorded
times moved so the newest post is a minute old.

Usage: GET /2/usage/tweets (days 1..90, usage.fields) -> --usage-shape a (the
API reference: project_cap and project_usage as strings, cap_reset_day a
number, daily_project_usage {project_id, usage: [{date, usage}]} and
daily_client_app_usage only when asked in usage.fields) or b (the usage
introduction page: daily_project_usage [{date: YYYY-MM-DD, usage: [{app_id,
tweets_consumed}]}] always, numbers as numbers). project_usage is --usage-used,
default the posts served so far. --usage-status 403|404 answers as for a
project without access.

Every /2/ path checks the bearer token and is logged; unknown ones get 404.

Log (--log, JSON lines, appended, flushed on each line): one line per
request to a /2/ path
  {"n", "method", "path", "query": {name: value}, "status": int|null,
   "fault": kind|null, "release": k, "served_ids": [str], "truncated": bool}
n counts the requests to that path (for search, the number faults use);
counts, usage and other paths have "served_ids": [] and "release": null.
status is null when nothing was sent: drop, or the client had already closed
the connection before a delayed answer was written. The Authorization header
is never logged.

GET /_fake/stats -> {"requests": <search requests>, "served": <distinct ids>,
"posts_served": <data[] entries served, repeats included>, "counts_requests",
"usage_requests", and in live mode "searchable": <posts searchable now>}.
GET /_fake/posts -> {"posts": [{"id", "created_at", "searchable_at", "long",
"full_text"}]} for the whole pool, oldest first (searchable_at: epoch seconds in
live mode, else null; full_text only for long posts), so tests can say what
should have been read. --posts-file FILE writes the same once at start-up,
before LISTENING.
"""
import argparse
import base64
import bisect
import glob
import hmac
import json
import math
import os
import random
import re
import select
import signal
import socket
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SEARCH_PATH = "/2/tweets/search/recent"
STATS_PATH = "/_fake/stats"
POSTS_PATH = "/_fake/posts"
COUNTS_PATH = "/2/tweets/counts/recent"
USAGE_PATH = "/2/usage/tweets"
COUNTS_PARAMS = ("query", "start_time", "end_time", "since_id", "until_id", "granularity", "search_count.fields")
GRANULARITY = {"minute": 60, "hour": 3600, "day": 86400}
USAGE_PARAMS = ("days", "usage.fields")
USAGE_FIELDS = ("cap_reset_day", "daily_client_app_usage", "daily_project_usage", "project_cap", "project_id",
                "project_usage")
PROJECT_ID, CLIENT_APP_ID = "1590000000000000000", "29000000"
JSON_CT = "application/json; charset=utf-8"
PROBLEM_CT = "application/problem+json"
KNOWN_PARAMS = (
    "query", "start_time", "end_time", "since_id", "until_id", "max_results",
    "next_token", "pagination_token", "sort_order", "tweet.fields",
    "expansions", "media.fields", "poll.fields", "user.fields", "place.fields",
)
FAULT_KINDS = {"429", "429cap", "429capdaily", "503", "500", "drop", "truncate",
               "partial-errors", "slow", "stale400", "401", "403"}
TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here
DAY = 86400
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def api_body(path):
    """Error fixtures wrap the API body as {"_source", "status", "headers", "body"}."""
    doc = load_json(path)
    return doc["body"] if isinstance(doc, dict) and "body" in doc else doc


def invalid_request(param, value, message):
    """A 400 body in the same style as the recorded invalid-request bodies."""
    return {"errors": [{"parameters": {param: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request"}


def iso(epoch_seconds):
    """The API's timestamp form, e.g. 2021-09-22T16:59:03.000Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_seconds)) + ".000Z"


def parse_rfc3339(value):
    if not RFC3339.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None


class Page:
    """The includes and errors of one recorded page, by key, for serving expansions."""

    def __init__(self, page):
        inc = page.get("includes", {})
        self.users = {u["id"]: u for u in inc.get("users", [])}
        self.users_by_name = {u["username"].lower(): u for u in inc.get("users", []) if "username" in u}
        self.tweets = {t["id"]: t for t in inc.get("tweets", [])}
        self.media = {m["media_key"]: m for m in inc.get("media", [])}
        self.polls = {p["id"]: p for p in inc.get("polls", [])}
        self.places = {p["id"]: p for p in inc.get("places", [])}
        self.errors = page.get("errors", [])

    def error_for(self, resource_type, resource_id):
        """The recorded partial error for a missing object, or None."""
        for e in self.errors:
            if e.get("resource_type") == resource_type and str(e.get("resource_id", "")).lower() == str(
                    resource_id).lower():
                return e
        return None


class Post:
    __slots__ = ("tweet", "page", "full")

    def __init__(self, tweet, page, full=None):
        self.tweet, self.page, self.full = tweet, page, full


class Fixtures:
    def __init__(self, directory, multiply=1, id_shift=0):
        files = sorted(glob.glob(os.path.join(directory, "twarc_search_recent_*.json")))
        if not files:
            raise SystemExit(f"no twarc_search_recent_*.json pages in {directory}")
        by_id = {}  # id -> Post; the first file that has the id wins
        for path in files:
            raw = load_json(path)
            page = Page(raw)
            for tweet in raw.get("data", []):
                if tweet["id"] not in by_id:
                    by_id[tweet["id"]] = Post(tweet, page)
        self.pool = sorted(by_id.values(), key=lambda post: int(post.tweet["id"]))  # oldest first
        # --multiply N: N-1 more copies of the pool with ids shifted up by k * 10^17 (still
        # 19 digits, unique, and newer than the originals), for load and back-pressure tests.
        originals = list(self.pool)
        for k in range(1, max(1, multiply)):
            for post in originals:
                self.pool.append(Post(dict(post.tweet, id=str(int(post.tweet["id"]) + k * 10 ** 17)), post.page))
        # --id-shift K: every id moved up by K * 10^17, so two fakes serve disjoint tweets (as two
        # disjoint queries would).
        if id_shift:
            self.pool = [Post(dict(p.tweet, id=str(int(p.tweet["id"]) + id_shift * 10 ** 17)), p.page)
                         for p in self.pool]
        self.page_files = files
        self.live = False
        self.searchable_at = None
        self.index()
        err = os.path.join(directory, "errors")
        self.bodies = {
            "401": api_body(os.path.join(err, "http401_unauthorized.json")),
            "403": api_body(os.path.join(err, "http403_client_forbidden_client_not_enrolled.json")),
            "429": api_body(os.path.join(err, "http429_too_many_requests.json")),
            "429cap": api_body(os.path.join(err, "http429_usage_capped_monthly.json")),
            "429capdaily": api_body(os.path.join(err, "http429_usage_capped_daily_remaining0.EXAMPLE.json")),
            "query": api_body(os.path.join(err, "http400_invalid_query.json")),
            "stale400": api_body(os.path.join(err, "http400_since_id_older_than_7_days.EXAMPLE.json")),
        }
        examples = load_json(os.path.join(err, "http200_partial_errors_examples.json"))["examples"]
        recent = [e["error"] for e in examples if e.get("endpoint", "").endswith(SEARCH_PATH)]
        self.partial_errors = (recent + [e["error"] for e in examples])[:2]

    def index(self):
        """Recomputes the id and time columns after the pool's tweets changed."""
        self.ids = [int(p.tweet["id"]) for p in self.pool]
        self.times = [parse_rfc3339(p.tweet["created_at"]) if "created_at" in p.tweet else None
                      for p in self.pool]

    def go_live(self, start, span, offset, latency, rng):
        """Live mode: snowflake ids and created_at spread over [start+offset, start+offset+span],
        each post searchable latency seconds (0..latency, from rng) after it was created."""
        n = len(self.pool)
        self.live = True
        self.created, self.created_s, self.searchable_at = [], [], []
        for i, post in enumerate(self.pool):
            ms = int((start + offset + (span * i / (n - 1) if n > 1 else 0)) * 1000)
            new_id = str(((ms - TWITTER_EPOCH_MS) << 22) | (i % (1 << 22)))
            tweet = dict(post.tweet, id=new_id, created_at=iso(ms // 1000))
            if post.tweet.get("conversation_id") == post.tweet["id"]:
                tweet["conversation_id"] = new_id
            post.tweet = tweet
            self.created.append(ms / 1000)
            self.created_s.append(ms // 1000)
            self.searchable_at.append(ms / 1000 + rng.uniform(0, latency))
        self.index()

    def listing(self):
        """What /_fake/posts and --posts-file say about the pool."""
        return {"posts": [
            {"id": p.tweet["id"], "created_at": p.tweet.get("created_at"),
             "searchable_at": self.searchable_at[i] if self.live else None,
             "long": p.full is not None, **({"full_text": p.full} if p.full is not None else {})}
            for i, p in enumerate(self.pool)]}

    def make_long_posts(self, count, rng):
        """Turns `count` pool posts (not retweets) into long posts: full text 400-1200 characters,
        `text` its first 280. Deterministic for a given rng."""
        def is_retweet(tweet):
            return tweet.get("text", "").startswith("RT @") or any(
                r.get("type") == "retweeted" for r in tweet.get("referenced_tweets", []))
        eligible = [i for i, p in enumerate(self.pool) if "text" in p.tweet and not is_retweet(p.tweet)]
        others = [self.pool[i].tweet["text"] for i in eligible]
        for n, i in enumerate(sorted(rng.sample(eligible, min(count, len(eligible))))):
            post = self.pool[i]
            target = rng.randint(400, 1200)
            parts = [post.tweet["text"], "\u2014 na\u00efve caf\u00e9, Gr\u00fc\u00dfe aus K\u00f6ln, "
                     "\u6771\u4eac \U0001F642 \u2014"]
            k = n
            while len(" ".join(parts)) < target:
                parts.append(others[k % len(others)])
                k += 7
            full = " ".join(parts)[:target]
            post.full = full
            post.tweet = dict(post.tweet, text=full[:280])

class State:
    """Counters shared by all handler threads; mutate only under self.lock."""

    def __init__(self, cfg, fx):
        self.cfg, self.fx = cfg, fx
        self.lock = threading.Lock()
        self.requests = 0
        self.cycles = 0
        self.served = set()
        self.posts_served = 0
        self.other = {}  # path -> requests, for /2/ paths other than search
        self.tokens = set()
        self.log = open(cfg.log, "a", encoding="utf-8") if cfg.log else None

    def visible_count(self, release):
        return min(self.cfg.releases[release], len(self.fx.pool))

    def write_log(self, entry):
        if self.log:
            with self.lock:
                self.log.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self.log.flush()


def parse_ids_and_times(q, p):
    """Fills p's since_id, until_id, start and end from q; returns a 400 body if one is malformed."""
    for name in ("since_id", "until_id"):
        if name in q:
            if not re.fullmatch(r"[0-9]{1,19}", q[name]):
                return invalid_request(name, q[name], f"The `{name}` query parameter value "
                                       f"[{q[name]}] does not match ^[0-9]{{1,19}}$")
            p[name] = int(q[name])
    for name, key in (("start_time", "start"), ("end_time", "end")):
        if name in q:
            p[key] = parse_rfc3339(q[name])
            if p[key] is None:
                return invalid_request(name, q[name], f"Invalid '{name}':'{q[name]}'. "
                                       f"'{name}' must be a valid RFC3339 date-time")
    return None


def unknown_param(q, known):
    for name in q:
        if name not in known:
            return invalid_request(name, q[name], f"The query parameter [{name}] is not one of [{','.join(known)}]")
    return None


def check_window(q, p, now):
    """The API's rules for start_time/end_time relative to the request time; None if they hold."""
    if p["end"] is not None and p["end"].timestamp() > now - 10:
        return invalid_request("end_time", q["end_time"], f"Invalid 'end_time':'{q['end_time']}'. 'end_time' "
                               f"must be a minimum of 10 seconds prior to the request time.")
    end = p["end"].timestamp() if p["end"] is not None else now - 30
    if p["start"] is not None:
        if p["start"].timestamp() >= end:
            return invalid_request("start_time", q["start_time"], f"Invalid 'start_time':'{q['start_time']}'. "
                                   f"'start_time' must be before 'end_time':'{iso(math.floor(end))}'.")
        if p["start"].timestamp() < now - 7 * DAY:
            return invalid_request("start_time", q["start_time"], f"Invalid 'start_time':'{q['start_time']}'. "
                                   f"'start_time' must be on or after {iso(math.ceil(now - 7 * DAY))}.")
    return None


def make_token(release, cursor):
    raw = f"{release}:{cursor}".encode()
    return "fk" + base64.b32encode(raw).decode().rstrip("=").lower()


def decode_token(token):
    body = token[2:].upper()
    release, cursor = base64.b32decode(body + "=" * (-len(body) % 8)).decode().split(":")
    return int(release), int(cursor)


def expand(posts, expansions):
    """(includes, errors) for the served posts, from each post's own recorded page, as the real
    API builds them for the requested expansions."""
    users, tweets, media, polls, places, errors = {}, {}, {}, {}, {}, []

    def add(table, key, obj, page, resource_type):
        if obj is not None:
            table.setdefault(key, obj)
            return
        error = page.error_for(resource_type, key)
        if error is not None and error not in errors:
            errors.append(error)

    for post in posts:
        t, page = post.tweet, post.page
        if "author_id" in expansions and "author_id" in t:
            add(users, t["author_id"], page.users.get(t["author_id"]), page, "user")
        if "in_reply_to_user_id" in expansions and "in_reply_to_user_id" in t:
            add(users, t["in_reply_to_user_id"], page.users.get(t["in_reply_to_user_id"]), page, "user")
        if "entities.mentions.username" in expansions:
            for m in t.get("entities", {}).get("mentions", []):
                user = page.users_by_name.get(m.get("username", "").lower())
                if user is not None:
                    users.setdefault(user["id"], user)
                else:
                    add(users, m.get("username", ""), None, page, "user")
        refs = [page.tweets.get(r["id"]) for r in t.get("referenced_tweets", [])]
        if "referenced_tweets.id" in expansions:
            for r, ref in zip(t.get("referenced_tweets", []), refs):
                add(tweets, r["id"], ref, page, "tweet")
        if "referenced_tweets.id.author_id" in expansions:
            for ref in refs:
                if ref is not None and "author_id" in ref:
                    add(users, ref["author_id"], page.users.get(ref["author_id"]), page, "user")
        attachments = t.get("attachments", {})
        if "attachments.media_keys" in expansions:
            for key in attachments.get("media_keys", []):
                add(media, key, page.media.get(key), page, "media")
        if "attachments.poll_ids" in expansions:
            for key in attachments.get("poll_ids", []):
                add(polls, key, page.polls.get(key), page, "poll")
        if "geo.place_id" in expansions and "place_id" in t.get("geo", {}):
            key = t["geo"]["place_id"]
            add(places, key, page.places.get(key), page, "place")
    includes = {name: list(table.values()) for name, table in
                (("users", users), ("tweets", tweets), ("media", media), ("polls", polls), ("places", places))
                if table}
    return includes, errors


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle and delayed ACK add ~40 ms a page.
    disable_nagle_algorithm = True
    server_version = "fake-x-api/1"
    timeout = 60  # idle keep-alive connections are dropped after this long
    state: State = None  # set in main()

    def log_message(self, fmt, *args):  # quiet: the JSON log records the search requests
        pass

    # ---- plumbing -------------------------------------------------------------
    def send_json(self, status, body, headers=None, content_type=JSON_CT, truncate=False):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if truncate else data)
        self.wfile.flush()
        if truncate:
            self.close_connection = True

    def peer_closed(self):
        """True if the client has already closed its side (e.g. it timed out waiting)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def discard_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(length)

    def do_GET(self):
        self.discard_body()
        url = urlsplit(self.path)
        if url.path == SEARCH_PATH:
            self.search(url)
        elif url.path.startswith("/2/"):
            self.other_api(url)
        elif url.path == STATS_PATH:
            st = self.state
            with st.lock:
                stats = {"requests": st.requests, "served": len(st.served), "posts_served": st.posts_served,
                         "counts_requests": st.other.get(COUNTS_PATH, 0),
                         "usage_requests": st.other.get(USAGE_PATH, 0)}
            if st.fx.live:
                now = time.time()
                stats["searchable"] = sum(1 for t in st.fx.searchable_at if t <= now)
            self.send_json(200, stats)
        elif url.path == POSTS_PATH:
            self.send_json(200, self.state.fx.listing())
        else:
            self.not_found()

    def not_found(self):
        self.send_json(404, {"title": "Not Found Error", "type": "about:blank", "status": 404,
                             "detail": f"no route for {self.command} {urlsplit(self.path).path}"})

    def do_other(self):
        self.discard_body()
        url = urlsplit(self.path)
        if url.path.startswith("/2/"):
            self.other_api(url)
        else:
            self.not_found()

    def authorized(self):
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(),
                                                                  self.state.cfg.token.encode())

    # ---- counts, usage and any other /2/ path -----------------------------------
    def other_api(self, url):
        st = self.state
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        with st.lock:
            n = st.other[url.path] = st.other.get(url.path, 0) + 1
        limit = 50 if url.path == USAGE_PATH else 300
        rl = {"x-rate-limit-limit": limit, "x-rate-limit-remaining": max(0, limit - n),
              "x-rate-limit-reset": math.ceil(time.time() + 900)}
        content_type = JSON_CT
        if not self.authorized():
            status, body, content_type = 401, st.fx.bodies["401"], PROBLEM_CT
        elif self.command == "GET" and url.path == COUNTS_PATH:
            status, body = self.counts(query)
        elif self.command == "GET" and url.path == USAGE_PATH:
            status, body = self.usage(query)
        else:
            status, body = 404, {"title": "Not Found Error", "type": "https://api.twitter.com/2/problems/"
                                 "resource-not-found", "status": 404,
                                 "detail": f"Sorry, that page does not exist: {self.command} {url.path}"}
        st.write_log({"n": n, "method": self.command, "path": url.path, "query": query, "status": status,
                      "fault": None, "release": None, "served_ids": [], "truncated": False})
        try:
            self.send_json(status, body, rl, content_type)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def counts(self, q):
        """GET /2/tweets/counts/recent: buckets over [start_time, end_time) (default the last 7
        days up to now - 30 s), cut at whole minutes, hours or UTC days."""
        fx, cfg = self.state.fx, self.state.cfg
        error = unknown_param(q, COUNTS_PARAMS)
        if error:
            return 400, error
        if not q.get("query", "").strip():
            return 400, fx.bodies["query"]
        granularity = q.get("granularity", "hour")
        if granularity not in GRANULARITY:
            return 400, invalid_request("granularity", granularity, f"The `granularity` query parameter value "
                                        f"[{granularity}] is not one of [minute,hour,day]")
        p = {"since_id": None, "until_id": None, "start": None, "end": None}
        now = time.time()
        error = parse_ids_and_times(q, p) or check_window(q, p, now)
        if error:
            return 400, error
        end = math.floor(p["end"].timestamp() if p["end"] is not None else now - 30)
        start = math.floor(p["start"].timestamp() if p["start"] is not None else now - 7 * DAY)
        unit = GRANULARITY[granularity]
        buckets, b = [], start
        while b < end:
            e = min((b // unit + 1) * unit, end)
            buckets.append((b, e))
            b = e
        if granularity == "day" and cfg.counts_per_day is not None:
            today, given = math.floor(now) // DAY, cfg.counts_per_day
            values = []
            for b, _ in buckets:
                k = today - b // DAY  # 0 = today
                values.append(given[len(given) - 1 - k] if 0 <= k < len(given) else 0)
        else:
            times = sorted(self.count_times(p, now))
            values = [bisect.bisect_left(times, e) - bisect.bisect_left(times, b) for b, e in buckets]
        data = [{"end": iso(e), "start": iso(b), "tweet_count": v} for (b, e), v in zip(buckets, values)]
        return 200, {"data": data, "meta": {"total_tweet_count": sum(values)}}

    def count_times(self, p, now):
        """Created times (epoch seconds) of the posts the counts see: in live mode the searchable
        ones; otherwise the recorded times moved so that the newest post is a minute old."""
        fx = self.state.fx
        if fx.live:
            times = [(tid, c) for tid, c, s in zip(fx.ids, fx.created_s, fx.searchable_at) if s <= now]
        else:
            known = [(tid, t.timestamp()) for tid, t in zip(fx.ids, fx.times) if t is not None]
            shift = (now - 60) - max((t for _, t in known), default=0)
            times = [(tid, math.floor(t + shift)) for tid, t in known]
        return [t for tid, t in times if (p["since_id"] is None or tid > p["since_id"])
                and (p["until_id"] is None or tid < p["until_id"])]

    def usage(self, q):
        """GET /2/usage/tweets in one of the two documented shapes (--usage-shape a|b), or the
        403/404 a project without access gets (--usage-status)."""
        st, cfg = self.state, self.state.cfg
        if cfg.usage_status == 403:
            return 403, st.fx.bodies["403"]
        if cfg.usage_status == 404:
            return 404, {"title": "Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found",
                         "status": 404, "detail": "Sorry, that page does not exist: GET /2/usage/tweets"}
        error = unknown_param(q, USAGE_PARAMS)
        if error:
            return 400, error
        days = q.get("days", "7")
        if not re.fullmatch(r"\d{1,3}", days) or not 1 <= int(days) <= 90:
            return 400, invalid_request("days", days, f"The `days` query parameter value [{days}] is not between "
                                        f"1 and 90")
        fields = set(filter(None, q.get("usage.fields", "").split(",")))
        for field in fields:
            if field not in USAGE_FIELDS:
                return 400, invalid_request("usage.fields", field, f"The `usage.fields` query parameter value "
                                            f"[{field}] is not one of [{','.join(USAGE_FIELDS)}]")
        with st.lock:
            used = cfg.usage_used if cfg.usage_used is not None else st.posts_served
        today = math.floor(time.time()) // DAY * DAY
        dates = [today - k * DAY for k in range(int(days) - 1, -1, -1)]  # oldest first
        per_day = [used // len(dates)] * len(dates)
        per_day[-1] += used - sum(per_day)
        if cfg.usage_shape == "b":
            # docs.x.com Usage introduction: daily usage per app, numbers as JSON numbers.
            return 200, {"data": {
                "cap_reset_day": cfg.usage_reset_day,
                "daily_project_usage": [
                    {"date": time.strftime("%Y-%m-%d", time.gmtime(d)),
                     "usage": [{"app_id": CLIENT_APP_ID, "tweets_consumed": v}]} for d, v in zip(dates, per_day)],
                "project_cap": cfg.usage_cap, "project_id": PROJECT_ID, "project_usage": used}}
        # docs.x.com GET /2/usage/tweets: project_cap and project_usage as strings; the daily
        # breakdowns only when usage.fields asks for them.
        data = {"cap_reset_day": cfg.usage_reset_day, "project_cap": str(cfg.usage_cap), "project_id": PROJECT_ID,
                "project_usage": str(used)}
        series = [{"date": iso(d), "usage": v} for d, v in zip(dates, per_day)]
        if "daily_project_usage" in fields:
            data["daily_project_usage"] = {"project_id": PROJECT_ID, "usage": series}
        if "daily_client_app_usage" in fields:
            data["daily_client_app_usage"] = [{"client_app_id": CLIENT_APP_ID, "usage": series,
                                               "usage_result_count": len(series)}]
        return 200, {"data": dict(sorted(data.items()))}

    do_POST = do_PUT = do_DELETE = do_PATCH = do_other

    # ---- search ---------------------------------------------------------------
    def search(self, url):
        st, cfg = self.state, self.state.cfg
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        with st.lock:
            st.requests += 1
            n = st.requests
            release = min(st.cycles, len(cfg.releases) - 1)
            token = query.get("pagination_token", query.get("next_token"))
            if token in st.tokens:
                release = decode_token(token)[0]
        fault = cfg.faults.get(n)
        entry = {"n": n, "method": self.command, "path": url.path, "query": query,
                 "status": None, "fault": fault, "release": release,
                 "served_ids": [], "truncated": False}
        rl = {"x-rate-limit-limit": 450, "x-rate-limit-remaining": max(0, 450 - n),
              "x-rate-limit-reset": math.ceil(time.time() + 900)}
        answer = self.search_answer(query, fault, rl, entry)
        # Log (and count served ids) BEFORE sending, so a client that has its answer
        # can rely on the log line being there already.
        st.write_log(entry)
        if entry["status"] == 200 and not entry["truncated"]:
            with st.lock:
                st.served.update(entry["served_ids"])
                st.posts_served += len(entry["served_ids"])
        if answer is None:  # drop, or the client already went away
            self.close_connection = True
            return
        try:
            self.send_json(*answer)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def search_answer(self, query, fault, rl, entry):
        """Fills in entry; returns send_json() arguments, or None to send nothing."""
        cfg, fx = self.state.cfg, self.state.fx
        # 1. Faults that replace the answer completely.
        if fault == "drop":
            return None
        replace = {
            "429": (429, fx.bodies["429"], {"x-rate-limit-remaining": 0,
                                            "x-rate-limit-reset": math.ceil(time.time() + cfg.reset_seconds)}),
            "429cap": (429, fx.bodies["429cap"], {"x-rate-limit-remaining": 39999}),
            "429capdaily": self.daily_cap(),
            "500": (500, {"title": "Internal Server Error", "detail": "Internal Server Error",
                          "type": "about:blank", "status": 500}, {}),
            "503": (503, {"title": "Service Unavailable", "detail": "Service Unavailable",
                          "type": "about:blank", "status": 503}, {}),
            "stale400": (400, fx.bodies["stale400"], {}),
            "401": (401, fx.bodies["401"], {}),
            "403": (403, fx.bodies["403"], {}),
        }
        if fault in replace:
            status, body, extra = replace[fault]
            entry["status"] = status
            return status, body, {**rl, **extra}, PROBLEM_CT if status == 401 or fault == "429capdaily" else JSON_CT
        # 2. Auth and validation.
        if not self.authorized():
            entry["status"] = 401
            return 401, fx.bodies["401"], rl, PROBLEM_CT
        if cfg.cap_after is not None:
            with self.state.lock:
                capped = self.state.posts_served >= cfg.cap_after
            if capped:
                status, body, extra = self.daily_cap()
                entry.update(status=status, fault="cap-after")
                return status, body, {**rl, **extra}, PROBLEM_CT
        params, error = self.validate(query)
        if error:
            entry["status"] = 400
            return 400, error, rl
        # 3. Delays, then build the page (a complete page starts a cycle).
        delay = cfg.page_delay + (cfg.slow_seconds if fault == "slow" else 0)
        if delay:
            time.sleep(delay)
            if self.peer_closed():
                return None  # the client gave up waiting: nothing delivered, nothing counts
        truncate = fault == "truncate"
        body, ids, release = self.build_page(params, commit=not truncate)
        if fault == "partial-errors":
            body["errors"] = body.get("errors", []) + list(fx.partial_errors)
            body["meta"] = body.pop("meta")  # keep the API's key order: data, includes, errors, meta
        entry.update(status=200, release=release, served_ids=ids, truncated=truncate)
        return 200, body, rl, JSON_CT, truncate

    def daily_cap(self):
        """The Daily usage-cap answer: nothing left in the window and a reset seconds away."""
        return 429, self.state.fx.bodies["429capdaily"], {
            "x-rate-limit-remaining": 0,
            "x-rate-limit-reset": math.ceil(time.time() + self.state.cfg.reset_seconds)}

    def validate(self, q):
        """Returns (params, None) or (None, 400 body)."""
        fx, st = self.state.fx, self.state
        for name in q:
            if name not in KNOWN_PARAMS:
                return None, invalid_request(name, q[name], f"The query parameter [{name}] is not one of "
                                             f"[{','.join(KNOWN_PARAMS)}]")
        if not q.get("query", "").strip():
            return None, fx.bodies["query"]
        p = {"max_results": 10, "since_id": None, "until_id": None, "start": None, "end": None,
             "token": None, "expansions": set(filter(None, q.get("expansions", "").split(","))),
             "tweet_fields": set(filter(None, q.get("tweet.fields", "").split(",")))}
        if "max_results" in q:
            v = q["max_results"]
            if not re.fullmatch(r"\d{1,4}", v) or not 10 <= int(v) <= 100:
                return None, invalid_request("max_results", v, f"The `max_results` query parameter "
                                             f"value [{v}] is not between 10 and 100")
            p["max_results"] = int(v)
        error = parse_ids_and_times(q, p)
        if error:
            return None, error
        if fx.live:
            error = check_window(q, p, time.time())
            if error:
                return None, error
        for name in ("pagination_token", "next_token"):
            if name in q:
                with st.lock:
                    known = q[name] in st.tokens
                if not known:
                    return None, invalid_request(name, q[name], f"The `{name}` query parameter "
                                                 f"value [{q[name]}] is not valid")
                p["token"] = decode_token(q[name])
        return p, None

    def build_page(self, p, commit):
        """Page body, served ids, release. commit=False: no cycle is started."""
        st, fx = self.state, self.state.fx
        with st.lock:
            if p["token"] is not None:
                release, cursor = p["token"]
            else:
                release, cursor = min(st.cycles, len(st.cfg.releases) - 1), None
                if commit:
                    st.cycles += 1
        picked = []
        if fx.live:  # what is searchable right now, created before end_time (default now - 30 s)
            now = time.time()
            top = len(fx.pool)
            end = p["end"].timestamp() if p["end"] is not None else now - 30
            start = p["start"].timestamp() if p["start"] is not None else None
        else:
            top = st.visible_count(release)
        bounds = [b for b in (cursor, p["until_id"]) if b is not None]
        if bounds:
            top = min(top, bisect.bisect_left(fx.ids, min(bounds)))
        for i in range(top - 1, -1, -1):  # newest first
            if p["since_id"] is not None and fx.ids[i] <= p["since_id"]:
                break
            if fx.live:
                if fx.searchable_at[i] > now or fx.created_s[i] >= end:
                    continue
                if start is not None and fx.created_s[i] < start:
                    break
            else:
                # The recordings are from 2021: time filters apply only when asked for, so a client's
                # default start_time (a recent moment) still sees the recorded tweets.
                created = fx.times[i]
                if st.cfg.time_filters and created is not None and p["start"] is not None and created < p["start"]:
                    continue
                if st.cfg.time_filters and created is not None and p["end"] is not None and created >= p["end"]:
                    continue
            picked.append(i)
            if len(picked) > p["max_results"]:
                break
        more = len(picked) > p["max_results"]
        picked = picked[: p["max_results"]]
        if not picked:
            return {"meta": {"result_count": 0}}, [], release
        posts = [fx.pool[i] for i in picked]
        want_note = "note_tweet" in p["tweet_fields"]
        tweets = [dict(post.tweet, note_tweet={"text": post.full}) if want_note and post.full is not None
                  else post.tweet for post in posts]
        body = {"data": tweets}
        includes, errors = expand(posts, p["expansions"])
        if includes:
            body["includes"] = includes
        if errors:
            body["errors"] = errors
        meta = {"newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"],
                "result_count": len(tweets)}
        if more:
            meta["next_token"] = make_token(release, fx.ids[picked[-1]])
            with st.lock:
                st.tokens.add(meta["next_token"])
        body["meta"] = meta
        return body, [t["id"] for t in tweets], release


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # room for benchmark bursts


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Fake X API v2 recent-search server for tests.")
    ap.add_argument("--fixtures", required=True, help="directory with twarc_search_recent_*.json and errors/")
    ap.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    ap.add_argument("--log", help="JSON-lines request log (appended)")
    ap.add_argument("--token", default="test-token", help="accepted bearer token")
    ap.add_argument("--releases", default="", help="cumulative visible counts, e.g. 50,120,200")
    ap.add_argument("--faults", default="", help="e.g. 2:429,5:drop,7:truncate")
    ap.add_argument("--reset-seconds", type=float, default=2.0)
    ap.add_argument("--slow-seconds", type=float, default=5.0)
    ap.add_argument("--max-seconds", type=float, default=600.0)
    ap.add_argument("--page-delay", type=float, default=0.0)
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    ap.add_argument("--multiply", type=int, default=1,
                    help="serve N copies of the recorded pool with shifted ids (N <= 80)")
    ap.add_argument("--id-shift", type=int, default=0,
                    help="move every id up by K * 10^17 (two fakes then serve disjoint tweets)")
    ap.add_argument("--time-filters", action="store_true",
                    help="apply start_time/end_time to the recorded created_at (off: validated, not applied)")
    ap.add_argument("--long-posts", type=int, default=0,
                    help="K pool posts become long posts (full text in note_tweet, text = first 280 characters)")
    ap.add_argument("--live-span", type=float, default=None,
                    help="live mode: snowflake ids and created_at spread over this many seconds")
    ap.add_argument("--live-offset", type=float, default=0.0,
                    help="live mode: the oldest post's time relative to the fake's start (may be negative)")
    ap.add_argument("--index-latency", type=float, default=0.0,
                    help="live mode: each post becomes searchable 0..L seconds after it was created")
    ap.add_argument("--cap-after", type=int, default=None,
                    help="after N posts served, every search gets the Daily usage-cap 429")
    ap.add_argument("--counts-per-day", default=None,
                    help="n1,...,n8: the day buckets of counts/recent, oldest first, ending today")
    ap.add_argument("--usage-cap", type=int, default=2_000_000, help="project_cap of /2/usage/tweets")
    ap.add_argument("--usage-used", type=int, default=None,
                    help="project_usage of /2/usage/tweets (default: posts served so far)")
    ap.add_argument("--usage-reset-day", type=int, default=1, help="cap_reset_day of /2/usage/tweets")
    ap.add_argument("--usage-status", type=int, choices=(200, 403, 404), default=200,
                    help="403/404: /2/usage/tweets answers as for a project without access")
    ap.add_argument("--usage-shape", choices=("a", "b"), default="a",
                    help="a: API reference (numbers as strings, daily usage on request); b: usage introduction "
                         "page (daily usage per app, numbers as numbers)")
    ap.add_argument("--posts-file", help="write the /_fake/posts listing here at start-up")
    ap.add_argument("--seed", type=int, default=1, help="seed for the long-post choice and the index latencies")
    cfg = ap.parse_args(argv)
    try:
        cfg.releases = [int(x) for x in cfg.releases.split(",") if x.strip()]
    except ValueError:
        ap.error("--releases must be a comma list of integers")
    if any(r < 0 for r in cfg.releases) or cfg.releases != sorted(cfg.releases):
        ap.error("--releases must be non-negative and non-decreasing")
    if (cfg.live_span is not None and cfg.live_span < 0) or cfg.index_latency < 0:
        ap.error("--live-span and --index-latency must be >= 0 seconds")
    if cfg.cap_after is not None and cfg.cap_after < 0:
        ap.error("--cap-after must be >= 0 posts")
    if cfg.counts_per_day is not None:
        try:
            cfg.counts_per_day = [int(x) for x in cfg.counts_per_day.split(",")]
        except ValueError:
            ap.error("--counts-per-day must be a comma list of integers, oldest day first")
        if any(v < 0 for v in cfg.counts_per_day):
            ap.error("--counts-per-day values must be >= 0")
    faults = {}
    for item in filter(None, (s.strip() for s in cfg.faults.split(","))):
        num, _, kind = item.partition(":")
        if not num.isdigit() or int(num) < 1 or kind not in FAULT_KINDS:
            ap.error(f"bad fault {item!r}; use N:KIND with KIND in {sorted(FAULT_KINDS)}")
        faults[int(num)] = kind
    cfg.faults = faults
    return cfg


def main(argv=None):
    cfg = parse_args(sys.argv[1:] if argv is None else argv)
    fx = Fixtures(cfg.fixtures, cfg.multiply, cfg.id_shift)
    rng = random.Random(cfg.seed)
    if cfg.long_posts > 0:
        fx.make_long_posts(cfg.long_posts, rng)
    if cfg.live_span is not None:
        fx.go_live(time.time(), cfg.live_span, cfg.live_offset, cfg.index_latency,
                   random.Random(f"index-latency-{cfg.seed}"))
    if not cfg.releases:
        cfg.releases = [len(fx.pool)]
    if cfg.posts_file:
        with open(cfg.posts_file, "w", encoding="utf-8") as f:
            json.dump(fx.listing(), f, ensure_ascii=False)
    Handler.state = State(cfg, fx)
    server = Server(("127.0.0.1", cfg.port), Handler)
    stopping = []  # why we stop; appended by signal handlers / the stdin watcher
    signal.signal(signal.SIGTERM, lambda *_: stopping.append("SIGTERM"))
    signal.signal(signal.SIGINT, lambda *_: stopping.append("SIGINT"))
    if cfg.exit_on_stdin_eof:
        def watch_stdin():
            while sys.stdin.buffer.read1(65536):
                pass
            stopping.append("stdin EOF")
        threading.Thread(target=watch_stdin, daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with_author = sum(1 for p in fx.pool if p.tweet.get("author_id") in p.page.users)
    print(f"fake_x_api: {len(fx.pool)} tweets ({with_author} with author) from "
          f"{len(fx.page_files)} pages; releases={cfg.releases} faults={cfg.faults}", file=sys.stderr)
    print(f"LISTENING {server.server_address[1]}", flush=True)
    deadline = time.monotonic() + cfg.max_seconds
    while not stopping and time.monotonic() < deadline:
        time.sleep(0.1)
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
