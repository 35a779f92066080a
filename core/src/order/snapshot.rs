//! The order snapshot: the clinic app's view of one order, everything the order rules read.
//!
//! The snapshot is rxgate's own input format, so it is strict: every struct rejects unknown
//! fields (`deny_unknown_fields`), a duplicated key is an error, and [`parse_snapshot`]
//! reports a mismatch as a JSON Pointer plus what was expected there — never the value,
//! since a snapshot is full of patient data. It is versioned: `schema_version` must be
//! [`SCHEMA_VERSION`]; new fields are added as optional so older snapshots keep parsing.
//!
//! ## Shape
//! - [`Settings`]: Beluga on/off, *whether* an API key is configured (never the key),
//!   company, allowable states, environment, DispensePro switch, escalation windows.
//! - [`Patient`]: demographics, contact, home and shipping address, and the fact that
//!   another patient already uses the phone (Beluga needs one phone per patient).
//! - [`Order`]: number, status, source, payment and invoice status, assigned pharmacy,
//!   legacy Beluga pharmacy id, the Beluga block ([`BelugaState`]), subscription and refill
//!   flags, prescriptions, fulfillment submissions per integration, photo ID status,
//!   shipping, appointment and flags raised for staff.
//! - [`Item`]s, each with its [`Product`] (visit type, default pharmacy, questionnaire, labs)
//!   and [`Drug`] (names, `belugaMedId`, `DIN`, DispensePro and LifeFile configuration).
//! - [`Intake`]s (status, answers, lab method, supplied lab results).
//! - [`Pharmacy`] records (type, Beluga id, credentials configured, environment, hardcopy
//!   PDF requirement, LifeFile ids), the [`Prescriber`] directory, [`ReceivedEvent`]s and
//!   [`Activity`] entries.
//!
//! Patient-facing values (names, DOB, phone, address, answers, message text) are held as
//! given; checking them is readiness's job through the contract validator, so a snapshot
//! with a bad phone still parses and gets a precise `patient_data_invalid` instead of a
//! schema error.
//!
//! Field names are snake_case; enumerated values keep the clinic app's spellings
//! (`SUBMITTED`, `active`, `BELMAR_LIFEFILE`, …). Instants are RFC 3339 strings.

pub use super::state::{
    OrderStatus, PhotoIdStatus, ResolvedStatus, SubmissionState, SubmitStatus, VisitOutcome,
    VisitStatus,
};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The snapshot format version this crate reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The `schema_version` member: only the current version (1) is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
#[schemars(transparent)]
pub struct SchemaVersion(#[schemars(range(min = 1, max = 1))] pub u32);

impl Default for SchemaVersion {
    fn default() -> Self {
        SchemaVersion(SCHEMA_VERSION)
    }
}

impl Serialize for SchemaVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.0)
    }
}

impl<'de> Deserialize<'de> for SchemaVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let version = u32::deserialize(deserializer)?;
        if version == SCHEMA_VERSION {
            Ok(SchemaVersion(version))
        } else {
            Err(serde::de::Error::custom(format!(
                "unsupported schema_version, expected {SCHEMA_VERSION}"
            )))
        }
    }
}

/// The clinic app's view of one order: everything the order rules read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderSnapshot {
    /// Format version; must be 1.
    pub schema_version: SchemaVersion,
    /// Clinic configuration the rules depend on.
    pub settings: Settings,
    /// The patient.
    pub patient: Patient,
    /// The order itself.
    pub order: Order,
    /// Order lines.
    #[serde(default)]
    pub items: Vec<Item>,
    /// The patient's intakes for this order.
    #[serde(default)]
    pub intakes: Vec<Intake>,
    /// Every pharmacy record the order or its products reference.
    #[serde(default)]
    pub pharmacies: Vec<Pharmacy>,
    /// The clinic's prescriber directory (matched on the Beluga doctor's name).
    #[serde(default)]
    pub prescribers: Vec<Prescriber>,
    /// Partner events received for this order (audit summary, no payloads).
    #[serde(default)]
    pub events: Vec<ReceivedEvent>,
    /// Activities on the patient's timeline that concern this order.
    #[serde(default)]
    pub activities: Vec<Activity>,
}

// ---------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------

/// Clinic configuration the order rules read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Beluga is enabled in Admin settings.
    pub beluga_enabled: bool,
    /// A Beluga API key is configured (the key itself never enters rxgate).
    pub api_key_present: bool,
    /// The Beluga company identifier.
    #[serde(default)]
    pub company: Option<String>,
    /// The allowable states; absent means the 50 states and DC.
    #[serde(default)]
    pub allowed_states: Option<Vec<String>>,
    /// The app's environment; pharmacies must match it.
    #[serde(default)]
    pub environment: Option<Environment>,
    /// The DispensePro integration switch.
    #[serde(default)]
    pub dispense_pro: Option<DispenseProSettings>,
    /// Escalation windows.
    #[serde(default)]
    pub windows: Windows,
}

/// `TEST` (staging) or `PRODUCTION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Environment {
    /// Test / staging.
    Test,
    /// Production.
    Production,
}

