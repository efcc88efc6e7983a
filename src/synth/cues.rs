//! Cues that no rule names, and the register a profile writes in. Cues are what real
//! approaches carry beside the rule signals: whether the sender can be checked through an
//! official channel, whether the sponsor stays hidden, whether the ask reaches for internal
//! detail, a file or portal to open, the warmth of a peer, and (in follow-ups) a push to keep
//! the employer out of it. Every cue occurs in both classes at different rates, so that the
//! label still depends on combinations, and every register is drawn for both classes.

use rand::Rng;

use super::personas::{Difficulty, Family};

/// A message cue that no rule of the default rule set names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// A way to check the sender: an official address, a public page, a switchboard.
    Verifiable,
    /// The sponsor, client or funder is not named.
    HiddenSponsor,
    /// An ask for non-public detail: plans, lists of people, data samples, badge numbers.
    InternalAsk,
    /// A file to open or a portal to log in to.
    FileLure,
    /// The warmth of a peer: a shared event, a congratulation, a public project.
    Peer,
    /// A push to keep the employer or the usual approvals out of it (follow-ups only).
    Bypass,
}

impl Cue {
    pub const ALL: [Cue; 6] = [
        Cue::Verifiable,
        Cue::HiddenSponsor,
        Cue::InternalAsk,
        Cue::FileLure,
        Cue::Peer,
        Cue::Bypass,
    ];

    /// The bank of the cue's sentences.
    pub fn bank(self) -> &'static str {
        match self {
            Cue::Verifiable => "cue.verifiable",
            Cue::HiddenSponsor => "cue.hidden",
            Cue::InternalAsk => "cue.internal",
            Cue::FileLure => "cue.file",
            Cue::Peer => "cue.peer",
            Cue::Bypass => "cue.bypass",
        }
    }

    /// Whether the cue belongs to a follow-up when there is a conversation.
    pub fn escalates(self) -> bool {
        matches!(self, Cue::InternalAsk | Cue::FileLure | Cue::Bypass)
    }
}

/// Cue rates at medium difficulty, in [`Cue::ALL`] order, by family name.
fn rates(family: &str) -> [f64; 6] {
    // Columns: verifiable, hidden sponsor, internal ask, file lure, peer, bypass.
    match family {
        "state_recruiter" => [0.15, 0.45, 0.30, 0.10, 0.10, 0.30],
        "fake_think_tank" => [0.20, 0.45, 0.35, 0.10, 0.15, 0.25],
        "fake_academic" => [0.20, 0.30, 0.25, 0.15, 0.15, 0.20],
        "dream_job_recruiter" => [0.15, 0.35, 0.10, 0.45, 0.05, 0.20],
        "honeytrap" => [0.05, 0.05, 0.20, 0.10, 0.45, 0.15],
        "fake_consultant" => [0.15, 0.50, 0.40, 0.15, 0.10, 0.30],
        "genuine_recruiter" => [0.45, 0.20, 0.03, 0.05, 0.10, 0.04],
        "genuine_think_tank" => [0.50, 0.04, 0.04, 0.05, 0.20, 0.02],
        "genuine_academic" => [0.55, 0.03, 0.04, 0.05, 0.25, 0.02],
        "genuine_official" => [0.45, 0.02, 0.04, 0.03, 0.25, 0.02],
        "genuine_engineer" => [0.30, 0.02, 0.05, 0.05, 0.50, 0.02],
        "genuine_executive" => [0.35, 0.06, 0.04, 0.04, 0.35, 0.02],
        "genuine_sparse" => [0.15, 0.02, 0.02, 0.03, 0.30, 0.02],
        "genuine_expert_network" => [0.55, 0.25, 0.06, 0.20, 0.05, 0.03],
        _ => [0.50, 0.04, 0.04, 0.05, 0.25, 0.02],
    }
}

/// Draws the cues of a profile. Easy fakes ask more bluntly and rarely offer a way to check
/// them; hard fakes imitate the official channels of genuine senders; hard genuine profiles
/// hide their client and wave away approvals twice as often as the others.
pub fn draw<R: Rng>(family: &Family, difficulty: Difficulty, rng: &mut R) -> Vec<Cue> {
    let base = rates(family.name);
    let mut out = Vec::new();
    for (i, cue) in Cue::ALL.into_iter().enumerate() {
        let factor = match (family.fake, difficulty, cue) {
            (true, Difficulty::Easy, Cue::Verifiable) => 0.5,
            (true, Difficulty::Easy, Cue::InternalAsk | Cue::FileLure) => 1.3,
            (true, Difficulty::Hard, Cue::Verifiable) => 1.6,
            (true, Difficulty::Hard, Cue::Bypass | Cue::InternalAsk) => 0.8,
            (false, Difficulty::Hard, Cue::HiddenSponsor | Cue::Bypass | Cue::FileLure) => 2.0,
            (false, Difficulty::Hard, Cue::Verifiable) => 0.7,
            _ => 1.0,
        };
        if rng.random_bool((base[i] * factor).min(0.9)) {
            out.push(cue);
        }
    }
    out
}

/// How a profile writes: the greeting, closing and length of its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    /// The generator's usual middle register.
    Plain,
    /// One or two sentences, no pleasantries.
    Terse,
    /// Titles and surnames, formal closings.
    Formal,
    /// First names, exclamation marks, emoji.
    Casual,
    /// Non-native, clumsy phrasing and more typos.
    Broken,
    /// Long, smooth, over-courteous prose, as a language model writes it.
    Polished,
}

impl Register {
    /// Draws a register. Both classes share one distribution, except that easy fakes write
    /// clumsily more often and hard fakes polish their text more often.
    pub fn draw<R: Rng>(fake: bool, difficulty: Difficulty, rng: &mut R) -> Register {
        let (broken, polished) = match (fake, difficulty) {
            (true, Difficulty::Easy) => (0.22, 0.06),
            (true, Difficulty::Hard) => (0.04, 0.28),
            _ => (0.07, 0.12),
        };
        let u: f64 = rng.random();
        let mut edge = broken;
        if u < edge {
            return Register::Broken;
        }
        edge += polished;
        if u < edge {
            return Register::Polished;
        }
        // The rest is plain (40%), terse (20%), formal (22%) or casual (18%).
        let v = (u - edge) / (1.0 - edge);
        if v < 0.4 {
            Register::Plain
        } else if v < 0.6 {
            Register::Terse
        } else if v < 0.82 {
            Register::Formal
        } else {
            Register::Casual
        }
    }

    /// The bank suffix of the register's greetings and closings, if it has its own.
    pub fn suffix(self) -> Option<&'static str> {
        match self {
            Register::Plain | Register::Polished => None,
            Register::Terse => Some("terse"),
            Register::Formal => Some("formal"),
            Register::Casual => Some("casual"),
            Register::Broken => Some("broken"),
        }
    }
}
