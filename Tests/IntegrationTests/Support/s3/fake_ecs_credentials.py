#!/usr/bin/env python3
"""A loopback fake of the ECS/EKS container credentials endpoint for the integration tests.

Usage:
    fake_ecs_credentials.py --credentials FILE [--path /v2/credentials/task] [--ttl-seconds 900]
        [--authorization TOKEN] [--max-seconds 120] [--exit-on-stdin-eof]

FILE holds a JSON list of {"AccessKeyId", "SecretAccessKey", "SessionToken"}. Request n (1-based)
to --path gets item min(n, len) - 1 as the documented JSON document
{"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "RoleArn"}, with Expiration
--ttl-seconds after now (UTC, RFC 3339). With --authorization, a request without exactly that
Authorization header gets 401. GET /_fake/stats -> {"requests": n, "authorization": [values]}.

Binds 127.0.0.1 on a free port and prints "LISTENING <port>". Exits on SIGTERM, after
--max-seconds, and on stdin EOF when --exit-on-stdin-eof is given.
"""

import argparse
import datetime
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--credentials", required=True)
    parser.add_argument("--path", default="/v2/credentials/task")
    parser.add_argument("--ttl-seconds", type=int, default=900)
    parser.add_argument("--authorization")
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    with open(args.credentials) as handle:
        pool = json.load(handle)
    lock = threading.Lock()
    state = {"requests": 0, "authorization": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def answer(self, status, document):
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/_fake/stats":
                with lock:
                    return self.answer(200, state)
            if self.path != args.path:
                return self.answer(404, {"code": "NotFound", "message": "no such path"})
            authorization = self.headers.get("Authorization")
            with lock:
                state["requests"] += 1
                state["authorization"].append(authorization)
                item = pool[min(state["requests"], len(pool)) - 1]
            if args.authorization is not None and authorization != args.authorization:
                return self.answer(401, {"code": "AccessDenied", "message": "bad authorization token"})
            expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=args.ttl_seconds)
            self.answer(
                200,
                {
                    "AccessKeyId": item["AccessKeyId"],
                    "SecretAccessKey": item["SecretAccessKey"],
                    "Token": item["SessionToken"],
                    "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "RoleArn": "arn:aws:iam::123456789012:role/tweet-ingest-task",
                },
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"LISTENING {server.server_address[1]}", flush=True)

    def wait_for_eof():
        sys.stdin.read()
        server.shutdown()

    if args.exit_on_stdin_eof:
        threading.Thread(target=wait_for_eof, daemon=True).start()
    timer = threading.Timer(args.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()


if __name__ == "__main__":
    main()
