// wa-hook inspector: the list (live over server-sent events), a record's detail, a message's
// timeline, edit-then-replay. Plain DOM, no build step; everything comes from the JSON API.
"use strict";

const token = document.querySelector('meta[name="wa-hook-token"]').content;
const $ = (selector) => document.querySelector(selector);
const records = new Map(); // id -> summary, the ones shown
let picked = null; // the record shown in the detail pane
let session = { replay_target: null, resigns: false };
let shownBody = null; // the editor's text as the record was opened: anything else is an edit
let appFilter = ""; // a status (500) or "unreachable": the app's answer to the forward

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-WA-Hook-Token": token },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const type = response.headers.get("Content-Type") || "";
  const data = type.startsWith("application/json") ? await response.json() : await response.text();
  if (!response.ok) {
    const failure = new Error(data.error || data);
    failure.data = data;
    throw failure;
  }
  return data;
}

// ---------------------------------------------------------------- filters and the list

function filters() {
  return {
    provider: $("#f-provider").value,
    kind: $("#f-kind").value.trim().toLowerCase(),
    verdict: $("#f-verdict").value,
    q: $("#f-text").value.trim().toLowerCase(),
    app: appFilter,
  };
}

// How the app answered the forward, as the server counts it (Summary::app_answer).
function appAnswer(summary) {
  if (summary.forward_status !== null && summary.forward_status !== undefined) return String(summary.forward_status);
  if (summary.forward_error) return "unreachable";
  return null;
}

// The same test the server makes (Summary::matches), for records arriving live.
function matches(summary, f) {
  if (f.provider && (summary.provider || "") !== f.provider) return false;
  if (f.kind && !(summary.kind || "").toLowerCase().startsWith(f.kind)) return false;
  if (f.verdict) {
    const word = summary.rejected ? "rejected" : (summary.verdict || "none");
    if (word !== f.verdict) return false;
  }
  if (f.app && appAnswer(summary) !== f.app) return false;
  if (f.q) {
    const fields = [summary.method, summary.path, summary.query || "", summary.provider || "",
      summary.kind || "", summary.gist, String(summary.seq), ...summary.messages.map((m) => m.id)];
    if (!fields.some((field) => field.toLowerCase().includes(f.q))) return false;
  }
  return true;
}

function mark(summary) {
  if (summary.rejected) return el("td", { class: "mark c-mark rejected", title: summary.rejected }, `⊘ ${summary.response_status}`);
  // Nothing to check (a handshake, a GET without a body): said in words, not as a "?".
  if (!summary.verdict && summary.label) return el("td", { class: "mark c-mark label", title: `${summary.label}: nothing to validate` }, "n/a");
  const verdict = summary.verdict || "none";
  const symbol = { valid: "✓", invalid: "✗", malformed: "✗" }[verdict] || "?";
  const title = summary.errors ? `${verdict}: ${summary.errors} error(s)` : verdict;
  return el("td", { class: `mark c-mark ${verdict}`, title }, symbol);
}

function appCell(summary) {
  if (summary.forward_error) return el("td", { class: "app c-app bad", title: summary.forward_error }, "unreachable");
  if (summary.forward_status === null || summary.forward_status === undefined) {
    return el("td", { class: "app c-app" }, "");
  }
  const ok = summary.forward_status >= 200 && summary.forward_status < 300;
  return el("td", { class: `app c-app ${ok ? "ok" : "bad"}` },
    `${summary.forward_status} · ${Math.round(summary.forward_latency_ms)} ms`);
}

function timeOf(stamp) {
  const match = /T(\d\d:\d\d:\d\d)(\.\d{3})?/.exec(stamp);
  return match ? match[1] + (match[2] || "") : stamp;
}

function row(summary) {
  const tr = el("tr", { class: "row", "data-id": summary.id, onclick: () => show(summary.id) },
    el("td", { class: "time c-time", title: summary.received_at }, timeOf(summary.received_at)),
    // Clipped: a long path (anyone can send one) must not push the verdict off the list.
    el("td", { class: "c-request", title: summary.path }, el("div", { class: "clip" }, el("span", { class: "method" }, summary.method), " ", summary.path)),
    summary.provider
      ? el("td", { class: "c-kind" }, summary.provider, " ", el("span", { class: "kind" }, summary.kind || ""))
      : el("td", { class: "c-kind label" }, summary.label || "no provider"),
    el("td", { class: "gist c-gist", title: summary.gist }, el("div", { class: "clip" }, summary.gist)),
    mark(summary),
    el("td", { class: `sig c-sig ${summary.signature || ""}`, title: summary.signature || "" }, summary.signature || ""),
    appCell(summary));
  if (picked === summary.id) tr.classList.add("picked");
  return tr;
}

