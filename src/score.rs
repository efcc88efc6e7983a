//! Score records (format version 1) and the [`Scorer`] interface every engine implements:
//! the rule engine, the model and the hybrid of both.

use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::profile::{Profile, TextField};

/// Which engine produced a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    Model,
    Rules,
    Hybrid,
    Linear,
    Ensemble,
}

impl EngineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Model => "model",
            EngineKind::Rules => "rules",
            EngineKind::Hybrid => "hybrid",
            EngineKind::Linear => "linear",
            EngineKind::Ensemble => "ensemble",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Fake,
    Review,
    Genuine,
    /// Too little to judge (see [`too_thin`]): never read as genuine.
    Insufficient,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Fake,
        Verdict::Review,
        Verdict::Genuine,
        Verdict::Insufficient,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fake => "fake",
            Verdict::Review => "review",
            Verdict::Genuine => "genuine",
            Verdict::Insufficient => "insufficient",
        }
    }
}

/// The two cut-offs that turn a score into a verdict: `score >= fake` is `fake`,
/// `score >= review` is `review`, anything lower is `genuine`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub review: f32,
    pub fake: f32,
}

impl Thresholds {
    pub fn verdict(&self, score: f32) -> Verdict {
        if score >= self.fake {
            Verdict::Fake
        } else if score >= self.review {
            Verdict::Review
        } else {
            Verdict::Genuine
        }
    }
}

/// Fewer words than this in what a profile says about itself and what it wrote makes it too
/// thin to judge (a name and a headline, a bare invitation). On the 640 hand-written profiles
/// it sets 7 of the 396 genuine ones apart (`metrics.json`, leave-one-author-out); none of the
/// 244 fakes has fewer than 20 such words.
pub const MIN_WORDS: usize = 8;

/// Letters in scripts the engines never learned from which a thin profile is said to be
/// written in such a script ([`JudgedWords::unread_script`]): about [`MIN_WORDS`] words.
pub const MIN_OTHER_LETTERS: usize = 40;

/// The words of what a profile says about itself and what it wrote (its about text, career,
/// education and inbound messages; not the headline, name or location), by script.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JudgedWords {
    /// Words with a Latin letter or an ASCII digit: what the engines learned to read (their
    /// training texts are English, French and German).
    pub latin: usize,
    /// Letters and digits of the words in other scripts (Cyrillic, Greek, Arabic, Han, ...),
    /// counted as characters since some scripts put no space between words. The engines never
    /// learned these scripts: the neural model reads each such word as an unknown token, and
    /// the linear engine's hash slots for them hold what other words taught it, so they cannot
    /// support a verdict.
    pub other_letters: usize,
}

impl JudgedWords {
    /// The words of `p`'s judged texts, counting until `enough` Latin words are found.
    fn count(p: &Profile, enough: usize) -> JudgedWords {
        let mut n = JudgedWords::default();
        for (field, text) in p.texts() {
            if !matches!(
                field,
                TextField::About
                    | TextField::ExperienceTitle
                    | TextField::ExperienceCompany
                    | TextField::ExperienceDescription
                    | TextField::EducationSchool
                    | TextField::EducationDegree
                    | TextField::EducationField
                    | TextField::MessagesInbound
            ) {
                continue;
            }
            if text.is_ascii() {
                // Normalising plain ASCII only changes case and whitespace, never which
                // characters are letters or digits, so its words are counted as they are.
                n.latin += text
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .count();
            } else {
                // Normalised, look-alike letters inside Latin text are Latin letters again and
                // hidden characters are gone, so neither makes or hides a word.
                let normalized = crate::normalize::normalize(text).text;
                for w in normalized
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                {
                    if w.chars()
                        .any(|c| c.is_ascii_digit() || crate::normalize::is_latin_letter(c))
                    {
                        n.latin += 1;
                    } else {
                        n.other_letters += w.chars().count();
                    }
                }
            }
            if n.latin >= enough {
                break;
            }
        }
        n
    }

