//! fedstr-localnet: a local Solana JSON-RPC + WebSocket endpoint on loopback,
//! backed by Surfpool (crates.io `surfpool-core` / `surfpool-types` 1.7.0, the
//! same engine `surfpool-sdk` embeds), with our programs preloaded.
//!
//! Always offline (no remote datasource: missing accounts are NOT fetched from
//! mainnet) and always bound to 127.0.0.1. The SVM has the builtins, sysvars and
//! LiteSVM's default programs (SPL Token, Token-2022, Associated Token Account,
//! Memo). State is in memory: it is gone when the process exits.
//!
//! Usage: fedstr-localnet [--rpc-port 8899] [--ws-port <rpc-port+1>]
//!          [--program <id>=<path.so>]... [--airdrop <pubkey>]...
//!          [--airdrop-lamports N] [--slot-time MS]
//!          [--block-production clock|transaction|manual] [--log-txs] [--json]
//!          [--exit-on-stdin-eof]

use std::{
    process::ExitCode,
    sync::mpsc,
    time::{Duration, Instant},
};

use crossbeam_channel::Receiver;
use surfpool_core::surfnet::{
    locker::SurfnetSvmLocker,
    svm::{SurfnetSvm, SurfnetSvmConfig},
};
use surfpool_sdk::Pubkey;
use surfpool_types::{
    BlockProductionMode, RpcConfig, SimnetCommand, SimnetConfig, SimnetEvent, SurfpoolConfig,
    SvmFeatureConfig,
};

const HOST: &str = "127.0.0.1";
const USAGE: &str = "usage: fedstr-localnet [--rpc-port 8899] [--ws-port <rpc-port+1>] \
[--program <id>=<path.so>]... [--airdrop <pubkey>]... [--airdrop-lamports N] \
[--slot-time MS] [--block-production clock|transaction|manual] [--log-txs] [--json] \
[--exit-on-stdin-eof]";

struct Args {
    rpc_port: u16,
    ws_port: Option<u16>,
    programs: Vec<(Pubkey, String)>,
    airdrop: Vec<Pubkey>,
    airdrop_lamports: u64,
    slot_time_ms: u64,
    block_production: BlockProductionMode,
    log_txs: bool,
    json: bool,
    exit_on_stdin_eof: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        rpc_port: 8899,
        ws_port: None,
        programs: vec![],
        airdrop: vec![],
        airdrop_lamports: 1_000_000_000_000, // 1000 SOL
        slot_time_ms: 400,
        block_production: BlockProductionMode::Clock,
        log_txs: false,
        json: false,
        exit_on_stdin_eof: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (flag, None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--rpc-port" | "--port" => {
                a.rpc_port = value(&flag)?.parse().map_err(|e| format!("{flag}: {e}"))?
            }
            "--ws-port" => {
                a.ws_port = Some(value(&flag)?.parse().map_err(|e| format!("{flag}: {e}"))?)
            }
            "--program" => {
                let v = value(&flag)?;
                let (id, path) = v
                    .split_once('=')
                    .ok_or_else(|| format!("--program wants <id>=<path.so>, got {v:?}"))?;
                let id: Pubkey = id
                    .trim()
                    .parse()
                    .map_err(|e| format!("--program: bad program id {id:?}: {e}"))?;
                a.programs.push((id, path.to_string()));
            }
            "--airdrop" => {
                let v = value(&flag)?;
                a.airdrop
                    .push(v.parse().map_err(|e| format!("--airdrop: bad pubkey {v:?}: {e}"))?);
            }
            "--airdrop-lamports" => {
                a.airdrop_lamports = value(&flag)?.parse().map_err(|e| format!("{flag}: {e}"))?
            }
            "--slot-time" => {
                a.slot_time_ms = value(&flag)?.parse().map_err(|e| format!("{flag}: {e}"))?
            }
            "--block-production" => {
                a.block_production = match value(&flag)?.as_str() {
                    "clock" => BlockProductionMode::Clock,
                    "transaction" => BlockProductionMode::Transaction,
                    "manual" => BlockProductionMode::Manual,
                    other => return Err(format!("--block-production: unknown mode {other:?}")),
                }
            }
            "--log-txs" => a.log_txs = true,
            "--json" => a.json = true,
            "--exit-on-stdin-eof" => a.exit_on_stdin_eof = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(a)
}

