//! Service API keys: random tokens `rxg_<scope>_<32 hex>` shown once, stored as SHA-256
//! hashes, each with one scope. `emr` is the clinic staff app, `portal` the patient portal
//! (patient-visible data only), `admin` operations (rules reload, raw events, keys).

use serde::{Deserialize, Serialize};

/// What a key may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Clinic staff (EMR/CRM).
    Emr,
    /// The patient portal.
    Portal,
    /// Operations.
    Admin,
}

impl Scope {
    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Emr => "emr",
            Self::Portal => "portal",
            Self::Admin => "admin",
        }
    }

    /// Parses a scope name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "emr" => Some(Self::Emr),
            "portal" => Some(Self::Portal),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// The hash stored for a key.
pub fn hash_key(key: &str) -> String {
    rxgate_core::events::auth::api_key_digest(key)
}

/// A new random key for `scope`.
pub fn generate(scope: Scope) -> String {
    format!("rxg_{}_{}", scope.as_str(), uuid::Uuid::new_v4().simple())
}

/// The stable, non-secret id of a key: `key_` and the first 12 hex digits of its stored hash.
/// Audit entries name it as the actor.
pub fn key_id(hash: &str) -> String {
    format!("key_{}", hash.get(..12).unwrap_or(hash))
}

/// The label of keys provisioned from `RXGATE_API_KEY_*`.
pub const BOOTSTRAP_LABEL: &str = "bootstrap";

/// Stores the bootstrap keys of the environment and revokes every earlier bootstrap key that
/// is no longer there: removing a key from the environment revokes it at the next start. A
/// revoked key stays revoked even when it comes back.
pub fn provision_bootstrap(
    store: &dyn crate::store::Storage,
    keys: &[(Scope, crate::config::Secret)],
    now: i64,
) -> crate::store::StoreResult<()> {
    let mut kept = Vec::new();
    for (scope, key) in keys {
        kept.push(store.add_api_key(&hash_key(key.expose()), *scope, BOOTSTRAP_LABEL, now)?);
    }
    for row in store.list_api_keys()? {
        if row.label == BOOTSTRAP_LABEL && row.revoked_at.is_none() && !kept.contains(&row.id) {
            store.revoke_api_key(&row.id, now)?;
            tracing::info!(key = %row.id, "bootstrap key no longer configured: revoked");
        }
    }
    Ok(())
}
