//! The pharmacy orders a ready route submits: the DispensePro order (webhooks.md §3, rxgate's
//! adapter contract) and the LifeFile order (the fulfillment guide's Belmar section).
//!
//! Both are built from the typed snapshot *after* the prescription arrived, so the prescriber
//! is the clinic directory's record of the doctor who wrote it ([`super::match_prescriber`])
//! and each line carries the drug's partner configuration. Whether a route may be submitted
//! at all — every required field present, the prescription boundary passed — is
//! [`super::route_fulfillment`]'s decision; these functions only shape the body, and an absent
//! optional field is sent empty (`""`) or `null` as the partner expects.
//!
//! ## What the doctor wrote (decisions.md §3)
//! Quantity and refills follow the item's prescription record (`RX_WRITTEN` / `NEW_RX_SENT`
//! `medsPrescribed`, the latest written), the drug's configuration only when the doctor left
//! them blank; NDC, sig, directions, form, quantity units and days' supply come from the drug
//! mapping. The doctor's `pharmacyNotes` of the routed items (distinct, one per line) go in
//! LifeFile's `general.memo` (the order number when there are none) and in the DispensePro
//! body's `notes` member (absent when there are none: rxgate's adapter contract, docs/host.md).
//!
//! Length caps are LifeFile's: names and city 30 characters, address line 60. State codes are
//! sent upper case whatever the app stored (`tx` → `TX`).

use super::{match_prescriber, prescribing_doctor};
use crate::contract::normalize;
use crate::order::snapshot::{
    non_blank, Address, Item, OrderSnapshot, Pharmacy, Prescriber, Prescription,
};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

fn text(value: Option<&String>) -> String {
    value.cloned().unwrap_or_default()
}

/// A state code as partners expect it ([`normalize::state`]: `tx` → `TX`); else as stored.
fn state(value: Option<&String>) -> String {
    let value = text(value);
    normalize::state(&value).unwrap_or(value)
}

fn cut(value: Option<&String>, limit: usize) -> String {
    value
        .map(|v| v.chars().take(limit).collect())
        .unwrap_or_default()
}

/// The routed items, in the snapshot's order (all of them when `item_ids` is empty).
fn routed<'a>(
    snapshot: &'a OrderSnapshot,
    item_ids: &'a [String],
) -> impl Iterator<Item = &'a Item> {
    snapshot
        .items
        .iter()
        .filter(move |item| item_ids.is_empty() || item_ids.contains(&item.id))
}

/// The prescriber of the order's prescription, from the clinic directory.
fn prescriber(snapshot: &OrderSnapshot) -> (Option<&str>, Option<&Prescriber>) {
    let doctor = prescribing_doctor(snapshot);
    (doctor, doctor.and_then(|d| match_prescriber(snapshot, d)))
}

// ---------------------------------------------------------------------------------------
// DispensePro
// ---------------------------------------------------------------------------------------

/// `POST /orders` of a DispensePro pharmacy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DispenseProOrder {
    /// The app's order id (DispensePro's idempotency key and the webhooks' `externalId`).
    pub external_id: String,
    /// The patient.
    pub patient: DispenseProPatient,
    /// The prescriber, when the directory knows the prescribing doctor.
    pub prescriber: Option<DispenseProPrescriber>,
    /// One line per routed item.
    pub lines: Vec<DispenseProLine>,
    /// The doctor's pharmacy notes for the routed items (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The patient of a DispensePro order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DispenseProPatient {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Sex as the app records it.
    pub gender: String,
    /// `MMDDYYYY`.
    pub dob: String,
    /// Phone as the app records it.
    pub phone: String,
    /// Street line.
    pub address: String,
    /// City.
    pub city: String,
    /// State.
    pub state: String,
    /// ZIP.
    pub zip: String,
}

/// The prescriber of a DispensePro order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DispenseProPrescriber {
    /// NPI.
    pub npi: String,
    /// Name as the directory spells it.
    pub name: String,
}

