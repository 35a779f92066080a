//! Who writes which part of the order snapshot: one writer of rxgate's state.
//!
//! The rules read one [`OrderSnapshot`]. Three sources fill it, and each member has exactly
//! one writer:
//!
//! 1. **The clinic's input** — what the EMR sends with `PUT /api/emr/orders/{id}`: the order
//!    (number, source, payment and invoice status, pharmacy, subscription and refill flags,
//!    dates), its items with products and drug mappings, the patient, the intakes, the
//!    pharmacy records, the prescriber directory and the clinic's settings (Beluga on/off,
//!    allowed states, the DispensePro switch, escalation windows).
//! 2. **rxgate's learned state** — the members of [`OWNED_MEMBERS`], which change only by
//!    applying facts and events through the core (`apply_event`, `apply_order_facts`).
//! 3. **The service's configuration** — the integration facts of [`IntegrationFacts`]:
//!    whether a Beluga API key is configured, the Beluga company id, the environment,
//!    whether the DispensePro account is configured, and per pharmacy whether its LifeFile
//!    credentials and its webhook secret are configured ([`CONFIGURATION_FACTS`]).
//!
//! [`split`] cuts a snapshot into the clinic's part and rxgate's part; [`assemble`] puts the
//! snapshot the rules read back together: the clinic's input, overlaid with rxgate's owned
//! members, the order status joined, and every configuration fact replaced by the service's.
//!
//! ## The owned members
//! | pointer | writer | why |
//! | --- | --- | --- |
//! | `/order/status` | both (joined) | the clinic sets it (payment → `PROCESSING`, a staff cancel); pharmacy events advance it (`SHIPPED`, `COMPLETED`, `CANCELLED`) |
//! | `/order/beluga` | rxgate | submit, visit, resolved status and outcome, visit id, `masterId`, submit error and times: Beluga's answers and webhooks |
//! | `/order/prescriptions` | rxgate | the local records of `RX_WRITTEN` / `NEW_RX_SENT` |
//! | `/order/dispense_pro` | rxgate | DispensePro submissions and their partner status |
//! | `/order/life_file` | rxgate | LifeFile submissions and their partner status |
//! | `/order/route_statuses` | rxgate | each route's fulfillment status from its pharmacy's events |
//! | `/order/photo_id_status` | rxgate | the `/external/receivePhotos` upload result |
//! | `/order/shipping` | rxgate | tracking and shipped / delivered instants from pharmacy events |
//! | `/order/appointment` | rxgate | the Beluga booking (`BOOKING_*`, `NO_SHOW`) |
//! | `/order/flags` | rxgate | flags raised for staff by event processing |
//! | `/events` | rxgate | received partner events and their idempotency keys (applied event keys) |
//! | `/activities` | rxgate | timeline activities: chat, CS messages, status and shipping updates |
//!
//! ## The status join
//! The assembled status is the higher, by the rank of [`super::state`] (`PENDING <
//! PROCESSING < SHIPPED < CANCELLED < COMPLETED`), of the clinic's status and rxgate's learned
//! status. Re-sending an old clinic status never rewinds it; a clinic's move the events have
//! not made yet (payment → `PROCESSING`, a staff cancel before delivery) still counts.
//!
//! ## Choices where the spec is silent
//! - [`assemble`] never reads an owned member from the clinic's input, even when rxgate's
//!   part lacks it: the EMR cannot write rxgate's state, not even the first time. A host
//!   importing an order that already has history (a database migration, a first `PUT` of an
//!   order processed elsewhere) calls [`split`] once and stores the `rxgate` part as the
//!   order's initial state.
//! - The clinic's part keeps the configuration facts (so it stays a valid snapshot of the
//!   same schema, version 1); [`assemble`] overwrites them, so the EMR's claims are ignored.
//! - A pharmacy absent from the configuration is not configured (no credentials, no webhook
//!   secret). A pharmacy of the configuration that names no pharmacy record of the clinic
//!   adds nothing: the clinic owns the list of pharmacies.
//! - `settings.dispense_pro` absent (the clinic never set the switch) stays absent; when
//!   present, only its `configured` flag comes from the configuration, `enabled` stays the
//!   clinic's.
//! - The pharmacy's own `environment` (a LifeFile pharmacy's test or production status id)
//!   is part of the clinic's pharmacy record; the app's `settings.environment` is the
//!   service's.
//! - rxgate's part must hold nothing but owned members (same nesting as the snapshot); a
//!   stray member is a schema error, never silently dropped. An owned member it lacks takes
//!   its snapshot default; a learned status absent or `null` means none learned yet (the
//!   clinic's stands).
//! - The clinic's copies of owned members are ignored even when they do not match the
//!   schema: an old EMR that still sends them is not refused for it.

