//! JSON text exactly as Python's `json.dumps` writes it.
//!
//! The AWS CLI and botocore name their cache files after the SHA-1 of a `json.dumps` of
//! the request's arguments, and write the files with `json.dumps` too. To share those
//! caches we must produce the same bytes: `ensure_ascii` escapes (`\uXXXX`, surrogate
//! pairs above the BMP, lower-case hex), `/` left alone, and either the default
//! separators (`", "`, `": "`) or the compact ones (`","`, `":"`).

use serde_json::Value;

/// Which separators to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Separators {
    /// `", "` and `": "`: `json.dumps(x)`.
    Default,
    /// `","` and `":"`: `json.dumps(x, separators=(",", ":"))`.
    Compact,
}

/// `json.dumps(value, sort_keys=sort_keys, separators=…)` with `ensure_ascii=True`.
pub(crate) fn dumps(value: &Value, separators: Separators, sort_keys: bool) -> String {
    let mut out = String::new();
    write(value, separators, sort_keys, &mut out);
    out
}

fn write(value: &Value, sep: Separators, sort_keys: bool, out: &mut String) {
    let (item, key) = match sep {
        Separators::Default => (", ", ": "),
        Separators::Compact => (",", ":"),
    };
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item);
                }
                write(v, sep, sort_keys, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if sort_keys {
                // Python sorts str keys by code point; Rust's str order is the same
                // (UTF-8 byte order preserves code-point order).
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(item);
                }
                write_str(k, out);
                out.push_str(key);
                write(v, sep, sort_keys, out);
            }
            out.push('}');
        }
    }
}

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Expected strings produced by CPython 3.11's `json.dumps`.
    #[test]
    fn matches_python() {
        let v = json!({"RoleArn": "arn:aws:iam::123456789012:role/Role1"});
        assert_eq!(
            dumps(&v, Separators::Default, true),
            r#"{"RoleArn": "arn:aws:iam::123456789012:role/Role1"}"#
        );
        let v = json!({"roleName": "R", "accountId": "1", "sessionName": "s"});
        assert_eq!(
            dumps(&v, Separators::Compact, true),
            r#"{"accountId":"1","roleName":"R","sessionName":"s"}"#
        );
        // json.dumps({"k": "é😀\x01\x7f/\"\\"}) == '{"k": "\\u00e9\\ud83d\\ude00\\u0001\\u007f/\\"\\\\"}'
        let v = json!({"k": "\u{e9}\u{1F600}\u{1}\u{7f}/\"\\", "n": 1800, "b": [true, null]});
        assert_eq!(
            dumps(&v, Separators::Default, true),
            r#"{"b": [true, null], "k": "\u00e9\ud83d\ude00\u0001\u007f/\"\\", "n": 1800}"#
        );
    }

    /// The cache-key examples of `reference/behavior.md` §5.6 and §6.2.
    #[test]
    fn cache_key_examples() {
        use sha1::{Digest, Sha1};
        let key = |v: Value, sep| hex::encode(Sha1::digest(dumps(&v, sep, true).as_bytes()));
        assert_eq!(
            key(
                json!({"RoleArn": "arn:aws:iam::123456789012:role/Role1"}),
                Separators::Default
            ),
            "dba4288057919c7f6356be9d69539562080ac056"
        );
        assert_eq!(
            key(
                json!({"DurationSeconds": 1800, "ExternalId": "my-ext-id",
                       "RoleArn": "arn:aws:iam::123456789012:role/Ext", "RoleSessionName": "my-session"}),
                Separators::Default
            ),
            "2e5e1b5c1e63881b24f3a98446376934406e3dec"
        );
        assert_eq!(
            key(
                json!({"accountId": "444455556666", "roleName": "ReadOnly", "sessionName": "my-sso"}),
                Separators::Compact
            ),
            "9987de26fdce5654f6e738911345a88679f3dd49"
        );
        assert_eq!(
            key(
                json!({"accountId": "111122223333", "roleName": "DevRole",
                       "startUrl": "https://my-sso-portal.awsapps.com/start"}),
                Separators::Compact
            ),
            "72e96a975eece9254bf19f7aa7a026fe62442cf5"
        );
    }
}
