"""Self-check for fake_x_api.py. Run: python3 -m pytest -q test_fake_x_api.py
(or plain `python3 test_fake_x_api.py`). Set FAKE_X_FIXTURES to override the fixture dir."""
import glob
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from datetime import datetime, timezone
from urllib.parse import urlencode

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fake_x_api.py")
FIXTURES = os.environ.get(
    "FAKE_X_FIXTURES", os.path.join(HERE, "..", "..", "TweetIngestTests", "Fixtures", "twitter"))
AUTH = {"Authorization": "Bearer test-token"}
TWITTER_EPOCH_MS = 1288834974657


def iso(epoch_seconds):
    return datetime.fromtimestamp(int(epoch_seconds), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(created_at):
    return datetime.fromisoformat(created_at).timestamp()


class Fake:
    def __init__(self, *args, stdin=subprocess.DEVNULL):
        self.log = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False).name
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--fixtures", FIXTURES, "--log", self.log, "--max-seconds", "60", *args],
            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("LISTENING "), line + self.proc.stderr.read()
        self.port = int(line.split()[1])
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def get(self, path="/2/tweets/search/recent", headers=AUTH, conn=None, **params):
        conn = conn or self.conn
        conn.request("GET", path + ("?" + urlencode(params) if params else ""), headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        return resp, (json.loads(raw) if raw else None)

    def search(self, **params):
        params.setdefault("query", "x")
        return self.get(**params)

    def lines(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f]

    def close(self):
        self.conn.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
        self.proc.stdout.close()
        self.proc.stderr.close()
        os.unlink(self.log)


ALL_EXPANSIONS = ("author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,"
                  "entities.mentions.username,attachments.poll_ids,attachments.media_keys,geo.place_id")


def recorded_pages():
    pages = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "twarc_search_recent_*.json"))):
        with open(path, encoding="utf-8") as f:
            pages.append(json.load(f))
    return pages


def drain(fake, since_id=None, max_results=100, bodies=None, **extra):
    """One full cycle: first page plus all pagination_token pages. Returns (ids, metas)."""
    params = dict(max_results=max_results, **extra)
    if since_id:
        params["since_id"] = since_id
    ids, metas = [], []
    while True:
        resp, body = fake.search(**params)
        assert resp.status == 200, (resp.status, body)
        if bodies is not None:
            bodies.append(body)
        metas.append(body["meta"])
        ids += [t["id"] for t in body.get("data", [])]
        if "next_token" not in body["meta"]:
            return ids, metas
        params["pagination_token"] = body["meta"]["next_token"]


