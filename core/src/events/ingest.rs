//! Accepting a webhook request: the one decision the service's webhook routes make before they
//! store anything (webhooks.md §1–§4).
//!
//! [`accept`] composes the steps every route needs, in the order the spec requires:
//! authenticate the raw bytes ([`super::auth::verify`]) before parsing anything, then read the
//! body as JSON of the source's shape, enforce the Beluga size rule, split a LifeFile push
//! into its lines, and key every event ([`super::dedupe`]). The service stores what this
//! answers — one inbox row per [`AcceptedEvent`], all in one transaction — and applies the
//! events later from the stored copies. Nothing here parses an event's meaning: a body that
//! authenticates and has the right JSON shape is stored even when the rules will later reject
//! it, so a partner's redelivery is never needed to reprocess it after a rules fix.
//!
//! The service links this module natively (it runs on every request and is not hot-reloaded
//! with the rules guest): keys computed here never change across a rules reload, which is what
//! deduplication needs.

use super::auth::{verify, AuthConfig, Headers};
use super::dedupe::{content_hash, event_keys, KeyContext, KeyError};
use super::{codes, safe_name, Source};
use crate::issue::{JsonPath, Violation};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// Longest `webhook-id` accepted: it becomes part of a stored key.
pub const MAX_WEBHOOK_ID_BYTES: usize = 256;

/// One event to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AcceptedEvent {
    /// Its idempotency key.
    pub key: String,
    /// The event name as logs may show it ([`safe_name`]); `push` for a nameless line.
    pub event: String,
    /// The bytes to store: the whole body, or one LifeFile line re-serialised in the sender's
    /// member order.
    #[serde(skip)]
    pub raw: Vec<u8>,
}

/// What the route does with a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Ingest {
    /// Store these events (one transaction) and answer 2xx.
    Accepted {
        /// Accepted without a signature (allowed outside production only): audit it.
        unsigned: bool,
        /// The events, in body order.
        events: Vec<AcceptedEvent>,
        /// Things for the audit log (e.g. `auth_unsigned_accepted`).
        warnings: Vec<Violation>,
    },
    /// Answer `http_status` with these violations; store nothing.
    Refused {
        /// 401 (authentication), 500 (configuration), 400 (shape), 413 (size).
        http_status: u16,
        /// Why.
        violations: Vec<Violation>,
    },
}

/// The request as the route received it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The route's source.
    pub source: Source,
    /// The route's pharmacy id (every source but Beluga).
    pub pharmacy_id: Option<&'a str>,
    /// The request headers.
    pub headers: Headers<'a>,
    /// The raw body bytes.
    pub body: &'a [u8],
}

fn refused(http_status: u16, violations: Vec<Violation>) -> Ingest {
    Ingest::Refused {
        http_status,
        violations,
    }
}

fn shape(source: Source, expected: &str) -> Ingest {
    refused(
        400,
        vec![Violation::new(
            codes::EVENT_BODY_SHAPE,
            &JsonPath::root(),
            &[("source", source.label()), ("expected", expected)],
        )],
    )
}

fn expected_shape(source: Source) -> &'static str {
    match source {
        Source::Lifefile => "a non-empty JSON array of prescription lines",
        _ => "a JSON object",
    }
}

/// Authenticates, shapes and keys one webhook request (see the module docs).
pub fn accept(request: Request<'_>, config: &AuthConfig, now: DateTime<Utc>) -> Ingest {
    let source = request.source;
    let auth = verify(source, request.headers, request.body, config, now);
    if !auth.authenticated {
        return refused(auth.http_status.unwrap_or(401), auth.violations);
    }
    let Ok(body) = serde_json::from_slice::<Value>(request.body) else {
        return shape(source, expected_shape(source));
    };
    let lines: Vec<&Value> = match (source, &body) {
        (Source::Lifefile, Value::Array(lines)) if !lines.is_empty() => lines.iter().collect(),
        (Source::Lifefile, Value::Object(_)) => vec![&body],
        (Source::Lifefile, _) => return shape(source, expected_shape(source)),
        (_, Value::Object(_)) => vec![&body],
        _ => return shape(source, expected_shape(source)),
    };
    if let Some(too_large) = size_rule(source, &body, request.body.len()) {
        return too_large;
    }
    let keys = match keys(&request, &body, auth.unsigned) {
        Ok(keys) => keys,
        Err(refusal) => return refusal,
    };
    let events = lines
        .iter()
        .zip(keys)
        .map(|(line, key)| AcceptedEvent {
            key,
            event: event_name(source, line),
            raw: if lines.len() == 1 {
                request.body.to_vec()
            } else {
                line.to_string().into_bytes()
            },
        })
        .collect();
    Ingest::Accepted {
        unsigned: auth.unsigned,
        events,
        warnings: auth.warnings,
    }
}

