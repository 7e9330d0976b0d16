//! Runs the engine's wasm module (the exact file the npm package ships) under
//! wasmtime, through its C ABI (`docs/abi.md`).
//!
//! - The module is compiled once; instances come from an `InstancePre`.
//! - Instances are kept warm in a small pool and reused: a fresh instance
//!   would rebuild the tokenizer's tables on its first call, which costs far
//!   more than the call itself. An instance is thrown away after any trap,
//!   timeout or memory overrun, and when its memory has grown large.
//! - Every call has a memory limit (a `ResourceLimiter` on the store) and a
//!   deadline (epoch interruption, driven by a background ticker thread).
//! - The module's JS-glue imports are stubs that trap: the C ABI never
//!   reaches them.

use crate::engine::{Engine, EngineError, Op};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use wasmtime::{
    Config, InstancePre, Linker, Memory, Module, ResourceLimiter, Store, Trap, TypedFunc,
};

/// The module built by `scripts/build-wasm.sh`, embedded at build time.
pub static EMBEDDED_MODULE: &[u8] = include_bytes!(env!("HEADROOM_WASM_PATH"));

/// The C-ABI version this host speaks (see `headroom_abi_version_N`).
pub const ABI_VERSION: u32 = 1;
const ABI_MARKER_PREFIX: &str = "headroom_abi_version_";

/// How often the deadline clock ticks.
const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Limits and pooling for [`WasmEngine`].
#[derive(Debug, Clone)]
pub struct WasmConfig {
    /// Maximum linear memory of an instance (the module's own data included).
    pub memory_limit_bytes: usize,
    /// Maximum wall time of one call.
    pub timeout: Duration,
    /// Warm instances kept for reuse.
    pub max_idle_instances: usize,
    /// Instances whose memory grew beyond this are dropped after their call
    /// instead of being reused, so one huge request does not pin its memory.
    pub recycle_above_bytes: usize,
}

impl Default for WasmConfig {
    fn default() -> Self {
        Self {
            memory_limit_bytes: 1 << 30,
            timeout: Duration::from_secs(10),
            max_idle_instances: std::thread::available_parallelism().map_or(2, |n| n.get()),
            recycle_above_bytes: 256 << 20,
        }
    }
}

/// The wasm engine. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct WasmEngine {
    inner: Arc<Inner>,
}

struct Inner {
    pre: InstancePre<Limits>,
    config: WasmConfig,
    idle: Mutex<Vec<Worker>>,
    compile_time: Duration,
    _ticker: Ticker,
}

impl WasmEngine {
    /// Compile the embedded module with the default limits.
    pub fn new() -> Result<Self, EngineError> {
        Self::from_module(EMBEDDED_MODULE, WasmConfig::default())
    }