/// One line of a DispensePro order: the drug's DispensePro Rx configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DispenseProLine {
    /// NDC.
    pub ndc: Option<String>,
    /// Quantity.
    pub quantity: Option<String>,
    /// Refills.
    pub refills: Option<String>,
    /// Directions.
    pub sig: Option<String>,
    /// Days supply.
    pub days_supply: Option<String>,
}

/// A date of birth in a partner's format: the app stores ISO `YYYY-MM-DD` or US
/// `MM/DD/YYYY`; anything else is passed on as stored (the route's requirements flag it).
fn birth_date(dob: Option<&String>, format: &str) -> String {
    let dob = text(dob);
    normalize::parse_date(&dob)
        .map(|d| d.format(format).to_string())
        .unwrap_or(dob)
}

/// The prescription record of an item (`RX_WRITTEN` / `NEW_RX_SENT`), the latest written.
pub(super) fn prescription_of<'a>(
    snapshot: &'a OrderSnapshot,
    item: &Item,
) -> Option<&'a Prescription> {
    snapshot
        .order
        .prescriptions
        .iter()
        .filter(|p| p.item_id.as_deref() == Some(item.id.as_str()))
        .max_by_key(|p| p.written_at)
}

/// What the doctor wrote, else the drug's configuration (quantity, refills).
fn prescribed(written: Option<&String>, configured: Option<&String>) -> Option<String> {
    non_blank(written)
        .or(non_blank(configured))
        .map(str::to_owned)
}

/// The doctor's pharmacy notes of the routed items, distinct, one per line.
fn pharmacy_notes(snapshot: &OrderSnapshot, item_ids: &[String]) -> Option<String> {
    let mut notes: Vec<&str> = Vec::new();
    for item in routed(snapshot, item_ids) {
        let note =
            prescription_of(snapshot, item).and_then(|p| non_blank(p.pharmacy_notes.as_ref()));
        if let Some(note) = note.filter(|n| !notes.contains(n)) {
            notes.push(note);
        }
    }
    (!notes.is_empty()).then(|| notes.join("\n"))
}

/// The DispensePro order for the routed `item_ids` of `snapshot`.
pub fn dispensepro_order(snapshot: &OrderSnapshot, item_ids: &[String]) -> DispenseProOrder {
    let patient = &snapshot.patient;
    let address = snapshot.patient.ship_to();
    let field = |f: fn(&Address) -> Option<&String>| text(address.and_then(f));
    let lines = routed(snapshot, item_ids)
        .map(|item| {
            let rx = item.drug.as_ref().and_then(|d| d.dispense_pro.as_ref());
            let written = prescription_of(snapshot, item);
            DispenseProLine {
                ndc: rx.and_then(|r| r.ndc.clone()),
                quantity: prescribed(
                    written.and_then(|p| p.quantity.as_ref()),
                    rx.and_then(|r| r.quantity.as_ref()),
                ),
                refills: prescribed(
                    written.and_then(|p| p.refills.as_ref()),
                    rx.and_then(|r| r.refills.as_ref()),
                ),
                sig: rx.and_then(|r| r.sig.clone()),
                days_supply: rx.and_then(|r| r.days_supply.clone()),
            }
        })
        .collect();
    DispenseProOrder {
        external_id: snapshot
            .order
            .id
            .clone()
            .unwrap_or_else(|| snapshot.order.number.clone()),
        patient: DispenseProPatient {
            first_name: text(patient.first_name.as_ref()),
            last_name: text(patient.last_name.as_ref()),
            gender: text(patient.sex.as_ref()),
            dob: birth_date(patient.dob.as_ref(), "%m%d%Y"),
            phone: text(patient.phone.as_ref()),
            address: field(|a| a.line1.as_ref()),
            city: field(|a| a.city.as_ref()),
            state: state(address.and_then(|a| a.state.as_ref())),
            zip: field(|a| a.zip.as_ref()),
        },
        prescriber: prescriber(snapshot).1.map(|p| DispenseProPrescriber {
            npi: text(p.npi.as_ref()),
            name: p.name.clone(),
        }),
        lines,
        notes: pharmacy_notes(snapshot, item_ids),
    }
}

