//! The inspector's page in a real headless browser (Debian's `chromium` and
//! `chromium-driver`, driven over WebDriver): a request arriving live, a filter, a detail with
//! an error at its line, a timeline with a duplicate and an out-of-order status flagged, a
//! replay. It takes the screenshots README.md shows, into docs/screenshots/ with
//! `WA_HOOK_SCREENSHOTS=1` (otherwise under target/). Without
//! /usr/bin/chromedriver it is skipped, saying so (`.ci/run` installs it).
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::emulate_inspector::Running;
use super::inspect::{MESSAGE_ID, invalid_qikchat, meta_status};
use crate::common::*;

use std::os::unix::process::CommandExt;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver on a free port, stopped on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    /// chromedriver on a free port. A chromedriver that ends before naming its port (seen
    /// once in CI, with nothing to say why) is started again, up to three times; the last
    /// one's exit status and output are the panic's message.
    fn start() -> Driver {
        let mut failures = Vec::new();
        for _ in 0..3 {
            match Driver::try_start() {
                Ok(driver) => return driver,
                Err(failure) => failures.push(failure),
            }
        }
        panic!("chromedriver printed no port: {}", failures.join(" | "))
    }

    fn try_start() -> Result<Driver, String> {
        // Its own process group: a test that fails ends its session without closing it, and
        // the browsers chromedriver started must go with it.
        let mut child = std::process::Command::new(CHROMEDRIVER)
            .process_group(0)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromedriver");
        let mut stderr = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
            text
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let mut printed = String::new();
        let port = loop {
            line.clear();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                let status = child.wait();
                let stderr = stderr.join().unwrap_or_default();
                return Err(format!("{status:?}; stdout {printed:?}; stderr {stderr:?}"));
            }
            printed.push_str(&line);
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                break rest.trim().trim_end_matches('.').to_string();
            }
        };
        // Keep reading its output so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Ok(Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        })
    }
}

impl Driver {
    /// A headless Chromium session, its window `width` × 900 px, its profile in `profile`.
    async fn session(&self, width: u32, profile: &Path) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         format!("--window-size={width},900"), format!("--user-data-dir={}", profile.display())],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a WebDriver session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(group) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) on the group `start` made for chromedriver and its browsers.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// True (and says so) when the browser is not installed: the test is skipped.
fn browser_missing(test: &str) -> bool {
    let missing = !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists();
    if missing {
        eprintln!(
            "SKIPPED {test}: {CHROMEDRIVER} or {CHROMIUM} is missing (apt-get install chromium \
             chromium-driver; .ci/run installs them)"
        );
    }
    missing
}

/// The inspector's address, as the listener prints it first.
fn inspector_url(listener: &mut Listener) -> String {
    listener
        .next_stdout_line()
        .trim()
        .strip_prefix("inspector: ")
        .unwrap()
        .to_string()
}

