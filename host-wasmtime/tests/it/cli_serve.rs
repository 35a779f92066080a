//! The service commands of the `rxgate` binary: `keys create` stores only a hash, `rules info`
//! reports a component with no imports.

use rxgate_host::keys::{hash_key, Scope};
use rxgate_host::store::{sqlite::SqliteStore, Storage};
use std::process::Command;

#[test]
fn keys_create_prints_a_key_once_and_stores_its_hash() {
    let dir = std::env::temp_dir().join(format!("rxgate-keys-{}", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_rxgate"))
        .args(["keys", "create", "--scope", "portal", "--data-dir"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert!(output.status.success());
    let key = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("rxg_portal_"), "{key}");
    let store = SqliteStore::open_dir(&dir).unwrap();
    let row = store.api_key(&hash_key(&key)).unwrap();
    assert_eq!(row.as_ref().map(|r| r.scope), Some(Scope::Portal));
    assert!(row.is_some_and(|r| r.id.starts_with("key_")));
    assert_eq!(
        store.api_key(&key).unwrap(),
        None,
        "the key itself is not stored"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn rules_info_lists_no_imports() {
    let output = Command::new(env!("CARGO_BIN_EXE_rxgate"))
        .args(["rules", "info"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let info: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(info["imports"], serde_json::json!([]));
    assert_eq!(info["interface"], "rxgate:rules/api@0.1.0");
    assert_eq!(info["digest"].as_str().map(str::len), Some(64));
}

#[test]
fn serve_refuses_a_config_file_holding_a_secret_without_echoing_it() {
    let dir = std::env::temp_dir().join(format!("rxgate-badcfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rxgate.toml");
    std::fs::write(&file, "[beluga]\napi_key = \"SECRET-SENTINEL\"\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_rxgate"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid configuration"), "{stderr}");
    assert!(!stderr.contains("SECRET-SENTINEL"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}
