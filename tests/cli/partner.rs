//! `wa-hook partner` against a fake partner API: a recording server on 127.0.0.1:0 that checks
//! method, path, the Bearer header and the body the way the real API would.
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::common::*;

/// Sentinels: neither may appear in any output or file, except the token in its 0600 cache.
const TOKEN: &str = "sentinel-bearer-token-7c41e9d2";
const OTHER_TOKEN: &str = "sentinel-env-token-55aa10";
const STDIN_TOKEN: &str = "sentinel-stdin-token-90fe3b";
const CLIENT_SECRET: &str = "sentinel-client-secret-b3d8f0";
const CLIENT_ID: &str = "4821";
const CURRENT_URL: &str = "https://hooks.example.com/current";

/// What the fake API answers once a request has passed its checks.
#[derive(Clone, Copy)]
enum Mode {
    Ok,
    Fail(i64),
    Status(u16),
    Garbage,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn json_reply(value: Value) -> Reply {
    Reply::new(200, value.to_string().as_bytes())
}

/// The fake API under `/api`, accepting `accepted` as the only valid bearer token.
fn fake_api(mode: Mode, accepted: &'static str) -> RecordingServer {
    RecordingServer::with_responder(move |request| {
        let bearer = request.header("Authorization").unwrap_or("");
        let body: Option<Value> = serde_json::from_slice(&request.body).ok();
        let endpoint = match (request.method.as_str(), request.url.as_str()) {
            ("POST", "/api/settings/accessToken") => "token",
            ("POST", "/api/settings/setWebhook") => "set",
            ("GET", "/api/settings/getWebhook") => "get",
            _ => return Reply::new(404, b"<html>Not Found</html>"),
        };
        if endpoint != "token" && bearer != format!("Bearer {accepted}") {
            return Reply::new(401, br#"{"message":"Unauthenticated."}"#);
        }
        match mode {
            Mode::Status(status) => return Reply::new(status, b"upstream exploded\n<html>"),
            Mode::Garbage => return Reply::new(200, b"<html>maintenance</html>"),
            Mode::Fail(reason) if endpoint == "token" => {
                return json_reply(json!({ "reason": reason }));
            }
            Mode::Fail(reason) => {
                return json_reply(json!({"status": "FAIL", "url": "", "reason": reason}));
            }
            Mode::Ok => {}
        }
        match endpoint {
            "token" => {
                let good = body.as_ref().is_some_and(|b| {
                    b["client_id"] == CLIENT_ID && b["client_secret"] == CLIENT_SECRET
                });
                if !good {
                    return json_reply(json!({ "reason": 2 }));
                }
                json_reply(json!({
                    "access_token": TOKEN,
                    "expiration_time": now() + 3600,
                    "token_type": "Bearer",
                    "reason": 1
                }))
            }
            "set" => match body.as_ref().and_then(|b| b["url"].as_str()) {
                Some(url) => json_reply(json!({"status": "OK", "url": url, "reason": 1})),
                None => json_reply(json!({"status": "FAIL", "url": "", "reason": 2})),
            },
            _ if !request.body.is_empty() => {
                json_reply(json!({"status": "FAIL", "url": "", "reason": 2}))
            }
            _ => json_reply(json!({"status": "OK", "url": CURRENT_URL, "reason": 1})),
        }
    })
}

fn base(server: &RecordingServer) -> String {
    format!("{}/api", server.url)
}

/// A private working folder and config folder for one test.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    fn cache(&self) -> PathBuf {
        self.config().join("partner-token.json")
    }

    /// `wa-hook partner --api-base BASE`, run inside this home.
    fn partner(&self, api_base: &str) -> Command {
        let mut command = wa_hook();
        command
            .current_dir(self.dir.path())
            .env("WA_HOOK_CONFIG_DIR", self.config())
            .args(["partner", "--api-base", api_base]);
        command
    }

