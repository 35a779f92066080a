//! Idempotency keys (webhooks.md §1–§4). A redelivery has the same key and changes nothing.
//!
//! | source | key |
//! | --- | --- |
//! | Beluga | `beluga:{event}:{masterId}:{orderId or -}:{SHA-256 hex of the RFC 8785 canonical body}` |
//! | LifeFile | one per line: `lifefile:{orderId}:{fillId}:{rxStatus}:{rxStatusDateTime}` |
//! | DispensePro | `dispensepro:{pharmacyId}:{webhook-id}` |
//! | OWN pharmacy | `pharmacy:{pharmacyId}:{webhook-id}` |
//!
//! Keys are computed from the stored body *before* it is parsed, so they never fail on a
//! malformed body: an integer member is written in decimal, an absent or other non-string
//! member `-`. Keys are logged and stored
//! beside audit entries, so a part that is not identifier-like is replaced by a digest (see
//! `part`) and an unknown event name by [`super::safe_name`]'s rule. Only a redelivery with the
//! same content is a Beluga duplicate; a second, different `RX_WRITTEN` is a new event.

use super::canonical::canonical_json;
use super::Source;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// What a key needs beyond the body: the route's pharmacy and the `webhook-id` header.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyContext<'a> {
    /// `{pharmacyId}` of the route (DispensePro, OWN).
    pub pharmacy_id: Option<&'a str>,
    /// The `webhook-id` header (DispensePro, OWN).
    pub webhook_id: Option<&'a str>,
}

/// Why a key cannot be computed (the route's context is incomplete).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The route's pharmacy id is needed.
    #[error("the route's pharmacy id is required")]
    PharmacyIdMissing,
    /// The `webhook-id` header is needed.
    #[error("the webhook-id header is required")]
    WebhookIdMissing,
}

/// One part of a key: `-` when absent; kept when it looks like an identifier, a status or an
/// instant (ASCII letters, digits, space, `.`, `_`, `:`, `-`; at most 128 characters); any
/// other value (free text a partner put where an id belongs) is replaced by `sha256-` and 16
/// hex digits of its digest, so keys stay distinct and never carry free text.
fn part(value: Option<&Value>) -> String {
    // Partners send some identifiers as JSON numbers (LifeFile `fillId`, `orderId`): an
    // integer is written in decimal, so `1001` and `1002` stay distinct keys.
    if let Some(number) = value.filter(|v| v.is_i64() || v.is_u64()) {
        return number.to_string();
    }
    let Some(text) = value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return "-".to_owned();
    };
    let plain = text.len() <= 128
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '_' | ':' | '-'));
    if plain {
        text.to_owned()
    } else {
        let digest = Sha256::digest(text.as_bytes());
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("sha256-{hex}")
    }
}

/// Lowercase hex SHA-256 of the body's canonical JSON.
pub fn content_hash(body: &Value) -> String {
    let digest = Sha256::digest(canonical_json(body).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The Beluga key of a body.
pub fn beluga_key(body: &Value) -> String {
    let event = match part(body.get("event")).as_str() {
        "-" => "-".to_owned(),
        name => super::safe_name(name),
    };
    format!(
        "beluga:{}:{}:{}:{}",
        event,
        part(body.get("masterId")),
        part(body.get("orderId")),
        content_hash(body)
    )
}

/// The LifeFile key of one line.
pub fn lifefile_line_key(line: &Value) -> String {
    let order = ["orderId", "referenceId", "foreignOrderId"]
        .iter()
        .map(|k| part(line.get(*k)))
        .find(|p| p != "-")
        .unwrap_or_else(|| "-".to_owned());
    format!(
        "lifefile:{}:{}:{}:{}",
        order,
        part(line.get("fillId")),
        part(line.get("rxStatus")),
        part(line.get("rxStatusDateTime"))
    )
}

/// Every idempotency key of a body: one, or one per line for LifeFile.
pub fn event_keys(
    source: Source,
    body: &Value,
    ctx: KeyContext<'_>,
) -> Result<Vec<String>, KeyError> {
    let signed = |prefix: &str| -> Result<Vec<String>, KeyError> {
        let pharmacy = ctx
            .pharmacy_id
            .filter(|s| !s.trim().is_empty())
            .ok_or(KeyError::PharmacyIdMissing)?;
        let id = ctx
            .webhook_id
            .filter(|s| !s.trim().is_empty())
            .ok_or(KeyError::WebhookIdMissing)?;
        Ok(vec![format!("{prefix}:{}:{}", pharmacy.trim(), id.trim())])
    };
    match source {
        Source::Beluga => Ok(vec![beluga_key(body)]),
        Source::Lifefile => Ok(match body {
            Value::Array(lines) => lines.iter().map(lifefile_line_key).collect(),
            other => vec![lifefile_line_key(other)],
        }),
        Source::DispensePro => signed("dispensepro"),
        Source::Own => signed("pharmacy"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn beluga_key_ignores_member_order_and_white_space() {
        let a: Value = serde_json::from_str(r#"{"event":"RX_WRITTEN","masterId":"m1","x":[1,2]}"#)
            .unwrap_or(Value::Null);
        let b: Value = serde_json::from_str(
            "{ \"x\" : [1, 2],\n \"masterId\":\"m1\", \"event\":\"RX_WRITTEN\"}",
        )
        .unwrap_or(Value::Null);
        assert_eq!(beluga_key(&a), beluga_key(&b));
        assert!(beluga_key(&a).starts_with("beluga:RX_WRITTEN:m1:-:"));
        let c = json!({"event":"RX_WRITTEN","masterId":"m1","x":[2,1]});
        assert_ne!(beluga_key(&a), beluga_key(&c));
    }

    #[test]
    fn signed_sources_need_context() {
        let body = json!({});
        assert_eq!(
            event_keys(Source::Own, &body, KeyContext::default()),
            Err(KeyError::PharmacyIdMissing)
        );
        let ctx = KeyContext {
            pharmacy_id: Some("ph1"),
            webhook_id: Some("msg_1"),
        };
        assert_eq!(
            event_keys(Source::DispensePro, &body, ctx),
            Ok(vec!["dispensepro:ph1:msg_1".to_owned()])
        );
    }
}
