//! The nine outbound Beluga request bodies, typed, with the member names exactly as the API
//! reference spells them (`formObj`, `consentsSigned`, `Q1`/`A1`, `patientPreference`, …).
//!
//! Every member is a [`Slot`], so a body that breaks the contract still reads completely and
//! each problem can be reported at its own path (see [`super::wire`]). Callers that build a
//! body fill the slots with values (`"CA".into()`) and serialize it; absent slots are left out.
//!
//! Visit creation and lab results share [`IntakeRequest`]/[`IntakeForm`]: the lab form adds
//! `testToTreat` and `results`. The form keeps its custom questions as [`QaEntry`] values in
//! the order they were found, read by a hand-written map visitor — `#[serde(flatten)]` would
//! cost about twice the parse.

use super::wire::{FromKey, KeyName, Slot};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// `Q` or `A` of a custom question pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QaSide {
    /// `Qn`, the question text.
    Question,
    /// `An`, the answer text.
    Answer,
}

impl QaSide {
    /// `Q` or `A`.
    pub fn letter(self) -> char {
        match self {
            QaSide::Question => 'Q',
            QaSide::Answer => 'A',
        }
    }
}

/// One `Qn` or `An` member of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct QaEntry {
    /// Question or answer.
    pub side: QaSide,
    /// The number `n`.
    pub number: u32,
    /// The member name when it is not the canonical `Qn`/`An` (a leading zero, `Q0`).
    pub raw_key: Option<String>,
    /// The text.
    pub text: Slot<String>,
}

impl QaEntry {
    /// A canonical entry (`Q3`, `A3`).
    pub fn new(side: QaSide, number: u32, text: impl Into<String>) -> Self {
        Self {
            side,
            number,
            raw_key: None,
            text: Slot::Value(text.into()),
        }
    }

    /// The member name as found.
    pub fn key(&self) -> String {
        match &self.raw_key {
            Some(raw) => raw.clone(),
            None => format!("{}{}", self.side.letter(), self.number),
        }
    }
}

/// A `patientPreference` item: the medication the patient prefers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Preference {
    /// Drug name.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub name: Slot<String>,
    /// Strength.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub strength: Slot<String>,
    /// Quantity.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub quantity: Slot<String>,
    /// Refills.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub refills: Slot<String>,
    /// Days' supply (optional on visit creation, required on `updateVisit`).
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub days_supply: Slot<String>,
    /// Beluga medication id (the drug's `belugaMedId`, else its `DIN`).
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub med_id: Slot<String>,
}

/// A lab `results[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LabResult {
    /// `MM/DD/YYYY`.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub screening_date: Slot<String>,
    /// Test name.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub test_name: Slot<String>,
    /// Result value.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub test_result: Slot<String>,
    /// Units, `N/A` when not applicable.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub test_result_units: Slot<String>,
    /// Reference range, `N/A` when not applicable.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub ref_range: Slot<String>,
    /// `H`, `L`, `N` or `N/A`.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub status_indicator: Slot<String>,
    /// `MM/DD/YYYY`.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub report_date: Slot<String>,
    /// `URINE`, `BLOOD`, `SALIVA`, `VAGINAL`, `RECTAL` or `SEMEN`.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub sample_source: Slot<String>,
}

/// An image or document: `{mime, data}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Media {
    /// `image/jpeg` for photos, `application/pdf` for the PDF endpoint.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub mime: Slot<String>,
    /// Plain base64, no `data:` prefix.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub data: Slot<String>,
}

/// `external/receivePhotos`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PhotosRequest {
    /// The `visitId` (or `masterId`) of the visit.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub visit_id: Slot<String>,
    /// JPEG images.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub images: Slot<Vec<Slot<Media>>>,
}

/// `external/receivePdf`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PdfRequest {
    /// The `visitId` (or `masterId`) of the visit.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub visit_id: Slot<String>,
    /// The PDF.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub image: Slot<Media>,
}

