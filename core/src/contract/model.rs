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

use super::wire::{FromKey, KeyName, Slot, Text};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;

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
pub struct QaEntry<'a> {
    /// Question or answer.
    pub side: QaSide,
    /// The number `n`.
    pub number: u32,
    /// The member name when it is not the canonical `Qn`/`An` (a leading zero, `Q0`).
    pub raw_key: Option<String>,
    /// The text.
    pub text: Slot<Text<'a>>,
}

impl<'a> QaEntry<'a> {
    /// A canonical entry (`Q3`, `A3`).
    pub fn new(side: QaSide, number: u32, text: impl Into<Text<'a>>) -> Self {
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
pub struct Preference<'a> {
    /// Drug name.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub name: Slot<Text<'a>>,
    /// Strength.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub strength: Slot<Text<'a>>,
    /// Quantity.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub quantity: Slot<Text<'a>>,
    /// Refills.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub refills: Slot<Text<'a>>,
    /// Days' supply (optional on visit creation, required on `updateVisit`).
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub days_supply: Slot<Text<'a>>,
    /// Beluga medication id (the drug's `belugaMedId`, else its `DIN`).
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub med_id: Slot<Text<'a>>,
}

/// A lab `results[]` item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LabResult<'a> {
    /// `MM/DD/YYYY`.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub screening_date: Slot<Text<'a>>,
    /// Test name.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub test_name: Slot<Text<'a>>,
    /// Result value.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub test_result: Slot<Text<'a>>,
    /// Units, `N/A` when not applicable.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub test_result_units: Slot<Text<'a>>,
    /// Reference range, `N/A` when not applicable.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub ref_range: Slot<Text<'a>>,
    /// `H`, `L`, `N` or `N/A`.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub status_indicator: Slot<Text<'a>>,
    /// `MM/DD/YYYY`.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub report_date: Slot<Text<'a>>,
    /// `URINE`, `BLOOD`, `SALIVA`, `VAGINAL`, `RECTAL` or `SEMEN`.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub sample_source: Slot<Text<'a>>,
}

/// An image or document: `{mime, data}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Media<'a> {
    /// `image/jpeg` for photos, `application/pdf` for the PDF endpoint.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub mime: Slot<Text<'a>>,
    /// Plain base64, no `data:` prefix.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub data: Slot<Text<'a>>,
}

/// `external/receivePhotos`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PhotosRequest<'a> {
    /// The `visitId` (or `masterId`) of the visit.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub visit_id: Slot<Text<'a>>,
    /// JPEG images.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub images: Slot<Vec<Slot<Media<'a>>>>,
}

/// `external/receivePdf`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PdfRequest<'a> {
    /// The `visitId` (or `masterId`) of the visit.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub visit_id: Slot<Text<'a>>,
    /// The PDF.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub image: Slot<Media<'a>>,
}

/// `external/receiveChat`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ChatRequest<'a> {
    /// Patient first name.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub first_name: Slot<Text<'a>>,
    /// Patient last name.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub last_name: Slot<Text<'a>>,
    /// The message text, or a base64 JPEG when `isMedia`.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub content: Slot<Text<'a>>,
    /// Whether `content` is an image.
    #[serde(skip_serializing_if = "Slot::is_absent")]
    pub is_media: Slot<bool>,
    /// The visit's `masterId`.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub master_id: Slot<Text<'a>>,
}

/// `external/receiveCSMessage`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CsMessageRequest<'a> {
    /// The message text.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub content: Slot<Text<'a>>,
    /// The visit's `masterId`.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub master_id: Slot<Text<'a>>,
}

/// `external/patientName`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PatientNameRequest<'a> {
    /// The visit's `masterId`.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub master_id: Slot<Text<'a>>,
    /// New first name.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub first_name: Slot<Text<'a>>,
    /// New last name.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub last_name: Slot<Text<'a>>,
}

/// `external/pharmacies` (at least one parameter).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PharmacySearchRequest<'a> {
    /// Store name.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub name: Slot<Text<'a>>,
    /// City.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub city: Slot<Text<'a>>,
    /// Two capital letters.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub state: Slot<Text<'a>>,
    /// Five digits.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub zip: Slot<Text<'a>>,
}