    /// Compile `wasm` (must be a Headroom engine module speaking ABI 1).
    pub fn from_module(wasm: &[u8], config: WasmConfig) -> Result<Self, EngineError> {
        let engine =
            wasmtime::Engine::new(&engine_config()).map_err(module_error("configure wasmtime"))?;

        let started = Instant::now();
        let (module, _from_cache) = crate::module_cache::load_or_compile(&engine, wasm)
            .map_err(module_error("compile the module"))?;
        let compile_time = started.elapsed();
        check_abi(&module)?;

        let mut linker: Linker<Limits> = Linker::new(&engine);
        // The JS glue calls this when it starts the module; a host that never
        // calls `__wbindgen_start` does not need it, but a no-op keeps that
        // export usable too.
        for import in module.imports() {
            if import.name() == "__wbindgen_init_externref_table" {
                linker
                    .func_wrap(import.module(), import.name(), || {})
                    .map_err(module_error("link the module"))?;
            }
        }
        linker
            .define_unknown_imports_as_traps(&module)
            .map_err(module_error("link the module"))?;
        let pre = linker
            .instantiate_pre(&module)
            .map_err(module_error("link the module"))?;

        let inner = Inner {
            pre,
            config,
            idle: Mutex::new(Vec::new()),
            compile_time,
            _ticker: Ticker::start(&engine),
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// How long it took to get the module ready: compiling it with
    /// Cranelift, or loading its code from the module cache.
    pub fn compile_time(&self) -> Duration {
        self.inner.compile_time
    }

    /// Create one instance and run a first call on it, so the tokenizer's
    /// tables are built before the first real request. Returns the time taken.
    pub fn warm_up(&self) -> Result<Duration, EngineError> {
        let started = Instant::now();
        self.call_json(Op::CountTokens, br#"{"text":"warm up"}"#)?;
        Ok(started.elapsed())
    }

    /// Instances currently idle in the pool (for tests and stats).
    pub fn idle_instances(&self) -> usize {
        self.idle().len()
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Worker>> {
        // A panic while holding the lock cannot leave the Vec inconsistent.
        self.inner.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn checkout(&self) -> Result<Worker, EngineError> {
        if let Some(worker) = self.idle().pop() {
            return Ok(worker);
        }
        Worker::new(&self.inner.pre, self.inner.config.memory_limit_bytes)
    }

    fn checkin(&self, worker: Worker) {
        if worker.memory_bytes() > self.inner.config.recycle_above_bytes {
            return;
        }
        let mut idle = self.idle();
        if idle.len() < self.inner.config.max_idle_instances {
            idle.push(worker);
        }
    }
}

impl Engine for WasmEngine {
    fn runtime(&self) -> &'static str {
        "wasm"
    }

    fn call_json(&self, op: Op, request: &[u8]) -> Result<Vec<u8>, EngineError> {
        let mut worker = self.checkout()?;
        let deadline_ticks = self
            .inner
            .config
            .timeout
            .as_nanos()
            .div_ceil(EPOCH_TICK.as_nanos()) as u64
            + 1;
        match worker.call(op, request, deadline_ticks) {
            Ok(response) => {
                self.checkin(worker);
                Ok(response)
            }
            // The worker is dropped: an instance that trapped may be left in
            // any state.
            Err(CallFailure::Wasm(err)) => Err(classify(err, &worker, &self.inner.config)),
            Err(CallFailure::Protocol(msg)) => Err(EngineError::Protocol(msg)),
        }
    }
}

/// wasmtime's settings for the engine module: the code runs as fast as
/// Cranelift makes it while every call keeps its deadline and memory limit.
///
/// - Epoch interruption is the deadline (a check at function entries and
///   loop heads; fuel would cost far more).
/// - On 64-bit hosts each memory reserves 4 GiB of address space with guard
///   pages behind it and traps through signals, so loads and stores carry no
///   explicit bounds checks. (These are wasmtime's defaults there, stated so
///   they cannot silently change; `memory_may_move(false)` on top was tried
///   and measured no faster on the 1 MB log bench.)
///
/// Every one of these settings is part of the compiled code's compatibility
/// hash (`Engine::precompile_compatibility_hash`: compiler flags, tunables,
/// features), which names the module cache's files (`module_cache.rs`), so
/// code compiled under other settings is never loaded.
///
/// Hidden switch for speed work, not for users: `HEADROOM_WASM_PROFILE=perfmap`
/// makes wasmtime write `/tmp/perf-<pid>.map`, so `perf record` / `perf
/// report` name the module's functions (by the module's name section, which
/// the shipped module has stripped; see docs/benchmarks.md §2 for how to
/// embed a module that keeps it). Off, it is one environment read when the
/// engine is built, and the compiled code is the same.
fn engine_config() -> Config {
    let mut config = Config::new();
    config.strategy(wasmtime::Strategy::Cranelift);
    config.cranelift_opt_level(wasmtime::OptLevel::Speed);
    config.epoch_interruption(true);
    config.table_lazy_init(false);
    #[cfg(target_pointer_width = "64")]
    {
        config.signals_based_traps(true);
        config.memory_reservation(1 << 32);
    }
    if perf_map_requested(std::env::var("HEADROOM_WASM_PROFILE").ok().as_deref()) {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    config
}

/// Whether `HEADROOM_WASM_PROFILE`'s value asks for a perf map.
fn perf_map_requested(value: Option<&str>) -> bool {
    value == Some("perfmap")
}

/// Store data: the memory limiter, remembering whether it refused a growth
/// so a trap that follows can be reported as out-of-memory.
struct Limits {
    max_memory: usize,
    refused: bool,
}

impl ResourceLimiter for Limits {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = desired <= self.max_memory;
        self.refused |= !allowed;
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// One instance with its store and the exports the host calls.
struct Worker {
    store: Store<Limits>,
    memory: Memory,
    alloc: TypedFunc<u32, u32>,
    dealloc: TypedFunc<(u32, u32), ()>,
    ops: [TypedFunc<(u32, u32), u64>; Op::ALL.len()],
}

enum CallFailure {
    Wasm(wasmtime::Error),
    Protocol(String),
}

impl Worker {
    fn new(pre: &InstancePre<Limits>, max_memory: usize) -> Result<Self, EngineError> {
        let mut store = Store::new(
            pre.module().engine(),
            Limits {
                max_memory,
                refused: false,
            },
        );
        store.limiter(|limits| limits as &mut dyn ResourceLimiter);
        // Instantiation runs no guest code (no start section), but give it a
        // deadline anyway.
        store.set_epoch_deadline(u64::MAX / 2);
        let instance = pre
            .instantiate(&mut store)
            .map_err(module_error("instantiate the module"))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| EngineError::Module("the module exports no `memory`".into()))?;
        let alloc = instance
            .get_typed_func(&mut store, "abi_alloc")
            .map_err(module_error("find abi_alloc"))?;
        let dealloc = instance
            .get_typed_func(&mut store, "abi_dealloc")
            .map_err(module_error("find abi_dealloc"))?;
        let mut op = |op: Op| {
            instance
                .get_typed_func::<(u32, u32), u64>(&mut store, op.export_name())
                .map_err(module_error(&format!("find {}", op.export_name())))
        };
        let ops = [
            op(Op::ALL[0])?,
            op(Op::ALL[1])?,
            op(Op::ALL[2])?,
            op(Op::ALL[3])?,
            op(Op::ALL[4])?,
        ];
        Ok(Self {
            store,
            memory,
            alloc,
            dealloc,
            ops,
        })
    }

    fn func(&self, op: Op) -> TypedFunc<(u32, u32), u64> {
        self.ops[Op::ALL
            .iter()
            .position(|o| *o == op)
            .expect("Op::ALL lists every op")]
        .clone()
    }

    fn memory_bytes(&self) -> usize {
        self.memory.data_size(&self.store)
    }

    /// alloc request -> write -> call -> read result -> free both.
    fn call(
        &mut self,
        op: Op,
        request: &[u8],
        deadline_ticks: u64,
    ) -> Result<Vec<u8>, CallFailure> {
        self.store.set_epoch_deadline(deadline_ticks);
        self.store.data_mut().refused = false;
        let len = u32::try_from(request.len()).map_err(|_| {
            CallFailure::Protocol(format!("request of {} bytes exceeds 4 GiB", request.len()))
        })?;
        let ptr = self
            .alloc
            .call(&mut self.store, len)
            .map_err(CallFailure::Wasm)?;
        self.memory
            .write(&mut self.store, ptr as usize, request)
            .map_err(|e| CallFailure::Protocol(e.to_string()))?;
        let packed = self
            .func(op)
            .call(&mut self.store, (ptr, len))
            .map_err(CallFailure::Wasm)?;
        let (out_ptr, out_len) = ((packed >> 32) as u32, packed as u32);
        let mut response = vec![0u8; out_len as usize];
        self.memory
            .read(&self.store, out_ptr as usize, &mut response)
            .map_err(|_| {
                CallFailure::Protocol(format!(
                    "result {out_ptr:#x}+{out_len} lies outside linear memory"
                ))
            })?;
        self.dealloc
            .call(&mut self.store, (out_ptr, out_len))
            .map_err(CallFailure::Wasm)?;
        self.dealloc
            .call(&mut self.store, (ptr, len))
            .map_err(CallFailure::Wasm)?;
        Ok(response)
    }
}

/// Name what went wrong in a failed call.
fn classify(err: wasmtime::Error, worker: &Worker, config: &WasmConfig) -> EngineError {
    if err.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
        return EngineError::Timeout(config.timeout);
    }
    if worker.store.data().refused {
        return EngineError::OutOfMemory {
            limit_bytes: config.memory_limit_bytes,
        };
    }
    EngineError::Trap(format!("{err:#}"))
}

fn module_error(what: &str) -> impl Fn(wasmtime::Error) -> EngineError + '_ {
    move |err| EngineError::Module(format!("cannot {what}: {err:#}"))
}

/// Refuse a module that does not carry this host's ABI marker, saying which
/// ABI it does speak if any.
fn check_abi(module: &Module) -> Result<(), EngineError> {
    let markers: Vec<&str> = module
        .exports()
        .map(|e| e.name())
        .filter(|name| name.starts_with(ABI_MARKER_PREFIX))
        .collect();
    let wanted = format!("{ABI_MARKER_PREFIX}{ABI_VERSION}");
    if markers.contains(&wanted.as_str()) {
        return Ok(());
    }
    let found = markers
        .iter()
        .map(|m| &m[ABI_MARKER_PREFIX.len()..])
        .collect::<Vec<_>>()
        .join(", ");
    Err(EngineError::Module(if found.is_empty() {
        format!("not a Headroom engine module (no `{ABI_MARKER_PREFIX}*` export)")
    } else {
        format!("module speaks Headroom ABI {found}, this host speaks ABI {ABI_VERSION}; rebuild one to match the other")
    }))
}

/// Advances the engine's epoch so deadlines expire; stops when dropped.
struct Ticker {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Ticker {
    fn start(engine: &wasmtime::Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let weak = engine.weak();
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("headroom-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    match weak.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .expect("spawn the epoch ticker thread");
        Self {
            stop,
            handle: Some(handle),
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use headroom_core::{Options, ToolContext};

    fn engine() -> WasmEngine {
        WasmEngine::new().expect("the embedded module compiles")
    }

    #[test]
    fn the_embedded_module_answers_every_operation() {
        let e = engine();
        assert_eq!(e.count_tokens("hello world").unwrap(), 2);
        assert!(e.find_hashes("no markers here").unwrap().is_empty());
        let r = e
            .compress_text("short", &ToolContext::default(), &Options::default())
            .unwrap();
        assert_eq!(r.text, "short");
        assert!(!r.compressed);
    }

    #[test]
    fn only_perfmap_turns_the_profiler_on() {
        assert!(perf_map_requested(Some("perfmap")));
        assert!(!perf_map_requested(None));
        assert!(!perf_map_requested(Some("")));
        assert!(!perf_map_requested(Some("jitdump")));
    }

    #[test]
    fn compress_text_without_the_echo_gives_the_echoed_result() {
        let mut log = String::new();
        for i in 0..400 {
            log.push_str(&format!("10:00:{:02} INFO worker {i} ok\n", i % 60));
        }
        log.push_str("10:07:00 ERROR worker 7 failed: connection refused\n");
        let e = engine();
        let (tool, options) = (ToolContext::default(), Options::default());
        let echoed: headroom_core::TextResult = crate::engine::decode(
            &e.call_json(
                Op::CompressText,
                &crate::engine::text_request(&log, &tool, &options),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(echoed.ccr.as_ref().unwrap().original, log, "echoed");
        assert_eq!(e.compress_text(&log, &tool, &options).unwrap(), echoed);
    }

    #[test]
    fn engine_errors_are_rejections_not_traps() {
        let options = Options {
            bias: -1.0,
            ..Options::default()
        };
        match engine().compress_text("x", &ToolContext::default(), &options) {
            Err(EngineError::Rejected { code, message }) => {
                assert_eq!(code, "invalid_options");
                assert!(message.starts_with("options.bias"), "{message}");
            }
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn instances_are_reused_after_success() {
        let e = engine();
        e.count_tokens("a").unwrap();
        e.count_tokens("b").unwrap();
        assert_eq!(e.idle_instances(), 1);
    }

    #[test]
    fn a_memory_overrun_is_reported_and_the_instance_dropped() {
        let config = WasmConfig {
            memory_limit_bytes: 128 << 20,
            ..WasmConfig::default()
        };
        let e = WasmEngine::from_module(EMBEDDED_MODULE, config).unwrap();
        // Larger than the limit itself, so it cannot fit whatever the
        // module's initial memory is.
        let huge = "x".repeat(160 << 20);
        match e.count_tokens(&huge) {
            Err(EngineError::OutOfMemory { limit_bytes }) => assert_eq!(limit_bytes, 128 << 20),
            other => panic!("expected out of memory, got {other:?}"),
        }
        assert_eq!(e.idle_instances(), 0);
        // A fresh instance serves the next call.
        assert_eq!(e.count_tokens("hello world").unwrap(), 2);
    }

    #[test]
    fn a_call_past_its_deadline_times_out() {
        let config = WasmConfig {
            timeout: Duration::from_millis(1),
            ..WasmConfig::default()
        };
        let e = WasmEngine::from_module(EMBEDDED_MODULE, config).unwrap();
        // One word of a million pseudo-random letters: byte-pair merging
        // it takes far longer than the deadline however fast counting of
        // ordinary text gets (repeated words are counted from a cache).
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let text: String = (0..1_000_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from(b'a' + (state % 26) as u8)
            })
            .collect();
        match e.count_tokens(&text) {
            Err(EngineError::Timeout(limit)) => assert_eq!(limit, Duration::from_millis(1)),
            other => panic!("expected a timeout, got {other:?}"),
        }
        assert_eq!(e.idle_instances(), 0);
    }

    #[test]
    fn modules_without_the_abi_marker_are_refused() {
        // The smallest valid module: magic + version, no exports.
        let empty = b"\0asm\x01\0\0\0";
        match WasmEngine::from_module(empty, WasmConfig::default()) {
            Err(EngineError::Module(msg)) => {
                assert!(msg.contains("not a Headroom engine module"), "{msg}")
            }
            Err(other) => panic!("expected a module error, got {other:?}"),
            Ok(_) => panic!("an empty module was accepted"),
        }
    }

    #[test]
    fn modules_of_another_abi_version_are_refused_by_name() {
        // A module whose only export is `headroom_abi_version_2: () -> ()`.
        let name = b"headroom_abi_version_2";
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type section: () -> ()
        wasm.extend_from_slice(&[3, 2, 1, 0]); // function section
        wasm.extend_from_slice(&[7, (name.len() + 4) as u8, 1, name.len() as u8]);
        wasm.extend_from_slice(name);
        wasm.extend_from_slice(&[0, 0]); // export kind func, index 0
        wasm.extend_from_slice(&[10, 4, 1, 2, 0, 0x0b]); // code section: empty body
        match WasmEngine::from_module(&wasm, WasmConfig::default()) {
            Err(EngineError::Module(msg)) => {
                assert!(msg.contains("speaks Headroom ABI 2"), "{msg}")
            }
            Err(other) => panic!("expected a module error, got {other:?}"),
            Ok(_) => panic!("an ABI 2 module was accepted"),
        }
    }
}
