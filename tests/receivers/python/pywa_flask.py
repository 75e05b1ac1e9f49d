"""pywa 4.5 on Flask, from pywa's README ("Echo Bot" + "Plug Into Your Own Server"): a real
WhatsApp receiver that wa-hook's tests run doctor and replay against.

Run (after the tests installed the pinned packages into target/receivers/python):

    PORT=0 VERIFY_TOKEN=... APP_SECRET=... PYTHONPATH=target/receivers/python \
        python3 tests/receivers/python/pywa_flask.py

Environment: PORT (0 picks a free port), VERIFY_TOKEN, APP_SECRET. The first line on stdout is
the webhook's URL (http://127.0.0.1:PORT/webhook); the SDK's log goes to stderr.

Safety: nothing leaves this machine. pywa sends every Graph API call (replies, mark-as-read)
through the httpx client it is given; that client's base URL is set to a stand-in Graph API on
127.0.0.1 (after pywa set graph.facebook.com) and its transport refuses any other host; any
other httpx client is sent to a proxy on 127.0.0.1 that does not exist.
"""

import http.server
import json
import logging
import os
import sys
import threading

import flask
import httpx
from pywa import WhatsApp, filters, types
from werkzeug.serving import make_server

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class StandInGraphApi(http.server.BaseHTTPRequestHandler):
    """Answers every Graph API call as a working Graph API would, so the app behaves as it
    does in production: a send gets a message id, anything else `{"success": true}`."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 1 << 20))
        try:
            sent = json.loads(body or b"{}")
        except ValueError:
            sent = {}
        if self.path.endswith("/messages") and sent.get("status") != "read":
            # Meta answers with the recipient as sent: a phone number (`to`) comes back as
            # `wa_id`, a business-scoped user id (`recipient`) as `user_id`.
            if sent.get("to"):
                contact = {"input": str(sent["to"]), "wa_id": str(sent["to"])}
            else:
                recipient = str(sent.get("recipient", ""))
                contact = {"input": recipient, "user_id": recipient}
            answer = {
                "messaging_product": "whatsapp",
                "contacts": [contact],
                "messages": [{"id": "wamid.stand-in"}],
            }
        else:
            answer = {"success": True}
        self.answer(answer)

    def do_GET(self):
        self.answer({"success": True})

    def answer(self, answer):
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class LoopbackOnly(httpx.BaseTransport):
    """An httpx transport that refuses any host but the loopback stand-in."""

    def __init__(self):
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request):
        if request.url.host not in LOOPBACK:
            raise httpx.ConnectError(f"refused: {request.url.host} is not on this machine")
        return self.inner.handle_request(request)


def main():
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    # Any other httpx client pywa might create (a media download) goes through a proxy on
    # 127.0.0.1 that is not there, so it fails here instead of leaving the machine.
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        os.environ[proxy] = "http://127.0.0.1:9"
    for no_proxy in ("NO_PROXY", "no_proxy"):
        os.environ.pop(no_proxy, None)

    graph = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandInGraphApi)
    threading.Thread(target=graph.serve_forever, daemon=True).start()

    session = httpx.Client(transport=LoopbackOnly(), trust_env=False)
    app = flask.Flask(__name__)
    # The README's constructor, without callback_url (so pywa registers nothing with Meta)
    # and without phone_id: wa-hook's samples come to three phone numbers, and pywa drops an
    # update for another number than its phone_id before any handler sees it.
    wa = WhatsApp(
        token="stand-in-token",
        session=session,
        server=app,
        webhook_endpoint="/webhook",
        verify_token=os.environ["VERIFY_TOKEN"],
        app_secret=os.environ["APP_SECRET"],
    )
    # pywa set graph.facebook.com on the client it was given; point it at the stand-in.
    session.base_url = session.base_url.copy_with(
        scheme="http", host="127.0.0.1", port=graph.server_port
    )

    @wa.on_message(filters.text)
    def echo(_: WhatsApp, msg: types.Message):
        msg.reply(f"You said: {msg.text}")

    server = make_server("127.0.0.1", int(os.environ.get("PORT", "0")), app, threaded=True)
    print(f"http://127.0.0.1:{server.port}/webhook", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
