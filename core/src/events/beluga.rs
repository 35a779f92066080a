//! Beluga webhooks (webhooks.md §1): `{event, masterId, …}` objects, every scalar a string.
//!
//! Every event of the table parses into a typed [`BelugaKind`]; an event name rxgate does not
//! know is kept as [`BelugaKind::Unknown`] with its name, so a new partner event is recorded
//! and answered 2xx instead of causing a retry storm. `RX_WRITTEN` is accepted in both forms:
//! `docName` at the top level, or the older `data.docFirstName` / `data.docLastName`.

use super::fields::Reader;
use super::{codes, Source};
use crate::issue::{JsonPath, Violation};
use crate::order::snapshot::AppointmentStatus;
use crate::order::state::VisitOutcome;
use serde::Serialize;
use serde_json::{Map, Value};

/// A parsed Beluga webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BelugaEvent {
    /// The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …).
    pub event: String,
    /// The visit's `masterId`.
    pub master_id: String,
    /// What it says.
    #[serde(flatten)]
    pub kind: BelugaKind,
}

/// One prescribed medication of `RX_WRITTEN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PrescribedMed {
    /// `medId`.
    pub med_id: String,
    /// `name`.
    pub name: Option<String>,
    /// `strength`.
    pub strength: Option<String>,
    /// `refills`.
    pub refills: Option<String>,
    /// `quantity`.
    pub quantity: Option<String>,
    /// `rxId` (may be `N/A`, kept as sent).
    pub rx_id: Option<String>,
    /// `pharmacyNotes`.
    pub pharmacy_notes: Option<String>,
}

/// Carrier and tracking facts carried in `info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TrackingInfo {
    /// `carrier`.
    pub carrier: Option<String>,
    /// `tracking`.
    pub tracking: Option<String>,
    /// `trackingUrl`.
    pub tracking_url: Option<String>,
    /// `trackerStatus` (package events).
    pub tracker_status: Option<String>,
    /// `trackerId` (package events).
    pub tracker_id: Option<String>,
    /// `deliveredDate` (package events), as sent.
    pub delivered_date: Option<String>,
}

impl TrackingInfo {
    /// Whether any tracking unit field (carrier, number, URL) is present.
    pub fn has_tracking(&self) -> bool {
        self.carrier.is_some() || self.tracking.is_some() || self.tracking_url.is_some()
    }
}

/// Beluga pharmacy milestones (`PHARMACY_ORDER_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PharmacyMilestone {
    /// `PHARMACY_ORDER_CREATED`.
    Created,
    /// `PHARMACY_ORDER_IN_FULFILLMENT`.
    InFulfillment,
    /// `PHARMACY_ORDER_SHIPPED`.
    Shipped,
    /// `PHARMACY_ORDER_DELIVERED`.
    Delivered,
}

/// Package tracking milestones (`PACKAGE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PackageMilestone {
    /// `PACKAGE_IN_TRANSIT`.
    InTransit,
    /// `PACKAGE_OUT_FOR_DELIVERY`.
    OutForDelivery,
    /// `PACKAGE_DELIVERED`.
    Delivered,
    /// `PACKAGE_DELIVERY_FAILED`.
    DeliveryFailed,
}

/// Lab order milestones (`LAB_ORDER_*`), ranked in the order a lab order moves.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LabMilestone {
    /// `LAB_ORDER_REQUISITION_CREATED`.
    RequisitionCreated,
    /// `LAB_ORDER_SHIPPED_TO_PATIENT`.
    ShippedToPatient,
    /// `LAB_ORDER_DELIVERED_TO_PATIENT`.
    DeliveredToPatient,
    /// `LAB_ORDER_SHIPPED_TO_LAB`.
    ShippedToLab,
    /// `LAB_ORDER_RECEIVED_BY_LAB`.
    ReceivedByLab,
    /// `LAB_ORDER_RESULTS`.
    Results,
}

impl LabMilestone {
    /// The milestone of a `LAB_ORDER_*` event name.
    pub fn from_event(name: &str) -> Option<Self> {
        Some(match name {
            "LAB_ORDER_REQUISITION_CREATED" => Self::RequisitionCreated,
            "LAB_ORDER_SHIPPED_TO_PATIENT" => Self::ShippedToPatient,
            "LAB_ORDER_DELIVERED_TO_PATIENT" => Self::DeliveredToPatient,
            "LAB_ORDER_SHIPPED_TO_LAB" => Self::ShippedToLab,
            "LAB_ORDER_RECEIVED_BY_LAB" => Self::ReceivedByLab,
            "LAB_ORDER_RESULTS" => Self::Results,
            _ => return None,
        })
    }
}

