//! The rules, run as a WebAssembly component inside wasmtime.
//!
//! The lifecycle follows wasmtime's `fast_instantiation` example and Spin's executor:
//!
//! - one [`Runtime`] per process: one `Engine` with the pooling allocator (copy-on-write
//!   memory images, dirtied pages reset in place where the kernel can list them, epoch
//!   interruption) and a ticker thread that bumps the epoch;
//! - one [`Rules`] per loaded guest: the compiled `Component` (cached on disk under its
//!   SHA-256 digest, so a restart deserialises instead of compiling) and one `InstancePre`;
//! - per call: a fresh `Store` with `StoreLimits` (memory cap) and an epoch deadline,
//!   instantiate, call, drop. A store is never reused, so no state leaks between requests;
//! - [`RulesHandle`] holds the active rules behind a lock for atomic hot reload (a new guest
//!   is swapped in only after it passes every shared vector, see [`vectors`]) and a semaphore
//!   sized to the pool for back-pressure.
//!
//! A trap, a timeout or an out-of-memory in the guest is a [`RulesError`] for that call,
//! never a crash: the caller maps it to an internal error.

pub mod vectors;

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use wasmtime::component::{
    Component, ComponentExportIndex, ComponentNamedList, InstancePre, Linker, Lower,
};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, StoreLimits,
    StoreLimitsBuilder, Trap,
};

/// The component built from `host-wasmtime/guest` by the build script (no imports).
pub static BUILTIN_COMPONENT: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/rxgate_rules.wasm"));

/// Name of the exported WIT interface every rules guest implements.
pub const INTERFACE: &str = "rxgate:rules/api@0.1.0";

/// How long one epoch tick lasts; deadlines are whole numbers of ticks.
const TICK: Duration = Duration::from_millis(10);

/// Limits of the guest runtime.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    /// Most guest instances alive at once (the pool size and the semaphore's permits).
    pub max_instances: u32,
    /// Linear memory cap of one guest instance, in bytes.
    pub memory_limit_bytes: usize,
    /// Wall-clock budget of one call, in milliseconds (epoch deadline).
    pub deadline_ms: u64,
    /// Where compiled components are cached (none: no disk cache).
    pub cache_dir: Option<PathBuf>,
}

impl Default for RulesConfig {
    fn default() -> Self {
        Self {
            max_instances: 16,
            memory_limit_bytes: 64 << 20,
            deadline_ms: 2_000,
            cache_dir: None,
        }
    }
}

/// Why a guest call failed. None of these is a verdict: the caller answers "internal error".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// The guest ran past its epoch deadline.
    #[error("the rules guest ran past its deadline")]
    Timeout,
    /// The guest tried to grow its memory beyond the cap.
    #[error("the rules guest ran out of memory")]
    OutOfMemory,
    /// The guest trapped (a panic aborts as a trap).
    #[error("the rules guest trapped: {0}")]
    Trap(String),
    /// The component could not be loaded, instantiated or called.
    #[error("the rules guest failed: {0}")]
    Host(String),
    /// The guest answered something other than the JSON envelope.
    #[error("the rules guest answered a malformed envelope")]
    BadEnvelope,
}

impl RulesError {
    /// A stable short name for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::OutOfMemory => "out_of_memory",
            Self::Trap(_) => "trap",
            Self::Host(_) => "host",
            Self::BadEnvelope => "bad_envelope",
        }
    }

    fn from_wasmtime(error: &wasmtime::Error) -> Self {
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => Self::Timeout,
            Some(trap) => Self::Trap(trap.to_string()),
            None => {
                let text = format!("{error:#}");
                if text.contains("grow") || text.contains("memory") && text.contains("limit") {
                    Self::OutOfMemory
                } else {
                    Self::Host(text)
                }
            }
        }
    }
}

/// The per-call store data: only the resource limits.
struct CallState {
    limits: StoreLimits,
}

/// One wasmtime engine shared by every loaded guest, with its epoch ticker.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    linker: Arc<Linker<CallState>>,
    config: RulesConfig,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("config", &self.config)
            .finish()
    }
}

/// Bytes of a slot's linear memory (and table) reset in place between calls rather than handed
/// back to the kernel, when the kernel can say which pages a call dirtied.
const KEEP_RESIDENT: usize = 8 << 20;

/// Where Linux answers `PAGEMAP_SCAN` (6.7+), a freed instance slot resets only the pages its
/// call wrote, by copy from the memory image, and keeps them mapped: the next call on the slot
/// takes no page faults (they were most of a call's cost, README "Guest call"). Elsewhere the
/// default stays: the slot is reset with `madvise`, since resetting the first
/// [`KEEP_RESIDENT`] bytes blindly would cost more than it saves.
fn keep_pages_resident(pool: &mut PoolingAllocationConfig) {
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.pagemap_scan(wasmtime::Enabled::Yes)
            .linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(KEEP_RESIDENT);
    }
}