function prepend(summary, fresh) {
  if (records.has(summary.id)) return;
  records.set(summary.id, summary);
  const tr = row(summary);
  if (fresh) tr.classList.add("fresh");
  $("#list tbody").prepend(tr);
  $("#empty").hidden = true;
}

let counts = { matching: 0, total: 0, dropped: 0, late: 0, app: {} };
function showCounts() {
  const dropped = counts.dropped ? `, ${counts.dropped} older no longer listed` : "";
  // listen: records its workers could not hand over as they came; read from the file instead.
  const late = counts.late ? `, ${counts.late} read from the file (the inspector was behind)` : "";
  // The app's answers to the forwards, most frequent first; each one filters the list.
  const answers = Object.entries(counts.app).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const chips = answers.map(([answer, count]) => {
    const ok = /^2\d\d$/.test(answer);
    return el("button", {
      class: `chip ${ok ? "ok" : "bad"}${appFilter === answer ? " on" : ""}`,
      "data-app": answer,
      title: appFilter === answer ? "show every answer" : `only the forwards the app answered ${answer}`,
      onclick: () => { appFilter = appFilter === answer ? "" : answer; reload(); },
    }, `${answer} × ${count}`);
  });
  $("#counts").replaceChildren(`${counts.matching} shown of ${counts.total} captured${dropped}${late}`,
    chips.length ? el("span", { id: "app-counts" }, " · app: ", chips.flatMap((chip, at) => at ? [", ", chip] : [chip])) : "");
}

// Two filters changed at once start two reloads; only the newest one's answer is shown
// (the older one, answered last, once showed the list of the old filters).
let reloading = 0;
// Live records that arrive while a reload waits for its page, added once the page is shown:
// added at once, the page (made before them) would replace their rows. A page that takes long
// under a flood holds at most HELD_MAX of them; past that the list is reloaded again after.
let held = null;
let heldOver = false;
let HELD_MAX = 20000;
async function reload() {
  const ticket = ++reloading;
  held = held || [];
  const f = filters();
  const query = new URLSearchParams({ ...f, limit: "500" });
  let page;
  try {
    page = await api(`/api/records?${query}`);
  } finally {
    // A page that failed leaves the list as it was, with what arrived meanwhile added.
    if (ticket === reloading && page === undefined) addHeld();
  }
  if (ticket !== reloading) return;
  records.clear();
  $("#list tbody").replaceChildren();
  for (const summary of page.records.slice().reverse()) prepend(summary, false);
  counts = { matching: page.matching, total: page.total, dropped: page.dropped, late: page.feed_dropped || 0, app: page.app || {} };
  $("#empty").hidden = page.records.length > 0;
  addHeld();
  showCounts();
}

function addHeld() {
  const batches = held || [];
  const over = heldOver;
  held = null;
  heldOver = false;
  if (over) {
    reload();
    return;
  }
  for (const batch of batches) addRecords(batch, true);
}

// Live records, oldest first. `afterPage`: they arrived while the page shown was being made,
// so one the page lists already is counted in it.
function addRecords(summaries, afterPage) {
  const filter = filters();
  for (const summary of summaries) {
    if (afterPage && records.has(summary.id)) continue;
    counts.total += 1;
    const answer = appAnswer(summary);
    if (answer !== null) counts.app[answer] = (counts.app[answer] || 0) + 1;
    if (matches(summary, filter)) {
      counts.matching += 1;
      prepend(summary, true);
    }
  }
}

