//! The decisions around partner calls that the service used to make itself: planning a
//! Beluga submission ([`plan::plan_submission`]), what a call's answer means for the order
//! ([`outcome::record_call_outcome`]) and the body of a chat or CS message
//! ([`message::build_message`]).
//!
//! The host does the I/O: it generates the `masterId` candidate (randomness), sends the calls
//! the rules plan, and hands back what the partner answered. Everything else — which verdict,
//! which body, which dedupe key, which class, whether to retry, which facts change the order —
//! is decided here. Requests and answers are typed structs (`Serialize`, `Deserialize`,
//! `JsonSchema`) so the host (de)serializes the same types at the guest boundary; requests
//! reject unknown fields. Codes live in [`codes`] (area `calls`).

pub mod codes;
pub mod message;
pub mod outcome;
pub mod plan;
pub mod poll;

pub use message::{build_message, BuildMessageRequest, MessageActivity, MessagePlan, Recipient};
pub use outcome::{
    record_call_outcome, CallAnswer, CallError, CallOutcome, CallRef, Disposition, HttpReply,
    RecordCallOutcomeRequest, Unsendable, UnsendableReason,
};
pub use plan::{plan_submission, PlanSubmissionRequest, SubmissionPlan};
pub use poll::{plan_visit_fetch, PlanVisitFetchRequest, VisitFetchPlan};

use super::reason::{Actor, Reason};
use crate::issue::{render, Violation};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The kinds of outbox call the rules plan or classify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// Visit creation (`visit/createNoPayPhotos` or `lab/receiveLabResults`).
    BelugaSubmit,
    /// `GET visit/externalFetch/{masterId}` (reconciles a `Duplicate masterId`).
    BelugaFetch,
    /// The photo ID (`external/receivePhotos`).
    BelugaPhotoId,
    /// A patient chat message to the doctor (`external/receiveChat`).
    BelugaChat,
    /// A CS message to Beluga admin (`external/receiveCSMessage`).
    BelugaCsMessage,
    /// `external/updateVisit`.
    BelugaUpdateVisit,
    /// `external/patientName`.
    BelugaPatientName,
    /// `external/receivePdf`.
    BelugaPdf,
    /// Staff photos (`external/receivePhotos` through `POST …/photos`): no photo-ID status.
    BelugaPhotos,
    /// A DispensePro order.
    DispenseproOrder,
    /// A LifeFile order.
    LifefileOrder,
}

/// The partner a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partner {
    /// Beluga Health.
    Beluga,
    /// DispensePro.
    DispensePro,
    /// Belmar / LifeFile.
    LifeFile,
}

impl Partner {
    /// The name used in messages.
    pub fn label(self) -> &'static str {
        match self {
            Partner::Beluga => "Beluga",
            Partner::DispensePro => "DispensePro",
            Partner::LifeFile => "LifeFile",
        }
    }
}

impl CallKind {
    /// The partner of the call.
    pub fn partner(self) -> Partner {
        match self {
            CallKind::DispenseproOrder => Partner::DispensePro,
            CallKind::LifefileOrder => Partner::LifeFile,
            _ => Partner::Beluga,
        }
    }

    /// The response endpoint (`parse_response` kind) of a Beluga call when the call names
    /// none; `None` for pharmacy calls.
    pub fn default_endpoint(self) -> Option<&'static str> {
        Some(match self {
            CallKind::BelugaSubmit => "visit",
            CallKind::BelugaFetch => "fetch-visit",
            CallKind::BelugaPhotoId => "photos",
            CallKind::BelugaChat => "chat",
            CallKind::BelugaCsMessage => "cs-message",
            CallKind::BelugaUpdateVisit => "update-visit",
            CallKind::BelugaPatientName => "patient-name",
            CallKind::BelugaPdf => "pdf",
            CallKind::BelugaPhotos => "photos",
            CallKind::DispenseproOrder | CallKind::LifefileOrder => return None,
        })
    }
}

/// HTTP methods of planned calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum HttpMethod {
    /// `POST` with a JSON body.
    #[serde(rename = "POST")]
    Post,
    /// `GET`, no body.
    #[serde(rename = "GET")]
    Get,
}

/// A call for the host to queue: where to send what, and the key it is stored once under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlannedCall {
    /// The outbox kind.
    pub kind: CallKind,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path below the partner's base URL, without a leading `/`.
    pub path: String,
    /// The response endpoint (`parse_response` kind) to hand back with the answer.
    pub endpoint: String,
    /// The JSON body (patient data: never logged), absent for `GET`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Enqueue once under this key; absent when the host keys the call itself (messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedupe_key: Option<String>,
}

