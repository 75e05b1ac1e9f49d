"""pywa 4.5 on Flask pointed at `wa-hook emulate meta`: a real app that sends through the
emulator and receives its webhooks through pywa's own handlers (tests/cli/receivers/emulate.rs).

Run (after the tests installed the pinned packages into target/receivers/python):

    PORT=0 VERIFY_TOKEN=... APP_SECRET=... TOKEN=... PYTHONPATH=target/receivers/python \
        python3 tests/receivers/python/pywa_app.py

Environment: PORT (0 picks a free port), VERIFY_TOKEN, APP_SECRET (pywa checks every webhook's
X-Hub-Signature-256 with it), TOKEN (the bearer token pywa sends; default "pywa-app-token").

stdout: the first line is the webhook's URL (http://127.0.0.1:PORT/webhook); then one JSON line
per update a handler received:
    {"event": "status", "id": WAMID, "status": "sent", "tracker": ..., "error": CODE|null}
    {"event": "message", "id": WAMID, "from": WA_ID|null, "user_id": BSUID|null,
     "username": ...|null, "type": "text", "text": ...}
pywa's own log goes to stderr.

Triggers, on the same server:
    POST /configure {"base_url": "http://127.0.0.1:PORT", "phone_number_id": ..., "customer": ...}
        points pywa at the emulator (the app's own httpx client, re-pointed after pywa set
        graph.facebook.com on it, as docs/emulate-design.md says) and sets its phone id.
    POST /send {"kind": KIND, ...}: pywa makes that send and the answer says what it returned
        ({"ok": true, "returned": CLASS, "id": ...}) or raised ({"ok": false, "raised": CLASS,
        "code": ..., "message": ..., "details": ..., "status": HTTP status}).

Safety: nothing leaves this machine. Every Graph API call goes through the app's httpx client,
whose transport refuses any host but 127.0.0.1; any other httpx client is sent to a proxy on
127.0.0.1 that does not exist.
"""

import json
import logging
import os
import sys
import threading

import flask
import httpx
from pywa import WhatsApp, errors, types
from pywa.types import Button, Section, SectionList, SectionRow, URLButton
from pywa.types.templates import BodyText, TemplateLanguage
from werkzeug.serving import make_server

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
# The bytes the media kinds upload (a JPEG's first bytes and a marker).
IMAGE = b"\xff\xd8\xff\xe0 pywa-app image"


class LoopbackOnly(httpx.BaseTransport):
    """An httpx transport that refuses any host but the loopback emulator."""

    def __init__(self):
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request):
        if request.url.host not in LOOPBACK:
            raise httpx.ConnectError(f"refused: {request.url.host} is not on this machine")
        return self.inner.handle_request(request)


OUTPUT = threading.Lock()


def emit(event):
    with OUTPUT:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()


def returned(result, **extra):
    answer = {"ok": True, "returned": type(result).__name__, **extra}
    for key in ("id", "success"):
        value = getattr(result, key, None)
        if value is not None:
            answer[key] = value if isinstance(value, (bool, int)) else str(value)
    status = getattr(result, "status", None)
    if status is not None:
        answer["template_status"] = str(getattr(status, "value", status))
    return answer


def raised(err):
    answer = {"ok": False, "raised": type(err).__name__, "str": str(err)[:500]}
    if isinstance(err, errors.WhatsAppError):
        answer.update(
            code=err.code,
            message=err.message,
            details=err.details,
            fbtrace_id=err.fbtrace_id,
            type=err.type,
            status=err.status_code,
        )
    return answer