/// The DispensePro integration (Admin → Settings → Medical Integrations → DispensePro).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DispenseProSettings {
    /// The integration is switched on.
    pub enabled: bool,
    /// Its credentials and endpoint are configured.
    pub configured: bool,
}

/// Escalation windows (decisions.md §3). All have defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Windows {
    /// Hours a partner fulfillment event may precede `RX_WRITTEN` before it is escalated.
    pub boundary_hours: u32,
    /// Hours after `RX_WRITTEN` with no pharmacy submission or Beluga pharmacy event before
    /// it is escalated.
    pub rx_to_pharmacy_hours: u32,
    /// Days an order may stay `SHIPPED` without tracking before it is escalated.
    pub shipped_without_tracking_days: u32,
    /// Days an order may stay `SHIPPED` without being delivered before it is escalated.
    pub shipped_without_delivery_days: u32,
}

impl Default for Windows {
    fn default() -> Self {
        Self {
            boundary_hours: 24,
            rx_to_pharmacy_hours: 24,
            shipped_without_tracking_days: 3,
            shipped_without_delivery_days: 14,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Patient
// ---------------------------------------------------------------------------------------

/// The patient as the clinic app holds them. Every field may be missing; readiness names
/// the ones Beluga needs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    /// The app's patient id.
    #[serde(default)]
    pub id: Option<String>,
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Date of birth, ISO `YYYY-MM-DD` or `MM/DD/YYYY`.
    #[serde(default)]
    pub dob: Option<String>,
    /// Sex as recorded (`Male`, `Female`, or `male`/`female`/`M`/`F`, normalised on build).
    #[serde(default)]
    pub sex: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Mobile phone as typed (normalised to 10 digits on build).
    #[serde(default)]
    pub phone: Option<String>,
    /// The patient signed the consents Beluga requires (`consentsSigned`).
    #[serde(default)]
    pub consents_signed: bool,
    /// Another patient of the clinic already has this phone number.
    #[serde(default)]
    pub phone_used_by_other_patient: bool,
    /// Home address.
    #[serde(default)]
    pub address: Option<Address>,
    /// Shipping address, when different from the home address.
    #[serde(default)]
    pub shipping_address: Option<Address>,
}

/// A postal address.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street line 1.
    #[serde(default)]
    pub line1: Option<String>,
    /// Street line 2.
    #[serde(default)]
    pub line2: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// Two-letter state.
    #[serde(default)]
    pub state: Option<String>,
    /// Five-digit ZIP.
    #[serde(default)]
    pub zip: Option<String>,
    /// Country (`US` when absent).
    #[serde(default)]
    pub country: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Order
// ---------------------------------------------------------------------------------------

/// The order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// The app's order id.
    #[serde(default)]
    pub id: Option<String>,
    /// The order number staff and patients quote.
    pub number: String,
    /// The order status.
    pub status: OrderStatus,
    /// How the order was created.
    pub source: OrderSource,
    /// Payment status of the order's charge.
    pub payment_status: PaymentStatus,
    /// Status of the invoice, for invoice orders.
    #[serde(default)]
    pub invoice_status: Option<InvoiceStatus>,
    /// The pharmacy assigned on the order (a [`Pharmacy::id`]).
    #[serde(default)]
    pub pharmacy_id: Option<String>,
    /// The legacy Beluga pharmacy id stored on old orders.
    #[serde(default)]
    pub legacy_beluga_pharmacy_id: Option<String>,
    /// The Beluga Telehealth block of the order detail.
    #[serde(default)]
    pub beluga: BelugaState,
    /// The order belongs to a subscription.
    #[serde(default)]
    pub subscription: bool,
    /// The order is a refill.
    #[serde(default)]
    pub refill: bool,
    /// Local prescription records.
    #[serde(default)]
    pub prescriptions: Vec<Prescription>,
    /// DispensePro submissions (`dispensePro` on the app's order).
    #[serde(default)]
    pub dispense_pro: Vec<Submission>,
    /// LifeFile submissions, one per Belmar/LifeFile pharmacy (`lifeFile` on the order).
    #[serde(default)]
    pub life_file: Vec<Submission>,
    /// The fulfillment status of each route (one per pharmacy), from its pharmacy's events;
    /// the order's status is a function of them ([`crate::order::state::routes_status`]).
    #[serde(default)]
    pub route_statuses: Vec<RouteStatusRecord>,
    /// Photo ID upload status.
    #[serde(default)]
    pub photo_id_status: Option<PhotoIdStatus>,
    /// Shipping and tracking.
    #[serde(default)]
    pub shipping: Option<Shipping>,
    /// The Beluga appointment, if one was booked.
    #[serde(default)]
    pub appointment: Option<Appointment>,
    /// Flags raised for staff by event processing.
    #[serde(default)]
    pub flags: Vec<StaffFlag>,
    /// When the order was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it was paid (or created by staff, for manual orders).
    #[serde(default)]
    pub paid_at: Option<DateTime<Utc>>,
}

/// How an order was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderSource {
    /// Patient checkout.
    Checkout,
    /// An invoice the patient pays.
    Invoice,
    /// A subscription cycle.
    Subscription,
    /// A patient refill.
    Refill,
    /// Created by staff in the EMR (counts as paid).
    ManualEmr,
}

