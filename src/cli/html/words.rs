//! Reasons in plain words: a rule's description and sources, or what a section or feature code
//! of the model or the linear engine means.

use linkscreen::score::EngineKind;

use super::Context;

fn section_words(s: &str) -> &'static str {
    match s {
        "headline" => "the headline",
        "about" => "the About section",
        "experience" => "the job titles and companies",
        "experience.description" => "the job descriptions",
        "education" => "the education entries",
        "skills" => "the skills",
        "messages" => "the messages from this profile",
        "messages.outbound" => "the messages sent to this profile",
        _ => "a text section",
    }
}

/// The engine that gives section and feature reasons, as the page names it.
fn learned_engine(ctx: &Context) -> (&'static str, &'static str) {
    match ctx.engine {
        Some(EngineKind::Linear) => ("Linear engine", "linear engine"),
        Some(EngineKind::Ensemble) => ("Ensemble", "ensemble"),
        _ => ("Model", "model"),
    }
}

/// A reason in plain words and its sources.
pub(super) fn plain(code: &str, ctx: &Context) -> (String, String) {
    // The linear engine names a rule it read as `rule:<code>`.
    let rule = code.strip_prefix("rule:").unwrap_or(code);
    if let Some((description, sources)) = ctx.rule_info.get(rule) {
        return (description.clone(), sources.join(", "));
    }
    let (who, source) = learned_engine(ctx);
    if let Some(s) = code.strip_prefix("section:") {
        return (
            format!("{who}: the wording of {}", section_words(s)),
            source.into(),
        );
    }
    if let Some(f) = code.strip_prefix("feature:") {
        let words = match f {
            "rule_hits" => "the warning signs the rule engine found".to_owned(),
            "photo_flags" => "the findings about the photo".to_owned(),
            "tenure" => "the dates of the career history".to_owned(),
            "has_photo" => "whether the profile has a photo".to_owned(),
            "verified" => "the verification badge".to_owned(),
            "account_age_days" => "the age of the account".to_owned(),
            "has_website" => "whether the profile gives a website".to_owned(),
            "inbound_messages" => "the number of messages from this profile".to_owned(),
            "outbound_messages" => "the number of messages sent to this profile".to_owned(),
            "chars_headline" => "the length of the headline".to_owned(),
            "chars_about" => "the length of the About section".to_owned(),
            "chars_messages" => "the length of the messages".to_owned(),
            f if f.ends_with("_count") => {
                format!("the number of {} entries", f.trim_end_matches("_count"))
            }
            f if f.starts_with("ratio_") => {
                let pair = f.trim_start_matches("ratio_").replace('_', " ");
                format!("the ratio of {pair}")
            }
            f => format!("the {}", f.replace('_', " ")),
        };
        return (format!("{who}: {words}"), source.into());
    }
    (code.to_owned(), String::new())
}
