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
    assert_eq!(output.status.code(), Some(2), "configuration errors exit 2");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid configuration"), "{stderr}");
    assert!(!stderr.contains("SECRET-SENTINEL"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_unusable_environment_value_exits_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_rxgate"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RXGATE_DRAIN_MS", "soon")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("RXGATE_DRAIN_MS"), "{stderr}");
}

#[test]
fn backup_writes_a_consistent_copy_that_restores() {
    use rxgate_host::store::AuditEntry;
    let dir = std::env::temp_dir().join(format!("rxgate-backup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    {
        let store = SqliteStore::open_dir(&data).unwrap();
        let snapshot = serde_json::json!({"order": {"id": "o-backup"}});
        store
            .put_clinic_input(
                "o-backup",
                &snapshot,
                &serde_json::json!({}),
                None,
                &AuditEntry::default(),
                &[],
            )
            .unwrap();
    }
    let out = dir.join("copy.sqlite3");
    let run = |out: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_rxgate"))
            .args(["backup", "--data-dir"])
            .arg(&data)
            .arg("--out")
            .arg(out)
            .output()
            .expect("runs")
    };
    assert!(run(&out).status.success());
    // Never overwrites.
    assert_eq!(run(&out).status.code(), Some(2));
    // Restored as a data directory, the copy holds the order.
    let restored = dir.join("restored");
    std::fs::create_dir_all(&restored).unwrap();
    std::fs::copy(&out, restored.join("rxgate.sqlite3")).unwrap();
    let store = SqliteStore::open_dir(&restored).unwrap();
    assert!(store.get_order("o-backup").unwrap().is_some());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn secrets_come_from_files_named_by_file_variables() {
    use rxgate_host::config::{env_files, Config};
    let dir = std::env::temp_dir().join(format!("rxgate-secretfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("beluga-key");
    std::fs::write(&file, "file-held-key\n").unwrap();
    let vars = vec![
        (
            "RXGATE_BELUGA_API_KEY_FILE".to_owned(),
            file.display().to_string(),
        ),
        ("UNRELATED_FILE".to_owned(), "/nonexistent".to_owned()),
    ];
    let files = env_files(vars.into_iter()).unwrap();
    let mut config = Config::default();
    config.apply_env(|name| files.get(name).cloned()).unwrap();
    assert_eq!(
        config.beluga.api_key.as_ref().map(|k| k.expose()),
        Some("file-held-key")
    );
    // An unreadable file is a configuration error: exit 2, naming the variable only.
    let output = Command::new(env!("CARGO_BIN_EXE_rxgate"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RXGATE_BELUGA_WEBHOOK_SECRET_FILE", dir.join("missing"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("RXGATE_BELUGA_WEBHOOK_SECRET_FILE"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_example_configuration_loads() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/rxgate.toml");
    let config = rxgate_host::config::Config::load(Some(std::path::Path::new(example)));
    assert!(config.is_ok(), "{:?}", config.err());
}

/// `SIGHUP` re-reads `*_FILE` secrets: a bootstrap key rotated in its file works at once and
/// the one it replaced is revoked, with no restart.
#[tokio::test]
async fn sighup_rotates_a_bootstrap_key_held_in_a_file() {
    let keys = std::env::temp_dir().join(format!("rxgate-rotated-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&keys).unwrap();
    let file = keys.join("admin-key");
    let (old, new) = (
        "admin-key-before-rotation-0001",
        "admin-key-after-rotation-00002",
    );
    std::fs::write(&file, format!("{old}\n")).unwrap();
    let file_var = file.display().to_string();
    let mut served = super::observability::serve(
        "hup-keys",
        &[("RXGATE_API_KEY_ADMIN_FILE", file_var.as_str())],
    );
    let client = reqwest::Client::new();
    let status = |key: &'static str| {
        let request = client
            .get(format!("{}/admin/events/attention", served.url))
            .header("x-api-key", key);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(old).await, 200);
    assert_eq!(status(new).await, 401);
    std::fs::write(&file, format!("{new}\n")).unwrap();
    let hup = Command::new("kill")
        .args(["-HUP", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while status(new).await != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "the rotated key never worked"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status(old).await, 401, "the replaced key still works");
    let _ = served.child.kill();
    let _ = served.child.wait();
    let log = std::fs::read_to_string(&served.log).unwrap();
    assert!(log.contains("secrets reloaded on SIGHUP"), "{log}");
    assert!(
        !log.contains(old) && !log.contains(new),
        "a key reached the log"
    );
    let _ = std::fs::remove_dir_all(&served.dir);
    let _ = std::fs::remove_dir_all(keys);
}
