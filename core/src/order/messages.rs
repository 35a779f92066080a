//! Message rules and what a patient may see of an order.
//!
//! Beluga has two message channels (the submission guide, decisions.md §1):
//!
//! | activity | channel | direction | patient sees it |
//! | --- | --- | --- | --- |
//! | `BELUGA_DOCTOR_CHAT` | doctor chat (`DOCTOR_CHAT` webhook) | in | yes, and is notified |
//! | `PATIENT_CHAT_SENT` | doctor chat (`/external/receiveChat`) | out | yes |
//! | `BELUGA_CS_SENT` | CS ↔ Beluga admin (`/external/receiveCSMessage`) | out | no |
//! | `BELUGA_CS_MESSAGE` | CS ↔ Beluga admin (`CS_MESSAGE` webhook) | in | no |
//!
//! [`message_visibility`] checks the snapshot's activities against these rules (a doctor
//! message the patient cannot see, an internal message shown to them, a `DOCTOR_CHAT`
//! received with no activity). What the patient may see of the whole order is
//! [`crate::diagnosis::patient_view`], built on these rules and the diagnosis.

use super::codes;
use super::reason::{Actor, Reason};
use super::snapshot::{ActivityKind, EventSource, OrderSnapshot};
use serde::Serialize;

/// The two Beluga message channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Clinical doctor ↔ patient chat (patient-visible).
    DoctorChat,
    /// CS ↔ Beluga admin (internal).
    CsAdmin,
}

/// Direction relative to the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Received from Beluga.
    Inbound,
    /// Sent to Beluga.
    Outbound,
}

/// The rule of one message activity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MessageRule {
    /// The activity type.
    pub kind: ActivityKind,
    /// Its channel.
    pub channel: Channel,
    /// Its direction.
    pub direction: Direction,
    /// Whether the patient sees it.
    pub patient_visible: bool,
    /// Whether the patient is notified of it.
    pub notify_patient: bool,
    /// The Beluga webhook or endpoint that carries it.
    pub beluga: &'static str,
    /// Where staff find it.
    pub staff_location: &'static str,
    /// Where the patient finds it, if they do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_location: Option<&'static str>,
}

/// The four message rules.
pub const MESSAGE_RULES: [MessageRule; 4] = [
    MessageRule {
        kind: ActivityKind::BelugaDoctorChat,
        channel: Channel::DoctorChat,
        direction: Direction::Inbound,
        patient_visible: true,
        notify_patient: true,
        beluga: "DOCTOR_CHAT webhook",
        staff_location: "EMR → Patient Profile → Messages",
        patient_location: Some("Patient Portal → Messages"),
    },
    MessageRule {
        kind: ActivityKind::PatientChatSent,
        channel: Channel::DoctorChat,
        direction: Direction::Outbound,
        patient_visible: true,
        notify_patient: false,
        beluga: "POST /external/receiveChat",
        staff_location: "EMR → Patient Profile → Messages",
        patient_location: Some("Patient Portal → Messages"),
    },
    MessageRule {
        kind: ActivityKind::BelugaCsSent,
        channel: Channel::CsAdmin,
        direction: Direction::Outbound,
        patient_visible: false,
        notify_patient: false,
        beluga: "POST /external/receiveCSMessage",
        staff_location: "EMR → Patient Profile → Messages",
        patient_location: None,
    },
    MessageRule {
        kind: ActivityKind::BelugaCsMessage,
        channel: Channel::CsAdmin,
        direction: Direction::Inbound,
        patient_visible: false,
        notify_patient: false,
        beluga: "CS_MESSAGE webhook",
        staff_location: "EMR → Patient Profile → Messages",
        patient_location: None,
    },
];

/// The rule of a message activity type (`None` for non-message activities).
pub fn message_rule(kind: ActivityKind) -> Option<&'static MessageRule> {
    MESSAGE_RULES.iter().find(|r| r.kind == kind)
}

/// Whether the patient may see an activity of this type.
pub fn patient_visible(kind: ActivityKind) -> bool {
    match message_rule(kind) {
        Some(rule) => rule.patient_visible,
        None => matches!(
            kind,
            ActivityKind::OrderStatusUpdate
                | ActivityKind::ShippingUpdate
                | ActivityKind::AppointmentUpdate
                | ActivityKind::IntakeRequirement
        ),
    }
}

/// One activity checked against its rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ActivityCheck {
    /// Position in the snapshot's `activities`.
    pub index: usize,
    /// Its type.
    pub kind: ActivityKind,
    /// Its channel, for messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Whether the rules let the patient see it.
    pub patient_visible: bool,
    /// Whether the app shows it (when known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown_to_patient: Option<bool>,
    /// The app's display agrees with the rule.
    pub ok: bool,
}

/// The answer of [`message_visibility`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MessageVisibility {
    /// The four rules.
    pub rules: Vec<MessageRule>,
    /// Every activity of the snapshot, checked.
    pub activities: Vec<ActivityCheck>,
    /// Disagreements.
    pub issues: Vec<Reason>,
    /// Whether to escalate (messages mixed up, doctor message not visible).
    pub escalate: bool,
}

/// Checks the snapshot's activities against the message rules.
pub fn message_visibility(snapshot: &OrderSnapshot) -> MessageVisibility {
    let mut issues = Vec::new();
    let mut activities = Vec::new();
    for (index, activity) in snapshot.activities.iter().enumerate() {
        let visible = patient_visible(activity.kind);
        let ok = activity
            .shown_to_patient
            .is_none_or(|shown| shown == visible);
        if !ok {
            let reason = if visible {
                Reason::new(
                    codes::DOCTOR_MESSAGE_NOT_VISIBLE,
                    Actor::AdminDevelopment,
                    &[],
                )
            } else {
                let kind = serde_json::to_value(activity.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                Reason::new(
                    codes::INTERNAL_MESSAGE_VISIBLE,
                    Actor::AdminDevelopment,
                    &[("kind", &kind)],
                )
            };
            if !issues.contains(&reason) {
                issues.push(reason);
            }
        }
        activities.push(ActivityCheck {
            index,
            kind: activity.kind,
            channel: message_rule(activity.kind).map(|r| r.channel),
            patient_visible: visible,
            shown_to_patient: activity.shown_to_patient,
            ok,
        });
    }
    let doctor_events = snapshot
        .events
        .iter()
        .filter(|e| e.source == EventSource::Beluga && e.event == "DOCTOR_CHAT")
        .count();
    let doctor_activities = snapshot
        .activities
        .iter()
        .filter(|a| a.kind == ActivityKind::BelugaDoctorChat)
        .count();
    if doctor_events > doctor_activities {
        let reason = Reason::new(
            codes::DOCTOR_MESSAGE_NOT_VISIBLE,
            Actor::AdminDevelopment,
            &[],
        );
        if !issues.contains(&reason) {
            issues.push(reason);
        }
    }
    MessageVisibility {
        rules: MESSAGE_RULES.to_vec(),
        activities,
        escalate: !issues.is_empty(),
        issues,
    }
}
