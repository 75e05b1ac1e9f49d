"""Every send pywa 4.5 can make that `wa-hook emulate meta` must answer, made for real against a
capture server (capture_server.py), one labelled call each. Run by run.sh:

    PYTHONPATH=target/receivers/python GRAPH=http://127.0.0.1:PORT python3 pywa_sends.py

pywa has no base-URL option: it sets `base_url = https://graph.facebook.com/v{api_version}` on
the httpx.Client it is given (pywa/api.py, GraphAPI.__init__). The app passes its own client
(`session=`) and re-points that client's base URL afterwards, keeping the `/v{version}` path;
that is what an app does to use `wa-hook emulate meta`.
"""

import json
import os
import urllib.request

import httpx
import pywa
from pywa import WhatsApp
from pywa.types import (
    Button,
    Contact,
    Section,
    SectionList,
    SectionRow,
    URLButton,
)
from pywa.types.templates import (
    BodyText,
    CopyCodeButton,
    Currency,
    DateTime,
    HeaderImage,
    HeaderText,
    QuickReplyButton,
    TemplateLanguage,
)
from pywa.types.templates import URLButton as TemplateURLButton

GRAPH = os.environ["GRAPH"]
SDK = "pywa"
PHONE_ID = "106540352242922"
TO = "16315551181"
BSUID = "US.13491208655302741918"
WAMID = "wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="


def control(path, payload):
    urllib.request.urlopen(
        urllib.request.Request(GRAPH + path, data=json.dumps(payload).encode(), method="POST")
    ).read()


def label(name, call, answer=None):
    payload = {"sdk": SDK, "sdk_version": pywa.__version__, "name": name, "call": call}
    if answer:
        payload["answer"] = answer
    control("/__label", payload)


def error(status, code, message, details, **extra):
    """Meta's error envelope (SEND-APIS.md, 'Meta: error envelope and codes'); the details
    text is a stand-in where SEND-APIS.md quotes none."""
    body = {"error": {"message": message, "type": "OAuthException", "code": code,
                      "error_data": {"messaging_product": "whatsapp", "details": details},
                      "fbtrace_id": "AStandInFbtraceId"}}
    return {"status": status, "body": body, **extra}


# What each SDK does with Meta's other answers (errors, a success missing members): the
# outcome is recorded in the fixture (sdk_outcome).
ANSWERS = [
    ("answer_error_131030", "wa.send_message(to, text) answered 400 (#131030)",
     error(400, 131030, "(#131030) Recipient phone number not in allowed list", "(stand-in details)"),
     lambda wa: wa.send_message(to=TO, text="Hello")),
    ("answer_error_132000", "wa.send_template(...) answered 400 (#132000)",
     error(400, 132000, "(#132000) (stand-in message)",
           "body: number of localizable_params (2) does not match the expected number of params (1)"),
     lambda wa: wa.send_template(to=TO, name="order_update", language=TemplateLanguage.ENGLISH_US,
                                 params=[BodyText.params("John", "42")])),
    ("answer_error_130429", "wa.send_message(to, text) answered 429 (#130429)",
     error(429, 130429, "(#130429) Cloud API message throughput has been reached", "(stand-in details)"),
     lambda wa: wa.send_message(to=TO, text="Hello")),
    ("answer_error_190", "wa.send_message(to, text) answered 401 (#190)",
     error(401, 190, "(#190) (stand-in message)", "(stand-in details)"),
     lambda wa: wa.send_message(to=TO, text="Hello")),
    ("answer_error_131009_read", "wa.mark_message_as_read(WAMID) answered 400 (#131009)",
     error(400, 131009, "(#131009) Parameter value not valid", "(stand-in details)"),
     lambda wa: wa.mark_message_as_read(message_id=WAMID)),
    ("answer_not_json_502", "wa.send_message(to, text) answered 502 with an HTML page",
     {"status": 502, "text": "<html><body>Bad Gateway</body></html>"},
     lambda wa: wa.send_message(to=TO, text="Hello")),
    ("answer_success_without_contacts", "wa.send_message(to, text) answered 200 without contacts",
     {"status": 200, "body": {"messaging_product": "whatsapp", "messages": [{"id": "wamid.NOCONTACTS"}]}},
     lambda wa: wa.send_message(to=TO, text="Hello")),
    ("answer_success_without_message_status", "wa.send_template(...) answered 200 without message_status",
     {"status": 200, "body": {"messaging_product": "whatsapp", "contacts": [{"input": TO, "wa_id": TO}],
                              "messages": [{"id": "wamid.NOSTATUS"}]}},
     lambda wa: wa.send_template(to=TO, name="hello_world", language=TemplateLanguage.ENGLISH_US)),
    ("answer_success_held", "wa.send_template(...) answered 200 with message_status held_for_quality_assessment",
     {"status": 200, "body": {"messaging_product": "whatsapp", "contacts": [{"input": TO, "wa_id": TO}],
                              "messages": [{"id": "wamid.HELD", "message_status": "held_for_quality_assessment"}]}},
     lambda wa: wa.send_template(to=TO, name="hello_world", language=TemplateLanguage.ENGLISH_US)),
]


