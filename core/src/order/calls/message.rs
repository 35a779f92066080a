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
/// and `isMedia: false`. Absent names stay absent for the validator to name.
fn message_body(request: &BuildMessageRequest) -> Value {
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
    body.insert("content".to_owned(), Value::String(request.content.clone()));
    body.insert(
        "masterId".to_owned(),
        Value::String(request.master_id.trim().to_owned()),
    );
    if request.to == Recipient::Patient {
        body.insert("isMedia".to_owned(), Value::Bool(false));
    }
    Value::Object(body)
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
    let body = message_body(request);
    let mut violations = Vec::new();
    if snapshot.order.beluga.submit_status != Some(SubmitStatus::Submitted) {
        let reason = Reason::new(codes::MESSAGE_VISIT_MISSING, Actor::Cs, &[]);
        violations.push(Finding::from(&reason));
    }
    let report = validate_value(kind, &body, &ValidateOptions::default());
    violations.extend(report.violations.iter().map(Finding::from));
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
        calls: vec![PlannedCall {
            kind: call_kind,
            method: HttpMethod::Post,
            path: kind.endpoint().trim_start_matches('/').to_owned(),
            endpoint: kind.name().to_owned(),
            body: Some(body),
            dedupe_key: None,
        }],
        activity: Some(MessageActivity {
            kind: activity,
            patient_visible: message_rule(activity).is_some_and(|rule| rule.patient_visible),
        }),
    }
}
