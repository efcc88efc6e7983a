//! `linkscreen rules`: the rule set in force, readable by the officers who rely on it.

use std::io::Write;
use std::path::PathBuf;

use clap::Parser;

use super::Status;

#[derive(Debug, Parser)]
#[command(after_help = "Examples:\n  linkscreen rules\n  linkscreen rules --rules my-rules.toml")]
pub struct RulesArgs {
    /// Rule file to list instead of the shipped one.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

pub fn run(args: RulesArgs) -> anyhow::Result<Status> {
    let rules = super::engine::load_rules(args.rules.as_ref())?;
    let mut out = super::output::stdout();
    let result = (|| -> std::io::Result<()> {
        writeln!(out, "rule set \"{}\": {} rules", rules.name(), rules.len())?;
        for spec in rules.specs() {
            let matcher = if spec.phrases.is_some() {
                "phrases"
            } else if spec.regex.is_some() {
                "regex"
            } else if spec.numeric.is_some() {
                "numeric"
            } else if spec.flag.is_some() {
                "flag"
            } else if spec.photo_flags.is_some() {
                "photo_flags"
            } else {
                "obfuscation"
            };
            writeln!(
                out,
                "\n{:<28} weight {:+.2}  ({matcher})",
                spec.code, spec.weight
            )?;
            writeln!(out, "  {}", spec.description)?;
            if let Some(n) = &spec.numeric {
                writeln!(out, "  when {} {} {}", n.field, n.op.as_str(), n.value)?;
            }
            if !spec.fields.is_empty() {
                writeln!(out, "  reads: {}", spec.fields.join(", "))?;
            }
            writeln!(out, "  sources: {}", spec.sources.join(", "))?;
        }
        out.flush()
    })();
    super::output::finish(result, Status::Success)
}