    /// A token cache as `partner token` writes it: owner-only.
    fn save_token(&self, token: &str, expiration_time: i64, api_base: &str) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(self.config()).unwrap();
        let file =
            json!({"token": token, "expiration_time": expiration_time, "api_base": api_base});
        std::fs::write(self.cache(), file.to_string()).unwrap();
        std::fs::set_permissions(self.cache(), std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    /// No sentinel in the output, nor in any file but the token cache; never the client
    /// secret in the cache.
    fn assert_no_secrets(&self, output: &std::process::Output) {
        for secret in [TOKEN, OTHER_TOKEN, STDIN_TOKEN, CLIENT_SECRET] {
            for (name, stream) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
                assert!(
                    !contains_bytes(stream, secret.as_bytes()),
                    "{secret} leaked to {name}: {}",
                    String::from_utf8_lossy(stream)
                );
            }
            for (path, bytes) in all_file_contents(self.dir.path()) {
                if Path::new(&path) == self.cache() && secret != CLIENT_SECRET {
                    continue;
                }
                assert!(
                    !contains_bytes(&bytes, secret.as_bytes()),
                    "{secret} written to {path}"
                );
            }
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The one error line, checked to be one line with wa-hook's prefix.
fn one_error_line(output: &std::process::Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(2),
        "stderr: {}",
        text(&output.stderr)
    );
    let stderr = text(&output.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("wa-hook: error: "))
        .collect();
    assert_eq!(errors.len(), 1, "stderr: {stderr}");
    assert!(!errors[0].is_empty());
    errors[0].to_string()
}

// ---------------------------------------------------------------------------------------------
// partner token

#[test]
fn token_saves_the_token_owner_only_and_shows_the_expiry() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = home
        .partner(&base(&api))
        .args(["token", "--client-id", CLIENT_ID])
        .env("WA_HOOK_CLIENT_SECRET", CLIENT_SECRET)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("token saved to"), "{stdout}");
    assert!(
        stdout.contains("(in 59 min)") || stdout.contains("(in 60 min)"),
        "{stdout}"
    );

    let requests = api.requests();
    assert_eq!(requests.len(), 1);
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    );
    assert_eq!(requests[0].header("Authorization"), None);

    let saved: Value = serde_json::from_slice(&std::fs::read(home.cache()).unwrap()).unwrap();
    assert_eq!(saved["token"], TOKEN);
    assert_eq!(saved["api_base"], base(&api));
    let expires = saved["expiration_time"].as_i64().unwrap();
    assert!((expires - now() - 3600).abs() < 60);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.cache())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    home.assert_no_secrets(&output);
}

#[test]
fn token_replaces_a_world_readable_cache_with_an_owner_only_one() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    home.save_token("old-token", now() - 10, &base(&api));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(home.cache(), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    home.partner(&base(&api))
        .args(["token", "--client-id", CLIENT_ID, "--client-secret-stdin"])
        .write_stdin(format!("{CLIENT_SECRET}\n"))
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.cache())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(text(&std::fs::read(home.cache()).unwrap()).contains(TOKEN));
}

#[test]
fn token_print_writes_only_the_token_to_stdout() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = home
        .partner(&base(&api))
        .args([
            "token",
            "--client-id",
            CLIENT_ID,
            "--client-secret-stdin",
            "--print",
        ])
        .write_stdin(CLIENT_SECRET)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout), format!("{TOKEN}\n"));
    assert!(!contains_bytes(&output.stderr, TOKEN.as_bytes()));
    assert!(!contains_bytes(&output.stderr, CLIENT_SECRET.as_bytes()));
}

#[test]
fn token_json_redacts_the_token_unless_print() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = home
        .partner(&base(&api))
        .args(["token", "--client-id", CLIENT_ID, "--format", "json"])
        .env("WA_HOOK_CLIENT_SECRET", CLIENT_SECRET)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["access_token"], "(redacted)");
    assert_eq!(json["reason"], 1);
    assert_eq!(json["saved_to"], home.cache().display().to_string());
    home.assert_no_secrets(&output);
}

#[test]
fn token_refused_prints_the_reason_and_saves_nothing() {
    for (reason, meaning) in [
        (2, "reason 2: wrong client id or client secret, or bad JSON"),
        (
            3,
            "reason 3: too many wrong tries: this IP address is blocked",
        ),
        (42, "reason 42: unknown reason code 42"),
    ] {
        let api = fake_api(Mode::Fail(reason), TOKEN);
        let home = Home::new();
        let output = home
            .partner(&base(&api))
            .args(["token", "--client-id", CLIENT_ID])
            .env("WA_HOOK_CLIENT_SECRET", CLIENT_SECRET)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert!(
            text(&output.stdout).contains(meaning),
            "{}",
            text(&output.stdout)
        );
        assert!(!home.cache().exists());
        home.assert_no_secrets(&output);
    }
}