    /// Every judged word of `p`, by script.
    pub fn of(p: &Profile) -> JudgedWords {
        JudgedWords::count(p, usize::MAX)
    }

    /// Whether the profile is too thin to judge while it holds at least [`MIN_OTHER_LETTERS`]
    /// letters in other scripts (about eight words): text that a person can read and the
    /// engines cannot.
    pub fn unread_script(&self) -> bool {
        self.latin < MIN_WORDS && self.other_letters >= MIN_OTHER_LETTERS
    }

    /// Why a profile with these words is too thin to judge, in a sentence an analyst reads;
    /// `None` when it has enough.
    pub fn why_thin(&self) -> Option<String> {
        if self.latin >= MIN_WORDS {
            return None;
        }
        let mut why = format!(
            "too little to judge: {} word{} in its about text, career, education and inbound \
             messages that the engines read ({MIN_WORDS} needed)",
            self.latin,
            if self.latin == 1 { "" } else { "s" }
        );
        if self.other_letters > 0 {
            why.push_str(&format!(
                ", and {} letter{} in a script they never learned (not Latin): read it yourself",
                self.other_letters,
                if self.other_letters == 1 { "" } else { "s" }
            ));
        }
        Some(why)
    }
}

/// Whether a profile gives too little to judge: fewer than [`MIN_WORDS`] words that the
/// engines can read ([`JudgedWords::latin`]) in its about text, career, education and inbound
/// messages together (the headline, name and location do not count). An invitation with a
/// note is judged on the note; a profile written in a script the engines never learned is not
/// judged by them at all.
pub fn too_thin(p: &Profile) -> bool {
    JudgedWords::count(p, MIN_WORDS).latin < MIN_WORDS
}

/// The verdict of a profile's score: `insufficient` for a profile too thin to judge, else by
/// the thresholds.
pub fn verdict(p: &Profile, score: f32, t: &Thresholds) -> Verdict {
    if too_thin(p) {
        Verdict::Insufficient
    } else {
        t.verdict(score)
    }
}

/// One contribution to a score: a stable code, a signed weight and the evidence behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub weight: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// What an engine says about one profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Probability (model, hybrid) or risk score (rules) that the profile is fake, in 0..1.
    pub score: f32,
    /// Strongest contributions first.
    pub reasons: Vec<Reason>,
}

/// A score record as written by `linkscreen score`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRecord {
    pub id: String,
    pub score: f32,
    pub verdict: Verdict,
    pub engine: EngineKind,
    pub reasons: Vec<Reason>,
}

impl ScoreRecord {
    pub fn new(p: &Profile, a: Assessment, engine: EngineKind, t: &Thresholds) -> ScoreRecord {
        ScoreRecord {
            id: p.id.clone(),
            // Scores are rounded to 4 decimals so output is stable and readable.
            score: (a.score * 10_000.0).round() / 10_000.0,
            verdict: verdict(p, a.score, t),
            engine,
            reasons: a.reasons,
        }
    }
}

/// Errors an engine can raise while scoring (the rule engine never does).
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error("model inference failed: {0}")]
    Model(String),
}

/// What engines work out from one profile before scoring it (its normalised texts, its rule
/// hits) that another engine may need as well. An ensemble hands all its parts the same memo
/// for a profile, so that such work is done once; [`Scorer::score_batch`] hands out empty ones.
///
/// A value is stored by its type and a key that names what it was computed with (two engines
/// reading with different rules store two values).
#[derive(Default)]
pub struct Memo(Mutex<Vec<MemoEntry>>);

type MemoEntry = (TypeId, u64, Arc<dyn Any + Send + Sync>);

