"""A small Omni Smartflow webhook receiver, in Python's standard library: the stand-in app that
`wa-hook emulate test` plays samples/conversations/smartflow.toml against
(tests/cli/emulate_test.rs). Omni Smartflow has no public send API, so the bot only takes its
two callbacks: the incoming-message callback at /webhook and the status callback at /status,
each answered 200 once its body is a Smartflow (On-Premises style) message or status.

BREAK (the first argument): refuse-images (answers an image message 415), refuse-failed
(answers a failed status 500).
"""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BREAK = sys.argv[1] if len(sys.argv) > 1 else ""


def first(items):
    return items[0] if isinstance(items, list) else items


def answer_for(path, body):
    if path == "/webhook":
        message = first(body.get("messages") or [{}])
        if "type" not in message:
            return 400
        if message["type"] == "image" and BREAK == "refuse-images":
            return 415
        return 200
    if path == "/status":
        status = first(body.get("statuses") or [{}])
        if "id" not in status:
            return 400
        if status.get("status") == "failed" and BREAK == "refuse-failed":
            return 500
        return 200
    return 404


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.send_response(answer_for(self.path, body))
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()
