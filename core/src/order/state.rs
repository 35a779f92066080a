//! The order's status fields and their convergence rules (decisions.md §3 "State converges").
//!
//! Partner events arrive late, twice and out of order. Every status field of an order is
//! therefore a *join-semilattice*: a merge takes the state and one fact and answers the
//! higher of the two by a fixed rank, so applying any permutation of the same facts, any
//! number of times each, gives one final state (a proptest in this module shows it). The
//! ranks:
//!
//! | field | rank (low → high) |
//! | --- | --- |
//! | submit status | `(none) < FAILED < SUBMITTED` |
//! | visit id, `submitted_at` | a `SUBMITTED` fact's visit id by the greater value, `submitted_at` earliest |
//! | `last_attempt_at`, `submit_error` | a `FAILED` fact's (instant, error) pair, the greater pair |
//! | `masterId` | a blank id is none; the smaller of two ids |
//! | visit status | non-terminal (`active`, `pending`, `admin`, `holding`) by the newest `updateTimestamp` of a visit fetch, then the terminals `canceled < resolved` |
//! | resolved status | `(none) < open < closed` |
//! | visit outcome | `(none) < referred < prescribed` |
//! | order status | `PENDING < PROCESSING < SHIPPED < CANCELLED < COMPLETED`, joined with its routes' ([`routes_status`]) |
//! | route status | per pharmacy, the same rank; the earliest instant of the highest status |
//! | photo ID status | `(none) < FAILED < SENT` |
//! | fulfillment submission | `FAILED < SUBMITTED`; its partner status by the newest (`partner_status_at`, status) |
//! | shipping | tracking facts by (`received_at`, value); `shipped_at` earliest, `delivered_at` latest |
//! | prescriptions | keyed by (source, item, `medId`, `rxId`); earliest `written_at` wins |
//! | flags | set union, sorted |
//!
//! Appointments are the one exception the spec makes: the last `BOOKING_*` applied wins and
//! a reschedule that contradicts the stored booking is flagged for staff
//! ([`apply_booking`]); they are left out of the convergence property on purpose.
//!
//! The events engineer's `apply(snapshot, event, received_at)` translates a webhook into
//! [`Fact`]s and calls [`apply_fact`]; nothing else in rxgate re-implements these ranks.

use super::snapshot::{
    Appointment, AppointmentStatus, BelugaState, OrderSnapshot, Prescription, RouteStatusRecord,
    Shipping, StaffFlag, Submission,
};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// `belugaSubmitStatus`: whether the app's visit creation reached Beluga. Absent means not
/// submitted. Ranked `FAILED < SUBMITTED`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubmitStatus {
    /// The app tried and Beluga or local validation answered an error.
    Failed,
    /// Beluga accepted the visit creation request (not a prescription!).
    Submitted,
}

/// `belugaVisitStatus` and `belugaResolvedStatus`: Beluga's own vocabulary, one type each
/// for the visit fetch answer and the snapshot (defined with the responses).
pub use crate::contract::response::{ResolvedStatus, VisitStatus};

/// `visitOutcome` of `CONSULT_CONCLUDED`. Ranked `referred < prescribed` (a later
/// prescription outranks a referral; the contradiction itself is the events area's flag).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum VisitOutcome {
    /// Referred: no prescription will be written.
    Referred,
    /// A prescription was written.
    Prescribed,
}

/// The order status of the clinic app. Ranked
/// `PENDING < PROCESSING < SHIPPED < CANCELLED < COMPLETED`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    /// Created, not yet in processing.
    Pending,
    /// Paid or created by staff and moving through review and fulfillment.
    Processing,
    /// A pharmacy shipped it.
    Shipped,
    /// Cancelled (by staff or a pharmacy event).
    Cancelled,
    /// Delivered.
    Completed,
}

/// Status of the photo ID upload to `/external/receivePhotos`. Ranked `FAILED < SENT`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PhotoIdStatus {
    /// The upload failed; retried without touching the visit.
    Failed,
    /// Beluga received the images.
    Sent,
}

/// State of one fulfillment submission (DispensePro or LifeFile). Ranked `FAILED < SUBMITTED`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubmissionState {
    /// The integration answered an error.
    Failed,
    /// The integration accepted the order.
    Submitted,
}

/// The visit status with the `updateTimestamp` it was read at (for non-terminal statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitFact {
    /// The status.
    pub status: VisitStatus,
    /// Beluga's `updateTimestamp` of the visit fetch; `None` for webhook-derived statuses.
    pub updated_at: Option<DateTime<Utc>>,
}

impl VisitFact {
    /// The lexicographic key the merge maximises: terminal rank, timestamp, tie-break.
    fn key(&self) -> (u8, Option<DateTime<Utc>>, u8) {
        (
            self.status.terminal_rank(),
            if self.status.is_terminal() {
                None
            } else {
                self.updated_at
            },
            self.status.tie_rank(),
        )
    }
}