/// Payment status of the order's charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentStatus {
    /// Not paid.
    Unpaid,
    /// Payment in progress.
    Pending,
    /// Paid.
    Paid,
    /// Payment failed.
    Failed,
    /// Refunded.
    Refunded,
    /// Partly refunded.
    PartiallyRefunded,
}

/// Status of an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvoiceStatus {
    /// Not yet sent.
    Draft,
    /// Sent, not paid.
    Open,
    /// Paid.
    Paid,
    /// Voided.
    Void,
}

/// The Beluga Telehealth block of an order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BelugaState {
    /// `belugaSubmitStatus`; absent = not submitted.
    #[serde(default)]
    pub submit_status: Option<SubmitStatus>,
    /// `belugaVisitStatus`.
    #[serde(default)]
    pub visit_status: Option<VisitStatus>,
    /// Beluga's `updateTimestamp` of the last visit fetch (orders non-terminal statuses).
    #[serde(default)]
    pub visit_updated_at: Option<DateTime<Utc>>,
    /// `belugaResolvedStatus`.
    #[serde(default)]
    pub resolved_status: Option<ResolvedStatus>,
    /// `CONSULT_CONCLUDED`'s `visitOutcome`.
    #[serde(default)]
    pub visit_outcome: Option<VisitOutcome>,
    /// Beluga's visit id.
    #[serde(default)]
    pub visit_id: Option<String>,
    /// The `masterId` generated once for this visit and reused on every retry.
    #[serde(default)]
    pub master_id: Option<String>,
    /// `belugaSubmitError`: the last error text (internal; never shown to patients).
    #[serde(default)]
    pub submit_error: Option<String>,
    /// When the visit was accepted.
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
    /// When the last submission attempt ran.
    #[serde(default)]
    pub last_attempt_at: Option<DateTime<Utc>>,
}

/// A local prescription record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prescription {
    /// Where the confirmation came from.
    pub source: PrescriptionSource,
    /// The order item it is for, when linked.
    #[serde(default)]
    pub item_id: Option<String>,
    /// The prescribed `medId`.
    #[serde(default)]
    pub med_id: Option<String>,
    /// Beluga's `rxId` (may be `N/A`).
    #[serde(default)]
    pub rx_id: Option<String>,
    /// Medication name.
    #[serde(default)]
    pub name: Option<String>,
    /// Strength.
    #[serde(default)]
    pub strength: Option<String>,
    /// Quantity.
    #[serde(default)]
    pub quantity: Option<String>,
    /// Refills.
    #[serde(default)]
    pub refills: Option<String>,
    /// The prescribing doctor's name as Beluga sent it.
    #[serde(default)]
    pub doctor_name: Option<String>,
    /// When the confirmation was received (`dateWritten` of pharmacy orders).
    #[serde(default)]
    pub written_at: Option<DateTime<Utc>>,
    /// The doctor's `pharmacyNotes` (patient data: sent to the pharmacy, never logged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pharmacy_notes: Option<String>,
}

/// The prescription confirmation a record comes from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrescriptionSource {
    /// The `RX_WRITTEN` webhook.
    RxWritten,
    /// `NEW_RX_SENT` answered by `updateVisit`.
    NewRxSent,
}

/// One submission to a fulfillment integration (DispensePro or LifeFile).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// Accepted or failed.
    pub state: SubmissionState,
    /// The pharmacy it went to.
    #[serde(default)]
    pub pharmacy_id: Option<String>,
    /// The order items it carried (empty: every item routed there).
    #[serde(default)]
    pub item_ids: Vec<String>,
    /// Who sent it.
    #[serde(default)]
    pub submitted_by: Option<Submitter>,
    /// When.
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
    /// The partner's order id.
    #[serde(default)]
    pub partner_order_id: Option<String>,
    /// The partner's latest status (DispensePro status, LifeFile `rxStatus`).
    #[serde(default)]
    pub partner_status: Option<String>,
    /// When the partner reported `partner_status` (a status webhook's `occurredAt`; absent
    /// for the status of the submission's answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_status_at: Option<DateTime<Utc>>,
    /// `submitError` (internal).
    #[serde(default)]
    pub submit_error: Option<String>,
    /// Refills staff requested and the partner accepted (DispensePro manual refill), oldest
    /// first; the union of every record seen (`routing::dispensepro_actions`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refills: Vec<RefillRecord>,
    /// What the partner said when it refused the order (LifeFile's `{type: "error",
    /// messages}`), kept for CS: staff only, never logged, audited or shown to patients.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partner_messages: Vec<String>,
}

/// One refill the partner accepted for a submission.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefillRecord {
    /// When the partner accepted it.
    pub at: DateTime<Utc>,
    /// Who asked (the staff API key id).
    #[serde(default)]
    pub by: Option<String>,
    /// The partner's id of the refill, when it answered one.
    #[serde(default)]
    pub partner_id: Option<String>,
}