function connect() {
  const events = new EventSource("/api/events");
  // Refused (every live-list slot taken, or the run restarted): the browser gives up on a
  // stream that was refused, so try again in a while.
  events.addEventListener("error", async () => {
    if (events.readyState !== EventSource.CLOSED) return;
    const probe = await fetch("/api/session").catch(() => null);
    if (probe && probe.status === 401) {
      $("#live").className = "live off";
      $("#live").textContent = "session ended: open the URL wa-hook printed";
      return;
    }
    setTimeout(connect, 3000);
  });
  events.addEventListener("open", () => {
    $("#live").className = "live on";
    $("#live").textContent = "live";
    reload();
    if (session.chat) chatChanged();
  });
  events.addEventListener("error", () => {
    $("#live").className = "live off";
    $("#live").textContent = "reconnecting…";
  });
  // The records added since the last event, oldest first: a flood arrives a batch at a time.
  events.addEventListener("records", (event) => {
    const summaries = JSON.parse(event.data);
    if (held) {
      if (heldOver || held.reduce((sum, batch) => sum + batch.length, 0) + summaries.length > HELD_MAX) {
        heldOver = true;
        held.length = 0;
      } else {
        held.push(summaries);
      }
    } else {
      addRecords(summaries, false);
      showCounts();
    }
    if (session.chat) chatChanged();
  });
  events.addEventListener("reload", () => { reload(); chatReload(); });
}

// ---------------------------------------------------------------- a record's detail
// `record` below is a capture record exactly as the file holds it; its fields and their values
// are defined by the capture record's schema (`wa-hook schemas show capture-record`, the file
// src/capture/schemas/capture-record.json), not restated here. `summary` is the list's row
// (Summary in src/inspector/index.rs).

function tab(name) {
  for (const button of document.querySelectorAll("#tabs button")) {
    button.classList.toggle("on", button.dataset.tab === name);
  }
  for (const pane of document.querySelectorAll(".tab")) pane.hidden = pane.id !== `tab-${name}`;
}

function codeBlock(text, errors) {
  const byLine = new Map();
  for (const error of errors || []) {
    if (error.line) byLine.set(error.line, [...(byLine.get(error.line) || []), error]);
  }
  const block = el("div", { class: "code" });
  text.split("\n").forEach((line, index) => {
    const number = index + 1;
    const here = byLine.get(number);
    block.append(el("div", { class: here ? "ln err" : "ln", id: `line-${number}` },
      el("span", { class: "no" }, number), el("span", { class: "tx" }, line)));
    for (const error of here || []) {
      block.append(el("div", { class: "note" },
        `✗ ${error.pointer || "/"}: expected ${error.expected}, found ${error.found}`));
    }
  });
  return block;
}

function errorList(errors) {
  return el("ul", { class: "errors" }, errors.map((error) => el("li", {},
    error.line ? el("a", { href: `#line-${error.line}` }, `line ${error.line}`) : "", error.line ? " " : "",
    `${error.pointer || "/"}: expected ${error.expected}, found ${error.found}`)));
}