#[test]
fn token_with_a_wrong_secret_is_refused_by_the_fake_api() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    home.partner(&base(&api))
        .args(["token", "--client-id", CLIENT_ID])
        .env("WA_HOOK_CLIENT_SECRET", "not-the-secret")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("reason 2"));
}

#[test]
fn token_without_a_secret_names_the_ways_to_give_one() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = home
        .partner(&base(&api))
        .args(["token", "--client-id", CLIENT_ID])
        .output()
        .unwrap();
    let line = one_error_line(&output);
    for way in ["--client-secret-stdin", "WA_HOOK_CLIENT_SECRET", "terminal"] {
        assert!(line.contains(way), "{line}");
    }
    assert!(api.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Where the bearer token comes from

#[test]
fn saved_token_is_used_while_valid() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    home.partner(&base(&api))
        .args(["token", "--client-id", CLIENT_ID])
        .env("WA_HOOK_CLIENT_SECRET", CLIENT_SECRET)
        .assert()
        .success();
    let output = home.partner(&base(&api)).arg("get-url").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), format!("{CURRENT_URL}\n"));
    let requests = api.requests();
    assert_eq!(
        requests[1].header("Authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    home.assert_no_secrets(&output);
}

#[test]
fn expired_saved_token_is_not_used() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    home.save_token(TOKEN, now() - 5, &base(&api));
    let output = home.partner(&base(&api)).arg("get-url").output().unwrap();
    let line = one_error_line(&output);
    assert!(line.contains("expired"), "{line}");
    assert!(api.requests().is_empty());
    home.assert_no_secrets(&output);
}

#[test]
fn saved_token_for_another_api_base_is_not_used() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    home.save_token(TOKEN, now() + 3600, "https://partners.example.net/api");
    let output = home.partner(&base(&api)).arg("get-url").output().unwrap();
    let line = one_error_line(&output);
    assert!(line.contains("partners.example.net"), "{line}");
    assert!(api.requests().is_empty());
}

#[test]
fn a_damaged_cache_is_ignored_without_echoing_it() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    std::fs::create_dir_all(home.config()).unwrap();
    std::fs::write(home.cache(), format!("{{\"token\": \"{TOKEN}\"")).unwrap();
    // Owner-only, as wa-hook writes it: only the damaged contents are in question here.
    std::fs::set_permissions(
        home.cache(),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let output = home.partner(&base(&api)).arg("get-url").output().unwrap();
    one_error_line(&output);
    assert!(text(&output.stderr).contains("ignoring"));
    home.assert_no_secrets(&output);
}

#[test]
fn no_token_names_the_three_ways() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = home.partner(&base(&api)).arg("get-url").output().unwrap();
    let line = one_error_line(&output);
    for way in [
        "--token-stdin",
        "WA_HOOK_PARTNER_TOKEN",
        "wa-hook partner token",
    ] {
        assert!(line.contains(way), "{line}");
    }
    assert!(api.requests().is_empty());
}

#[test]
fn token_stdin_wins_over_env_which_wins_over_the_saved_token() {
    let home = Home::new();
    let expect = |accepted: &'static str, stdin: bool, env: bool| {
        let api = fake_api(Mode::Ok, accepted);
        home.save_token(TOKEN, now() + 3600, &base(&api));
        let mut command = home.partner(&base(&api));
        command.arg("get-url");
        if stdin {
            command
                .arg("--token-stdin")
                .write_stdin(format!("{STDIN_TOKEN}\n"));
        }
        if env {
            command.env("WA_HOOK_PARTNER_TOKEN", OTHER_TOKEN);
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert_eq!(
            api.requests()[0].header("Authorization"),
            Some(&*format!("Bearer {accepted}"))
        );
        home.assert_no_secrets(&output);
    };
    expect(STDIN_TOKEN, true, true);
    expect(OTHER_TOKEN, false, true);
    expect(TOKEN, false, false);
}

#[test]
fn token_is_never_a_plain_argument() {
    let home = Home::new();
    home.partner("http://127.0.0.1:9/api")
        .args(["get-url", "--token", TOKEN])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unexpected argument '--token'"))
        .stderr(predicate::str::contains(TOKEN).not());
}

// ---------------------------------------------------------------------------------------------
// set-url