use super::snapshot::{
    parse_snapshot, path_error, Activity, Appointment, BelugaState, Environment, OrderSnapshot,
    OrderStatus, PhotoIdStatus, Prescription, ReceivedEvent, RouteStatusRecord, Shipping,
    SnapshotError, StaffFlag, Submission,
};
use super::state::merge_order_status;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Who writes an owned member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Writer {
    /// Only rxgate, by applying facts and events.
    Rxgate,
    /// The clinic and rxgate; the assembled value is the join of both.
    Both,
}

/// One member of the snapshot that rxgate writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OwnedMember {
    /// JSON Pointer into the snapshot.
    pub pointer: &'static str,
    /// Who writes it.
    pub writer: Writer,
}

const fn rxgate(pointer: &'static str) -> OwnedMember {
    OwnedMember {
        pointer,
        writer: Writer::Rxgate,
    }
}

/// The members of the snapshot rxgate writes (see the module docs for why each).
pub const OWNED_MEMBERS: &[OwnedMember] = &[
    OwnedMember {
        pointer: "/order/status",
        writer: Writer::Both,
    },
    rxgate("/order/beluga"),
    rxgate("/order/prescriptions"),
    rxgate("/order/dispense_pro"),
    rxgate("/order/life_file"),
    rxgate("/order/route_statuses"),
    rxgate("/order/photo_id_status"),
    rxgate("/order/shipping"),
    rxgate("/order/appointment"),
    rxgate("/order/flags"),
    rxgate("/events"),
    rxgate("/activities"),
];

/// The members of the snapshot that only the service's configuration answers
/// ([`IntegrationFacts`]); `*` stands for every pharmacy record.
pub const CONFIGURATION_FACTS: &[&str] = &[
    "/settings/api_key_present",
    "/settings/company",
    "/settings/environment",
    "/settings/dispense_pro/configured",
    "/pharmacies/*/credentials_configured",
    "/pharmacies/*/webhook_secret_configured",
];

/// The integration facts of the service's configuration, sent with every assembly. The
/// secrets themselves never enter the core: only whether they are configured.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IntegrationFacts {
    /// A Beluga API key is configured (`settings.api_key_present`).
    pub beluga_api_key_configured: bool,
    /// The Beluga company id (`settings.company`).
    pub beluga_company: Option<String>,
    /// The environment the service runs in (`settings.environment`).
    pub environment: Option<Environment>,
    /// The DispensePro account is configured (`settings.dispense_pro.configured`).
    pub dispense_pro_configured: bool,
    /// Per pharmacy id: what is configured for it. A pharmacy absent here is not configured.
    pub pharmacies: BTreeMap<String, PharmacyFacts>,
}

/// What the service's configuration holds for one pharmacy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PharmacyFacts {
    /// API URL and credentials (LifeFile) are configured (`credentials_configured`).
    pub credentials_configured: bool,
    /// A webhook secret is configured (`webhook_secret_configured`).
    pub webhook_secret_configured: bool,
}

impl PharmacyFacts {
    /// The facts of an OWN pharmacy: no API credentials (rxgate sends it nothing), and its
    /// webhook counts as configured with a secret, or with `allow_unsigned` outside
    /// production — the webhook rules accept its unsigned requests there
    /// (`events::auth`), so its shipping updates are not refused.
    pub fn own(webhook_secret: bool, allow_unsigned: bool, production: bool) -> Self {
        Self {
            credentials_configured: false,
            webhook_secret_configured: webhook_secret || (allow_unsigned && !production),
        }
    }
}

