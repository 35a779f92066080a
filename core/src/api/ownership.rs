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
use crate::order::snapshot::OrderSnapshot;
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
}

impl<'a> Request<'a> for SplitOrderRequest<'a> {
    fn read(request: &'a Value) -> Result<Self, ApiError> {
        // The snapshot must be valid; the split itself keeps the members as given.
        super::order::snapshot(request)?;
        Ok(Self {
            input: super::params::input(request)?,
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
    Ok(SplitOrder {
        clinic: object(clinic),
        rxgate: object(rxgate),
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
        Ok(Self {
            clinic,
            rxgate,
            integration,
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
    let snapshot = assemble(r.clinic, r.rxgate, &r.integration).map_err(|e| {
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
    Ok(AssembledOrder { snapshot })
}
