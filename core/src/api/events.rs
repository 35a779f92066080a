//! API operations of the `events` domain: parse, authenticate, key, apply and redact partner
//! webhooks. The partner body is always under `input` (parsed JSON); `source` is one of
//! `beluga`, `lifefile`, `dispensepro`, `pharmacy`; `now` is an RFC 3339 instant or an
//! integer of Unix milliseconds (what the host sends).

use super::params::{input, now, opt_str, req_str, typed};
use super::wire::{one_of, Instant, JsonDocument};
use super::{to_value, ApiError, ApiErrorCode, Request};
use crate::events::apply::{apply, Effects, Outcome};
use crate::events::auth::{verify, AuthConfig, AuthOutcome, Headers};
use crate::events::beluga::LabMilestone;
use crate::events::dedupe::{content_hash, event_keys, KeyContext, KeyError};
use crate::events::redact::redact_body;
use crate::events::{parse, ParseOutcome, Source};
use crate::issue::ViolationRecord;
use crate::order::snapshot::{parse_snapshot, OrderSnapshot};
use crate::order::state::OrderState;
use base64::Engine;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

fn source(request: &Value) -> Result<Source, ApiError> {
    let sources = || one_of(Source::ALL.iter().map(|s| s.as_str()));
    let name =
        req_str(request, "source").map_err(|_| ApiError::invalid_request("source", &sources()))?;
    Source::from_name(name).ok_or_else(|| ApiError::invalid_request("source", &sources()))
}

fn headers(request: &Value) -> Result<Vec<(String, String)>, ApiError> {
    let expected = "an object of header names to string values";
    match request.get("headers") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(ApiError::invalid_request("headers", expected)),
            })
            .collect(),
        Some(_) => Err(ApiError::invalid_request("headers", expected)),
    }
}

/// The raw body: `body` (text, exact bytes as UTF-8) or `body_base64`.
fn raw_body(request: &Value) -> Result<Vec<u8>, ApiError> {
    if let Some(b64) = opt_str(request, "body_base64")? {
        return base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| ApiError::invalid_request("body_base64", "standard base64"));
    }
    match request.get("body") {
        Some(Value::String(text)) => Ok(text.as_bytes().to_vec()),
        _ => Err(ApiError::invalid_request(
            "body",
            "the raw body as a string (or give `body_base64`)",
        )),
    }
}

/// The request of `parse_event`.
#[derive(JsonSchema)]
pub struct ParseEventRequest<'a> {
    /// Who sent the webhook.
    #[schemars(with = "crate::order::snapshot::route_name::Name")]
    pub source: Source,
    /// The webhook body, parsed.
    pub input: &'a Value,
    /// The size of the raw body in bytes, when known (checked against the limits).
    pub body_bytes: Option<usize>,
}

impl<'a> Request<'a> for ParseEventRequest<'a> {
    fn read(request: &'a Value) -> Result<Self, ApiError> {
        let source = source(request)?;
        let input = input(request)?;
        let body_bytes = match request.get("body_bytes") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| {
                        ApiError::invalid_request("body_bytes", "a non-negative integer")
                    })?,
            ),
        };
        Ok(Self {
            source,
            input,
            body_bytes,
        })
    }
}

/// `parse_event`.
pub(super) fn parse_event(r: ParseEventRequest<'_>) -> Result<ParseOutcome, ApiError> {
    Ok(parse(r.source, r.input, r.body_bytes))
}

/// The request of `verify_webhook`.
#[derive(JsonSchema)]
pub struct VerifyWebhookRequest {
    /// Who sent the webhook.
    #[schemars(with = "crate::order::snapshot::route_name::Name")]
    pub source: Source,
    /// The request's headers, names to values.
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub headers: Vec<(String, String)>,
    /// The raw body as text (its exact bytes as UTF-8); or give `body_base64`.
    pub body: Option<String>,
    /// The raw body in standard base64.
    #[schemars(skip)]
    raw: Vec<u8>,
    /// The raw body in standard base64 (instead of `body`).
    pub body_base64: Option<String>,
    /// The route's authentication configuration (absent: production with no secret).
    pub config: Option<AuthConfig>,
    /// The current instant.
    pub now: Instant,
}