/// What a Beluga event says, by event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BelugaKind {
    /// `RX_WRITTEN`: prescription confirmation.
    RxWritten {
        /// The doctor's name (`docName`, or `data.docFirstName` + `data.docLastName`).
        doctor_name: Option<String>,
        /// Whether the older nested doctor form was used.
        legacy_doctor_form: bool,
        /// `medsPrescribed`.
        meds: Vec<PrescribedMed>,
    },
    /// `CONSULT_CONCLUDED`.
    ConsultConcluded {
        /// `visitOutcome`.
        outcome: VisitOutcome,
    },
    /// `CONSULT_CANCELED`.
    ConsultCanceled,
    /// `DOCTOR_CHAT` (patient-visible).
    DoctorChat {
        /// `content`.
        content: String,
    },
    /// `CS_MESSAGE` (internal).
    CsMessage {
        /// `content`.
        content: String,
    },
    /// `NAME_UPDATE`.
    NameUpdate {
        /// `firstName`.
        first_name: String,
        /// `lastName`.
        last_name: String,
    },
    /// `PHARMACY_ORDER_*`.
    PharmacyOrder {
        /// Which milestone.
        milestone: PharmacyMilestone,
        /// `orderId`.
        order_id: Option<String>,
        /// `info`.
        info: TrackingInfo,
    },
    /// `PACKAGE_*`.
    Package {
        /// Which milestone.
        milestone: PackageMilestone,
        /// `orderId`.
        order_id: Option<String>,
        /// `info`.
        info: TrackingInfo,
    },
    /// `BOOKING_*` and `NO_SHOW`.
    Booking {
        /// The appointment status it sets.
        status: AppointmentStatus,
        /// `docName`.
        doc_name: Option<String>,
        /// `scheduledDate`, as sent.
        scheduled_date: Option<String>,
        /// `location`.
        location: Option<String>,
    },
    /// `LAB_ORDER_*`.
    Lab {
        /// Which milestone.
        milestone: LabMilestone,
        /// `orderId`.
        order_id: Option<String>,
        /// `info` (on the shipped ones).
        info: TrackingInfo,
        /// `bookingLink` (on results).
        booking_link: Option<String>,
        /// Length in characters of the base64 `labReqPdf` (the document itself stays in the
        /// stored body at `/labReqPdf`; it is never copied into events or logs).
        requisition_pdf_chars: Option<usize>,
    },
    /// An event name rxgate does not know (kept, recorded, answered 2xx).
    Unknown,
}

/// Every Beluga event name rxgate knows.
pub const KNOWN_EVENTS: &[&str] = &[
    "RX_WRITTEN",
    "CONSULT_CONCLUDED",
    "CONSULT_CANCELED",
    "DOCTOR_CHAT",
    "CS_MESSAGE",
    "NAME_UPDATE",
    "PHARMACY_ORDER_CREATED",
    "PHARMACY_ORDER_IN_FULFILLMENT",
    "PHARMACY_ORDER_SHIPPED",
    "PHARMACY_ORDER_DELIVERED",
    "PACKAGE_IN_TRANSIT",
    "PACKAGE_OUT_FOR_DELIVERY",
    "PACKAGE_DELIVERED",
    "PACKAGE_DELIVERY_FAILED",
    "BOOKING_CREATED",
    "BOOKING_RESCHEDULED",
    "BOOKING_CANCELLED",
    "NO_SHOW",
    "LAB_ORDER_SHIPPED_TO_PATIENT",
    "LAB_ORDER_DELIVERED_TO_PATIENT",
    "LAB_ORDER_SHIPPED_TO_LAB",
    "LAB_ORDER_RECEIVED_BY_LAB",
    "LAB_ORDER_RESULTS",
    "LAB_ORDER_REQUISITION_CREATED",
];

