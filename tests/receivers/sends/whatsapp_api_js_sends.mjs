// Every send whatsapp-api-js 6.3 can make that `wa-hook emulate meta` must answer, made for real
// against a capture server (capture_server.py), one labelled call each. Run by run.sh, from a
// copy placed beside the installed node_modules (Node resolves imports next to the file):
//
//     GRAPH=http://127.0.0.1:PORT node target/receivers/node/whatsapp_api_js_sends.mjs
//
// whatsapp-api-js has no base-URL option: every URL is written out as
// `https://graph.facebook.com/${v}/...` (lib/index.js). What it does take is `ponyfill.fetch`,
// the fetch it calls for every request ($$apiFetch$$); an app points the SDK at
// `wa-hook emulate meta` with a fetch that swaps the origin and keeps path and query.
import { WhatsAppAPI } from "whatsapp-api-js";
import {
    Text,
    Image,
    Document,
    Audio,
    Video,
    Sticker,
    Location,
    Reaction,
    Contacts,
    Name,
    Phone,
    Email,
    Url,
    Organization,
    Address,
    Birthday,
    Interactive,
    ActionButtons,
    Button,
    ActionList,
    ListSection,
    Row,
    ActionCTA,
    ActionLocation,
    Body,
    Header,
    Footer,
    Template,
    Language,
    BodyComponent,
    BodyParameter,
    HeaderComponent,
    HeaderParameter,
    URLComponent,
    PayloadComponent,
    CopyComponent,
    Currency,
    DateTime,
} from "whatsapp-api-js/messages";
import { readFileSync } from "node:fs";

const GRAPH = process.env.GRAPH;
const SDK = "whatsapp-api-js";
const SDK_VERSION = JSON.parse(
    readFileSync(new URL("./node_modules/whatsapp-api-js/package.json", import.meta.url)),
).version;
const PHONE_ID = "106540352242922";
const TO = "16315551181";
const BSUID = "US.13491208655302741918";
const WAMID = "wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";

// The app's fetch: same path and query, the emulator's origin.
function emulatorFetch(url, options) {
    const asked = new URL(url);
    return fetch(new URL(asked.pathname + asked.search, GRAPH), options);
}

async function control(path, payload) {
    await (await fetch(`${GRAPH}${path}`, { method: "POST", body: JSON.stringify(payload) })).text();
}

async function label(name, call, answer) {
    await control("/__label", { sdk: SDK, sdk_version: SDK_VERSION, name, call, ...(answer ? { answer } : {}) });
}

// Meta's error envelope (SEND-APIS.md, "Meta: error envelope and codes"); the details text is a
// stand-in where SEND-APIS.md quotes none.
function error(status, code, message, details) {
    return {
        status,
        body: {
            error: {
                message, type: "OAuthException", code,
                error_data: { messaging_product: "whatsapp", details },
                fbtrace_id: "AStandInFbtraceId",
            },
        },
    };
}

// The version is left unset on purpose: the fixtures show the SDK's default (it warns).
const Whatsapp = new WhatsAppAPI({
    token: "stand-in-token",
    appSecret: "stand-in-secret",
    ponyfill: { fetch: emulatorFetch },
});
const pinned = new WhatsAppAPI({
    token: "stand-in-token",
    appSecret: "stand-in-secret",
    v: "v21.0",
    ponyfill: { fetch: emulatorFetch },
});

const send = (message, ...rest) => Whatsapp.sendMessage(PHONE_ID, TO, message, ...rest);