def main():
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        os.environ[proxy] = "http://127.0.0.1:9"
    for no_proxy in ("NO_PROXY", "no_proxy"):
        os.environ.pop(no_proxy, None)

    session = httpx.Client(transport=LoopbackOnly(), trust_env=False)
    app = flask.Flask(__name__)
    # No phone_id yet: it is the emulator's, given by /configure (pywa reads it at each send and
    # drops updates for other numbers once it is set).
    wa = WhatsApp(
        token=os.environ.get("TOKEN", "pywa-app-token"),
        session=session,
        server=app,
        webhook_endpoint="/webhook",
        verify_token=os.environ["VERIFY_TOKEN"],
        app_secret=os.environ["APP_SECRET"],
    )
    state = {}

    @wa.on_message_status
    def on_status(_: WhatsApp, status: types.MessageStatus):
        emit({
            "event": "status",
            "id": status.id,
            "status": str(status.status.value),
            "tracker": status.tracker,
            "error": status.error.code if status.error is not None else None,
        })

    @wa.on_message
    def on_message(_: WhatsApp, msg: types.Message):
        emit({
            "event": "message",
            "id": msg.id,
            "from": msg.from_user.wa_id,
            "user_id": msg.from_user.bsuid,
            "username": msg.from_user.username,
            "type": str(msg.type.value),
            "text": msg.text,
        })

    @app.post("/configure")
    def configure():
        given = flask.request.get_json(force=True)
        emulator = httpx.URL(given["base_url"])
        # pywa set https://graph.facebook.com/v{version}: keep the path, change the origin.
        session.base_url = session.base_url.copy_with(
            scheme=emulator.scheme, host=emulator.host, port=emulator.port
        )
        wa.phone_id = str(given["phone_number_id"])
        state["customer"] = str(given["customer"])
        return {"ok": True, "graph": str(session.base_url)}

    def send(kind, given):
        to = state["customer"]
        if kind == "text":
            return returned(wa.send_message(to=to, text="Hello from pywa"))
        if kind == "text_tracker":
            return returned(wa.send_message(to=to, text="Tracked", tracker="order-42"))
        if kind == "template":
            return returned(wa.send_template(
                to=to, name="hello_world", language=TemplateLanguage.ENGLISH_US))
        if kind == "template_unknown":
            return returned(wa.send_template(
                to=to, name="no_such_template", language=TemplateLanguage.ENGLISH_US))
        if kind == "template_params":
            return returned(wa.send_template(
                to=to, name="order_update", language=TemplateLanguage.ENGLISH_US,
                params=[BodyText.params("John", "42")]))
        if kind == "template_params_mismatch":
            # One body parameter for a template whose body has two.
            return returned(wa.send_template(
                to=to, name="order_update", language=TemplateLanguage.ENGLISH_US,
                params=[BodyText.params("John")]))
        if kind == "image_upload":
            media = wa.upload_media(media=IMAGE, mime_type="image/jpeg", filename="cat.jpg")
            return returned(
                wa.send_image(to=to, image=media.id, caption="Uploaded"), media_id=media.id)
        if kind == "image_link":
            return returned(wa.send_image(to=to, image="https://example.com/cat.jpg", caption="A cat"))
        if kind == "media_roundtrip":
            media = wa.upload_media(media=IMAGE, mime_type="image/jpeg", filename="cat.jpg")
            url = wa.get_media_url(media_id=media.id)
            body = wa.get_media_bytes(url=url.url)
            deleted = wa.delete_media(media_id=media.id)
            return {"ok": True, "returned": "bytes", "media_id": media.id,
                    "mime_type": url.mime_type, "file_size": url.file_size,
                    "same_bytes": body == IMAGE, "deleted": deleted.success}
        if kind == "buttons":
            return returned(wa.send_message(
                to=to, text="Choose one", header="Menu", footer="pywa",
                buttons=[Button(title="Yes", callback_data="yes"),
                         Button(title="No", callback_data="no")]))
        if kind == "list":
            return returned(wa.send_message(
                to=to, text="Pick a size", footer="pywa",
                buttons=SectionList(button_title="Sizes", sections=[
                    Section(title="Sizes", rows=[
                        SectionRow(title="S", callback_data="s", description="Small"),
                        SectionRow(title="L", callback_data="l")])])))
        if kind == "cta_url":
            return returned(wa.send_message(
                to=to, text="Open the site", footer="pywa",
                buttons=URLButton(title="Visit", url="https://example.com")))
        if kind == "read":
            return returned(wa.mark_message_as_read(message_id=given["message_id"]))
        if kind == "typing":
            return returned(wa.indicate_typing(message_id=given["message_id"]))
        if kind == "react":
            return returned(wa.send_reaction(to=to, emoji="👍", message_id=given["message_id"]))
        if kind == "bad_button":
            # A reply button title over Meta's 20 characters: pywa does not check it.
            return returned(wa.send_message(
                to=to, text="Choose one",
                buttons=[Button(title="A title far over twenty", callback_data="long")]))
        raise ValueError(f"unknown kind {kind!r}")

    @app.post("/send")
    def send_route():
        given = flask.request.get_json(force=True)
        try:
            return send(given["kind"], given)
        except Exception as err:  # the answer is the finding
            return raised(err)

    server = make_server("127.0.0.1", int(os.environ.get("PORT", "0")), app, threaded=True)
    emit_url = f"http://127.0.0.1:{server.port}/webhook"
    with OUTPUT:
        print(emit_url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
