//! Writes the validate benchmarks' inputs from wa-hook's samples, each copy varied (ids,
//! timestamps, text) so no two files are alike:
//!
//!   gen-corpus WA_HOOK SAMPLES_DIR FOLDER FILES JSONL LINES
//!
//! FOLDER gets FILES pretty-printed files grouped by schema id (`FOLDER/<schema>/NNNNN-name.json`,
//! so ajv and check-jsonschema can be run once per schema); JSONL gets LINES compact lines.
//! The schema of each sample comes from `WA_HOOK validate --format json SAMPLES_DIR`; samples
//! that are not valid there are left out, so every generated body is expected to be valid.
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

struct Sample {
    name: String,
    schema: String,
    value: Value,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [wa_hook, samples_dir, folder, files, jsonl, lines] = args.as_slice() else {
        eprintln!("usage: gen-corpus WA_HOOK SAMPLES_DIR FOLDER FILES JSONL LINES");
        std::process::exit(2);
    };
    let files: usize = files.parse().expect("FILES must be a number");
    let lines: usize = lines.parse().expect("LINES must be a number");
    let samples = load_samples(wa_hook, Path::new(samples_dir));
    assert!(
        !samples.is_empty(),
        "no valid samples found in {samples_dir}"
    );

    let folder = PathBuf::from(folder);
    if folder.exists() {
        std::fs::remove_dir_all(&folder).expect("clearing the corpus folder");
    }
    for n in 0..files {
        let sample = &samples[n % samples.len()];
        let dir = folder.join(&sample.schema);
        std::fs::create_dir_all(&dir).expect("creating a schema folder");
        let mut value = sample.value.clone();
        vary(&mut value, None, n as u64);
        let mut text = serde_json::to_string_pretty(&value).unwrap();
        text.push('\n');
        let file = format!("{n:05}-{}.json", sample.name.replace('/', "-"));
        std::fs::write(dir.join(file), text).expect("writing a corpus file");
    }

    let mut out =
        BufWriter::new(std::fs::File::create(jsonl).expect("creating the JSON Lines file"));
    for n in 0..lines {
        let sample = &samples[n % samples.len()];
        let mut value = sample.value.clone();
        vary(&mut value, None, (files + n) as u64);
        serde_json::to_writer(&mut out, &value).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
    let size = std::fs::metadata(jsonl).unwrap().len();
    println!(
        "{} samples; {files} files in {}; {lines} lines ({:.1} MB) in {jsonl}",
        samples.len(),
        folder.display(),
        size as f64 / 1e6
    );
}

fn load_samples(wa_hook: &str, dir: &Path) -> Vec<Sample> {
    let output = Command::new(wa_hook)
        .args(["validate", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap_or_else(|err| panic!("running {wa_hook}: {err}"));
    let mut samples = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(report) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let (Some(origin), Some(schema), Some("valid")) = (
            report["origin"].as_str(),
            report["schema"].as_str(),
            report["verdict"].as_str(),
        ) else {
            continue;
        };
        let path = Path::new(origin);
        let bytes = std::fs::read(path).unwrap_or_else(|err| panic!("reading {origin}: {err}"));
        let name = path
            .strip_prefix(dir)
            .unwrap_or(path)
            .with_extension("")
            .display()
            .to_string();
        samples.push(Sample {
            name,
            schema: schema.to_string(),
            value: serde_json::from_slice(&bytes).expect("a sample is JSON"),
        });
    }
    samples
}

/// A small deterministic generator, so a corpus is the same on every machine.
fn mix(seed: u64, salt: u64) -> u64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 29)
}

/// Give ids, timestamps and message text new values of the same shape (same length and
/// character classes, so schema patterns still hold).
fn vary(value: &mut Value, key: Option<&str>, n: u64) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                vary(v, Some(k.as_str()), n);
            }
        }
        Value::Array(items) => {
            for item in items {
                vary(item, key, n);
            }
        }
        Value::String(text) => {
            let key = key.unwrap_or_default().to_ascii_lowercase();
            if is_iso_time(text) {
                let secs = mix(n, 7) % 86_400;
                let hms = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
                text.replace_range(11..19, &hms);
            } else if key.ends_with("id") || key.contains("timestamp") {
                *text = scramble_tail(text, n);
            } else if matches!(key.as_str(), "body" | "text" | "caption" | "message") {
                text.push_str(&format!(" #{n}"));
            }
        }
        Value::Number(number) if key.is_some_and(|k| k.contains("timestamp")) => {
            if let Some(t) = number.as_u64() {
                *value = Value::from(t + mix(n, 3) % 100_000);
            }
        }
        _ => {}
    }
}

fn is_iso_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
}

/// Replace the last (up to) eight letters and digits with others of the same class.
fn scramble_tail(text: &str, n: u64) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let mut changed = 0;
    for (i, c) in chars.iter_mut().enumerate().rev() {
        if changed == 8 {
            break;
        }
        let r = mix(n, i as u64 + 11);
        *c = match *c {
            '0'..='9' => char::from(b'0' + (r % 10) as u8),
            'a'..='z' => char::from(b'a' + (r % 26) as u8),
            'A'..='Z' => char::from(b'A' + (r % 26) as u8),
            other => other,
        };
        if c.is_ascii_alphanumeric() {
            changed += 1;
        }
    }
    chars.into_iter().collect()
}