impl Request<'_> for VerifyWebhookRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        let source = source(request)?;
        let headers = headers(request)?;
        let raw = raw_body(request)?;
        let config = match request.get("config") {
            None | Some(Value::Null) => None,
            Some(v) => Some(typed(v, "config")?),
        };
        let at = now(request)?;
        Ok(Self {
            source,
            headers,
            body: None,
            raw,
            body_base64: None,
            config,
            now: Instant(at),
        })
    }
}

/// `verify_webhook`.
pub(super) fn verify_webhook(r: VerifyWebhookRequest) -> Result<AuthOutcome, ApiError> {
    let config = r.config.unwrap_or(AuthConfig {
        production: true,
        ..AuthConfig::default()
    });
    Ok(verify(
        r.source,
        Headers(&r.headers),
        &r.raw,
        &config,
        r.now.0,
    ))
}

/// The request of `event_key` (and `redact_event`, which reads `source` and `input` only).
#[derive(JsonSchema)]
pub struct EventKeyRequest<'a> {
    /// Who sent the webhook.
    #[schemars(with = "crate::order::snapshot::route_name::Name")]
    pub source: Source,
    /// The webhook body, parsed.
    pub input: &'a Value,
    /// The route's pharmacy id (LifeFile, DispensePro, pharmacy).
    pub pharmacy_id: Option<String>,
    /// The `webhook-id` header (DispensePro, pharmacy).
    pub webhook_id: Option<String>,
}

impl<'a> Request<'a> for EventKeyRequest<'a> {
    fn read(request: &'a Value) -> Result<Self, ApiError> {
        Ok(Self {
            source: source(request)?,
            input: input(request)?,
            pharmacy_id: opt_str(request, "pharmacy_id")?.map(str::to_owned),
            webhook_id: opt_str(request, "webhook_id")?.map(str::to_owned),
        })
    }
}

/// The answer of `event_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, JsonSchema)]
pub struct EventKeys {
    /// The first key (absent when the body has none).
    pub key: Option<String>,
    /// Every key: one, or one per LifeFile line.
    pub keys: Vec<String>,
}

/// `event_key`.
pub(super) fn event_key(r: EventKeyRequest<'_>) -> Result<EventKeys, ApiError> {
    let keys = keys(
        r.source,
        r.input,
        r.pharmacy_id.as_deref(),
        r.webhook_id.as_deref(),
    )?;
    Ok(EventKeys {
        key: keys.first().cloned(),
        keys,
    })
}

/// The request of `event_match_keys`.
#[derive(JsonSchema)]
pub struct EventMatchKeysRequest<'a> {
    /// Who sent the webhook.
    #[schemars(with = "crate::order::snapshot::route_name::Name")]
    pub source: Source,
    /// The stored body, parsed (LifeFile: one line or the array of lines).
    pub input: &'a Value,
}

impl<'a> Request<'a> for EventMatchKeysRequest<'a> {
    fn read(request: &'a Value) -> Result<Self, ApiError> {
        Ok(Self {
            source: source(request)?,
            input: input(request)?,
        })
    }
}

/// The answer of `event_match_keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, JsonSchema)]
pub struct EventMatchKeys {
    /// `m:<master id>` or `o:<order id>`, in the order they are tried; empty when the body
    /// names no order.
    pub keys: Vec<String>,
}

/// `event_match_keys`.
pub(super) fn event_match_keys(r: EventMatchKeysRequest<'_>) -> Result<EventMatchKeys, ApiError> {
    Ok(EventMatchKeys {
        keys: crate::events::matching::match_keys(r.source, r.input),
    })
}