/// Higher of two optional ranked values (`None` is lowest).
pub fn merge_max<T: Ord + Copy>(current: Option<T>, fact: T) -> Option<T> {
    Some(match current {
        Some(c) if c >= fact => c,
        _ => fact,
    })
}

/// Submit status merge: `(none) < FAILED < SUBMITTED`.
pub fn merge_submit_status(
    current: Option<SubmitStatus>,
    fact: SubmitStatus,
) -> Option<SubmitStatus> {
    merge_max(current, fact)
}

/// Merges a submit fact into the Beluga block: the status by rank; a `SUBMITTED`'s visit id
/// by the greater value (Beluga gives one per `masterId`, so two can only differ by mistake,
/// and a fixed choice keeps the merge commutative) and its instant by the earliest; a
/// `FAILED`'s (`last_attempt_at`, `submit_error`) pair by the greater pair, so the error of
/// the latest attempt is the one shown. A later `SUBMITTED` leaves the old error in place:
/// readers ignore `submit_error` once the status is `SUBMITTED`.
pub fn merge_submit_fact(
    beluga: &mut BelugaState,
    status: SubmitStatus,
    visit_id: Option<&String>,
    at: Option<DateTime<Utc>>,
    error: Option<&String>,
) {
    beluga.submit_status = merge_submit_status(beluga.submit_status, status);
    match status {
        SubmitStatus::Submitted => {
            if let Some(id) = visit_id.filter(|v| !v.trim().is_empty()) {
                beluga.visit_id = Some(match beluga.visit_id.take() {
                    Some(current) if !current.trim().is_empty() => current.max(id.clone()),
                    _ => id.clone(),
                });
            }
            beluga.submitted_at = min_opt(beluga.submitted_at, at);
        }
        SubmitStatus::Failed => {
            if at.is_some() || error.is_some() {
                let current = (beluga.last_attempt_at, beluga.submit_error.clone());
                let fact = (at, error.cloned());
                if fact > current {
                    (beluga.last_attempt_at, beluga.submit_error) = fact;
                }
            }
        }
    }
}

/// `masterId` merge: a blank id is no id; between two ids the smaller wins. The host stores
/// one id per visit and every plan reuses it, so two different ids only meet by mistake; a
/// fixed choice keeps the merge commutative.
pub fn merge_master_id(current: Option<String>, fact: &str) -> Option<String> {
    let fact = fact.trim();
    let current = current.filter(|c| !c.trim().is_empty());
    match current {
        _ if fact.is_empty() => current,
        Some(c) if c.as_str() <= fact => Some(c),
        _ => Some(fact.to_owned()),
    }
}

/// Visit status merge: terminal statuses (`canceled < resolved`) win over non-terminal ones;
/// among non-terminal ones the newest `updateTimestamp` wins (a status with no timestamp is
/// older than any with one); a fixed tie-break settles equal timestamps.
pub fn merge_visit(current: Option<VisitFact>, fact: VisitFact) -> Option<VisitFact> {
    Some(match current {
        Some(c) if c.key() >= fact.key() => c,
        _ => VisitFact {
            status: fact.status,
            updated_at: if fact.status.is_terminal() {
                None
            } else {
                fact.updated_at
            },
        },
    })
}

/// Resolved status merge: `(none) < open < closed`.
pub fn merge_resolved(
    current: Option<ResolvedStatus>,
    fact: ResolvedStatus,
) -> Option<ResolvedStatus> {
    merge_max(current, fact)
}

/// Order status merge: `PENDING < PROCESSING < SHIPPED < CANCELLED < COMPLETED`.
pub fn merge_order_status(current: OrderStatus, fact: OrderStatus) -> OrderStatus {
    current.max(fact)
}

/// Merges a tracking fact into the shipping record. Carrier, tracking number and URL move
/// together as one unit, taken from the fact with the greatest (`tracking_updated_at`,
/// tracking, carrier, URL) key, so the newest update wins and equal timestamps settle the same
/// way in any order; `shipped_at` keeps the earliest instant seen, `delivered_at` the latest,
/// and `delivery_failed` is sticky.
pub fn merge_shipping(current: Option<Shipping>, fact: &Shipping) -> Shipping {
    let Some(mut cur) = current else {
        return fact.clone();
    };
    let unit = |s: &Shipping| {
        (
            s.tracking_updated_at,
            s.tracking.clone(),
            s.carrier.clone(),
            s.tracking_url.clone(),
        )
    };
    let has_unit =
        |s: &Shipping| s.tracking.is_some() || s.carrier.is_some() || s.tracking_url.is_some();
    if has_unit(fact) && (!has_unit(&cur) || unit(fact) > unit(&cur)) {
        cur.carrier = fact.carrier.clone();
        cur.tracking = fact.tracking.clone();
        cur.tracking_url = fact.tracking_url.clone();
        cur.tracking_updated_at = fact.tracking_updated_at;
    } else if !has_unit(fact) && !has_unit(&cur) {
        cur.tracking_updated_at = cur.tracking_updated_at.max(fact.tracking_updated_at);
    }
    cur.shipped_at = min_opt(cur.shipped_at, fact.shipped_at);
    cur.delivered_at = cur.delivered_at.max(fact.delivered_at);
    cur.delivery_failed = cur.delivery_failed || fact.delivery_failed;
    cur
}

