//! Completions and the man page are generated from the clap definition; the committed copies
//! must match what the binary prints now.
use crate::common::*;

const TARGETS: &[(&str, &str)] = &[
    ("bash", "wa-hook.bash"),
    ("zsh", "_wa-hook"),
    ("fish", "wa-hook.fish"),
    ("powershell", "_wa-hook.ps1"),
    ("elvish", "wa-hook.elv"),
    ("man", "wa-hook.1"),
];

#[test]
fn committed_completions_match_the_binary() {
    for (target, file) in TARGETS {
        let generated = wa_hook().args(["completions", target]).output().unwrap();
        assert!(generated.status.success(), "completions {target} failed");
        let path = format!("{}/completions/{file}", env!("CARGO_MANIFEST_DIR"));
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == generated.stdout,
            "{path} is out of date; regenerate it with: cargo run -- completions {target} > completions/{file}"
        );
    }
}

#[test]
fn completions_know_the_subcommands() {
    wa_hook()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("listen").and(predicate::str::contains("replay")));
}

#[test]
fn unknown_shell_is_a_usage_error() {
    wa_hook().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn help_lists_exit_codes_and_examples() {
    wa_hook().arg("--help").assert().success().stdout(
        predicate::str::contains("Exit codes:").and(predicate::str::contains("wa-hook listen")),
    );
    for command in [
        "listen", "replay", "validate", "samples", "schemas", "partner", "sign", "verify",
    ] {
        wa_hook()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"));
    }
}

/// The committed bash script, in real bash: a flag after a subcommand, and sample names.
#[test]
fn committed_bash_completion_works_after_the_subcommand() {
    let script = format!("{}/completions/wa-hook.bash", env!("CARGO_MANIFEST_DIR"));
    let complete = |words: &[&str]| {
        let cword = words.len() - 1;
        let program = format!(
            "source '{script}'; COMP_WORDS=({}); COMP_CWORD={cword}; \
             _wa__hook wa-hook '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            words.join(" "),
            words[cword],
            words[cword - 1]
        );
        let output = std::process::Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &program])
            .current_dir(std::env::temp_dir())
            .output()
            .expect("bash runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(complete(&["wa-hook", "listen", "--po"]), "--port\n");
    let samples = complete(&["wa-hook", "replay", "qikchat/status-r"]);
    assert_eq!(samples, "qikchat/status-read\n");
    let shown = complete(&["wa-hook", "samples", "show", "meta/call-c"]);
    assert_eq!(shown, "meta/call-connect\n");
}