impl Runtime {
    /// Builds the engine (pooling allocator, CoW, epoch interruption) and starts the ticker.
    pub fn new(config: RulesConfig) -> Result<Self, RulesError> {
        let mut pool = PoolingAllocationConfig::default();
        let n = config.max_instances.max(1);
        pool.total_component_instances(n)
            .total_core_instances(n.saturating_mul(2))
            .total_memories(n)
            .total_tables(n.saturating_mul(2))
            .max_memory_size(config.memory_limit_bytes);
        keep_pages_resident(&mut pool);
        let mut wasm = Config::new();
        // Bounds checks in the compiled code instead of guard pages and signals: a slot's
        // memory then stays read/write as the guest grew it, where guard pages would cost two
        // `mprotect`s per call (one on growth, one to hide the growth again on reuse, with its
        // TLB shoot-downs): a fifth of a guest call, more than the checks (README "Guest call").
        wasm.epoch_interruption(true)
            .signals_based_traps(false)
            .memory_guard_size(0)
            .memory_init_cow(true)
            .wasm_component_model(true)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&wasm).map_err(|e| RulesError::Host(format!("{e:#}")))?;
        let weak = engine.weak();
        std::thread::Builder::new()
            .name("rxgate-epoch".into())
            .spawn(move || {
                while let Some(engine) = weak.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(TICK);
                }
            })
            .map_err(|e| RulesError::Host(e.to_string()))?;
        Ok(Self {
            linker: Arc::new(Linker::new(&engine)),
            engine,
            config,
        })
    }

    /// The runtime's limits.
    pub fn config(&self) -> &RulesConfig {
        &self.config
    }

    /// Loads a component (binary), compiling it or reading the compiled form from the cache.
    pub fn load(&self, bytes: &[u8]) -> Result<Rules, RulesError> {
        let digest = hex(&Sha256::digest(bytes));
        let component = self.compile_cached(bytes, &digest)?;
        let imports: Vec<String> = component
            .component_type()
            .imports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect();
        if !imports.is_empty() {
            return Err(RulesError::Host(format!(
                "a rules guest must import nothing; this one imports {}",
                imports.join(", ")
            )));
        }
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| RulesError::Host(format!("{e:#}")))?;
        let missing = || RulesError::Host(format!("the component does not export {INTERFACE}"));
        let iface = component
            .get_export_index(None, INTERFACE)
            .ok_or_else(missing)?;
        let func = |name: &str| {
            component
                .get_export_index(Some(&iface), name)
                .ok_or_else(|| RulesError::Host(format!("{INTERFACE} lacks `{name}`")))
        };
        let mut rules = Rules {
            runtime: self.clone(),
            pre,
            call: func("call")?,
            // Optional: guests built before it answer every call through `call`.
            call_document: func("call-document").ok(),
            version_fn: func("version")?,
            ops_fn: func("ops")?,
            digest,
            version: serde_json::Value::Null,
        };
        let version = rules.invoke_text(rules.version_fn, ())?;
        rules.version = serde_json::from_str(&version).map_err(|_| RulesError::BadEnvelope)?;
        Ok(rules)
    }

    fn compile_cached(&self, bytes: &[u8], digest: &str) -> Result<Component, RulesError> {
        let host = |e: wasmtime::Error| RulesError::Host(format!("{e:#}"));
        let Some(dir) = &self.config.cache_dir else {
            return Component::new(&self.engine, bytes).map_err(host);
        };
        let path = self.cache_path(dir, digest);
        if path.is_file() {
            // SAFETY: the file lives in rxgate's own cache directory, is named by the digest of
            // the source component and the engine's compatibility hash, and was written by
            // `Component::serialize` of this same engine configuration below.
            #[expect(
                unsafe_code,
                reason = "deserialising rxgate's own compiled-component cache"
            )]
            let cached = unsafe { Component::deserialize_file(&self.engine, &path) };
            if let Ok(component) = cached {
                return Ok(component);
            }
        }
        let component = Component::new(&self.engine, bytes).map_err(host)?;
        if let Ok(serialized) = component.serialize() {
            let _ = std::fs::create_dir_all(dir);
            let tmp = path.with_extension("tmp");
            if std::fs::write(&tmp, serialized).is_ok() {
                let _ = std::fs::rename(&tmp, &path);
            }
        }
        Ok(component)
    }

    fn cache_path(&self, dir: &Path, digest: &str) -> PathBuf {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.engine
            .precompile_compatibility_hash()
            .hash(&mut hasher);
        dir.join(format!("{digest}-{:016x}.cwasm", hasher.finish()))
    }
}