// ---------------------------------------------------------------------------------------
// DispensePro manual actions (webhooks.md §3 names them; the shapes are rxgate's contract)
// ---------------------------------------------------------------------------------------

/// A staff action on an order DispensePro accepted, addressed by DispensePro's order `id`:
///
/// | action | request | body |
/// | --- | --- | --- |
/// | `status` | `GET /orders/{id}` | — |
/// | `refill` | `POST /orders/{id}/refill` | [`DispenseProRefill`] |
/// | `void` | `POST /orders/{id}/void` | [`DispenseProVoid`] |
///
/// Every action answers the order as DispensePro holds it ([`DispenseProOrderAnswer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DispenseProAction {
    /// Get the order's status.
    Status,
    /// Ask for a refill of a delivered order.
    Refill,
    /// Void an order that has not shipped.
    Void,
}

impl DispenseProAction {
    /// The action's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Refill => "refill",
            Self::Void => "void",
        }
    }

    /// The partner path of the action on DispensePro's order `id`.
    pub fn path(self, id: &str) -> String {
        match self {
            Self::Status => format!("/orders/{id}"),
            Self::Refill => format!("/orders/{id}/refill"),
            Self::Void => format!("/orders/{id}/void"),
        }
    }
}

/// `POST /orders/{id}/refill`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DispenseProRefill {
    /// The app's order id.
    pub external_id: String,
    /// `{externalId}:refill:{n}` with `n` the refill's number (1 for the first): DispensePro
    /// fills one refill per request id, so a request sent twice refills once.
    pub request_id: String,
}

/// `POST /orders/{id}/void`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DispenseProVoid {
    /// The app's order id.
    pub external_id: String,
    /// Why staff void it.
    pub reason: String,
}

/// DispensePro's answer to a manual action: the order as it holds it. Unknown members are
/// ignored; `status` is one of the seven statuses of the webhooks (`authorized`,
/// `submitted`, `filled`, `shipped`, `delivered`, `voided`, `failed`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DispenseProOrderAnswer {
    /// DispensePro's order id.
    #[serde(default)]
    pub id: Option<String>,
    /// The app's order id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// The order's status.
    #[serde(default)]
    pub status: Option<String>,
    /// A refill's id (refill only).
    #[serde(default)]
    pub refill_id: Option<String>,
}

// ---------------------------------------------------------------------------------------
// LifeFile
// ---------------------------------------------------------------------------------------

/// `POST /order` of a LifeFile pharmacy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LifeFileOrder {
    /// The message envelope.
    pub message: LifeFileMessage,
    /// The order.
    pub order: LifeFileOrderBody,
}

/// LifeFile's message envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LifeFileMessage {
    /// Unique per submission (the outbox dedupe key).
    pub id: String,
    /// RFC 3339.
    pub sent_time: String,
}

/// The order of a LifeFile submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LifeFileOrderBody {
    /// Reference (our order id) and memo (the order number).
    pub general: LifeFileGeneral,
    /// The prescriber.
    pub prescriber: LifeFilePrescriber,
    /// The pharmacy's practice id.
    pub practice: LifeFilePractice,
    /// The patient.
    pub patient: LifeFilePatient,
    /// Where to ship.
    pub shipping: LifeFileShipping,
    /// Who pays (`pat`: the patient).
    pub billing: LifeFileBilling,
    /// One prescription per routed item.
    pub rxs: Vec<LifeFileRx>,
}

/// `order.general`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LifeFileGeneral {
    /// Our order id: LifeFile pushes it back as `referenceId`.
    pub reference_id: String,
    /// The order number.
    pub memo: String,
}

/// `order.prescriber`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LifeFilePrescriber {
    /// NPI.
    pub npi: String,
    /// License state.
    pub license_state: String,
    /// License number.
    pub license_number: String,
    /// DEA number.
    pub dea: String,
    /// First name (the doctor's name without `Dr. `, first word).
    pub first_name: String,
    /// Last name (the rest).
    pub last_name: String,
    /// Street line.
    pub address1: String,
    /// City.
    pub city: String,
    /// State.
    pub state: String,
    /// ZIP.
    pub zip: String,
    /// Phone.
    pub phone: String,
}