fn set_url(home: &Home, api: &RecordingServer, extra: &[&str]) -> std::process::Output {
    home.partner(&base(api))
        .arg("set-url")
        .args(extra)
        .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
        .output()
        .unwrap()
}

#[test]
fn set_url_ok_prints_the_url_now_set() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = set_url(&home, &api, &["https://example.com/hooks/99", "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "✓ webhook URL set: https://example.com/hooks/99\n"
    );
    let requests = api.requests();
    assert_eq!(requests.len(), 1, "set-url --yes asks nothing first");
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].url, "/api/settings/setWebhook");
    assert_eq!(
        requests[0].header("Authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&requests[0].body).unwrap(),
        json!({"url": "https://example.com/hooks/99"})
    );
    home.assert_no_secrets(&output);
}

#[test]
fn set_url_json_prints_the_answer_as_it_came() {
    let raw = b"{ \"status\" : \"OK\",\n  \"url\": \"https://example.com/h\", \"reason\": 1 }";
    let api = RecordingServer::with_responder(move |_| Reply::new(200, raw));
    let home = Home::new();
    let output = set_url(
        &home,
        &api,
        &["https://example.com/h", "--yes", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(output.stdout, [&raw[..], b"\n"].concat());
}

#[test]
fn set_url_fail_prints_each_reason_with_its_meaning() {
    for (reason, meaning) in [
        (13, "reason 13: URL invalid"),
        (2, "reason 2: wrong credentials"),
        (3, "reason 3: token missing or expired"),
        (4, "reason 4: WhatsApp number empty or wrong"),
        (20, "reason 20: reference invalid"),
        (27, "reason 27: number not under this account"),
        (29, "reason 29: builderID empty or wrong"),
        (99, "reason 99: unknown reason code 99"),
    ] {
        let api = fake_api(Mode::Fail(reason), TOKEN);
        let home = Home::new();
        let output = set_url(&home, &api, &["https://example.com/hooks/99", "--yes"]);
        assert_eq!(output.status.code(), Some(1));
        let stdout = text(&output.stdout);
        assert!(stdout.starts_with("✗ setWebhook failed: "), "{stdout}");
        assert!(stdout.contains(meaning), "{stdout}");
        home.assert_no_secrets(&output);
    }
}

#[test]
fn set_url_fail_json_prints_the_answer_and_exits_1() {
    let api = fake_api(Mode::Fail(13), TOKEN);
    let home = Home::new();
    let output = set_url(
        &home,
        &api,
        &["https://x.example/h", "--yes", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json, json!({"status": "FAIL", "url": "", "reason": 13}));
}

#[test]
fn set_url_checks_the_url_before_any_request() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let too_long = format!("https://example.com/{}", "a".repeat(493));
    assert_eq!(too_long.len(), 513);
    for (url, says) in [
        ("example.com/hooks", "must start with https://"),
        ("ftp://example.com/hooks", "must start with https://"),
        ("https://", "not a valid URL"),
        ("https://exa mple.com/h", "not a valid URL"),
        (
            too_long.as_str(),
            "513 characters long; the partner API accepts at most 512",
        ),
    ] {
        let output = set_url(&home, &api, &[url, "--yes"]);
        let line = one_error_line(&output);
        assert!(line.contains(says), "{url}: {line}");
    }
    assert!(api.requests().is_empty());
}

#[test]
fn set_url_accepts_exactly_512_characters() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let longest = format!("https://example.com/{}", "a".repeat(492));
    assert_eq!(longest.len(), 512);
    let output = set_url(&home, &api, &[&longest, "--yes"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn set_url_warns_about_plain_http() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = set_url(&home, &api, &["http://example.com/hooks", "--yes"]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("warning: "), "{stderr}");
    assert!(stderr.contains("http://"), "{stderr}");
}

#[test]
fn set_url_dry_run_sends_nothing_and_redacts_the_token() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = set_url(&home, &api, &["https://example.com/hooks/99", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        stdout,
        format!(
            "POST {}/settings/setWebhook\nAuthorization: Bearer (redacted)\nContent-Type: application/json\nAccept: application/json\nUser-Agent: wa-hook/{version}\n\n{{\"url\":\"https://example.com/hooks/99\"}}\n",
            base(&api)
        )
    );
    assert!(text(&output.stderr).contains("WA_HOOK_PARTNER_TOKEN"));
    assert!(api.requests().is_empty());
    home.assert_no_secrets(&output);

    let output = set_url(
        &home,
        &api,
        &[
            "https://example.com/hooks/99",
            "--dry-run",
            "--format",
            "json",
        ],
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["headers"]["Authorization"], "Bearer (redacted)");
    assert_eq!(json["body"], json!({"url": "https://example.com/hooks/99"}));
    assert!(api.requests().is_empty());
    home.assert_no_secrets(&output);
}

#[test]
fn set_url_without_a_terminal_requires_yes() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = set_url(&home, &api, &["https://example.com/hooks/99"]);
    let line = one_error_line(&output);
    assert!(line.contains("--yes"), "{line}");
    assert!(api.requests().is_empty());
}

#[test]
fn set_url_with_token_stdin_as_in_the_issue() {
    let api = fake_api(Mode::Ok, STDIN_TOKEN);
    let home = Home::new();
    let output = home
        .partner(&base(&api))
        .args([
            "set-url",
            "https://example.com/hooks/99",
            "--token-stdin",
            "--yes",
        ])
        .args(["--format", "json"])
        .write_stdin(STDIN_TOKEN)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["status"], "OK");
    home.assert_no_secrets(&output);
}

// ---------------------------------------------------------------------------------------------
// Failures that are not the API's verdict: one line, exit 2

#[test]
fn a_refused_token_is_one_line_with_the_status() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = home
        .partner(&base(&api))
        .arg("get-url")
        .env("WA_HOOK_PARTNER_TOKEN", OTHER_TOKEN)
        .output()
        .unwrap();
    let line = one_error_line(&output);
    assert!(line.contains("HTTP 401 Unauthorized"), "{line}");
    assert!(line.contains("wa-hook partner token"), "{line}");
    assert!(line.contains("Unauthenticated"), "{line}");
    home.assert_no_secrets(&output);
}