fn min_opt<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Adds `item` to a duplicate-free list and sorts it (set union; order-independent).
pub fn merge_into_set<T: Ord + Clone>(set: &mut Vec<T>, item: &T) {
    if !set.contains(item) {
        set.push(item.clone());
    }
    set.sort();
}

/// Merges a flag: one per (code, raised instant, event), its settlement the greater of the
/// two (a redelivered event never reopens a flag staff settled).
pub fn merge_flag(flags: &mut Vec<StaffFlag>, fact: &StaffFlag) {
    let same = |f: &StaffFlag| {
        f.code == fact.code && f.raised_at == fact.raised_at && f.event == fact.event
    };
    match flags.iter_mut().find(|f| same(f)) {
        Some(flag) => {
            if fact.settled > flag.settled {
                flag.settled.clone_from(&fact.settled);
            }
        }
        None => flags.push(fact.clone()),
    }
    flags.sort();
}

/// Settles the flags of `code` raised at `raised_at` (the greater settlement stays).
pub fn settle_flag(
    flags: &mut [StaffFlag],
    code: &str,
    raised_at: Option<DateTime<Utc>>,
    settlement: &crate::order::snapshot::FlagSettlement,
) {
    for flag in flags
        .iter_mut()
        .filter(|f| f.code == code && f.raised_at == raised_at)
    {
        if flag.settled.as_ref().is_none_or(|s| settlement > s) {
            flag.settled = Some(settlement.clone());
        }
    }
}

/// Merges a prescription record into a list keyed by (`source`, `item_id`, `med_id`,
/// `rx_id`): a redelivered confirmation received at another instant is the same record, and
/// between two records of one key the one with the earliest `written_at` (then the smaller
/// record) wins, so the merge stays commutative and idempotent.
pub fn merge_prescription(list: &mut Vec<Prescription>, fact: &Prescription) {
    let key = |p: &Prescription| {
        (
            p.source,
            p.item_id.clone(),
            p.med_id.clone(),
            p.rx_id.clone(),
        )
    };
    let rank = |p: &Prescription| (p.written_at.is_none(), p.written_at, p.clone());
    match list.iter_mut().find(|p| key(p) == key(fact)) {
        Some(existing) => {
            if rank(fact) < rank(existing) {
                *existing = fact.clone();
            }
        }
        None => list.push(fact.clone()),
    }
    list.sort();
}

/// Merges a fulfillment submission into a list keyed by (`pharmacy_id`, item ids), field by
/// field so the merge stays commutative and associative:
/// - the record (state, submitter, instant, partner order id, error, partner messages) of the
///   higher state wins (`FAILED < SUBMITTED`); between equal states the larger record by its
///   total order (the partner status and the refills left out);
/// - the partner status travels with its instant: the newest reported (`partner_status_at`,
///   then [`partner_status_rank`], then the text) wins, and a timed status (a status
///   webhook's `occurredAt`) outranks an untimed one (a submission's answer, a staff get
///   status);
/// - the refills staff requested are the union of both records.
pub fn merge_submission(list: &mut Vec<Submission>, fact: &Submission) {
    let key = |s: &Submission| (s.pharmacy_id.clone(), s.item_ids.clone());
    match list.iter_mut().find(|s| key(s) == key(fact)) {
        Some(existing) => {
            let mut refills = existing.refills.clone();
            refills.extend(fact.refills.iter().cloned());
            refills.sort();
            refills.dedup();
            let status = partner_status(existing).max(partner_status(fact));
            if compare_submissions(fact, existing) == Ordering::Greater {
                *existing = fact.clone();
            }
            (existing.partner_status_at, _, existing.partner_status) = status;
            existing.refills = refills;
        }
        None => {
            list.push(fact.clone());
            list.sort_by_key(key);
        }
    }
}

/// The rank of a partner status (DispensePro's seven, any case): `authorized < submitted <
/// filled < failed < voided < shipped < delivered`; anything else (LifeFile's statuses, none)
/// ranks lowest. A failure or a void supersedes the statuses before shipment; a package
/// shipped or delivered is a fact on the ground that nothing after it undoes.
pub fn partner_status_rank(status: Option<&str>) -> u8 {
    match status.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("authorized") => 1,
        Some("submitted") => 2,
        Some("filled") => 3,
        Some("failed") => 4,
        Some("voided") => 5,
        Some("shipped") => 6,
        Some("delivered") => 7,
        _ => 0,
    }
}

