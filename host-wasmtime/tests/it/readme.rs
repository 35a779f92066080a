//! The README's command-line examples, run against the built `rxgate` so they cannot drift.
//!
//! Every fenced block opened with ```` ```sh tested ```` is run: each command (a line, or
//! lines joined by a trailing `\`) goes to `bash -c` in a fresh directory per block, where
//! `tests` links to the repository's `tests/` (so `tests/fixtures/…` resolves) and `rxgate`
//! (also spelled `cargo run -q -p rxgate-host --`) is the binary under test. A trailing
//! comment may state the expectation: `# exit N …` (default 0) or `# prints TEXT` (exit 0 and
//! stdout, trimmed, equals TEXT; compared as JSON values when TEXT is JSON); any other
//! comment is prose. Blocks that need a
//! running service (`serve`, `demo`, `sandbox`) are plain ```` ```sh ```` and not run here;
//! a test checks that every other command of `rxgate --help` has a tested example.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Commands whose examples start a service or run until stopped: shown, not run here (the
/// demo and serve stages of `scripts/test.sh` run them).
const NEEDS_A_SERVICE: &[&str] = &["serve", "demo", "sandbox"];

const CARGO_RUN: &str = "cargo run -q -p rxgate-host --";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the host crate sits in the repository")
        .to_path_buf()
}

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).expect("README.md is readable")
}

/// A fenced block: its info string and its lines.
struct Block {
    info: String,
    line: usize,
    body: Vec<String>,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (n, line) in text.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (open.take(), fence) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_owned(),
                    line: n + 1,
                    body: Vec::new(),
                })
            }
            (Some(block), Some(_)) => out.push(block),
            (Some(mut block), None) => {
                block.body.push(line.to_owned());
                open = Some(block);
            }
            (None, None) => {}
        }
    }
    out
}

/// The commands of a block: continuation lines joined, blank and comment lines dropped.
fn commands(block: &Block) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in &block.body {
        if current.is_empty() && (line.trim().is_empty() || line.trim_start().starts_with('#')) {
            continue;
        }
        match line.trim_end().strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line.trim());
                out.push(std::mem::take(&mut current));
            }
        }
    }
    out
}

/// What a command's trailing comment (after two spaces and `#`) expects.
#[derive(Debug, PartialEq)]
struct Expect {
    exit: i32,
    prints: Option<String>,
}

fn expectation(command: &str) -> Expect {
    let comment = command
        .find("  #")
        .map(|at| command[at + 3..].trim())
        .unwrap_or_default();
    let mut expect = Expect {
        exit: 0,
        prints: None,
    };
    if let Some(rest) = comment.strip_prefix("exit ") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        expect.exit = digits.parse().expect("`# exit N` names a number");
    } else if let Some(rest) = comment.strip_prefix("prints ") {
        expect.prints = Some(rest.trim().to_owned());
    }
    expect
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_rxgate"))
        .parent()
        .expect("the binary has a directory")
        .to_path_buf()
}

fn run(command: &str, dir: &Path) -> Output {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .arg("-c")
        .arg(command.replace(CARGO_RUN, "rxgate"))
        .current_dir(dir)
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .expect("bash runs")
}

fn same_output(expected: &str, stdout: &str) -> bool {
    let stdout = stdout.trim();
    match (
        serde_json::from_str::<serde_json::Value>(expected),
        serde_json::from_str::<serde_json::Value>(stdout),
    ) {
        (Ok(want), Ok(got)) => want == got,
        _ => expected == stdout,
    }
}

/// A fresh directory for a block, with `tests` linking to the repository's.
fn scratch(block: &Block) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "rxgate-readme-{}-{}",
        std::process::id(),
        block.line
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    std::os::unix::fs::symlink(repo().join("tests"), dir.join("tests")).expect("tests link");
    dir
}

