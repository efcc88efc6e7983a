//! Argument parsing and dispatch. Each command lives in its own module with its `Args` struct,
//! which is validated once into settings before any work starts.
//!
//! Exit codes (documented in the README): 0 success; 1 some input lines were rejected (the
//! others were processed); 2 usage or fatal error; 130 interrupted.

// Every message of the CLI goes through `output`, which treats a closed pipe as the end of
// the reader's interest, never as a panic (the standard macros panic on a closed pipe).
macro_rules! eprintln {
    () => {
        $crate::cli::output::stderr_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::stderr_line(format_args!($($arg)*))
    };
}

macro_rules! println {
    () => {
        $crate::cli::output::stdout_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::stdout_line(format_args!($($arg)*))
    };
}

mod about;
mod check;
mod completions;
mod data;
mod engine;
mod escape;
mod eval;
mod explain;
mod html;
mod input;
mod linkedin;
mod man;
pub mod output;
mod rules;
mod score;
mod synth;
mod train;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};

/// How a run ended, mapped to the documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything was processed.
    Success,
    /// Some input lines were rejected; the others were processed.
    Rejected,
    /// Usage error or fatal error.
    Fatal,
    /// Interrupted (SIGINT) before the input was finished.
    Interrupted,
}

impl Status {
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(match self {
            Status::Success => 0,
            Status::Rejected => 1,
            Status::Fatal => 2,
            Status::Interrupted => 130,
        })
    }
}

const ABOUT: &str = "Offline screening of professional-network profiles for fake personas \
(state recruiters, fake headhunters, think-tank and academic covers, job fraud).";

const EXAMPLES: &str = "\
Examples:
  linkscreen score datasets/examples/profiles.jsonl --format table
  linkscreen check incoming.jsonl
  linkscreen explain datasets/examples/profiles.jsonl --id ex-en-01
  linkscreen rules
  linkscreen data import linkedin-export Basic_LinkedInDataExport_03-05-2024.zip --out inbox.jsonl
  linkscreen score inbox.jsonl --format html > inbox.html

Exit codes: 0 success, 1 some lines rejected (others processed), 2 usage or fatal error, 130 interrupted.";

#[derive(Debug, Parser)]
#[command(name = "linkscreen", version, about = ABOUT, after_help = EXAMPLES)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a profile file without scoring it.
    Check(check::CheckArgs),
    /// Score profiles: one score record per valid input line.
    Score(score::ScoreArgs),
    /// Print the full breakdown of one profile's score.
    Explain(explain::ExplainArgs),
    /// List the rules with their weights, fields and sources.
    Rules(rules::RulesArgs),
    /// Generate labelled synthetic profiles.
    Synth(synth::SynthArgs),
    /// Import public data sets and split data files.
    Data(data::DataArgs),
    /// Train a model from a configuration file.
    Train(train::TrainArgs),
    /// Evaluate engines side by side on a labelled file.
    Eval(eval::EvalArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff), e.g. `linkscreen man > linkscreen.1`.
    Man(man::ManArgs),
}

/// The command-line definition, with the version line naming the embedded model.
pub fn command() -> clap::Command {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let version: &'static str = VERSION.get_or_init(about::version);
    <Args as clap::CommandFactory>::command().version(version)
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static COOPERATIVE: AtomicBool = AtomicBool::new(false);
static INTERRUPT_NOTE: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// Whether SIGINT (Ctrl-C) has arrived; commands that check it between records (see
/// [`stop_on_interrupt`]) stop with [`Status::Interrupted`] after saying how much they wrote.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// Declares that the running command checks [`interrupted`] often enough to stop promptly
/// by itself. Commands that do not (they spend their time inside the library: `eval`,
/// `train`, `data`, `explain`) are ended by the handler: a message, then exit status 130.
/// A second Ctrl-C always ends the process at once.
fn stop_on_interrupt() {
    COOPERATIVE.store(true, Ordering::Relaxed);
}

/// What the handler says when it ends the process (e.g. which directory was left partial).
pub fn set_interrupt_note(note: String) {
    if let Ok(mut n) = INTERRUPT_NOTE.lock() {
        *n = note;
    }
}

fn on_interrupt() {
    if INTERRUPTED.swap(true, Ordering::Relaxed) || !COOPERATIVE.load(Ordering::Relaxed) {
        let note = INTERRUPT_NOTE
            .try_lock()
            .map(|n| n.clone())
            .unwrap_or_default();
        if note.is_empty() {
            eprintln!("linkscreen: interrupted");
        } else {
            eprintln!("linkscreen: interrupted: {note}");
        }
        std::process::exit(130);
    }
}

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<Status> {
    // If the handler cannot be installed, Ctrl-C keeps its default effect (immediate exit,
    // status 130 from the shell), which is still a non-zero, never-silent end.
    let _ = ctrlc::set_handler(on_interrupt);
    let parsed = command()
        .try_get_matches()
        .and_then(|m| <Args as clap::FromArgMatches>::from_arg_matches(&m));
    let args = match parsed {
        Ok(a) => a,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors exit 2.
            let code = e.exit_code();
            let _ = e.print();
            return Ok(if code == 0 {
                Status::Success
            } else {
                Status::Fatal
            });
        }
    };
    if matches!(
        args.command,
        Command::Check(_) | Command::Score(_) | Command::Synth(_)
    ) {
        stop_on_interrupt();
    }
    match args.command {
        Command::Check(a) => check::run(a),
        Command::Score(a) => score::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Rules(a) => rules::run(a),
        Command::Synth(a) => synth::run(a),
        Command::Data(a) => data::run(a),
        Command::Train(a) => train::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
    }
}