/// Send a request to the listener at `url` as it is: `head` (its request line and headers,
/// each ending in CRLF), then `Host`, `Content-Length` and `body`; its answer is read and
/// dropped.
fn send_raw(url: &str, head: &str, body: &[u8]) {
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "{head}Host: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    std::io::Write::write_all(&mut stream, head.as_bytes()).unwrap();
    std::io::Write::write_all(&mut stream, body).unwrap();
    let mut answer = Vec::new();
    let _ = std::io::Read::read_to_end(&mut stream, &mut answer);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// [`until`] the list shows `count` rows.
async fn until_rows(client: &Client, what: &str, count: usize) {
    let script = format!("return document.querySelectorAll('tr.row').length === {count}");
    until(client, what, &script).await;
}

/// Choose `value` in the `<select>` at `selector`.
async fn select(client: &Client, selector: &str, value: &str) {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

/// Asserts that `script` returns true in the page now; `what` names the moment.
async fn assert_holds(client: &Client, script: &str, what: &str) {
    let value = client.execute(script, vec![]).await.unwrap();
    assert_eq!(value, Value::Bool(true), "{what}");
}

/// Replace `from` by `to` in the editor's body, as typing would (an `input` event).
async fn edit(client: &Client, from: &str, to: &str) {
    let script = format!(
        "const e = document.querySelector('#editor');
         e.value = e.value.replace('{from}', '{to}');
         e.dispatchEvent(new Event('input'));
         return true;"
    );
    client.execute(&script, vec![]).await.unwrap();
}

/// How long the page may take to show what it is waiting for. The page shows it within a
/// second on a quiet machine; the tests run beside many others (on CI, two cores for all of
/// them, a headless browser each), where 15 s once ran out.
const PAGE_WAIT: Duration = Duration::from_secs(30);

/// The statuses and messages of a Meta webhook body, in every entry and change.
fn webhook_events(body: &[u8]) -> usize {
    let body: Value = serde_json::from_slice(body).expect("a JSON webhook");
    let entries = body["entry"].as_array().expect("entries");
    entries
        .iter()
        .flat_map(|entry| entry["changes"].as_array().expect("changes"))
        .map(|change| {
            let count = |name: &str| change["value"][name].as_array().map_or(0, Vec::len);
            count("statuses") + count("messages")
        })
        .sum()
}

/// Open the inspector at `ui` and wait until its live list is connected.
async fn open_live(client: &Client, ui: &str) {
    client.goto(ui).await.unwrap();
    until(
        client,
        "the live mark",
        "return document.querySelector('#live').classList.contains('on')",
    )
    .await;
}

/// Wait (at most `PAGE_WAIT`) until `script` returns true in the page.
async fn until(client: &Client, what: &str, script: &str) {
    let deadline = Instant::now() + PAGE_WAIT;
    loop {
        let value = client.execute(script, vec![]).await.unwrap();
        if value == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "the page never showed {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether a WebDriver error means "look for the element again": the list re-renders as
/// records arrive and filters reload, so an element found a moment ago may be gone.
fn look_again(error: &fantoccini::error::CmdError) -> bool {
    error.is_stale_element_reference() || error.is_no_such_element()
}

/// Find `selector` and click it, found afresh each try (at most `PAGE_WAIT`) while the list
/// re-renders under it.
async fn click(client: &Client, selector: &str) {
    let deadline = Instant::now() + PAGE_WAIT;
    loop {
        let clicked = match client.find(Locator::Css(selector)).await {
            Ok(element) => element.click().await,
            Err(error) => Err(error),
        };
        match clicked {
            Ok(()) => return,
            Err(error) if look_again(&error) && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => panic!("clicking {selector}: {error}"),
        }
    }
}

/// The text of `selector`, found afresh while the list re-renders under it.
async fn text_of(client: &Client, selector: &str) -> String {
    let deadline = Instant::now() + PAGE_WAIT;
    loop {
        let text = match client.find(Locator::Css(selector)).await {
            Ok(element) => element.text().await,
            Err(error) => Err(error),
        };
        match text {
            Ok(text) => return text,
            Err(error) if look_again(&error) && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => panic!("reading {selector}: {error}"),
        }
    }
}

async fn screenshot(client: &Client, name: &str) {
    // The highlight of rows just arrived has faded.
    until(
        client,
        "a still page",
        "return document.getAnimations().length === 0",
    )
    .await;
    let png = client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    // Committed ones are refreshed on request, so a test run leaves the tree as it was.
    let dir = if std::env::var_os("WA_HOOK_SCREENSHOTS").is_some() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
    } else {
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
    };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

fn write_body(dir: &Path, name: &str, body: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn the_page_in_a_headless_browser() {
    if browser_missing("the_page_in_a_headless_browser") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("captures.jsonl");
    let app = RecordingServer::start();
    let mut listener = Listener::start(&["--out", out.to_str().unwrap(), "--forward-to", &app.url]);
    let ui = inspector_url(&mut listener);
    let driver = Driver::start();
    runtime().block_on(async {
        let client = driver.session(1440, &dir.path().join("profile")).await;
        open_live(&client, &ui).await;

        // Requests arriving live: a message's statuses (read before delivered, read twice)
        // and an invalid Qikchat message, sent one after another.
        let bodies = [
            write_body(dir.path(), "1-sent.json", &meta_status("sent")),
            write_body(dir.path(), "2-read.json", &meta_status("read")),
            write_body(dir.path(), "3-delivered.json", &meta_status("delivered")),
            write_body(dir.path(), "4-read.json", &meta_status("read")),
            write_body(dir.path(), "5-invalid.json", &invalid_qikchat()),
        ];
        let mut args = vec!["replay", "-c", "1", "--to", &listener.url];
        args.extend(bodies.iter().map(String::as_str));
        wa_hook().args(&args).assert().code(0);
        until_rows(&client, "five rows", 5).await;
        let first = text_of(&client, "tr.row").await;
        assert!(first.contains("qikchat") && first.contains("✗"), "{first}");
        assert!(
            text_of(&client, "tbody").await.contains("200 ·"),
            "forward status shown"
        );
        screenshot(&client, "list.png").await;

        // A filter.
        select(&client, "#f-verdict", "invalid").await;
        until_rows(&client, "one invalid row", 1).await;

        // The detail: the error at its line.
        click(&client, "tr.row").await;
        until(
            &client,
            "an error line",
            "return !!document.querySelector('.code .ln.err')",
        )
        .await;
        let line = text_of(&client, ".code .ln.err").await;
        assert!(line.contains("\"type\": 7"), "{line}");
        let note = text_of(&client, ".code .note").await;
        assert!(
            note.contains("/payload/message/type: expected string"),
            "{note}"
        );
        screenshot(&client, "detail.png").await;

        // The timeline of the Meta message: a duplicate and an out-of-order status.
        select(&client, "#f-verdict", "").await;
        select(&client, "#f-provider", "meta").await;
        until_rows(&client, "four Meta rows", 4).await;
        click(&client, "tr.row").await;
        until(
            &client,
            "the message id",
            "return !!document.querySelector('#detail-head .ids a')",
        )
        .await;
        click(&client, "#detail-head .ids a").await;
        until(
            &client,
            "the timeline with its flags",
            "return !document.querySelector('#tab-timeline').hidden
                 && document.querySelectorAll('#tab-timeline .flag').length === 2",
        )
        .await;
        let timeline = text_of(&client, "#tab-timeline").await;
        assert!(timeline.contains(MESSAGE_ID), "{timeline}");
        assert!(
            timeline.contains("out of order: delivered after read"),
            "{timeline}"
        );
        assert!(timeline.contains("duplicate"), "{timeline}");
        screenshot(&client, "timeline.png").await;

        // Edit, checked as typed, then replay to the app.
        click(&client, "#tabs button[data-tab=edit]").await;
        until(
            &client,
            "a valid verdict",
            "return document.querySelector('#edit-verdict').textContent.startsWith('✓')",
        )
        .await;
        edit(&client, "\"status\": \"read\"", "\"status\": 5").await;
        until(
            &client,
            "the edit's verdict",
            "return document.querySelector('#edit-verdict').textContent.startsWith('✗')",
        )
        .await;
        let before = app.requests().len();
        click(&client, "#replay-edited").await;
        until(
            &client,
            "the replay's answer",
            "return !!document.querySelector('#replay-result .result')",
        )
        .await;
        let result = text_of(&client, "#replay-result").await;
        assert!(result.starts_with("200"), "{result}");
        screenshot(&client, "edit.png").await;
        let sent = app.requests();
        assert_eq!(sent.len(), before + 1);
        // The edit, sent as Meta writes bodies (compact), as replay sends edited bodies.
        assert!(String::from_utf8_lossy(&sent[before].body).contains("\"status\":5"));
        client.close().await.unwrap();
    });
    listener.next_stdout_line();
    drop(driver);
}

/// A record that arrives while the list reloads (the live list's stream opened again, a filter
/// changed) stays in the list: the page being fetched was made before it, and once replaced
/// the row the live list had just added. The page's fetch is held open here, as a slow answer
/// would hold it, until the live list has delivered the record. More records than the page
/// holds back meanwhile (`HELD_MAX`, lowered here) make it load the list again.
#[test]
fn a_record_arriving_during_a_reload_stays_listed() {
    if browser_missing("a_record_arriving_during_a_reload_stays_listed") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("captures.jsonl");
    let mut listener = Listener::start(&["--out", out.to_str().unwrap()]);
    let ui = inspector_url(&mut listener);
    let driver = Driver::start();
    runtime().block_on(async {
        let client = driver.session(1440, &dir.path().join("profile")).await;
        open_live(&client, &ui).await;
        // Reloads whose page is made at once, and shown only when the test says.
        let hold = "const fetchPage = api;
            window.api = async (path, body) => {
                const answer = await fetchPage(path, body);
                if (window.holdPages && path.startsWith('/api/records?')) {
                    await new Promise((release) => { window.releasePage = release; });
                }
                return answer;
            };
            return true;";
        client.execute(hold, vec![]).await.unwrap();
        let reload_held = "window.holdPages = true; window.releasePage = null; reload(); return true;";
        client.execute(reload_held, vec![]).await.unwrap();
        until(&client, "the page made", "return !!window.releasePage").await;
        let body = write_body(dir.path(), "read.json", &meta_status("read"));
        wa_hook()
            .args(["replay", "--to", &listener.url, &body])
            .assert()
            .code(0);
        until(
            &client,
            "the record delivered (held back until the page is shown)",
            "return (typeof held !== 'undefined' && held !== null && held.length === 1)
                 || document.querySelectorAll('tr.row').length === 1",
        )
        .await;
        client
            .execute("window.releasePage(); return true;", vec![])
            .await
            .unwrap();
        until_rows(&client, "the record's row", 1).await;
        until(
            &client,
            "it counted once",
            "return document.querySelector('#counts').textContent.startsWith('1 shown of 1 captured')",
        )
        .await;

        // Two more while the page may hold back one: the list is loaded again once shown.
        client
            .execute(&format!("HELD_MAX = 1; {reload_held}"), vec![])
            .await
            .unwrap();
        until(&client, "the page made", "return !!window.releasePage").await;
        wa_hook()
            .args(["replay", "-c", "1", "--to", &listener.url, &body, &body])
            .assert()
            .code(0);
        until(&client, "more than it holds", "return heldOver === true").await;
        client
            .execute("window.holdPages = false; window.releasePage(); return true;", vec![])
            .await
            .unwrap();
        until_rows(&client, "all three rows", 3).await;
        until(
            &client,
            "each counted once",
            "return held === null
                 && document.querySelector('#counts').textContent.startsWith('3 shown of 3 captured')",
        )
        .await;
        client.close().await.unwrap();
    });
    drop(driver);
}

/// Where each of the list's columns `time`, `verdict` and `app` is, against the list's own
/// box: the test is that each is shown whole inside it.
const COLUMNS_IN_VIEW: &str = "
    const pane = document.querySelector('#list-pane').getBoundingClientRect();
    return ['c-time', 'c-mark', 'c-app'].every((name) => {
        const cell = document.querySelector(`#list th.${name}`);
        const box = cell.getBoundingClientRect();
        return getComputedStyle(cell).display !== 'none' && box.width > 20
            && box.left >= pane.left - 1 && box.right <= pane.right + 1;
    });";

/// Rows no provider explains are labelled ("handshake", "not JSON"; never a bare "—" or "?"),
/// the app's answers to the forwards are counted (and filter the list), and the list keeps
/// its time, verdict and app columns in view with the detail open at 1400 px and at 800 px.
#[test]
fn labels_app_counts_and_columns_at_any_width() {
    if browser_missing("labels_app_counts_and_columns_at_any_width") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("captures.jsonl");
    let app = RecordingServer::with_responder(|request| {
        if request.url.contains("fail") {
            Reply::new(500, b"{\"error\":\"boom\"}")
        } else {
            Reply::ok()
        }
    });
    const SECRET: &str = "browser-app-secret-7";
    let mut command = wa_hook_process();
    command.env("BROWSER_APP_SECRET", SECRET);
    let mut listener = Listener::start_with(
        command,
        &[
            "--out",
            out.to_str().unwrap(),
            "--forward-to",
            &app.url,
            "--app-secret-env",
            "BROWSER_APP_SECRET",
        ],
    );
    let ui = inspector_url(&mut listener);
    let send = |head: &str, body: &[u8]| send_raw(&listener.url, &format!("{head}\r\n"), body);
    send(
        "GET /webhook?hub.mode=subscribe&hub.challenge=7&hub.verify_token=t HTTP/1.1",
        b"",
    );
    send(
        "POST /fail HTTP/1.1\r\nContent-Type: text/plain",
        b"plain words, not JSON",
    );
    send("POST /fail HTTP/1.1", &meta_status("sent"));
    send("POST /ok HTTP/1.1", &meta_status("read"));

    let driver = Driver::start();
    runtime().block_on(async {
        let client = driver.session(1400, &dir.path().join("profile")).await;
        client.goto(&ui).await.unwrap();
        until_rows(&client, "four rows", 4).await;
        // The key went for a cookie: the address bar holds the clean URL.
        let address = client.current_url().await.unwrap();
        assert!(!address.as_str().contains("key="), "{address}");

        let handshake = text_of(&client, "tr.row:nth-child(4)").await;
        assert!(
            handshake.contains("handshake") && handshake.contains("n/a"),
            "{handshake}"
        );
        let words = text_of(&client, "tr.row:nth-child(3)").await;
        assert!(
            words.contains("not JSON") && words.contains("500"),
            "{words}"
        );
        for row in [&handshake, &words] {
            assert!(!row.contains('—') && !row.contains('?'), "{row}");
        }
        let counts = text_of(&client, "#app-counts").await;
        assert_eq!(counts, "· app: 200 × 2, 500 × 2", "{counts}");
        assert_holds(&client, COLUMNS_IN_VIEW, "1400 px").await;

        // The detail open at 1400 px, then the window at 800 px.
        click(&client, "tr.row:nth-child(2)").await;
        until(
            &client,
            "the detail",
            "return !document.querySelector('#detail-pane').hidden",
        )
        .await;
        assert_holds(&client, COLUMNS_IN_VIEW, "1400 px, detail open").await;
        screenshot(&client, "columns-1400.png").await;
        client.set_window_size(800, 900).await.unwrap();
        until(
            &client,
            "the window at 800 px",
            "return window.innerWidth <= 800",
        )
        .await;
        assert_holds(&client, COLUMNS_IN_VIEW, "800 px, detail open").await;
        screenshot(&client, "columns-800.png").await;

        // Replay edited: re-signed with the secret listen holds, and said so; the curl
        // carries the new signature and never the secret.
        click(&client, "#tabs button[data-tab=edit]").await;
        until(
            &client,
            "the editor",
            "return document.querySelector('#editor').value.includes('\"sent\"')",
        )
        .await;
        let note = text_of(&client, "#resign-note").await;
        assert!(note.contains("re-signed"), "{note}");
        edit(&client, "\"status\": \"sent\"", "\"status\": \"délivré\"").await;
        let before = app.requests().len();
        click(&client, "#replay-edited").await;
        until(
            &client,
            "the replay's answer",
            "return !!document.querySelector('#replay-result .result')",
        )
        .await;
        let result = text_of(&client, "#replay-result").await;
        assert!(
            result.starts_with("500") && result.contains("re-signed"),
            "{result}"
        );
        let requests = app.requests();
        assert_eq!(requests.len(), before + 1);
        let body = &requests[before].body;
        assert!(String::from_utf8_lossy(body).contains(r#""status":"d\u00e9livr\u00e9""#));
        let signature = requests[before]
            .header("X-Hub-Signature-256")
            .unwrap()
            .to_string();
        let secret = wa_hook::secret::SecretString::new(SECRET);
        assert!(wa_hook::providers::meta::signature::verify(
            &secret, &signature, body
        ));
        click(&client, "#copy-curl").await;
        until(
            &client,
            "the curl command",
            "return !document.querySelector('#curl').hidden",
        )
        .await;
        let curl = text_of(&client, "#curl").await;
        assert!(
            curl.contains(&format!("X-Hub-Signature-256: {signature}")),
            "{curl}"
        );
        let page = client
            .execute("return document.documentElement.outerHTML", vec![])
            .await
            .unwrap();
        assert!(!page.as_str().unwrap().contains(SECRET) && !curl.contains(SECRET));
        screenshot(&client, "resigned.png").await;

        // An app's answer filters the list.
        click(&client, "#app-counts .chip[data-app='500']").await;
        until_rows(&client, "the two 500s", 2).await;
        let rows = text_of(&client, "#list tbody").await;
        assert!(!rows.contains("200 ·"), "{rows}");
        click(&client, "#app-counts .chip[data-app='500']").await;
        until_rows(&client, "every row again", 4).await;
        client.close().await.unwrap();
    });
    drop(driver);
}

/// Markup in everything a sender controls: each `<b data-xss>` or `<img>` it becomes would
/// be an element in the page.
const MARKUP: &str = "<b data-xss=1>x</b><img src=x onerror=document.title=1>";

/// What anyone who reaches the webhook controls — the path, the query, header values, the
/// body (a message's text, the sender's name, the message id, bytes that are not JSON), the
/// method of a request refused — sent through a real `listen`, then every view of each record
/// opened: the page shows it all as text and no element of it appears.
#[test]
fn markup_from_senders_is_shown_as_text() {
    if browser_missing("markup_from_senders_is_shown_as_text") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("captures.jsonl");
    let mut listener = Listener::start(&["--out", out.to_str().unwrap()]);
    let ui = inspector_url(&mut listener);
    let send = |head: String, body: &[u8]| send_raw(&listener.url, &head, body);
    let in_path = MARKUP.replace(' ', "/");
    let message = String::from_utf8(sample_bytes("meta/message-text"))
        .unwrap()
        .replace("Kerry Fisher", MARKUP)
        .replace("Hi! Is the blue jacket still available in size M?", MARKUP)
        .replace(
            "wamid.HBgLMTY1MDU1NTM5MjEVAgASGBQzQTdGNDFDMkI4OUQwRTZBM0I1MQA=",
            MARKUP,
        );
    send(
        format!(
            "POST /{in_path}?q={in_path} HTTP/1.1\r\nX-Note: {MARKUP}\r\nContent-Type: application/json\r\n"
        ),
        message.as_bytes(),
    );
    let status = String::from_utf8(meta_status("failed"))
        .unwrap()
        .replace(MESSAGE_ID, MARKUP);
    send("POST /status HTTP/1.1\r\n".to_string(), status.as_bytes());
    send("POST /raw HTTP/1.1\r\n".to_string(), MARKUP.as_bytes());
    send(
        format!("P{} /refused HTTP/1.1\r\n", MARKUP.replace(' ', "")),
        b"",
    );

    let driver = Driver::start();
    runtime().block_on(async {
        let client = driver.session(1440, &dir.path().join("profile")).await;
        client.goto(&ui).await.unwrap();
        until_rows(&client, "four rows", 4).await;
        let clean = "return document.querySelectorAll('[data-xss], img').length === 0
                     && document.title === 'wa-hook inspector'";
        for at in 0..4 {
            click(&client, &format!("tr.row:nth-child({})", at + 1)).await;
            until(&client, "the detail", &format!(
                "return document.querySelector('#detail-head h2')?.textContent.startsWith('#{}')", 4 - at)).await;
            for tab in ["body", "headers", "raw", "reply", "timeline", "edit"] {
                click(&client, &format!("#tabs button[data-tab={tab}]")).await;
                assert_holds(&client, clean, &format!("row {at}, {tab}")).await;
            }
            click(&client, "#copy-curl").await;
            until(&client, "the curl command", "return !document.querySelector('#curl').hidden").await;
            assert_holds(&client, clean, &format!("row {at}, curl")).await;
        }
        // It is all there, as text.
        let page = client
            .execute("return document.body.innerText + [...document.querySelectorAll('[title]')].map(e => e.title).join(' ')", vec![])
            .await
            .unwrap();
        let page = page.as_str().unwrap();
        assert!(page.contains(MARKUP), "{page}");
        client.find(Locator::Css("#f-text")).await.unwrap().send_keys("data-xss").await.unwrap();
        until(&client, "the search", "return document.querySelectorAll('tr.row').length >= 2").await;
        assert_holds(&client, clean, "search").await;
        screenshot(&client, "hostile.png").await;
        client.close().await.unwrap();
    });
    drop(driver);
}

/// The inspector beside `wa-hook emulate meta`: the chat pane draws the conversation as
/// WhatsApp shows it and plays the customer (say, a sample kind, read, react, fail).
#[test]
fn the_chat_beside_an_emulator() {
    if browser_missing("the_chat_beside_an_emulator") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let app = RecordingServer::start();
    let running = Running::start(dir.path(), &app, &[]);
    let ui = running
        .second_line
        .trim()
        .strip_prefix("inspector: ")
        .unwrap()
        .to_string();
    let driver = Driver::start();
    runtime().block_on(async {
        let client = driver.session(1440, &dir.path().join("profile")).await;
        client.goto(&ui).await.unwrap();
        until(
            &client,
            "the chat pane",
            "return !document.querySelector('#chat-pane').hidden
                 && document.querySelectorAll('#chat-kind option').length > 5",
        )
        .await;

        // The customer writes.
        type_into(&client, "#chat-text", "Hi! Is the blue jacket still available in size M?").await;
        click(&client, "#chat-send").await;
        until_count(&client, ".bubble.customer", 1).await;
        // The app marks it read: blue ticks on the customer's message.
        let said = client
            .execute("return document.querySelector('.bubble.customer').dataset.id", vec![])
            .await
            .unwrap();
        let (status, _) = running.send(&json!({"messaging_product": "whatsapp",
            "status": "read", "message_id": said}));
        assert_eq!(status, 200);
        until_count(&client, ".bubble.customer .ticks.read", 1).await;

        // The app answers: a text, a template, an image, and a template Meta refuses.
        let text = json!({"messaging_product": "whatsapp", "to": "16505553921", "type": "text",
            "text": {"body": "Yes! Size M is in stock. Shall I reserve it?"}});
        let (status, answer) = running.send(&text);
        assert_eq!(status, 200);
        let wamid = answer["messages"][0]["id"].as_str().unwrap().to_string();
        let template = json!({"messaging_product": "whatsapp", "to": "16505553921",
            "type": "template", "template": {"name": "order_reserved",
            "language": {"code": "en_US"}, "components": [{"type": "body", "parameters": [
                {"type": "text", "text": "Kerry"}, {"type": "text", "text": "blue jacket (M)"}]}]}});
        assert_eq!(running.send(&template).0, 200);
        let image = json!({"messaging_product": "whatsapp", "to": "16505553921", "type": "image",
            "image": {"link": "https://example.com/jacket.png", "caption": "The jacket"}});
        let (_, answer) = running.send(&image);
        let image_id = answer["messages"][0]["id"].as_str().unwrap().to_string();
        let refused = json!({"messaging_product": "whatsapp", "to": "16505553921",
            "type": "template", "template": {"name": "order_reserved"}});
        assert_eq!(running.send(&refused).0, 400);
        until_count(&client, ".bubble.app", 4).await;
        until(
            &client,
            "the statuses' ticks",
            "return [...document.querySelectorAll('.bubble.app:not(.refused) .ticks')]
                 .every((t) => t.textContent === '✓✓')",
        )
        .await;
        let refusal = text_of(&client, ".bubble.refused").await;
        assert!(
            refusal.contains("refused: 100") && refusal.contains("/template/language"),
            "{refusal}"
        );
        let template_text = text_of(&client, ".bubble.app:nth-child(3)").await;
        assert!(
            template_text.contains("order_reserved") && template_text.contains("blue jacket (M)"),
            "{template_text}"
        );

        // On the app's first message: read, then react; the image fails with 131047.
        click(&client, &format!(".bubble.app[data-id='{wamid}']")).await;
        until(&client, "the tools", "return !document.querySelector('#chat-tools').hidden").await;
        click(&client, "#chat-read").await;
        until_count(&client, ".bubble.app .ticks.read", 1).await;
        click(&client, "#chat-react").await;
        until_count(&client, ".bubble.app .reaction", 1).await;
        click(&client, &format!(".bubble.app[data-id='{image_id}']")).await;
        client
            .execute("document.querySelector('#chat-code').value = '131047'; return true;", vec![])
            .await
            .unwrap();
        click(&client, "#chat-fail").await;
        until_count(&client, ".bubble.app .failure", 1).await;
        let failed = text_of(&client, ".bubble.app .failure").await;
        assert!(failed.contains("131047"), "{failed}");

        // A sample kind, in the customer's username identity.
        select(&client, "#chat-kind", "message:location").await;
        select(&client, "#chat-identity", "username").await;
        click(&client, "#chat-send").await;
        until_count(&client, ".bubble.customer", 2).await;
        let location = text_of(&client, ".bubble.customer:last-child").await;
        assert!(location.contains("location"), "{location}");
        // say, 3 accepted sends × (sent, delivered), read, react, fail, say: the webhooks'
        // events, however many of them the emulator merged into one request (as Meta does
        // when they wait, which a loaded machine makes likelier).
        let requests = app.requests();
        let events: usize = requests.iter().map(|request| webhook_events(&request.body)).sum();
        assert_eq!(events, 2 + 3 * 2 + 3, "{} requests", requests.len());
        screenshot(&client, "chat.png").await;
        // At 800 px the chat goes above the list, its box and controls whole in view.
        client.set_window_size(800, 900).await.unwrap();
        until(&client, "the window at 800 px", "return window.innerWidth <= 800").await;
        assert_holds(
            &client,
            "return ['#chat-send', '#chat-react', '#chat-text'].every((selector) => {
                 const box = document.querySelector(selector).getBoundingClientRect();
                 return box.width > 10 && box.left >= 0 && box.right <= window.innerWidth;
             })",
            "800 px",
        )
        .await;
        screenshot(&client, "chat-800.png").await;
        client.set_window_size(1440, 900).await.unwrap();

        // A message's time opens its send; its timeline runs from the send to the read.
        click(&client, &format!(".bubble.app[data-id='{wamid}'] .foot a")).await;
        until(
            &client,
            "the send's timeline",
            "return document.querySelectorAll('#tab-timeline li').length === 4",
        )
        .await;
        click(&client, "#tabs button[data-tab=timeline]").await;
        let steps = text_of(&client, "#tab-timeline ol").await;
        let words: Vec<&str> = ["accepted", "sent", "delivered", "read"]
            .into_iter()
            .filter(|word| steps.contains(&format!(" {word} ·")))
            .collect();
        assert_eq!(words.len(), 4, "{steps}");
        click(&client, "#tabs button[data-tab=reply]").await;
        let reply = text_of(&client, "#tab-reply").await;
        assert!(reply.contains("answered 200") && reply.contains(&wamid), "{reply}");
        client.close().await.unwrap();
    });
    drop(driver);
}

/// Markup in everything the chat draws — the customer's text and reaction, the app's text,
/// template name and parameters, buttons, a refused send's error — is shown as text.
#[test]
fn markup_in_the_chat_is_shown_as_text() {
    if browser_missing("markup_in_the_chat_is_shown_as_text") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let app = RecordingServer::start();
    let running = Running::start(dir.path(), &app, &[]);
    let ui = running
        .second_line
        .trim()
        .strip_prefix("inspector: ")
        .unwrap()
        .to_string();
    let (_, answer) = running.send(
        &json!({"messaging_product": "whatsapp", "to": "16505553921",
        "type": "text", "text": {"body": MARKUP}}),
    );
    let wamid = answer["messages"][0]["id"].as_str().unwrap().to_string();
    running.send(
        &json!({"messaging_product": "whatsapp", "to": "16505553921",
        "type": "template", "template": {"name": MARKUP, "language": {"code": MARKUP},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": MARKUP,
        "parameter_name": MARKUP}]}]}}),
    );
    running.send(
        &json!({"messaging_product": "whatsapp", "to": "16505553921",
        "type": "interactive", "interactive": {"type": "button", "body": {"text": MARKUP},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "a", "title": MARKUP}}]}}}),
    );
    // Refused: Meta's error quotes the field at fault.
    running.send(
        &json!({"messaging_product": "whatsapp", "to": "16505553921",
        "type": "text", "text": {"body": 5, MARKUP: 1}}),
    );
    let driver = Driver::start();
    runtime().block_on(async {
        let client = driver.session(1440, &dir.path().join("profile")).await;
        client.goto(&ui).await.unwrap();
        until_count(&client, ".bubble.app", 4).await;
        type_into(&client, "#chat-text", MARKUP).await;
        click(&client, "#chat-send").await;
        until_count(&client, ".bubble.customer", 1).await;
        click(&client, &format!(".bubble.app[data-id='{wamid}']")).await;
        client
            .execute(
                &format!(
                    "document.querySelector('#chat-emoji').value = {}; return true;",
                    serde_json::to_string(MARKUP).unwrap()
                ),
                vec![],
            )
            .await
            .unwrap();
        click(&client, "#chat-react").await;
        until_count(&client, ".bubble .reaction", 1).await;
        let clean = "return document.querySelectorAll('[data-xss], img').length === 0
                     && document.title === 'wa-hook inspector'";
        assert_holds(&client, clean, "the chat").await;
        // Each send's record, every view of it.
        for at in 1..=4 {
            click(&client, &format!(".bubble.app:nth-child({at}) .foot a")).await;
            until(
                &client,
                "the detail",
                "return !document.querySelector('#detail-pane').hidden",
            )
            .await;
            for tab in ["body", "headers", "raw", "reply", "timeline", "edit"] {
                click(&client, &format!("#tabs button[data-tab={tab}]")).await;
                assert_holds(&client, clean, &format!("send {at}, {tab}")).await;
            }
        }
        let page = client
            .execute(
                "return document.querySelector('#chat-log').innerText",
                vec![],
            )
            .await
            .unwrap();
        let page = page.as_str().unwrap();
        assert!(page.matches(MARKUP).count() >= 7, "{page}");
        client.close().await.unwrap();
    });
    drop(driver);
}

/// Type `text` into the input at `selector`.
async fn type_into(client: &Client, selector: &str, text: &str) {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// [`until`] the page holds `count` elements matching `selector`.
async fn until_count(client: &Client, selector: &str, count: usize) {
    let script = format!(
        "return document.querySelectorAll({}).length === {count}",
        serde_json::to_string(selector).unwrap()
    );
    until(client, &format!("{count} × {selector}"), &script).await;
}
