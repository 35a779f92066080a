//! Codes of the service around the rules (`rxgate serve`): configuration gaps reported by
//! `/readyz`, and refusals of requests the host answers itself before any rule runs. They are
//! registered here so the registry holds every code a client of rxgate can see; the host
//! uses these constants, never string literals.

pub mod codes;
