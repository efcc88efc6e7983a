//! Personas (families) of both classes: their role, how often each warning sign appears in
//! their messages, and how difficulty shifts those rates.

use rand::Rng;

/// The message-level signals the generator controls. Each maps to a rule of the default rule
/// set (`models/rules/default.toml`) when written with a rule phrase, and to nothing when
/// paraphrased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Flattery,
    Clearance,
    GoodOffer,
    PaidReport,
    PaidTrip,
    OffPlatform,
    Urgency,
    CvOrMeeting,
    Colleagues,
    Scarcity,
    Email,
    Phone,
}

impl Signal {
    pub const ALL: [Signal; 12] = [
        Signal::Flattery,
        Signal::Clearance,
        Signal::GoodOffer,
        Signal::PaidReport,
        Signal::PaidTrip,
        Signal::OffPlatform,
        Signal::Urgency,
        Signal::CvOrMeeting,
        Signal::Colleagues,
        Signal::Scarcity,
        Signal::Email,
        Signal::Phone,
    ];

    /// The bank prefix of the signal (`sig.NAME.rule` / `sig.NAME.para`).
    pub fn bank(self) -> &'static str {
        match self {
            Signal::Flattery => "flattery",
            Signal::Clearance => "clearance",
            Signal::GoodOffer => "good_offer",
            Signal::PaidReport => "paid_report",
            Signal::PaidTrip => "paid_trip",
            Signal::OffPlatform => "off_platform",
            Signal::Urgency => "urgency",
            Signal::CvOrMeeting => "cv",
            Signal::Colleagues => "colleagues",
            Signal::Scarcity => "scarcity",
            Signal::Email => "email",
            Signal::Phone => "phone",
        }
    }

    /// Whether the signal belongs to a follow-up message rather than the first approach, when
    /// there is a conversation.
    pub fn escalates(self) -> bool {
        matches!(
            self,
            Signal::OffPlatform
                | Signal::Colleagues
                | Signal::Clearance
                | Signal::Email
                | Signal::Phone
        )
    }
}

/// The role a persona presents: it selects titles, employers, descriptions and the purpose of
/// its messages. Fakes and genuine profiles of one role share the same banks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Recruiter,
    ThinkTank,
    Academic,
    Consultant,
    Official,
    Engineer,
    Executive,
    Student,
    Personal,
}

impl Role {
    pub fn key(self) -> &'static str {
        match self {
            Role::Recruiter => "recruiter",
            Role::ThinkTank => "thinktank",
            Role::Academic => "academic",
            Role::Consultant => "consultant",
            Role::Official => "official",
            Role::Engineer => "engineer",
            Role::Executive => "executive",
            Role::Student => "student",
            Role::Personal => "personal",
        }
    }
}

/// One persona of the generated world.
#[derive(Debug, Clone, Copy)]
pub struct Family {
    pub name: &'static str,
    pub fake: bool,
    /// Share within its class.
    pub weight: f64,
    /// Roles the persona presents, drawn uniformly.
    pub roles: &'static [Role],
    /// Probability of each signal, in [`Signal::ALL`] order, at medium difficulty.
    pub rates: [f64; 12],
    /// Probability that the profile has any message at all.
    pub messages: f64,
}

use Role::*;