/// `external/receiveChat`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ChatRequest {
    /// Patient first name.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub first_name: Slot<String>,
    /// Patient last name.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub last_name: Slot<String>,
    /// The message text, or a base64 JPEG when `isMedia`.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub content: Slot<String>,
    /// Whether `content` is an image.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub is_media: Slot<bool>,
    /// The visit's `masterId`.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub master_id: Slot<String>,
}

/// `external/receiveCSMessage`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CsMessageRequest {
    /// The message text.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub content: Slot<String>,
    /// The visit's `masterId`.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub master_id: Slot<String>,
}

/// `external/patientName`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PatientNameRequest {
    /// The visit's `masterId`.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub master_id: Slot<String>,
    /// New first name.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub first_name: Slot<String>,
    /// New last name.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub last_name: Slot<String>,
}

/// `external/pharmacies` (at least one parameter).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PharmacySearchRequest {
    /// Store name.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub name: Slot<String>,
    /// City.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub city: Slot<String>,
    /// Two capital letters.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub state: Slot<String>,
    /// Five digits.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub zip: Slot<String>,
}

/// `external/updateVisit`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UpdateVisitRequest {
    /// The new preferences (`daysSupply` required).
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub patient_preference: Slot<Vec<Slot<Preference>>>,
    /// Beluga pharmacy id, a JSON string.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub pharmacy_id: Slot<String>,
    /// The visit's `masterId`.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub master_id: Slot<String>,
    /// The API key, in the body on this endpoint (never logged or echoed).
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub api_key: Slot<String>,
}

crate::accept_object!(
    Preference,
    LabResult,
    Media,
    IntakeForm,
    PhotosRequest,
    PdfRequest,
    ChatRequest,
    CsMessageRequest,
    PatientNameRequest,
    PharmacySearchRequest,
    UpdateVisitRequest,
    IntakeRequest,
);

/// The `formObj` of visit creation and lab results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntakeForm {
    /// `consentsSigned`, `true` only.
    pub consents_signed: Slot<bool>,
    /// `firstName`.
    pub first_name: Slot<String>,
    /// `lastName`.
    pub last_name: Slot<String>,
    /// `dob`, `MM/DD/YYYY`.
    pub dob: Slot<String>,
    /// `phone`, ten digits.
    pub phone: Slot<String>,
    /// `email`.
    pub email: Slot<String>,
    /// `address`.
    pub address: Slot<String>,
    /// `city`.
    pub city: Slot<String>,
    /// `state`, two capitals.
    pub state: Slot<String>,
    /// `zip`, five digits.
    pub zip: Slot<String>,
    /// `sex`, `Male` or `Female`.
    pub sex: Slot<String>,
    /// `selfReportedMeds`.
    pub self_reported_meds: Slot<String>,
    /// `allergies`.
    pub allergies: Slot<String>,
    /// `medicalConditions`.
    pub medical_conditions: Slot<String>,
    /// `patientPreference`.
    pub patient_preference: Slot<Vec<Slot<Preference>>>,
    /// `testToTreat` (lab only).
    pub test_to_treat: Slot<bool>,
    /// `results` (lab only).
    pub results: Slot<Vec<Slot<LabResult>>>,
    /// `Qn`/`An` members in the order found.
    pub questions: Vec<QaEntry>,
    /// Member names the endpoints do not define, in the order found.
    pub unknown: Vec<String>,
    /// Member names that appeared more than once (the last occurrence is kept).
    pub duplicates: Vec<String>,
}

/// Visit creation (`visit/createNoPayPhotos`) and lab results (`lab/receiveLabResults`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntakeRequest {
    /// `formObj`.
    pub form_obj: Slot<IntakeForm>,
    /// `pharmacyId`, a JSON string.
    pub pharmacy_id: Slot<String>,
    /// `masterId`, generated once per visit.
    pub master_id: Slot<String>,
    /// `company`.
    pub company: Slot<String>,
    /// `visitType`.
    pub visit_type: Slot<String>,
    /// Member names the endpoints do not define, in the order found.
    pub unknown: Vec<String>,
    /// Member names that appeared more than once.
    pub duplicates: Vec<String>,
}