impl Submission {
    /// A record only a partner's status webhook made: no submitter, no submission instant, a
    /// reported status instant. It carries the partner's status, not a submission rxgate
    /// or staff made.
    pub fn reported_by_partner(&self) -> bool {
        self.submitted_by.is_none()
            && self.submitted_at.is_none()
            && self.partner_status_at.is_some()
    }
}

/// The fulfillment status one route (the items going to one pharmacy) reached, from its
/// pharmacy's events. Ranked like the order status (`SHIPPED < CANCELLED < COMPLETED`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteStatusRecord {
    /// The app's pharmacy id of the route.
    pub pharmacy_id: String,
    /// The highest status its events reached.
    pub status: OrderStatus,
    /// When the route first reached that status.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// Who triggered a fulfillment submission.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Submitter {
    /// rxgate's automatic submission.
    Rxgate,
    /// Staff forced it by hand.
    Staff,
    /// A configured workflow.
    Workflow,
}

/// Shipping and tracking of an order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shipping {
    /// Carrier.
    #[serde(default)]
    pub carrier: Option<String>,
    /// Tracking number.
    #[serde(default)]
    pub tracking: Option<String>,
    /// Tracking URL.
    #[serde(default)]
    pub tracking_url: Option<String>,
    /// When the tracking fields were last updated.
    #[serde(default)]
    pub tracking_updated_at: Option<DateTime<Utc>>,
    /// First shipped event.
    #[serde(default)]
    pub shipped_at: Option<DateTime<Utc>>,
    /// Delivered event.
    #[serde(default)]
    pub delivered_at: Option<DateTime<Utc>>,
    /// A carrier reported a failed delivery.
    #[serde(default)]
    pub delivery_failed: bool,
}

/// The Beluga appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Appointment {
    /// Status.
    pub status: AppointmentStatus,
    /// Doctor's name.
    #[serde(default)]
    pub doc_name: Option<String>,
    /// Scheduled date as Beluga sent it.
    #[serde(default)]
    pub scheduled_date: Option<String>,
    /// Location or link.
    #[serde(default)]
    pub location: Option<String>,
    /// A reschedule contradicted the stored booking (flagged for staff).
    #[serde(default)]
    pub contradiction: bool,
}

/// Appointment status from `BOOKING_*` / `NO_SHOW`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AppointmentStatus {
    /// `BOOKING_CREATED`.
    Booked,
    /// `BOOKING_RESCHEDULED`.
    Rescheduled,
    /// `BOOKING_CANCELLED`.
    Cancelled,
    /// `NO_SHOW`.
    NoShow,
}

/// A flag raised for staff while processing events (codes of the events area).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct StaffFlag {
    /// The flag's code, e.g. `rx_med_not_ordered`.
    pub code: String,
    /// When it was raised.
    #[serde(default)]
    pub raised_at: Option<DateTime<Utc>>,
    /// The event that raised it.
    #[serde(default)]
    pub event: Option<String>,
    /// Staff acknowledged or resolved it (absent: open). A settled flag is no longer
    /// escalated; a later event of the same kind raises a new flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled: Option<FlagSettlement>,
}

/// How staff settled a flag. Ordered so that merging two settlements keeps the later word:
/// `resolved` over `acknowledged`, then the later instant.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct FlagSettlement {
    /// `acknowledged` or `resolved`.
    pub outcome: FlagOutcome,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (the API key id; never a person's name).
    pub by: String,
    /// Why (staff text, kept for staff).
    pub reason: String,
}

/// What staff did with a flag.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FlagOutcome {
    /// Seen; someone is on it (no longer escalated).
    Acknowledged,
    /// Dealt with.
    Resolved,
}

// ---------------------------------------------------------------------------------------
// Items, products, drugs
// ---------------------------------------------------------------------------------------

/// One order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The item id.
    pub id: String,
    /// The product ordered.
    pub product: Product,
    /// The drug the product maps to; absent when the product-to-drug mapping is missing.
    #[serde(default)]
    pub drug: Option<Drug>,
}

/// A store product (CRM → Store → Products).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Product id.
    pub id: String,
    /// Product name.
    pub name: String,
    /// The Beluga visit type; absent means the product needs no Beluga review.
    #[serde(default)]
    pub beluga_visit_type: Option<String>,
    /// The product's Default Pharmacy (a [`Pharmacy::id`]).
    #[serde(default)]
    pub default_pharmacy_id: Option<String>,
    /// The questionnaire (intake form) mapped to the product.
    #[serde(default)]
    pub questionnaire_id: Option<String>,
    /// Labs apply: the intake must say how lab results are obtained.
    #[serde(default)]
    pub labs_apply: bool,
    /// The product is a medication that needs a prescription (default true).
    #[serde(default = "default_true")]
    pub requires_prescription: bool,
}

fn default_true() -> bool {
    true
}