/// `order.practice`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LifeFilePractice {
    /// The practice id LifeFile gave the clinic for this pharmacy.
    pub id: String,
}

/// `order.patient`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LifeFilePatient {
    /// First name.
    pub first_name: String,
    /// Last name (30 characters).
    pub last_name: String,
    /// `m`, `f` or `u`.
    pub gender: &'static str,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// Street line.
    pub address1: String,
    /// City.
    pub city: String,
    /// State.
    pub state: String,
    /// ZIP.
    pub zip: String,
    /// Always `US`.
    pub country: &'static str,
    /// `(NNN) NNN-NNNN` when the phone has 10 national digits, else as stored.
    pub phone_mobile: String,
}

/// `order.shipping`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LifeFileShipping {
    /// Always `patient`.
    pub recipient_type: &'static str,
    /// First name (30).
    pub recipient_first_name: String,
    /// Last name (30).
    pub recipient_last_name: String,
    /// Street line (60).
    pub address_line1: String,
    /// City (30).
    pub city: String,
    /// State.
    pub state: String,
    /// ZIP.
    pub zip_code: String,
    /// Always `US`.
    pub country: &'static str,
    /// The pharmacy's LifeFile shipping service code.
    pub service: Option<u32>,
}

/// `order.billing`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LifeFileBilling {
    /// Always `pat`.
    pub payor_type: &'static str,
}

/// One prescription of a LifeFile order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LifeFileRx {
    /// Always `new`.
    pub rx_type: &'static str,
    /// Drug name.
    pub drug_name: String,
    /// Drug strength.
    pub drug_strength: String,
    /// LifeFile drug form.
    pub drug_form: Option<String>,
    /// LifeFile product id.
    #[serde(rename = "lfProductID")]
    pub lf_product_id: Option<String>,
    /// Quantity.
    pub quantity: Option<String>,
    /// Quantity units.
    pub quantity_units: Option<String>,
    /// Directions.
    pub directions: Option<String>,
    /// Refills (the drug's).
    pub refills: Option<String>,
    /// `YYYY-MM-DD` of the item's prescription, empty when unknown.
    pub date_written: String,
    /// Days supply.
    pub days_supply: Option<String>,
}

fn lifefile_gender(sex: Option<&String>) -> &'static str {
    match sex.map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("male" | "m") => "m",
        Some("female" | "f") => "f",
        _ => "u",
    }
}

/// `(NNN) NNN-NNNN` for a phone of 10 national digits (a leading `1` dropped), else as given.
fn lifefile_phone(phone: &str) -> String {
    match normalize::phone(phone) {
        Ok(national) => match (national.get(0..3), national.get(3..6), national.get(6..)) {
            (Some(a), Some(b), Some(c)) => format!("({a}) {b}-{c}"),
            _ => phone.to_owned(),
        },
        Err(_) => phone.to_owned(),
    }
}

