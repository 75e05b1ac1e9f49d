"""A WhatsApp bot written with pywa 4.5 (PyPI) on Flask: the real SDK-based app that
`wa-hook emulate test` plays samples/conversations/meta.toml against (tests/cli/emulate_test.rs).
It does what tests/receivers/python/standin_bot.py does, through pywa's own calls and handlers.

Started by `wa-hook emulate test ... -- python3 pywa_bot.py [BREAK]` with the pinned packages on
PYTHONPATH (target/receivers/python), it reads what the runner gives every app: PORT,
WA_HOOK_BASE_URL (pywa has no base-URL option: the httpx client it is given is re-pointed, as
docs/emulate-design.md says) and WA_HOOK_PHONE_NUMBER_ID; APP_SECRET, which pywa checks every
webhook's signature with.

  a text          marks it read, replies quoting it (`reply_text(quote=True)`): "Order N ships
                  tomorrow." when it names an order number, else "Hi NAME! Ask me about an order."
  an image        "Thanks for the photo, we will look into it."
  a read status   of its first reply: the template feedback_request with the customer's name

BREAK: no-quote (replies without quoting), text-follow-up (a text instead of the template).

Safety: nothing leaves this machine; the httpx client's transport refuses any host but 127.0.0.1.
"""

import logging
import os
import re
import sys

import flask
import httpx
from pywa import WhatsApp, filters, types
from pywa.types.templates import BodyText, TemplateLanguage
from werkzeug.serving import make_server

BREAK = sys.argv[1] if len(sys.argv) > 1 else ""
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class LoopbackOnly(httpx.BaseTransport):
    """An httpx transport that refuses any host but the loopback emulator."""

    def __init__(self):
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request):
        if request.url.host not in LOOPBACK:
            raise httpx.ConnectError(f"refused: {request.url.host} is not on this machine")
        return self.inner.handle_request(request)


def main():
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        os.environ[proxy] = "http://127.0.0.1:9"
    session = httpx.Client(transport=LoopbackOnly(), trust_env=False)
    app = flask.Flask(__name__)
    wa = WhatsApp(
        phone_id=os.environ["WA_HOOK_PHONE_NUMBER_ID"],
        token="pywa-bot-token",
        session=session,
        server=app,
        webhook_endpoint="/webhook",
        verify_token="pywa-bot-verify-token",
        app_secret=os.environ["APP_SECRET"],
    )
    emulator = httpx.URL(os.environ["WA_HOOK_BASE_URL"])
    # pywa set https://graph.facebook.com/v{version}: keep the path, change the origin.
    session.base_url = session.base_url.copy_with(
        scheme=emulator.scheme, host=emulator.host, port=emulator.port
    )
    first = {}

    @wa.on_message(filters.text)
    def on_text(_: WhatsApp, msg: types.Message):
        msg.mark_as_read()
        order = re.search(r"\b(\d{3,})\b", msg.text)
        if order:
            text = f"Order {order.group(1)} ships tomorrow."
        else:
            text = f"Hi {msg.from_user.name}! Ask me about an order."
        sent = msg.reply_text(text, quote=BREAK != "no-quote")
        if "id" not in first:
            first.update(id=sent.id, to=msg.from_user.wa_id, name=msg.from_user.name)

    @wa.on_message(filters.image)
    def on_image(_: WhatsApp, msg: types.Message):
        msg.reply_text("Thanks for the photo, we will look into it.")

    @wa.on_message_status
    def on_status(_: WhatsApp, status: types.MessageStatus):
        if str(status.status.value) != "read" or status.id != first.get("id"):
            return
        if BREAK == "text-follow-up":
            wa.send_message(to=first["to"], text="How did we do?")
            return
        wa.send_template(
            to=first["to"],
            name="feedback_request",
            language=TemplateLanguage.ENGLISH_US,
            params=[BodyText.params(first["name"])],
        )

    server = make_server("127.0.0.1", int(os.environ["PORT"]), app, threaded=True)
    print(f"listening on {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
