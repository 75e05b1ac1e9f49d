"""A stand-in Graph API that records every request a WhatsApp SDK makes and answers as Meta
answers a successful call, so the SDK goes on as in production. Used by run.sh to turn real SDK
sends into fixtures (tests/fixtures/meta-sends/<sdk>/<name>.json).

Run: python3 capture_server.py OUT_DIR   (prints "http://127.0.0.1:PORT" on its first line)

Control (called by the SDK scripts between sends, never by the SDK itself):
  POST /__label   {"sdk": "...", "sdk_version": "...", "name": "...", "call": "..."}
      names the next requests: the first is written to OUT_DIR/<sdk>/<name>.json, later ones
      (an upload before a send, a download after a URL) to <name>.2.json, <name>.3.json ...
      Optional "answer": {"status", "body" (JSON) | "text", "headers"} answers the next
      requests with that instead of a success (what an SDK does with Meta's error envelope).
  POST /__outcome {"outcome": ...} adds what the SDK returned or raised to the label's fixtures.
  POST /__stop    ends the server.

Answers (SEND-APIS.md, "Success response"; media answers are stand-ins, see the fixture note):
  POST .../messages with status "read"      -> {"success": true}
  POST .../messages (any other body)        -> {"messaging_product": "whatsapp",
                                                "contacts": [{"input", "wa_id"|"user_id"}],
                                                "messages": [{"id": "wamid.…", "message_status": "accepted"}]}
  POST .../marketing_messages               -> the same envelope
  POST .../media                            -> {"id": "<digits>"}
  GET  /<version>/<media-id>                -> {"messaging_product", "url", "mime_type", "sha256", "file_size", "id"}
  GET  /media-download/...                  -> the bytes (image/jpeg)
  DELETE ...                                -> {"success": true}

Nothing here leaves 127.0.0.1; run.sh also runs it inside a loopback-only network namespace.
"""

import base64
import hashlib
import http.server
import json
import os
import re
import sys
import threading

DOWNLOAD_BYTES = b"\xff\xd8\xff\xe0stand-in jpeg bytes"
# Multipart boundaries change on every run and are kept as sent; the capture server's port is
# written as PORT everywhere in a fixture (headers, answers, outcomes).


class State:
    def __init__(self, out):
        self.out = out
        self.label = None
        self.count = 0
        self.counter = 0
        self.files = []
        self.lock = threading.Lock()