/// The LifeFile order for the routed `item_ids` of `snapshot` at `pharmacy`, sent as message
/// `message_id` at `sent_at`.
pub fn lifefile_order(
    snapshot: &OrderSnapshot,
    pharmacy: Option<&Pharmacy>,
    item_ids: &[String],
    message_id: &str,
    sent_at: DateTime<Utc>,
) -> LifeFileOrder {
    let patient = &snapshot.patient;
    let address = snapshot.patient.ship_to();
    let field = |f: fn(&Address) -> Option<&String>| address.and_then(f);
    let ids = pharmacy.and_then(|p| p.life_file.as_ref());
    let rxs = lifefile_rxs(snapshot, item_ids);
    LifeFileOrder {
        message: LifeFileMessage {
            id: message_id.to_owned(),
            sent_time: sent_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        },
        order: LifeFileOrderBody {
            general: LifeFileGeneral {
                reference_id: snapshot
                    .order
                    .id
                    .clone()
                    .unwrap_or_else(|| snapshot.order.number.clone()),
                // The doctor's pharmacy notes; the order number when there are none.
                memo: pharmacy_notes(snapshot, item_ids)
                    .unwrap_or_else(|| snapshot.order.number.clone()),
            },
            prescriber: lifefile_prescriber(snapshot),
            practice: LifeFilePractice {
                id: text(ids.and_then(|i| i.practice_id.as_ref())),
            },
            patient: LifeFilePatient {
                first_name: text(patient.first_name.as_ref()),
                last_name: cut(patient.last_name.as_ref(), 30),
                gender: lifefile_gender(patient.sex.as_ref()),
                date_of_birth: birth_date(patient.dob.as_ref(), "%Y-%m-%d"),
                address1: text(field(|a| a.line1.as_ref())),
                city: text(field(|a| a.city.as_ref())),
                state: state(field(|a| a.state.as_ref())),
                zip: text(field(|a| a.zip.as_ref())),
                country: "US",
                phone_mobile: lifefile_phone(&text(patient.phone.as_ref())),
            },
            shipping: LifeFileShipping {
                recipient_type: "patient",
                recipient_first_name: cut(patient.first_name.as_ref(), 30),
                recipient_last_name: cut(patient.last_name.as_ref(), 30),
                address_line1: cut(field(|a| a.line1.as_ref()), 60),
                city: cut(field(|a| a.city.as_ref()), 30),
                state: state(field(|a| a.state.as_ref())),
                zip_code: text(field(|a| a.zip.as_ref())),
                country: "US",
                service: ids.and_then(|i| i.shipping_service),
            },
            billing: LifeFileBilling { payor_type: "pat" },
            rxs,
        },
    }
}

/// The LifeFile `rxs` of the routed items.
fn lifefile_rxs(snapshot: &OrderSnapshot, item_ids: &[String]) -> Vec<LifeFileRx> {
    routed(snapshot, item_ids)
        .map(|item| {
            let drug = item.drug.as_ref();
            let lf = drug.and_then(|d| d.life_file.as_ref());
            let prescription = prescription_of(snapshot, item);
            let written = prescription.and_then(|p| p.written_at);
            LifeFileRx {
                rx_type: "new",
                drug_name: drug.map(|d| d.name.clone()).unwrap_or_default(),
                drug_strength: text(drug.and_then(|d| d.strength.as_ref())),
                drug_form: lf.and_then(|r| r.drug_form.clone()),
                lf_product_id: lf.and_then(|r| r.product_id.clone()),
                quantity: prescribed(
                    prescription.and_then(|p| p.quantity.as_ref()),
                    lf.and_then(|r| r.quantity.as_ref()),
                ),
                quantity_units: lf.and_then(|r| r.quantity_units.clone()),
                directions: lf.and_then(|r| r.directions.clone()),
                refills: prescribed(
                    prescription.and_then(|p| p.refills.as_ref()),
                    drug.and_then(|d| d.refills.as_ref()),
                ),
                date_written: written
                    .map(|w| w.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                days_supply: lf.and_then(|r| r.days_supply.clone()),
            }
        })
        .collect()
}

/// The LifeFile prescriber: the prescribing doctor's name, the rest from the clinic's
/// directory.
fn lifefile_prescriber(snapshot: &OrderSnapshot) -> LifeFilePrescriber {
    let (doctor, directory) = prescriber(snapshot);
    let doctor = doctor.unwrap_or_default();
    let mut names = doctor.trim_start_matches("Dr. ").splitn(2, ' ');
    let (first, last) = (names.next(), names.next());
    let from_directory = |f: fn(&Prescriber) -> Option<&String>| text(directory.and_then(f));
    let office = |f: fn(&Address) -> Option<&String>| {
        text(directory.and_then(|p| p.address.as_ref()).and_then(f))
    };
    LifeFilePrescriber {
        npi: from_directory(|p| p.npi.as_ref()),
        license_state: from_directory(|p| p.license_state.as_ref()),
        license_number: from_directory(|p| p.license_number.as_ref()),
        dea: from_directory(|p| p.dea.as_ref()),
        first_name: first.unwrap_or_default().to_owned(),
        last_name: last.unwrap_or_default().to_owned(),
        address1: office(|a| a.line1.as_ref()),
        city: office(|a| a.city.as_ref()),
        state: state(
            directory
                .and_then(|p| p.address.as_ref())
                .and_then(|a| a.state.as_ref()),
        ),
        zip: office(|a| a.zip.as_ref()),
        phone: from_directory(|p| p.phone.as_ref()),
    }
}

#[cfg(test)]
#[expect(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    reason = "tests index JSON answers and read a committed fixture"
)]
mod tests {
    use super::*;
    use crate::order::snapshot::parse_snapshot_str;
    use serde_json::json;

