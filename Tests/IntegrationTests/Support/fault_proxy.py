#!/usr/bin/env python3
"""Fault-injecting HTTP proxy for the tweet-ingest fault tests (stdlib only).

Sits on 127.0.0.1 between the daemon and an upstream (moto_server for S3) and breaks some of
the requests on purpose, so tests can prove that nothing is lost and nothing is duplicated.

Usage:
    python3 fault_proxy.py --upstream http://127.0.0.1:PORT [--port 0] [--log FILE]
        [--fault-rate 0.3] [--methods PUT,POST] [--kinds 503,500,drop-before,drop-after]
        [--seed 1] [--max-seconds 600]

Prints exactly "LISTENING <port>" on stdout when ready. Binds 127.0.0.1 only; exits after
--max-seconds, on SIGTERM/SIGINT.

Requests are forwarded unchanged (the Host header too, so SigV4 signatures still verify
upstream). A request whose method is in --methods is faulted with probability --fault-rate
(seeded, so runs repeat), with one of --kinds chosen at random:
  503          answer 503 SlowDown (S3's XML error body); nothing reaches upstream
  500          answer 500 InternalError; nothing reaches upstream
  drop-before  close the connection without forwarding
  drop-after   forward, read upstream's answer, then close without answering (the write
               happened, the client cannot know)

Control (never faulted):
  POST /_proxy/blackout?on=1   every other request gets its connection closed at once
  POST /_proxy/blackout?on=0   back to normal
  POST /_proxy/faults?rate=R   change the fault rate
  POST /_proxy/delay?contains=TEXT&seconds=S
                               hold every request whose path contains TEXT for S seconds
                               before forwarding it (widens the window a kill can hit, e.g.
                               `_state/` for checkpoint writes, `partNumber=` for parts);
                               seconds=0 removes the rule. A held request whose client has
                               gone (killed) is dropped, never forwarded.
  GET  /_proxy/stats           {"requests", "faulted", "forwarded", "blackout", "held"}
                               (held: requests being delayed right now)

Log (--log, JSON lines): {"n", "method", "path", "fault", "upstream_status", "blackout"}.
"""
import argparse
import http.client
import json
import random
import select
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_DOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
             b'<Message>Please reduce your request rate.</Message><RequestId>FAULTPROXY</RequestId></Error>')
INTERNAL = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>'
            b'<Message>We encountered an internal error. Please try again.</Message>'
            b'<RequestId>FAULTPROXY</RequestId></Error>')
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}


class State:
    def __init__(self, cfg):
        self.cfg = cfg
        self.lock = threading.Lock()
        self.random = random.Random(cfg.seed)
        self.rate = cfg.fault_rate
        self.blackout = False
        self.delays = {}
        self.held = 0
        self.requests = self.faulted = self.forwarded = 0
        self.log = open(cfg.log, "a", encoding="utf-8") if cfg.log else None

    def choose_fault(self, method):
        with self.lock:
            self.requests += 1
            n = self.requests
            if method not in self.cfg.methods or self.random.random() >= self.rate:
                return n, None
            self.faulted += 1
            return n, self.random.choice(self.cfg.kinds)

    def record(self, entry):
        if not self.log:
            return
        with self.lock:
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-proxy"

    def log_message(self, *args):
        pass

    def do_GET(self): self.handle_any()
    def do_PUT(self): self.handle_any()
    def do_POST(self): self.handle_any()
    def do_DELETE(self): self.handle_any()
    def do_HEAD(self): self.handle_any()

    def handle_any(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/_proxy/"):
            return self.control(state)
        if state.blackout:
            state.record({"n": None, "method": self.command, "path": self.path, "fault": None,
                          "upstream_status": None, "blackout": True})
            return self.drop()
        with state.lock:
            delay = max([s for text, s in state.delays.items() if text in self.path] or [0])
            if delay:
                state.held += 1
        if delay:
            time.sleep(delay)
            with state.lock:
                state.held -= 1
            if self.client_gone():
                # The client died while its request was held (a kill -9): like a request still
                # in the network when the process died, it never reaches S3.
                state.record({"n": None, "method": self.command, "path": self.path, "fault": "client-gone",
                              "upstream_status": None, "blackout": False})
                return self.drop()
        n, fault = state.choose_fault(self.command)
        entry = {"n": n, "method": self.command, "path": self.path, "fault": fault,
                 "upstream_status": None, "blackout": False}
        if fault in ("503", "500"):
            state.record(entry)
            status, payload = (503, SLOW_DOWN) if fault == "503" else (500, INTERNAL)
            return self.reply(status, payload, "application/xml")
        if fault == "drop-before":
            state.record(entry)
            return self.drop()
        try:
            status, headers, payload = self.forward(body)
        except OSError as error:
            entry["upstream_status"] = "error: %s" % error
            state.record(entry)
            return self.reply(502, str(error).encode(), "text/plain")
        with state.lock:
            state.forwarded += 1
        entry["upstream_status"] = status
        state.record(entry)
        if fault == "drop-after":
            return self.drop()
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def client_gone(self):
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def forward(self, body):
        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(self.command, self.path, body=body if body else None, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            return response.status, response.getheaders(), payload
        finally:
            connection.close()

    def control(self, state):
        parsed = urllib.parse.urlparse(self.path)
        query = dict(urllib.parse.parse_qsl(parsed.query))
        with state.lock:
            if parsed.path == "/_proxy/blackout":
                state.blackout = query.get("on") == "1"
            elif parsed.path == "/_proxy/faults":
                state.rate = float(query.get("rate", state.rate))
            elif parsed.path == "/_proxy/delay":
                seconds = float(query.get("seconds", "0"))
                if seconds > 0:
                    state.delays[query.get("contains", "")] = seconds
                else:
                    state.delays.pop(query.get("contains", ""), None)
            stats = {"requests": state.requests, "faulted": state.faulted,
                     "forwarded": state.forwarded, "blackout": state.blackout, "rate": state.rate,
                     "held": state.held}
        self.reply(200, json.dumps(stats).encode(), "application/json")

    def reply(self, status, payload, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--fault-rate", type=float, default=0.3)
    ap.add_argument("--methods", default="PUT,POST")
    ap.add_argument("--kinds", default="503,500,drop-before,drop-after")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=600)
    cfg = ap.parse_args(argv)
    cfg.methods = set(m.strip().upper() for m in cfg.methods.split(",") if m.strip())
    cfg.kinds = [k.strip() for k in cfg.kinds.split(",") if k.strip()]
    server = ThreadingHTTPServer(("127.0.0.1", cfg.port), Handler)
    server.daemon_threads = True
    server.state = State(cfg)
    server.upstream = urllib.parse.urlparse(cfg.upstream)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    timer = threading.Timer(cfg.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    print("LISTENING %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
