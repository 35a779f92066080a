//! Pharmacy selection for the Beluga visit and the per-item fulfillment routing plan.
//!
//! ## The Beluga pharmacy ([`select_pharmacy`])
//! The first present of the order's pharmacy → the product default pharmacy → the legacy
//! Beluga pharmacy id on the order wins (decisions.md §3). The winner must carry the id
//! Beluga knows it by; if it does not, the answer is `pharmacy_missing_beluga_id` naming the
//! source — never a silent fall-through to the next source. Beluga items naming different
//! default pharmacies with no order pharmacy are a `pharmacy_conflict` for staff.
//!
//! ## The fulfillment plan ([`route_fulfillment`])
//! Each item routes on its product default pharmacy's type, or the order pharmacy's when
//! the product has none; both absent, or both present with different types, holds the item
//! for staff. Items are grouped per pharmacy (so LifeFile items for different pharmacies
//! become one LifeFile order each) and every route checks its own requirements — the
//! fulfillment guide's troubleshooting lists — plus the prescription boundary
//! ([`crate::boundary`]). Prescriber data comes from the clinic's directory, matched on the
//! prescribing doctor's name; the NPI must be 10 digits passing the Luhn check over the
//! `80840` prefix.
//!
//! ## The partner orders ([`partner_orders`])
//! A ready DispensePro or LifeFile route is submitted with the body
//! [`partner_orders::dispensepro_order`] / [`partner_orders::lifefile_order`] build from the
//! typed snapshot; `apply_event` puts it in the outbox entry, so the host only sends it.
//!
//! ## Choices where the spec is silent
//! - A product default pharmacy and an order pharmacy of the *same* type but different
//!   records route to the product default (the guide calls it the main routing signal).
//! - OWN and BELUGA routes have nothing to submit; they wait for the partner's events.
//! - Requirements are listed even while an item still waits for its prescription, so staff
//!   can fix configuration before `RX_WRITTEN` arrives.

pub mod codes;
pub mod dispensepro_actions;
pub mod partner_orders;

use crate::order::reason::{Actor, Reason};
use crate::order::rx;
use crate::order::snapshot::{
    non_blank, Address, Item, OrderSnapshot, Pharmacy, PharmacyType, Prescriber, Submission,
    SubmissionState,
};
use serde::Serialize;

pub use crate::order::pharmacy::{select_pharmacy, PharmacySelection, PharmacySource};

/// Where one item routes.
#[derive(Debug, Clone)]
pub enum ItemRoute<'a> {
    /// To this pharmacy.
    Routed(&'a Pharmacy),
    /// Held for staff, with the reason.
    Held(Reason),
}

/// Routes one item on its product default pharmacy's type, else the order pharmacy's.
pub fn route_item<'a>(snapshot: &'a OrderSnapshot, item: &Item) -> ItemRoute<'a> {
    let lookup = |id: Option<&String>, source: &str| -> Result<Option<&'a Pharmacy>, Reason> {
        match non_blank(id) {
            None => Ok(None),
            Some(id) => snapshot.pharmacy(id).map(Some).ok_or_else(|| {
                Reason::new(
                    codes::PHARMACY_UNKNOWN,
                    Actor::AdminDevelopment,
                    &[("source", source)],
                )
                .item(&item.id)
            }),
        }
    };
    let product = match lookup(item.product.default_pharmacy_id.as_ref(), "product default") {
        Ok(p) => p,
        Err(reason) => return ItemRoute::Held(reason),
    };
    let order = match lookup(snapshot.order.pharmacy_id.as_ref(), "order") {
        Ok(p) => p,
        Err(reason) => return ItemRoute::Held(reason),
    };
    match (product, order) {
        (Some(p), Some(o)) if p.kind != o.kind => ItemRoute::Held(Reason::for_item(
            codes::ROUTE_TYPE_CONFLICT,
            Actor::Cs,
            &item.id,
            &[
                ("product_type", p.kind.as_str()),
                ("order_type", o.kind.as_str()),
            ],
        )),
        (Some(p), _) | (None, Some(p)) => ItemRoute::Routed(p),
        (None, None) => ItemRoute::Held(Reason::for_item(
            codes::ROUTE_PHARMACY_MISSING,
            Actor::Cs,
            &item.id,
            &[],
        )),
    }
}

