//! Builds the rules guest (`host-wasmtime/guest`) for `wasm32-unknown-unknown`, wraps it into
//! a component with `wit-component` (pure Rust, no CLI) and bundles the shared test vectors,
//! so `include_bytes!` / `include!` in `src/rules/` embed both into the host.
//!
//! The nested `cargo build` uses its own target directory (beside the outer one, or under
//! `OUT_DIR`) so it never waits on the outer build's lock.

use std::path::{Path, PathBuf};
use std::process::Command;

const GUEST_TARGET: &str = "wasm32-unknown-unknown";

/// The one command that installs the guest's target.
const ADD_TARGET: &str = "rustup target add wasm32-unknown-unknown";

fn main() {
    if let Err(message) = run() {
        // `cargo::error` puts the first line under the failing build's own `error:` heading;
        // the full text (with the nested build's output, if any) follows on stderr.
        let first = message.lines().next().unwrap_or_default();
        println!("cargo::error={first}");
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let root = manifest
        .parent()
        .ok_or("the host crate has no parent directory")?
        .to_path_buf();
    let out = PathBuf::from(env("OUT_DIR")?);
    for watched in [
        "core/src",
        "core/Cargo.toml",
        "host-wasmtime/guest/src",
        "host-wasmtime/guest/Cargo.toml",
        "host-wasmtime/wit",
        "tests/vectors",
        "Cargo.lock",
        "Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=RXGATE_GUEST_TARGET_DIR");

    check_guest_target()?;
    let module = build_guest(&root, &out)?;
    let bytes = std::fs::read(&module)
        .map_err(|e| format!("cannot read the guest module {}: {e}", module.display()))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&bytes)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|e| format!("cannot turn the guest module into a component: {e:#}"))?;
    std::fs::write(out.join("rxgate_rules.wasm"), component)
        .map_err(|e| format!("cannot write the component: {e}"))?;

    bundle_vectors(&root.join("tests/vectors"), &out.join("vectors.rs"))
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

/// The directory of the nested build: `RXGATE_GUEST_TARGET_DIR`, else `<outer target>/rxgate-guest`
/// (shared by every profile of the outer build), else `OUT_DIR/guest-target`.
fn guest_target_dir(out: &Path) -> PathBuf {
    if let Ok(dir) = std::env::var("RXGATE_GUEST_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out on a native build.
    let mut ancestors = out.ancestors();
    let build = ancestors.nth(2);
    let target = ancestors.nth(1);
    match (build, target) {
        (Some(build), Some(target)) if build.file_name().is_some_and(|n| n == "build") => {
            target.join("rxgate-guest")
        }
        _ => out.join("guest-target"),
    }
}

/// The message for a toolchain without the guest's standard library: names the fix.
fn missing_target() -> String {
    format!(
        "the {GUEST_TARGET} target is not installed; fix: `{ADD_TARGET}`\n\
         (the rules guest is compiled for it; rustup adds it on first use from \
         rust-toolchain.toml unless RUSTUP_AUTO_INSTALL=0)"
    )
}

/// Fails before any guest compilation when the toolchain lacks the guest target's standard
/// library. Where rustc cannot be asked, the nested build below reports what it finds.
fn check_guest_target() -> Result<(), String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let Ok(output) = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", GUEST_TARGET])
        .output()
    else {
        return Ok(());
    };
    let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if output.status.success() && !dir.as_os_str().is_empty() && !dir.is_dir() {
        return Err(missing_target());
    }
    Ok(())
}

/// The guest's cargo profile: the npm package's (whole-program LTO, one codegen unit), and
/// WebAssembly SIMD (`simd128`, which wasmtime runs as SSE/AVX) for the byte loops the
/// compiler vectorises: together 8 % off a guest `validate` (README "Guest call").
const GUEST_PROFILE: &str = "wasm-release";
const GUEST_RUSTFLAGS: &str = "-Ctarget-feature=+simd128";

fn build_guest(root: &Path, out: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target_dir = guest_target_dir(out);
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args([
            "build",
            "--profile",
            GUEST_PROFILE,
            "--target",
            GUEST_TARGET,
            "-p",
            "rxgate-guest",
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    // The outer build's flags, wrappers (clippy-driver) and target do not apply to the guest.
    for name in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        command.env_remove(name);
    }
    command.env("CARGO_ENCODED_RUSTFLAGS", GUEST_RUSTFLAGS);
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo for the guest: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains(GUEST_TARGET) && stderr.contains("target may not be installed") {
            return Err(format!("{}\n{stderr}", missing_target()));
        }
        return Err(format!("building the rules guest failed\n{stderr}"));
    }
    Ok(target_dir
        .join(GUEST_TARGET)
        .join(GUEST_PROFILE)
        .join("rxgate_guest.wasm"))
}

/// Writes `vectors.rs`: a slice of (relative path, file text) for every vector file.
fn bundle_vectors(dir: &Path, dest: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    collect_json(dir, &mut files);
    files.sort();
    let mut code = String::from("&[\n");
    for file in files {
        let rel = file
            .strip_prefix(dir)
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    code.push_str("]\n");
    std::fs::write(dest, code).map_err(|e| format!("cannot write {}: {e}", dest.display()))
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_json(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}
