//! Message composition: a first approach built from optional moves (greeting, introduction,
//! how the sender found the target, a hook, the purpose, offers, asks, details, closing) in
//! one of several orders, and sometimes a short conversation in which the follow-up carries
//! the escalating asks (move off the platform, colleagues, clearance, contact details).

use rand::Rng;

use super::cues::{Cue, Register};
use super::grammar::{english_articles, expand_key, tidy, Vars};
use super::obfuscate;
use super::personas::{Difficulty, Family, Role, Signal};
use crate::profile::{Direction, Message};

/// Orders of the middle moves of a first message. The skeleton index is part of the
/// profile's group.
const SKELETONS: [&[Move]; 6] = [
    &[
        Move::Context,
        Move::Hook,
        Move::Purpose,
        Move::Offers,
        Move::Detail,
        Move::Asks,
    ],
    &[
        Move::Hook,
        Move::Purpose,
        Move::Detail,
        Move::Offers,
        Move::Asks,
    ],
    &[
        Move::Purpose,
        Move::Hook,
        Move::Offers,
        Move::Asks,
        Move::Detail,
    ],
    &[
        Move::Context,
        Move::Purpose,
        Move::Offers,
        Move::Hook,
        Move::Asks,
    ],
    &[
        Move::Hook,
        Move::Context,
        Move::Purpose,
        Move::Asks,
        Move::Offers,
        Move::Detail,
    ],
    &[
        Move::Purpose,
        Move::Detail,
        Move::Offers,
        Move::Asks,
        Move::Hook,
    ],
];

/// Number of message skeletons.
pub const SKELETON_COUNT: usize = SKELETONS.len();

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    Context,
    Hook,
    Purpose,
    Offers,
    Asks,
    Detail,
}

/// A planned signal and whether it is paraphrased.
type Planned = (Signal, bool);

/// What the messages of one profile must say.
pub struct Plan<'a> {
    pub family: &'a Family,
    pub role: Role,
    pub difficulty: Difficulty,
    /// Signals present, each with whether it is paraphrased.
    pub signals: Vec<(Signal, bool)>,
    /// Cues that no rule names (see `cues.rs`).
    pub cues: Vec<Cue>,
    pub register: Register,
    /// A connection note: one short message, no conversation.
    pub note: bool,
    /// Whether every signal but flattery waits for the follow-up of a conversation.
    pub delayed: bool,
    pub skeleton: usize,
    pub lang: &'a str,
}

fn is_offer(s: Signal) -> bool {
    matches!(
        s,
        Signal::GoodOffer | Signal::PaidReport | Signal::PaidTrip | Signal::Scarcity
    )
}

fn push_sentence(out: &mut String, sep: &str, piece: &str) {
    let piece = piece.trim();
    if piece.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push_str(sep);
    }
    out.push_str(piece);
}

fn signal_sentence<R: Rng>(
    signal: Signal,
    paraphrased: bool,
    lang: &str,
    vars: &Vars,
    rng: &mut R,
) -> String {
    let key = format!(
        "sig.{}.{}",
        signal.bank(),
        if paraphrased { "para" } else { "rule" }
    );
    let mut s = String::new();
    expand_key(&key, lang, vars, rng, &mut s);
    s
}

/// Expands the register's own bank (`KEY.SUFFIX`) most of the time, else the plain one.
fn registered<R: Rng>(
    key: &str,
    register: Register,
    lang: &str,
    vars: &Vars,
    rng: &mut R,
    out: &mut String,
) {
    match register.suffix() {
        Some(suffix) if rng.random_bool(0.8) => {
            expand_key(&format!("{key}.{suffix}"), lang, vars, rng, out)
        }
        _ => expand_key(key, lang, vars, rng, out),
    }
}

fn cue_sentence<R: Rng>(cue: Cue, lang: &str, vars: &Vars, rng: &mut R) -> String {
    let mut s = String::new();
    expand_key(cue.bank(), lang, vars, rng, &mut s);
    s
}

