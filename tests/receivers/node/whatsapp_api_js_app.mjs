// whatsapp-api-js 6.3 with express pointed at `wa-hook emulate meta`: a real app that sends
// through the emulator and receives its webhooks through the SDK's own handlers
// (tests/cli/receivers/emulate.rs).
//
// Node resolves an ES module's imports next to the file, so the tests run a copy of this file
// placed beside the installed node_modules:
//
//     PORT=0 VERIFY_TOKEN=... APP_SECRET=... TOKEN=... node target/receivers/node/whatsapp_api_js_app.mjs
//
// Environment: PORT (0 picks a free port), VERIFY_TOKEN, APP_SECRET (the SDK's `post()` checks
// every webhook's X-Hub-Signature-256 with it), TOKEN (the bearer token the SDK sends; default
// "whatsapp-api-js-app-token").
//
// stdout: the first line is the webhook's URL (http://127.0.0.1:PORT/webhook); then one JSON
// line per update a handler received:
//     {"event": "status", "id": WAMID, "status": "sent", "tracker": ..., "error": CODE|null}
//     {"event": "message", "id": WAMID, "from": WA_ID|BSUID, "user_id": BSUID|null,
//      "username": ...|null, "type": "text", "text": ...}
// Everything else goes to stderr.
//
// Triggers, on the same server:
//     POST /configure {"base_url": "http://127.0.0.1:PORT", "phone_number_id": ..., "customer": ...}
//         points the SDK's fetch at the emulator (`ponyfill.fetch` swaps the origin and keeps path
//         and query, as docs/emulate-design.md says).
//     POST /send {"kind": KIND, ...}: the SDK makes that send; the answer is what it returned
//         ({"ok": true, "returned": BODY}: the SDK never throws on an HTTP error status, it
//         returns Meta's error envelope) or threw ({"ok": false, "threw": ...}).
//
// Safety: nothing leaves this machine. Every Graph API call goes through the fetch given to the
// SDK, which sends it to the emulator on 127.0.0.1 whatever host the SDK named; before
// /configure it refuses to send at all.
import express from "express";
import { WhatsAppAPI } from "whatsapp-api-js";
import {
    ActionButtons,
    ActionCTA,
    ActionList,
    Body,
    BodyComponent,
    BodyParameter,
    Button,
    Footer,
    Header,
    Image,
    Interactive,
    ListSection,
    Location,
    Reaction,
    Row,
    Template,
    Text,
} from "whatsapp-api-js/messages";

const log = console.error;
console.log = console.error;
console.warn = console.error;

// The bytes the media kinds upload (a JPEG's first bytes and a marker).
const IMAGE = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(" whatsapp-api-js-app image")]);

const state = { emulator: null, phoneID: null, customer: null };

function emulatorFetch(url, options) {
    if (!state.emulator) {
        return Promise.reject(new Error("not configured: no emulator to send to"));
    }
    const asked = new URL(url);
    const emulator = new URL(state.emulator);
    if (!["127.0.0.1", "localhost", "[::1]"].includes(emulator.hostname)) {
        return Promise.reject(new Error(`refused: ${emulator.hostname} is not on this machine`));
    }
    return fetch(new URL(asked.pathname + asked.search, emulator), options);
}

const Whatsapp = new WhatsAppAPI({
    token: process.env.TOKEN ?? "whatsapp-api-js-app-token",
    appSecret: process.env.APP_SECRET,
    webhookVerifyToken: process.env.VERIFY_TOKEN,
    v: "v24.0",
    ponyfill: { fetch: emulatorFetch },
});

function emit(event) {
    process.stdout.write(JSON.stringify(event) + "\n");
}

Whatsapp.on.status = ({ id, status, biz_opaque_callback_data, error }) => {
    emit({
        event: "status",
        id,
        status,
        tracker: biz_opaque_callback_data ?? null,
        error: error?.code ?? null,
    });
};

Whatsapp.on.message = ({ from, contact, message }) => {
    emit({
        event: "message",
        id: message.id,
        from,
        user_id: contact?.user_id ?? null,
        username: contact?.profile?.username ?? null,
        type: message.type,
        text: message.text?.body ?? null,
    });
};

const send = (message, ...rest) => Whatsapp.sendMessage(state.phoneID, state.customer, message, ...rest);

async function upload() {
    const form = new FormData();
    form.append("file", new Blob([IMAGE], { type: "image/jpeg" }), "cat.jpg");
    return Whatsapp.uploadMedia(state.phoneID, form);
}