/// Beluga bodies over 1 MiB are refused (413) unless they are a lab requisition (a PDF).
fn size_rule(source: Source, body: &Value, size: usize) -> Option<Ingest> {
    if source != Source::Beluga || size <= super::beluga::MAX_BODY_BYTES {
        return None;
    }
    let outcome = super::parse(source, body, Some(size));
    let too_large = outcome
        .violations
        .iter()
        .any(|v| v.code == codes::EVENT_BODY_TOO_LARGE);
    too_large.then(|| refused(413, outcome.violations))
}

fn keys(request: &Request<'_>, body: &Value, unsigned: bool) -> Result<Vec<String>, Ingest> {
    let webhook_id = request.headers.get("webhook-id");
    if webhook_id.is_some_and(|id| id.len() > MAX_WEBHOOK_ID_BYTES) {
        let limit = MAX_WEBHOOK_ID_BYTES.to_string();
        return Err(refused(
            400,
            vec![Violation::new(
                codes::AUTH_HEADER_MALFORMED,
                &JsonPath::root(),
                &[
                    ("source", request.source.label()),
                    ("header", "webhook-id"),
                    ("expected", &format!("at most {limit} bytes")),
                ],
            )],
        ));
    }
    let ctx = KeyContext {
        pharmacy_id: request.pharmacy_id,
        webhook_id,
    };
    match event_keys(request.source, body, ctx) {
        Ok(keys) => Ok(keys),
        // An unsigned request (allowed outside production) may lack a webhook-id: its key is
        // the body's content hash, as `apply_event` computes it for stored events.
        Err(KeyError::WebhookIdMissing) if unsigned => Ok(vec![format!(
            "{}:{}:sha256-{}",
            request.source.as_str(),
            request.pharmacy_id.unwrap_or("-"),
            content_hash(body)
        )]),
        Err(_) => Err(refused(
            500,
            vec![Violation::new(
                codes::AUTH_NOT_CONFIGURED,
                &JsonPath::root(),
                &[("source", request.source.label()), ("scheme", "route")],
            )],
        )),
    }
}

fn event_name(source: Source, line: &Value) -> String {
    let member = match source {
        Source::Lifefile => "rxStatus",
        _ => "event",
    };
    match line.get(member).and_then(Value::as_str) {
        Some(name) if !name.trim().is_empty() => safe_name(name),
        _ => "push".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::auth::BasicCredential;
    use base64::Engine;

    fn basic(user: &str, password: &str) -> Vec<(String, String)> {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        vec![("Authorization".to_owned(), format!("Basic {token}"))]
    }

    fn lifefile_config() -> AuthConfig {
        AuthConfig {
            credentials: vec![BasicCredential {
                username: "lf".to_owned(),
                password: "a-long-enough-password".to_owned(),
            }],
            ..AuthConfig::default()
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH
    }

    #[test]
    fn lifefile_lines_with_numeric_fill_ids_get_distinct_keys() {
        let headers = basic("lf", "a-long-enough-password");
        let body = br#"[{"orderId":5001,"fillId":1001,"rxStatus":"Shipping"},
                        {"orderId":5001,"fillId":1002,"rxStatus":"Shipping"}]"#;
        let request = Request {
            source: Source::Lifefile,
            pharmacy_id: Some("belmar"),
            headers: Headers(&headers),
            body,
        };
        let events = match accept(request, &lifefile_config(), now()) {
            Ingest::Accepted { events, .. } => events,
            Ingest::Refused { .. } => Vec::new(),
        };
        assert_eq!(events.len(), 2);
        assert_ne!(
            events.first().map(|e| &e.key),
            events.get(1).map(|e| &e.key)
        );
        assert_eq!(events.first().map(|e| e.event.as_str()), Some("Shipping"));
    }

    #[test]
    fn an_empty_lifefile_push_is_refused_and_a_bad_password_is_401() {
        let headers = basic("lf", "a-long-enough-password");
        let request = Request {
            source: Source::Lifefile,
            pharmacy_id: Some("belmar"),
            headers: Headers(&headers),
            body: b"[]",
        };
        assert!(matches!(
            accept(request, &lifefile_config(), now()),
            Ingest::Refused {
                http_status: 400,
                ..
            }
        ));
        let wrong = basic("lf", "wrong");
        let request = Request {
            headers: Headers(&wrong),
            ..request
        };
        assert!(matches!(
            accept(request, &lifefile_config(), now()),
            Ingest::Refused {
                http_status: 401,
                ..
            }
        ));
    }

    #[test]
    fn unconfigured_routes_fail_closed_before_the_body_is_read() {
        let request = Request {
            source: Source::Beluga,
            pharmacy_id: None,
            headers: Headers(&[]),
            body: b"not json",
        };
        assert!(matches!(
            accept(request, &AuthConfig::default(), now()),
            Ingest::Refused {
                http_status: 500,
                ..
            }
        ));
    }
}