/// The request of `redact_event`.
#[derive(JsonSchema)]
pub struct RedactEventRequest<'a> {
    /// Who sent the webhook.
    #[schemars(with = "crate::order::snapshot::route_name::Name")]
    pub source: Source,
    /// The webhook body, parsed.
    pub input: &'a Value,
}

impl<'a> Request<'a> for RedactEventRequest<'a> {
    fn read(request: &'a Value) -> Result<Self, ApiError> {
        Ok(Self {
            source: source(request)?,
            input: input(request)?,
        })
    }
}

/// `redact_event`: the body with PHI removed (the partner's own JSON shape).
pub(super) fn redact_event(r: RedactEventRequest<'_>) -> Result<JsonDocument, ApiError> {
    Ok(JsonDocument(redact_body(r.source, r.input)))
}

fn keys(
    source: Source,
    body: &Value,
    pharmacy_id: Option<&str>,
    webhook_id: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    let ctx = KeyContext {
        pharmacy_id,
        webhook_id,
    };
    event_keys(source, body, ctx).map_err(|e| match e {
        KeyError::PharmacyIdMissing => {
            ApiError::invalid_request("pharmacy_id", "the route's pharmacy id (a string)")
        }
        KeyError::WebhookIdMissing => {
            ApiError::invalid_request("webhook_id", "the webhook-id header (a string)")
        }
    })
}

/// Keys for `apply_event`: as [`keys`], but a signed source without `webhook_id` falls back
/// to a content key (`{source}:{pharmacy}:sha256-{hash}`) so stored events always apply.
fn apply_keys(r: &ApplyEventRequest<'_>) -> Result<Vec<String>, ApiError> {
    let signed = matches!(r.source, Source::DispensePro | Source::Own);
    if signed && r.webhook_id.is_none() {
        let pharmacy = r.pharmacy_id.as_deref().unwrap_or("-");
        return Ok(vec![format!(
            "{}:{pharmacy}:sha256-{}",
            r.source.as_str(),
            content_hash(r.input)
        )]);
    }
    keys(
        r.source,
        r.input,
        r.pharmacy_id.as_deref(),
        r.webhook_id.as_deref(),
    )
}

/// The request of `apply_event`.
#[derive(JsonSchema)]
pub struct ApplyEventRequest<'a> {
    /// Who sent the webhook.
    #[schemars(with = "crate::order::snapshot::route_name::Name")]
    pub source: Source,
    /// The webhook body, parsed.
    pub input: &'a Value,
    /// The order snapshot the event applies to.
    pub order: OrderSnapshot,
    /// The service's state of the order, kept and updated (`order_state`, `lab_milestone`).
    pub state: Option<Map<String, Value>>,
    /// When the event was received.
    pub now: Instant,
    /// The route's pharmacy id (LifeFile, DispensePro, pharmacy).
    pub pharmacy_id: Option<String>,
    /// The `webhook-id` header (DispensePro, pharmacy).
    pub webhook_id: Option<String>,
}

impl<'a> Request<'a> for ApplyEventRequest<'a> {
    fn read(request: &'a Value) -> Result<Self, ApiError> {
        let source = source(request)?;
        let body = input(request)?;
        let at = now(request)?;
        let order = request
            .get("order")
            .ok_or_else(|| ApiError::invalid_request("order", "the order snapshot"))?;
        let order = parse_snapshot(order).map_err(|e| {
            ApiError::new(
                ApiErrorCode::SchemaError,
                format!("`order` is not a valid order snapshot: {}", e.expected),
            )
            .at(format!("/order{}", e.pointer))
        })?;
        Ok(Self {
            source,
            input: body,
            order,
            state: match request.get("state") {
                Some(Value::Object(map)) => Some(map.clone()),
                _ => None,
            },
            now: Instant(at),
            pharmacy_id: opt_str(request, "pharmacy_id")?.map(str::to_owned),
            webhook_id: opt_str(request, "webhook_id")?.map(str::to_owned),
        })
    }
}