impl IntegrationFacts {
    /// Replaces every configuration fact of `snapshot` with this configuration's.
    pub fn apply(&self, snapshot: &mut OrderSnapshot) {
        let settings = &mut snapshot.settings;
        settings.api_key_present = self.beluga_api_key_configured;
        settings.company = self.beluga_company.clone();
        settings.environment = self.environment;
        if let Some(dispense_pro) = settings.dispense_pro.as_mut() {
            dispense_pro.configured = self.dispense_pro_configured;
        }
        for pharmacy in &mut snapshot.pharmacies {
            let facts = self
                .pharmacies
                .get(&pharmacy.id)
                .copied()
                .unwrap_or_default();
            pharmacy.credentials_configured = facts.credentials_configured;
            pharmacy.webhook_secret_configured = facts.webhook_secret_configured;
        }
    }

    /// The facts a snapshot claims (the first record wins for a repeated pharmacy id). For
    /// comparing an EMR's claims with the configuration, and for tests; never a source of
    /// truth.
    pub fn claimed_by(snapshot: &OrderSnapshot) -> Self {
        let settings = &snapshot.settings;
        let mut pharmacies = BTreeMap::new();
        for pharmacy in &snapshot.pharmacies {
            pharmacies
                .entry(pharmacy.id.clone())
                .or_insert(PharmacyFacts {
                    credentials_configured: pharmacy.credentials_configured,
                    webhook_secret_configured: pharmacy.webhook_secret_configured,
                });
        }
        Self {
            beluga_api_key_configured: settings.api_key_present,
            beluga_company: settings.company.clone(),
            environment: settings.environment,
            dispense_pro_configured: settings.dispense_pro.is_some_and(|d| d.configured),
            pharmacies,
        }
    }
}

/// Which part of an assembly a schema error is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// The clinic's input.
    Clinic,
    /// rxgate's owned members.
    Rxgate,
}

impl Part {
    /// The request member holding this part (`clinic`, `rxgate`).
    pub fn name(self) -> &'static str {
        match self {
            Part::Clinic => "clinic",
            Part::Rxgate => "rxgate",
        }
    }
}

/// An assembly whose parts do not make a valid snapshot: which part, where, and what was
/// expected there (never the value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {} part of the order does not match its schema at `{}`: {}", .part.name(), .error.pointer, .error.expected)]
pub struct AssembleError {
    /// The part the offending member came from.
    pub part: Part,
    /// The pointer is relative to that part.
    pub error: SnapshotError,
}

/// Splits a snapshot into the clinic's part (the snapshot without the members only rxgate
/// writes) and rxgate's part (an object holding only the owned members, same nesting). The
/// order status, written by both, is in both parts. A value that is not an object is all
/// the clinic's.
pub fn split(snapshot: &Value) -> (Value, Value) {
    match snapshot.as_object() {
        Some(members) => {
            let (clinic, owned) = split_members(members, "");
            (Value::Object(clinic), Value::Object(owned))
        }
        None => (snapshot.clone(), Value::Object(Map::new())),
    }
}

/// Splits the members of the object at `at` (a JSON Pointer): each value is copied once,
/// to the part(s) whose member it is; an object on the way to an owned member is split in
/// turn, so both parts keep the snapshot's nesting and member order.
fn split_members(
    members: &Map<String, Value>,
    at: &str,
) -> (Map<String, Value>, Map<String, Value>) {
    let mut clinic = Map::new();
    let mut owned = Map::new();
    for (key, value) in members {
        let pointer = format!("{at}/{}", crate::issue::escape_token(key));
        let table = OWNED_MEMBERS.iter().find(|m| m.pointer == pointer);
        let inside = OWNED_MEMBERS.iter().any(|m| {
            m.pointer
                .strip_prefix(pointer.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        });
        match (table, value.as_object()) {
            (Some(member), _) => {
                if member.writer == Writer::Both {
                    clinic.insert(key.clone(), value.clone());
                }
                owned.insert(key.clone(), value.clone());
            }
            (None, Some(inner)) if inside => {
                let (c, o) = split_members(inner, &pointer);
                clinic.insert(key.clone(), Value::Object(c));
                if !o.is_empty() {
                    owned.insert(key.clone(), Value::Object(o));
                }
            }
            (None, _) => {
                clinic.insert(key.clone(), value.clone());
            }
        }
    }
    (clinic, owned)
}

/// rxgate's part, typed: exactly the members of [`OWNED_MEMBERS`] (a test keeps the two
/// equal), each with the type and default it has in the snapshot. Unknown members are
/// refused.
#[derive(Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct OwnedPart {
    #[serde(default)]
    order: OwnedOrder,
    #[serde(default)]
    events: Vec<ReceivedEvent>,
    #[serde(default)]
    activities: Vec<Activity>,
}

