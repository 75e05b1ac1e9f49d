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

use super::inspect::{MESSAGE_ID, invalid_qikchat, meta_status};
use crate::common::*;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver on a free port, stopped on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let mut child = std::process::Command::new(CHROMEDRIVER)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let port = loop {
            line.clear();
            assert!(
                stdout.read_line(&mut line).unwrap() > 0,
                "chromedriver printed no port"
            );
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                break rest.trim().trim_end_matches('.').to_string();
            }
        };
        // Keep reading its output so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wait (at most 15 s) until `script` returns true in the page.
async fn until(client: &Client, what: &str, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let value = client.execute(script, vec![]).await.unwrap();
        if value == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "the page never showed {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn text_of(client: &Client, selector: &str) -> String {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
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
    if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
        eprintln!(
            "SKIPPED the_page_in_a_headless_browser: {CHROMEDRIVER} or {CHROMIUM} is missing \
             (apt-get install chromium chromium-driver; .ci/run installs them)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("captures.jsonl");
    let app = RecordingServer::start();
    let mut listener = Listener::start(&["--out", out.to_str().unwrap(), "--forward-to", &app.url]);
    let ui = listener
        .next_stdout_line()
        .trim()
        .strip_prefix("inspector: ")
        .unwrap()
        .to_string();
    let driver = Driver::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let profile = dir.path().join("profile");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1440,900", format!("--user-data-dir={}", profile.display())],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("a WebDriver session");
        client.goto(&ui).await.unwrap();
        until(&client, "the live mark", "return document.querySelector('#live').classList.contains('on')").await;

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
        until(&client, "five rows", "return document.querySelectorAll('tr.row').length === 5").await;
        let first = text_of(&client, "tr.row").await;
        assert!(first.contains("qikchat") && first.contains("✗"), "{first}");
        assert!(text_of(&client, "tbody").await.contains("200 ·"), "forward status shown");
        screenshot(&client, "list.png").await;

        // A filter.
        client
            .find(Locator::Css("#f-verdict"))
            .await
            .unwrap()
            .select_by_value("invalid")
            .await
            .unwrap();
        until(&client, "one invalid row", "return document.querySelectorAll('tr.row').length === 1").await;

        // The detail: the error at its line.
        client.find(Locator::Css("tr.row")).await.unwrap().click().await.unwrap();
        until(&client, "an error line", "return !!document.querySelector('.code .ln.err')").await;
        let line = text_of(&client, ".code .ln.err").await;
        assert!(line.contains("\"type\": 7"), "{line}");
        let note = text_of(&client, ".code .note").await;
        assert!(note.contains("/payload/message/type: expected string"), "{note}");
        screenshot(&client, "detail.png").await;

        // The timeline of the Meta message: a duplicate and an out-of-order status.
        client.find(Locator::Css("#f-verdict")).await.unwrap().select_by_value("").await.unwrap();
        client.find(Locator::Css("#f-provider")).await.unwrap().select_by_value("meta").await.unwrap();
        until(&client, "four Meta rows", "return document.querySelectorAll('tr.row').length === 4").await;
        client.find(Locator::Css("tr.row")).await.unwrap().click().await.unwrap();
        until(&client, "the message id", "return !!document.querySelector('#detail-head .ids a')").await;
        client.find(Locator::Css("#detail-head .ids a")).await.unwrap().click().await.unwrap();
        until(
            &client,
            "the timeline with its flags",
            "return !document.querySelector('#tab-timeline').hidden
                 && document.querySelectorAll('#tab-timeline .flag').length === 2",
        )
        .await;
        let timeline = text_of(&client, "#tab-timeline").await;
        assert!(timeline.contains(MESSAGE_ID), "{timeline}");
        assert!(timeline.contains("out of order: delivered after read"), "{timeline}");
        assert!(timeline.contains("duplicate"), "{timeline}");
        screenshot(&client, "timeline.png").await;

        // Edit, checked as typed, then replay to the app.
        client
            .find(Locator::Css("#tabs button[data-tab=edit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        until(&client, "a valid verdict", "return document.querySelector('#edit-verdict').textContent.startsWith('✓')").await;
        client
            .execute(
                "const e = document.querySelector('#editor');
                 e.value = e.value.replace('\"status\": \"read\"', '\"status\": 5');
                 e.dispatchEvent(new Event('input'));
                 return true;",
                vec![],
            )
            .await
            .unwrap();
        until(&client, "the edit's verdict", "return document.querySelector('#edit-verdict').textContent.startsWith('✗')").await;
        let before = app.requests().len();
        client.find(Locator::Css("#replay-edited")).await.unwrap().click().await.unwrap();
        until(&client, "the replay's answer", "return !!document.querySelector('#replay-result .result')").await;
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

/// Markup in everything a sender controls: each `<b data-xss>` or `<img>` it becomes would
/// be an element in the page.
const MARKUP: &str = "<b data-xss=1>x</b><img src=x onerror=document.title=1>";

/// What anyone who reaches the webhook controls — the path, the query, header values, the
/// body (a message's text, the sender's name, the message id, bytes that are not JSON), the
/// method of a request refused — sent through a real `listen`, then every view of each record
/// opened: the page shows it all as text and no element of it appears.
#[test]
fn markup_from_senders_is_shown_as_text() {
    if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
        eprintln!(
            "SKIPPED markup_from_senders_is_shown_as_text: {CHROMEDRIVER} or {CHROMIUM} is missing"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("captures.jsonl");
    let mut listener = Listener::start(&["--out", out.to_str().unwrap()]);
    let ui = listener
        .next_stdout_line()
        .trim()
        .strip_prefix("inspector: ")
        .unwrap()
        .to_string();
    let address = listener.url.trim_start_matches("http://").to_string();
    let send = |head: String, body: &[u8]| {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
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
    };
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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1440,900", format!("--user-data-dir={}", dir.path().join("profile").display())],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("a WebDriver session");
        client.goto(&ui).await.unwrap();
        until(&client, "four rows", "return document.querySelectorAll('tr.row').length === 4").await;
        let clean = "return document.querySelectorAll('[data-xss], img').length === 0
                     && document.title === 'wa-hook inspector'";
        let rows = client.find_all(Locator::Css("tr.row")).await.unwrap();
        for (at, row) in rows.iter().enumerate() {
            row.click().await.unwrap();
            until(&client, "the detail", &format!(
                "return document.querySelector('#detail-head h2')?.textContent.startsWith('#{}')", 4 - at)).await;
            for tab in ["body", "headers", "raw", "reply", "timeline", "edit"] {
                client
                    .find(Locator::Css(&format!("#tabs button[data-tab={tab}]")))
                    .await
                    .unwrap()
                    .click()
                    .await
                    .unwrap();
                assert_eq!(client.execute(clean, vec![]).await.unwrap(), Value::Bool(true), "row {at}, {tab}");
            }
            client.find(Locator::Css("#copy-curl")).await.unwrap().click().await.unwrap();
            until(&client, "the curl command", "return !document.querySelector('#curl').hidden").await;
            assert_eq!(client.execute(clean, vec![]).await.unwrap(), Value::Bool(true), "row {at}, curl");
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
        assert_eq!(client.execute(clean, vec![]).await.unwrap(), Value::Bool(true), "search");
        screenshot(&client, "hostile.png").await;
        client.close().await.unwrap();
    });
    drop(driver);
}