/// The answer of `apply_event`: what the event changes, or why it was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EventAnswer {
    /// The body parsed: its effects (`valid` is true).
    Applied(Box<AppliedEvent>),
    /// The body did not parse (`valid` is false, `outcome` is `rejected`).
    Rejected(RejectedEvent),
}

/// An event that parsed, and what it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AppliedEvent {
    /// What the event changes.
    #[serde(flatten)]
    pub effects: Effects,
    /// Always true.
    #[schemars(schema_with = "always_true")]
    pub valid: bool,
    /// The request's `state`, with `order_state` and `lab_milestone` updated.
    #[schemars(with = "EventState")]
    pub state: Map<String, Value>,
    /// What happened (the audit entry's outcome).
    pub outcome: Outcome,
}

/// The service's state of an order after an event.
#[derive(JsonSchema)]
#[allow(dead_code)] // a schema only
struct EventState {
    /// The order's status fields.
    order_state: OrderState,
    /// The furthest lab milestone received.
    lab_milestone: Option<LabMilestone>,
    /// The caller's other state members, kept.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// An event whose body did not parse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RejectedEvent {
    /// Always false.
    #[schemars(schema_with = "always_false")]
    pub valid: bool,
    /// Always `rejected`.
    #[schemars(schema_with = "rejected")]
    pub outcome: String,
    /// Every problem of the body, in document order.
    pub violations: Vec<ViolationRecord>,
    /// The idempotency keys.
    pub keys: Vec<String>,
}

fn always_true(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "boolean", "const": true})
}

fn always_false(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "boolean", "const": false})
}

fn rejected(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "string", "const": "rejected"})
}

/// `apply_event`.
pub(super) fn apply_event(r: ApplyEventRequest<'_>) -> Result<EventAnswer, ApiError> {
    let keys = apply_keys(&r)?;
    let parsed = parse(r.source, r.input, None);
    let Some(event) = parsed.event.as_ref() else {
        return Ok(EventAnswer::Rejected(RejectedEvent {
            valid: false,
            outcome: "rejected".to_owned(),
            violations: parsed
                .violations
                .iter()
                .map(ViolationRecord::from)
                .collect(),
            keys,
        }));
    };
    let effects = apply(&r.order, event, &keys, r.pharmacy_id.as_deref(), r.now.0);
    let mut state = r.state.unwrap_or_default();
    state.insert("order_state".to_owned(), to_value(&effects.order_state)?);
    state.insert(
        "lab_milestone".to_owned(),
        to_value(&effects.lab_milestone)?,
    );
    Ok(EventAnswer::Applied(Box::new(AppliedEvent {
        valid: true,
        state,
        outcome: effects.audit.outcome,
        effects,
    })))
}

/// The request of `check_portal_token`.
#[derive(JsonSchema)]
pub struct CheckPortalTokenRequest {
    /// The token as presented (`X-Patient-Token`).
    pub token: String,
    /// The signing secret (`RXGATE_PORTAL_TOKEN_SECRET`).
    pub secret: String,
    /// The current instant.
    pub now: Instant,
}

impl Request<'_> for CheckPortalTokenRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        Ok(Self {
            token: super::params::req_str(request, "token")?.to_owned(),
            secret: super::params::req_str(request, "secret")?.to_owned(),
            now: Instant(now(request)?),
        })
    }
}

/// `check_portal_token`.
pub(super) fn check_portal_token(
    r: CheckPortalTokenRequest,
) -> Result<crate::events::auth::PortalTokenCheck, ApiError> {
    let patient_id =
        crate::events::auth::check_portal_token(r.secret.as_bytes(), &r.token, r.now.0.timestamp());
    Ok(crate::events::auth::PortalTokenCheck {
        valid: patient_id.is_some(),
        patient_id,
    })
}
