//! `build_message`: the body of a message staff send to Beluga, and the activity it leaves.
//!
//! Two channels (decisions.md §1, [`crate::order::messages`]): to `cs` goes to Beluga admin
//! (`external/receiveCSMessage`, activity `BELUGA_CS_SENT`, internal); to `patient` is the
//! patient's reply in the doctor chat (`external/receiveChat` with the patient's first and
//! last name from the snapshot and `isMedia: false`, activity `PATIENT_CHAT_SENT`,
//! patient-visible). The visibility comes from the message rules' table; the body is checked
//! by the contract validator (kinds `chat` and `cs-message`). A message needs the visit:
//! before Beluga accepted it (`SUBMITTED`) the answer is `message_visit_missing`.
//!
//! A patient's chat may carry images (`images`: base64 JPEGs, as for photos): each is one more
//! `receiveChat` call with the image as `content` and `isMedia: true`, after the text (the
//! text may then be empty: no text call). Staff's CS message carries no images
//! (`message_media_not_allowed`).
//!
//! The content is patient data: it goes into the body only, never into a message or code.
//! The host keys each message call itself (a message has no natural idempotency key).

use super::{codes, CallKind, Finding, HttpMethod, PlannedCall};
use crate::contract::{validate_value, Kind, ValidateOptions};
use crate::order::messages::message_rule;
use crate::order::reason::{Actor, Reason};
use crate::order::snapshot::{ActivityKind, OrderSnapshot, SubmitStatus};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Who a message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// Beluga admin / support (internal).
    Cs,
    /// The Beluga doctor, as the patient's chat reply (patient-visible).
    Patient,
}

/// The request of `build_message`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildMessageRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// The channel.
    pub to: Recipient,
    /// The text (patient data: never logged).
    pub content: String,
    /// The order's `masterId`.
    pub master_id: String,
    /// Images for the patient's chat (base64 JPEG each), one `isMedia` call per image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
}

/// The timeline activity a sent message leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MessageActivity {
    /// `BELUGA_CS_SENT` or `PATIENT_CHAT_SENT`.
    pub kind: ActivityKind,
    /// Whether the patient sees it.
    pub patient_visible: bool,
}

/// The answer of `build_message`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MessagePlan {
    /// True when the calls are present: the body is valid and the visit exists.
    pub valid: bool,
    /// Why not (empty when valid).
    pub violations: Vec<Finding>,
    /// The call to queue, when valid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<PlannedCall>,
    /// The activity to record once the call is queued, when valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<MessageActivity>,
}

/// The body: `{content, masterId}`, and for the patient's chat the names from the snapshot
/// and `isMedia`. Absent names stay absent for the validator to name.
fn message_body(request: &BuildMessageRequest, content: &str, media: bool) -> Value {
    let mut body = Map::new();
    if request.to == Recipient::Patient {
        let patient = &request.input.patient;
        let names = [
            ("firstName", patient.first_name.as_ref()),
            ("lastName", patient.last_name.as_ref()),
        ];
        for (key, value) in names {
            if let Some(value) = value {
                body.insert(key.to_owned(), Value::String(value.trim().to_owned()));
            }
        }
    }
    body.insert("content".to_owned(), Value::String(content.to_owned()));
    body.insert(
        "masterId".to_owned(),
        Value::String(request.master_id.trim().to_owned()),
    );
    if request.to == Recipient::Patient {
        body.insert("isMedia".to_owned(), Value::Bool(media));
    }
    Value::Object(body)
}

/// The bodies to send: the text (unless a patient sends images only), then one per image.
fn message_bodies(request: &BuildMessageRequest) -> Vec<Value> {
    let images_only = request.to == Recipient::Patient
        && !request.images.is_empty()
        && request.content.trim().is_empty();
    let text = (!images_only).then(|| message_body(request, &request.content, false));
    text.into_iter()
        .chain(
            request
                .images
                .iter()
                .map(|image| message_body(request, image.trim(), true)),
        )
        .collect()
}

/// The findings of every body, each path prefixed with the body's place when there are
/// several (`/1/content`: the first image).
fn check_bodies(kind: Kind, bodies: &[Value]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (n, body) in bodies.iter().enumerate() {
        let report = validate_value(kind, body, &ValidateOptions::default());
        out.extend(report.violations.iter().map(|v| {
            let mut finding = Finding::from(v);
            if bodies.len() > 1 {
                finding.path = finding.path.map(|p| format!("/{n}{p}"));
            }
            finding
        }));
    }
    out
}

/// Builds and checks the message (see the module docs).
pub fn build_message(request: &BuildMessageRequest) -> MessagePlan {
    let snapshot = &request.input;
    let (kind, call_kind, activity) = match request.to {
        Recipient::Cs => (
            Kind::CsMessage,
            CallKind::BelugaCsMessage,
            ActivityKind::BelugaCsSent,
        ),
        Recipient::Patient => (
            Kind::Chat,
            CallKind::BelugaChat,
            ActivityKind::PatientChatSent,
        ),
    };
    let bodies = message_bodies(request);
    let mut violations = Vec::new();
    if snapshot.order.beluga.submit_status != Some(SubmitStatus::Submitted) {
        let reason = Reason::new(codes::MESSAGE_VISIT_MISSING, Actor::Cs, &[]);
        violations.push(Finding::from(&reason));
    }
    if request.to == Recipient::Cs && !request.images.is_empty() {
        let reason = Reason::new(codes::MESSAGE_MEDIA_NOT_ALLOWED, Actor::Cs, &[]);
        violations.push(Finding::from(&reason));
    }
    violations.extend(check_bodies(kind, &bodies));
    if !violations.is_empty() {
        return MessagePlan {
            valid: false,
            violations,
            calls: Vec::new(),
            activity: None,
        };
    }
    MessagePlan {
        valid: true,
        violations,
        calls: bodies
            .into_iter()
            .map(|body| PlannedCall {
                kind: call_kind,
                method: HttpMethod::Post,
                path: kind.endpoint().trim_start_matches('/').to_owned(),
                endpoint: kind.name().to_owned(),
                body: Some(body),
                dedupe_key: None,
            })
            .collect(),
        activity: Some(MessageActivity {
            kind: activity,
            patient_visible: message_rule(activity).is_some_and(|rule| rule.patient_visible),
        }),
    }
}
