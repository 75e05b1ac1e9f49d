"""A small bot on 99 Digital's sendMessage, in Python's standard library: the stand-in app of
tests/cli/emulate_test.rs for `emulate test` with 99 Digital. It reads PORT, WA_HOOK_BASE_URL,
WA_HOOK_FROM and WA_HOOK_CUSTOMER, answers each partner event 200 and then sends the customer
"ready" (v1: {apiKey, from, to, text}).

BREAK (the first argument): wrong-from (sends from a number that is not the emulated account,
which 99 Digital answers HTTP 200 with status FAIL, reason 2).
"""

import json
import os
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

BREAK = sys.argv[1] if len(sys.argv) > 1 else ""


def send(text):
    sender = "972500000000" if BREAK == "wrong-from" else os.environ["WA_HOOK_FROM"]
    body = {"apiKey": "stand-in-key", "from": sender, "to": os.environ["WA_HOOK_CUSTOMER"], "text": text}
    request = urllib.request.Request(
        os.environ["WA_HOOK_BASE_URL"] + "/whatsapp/sendMessage",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).read()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        send("ready")

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