/// A drug (EMR → Drugs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Drug {
    /// Drug id.
    pub id: String,
    /// Name sent as `patientPreference.name`.
    pub name: String,
    /// Strength.
    #[serde(default)]
    pub strength: Option<String>,
    /// Beluga's medication id.
    #[serde(default)]
    pub beluga_med_id: Option<String>,
    /// Drug identification number (used when there is no `beluga_med_id`).
    #[serde(default)]
    pub din: Option<String>,
    /// Quantity for the preference.
    #[serde(default)]
    pub quantity: Option<String>,
    /// Refills for the preference.
    #[serde(default)]
    pub refills: Option<String>,
    /// Days' supply for the preference.
    #[serde(default)]
    pub days_supply: Option<String>,
    /// DispensePro Rx configuration.
    #[serde(default)]
    pub dispense_pro: Option<DispenseProRx>,
    /// LifeFile Rx mapping.
    #[serde(default)]
    pub life_file: Option<LifeFileRx>,
}

/// EMR → Drugs → DispensePro Rx Configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DispenseProRx {
    /// National Drug Code.
    #[serde(default)]
    pub ndc: Option<String>,
    /// Quantity.
    #[serde(default)]
    pub quantity: Option<String>,
    /// Refills.
    #[serde(default)]
    pub refills: Option<String>,
    /// Directions (sig).
    #[serde(default)]
    pub sig: Option<String>,
    /// Days' supply.
    #[serde(default)]
    pub days_supply: Option<String>,
}

/// EMR → Drugs → LifeFile Rx Mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifeFileRx {
    /// LifeFile Product ID (`lfProductID`).
    #[serde(default)]
    pub product_id: Option<String>,
    /// Drug form.
    #[serde(default)]
    pub drug_form: Option<String>,
    /// Quantity.
    #[serde(default)]
    pub quantity: Option<String>,
    /// Quantity units.
    #[serde(default)]
    pub quantity_units: Option<String>,
    /// Directions.
    #[serde(default)]
    pub directions: Option<String>,
    /// Days' supply.
    #[serde(default)]
    pub days_supply: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Intakes
// ---------------------------------------------------------------------------------------

/// A completed (or started) intake questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Intake {
    /// Intake id.
    pub id: String,
    /// The questionnaire it answers.
    #[serde(default)]
    pub questionnaire_id: Option<String>,
    /// Its review status.
    pub status: IntakeStatus,
    /// When submitted.
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
    /// The answers, in questionnaire order.
    #[serde(default)]
    pub answers: Vec<IntakeAnswer>,
    /// The lab method answer, when labs apply.
    #[serde(default)]
    pub lab_method: Option<LabMethod>,
    /// Lab results the patient supplied (lab flow).
    #[serde(default)]
    pub lab_results: Vec<LabResult>,
}

/// Review status of an intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IntakeStatus {
    /// Started, not submitted.
    Draft,
    /// Submitted by the patient.
    Submitted,
    /// Approved by staff.
    Approved,
    /// Staff asked the patient to correct it.
    NeedsCorrection,
    /// Rejected.
    Rejected,
}

/// One answer of an intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeAnswer {
    /// The question text.
    pub question: String,
    /// The offered choices of a multiple-choice question (empty for free text).
    #[serde(default)]
    pub choices: Vec<String>,
    /// The answer: text, or the chosen choices.
    pub answer: AnswerValue,
    /// The standard Beluga field this answer fills instead of a custom Q/A pair.
    #[serde(default)]
    pub maps_to: Option<StandardField>,
}

/// An answer's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AnswerValue {
    /// Free text or a single choice.
    Text(String),
    /// Several chosen choices.
    Choices(Vec<String>),
}

/// Beluga form fields that intake answers fill directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StandardField {
    /// `selfReportedMeds`.
    SelfReportedMeds,
    /// `allergies`.
    Allergies,
    /// `medicalConditions`.
    MedicalConditions,
}

/// How lab results are obtained, when labs apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LabMethod {
    /// The patient supplies results: the visit goes to `/lab/receiveLabResults`.
    PatientSuppliedResults,
    /// Labs are ordered through the visit: `/visit/createNoPayPhotos`.
    LabOrder,
}

/// One supplied lab result, as the lab endpoint names its fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabResult {
    /// Screening date.
    #[serde(default)]
    pub screening_date: Option<String>,
    /// Test name.
    #[serde(default)]
    pub test_name: Option<String>,
    /// Result.
    #[serde(default)]
    pub test_result: Option<String>,
    /// Units (`N/A` if not applicable).
    #[serde(default)]
    pub test_result_units: Option<String>,
    /// Reference range (`N/A` if not applicable).
    #[serde(default)]
    pub ref_range: Option<String>,
    /// `H`, `L`, `N` or `N/A`.
    #[serde(default)]
    pub status_indicator: Option<String>,
    /// Report date.
    #[serde(default)]
    pub report_date: Option<String>,
    /// `URINE`, `BLOOD`, …
    #[serde(default)]
    pub sample_source: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Pharmacies, prescribers
// ---------------------------------------------------------------------------------------