#[test]
fn server_errors_and_garbage_are_one_line_with_an_excerpt() {
    for (mode, says) in [
        (Mode::Status(500), "HTTP 500 Internal Server Error"),
        (Mode::Status(403), "HTTP 403 Forbidden"),
        (Mode::Garbage, "not JSON"),
    ] {
        let api = fake_api(mode, TOKEN);
        let home = Home::new();
        for args in [
            &["get-url"][..],
            &["set-url", "https://example.com/h", "--yes"][..],
        ] {
            let output = home
                .partner(&base(&api))
                .args(args)
                .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
                .output()
                .unwrap();
            let line = one_error_line(&output);
            assert!(line.contains(says), "{line}");
            assert!(line.contains("<html>"), "an excerpt of the body: {line}");
            home.assert_no_secrets(&output);
        }
    }
}

#[test]
fn a_reply_that_echoes_the_token_is_scrubbed() {
    let api = RecordingServer::with_responder(|request| {
        let echo = format!(
            "bad header: {}",
            request.header("Authorization").unwrap_or("")
        );
        Reply::new(500, echo.as_bytes())
    });
    let home = Home::new();
    let output = home
        .partner(&base(&api))
        .arg("get-url")
        .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
        .output()
        .unwrap();
    let line = one_error_line(&output);
    assert!(line.contains("bad header: Bearer (redacted)"), "{line}");
    home.assert_no_secrets(&output);
}

#[test]
fn a_wrong_api_base_gets_a_404_hint() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = home
        .partner(&format!("{}/wrong", api.url))
        .arg("get-url")
        .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
        .output()
        .unwrap();
    let line = one_error_line(&output);
    assert!(line.contains("HTTP 404"), "{line}");
    assert!(line.contains("--api-base"), "{line}");
}

#[test]
fn a_refused_connection_is_one_line() {
    let home = Home::new();
    let api_base = format!("http://127.0.0.1:{}/api", closed_port());
    for args in [
        &["get-url"][..],
        &["set-url", "https://example.com/h", "--yes"][..],
    ] {
        let output = home
            .partner(&api_base)
            .args(args)
            .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
            .output()
            .unwrap();
        let line = one_error_line(&output);
        assert!(line.contains("connection refused"), "{line}");
        home.assert_no_secrets(&output);
    }
}

