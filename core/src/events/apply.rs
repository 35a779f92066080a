//! `apply(snapshot, event, key, received_at) -> Effects`: what one partner event changes.
//!
//! An event is translated into [`Fact`]s and merged forward-only through
//! [`crate::order::state`]; nothing here re-implements a rank. Besides the new snapshot the
//! answer lists what the app must create — activities with their channel and visibility,
//! patient notifications, prescription, shipment and appointment records, documents, partner
//! submissions (outbox) — plus the audit entry and the flags for staff.
//!
//! ## Idempotence and order independence
//! - The event's idempotency key ([`super::dedupe`]) is recorded in `snapshot.events`; an
//!   event whose key is already there is a **duplicate**: no fact, no effect.
//! - Every fact is a pure function of the event and the order's static data (items,
//!   submissions), and every merge is commutative, so any permutation of the same events
//!   reaches the same snapshot (appointments excepted: the last booking wins, by the spec).
//! - Effects are gated on state *transitions*, so each happens once per order whatever the
//!   order of arrival: the shipped notification when shipping first starts (and never after
//!   a delivery), the delivered one when delivery is first seen, a fulfillment submission when
//!   its route is ready ([`super::outbox`]: every ready route, keyed), a prescription
//!   record when its key is new. Every effect carries a `dedupe_key` the host stores it under.
//!
//! ## Matching
//! Beluga events match on `masterId` (a snapshot without one trusts the host's match);
//! LifeFile lines on `referenceId` / `foreignOrderId` / `orderId` against the order's id,
//! number, `masterId` or a LifeFile submission's partner order id; DispensePro on
//! `order.externalId` (or DispensePro's `order.id` of a submission); OWN pharmacies on
//! `order.externalOrderId`. An event that matches nothing changes nothing and is answered
//! `matched: false` with the `event_order_unmatched` flag: the host keeps it unmatched and
//! applies it when the order appears.
//!
//! ## Choices where the spec is silent
//! - `RX_WRITTEN` also sets the visit outcome `prescribed` (it outranks `referred`).
//! - A prescribed `medId` no item has is still recorded (unlinked) and flagged, never routed.
//! - `fulfillment_before_confirmation` is raised by an `RX_WRITTEN` when a DispensePro or
//!   LifeFile submission is dated before the visit's first prescription confirmation (that
//!   `RX_WRITTEN`, or an earlier record's `written_at`), or undated: a second, distinct
//!   `RX_WRITTEN` never flags a submission the first one confirmed.
//! - Partner submissions in `outbox` carry the route (pharmacy, items, path) and the partner's
//!   order ([`crate::routing::partner_orders`]), built from the snapshot after the event.
//! - A pharmacy event's status moves its route ([`route_of`]: the webhook URL's pharmacy,
//!   else the submission naming the partner's order id, else the order's only route of that
//!   type) and the order's status follows its routes'
//!   ([`crate::order::state::routes_status`]); an event naming no route moves the order as a
//!   whole. Every DispensePro status also updates its route's submission record (status and
//!   `occurredAt`; docs/events.md "Routes and the order status").

use super::beluga::{
    BelugaEvent, BelugaKind, LabMilestone, PackageMilestone, PharmacyMilestone, PrescribedMed,
    TrackingInfo,
};
use super::lifefile::{LifeFileLine, LifeFileStatus};
use super::pharmacy::{
    DispenseProEvent, DispenseProStatus, OwnEventKind, PharmacyEvent, ShippingInfo,
};
use super::{codes, Event, Source};
use crate::issue::{Code, JsonPath, Violation, ViolationRecord};
use crate::order::pharmacy::{item_pharmacy, route_pharmacies};
use crate::order::snapshot::{
    ActivityKind, Appointment, EventSource, OrderSnapshot, PharmacyType, Prescription,
    PrescriptionSource, ReceivedEvent, RouteStatusRecord, Shipping, StaffFlag, Submission,
    SubmissionState,
};
use crate::order::state::{
    apply_booking, apply_facts, Fact, OrderState, OrderStatus, ResolvedStatus, VisitOutcome,
    VisitStatus,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An activity to add to the patient timeline or the internal log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ActivityEffect {
    /// The activity type.
    pub kind: ActivityKind,
    /// `inbound` (every webhook activity comes from a partner).
    pub channel: String,
    /// Whether the patient sees it.
    pub patient_visible: bool,
    /// Store once under this key.
    pub dedupe_key: String,
    /// The event it comes from.
    pub event: String,
    /// When it was received.
    pub at: DateTime<Utc>,
    /// Message text (chat events only; patient data — never logged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// The order shipped.
    Shipped,
    /// The order was delivered.
    Delivered,
    /// The doctor sent a message.
    DoctorMessage,
    /// Lab results are in, with a link to book the follow-up (`LAB_ORDER_RESULTS`'
    /// `bookingLink`; the link is the effects' `booking_link`).
    LabResults,
}

/// A patient notification to send (email, SMS, in-app).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Notification {
    /// What it is about.
    pub kind: NotificationKind,
    /// Send once under this key.
    pub dedupe_key: String,
}

