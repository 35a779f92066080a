//! Webhooks: `verify` (authentication over arbitrary headers, timestamps and configuration),
//! then `parse` and `redact_body` of the same body.
//!
//! Input: selector byte (source = bits 0–1: beluga, lifefile, dispensepro, pharmacy; bit 2:
//! replace the credentials by correct ones and expect acceptance; bit 3: give `body_bytes`),
//! 8 bytes of "now" (Unix seconds, little-endian), one line of `AuthConfig` JSON (a default
//! per source when it does not parse), `Name: value` header lines, an empty line, the body.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use rxgate_core::events::auth::{
    decode_standard_secret, sign_standard, verify, AuthConfig, AuthOutcome, Headers,
    TOLERANCE_SECONDS,
};
use rxgate_core::events::redact::redact_body;
use rxgate_core::events::{parse, Source};
use rxgate_fuzz::{assert_clean_violations, assert_json, has_sentinel, split_selector};
use serde_json::Value;

const SOURCES: [Source; 4] = [
    Source::Beluga,
    Source::Lifefile,
    Source::DispensePro,
    Source::Own,
];

struct Request<'a> {
    now: DateTime<Utc>,
    config_line: &'a [u8],
    headers: Vec<(String, String)>,
    body: &'a [u8],
}

fn default_config(source: Source) -> AuthConfig {
    let mut config = AuthConfig {
        production: true,
        ..AuthConfig::default()
    };
    match source {
        Source::Beluga => config.secrets = vec!["beluga-fuzz-shared-secret".to_owned()],
        Source::Lifefile => {
            config.credentials = vec![rxgate_core::events::auth::BasicCredential {
                username: "lifefile".to_owned(),
                password: "fuzz-password".to_owned(),
            }]
        }
        Source::DispensePro | Source::Own => {
            config.secrets = vec![format!(
                "whsec_{}",
                STANDARD.encode(b"fuzz-signing-key-0123456789abcd")
            )]
        }
    }
    config
}

fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (
            data.get(..i).unwrap_or_default(),
            data.get(i + 1..).unwrap_or_default(),
        ),
        None => (data, &[]),
    }
}

fn read_request(rest: &[u8]) -> Option<Request<'_>> {
    let (now_bytes, rest) = rest.split_at_checked(8)?;
    let seconds = i64::from_le_bytes(now_bytes.try_into().ok()?);
    let now = DateTime::from_timestamp(seconds, 0).unwrap_or_default();
    let (config_line, mut rest) = split_line(rest);
    let mut headers = Vec::new();
    loop {
        let (line, after) = split_line(rest);
        rest = after;
        if line.is_empty() {
            break;
        }
        let line = String::from_utf8_lossy(line);
        let (name, value) = line.split_once(':').unwrap_or((&line, ""));
        headers.push((name.to_owned(), value.to_owned()));
    }
    Some(Request {
        now,
        config_line,
        headers,
        body: rest,
    })
}

fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: String) {
    headers.retain(|(k, _)| !k.trim().eq_ignore_ascii_case(name));
    headers.insert(0, (name.to_owned(), value));
}

/// Puts correct credentials in the headers; answers whether acceptance is then expected.
fn sign(source: Source, config: &AuthConfig, req: &mut Request<'_>) -> Option<bool> {
    let first_secret = config
        .secrets
        .iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty());
    match source {
        Source::Beluga => {
            let secret = first_secret?;
            if config.hmac.is_some() {
                return None;
            }
            set_header(
                &mut req.headers,
                "authorization",
                format!("Bearer {secret}"),
            );
            Some(true)
        }
        Source::Lifefile => {
            let c = config
                .credentials
                .iter()
                .find(|c| !c.username.trim().is_empty() && !c.password.is_empty())?;
            if c.username.contains(':') {
                return None;
            }
            let token = STANDARD.encode(format!("{}:{}", c.username, c.password));
            set_header(&mut req.headers, "authorization", format!("Basic {token}"));
            Some(true)
        }
        Source::DispensePro | Source::Own => {
            let all_valid = config
                .secrets
                .iter()
                .filter(|s| !s.trim().is_empty())
                .all(|s| decode_standard_secret(s).is_some());
            let key = decode_standard_secret(first_secret?)?;
            if !all_valid {
                return None;
            }
            let id = Headers(&req.headers)
                .get("webhook-id")
                .unwrap_or("msg_fuzz")
                .to_owned();
            let ts = Headers(&req.headers)
                .get("webhook-timestamp")
                .and_then(|t| t.parse::<i64>().ok())
                .unwrap_or(req.now.timestamp());
            let signature = sign_standard(&key, &id, ts, req.body)?;
            set_header(&mut req.headers, "webhook-signature", signature);
            set_header(&mut req.headers, "webhook-timestamp", ts.to_string());
            set_header(&mut req.headers, "webhook-id", id);
            let delta = i128::from(req.now.timestamp()) - i128::from(ts);
            Some(delta.abs() <= i128::from(TOLERANCE_SECONDS))
        }
    }
}

fn check_outcome(outcome: &AuthOutcome, config_has_sentinel: bool) {
    assert_json("verify", outcome);
    assert_eq!(
        outcome.authenticated,
        outcome.violations.is_empty(),
        "verify: `authenticated` disagrees with the violations"
    );
    assert_eq!(
        outcome.http_status.is_none(),
        outcome.authenticated,
        "verify: an HTTP status on acceptance or none on refusal"
    );
    if !config_has_sentinel {
        assert_clean_violations("verify", &outcome.violations);
        assert_clean_violations("verify", &outcome.warnings);
    }
}

fn check_parse(source: Source, body: &[u8], with_size: bool) {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let outcome = parse(source, &value, with_size.then_some(body.len()));
    assert_json("parse", &outcome);
    assert_eq!(
        outcome.valid,
        outcome.violations.is_empty(),
        "parse: `valid` disagrees"
    );
    assert_eq!(
        outcome.valid,
        outcome.event.is_some(),
        "parse: `valid` without an event"
    );
    if !rxgate_fuzz::sentinel_in_keys(&value) {
        assert_clean_violations("parse", &outcome.violations);
        if let Some(event) = &outcome.event {
            assert!(
                !has_sentinel(&event.audit_name()),
                "parse: an audit name carries input"
            );
        }
    }
    let redacted = redact_body(source, &value);
    assert_eq!(
        redact_body(source, &redacted),
        redacted,
        "redaction is not idempotent"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, rest)) = split_selector(data) else {
        return;
    };
    let Some(source) = SOURCES.get(usize::from(selector & 3)).copied() else {
        return;
    };
    let Some(mut req) = read_request(rest) else {
        return;
    };
    let config: AuthConfig =
        serde_json::from_slice(req.config_line).unwrap_or_else(|_| default_config(source));
    let config_has_sentinel = has_sentinel(&String::from_utf8_lossy(req.config_line));
    let expected = if selector & 4 != 0 {
        sign(source, &config, &mut req)
    } else {
        None
    };
    let outcome = verify(source, Headers(&req.headers), req.body, &config, req.now);
    check_outcome(&outcome, config_has_sentinel);
    if let Some(accept) = expected {
        assert_eq!(
            outcome.authenticated,
            accept,
            "verify: correctly signed request judged wrongly: {:?}",
            outcome
                .violations
                .iter()
                .map(|v| v.code.as_str())
                .collect::<Vec<_>>()
        );
    }
    check_parse(source, req.body, selector & 8 != 0);
});