#[test]
fn a_slow_api_times_out() {
    let (release, wait) = mpsc::channel::<()>();
    let wait = Mutex::new(wait);
    let api = RecordingServer::with_responder(move |_| {
        // Answer only when the test is over (or after a long while).
        let _ = wait.lock().unwrap().recv_timeout(Duration::from_secs(30));
        Reply::new(
            200,
            br#"{"status":"OK","url":"https://x.example","reason":1}"#,
        )
    });
    let home = Home::new();
    let output = home
        .partner(&base(&api))
        .args(["get-url", "--timeout", "300ms"])
        .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
        .output()
        .unwrap();
    drop(release);
    let line = one_error_line(&output);
    assert!(line.contains("timed out"), "{line}");
}

// ---------------------------------------------------------------------------------------------
// get-url

#[test]
fn get_url_prints_the_bare_url_and_json_as_it_came() {
    let api = fake_api(Mode::Ok, TOKEN);
    let home = Home::new();
    let output = home
        .partner(&base(&api))
        .arg("get-url")
        .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(text(&output.stdout), format!("{CURRENT_URL}\n"));
    let requests = api.requests();
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].url, "/api/settings/getWebhook");
    assert!(requests[0].body.is_empty());

    let output = home
        .partner(&base(&api))
        .args(["get-url", "--format", "json"])
        .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&output.stdout).unwrap(),
        json!({"status": "OK", "url": CURRENT_URL, "reason": 1})
    );
}

#[test]
fn get_url_fail_exits_1_with_the_meaning() {
    let api = fake_api(Mode::Fail(3), TOKEN);
    let home = Home::new();
    home.partner(&base(&api))
        .arg("get-url")
        .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "✗ getWebhook failed: reason 3: token missing or expired",
        ));
}

#[test]
fn a_bad_api_base_is_a_usage_error() {
    let home = Home::new();
    let output = home
        .partner("partners.example.net")
        .arg("get-url")
        .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
        .output()
        .unwrap();
    let line = one_error_line(&output);
    assert!(line.contains("--api-base"), "{line}");
}

#[test]
fn get_url_retries_once_when_the_connection_drops() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        // The first connection is closed without an answer; the second is answered.
        let (mut first, _) = listener.accept().unwrap();
        let _ = first.read(&mut buffer);
        drop(first);
        let (mut second, _) = listener.accept().unwrap();
        let _ = second.read(&mut buffer);
        let body = format!(r#"{{"status":"OK","url":"{CURRENT_URL}","reason":1}}"#);
        let _ = write!(
            second,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    let home = Home::new();
    let output = home
        .partner(&format!("http://127.0.0.1:{port}/api"))
        .arg("get-url")
        .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
        .output()
        .unwrap();
    if !server.is_finished() {
        // No second try came: unblock the server so the test fails instead of hanging.
        let _ = std::net::TcpStream::connect(("127.0.0.1", port));
    }
    server.join().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), format!("{CURRENT_URL}\n"));
    assert!(text(&output.stderr).contains("trying once more"));
    home.assert_no_secrets(&output);
}

#[test]
fn set_url_never_retries() {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (finished, wait_for_finish) = mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        let (mut first, _) = listener.accept().unwrap();
        let _ = first.read(&mut [0u8; 4096]);
        drop(first);
        // Once wa-hook has exited, any second connection waits in the backlog.
        let _ = wait_for_finish.recv();
        listener.set_nonblocking(true).unwrap();
        listener.accept().is_ok()
    });
    let home = Home::new();
    let output = home
        .partner(&format!("http://127.0.0.1:{port}/api"))
        .args(["set-url", "https://example.com/h", "--yes"])
        .env("WA_HOOK_PARTNER_TOKEN", TOKEN)
        .output()
        .unwrap();
    finished.send(()).unwrap();
    let second_connection = server.join().unwrap();
    one_error_line(&output);
    assert!(!second_connection, "set-url connected a second time");
    home.assert_no_secrets(&output);
}

/// A saved token whose expiry is nonsense (milliseconds, past year 9999, hugely negative) is
/// treated as expired: no panic, no token valid forever.
#[test]
fn nonsense_saved_expiry_times_are_expired_not_a_panic() {
    let api = fake_api(Mode::Ok, TOKEN);
    for expiry in [now() * 1000, 253_402_300_801, i64::MIN, i64::MAX] {
        let home = Home::new();
        home.save_token(TOKEN, expiry, &base(&api));
        let output = home.partner(&base(&api)).arg("get-url").output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{expiry}: {}",
            text(&output.stderr)
        );
        assert!(
            text(&output.stderr).contains("treated as expired"),
            "{expiry}: {}",
            text(&output.stderr)
        );
        assert!(api.requests().is_empty());
        home.assert_no_secrets(&output);
    }
}