class FakeXApiTest(unittest.TestCase):
    def start(self, *args, **kw):
        fake = Fake(*args, **kw)
        self.addCleanup(fake.close)
        return fake

    def test_whole_pool_paging_and_keep_alive(self):
        fake = self.start()
        sock_before = None
        ids, metas = drain(fake, expansions="author_id")
        self.assertEqual(len(ids), 400)
        self.assertEqual(len(set(ids)), 400)
        self.assertEqual([int(i) for i in ids], sorted((int(i) for i in ids), reverse=True))
        self.assertEqual([m["result_count"] for m in metas], [100, 100, 100, 100])
        self.assertEqual(metas[0]["newest_id"], ids[0])
        self.assertEqual(metas[1]["oldest_id"], ids[199])
        # keep-alive: same socket for several requests
        sock_before = fake.conn.sock
        resp, body = fake.search(expansions="author_id")
        self.assertIs(fake.conn.sock, sock_before)
        self.assertEqual(resp.getheader("content-type"), "application/json; charset=utf-8")
        self.assertEqual(resp.getheader("x-rate-limit-limit"), "450")
        self.assertEqual(resp.getheader("x-rate-limit-remaining"), str(450 - 5))
        self.assertGreater(int(resp.getheader("x-rate-limit-reset")), time.time() + 890)
        authors = {t["author_id"] for t in body["data"]}
        self.assertEqual({u["id"] for u in body["includes"]["users"]}, authors)
        self.assertEqual(len(body["includes"]["users"]), len(authors))
        resp, body = fake.search(since_id=ids[0])
        self.assertEqual(body, {"meta": {"result_count": 0}})
        resp, body = fake.search()
        self.assertNotIn("includes", body)
        lines = fake.lines()
        self.assertEqual([ln["n"] for ln in lines], list(range(1, 8)))
        self.assertTrue(all("test-token" not in json.dumps(ln) for ln in lines))
        _, stats = fake.get("/_fake/stats")
        self.assertEqual(stats, {"requests": 7, "served": 400, "posts_served": 420,
                                 "counts_requests": 0, "usage_requests": 0})
        resp, _ = fake.get("/nope")
        self.assertEqual(resp.status, 404)

    def test_releases_and_token_keeps_release(self):
        fake = self.start("--releases", "50,120,200")
        _, body = fake.search(max_results=100)  # cycle 1: release 0
        self.assertEqual(body["meta"]["result_count"], 50)
        _, body = fake.search(max_results=100)  # cycle 2: release 1
        self.assertEqual(body["meta"]["result_count"], 100)
        ids, _ = drain(fake, max_results=100)  # cycle 3: release 2
        self.assertEqual(len(ids), 200)
        ids, _ = drain(fake, max_results=100)  # stays on the last release
        self.assertEqual(len(ids), 200)
        # A fresh server: since_id client sees 50, then 70 new, then 80 new, then none.
        fake = self.start("--releases", "50,120,200")
        newest, seen = None, []
        for expected in (50, 70, 80, 0):
            ids, _ = drain(fake, since_id=newest, max_results=10)
            self.assertEqual(len(ids), expected)
            seen += ids
            newest = ids[0] if ids else newest
        self.assertEqual(len(set(seen)), 200)
        releases = [ln["release"] for ln in fake.lines()]
        self.assertEqual(releases[:5], [0] * 5)
        self.assertEqual(releases[-1], 2)
        # a token issued under release 0 still pages release 0 after later cycles began
        fake = self.start("--releases", "15,400")
        _, p1 = fake.search(max_results=10)
        fake.search(max_results=10)  # starts cycle 2 (release 1)
        _, p2 = fake.search(max_results=10, pagination_token=p1["meta"]["next_token"])
        self.assertEqual(p2["meta"]["result_count"], 5)
        self.assertEqual(fake.lines()[-1]["release"], 0)

    def test_filters_and_validation(self):
        fake = self.start("--time-filters")
        all_ids, _ = drain(fake)
        lo, hi = all_ids[300], all_ids[100]
        ids, _ = drain(fake, since_id=lo, until_id=hi)
        self.assertEqual(ids, all_ids[101:300])
        ids, _ = drain(fake, start_time="2021-09-22T00:00:00Z", end_time="2021-09-23T00:00:00.000+00:00")
        self.assertEqual(len(ids), 200)
        ids, _ = drain(fake, end_time="2021-04-08T19:31:31Z")
        self.assertEqual(len(ids), 0)
        for params in ({"query": ""}, {"max_results": "9"}, {"max_results": "101"}, {"max_results": "ten"},
                       {"since_id": "12a"}, {"start_time": "yesterday"}, {"pagination_token": "nope"},
                       {"bogus_param": "1"}):
            resp, body = fake.search(**params)
            self.assertEqual(resp.status, 400, params)
            self.assertIn("errors", body)
        resp, body = fake.get()  # no query param at all
        self.assertEqual(resp.status, 400)
        self.assertEqual(body["title"], "Invalid Request")
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            resp, body = fake.search(headers=headers)
            self.assertEqual(resp.status, 401)
            self.assertEqual(resp.getheader("content-type"), "application/problem+json")
            self.assertEqual(body, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                    "detail": "Unauthorized"})

    def test_faults(self):
        kinds = ["429", "429cap", "429capdaily", "503", "500", "stale400", "401", "403", "partial-errors", "drop", "truncate"]
        spec = ",".join(f"{i + 1}:{k}" for i, k in enumerate(kinds))
        fake = self.start("--releases", "10,20,400", "--faults", spec, "--reset-seconds", "2")
        expect = {"429": 429, "429cap": 429, "429capdaily": 429, "503": 503, "500": 500, "stale400": 400, "401": 401, "403": 403}
        for kind in kinds[:8]:
            t0 = time.time()
            resp, body = fake.search()
            self.assertEqual(resp.status, expect[kind], kind)
            if kind == "429":
                self.assertEqual(resp.getheader("x-rate-limit-remaining"), "0")
                self.assertLessEqual(int(resp.getheader("x-rate-limit-reset")) - t0, 3)
                self.assertEqual(body["title"], "Too Many Requests")
            if kind == "429cap":
                self.assertEqual(resp.getheader("x-rate-limit-remaining"), "39999")
                self.assertEqual(body["title"], "UsageCapExceeded")
            self.assertNotIn("_source", body)
        resp, body = fake.search()
        self.assertEqual(len(body["errors"]), 2)
        self.assertEqual(body["meta"]["result_count"], 10)
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            fake.search()  # drop
        fake.conn.close()
        with self.assertRaises(http.client.IncompleteRead):
            fake.search()  # truncate
        fake.conn.close()
        resp, body = fake.search()  # partial-errors started a cycle, drop/truncate did not
        self.assertEqual(body["meta"]["result_count"], 10)
        lines = fake.lines()
        self.assertEqual([ln["status"] for ln in lines], [429, 429, 429, 503, 500, 400, 401, 403, 200, None, 200, 200])
        self.assertEqual([ln["release"] for ln in lines], [0] * 9 + [1, 1, 1])
        self.assertTrue(lines[10]["truncated"])
        self.assertEqual(len(lines[10]["served_ids"]), 10)

    def test_daily_cap_fault_and_cap_after(self):
        fake = self.start("--faults", "2:429capdaily", "--reset-seconds", "3")
        fake.search()
        t0 = time.time()
        resp, body = fake.search()
        self.assertEqual(resp.status, 429)
        self.assertEqual(resp.getheader("x-rate-limit-remaining"), "0")
        self.assertLessEqual(int(resp.getheader("x-rate-limit-reset")) - t0, 4)
        self.assertEqual(resp.getheader("content-type"), "application/problem+json")
        self.assertEqual((body["title"], body["period"], body["scope"]), ("UsageCapExceeded", "Daily", "Account"))
        self.assertTrue(body["type"].endswith("/problems/usage-capped"))
        resp, _ = fake.search()
        self.assertEqual(resp.status, 200)
        # --cap-after 25: pages of 10 are served until 30 posts went out; then only the cap.
        fake = self.start("--cap-after", "25")
        statuses = []
        params = {"max_results": 10}
        for _ in range(6):
            resp, body = fake.search(**params)
            statuses.append(resp.status)
            if resp.status == 200:
                params["pagination_token"] = body["meta"]["next_token"]
            else:
                self.assertEqual(body["period"], "Daily")
                self.assertEqual(resp.getheader("x-rate-limit-remaining"), "0")
        self.assertEqual(statuses, [200, 200, 200, 429, 429, 429])
        resp, _ = fake.search(headers={})
        self.assertEqual(resp.status, 401, "auth is checked before the cap")
        resp, _ = fake.search(max_results=10)  # a fresh cycle is capped too
        self.assertEqual(resp.status, 429)
        _, stats = fake.get("/_fake/stats")
        self.assertEqual(stats["posts_served"], 30)
        self.assertEqual([ln["fault"] for ln in fake.lines()][3:], ["cap-after"] * 3 + [None, "cap-after"])

    def test_slow_client_gives_up(self):
        fake = self.start("--faults", "1:slow,2:slow", "--slow-seconds", "1.5")
        conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=0.5)
        with self.assertRaises(socket.timeout):
            fake.get(conn=conn, query="x")
        conn.close()
        t0 = time.time()
        resp, body = fake.search()
        self.assertGreaterEqual(time.time() - t0, 1.4)
        self.assertEqual(resp.status, 200)
        time.sleep(0.3)
        self.assertEqual([(ln["status"], ln["release"]) for ln in fake.lines()], [(None, 0), (200, 0)])

    def test_expansions_serve_what_each_recorded_page_had(self):
        fake = self.start()
        bodies = []
        ids, _ = drain(fake, expansions=ALL_EXPANSIONS, bodies=bodies)
        self.assertEqual(len(ids), 400)
        pages = recorded_pages()
        served = {kind: {} for kind in ("users", "tweets", "media", "polls", "places")}
        key = {"media": "media_key"}
        for body in bodies:
            users = [u["id"] for u in body["includes"]["users"]]
            self.assertEqual(len(users), len(set(users)), "users deduplicated by id within a page")
            for kind, table in served.items():
                for obj in body["includes"].get(kind, []):
                    table[obj[key.get(kind, "id")]] = obj
            by_id = {u["id"]: u for u in body["includes"]["users"]}
            for tweet in body["data"]:
                self.assertIn(tweet["author_id"], by_id)
                if "in_reply_to_user_id" in tweet:
                    self.assertIn(tweet["in_reply_to_user_id"], by_id)
                included = {t["id"] for t in body["includes"].get("tweets", [])}
                for ref in tweet.get("referenced_tweets", []):
                    self.assertIn(ref["id"], included)
        # Every object of every recorded page is explained by its data tweets, so the union of what
        # was served is exactly the union of what was recorded, object for object.
        for kind, table in served.items():
            recorded = {}  # a user on two pages may have been recorded twice, with other counts
            for page in pages:
                for obj in page.get("includes", {}).get(kind, []):
                    recorded.setdefault(obj[key.get(kind, "id")], []).append(obj)
            self.assertEqual(set(table), set(recorded), kind)
            self.assertTrue(all(table[k] in recorded[k] for k in table), kind)
        self.assertEqual(len(served["polls"]), 1)
        self.assertEqual(len(served["places"]), 1)
        # The suspended users the recorded pages could not include come back as partial errors.
        errors = [e for body in bodies for e in body.get("errors", [])]
        self.assertEqual(sorted(e["resource_id"] for e in errors), ["gatewaypundit", "leeseunggi"])
        self.assertEqual(list(bodies[0]), ["data", "includes", "meta"] if "errors" not in bodies[0]
                         else ["data", "includes", "errors", "meta"])

    def test_only_the_requested_expansions_are_served(self):
        fake = self.start()
        for expansion, kinds in (("attachments.media_keys", {"media"}), ("attachments.poll_ids", {"polls"}),
                                 ("geo.place_id", {"places"}), ("referenced_tweets.id", {"tweets"}),
                                 ("referenced_tweets.id.author_id", {"users"}),
                                 ("in_reply_to_user_id", {"users"}), ("entities.mentions.username", {"users"})):
            bodies = []
            drain(fake, expansions=expansion, bodies=bodies)
            got = set().union(*(set(b.get("includes", {})) for b in bodies))
            self.assertEqual(got, kinds, expansion)
        bodies = []
        drain(fake, expansions="referenced_tweets.id,referenced_tweets.id.author_id", bodies=bodies)
        for body in bodies:
            self.assertEqual({u["id"] for u in body["includes"]["users"]},
                             {t["author_id"] for t in body["includes"]["tweets"]})
        bodies = []
        drain(fake, expansions="entities.mentions.username", bodies=bodies)
        for body in bodies:
            names = {u["username"].lower() for u in body.get("includes", {}).get("users", [])}
            for tweet in body["data"]:
                for m in tweet.get("entities", {}).get("mentions", []):
                    if m["username"].lower() not in names:
                        self.assertIn(m["username"].lower(), {e["resource_id"].lower() for e in body["errors"]})

    def test_long_posts_carry_note_tweet_only_when_asked(self):
        fake = self.start("--long-posts", "12", "--seed", "7")
        _, listing = fake.get("/_fake/posts")
        long_posts = {p["id"]: p["full_text"] for p in listing["posts"] if p["long"]}
        self.assertEqual(len(long_posts), 12)
        for full in long_posts.values():
            self.assertTrue(400 <= len(full) <= 1200, len(full))
            self.assertTrue(any(ord(c) > 0xFFFF for c in full), "an emoji outside the BMP")
            self.assertTrue(any(0x7F < ord(c) <= 0xFFFF for c in full), "other non-ASCII")
        for fields, asked in (("", False), ("created_at,author_id", False), ("note_tweet", True),
                              ("created_at,note_tweet,entities", True)):
            bodies = []
            drain(fake, bodies=bodies, **({"tweet.fields": fields} if fields else {}))
            seen = {}
            for body in bodies:
                for tweet in body["data"]:
                    if tweet["id"] in long_posts:
                        seen[tweet["id"]] = tweet
                    else:
                        self.assertNotIn("note_tweet", tweet)
            self.assertEqual(set(seen), set(long_posts))
            for tid, tweet in seen.items():
                self.assertEqual(tweet["text"], long_posts[tid][:280])
                self.assertEqual(len(tweet["text"]), 280)
                if asked:
                    self.assertEqual(tweet["note_tweet"]["text"], long_posts[tid])
                else:
                    self.assertNotIn("note_tweet", tweet)
        # The same seed picks the same posts (--posts-file says the same); another seed others.
        listing_file = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
        self.addCleanup(os.unlink, listing_file)
        again = self.start("--long-posts", "12", "--seed", "7", "--posts-file", listing_file)
        with open(listing_file, encoding="utf-8") as f:
            self.assertEqual(json.load(f), again.get("/_fake/posts")[1])
        _, listing = again.get("/_fake/posts")
        self.assertEqual({p["id"]: p.get("full_text") for p in listing["posts"] if p["long"]}, long_posts)
        other = self.start("--long-posts", "12", "--seed", "8")
        _, listing = other.get("/_fake/posts")
        self.assertNotEqual({p["id"] for p in listing["posts"] if p["long"]}, set(long_posts))

    def test_live_mode_rewrites_ids_and_times(self):
        t0 = time.time()
        fake = self.start("--live-span", "100", "--live-offset", "-200")
        bodies = []
        ids, metas = drain(fake, max_results=10, bodies=bodies)
        t1 = time.time()
        self.assertEqual(len(ids), 400)
        self.assertEqual(len(metas), 40)
        self.assertEqual([int(i) for i in ids], sorted((int(i) for i in ids), reverse=True))
        tweets = [t for b in bodies for t in b["data"]]
        for tweet in tweets:
            ms = (int(tweet["id"]) >> 22) + TWITTER_EPOCH_MS
            self.assertTrue(t0 - 201 <= ms / 1000 <= t1 - 99, (ms, t0))
            self.assertTrue(tweet["created_at"].endswith(".000Z"), tweet["created_at"])
            self.assertEqual(epoch(tweet["created_at"]), ms // 1000)
        times = sorted(epoch(t["created_at"]) for t in tweets)
        self.assertLessEqual(times[-1] - times[0], 100)
        self.assertGreaterEqual(times[-1] - times[0], 98)  # spread over the whole span
        _, stats = fake.get("/_fake/stats")
        self.assertEqual(stats["searchable"], 400)

    def test_live_mode_index_latency_makes_ids_arrive_out_of_order(self):
        fake = self.start("--live-span", "60", "--live-offset", "-75", "--index-latency", "60", "--seed", "3")
        _, listing = fake.get("/_fake/posts")
        posts = listing["posts"]
        before = time.time()
        bodies = []
        ids, _ = drain(fake, bodies=bodies, end_time=iso(before - 11))
        after = time.time()
        served = set(ids)
        end = int(before - 11)
        surely = {p["id"] for p in posts if p["searchable_at"] <= before and epoch(p["created_at"]) < end}
        maybe = {p["id"] for p in posts if p["searchable_at"] <= after and epoch(p["created_at"]) < end}
        self.assertTrue(surely <= served <= maybe)
        # An older post still unsearchable while a newer one was served: ids arrive out of order.
        unsearchable = [int(p["id"]) for p in posts if p["searchable_at"] > after and epoch(p["created_at"]) < end]
        self.assertTrue(unsearchable)
        self.assertTrue(any(int(i) > min(unsearchable) for i in served))
        # The same seed gives the same latencies; another seed others.
        again = self.start("--live-span", "60", "--live-offset", "-75", "--index-latency", "60", "--seed", "3")
        _, listing2 = again.get("/_fake/posts")
        lat = [p["searchable_at"] - epoch(p["created_at"]) for p in posts]
        lat2 = [p["searchable_at"] - epoch(p["created_at"]) for p in listing2["posts"]]
        self.assertTrue(all(abs(a - b) < 1.01 for a, b in zip(lat, lat2)))
        self.assertTrue(all(-0.01 <= x <= 61 for x in lat))

    def test_live_mode_end_time_rules(self):
        fake = self.start("--live-span", "60", "--live-offset", "-60")
        now = time.time()
        for params, message in (({"end_time": iso(now - 3)}, "minimum of 10 seconds prior to the request time"),
                                ({"end_time": iso(now + 60)}, "minimum of 10 seconds"),
                                ({"start_time": iso(now - 20), "end_time": iso(now - 40)}, "must be before"),
                                ({"start_time": iso(now - 15)}, "must be before"),
                                ({"start_time": iso(now - 8 * 86400)}, "must be on or after")):
            resp, body = fake.search(**params)
            self.assertEqual(resp.status, 400, params)
            self.assertEqual(body["title"], "Invalid Request")
            self.assertIn(message, body["errors"][0]["message"])
        # Default end_time is now - 30 s: posts of the last 30 s are not there yet.
        ids, _ = drain(fake)
        _, listing = fake.get("/_fake/posts")
        created = {p["id"]: epoch(p["created_at"]) for p in listing["posts"]}
        self.assertTrue(ids)
        self.assertTrue(all(created[i] < time.time() - 30 for i in ids))
        self.assertLess(len(ids), 400)
        # An explicit end_time 15 s back and a start_time: exactly the posts created in [start, end).
        now = time.time()
        start, end = int(now - 50), int(now - 15)
        ids, _ = drain(fake, start_time=iso(start), end_time=iso(end))
        self.assertEqual(set(ids), {i for i, c in created.items() if start <= c < end})
        # until_id and since_id still apply, and next_token pages continue below the token's id.
        all_ids = sorted((int(i) for i in ids), reverse=True)
        hi, lo = all_ids[10], all_ids[-10]
        page_ids, metas = drain(fake, max_results=10, until_id=hi, since_id=lo, end_time=iso(end))
        self.assertEqual([int(i) for i in page_ids], [i for i in all_ids if lo < i < hi])
        self.assertGreater(len(metas), 2)

    def test_counts_recent(self):
        fake = self.start("--counts-per-day", "1,2,3,4,5,6,7,8")
        t0 = time.time()
        if (t0 + 5) % 86400 < 40:  # until now - 30 s is past 00:00 UTC, today has no bucket yet
            self.skipTest("run in the 35 s after 00:00 UTC, when the day buckets are 7, not 8")
        resp, body = fake.get("/2/tweets/counts/recent", query="x", granularity="day")
        self.assertEqual(resp.status, 200)
        self.assertEqual(list(body), ["data", "meta"])
        data = body["data"]
        self.assertEqual(len(data), 8)
        self.assertEqual([b["tweet_count"] for b in data], [1, 2, 3, 4, 5, 6, 7, 8])
        self.assertEqual(body["meta"], {"total_tweet_count": 36})
        self.assertEqual(set(data[0]), {"start", "end", "tweet_count"})
        self.assertTrue(all(b["start"].endswith(".000Z") and b["end"].endswith(".000Z") for b in data))
        self.assertAlmostEqual(epoch(data[0]["start"]), t0 - 7 * 86400, delta=3)
        self.assertAlmostEqual(epoch(data[-1]["end"]), t0 - 30, delta=3)
        for a, b in zip(data, data[1:]):
            self.assertEqual(a["end"], b["start"])
        self.assertTrue(all(b["start"].endswith("T00:00:00.000Z") for b in data[1:]))
        self.assertEqual(data[-1]["start"][:10], datetime.now(timezone.utc).strftime("%Y-%m-%d"))
        # Computed from the pool (outside live mode: the newest recorded day is today); hour buckets.
        fake = self.start()
        resp, body = fake.get("/2/tweets/counts/recent", query="x")
        self.assertEqual(resp.status, 200)
        self.assertIn(len(body["data"]), (7 * 24, 7 * 24 + 1))  # 168 in the 30 s after a full hour
        self.assertEqual(body["meta"]["total_tweet_count"], 200)  # the two 2021-09-22 pages
        self.assertEqual(sum(b["tweet_count"] for b in body["data"]), 200)
        _, body = fake.get("/2/tweets/counts/recent", query="x", granularity="minute",
                           start_time=iso(time.time() - 3600))
        self.assertEqual(body["meta"]["total_tweet_count"], 200)
        self.assertIn(len(body["data"]), (59, 60, 61))
        for params in ({"query": ""}, {"query": "x", "granularity": "week"}, {"query": "x", "since_id": "x1"},
                       {"query": "x", "end_time": iso(time.time() - 2)}, {"query": "x", "max_results": "10"}):
            resp, body = fake.get("/2/tweets/counts/recent", **params)
            self.assertEqual(resp.status, 400, params)
            self.assertIn("errors", body)
        resp, _ = fake.get("/2/tweets/counts/recent", headers={}, query="x")
        self.assertEqual(resp.status, 401)
        # Live mode counts what is searchable, with since_id applied.
        fake = self.start("--live-span", "3600", "--live-offset", "-3700")
        _, body = fake.get("/2/tweets/counts/recent", query="x", granularity="day")
        self.assertEqual(body["meta"]["total_tweet_count"], 400)
        ids, _ = drain(fake)
        _, body = fake.get("/2/tweets/counts/recent", query="x", since_id=sorted(ids)[99])
        self.assertEqual(body["meta"]["total_tweet_count"], 300)
        lines = [ln for ln in fake.lines() if ln["path"] == "/2/tweets/counts/recent"]
        self.assertEqual([(ln["n"], ln["status"], ln["served_ids"]) for ln in lines], [(1, 200, []), (2, 200, [])])
        _, stats = fake.get("/_fake/stats")
        self.assertEqual((stats["counts_requests"], stats["requests"]), (2, 4))

    def test_usage_tweets_shapes_and_statuses(self):
        fake = self.start("--usage-cap", "15000", "--usage-used", "14400", "--usage-reset-day", "17")
        resp, body = fake.get("/2/usage/tweets")
        self.assertEqual(resp.status, 200)
        self.assertEqual(body, {"data": {"cap_reset_day": 17, "project_cap": "15000",
                                         "project_id": body["data"]["project_id"], "project_usage": "14400"}})
        _, body = fake.get("/2/usage/tweets", **{"usage.fields": "daily_project_usage,daily_client_app_usage",
                                                  "days": "3"})
        daily = body["data"]["daily_project_usage"]
        self.assertEqual(daily["project_id"], body["data"]["project_id"])
        self.assertEqual(len(daily["usage"]), 3)
        self.assertEqual(sum(d["usage"] for d in daily["usage"]), 14400)
        self.assertTrue(daily["usage"][-1]["date"].startswith(datetime.now(timezone.utc).strftime("%Y-%m-%d")))
        self.assertEqual(body["data"]["daily_client_app_usage"][0]["usage_result_count"], 3)
        for params in ({"days": "0"}, {"days": "91"}, {"usage.fields": "bogus"}, {"nope": "1"}):
            resp, body = fake.get("/2/usage/tweets", **params)
            self.assertEqual(resp.status, 400, params)
        resp, _ = fake.get("/2/usage/tweets", headers={"Authorization": "Bearer wrong"})
        self.assertEqual(resp.status, 401)
        # Shape b: daily usage per app, numbers as numbers.
        fake = self.start("--usage-shape", "b", "--usage-cap", "100", "--usage-used", "96")
        _, body = fake.get("/2/usage/tweets")
        data = body["data"]
        self.assertEqual((data["project_cap"], data["project_usage"]), (100, 96))
        self.assertEqual(len(data["daily_project_usage"]), 7)
        day = data["daily_project_usage"][-1]
        self.assertEqual(day["date"], datetime.now(timezone.utc).strftime("%Y-%m-%d"))
        self.assertEqual(set(day["usage"][0]), {"app_id", "tweets_consumed"})
        self.assertEqual(sum(d["usage"][0]["tweets_consumed"] for d in data["daily_project_usage"]), 96)
        # Default usage: what the fake has served so far.
        fake = self.start()
        drain(fake, max_results=100)
        _, body = fake.get("/2/usage/tweets")
        self.assertEqual(body["data"]["project_usage"], "400")
        for status in (403, 404):
            fake = self.start("--usage-status", str(status))
            resp, body = fake.get("/2/usage/tweets")
            self.assertEqual(resp.status, status)
            self.assertIn("title", body)
            self.assertEqual(fake.lines()[-1]["path"], "/2/usage/tweets")
            self.assertEqual(fake.lines()[-1]["served_ids"], [])
        resp, body = fake.get("/2/tweets/nope")
        self.assertEqual(resp.status, 404)
        self.assertEqual(fake.lines()[-1]["path"], "/2/tweets/nope")
        resp, _ = fake.get("/2/tweets/nope", headers={})
        self.assertEqual(resp.status, 401)

    def test_exit_conditions(self):
        t0 = time.time()
        fake = self.start("--max-seconds", "1")
        self.assertEqual(fake.proc.wait(5), 0)
        self.assertLess(time.time() - t0, 4)
        fake = self.start("--exit-on-stdin-eof", stdin=subprocess.PIPE)
        fake.proc.stdin.close()
        self.assertEqual(fake.proc.wait(5), 0)
        fake = self.start()
        fake.proc.send_signal(signal.SIGTERM)
        self.assertEqual(fake.proc.wait(5), 0)


if __name__ == "__main__":
    unittest.main()