def redact(name, value):
    if name.lower() == "authorization":
        scheme, _, _ = value.partition(" ")
        return f"{scheme} <redacted>" if scheme and scheme != value else "<redacted>"
    return value


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State = None  # set by main

    def log_message(self, *args):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
            return data, True
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length), False

    def answer(self, status, obj, content_type="application/json", raw=None):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        if raw is not None:
            return {"status": status, "content_type": content_type, "bytes": len(raw)}
        return {"status": status, "body": obj}

    def handle_any(self):
        st = self.state
        body, chunked = self.read_body()
        path, _, query = self.path.partition("?")
        if path == "/__label":
            with st.lock:
                st.label = json.loads(body)
                st.count = 0
                st.files = []
            return self.answer(200, {"ok": True})
        if path == "/__outcome":
            outcome = json.loads(body)["outcome"]
            with st.lock:
                files = list(st.files)
            for file in files:
                with open(file, encoding="utf-8") as f:
                    fixture = json.load(f)
                fixture["sdk_outcome"] = outcome
                self.write(file, fixture)
            return self.answer(200, {"ok": True})
        if path == "/__stop":
            self.answer(200, {"ok": True})
            threading.Thread(target=self.server.shutdown, daemon=True).start()
            return None
        with st.lock:
            st.counter += 1
            n = st.counter
        response = self.respond(path, body, n)
        self.record(path, query, body, chunked, response)
        return None

    def respond(self, path, body, n):
        forced = (self.state.label or {}).get("answer")
        if forced:
            raw = None
            if "text" in forced:
                raw = forced["text"].encode()
            self.send_response(forced["status"])
            data = raw if raw is not None else json.dumps(forced["body"]).encode()
            headers = {"Content-Type": "application/json" if raw is None else "text/html"}
            headers.update(forced.get("headers", {}))
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return {"status": forced["status"], "headers": headers,
                    "body": forced.get("body") if raw is None else forced["text"]}
        try:
            sent = json.loads(body) if body else {}
        except ValueError:
            sent = {}
        if not isinstance(sent, dict):
            sent = {}
        port = self.server.server_address[1]
        if self.command == "POST" and re.search(r"/(messages|marketing_messages)$", path):
            if sent.get("status") == "read":
                return self.answer(200, {"success": True})
            if sent.get("to") not in (None, ""):
                contact = {"input": str(sent["to"]), "wa_id": re.sub(r"\D", "", str(sent["to"]))}
            else:
                recipient = str(sent.get("recipient", ""))
                contact = {"input": recipient, "user_id": recipient}
            return self.answer(200, {
                "messaging_product": "whatsapp",
                "contacts": [contact],
                "messages": [{"id": f"wamid.CAPTURE{n:06d}", "message_status": "accepted"}],
            })
        if self.command == "POST" and path.endswith("/media"):
            return self.answer(200, {"id": f"90000000000{n:04d}"})
        if self.command == "GET" and path.startswith("/media-download/"):
            return self.answer(200, None, "image/jpeg", DOWNLOAD_BYTES)
        if self.command == "GET":
            media_id = path.rstrip("/").rsplit("/", 1)[-1]
            return self.answer(200, {
                "messaging_product": "whatsapp",
                "url": f"http://127.0.0.1:{port}/media-download/{media_id}?ext=stand-in",
                "mime_type": "image/jpeg",
                "sha256": hashlib.sha256(DOWNLOAD_BYTES).hexdigest(),
                "file_size": len(DOWNLOAD_BYTES),
                "id": media_id,
            })
        return self.answer(200, {"success": True})

    def record(self, path, query, body, chunked, response):
        st = self.state
        with st.lock:
            label = st.label or {"sdk": "unlabelled", "name": "request"}
            st.count += 1
            count = st.count
        port = str(self.server.server_address[1])
        headers = [
            [k, redact(k, v).replace(f"127.0.0.1:{port}", "127.0.0.1:PORT")]
            for k, v in self.headers.items()
        ]
        fixture = {
            "sdk": label.get("sdk"),
            "sdk_version": label.get("sdk_version"),
            "name": label.get("name"),
            "call": label.get("call"),
            "request": {
                "method": self.command,
                "path": path,
                "query": query or None,
                "headers": headers,
                "chunked": chunked or None,
            },
            "answered": response,
        }
        content_type = self.headers.get("Content-Type", "")
        if body:
            try:
                text = body.decode("utf-8")
                fixture["request"]["body_text"] = text
                if "json" in content_type:
                    fixture["request"]["body"] = json.loads(text)
            except (UnicodeDecodeError, ValueError):
                fixture["request"]["body_base64"] = base64.b64encode(body).decode()
        fixture["request"] = {k: v for k, v in fixture["request"].items() if v is not None}
        folder = os.path.join(st.out, label.get("sdk", "unlabelled"))
        os.makedirs(folder, exist_ok=True)
        name = label.get("name", "request") + ("" if count == 1 else f".{count}")
        file = os.path.join(folder, name + ".json")
        with st.lock:
            st.files.append(file)
        self.write(file, fixture)

    def write(self, file, fixture):
        """Write a fixture, the capture server's port as PORT (stable across runs)."""
        text = json.dumps(fixture, indent=2, ensure_ascii=False) + "\n"
        text = text.replace(f"127.0.0.1:{self.server.server_address[1]}", "127.0.0.1:PORT")
        with open(file, "w", encoding="utf-8") as f:
            f.write(text)

    do_GET = do_POST = do_DELETE = do_PUT = handle_any


def main():
    out = sys.argv[1]
    Handler.state = State(out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