/// A cache others can read, a link to another file, or a FIFO is not used (and a FIFO never
/// read, so nothing hangs).
#[test]
fn an_untrustworthy_token_cache_is_not_used() {
    use std::os::unix::fs::PermissionsExt;
    let api = fake_api(Mode::Ok, TOKEN);
    type Prepare = fn(&Home);
    let cases: [(&str, Prepare); 3] = [
        ("others can read or change it", |home| {
            home.save_token(TOKEN, now() + 3600, "x");
            std::fs::set_permissions(home.cache(), std::fs::Permissions::from_mode(0o644)).unwrap();
        }),
        ("symbolic link", |home| {
            home.save_token(TOKEN, now() + 3600, "x");
            let elsewhere = home.dir.path().join("elsewhere.json");
            std::fs::rename(home.cache(), &elsewhere).unwrap();
            std::os::unix::fs::symlink(&elsewhere, home.cache()).unwrap();
        }),
        ("not a regular file", |home| {
            std::fs::create_dir_all(home.config()).unwrap();
            make_fifo(&home.cache());
        }),
    ];
    for (why, prepare) in cases {
        let home = Home::new();
        prepare(&home);
        // Saved for this API base, so only the checks can keep it out.
        if why != "not a regular file" {
            let text = std::fs::read_to_string(home.dir.path().join(if why == "symbolic link" {
                "elsewhere.json"
            } else {
                "config/partner-token.json"
            }))
            .unwrap()
            .replace("\"x\"", &format!("\"{}\"", base(&api)));
            let target = if why == "symbolic link" {
                home.dir.path().join("elsewhere.json")
            } else {
                home.cache()
            };
            std::fs::write(&target, text).unwrap();
        }
        let output = home.partner(&base(&api)).arg("get-url").output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{why}: {}",
            text(&output.stderr)
        );
        assert!(
            text(&output.stderr).contains(why),
            "{why}: {}",
            text(&output.stderr)
        );
        assert!(api.requests().is_empty(), "{why}");
    }
}

/// An API that echoes the bearer token in its answer does not get it printed by --format json.
#[test]
fn a_token_echoed_in_an_answer_is_not_printed() {
    let api = RecordingServer::with_responder(|request| {
        let bearer = request.header("Authorization").unwrap_or("").to_string();
        json_reply(json!({"status": "OK", "url": CURRENT_URL, "reason": 1, "debug": bearer}))
    });
    let home = Home::new();
    home.save_token(TOKEN, now() + 3600, &base(&api));
    let output = home
        .partner(&base(&api))
        .args(["get-url", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains(CURRENT_URL));
    home.assert_no_secrets(&output);
}

/// Issue 14 review: `--token-stdin` reads one short line; a flood or binary is refused at once.
#[test]
fn token_stdin_is_read_with_a_cap() {
    wa_hook()
        .args([
            "partner",
            "--api-base",
            "http://127.0.0.1:9",
            "--token-stdin",
            "get-url",
        ])
        .write_stdin(vec![0u8; 8 << 20])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "standard input holds more than 64 KiB",
        ));
    wa_hook()
        .args([
            "partner",
            "--api-base",
            "http://127.0.0.1:9",
            "--token-stdin",
            "get-url",
        ])
        .write_stdin("tok\u{1}en\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds control characters"));
}

/// Issue 14 review: an answer that never ends is cut at 1 MiB and said so, not buffered.
#[test]
fn an_endless_answer_is_refused_past_1_mib() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = vec![0u8; 65536];
        let _ = stream.read(&mut request);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
        // At most 64 MiB, until the client hangs up.
        for _ in 0..1024 {
            if stream.write_all(chunk.as_bytes()).is_err() {
                break;
            }
        }
    });
    wa_hook()
        .args(["partner", "--api-base", &base, "--token-stdin", "get-url"])
        .write_stdin("token\n")
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the answer's body is over 1 MiB: not read further",
        ));
    server.join().unwrap();
}
