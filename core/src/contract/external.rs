//! The seven `external/*` bodies: photos, PDF, patient chat, CS message, patient name,
//! pharmacy search and update visit. Each endpoint answers one error string for every data
//! problem (`Error accepting images`, `Incorrect data structure or missing data`, …), so
//! their checkers carry that string; `updateVisit` answers status words, so none.

use super::check::{Beluga, Checker, Loc, Req};
use super::model::{
    ChatRequest, CsMessageRequest, Media, PatientNameRequest, PdfRequest, PharmacySearchRequest,
    PhotosRequest, UpdateVisitRequest,
};
use super::wire::{JsonType, Slot};
use super::{codes, fields, intake, ValidateOptions};
use base64::Engine as _;

/// The largest decoded image the photo endpoint takes: 3 MiB.
pub const MAX_IMAGE_BYTES: usize = 3 * 1024 * 1024;

const REQUIRED: Req = Req::required(None);

/// What a media item must decode to.
#[derive(Clone, Copy)]
enum Format {
    Jpeg,
    Pdf,
}

impl Format {
    fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Pdf => "application/pdf",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Pdf => "PDF",
        }
    }

    fn magic(self) -> &'static [u8] {
        match self {
            Format::Jpeg => &[0xFF, 0xD8, 0xFF],
            Format::Pdf => b"%PDF-",
        }
    }
}

/// Base64 data: no `data:` prefix, valid, of the format, within the size limit.
fn base64_data(c: &mut Checker, data: &str, at: &Loc, format: Format, max: usize) {
    if data.trim_start().starts_with("data:") {
        c.report(codes::MEDIA_DATA_URI, at, &[], Beluga::Code);
        return;
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data.trim()) else {
        c.report(codes::MEDIA_BASE64, at, &[], Beluga::Code);
        return;
    };
    if !bytes.starts_with(format.magic()) {
        c.report(
            codes::MEDIA_WRONG_FORMAT,
            at,
            &[("expected", format.name())],
            Beluga::Code,
        );
    }
    if matches!(format, Format::Jpeg) && bytes.len() > max {
        let max = max.to_string();
        c.report(codes::MEDIA_TOO_LARGE, at, &[("max", &max)], Beluga::Code);
    }
}

fn media(c: &mut Checker, item: &Slot<Media>, at: &Loc, format: Format, max: usize) {
    let Some(item) = c.present(item, at, REQUIRED, JsonType::Object) else {
        return;
    };
    let mime_at = at.key("mime");
    if let Some(mime) = c.text(&item.mime, &mime_at, REQUIRED) {
        if mime != format.mime() {
            c.report(
                codes::MEDIA_MIME,
                &mime_at,
                &[("expected", format.mime())],
                Beluga::Code,
            );
        }
    }
    let data_at = at.key("data");
    if let Some(data) = c.text(&item.data, &data_at, REQUIRED) {
        base64_data(c, data, &data_at, format, max);
    }
}

/// `external/receivePhotos`.
pub(crate) fn photos(c: &mut Checker, body: &PhotosRequest, options: &ValidateOptions) {
    let max = options.max_image_bytes.unwrap_or(MAX_IMAGE_BYTES);
    let root = Loc::Root;
    c.text(&body.visit_id, &root.key("visitId"), REQUIRED);
    let images_at = root.key("images");
    let empty = (codes::ARRAY_EMPTY, Beluga::Code);
    if let Some(images) = c.list(&body.images, &images_at, REQUIRED, empty) {
        for (index, image) in images.iter().enumerate() {
            media(c, image, &images_at.index(index), Format::Jpeg, max);
        }
    }
}

/// `external/receivePdf`.
pub(crate) fn pdf(c: &mut Checker, body: &PdfRequest) {
    let root = Loc::Root;
    c.text(&body.visit_id, &root.key("visitId"), REQUIRED);
    media(c, &body.image, &root.key("image"), Format::Pdf, usize::MAX);
}

/// `external/receiveChat`.
pub(crate) fn chat(c: &mut Checker, body: &ChatRequest, options: &ValidateOptions) {
    let max = options.max_image_bytes.unwrap_or(MAX_IMAGE_BYTES);
    let root = Loc::Root;
    for (slot, name) in [
        (&body.first_name, "firstName"),
        (&body.last_name, "lastName"),
        (&body.master_id, "masterId"),
    ] {
        c.text(slot, &root.key(name), REQUIRED);
    }
    let is_media = c.flag(&body.is_media, &root.key("isMedia"), REQUIRED);
    let content_at = root.key("content");
    if let Some(content) = c.text(&body.content, &content_at, REQUIRED) {
        if is_media == Some(true) {
            base64_data(c, content, &content_at, Format::Jpeg, max);
        }
    }
}

/// `external/receiveCSMessage`.
pub(crate) fn cs_message(c: &mut Checker, body: &CsMessageRequest) {
    let root = Loc::Root;
    c.text(&body.content, &root.key("content"), REQUIRED);
    c.text(&body.master_id, &root.key("masterId"), REQUIRED);
}

/// `external/patientName`.
pub(crate) fn patient_name(c: &mut Checker, body: &PatientNameRequest) {
    let root = Loc::Root;
    c.text(&body.master_id, &root.key("masterId"), REQUIRED);
    for (slot, name) in [
        (&body.first_name, "firstName"),
        (&body.last_name, "lastName"),
    ] {
        let at = root.key(name);
        if let Some(value) = c.text(slot, &at, REQUIRED) {
            c.outcome(fields::text(value, 100), &at, REQUIRED);
        }
    }
}

/// `external/pharmacies`.
pub(crate) fn pharmacy_search(c: &mut Checker, body: &PharmacySearchRequest) {
    let root = Loc::Root;
    let optional = Req::optional(None);
    let before = c.violation_count();
    let name = c.text(&body.name, &root.key("name"), optional);
    let city = c.text(&body.city, &root.key("city"), optional);
    let state_at = root.key("state");
    let state = c.text(&body.state, &state_at, optional);
    if let Some(state) = state {
        c.outcome(fields::state_format(state), &state_at, optional);
    }
    let zip_at = root.key("zip");
    let zip = c.text(&body.zip, &zip_at, optional);
    if let Some(zip) = zip {
        c.outcome(fields::zip(zip), &zip_at, optional);
    }
    let none_given = [name, city, state, zip].iter().all(Option::is_none);
    if none_given && c.violation_count() == before {
        c.report(codes::SEARCH_NO_PARAMETERS, &root, &[], Beluga::Code);
    }
}

/// `external/updateVisit`.
pub(crate) fn update_visit(c: &mut Checker, body: &UpdateVisitRequest) {
    let root = Loc::Root;
    intake::preferences(
        c,
        &body.patient_preference,
        &root.key("patientPreference"),
        true,
        true,
    );
    for (slot, name) in [
        (&body.pharmacy_id, "pharmacyId"),
        (&body.master_id, "masterId"),
        (&body.api_key, "apiKey"),
    ] {
        c.text(slot, &root.key(name), REQUIRED);
    }
}
