//! API operations of order ownership (`crate::order::ownership`): split a snapshot into the
//! clinic's input and the members rxgate owns, and assemble the snapshot the rules read from
//! the clinic's input, rxgate's state and the service's integration facts.
//!
//! `assemble_order` takes two documents, so it names them (`clinic`, `rxgate`) instead of
//! `input`. A schema error's `path` points into the request (`/clinic/patient/ssn`,
//! `/rxgate/order/beluga/submit_status`, `/integration`), its message says what was
//! expected, never the value.

use super::params::typed;
use super::{ApiError, ApiErrorCode, Request};
use crate::order::ownership::{assemble, split, IntegrationFacts};
use crate::order::snapshot::{Activity, OrderSnapshot};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

fn member<'a>(request: &'a Value, name: &str, expected: &str) -> Result<&'a Value, ApiError> {
    match request.get(name) {
        Some(value @ Value::Object(_)) => Ok(value),
        _ => Err(ApiError::invalid_request(name, expected)),
    }
}

/// The request of `split_order`.
#[derive(JsonSchema)]
pub struct SplitOrderRequest<'a> {
    /// The order snapshot (valid; the split keeps its members as given).
    #[schemars(with = "OrderSnapshot")]
    pub input: &'a Value,
    /// `true` when the caller keeps the activities in a store of its own (the service's
    /// activity records): `activities` is then left out of the `rxgate` part, and the caller
    /// hands them to `assemble_order` as its `activities`. Default `false`.
    #[serde(default)]
    pub activities_recorded: bool,
}

impl<'a> Request<'a> for SplitOrderRequest<'a> {
    fn read(request: &'a Value) -> Result<Self, ApiError> {
        // The snapshot must be valid; the split itself keeps the members as given.
        super::order::snapshot(request)?;
        Ok(Self {
            input: super::params::input(request)?,
            activities_recorded: super::params::opt_bool(request, "activities_recorded")?
                .unwrap_or(false),
        })
    }
}

/// The answer of `split_order`: two partial snapshots (JSON objects of snapshot members).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, JsonSchema)]
pub struct SplitOrder {
    /// The clinic's input: the members the clinic owns.
    pub clinic: Map<String, Value>,
    /// The members rxgate owns.
    pub rxgate: Map<String, Value>,
}

/// `split_order`.
pub(super) fn split_order(r: SplitOrderRequest<'_>) -> Result<SplitOrder, ApiError> {
    let (clinic, rxgate) = split(r.input);
    let object = |v: Value| match v {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let mut rxgate = object(rxgate);
    if r.activities_recorded {
        rxgate.shift_remove("activities");
    }
    Ok(SplitOrder {
        clinic: object(clinic),
        rxgate,
    })
}

/// The request of `assemble_order`.
#[derive(JsonSchema)]
pub struct AssembleOrderRequest<'a> {
    /// The clinic's order input (the members the clinic owns; an object).
    #[schemars(with = "Map<String, Value>")]
    pub clinic: &'a Value,
    /// The members rxgate owns (an object; `{}` for a new order).
    #[schemars(with = "Map<String, Value>")]
    pub rxgate: &'a Value,
    /// The service's integration facts.
    pub integration: IntegrationFacts,
    /// The activities the service recorded for the order (its activity store), oldest
    /// first. When present they are the snapshot's `activities`, in place of any `rxgate`
    /// holds: the rules (message visibility, the diagnosis, the patient view) then judge what
    /// was really stored. Absent: `rxgate`'s own.
    #[serde(default)]
    pub activities: Option<Vec<Activity>>,
}

impl<'a> Request<'a> for AssembleOrderRequest<'a> {
    fn read(request: &'a Value) -> Result<Self, ApiError> {
        let clinic = member(request, "clinic", "the clinic's order input (an object)")?;
        let rxgate = member(
            request,
            "rxgate",
            "the members rxgate owns (an object; {} for a new order)",
        )?;
        let integration: IntegrationFacts = typed(
            member(
                request,
                "integration",
                "the service's integration facts (an object)",
            )?,
            "integration",
        )?;
        let activities = match request.get("activities") {
            None | Some(Value::Null) => None,
            Some(list) => Some(typed(list, "activities")?),
        };
        Ok(Self {
            clinic,
            rxgate,
            integration,
            activities,
        })
    }
}

/// The answer of `assemble_order`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AssembledOrder {
    /// The snapshot the rules read.
    pub snapshot: OrderSnapshot,
}

/// `assemble_order`.
pub(super) fn assemble_order(r: AssembleOrderRequest<'_>) -> Result<AssembledOrder, ApiError> {
    let mut snapshot = assemble(r.clinic, r.rxgate, &r.integration).map_err(|e| {
        let part = e.part.name();
        ApiError::new(
            ApiErrorCode::SchemaError,
            format!(
                "`{part}` does not make a valid order snapshot: {}",
                e.error.expected
            ),
        )
        .at(format!("/{part}{}", e.error.pointer))
    })?;
    if let Some(recorded) = r.activities {
        snapshot.activities = recorded;
    }
    Ok(AssembledOrder { snapshot })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn recorded_activities_stay_out_of_rxgates_part() {
        let mut snapshot: serde_json::Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/order-dispensepro-ready.json"
        ))
        .unwrap_or_default();
        if let Some(map) = snapshot.as_object_mut() {
            map.insert(
                "events".into(),
                json!([{"source": "BELUGA", "event": "DOCTOR_CHAT",
                        "received_at": "2026-11-22T16:05:00Z"}]),
            );
            map.insert(
                "activities".into(),
                json!([{"kind": "BELUGA_DOCTOR_CHAT", "at": "2026-11-22T16:05:00Z"}]),
            );
        }
        let split = |recorded: bool| {
            let request = json!({"input": snapshot, "activities_recorded": recorded});
            crate::api::call("split_order", &request)
                .ok()
                .and_then(|answer| answer.get("rxgate").cloned())
                .unwrap_or_default()
        };
        assert!(split(false).get("activities").is_some());
        let apart = split(true);
        assert!(apart.get("activities").is_none(), "{apart}");
        assert!(apart.get("events").is_some(), "{apart}");
    }
}
