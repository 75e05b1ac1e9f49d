//! A body pretty-printed with the line each value starts on, so a validation error's JSON
//! pointer can be shown at its line.
use std::collections::HashMap;
use std::fmt::Write;

use serde_json::Value;

/// Pretty text (two-space indent, keys in the body's order) and the 1-based line of each
/// value, by JSON pointer.
pub struct Pretty {
    pub text: String,
    lines: HashMap<String, usize>,
    /// The line being written.
    current: usize,
}

impl Pretty {
    pub fn of(value: &Value) -> Pretty {
        let mut pretty = Pretty {
            text: String::new(),
            lines: HashMap::new(),
            current: 1,
        };
        let mut pointer = String::new();
        pretty.value(value, &mut pointer, 0);
        pretty
    }

    /// The line of the value at `pointer`, or of its nearest enclosing value (a missing
    /// property is reported at the object that lacks it).
    pub fn line_of(&self, pointer: &str) -> usize {
        let mut pointer = pointer;
        loop {
            if let Some(line) = self.lines.get(pointer) {
                return *line;
            }
            match pointer.rfind('/') {
                Some(at) => pointer = &pointer[..at],
                None => return 1,
            }
        }
    }

    /// A new line (strings never hold a raw newline, so these are all of them).
    fn newline(&mut self, comma: bool) {
        self.text.push_str(if comma { ",\n" } else { "\n" });
        self.current += 1;
    }

    fn value(&mut self, value: &Value, pointer: &mut String, depth: usize) {
        self.lines.insert(pointer.clone(), self.current);
        match value {
            Value::Object(map) if !map.is_empty() => {
                self.text.push('{');
                for (index, (key, item)) in map.iter().enumerate() {
                    self.newline(index > 0);
                    indent(&mut self.text, depth + 1);
                    let _ = write!(self.text, "{}: ", Value::String(key.clone()));
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                    self.value(item, pointer, depth + 1);
                    pointer.truncate(len);
                }
                self.newline(false);
                indent(&mut self.text, depth);
                self.text.push('}');
            }
            Value::Array(items) if !items.is_empty() => {
                self.text.push('[');
                for (index, item) in items.iter().enumerate() {
                    self.newline(index > 0);
                    indent(&mut self.text, depth + 1);
                    let len = pointer.len();
                    let _ = write!(pointer, "/{index}");
                    self.value(item, pointer, depth + 1);
                    pointer.truncate(len);
                }
                self.newline(false);
                indent(&mut self.text, depth);
                self.text.push(']');
            }
            other => self.text.push_str(&other.to_string()),
        }
    }
}

fn indent(text: &mut String, depth: usize) {
    for _ in 0..depth {
        text.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_map_to_the_lines_of_their_values() {
        let value: Value =
            serde_json::from_str(r#"{"a":{"b":[1,{"c":"x"}]},"d/e":true,"f":{}}"#).unwrap();
        let pretty = Pretty::of(&value);
        let lines: Vec<&str> = pretty.text.lines().collect();
        let at = |pointer: &str| lines[pretty.line_of(pointer) - 1].trim();
        assert_eq!(at("/a/b/1/c"), r#""c": "x""#);
        assert_eq!(at("/a/b/0"), "1,");
        assert_eq!(at("/d~1e"), r#""d/e": true,"#);
        assert_eq!(at("/f/missing"), r#""f": {}"#);
        assert_eq!(pretty.line_of(""), 1);
        assert_eq!(
            serde_json::from_str::<Value>(&pretty.text).unwrap(),
            value,
            "the pretty text is the same JSON"
        );
    }
}