async function show(id) {
  picked = id;
  for (const tr of document.querySelectorAll("tr.row")) tr.classList.toggle("picked", Number(tr.dataset.id) === id);
  const detail = await api(`/api/records/${id}`);
  const { record, summary, headers, body } = detail;
  $("#detail-pane").hidden = false;
  const verdict = record.rejected ? `rejected: ${record.rejected}` : (record.verdict || "not checked");
  let ids = (summary && summary.messages) || [];
  // The app's send names its message only in the emulator's answer: the chat knows it.
  const sent = !ids.length && chatItemOfRecord(id);
  if (sent) ids = [{ id: sent.message.id, status: "accepted" }];
  $("#detail-head").replaceChildren(
    el("h2", {}, `#${record.seq} ${record.method} ${record.path}${record.query ? "?" + record.query : ""}`),
    el("div", { class: "sub" },
      `${record.received_at} · from ${record.remote_addr} · ${record.provider || "no provider"} ${record.kind || ""} · ${verdict}`,
      record.signature ? ` · signature ${record.signature}` : "",
      ` · answered ${record.response_status}`,
      summary ? ` · ${summary.file}` : ""),
    ids.length ? el("div", { class: "sub ids" }, "message: ",
      [...new Set(ids.map((m) => m.id))].map((messageId) =>
        el("a", { href: "#", onclick: (event) => { event.preventDefault(); timeline(messageId); } }, messageId))) : null);

  const bodyPane = $("#tab-body");
  bodyPane.replaceChildren();
  if (body.errors.length) bodyPane.append(errorList(body.errors));
  if (record.note) bodyPane.append(el("p", { class: "hint" }, record.note));
  if (body.pretty !== null) bodyPane.append(codeBlock(body.pretty, body.errors));
  else if (body.raw !== null) bodyPane.append(el("p", { class: "hint" }, "Not JSON; the raw bytes are under Raw."));
  else bodyPane.append(el("p", { class: "hint" }, `The body (${record.body_bytes} bytes) was not kept.`));

  $("#tab-headers").replaceChildren(el("table", { class: "kv" }, headers.map((header) =>
    el("tr", {}, el("td", {}, header.name),
      el("td", { class: header.redacted ? "redacted" : "mono" }, header.redacted ? (record.direction ? "(redacted by emulate)" : "(redacted by listen)") : header.value)))));

  $("#tab-raw").replaceChildren(body.raw === null
    ? el("p", { class: "hint" }, "No body kept.")
    : el("pre", { class: "code", style: null }, body.raw));

  const forward = record.forward;
  $("#tab-reply").replaceChildren(record.direction === "send"
    ? el("div", {},
      el("p", {}, `The app's request to the emulator, answered ${record.response_status}:`),
      record.answer ? el("pre", { class: "code" }, record.answer) : el("p", { class: "hint" }, "The answer was not kept."))
    : forward
    ? el("div", {},
      el("p", {}, `Forwarded to ${forward.url}: `,
        forward.status ? `${forward.status}` : `no answer (${forward.error || "?"})`,
        ` in ${Math.round(forward.latency_ms)} ms`),
      forward.body ? el("pre", { class: "code" }, forward.body) : el("p", { class: "hint" }, "No reply body."))
    : el("p", { class: "hint" }, `Not forwarded; wa-hook answered ${record.response_status} itself.`));

  $("#editor").value = body.pretty !== null ? body.pretty : (body.raw || "");
  shownBody = $("#editor").value;
  $("#replay-result").replaceChildren();
  $("#curl").hidden = true;
  checkEdited();
  if (ids.length) timeline(ids[0].id, false);
  else $("#tab-timeline").replaceChildren(el("p", { class: "hint" }, "This request names no message id."));
}

async function timeline(messageId, open = true) {
  const data = await api(`/api/timeline?${new URLSearchParams({ message: messageId })}`);
  // Beside an emulator, the app's send that made the message comes first.
  const sent = conversation && conversation.byId.get(messageId);
  if (sent && sent.from === "app" && !data.steps.some((step) => step.record === sent.record)) {
    data.steps.unshift({ record: sent.record, seq: sent.seq, received_at: sent.at, status: "accepted", flags: [] });
  }
  $("#tab-timeline").replaceChildren(
    el("p", {}, "Message ", el("code", {}, messageId), ` — ${data.steps.length} event(s) in the order received`),
    el("ol", { class: "timeline" }, data.steps.map((step) => el("li",
      { class: step.flags.length ? "flagged" : "", onclick: () => show(step.record) },
      el("span", { class: "time" }, timeOf(step.received_at)), " ",
      el("span", { class: "status-word" }, step.status), ` · #${step.seq}`,
      step.error ? ` · ${step.error}` : "",
      step.flags.map((flag) => el("span", { class: "flag" }, flag))))));
  if (open) tab("timeline");
}

// ---------------------------------------------------------------- edit, replay, curl, save

let checking = 0;
async function checkEdited() {
  const ticket = ++checking;
  const text = $("#editor").value;
  const line = $("#edit-verdict");
  try {
    const check = await api("/api/validate", { body: text });
    if (ticket !== checking) return;
    line.className = `verdict-line ${check.verdict === "valid" ? "valid" : "bad"}`;
    const count = check.errors.length + (check.more_errors || 0);
    const errors = count ? ` · ${count} error${count === 1 ? "" : "s"}` : "";
    line.textContent = `${check.verdict === "valid" ? "✓" : "✗"} ${check.verdict}: ${check.label}${errors}`;
    $("#edit-errors").replaceChildren(errorList(check.errors));
  } catch (error) {
    line.className = "verdict-line bad";
    line.textContent = `✗ ${error.message}`;
  }
}

