//! Assigning evaluated profiles to groups from a meta sidecar, for per-group figures.

use std::collections::HashMap;

use crate::meta::Meta;

/// Which meta field defines the groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKey {
    Family,
    Group,
    Difficulty,
    Language,
}

/// The group name of profiles that have no meta record.
pub const NO_META: &str = "(no meta)";

/// The group name of profiles whose meta record lacks the chosen (optional) field.
pub const UNKNOWN: &str = "(unknown)";

impl GroupKey {
    pub const ALL: [GroupKey; 4] = [
        GroupKey::Family,
        GroupKey::Group,
        GroupKey::Difficulty,
        GroupKey::Language,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupKey::Family => "family",
            GroupKey::Group => "group",
            GroupKey::Difficulty => "difficulty",
            GroupKey::Language => "language",
        }
    }

    pub fn from_name(name: &str) -> Option<GroupKey> {
        GroupKey::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The value of this key in a meta record.
    pub fn of(self, m: &Meta) -> &str {
        match self {
            GroupKey::Family => &m.family,
            GroupKey::Group => &m.group,
            GroupKey::Difficulty => m.difficulty.as_deref().unwrap_or(UNKNOWN),
            GroupKey::Language => m.language.as_deref().unwrap_or(UNKNOWN),
        }
    }
}

/// The group of each id (in order) and how many ids had no meta record.
pub fn assign(ids: &[&str], meta: &[Meta], key: GroupKey) -> (Vec<String>, usize) {
    let by_id: HashMap<&str, &Meta> = meta.iter().map(|m| (m.id.as_str(), m)).collect();
    let mut missing = 0;
    let groups = ids
        .iter()
        .map(|id| match by_id.get(id) {
            Some(m) => key.of(m).to_owned(),
            None => {
                missing += 1;
                NO_META.to_owned()
            }
        })
        .collect();
    (groups, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str, family: &str, difficulty: Option<&str>) -> Meta {
        Meta {
            id: id.into(),
            family: family.into(),
            group: format!("{family}-g"),
            difficulty: difficulty.map(Into::into),
            language: None,
        }
    }

    #[test]
    fn assigns_by_key_and_counts_missing() {
        let m = [
            meta("a", "state_recruiter", Some("hard")),
            meta("b", "genuine_official", None),
        ];
        let (g, missing) = assign(&["a", "b", "c"], &m, GroupKey::Family);
        assert_eq!(g, ["state_recruiter", "genuine_official", NO_META]);
        assert_eq!(missing, 1);
        let (g, _) = assign(&["a", "b"], &m, GroupKey::Difficulty);
        assert_eq!(g, ["hard", UNKNOWN]);
        assert_eq!(GroupKey::from_name("language"), Some(GroupKey::Language));
        assert_eq!(GroupKey::from_name("x"), None);
    }
}