/// One reason a plan or message is refused: a readiness reason or a contract violation, in
/// one shape. `code` is a string so a host linking an older core still reads answers of newer
/// rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The stable code (`rxgate codes`).
    pub code: String,
    /// Staff text (field names and rules, never values).
    pub message: String,
    /// JSON Pointer into the built body, for contract violations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The string Beluga would answer, for contract violations that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beluga_error: Option<String>,
    /// Who acts on it, for readiness reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    /// The fields concerned (names, never values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// The order item concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
}

impl From<&Reason> for Finding {
    fn from(reason: &Reason) -> Self {
        Self {
            code: reason.code.as_str().to_owned(),
            message: reason.message.clone(),
            path: None,
            beluga_error: None,
            actor: Some(reason.actor),
            fields: reason.fields.clone(),
            item_id: reason.item_id.clone(),
        }
    }
}

impl From<&Violation> for Finding {
    fn from(violation: &Violation) -> Self {
        Self {
            code: violation.code.as_str().to_owned(),
            message: violation.message.clone(),
            path: Some(violation.path.clone()),
            beluga_error: violation.beluga_error.clone(),
            actor: None,
            fields: Vec::new(),
            item_id: None,
        }
    }
}

/// A request that is misuse: the JSON Pointer of the offending member and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("request member `{pointer}` must be {expected}")]
pub struct InvalidRequest {
    /// JSON Pointer into the request.
    pub pointer: String,
    /// What was expected there (never the value found).
    pub expected: &'static str,
}

impl InvalidRequest {
    pub(crate) fn at(pointer: &str, expected: &'static str) -> Self {
        Self {
            pointer: pointer.to_owned(),
            expected,
        }
    }
}

/// Whether a `belugaSubmitError` is one of rxgate's own messages that says plainly what to
/// fix (the partner is not configured, the API key was refused); the diagnosis treats these
/// like documented Beluga errors rather than as unclear.
pub fn is_clear_own_error(error: &str) -> bool {
    let beluga = [("partner", Partner::Beluga.label())];
    [codes::PARTNER_NOT_CONFIGURED, codes::BELUGA_API_KEY_REFUSED]
        .iter()
        .any(|code| render(code.info().template, &beluga) == error.trim())
}

/// `now`: an RFC 3339 instant or integer Unix milliseconds (what every other operation
/// accepts); errors never quote the value.
pub(crate) fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    struct Visitor;
    const EXPECTED: &str = "an RFC 3339 instant or integer Unix milliseconds";
    impl serde::de::Visitor<'_> for Visitor {
        type Value = DateTime<Utc>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(EXPECTED)
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
            DateTime::parse_from_rfc3339(text)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|_| E::custom(format!("expected {EXPECTED}")))
        }
        fn visit_i64<E: serde::de::Error>(self, ms: i64) -> Result<Self::Value, E> {
            DateTime::from_timestamp_millis(ms)
                .ok_or_else(|| E::custom(format!("expected {EXPECTED}")))
        }
        fn visit_u64<E: serde::de::Error>(self, ms: u64) -> Result<Self::Value, E> {
            i64::try_from(ms)
                .map_err(|_| E::custom(format!("expected {EXPECTED}")))
                .and_then(|ms| self.visit_i64(ms))
        }
    }
    d.deserialize_any(Visitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_clear_errors_are_recognised_and_others_are_not() {
        let not_configured = render(
            codes::PARTNER_NOT_CONFIGURED.info().template,
            &[("partner", "Beluga")],
        );
        assert!(is_clear_own_error(&not_configured));
        let unrecognized = codes::BELUGA_ERROR_UNRECOGNIZED.info().template;
        assert!(!is_clear_own_error(unrecognized));
        assert!(!is_clear_own_error("ERR_BAD_STATE 0x2f"));
    }

    #[test]
    fn now_reads_rfc3339_or_milliseconds_and_never_echoes_the_value() {
        #[derive(Deserialize, schemars::JsonSchema)]
        struct Probe {
            #[serde(deserialize_with = "instant")]
            now: DateTime<Utc>,
        }
        let text: Result<Probe, _> = serde_json::from_str(r#"{"now": "2026-11-23T09:00:00Z"}"#);
        let millis: Result<Probe, _> = serde_json::from_str(r#"{"now": 1795424400000}"#);
        assert_eq!(
            text.map(|p| p.now.timestamp_millis()).ok(),
            Some(1_795_424_400_000)
        );
        assert_eq!(
            millis.map(|p| p.now.timestamp_millis()).ok(),
            Some(1_795_424_400_000)
        );
        let bad: Result<Probe, _> = serde_json::from_str(r#"{"now": "PHI-SENTINEL"}"#);
        let message = bad.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("RFC 3339"), "{message}");
        assert!(!message.contains("PHI-SENTINEL"), "{message}");
    }
}
