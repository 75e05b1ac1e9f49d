//! `wa-hook sign` and `wa-hook verify`.
use crate::common::*;

const SECRET: &str = "sentinel-app-secret-4f1d";

fn signed(body: &[u8]) -> String {
    let output = wa_hook()
        .env("META_SECRET", SECRET)
        .args(["sign", "--app-secret-env", "META_SECRET", "-"])
        .write_stdin(body.to_vec())
        .output()
        .unwrap();
    assert!(output.status.success());
    let line = String::from_utf8(output.stdout).unwrap();
    line.trim()
        .strip_prefix("X-Hub-Signature-256: ")
        .unwrap()
        .to_string()
}

fn verify(signature: &str, body: &[u8]) -> assert_cmd::assert::Assert {
    wa_hook()
        .env("META_SECRET", SECRET)
        .args([
            "verify",
            "--app-secret-env",
            "META_SECRET",
            "--signature",
            signature,
            "-",
        ])
        .write_stdin(body.to_vec())
        .assert()
}

#[test]
fn sign_matches_an_independent_hmac() {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    wa_hook()
        .env("KEY", "Jefe")
        .args(["sign", "--app-secret-env", "KEY", "-"])
        .write_stdin("what do ya want for nothing?")
        .assert()
        .success()
        .stdout("X-Hub-Signature-256: sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843\n");
}

#[test]
fn sign_matches_openssl_when_installed() {
    let body = sample_bytes("meta/message-text");
    let Ok(openssl) = std::process::Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-hmac",
            SECRET,
            "-hex",
            &sample_path("meta/message-text"),
        ])
        .output()
    else {
        return; // openssl is not on this machine; the RFC vector above still holds.
    };
    let text = String::from_utf8(openssl.stdout).unwrap();
    let hex = text.split("= ").nth(1).unwrap().trim();
    assert_eq!(signed(&body), format!("sha256={hex}"));
}

#[test]
fn verify_accepts_the_right_signature() {
    let body = sample_bytes("meta/status-read");
    verify(&signed(&body), &body)
        .success()
        .stdout(predicate::str::contains("✓ the signature matches"));
}

#[test]
fn verify_explains_each_mismatch() {
    let body = sample_bytes("meta/status-read");
    let good = signed(&body);
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let compact = serde_json::to_vec(&value).unwrap();
    verify(&signed(&compact), &body)
        .code(1)
        .stdout(predicate::str::contains("re-serialised"));
    verify(&good, &body[..body.len() - 1])
        .code(1)
        .stdout(predicate::str::contains("trailing newline"));
    verify(good.trim_start_matches("sha256="), &body)
        .code(1)
        .stdout(predicate::str::contains("`sha256=` prefix"));
    wa_hook()
        .env("META_SECRET", "another-secret")
        .args([
            "verify",
            "--app-secret-env",
            "META_SECRET",
            "--signature",
            &good,
            "-",
        ])
        .write_stdin(body)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("wrong app secret"));
}

#[test]
fn the_secret_never_appears_and_is_never_an_argument() {
    let body = sample_bytes("meta/status-read");
    for args in [
        vec!["sign", "-"],
        vec!["verify", "--signature", "sha256=00", "-"],
    ] {
        let output = wa_hook()
            .env("META_SECRET", SECRET)
            .args(&args)
            .args(["--app-secret-env", "META_SECRET", "--format", "json"])
            .write_stdin(body.clone())
            .output()
            .unwrap();
        assert!(!contains_bytes(&output.stdout, SECRET.as_bytes()));
        assert!(!contains_bytes(&output.stderr, SECRET.as_bytes()));
    }
    // No terminal and no secret source: a clear error, exit 2.
    wa_hook()
        .args(["sign", "-"])
        .write_stdin(body)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--app-secret-env"));
    wa_hook()
        .args(["sign", "--app-secret-env", "UNSET_VAR_FOR_TEST", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("UNSET_VAR_FOR_TEST"));
}

/// Issue 14 review: secrets and bodies are read with a cap; an endless source is refused.
#[test]
fn endless_secret_and_body_sources_are_refused() {
    wa_hook()
        .args(["sign", "/dev/zero", "--app-secret-file", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds more than 8 MiB"));
    wa_hook()
        .args([
            "sign",
            &sample_path("meta/message-text"),
            "--app-secret-file",
            "/dev/zero",
        ])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/dev/zero holds more than 64 KiB; it should hold the Meta app secret alone",
        ));
}