const sends = [
    ["text", "sendMessage(phoneID, to, new Text('Hello'))", () => send(new Text("Hello from whatsapp-api-js"))],
    ["text_preview_url", "new Text(body, true)", () => send(new Text("See https://example.com/a", true))],
    ["text_reply", "sendMessage(phoneID, to, new Text(...), WAMID)", () => send(new Text("Replying"), WAMID)],
    ["text_tracker", "sendMessage(phoneID, to, new Text(...), undefined, 'order-42')",
        () => send(new Text("Tracked"), undefined, "order-42")],
    ["text_non_ascii", "new Text('Olá 👍 «ü»')", () => send(new Text("Olá 👍 «ü»"))],
    ["text_to_bsuid", "sendMessage(phoneID, BSUID, new Text(...))",
        () => Whatsapp.sendMessage(PHONE_ID, BSUID, new Text("Hello, business-scoped user"))],
    ["text_to_phone_and_bsuid", "sendMessage(phoneID, {phone, bsuid}, new Text(...))",
        () => Whatsapp.sendMessage(PHONE_ID, { phone: TO, bsuid: BSUID }, new Text("Both ids"))],
    ["text_pinned_version", "new WhatsAppAPI({v: 'v21.0', ...}).sendMessage(...)",
        () => pinned.sendMessage(PHONE_ID, TO, new Text("Pinned version"))],
    ["template_no_params", "new Template('hello_world', 'en_US')", () => send(new Template("hello_world", "en_US"))],
    ["template_positional",
        "new Template(name, new Language('en_US'), new HeaderComponent(new HeaderParameter('Summer')), new BodyComponent(BodyParameter x3: text, Currency, DateTime), new URLComponent('order/42'), new PayloadComponent('stop-promos'))",
        () => send(new Template("order_update", new Language("en_US"),
            new HeaderComponent(new HeaderParameter("Summer")),
            new BodyComponent(
                new BodyParameter("John"),
                new BodyParameter(new Currency(19990, "USD", "$19.99")),
                new BodyParameter(new DateTime("August 5, 2025")),
            ),
            new URLComponent("order/42"),
            new PayloadComponent("stop-promos"),
        ))],
    ["template_named",
        "new Template(name, 'en_US', new BodyComponent(new BodyParameter('John', 'first_name'), new BodyParameter('42', 'order_id')), new CopyComponent('25OFF'))",
        () => send(new Template("seasonal_promotion", "en_US",
            new BodyComponent(
                new BodyParameter("John", "first_name"),
                new BodyParameter("42", "order_id"),
            ),
            new CopyComponent("25OFF"),
        ))],
    ["template_header_image_link", "new HeaderComponent(new HeaderParameter(new Image(URL)))",
        () => send(new Template("receipt", "en_US",
            new HeaderComponent(new HeaderParameter(new Image("https://example.com/receipt.jpg"))),
            new BodyComponent(new BodyParameter("John")),
        ))],
    ["template_reply", "sendMessage(phoneID, to, new Template(...), WAMID, 't1')",
        () => send(new Template("hello_world", "en_US"), WAMID, "t1")],
    ["image_link", "new Image(URL, false, caption)", () => send(new Image("https://example.com/cat.jpg", false, "A cat"))],
    ["image_id", "new Image(id, true)", () => send(new Image("1234567890123456", true))],
    ["document_link", "new Document(URL, false, caption, filename)",
        () => send(new Document("https://example.com/files/invoice.pdf", false, "Your invoice", "invoice.pdf"))],
    ["document_id", "new Document(id, true, undefined, filename)",
        () => send(new Document("1234567890123456", true, undefined, "report.pdf"))],
    ["audio_link", "new Audio(URL)", () => send(new Audio("https://example.com/a.mp3"))],
    ["audio_voice", "new Audio(id, true, true)", () => send(new Audio("1234567890123456", true, true))],
    ["video_link", "new Video(URL, false, caption)", () => send(new Video("https://example.com/v.mp4", false, "A video"))],
    ["sticker_id", "new Sticker(id, true)", () => send(new Sticker("1234567890123456", true))],
    ["sticker_link", "new Sticker(URL)", () => send(new Sticker("https://example.com/s.webp"))],
    ["interactive_buttons", "new Interactive(new ActionButtons(Button x3), new Body, new Header('Menu'), new Footer)",
        () => send(new Interactive(
            new ActionButtons(new Button("yes", "Yes"), new Button("no", "No"), new Button("maybe", "Maybe later")),
            new Body("Choose one"), new Header("Menu"), new Footer("whatsapp-api-js"),
        ))],
    ["interactive_buttons_image_header", "new Interactive(new ActionButtons(...), new Body, new Header(new Image(URL)))",
        () => send(new Interactive(
            new ActionButtons(new Button("like", "Like")),
            new Body("Like it?"), new Header(new Image("https://example.com/cat.jpg")),
        ))],
    ["interactive_list", "new Interactive(new ActionList('Sizes', new ListSection(title, Row...)...), ...)",
        () => send(new Interactive(
            new ActionList("Sizes",
                new ListSection("Small", new Row("s", "S", "Small size"), new Row("xs", "XS")),
                new ListSection("Large", new Row("l", "L", "Large size")),
            ),
            new Body("Pick a size"), new Header("Sizes"), new Footer("whatsapp-api-js"),
        ))],
    ["interactive_cta_url", "new Interactive(new ActionCTA('Visit', URL), new Body, new Header('Site'))",
        () => send(new Interactive(
            new ActionCTA("Visit", "https://example.com"),
            new Body("Open the site"), new Header("Site"), new Footer("whatsapp-api-js"),
        ))],
    ["interactive_location_request", "new Interactive(new ActionLocation(), new Body)",
        () => send(new Interactive(new ActionLocation(), new Body("Where are you?")))],
    ["reaction", "new Reaction(WAMID, '👍')", () => send(new Reaction(WAMID, "👍"))],
    ["reaction_remove", "new Reaction(WAMID)", () => send(new Reaction(WAMID))],
    ["location", "new Location(longitude, latitude, name, address)",
        () => send(new Location(-122.1477, 37.4847, "Meta HQ", "1 Hacker Way"))],
    ["contacts", "new Contacts([new Name, new Phone, new Email, new Url, new Organization, new Address, new Birthday])",
        () => send(new Contacts([
            new Name("John Doe", "John", "Doe"),
            new Phone("+16315551181", "HOME", "16315551181"),
            new Email("john@example.com", "WORK"),
            new Url("https://example.com", "WORK"),
            new Organization("Example", undefined, "CEO"),
            new Address("United States", "us", undefined, "Menlo Park", "1 Hacker Way", undefined, "WORK"),
            new Birthday("1990", "01", "31"),
        ]))],
    ["mark_as_read", "markAsRead(phoneID, WAMID)", () => Whatsapp.markAsRead(PHONE_ID, WAMID)],
    ["typing_indicator", "markAsRead(phoneID, WAMID, 'text')", () => Whatsapp.markAsRead(PHONE_ID, WAMID, "text")],
    ["media_upload", "uploadMedia(phoneID, FormData{file: Blob(application/pdf)})",
        () => {
            const form = new FormData();
            form.append("file", new Blob(["%PDF-1.4 stand-in"], { type: "application/pdf" }), "a.pdf");
            return Whatsapp.uploadMedia(PHONE_ID, form);
        }],
    ["media_get_url", "retrieveMedia(id)", () => Whatsapp.retrieveMedia("1234567890123456")],
    ["media_get_url_phone", "retrieveMedia(id, phoneID)", () => Whatsapp.retrieveMedia("1234567890123456", PHONE_ID)],
    ["media_download", "fetchMedia((await retrieveMedia(id)).url)",
        async () => {
            const { url } = await Whatsapp.retrieveMedia("1234567890123456");
            const res = await Whatsapp.fetchMedia(url);
            return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
        }],
    ["media_delete", "deleteMedia(id)", () => Whatsapp.deleteMedia("1234567890123456")],
    ["media_delete_phone", "deleteMedia(id, phoneID)", () => Whatsapp.deleteMedia("1234567890123456", PHONE_ID)],
];