/// The partner status of a submission as the merge orders it: its instant, its rank, its text.
fn partner_status(s: &Submission) -> (Option<DateTime<Utc>>, u8, Option<String>) {
    (
        s.partner_status_at,
        partner_status_rank(s.partner_status.as_deref()),
        s.partner_status.clone(),
    )
}

fn compare_submissions(a: &Submission, b: &Submission) -> Ordering {
    let record = |s: &Submission| Submission {
        partner_status: None,
        partner_status_at: None,
        refills: Vec::new(),
        ..s.clone()
    };
    a.state
        .cmp(&b.state)
        .then_with(|| record(a).cmp(&record(b)))
}

/// Merges a route's status: one record per pharmacy, the higher status by the order-status
/// rank, and the earliest instant at which that status was reported.
pub fn merge_route_status(list: &mut Vec<RouteStatusRecord>, fact: &RouteStatusRecord) {
    match list.iter_mut().find(|r| r.pharmacy_id == fact.pharmacy_id) {
        Some(existing) => {
            if fact.status > existing.status {
                *existing = fact.clone();
            } else if fact.status == existing.status {
                existing.at = min_opt(existing.at, fact.at);
            }
        }
        None => {
            list.push(fact.clone());
            list.sort();
        }
    }
}

/// The order status its routes' statuses give (decisions.md §3, issue 15): every route closed
/// (delivered or cancelled) gives `COMPLETED` when one was delivered, else `CANCELLED`;
/// otherwise the least advanced open route's status, and nothing while an open route has
/// none (the clinic's `PROCESSING` stands). The routes are the order's pharmacies
/// ([`crate::order::pharmacy::route_pharmacies`]; a held item is an open route of its own).
///
/// Monotone in the routes' statuses — a route moving up either rises within the open
/// routes or leaves them — so joining it into the order status keeps the merge
/// commutative.
pub fn routes_status(snapshot: &OrderSnapshot) -> Option<OrderStatus> {
    let records = &snapshot.order.route_statuses;
    let statuses: Vec<Option<OrderStatus>> = crate::order::pharmacy::route_pharmacies(snapshot)
        .iter()
        .map(|pharmacy| pharmacy.and_then(|id| records.iter().find(|r| r.pharmacy_id == id)))
        .map(|record| record.map(|r| r.status))
        .collect();
    if statuses.is_empty() {
        return None;
    }
    let closed = |s: &Option<OrderStatus>| {
        matches!(s, Some(OrderStatus::Cancelled | OrderStatus::Completed))
    };
    if statuses.iter().all(closed) {
        return statuses.iter().flatten().max().copied();
    }
    statuses
        .iter()
        .filter(|s| !closed(s))
        .min()
        .copied()
        .flatten()
}

/// What the caller must know after a booking fact: whether it contradicted the stored one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingOutcome {
    /// The appointment after the fact.
    pub appointment: Appointment,
    /// True when a reschedule names a booking that does not match the stored one (a
    /// reschedule with no stored booking, or one after a cancellation / no-show).
    pub contradiction: bool,
}

/// Appointments: the last `BOOKING_*` applied wins (the spec's one exception to
/// convergence); a `RESCHEDULED` with no active stored booking is flagged as a contradiction.
pub fn apply_booking(current: Option<&Appointment>, fact: &Appointment) -> BookingOutcome {
    let contradiction = fact.status == AppointmentStatus::Rescheduled
        && !matches!(
            current.map(|a| a.status),
            Some(AppointmentStatus::Booked | AppointmentStatus::Rescheduled)
        );
    let mut appointment = fact.clone();
    appointment.contradiction = contradiction || appointment.contradiction;
    BookingOutcome {
        appointment,
        contradiction,
    }
}

