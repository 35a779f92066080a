//! Inbound partner events: parsing, authentication, deduplication, application, redaction.
//!
//! Everything partners send back — Beluga's consult, prescription, chat, booking, pharmacy,
//! package and lab events; LifeFile data pushes; DispensePro and OWN-pharmacy status
//! webhooks — goes through five pure steps, each a module:
//!
//! 1. [`auth`]: authenticate the raw request (headers, raw body bytes, configured secrets,
//!    "now") before anything is parsed. Beluga's shared secret, Standard Webhooks `v1`
//!    HMAC-SHA256 for DispensePro and OWN pharmacies, HTTP Basic for LifeFile. Fail closed.
//! 2. [`parse`]: the body into a typed [`Event`] ([`beluga`], [`lifefile`], [`pharmacy`]).
//!    Lenient where webhooks.md says so (unknown members ignored, unknown event names kept),
//!    strict on what the rules depend on; every problem is a
//!    [`Violation`](crate::issue::Violation) with a JSON Pointer and never the value.
//! 3. [`dedupe`]: the idempotency key of every event, as webhooks.md defines it, with RFC
//!    8785 canonical JSON ([`canonical`]) for Beluga's content hash.
//! 4. [`apply`]: `apply(snapshot, event, received_at) -> Effects` — facts merged forward-only
//!    through [`crate::order::state`], the records, activities, notifications and partner
//!    submissions to create, the audit entry and the flags for staff. Applying the same
//!    events in any order, any number of times, converges (a proptest shows it).
//! 5. [`redact`]: the audit/log form of any event, with PHI removed.
//!
//! ## Invariants
//! - Pure: time is an input, secrets are inputs, nothing is read or written.
//! - No panics and no half-application: a body that is valid JSON of the wrong shape is a
//!   list of violations and applies nothing.
//! - No PHI in messages: violations name the source, field and rule only.

pub mod apply;
pub mod auth;
pub mod beluga;
pub mod canonical;
pub mod codes;
pub mod dedupe;
mod fields;
pub mod ingest;
pub mod lifefile;
pub mod matching;
pub mod outbox;
pub mod pharmacy;
pub mod redact;

use crate::issue::Violation;
use serde::Serialize;
use serde_json::Value;

/// Who sent an event: the snapshot's [`EventSource`](crate::order::snapshot::EventSource),
/// one type for both (named here by its webhook route, `beluga`, `lifefile`, `dispensepro`,
/// `pharmacy`).
pub use crate::order::snapshot::EventSource as Source;

/// A parsed partner event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "source", content = "event", rename_all = "lowercase")]
pub enum Event {
    /// A Beluga webhook.
    Beluga(beluga::BelugaEvent),
    /// A LifeFile push.
    Lifefile(lifefile::LifeFilePush),
    /// A DispensePro status webhook.
    #[serde(rename = "dispensepro")]
    DispensePro(pharmacy::DispenseProEvent),
    /// An OWN pharmacy webhook.
    Pharmacy(pharmacy::PharmacyEvent),
}

impl Event {
    /// The source it came from.
    pub fn source(&self) -> Source {
        match self {
            Event::Beluga(_) => Source::Beluga,
            Event::Lifefile(_) => Source::Lifefile,
            Event::DispensePro(_) => Source::DispensePro,
            Event::Pharmacy(_) => Source::Own,
        }
    }

    /// The event name for audit entries (LifeFile: `rxStatus` of the first line, else `push`).
    pub fn name(&self) -> String {
        match self {
            Event::Beluga(e) => e.event.clone(),
            Event::Lifefile(p) => p
                .lines
                .first()
                .map_or_else(|| "push".to_owned(), |l| l.rx_status.clone()),
            Event::DispensePro(e) => e.event.clone(),
            Event::Pharmacy(e) => e.event.clone(),
        }
    }

    /// The event name as audit entries, flags and messages may show it: known names as
    /// sent, unknown ones only when they look like an identifier (see [`safe_name`]).
    pub fn audit_name(&self) -> String {
        safe_name(&self.name())
    }

    /// Whether the event name is one rxgate does not know (recorded, no state change).
    pub fn is_unknown(&self) -> bool {
        match self {
            Event::Beluga(e) => e.kind == beluga::BelugaKind::Unknown,
            Event::Lifefile(_) => false,
            Event::DispensePro(e) => e.status.is_none(),
            Event::Pharmacy(e) => e.kind == pharmacy::OwnEventKind::Unknown,
        }
    }
}

pub use crate::issue::safe_name;

/// The answer of [`parse`]: the event, or every violation found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ParseOutcome {
    /// True when the body parsed.
    pub valid: bool,
    /// The source.
    #[serde(with = "crate::order::snapshot::route_name")]
    #[schemars(with = "crate::order::snapshot::route_name::Name")]
    pub source: Source,
    /// The parsed event, when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<Event>,
    /// The event name rxgate does not know, when it is one (kept, recorded, 2xx).
    pub unknown: bool,
    /// Every problem, in document order.
    pub violations: Vec<Violation>,
}

/// Parses a body of `source` into a typed [`Event`]; the error lists every violation.
pub fn parse_event(source: Source, body: &Value) -> Result<Event, Vec<Violation>> {
    match source {
        Source::Beluga => beluga::parse(body).map(Event::Beluga),
        Source::Lifefile => lifefile::parse(body).map(Event::Lifefile),
        Source::DispensePro => pharmacy::parse_dispensepro(body).map(Event::DispensePro),
        Source::Own => pharmacy::parse_pharmacy(body).map(Event::Pharmacy),
    }
}

/// Parses a body, also enforcing the Beluga size rule when `body_bytes` (the raw body's
/// length) is given: over 1 MiB only `LAB_ORDER_REQUISITION_CREATED` is accepted (413).
pub fn parse(source: Source, body: &Value, body_bytes: Option<usize>) -> ParseOutcome {
    let mut result = parse_event(source, body);
    if let (Ok(Event::Beluga(event)), Some(size)) = (&result, body_bytes) {
        if size > beluga::MAX_BODY_BYTES && event.event != "LAB_ORDER_REQUISITION_CREATED" {
            let limit = beluga::MAX_BODY_BYTES.to_string();
            result = Err(vec![Violation::new(
                codes::EVENT_BODY_TOO_LARGE,
                &crate::issue::JsonPath::root(),
                &[
                    ("source", source.label()),
                    ("limit", &limit),
                    ("allowed", "LAB_ORDER_REQUISITION_CREATED"),
                ],
            )]);
        }
    }
    match result {
        Ok(event) => ParseOutcome {
            valid: true,
            source,
            unknown: event.is_unknown(),
            event: Some(event),
            violations: Vec::new(),
        },
        Err(violations) => ParseOutcome {
            valid: false,
            source,
            event: None,
            unknown: false,
            violations,
        },
    }
}
