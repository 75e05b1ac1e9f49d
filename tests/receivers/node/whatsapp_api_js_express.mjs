// whatsapp-api-js 6.3 with express, from the package's README ("Set up") and its express
// middleware's example: a real WhatsApp receiver that wa-hook's tests run doctor and replay
// against.
//
// Node resolves an ES module's imports next to the file, so the tests run a copy of this file
// placed beside the installed node_modules:
//
//     PORT=0 VERIFY_TOKEN=... APP_SECRET=... node target/receivers/node/whatsapp_api_js_express.mjs
//
// Environment: PORT (0 picks a free port), VERIFY_TOKEN, APP_SECRET. The first line on stdout
// is the webhook's URL (http://127.0.0.1:PORT/webhook); everything else goes to stderr.
//
// Safety: nothing leaves this machine. whatsapp-api-js sends every Graph API call (replies,
// mark-as-read, media) through the `fetch` it is given (`ponyfill.fetch`, called by
// `$$apiFetch$$`); that fetch sends each request to a stand-in Graph API on 127.0.0.1 whatever
// host the SDK named, and to nothing else.
import http from "node:http";
import express from "express";
import { WhatsAppAPI } from "whatsapp-api-js/middleware/express";
import { Text, Image, Document } from "whatsapp-api-js/messages";

// Logs go to stderr; stdout carries only the URL line.
console.log = console.error;

// A stand-in Graph API: answers as a working one would, so the app behaves as in production
// (a send gets a message id, anything else `{"success": true}`).
const graph = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
        size += chunk.length;
        if (size <= 1 << 20) chunks.push(chunk);
    });
    req.on("end", () => {
        let sent = {};
        try {
            sent = JSON.parse(Buffer.concat(chunks).toString() || "{}");
        } catch {
            sent = {};
        }
        let answer = { success: true };
        if (req.method === "POST" && req.url.endsWith("/messages") && sent.status !== "read") {
            // Meta answers with the recipient as sent: `to` as `wa_id`, `recipient` as `user_id`.
            const contact = sent.to
                ? { input: String(sent.to), wa_id: String(sent.to) }
                : { input: String(sent.recipient ?? ""), user_id: String(sent.recipient ?? "") };
            answer = {
                messaging_product: "whatsapp",
                contacts: [contact],
                messages: [{ id: "wamid.stand-in" }],
            };
        }
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify(answer));
    });
});
await new Promise((resolve) => graph.listen(0, "127.0.0.1", resolve));
const GRAPH = `http://127.0.0.1:${graph.address().port}`;

function loopbackFetch(url, options) {
    const asked = new URL(url);
    return fetch(new URL(asked.pathname + asked.search, GRAPH), options);
}

const Whatsapp = new WhatsAppAPI({
    token: "stand-in-token",
    appSecret: process.env.APP_SECRET,
    webhookVerifyToken: process.env.VERIFY_TOKEN,
    ponyfill: { fetch: loopbackFetch },
});

Whatsapp.on.message = async ({ phoneID, from, message, name, reply }) => {
    console.log(`User ${name} (${from}) sent to bot ${phoneID} ${JSON.stringify(message)}`);

    let response;

    if (message.type === "text") {
        response = await reply(new Text(`*${name}* said:\n\n${message.text.body}`), true);
    }

    if (message.type === "image") {
        response = await reply(new Image(message.image.id, true, `Nice photo, ${name}`));
    }

    if (message.type === "document") {
        response = await reply(
            new Document(message.document.id, true, undefined, "Our document"),
        );
    }

    console.log(
        response ??
            "There are more types of messages, such as contacts, " +
                "locations, templates, interactive, reactions and " +
                "all the other media types.",
    );

    Whatsapp.markAsRead(phoneID, message.id);

    return 200;
};

Whatsapp.on.sent = ({ phoneID, to, message }) => {
    console.log(`Bot ${phoneID} sent to user ${to} ${message}`);
};

const app = express();

app.post("/webhook", express.text({ type: "*/*" }), async (req, res) => {
    res.sendStatus(await Whatsapp.handle_post(req));
});

app.get("/webhook", (req, res) => {
    try {
        res.send(Whatsapp.handle_get(req));
    } catch (e) {
        res.sendStatus(e);
    }
});

const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
    process.stdout.write(`http://127.0.0.1:${server.address().port}/webhook\n`);
});
