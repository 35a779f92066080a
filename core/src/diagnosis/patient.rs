//! What a patient may see of an order ([`patient_view`]): status, stage, items, tracking,
//! appointment, doctor chat, and what the patient must do — never CS or Beluga admin
//! messages, submit errors, audit logs, integration credentials, routing configuration, drug
//! mappings or partners' raw payloads (decisions.md §3 "Visibility"). The view is built
//! field by field from an allow-list, so nothing new in the snapshot can leak into it. It
//! sits above the diagnosis because the stage and the patient's actions come from it.

use super::Stage;
use crate::order::snapshot::{ActivityKind, AppointmentStatus, OrderSnapshot};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Tracking the patient may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PatientTracking {
    /// Carrier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    /// Tracking number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking: Option<String>,
    /// Tracking link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
    /// Shipped.
    pub shipped: bool,
    /// Delivered.
    pub delivered: bool,
}

/// The appointment the patient may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PatientAppointment {
    /// Status.
    pub status: AppointmentStatus,
    /// Doctor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_name: Option<String>,
    /// Date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_date: Option<String>,
    /// Location or link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// A message in the patient's doctor chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PatientMessage {
    /// `doctor` or `you`.
    pub from: &'static str,
    /// When.
    pub at: DateTime<Utc>,
    /// Text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// The order as its patient may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PatientView {
    /// Order number.
    pub order_number: String,
    /// The stage, as a code.
    pub stage: Stage,
    /// The stage in the patient's words.
    pub status_text: &'static str,
    /// Product names.
    pub items: Vec<String>,
    /// What the patient must do, in their words.
    pub actions: Vec<&'static str>,
    /// Tracking, once shipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking: Option<PatientTracking>,
    /// The Beluga appointment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment: Option<PatientAppointment>,
    /// Doctor chat.
    pub messages: Vec<PatientMessage>,
    /// Where to reply to the doctor.
    pub reply_in: &'static str,
}

/// The order as the patient may see it (see the module docs). `now` places the order in
/// its stage.
pub fn patient_view(snapshot: &OrderSnapshot, now: DateTime<Utc>) -> PatientView {
    let diagnosis = super::diagnose(snapshot, now);
    let mut actions: Vec<&'static str> = Vec::new();
    for reason in &diagnosis.blockers {
        if let Some(text) = reason.patient_message {
            if !actions.contains(&text) {
                actions.push(text);
            }
        }
    }
    let order = &snapshot.order;
    let tracking = order.shipping.as_ref().and_then(|s| {
        let shipped = order.status >= crate::order::snapshot::OrderStatus::Shipped
            && order.status != crate::order::snapshot::OrderStatus::Cancelled;
        let delivered = order.status == crate::order::snapshot::OrderStatus::Completed;
        (shipped || s.tracking.is_some()).then(|| PatientTracking {
            carrier: s.carrier.clone(),
            tracking: s.tracking.clone(),
            tracking_url: s.tracking_url.clone(),
            shipped,
            delivered,
        })
    });
    let appointment = order.appointment.as_ref().map(|a| PatientAppointment {
        status: a.status,
        doc_name: a.doc_name.clone(),
        scheduled_date: a.scheduled_date.clone(),
        location: a.location.clone(),
    });
    let messages = snapshot
        .activities
        .iter()
        .filter_map(|a| {
            let from = match a.kind {
                ActivityKind::BelugaDoctorChat => "doctor",
                ActivityKind::PatientChatSent => "you",
                _ => return None,
            };
            Some(PatientMessage {
                from,
                at: a.at,
                content: a.content.clone(),
            })
        })
        .collect();
    PatientView {
        order_number: order.number.clone(),
        stage: diagnosis.stage,
        status_text: diagnosis.stage.patient_text(),
        items: snapshot
            .items
            .iter()
            .map(|i| i.product.name.clone())
            .collect(),
        actions,
        tracking,
        appointment,
        messages,
        reply_in: "Patient Portal → Messages",
    }
}
