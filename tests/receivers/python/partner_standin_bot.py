"""A small bot on 99 Digital's API, in Python's standard library: the stand-in app that
`wa-hook emulate test` plays samples/conversations/partner.toml against
(tests/cli/emulate_test.rs). It reads PORT and WA_HOOK_BASE_URL and answers each partner event
after the requests it makes for it.

  event whatsapp  (a line onboarded) v2 sendMessage `body` "Line N is connected: welcome
                  aboard." to the line's owner, a readStatus, then v1 sendMessage `text`
                  "Daily limit: N messages.", each with the event's whatsapp_apiKey
  any other event nothing sent

BREAK (the first argument): wrong-text (the v1 text says "Hello"), empty-text (the v1 text is
blank, which 99 Digital refuses with reason 5), refuse-builder (answers a builder event 500).
"""

import json
import os
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE_URL = os.environ["WA_HOOK_BASE_URL"]
BREAK = sys.argv[1] if len(sys.argv) > 1 else ""
OWNER = "972529988776"


def post(path, body):
    request = urllib.request.Request(
        f"{BASE_URL}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def on_line(event):
    line, key = event["whatsapp"], event.get("whatsapp_apiKey", "standin-key")
    base = {"apiKey": key, "from": line, "to": OWNER}
    post("/whatsapp/v2/sendMessage", dict(base, body=f"Line {line} is connected: welcome aboard."))
    post("/whatsapp/v2/readStatus", base)
    text = {"wrong-text": "Hello", "empty-text": "  "}.get(
        BREAK, f"Daily limit: {event['daily_limit']} messages."
    )
    post("/whatsapp/sendMessage", dict(base, text=text))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        event = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        status = 200
        if event.get("event") == "whatsapp":
            on_line(event)
        elif event.get("event") == "builder" and BREAK == "refuse-builder":
            status = 500
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()
