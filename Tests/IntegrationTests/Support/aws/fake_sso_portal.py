#!/usr/bin/env python3
"""A loopback fake of the AWS SSO portal's GetRoleCredentials for the integration tests.

Usage:
    fake_sso_portal.py --credentials FILE --token TOKEN [--ttl-seconds 3600] [--max-seconds 120]

FILE holds a JSON list of {"AccessKeyId", "SecretAccessKey", "SessionToken"}. Request n (1-based)
of GET /federation/credentials?role_name=R&account_id=A carrying the header
x-amz-sso_bearer_token: TOKEN gets item min(n, len) - 1 as the documented answer
{"roleCredentials": {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}} with the
expiration in milliseconds since the epoch, --ttl-seconds from now. Another token gets 401
{"message": "Session token not found or invalid"}, as the portal answers.
GET /_fake/stats -> {"requests": n, "roles": ["R@A", ...]} (the token itself is never echoed).

Binds 127.0.0.1 on a free port and prints "LISTENING <port>". Exits on SIGTERM or after --max-seconds.
"""

import argparse
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--credentials", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--ttl-seconds", type=int, default=3600)
    parser.add_argument("--max-seconds", type=float, default=120)
    args = parser.parse_args()
    with open(args.credentials) as handle:
        pool = json.load(handle)
    lock = threading.Lock()
    state = {"requests": 0, "roles": []}

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
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/_fake/stats":
                with lock:
                    return self.answer(200, state)
            if url.path != "/federation/credentials":
                return self.answer(404, {"message": "no such path"})
            query = urllib.parse.parse_qs(url.query)
            role, account = query.get("role_name", [""])[0], query.get("account_id", [""])[0]
            if not role or not account:
                return self.answer(400, {"message": "role_name and account_id are required"})
            if self.headers.get("x-amz-sso_bearer_token") != args.token:
                return self.answer(401, {"message": "Session token not found or invalid"})
            with lock:
                state["requests"] += 1
                state["roles"].append(f"{role}@{account}")
                item = pool[min(state["requests"], len(pool)) - 1]
            expiration = int((time.time() + args.ttl_seconds) * 1000)
            self.answer(
                200,
                {
                    "roleCredentials": {
                        "accessKeyId": item["AccessKeyId"],
                        "secretAccessKey": item["SecretAccessKey"],
                        "sessionToken": item["SessionToken"],
                        "expiration": expiration,
                    }
                },
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"LISTENING {server.server_address[1]}", flush=True)
    timer = threading.Timer(args.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()


if __name__ == "__main__":
    main()
