//! What the reader of a profile gets to see. A pending invitation shows only the sender's
//! name, headline, location, photo and shared connections beside the note; a partly filled
//! profile shows counts but few sections; a full profile shows everything that was generated.
//! The shape is drawn with the same probabilities for both classes.

use rand::Rng;

use crate::profile::{Direction, Profile};

/// How much of a profile is visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Only what a pending invitation shows, and the first inbound note.
    Invitation,
    /// Counts and some sections, most profile text missing.
    Partial,
    /// Everything generated.
    Full,
}

impl Shape {
    /// Invitation 25%, partial 35%, full 40%, for both classes alike.
    pub fn draw<R: Rng>(rng: &mut R) -> Shape {
        let u: f64 = rng.random();
        if u < 0.25 {
            Shape::Invitation
        } else if u < 0.6 {
            Shape::Partial
        } else {
            Shape::Full
        }
    }
}

/// Removes from `p` what the shape does not show. A profile without an inbound message is
/// never shown as an invitation (an invitation is read for its note), but as a partial one.
pub fn apply<R: Rng>(p: &mut Profile, shape: Shape, rng: &mut R) {
    let has_note = p
        .messages
        .as_ref()
        .is_some_and(|m| m.iter().any(|m| m.direction == Direction::Inbound));
    match shape {
        Shape::Invitation if has_note => invitation(p, rng),
        Shape::Invitation | Shape::Partial => partial(p, rng),
        Shape::Full => {}
    }
}

fn invitation<R: Rng>(p: &mut Profile, rng: &mut R) {
    if let Some(msgs) = p.messages.as_mut() {
        if let Some(first) = msgs.iter().position(|m| m.direction == Direction::Inbound) {
            let note = msgs.swap_remove(first);
            *msgs = vec![note];
        }
    }
    if rng.random_bool(0.9) {
        p.username = None;
    }
    if rng.random_bool(0.25) {
        p.location = None;
    }
    if rng.random_bool(0.3) {
        p.platform = None;
    }
    if rng.random_bool(0.7) {
        p.connections = None;
    }
    p.about = None;
    p.website = None;
    p.verified = None;
    p.account_age_days = None;
    p.followers = None;
    p.following = None;
    p.posts = None;
    p.endorsements = None;
    p.recommendations = None;
    p.experience = None;
    p.education = None;
    p.skills = None;
    p.languages = None;
}

fn partial<R: Rng>(p: &mut Profile, rng: &mut R) {
    let mut drop = |rate: f64| rng.random_bool(rate);
    if drop(0.55) {
        p.about = None;
    }
    if drop(0.5) {
        p.website = None;
    }
    if drop(0.45) {
        p.experience = None;
    }
    if drop(0.7) {
        p.education = None;
    }
    if drop(0.7) {
        p.skills = None;
    }
    if drop(0.7) {
        p.languages = None;
    }
    if drop(0.6) {
        p.followers = None;
    }
    if drop(0.8) {
        p.following = None;
    }
    if drop(0.4) {
        p.endorsements = None;
    }
    if drop(0.5) {
        p.recommendations = None;
    }
}