/// One fact that moves an order's state. The events area maps each webhook to facts; the
/// `apply_order_facts` operation reads them as JSON objects tagged by `fact`, e.g.
/// `{"fact": "visit", "status": "pending", "updated_at": "2026-11-20T10:00:00Z"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "fact", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Fact {
    /// A visit creation attempt answered (`SUBMITTED` or `FAILED`), with what the answer
    /// taught: the visit id and acceptance instant of a `SUBMITTED`, the error text and
    /// attempt instant of a `FAILED` (see [`merge_submit_fact`]).
    Submit {
        /// The submit status.
        status: SubmitStatus,
        /// `SUBMITTED`: Beluga's `visitId` from the visit creation answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visit_id: Option<String>,
        /// When the answer arrived: `submitted_at` of a `SUBMITTED`, `last_attempt_at` of a
        /// `FAILED`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<DateTime<Utc>>,
        /// `FAILED`: the error shown to staff (Beluga's fixed error string or rxgate's own
        /// message; never other partner text).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// The `masterId` of the order's Beluga visit: generated once by the host, stored before
    /// the first call and reused by every retry.
    MasterId {
        /// The id.
        master_id: String,
    },
    /// A visit status (from a visit fetch with its `updateTimestamp`, or from a webhook).
    Visit {
        /// The status.
        status: VisitStatus,
        /// Beluga's `updateTimestamp`, for fetched non-terminal statuses.
        #[serde(default)]
        updated_at: Option<DateTime<Utc>>,
    },
    /// A resolved status.
    Resolved {
        /// The resolved status.
        status: ResolvedStatus,
    },
    /// `CONSULT_CONCLUDED`'s outcome.
    Outcome {
        /// The outcome.
        outcome: VisitOutcome,
    },
    /// An order status from a pharmacy event (already mapped per decisions.md §3) that names
    /// none of the order's routes.
    OrderStatus {
        /// The order status.
        status: OrderStatus,
    },
    /// The status one route reached from its pharmacy's events (mapped per decisions.md §3);
    /// the order status follows its routes' ([`routes_status`]).
    RouteStatus(RouteStatusRecord),
    /// The photo ID upload's result.
    PhotoId {
        /// The upload status.
        status: PhotoIdStatus,
    },
    /// A local prescription record (from `RX_WRITTEN` or `NEW_RX_SENT`).
    Prescription(Prescription),
    /// A DispensePro submission record.
    DispensePro(Submission),
    /// A LifeFile submission record.
    LifeFile(Submission),
    /// Tracking and shipping facts.
    Shipping(Shipping),
    /// A flag for staff.
    Flag(StaffFlag),
    /// Staff settled the flag of `code` raised at `raised_at` (see
    /// [`crate::order::flags::decide_flag_action`]).
    FlagSettled {
        /// The flag's code.
        code: String,
        /// When the flag was raised (which flag of that code).
        #[serde(default)]
        raised_at: Option<DateTime<Utc>>,
        /// The settlement.
        settlement: crate::order::snapshot::FlagSettlement,
    },
    /// An appointment fact (last applied wins; not part of convergence).
    Booking(Appointment),
}

/// Applies one fact to the snapshot's order state, forward only. Idempotent and, except for
/// [`Fact::Booking`], commutative: any permutation and duplication of the same facts gives
/// the same snapshot.
pub fn apply_fact(snapshot: &mut OrderSnapshot, fact: &Fact) {
    let beluga = &mut snapshot.order.beluga;
    match fact {
        Fact::Submit {
            status,
            visit_id,
            at,
            error,
        } => merge_submit_fact(beluga, *status, visit_id.as_ref(), *at, error.as_ref()),
        Fact::MasterId { master_id } => {
            beluga.master_id = merge_master_id(beluga.master_id.take(), master_id);
        }
        Fact::Visit { status, updated_at } => {
            let current = beluga.visit_status.map(|status| VisitFact {
                status,
                updated_at: beluga.visit_updated_at,
            });
            let fact = VisitFact {
                status: *status,
                updated_at: *updated_at,
            };
            if let Some(merged) = merge_visit(current, fact) {
                beluga.visit_status = Some(merged.status);
                beluga.visit_updated_at = merged.updated_at;
            }
        }
        Fact::Resolved { status } => {
            beluga.resolved_status = merge_resolved(beluga.resolved_status, *status);
        }
        Fact::Outcome { outcome } => {
            beluga.visit_outcome = merge_max(beluga.visit_outcome, *outcome)
        }
        Fact::OrderStatus { status } => {
            snapshot.order.status = merge_order_status(snapshot.order.status, *status);
        }
        Fact::RouteStatus(record) => {
            merge_route_status(&mut snapshot.order.route_statuses, record);
            if let Some(status) = routes_status(snapshot) {
                snapshot.order.status = merge_order_status(snapshot.order.status, status);
            }
        }
        Fact::PhotoId { status } => {
            snapshot.order.photo_id_status = merge_max(snapshot.order.photo_id_status, *status);
        }
        Fact::Prescription(p) => merge_prescription(&mut snapshot.order.prescriptions, p),
        Fact::DispensePro(s) => merge_submission(&mut snapshot.order.dispense_pro, s),
        Fact::LifeFile(s) => merge_submission(&mut snapshot.order.life_file, s),
        Fact::Shipping(s) => {
            snapshot.order.shipping = Some(merge_shipping(snapshot.order.shipping.take(), s));
        }
        Fact::Flag(f) => merge_flag(&mut snapshot.order.flags, f),
        Fact::FlagSettled {
            code,
            raised_at,
            settlement,
        } => settle_flag(&mut snapshot.order.flags, code, *raised_at, settlement),
        Fact::Booking(b) => {
            let outcome = apply_booking(snapshot.order.appointment.as_ref(), b);
            snapshot.order.appointment = Some(outcome.appointment);
        }
    }
}

