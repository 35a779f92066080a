//! The committed JSON Schema of the order snapshot is the one the serde types generate.
//! Regenerate with `RXGATE_UPDATE_SCHEMA=1 cargo test -p rxgate-core --test order_schema`.

use rxgate_core::order::snapshot::json_schema;
use std::path::Path;

#[test]
fn committed_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/order-snapshot.schema.json");
    let generated = format!(
        "{}\n",
        serde_json::to_string_pretty(&json_schema()).unwrap_or_default()
    );
    if std::env::var_os("RXGATE_UPDATE_SCHEMA").is_some() {
        let written = std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
            .and_then(|()| std::fs::write(&path, &generated));
        assert!(written.is_ok(), "could not write {}", path.display());
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "core/schema/order-snapshot.schema.json is stale: run RXGATE_UPDATE_SCHEMA=1 cargo test -p rxgate-core --test order_schema"
    );
}

#[test]
fn schema_forbids_unknown_fields_and_pins_the_version() {
    let schema = json_schema();
    assert_eq!(
        schema.get("additionalProperties"),
        Some(&serde_json::Value::Bool(false))
    );
    let version = schema
        .pointer("/$defs/SchemaVersion")
        .cloned()
        .unwrap_or_default();
    let text = version.to_string();
    assert!(
        text.contains("\"maximum\":1") && text.contains("\"minimum\":1"),
        "{text}"
    );
}