/// A pharmacy record (Admin → Settings → Pharmacies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pharmacy {
    /// The app's pharmacy id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The type, which controls routing.
    #[serde(rename = "type")]
    pub kind: PharmacyType,
    /// The id Beluga knows the pharmacy by (every type carries one).
    #[serde(default)]
    pub beluga_id: Option<String>,
    /// API URL and credentials are configured (never the credentials themselves).
    #[serde(default)]
    pub credentials_configured: bool,
    /// The pharmacy's environment (LifeFile: test or production status id).
    #[serde(default)]
    pub environment: Option<Environment>,
    /// The pharmacy requires a signed hardcopy PDF with each order.
    #[serde(default)]
    pub requires_hardcopy_pdf: bool,
    /// LifeFile ids.
    #[serde(default)]
    pub life_file: Option<LifeFileIds>,
    /// A webhook secret is configured (OWN and DispensePro webhooks).
    #[serde(default)]
    pub webhook_secret_configured: bool,
}

/// Pharmacy types.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PharmacyType {
    /// A pharmacy in Beluga's network.
    Beluga,
    /// A clinic-owned or partner pharmacy that sends webhooks.
    Own,
    /// DispensePro / MDScripts.
    DispensePro,
    /// Belmar / LifeFile.
    BelmarLifefile,
}

impl PharmacyType {
    /// The spelling of the type in the clinic app.
    pub fn as_str(self) -> &'static str {
        match self {
            PharmacyType::Beluga => "BELUGA",
            PharmacyType::Own => "OWN",
            PharmacyType::DispensePro => "DISPENSE_PRO",
            PharmacyType::BelmarLifefile => "BELMAR_LIFEFILE",
        }
    }
}

/// LifeFile account ids of a Belmar/LifeFile pharmacy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifeFileIds {
    /// `X-Vendor-ID`.
    #[serde(default)]
    pub vendor_id: Option<String>,
    /// `X-Location-ID`.
    #[serde(default)]
    pub location_id: Option<String>,
    /// `X-API-Network-ID`.
    #[serde(default)]
    pub network_id: Option<String>,
    /// `practice.id`.
    #[serde(default)]
    pub practice_id: Option<String>,
    /// The pharmacy-specific shipping service integer.
    #[serde(default)]
    pub shipping_service: Option<u32>,
}

/// A prescriber of the clinic's directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prescriber {
    /// Full name as Beluga writes it in `docName`.
    pub name: String,
    /// National Provider Identifier.
    #[serde(default)]
    pub npi: Option<String>,
    /// Licence state.
    #[serde(default)]
    pub license_state: Option<String>,
    /// Licence number.
    #[serde(default)]
    pub license_number: Option<String>,
    /// DEA number.
    #[serde(default)]
    pub dea: Option<String>,
    /// Practice address.
    #[serde(default)]
    pub address: Option<Address>,
    /// Practice phone.
    #[serde(default)]
    pub phone: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Events and activities
// ---------------------------------------------------------------------------------------

/// A partner event received for this order (the audit entry, without the payload).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceivedEvent {
    /// Who sent it.
    pub source: EventSource,
    /// The event name as sent (`RX_WRITTEN`, `order.shipped`, LifeFile `rxStatus`, …).
    pub event: String,
    /// When rxgate received it.
    pub received_at: DateTime<Utc>,
    /// The visit it names, for Beluga events.
    #[serde(default)]
    pub master_id: Option<String>,
    /// The pharmacy it came from, for pharmacy events.
    #[serde(default)]
    pub pharmacy_id: Option<String>,
    /// The partner's status value carried by the event (DispensePro `order.status`,
    /// LifeFile `rxStatus`).
    #[serde(default)]
    pub status: Option<String>,
    /// The event's idempotency key (`events::dedupe`); an event whose key is already here
    /// is a duplicate and changes nothing.
    #[serde(default)]
    pub key: Option<String>,
}

// One type for the snapshot, where it serializes as `BELUGA`, `LIFEFILE`, `DISPENSE_PRO`,
// `OWN`, and for the webhook API, where it is named by its route (`beluga`, `lifefile`,
// `dispensepro`, `pharmacy`: `EventSource::as_str`, and `route_name` for a serialized field).
// The doc comments below are the committed JSON Schema's descriptions.
/// Event senders.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventSource {
    /// Beluga webhooks.
    Beluga,
    /// Belmar / LifeFile webhooks.
    Lifefile,
    /// DispensePro webhooks.
    DispensePro,
    /// OWN pharmacy webhooks.
    Own,
}

impl EventSource {
    /// Every source, in the order of the webhook routes.
    pub const ALL: [EventSource; 4] = [
        EventSource::Beluga,
        EventSource::Lifefile,
        EventSource::DispensePro,
        EventSource::Own,
    ];

    /// Parses a route name (`beluga`, `lifefile`, `dispensepro`, `pharmacy`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The route name, as the webhook API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Beluga => "beluga",
            Self::Lifefile => "lifefile",
            Self::DispensePro => "dispensepro",
            Self::Own => "pharmacy",
        }
    }

    /// Words for messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Beluga => "Beluga",
            Self::Lifefile => "LifeFile",
            Self::DispensePro => "DispensePro",
            Self::Own => "OWN pharmacy",
        }
    }
}