function debounce(fn, ms) {
  let timer;
  return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
}

// The call that sends (or would send) the record: the editor's text when it was edited.
function replayCall(edited) {
  const text = $("#editor").value;
  return {
    id: picked,
    url: $("#target").value.trim() || null,
    body: edited && text !== shownBody ? text : null,
  };
}

async function replay(edited) {
  const result = $("#replay-result");
  result.replaceChildren(el("p", { class: "hint" }, "sending…"));
  try {
    const call = replayCall(edited);
    let answer;
    try {
      answer = await api("/api/replay", call);
    } catch (refused) {
      // Not this machine nor the target given on the command line: only once the user says so.
      const host = refused.data && refused.data.confirm_host;
      if (!host) throw refused;
      if (!window.confirm(`Send this captured request, its headers included, to ${host}? It is not this machine nor the target wa-hook was started with.`)) {
        result.replaceChildren(el("div", { class: "result bad" }, `not sent to ${host}`));
        return;
      }
      answer = await api("/api/replay", { ...call, confirm_host: true });
    }
    const ok = answer.status >= 200 && answer.status < 300;
    result.replaceChildren(el("div", { class: `result ${ok ? "ok" : "bad"}` },
      el("strong", {}, answer.status ? `${answer.status}` : "no answer"),
      ` from ${answer.url} in ${Math.round(answer.latency_ms)} ms`,
      answer.resigned ? el("span", { class: "resigned" }, " · re-signed") : "",
      answer.gist ? ` · ${answer.gist}` : "",
      answer.failure ? el("div", {}, answer.failure) : null,
      answer.notes.map((note) => el("div", { class: "hint" }, note))));
  } catch (error) {
    result.replaceChildren(el("div", { class: "result bad" }, error.message));
  }
}

// What "Replay edited" would send (the edited body, re-signed), or the request as captured.
async function copyCurl() {
  const curl = await api("/api/curl", replayCall(true));
  const command = curl.command;
  const pre = $("#curl");
  pre.textContent = curl.resigned ? `# re-signed with the app secret wa-hook holds\n${command}` : command;
  pre.hidden = false;
  try { await navigator.clipboard.writeText(command); } catch (_) { /* shown below instead */ }
}

function saveSample() {
  const summary = records.get(picked) || {};
  const name = [summary.provider || "body", (summary.kind || "").replace(/[^a-z0-9]+/gi, "-"), summary.seq]
    .filter(Boolean).join("-") + ".json";
  const link = el("a", { href: URL.createObjectURL(new Blob([$("#editor").value], { type: "application/json" })), download: name });
  document.body.append(link);
  link.click();
  link.remove();
}

// ---------------------------------------------------------------- the chat (beside an emulator)
// The conversation as WhatsApp shows it, folded from /api/chat's events (each from a capture
// record: the customer's messages, the app's sends, their statuses); the customer's controls
// go through /api/chat/ACTION to the emulator. Every text is a text node.

const RANK = { sent: 1, delivered: 2, read: 3, played: 4 };
let conversation = null; // { run, items, byId, pending } of the newest run
let chatLast = null; // the newest record folded in
let chatPicked = null; // the app's message the tools act on
let chatFetching = false;
let chatAgain = false;

function freshConversation(run) {
  return { run, items: [], byId: new Map(), pending: new Map() };
}

// A status (or a reaction, a read receipt) about a message not drawn yet waits for it.
function about(id, apply) {
  const item = conversation.byId.get(id);
  if (item) apply(item);
  else conversation.pending.set(id, [...(conversation.pending.get(id) || []), apply]);
}

function fold(event) {
  if (!conversation || (event.run && event.run !== conversation.run)) conversation = freshConversation(event.run);
  if (event.type === "status") {
    about(event.id, (item) => {
      if (event.status === "failed") item.failed = event.error || "failed";
      else if ((RANK[event.status] || 0) > (RANK[item.status] || 0)) item.status = event.status;
      else if (!RANK[event.status]) item.other = event.status;
    });
    return;
  }
  const message = event.message;
  // A reaction or a read receipt lands on its message; one the emulator refused is drawn as
  // a refused message of its own.
  if (message.kind === "reaction" && message.about && !event.refused) {
    about(message.about, (item) => { item.reactions[event.from] = message.text || ""; });
    return;
  }
  if (message.kind === "read" && message.about && !event.refused) {
    about(message.about, (item) => { item.readByApp = true; });
    return;
  }
  const item = { ...event, reactions: {}, status: null, failed: null, readByApp: false };
  conversation.items.push(item);
  if (message.id && !event.refused) {
    conversation.byId.set(message.id, item);
    for (const apply of conversation.pending.get(message.id) || []) apply(item);
    conversation.pending.delete(message.id);
  }
}