/// `external/updateVisit`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UpdateVisitRequest<'a> {
    /// The new preferences (`daysSupply` required).
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub patient_preference: Slot<Vec<Slot<Preference<'a>>>>,
    /// Beluga pharmacy id, a JSON string.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub pharmacy_id: Slot<Text<'a>>,
    /// The visit's `masterId`.
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub master_id: Slot<Text<'a>>,
    /// The API key, in the body on this endpoint (never logged or echoed).
    #[serde(borrow, skip_serializing_if = "Slot::is_absent")]
    pub api_key: Slot<Text<'a>>,
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
pub struct IntakeForm<'a> {
    /// `consentsSigned`, `true` only.
    pub consents_signed: Slot<bool>,
    /// `firstName`.
    pub first_name: Slot<Text<'a>>,
    /// `lastName`.
    pub last_name: Slot<Text<'a>>,
    /// `dob`, `MM/DD/YYYY`.
    pub dob: Slot<Text<'a>>,
    /// `phone`, ten digits.
    pub phone: Slot<Text<'a>>,
    /// `email`.
    pub email: Slot<Text<'a>>,
    /// `address`.
    pub address: Slot<Text<'a>>,
    /// `city`.
    pub city: Slot<Text<'a>>,
    /// `state`, two capitals.
    pub state: Slot<Text<'a>>,
    /// `zip`, five digits.
    pub zip: Slot<Text<'a>>,
    /// `sex`, `Male` or `Female`.
    pub sex: Slot<Text<'a>>,
    /// `selfReportedMeds`.
    pub self_reported_meds: Slot<Text<'a>>,
    /// `allergies`.
    pub allergies: Slot<Text<'a>>,
    /// `medicalConditions`.
    pub medical_conditions: Slot<Text<'a>>,
    /// `patientPreference`.
    pub patient_preference: Slot<Vec<Slot<Preference<'a>>>>,
    /// `testToTreat` (lab only).
    pub test_to_treat: Slot<bool>,
    /// `results` (lab only).
    pub results: Slot<Vec<Slot<LabResult<'a>>>>,
    /// `Qn`/`An` members in the order found.
    pub questions: Vec<QaEntry<'a>>,
    /// Member names the endpoints do not define, in the order found.
    pub unknown: Vec<String>,
    /// Member names that appeared more than once (the last occurrence is kept).
    pub duplicates: Vec<String>,
}

/// Visit creation (`visit/createNoPayPhotos`) and lab results (`lab/receiveLabResults`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntakeRequest<'a> {
    /// `formObj`.
    pub form_obj: Slot<IntakeForm<'a>>,
    /// `pharmacyId`, a JSON string.
    pub pharmacy_id: Slot<Text<'a>>,
    /// `masterId`, generated once per visit.
    pub master_id: Slot<Text<'a>>,
    /// `company`.
    pub company: Slot<Text<'a>>,
    /// `visitType`.
    pub visit_type: Slot<Text<'a>>,
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

        impl<'de: 'a, 'a> Deserialize<'de> for $ty<'a> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V<'a>(PhantomData<&'a ()>);
                impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
                    type Value = $ty<'a>;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expect)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$ty<'a>, A::Error> {
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
                deserializer.deserialize_map(V(PhantomData))
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

fn push_qa<'a>(questions: &mut Vec<QaEntry<'a>>, duplicates: &mut Vec<String>, entry: QaEntry<'a>) {
    match questions
        .iter_mut()
        .find(|q| q.side == entry.side && q.number == entry.number && q.raw_key == entry.raw_key)
    {
        Some(existing) => {
            duplicates.push(entry.key());
            *existing = entry;
        }
        None => {
            // Forms carry up to a dozen or so members `Qn`/`An`: one allocation for them all.
            if questions.capacity() == 0 {
                questions.reserve(16);
            }
            questions.push(entry);
        }
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

impl IntakeForm<'_> {
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
    Text(&'a Slot<Text<'a>>),
    Results(&'a Slot<Vec<Slot<LabResult<'a>>>>),
    Preferences(&'a Slot<Vec<Slot<Preference<'a>>>>),
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

impl Serialize for IntakeForm<'_> {
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

impl Serialize for IntakeRequest<'_> {
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
        assert_eq!(form.first_name, Slot::from("y"));
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
