//! `wa-hook inspect FILE...`: the inspector over capture files, until Ctrl-C.
use std::io::Write;

use anyhow::Context;

use crate::cli::{Format, InspectArgs};
use crate::error::Outcome;
use crate::inspector::{Inspector, InspectorConfig};
use crate::output;

pub fn run(args: InspectArgs) -> anyhow::Result<Outcome> {
    for file in &args.files {
        let meta = std::fs::metadata(file).with_context(|| {
            format!(
                "cannot read {}; name a capture file `wa-hook listen` wrote",
                output::printable(&file.to_string_lossy())
            )
        })?;
        if meta.is_dir() {
            anyhow::bail!(
                "{} is a folder; name the capture files in it",
                output::printable(&file.to_string_lossy())
            );
        }
    }
    let replay_target = args
        .replay_to
        .as_deref()
        .map(crate::http::parse_target)
        .transpose()?;
    let app_secret = args.app_secret.resolve()?;
    // Ctrl-C ends the run (a replay started from the page asks the same handle).
    let stop = crate::signals::install()?;
    let inspector = Inspector::bind(args.port)?.serve(InspectorConfig {
        files: args.files.clone(),
        replay_target,
        replay_timeout: args.timeout,
        app_secret,
        emulator: None,
    })?;
    {
        let mut out = output::stdout();
        match args.format {
            Format::Text => writeln!(out, "{}", inspector.url)?,
            Format::Json => {
                output::json_line(&mut out, &serde_json::json!({ "inspector": inspector.url }))?;
            }
        }
        out.flush()?;
    }
    eprintln!(
        "inspecting {} (following as {}); open {} in a browser, Ctrl-C to stop",
        args.files
            .iter()
            .map(|file| output::printable(&file.to_string_lossy()).into_owned())
            .collect::<Vec<_>>()
            .join(", "),
        output::plural_word(args.files.len() as u64, "it grows", "they grow"),
        inspector.url
    );
    stop.wait();
    Ok(Outcome::Success)
}
