//! An STS stand-in: answers AssumeRole / AssumeRoleWithWebIdentity with STS-shaped XML
//! and checks each signed request's SigV4 signature independently of the library — the
//! canonical request is rebuilt here from what arrived on the socket, and only the HMAC
//! primitives come from aws-sigv4.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::server::{Reply, Seen, decode};

/// The form parameters of a request body.
pub fn form(seen: &Seen) -> HashMap<String, String> {
    String::from_utf8_lossy(&seen.body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(&v.replace('+', " ")))
        })
        .collect()
}

/// The stand-in's 200 answer to `operation` (`AssumeRole`, `AssumeRoleWithWebIdentity`)
/// for `n`: [`assume_role_response`] as `text/xml`.
pub fn sts_reply(operation: &str, n: u32, account: &str, expiration: &str) -> Reply {
    Reply::new(200, assume_role_response(operation, n, account, expiration))
        .header("Content-Type", "text/xml")
}

/// An AssumeRole answer for `n` (keys `ASIASTS…n`), expiring at `expiration` (RFC 3339).
pub fn assume_role_response(operation: &str, n: u32, account: &str, expiration: &str) -> String {
    format!(
        r#"<{operation}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <{operation}Result>
    <AssumedRoleUser>
      <AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId>
      <Arn>arn:aws:sts::{account}:assumed-role/Role{n}/session</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIASTS{n:013}</AccessKeyId>
      <SecretAccessKey>sts-secret-{n}</SecretAccessKey>
      <SessionToken>sts-token-{n}&amp;more</SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
  </{operation}Result>
  <ResponseMetadata><RequestId>req-{n}</RequestId></ResponseMetadata>
</{operation}Response>"#
    )
}

pub fn error_response(code: &str, message: &str) -> String {
    format!(
        r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"#
    )
}

/// What the Authorization header claims, after checking the signature with `secret`.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub access_key: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
}

/// Recomputes the signature of `seen` (a form POST to `/`) with `secret`.
pub fn verify(seen: &Seen, secret: &str) -> Result<Verified, String> {
    let auth = seen
        .header("authorization")
        .ok_or("no Authorization header")?;
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or("not AWS4-HMAC-SHA256")?;
    let mut fields = HashMap::new();
    for part in rest.split(", ") {
        let (k, v) = part.split_once('=').ok_or("bad Authorization field")?;
        fields.insert(k, v);
    }
    let credential: Vec<&str> = fields
        .get("Credential")
        .ok_or("no Credential")?
        .split('/')
        .collect();
    let [access_key, date, region, service, "aws4_request"] = credential[..] else {
        return Err(format!("bad credential scope {credential:?}"));
    };
    let signed: Vec<String> = fields
        .get("SignedHeaders")
        .ok_or("no SignedHeaders")?
        .split(';')
        .map(str::to_owned)
        .collect();
    let amz_date = seen.header("x-amz-date").ok_or("no x-amz-date")?;
    if &amz_date[..8] != date {
        return Err("x-amz-date and scope disagree".into());
    }
    let mut creq = format!("{}\n{}\n\n", seen.method, seen.path);
    for name in &signed {
        let value = seen
            .header(name)
            .ok_or(format!("signed header {name} missing"))?;
        creq.push_str(&format!("{name}:{}\n", value.trim()));
    }
    creq.push('\n');
    creq.push_str(&signed.join(";"));
    creq.push('\n');
    creq.push_str(&hex::encode(Sha256::digest(&seen.body)));
    let sts = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
        hex::encode(Sha256::digest(creq.as_bytes()))
    );
    let y: i32 = amz_date[0..4].parse().map_err(|_| "bad date")?;
    let m: u8 = amz_date[4..6].parse().map_err(|_| "bad date")?;
    let d: u8 = amz_date[6..8].parse().map_err(|_| "bad date")?;
    let when =
        time::Date::from_calendar_date(y, time::Month::try_from(m).map_err(|_| "bad month")?, d)
            .map_err(|_| "bad date")?
            .midnight()
            .assume_utc();
    let key = aws_sigv4::sign::v4::generate_signing_key(secret, when.into(), region, service);
    let want = aws_sigv4::sign::v4::calculate_signature(key, sts.as_bytes());
    if fields.get("Signature") != Some(&want.as_str()) {
        return Err(format!("signature mismatch for {access_key}"));
    }
    Ok(Verified {
        access_key: access_key.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers: signed,
    })
}