//                        flat clear good  rep  trip  off  urg   cv  coll scar  mail phone
pub const FAMILIES: [Family; 15] = [
    Family {
        name: "state_recruiter",
        fake: true,
        weight: 0.24,
        roles: &[Recruiter, Recruiter, Consultant],
        rates: [
            0.70, 0.40, 0.45, 0.15, 0.15, 0.40, 0.25, 0.55, 0.25, 0.35, 0.18, 0.14,
        ],
        messages: 0.93,
    },
    Family {
        name: "fake_think_tank",
        fake: true,
        weight: 0.17,
        roles: &[ThinkTank, ThinkTank, Academic],
        rates: [
            0.72, 0.12, 0.08, 0.60, 0.40, 0.38, 0.15, 0.12, 0.20, 0.45, 0.22, 0.08,
        ],
        messages: 0.92,
    },
    Family {
        name: "fake_academic",
        fake: true,
        weight: 0.14,
        roles: &[Academic],
        rates: [
            0.68, 0.05, 0.05, 0.35, 0.60, 0.30, 0.20, 0.18, 0.10, 0.40, 0.28, 0.08,
        ],
        messages: 0.92,
    },
    Family {
        name: "dream_job_recruiter",
        fake: true,
        weight: 0.18,
        roles: &[Recruiter, Executive],
        rates: [
            0.50, 0.05, 0.75, 0.05, 0.10, 0.55, 0.50, 0.50, 0.05, 0.35, 0.32, 0.28,
        ],
        messages: 0.95,
    },
    Family {
        name: "honeytrap",
        fake: true,
        weight: 0.11,
        roles: &[Personal, Personal, Student, Engineer, Executive],
        rates: [
            0.55, 0.08, 0.03, 0.05, 0.15, 0.55, 0.10, 0.30, 0.25, 0.20, 0.14, 0.28,
        ],
        messages: 0.9,
    },
    Family {
        name: "fake_consultant",
        fake: true,
        weight: 0.16,
        roles: &[Consultant, Consultant, Executive, Official],
        rates: [
            0.60, 0.22, 0.18, 0.55, 0.15, 0.38, 0.20, 0.15, 0.35, 0.35, 0.22, 0.14,
        ],
        messages: 0.92,
    },
    Family {
        name: "genuine_recruiter",
        fake: false,
        weight: 0.19,
        roles: &[Recruiter],
        rates: [
            0.55, 0.15, 0.28, 0.01, 0.03, 0.07, 0.14, 0.65, 0.04, 0.12, 0.05, 0.12,
        ],
        messages: 0.9,
    },
    Family {
        name: "genuine_think_tank",
        fake: false,
        weight: 0.1,
        roles: &[ThinkTank],
        rates: [
            0.38, 0.03, 0.01, 0.18, 0.32, 0.04, 0.06, 0.08, 0.06, 0.18, 0.04, 0.04,
        ],
        messages: 0.85,
    },
    Family {
        name: "genuine_academic",
        fake: false,
        weight: 0.13,
        roles: &[Academic],
        rates: [
            0.38, 0.02, 0.01, 0.25, 0.45, 0.04, 0.08, 0.10, 0.04, 0.12, 0.08, 0.03,
        ],
        messages: 0.88,
    },
    Family {
        name: "genuine_official",
        fake: false,
        weight: 0.11,
        roles: &[Official],
        rates: [
            0.15, 0.08, 0.01, 0.03, 0.12, 0.05, 0.10, 0.08, 0.06, 0.06, 0.03, 0.05,
        ],
        messages: 0.75,
    },
    Family {
        name: "genuine_engineer",
        fake: false,
        weight: 0.17,
        roles: &[Engineer, Engineer, Engineer, Personal],
        rates: [
            0.22, 0.05, 0.02, 0.02, 0.06, 0.12, 0.06, 0.14, 0.08, 0.04, 0.06, 0.06,
        ],
        messages: 0.75,
    },
    Family {
        name: "genuine_executive",
        fake: false,
        weight: 0.1,
        roles: &[Executive, Executive, Personal],
        rates: [
            0.30, 0.04, 0.05, 0.05, 0.10, 0.07, 0.10, 0.06, 0.05, 0.15, 0.03, 0.08,
        ],
        messages: 0.75,
    },
    Family {
        name: "genuine_sparse",
        fake: false,
        weight: 0.1,
        roles: &[Student, Official, Engineer, Personal],
        rates: [
            0.10, 0.02, 0.02, 0.01, 0.03, 0.06, 0.05, 0.15, 0.03, 0.03, 0.05, 0.04,
        ],
        messages: 0.6,
    },
    Family {
        name: "genuine_expert_network",
        fake: false,
        weight: 0.06,
        roles: &[Consultant],
        rates: [
            0.42, 0.06, 0.05, 0.60, 0.03, 0.05, 0.30, 0.06, 0.05, 0.10, 0.03, 0.15,
        ],
        messages: 0.9,
    },
    Family {
        name: "genuine_foreign_scholar",
        fake: false,
        weight: 0.04,
        roles: &[Academic, ThinkTank],
        rates: [
            0.40, 0.02, 0.01, 0.20, 0.50, 0.08, 0.08, 0.08, 0.05, 0.15, 0.12, 0.04,
        ],
        messages: 0.8,
    },
];