const kinds = {
    text: () => send(new Text("Hello from whatsapp-api-js")),
    text_tracker: () => send(new Text("Tracked"), undefined, "order-42"),
    template: () => send(new Template("hello_world", "en_US")),
    template_unknown: () => send(new Template("no_such_template", "en_US")),
    template_params: () =>
        send(new Template("order_update", "en_US",
            new BodyComponent(new BodyParameter("John"), new BodyParameter("42")))),
    // One body parameter for a template whose body has two.
    template_params_mismatch: () =>
        send(new Template("order_update", "en_US", new BodyComponent(new BodyParameter("John")))),
    image_upload: async () => {
        const uploaded = await upload();
        if (!uploaded.id) return uploaded;
        return { ...(await send(new Image(uploaded.id, true, "Uploaded"))), media_id: uploaded.id };
    },
    image_link: () => send(new Image("https://example.com/cat.jpg", false, "A cat")),
    media_roundtrip: async () => {
        const uploaded = await upload();
        if (!uploaded.id) return uploaded;
        const media = await Whatsapp.retrieveMedia(uploaded.id, state.phoneID);
        if (!media.url) return media;
        const res = await Whatsapp.fetchMedia(media.url);
        const body = Buffer.from(await res.arrayBuffer());
        const deleted = await Whatsapp.deleteMedia(uploaded.id);
        return {
            media_id: uploaded.id,
            mime_type: media.mime_type,
            file_size: media.file_size,
            download_status: res.status,
            same_bytes: body.equals(IMAGE),
            deleted: deleted.success ?? deleted,
        };
    },
    buttons: () =>
        send(new Interactive(
            new ActionButtons(new Button("yes", "Yes"), new Button("no", "No")),
            new Body("Choose one"), new Header("Menu"), new Footer("whatsapp-api-js"),
        )),
    list: () =>
        send(new Interactive(
            new ActionList("Sizes", new ListSection("Sizes", new Row("s", "S", "Small"), new Row("l", "L"))),
            new Body("Pick a size"), undefined, new Footer("whatsapp-api-js"),
        )),
    cta_url: () =>
        send(new Interactive(
            new ActionCTA("Visit", "https://example.com"),
            new Body("Open the site"), undefined, new Footer("whatsapp-api-js"),
        )),
    read: ({ message_id }) => Whatsapp.markAsRead(state.phoneID, message_id),
    typing: ({ message_id }) => Whatsapp.markAsRead(state.phoneID, message_id, "text"),
    react: ({ message_id }) => send(new Reaction(message_id, "👍")),
    // A location typed with a decimal comma, as a form in many locales gives it: the SDK sends
    // the strings as they are.
    bad_location: () => send(new Location(-122.1477, "37,4847", "Meta HQ", "1 Hacker Way")),
    // A reaction to a message whose id the app lost: the SDK sends the empty id.
    bad_reaction: () => send(new Reaction("", "👍")),
};

const app = express();

app.post("/webhook", express.text({ type: "*/*", limit: "1mb" }), async (req, res) => {
    try {
        await Whatsapp.post(JSON.parse(req.body), req.body, req.header("x-hub-signature-256"));
        res.sendStatus(200);
    } catch (e) {
        log(`webhook refused (${e?.httpStatus}): ${e?.constructor?.name}: ${e?.message}`);
        res.sendStatus(typeof e?.httpStatus === "number" ? e.httpStatus : 500);
    }
});

app.get("/webhook", (req, res) => {
    try {
        res.send(Whatsapp.get(req.query));
    } catch (e) {
        res.sendStatus(typeof e?.httpStatus === "number" ? e.httpStatus : 500);
    }
});

app.post("/configure", express.json(), (req, res) => {
    const { base_url, phone_number_id, customer } = req.body;
    state.emulator = base_url;
    state.phoneID = String(phone_number_id);
    state.customer = String(customer);
    res.json({ ok: true });
});

app.post("/send", express.json(), async (req, res) => {
    const run = kinds[req.body.kind];
    if (!run) {
        res.json({ ok: false, threw: `unknown kind ${req.body.kind}` });
        return;
    }
    try {
        res.json({ ok: true, returned: await run(req.body) });
    } catch (e) {
        res.json({ ok: false, threw: `${e?.name}: ${e?.message}` });
    }
});

const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
    process.stdout.write(`http://127.0.0.1:${server.address().port}/webhook\n`);
});