/// A shipment/tracking record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ShipmentRecord {
    /// Store once under this key.
    pub dedupe_key: String,
    /// The milestone (`shipped`, `in_transit`, `delivered`, `delivery_failed`, …).
    pub milestone: String,
    /// Carrier.
    pub carrier: Option<String>,
    /// Tracking number.
    pub tracking: Option<String>,
    /// Tracking URL.
    pub tracking_url: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A document carried in the stored body (never copied here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DocumentRef {
    /// `lab_requisition`.
    pub kind: String,
    /// JSON Pointer of the base64 content in the stored body.
    pub pointer: String,
    /// MIME type.
    pub mime: String,
    /// Store once under this key.
    pub dedupe_key: String,
}

/// A partner submission the event now allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OutboxItem {
    /// `dispensepro_order` or `lifefile_order`.
    pub kind: String,
    /// Enqueue once under this key.
    pub dedupe_key: String,
    /// The app's pharmacy id.
    pub pharmacy_id: Option<String>,
    /// The items it carries.
    pub item_ids: Vec<String>,
    /// The partner path (`/orders` for DispensePro, `/order` for LifeFile).
    pub path: String,
    /// The partner body ([`crate::routing::partner_orders`]), built from the snapshot as the
    /// event left it.
    pub body: serde_json::Value,
}

/// `NAME_UPDATE`'s names, for staff to confirm (patient data: never logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NameUpdate {
    /// `firstName`.
    pub first_name: String,
    /// `lastName`.
    pub last_name: String,
}

/// What happened to the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Applied; something changed.
    Applied,
    /// Recorded; no state change (unknown event, informational milestone).
    Recorded,
    /// Already applied: nothing changed.
    Duplicate,
    /// Matches no order here: kept unmatched.
    Unmatched,
}

/// The audit entry of one event (no payload, no PHI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditEntry {
    /// Source.
    #[serde(with = "crate::order::snapshot::route_name")]
    #[schemars(with = "crate::order::snapshot::route_name::Name")]
    pub source: Source,
    /// Event name.
    pub event: String,
    /// Idempotency key(s).
    pub keys: Vec<String>,
    /// The visit, for Beluga events.
    pub master_id: Option<String>,
    /// The order (id, else number).
    pub order: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// Everything one event changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Effects {
    /// The event matched this order.
    pub matched: bool,
    /// Every key was already applied.
    pub duplicate: bool,
    /// Some state field changed.
    pub changed: bool,
    /// The facts merged.
    pub facts: Vec<Fact>,
    /// The snapshot after.
    pub snapshot: OrderSnapshot,
    /// Its status fields.
    pub order_state: OrderState,
    /// The furthest lab milestone received.
    pub lab_milestone: Option<LabMilestone>,
    /// Activities to add.
    pub activities: Vec<ActivityEffect>,
    /// Patient notifications to send.
    pub notifications: Vec<Notification>,
    /// New local prescription records.
    pub prescriptions: Vec<Prescription>,
    /// Shipment records.
    pub shipments: Vec<ShipmentRecord>,
    /// Appointment records.
    pub appointments: Vec<Appointment>,
    /// Documents to store from the stored body.
    pub documents: Vec<DocumentRef>,
    /// A patient name change to confirm.
    pub name_update: Option<NameUpdate>,
    /// `LAB_ORDER_RESULTS`' `bookingLink` for the patient (an `https` link only).
    #[serde(default)]
    pub booking_link: Option<String>,
    /// Partner submissions now allowed.
    pub outbox: Vec<OutboxItem>,
    /// Flags raised for staff (also merged into the snapshot when matched).
    pub flags: Vec<StaffFlag>,
    /// The flags as messages.
    pub warnings: Vec<ViolationRecord>,
    /// LifeFile lines (by index) that matched no order.
    pub unmatched_lines: Vec<usize>,
    /// The audit entry.
    pub audit: AuditEntry,
}

/// Applies `event` (with its idempotency `keys`: one, or one per LifeFile line) to a
/// snapshot received at `received_at`; `pharmacy_id` is the route's pharmacy, when any.
pub fn apply(
    snapshot: &OrderSnapshot,
    event: &Event,
    keys: &[String],
    pharmacy_id: Option<&str>,
    received_at: DateTime<Utc>,
) -> Effects {
    let mut run = Run::new(snapshot, event, keys, received_at);
    match event {
        Event::Beluga(e) => {
            if run.matches_master(&e.master_id) {
                let key = keys.first().cloned().unwrap_or_default();
                run.unit(&key, &e.event, Some(&e.master_id), pharmacy_id, None, |u| {
                    beluga(u, e);
                });
            } else {
                run.unmatched("masterId");
            }
        }
        Event::Lifefile(push) => {
            for (index, line) in push.lines.iter().enumerate() {
                let key = keys
                    .get(index)
                    .cloned()
                    .unwrap_or_else(|| format!("lifefile:line:{index}"));
                if run.matches_lifefile(line) {
                    run.any_matched = true;
                    run.unit(
                        &key,
                        &line.rx_status,
                        None,
                        pharmacy_id,
                        Some(&line.rx_status),
                        |u| {
                            lifefile(u, line);
                        },
                    );
                } else {
                    run.unmatched_lines.push(index);
                }
            }
            if !run.any_matched {
                run.unmatched("referenceId, foreignOrderId or orderId");
            }
        }
        Event::DispensePro(e) => {
            if run.matches_dispensepro(e) {
                let key = keys.first().cloned().unwrap_or_default();
                let status = e.status.map(DispenseProStatus::as_str);
                run.unit(&key, &e.event, None, pharmacy_id, status, |u| {
                    dispensepro(u, e)
                });
            } else {
                run.unmatched("order.externalId");
            }
        }
        Event::Pharmacy(e) => {
            if run.matches_ids(e.external_order_id.as_deref()) {
                let key = keys.first().cloned().unwrap_or_default();
                let status = e.order_status.as_deref();
                run.unit(&key, &e.event, None, pharmacy_id, status, |u| own(u, e));
            } else {
                run.unmatched("order.externalOrderId");
            }
        }
    }
    run.finish()
}