/// Difficulty of a generated profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }

    /// Fakes: 25% easy, 35% medium, 40% hard. Genuine: 40% easy, 40% medium, 20% hard.
    pub fn draw<R: Rng>(fake: bool, rng: &mut R) -> Difficulty {
        let u: f64 = rng.random();
        let (easy, medium) = if fake { (0.25, 0.60) } else { (0.40, 0.80) };
        if u < easy {
            Difficulty::Easy
        } else if u < medium {
            Difficulty::Medium
        } else {
            Difficulty::Hard
        }
    }
}

/// Picks a family of the given class by weight.
pub fn draw_family<R: Rng>(fake: bool, rng: &mut R) -> &'static Family {
    let total: f64 = FAMILIES
        .iter()
        .filter(|f| f.fake == fake)
        .map(|f| f.weight)
        .sum();
    let mut u = rng.random::<f64>() * total;
    let mut last = &FAMILIES[0];
    for f in FAMILIES.iter().filter(|f| f.fake == fake) {
        last = f;
        if u < f.weight {
            return f;
        }
        u -= f.weight;
    }
    last
}

/// The probability of a signal for a family at a difficulty. Hard fakes drop the crude signs
/// (clearance, off-platform, free-mail, phone, colleague questions, urgency) and easy fakes
/// pile them up; hard genuine profiles carry more warning signs than usual.
pub fn signal_rate(family: &Family, signal: Signal, difficulty: Difficulty) -> f64 {
    let i = Signal::ALL
        .iter()
        .position(|s| *s == signal)
        .unwrap_or_default();
    let base = family.rates[i];
    let crude = matches!(
        signal,
        Signal::Clearance
            | Signal::OffPlatform
            | Signal::Email
            | Signal::Phone
            | Signal::Colleagues
            | Signal::Urgency
    );
    let factor = match (family.fake, difficulty) {
        (true, Difficulty::Easy) => 1.4,
        (true, Difficulty::Medium) => 1.0,
        (true, Difficulty::Hard) if crude => 0.5,
        (true, Difficulty::Hard) => 0.8,
        (false, Difficulty::Easy) => 0.6,
        (false, Difficulty::Medium) => 1.0,
        (false, Difficulty::Hard) => 1.9,
    };
    (base * factor).min(0.95)
}

/// Probability that a present signal is written in a paraphrase that no rule phrase matches.
pub fn paraphrase_rate(fake: bool, difficulty: Difficulty) -> f64 {
    match (fake, difficulty) {
        (true, Difficulty::Easy) => 0.1,
        (true, Difficulty::Medium) => 0.35,
        (true, Difficulty::Hard) => 0.65,
        (false, _) => 0.4,
    }
}

/// Probability that a profile's first message stays harmless and every signal but flattery
/// waits for the follow-up: patient fakes build rapport first, and genuine senders often give
/// the terms (fees, travel, contact details) only once the target has replied.
pub fn delay_rate(fake: bool, difficulty: Difficulty) -> f64 {
    match (fake, difficulty) {
        (true, Difficulty::Hard) => 0.4,
        (true, Difficulty::Medium) => 0.2,
        (true, Difficulty::Easy) => 0.05,
        (false, _) => 0.2,
    }
}
