//! Just enough XML to read STS answers.
//!
//! STS answers are small, flat documents of known elements (`AssumeRoleResult`,
//! `Credentials`, `Error`…) with text content, no attributes we need, no CDATA, no DTD.
//! A full XML parser would be a large dependency for that; this finds an element by its
//! path of names and decodes the five predefined entities and numeric references.
//! Anything unexpected yields `None`, which the callers report as a malformed answer.

/// The text of the first element reached by `path` (each step searched inside the
/// previous one), entity-decoded and trimmed.
pub(crate) fn text(doc: &str, path: &[&str]) -> Option<String> {
    let mut scope = doc;
    for name in path {
        scope = inner(scope, name)?;
    }
    decode(scope.trim())
}

/// The content between `<name …>` and its matching `</name>` (same-name nesting is not
/// used by STS and is not supported).
fn inner<'a>(scope: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    loop {
        let start = from + scope[from..].find('<')?;
        let rest = &scope[start + 1..];
        let after_name = rest.strip_prefix(name).unwrap_or("");
        if let Some(c) = after_name.chars().next()
            && (c == '>' || c == '/' || c.is_ascii_whitespace())
        {
            let open_end = start + 1 + rest.find('>')?;
            if scope[..open_end].ends_with('/') {
                return Some(""); // <name/>
            }
            let body = &scope[open_end + 1..];
            let close = body.find(&format!("</{name}>"))?;
            return Some(&body[..close]);
        }
        from = start + 1;
    }
}

fn decode(s: &str) -> Option<String> {
    if s.contains('<') {
        return None; // an element where text belongs
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = rest[amp..].find(';')? + amp;
        let entity = &rest[amp + 1..semi];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()?
                } else {
                    entity.strip_prefix('#')?.parse().ok()?
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>src</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/Role1/s</Arn>
      <AssumedRoleId>AROA1:s</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIA1</AccessKeyId>
      <SecretAccessKey>a&amp;b&lt;c&#x41;&#66;</SecretAccessKey>
      <SessionToken>tok</SessionToken>
      <Expiration>2026-11-26T00:11:49Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
    <Empty/>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#;

    #[test]
    fn reads_paths_and_entities() {
        assert_eq!(
            text(DOC, &["AssumeRoleResult", "Credentials", "AccessKeyId"]).as_deref(),
            Some("ASIA1")
        );
        assert_eq!(
            text(DOC, &["Credentials", "SecretAccessKey"]).as_deref(),
            Some("a&b<cAB")
        );
        assert_eq!(
            text(DOC, &["AssumedRoleUser", "Arn"]).as_deref(),
            Some("arn:aws:sts::123456789012:assumed-role/Role1/s")
        );
        assert_eq!(text(DOC, &["RequestId"]).as_deref(), Some("req-1"));
        assert_eq!(text(DOC, &["Empty"]).as_deref(), Some(""));
        assert_eq!(text(DOC, &["Missing"]), None);
        assert_eq!(
            text(DOC, &["Credentials"]),
            None,
            "element content is not text"
        );
    }

    #[test]
    fn prefix_names_do_not_match() {
        let doc = "<Credentials2>x</Credentials2><Credentials>y</Credentials>";
        assert_eq!(text(doc, &["Credentials"]).as_deref(), Some("y"));
    }

    #[test]
    fn hostile_input_is_none_not_a_panic() {
        for doc in [
            "",
            "<",
            "<A",
            "<A>",
            "<A>&",
            "<A>&bogus;</A>",
            "<A>&#xFFFFFFFF;</A>",
            "<A>\u{e9}</A",
            "</A><A>",
        ] {
            let _ = text(doc, &["A"]);
        }
        assert_eq!(text("<A>&#xD800;</A>", &["A"]), None);
    }
}
