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

async function label(name, call) {
    await fetch(`${GRAPH}/__label`, {
        method: "POST",
        body: JSON.stringify({ sdk: SDK, sdk_version: SDK_VERSION, name, call }),
    });
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

let failures = 0;
for (const [name, call, run] of sends) {
    await label(name, call);
    try {
        const result = await run();
        console.log(`ok   ${name}: ${JSON.stringify(result).slice(0, 120)}`);
    } catch (err) {
        failures++;
        console.log(`FAIL ${name}: ${err}`);
    }
}
process.exit(failures ? 1 : 0);