/// The owned members of `/order`.
#[derive(Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct OwnedOrder {
    /// rxgate's learned status (`null` or absent: none learned yet).
    #[serde(default)]
    status: Option<OrderStatus>,
    #[serde(default)]
    beluga: BelugaState,
    #[serde(default)]
    prescriptions: Vec<Prescription>,
    #[serde(default)]
    dispense_pro: Vec<Submission>,
    #[serde(default)]
    life_file: Vec<Submission>,
    #[serde(default)]
    route_statuses: Vec<RouteStatusRecord>,
    #[serde(default)]
    photo_id_status: Option<PhotoIdStatus>,
    #[serde(default)]
    shipping: Option<Shipping>,
    #[serde(default)]
    appointment: Option<Appointment>,
    #[serde(default)]
    flags: Vec<StaffFlag>,
}

/// Assembles the snapshot the rules read: `clinic` without any owned member, overlaid with
/// `rxgate`'s owned members, the order status joined, and every configuration fact replaced
/// by `integration`'s (see the module docs).
pub fn assemble(
    clinic: &Value,
    rxgate: &Value,
    integration: &IntegrationFacts,
) -> Result<OrderSnapshot, AssembleError> {
    if !rxgate.is_object() {
        return Err(AssembleError {
            part: Part::Rxgate,
            error: SnapshotError {
                pointer: String::new(),
                expected: "an object holding only the members rxgate owns".to_owned(),
            },
        });
    }
    let owned: OwnedPart = serde_path_to_error::deserialize(rxgate).map_err(|e| AssembleError {
        part: Part::Rxgate,
        error: path_error(e),
    })?;
    let mut snapshot = parse_clinic(clinic)?;
    overlay(&mut snapshot, owned);
    integration.apply(&mut snapshot);
    Ok(snapshot)
}

/// The clinic's input as a snapshot. Its owned members are overwritten afterwards, so one
/// that does not match the schema is ignored: the input is then parsed again without them.
fn parse_clinic(clinic: &Value) -> Result<OrderSnapshot, AssembleError> {
    let clinic_error = |error| AssembleError {
        part: Part::Clinic,
        error,
    };
    match parse_snapshot(clinic) {
        Ok(snapshot) => Ok(snapshot),
        Err(error) if in_owned_member(&error.pointer) => {
            let mut without = clinic.clone();
            for member in OWNED_MEMBERS.iter().filter(|m| m.writer == Writer::Rxgate) {
                remove_at(&mut without, member.pointer);
            }
            parse_snapshot(&without).map_err(clinic_error)
        }
        Err(error) => Err(clinic_error(error)),
    }
}

/// Puts rxgate's owned members in place and joins the status. Destructured without `..`,
/// so a member added to [`OwnedOrder`] cannot be forgotten here.
fn overlay(snapshot: &mut OrderSnapshot, owned: OwnedPart) {
    let OwnedPart {
        order,
        events,
        activities,
    } = owned;
    let OwnedOrder {
        status,
        beluga,
        prescriptions,
        dispense_pro,
        life_file,
        route_statuses,
        photo_id_status,
        shipping,
        appointment,
        flags,
    } = order;
    let target = &mut snapshot.order;
    if let Some(learned) = status {
        target.status = merge_order_status(target.status, learned);
    }
    target.beluga = beluga;
    target.prescriptions = prescriptions;
    target.dispense_pro = dispense_pro;
    target.life_file = life_file;
    target.route_statuses = route_statuses;
    target.photo_id_status = photo_id_status;
    target.shipping = shipping;
    target.appointment = appointment;
    target.flags = flags;
    snapshot.events = events;
    snapshot.activities = activities;
}