/// What a route does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RouteAction {
    /// Submit the items to DispensePro.
    SubmitToDispensePro,
    /// Submit one LifeFile order for the items.
    SubmitToLifefile,
    /// Wait for Beluga's pharmacy events (the pharmacy id went with the visit).
    AwaitBelugaPharmacyEvents,
    /// Wait for the OWN pharmacy's webhooks.
    AwaitPharmacyWebhooks,
    /// Staff must decide the pharmacy.
    HoldForStaff,
}

/// Where a route stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RouteStatus {
    /// May be submitted now.
    Ready,
    /// A requirement is unmet.
    Blocked,
    /// Waits for prescription confirmation (the boundary).
    AwaitingPrescription,
    /// The last submission failed; requirements are met, retry.
    Failed,
    /// The integration accepted it.
    Submitted,
    /// Nothing to submit; the partner sends events.
    AwaitingPartner,
    /// Held for staff (no pharmacy or conflicting types).
    Held,
}

/// One route of the plan: items going to one pharmacy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Route {
    /// The pharmacy type (absent for held items).
    pub pharmacy_type: Option<PharmacyType>,
    /// The app's pharmacy id.
    pub pharmacy_id: Option<String>,
    /// The items.
    pub item_ids: Vec<String>,
    /// What happens next.
    pub action: RouteAction,
    /// Where it stands.
    pub status: RouteStatus,
    /// Unmet requirements.
    pub blockers: Vec<Reason>,
    /// Prescription-boundary reasons of its items.
    pub boundary: Vec<Reason>,
    /// Things worth a look.
    pub warnings: Vec<Reason>,
    /// Whether to escalate (hardcopy PDF, failed submission, held).
    pub escalate: bool,
}

/// The fulfillment plan of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RoutePlan {
    /// Routes in item order; held items come as their own routes.
    pub routes: Vec<Route>,
    /// Plan-level notes (the LifeFile split).
    pub notes: Vec<Reason>,
    /// LifeFile items for several pharmacies: one LifeFile order per pharmacy.
    pub split_required: bool,
    /// Every route can move now or is already with its partner (nothing blocked or held).
    pub ready: bool,
    /// Whether any route needs escalation.
    pub escalate: bool,
}

/// Builds the fulfillment routing plan (see the module docs).
pub fn route_fulfillment(snapshot: &OrderSnapshot) -> RoutePlan {
    let mut routes: Vec<Route> = Vec::new();
    for item in &snapshot.items {
        match route_item(snapshot, item) {
            ItemRoute::Held(reason) => routes.push(Route {
                pharmacy_type: None,
                pharmacy_id: None,
                item_ids: vec![item.id.clone()],
                action: RouteAction::HoldForStaff,
                status: RouteStatus::Held,
                blockers: vec![reason],
                boundary: Vec::new(),
                warnings: Vec::new(),
                escalate: true,
            }),
            ItemRoute::Routed(pharmacy) => {
                let existing = routes.iter_mut().find(|r| {
                    r.status != RouteStatus::Held && r.pharmacy_id.as_deref() == Some(&pharmacy.id)
                });
                match existing {
                    Some(route) => route.item_ids.push(item.id.clone()),
                    None => routes.push(Route {
                        pharmacy_type: Some(pharmacy.kind),
                        pharmacy_id: Some(pharmacy.id.clone()),
                        item_ids: vec![item.id.clone()],
                        action: action_for(pharmacy.kind),
                        status: RouteStatus::Ready,
                        blockers: Vec::new(),
                        boundary: Vec::new(),
                        warnings: Vec::new(),
                        escalate: false,
                    }),
                }
            }
        }
    }
    for route in &mut routes {
        if route.status != RouteStatus::Held {
            evaluate_route(snapshot, route);
        }
    }
    let lifefile_pharmacies = routes
        .iter()
        .filter(|r| r.pharmacy_type == Some(PharmacyType::BelmarLifefile))
        .count();
    let mut notes = Vec::new();
    if lifefile_pharmacies > 1 {
        let count = lifefile_pharmacies.to_string();
        notes.push(Reason::new(
            codes::LIFEFILE_SPLIT,
            Actor::AdminDevelopment,
            &[("count", &count)],
        ));
    }
    let ready = routes.iter().all(|r| {
        matches!(
            r.status,
            RouteStatus::Ready | RouteStatus::Submitted | RouteStatus::AwaitingPartner
        )
    });
    let escalate = routes.iter().any(|r| r.escalate);
    RoutePlan {
        routes,
        notes,
        split_required: lifefile_pharmacies > 1,
        ready,
        escalate,
    }
}