/// The order's status fields, as the state machine sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct OrderState {
    /// Order status.
    pub order_status: OrderStatus,
    /// `belugaSubmitStatus` (`null`: not submitted).
    pub submit_status: Option<SubmitStatus>,
    /// `belugaVisitStatus`.
    pub visit_status: Option<VisitStatus>,
    /// The `updateTimestamp` that set a non-terminal visit status.
    pub visit_updated_at: Option<DateTime<Utc>>,
    /// `belugaResolvedStatus`.
    pub resolved_status: Option<ResolvedStatus>,
    /// Visit outcome.
    pub visit_outcome: Option<VisitOutcome>,
    /// Photo ID upload.
    pub photo_id_status: Option<PhotoIdStatus>,
    /// Local prescription records.
    pub prescriptions: usize,
    /// Best DispensePro submission state (of the submissions made).
    pub dispense_pro: Option<SubmissionState>,
    /// Best LifeFile submission state (of the submissions made).
    pub life_file: Option<SubmissionState>,
    /// Shipping.
    pub shipping: Option<Shipping>,
    /// Appointment.
    pub appointment: Option<Appointment>,
    /// Flags for staff.
    pub flags: Vec<StaffFlag>,
}

impl OrderState {
    /// Reads the state fields of a snapshot.
    pub fn of(snapshot: &OrderSnapshot) -> Self {
        let order = &snapshot.order;
        Self {
            order_status: order.status,
            submit_status: order.beluga.submit_status,
            visit_status: order.beluga.visit_status,
            visit_updated_at: order.beluga.visit_updated_at,
            resolved_status: order.beluga.resolved_status,
            visit_outcome: order.beluga.visit_outcome,
            photo_id_status: order.photo_id_status,
            prescriptions: order.prescriptions.len(),
            dispense_pro: best_submission(&order.dispense_pro),
            life_file: best_submission(&order.life_file),
            shipping: order.shipping.clone(),
            appointment: order.appointment.clone(),
            flags: order.flags.clone(),
        }
    }
}

/// The best state of the submissions someone made (a record only a partner's status reported
/// is no submission: [`Submission::reported_by_partner`]).
fn best_submission(list: &[Submission]) -> Option<SubmissionState> {
    list.iter()
        .filter(|s| !s.reported_by_partner())
        .map(|s| s.state)
        .max()
}

