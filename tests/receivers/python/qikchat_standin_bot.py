"""A small WhatsApp bot on Qikchat's API, in Python's standard library: the stand-in app that
`wa-hook emulate test` plays samples/conversations/qikchat.toml against
(tests/cli/emulate_test.rs). It reads PORT and WA_HOOK_BASE_URL, sends with POST /v1/messages
and a QIKCHAT-API-KEY header, and answers each callback after the sends it makes for it.

  a text         "Order N ships tomorrow." when it names an order number, else "Hi! Ask me
                 about an order."
  an image       "Thanks for the photo, we will look into it."
  a read status  of its first reply: "How did we do?"

BREAK (the first argument): wrong-text (answers an order with "Hello"), silent, wrong-contact
(answers an order to +919800000000, not to the customer who wrote).
"""

import json
import os
import re
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE_URL = os.environ["WA_HOOK_BASE_URL"]
BREAK = sys.argv[1] if len(sys.argv) > 1 else ""
FIRST_REPLY = {}


def send(to, text):
    body = {"to_contact": "+" + to, "type": "text", "text": {"body": text}}
    request = urllib.request.Request(
        f"{BASE_URL}/v1/messages",
        data=json.dumps(body).encode(),
        headers={"QIKCHAT-API-KEY": "standin-key", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def on_message(payload):
    message = payload["message"]
    sender = message["from"]
    if BREAK == "silent":
        return
    if message["type"] == "text":
        order = re.search(r"\b(\d{3,})\b", message["text"]["body"])
        if BREAK == "wrong-text":
            text = "Hello"
        elif order:
            text = f"Order {order.group(1)} ships tomorrow."
        else:
            text = "Hi! Ask me about an order."
        answer = send("919800000000" if BREAK == "wrong-contact" and order else sender, text)
        if "id" not in FIRST_REPLY:
            FIRST_REPLY.update(id=answer["data"][0]["id"], to=sender)
    elif message["type"] == "image":
        send(sender, "Thanks for the photo, we will look into it.")


def on_status(payload):
    if payload.get("status") == "read" and payload.get("id") == FIRST_REPLY.get("id"):
        send(FIRST_REPLY["to"], "How did we do?")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        update = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        if update.get("event") == "whatsapp:message:in":
            on_message(update["payload"])
        elif update.get("event") == "whatsapp:message:status":
            on_status(update["payload"])
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()