/// Bodies above this size are refused unless they are lab requisitions (webhooks.md §5).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Parses a Beluga body; every problem is reported (not only the first).
pub fn parse(body: &Value) -> Result<BelugaEvent, Vec<Violation>> {
    let mut r = Reader::new(Source::Beluga);
    let root = JsonPath::root();
    let Value::Object(obj) = body else {
        r.push(
            codes::EVENT_BODY_SHAPE,
            &root,
            &[("expected", "a JSON object")],
        );
        return Err(r.violations);
    };
    let event = r.text(obj, "event", &root, true);
    let master_id = r.text(obj, "masterId", &root, true);
    let kind = match event.as_deref() {
        Some(name) => parse_kind(&mut r, obj, name.trim(), &root),
        None => None,
    };
    match (event, master_id, kind) {
        (Some(event), Some(master_id), Some(kind)) if r.violations.is_empty() => Ok(BelugaEvent {
            event: event.trim().to_owned(),
            master_id,
            kind,
        }),
        _ => Err(r.violations),
    }
}

fn parse_kind(
    r: &mut Reader,
    obj: &Map<String, Value>,
    name: &str,
    root: &JsonPath,
) -> Option<BelugaKind> {
    let kind = match name {
        "RX_WRITTEN" => rx_written(r, obj, root)?,
        "CONSULT_CONCLUDED" => consult_concluded(r, obj, root)?,
        "CONSULT_CANCELED" => BelugaKind::ConsultCanceled,
        "DOCTOR_CHAT" => BelugaKind::DoctorChat {
            content: r.text(obj, "content", root, true)?,
        },
        "CS_MESSAGE" => BelugaKind::CsMessage {
            content: r.text(obj, "content", root, true)?,
        },
        "NAME_UPDATE" => {
            let first = r.text(obj, "firstName", root, true);
            let last = r.text(obj, "lastName", root, true);
            BelugaKind::NameUpdate {
                first_name: first?,
                last_name: last?,
            }
        }
        "PHARMACY_ORDER_CREATED"
        | "PHARMACY_ORDER_IN_FULFILLMENT"
        | "PHARMACY_ORDER_SHIPPED"
        | "PHARMACY_ORDER_DELIVERED" => pharmacy_order(r, obj, name, root),
        "PACKAGE_IN_TRANSIT"
        | "PACKAGE_OUT_FOR_DELIVERY"
        | "PACKAGE_DELIVERED"
        | "PACKAGE_DELIVERY_FAILED" => package(r, obj, name, root),
        "BOOKING_CREATED" | "BOOKING_RESCHEDULED" => BelugaKind::Booking {
            status: if name == "BOOKING_CREATED" {
                AppointmentStatus::Booked
            } else {
                AppointmentStatus::Rescheduled
            },
            doc_name: r.text(obj, "docName", root, false),
            scheduled_date: Some(r.text(obj, "scheduledDate", root, true)?),
            location: r.text(obj, "location", root, false),
        },
        "BOOKING_CANCELLED" | "NO_SHOW" => BelugaKind::Booking {
            status: if name == "NO_SHOW" {
                AppointmentStatus::NoShow
            } else {
                AppointmentStatus::Cancelled
            },
            doc_name: None,
            scheduled_date: None,
            location: None,
        },
        other => lab(r, obj, other, root)?,
    };
    Some(kind)
}

/// `CONSULT_CONCLUDED`: `visitOutcome` is `prescribed` or `referred`.
fn consult_concluded(
    r: &mut Reader,
    obj: &Map<String, Value>,
    root: &JsonPath,
) -> Option<BelugaKind> {
    let at = root.key("visitOutcome");
    let outcome = r.text(obj, "visitOutcome", root, true)?;
    match outcome.trim().to_ascii_lowercase().as_str() {
        "prescribed" => Some(BelugaKind::ConsultConcluded {
            outcome: VisitOutcome::Prescribed,
        }),
        "referred" => Some(BelugaKind::ConsultConcluded {
            outcome: VisitOutcome::Referred,
        }),
        _ => {
            r.push(
                codes::EVENT_FIELD_VALUE,
                &at,
                &[
                    ("field", "visitOutcome"),
                    ("allowed", "prescribed, referred"),
                ],
            );
            None
        }
    }
}