fn action_for(kind: PharmacyType) -> RouteAction {
    match kind {
        PharmacyType::DispensePro => RouteAction::SubmitToDispensePro,
        PharmacyType::BelmarLifefile => RouteAction::SubmitToLifefile,
        PharmacyType::Beluga => RouteAction::AwaitBelugaPharmacyEvents,
        PharmacyType::Own => RouteAction::AwaitPharmacyWebhooks,
    }
}

fn route_label(kind: PharmacyType) -> &'static str {
    match kind {
        PharmacyType::DispensePro => "DispensePro",
        PharmacyType::BelmarLifefile => "Belmar/LifeFile",
        PharmacyType::Beluga => "Beluga pharmacy",
        PharmacyType::Own => "OWN pharmacy",
    }
}

/// The submissions of the route's integration that cover `item_id` at `pharmacy_id`. A record
/// only a partner's status webhook made ([`Submission::reported_by_partner`]) is left out:
/// it tells the partner's status, and the route is still sent once by rxgate (under its
/// stable outbox key; DispensePro keeps one order per `externalId`), so the routes an order
/// sends do not depend on whether a status webhook overtook the prescription.
pub fn submissions_for<'a>(
    snapshot: &'a OrderSnapshot,
    kind: PharmacyType,
    pharmacy_id: Option<&'a str>,
    item_id: &'a str,
) -> impl Iterator<Item = &'a Submission> + 'a {
    let list: &[Submission] = match kind {
        PharmacyType::DispensePro => &snapshot.order.dispense_pro,
        PharmacyType::BelmarLifefile => &snapshot.order.life_file,
        PharmacyType::Beluga | PharmacyType::Own => &[],
    };
    list.iter().filter(move |s| {
        !s.reported_by_partner()
            && (s.pharmacy_id.is_none() || s.pharmacy_id.as_deref() == pharmacy_id)
            && (s.item_ids.is_empty() || s.item_ids.iter().any(|i| i == item_id))
    })
}

fn evaluate_route(snapshot: &OrderSnapshot, route: &mut Route) {
    let Some(kind) = route.pharmacy_type else {
        return;
    };
    let Some(pharmacy) = route
        .pharmacy_id
        .as_deref()
        .and_then(|id| snapshot.pharmacy(id))
    else {
        return;
    };
    let items: Vec<&Item> = route
        .item_ids
        .iter()
        .filter_map(|id| snapshot.items.iter().find(|i| &i.id == id))
        .collect();
    match kind {
        PharmacyType::DispensePro => dispensepro_requirements(snapshot, &items, route),
        PharmacyType::BelmarLifefile => lifefile_requirements(snapshot, pharmacy, &items, route),
        PharmacyType::Beluga => {
            if non_blank(pharmacy.beluga_id.as_ref()).is_none() {
                route.blockers.push(Reason::new(
                    crate::routing::codes::PHARMACY_MISSING_BELUGA_ID,
                    Actor::AdminDevelopment,
                    &[("source", "route")],
                ));
            }
        }
        PharmacyType::Own => {
            if !pharmacy.webhook_secret_configured {
                route.warnings.push(Reason::new(
                    codes::OWN_WEBHOOK_SECRET_MISSING,
                    Actor::AdminDevelopment,
                    &[("pharmacy", &pharmacy.id)],
                ));
            }
        }
    }
    for item in &items {
        if let Err(reasons) = rx::item_allowed(snapshot, item) {
            route.boundary.extend(reasons);
        }
    }
    let submits = matches!(
        kind,
        PharmacyType::DispensePro | PharmacyType::BelmarLifefile
    );
    if !submits {
        route.status = if route.blockers.is_empty() {
            RouteStatus::AwaitingPartner
        } else {
            RouteStatus::Blocked
        };
        return;
    }
    submission_status(snapshot, kind, pharmacy, &items, route);
}

