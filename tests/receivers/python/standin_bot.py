"""A small WhatsApp bot on Meta's Cloud API, in Python's standard library: the stand-in app that
`wa-hook emulate test` plays samples/conversations/meta.toml against (tests/cli/emulate_test.rs).

Started by `wa-hook emulate test ... -- python3 standin_bot.py [BREAK]`, it reads what the
runner gives every app: PORT (where to listen), WA_HOOK_BASE_URL (the emulator: its Graph API
base) and WA_HOOK_PHONE_NUMBER_ID; APP_SECRET, when set, is checked against every webhook's
X-Hub-Signature-256. It answers each webhook after the sends it makes for it.

What it does:
  a text         marks it read, then replies quoting it: "Order N ships tomorrow." when the
                 text names an order number, else "Hi NAME! Ask me about an order."
  an image       "Thanks for the photo, we will look into it."
  a read status  of its first reply: the template feedback_request with the customer's name
                 (a template, since the customer-service window may have closed)
  a message again  (the same id: a provider's duplicate delivery) nothing

BREAK, to see a conversation fail: no-quote (replies without quoting), text-follow-up (a text
instead of the template), bad-send (a text whose body is under `txt`, which the send schema refuses),
crash-on-image (exits when an image comes), silent (never replies), no-dedupe (answers a
duplicate delivery again), wrong-recipient (its replies go to 15550001111, not to the customer
who wrote). slow-failed, as a second argument (with text-follow-up: takes 2 s
to answer a `failed` status, as an app that handles it before it answers).
"""

import hashlib
import hmac
import json
import os
import re
import sys
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE_URL = os.environ["WA_HOOK_BASE_URL"]
PHONE_NUMBER_ID = os.environ["WA_HOOK_PHONE_NUMBER_ID"]
SECRET = os.environ.get("APP_SECRET", "").encode()
BREAK = sys.argv[1] if len(sys.argv) > 1 else ""
SLOW_FAILED = "slow-failed" in sys.argv[2:]
FIRST_REPLY = {}
SEEN = set()


def send(body):
    body = dict(body, messaging_product="whatsapp")
    request = urllib.request.Request(
        f"{BASE_URL}/v26.0/{PHONE_NUMBER_ID}/messages",
        data=json.dumps(body).encode(),
        headers={"Authorization": "Bearer standin-token", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as err:
        print(f"send refused: {err.code} {err.read()[:300]!r}", file=sys.stderr, flush=True)
        return {}


def reply(to, text, quoting=None):
    if BREAK == "wrong-recipient":
        to = "15550001111"
    body = {"to": to, "type": "text", "text": {"body": text}}
    if quoting and BREAK != "no-quote":
        body["context"] = {"message_id": quoting}
    return send(body)


def on_message(message, contacts):
    sender = message["from"]
    name = (contacts[0].get("profile") or {}).get("name", "there") if contacts else "there"
    if BREAK == "silent":
        return
    if message["id"] in SEEN and BREAK != "no-dedupe":
        return
    SEEN.add(message["id"])
    if message["type"] == "text":
        send({"status": "read", "message_id": message["id"]})
        text = message["text"]["body"]
        order = re.search(r"\b(\d{3,})\b", text)
        if BREAK == "bad-send":
            answer = send({"to": sender, "type": "text", "txt": {"body": "Order 1234 ships tomorrow."}})
        elif order:
            answer = reply(sender, f"Order {order.group(1)} ships tomorrow.", message["id"])
        else:
            answer = reply(sender, f"Hi {name}! Ask me about an order.", message["id"])
        sent = (answer.get("messages") or [{}])[0].get("id")
        if sent and "first" not in FIRST_REPLY:
            FIRST_REPLY["first"] = sent
            FIRST_REPLY["to"] = sender
            FIRST_REPLY["name"] = name
    elif message["type"] == "image":
        if BREAK == "crash-on-image":
            print("Traceback (most recent call last):\nKeyError: 'caption'", file=sys.stderr, flush=True)
            os._exit(3)
        reply(sender, "Thanks for the photo, we will look into it.")


def on_status(status):
    if status.get("status") == "failed" and SLOW_FAILED:
        time.sleep(2)
    if status.get("status") != "read" or status.get("id") != FIRST_REPLY.get("first"):
        return
    to = FIRST_REPLY["to"]
    if BREAK == "text-follow-up":
        reply(to, "How did we do?")
        return
    send({
        "to": to,
        "type": "template",
        "template": {
            "name": "feedback_request",
            "language": {"code": "en_US"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": FIRST_REPLY["name"]}]}
            ],
        },
    })


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"ok"):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if SECRET:
            expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, self.headers.get("X-Hub-Signature-256", "")):
                self.answer(403, b"bad signature")
                return
        update = json.loads(body)
        for entry in update.get("entry", []):
            for change in entry.get("changes", []):
                value = change.get("value", {})
                for message in value.get("messages", []):
                    on_message(message, value.get("contacts", []))
                for status in value.get("statuses", []):
                    on_status(status)
        self.answer(200)


server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()
