//! `wa-hook schemas`: list, print or export the shipped JSON Schemas.
use std::io::Write;

use anyhow::Context;
use colored::Colorize;

use crate::cli::{Format, SchemasAction, SchemasArgs};
use crate::error::Outcome;
use crate::output;
use crate::providers;
use crate::schemas::Schema;

/// Every shipped schema: the providers', then the capture record's and the conversation file's.
fn shipped() -> impl Iterator<Item = &'static Schema> {
    providers::schemas().chain([crate::capture::schema(), crate::conversation::schema()])
}

/// The shipped schema `id` (`.json` may end it), or an error that lists them.
fn require(id: &str) -> anyhow::Result<&'static Schema> {
    let id = id.strip_suffix(".json").unwrap_or(id);
    shipped().find(|schema| schema.id == id).ok_or_else(|| {
        let ids: Vec<&str> = shipped().map(|schema| schema.id).collect();
        anyhow::anyhow!(
            "there is no schema `{id}`; the schemas are: {}",
            ids.join(", ")
        )
    })
}

pub fn run(args: SchemasArgs) -> anyhow::Result<Outcome> {
    let mut out = output::stdout();
    match args.action.unwrap_or(SchemasAction::List) {
        SchemasAction::List => {
            for schema in shipped() {
                match args.format {
                    Format::Json => output::json_line(
                        &mut out,
                        &serde_json::json!({
                            "id": schema.id, "title": schema.title(), "$id": schema.exported()["$id"],
                            "description": schema.description(),
                        }),
                    )?,
                    Format::Text => writeln!(out, "{:20}  {}", schema.id.cyan(), schema.title())?,
                }
            }
            if args.format == Format::Text {
                writeln!(
                    out,
                    "\n`wa-hook schemas show ID` prints one; `wa-hook schemas export DIR` writes them all."
                )?;
            }
        }
        SchemasAction::Show { id, strict } => {
            let schema = require(&id)?;
            if strict {
                serde_json::to_writer_pretty(&mut out, &schema.export_document(true))?;
                writeln!(out)?;
            } else {
                out.write_all(schema.text().as_bytes())?;
            }
        }
        SchemasAction::Export { dir, strict } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for schema in shipped() {
                let path = dir.join(format!("{}.json", schema.id));
                let mut text = serde_json::to_string_pretty(&schema.export_document(strict))?;
                text.push('\n');
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
                if args.format == Format::Json {
                    output::json_line(
                        &mut out,
                        &serde_json::json!({"id": schema.id, "path": path}),
                    )?;
                }
            }
            if args.format == Format::Text {
                writeln!(
                    out,
                    "wrote {} schemas to {}",
                    shipped().count(),
                    dir.display()
                )?;
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}