/// The status of a DispensePro or LifeFile route from its items' submissions: submitted,
/// failed (escalated), or blocked / awaiting the prescription / ready.
fn submission_status(
    snapshot: &OrderSnapshot,
    kind: PharmacyType,
    pharmacy: &Pharmacy,
    items: &[&Item],
    route: &mut Route,
) {
    let label = route_label(kind);
    let mut all_submitted = !items.is_empty();
    let mut any_failed = false;
    for item in items {
        let best = submissions_for(snapshot, kind, Some(&pharmacy.id), &item.id)
            .map(|s| s.state)
            .max();
        match best {
            Some(SubmissionState::Submitted) => {}
            Some(SubmissionState::Failed) => {
                any_failed = true;
                all_submitted = false;
            }
            None => all_submitted = false,
        }
    }
    if all_submitted {
        route.status = RouteStatus::Submitted;
        route.warnings.push(Reason::new(
            codes::ROUTE_ALREADY_SUBMITTED,
            Actor::Cs,
            &[("route", label)],
        ));
        return;
    }
    if any_failed {
        route.warnings.push(Reason::new(
            codes::ROUTE_SUBMISSION_FAILED,
            Actor::AdminDevelopment,
            &[("route", label)],
        ));
        route.escalate = true;
    }
    route.status = if !route.blockers.is_empty() {
        RouteStatus::Blocked
    } else if !route.boundary.is_empty() {
        RouteStatus::AwaitingPrescription
    } else if any_failed {
        RouteStatus::Failed
    } else {
        RouteStatus::Ready
    };
}

fn missing(fields: &[(&str, Option<&String>)]) -> Vec<String> {
    fields
        .iter()
        .filter(|(_, v)| non_blank(*v).is_none())
        .map(|(name, _)| (*name).to_owned())
        .collect()
}

fn address_missing(prefix: &str, address: Option<&Address>) -> Vec<String> {
    let empty = Address::default();
    let a = address.unwrap_or(&empty);
    missing(&[
        ("line1", a.line1.as_ref()),
        ("city", a.city.as_ref()),
        ("state", a.state.as_ref()),
        ("zip", a.zip.as_ref()),
    ])
    .into_iter()
    .map(|f| format!("{prefix}.{f}"))
    .collect()
}

fn dispensepro_requirements(snapshot: &OrderSnapshot, items: &[&Item], route: &mut Route) {
    let enabled = snapshot
        .settings
        .dispense_pro
        .is_some_and(|d| d.enabled && d.configured);
    if !enabled {
        route.blockers.push(Reason::new(
            codes::DISPENSEPRO_DISABLED,
            Actor::AdminDevelopment,
            &[],
        ));
    }
    for item in items {
        let rx = item.drug.as_ref().and_then(|d| d.dispense_pro.as_ref());
        let fields = match rx {
            None => vec!["configuration".to_owned()],
            Some(rx) => missing(&[
                ("ndc", rx.ndc.as_ref()),
                ("quantity", rx.quantity.as_ref()),
                ("sig", rx.sig.as_ref()),
                ("days_supply", rx.days_supply.as_ref()),
            ]),
        };
        if !fields.is_empty() {
            route.blockers.push(
                Reason::with_fields(
                    codes::DISPENSEPRO_CONFIG_INCOMPLETE,
                    Actor::AdminDevelopment,
                    fields,
                    &[("item", &item.id)],
                )
                .item(&item.id),
            );
        }
    }
    let patient = &snapshot.patient;
    let mut fields = missing(&[
        ("dob", patient.dob.as_ref()),
        ("phone", patient.phone.as_ref()),
    ]);
    fields.extend(address_missing("address", patient.ship_to()));
    if !fields.is_empty() {
        route.blockers.push(Reason::with_fields(
            codes::ROUTE_PATIENT_DATA_MISSING,
            Actor::Cs,
            fields,
            &[("route", "DispensePro")],
        ));
    }
    prescriber_requirements(snapshot, false, route);
}

