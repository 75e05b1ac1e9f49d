"""Check the send schema against real sends, and that wrong sends are refused at the right field.

    python3 tests/receivers/sends/validate.py [FIXTURES]

1. Every captured real send (tests/fixtures/meta-sends/<sdk>/*.json) whose request is a JSON
   POST to .../messages (or .../marketing_messages, the same body) must be valid against
   src/providers/meta/schemas/sends/meta-send.json: a real SDK's send refused is the worst bug
   an emulator can have.
2. Each wrong send below, made by editing a real one, must be invalid, and the best error's
   instance location (the JSON pointer the emulator puts in error_data.details) must be the one
   expected.

Needs the `jsonschema` package (Draft 2020-12). Exit status 1 on any failure.
"""

import copy
import glob
import json
import os
import sys

import jsonschema
from jsonschema.exceptions import best_match

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCHEMA = os.path.join(ROOT, "src/providers/meta/schemas/sends/meta-send.json")


def pointer(error):
    return "".join(f"/{part}" for part in error.absolute_path)


def edit(body, path, value=None, delete=False):
    body = copy.deepcopy(body)
    node = body
    for part in path[:-1]:
        node = node[part]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return body


def main():
    fixtures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests/fixtures/meta-sends")
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    failures = 0
    counts = {}
    bodies = {}
    for path in sorted(glob.glob(os.path.join(fixtures, "*", "*.json"))):
        with open(path, encoding="utf-8") as f:
            fixture = json.load(f)
        request = fixture["request"]
        if request["method"] != "POST" or "body" not in request:
            continue
        if not request["path"].endswith(("/messages", "/marketing_messages")):
            continue
        sdk = fixture["sdk"]
        bodies[(sdk, fixture["name"])] = request["body"]
        error = best_match(validator.iter_errors(request["body"]))
        ok = error is None
        counts.setdefault(sdk, [0, 0])[0 if ok else 1] += 1
        rel = os.path.relpath(path, fixtures)
        if ok:
            print(f"valid    {rel}")
        else:
            failures += 1
            print(f"INVALID  {rel}: {pointer(error) or '/'}: {error.message}")

    # Wrong sends, each made from a real one, with the pointer the emulator must report.
    pywa = lambda name: bodies[("pywa", name)]
    js = lambda name: bodies[("whatsapp-api-js", name)]
    wrong = [
        ("text body over 4096", edit(pywa("text"), ["text", "body"], "x" * 4097), "/text/body"),
        ("text without body", edit(js("text"), ["text", "body"], delete=True), "/text"),
        ("type text without text", edit(pywa("text"), ["text"], delete=True), ""),
        ("neither to nor recipient", edit(js("text"), ["to"], delete=True), ""),
        ("preview_url not boolean", edit(pywa("text_preview_url"), ["text", "preview_url"], "yes"), "/text/preview_url"),
        ("biz_opaque_callback_data over 512", edit(pywa("text_tracker"), ["biz_opaque_callback_data"], "x" * 513), "/biz_opaque_callback_data"),
        ("context without message_id", edit(js("text_reply"), ["context", "message_id"], delete=True), "/context"),
        ("messaging_product not whatsapp", edit(js("text"), ["messaging_product"], "sms"), "/messaging_product"),
        ("image with neither id nor link", edit(pywa("image_link"), ["image", "link"], delete=True), "/image"),
        ("document link not a string", edit(js("document_link"), ["document", "link"], 42), "/document/link"),
        ("template without language", edit(js("template_no_params"), ["template", "language"], delete=True), "/template"),
        ("template language without code", edit(pywa("template_no_params"), ["template", "language", "code"], delete=True), "/template/language"),
        ("template text parameter without text", edit(js("template_positional"), ["template", "components", 1, "parameters", 0, "text"], delete=True), "/template/components/1/parameters/0"),
        ("template named parameter empty name", edit(pywa("template_named"), ["template", "components", 0, "parameters", 0, "parameter_name"], ""), "/template/components/0/parameters/0/parameter_name"),
        ("button title over 20", edit(pywa("interactive_buttons"), ["interactive", "action", "buttons", 0, "reply", "title"], "x" * 21), "/interactive/action/buttons/0/reply/title"),
        ("button id over 256", edit(js("interactive_buttons"), ["interactive", "action", "buttons", 1, "reply", "id"], "x" * 257), "/interactive/action/buttons/1/reply/id"),
        ("four reply buttons", edit(js("interactive_buttons"), ["interactive", "action", "buttons"], js("interactive_buttons")["interactive"]["action"]["buttons"] + [{"type": "reply", "reply": {"id": "d", "title": "D"}}]), "/interactive/action/buttons"),
        ("interactive body over 1024", edit(pywa("interactive_buttons"), ["interactive", "body", "text"], "x" * 1025), "/interactive/body/text"),
        ("header text over 60", edit(js("interactive_list"), ["interactive", "header", "text"], "x" * 61), "/interactive/header/text"),
        ("list button over 20", edit(pywa("interactive_list"), ["interactive", "action", "button"], "x" * 21), "/interactive/action/button"),
        ("list row title over 24", edit(js("interactive_list"), ["interactive", "action", "sections", 0, "rows", 0, "title"], "x" * 25), "/interactive/action/sections/0/rows/0/title"),
        ("list row description over 72", edit(pywa("interactive_list"), ["interactive", "action", "sections", 1, "rows", 0, "description"], "x" * 73), "/interactive/action/sections/1/rows/0/description"),
        ("list section title over 24", edit(js("interactive_list"), ["interactive", "action", "sections", 0, "title"], "x" * 25), "/interactive/action/sections/0/title"),
        ("eleven list sections", edit(pywa("interactive_list"), ["interactive", "action", "sections"], pywa("interactive_list")["interactive"]["action"]["sections"] * 6), "/interactive/action/sections"),
        ("button message without body", edit(pywa("interactive_buttons"), ["interactive", "body"], delete=True), "/interactive"),
        ("reaction without message_id", edit(js("reaction"), ["reaction", "message_id"], delete=True), "/reaction"),
        ("location without latitude", edit(pywa("location"), ["location", "latitude"], delete=True), "/location"),
        ("contacts empty", edit(pywa("contacts"), ["contacts"], []), "/contacts"),
        ("mark as read without message_id", edit(js("mark_as_read"), ["message_id"], delete=True), ""),
        ("mark as read status not read", edit(pywa("mark_as_read"), ["status"], "delivered"), "/status"),
        ("typing indicator without type", edit(js("typing_indicator"), ["typing_indicator", "type"], delete=True), "/typing_indicator"),
    ]
    for title, body, expected in wrong:
        error = best_match(validator.iter_errors(body))
        if error is None:
            failures += 1
            print(f"ACCEPTED {title} (should be invalid at {expected or '/'})")
        elif pointer(error) != expected:
            failures += 1
            print(f"POINTER  {title}: got {pointer(error) or '/'} ({error.message[:80]}), expected {expected or '/'}")
        else:
            print(f"refused  {title}: {expected or '/'}: {error.message[:100]}")

    print()
    for sdk, (ok, bad) in sorted(counts.items()):
        print(f"{sdk}: {ok} real sends valid, {bad} invalid")
    print(f"wrong sends: {len(wrong)} checked")
    print("FAILED" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