function content(message) {
  const parts = [];
  if (message.template) {
    const t = message.template;
    parts.push(el("span", { class: "label" }, "template ", el("span", { class: "template-name" }, t.name), t.language ? ` (${t.language})` : ""));
    if (t.parameters.length) parts.push(el("ol", { class: "params" }, t.parameters.map((p) => el("li", {}, p))));
  } else if (message.kind !== "text") {
    parts.push(el("span", { class: `label kind-${message.kind === "location" || message.kind === "contacts" ? "place" : "media"}` }, message.kind));
  }
  if (message.text) parts.push(el("span", { class: "text" }, message.text));
  for (const choice of message.choices || []) parts.push(el("span", { class: "choice" }, choice));
  return parts;
}

function ticks(item) {
  if (item.refused) return null;
  if (item.failed) return el("span", { class: "ticks failed", title: "failed" }, "✗");
  const status = item.status;
  if (!status) return el("span", { class: "ticks", title: "accepted, no status yet" }, "○");
  const read = RANK[status] >= RANK.read;
  return el("span", { class: `ticks ${read ? "read" : ""}`, title: status }, RANK[status] >= RANK.delivered ? "✓✓" : "✓");
}

function appAnswerNote(app) {
  if (!app) return null;
  if (app.status) {
    const ok = app.status >= 200 && app.status < 300;
    return el("span", { class: `app-answer ${ok ? "" : "bad"}`, title: "the app's answer to the webhook" }, `app ${app.status}`);
  }
  return el("span", { class: "app-answer bad", title: app.error || "" }, "app: no answer");
}

function bubble(item) {
  const mine = item.from === "app";
  const reaction = Object.values(item.reactions).filter(Boolean).join(" ");
  const classes = ["bubble", item.from, item.refused ? "refused" : "", reaction ? "has-reaction" : "",
    mine && chatPicked === item.message.id && item.message.id ? "picked" : ""].filter(Boolean).join(" ");
  const node = el("div", {
    class: classes, "data-id": item.message.id || null, "data-record": item.record,
    onclick: () => pickChat(item),
  },
  content(item.message),
  item.refused ? el("span", { class: "refusal" }, `refused: ${item.refused}`) : null,
  item.failed ? el("span", { class: "failure" }, `failed: ${item.failed}`) : null,
  el("div", { class: "foot" },
    !mine && item.who ? el("span", {}, item.who) : null,
    !mine ? appAnswerNote(item.app) : null,
    item.readByApp ? el("span", { class: "ticks read", title: "the app marked it read" }, "✓✓") : null,
    el("a", { href: "#", title: "open the record", onclick: (event) => { event.preventDefault(); event.stopPropagation(); show(item.record); } }, timeOf(item.at)),
    mine ? ticks(item) : null),
  reaction ? el("span", { class: "reaction", title: "reaction" }, reaction) : null);
  return node;
}

function drawChat() {
  const log = $("#chat-log");
  const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  // In the order they happened (records are written as each is done, a little out of order
  // when sends overlap); the stamps are RFC 3339 in UTC, so they sort as text.
  const items = conversation
    ? conversation.items.slice().sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.record - b.record))
    : [];
  log.replaceChildren(...(items.length ? items.map(bubble)
    : [el("div", { class: "chat-note" }, "No messages yet: send one as the customer below, or have the app send one.")]));
  if (atEnd) log.scrollTop = log.scrollHeight;
  const picked = chatPicked && conversation && conversation.byId.get(chatPicked);
  $("#chat-tools").hidden = !picked;
  if (picked) $("#chat-picked").textContent = `The app's message ${chatPicked}:`;
}

// The app's message the record `id` sent, when the chat drew one.
function chatItemOfRecord(id) {
  if (!conversation) return null;
  return conversation.items.find((item) => item.record === id && item.from === "app" && item.message.id && !item.refused) || null;
}