fn lifefile_requirements(
    snapshot: &OrderSnapshot,
    pharmacy: &Pharmacy,
    items: &[&Item],
    route: &mut Route,
) {
    lifefile_account(snapshot, pharmacy, route);
    lifefile_mappings(items, route);
    let patient = &snapshot.patient;
    let mut fields = missing(&[
        ("first_name", patient.first_name.as_ref()),
        ("last_name", patient.last_name.as_ref()),
        ("dob", patient.dob.as_ref()),
        ("sex", patient.sex.as_ref()),
        ("phone", patient.phone.as_ref()),
    ]);
    fields.extend(address_missing("shipping_address", patient.ship_to()));
    if !fields.is_empty() {
        route.blockers.push(Reason::with_fields(
            codes::ROUTE_PATIENT_DATA_MISSING,
            Actor::Cs,
            fields,
            &[("route", "Belmar/LifeFile")],
        ));
    }
    prescriber_requirements(snapshot, true, route);
    if pharmacy.requires_hardcopy_pdf {
        route.blockers.push(Reason::new(
            codes::LIFEFILE_HARDCOPY_PDF_REQUIRED,
            Actor::AdminDevelopment,
            &[("pharmacy", &pharmacy.id)],
        ));
        route.escalate = true;
    }
}

/// The LifeFile account of a pharmacy: credentials, ids, and an environment that matches the
/// app's.
fn lifefile_account(snapshot: &OrderSnapshot, pharmacy: &Pharmacy, route: &mut Route) {
    if !pharmacy.credentials_configured {
        route.blockers.push(Reason::new(
            codes::LIFEFILE_CREDENTIALS_MISSING,
            Actor::AdminDevelopment,
            &[("pharmacy", &pharmacy.id)],
        ));
    }
    let ids = pharmacy.life_file.clone().unwrap_or_default();
    let mut id_fields = missing(&[
        ("vendor_id", ids.vendor_id.as_ref()),
        ("location_id", ids.location_id.as_ref()),
        ("network_id", ids.network_id.as_ref()),
        ("practice_id", ids.practice_id.as_ref()),
    ]);
    if ids.shipping_service.is_none() {
        id_fields.push("shipping_service".to_owned());
    }
    if !id_fields.is_empty() {
        route.blockers.push(Reason::with_fields(
            codes::LIFEFILE_IDS_MISSING,
            Actor::AdminDevelopment,
            id_fields,
            &[("pharmacy", &pharmacy.id)],
        ));
    }
    let environment_ok = match (pharmacy.environment, snapshot.settings.environment) {
        (None, _) => false,
        (Some(p), Some(app)) => p == app,
        (Some(_), None) => true,
    };
    if !environment_ok {
        let expected = match snapshot.settings.environment {
            Some(crate::order::snapshot::Environment::Test) => "TEST",
            Some(crate::order::snapshot::Environment::Production) => "PRODUCTION",
            None => "TEST or PRODUCTION",
        };
        route.blockers.push(Reason::new(
            codes::LIFEFILE_ENVIRONMENT_MISMATCH,
            Actor::AdminDevelopment,
            &[("pharmacy", &pharmacy.id), ("expected", expected)],
        ));
    }
}

