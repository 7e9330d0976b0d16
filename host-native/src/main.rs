//! `headroom-host`: the native host's command line.

mod cli;
mod commands;
mod input;

use clap::Parser;
use cli::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let outcome = match cli.command {
        _ if cli.version => {
            println!("{}", version_line());
            Ok(())
        }
        Some(Command::Compress(args)) => commands::compress::run(args),
        Some(Command::Bench(args)) => commands::bench::run(args),
        Some(Command::Proxy(args)) => headroom_host::proxy::run(args),
        Some(Command::Retrieve(args)) => headroom_host::proxy::commands::retrieve(args),
        Some(Command::Stats(args)) => headroom_host::proxy::commands::stats(args),
        Some(Command::BenchProxy(args)) => headroom_host::proxy::bench::run(args),
        None => {
            eprintln!("error: no command given (try `headroom-host --help`)");
            std::process::exit(2);
        }
    };
    if let Err(err) = outcome {
        // One line: the context chain joined with ": ".
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

/// `headroom-host 0.1.0 (engine module sha256 1a2b3c4d5e6f, ABI 1)`.
fn version_line() -> String {
    let sha = headroom_host::module_sha256();
    format!(
        "headroom-host {} (engine module sha256 {}, ABI {})",
        env!("CARGO_PKG_VERSION"),
        &sha[..12],
        headroom_host::wasm_engine::ABI_VERSION
    )
}