/// Progress goes to stderr, so stdout carries only the ready line. Write errors are ignored:
/// when the parent died, stderr is a broken pipe, and eprintln! would panic mid-shutdown.
macro_rules! progress {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "[localnet] {}", format!($($t)*));
    }};
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fedstr-localnet: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fedstr-localnet: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // A panic must not unwind into the runtime's drop, which would wait forever for the
    // blocking helpers (runloop watcher, stdin reader): catch it and exit.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime.block_on(run(args))))
        .unwrap_or_else(|_| Err("panicked".into()));
    // Don't wait on blocking helpers still parked in the runtime.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), "fedstr-localnet: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let ws_port = args
        .ws_port
        .unwrap_or_else(|| args.rpc_port.checked_add(1).unwrap_or(8900));
    // Read every program before starting, so a bad path fails fast.
    let mut programs = vec![];
    for (id, path) in &args.programs {
        let bytes = std::fs::read(path).map_err(|e| format!("--program {id}: {path}: {e}"))?;
        programs.push((*id, path.clone(), bytes));
    }

    let simnet = SimnetConfig {
        // No remote datasource: never reach out to mainnet for missing accounts.
        offline_mode: true,
        remote_rpc_url: None,
        slot_time: args.slot_time_ms,
        block_production_mode: args.block_production.clone(),
        airdrop_addresses: args.airdrop.clone(),
        airdrop_token_amount: args.airdrop_lamports,
        ..Default::default()
    };
    let config = SurfpoolConfig {
        simnets: vec![simnet],
        rpc: RpcConfig {
            bind_host: HOST.to_string(),
            bind_port: args.rpc_port,
            ws_port,
            ..Default::default()
        },
        // No geyser plugins; subgraph/studio are not started by the core runloop.
        plugin_config_path: vec![],
        ..Default::default()
    };
    let s = &config.simnets[0];
    let svm_config = SurfnetSvmConfig {
        surfnet_id: s.surfnet_id.clone(),
        slot_time: s.slot_time,
        instruction_profiling_enabled: s.instruction_profiling_enabled,
        max_profiles: s.max_profiles,
        log_bytes_limit: s.log_bytes_limit,
        feature_config: SvmFeatureConfig::default(),
        skip_blockhash_check: false,
    };

    progress!("starting Surfpool (offline, in-memory) on {HOST}:{} (ws {ws_port})", args.rpc_port);
    let started = Instant::now();
    let (svm, events_rx, geyser_rx) =
        SurfnetSvm::new(svm_config).map_err(|e| format!("failed to initialise the SVM: {e}"))?;
    let (commands_tx, commands_rx) = crossbeam_channel::unbounded();
    let locker = SurfnetSvmLocker::new(svm);

    let (exit_tx, exit_rx) = mpsc::channel::<String>();
    {
        let locker = locker.clone();
        let commands_tx = commands_tx.clone();
        std::thread::Builder::new()
            .name("surfnet".into())
            .spawn(move || {
                let fut = surfpool_core::runloops::start_local_surfnet_runloop(
                    locker,
                    config,
                    commands_tx,
                    commands_rx,
                    geyser_rx,
                );
                let msg = match hiro_system_kit::nestable_block_on(fut) {
                    Ok(()) => "surfnet runloop exited".to_string(),
                    Err(e) => format!("surfnet runloop failed: {e}"),
                };
                let _ = exit_tx.send(msg);
            })
            .map_err(|e| e.to_string())?;
    }

    wait_for_core_started(&events_rx, &exit_rx)?;
    progress!("core started in {} ms", started.elapsed().as_millis());

    for (id, path, bytes) in &programs {
        locker
            .write_program(*id, None, 0, bytes, &None)
            .await
            .map_err(|e| format!("loading program {id} from {path}: {e}"))?;
        progress!("program {id} loaded from {path} ({} bytes)", bytes.len());
    }

    // One thread owns the event stream from here on: it prints what matters and
    // counts the two Shutdown acknowledgements (HTTP + WS servers).
    let (shutdown_tx, shutdown_rx) = mpsc::channel::<()>();
    let log_txs = args.log_txs;
    std::thread::Builder::new()
        .name("events".into())
        .spawn(move || {
            for ev in events_rx.iter() {
                match ev {
                    SimnetEvent::Shutdown => {
                        let _ = shutdown_tx.send(());
                    }
                    SimnetEvent::ErrorLog(_, m) => progress!("error: {m}"),
                    SimnetEvent::WarnLog(_, m) => progress!("warn: {m}"),
                    SimnetEvent::Aborted(m) => progress!("aborted: {m}"),
                    SimnetEvent::TransactionProcessed(_, meta, err) if log_txs => match err {
                        None => progress!("tx {} ok", meta.signature),
                        Some(e) => progress!("tx {} failed: {e}", meta.signature),
                    },
                    _ => {}
                }
            }
        })
        .map_err(|e| e.to_string())?;

    let rpc_url = format!("http://{HOST}:{}", args.rpc_port);
    let ws_url = format!("ws://{HOST}:{ws_port}");
    if args.json {
        let line = serde_json::json!({
            "rpcUrl": rpc_url,
            "wsUrl": ws_url,
            "programs": programs.iter().map(|(id, path, _)| serde_json::json!({"id": id.to_string(), "path": path})).collect::<Vec<_>>(),
            "airdrop": args.airdrop.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            "airdropLamports": args.airdrop_lamports,
            "offline": true,
            "pid": std::process::id(),
        });
        println!("{line}");
    } else {
        println!("localnet ready: rpc {rpc_url} ws {ws_url}");
    }
    progress!("ready in {} ms; Ctrl-C or SIGTERM stops it", started.elapsed().as_millis());

    // Run until SIGINT/SIGTERM, or until the runloop dies on its own.
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| e.to_string())?;
    let runloop_died = tokio::task::spawn_blocking(move || exit_rx.recv().ok());
    // A parent that spawns us with a stdin pipe dies → the pipe closes → we stop too,
    // even when the parent was SIGKILLed and could not send SIGTERM.
    let watch_stdin = args.exit_on_stdin_eof;
    let stdin_closed = async move {
        if !watch_stdin {
            return std::future::pending::<()>().await;
        }
        let _ = tokio::task::spawn_blocking(|| {
            use std::io::Read;
            let mut buf = [0u8; 256];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        })
        .await;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => progress!("SIGINT: stopping"),
        _ = sigterm.recv() => progress!("SIGTERM: stopping"),
        _ = stdin_closed => progress!("stdin closed (parent gone): stopping"),
        r = runloop_died => {
            return Err(r.ok().flatten().unwrap_or_else(|| "surfnet runloop vanished".into()));
        }
    }

    let _ = commands_tx.send(SimnetCommand::Terminate(None));
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut acks = 0;
    while acks < 2 {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else { break };
        match shutdown_rx.recv_timeout(left) {
            Ok(()) => acks += 1,
            Err(_) => break,
        }
    }
    if acks < 2 {
        progress!("shutdown: only {acks}/2 RPC servers acknowledged within 5 s; exiting anyway");
    } else {
        progress!("stopped");
    }
    Ok(())
}

fn wait_for_core_started(
    events: &Receiver<SimnetEvent>,
    runloop_exit: &mpsc::Receiver<String>,
) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(msg) = runloop_exit.try_recv() {
            return Err(msg);
        }
        if Instant::now() > deadline {
            return Err("surfnet did not start within 60 s".into());
        }
        match events.recv_timeout(Duration::from_millis(100)) {
            Ok(SimnetEvent::CoreStarted(_)) => return Ok(()),
            Ok(SimnetEvent::Aborted(e)) => return Err(format!("surfnet aborted: {e}")),
            Ok(SimnetEvent::Shutdown) => return Err("surfnet shut down during startup".into()),
            Ok(SimnetEvent::ErrorLog(_, m)) => progress!("error: {m}"),
            Ok(_) => {}
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(e) => return Err(format!("events channel closed: {e}")),
        }
    }
}