/// Applies facts in order (see [`apply_fact`]).
pub fn apply_facts<'a>(snapshot: &mut OrderSnapshot, facts: impl IntoIterator<Item = &'a Fact>) {
    for fact in facts {
        apply_fact(snapshot, fact);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::snapshot::{parse_snapshot, PrescriptionSource, SubmissionState};
    use proptest::prelude::*;
    use serde_json::json;

    fn base() -> Option<OrderSnapshot> {
        parse_snapshot(&json!({
            "schema_version": 1,
            "settings": {"beluga_enabled": true, "api_key_present": true},
            "patient": {},
            "order": {"number": "A-1", "status": "PROCESSING", "source": "CHECKOUT",
                      "payment_status": "PAID"},
            "items": [
                {"id": "i1", "product": {"id": "p1", "name": "P1", "default_pharmacy_id": "ph_a"}},
                {"id": "i2", "product": {"id": "p2", "name": "P2", "default_pharmacy_id": "ph_b"}}
            ],
            "pharmacies": [
                {"id": "ph_a", "name": "A", "type": "OWN"},
                {"id": "ph_b", "name": "B", "type": "OWN"}
            ]
        }))
        .ok()
    }

    #[test]
    fn the_base_order_has_two_routes() {
        let routes = base().map(|s| {
            crate::order::pharmacy::route_pharmacies(&s)
                .iter()
                .map(|p| p.map(str::to_owned))
                .collect::<Vec<_>>()
        });
        assert_eq!(
            routes,
            Some(vec![Some("ph_a".to_owned()), Some("ph_b".to_owned())])
        );
    }

    fn at(hour: u32) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&format!("2026-11-20T{hour:02}:00:00Z"))
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }

    #[test]
    fn submit_status_only_moves_forward() {
        assert_eq!(
            merge_submit_status(None, SubmitStatus::Failed),
            Some(SubmitStatus::Failed)
        );
        assert_eq!(
            merge_submit_status(Some(SubmitStatus::Submitted), SubmitStatus::Failed),
            Some(SubmitStatus::Submitted)
        );
    }

    #[test]
    fn visit_terminal_beats_newer_fetch_and_resolved_beats_canceled() {
        let fetched = VisitFact {
            status: VisitStatus::Holding,
            updated_at: at(12),
        };
        let resolved = VisitFact {
            status: VisitStatus::Resolved,
            updated_at: None,
        };
        let canceled = VisitFact {
            status: VisitStatus::Canceled,
            updated_at: None,
        };
        assert_eq!(
            merge_visit(Some(resolved), fetched).map(|v| v.status),
            Some(VisitStatus::Resolved)
        );
        assert_eq!(
            merge_visit(Some(canceled), resolved).map(|v| v.status),
            Some(VisitStatus::Resolved)
        );
        assert_eq!(
            merge_visit(Some(resolved), canceled).map(|v| v.status),
            Some(VisitStatus::Resolved)
        );
    }

    #[test]
    fn visit_newest_update_timestamp_wins() {
        let old = VisitFact {
            status: VisitStatus::Pending,
            updated_at: at(9),
        };
        let new = VisitFact {
            status: VisitStatus::Active,
            updated_at: at(10),
        };
        assert_eq!(
            merge_visit(Some(old), new).map(|v| v.status),
            Some(VisitStatus::Active)
        );
        assert_eq!(
            merge_visit(Some(new), old).map(|v| v.status),
            Some(VisitStatus::Active)
        );
    }

    #[test]
    fn order_status_ranks() {
        assert_eq!(
            merge_order_status(OrderStatus::Shipped, OrderStatus::Processing),
            OrderStatus::Shipped
        );
        assert_eq!(
            merge_order_status(OrderStatus::Completed, OrderStatus::Cancelled),
            OrderStatus::Completed
        );
        assert_eq!(
            merge_order_status(OrderStatus::Shipped, OrderStatus::Cancelled),
            OrderStatus::Cancelled
        );
    }

    #[test]
    fn booking_reschedule_without_booking_is_a_contradiction() {
        let fact = Appointment {
            status: AppointmentStatus::Rescheduled,
            doc_name: None,
            scheduled_date: None,
            location: None,
            contradiction: false,
        };
        assert!(apply_booking(None, &fact).contradiction);
        let booked = Appointment {
            status: AppointmentStatus::Booked,
            ..fact.clone()
        };
        assert!(!apply_booking(Some(&booked), &fact).contradiction);
    }

    #[test]
    fn facts_parse_from_tagged_json() {
        let fact: Result<Fact, _> = serde_json::from_value(
            json!({"fact": "visit", "status": "pending", "updated_at": "2026-11-20T10:00:00Z"}),
        );
        assert!(
            matches!(
                fact,
                Ok(Fact::Visit {
                    status: VisitStatus::Pending,
                    ..
                })
            ),
            "{fact:?}"
        );
        let fact: Result<Fact, _> =
            serde_json::from_value(json!({"fact": "flag", "code": "x", "extra": 1}));
        assert!(fact.is_err());
        let fact: Result<Fact, _> = serde_json::from_value(
            json!({"fact": "prescription", "source": "RX_WRITTEN", "med_id": "m1"}),
        );
        assert!(matches!(fact, Ok(Fact::Prescription(_))), "{fact:?}");
    }

    fn fact_strategy() -> impl Strategy<Value = Fact> {
        let hour = 0u32..24;
        let text = prop::sample::select(vec!["a", "b", "c"]);
        prop_oneof![
            (
                prop::sample::select(vec![SubmitStatus::Failed, SubmitStatus::Submitted]),
                prop::option::of(text.clone()),
                prop::option::of(hour.clone()),
                prop::option::of(text.clone()),
            )
                .prop_map(|(status, v, h, e)| Fact::Submit {
                    status,
                    visit_id: v.map(str::to_owned),
                    at: h.and_then(at),
                    error: e.map(str::to_owned),
                }),
            text.clone().prop_map(|m| Fact::MasterId {
                master_id: m.to_owned()
            }),
            (
                prop::sample::select(vec![
                    VisitStatus::Active,
                    VisitStatus::Pending,
                    VisitStatus::Admin,
                    VisitStatus::Holding,
                    VisitStatus::Resolved,
                    VisitStatus::Canceled,
                ]),
                prop::option::of(hour.clone()),
            )
                .prop_map(|(status, h)| Fact::Visit {
                    status,
                    updated_at: h.and_then(at)
                }),
            prop::sample::select(vec![ResolvedStatus::Open, ResolvedStatus::Closed])
                .prop_map(|status| Fact::Resolved { status }),
            prop::sample::select(vec![VisitOutcome::Referred, VisitOutcome::Prescribed])
                .prop_map(|outcome| Fact::Outcome { outcome }),
            prop::sample::select(vec![
                OrderStatus::Pending,
                OrderStatus::Processing,
                OrderStatus::Shipped,
                OrderStatus::Cancelled,
                OrderStatus::Completed,
            ])
            .prop_map(|status| Fact::OrderStatus { status }),
            prop::sample::select(vec![PhotoIdStatus::Failed, PhotoIdStatus::Sent])
                .prop_map(|status| Fact::PhotoId { status }),
            prescription_fact(),
            prop_oneof![submission_fact(), route_status_fact()],
            shipping_fact(),
            (text, prop::option::of(hour)).prop_map(|(c, h)| Fact::Flag(StaffFlag {
                code: c.to_owned(),
                raised_at: h.and_then(at),
                event: None,
                settled: None,
            })),
        ]
    }

    fn prescription_fact() -> impl Strategy<Value = Fact> {
        let hour = 0u32..24;
        let text = prop::sample::select(vec!["a", "b", "c"]);
        (text.clone(), hour.clone()).prop_map(|(m, h)| {
            Fact::Prescription(Prescription {
                source: PrescriptionSource::RxWritten,
                item_id: None,
                med_id: Some(m.to_owned()),
                rx_id: None,
                name: None,
                strength: None,
                quantity: None,
                refills: None,
                doctor_name: None,
                written_at: at(h),
                pharmacy_notes: None,
            })
        })
    }

    fn submission_fact() -> impl Strategy<Value = Fact> {
        let hour = 0u32..24;
        let text = prop::sample::select(vec!["a", "b", "c"]);
        (
            prop::sample::select(vec![SubmissionState::Failed, SubmissionState::Submitted]),
            text.clone(),
            hour.clone(),
            prop::bool::ANY,
            (
                prop::option::of(text.clone()),
                prop::option::of(hour.clone()),
                prop::option::of(text.clone()),
            ),
        )
            .prop_map(|(state, p, h, lf, (status, status_h, message))| {
                let s = Submission {
                    state,
                    pharmacy_id: Some(p.to_owned()),
                    item_ids: vec![],
                    submitted_by: None,
                    submitted_at: at(h),
                    partner_order_id: None,
                    partner_status: status.map(str::to_owned),
                    partner_status_at: status_h.and_then(at),
                    submit_error: None,
                    refills: vec![],
                    partner_messages: message.map(str::to_owned).into_iter().collect(),
                };
                if lf {
                    Fact::LifeFile(s)
                } else {
                    Fact::DispensePro(s)
                }
            })
    }

    fn route_status_fact() -> impl Strategy<Value = Fact> {
        (
            prop::sample::select(vec!["ph_a", "ph_b"]),
            prop::sample::select(vec![
                OrderStatus::Shipped,
                OrderStatus::Cancelled,
                OrderStatus::Completed,
            ]),
            prop::option::of(0u32..24),
        )
            .prop_map(|(p, status, h)| {
                Fact::RouteStatus(RouteStatusRecord {
                    pharmacy_id: p.to_owned(),
                    status,
                    at: h.and_then(at),
                })
            })
    }

    fn shipping_fact() -> impl Strategy<Value = Fact> {
        let hour = 0u32..24;
        let text = prop::sample::select(vec!["a", "b", "c"]);
        (
            prop::option::of(text.clone()),
            prop::option::of(text.clone()),
            prop::option::of(hour.clone()),
            prop::option::of(hour.clone()),
            prop::option::of(hour.clone()),
            prop::bool::ANY,
        )
            .prop_map(|(c, t, tu, sh, de, failed)| {
                Fact::Shipping(Shipping {
                    carrier: c.map(str::to_owned),
                    tracking: t.map(str::to_owned),
                    tracking_url: None,
                    tracking_updated_at: tu.and_then(at),
                    shipped_at: sh.and_then(at),
                    delivered_at: de.and_then(at),
                    delivery_failed: failed,
                })
            })
    }

    proptest! {
        /// Any permutation and duplication of the same facts converges to one state.
        #[test]
        fn any_permutation_and_duplication_converges(
            facts in prop::collection::vec(fact_strategy(), 0..14),
            perm_seed in prop::collection::vec(any::<prop::sample::Index>(), 0..28),
            dup in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        ) {
            let Some(start) = base() else { return Err(TestCaseError::fail("base snapshot")) };
            let mut a = start.clone();
            apply_facts(&mut a, &facts);

            // A permutation (seeded swaps) with duplicates appended.
            let mut shuffled = facts.clone();
            if !shuffled.is_empty() {
                for (i, idx) in perm_seed.iter().enumerate() {
                    let len = shuffled.len();
                    shuffled.swap(i % len, idx.index(len));
                }
                for idx in &dup {
                    if let Some(f) = facts.get(idx.index(facts.len())) {
                        shuffled.push(f.clone());
                    }
                }
            }
            let mut b = start.clone();
            apply_facts(&mut b, &shuffled);
            prop_assert_eq!(&a, &b);

            // Idempotent: applying everything again changes nothing.
            let mut c = a.clone();
            apply_facts(&mut c, &facts);
            prop_assert_eq!(&a, &c);
        }
    }
}