function pickChat(item) {
  if (item.from !== "app" || item.refused || !item.message.id) return;
  chatPicked = chatPicked === item.message.id ? null : item.message.id;
  drawChat();
}

async function fetchChat() {
  if (chatFetching) { chatAgain = true; return; }
  chatFetching = true;
  try {
    let more = false;
    do {
      chatAgain = false;
      const query = chatLast === null ? "" : `?${new URLSearchParams({ after: chatLast })}`;
      const data = await api(`/api/chat${query}`);
      for (const event of data.events) fold(event);
      if (data.last !== null && data.last !== undefined) chatLast = data.last;
      // A burst larger than one answer holds comes in turns.
      more = data.more === true;
      drawChat();
    } while (chatAgain || more);
  } catch (error) {
    $("#chat-error").textContent = error.message;
  } finally {
    chatFetching = false;
  }
}

const chatChanged = debounce(fetchChat, 100);

function chatReload() {
  if (!session.chat) return;
  conversation = null;
  chatLast = null;
  fetchChat();
}

async function chatAct(action, body) {
  $("#chat-error").textContent = "";
  try {
    await api(`/api/chat/${action}`, body);
  } catch (error) {
    $("#chat-error").textContent = `${action}: ${error.message}`;
  }
  chatChanged();
}

function startChat(chat) {
  $("#chat-pane").hidden = false;
  $("#chat-who").textContent = `· the customer and the app, through ${chat.name}'s emulator`;
  for (const kind of chat.kinds) $("#chat-kind").append(el("option", { value: kind }, kind));
  const identities = chat.identities.length ? chat.identities : [];
  $("#chat-identity").hidden = !identities.length;
  for (const identity of identities) $("#chat-identity").append(el("option", { value: identity }, identity));
  $("#chat-kind").addEventListener("change", () => {
    $("#chat-text").disabled = $("#chat-kind").value !== "";
    $("#chat-text").placeholder = $("#chat-kind").value ? `a ${$("#chat-kind").value} like the provider's sample` : "Message as the customer";
  });
  $("#chat-say").addEventListener("submit", (event) => {
    event.preventDefault();
    const kind = $("#chat-kind").value;
    const text = $("#chat-text").value;
    if (!kind && !text) return;
    const body = kind ? { kind } : { text };
    if (identities.length && $("#chat-identity").value !== identities[0]) body.identity = $("#chat-identity").value;
    if (!kind) $("#chat-text").value = "";
    chatAct("say", body);
  });
  $("#chat-read").addEventListener("click", () => chatAct("read", { message_id: chatPicked }));
  $("#chat-fail").addEventListener("click", () => chatAct("fail", { message_id: chatPicked, code: Number($("#chat-code").value) || 131026 }));
  $("#chat-react").addEventListener("click", () => chatAct("react", { message_id: chatPicked, emoji: $("#chat-emoji").value }));
  chatReload();
}

// ---------------------------------------------------------------- start

document.addEventListener("DOMContentLoaded", async () => {
  for (const button of document.querySelectorAll("#tabs button")) {
    button.addEventListener("click", () => tab(button.dataset.tab));
  }
  for (const control of ["#f-provider", "#f-verdict"]) $(control).addEventListener("change", reload);
  for (const control of ["#f-kind", "#f-text"]) $(control).addEventListener("input", debounce(reload, 200));
  $("#filters").addEventListener("submit", (event) => event.preventDefault());
  $("#editor").addEventListener("input", debounce(checkEdited, 250));
  $("#replay-captured").addEventListener("click", () => replay(false));
  $("#replay-edited").addEventListener("click", () => replay(true));
  $("#copy-curl").addEventListener("click", copyCurl);
  $("#save-sample").addEventListener("click", saveSample);
  session = await api("/api/session");
  if (session.replay_target) $("#target").placeholder = `replay to ${session.replay_target} (or another URL)`;
  $("#resign-note").textContent = session.resigns
    ? "An edited Meta body is re-signed with the app secret wa-hook holds."
    : "An edited body goes without its captured signature (start wa-hook with --app-secret-env to re-sign it).";
  if (session.chat) startChat(session.chat);
  connect();
});
