//! Entry point: parse the command line, run it, turn the outcome into an exit code.
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = wa_hook::cli::Cli::parse();
    let result = wa_hook::run(cli);
    if let Err(err) = &result {
        if !wa_hook::error::is_broken_pipe(err) {
            wa_hook::error::print(err);
        }
    }
    std::process::ExitCode::from(wa_hook::error::exit_code(&result))
}

// Parsing JSON into values allocates for every string and object; mimalloc does that markedly
// faster than the system allocator (bench/run validate-jsonl). Its `no_thp` feature keeps
// transparent huge pages from doubling a short run's memory (bench/run startup).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
