"""A small WhatsApp bot on Picky Assist, in Python's standard library: the stand-in app that
`wa-hook emulate test` plays samples/conversations/picky.toml against (tests/cli/emulate_test.rs).
It reads PORT and WA_HOOK_BASE_URL; one URL takes both the messages and the delivery reports.

  a message naming an order  an instant reply (the answer to the webhook): "Order N ships
                             tomorrow."
  any other message          a push (POST /api/v2/push): "We will call you back."
  a report that the customer read that push: a push "How did we do?"

BREAK (the first argument): no-reply (answers every message with an empty 200), bad-delay (the
instant reply's delay is "soon", not a number of seconds: Picky does not send it), wrong-number
(its push goes to 919800000000, not to the customer who wrote).
"""

import json
import os
import re
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE_URL = os.environ["WA_HOOK_BASE_URL"]
BREAK = sys.argv[1] if len(sys.argv) > 1 else ""
PUSHED = {}


def push(number, text):
    body = {"token": "standin-token", "application": "8", "globalmessage": "",
            "data": [{"number": str(number), "message": text}]}
    request = urllib.request.Request(
        f"{BASE_URL}/api/v2/push",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, body=b""):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        update = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        if "event_id" in update:
            for item in update.get("data", []):
                if str(item.get("status")) == "3" and str(item.get("msg_id")) == PUSHED.get("id"):
                    push(item["number"], "How did we do?")
            self.answer()
            return
        if BREAK == "no-reply":
            self.answer()
            return
        text = update.get("message_in_raw", "")
        order = re.search(r"\b(\d{3,})\b", text)
        if order:
            delay = "soon" if BREAK == "bad-delay" else "0"
            reply = {"message-out": f"Order {order.group(1)} ships tomorrow.", "delay": delay}
            self.answer(json.dumps(reply).encode())
            return
        number = "919800000000" if BREAK == "wrong-number" else update["number"]
        answer = push(number, "We will call you back.")
        PUSHED.setdefault("id", str(answer["data"][0]["msg_id"]))
        self.answer()


server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()