/// Every item's LifeFile drug mapping.
fn lifefile_mappings(items: &[&Item], route: &mut Route) {
    for item in items {
        let rx = item.drug.as_ref().and_then(|d| d.life_file.as_ref());
        let fields = match rx {
            None => vec!["product_id".to_owned(), "mapping".to_owned()],
            Some(rx) => missing(&[
                ("product_id", rx.product_id.as_ref()),
                ("drug_form", rx.drug_form.as_ref()),
                ("quantity", rx.quantity.as_ref()),
                ("quantity_units", rx.quantity_units.as_ref()),
                ("directions", rx.directions.as_ref()),
                ("days_supply", rx.days_supply.as_ref()),
            ]),
        };
        if !fields.is_empty() {
            route.blockers.push(
                Reason::with_fields(
                    codes::LIFEFILE_MAPPING_INCOMPLETE,
                    Actor::AdminDevelopment,
                    fields,
                    &[("item", &item.id)],
                )
                .item(&item.id),
            );
        }
    }
}

/// The prescribing doctor's name: from the earliest prescription record that names one.
pub fn prescribing_doctor(snapshot: &OrderSnapshot) -> Option<&str> {
    snapshot
        .order
        .prescriptions
        .iter()
        .filter(|p| non_blank(p.doctor_name.as_ref()).is_some())
        .min_by_key(|p| p.written_at)
        .and_then(|p| p.doctor_name.as_deref())
}

/// Folds a doctor's name for matching: case, punctuation, a leading "Dr" and white space.
fn fold_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let words = match words.split_first() {
        Some((first, rest)) if *first == "dr" => rest.to_vec(),
        _ => words,
    };
    words.join(" ")
}

/// The directory prescriber matching the prescribing doctor's name, if any.
pub fn match_prescriber<'a>(snapshot: &'a OrderSnapshot, doctor: &str) -> Option<&'a Prescriber> {
    let wanted = fold_name(doctor);
    snapshot
        .prescribers
        .iter()
        .find(|p| fold_name(&p.name) == wanted)
}

fn prescriber_requirements(snapshot: &OrderSnapshot, lifefile: bool, route: &mut Route) {
    // The prescriber is known only once a prescription names the doctor; before that the
    // boundary holds the route anyway.
    let Some(doctor) = prescribing_doctor(snapshot) else {
        return;
    };
    let Some(prescriber) = match_prescriber(snapshot, doctor) else {
        route.blockers.push(Reason::new(
            codes::PRESCRIBER_NOT_FOUND,
            Actor::AdminDevelopment,
            &[],
        ));
        return;
    };
    match non_blank(prescriber.npi.as_ref()) {
        None => route.blockers.push(Reason::new(
            codes::PRESCRIBER_NPI_MISSING,
            Actor::AdminDevelopment,
            &[],
        )),
        Some(npi) if !npi_valid(npi) => route.blockers.push(Reason::new(
            codes::PRESCRIBER_NPI_INVALID,
            Actor::AdminDevelopment,
            &[],
        )),
        Some(_) => {}
    }
    if lifefile {
        let mut fields = missing(&[
            ("license_state", prescriber.license_state.as_ref()),
            ("license_number", prescriber.license_number.as_ref()),
            ("phone", prescriber.phone.as_ref()),
        ]);
        fields.extend(address_missing("address", prescriber.address.as_ref()));
        if !fields.is_empty() {
            route.blockers.push(Reason::with_fields(
                codes::PRESCRIBER_DATA_INCOMPLETE,
                Actor::AdminDevelopment,
                fields,
                &[],
            ));
        }
    }
}

/// An NPI is 10 ASCII digits whose last is the Luhn check digit computed over the `80840`
/// prefix followed by the first nine digits.
pub fn npi_valid(npi: &str) -> bool {
    let npi = npi.trim();
    if npi.len() != 10 || !npi.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let digits: Vec<u32> = "80840"
        .chars()
        .chain(npi.chars())
        .filter_map(|c| c.to_digit(10))
        .collect();
    // Luhn over the full 15-digit number: double every second digit from the right.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npi_luhn_over_80840_prefix() {
        // CMS's published example NPI.
        assert!(npi_valid("1234567893"));
        assert!(!npi_valid("1234567890"));
        assert!(!npi_valid("123456789"));
        assert!(!npi_valid("12345678a3"));
    }

    #[test]
    fn doctor_names_fold() {
        assert_eq!(fold_name("Dr. Jane  O'Neil"), "jane o neil");
        assert_eq!(fold_name("JANE O NEIL"), "jane o neil");
    }
}
