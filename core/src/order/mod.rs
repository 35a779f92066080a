//! Order rules: the order snapshot, readiness, auto-submit, visit building, the order state
//! machine, the cancel guard, message visibility and the decisions around partner calls
//! ([`calls`]: submission planning, call outcomes, message bodies).
//!
//! Everything here reads an [`snapshot::OrderSnapshot`] — the clinic app's view of one order —
//! and answers a typed decision with stable reason codes ([`codes`]). The status fields of an
//! order converge under [`state`]'s forward-only merges, whichever order partner events
//! arrive in. [`ownership`] says who writes which member: the clinic's input, rxgate's learned
//! state or the service's configuration.

pub mod calls;
pub mod cancel;
pub mod codes;
pub mod erase;
pub mod flags;
pub mod intake;
pub mod messages;
pub mod ownership;
pub mod pharmacy;
pub mod readiness;
pub mod reason;
pub mod resend;
pub mod rx;
pub mod snapshot;
pub mod state;
pub mod submit;
pub mod visit;