def outcome_of(result):
    fields = {}
    for key in ("id", "input", "status", "success", "url", "mime_type", "sha256", "file_size"):
        value = getattr(result, key, None)
        if value is not None:
            fields[key] = str(value)
    chat = getattr(result, "chat", None)
    if chat is not None:
        fields["chat.id"] = chat.id
    if isinstance(result, bytes):
        fields["bytes"] = len(result)
    return {"returned": type(result).__name__, **fields}


def failure_of(err):
    out = {"raised": f"{type(err).__module__}.{type(err).__name__}", "str": str(err)[:300]}
    for key in ("code", "message", "details", "fbtrace_id", "type", "status_code"):
        value = getattr(err, key, None)
        if value is not None:
            out[key] = value
    return out


def main():
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        os.environ.pop(proxy, None)
    session = httpx.Client(trust_env=False)
    wa = WhatsApp(phone_id=PHONE_ID, token="stand-in-token", session=session)
    graph = httpx.URL(GRAPH)
    # pywa set https://graph.facebook.com/v{version}; keep the path, change the origin.
    session.base_url = session.base_url.copy_with(
        scheme=graph.scheme, host=graph.host, port=graph.port
    )

    sends = [
        ("text", "wa.send_message(to, 'Hello from pywa')",
         lambda: wa.send_message(to=TO, text="Hello from pywa")),
        ("text_preview_url", "wa.send_message(to, text with URL, preview_url=True)",
         lambda: wa.send_message(to=TO, text="See https://example.com/a", preview_url=True)),
        ("text_reply", "wa.send_message(to, text, reply_to_message_id=WAMID)",
         lambda: wa.send_message(to=TO, text="Replying", reply_to_message_id=WAMID)),
        ("text_tracker", "wa.send_message(to, text, tracker='order-42')",
         lambda: wa.send_message(to=TO, text="Tracked", tracker="order-42")),
        ("text_non_ascii", "wa.send_message(to, 'Olá 👍 «ü»')",
         lambda: wa.send_message(to=TO, text="Olá 👍 «ü»")),
        ("text_to_bsuid", "wa.send_message(to=BSUID, text)",
         lambda: wa.send_message(to=BSUID, text="Hello, business-scoped user")),
        ("text_to_plus_number", "wa.send_message(to='+1 631-555-1181', text)",
         lambda: wa.send_message(to="+1 631-555-1181", text="Formatted number")),
        ("template_no_params", "wa.send_template(to, 'hello_world', TemplateLanguage.ENGLISH_US)",
         lambda: wa.send_template(to=TO, name="hello_world", language=TemplateLanguage.ENGLISH_US)),
        ("template_positional",
         "wa.send_template(params=[HeaderText.params('Summer'), BodyText.params('John', Currency, DateTime), URLButton.params(url_variable, index=0), QuickReplyButton.params(callback_data, index=1)])",
         lambda: wa.send_template(
             to=TO, name="order_update", language=TemplateLanguage.ENGLISH_US,
             params=[
                 HeaderText.params("Summer"),
                 BodyText.params(
                     "John",
                     Currency(fallback_value="$19.99", code="USD", amount_1000=19990),
                     DateTime(fallback_value="August 5, 2025"),
                 ),
                 TemplateURLButton.params(url_variable="order/42", index=0),
                 QuickReplyButton.params(callback_data="stop-promos", index=1),
             ])),
        ("template_named",
         "wa.send_template(params=[BodyText.params(first_name='John', order_id='42'), CopyCodeButton.params(coupon_code, index=0)])",
         lambda: wa.send_template(
             to=TO, name="seasonal_promotion", language=TemplateLanguage.ENGLISH_US,
             params=[
                 BodyText.params(first_name="John", order_id="42"),
                 CopyCodeButton.params(coupon_code="25OFF", index=0),
             ])),
        ("template_header_image_link",
         "wa.send_template(params=[HeaderImage.params(image=URL), BodyText.params('John')])",
         lambda: wa.send_template(
             to=TO, name="receipt", language=TemplateLanguage.ENGLISH_US,
             params=[
                 HeaderImage.params(image="https://example.com/receipt.jpg"),
                 BodyText.params("John"),
             ])),
        ("template_reply", "wa.send_template(..., reply_to_message_id=WAMID, tracker='t1')",
         lambda: wa.send_template(
             to=TO, name="hello_world", language=TemplateLanguage.ENGLISH_US,
             reply_to_message_id=WAMID, tracker="t1")),
        ("template_marketing_lite", "wa.send_template(..., use_mm_lite_api=True)",
         lambda: wa.send_template(
             to=TO, name="hello_world", language=TemplateLanguage.ENGLISH_US,
             use_mm_lite_api=True)),
        ("image_link", "wa.send_image(to, image=URL, caption)",
         lambda: wa.send_image(to=TO, image="https://example.com/cat.jpg", caption="A cat")),
        ("image_id", "wa.send_image(to, image='1234567890123456')",
         lambda: wa.send_image(to=TO, image="1234567890123456")),
        ("image_upload", "wa.send_image(to, image=bytes, mime_type='image/jpeg') (uploads, then sends the id)",
         lambda: wa.send_image(to=TO, image=b"\xff\xd8\xff\xe0fake-jpeg", mime_type="image/jpeg", caption="Uploaded")),
        ("document_link", "wa.send_document(to, document=URL, filename='invoice.pdf', caption)",
         lambda: wa.send_document(to=TO, document="https://example.com/files/invoice.pdf", filename="invoice.pdf", caption="Your invoice")),
        ("document_id", "wa.send_document(to, document='1234567890123456', filename='report.pdf')",
         lambda: wa.send_document(to=TO, document="1234567890123456", filename="report.pdf")),
        ("audio_link", "wa.send_audio(to, audio=URL)",
         lambda: wa.send_audio(to=TO, audio="https://example.com/a.mp3")),
        ("audio_voice", "wa.send_voice(to, voice='1234567890123456')",
         lambda: wa.send_voice(to=TO, voice="1234567890123456")),
        ("video_link", "wa.send_video(to, video=URL, caption)",
         lambda: wa.send_video(to=TO, video="https://example.com/v.mp4", caption="A video")),
        ("sticker_id", "wa.send_sticker(to, sticker='1234567890123456')",
         lambda: wa.send_sticker(to=TO, sticker="1234567890123456")),
        ("sticker_link", "wa.send_sticker(to, sticker=URL)",
         lambda: wa.send_sticker(to=TO, sticker="https://example.com/s.webp")),
        ("interactive_buttons", "wa.send_message(to, text, header, footer, buttons=[Button, Button, Button])",
         lambda: wa.send_message(
             to=TO, text="Choose one", header="Menu", footer="pywa",
             buttons=[Button(title="Yes", callback_data="yes"),
                      Button(title="No", callback_data="no"),
                      Button(title="Maybe later", callback_data="maybe")])),
        ("interactive_buttons_image_header", "wa.send_image(to, image=URL, caption, footer, buttons=[Button])",
         lambda: wa.send_image(
             to=TO, image="https://example.com/cat.jpg", caption="Like it?", footer="pywa",
             buttons=[Button(title="Like", callback_data="like")])),
        ("interactive_list", "wa.send_message(to, text, buttons=SectionList(button_title, sections=[Section(rows=[SectionRow])]))",
         lambda: wa.send_message(
             to=TO, text="Pick a size", header="Sizes", footer="pywa",
             buttons=SectionList(
                 button_title="Sizes",
                 sections=[
                     Section(title="Small", rows=[
                         SectionRow(title="S", callback_data="s", description="Small size"),
                         SectionRow(title="XS", callback_data="xs")]),
                     Section(title="Large", rows=[
                         SectionRow(title="L", callback_data="l", description="Large size")]),
                 ]))),
        ("interactive_cta_url", "wa.send_message(to, text, buttons=URLButton(title, url))",
         lambda: wa.send_message(
             to=TO, text="Open the site", header="Site", footer="pywa",
             buttons=URLButton(title="Visit", url="https://example.com"))),
        ("interactive_location_request", "wa.request_location(to, text)",
         lambda: wa.request_location(to=TO, text="Where are you?")),
        ("reaction", "wa.send_reaction(to, emoji='👍', message_id=WAMID)",
         lambda: wa.send_reaction(to=TO, emoji="👍", message_id=WAMID)),
        ("reaction_remove", "wa.remove_reaction(to, message_id=WAMID)",
         lambda: wa.remove_reaction(to=TO, message_id=WAMID)),
        ("location", "wa.send_location(to, latitude, longitude, name, address)",
         lambda: wa.send_location(to=TO, latitude=37.4847, longitude=-122.1477, name="Meta HQ", address="1 Hacker Way")),
        ("contacts", "wa.send_contact(to, Contact(name, phones, emails, urls))",
         lambda: wa.send_contact(to=TO, contact=Contact(
             name=Contact.Name(formatted_name="John Doe", first_name="John", last_name="Doe"),
             phones=[Contact.Phone(phone="+16315551181", type="HOME", wa_id="16315551181")],
             emails=[Contact.Email(email="john@example.com", type="WORK")],
             urls=[Contact.Url(url="https://example.com", type="WORK")],
             org=Contact.Org(company="Example", title="CEO"),
             addresses=[Contact.Address(street="1 Hacker Way", city="Menlo Park", country="United States", country_code="us", type="WORK")],
             birthday="1990-01-31"))),
        ("mark_as_read", "wa.mark_message_as_read(message_id=WAMID)",
         lambda: wa.mark_message_as_read(message_id=WAMID)),
        ("typing_indicator", "wa.indicate_typing(message_id=WAMID)",
         lambda: wa.indicate_typing(message_id=WAMID)),
        ("media_upload", "wa.upload_media(media=bytes, mime_type='application/pdf', filename='a.pdf')",
         lambda: wa.upload_media(media=b"%PDF-1.4 stand-in", mime_type="application/pdf", filename="a.pdf")),
        ("media_get_url", "wa.get_media_url(media_id)",
         lambda: wa.get_media_url(media_id="1234567890123456")),
        ("media_download", "wa.get_media_bytes(url=wa.get_media_url(media_id).url) (the URL, then the bytes)",
         lambda: wa.get_media_bytes(url=wa.get_media_url(media_id="1234567890123456").url)),
        ("media_delete", "wa.delete_media(media_id)",
         lambda: wa.delete_media(media_id="1234567890123456")),
    ]
    failures = 0
    for name, call, send in sends:
        label(name, call)
        try:
            result = send()
            control("/__outcome", {"outcome": outcome_of(result)})
            print(f"ok   {name}: {type(result).__name__}", flush=True)
        except Exception as err:  # record and go on: a failure here is a finding
            failures += 1
            control("/__outcome", {"outcome": failure_of(err)})
            print(f"FAIL {name}: {type(err).__name__}: {err}", flush=True)
    for name, call, answer, send in ANSWERS:
        label(name, call, answer)
        try:
            result = send(wa)
            control("/__outcome", {"outcome": outcome_of(result)})
            print(f"answer {name}: returned {type(result).__name__}", flush=True)
        except Exception as err:
            control("/__outcome", {"outcome": failure_of(err)})
            print(f"answer {name}: raised {type(err).__name__}: {str(err)[:120]}", flush=True)
    return failures


if __name__ == "__main__":
    raise SystemExit(1 if main() else 0)