/// One loaded rules guest: compiled, pre-instantiated, ready to call.
pub struct Rules {
    runtime: Runtime,
    pre: InstancePre<CallState>,
    call: ComponentExportIndex,
    call_document: Option<ComponentExportIndex>,
    version_fn: ComponentExportIndex,
    ops_fn: ComponentExportIndex,
    digest: String,
    version: serde_json::Value,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules")
            .field("digest", &self.digest)
            .field("version", &self.version)
            .finish()
    }
}

impl Rules {
    /// SHA-256 of the component binary, hex.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The guest's version document (`{"guest", "wit"}`).
    pub fn version(&self) -> &serde_json::Value {
        &self.version
    }

    /// The guest's operation list as JSON text.
    pub fn ops_json(&self) -> Result<String, RulesError> {
        self.invoke_text(self.ops_fn, ())
    }

    /// Calls `op` with a JSON request text; answers the guest's envelope text as is.
    pub fn call_json_str(&self, op: &str, request: &str) -> Result<String, RulesError> {
        self.invoke_text(self.call, (op, request))
    }

    /// Calls `op` with its main document (`input`, JSON text) beside the other members of
    /// the request (`params`, JSON text of an object), through the guest's `call-document`:
    /// the document is copied into the guest as it is, never escaped into a request string,
    /// and `validate` reads it straight into its typed model. A guest without
    /// `call-document` gets the same request through `call`.
    pub fn call_document_json_str(
        &self,
        op: &str,
        params: &str,
        document: &str,
    ) -> Result<String, RulesError> {
        if let Some(index) = self.call_document {
            return self.invoke_text(index, (op, params, document));
        }
        // Misuse (text that is not JSON, parameters that are not an object) is answered as
        // the core answers it, never sent on.
        let Ok(request) = rxgate_core::api::document_request(params, document) else {
            return Ok(rxgate_core::api::call_document_json_str(
                op, params, document,
            ));
        };
        self.call_json_str(op, &request.to_string())
    }

    /// As [`Rules::call_json_str`] with [`Rules::call_document_json_str`]'s split request,
    /// the envelope split into ok / err.
    pub fn call_document(
        &self,
        op: &str,
        params: &serde_json::Value,
        document: &str,
    ) -> Result<Result<serde_json::Value, serde_json::Value>, RulesError> {
        let text = self.call_document_json_str(op, &params.to_string(), document)?;
        parse_envelope(&text)
    }

    /// Calls `op` with a JSON request; `Ok(Ok(response))` for `{"ok"}`, `Ok(Err(err))` for
    /// the `{"err": {code, message}}` of misuse, `Err` when the guest itself failed.
    pub fn call(
        &self,
        op: &str,
        request: &serde_json::Value,
    ) -> Result<Result<serde_json::Value, serde_json::Value>, RulesError> {
        let text = self.call_json_str(op, &request.to_string())?;
        parse_envelope(&text)
    }

    fn store(&self) -> Store<CallState> {
        let config = &self.runtime.config;
        let limits = StoreLimitsBuilder::new()
            .memory_size(config.memory_limit_bytes)
            .instances(4)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(&self.runtime.engine, CallState { limits });
        store.limiter(|state| &mut state.limits);
        let ticks = config.deadline_ms.div_ceil(TICK.as_millis() as u64).max(1);
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();
        store
    }

    /// Instantiates the guest in a fresh store and calls the export `index` with `args`,
    /// answering its one string result.
    fn invoke_text<Args>(
        &self,
        index: ComponentExportIndex,
        args: Args,
    ) -> Result<String, RulesError>
    where
        Args: ComponentNamedList + Lower + Send + Sync,
    {
        let wasm = |e: wasmtime::Error| RulesError::from_wasmtime(&e);
        let mut store = self.store();
        let instance = self.pre.instantiate(&mut store).map_err(wasm)?;
        let func = instance
            .get_typed_func::<Args, (String,)>(&mut store, &index)
            .map_err(wasm)?;
        Ok(func.call(&mut store, args).map_err(wasm)?.0)
    }
}

/// Splits the core's envelope text into ok / err.
pub fn parse_envelope(
    text: &str,
) -> Result<Result<serde_json::Value, serde_json::Value>, RulesError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| RulesError::BadEnvelope)?;
    match value {
        serde_json::Value::Object(mut map) if map.len() == 1 => {
            if let Some(ok) = map.remove("ok") {
                Ok(Ok(ok))
            } else if let Some(err) = map.remove("err") {
                Ok(Err(err))
            } else {
                Err(RulesError::BadEnvelope)
            }
        }
        _ => Err(RulesError::BadEnvelope),
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The active rules, swappable at run time, with back-pressure on concurrent calls.
#[derive(Clone)]
pub struct RulesHandle {
    runtime: Runtime,
    active: Arc<RwLock<Arc<Rules>>>,
    permits: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for RulesHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RulesHandle")
            .field("active", &self.current())
            .finish()
    }
}

