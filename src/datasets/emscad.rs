//! EMSCAD job ads as recruitment approaches: the ad's title is the headline, the company
//! profile is the about text, and description, requirements and benefits together form one
//! inbound message. Everything else (location, salary, structured columns) is dropped.

use std::path::Path;

use crate::meta::Meta;
use crate::normalize::normalize;
use crate::profile::{Direction, Label, Message, Platform, Profile};

use super::checksum::short_hash;
use super::table::{bad, read_csv};
use super::{text, DatasetError, Imported};

const REQUIRED: [&str; 7] = [
    "job_id",
    "title",
    "company_profile",
    "description",
    "requirements",
    "benefits",
    "fraudulent",
];

pub(super) fn import(key: &str, path: &Path, out: &mut Imported) -> Result<(), DatasetError> {
    read_csv(key, path, &REQUIRED, Some("job_id"), out, |_, row| {
        let job_id = row.get("job_id").trim();
        if job_id.is_empty() {
            return Err(bad("job_id", "missing"));
        }
        let label = if row.flag("fraudulent")? {
            Label::Fake
        } else {
            Label::Genuine
        };
        let body: Vec<String> = ["description", "requirements", "benefits"]
            .iter()
            .filter_map(|c| text(row.get(c)))
            .collect();
        let headline = text(row.get("title"));
        let about = text(row.get("company_profile"));
        if headline.is_none() && about.is_none() && body.is_empty() {
            return Err(bad("title", "the ad has no text at all"));
        }
        let id = format!("emscad-{job_id}");
        // Ads of one employer stay together: the company profile identifies the employer.
        let group = match &about {
            Some(a) => format!("emscad/company-{}", short_hash(&normalize(a).text, 16)),
            None => format!("emscad/job-{job_id}"),
        };
        let profile = Profile {
            id: id.clone(),
            platform: Some(Platform::Other),
            headline,
            about,
            messages: (!body.is_empty()).then(|| {
                vec![Message {
                    direction: Direction::Inbound,
                    text: body.join("\n\n"),
                }]
            }),
            label: Some(label),
            ..Profile::default()
        };
        let meta = Meta {
            id,
            family: "emscad".into(),
            group,
            difficulty: None,
            language: Some("en".into()),
        };
        Ok((profile, meta))
    })
}
