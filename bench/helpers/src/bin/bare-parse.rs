//! The JSON Lines benchmark's ceiling: read a file, parse every non-blank line into a
//! `serde_json::Value` with serde_json's default features, on one thread: the plain parse
//! (wa-hook itself parses with preserve_order, which costs about a fifth more).
//! Prints `lines N  errors E  ms T`; T includes reading the file, as for wa-hook.
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: bare-parse FILE.jsonl");
    let start = Instant::now();
    let bytes = std::fs::read(&path).unwrap_or_else(|err| panic!("reading {path}: {err}"));
    let mut lines = 0usize;
    let mut errors = 0usize;
    for line in bytes.split(|b| *b == b'\n') {
        if line.trim_ascii().is_empty() {
            continue;
        }
        lines += 1;
        match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(value) => drop(std::hint::black_box(value)),
            Err(_) => errors += 1,
        }
    }
    let elapsed = start.elapsed();
    println!(
        "lines {lines}  errors {errors}  ms {:.1}",
        elapsed.as_secs_f64() * 1000.0
    );
}