/// Declares a key enum, its member names and the map visitor of a hand-read struct.
macro_rules! keyed_struct {
    (
        $ty:ident, $key:ident, $expect:literal,
        { $($variant:ident = $name:literal => $field:ident),* $(,)? },
        qa = $qa:tt
    ) => {
        enum $key {
            $($variant,)*
            Qa(QaSide, u32),
            Other,
        }

        /// A key with the member name kept for unknown and non-canonical names.
        struct Keyed($key, Option<String>);

        impl FromKey for Keyed {
            fn from_key(name: &str) -> Self {
                match name {
                    $($name => Keyed($key::$variant, None),)*
                    _ => match qa_key(name) {
                        Some((side, n, canonical)) if $qa => Keyed(
                            $key::Qa(side, n),
                            (!canonical).then(|| name.to_owned()),
                        ),
                        _ => Keyed($key::Other, Some(name.to_owned())),
                    },
                }
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expect)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$ty, A::Error> {
                        let mut out = $ty::default();
                        while let Some(KeyName(Keyed(key, raw))) = map.next_key::<KeyName<Keyed>>()? {
                            match key {
                                $($key::$variant => {
                                    let value = map.next_value()?;
                                    if !out.$field.is_absent() {
                                        out.duplicates.push($name.to_owned());
                                    }
                                    out.$field = value;
                                })*
                                $key::Qa(side, number) => {
                                    let text = map.next_value()?;
                                    let entry = QaEntry { side, number, raw_key: raw, text };
                                    push_qa(&mut out_questions!(out, $qa), &mut out.duplicates, entry);
                                }
                                $key::Other => {
                                    map.next_value::<de::IgnoredAny>()?;
                                    let name = raw.unwrap_or_default();
                                    if out.unknown.contains(&name) {
                                        out.duplicates.push(name);
                                    } else {
                                        out.unknown.push(name);
                                    }
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(V)
            }
        }
    };
}

/// The question list of a struct that has one; a throwaway list otherwise.
macro_rules! out_questions {
    ($out:ident, true) => {
        $out.questions
    };
    ($out:ident, false) => {
        Vec::new()
    };
}

/// Parses `Qn`/`An`: the side, the number, and whether the name is canonical (no leading
/// zero, not zero).
fn qa_key(name: &str) -> Option<(QaSide, u32, bool)> {
    let mut chars = name.chars();
    let side = match chars.next()? {
        'Q' => QaSide::Question,
        'A' => QaSide::Answer,
        _ => return None,
    };
    let digits = chars.as_str();
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u32 = digits.parse().ok()?;
    let canonical = number > 0 && !digits.starts_with('0');
    Some((side, number, canonical))
}

fn push_qa(questions: &mut Vec<QaEntry>, duplicates: &mut Vec<String>, entry: QaEntry) {
    match questions
        .iter_mut()
        .find(|q| q.side == entry.side && q.number == entry.number && q.raw_key == entry.raw_key)
    {
        Some(existing) => {
            duplicates.push(entry.key());
            *existing = entry;
        }
        None => questions.push(entry),
    }
}

keyed_struct!(
    IntakeForm, FormKey, "the formObj object",
    {
        ConsentsSigned = "consentsSigned" => consents_signed,
        FirstName = "firstName" => first_name,
        LastName = "lastName" => last_name,
        Dob = "dob" => dob,
        Phone = "phone" => phone,
        Email = "email" => email,
        Address = "address" => address,
        City = "city" => city,
        State = "state" => state,
        Zip = "zip" => zip,
        Sex = "sex" => sex,
        SelfReportedMeds = "selfReportedMeds" => self_reported_meds,
        Allergies = "allergies" => allergies,
        MedicalConditions = "medicalConditions" => medical_conditions,
        PatientPreference = "patientPreference" => patient_preference,
        TestToTreat = "testToTreat" => test_to_treat,
        Results = "results" => results,
    },
    qa = true
);

mod top {
    use super::*;
    keyed_struct!(
        IntakeRequest, TopKey, "a visit or lab request object",
        {
            FormObj = "formObj" => form_obj,
            PharmacyId = "pharmacyId" => pharmacy_id,
            MasterId = "masterId" => master_id,
            Company = "company" => company,
            VisitType = "visitType" => visit_type,
        },
        qa = false
    );
}

impl IntakeForm {
    /// The members of the form in serialization order, with their names.
    fn members(&self) -> [(&'static str, Member<'_>); 17] {
        [
            ("consentsSigned", Member::Bool(&self.consents_signed)),
            ("firstName", Member::Text(&self.first_name)),
            ("lastName", Member::Text(&self.last_name)),
            ("dob", Member::Text(&self.dob)),
            ("phone", Member::Text(&self.phone)),
            ("email", Member::Text(&self.email)),
            ("address", Member::Text(&self.address)),
            ("city", Member::Text(&self.city)),
            ("state", Member::Text(&self.state)),
            ("zip", Member::Text(&self.zip)),
            ("sex", Member::Text(&self.sex)),
            ("selfReportedMeds", Member::Text(&self.self_reported_meds)),
            ("allergies", Member::Text(&self.allergies)),
            ("medicalConditions", Member::Text(&self.medical_conditions)),
            ("testToTreat", Member::Bool(&self.test_to_treat)),
            ("results", Member::Results(&self.results)),
            (
                "patientPreference",
                Member::Preferences(&self.patient_preference),
            ),
        ]
    }
}

enum Member<'a> {
    Bool(&'a Slot<bool>),
    Text(&'a Slot<String>),
    Results(&'a Slot<Vec<Slot<LabResult>>>),
    Preferences(&'a Slot<Vec<Slot<Preference>>>),
}

impl Member<'_> {
    fn is_absent(&self) -> bool {
        match self {
            Member::Bool(s) => s.is_absent(),
            Member::Text(s) => s.is_absent(),
            Member::Results(s) => s.is_absent(),
            Member::Preferences(s) => s.is_absent(),
        }
    }
}

impl Serialize for Member<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Member::Bool(s) => s.serialize(serializer),
            Member::Text(s) => s.serialize(serializer),
            Member::Results(s) => s.serialize(serializer),
            Member::Preferences(s) => s.serialize(serializer),
        }
    }
}

impl Serialize for IntakeForm {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, member) in self.members() {
            if !member.is_absent() {
                map.serialize_entry(name, &member)?;
            }
        }
        for entry in &self.questions {
            if !entry.text.is_absent() {
                map.serialize_entry(&entry.key(), &entry.text)?;
            }
        }
        map.end()
    }
}

