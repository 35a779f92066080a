//! Belmar and other LifeFile pharmacies (webhooks.md §2): a JSON **array**, one object per
//! prescription line, strings that may be null.
//!
//! A line must name the order (`orderId`, `referenceId` or `foreignOrderId`) and carry its
//! `rxStatus`; everything else is recorded as sent. `rxStatus` maps case-insensitively to
//! [`LifeFileStatus`]; anything else is [`LifeFileStatus::Other`], a recorded update with no
//! state change.

use super::fields::Reader;
use super::{codes, Source};
use crate::issue::{JsonPath, Violation};
use serde::Serialize;
use serde_json::Value;

/// A LifeFile push: its prescription lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LifeFilePush {
    /// The lines, in body order.
    pub lines: Vec<LifeFileLine>,
}

/// One prescription line (PHI fields — the ship-to address — are not kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LifeFileLine {
    /// LifeFile's `orderId`.
    pub order_id: Option<String>,
    /// Our `referenceId`.
    pub reference_id: Option<String>,
    /// Our `foreignOrderId`.
    pub foreign_order_id: Option<String>,
    /// `fillId`.
    pub fill_id: Option<String>,
    /// `rxNumber`.
    pub rx_number: Option<String>,
    /// `rxStatus` as sent.
    pub rx_status: String,
    /// `rxStatus` mapped.
    pub status: LifeFileStatus,
    /// `rxStatusDateTime` as sent (no zone).
    pub rx_status_date_time: Option<String>,
    /// `trackingNumber`.
    pub tracking_number: Option<String>,
    /// `shipCarrier`.
    pub ship_carrier: Option<String>,
    /// `deliveryService` / `service`.
    pub service: Option<String>,
}

/// `rxStatus`, mapped case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LifeFileStatus {
    /// `Shipping`, `Shipped`.
    Shipped,
    /// `In Transit`.
    InTransit,
    /// `Out for Delivery`.
    OutForDelivery,
    /// `Delivered`.
    Delivered,
    /// `Cancelled` (also `Canceled`).
    Cancelled,
    /// `Returned` (flagged).
    Returned,
    /// Anything else: recorded, no state change.
    Other,
}

impl LifeFileStatus {
    /// Maps an `rxStatus` value.
    pub fn from_status(status: &str) -> Self {
        match status.trim().to_ascii_lowercase().as_str() {
            "shipping" | "shipped" => Self::Shipped,
            "in transit" => Self::InTransit,
            "out for delivery" => Self::OutForDelivery,
            "delivered" => Self::Delivered,
            "cancelled" | "canceled" => Self::Cancelled,
            "returned" => Self::Returned,
            _ => Self::Other,
        }
    }
}

/// Parses a LifeFile body; every problem is reported.
pub fn parse(body: &Value) -> Result<LifeFilePush, Vec<Violation>> {
    let mut r = Reader::new(Source::Lifefile);
    let root = JsonPath::root();
    let Value::Array(items) = body else {
        r.push(
            codes::EVENT_BODY_SHAPE,
            &root,
            &[("expected", "a JSON array of prescription lines")],
        );
        return Err(r.violations);
    };
    if items.is_empty() {
        r.push(codes::EVENT_FIELD_EMPTY, &root, &[("field", "(body)")]);
        return Err(r.violations);
    }
    let mut lines = Vec::new();
    for (index, value) in items.iter().enumerate() {
        let at = root.index(index);
        let Some(obj) = r.element(value, &at) else {
            continue;
        };
        let order_id = r.text(obj, "orderId", &at, false);
        let reference_id = r.text(obj, "referenceId", &at, false);
        let foreign_order_id = r.text(obj, "foreignOrderId", &at, false);
        if order_id.is_none() && reference_id.is_none() && foreign_order_id.is_none() {
            let path = at.key("orderId");
            let field = path.to_pointer().trim_start_matches('/').to_owned();
            r.push(codes::EVENT_FIELD_MISSING, &path, &[("field", &field)]);
        }
        let rx_status = r.text(obj, "rxStatus", &at, true);
        let line = LifeFileLine {
            order_id,
            reference_id,
            foreign_order_id,
            fill_id: r.text(obj, "fillId", &at, false),
            rx_number: r.text(obj, "rxNumber", &at, false),
            status: rx_status
                .as_deref()
                .map_or(LifeFileStatus::Other, LifeFileStatus::from_status),
            rx_status: rx_status.unwrap_or_default(),
            rx_status_date_time: r.text(obj, "rxStatusDateTime", &at, false),
            tracking_number: r.text(obj, "trackingNumber", &at, false),
            ship_carrier: r.text(obj, "shipCarrier", &at, false),
            service: r
                .text(obj, "deliveryService", &at, false)
                .or_else(|| r.text(obj, "service", &at, false)),
        };
        lines.push(line);
    }
    r.finish(LifeFilePush { lines })
}
