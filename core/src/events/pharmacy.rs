//! The two signed pharmacy webhooks (rxgate's own contracts, webhooks.md §3 and §4):
//! DispensePro status webhooks and OWN partner pharmacy webhooks.
//!
//! Both bodies carry `order`, an optional `shipping` block and `occurredAt`. DispensePro's
//! `event` is `dispensepro.status` with `order.status` ∈ the seven statuses; OWN's `event` is
//! one of the five `order.*` names. An unknown event name is kept as `Unknown` (recorded,
//! answered 2xx); an unknown DispensePro `order.status` under a known event is a violation,
//! because the contract is rxgate's own.

use super::fields::Reader;
use super::{codes, Source};
use crate::issue::{JsonPath, Violation};
use serde::Serialize;
use serde_json::{Map, Value};

/// Shipping block of a pharmacy webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ShippingInfo {
    /// `carrier`.
    pub carrier: Option<String>,
    /// `tracking`.
    pub tracking: Option<String>,
    /// `trackingUrl`.
    pub tracking_url: Option<String>,
    /// `status` (OWN only).
    pub status: Option<String>,
}

/// DispensePro `order.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DispenseProStatus {
    /// `authorized`.
    Authorized,
    /// `submitted`.
    Submitted,
    /// `filled`.
    Filled,
    /// `shipped`.
    Shipped,
    /// `delivered`.
    Delivered,
    /// `voided` (flagged).
    Voided,
    /// `failed` (flagged).
    Failed,
}

impl DispenseProStatus {
    /// Maps a status value (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "authorized" => Self::Authorized,
            "submitted" => Self::Submitted,
            "filled" => Self::Filled,
            "shipped" => Self::Shipped,
            "delivered" => Self::Delivered,
            "voided" => Self::Voided,
            "failed" => Self::Failed,
            _ => return None,
        })
    }

    /// The status as the contract spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authorized => "authorized",
            Self::Submitted => "submitted",
            Self::Filled => "filled",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Voided => "voided",
            Self::Failed => "failed",
        }
    }
}

/// A DispensePro status webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DispenseProEvent {
    /// `event` as sent.
    pub event: String,
    /// `order.id` (DispensePro's id); absent only for unknown events.
    pub order_id: Option<String>,
    /// `order.externalId` (our order id), which matches the order.
    pub external_id: Option<String>,
    /// `order.status`; `None` for an unknown event.
    pub status: Option<DispenseProStatus>,
    /// `shipping`.
    pub shipping: ShippingInfo,
    /// `occurredAt`.
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// OWN pharmacy webhook events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OwnEventKind {
    /// `order.shipped`.
    Shipped,
    /// `order.fulfilled`.
    Fulfilled,
    /// `order.out_for_delivery`.
    OutForDelivery,
    /// `order.delivered`.
    Delivered,
    /// `order.cancelled`.
    Cancelled,
    /// Anything else: recorded, no state change.
    Unknown,
}

impl OwnEventKind {
    /// Maps an event name.
    pub fn from_name(name: &str) -> Self {
        match name.trim() {
            "order.shipped" => Self::Shipped,
            "order.fulfilled" => Self::Fulfilled,
            "order.out_for_delivery" => Self::OutForDelivery,
            "order.delivered" => Self::Delivered,
            "order.cancelled" => Self::Cancelled,
            _ => Self::Unknown,
        }
    }
}

/// An OWN partner pharmacy webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PharmacyEvent {
    /// `event` as sent.
    pub event: String,
    /// `event` mapped.
    pub kind: OwnEventKind,
    /// `order.id` (the pharmacy's id).
    pub order_id: Option<String>,
    /// `order.externalOrderId` (our order number or `masterId`), which matches the order.
    pub external_order_id: Option<String>,
    /// `order.status` as sent.
    pub order_status: Option<String>,
    /// `shipping`.
    pub shipping: ShippingInfo,
    /// `occurredAt`.
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn shipping(r: &mut Reader, obj: &Map<String, Value>, root: &JsonPath) -> ShippingInfo {
    let Some(ship) = r.object(obj, "shipping", root, false) else {
        return ShippingInfo::default();
    };
    let at = root.key("shipping");
    ShippingInfo {
        carrier: r.text(ship, "carrier", &at, false),
        tracking: r.text(ship, "tracking", &at, false),
        tracking_url: r.text(ship, "trackingUrl", &at, false),
        status: r.text(ship, "status", &at, false),
    }
}