/// Accumulates one application.
struct Run<'a> {
    before: &'a OrderSnapshot,
    snapshot: OrderSnapshot,
    event: &'a Event,
    keys: &'a [String],
    at: DateTime<Utc>,
    any_matched: bool,
    unmatched: bool,
    applied_units: usize,
    duplicate_units: usize,
    recorded_only: bool,
    facts: Vec<Fact>,
    activities: Vec<ActivityEffect>,
    notifications: Vec<Notification>,
    prescriptions: Vec<Prescription>,
    shipments: Vec<ShipmentRecord>,
    appointments: Vec<Appointment>,
    documents: Vec<DocumentRef>,
    name_update: Option<NameUpdate>,
    booking_link: Option<String>,
    flags: Vec<(Code, Vec<(&'static str, String)>)>,
    unmatched_lines: Vec<usize>,
}

/// The facts and effects of one keyed unit (an event, or one LifeFile line).
struct Unit<'r> {
    key: String,
    event: String,
    at: DateTime<Utc>,
    snapshot: &'r OrderSnapshot,
    /// The route pharmacy the delivery came for (the webhook URL's), when any.
    pharmacy_id: Option<String>,
    /// The order's route the event is about ([`route_of`]); `None`: the order as a whole.
    route: Option<String>,
    facts: Vec<Fact>,
    activities: Vec<ActivityEffect>,
    shipments: Vec<ShipmentRecord>,
    appointments: Vec<Appointment>,
    documents: Vec<DocumentRef>,
    notifications: Vec<Notification>,
    name_update: Option<NameUpdate>,
    booking_link: Option<String>,
    flags: Vec<(Code, Vec<(&'static str, String)>)>,
    recorded_only: bool,
}

impl Unit<'_> {
    /// A patient notification, once per unit.
    fn notify(&mut self, kind: NotificationKind) {
        let n = self.notifications.len();
        let suffix = if n == 0 {
            String::new()
        } else {
            format!(":{n}")
        };
        self.notifications.push(Notification {
            kind,
            dedupe_key: format!("notify:{}{suffix}", self.key),
        });
    }

    fn activity(&mut self, kind: ActivityKind, visible: bool, content: Option<String>) {
        let n = self.activities.len();
        self.activities.push(ActivityEffect {
            kind,
            channel: "inbound".to_owned(),
            patient_visible: visible,
            dedupe_key: format!("activity:{}:{n}", self.key),
            event: self.event.clone(),
            at: self.at,
            content,
        });
    }

    fn flag(&mut self, code: Code, params: &[(&'static str, &str)]) {
        let params = params.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        self.flags.push((code, params));
    }

    /// A pharmacy event's status: its route's when the event names one of the order's
    /// routes, else the order's (the single ranking of a route-less event).
    fn status(&mut self, status: OrderStatus, when: DateTime<Utc>) {
        self.facts.push(match &self.route {
            Some(pharmacy_id) => Fact::RouteStatus(RouteStatusRecord {
                pharmacy_id: pharmacy_id.clone(),
                status,
                at: Some(when),
            }),
            None => Fact::OrderStatus { status },
        });
    }

    /// Resolves the route of a pharmacy event of `kind` ([`route_of`]).
    fn for_route(&mut self, kind: PharmacyType, partner_order_id: Option<&str>) {
        self.route = route_of(
            self.snapshot,
            kind,
            self.pharmacy_id.as_deref(),
            partner_order_id,
        );
    }

    /// Shipping facts and a shipment record for a milestone.
    fn shipping(&mut self, milestone: &str, unit: TrackUnit, when: DateTime<Utc>) {
        let has_unit = unit.carrier.is_some() || unit.tracking.is_some() || unit.url.is_some();
        let shipped = matches!(milestone, "shipped" | "in_transit" | "out_for_delivery");
        let delivered = milestone == "delivered";
        let failed = milestone == "delivery_failed";
        self.facts.push(Fact::Shipping(Shipping {
            carrier: unit.carrier.clone(),
            tracking: unit.tracking.clone(),
            tracking_url: unit.url.clone(),
            tracking_updated_at: has_unit.then_some(when),
            shipped_at: shipped.then_some(when),
            delivered_at: delivered.then_some(when),
            delivery_failed: failed,
        }));
        self.shipments.push(ShipmentRecord {
            dedupe_key: format!("shipment:{}", self.key),
            milestone: milestone.to_owned(),
            carrier: unit.carrier,
            tracking: unit.tracking,
            tracking_url: unit.url,
            at: when,
        });
        self.activity(ActivityKind::ShippingUpdate, true, None);
    }
}

/// Carrier, tracking number and URL.
#[derive(Default)]
struct TrackUnit {
    carrier: Option<String>,
    tracking: Option<String>,
    url: Option<String>,
}

impl From<&TrackingInfo> for TrackUnit {
    fn from(info: &TrackingInfo) -> Self {
        Self {
            carrier: info.carrier.clone(),
            tracking: info.tracking.clone(),
            url: info.tracking_url.clone(),
        }
    }
}

impl From<&ShippingInfo> for TrackUnit {
    fn from(info: &ShippingInfo) -> Self {
        Self {
            carrier: info.carrier.clone(),
            tracking: info.tracking.clone(),
            url: info.tracking_url.clone(),
        }
    }
}

impl<'a> Run<'a> {
    fn new(
        before: &'a OrderSnapshot,
        event: &'a Event,
        keys: &'a [String],
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            before,
            snapshot: before.clone(),
            event,
            keys,
            at,
            any_matched: false,
            unmatched: false,
            applied_units: 0,
            duplicate_units: 0,
            recorded_only: true,
            facts: Vec::new(),
            activities: Vec::new(),
            notifications: Vec::new(),
            prescriptions: Vec::new(),
            shipments: Vec::new(),
            appointments: Vec::new(),
            documents: Vec::new(),
            name_update: None,
            booking_link: None,
            flags: Vec::new(),
            unmatched_lines: Vec::new(),
        }
    }

    fn order_ids(&self) -> Vec<&str> {
        let order = &self.before.order;
        [
            order.id.as_deref(),
            Some(order.number.as_str()),
            order.beluga.master_id.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
    }

    fn matches_master(&self, master_id: &str) -> bool {
        match self.before.order.beluga.master_id.as_deref() {
            Some(ours) => ours.trim() == master_id.trim(),
            None => true,
        }
    }

    fn matches_ids(&self, candidate: Option<&str>) -> bool {
        candidate.is_some_and(|c| self.order_ids().contains(&c.trim()))
    }

    fn partner_order(list: &[Submission], id: Option<&str>) -> bool {
        id.is_some_and(|id| {
            list.iter()
                .any(|s| s.partner_order_id.as_deref().map(str::trim) == Some(id.trim()))
        })
    }

    fn matches_lifefile(&self, line: &LifeFileLine) -> bool {
        self.matches_ids(line.reference_id.as_deref())
            || self.matches_ids(line.foreign_order_id.as_deref())
            || self.matches_ids(line.order_id.as_deref())
            || Self::partner_order(&self.before.order.life_file, line.order_id.as_deref())
    }

    fn matches_dispensepro(&self, e: &DispenseProEvent) -> bool {
        self.matches_ids(e.external_id.as_deref())
            || Self::partner_order(&self.before.order.dispense_pro, e.order_id.as_deref())
    }

    fn unmatched(&mut self, matched_on: &'static str) {
        self.unmatched = true;
        self.flags.push((
            codes::EVENT_ORDER_UNMATCHED,
            vec![("matched_on", matched_on.to_owned())],
        ));
    }

    /// Applies one keyed unit unless its key was already applied.
    fn unit(
        &mut self,
        key: &str,
        event: &str,
        master_id: Option<&str>,
        pharmacy_id: Option<&str>,
        status: Option<&str>,
        build: impl FnOnce(&mut Unit<'_>),
    ) {
        if self.redelivered(key) {
            return;
        }
        let event = &super::safe_name(event);
        let status = status.map(super::safe_name);
        let mut unit = Unit {
            key: key.to_owned(),
            event: event.to_owned(),
            at: self.at,
            snapshot: &self.snapshot,
            pharmacy_id: pharmacy_id.map(str::to_owned),
            route: None,
            facts: Vec::new(),
            activities: Vec::new(),
            shipments: Vec::new(),
            appointments: Vec::new(),
            documents: Vec::new(),
            notifications: Vec::new(),
            name_update: None,
            booking_link: None,
            flags: Vec::new(),
            recorded_only: false,
        };
        build(&mut unit);
        let Unit {
            facts,
            activities,
            shipments,
            appointments,
            documents,
            notifications,
            name_update,
            booking_link,
            flags,
            recorded_only,
            ..
        } = unit;
        self.applied_units += 1;
        self.recorded_only &= recorded_only;
        let received = ReceivedEvent {
            source: self.event.source(),
            event: event.to_owned(),
            received_at: self.at,
            master_id: master_id.map(str::to_owned),
            pharmacy_id: pharmacy_id.map(str::to_owned),
            status,
            key: Some(key.to_owned()),
        };
        self.snapshot.events.push(received);
        self.snapshot.events.sort();
        let mut facts = facts;
        facts.extend(flags.iter().map(|(code, _)| {
            Fact::Flag(StaffFlag {
                code: code.as_str().to_owned(),
                raised_at: Some(self.at),
                event: Some(event.to_owned()),
                settled: None,
            })
        }));
        self.notifications.extend(notifications);
        self.flag_booking_contradictions(&facts);
        apply_facts(&mut self.snapshot, &facts);
        self.facts.extend(facts);
        self.activities.extend(activities);
        self.shipments.extend(shipments);
        self.appointments.extend(appointments);
        self.documents.extend(documents);
        if name_update.is_some() {
            self.name_update = name_update;
        }
        if booking_link.is_some() {
            self.booking_link = booking_link;
        }
        self.flags.extend(flags);
    }

    /// Whether the unit `key` was applied before: a redelivery keeps the earliest receipt,
    /// so any delivery order converges.
    fn redelivered(&mut self, key: &str) -> bool {
        let Some(existing) = self
            .snapshot
            .events
            .iter_mut()
            .find(|e| e.key.as_deref() == Some(key))
        else {
            return false;
        };
        if self.at < existing.received_at {
            existing.received_at = self.at;
            self.snapshot.events.sort();
        }
        self.duplicate_units += 1;
        true
    }

    /// A booking fact that contradicts the appointment on file is flagged.
    fn flag_booking_contradictions(&mut self, facts: &[Fact]) {
        for fact in facts {
            if let Fact::Booking(appointment) = fact {
                let outcome = apply_booking(self.snapshot.order.appointment.as_ref(), appointment);
                if outcome.contradiction {
                    self.flags.push((codes::BOOKING_CONTRADICTION, Vec::new()));
                }
            }
        }
    }

    fn order_ref(&self) -> String {
        let order = &self.before.order;
        order.id.clone().unwrap_or_else(|| order.number.clone())
    }

    fn finish(mut self) -> Effects {
        let matched = !self.unmatched || self.any_matched;
        let order_ref = self.order_ref();
        if matched {
            self.transition_effects(&order_ref);
        }
        let before_state = OrderState::of(self.before);
        let order_state = OrderState::of(&self.snapshot);
        // Flags are reported on their own; `changed` means a status field moved.
        let without_flags = |state: &OrderState| OrderState {
            flags: Vec::new(),
            ..state.clone()
        };
        let changed = without_flags(&before_state) != without_flags(&order_state);
        let duplicate = self.applied_units == 0 && self.duplicate_units > 0;
        let outcome = match (matched, duplicate) {
            (false, _) => Outcome::Unmatched,
            (true, true) => Outcome::Duplicate,
            (true, false) if changed || !self.recorded_only => Outcome::Applied,
            (true, false) => Outcome::Recorded,
        };
        let source = self.event.source();
        let event_name = self.event.audit_name();
        let (flags, warnings) = self.flags_and_warnings(&event_name);
        let lab_milestone = self
            .snapshot
            .events
            .iter()
            .filter(|e| e.source == EventSource::Beluga)
            .filter_map(|e| LabMilestone::from_event(&e.event))
            .max();
        let master_id = match self.event {
            Event::Beluga(e) => Some(e.master_id.clone()),
            _ => None,
        };
        let snapshot = if matched {
            self.snapshot
        } else {
            self.before.clone()
        };
        Effects {
            matched,
            duplicate,
            changed,
            order_state: if matched { order_state } else { before_state },
            snapshot,
            lab_milestone,
            facts: self.facts,
            activities: self.activities,
            notifications: self.notifications,
            prescriptions: self.prescriptions,
            shipments: self.shipments,
            appointments: self.appointments,
            documents: self.documents,
            name_update: self.name_update,
            booking_link: self.booking_link,
            outbox: Vec::new(),
            flags,
            warnings,
            unmatched_lines: self.unmatched_lines,
            audit: AuditEntry {
                source,
                event: event_name,
                keys: self.keys.to_vec(),
                master_id,
                order: matched.then_some(order_ref),
                outcome,
                received_at: self.at,
            },
        }
        .with_outbox(self.at)
    }

    /// The staff flags raised and their warnings (naming the source and event).
    fn flags_and_warnings(&self, event_name: &str) -> (Vec<StaffFlag>, Vec<ViolationRecord>) {
        let source = self.event.source();
        let mut flags = Vec::new();
        let mut warnings = Vec::new();
        for (code, params) in &self.flags {
            flags.push(StaffFlag {
                code: code.as_str().to_owned(),
                raised_at: Some(self.at),
                event: Some(event_name.to_owned()),
                settled: None,
            });
            let mut all: Vec<(&str, &str)> =
                vec![("source", source.label()), ("event", event_name)];
            all.extend(params.iter().map(|(k, v)| (*k, v.as_str())));
            warnings.push(ViolationRecord::from(&Violation::new(
                *code,
                &JsonPath::root(),
                &all,
            )));
        }
        (flags, warnings)
    }

    /// Notifications and new prescription records, from the before/after difference.
    fn transition_effects(&mut self, order_ref: &str) {
        let before = self.before.order.shipping.as_ref();
        let after = self.snapshot.order.shipping.as_ref();
        let delivered_before = before.and_then(|s| s.delivered_at).is_some();
        let shipped_before = before.and_then(|s| s.shipped_at).is_some();
        let delivered_after = after.and_then(|s| s.delivered_at).is_some();
        let shipped_after = after.and_then(|s| s.shipped_at).is_some();
        if shipped_after && !shipped_before && !delivered_before && !delivered_after {
            self.notifications.push(Notification {
                kind: NotificationKind::Shipped,
                dedupe_key: format!("notify:{order_ref}:shipped"),
            });
        }
        if delivered_after && !delivered_before {
            self.notifications.push(Notification {
                kind: NotificationKind::Delivered,
                dedupe_key: format!("notify:{order_ref}:delivered"),
            });
        }
        let known = &self.before.order.prescriptions;
        let same = |a: &Prescription, b: &Prescription| {
            (a.source, &a.item_id, &a.med_id, &a.rx_id)
                == (b.source, &b.item_id, &b.med_id, &b.rx_id)
        };
        self.prescriptions = self
            .snapshot
            .order
            .prescriptions
            .iter()
            .filter(|p| !known.iter().any(|k| same(k, p)))
            .cloned()
            .collect();
    }
}

impl Effects {
    /// Adds the submission of every route that is ready after the event
    /// ([`super::outbox::queue_routes`]; the host's outbox keeps one per key).
    fn with_outbox(mut self, at: DateTime<Utc>) -> Self {
        if !self.matched || self.duplicate {
            return self;
        }
        self.outbox = super::outbox::queue_routes(&self.snapshot, at).outbox;
        self
    }
}

// ---------------------------------------------------------------------------------------
// Per source
// ---------------------------------------------------------------------------------------

fn beluga(u: &mut Unit<'_>, e: &BelugaEvent) {
    match &e.kind {
        BelugaKind::RxWritten {
            doctor_name, meds, ..
        } => rx_written(u, doctor_name.as_ref(), meds),
        BelugaKind::ConsultConcluded { outcome } => {
            u.facts.push(Fact::Visit {
                status: VisitStatus::Resolved,
                updated_at: None,
            });
            u.facts.push(Fact::Resolved {
                status: ResolvedStatus::Closed,
            });
            u.facts.push(Fact::Outcome { outcome: *outcome });
        }
        BelugaKind::ConsultCanceled => {
            u.facts.push(Fact::Visit {
                status: VisitStatus::Canceled,
                updated_at: None,
            });
            u.facts.push(Fact::Resolved {
                status: ResolvedStatus::Closed,
            });
        }
        BelugaKind::DoctorChat { content } => {
            u.activity(ActivityKind::BelugaDoctorChat, true, Some(content.clone()));
            u.notify(NotificationKind::DoctorMessage);
        }
        BelugaKind::CsMessage { content } => {
            u.activity(ActivityKind::BelugaCsMessage, false, Some(content.clone()));
        }
        BelugaKind::NameUpdate {
            first_name,
            last_name,
        } => {
            u.name_update = Some(NameUpdate {
                first_name: first_name.clone(),
                last_name: last_name.clone(),
            });
            u.flag(codes::NAME_UPDATE_REVIEW, &[]);
            u.activity(ActivityKind::StaffNote, false, None);
        }
        BelugaKind::PharmacyOrder {
            milestone, info, ..
        } => pharmacy_order(u, *milestone, info),
        BelugaKind::Package {
            milestone, info, ..
        } => package(u, *milestone, info),
        BelugaKind::Booking {
            status,
            doc_name,
            scheduled_date,
            location,
        } => {
            let appointment = Appointment {
                status: *status,
                doc_name: doc_name.clone(),
                scheduled_date: scheduled_date.clone(),
                location: location.clone(),
                contradiction: false,
            };
            u.appointments.push(appointment.clone());
            u.facts.push(Fact::Booking(appointment));
            u.activity(ActivityKind::AppointmentUpdate, true, None);
        }
        BelugaKind::Lab {
            milestone,
            info,
            booking_link,
            ..
        } => lab(u, *milestone, info, booking_link.as_deref()),
        BelugaKind::Unknown => {
            u.recorded_only = true;
            u.flag(codes::EVENT_UNKNOWN, &[]);
        }
    }
}

/// `LAB_*`: recorded; a requisition's PDF is fetched as a document; the kit's and the
/// sample's trips are shipment records with their carrier and tracking; the results' booking
/// link (an `https` link only) reaches the patient as a notification.
fn lab(u: &mut Unit<'_>, milestone: LabMilestone, info: &TrackingInfo, link: Option<&str>) {
    u.recorded_only = true;
    let trip = match milestone {
        LabMilestone::RequisitionCreated => {
            u.documents.push(DocumentRef {
                kind: "lab_requisition".to_owned(),
                pointer: "/labReqPdf".to_owned(),
                mime: "application/pdf".to_owned(),
                dedupe_key: format!("document:{}", u.key),
            });
            None
        }
        LabMilestone::ShippedToPatient => Some("lab_kit_shipped"),
        LabMilestone::DeliveredToPatient => Some("lab_kit_delivered"),
        LabMilestone::ShippedToLab => Some("lab_sample_shipped"),
        LabMilestone::ReceivedByLab => Some("lab_sample_received"),
        LabMilestone::Results => {
            if let Some(link) = link.filter(|l| l.starts_with("https://")) {
                u.booking_link = Some(link.to_owned());
                u.notify(NotificationKind::LabResults);
            }
            None
        }
    };
    if let Some(milestone) = trip {
        u.shipments.push(ShipmentRecord {
            dedupe_key: format!("shipment:{}", u.key),
            milestone: milestone.to_owned(),
            carrier: info.carrier.clone(),
            tracking: info.tracking.clone(),
            tracking_url: info.tracking_url.clone(),
            at: u.at,
        });
    }
    u.activity(ActivityKind::OrderStatusUpdate, true, None);
}

/// `RX_WRITTEN`: a prescription record per med, the visit outcome, and a flag per route
/// that submitted before the confirmation.
fn rx_written(u: &mut Unit<'_>, doctor_name: Option<&String>, meds: &[PrescribedMed]) {
    for (index, med) in meds.iter().enumerate() {
        let item = u.snapshot.item_by_med_id(&med.med_id).map(|i| i.id.clone());
        if item.is_none() {
            let index = index.to_string();
            u.flag(codes::RX_MED_NOT_ORDERED, &[("index", &index)]);
        }
        u.facts.push(Fact::Prescription(Prescription {
            source: PrescriptionSource::RxWritten,
            item_id: item,
            med_id: Some(med.med_id.clone()),
            rx_id: med.rx_id.clone(),
            name: med.name.clone(),
            strength: med.strength.clone(),
            quantity: med.quantity.clone(),
            refills: med.refills.clone(),
            doctor_name: doctor_name.cloned(),
            written_at: Some(u.at),
            pharmacy_notes: med.pharmacy_notes.clone(),
        }));
    }
    u.facts.push(Fact::Outcome {
        outcome: VisitOutcome::Prescribed,
    });
    let order = &u.snapshot.order;
    // Confirmed since the visit's first prescription record: a submission made after an
    // earlier RX_WRITTEN was legitimate, and a second, distinct RX_WRITTEN never flags it.
    let confirmed_at = order
        .prescriptions
        .iter()
        .filter_map(|p| p.written_at)
        .chain(std::iter::once(u.at))
        .min()
        .unwrap_or(u.at);
    // Only a submission someone made (rxgate, staff, a workflow) can break the boundary; a
    // record a partner's status reported has no submitter.
    let early = |s: &Submission| {
        s.submitted_by.is_some() && s.submitted_at.is_none_or(|t| t < confirmed_at)
    };
    let routes: Vec<&'static str> = [
        ("DispensePro", order.dispense_pro.iter().any(early)),
        ("LifeFile", order.life_file.iter().any(early)),
    ]
    .into_iter()
    .filter_map(|(name, hit)| hit.then_some(name))
    .collect();
    for route in routes {
        u.flag(codes::FULFILLMENT_BEFORE_CONFIRMATION, &[("route", route)]);
    }
}

/// `PHARMACY_ORDER_*` from Beluga's partner pharmacy.
fn pharmacy_order(u: &mut Unit<'_>, milestone: PharmacyMilestone, info: &TrackingInfo) {
    u.for_route(PharmacyType::Beluga, None);
    match milestone {
        PharmacyMilestone::Created | PharmacyMilestone::InFulfillment => {
            u.recorded_only = true;
            u.activity(ActivityKind::OrderStatusUpdate, true, None);
        }
        PharmacyMilestone::Shipped => {
            u.status(OrderStatus::Shipped, u.at);
            u.shipping("shipped", info.into(), u.at);
        }
        PharmacyMilestone::Delivered => {
            u.status(OrderStatus::Completed, u.at);
            u.shipping("delivered", info.into(), u.at);
        }
    }
}

/// `PACKAGE_*` from Beluga's partner pharmacy.
fn package(u: &mut Unit<'_>, milestone: PackageMilestone, info: &TrackingInfo) {
    u.for_route(PharmacyType::Beluga, None);
    match milestone {
        PackageMilestone::InTransit => {
            u.status(OrderStatus::Shipped, u.at);
            u.shipping("in_transit", info.into(), u.at);
        }
        PackageMilestone::OutForDelivery => {
            u.status(OrderStatus::Shipped, u.at);
            u.shipping("out_for_delivery", info.into(), u.at);
        }
        PackageMilestone::Delivered => {
            u.status(OrderStatus::Completed, u.at);
            u.shipping("delivered", info.into(), u.at);
        }
        PackageMilestone::DeliveryFailed => {
            u.shipping("delivery_failed", info.into(), u.at);
            u.flag(codes::PARTNER_EXCEPTION, &[("status", "a failed delivery")]);
        }
    }
}

/// A LifeFile line moves its route (the pharmacy whose webhook URL it came to, or the
/// LifeFile order it names): one cancelled line cancels its route, the order only when every
/// route is.
fn lifefile(u: &mut Unit<'_>, line: &LifeFileLine) {
    u.for_route(PharmacyType::BelmarLifefile, line.order_id.as_deref());
    let unit = TrackUnit {
        carrier: line.ship_carrier.clone(),
        tracking: line.tracking_number.clone(),
        url: None,
    };
    match line.status {
        LifeFileStatus::Shipped => {
            u.status(OrderStatus::Shipped, u.at);
            u.shipping("shipped", unit, u.at);
        }
        LifeFileStatus::InTransit => {
            u.status(OrderStatus::Shipped, u.at);
            u.shipping("in_transit", unit, u.at);
        }
        LifeFileStatus::OutForDelivery => {
            u.status(OrderStatus::Shipped, u.at);
            u.shipping("out_for_delivery", unit, u.at);
        }
        LifeFileStatus::Delivered => {
            u.status(OrderStatus::Completed, u.at);
            u.shipping("delivered", unit, u.at);
        }
        LifeFileStatus::Cancelled => {
            u.status(OrderStatus::Cancelled, u.at);
            u.activity(ActivityKind::OrderStatusUpdate, true, None);
        }
        LifeFileStatus::Returned => {
            u.flag(
                codes::PARTNER_EXCEPTION,
                &[("status", "a returned package")],
            );
            u.activity(ActivityKind::OrderStatusUpdate, false, None);
        }
        LifeFileStatus::Other => {
            u.recorded_only = true;
        }
    }
}

/// A DispensePro status updates its route's submission record (status and `occurredAt`) and,
/// shipped or delivered, the route's status.
fn dispensepro(u: &mut Unit<'_>, e: &DispenseProEvent) {
    let when = e.occurred_at.unwrap_or(u.at);
    u.for_route(PharmacyType::DispensePro, e.order_id.as_deref());
    if let (Some(status), Some(route)) = (e.status, u.route.clone()) {
        u.facts.push(Fact::DispensePro(reported_submission(
            u.snapshot, route, e, status, when,
        )));
    }
    match e.status {
        Some(DispenseProStatus::Shipped) => {
            u.status(OrderStatus::Shipped, when);
            u.shipping("shipped", (&e.shipping).into(), when);
        }
        Some(DispenseProStatus::Delivered) => {
            u.status(OrderStatus::Completed, when);
            u.shipping("delivered", (&e.shipping).into(), when);
        }
        Some(DispenseProStatus::Voided) => {
            u.flag(codes::PARTNER_EXCEPTION, &[("status", "a voided order")]);
        }
        Some(DispenseProStatus::Failed) => {
            u.flag(codes::PARTNER_EXCEPTION, &[("status", "a failed order")]);
        }
        Some(
            DispenseProStatus::Authorized
            | DispenseProStatus::Submitted
            | DispenseProStatus::Filled,
        ) => {
            u.recorded_only = true;
        }
        None => {
            u.recorded_only = true;
            u.flag(codes::EVENT_UNKNOWN, &[]);
        }
    }
}

/// The submission record a DispensePro status reports: the route's (its pharmacy and items,
/// the key call outcomes use), `SUBMITTED` (DispensePro holds the order), DispensePro's order
/// id, and the status with its `occurredAt`. No submitter: the partner reported it, so it is
/// never a submission made before the prescription confirmation.
fn reported_submission(
    snapshot: &OrderSnapshot,
    route: String,
    e: &DispenseProEvent,
    status: DispenseProStatus,
    when: DateTime<Utc>,
) -> Submission {
    let item_ids = snapshot
        .items
        .iter()
        .filter(|i| item_pharmacy(snapshot, i).is_some_and(|p| p.id == route))
        .map(|i| i.id.clone())
        .collect();
    Submission {
        state: SubmissionState::Submitted,
        pharmacy_id: Some(route),
        item_ids,
        submitted_by: None,
        submitted_at: None,
        partner_order_id: e.order_id.clone(),
        partner_status: Some(status.as_str().to_owned()),
        partner_status_at: Some(when),
        submit_error: None,
        refills: Vec::new(),
        partner_messages: Vec::new(),
    }
}

/// The order's route a pharmacy event of `kind` is about: the webhook URL's pharmacy when it
/// is one of the order's routes, else the route of the submission whose partner order id the
/// event names, else the order's only route of that kind; `None` when none or several fit
/// (the event then moves the order as a whole, as before routes had statuses).
pub fn route_of(
    snapshot: &OrderSnapshot,
    kind: PharmacyType,
    pharmacy_id: Option<&str>,
    partner_order_id: Option<&str>,
) -> Option<String> {
    let routes: Vec<&str> = route_pharmacies(snapshot)
        .into_iter()
        .flatten()
        .filter(|id| snapshot.pharmacy(id).is_some_and(|p| p.kind == kind))
        .collect();
    if let Some(id) = pharmacy_id.map(str::trim).filter(|id| routes.contains(id)) {
        return Some(id.to_owned());
    }
    let submissions = match kind {
        PharmacyType::DispensePro => snapshot.order.dispense_pro.as_slice(),
        PharmacyType::BelmarLifefile => snapshot.order.life_file.as_slice(),
        PharmacyType::Beluga | PharmacyType::Own => &[],
    };
    let named = partner_order_id.map(str::trim).and_then(|wanted| {
        submissions
            .iter()
            .filter(|s| s.partner_order_id.as_deref().map(str::trim) == Some(wanted))
            .find_map(|s| s.pharmacy_id.as_deref().filter(|id| routes.contains(id)))
    });
    match (named, routes.as_slice()) {
        (Some(id), _) => Some(id.to_owned()),
        (None, [id]) => Some((*id).to_owned()),
        _ => None,
    }
}

fn own(u: &mut Unit<'_>, e: &PharmacyEvent) {
    let when = e.occurred_at.unwrap_or(u.at);
    u.for_route(PharmacyType::Own, None);
    match e.kind {
        OwnEventKind::Shipped | OwnEventKind::Fulfilled => {
            u.status(OrderStatus::Shipped, when);
            u.shipping("shipped", (&e.shipping).into(), when);
        }
        OwnEventKind::OutForDelivery => {
            u.status(OrderStatus::Shipped, when);
            u.shipping("out_for_delivery", (&e.shipping).into(), when);
        }
        OwnEventKind::Delivered => {
            u.status(OrderStatus::Completed, when);
            u.shipping("delivered", (&e.shipping).into(), when);
        }
        OwnEventKind::Cancelled => {
            u.status(OrderStatus::Cancelled, when);
            u.activity(ActivityKind::OrderStatusUpdate, true, None);
        }
        OwnEventKind::Unknown => {
            u.recorded_only = true;
            u.flag(codes::EVENT_UNKNOWN, &[]);
            u.activity(ActivityKind::OrderStatusUpdate, true, None);
        }
    }
}