impl Memo {
    /// The value of type `T` stored under `key`, computed by `make` (and stored) when absent.
    pub fn get_or_insert_with<T: Any + Send + Sync>(
        &self,
        key: u64,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        let found = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(t, k, _)| *t == TypeId::of::<T>() && *k == key)
            .and_then(|(_, _, v)| Arc::clone(v).downcast::<T>().ok());
        if let Some(v) = found {
            return v;
        }
        // Computed without the lock: another thread computing the same value meanwhile only
        // repeats the work, and the value is the same.
        let v = Arc::new(make());
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push((
            TypeId::of::<T>(),
            key,
            Arc::clone(&v) as Arc<dyn Any + Send + Sync>,
        ));
        v
    }
}

/// An error unless there is one memo per profile (what [`Scorer::score_shared`] needs).
pub fn check_memos(profiles: &[Profile], memos: &[Memo]) -> Result<(), ScoreError> {
    if profiles.len() == memos.len() {
        Ok(())
    } else {
        Err(ScoreError::Model(format!(
            "{} memos for {} profiles",
            memos.len(),
            profiles.len()
        )))
    }
}

/// An engine that scores profiles. Engines are built once and then score many batches; they
/// do no I/O while scoring, and may score from several threads at once (`Sync`).
pub trait Scorer: Sync {
    fn kind(&self) -> EngineKind;
    fn thresholds(&self) -> Thresholds;
    /// One assessment per profile, in order.
    fn score_batch(&self, profiles: &[Profile]) -> Result<Vec<Assessment>, ScoreError> {
        let memos: Vec<Memo> = profiles.iter().map(|_| Memo::default()).collect();
        self.score_shared(profiles, &memos)
    }
    /// As [`Scorer::score_batch`], reading and filling `memos`, one per profile, which other
    /// engines scoring the same profiles share (see [`Memo`]).
    fn score_shared(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError>;
    /// Text sections cut at the model's token limit since the engine was built, or `None` for
    /// an engine that reads whole texts (the rule engine).
    fn truncated_sections(&self) -> Option<u64> {
        None
    }
    /// What one unit of a reason's weight is worth in the log-odds of the stated score: the
    /// slope of the engine's calibration (1 where reasons are already in those units).
    fn reason_scale(&self) -> f32 {
        1.0
    }
    /// As [`Scorer::score_shared`], except that an engine able to give a reason's evidence on
    /// its own ([`Scorer::deferred_evidence`]) leaves it out: the ensemble, which keeps a few
    /// of its parts' reasons, asks for those only. By default the same as `score_shared`.
    fn score_shared_deferring_evidence(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError> {
        self.score_shared(profiles, memos)
    }
    /// As [`Scorer::score_shared`], with no evidence in any reason (`score --no-evidence`):
    /// an engine that can skip the work of finding evidence does. By default the deferring
    /// scores with any evidence left in them taken out.
    fn score_shared_without_evidence(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError> {
        let mut scored = self.score_shared_deferring_evidence(profiles, memos)?;
        for r in scored.iter_mut().flat_map(|a| a.reasons.iter_mut()) {
            r.evidence = None;
        }
        Ok(scored)
    }
    /// The evidence [`Scorer::score_shared`] gives the reason `code` of `profile`, for an engine
    /// whose [`Scorer::score_shared_deferring_evidence`] left it out (`memo` is the one it
    /// scored the profile with); `None` for an engine that does not defer.
    fn deferred_evidence(&self, _profile: &Profile, _memo: &Memo, _code: &str) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_computes_each_value_once_per_type_and_key() {
        let m = Memo::default();
        let calls = std::cell::Cell::new(0);
        let make = |v: u32| {
            calls.set(calls.get() + 1);
            v
        };
        assert_eq!(*m.get_or_insert_with(1, || make(10)), 10);
        assert_eq!(*m.get_or_insert_with(1, || make(20)), 10);
        assert_eq!(*m.get_or_insert_with(2, || make(30)), 30);
        assert_eq!(*m.get_or_insert_with(1, || 40u64), 40);
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn verdict_follows_thresholds() {
        let t = Thresholds {
            review: 0.4,
            fake: 0.8,
        };
        assert_eq!(t.verdict(0.39), Verdict::Genuine);
        assert_eq!(t.verdict(0.4), Verdict::Review);
        assert_eq!(t.verdict(0.8), Verdict::Fake);
    }

    #[test]
    fn thin_profiles_are_insufficient_whatever_their_score() {
        let t = Thresholds {
            review: 0.4,
            fake: 0.8,
        };
        let mut p = Profile {
            id: "x".into(),
            headline: Some("Senior Partner | Strategic Advisory | Government Clients".into()),
            ..Profile::default()
        };
        assert_eq!(verdict(&p, 0.1, &t), Verdict::Insufficient);
        assert_eq!(verdict(&p, 0.9, &t), Verdict::Insufficient);
        // Hidden characters do not make words.
        p.about = Some("a\u{200b}b\u{200b}c".into());
        assert!(too_thin(&p));
        // A note of eight words is enough to judge.
        p.messages = Some(vec![crate::profile::Message {
            direction: crate::profile::Direction::Inbound,
            text: "Would you write short paid reports for us?".into(),
        }]);
        assert_eq!(verdict(&p, 0.9, &t), Verdict::Fake);
    }

    #[test]
    fn only_words_the_engines_read_make_a_profile_judgeable() {
        let note = |text: &str| Profile {
            id: "x".into(),
            messages: Some(vec![crate::profile::Message {
                direction: crate::profile::Direction::Inbound,
                text: text.into(),
            }]),
            ..Profile::default()
        };
        // Twelve Russian words: a person reads them, the engines never learned to.
        let ru = note("Здравствуйте! Ваш опыт в атомной энергетике очень интересен нашему клиенту, напишите мне.");
        let w = JudgedWords::of(&ru);
        assert_eq!(w.latin, 0);
        assert!(w.other_letters >= MIN_OTHER_LETTERS);
        assert!(too_thin(&ru) && w.unread_script());
        assert!(w
            .why_thin()
            .unwrap()
            .contains("in a script they never learned"));
        // Chinese puts no space between words: its letters are counted.
        let zh = note(
            "我们对您在欧盟委员会的工作非常感兴趣。能否为我们写一份关于能源政策的简短报告？我们会支付报酬。",
        );
        assert!(too_thin(&zh) && JudgedWords::of(&zh).unread_script());
        // Enough Latin words beside them make it judgeable; accented letters and digits count.
        let mixed = note("Здравствуйте! Vous êtes invitée à Genève le 12 mai 2027.");
        assert_eq!(JudgedWords::of(&mixed).latin, 9);
        assert!(!too_thin(&mixed));
        assert_eq!(JudgedWords::of(&mixed).why_thin(), None);
        // Look-alike letters inside Latin words are read as Latin: they hide no word.
        let lookalike = note("Wоuld yоu writе shоrt pаid rеpоrts fоr us?");
        assert_eq!(JudgedWords::of(&lookalike).latin, 8);
        assert_eq!(JudgedWords::of(&lookalike).other_letters, 0);
        // A thin Latin profile is not said to be written in another script.
        let thin = note("Hello there");
        assert!(too_thin(&thin) && !JudgedWords::of(&thin).unread_script());
        assert!(!JudgedWords::of(&thin)
            .why_thin()
            .unwrap()
            .contains("script"));
    }

    #[test]
    fn score_record_matches_spec_shape() {
        let a = Assessment {
            score: 0.97123,
            reasons: vec![Reason {
                code: "paid_report_offer".into(),
                weight: 0.31,
                evidence: Some("write short paid reports".into()),
            }],
        };
        let t = Thresholds {
            review: 0.5,
            fake: 0.8,
        };
        let p = Profile {
            id: "x".into(),
            about: Some(
                "Security researcher writing about export controls and supply chains.".into(),
            ),
            ..Profile::default()
        };
        let r = ScoreRecord::new(&p, a, EngineKind::Model, &t);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"id":"x","score":0.9712,"verdict":"fake","engine":"model","reasons":[{"code":"paid_report_offer","weight":0.31,"evidence":"write short paid reports"}]}"#
        );
    }
}
