//! The sample payloads wa-hook ships, one folder per provider of the registry.
//!
//! Samples are files under `samples/<provider>/`, embedded at build time so an installed binary
//! works from any folder. Each provider folder's README.md holds a table (Sample | Kind |
//! Description) that is both the human documentation and the index read here.
use std::sync::OnceLock;

use include_dir::{Dir, include_dir};
use serde::Serialize;

use crate::providers::Provider;

static SAMPLE_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/samples");

/// One built-in sample payload.
#[derive(Debug, Serialize)]
pub struct Sample {
    /// `provider/name`, e.g. `qikchat/message-text`.
    pub name: String,
    pub provider: Provider,
    /// The kind the catalogue documents (the detector must agree; a test checks).
    pub kind: String,
    pub description: String,
    #[serde(skip)]
    pub body: &'static [u8],
}

impl Sample {
    /// A webhook the provider sends, as opposed to an answer (an instant reply, an API answer):
    /// globs and `all` send only webhooks.
    pub fn is_webhook(&self) -> bool {
        self.provider
            .rules()
            .is_webhook(&crate::providers::Kind::parse(&self.kind))
    }
}

/// Every sample, in provider order then name order.
pub fn samples() -> &'static [Sample] {
    static SAMPLES: OnceLock<Vec<Sample>> = OnceLock::new();
    SAMPLES.get_or_init(load_samples)
}

fn load_samples() -> Vec<Sample> {
    let mut samples = Vec::new();
    for provider in Provider::all() {
        let Some(folder) = SAMPLE_DIR.get_dir(provider.id()) else {
            continue;
        };
        let index = folder
            .get_file(format!("{}/README.md", provider.id()))
            .and_then(|file| file.contents_utf8())
            .map(parse_index)
            .unwrap_or_default();
        let mut files: Vec<_> = folder
            .files()
            .filter(|file| file.path().extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort_by_key(|file| file.path().file_stem().map(ToOwned::to_owned));
        for file in files {
            let stem = file
                .path()
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy();
            let name = format!("{}/{stem}", provider.id());
            let (kind, description) = index
                .iter()
                .find(|row| row.0 == name)
                .map(|row| (row.1.clone(), row.2.clone()))
                .unwrap_or_default();
            samples.push(Sample {
                name,
                provider,
                kind,
                description,
                body: file.contents(),
            });
        }
    }
    samples
}

/// Rows `| name | kind | description |` of a README table, header and rule skipped.
fn parse_index(markdown: &str) -> Vec<(String, String, String)> {
    markdown
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .strip_prefix('|')?
                .split('|')
                .map(str::trim)
                .collect();
            let [name, kind, description, ..] = cells.as_slice() else {
                return None;
            };
            if !name.contains('/') || name.starts_with('-') {
                return None;
            }
            Some((name.to_string(), kind.to_string(), description.to_string()))
        })
        .collect()
}

pub fn find_sample(name: &str) -> Option<&'static Sample> {
    samples().iter().find(|sample| sample.name == name)
}

/// True when `text` looks like a sample name or glob rather than a file path.
pub fn looks_like_sample_name(text: &str) -> bool {
    if text == "all" {
        return true;
    }
    let provider = text.split('/').next().unwrap_or_default();
    Provider::from_id(provider).is_some()
        && text.contains('/')
        && !std::path::Path::new(text).exists()
}

/// A provider's alias (`picky-assist`, `omni`, `cloud`) to its id; other text as it is.
fn provider_alias(text: &str) -> String {
    Provider::from_id(text).map_or_else(|| text.to_string(), |p| p.id().to_string())
}

/// Samples matching a name, a glob (`picky/*`, `*/status-*`) or `all`. An unknown name is an
/// error that lists the closest names.
pub fn select_samples(pattern: &str) -> anyhow::Result<Vec<&'static Sample>> {
    let pattern = match pattern.split_once('/') {
        Some((provider, rest)) => format!("{}/{rest}", provider_alias(provider)),
        None if pattern == "all" => "*/*".to_string(),
        None => format!("{}/*", provider_alias(pattern)),
    };
    let matcher = glob::Pattern::new(&pattern)
        .map_err(|err| anyhow::anyhow!("`{pattern}` is not a valid pattern: {err}"))?;
    let found: Vec<_> = samples()
        .iter()
        .filter(|sample| matcher.matches(&sample.name))
        .collect();
    if found.is_empty() {
        let close = close_sample_names(&pattern);
        if close.is_empty() {
            anyhow::bail!("no sample matches `{pattern}`; `wa-hook samples` lists them");
        }
        anyhow::bail!(
            "no sample matches `{pattern}`; did you mean {}? (`wa-hook samples` lists them all)",
            close.join(", ")
        );
    }
    Ok(found)
}

/// Up to three sample names close to `wanted`, best first.
pub fn close_sample_names(wanted: &str) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = samples()
        .iter()
        .map(|sample| {
            (
                strsim::jaro_winkler(wanted, &sample.name),
                sample.name.as_str(),
            )
        })
        .filter(|(score, _)| *score > 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(3)
        .map(|(_, name)| name.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_rows_are_parsed() {
        let rows = parse_index(
            "intro\n\n| Sample | Kind | Description |\n|---|---|---|\n| qikchat/message-text | message:text | Incoming text |\n",
        );
        assert_eq!(
            rows,
            vec![(
                "qikchat/message-text".to_string(),
                "message:text".to_string(),
                "Incoming text".to_string()
            )]
        );
    }
}