/// `#[serde(with = "route_name")]`: an [`EventSource`] field written as its route name.
pub mod route_name {
    use super::EventSource;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the route name.
    pub fn serialize<S: Serializer>(source: &EventSource, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(source.as_str())
    }

    /// Reads a route name.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<EventSource, D::Error> {
        // Owned, not `&str`: inside a flattened or untagged answer the text is buffered and
        // cannot be borrowed.
        let name = String::deserialize(d)?;
        EventSource::from_name(&name).ok_or_else(|| {
            serde::de::Error::custom("expected one of beluga, lifefile, dispensepro, pharmacy")
        })
    }

    /// The JSON Schema of a route name, for `#[schemars(with = "route_name::Name")]` beside
    /// `#[serde(with = "route_name")]`.
    #[derive(schemars::JsonSchema)]
    #[schemars(rename = "RouteName")]
    #[allow(dead_code)]
    pub enum Name {
        /// `POST /api/webhooks/beluga`.
        #[schemars(rename = "beluga")]
        Beluga,
        /// `POST /api/webhooks/lifefile/{pharmacyId}`.
        #[schemars(rename = "lifefile")]
        Lifefile,
        /// `POST /api/webhooks/dispensepro/{pharmacyId}`.
        #[schemars(rename = "dispensepro")]
        DispensePro,
        /// `POST /api/webhooks/pharmacy/{pharmacyId}` (OWN pharmacies).
        #[schemars(rename = "pharmacy")]
        Pharmacy,
    }
}

/// A timeline activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// Its type.
    pub kind: ActivityKind,
    /// When.
    pub at: DateTime<Utc>,
    /// Whether the app currently shows it to the patient.
    #[serde(default)]
    pub shown_to_patient: Option<bool>,
    /// Whether the patient was notified.
    #[serde(default)]
    pub notified: bool,
    /// The text (patient-visible kinds only reach the patient view).
    #[serde(default)]
    pub content: Option<String>,
}

/// Timeline activity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivityKind {
    /// Incoming Beluga doctor message (patient-visible).
    BelugaDoctorChat,
    /// Outgoing patient reply to the doctor (patient-visible).
    PatientChatSent,
    /// Outgoing CS message to Beluga admin (internal).
    BelugaCsSent,
    /// Incoming Beluga admin reply (internal).
    BelugaCsMessage,
    /// An order status update (patient-visible).
    OrderStatusUpdate,
    /// A shipping or tracking update (patient-visible).
    ShippingUpdate,
    /// An appointment update from a Beluga booking (patient-visible).
    AppointmentUpdate,
    /// An intake requirement the patient must meet (patient-visible).
    IntakeRequirement,
    /// A staff note (internal).
    StaffNote,
}

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

/// A snapshot that does not match the schema: where, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("order snapshot does not match its schema at `{pointer}`: {expected}")]
pub struct SnapshotError {
    /// JSON Pointer of the offending member (`""` is the document).
    pub pointer: String,
    /// What was expected there, without the value found.
    pub expected: String,
}

/// Parses a snapshot from a JSON value, strictly (see the module docs).
pub fn parse_snapshot(value: &serde_json::Value) -> Result<OrderSnapshot, SnapshotError> {
    serde_path_to_error::deserialize(value).map_err(path_error)
}

/// Parses a snapshot from JSON text, strictly (duplicate keys are errors here too).
pub fn parse_snapshot_str(text: &str) -> Result<OrderSnapshot, SnapshotError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = serde_path_to_error::deserialize(&mut de).map_err(path_error)?;
    de.end().map_err(|e| SnapshotError {
        pointer: String::new(),
        expected: crate::issue::redact_serde(&e.to_string()),
    })?;
    Ok(parsed)
}

/// A deserialization error as a [`SnapshotError`]: the pointer of the offending member and
/// what was expected there, never the value.
pub(crate) fn path_error(err: serde_path_to_error::Error<serde_json::Error>) -> SnapshotError {
    let pointer = crate::issue::JsonPath::from_serde(err.path()).to_pointer();
    SnapshotError {
        pointer,
        expected: describe_serde(&err.inner().to_string()),
    }
}

/// Turns a serde message into "what was expected", dropping quoted input values and the
/// trailing position (the pointer says where).
fn describe_serde(message: &str) -> String {
    let without_position = match message.find(" at line ") {
        Some(pos) => message.split_at(pos).0,
        None => message,
    };
    // `invalid type: string "…", expected u32` → keep the expectation, drop the value (the
    // last `, expected ` is serde's own: an input value may hold the same words).
    if let Some(pos) = without_position.rfind(", expected ") {
        let (head, tail) = without_position.split_at(pos);
        // The kind of mismatch, without the value: `invalid type: string "…"` and
        // ``unknown variant `…` `` both keep only their first words.
        let kind = head
            .split([':', '`', '"'])
            .next()
            .unwrap_or(head)
            .trim_end();
        return format!("{kind}{tail}");
    }
    if let Some(pos) = without_position.find("unknown field `") {
        // The unknown field's name is a key of our own schema's caller, not a value: keep it.
        let (_, tail) = without_position.split_at(pos);
        return crate::issue::redact_serde(tail);
    }
    crate::issue::redact_serde(without_position)
}