/// `PHARMACY_ORDER_*`.
fn pharmacy_order(
    r: &mut Reader,
    obj: &Map<String, Value>,
    name: &str,
    root: &JsonPath,
) -> BelugaKind {
    let milestone = match name {
        "PHARMACY_ORDER_CREATED" => PharmacyMilestone::Created,
        "PHARMACY_ORDER_IN_FULFILLMENT" => PharmacyMilestone::InFulfillment,
        "PHARMACY_ORDER_SHIPPED" => PharmacyMilestone::Shipped,
        _ => PharmacyMilestone::Delivered,
    };
    BelugaKind::PharmacyOrder {
        milestone,
        order_id: r.text(obj, "orderId", root, false),
        info: info(r, obj, root),
    }
}

/// `PACKAGE_*`.
fn package(r: &mut Reader, obj: &Map<String, Value>, name: &str, root: &JsonPath) -> BelugaKind {
    let milestone = match name {
        "PACKAGE_IN_TRANSIT" => PackageMilestone::InTransit,
        "PACKAGE_OUT_FOR_DELIVERY" => PackageMilestone::OutForDelivery,
        "PACKAGE_DELIVERED" => PackageMilestone::Delivered,
        _ => PackageMilestone::DeliveryFailed,
    };
    BelugaKind::Package {
        milestone,
        order_id: r.text(obj, "orderId", root, false),
        info: info(r, obj, root),
    }
}

/// A lab event (`LAB_*`), else an event rxgate does not know.
fn lab(
    r: &mut Reader,
    obj: &Map<String, Value>,
    name: &str,
    root: &JsonPath,
) -> Option<BelugaKind> {
    Some(match LabMilestone::from_event(name) {
        Some(milestone) => {
            let requisition_pdf_chars = if milestone == LabMilestone::RequisitionCreated {
                Some(r.text(obj, "labReqPdf", root, true)?.len())
            } else {
                None
            };
            BelugaKind::Lab {
                milestone,
                order_id: r.text(obj, "orderId", root, false),
                info: info(r, obj, root),
                booking_link: r.text(obj, "bookingLink", root, false),
                requisition_pdf_chars,
            }
        }
        None => BelugaKind::Unknown,
    })
}

fn rx_written(r: &mut Reader, obj: &Map<String, Value>, root: &JsonPath) -> Option<BelugaKind> {
    let top = r.text(obj, "docName", root, false);
    let (doctor_name, legacy) = match top {
        Some(name) => (Some(name), false),
        None => match r.object(obj, "data", root, false) {
            Some(data) => {
                let at = root.key("data");
                let first = r.text(data, "docFirstName", &at, false);
                let last = r.text(data, "docLastName", &at, false);
                let parts: Vec<String> = [first, last].into_iter().flatten().collect();
                let name = (!parts.is_empty()).then(|| parts.join(" "));
                (name, true)
            }
            None => (None, false),
        },
    };
    let list = r.array(obj, "medsPrescribed", root)?;
    let base = root.key("medsPrescribed");
    let mut meds = Vec::new();
    let before = r.violations.len();
    for (index, value) in list.iter().enumerate() {
        let at = base.index(index);
        let Some(item) = r.element(value, &at) else {
            continue;
        };
        let med_id = r.text(item, "medId", &at, true);
        let med = PrescribedMed {
            med_id: med_id.unwrap_or_default(),
            name: r.text(item, "name", &at, false),
            strength: r.text(item, "strength", &at, false),
            refills: r.text(item, "refills", &at, false),
            quantity: r.text(item, "quantity", &at, false),
            rx_id: r.text(item, "rxId", &at, false),
            pharmacy_notes: r.text(item, "pharmacyNotes", &at, false),
        };
        meds.push(med);
    }
    (r.violations.len() == before).then_some(BelugaKind::RxWritten {
        doctor_name,
        legacy_doctor_form: legacy,
        meds,
    })
}

fn info(r: &mut Reader, obj: &Map<String, Value>, root: &JsonPath) -> TrackingInfo {
    let Some(info) = r.object(obj, "info", root, false) else {
        return TrackingInfo::default();
    };
    let at = root.key("info");
    TrackingInfo {
        carrier: r.text(info, "carrier", &at, false),
        tracking: r.text(info, "tracking", &at, false),
        tracking_url: r.text(info, "trackingUrl", &at, false),
        tracker_status: r.text(info, "trackerStatus", &at, false),
        tracker_id: r.text(info, "trackerId", &at, false),
        delivered_date: r.text(info, "deliveredDate", &at, false),
    }
}