// What the SDK does with Meta's other answers (errors, a success missing members): recorded in
// the fixture (sdk_outcome).
const answers = [
    ["answer_error_131030", "sendMessage(phoneID, to, new Text(...)) answered 400 (#131030)",
        error(400, 131030, "(#131030) Recipient phone number not in allowed list", "(stand-in details)"),
        () => send(new Text("Hello"))],
    ["answer_error_132000", "sendMessage(phoneID, to, new Template(...)) answered 400 (#132000)",
        error(400, 132000, "(#132000) (stand-in message)",
            "body: number of localizable_params (2) does not match the expected number of params (1)"),
        () => send(new Template("order_update", "en_US", new BodyComponent(new BodyParameter("John"), new BodyParameter("42"))))],
    ["answer_error_130429", "sendMessage(...) answered 429 (#130429)",
        error(429, 130429, "(#130429) Cloud API message throughput has been reached", "(stand-in details)"),
        () => send(new Text("Hello"))],
    ["answer_error_190", "sendMessage(...) answered 401 (#190)",
        error(401, 190, "(#190) (stand-in message)", "(stand-in details)"),
        () => send(new Text("Hello"))],
    ["answer_error_131009_read", "markAsRead(phoneID, WAMID) answered 400 (#131009)",
        error(400, 131009, "(#131009) Parameter value not valid", "(stand-in details)"),
        () => Whatsapp.markAsRead(PHONE_ID, WAMID)],
    ["answer_not_json_502", "sendMessage(...) answered 502 with an HTML page",
        { status: 502, text: "<html><body>Bad Gateway</body></html>" },
        () => send(new Text("Hello"))],
    ["answer_success_without_contacts", "sendMessage(...) answered 200 without contacts",
        { status: 200, body: { messaging_product: "whatsapp", messages: [{ id: "wamid.NOCONTACTS" }] } },
        () => send(new Text("Hello"))],
    ["answer_success_held", "sendMessage(..., new Template(...)) answered 200 with message_status held_for_quality_assessment",
        { status: 200, body: { messaging_product: "whatsapp", contacts: [{ input: TO, wa_id: TO }],
            messages: [{ id: "wamid.HELD", message_status: "held_for_quality_assessment" }] } },
        () => send(new Template("hello_world", "en_US"))],
];

// What on.sent (the SDK's own hook after every send) was given, for the answers above.
let lastSent;
Whatsapp.on.sent = ({ id, held_for_quality_assessment }) => {
    lastSent = { id, held_for_quality_assessment };
};

let failures = 0;
for (const [name, call, run] of sends) {
    await label(name, call);
    try {
        const result = await run();
        await control("/__outcome", { outcome: { returned: result } });
        console.log(`ok   ${name}: ${JSON.stringify(result).slice(0, 120)}`);
    } catch (err) {
        failures++;
        await control("/__outcome", { outcome: { threw: String(err) } });
        console.log(`FAIL ${name}: ${err}`);
    }
}
for (const [name, call, answer, run] of answers) {
    await label(name, call, answer);
    lastSent = undefined;
    try {
        const result = await run();
        await control("/__outcome", { outcome: { returned: result, on_sent: lastSent ?? null } });
        console.log(`answer ${name}: returned ${JSON.stringify(result).slice(0, 100)}`);
    } catch (err) {
        await control("/__outcome", { outcome: { threw: `${err?.name}: ${err?.message}`, on_sent: lastSent ?? null } });
        console.log(`answer ${name}: threw ${err}`);
    }
}
process.exit(failures ? 1 : 0);