/// Outcome of a reload attempt.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReloadOutcome {
    /// Whether the new guest is now active.
    pub swapped: bool,
    /// Digest of the active rules after the attempt.
    pub active_digest: String,
    /// Digest of the candidate.
    pub candidate_digest: String,
    /// The candidate's vector run.
    pub vectors: vectors::VectorSummary,
}

impl RulesHandle {
    /// Starts with `rules` active.
    pub fn new(runtime: Runtime, rules: Rules) -> Self {
        let permits = runtime.config.max_instances.max(1) as usize;
        Self {
            runtime,
            active: Arc::new(RwLock::new(Arc::new(rules))),
            permits: Arc::new(tokio::sync::Semaphore::new(permits)),
        }
    }

    /// Loads the built-in guest into a fresh runtime.
    pub fn builtin(config: RulesConfig) -> Result<Self, RulesError> {
        let runtime = Runtime::new(config)?;
        let rules = runtime.load(BUILTIN_COMPONENT)?;
        Ok(Self::new(runtime, rules))
    }

    /// The rules active now.
    pub fn current(&self) -> Arc<Rules> {
        match self.active.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Calls `op` on the active rules from async code: waits for a permit, runs the guest on
    /// the blocking pool.
    pub async fn call(
        &self,
        op: &str,
        request: serde_json::Value,
    ) -> Result<Result<serde_json::Value, serde_json::Value>, RulesError> {
        let op = op.to_owned();
        self.on_blocking_pool(move |rules| rules.call(&op, &request))
            .await
    }

    /// As [`RulesHandle::call`], with the request's document beside its other members
    /// ([`Rules::call_document`]).
    pub async fn call_document(
        &self,
        op: &str,
        params: serde_json::Value,
        document: String,
    ) -> Result<Result<serde_json::Value, serde_json::Value>, RulesError> {
        let op = op.to_owned();
        self.on_blocking_pool(move |rules| rules.call_document(&op, &params, &document))
            .await
    }

    /// Runs `work` on the active rules on the blocking pool, once a permit is free.
    async fn on_blocking_pool<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Rules) -> Result<T, RulesError> + Send + 'static,
    ) -> Result<T, RulesError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| RulesError::Host("the rules are shutting down".into()))?;
        let rules = self.current();
        tokio::task::spawn_blocking(move || work(&rules))
            .await
            .map_err(|e| RulesError::Host(e.to_string()))?
    }

    /// Loads `bytes` as a new guest, runs every bundled vector against it, and makes it
    /// active only if all pass. Blocking (compiles and runs the vectors).
    pub fn reload(&self, bytes: &[u8]) -> Result<ReloadOutcome, RulesError> {
        let candidate = self.runtime.load(bytes)?;
        let summary = vectors::run_bundled(&candidate);
        let candidate_digest = candidate.digest().to_owned();
        let swapped = summary.failed == 0;
        if swapped {
            let mut guard = match self.active.write() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            *guard = Arc::new(candidate);
        }
        Ok(ReloadOutcome {
            swapped,
            active_digest: self.current().digest().to_owned(),
            candidate_digest,
            vectors: summary,
        })
    }
}

impl vectors::RulesImpl for Rules {
    fn call_json_str(&self, op: &str, request: &str) -> Result<String, String> {
        Rules::call_json_str(self, op, request).map_err(|e| e.to_string())
    }
}

/// Digest, version, imports and operations of a component, as JSON (`rxgate rules info`).
pub fn describe(bytes: &[u8]) -> Result<serde_json::Value, RulesError> {
    let runtime = Runtime::new(RulesConfig {
        max_instances: 1,
        ..RulesConfig::default()
    })?;
    let component =
        Component::new(&runtime.engine, bytes).map_err(|e| RulesError::Host(format!("{e:#}")))?;
    let imports: Vec<String> = component
        .component_type()
        .imports(&runtime.engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    let rules = runtime.load(bytes)?;
    let ops: serde_json::Value =
        serde_json::from_str(&rules.ops_json()?).map_err(|_| RulesError::BadEnvelope)?;
    Ok(serde_json::json!({
        "digest": rules.digest(),
        "version": rules.version(),
        "interface": INTERFACE,
        "imports": imports,
        "ops": ops,
    }))
}