/// Whether a pointer of the snapshot lies in a member only rxgate writes.
fn in_owned_member(pointer: &str) -> bool {
    OWNED_MEMBERS
        .iter()
        .filter(|m| m.writer == Writer::Rxgate)
        .any(|m| {
            pointer == m.pointer
                || pointer
                    .strip_prefix(m.pointer)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

/// Removes the member at `pointer`, keeping the order of the others.
fn remove_at(document: &mut Value, pointer: &str) -> Option<Value> {
    let (parent, key) = pointer.rsplit_once('/')?;
    document
        .pointer_mut(parent)?
        .as_object_mut()?
        .shift_remove(key)
}

/// A member name as a JSON Pointer segment.
#[cfg(test)]
#[expect(
    clippy::indexing_slicing,
    reason = "tests index JSON they built themselves"
)]
mod tests {
    use super::*;

    #[test]
    fn an_own_pharmacy_unsigned_outside_production_counts_as_configured() {
        let configured = |secret, unsigned, production| {
            PharmacyFacts::own(secret, unsigned, production).webhook_secret_configured
        };
        assert!(configured(true, false, true));
        assert!(configured(false, true, false));
        assert!(!configured(false, true, true));
        assert!(!configured(false, false, false));
        assert!(!PharmacyFacts::own(true, true, false).credentials_configured);
    }
    use serde_json::json;

    fn snapshot() -> Value {
        json!({
            "schema_version": 1,
            "settings": {"beluga_enabled": true, "api_key_present": true, "company": "acme",
                         "environment": "PRODUCTION",
                         "dispense_pro": {"enabled": true, "configured": true}},
            "patient": {"first_name": "PHI-SENTINEL"},
            "order": {"number": "A-1", "status": "SHIPPED", "source": "CHECKOUT",
                      "payment_status": "PAID",
                      "beluga": {"submit_status": "SUBMITTED", "master_id": "m-1"},
                      "prescriptions": [{"source": "RX_WRITTEN", "med_id": "x"}],
                      "flags": [{"code": "f"}]},
            "pharmacies": [{"id": "ph_1", "name": "P", "type": "BELMAR_LIFEFILE",
                            "credentials_configured": true, "webhook_secret_configured": true}],
            "events": [{"source": "BELUGA", "event": "RX_WRITTEN",
                        "received_at": "2026-11-22T16:05:00Z"}],
        })
    }

    #[test]
    fn the_table_has_one_joined_member_the_status_and_no_duplicates() {
        let joined: Vec<&str> = OWNED_MEMBERS
            .iter()
            .filter(|m| m.writer == Writer::Both)
            .map(|m| m.pointer)
            .collect();
        assert_eq!(joined, vec!["/order/status"]);
        let mut pointers: Vec<&str> = OWNED_MEMBERS.iter().map(|m| m.pointer).collect();
        pointers.sort_unstable();
        pointers.dedup();
        assert_eq!(pointers.len(), OWNED_MEMBERS.len());
    }

    #[test]
    fn the_typed_part_holds_exactly_the_table() {
        let typed = serde_json::to_value(OwnedPart::default()).unwrap_or_default();
        let mut pointers: Vec<String> = Vec::new();
        for (key, value) in typed.as_object().into_iter().flatten() {
            match (key.as_str(), value.as_object()) {
                ("order", Some(order)) => {
                    pointers.extend(order.keys().map(|k| format!("/order/{k}")));
                }
                _ => pointers.push(format!("/{key}")),
            }
        }
        pointers.sort();
        let mut table: Vec<String> = OWNED_MEMBERS.iter().map(|m| m.pointer.to_owned()).collect();
        table.sort();
        assert_eq!(pointers, table);
    }

    #[test]
    fn every_owned_member_of_the_clinic_is_ignored() {
        let mut bare = snapshot();
        for member in OWNED_MEMBERS.iter().filter(|m| m.writer == Writer::Rxgate) {
            remove_at(&mut bare, member.pointer);
        }
        let mut full = snapshot();
        full["order"]["dispense_pro"] = json!([{"state": "SUBMITTED"}]);
        full["order"]["life_file"] = json!([{"state": "FAILED"}]);
        full["order"]["route_statuses"] = json!([{"pharmacy_id": "ph_1", "status": "SHIPPED"}]);
        full["order"]["photo_id_status"] = json!("SENT");
        full["order"]["shipping"] = json!({"carrier": "UPS"});
        full["order"]["appointment"] = json!({"status": "BOOKED"});
        full["activities"] = json!([{"kind": "STAFF_NOTE", "at": "2026-11-22T16:05:00Z"}]);
        let facts = IntegrationFacts::default();
        let from_full = assemble(&full, &json!({}), &facts).map(|s| serde_json::to_value(s).ok());
        let from_bare = assemble(&bare, &json!({}), &facts).map(|s| serde_json::to_value(s).ok());
        assert!(matches!(from_full, Ok(Some(_))), "{from_full:?}");
        let (Ok(Some(from_full)), Ok(Some(from_bare))) = (from_full, from_bare) else {
            return;
        };
        for member in OWNED_MEMBERS.iter().filter(|m| m.writer == Writer::Rxgate) {
            assert!(full.pointer(member.pointer).is_some(), "{}", member.pointer);
            assert_eq!(
                from_full.pointer(member.pointer),
                from_bare.pointer(member.pointer),
                "{}",
                member.pointer
            );
        }
    }

    #[test]
    fn an_invalid_owned_member_of_the_clinic_is_ignored_too() {
        let mut clinic = snapshot();
        clinic["order"]["prescriptions"] = json!([{"source": "FAXED"}]);
        clinic["events"] = json!("not a list");
        let owned = json!({"order": {"prescriptions": [{"source": "NEW_RX_SENT", "med_id": "m"}]}});
        let snap = assemble(&clinic, &owned, &IntegrationFacts::default());
        assert!(snap.is_ok(), "{snap:?}");
        let Ok(snap) = snap else { return };
        assert_eq!(snap.order.prescriptions.len(), 1);
        assert!(snap.events.is_empty());
    }

    #[test]
    fn split_moves_owned_members_and_keeps_the_status_in_both() {
        let (clinic, owned) = split(&snapshot());
        assert!(clinic["order"].get("beluga").is_none());
        assert!(clinic["order"].get("prescriptions").is_none());
        assert!(clinic["order"].get("flags").is_none());
        assert!(clinic.get("events").is_none());
        assert_eq!(clinic["order"]["status"], "SHIPPED");
        assert_eq!(clinic["patient"]["first_name"], "PHI-SENTINEL");
        assert_eq!(owned["order"]["status"], "SHIPPED");
        assert_eq!(owned["order"]["beluga"]["master_id"], "m-1");
        assert_eq!(owned["events"][0]["event"], "RX_WRITTEN");
        assert!(owned.get("patient").is_none() && owned.get("settings").is_none());
        // The clinic's part is still a valid snapshot of the same schema.
        assert!(parse_snapshot(&clinic).is_ok());
        // Member names are matched as pointer segments, escapes included.
        let (clinic, owned) = split(&json!({"order/status": 1, "events~": 2, "order": 3}));
        assert_eq!(clinic, json!({"order/status": 1, "events~": 2, "order": 3}));
        assert_eq!(owned, json!({}));
    }

    #[test]
    fn split_keeps_member_order_of_the_clinic_part() {
        let (clinic, _) = split(&snapshot());
        let keys: Vec<&String> = clinic["order"]
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["number", "status", "source", "payment_status"]);
    }

    #[test]
    fn assemble_round_trips_when_the_configuration_agrees() {
        let original = parse_snapshot(&snapshot());
        assert!(original.is_ok());
        let Ok(original) = original else { return };
        let (clinic, owned) = split(&snapshot());
        let facts = IntegrationFacts::claimed_by(&original);
        assert_eq!(assemble(&clinic, &owned, &facts), Ok(original));
    }

    #[test]
    fn the_clinic_cannot_write_owned_members_even_the_first_time() {
        let assembled = assemble(&snapshot(), &json!({}), &IntegrationFacts::default());
        assert!(assembled.is_ok(), "{assembled:?}");
        let Ok(snap) = assembled else { return };
        assert!(snap.order.prescriptions.is_empty());
        assert_eq!(snap.order.beluga.submit_status, None);
        assert!(snap.events.is_empty() && snap.order.flags.is_empty());
        // The status is the clinic's when rxgate has learned none.
        assert_eq!(snap.order.status, OrderStatus::Shipped);
    }

    #[test]
    fn the_status_is_the_join_of_both() {
        let mut clinic = snapshot();
        clinic["order"]["status"] = json!("PROCESSING");
        let owned = json!({"order": {"status": "COMPLETED"}});
        let snap = assemble(&clinic, &owned, &IntegrationFacts::default());
        assert_eq!(snap.map(|s| s.order.status), Ok(OrderStatus::Completed));
        // A clinic cancel the events have not made is kept.
        clinic["order"]["status"] = json!("CANCELLED");
        let owned = json!({"order": {"status": "SHIPPED"}});
        let snap = assemble(&clinic, &owned, &IntegrationFacts::default());
        assert_eq!(snap.map(|s| s.order.status), Ok(OrderStatus::Cancelled));
    }

    #[test]
    fn the_configuration_replaces_every_claim_of_the_clinic() {
        let snap = assemble(&snapshot(), &json!({}), &IntegrationFacts::default());
        assert!(snap.is_ok(), "{snap:?}");
        let Ok(snap) = snap else { return };
        assert!(!snap.settings.api_key_present);
        assert_eq!(snap.settings.company, None);
        assert_eq!(snap.settings.environment, None);
        assert_eq!(
            snap.settings
                .dispense_pro
                .map(|d| (d.enabled, d.configured)),
            Some((true, false))
        );
        assert!(snap
            .pharmacies
            .iter()
            .all(|p| !p.credentials_configured && !p.webhook_secret_configured));
        let facts = IntegrationFacts {
            beluga_api_key_configured: true,
            beluga_company: Some("other".to_owned()),
            environment: Some(Environment::Test),
            dispense_pro_configured: true,
            pharmacies: BTreeMap::from([(
                "ph_1".to_owned(),
                PharmacyFacts {
                    credentials_configured: true,
                    webhook_secret_configured: false,
                },
            )]),
        };
        let mut clinic = snapshot();
        clinic["settings"]["api_key_present"] = json!(false);
        let snap = assemble(&clinic, &json!({}), &facts);
        assert!(snap.is_ok(), "{snap:?}");
        let Ok(snap) = snap else { return };
        assert!(snap.settings.api_key_present);
        assert_eq!(snap.settings.company.as_deref(), Some("other"));
        assert_eq!(snap.settings.environment, Some(Environment::Test));
        assert_eq!(
            snap.pharmacies
                .first()
                .map(|p| (p.credentials_configured, p.webhook_secret_configured)),
            Some((true, false))
        );
    }

    #[test]
    fn schema_errors_name_the_part_and_pointer_never_the_value() {
        let mut clinic = snapshot();
        clinic["patient"]["ssn"] = json!("PHI-SENTINEL");
        let err = assemble(&clinic, &json!({}), &IntegrationFacts::default()).err();
        assert_eq!(
            err.as_ref().map(|e| (e.part, e.error.pointer.as_str())),
            Some((Part::Clinic, "/patient/ssn"))
        );
        let owned = json!({"order": {"beluga": {"submit_status": "PHI-SENTINEL"}}});
        let err = assemble(&snapshot(), &owned, &IntegrationFacts::default()).err();
        assert_eq!(
            err.as_ref().map(|e| (e.part, e.error.pointer.as_str())),
            Some((Part::Rxgate, "/order/beluga/submit_status"))
        );
        assert!(!err
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("PHI"));
        let owned = json!({"order": {"status": "PHI-SENTINEL"}});
        let err = assemble(&snapshot(), &owned, &IntegrationFacts::default()).err();
        assert_eq!(
            err.map(|e| (e.part, e.error.pointer)),
            Some((Part::Rxgate, "/order/status".to_owned()))
        );
    }

    #[test]
    fn stray_members_of_rxgate_part_are_refused() {
        for (owned, pointer) in [
            (json!({"patient": {}}), "/patient"),
            (json!({"order": {"number": "B-2"}}), "/order/number"),
            (json!({"order": 3}), "/order"),
        ] {
            let err = assemble(&snapshot(), &owned, &IntegrationFacts::default()).err();
            assert_eq!(
                err.map(|e| (e.part, e.error.pointer)),
                Some((Part::Rxgate, pointer.to_owned()))
            );
        }
        let err = assemble(&snapshot(), &json!([]), &IntegrationFacts::default()).err();
        assert_eq!(err.map(|e| e.part), Some(Part::Rxgate));
    }
}
