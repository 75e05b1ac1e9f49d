//! Entry point: parse the command line, run it, turn the outcome into an exit code.
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = wa_hook::cli::Cli::parse();
    let result = wa_hook::run(cli);
    if let Err(err) = &result {
        if !wa_hook::error::is_broken_pipe(err) {
            eprintln!("wa-hook: error: {err:#}");
        }
    }
    std::process::ExitCode::from(wa_hook::error::exit_code(&result))
}