#[test]
fn every_tested_readme_example_exits_and_prints_as_the_readme_says() {
    let text = readme();
    let tested: Vec<Block> = blocks(&text)
        .into_iter()
        .filter(|b| b.info == "sh tested")
        .collect();
    assert!(tested.len() >= 5, "the README lost its tested examples");
    let mut failures = Vec::new();
    let mut ran = 0;
    for block in &tested {
        let dir = scratch(block);
        for command in commands(block) {
            let expect = expectation(&command);
            let out = run(&command, &dir);
            ran += 1;
            let stdout = String::from_utf8_lossy(&out.stdout);
            let code = out.status.code().unwrap_or(-1);
            let printed_ok = expect
                .prints
                .as_deref()
                .is_none_or(|want| same_output(want, &stdout));
            if code != expect.exit || !printed_ok {
                failures.push(format!(
                    "README.md block at line {}: `{command}`\n  expected exit {} {:?}, got {code}\n  stdout: {}\n  stderr: {}",
                    block.line,
                    expect.exit,
                    expect.prints,
                    stdout.trim(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(ran >= 20, "only {ran} README commands ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The subcommands `rxgate --help` lists (clap's `Commands:` section).
fn subcommands() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_rxgate"))
        .arg("--help")
        .output()
        .expect("rxgate runs");
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

fn mentions(commands: &[String], name: &str) -> bool {
    commands.iter().any(|c| {
        c.contains(&format!("{CARGO_RUN} {name} "))
            || c.ends_with(&format!("{CARGO_RUN} {name}"))
            || c.contains(&format!("-p rxgate-host -- {name}"))
            || c.starts_with(&format!("rxgate {name}"))
    })
}

#[test]
fn every_command_has_a_readme_example_and_those_without_a_service_are_tested() {
    let text = readme();
    let all = blocks(&text);
    let sh: Vec<String> = all
        .iter()
        .filter(|b| b.info == "sh" || b.info == "sh tested")
        .flat_map(commands)
        .collect();
    let tested: Vec<String> = all
        .iter()
        .filter(|b| b.info == "sh tested")
        .flat_map(commands)
        .collect();
    let names = subcommands();
    for expected in [
        "validate",
        "check",
        "webhook",
        "keys",
        "completions",
        "demo",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "`rxgate --help` no longer lists {expected}: {names:?}"
        );
    }
    for name in &names {
        assert!(
            mentions(&sh, name),
            "README has no example of `rxgate {name}`"
        );
        if !NEEDS_A_SERVICE.contains(&name.as_str()) {
            assert!(
                mentions(&tested, name),
                "README's example of `rxgate {name}` is not in a ```sh tested block"
            );
        }
    }
}

#[test]
fn expectations_are_read_from_the_trailing_comment() {
    assert_eq!(
        expectation("rxgate codes"),
        Expect {
            exit: 0,
            prints: None
        }
    );
    assert_eq!(
        expectation("rxgate validate visit x.json   # exit 1: violations"),
        Expect {
            exit: 1,
            prints: None
        }
    );
    assert_eq!(
        expectation(r#"rxgate normalize state ca  # prints CA"#),
        Expect {
            exit: 0,
            prints: Some("CA".to_owned())
        }
    );
    assert_eq!(
        expectation("rxgate keys create  # the key, once: it prints nothing else"),
        Expect {
            exit: 0,
            prints: None
        }
    );
    let block = Block {
        info: "sh tested".to_owned(),
        line: 1,
        body: vec![
            "# a comment".to_owned(),
            "rxgate webhook verify \\".to_owned(),
            "    --source beluga x.json".to_owned(),
            String::new(),
        ],
    };
    assert_eq!(
        commands(&block),
        vec!["rxgate webhook verify  --source beluga x.json".to_owned()]
    );
    assert!(same_output(r#"{"a": 1}"#, "{\n  \"a\": 1\n}\n"));
    assert!(!same_output("CA", "TX"));
}

/// Usage errors are clap's: exit 2, the message naming the possible values, no panic.
#[test]
fn usage_errors_exit_2_and_name_the_possible_values() {
    let rxgate = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rxgate"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("rxgate runs")
    };
    let typo = rxgate(&["validate", "vist", "-"]);
    assert_eq!(typo.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&typo.stderr);
    for kind in rxgate_core::contract::Kind::ALL {
        assert!(stderr.contains(kind.name()), "{stderr}");
    }
    for args in [
        &["webhook", "parse", "dispense-pro", "-"][..],
        &["webhook", "apply", "a.json", "b.json", "--source", "Beluga"],
        &["normalize", "telephone", "555"],
        &["decide-submit", "x.json", "--trigger", "paid"],
        &["parse-response", "fetch_visit", "-"],
        &["completions", "tcsh"],
        &["validate"],
        &["--no-such-option"],
        &["no-such-command"],
    ] {
        let out = rxgate(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "{args:?}"
        );
    }
    assert_eq!(rxgate(&["--help"]).status.code(), Some(0));
    assert_eq!(rxgate(&["--version"]).status.code(), Some(0));
}

/// The completion scripts offer every command; bash and zsh also offer the core's closed
/// lists (fish only those of options, elvish and PowerShell none: clap_complete's limits).
#[test]
fn completions_offer_the_commands_and_the_cores_values() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = Command::new(env!("CARGO_BIN_EXE_rxgate"))
            .args(["completions", shell])
            .output()
            .expect("rxgate runs");
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        for command in subcommands() {
            assert!(script.contains(&command), "{shell}: {command}");
        }
        let values: Vec<&str> = match shell {
            "bash" | "zsh" => rxgate_core::contract::Kind::ALL
                .iter()
                .map(|k| k.name())
                .chain(rxgate_core::events::Source::ALL.iter().map(|s| s.as_str()))
                .collect(),
            "fish" => rxgate_core::events::Source::ALL
                .iter()
                .map(|s| s.as_str())
                .collect(),
            _ => Vec::new(),
        };
        for value in values {
            assert!(script.contains(value), "{shell}: {value}");
        }
    }
}
