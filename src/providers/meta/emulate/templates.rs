//! `--templates FILE`: the app's templates, and the checks a template send gets against them:
//! exists and approved in that language (132001), positional parameter counts per component
//! (132000, with the `details` text a public answer quotes: "body: number of localizable_params
//! (2) does not match the expected number of params (1)"), named parameters carrying their name
//! (100, "Parameter name is missing or empty", as quoted). Facts: SEND-APIS.md (Meta per type:
//! template; error table).
//!
//! The file is wa-hook's format, close to the template objects Meta's template API lists:
//! a JSON array (or `{"data": [...]}`) of `{"name", "language", "status"?, "components"?:
//! [{"type": "BODY" | "HEADER", "text": "Hi {{1}}"}]}`; `status` defaults to `APPROVED`;
//! variables are read from each component's `text` (`{{1}}` positional, `{{first_name}}`
//! named).
use anyhow::{Context, bail};
use serde_json::Value;

/// One template in one language.
#[derive(Debug)]
pub struct Template {
    name: String,
    language: String,
    status: String,
    /// Each component with variables: its type (lower case) and its variables' names.
    components: Vec<(String, Vec<String>)>,
}

/// The templates of `--templates`.
#[derive(Debug, Default)]
pub struct Templates(Vec<Template>);

/// Why a template send is refused: the code, and `error_data.details`.
pub type Refusal = (u32, String);

impl Templates {
    /// Read the file's JSON, with an error that says which entry is wrong.
    pub fn parse(file: &Value) -> anyhow::Result<Templates> {
        let entries = file
            .get("data")
            .unwrap_or(file)
            .as_array()
            .context("--templates: expected a JSON array of templates (or {\"data\": [...]})")?;
        let mut templates = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let text = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_string);
            let (Some(name), Some(language)) = (text("name"), text("language")) else {
                bail!("--templates: template {index} needs a \"name\" and a \"language\" (en_US)");
            };
            let components = entry
                .get("components")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|component| {
                    let kind = component.get("type")?.as_str()?.to_ascii_lowercase();
                    let text = component.get("text")?.as_str()?;
                    Some((kind, variables(text)))
                })
                .filter(|(_, variables)| !variables.is_empty())
                .collect();
            templates.push(Template {
                name,
                language,
                status: text("status").unwrap_or_else(|| "APPROVED".to_string()),
                components,
            });
        }
        Ok(Templates(templates))
    }

    /// Check a template send's `template` object; `None` when it passes.
    pub fn check(&self, template: &Value) -> Option<Refusal> {
        let name = template.get("name").and_then(Value::as_str).unwrap_or_default();
        let language = template
            .pointer("/language/code")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let named: Vec<&Template> = self.0.iter().filter(|t| t.name == name).collect();
        if named.is_empty() {
            return Some((132_001, format!("template name ({name}) does not exist")));
        }
        let Some(found) = named.iter().find(|t| t.language == language) else {
            return Some((
                132_001,
                format!("template name ({name}) does not exist in {language}"),
            ));
        };
        if !found.status.eq_ignore_ascii_case("APPROVED") {
            return Some((
                132_001,
                format!(
                    "template name ({name}) is not approved in {language} (status {})",
                    found.status
                ),
            ));
        }
        let sent = template.get("components").and_then(Value::as_array);
        for (kind, expected) in &found.components {
            let parameters: Vec<&Value> = sent
                .into_iter()
                .flatten()
                .filter(|component| {
                    component
                        .get("type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| t.eq_ignore_ascii_case(kind))
                })
                .flat_map(|component| {
                    component
                        .get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                })
                .collect();
            let is_named = expected
                .iter()
                .any(|name| !name.bytes().all(|b| b.is_ascii_digit()));
            if is_named {
                let names: Vec<&str> = parameters
                    .iter()
                    .map(|p| p.get("parameter_name").and_then(Value::as_str).unwrap_or_default())
                    .collect();
                if names.iter().any(|name| name.is_empty()) {
                    return Some((100, "Parameter name is missing or empty".to_string()));
                }
                if let Some(unknown) = names.iter().find(|name| !expected.iter().any(|e| e == *name)) {
                    return Some((
                        100,
                        format!("{kind}: parameter_name ({unknown}) is not a variable of template {name} (wa-hook's wording)"),
                    ));
                }
            }
            if parameters.len() != expected.len() {
                return Some((
                    132_000,
                    format!(
                        "{kind}: number of localizable_params ({}) does not match the expected number of params ({})",
                        parameters.len(),
                        expected.len()
                    ),
                ));
            }
        }
        None
    }
}

/// The distinct variables of a component's text: `{{1}}` → `1`, `{{first_name}}` → `first_name`.
fn variables(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let name = after[..end].trim().to_string();
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
        rest = &after[end + 2..];
    }
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn templates() -> super::Templates {
        super::Templates::parse(&json!([
            {"name": "order_update", "language": "en_US",
             "components": [{"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped"}]},
            {"name": "welcome", "language": "en_US",
             "components": [{"type": "BODY", "text": "Welcome {{first_name}}"}]},
            {"name": "promo", "language": "en_US", "status": "REJECTED"}
        ]))
        .unwrap()
    }

    fn send(name: &str, language: &str, parameters: serde_json::Value) -> serde_json::Value {
        json!({"name": name, "language": {"code": language},
               "components": [{"type": "body", "parameters": parameters}]})
    }

    #[test]
    fn each_rule_has_its_documented_code() {
        let templates = templates();
        let two = json!([{"type": "text", "text": "Ann"}, {"type": "text", "text": "42"}]);
        assert_eq!(templates.check(&send("order_update", "en_US", two.clone())), None);
        assert_eq!(templates.check(&send("nope", "en_US", two.clone())).unwrap().0, 132_001);
        assert_eq!(templates.check(&send("order_update", "pt_BR", two)).unwrap().0, 132_001);
        assert_eq!(templates.check(&send("promo", "en_US", json!([]))).unwrap().0, 132_001);
        let one = json!([{"type": "text", "text": "Ann"}]);
        assert_eq!(
            templates.check(&send("order_update", "en_US", one.clone())),
            Some((
                132_000,
                "body: number of localizable_params (1) does not match the expected number of params (2)".to_string()
            ))
        );
        assert_eq!(
            templates.check(&send("welcome", "en_US", one)),
            Some((100, "Parameter name is missing or empty".to_string()))
        );
        let named = json!([{"type": "text", "text": "Ann", "parameter_name": "first_name"}]);
        assert_eq!(templates.check(&send("welcome", "en_US", named)), None);
    }

    #[test]
    fn a_file_without_names_is_refused() {
        assert!(super::Templates::parse(&json!([{"name": "x"}])).is_err());
        assert!(super::Templates::parse(&json!({"data": []})).is_ok());
    }
}