impl Serialize for IntakeRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if !self.form_obj.is_absent() {
            map.serialize_entry("formObj", &self.form_obj)?;
        }
        for (name, slot) in [
            ("pharmacyId", &self.pharmacy_id),
            ("masterId", &self.master_id),
            ("company", &self.company),
            ("visitType", &self.visit_type),
        ] {
            if !slot.is_absent() {
                map.serialize_entry(name, slot)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::wire::JsonType;

    #[test]
    fn form_reads_questions_unknown_and_duplicate_members() -> Result<(), serde_json::Error> {
        let form: IntakeForm = serde_json::from_str(
            r#"{"firstName":"x","Q1":"q","A1":"a","Q02":"z","extra":1,"firstName":"y","phone":5}"#,
        )?;
        assert_eq!(form.first_name, Slot::Value("y".to_owned()));
        assert_eq!(form.phone, Slot::Wrong(JsonType::Number));
        assert_eq!(form.duplicates, vec!["firstName".to_owned()]);
        assert_eq!(form.unknown, vec!["extra".to_owned()]);
        let keys: Vec<String> = form.questions.iter().map(QaEntry::key).collect();
        assert_eq!(keys, vec!["Q1", "A1", "Q02"]);
        Ok(())
    }

    #[test]
    fn request_round_trips_through_serialization() -> Result<(), serde_json::Error> {
        let text = r#"{"formObj":{"consentsSigned":true,"firstName":"x","patientPreference":[{"name":"n","medId":"m"}],"Q1":"q","A1":"a"},"pharmacyId":"1","masterId":"m","company":"c","visitType":"v"}"#;
        let request: IntakeRequest = serde_json::from_str(text)?;
        assert!(request.unknown.is_empty());
        let back = serde_json::to_value(&request)?;
        let original: serde_json::Value = serde_json::from_str(text)?;
        assert_eq!(back, original);
        Ok(())
    }
}