    #[test]
    fn dates_and_phones_take_the_partner_forms() {
        let iso = Some("1986-03-14".to_owned());
        let us = Some("05/22/1979".to_owned());
        assert_eq!(birth_date(iso.as_ref(), "%m%d%Y"), "03141986");
        assert_eq!(birth_date(us.as_ref(), "%m%d%Y"), "05221979");
        assert_eq!(birth_date(us.as_ref(), "%Y-%m-%d"), "1979-05-22");
        assert_eq!(birth_date(Some(&"soon".to_owned()), "%m%d%Y"), "soon");
        assert_eq!(lifefile_phone("+1 (737) 204-6619"), "(737) 204-6619");
        assert_eq!(lifefile_phone("7372046619"), "(737) 204-6619");
        assert_eq!(lifefile_phone("204-6619"), "204-6619");
        assert_eq!(lifefile_gender(Some(&"Female".to_owned())), "f");
        assert_eq!(lifefile_gender(None), "u");
        assert_eq!(state(Some(&" tx".to_owned())), "TX");
    }

    /// The Belmar fixture's Colorado item: one LifeFile order for that pharmacy only, with the
    /// shipping address, the directory's prescriber and the item's LifeFile product.
    #[test]
    fn a_lifefile_order_carries_only_its_pharmacys_items() {
        let snapshot = parse_snapshot_str(include_str!(
            "../../../tests/fixtures/order-belmar-split.json"
        ))
        .unwrap();
        let pharmacy = snapshot.pharmacy("ph_belmar_co");
        let at = DateTime::parse_from_rfc3339("2026-11-22T16:06:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let order = lifefile_order(&snapshot, pharmacy, &["item_1".to_owned()], "msg-1", at);
        let body = serde_json::to_value(&order).unwrap();
        assert_eq!(
            body["message"],
            json!({"id": "msg-1", "sentTime": "2026-11-22T16:06:00Z"})
        );
        assert_eq!(body["order"]["general"]["referenceId"], "ord_7730");
        assert_eq!(body["order"]["practice"]["id"], "P-55012");
        assert_eq!(body["order"]["shipping"]["service"], 3);
        assert_eq!(body["order"]["shipping"]["addressLine1"], "2200 Market St");
        assert_eq!(body["order"]["patient"]["dateOfBirth"], "1979-05-22");
        assert_eq!(body["order"]["patient"]["phoneMobile"], "(303) 482-7716");
        assert_eq!(body["order"]["patient"]["gender"], "m");
        assert_eq!(body["order"]["prescriber"]["lastName"], "Whitaker");
        assert_eq!(body["order"]["prescriber"]["npi"], "1234567893");
        let rxs = body["order"]["rxs"].as_array().unwrap();
        assert_eq!(rxs.len(), 1);
        assert_eq!(rxs[0]["lfProductID"], "LF-88213");
        assert_eq!(rxs[0]["dateWritten"], "2026-11-22");
        assert_eq!(rxs[0]["refills"], "2");
    }

    #[test]
    fn a_dispensepro_order_has_a_line_per_routed_item() {
        let snapshot = parse_snapshot_str(include_str!(
            "../../../tests/fixtures/order-belmar-split.json"
        ))
        .unwrap();
        let order = dispensepro_order(&snapshot, &[]);
        assert_eq!(order.lines.len(), snapshot.items.len());
        assert_eq!(order.external_id, "ord_7730");
        assert_eq!(order.patient.dob, "05221979");
        assert_eq!(order.patient.address, "2200 Market St");
    }
}
