//! The Beluga pharmacy of the visit ([`select_pharmacy`]): the first present of the order's
//! pharmacy → the product default pharmacy → the legacy Beluga pharmacy id on the order
//! (decisions.md §3; the rule is documented with routing, [`crate::routing`], which
//! re-exports it). It lives in the order layer because building the visit needs it.

use super::reason::{Actor, Reason};
use super::snapshot::{non_blank, Item, OrderSnapshot, Pharmacy, PharmacyType};
use crate::routing::codes as routing_codes;
use serde::Serialize;

/// Where the Beluga pharmacy came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PharmacySource {
    /// The pharmacy assigned on the order.
    Order,
    /// The product default pharmacy.
    ProductDefault,
    /// The legacy Beluga pharmacy id on the order.
    Legacy,
}

impl PharmacySource {
    /// Words for messages.
    pub fn label(self) -> &'static str {
        match self {
            PharmacySource::Order => "order",
            PharmacySource::ProductDefault => "product default",
            PharmacySource::Legacy => "legacy",
        }
    }
}

/// The Beluga pharmacy of the visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PharmacySelection {
    /// A pharmacy with a Beluga id was found.
    pub selected: bool,
    /// Which rule picked it.
    pub source: Option<PharmacySource>,
    /// The app's pharmacy record id (absent for the legacy id).
    pub pharmacy_id: Option<String>,
    /// Its type.
    pub pharmacy_type: Option<PharmacyType>,
    /// The `pharmacyId` sent to Beluga.
    pub beluga_pharmacy_id: Option<String>,
    /// Why nothing was selected.
    pub reasons: Vec<Reason>,
}

/// Picks the Beluga pharmacy by the priority rule (see the module docs).
pub fn select_pharmacy(snapshot: &OrderSnapshot) -> PharmacySelection {
    let mut out = PharmacySelection {
        selected: false,
        source: None,
        pharmacy_id: None,
        pharmacy_type: None,
        beluga_pharmacy_id: None,
        reasons: Vec::new(),
    };
    let candidate = if let Some(id) = non_blank(snapshot.order.pharmacy_id.as_ref()) {
        Some((PharmacySource::Order, id))
    } else {
        let defaults = distinct_defaults(snapshot);
        match defaults.as_slice() {
            [] => None,
            [one] => Some((PharmacySource::ProductDefault, *one)),
            many => {
                let count = many.len().to_string();
                out.reasons.push(Reason::new(
                    routing_codes::PHARMACY_CONFLICT,
                    Actor::Cs,
                    &[("count", &count)],
                ));
                return out;
            }
        }
    };
    match candidate {
        Some((source, id)) => {
            out.source = Some(source);
            out.pharmacy_id = Some(id.to_owned());
            match snapshot.pharmacy(id) {
                None => out.reasons.push(Reason::new(
                    routing_codes::PHARMACY_UNKNOWN,
                    Actor::AdminDevelopment,
                    &[("source", source.label())],
                )),
                Some(pharmacy) => {
                    out.pharmacy_type = Some(pharmacy.kind);
                    match non_blank(pharmacy.beluga_id.as_ref()) {
                        Some(beluga_id) => {
                            out.selected = true;
                            out.beluga_pharmacy_id = Some(beluga_id.trim().to_owned());
                        }
                        None => out.reasons.push(Reason::new(
                            routing_codes::PHARMACY_MISSING_BELUGA_ID,
                            Actor::AdminDevelopment,
                            &[("source", source.label())],
                        )),
                    }
                }
            }
        }
        None => match non_blank(snapshot.order.legacy_beluga_pharmacy_id.as_ref()) {
            Some(legacy) => {
                out.selected = true;
                out.source = Some(PharmacySource::Legacy);
                out.beluga_pharmacy_id = Some(legacy.trim().to_owned());
            }
            None => out
                .reasons
                .push(Reason::new(routing_codes::PHARMACY_MISSING, Actor::Cs, &[])),
        },
    }
    out
}

/// Distinct product default pharmacy ids of the Beluga items (of every item when no item
/// goes to Beluga), in item order.
fn distinct_defaults(snapshot: &OrderSnapshot) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    let items: Vec<&Item> = if snapshot.needs_beluga() {
        snapshot.beluga_items().collect()
    } else {
        snapshot.items.iter().collect()
    };
    for item in items {
        if let Some(id) = non_blank(item.product.default_pharmacy_id.as_ref()) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// The pharmacy an item's fulfillment route goes to: its product default pharmacy, else the
/// order's; `None` when the item is held for staff (an unknown record, none at all, or the two
/// of different types) — the Routed outcomes of [`crate::routing::route_item`].
pub fn item_pharmacy<'a>(snapshot: &'a OrderSnapshot, item: &Item) -> Option<&'a Pharmacy> {
    let lookup = |id: Option<&String>| match non_blank(id) {
        None => Ok(None),
        Some(id) => snapshot.pharmacy(id).map(Some).ok_or(()),
    };
    let product = lookup(item.product.default_pharmacy_id.as_ref()).ok()?;
    let order = lookup(snapshot.order.pharmacy_id.as_ref()).ok()?;
    match (product, order) {
        (Some(p), Some(o)) if p.kind != o.kind => None,
        (Some(p), _) | (None, Some(p)) => Some(p),
        (None, None) => None,
    }
}

/// The order's fulfillment routes, one per pharmacy in item order, as their pharmacy ids;
/// each held item is a route of its own (`None`).
pub fn route_pharmacies(snapshot: &OrderSnapshot) -> Vec<Option<&str>> {
    let mut routes: Vec<Option<&str>> = Vec::new();
    for item in &snapshot.items {
        match item_pharmacy(snapshot, item) {
            Some(p) if routes.contains(&Some(p.id.as_str())) => {}
            Some(p) => routes.push(Some(p.id.as_str())),
            None => routes.push(None),
        }
    }
    routes
}