/// Composes the messages of a profile.
pub fn compose<R: Rng>(plan: &Plan<'_>, vars: &Vars, rng: &mut R) -> Vec<Message> {
    let lang = plan.lang;
    let fake = plan.family.fake;
    let register = plan.register;
    let terse = plan.note || register == Register::Terse;
    let conversation =
        !plan.note && (plan.delayed || rng.random_bool(if fake { 0.45 } else { 0.35 }));
    let sep = match rng.random_range(0..5) {
        _ if terse => " ",
        0..=2 => " ",
        3 => "\n\n",
        _ => "\n",
    };
    let (first_signals, later): (Vec<Planned>, Vec<Planned>) =
        plan.signals.iter().copied().partition(|(s, _)| {
            !(conversation && (s.escalates() || (plan.delayed && *s != Signal::Flattery)))
        });
    // A way to check the sender goes with the follow-up half of the time; the push to
    // bypass the employer only exists as an answer to a reply.
    let mut first_cues = Vec::new();
    let mut later_cues = Vec::new();
    for &cue in &plan.cues {
        let late =
            conversation && (cue.escalates() || (cue == Cue::Verifiable && rng.random_bool(0.5)));
        if late {
            later_cues.push(cue);
        } else if cue != Cue::Bypass {
            first_cues.push(cue);
        }
    }
    let has_first = |c: Cue| first_cues.contains(&c);

    let mut first = String::with_capacity(600);
    if rng.random_bool(if terse { 0.7 } else { 0.9 }) {
        registered("greet", register, lang, vars, rng, &mut first);
    }
    if register == Register::Polished {
        let mut s = String::new();
        expand_key("polish.open", lang, vars, rng, &mut s);
        push_sentence(&mut first, sep_after_greeting(sep), &s);
    }
    if rng.random_bool(if terse { 0.35 } else { 0.8 }) {
        let mut s = String::new();
        expand_key(
            &format!("intro.{}", plan.role.key()),
            lang,
            vars,
            rng,
            &mut s,
        );
        push_sentence(&mut first, sep_after_greeting(sep), &s);
    }
    let detail_rate = match (fake, plan.difficulty) {
        _ if terse => 0.0,
        (false, _) => 0.5,
        (true, Difficulty::Hard) => 0.45,
        (true, _) => 0.2,
    };
    const NOTE: [Move; 4] = [Move::Context, Move::Purpose, Move::Offers, Move::Asks];
    let moves: &[Move] = if plan.note {
        &NOTE
    } else {
        SKELETONS[plan.skeleton % SKELETON_COUNT]
    };
    for mv in moves {
        let mut s = String::new();
        match mv {
            Move::Context => {
                let referral = if fake { 0.12 } else { 0.35 };
                if has_first(Cue::Peer) {
                    s = cue_sentence(Cue::Peer, lang, vars, rng);
                } else if terse {
                    // Short notes go straight to the point.
                } else if rng.random_bool(referral) {
                    expand_key("context.referral", lang, vars, rng, &mut s);
                } else if rng.random_bool(0.6) {
                    expand_key("context", lang, vars, rng, &mut s);
                }
            }
            Move::Hook => {
                if let Some((sig, para)) = first_signals
                    .iter()
                    .find(|(sig, _)| *sig == Signal::Flattery)
                {
                    s = signal_sentence(*sig, *para, lang, vars, rng);
                } else if !terse && rng.random_bool(0.4) {
                    expand_key("hook.neutral", lang, vars, rng, &mut s);
                }
            }
            Move::Purpose => {
                // Genuine people in ordinary jobs network about work, not about themselves.
                let role = if !fake && plan.role == Role::Personal {
                    Role::Engineer
                } else {
                    plan.role
                };
                // A peer's note often says nothing more than hello.
                if !(plan.note && has_first(Cue::Peer) && rng.random_bool(0.5)) {
                    expand_key(&format!("purpose.{}", role.key()), lang, vars, rng, &mut s);
                }
                if has_first(Cue::HiddenSponsor) {
                    push_sentence(
                        &mut s,
                        " ",
                        &cue_sentence(Cue::HiddenSponsor, lang, vars, rng),
                    );
                }
            }
            Move::Offers => {
                for (sig, para) in first_signals.iter().filter(|(sig, _)| is_offer(*sig)) {
                    push_sentence(&mut s, " ", &signal_sentence(*sig, *para, lang, vars, rng));
                }
            }
            Move::Asks => {
                // In a note, flattery has no hook of its own and joins the asks.
                for (sig, para) in first_signals
                    .iter()
                    .filter(|(sig, _)| !is_offer(*sig) && (plan.note || *sig != Signal::Flattery))
                {
                    push_sentence(&mut s, " ", &signal_sentence(*sig, *para, lang, vars, rng));
                }
                for cue in [Cue::InternalAsk, Cue::FileLure] {
                    if has_first(cue) {
                        push_sentence(&mut s, " ", &cue_sentence(cue, lang, vars, rng));
                    }
                }
                if plan.note && has_first(Cue::Verifiable) {
                    push_sentence(&mut s, " ", &cue_sentence(Cue::Verifiable, lang, vars, rng));
                }
            }
            Move::Detail => {
                if rng.random_bool(detail_rate) {
                    expand_key(
                        &format!("detail.{}", plan.role.key()),
                        lang,
                        vars,
                        rng,
                        &mut s,
                    );
                }
                if has_first(Cue::Verifiable) {
                    push_sentence(&mut s, " ", &cue_sentence(Cue::Verifiable, lang, vars, rng));
                }
            }
        }
        push_sentence(&mut first, sep, &s);
    }
    if register == Register::Polished {
        let mut s = String::new();
        expand_key("polish.close", lang, vars, rng, &mut s);
        push_sentence(&mut first, sep, &s);
    }
    if rng.random_bool(if terse { 0.5 } else { 0.85 }) {
        let mut s = String::new();
        registered("close", register, lang, vars, rng, &mut s);
        push_sentence(&mut first, sep, &s);
    }
    if rng.random_bool(if terse { 0.3 } else { 0.6 }) {
        let mut s = String::new();
        expand_key("signoff", lang, vars, rng, &mut s);
        push_sentence(&mut first, if sep == " " { " " } else { "\n" }, &s);
    }
    let mut first = if lang == "en" {
        english_articles(&first)
    } else {
        first
    };
    if register == Register::Broken && rng.random_bool(0.6) {
        first = obfuscate::typos(&first, rng.random_range(1..4), rng);
    }
    let mut out = vec![Message {
        direction: Direction::Inbound,
        text: tidy_keep_lines(&first),
    }];
    if conversation {
        let mut reply = String::new();
        let cautious = if later_cues.contains(&Cue::Bypass) {
            0.8
        } else {
            0.3
        };
        if rng.random_bool(cautious) {
            expand_key("reply.cautious", lang, vars, rng, &mut reply);
        } else {
            expand_key("reply", lang, vars, rng, &mut reply);
        }
        out.push(Message {
            direction: Direction::Outbound,
            text: tidy(&reply),
        });
        let mut follow = String::new();
        expand_key("followup", lang, vars, rng, &mut follow);
        for &cue in later_cues.iter().filter(|c| **c == Cue::Bypass) {
            push_sentence(&mut follow, " ", &cue_sentence(cue, lang, vars, rng));
        }
        for (sig, para) in &later {
            push_sentence(
                &mut follow,
                " ",
                &signal_sentence(*sig, *para, lang, vars, rng),
            );
        }
        for &cue in later_cues.iter().filter(|c| **c != Cue::Bypass) {
            push_sentence(&mut follow, " ", &cue_sentence(cue, lang, vars, rng));
        }
        if (later.is_empty() && later_cues.is_empty()) || rng.random_bool(0.6) {
            let mut s = String::new();
            expand_key("followup.more", lang, vars, rng, &mut s);
            push_sentence(&mut follow, " ", &s);
        }
        out.push(Message {
            direction: Direction::Inbound,
            text: tidy(&if lang == "en" {
                english_articles(&follow)
            } else {
                follow
            }),
        });
    }
    out
}

fn sep_after_greeting(sep: &str) -> &str {
    if sep == " " {
        " "
    } else {
        "\n"
    }
}

/// As [`tidy`], line by line, so that paragraph breaks survive.
fn tidy_keep_lines(s: &str) -> String {
    if !s.contains('\n') {
        return tidy(s);
    }
    s.split('\n')
        .map(tidy)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}