/// An unknown event keeps what identifies the order, leniently: `order.id` and `order.{ours}`.
fn unknown_event_ids(
    r: &mut Reader,
    obj: &Map<String, Value>,
    ours: &str,
) -> (Option<String>, Option<String>) {
    match obj.get("order") {
        Some(Value::Object(order)) => {
            let at = JsonPath::root().key("order");
            (
                r.text(order, "id", &at, false),
                r.text(order, ours, &at, false),
            )
        }
        _ => (None, None),
    }
}

fn object_body<'a>(r: &mut Reader, body: &'a Value) -> Option<&'a Map<String, Value>> {
    match body {
        Value::Object(obj) => Some(obj),
        _ => {
            r.push(
                codes::EVENT_BODY_SHAPE,
                &JsonPath::root(),
                &[("expected", "a JSON object")],
            );
            None
        }
    }
}

/// Parses a DispensePro body; every problem is reported.
pub fn parse_dispensepro(body: &Value) -> Result<DispenseProEvent, Vec<Violation>> {
    let mut r = Reader::new(Source::DispensePro);
    let root = JsonPath::root();
    let Some(obj) = object_body(&mut r, body) else {
        return Err(r.violations);
    };
    let event = r.text(obj, "event", &root, true);
    let known = event.as_deref().map(str::trim) == Some("dispensepro.status");
    let mut parsed = DispenseProEvent {
        event: event.clone().unwrap_or_default(),
        order_id: None,
        external_id: None,
        status: None,
        shipping: ShippingInfo::default(),
        occurred_at: None,
    };
    if known {
        if let Some(order) = r.object(obj, "order", &root, true) {
            let at = root.key("order");
            parsed.order_id = r.text(order, "id", &at, true);
            parsed.external_id = r.text(order, "externalId", &at, true);
            if let Some(status) = r.text(order, "status", &at, true) {
                parsed.status = DispenseProStatus::from_name(&status);
                if parsed.status.is_none() {
                    r.push(
                        codes::EVENT_FIELD_VALUE,
                        &at.key("status"),
                        &[
                            ("field", "order/status"),
                            (
                                "allowed",
                                "authorized, submitted, filled, shipped, delivered, voided, failed",
                            ),
                        ],
                    );
                }
            }
        }
        parsed.shipping = shipping(&mut r, obj, &root);
        parsed.occurred_at = r.instant(obj, "occurredAt", &root);
    } else if event.is_some() {
        (parsed.order_id, parsed.external_id) = unknown_event_ids(&mut r, obj, "externalId");
    }
    r.finish(parsed)
}

/// Parses an OWN pharmacy body; every problem is reported.
pub fn parse_pharmacy(body: &Value) -> Result<PharmacyEvent, Vec<Violation>> {
    let mut r = Reader::new(Source::Own);
    let root = JsonPath::root();
    let Some(obj) = object_body(&mut r, body) else {
        return Err(r.violations);
    };
    let event = r.text(obj, "event", &root, true);
    let kind = event
        .as_deref()
        .map_or(OwnEventKind::Unknown, OwnEventKind::from_name);
    let mut parsed = PharmacyEvent {
        event: event
            .clone()
            .map(|e| e.trim().to_owned())
            .unwrap_or_default(),
        kind,
        order_id: None,
        external_order_id: None,
        order_status: None,
        shipping: ShippingInfo::default(),
        occurred_at: None,
    };
    if kind != OwnEventKind::Unknown {
        if let Some(order) = r.object(obj, "order", &root, true) {
            let at = root.key("order");
            parsed.order_id = r.text(order, "id", &at, true);
            parsed.external_order_id = r.text(order, "externalOrderId", &at, false);
            parsed.order_status = r.text(order, "status", &at, false);
        }
        parsed.shipping = shipping(&mut r, obj, &root);
        parsed.occurred_at = r.instant(obj, "occurredAt", &root);
    } else if event.is_some() {
        (parsed.order_id, parsed.external_order_id) =
            unknown_event_ids(&mut r, obj, "externalOrderId");
    }
    r.finish(parsed)
}