// ---------------------------------------------------------------------------------------
// Lookups the rules share
// ---------------------------------------------------------------------------------------

/// A string that is present and not only white space.
pub fn non_blank(value: Option<&String>) -> Option<&str> {
    value.map(String::as_str).filter(|s| !s.trim().is_empty())
}

impl OrderSnapshot {
    /// The pharmacy record with this id.
    pub fn pharmacy(&self, id: &str) -> Option<&Pharmacy> {
        self.pharmacies.iter().find(|p| p.id == id)
    }

    /// The items that go into the Beluga visit: those whose product has a visit type.
    pub fn beluga_items(&self) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(|i| i.product.visit_type().is_some())
    }

    /// Whether the order needs Beluga review (at least one item has a visit type).
    pub fn needs_beluga(&self) -> bool {
        self.beluga_items().next().is_some()
    }

    /// The item whose drug carries `med_id` (`belugaMedId` or `DIN`).
    pub fn item_by_med_id(&self, med_id: &str) -> Option<&Item> {
        self.items
            .iter()
            .find(|i| i.drug.as_ref().and_then(Drug::med_id) == Some(med_id))
    }
}

impl Product {
    /// The visit type when present and not blank.
    pub fn visit_type(&self) -> Option<&str> {
        non_blank(self.beluga_visit_type.as_ref())
    }
}

impl Drug {
    /// The `medId` Beluga receives: `belugaMedId`, else `DIN` (decisions.md §3).
    pub fn med_id(&self) -> Option<&str> {
        non_blank(self.beluga_med_id.as_ref()).or_else(|| non_blank(self.din.as_ref()))
    }
}

impl Patient {
    /// The address Beluga and pharmacies ship to: the shipping address, else home.
    pub fn ship_to(&self) -> Option<&Address> {
        self.shipping_address.as_ref().or(self.address.as_ref())
    }
}

/// The JSON Schema (draft 2020-12) of [`OrderSnapshot`], generated from the serde types;
/// committed as `core/schema/order-snapshot.schema.json` (a test keeps it current).
pub fn json_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(OrderSnapshot))
        .unwrap_or(serde_json::Value::Null);
    if let Some(object) = schema.as_object_mut() {
        object.insert(
            "$id".to_owned(),
            serde_json::Value::String(format!(
                "https://rxgate.invalid/schema/order-snapshot/v{SCHEMA_VERSION}.json"
            )),
        );
    }
    schema
}

#[cfg(test)]
#[expect(
    clippy::indexing_slicing,
    reason = "tests index JSON they built themselves"
)]
mod tests {
    use super::*;
    use serde_json::json;

    fn minimal() -> serde_json::Value {
        json!({
            "schema_version": 1,
            "settings": {"beluga_enabled": true, "api_key_present": true},
            "patient": {},
            "order": {"number": "A-1", "status": "PENDING", "source": "CHECKOUT",
                      "payment_status": "PAID"}
        })
    }

    #[test]
    fn minimal_snapshot_parses_with_defaults() {
        let snap = parse_snapshot(&minimal());
        assert!(snap.is_ok(), "{snap:?}");
        if let Ok(snap) = snap {
            assert_eq!(snap.settings.windows.boundary_hours, 24);
            assert!(snap.items.is_empty());
        }
    }

    #[test]
    fn unknown_field_is_reported_with_its_path() {
        let mut v = minimal();
        if let Some(p) = v.get_mut("patient") {
            p["ssn"] = json!("PHI-SENTINEL");
        }
        let err = parse_snapshot(&v).err();
        assert!(err.is_some());
        if let Some(err) = err {
            assert_eq!(err.pointer, "/patient/ssn");
            assert!(err.expected.contains("unknown field"), "{}", err.expected);
            assert!(!err.to_string().contains("PHI-SENTINEL"));
        }
    }

    #[test]
    fn wrong_type_names_expectation_not_value() {
        let mut v = minimal();
        v["order"]["status"] = json!("PHI-SENTINEL");
        let err = parse_snapshot(&v).err();
        assert!(err.is_some());
        if let Some(err) = err {
            assert_eq!(err.pointer, "/order/status");
            assert!(!err.to_string().contains("PHI-SENTINEL"), "{err}");
            assert!(err.expected.contains("expected"), "{err}");
        }
    }

    #[test]
    fn schema_version_must_be_one() {
        let mut v = minimal();
        v["schema_version"] = json!(2);
        let err = parse_snapshot(&v).err();
        assert_eq!(err.map(|e| e.pointer), Some("/schema_version".to_owned()));
    }

    #[test]
    fn duplicate_keys_are_rejected_from_text() {
        let text = r#"{"schema_version":1,"schema_version":1,"settings":{"beluga_enabled":true,"api_key_present":true},"patient":{},"order":{"number":"A","status":"PENDING","source":"CHECKOUT","payment_status":"PAID"}}"#;
        let err = parse_snapshot_str(text).err();
        assert!(err.is_some());
        if let Some(err) = err {
            assert!(err.expected.contains("duplicate"), "{err}");
        }
    }
}
