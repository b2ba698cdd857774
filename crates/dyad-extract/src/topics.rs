//! Topics from the alliance taxonomy (`data/extract/topics.toml`), assigned to documents and to
//! the sentences that carry events and commitments.

use serde::Deserialize;

use dyad_model::Topic;

use crate::lexmatch::Phrases;

/// The taxonomy shipped with dyad.
pub const DEFAULT_TAXONOMY: &str = include_str!("../../../data/extract/topics.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    pub version: String,
    area: Vec<Area>,
    topic: Vec<TopicEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Area {
    id: String,
    label: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicEntry {
    id: String,
    label: String,
    #[serde(default)]
    en: Vec<String>,
    #[serde(default)]
    ko: Vec<String>,
}

impl Taxonomy {
    pub fn parse(src: &str, file: &str) -> Result<Taxonomy, String> {
        let tax: Taxonomy = crate::lexmatch::parse_toml(src, file)?;
        for t in &tax.topic {
            let area = t.id.split('.').next().unwrap_or_default();
            if !tax.area.iter().any(|a| a.id == area) {
                return Err(format!(
                    "{file}: topic {:?} is not under a declared area",
                    t.id
                ));
            }
        }
        Ok(tax)
    }
}

impl Default for Taxonomy {
    fn default() -> Self {
        Taxonomy::parse(DEFAULT_TAXONOMY, "data/extract/topics.toml")
            .expect("the shipped taxonomy parses (tested)")
    }
}

pub struct Topics {
    tax: Taxonomy,
    words: Phrases<usize>,
}

impl Topics {
    pub fn new(tax: Taxonomy) -> Topics {
        let words = Phrases::new(
            tax.topic
                .iter()
                .enumerate()
                .flat_map(|(i, t)| t.en.iter().chain(&t.ko).map(move |w| (w.clone(), i))),
        );
        Topics { tax, words }
    }

    pub fn version(&self) -> &str {
        &self.tax.version
    }

    fn counts(&self, text: &str, from: usize, to: usize) -> Vec<u32> {
        let mut n = vec![0u32; self.tax.topic.len()];
        for h in self.words.find(text, from, to) {
            for &i in h.tags {
                n[i] += 1;
            }
        }
        n
    }

    /// The most signalled topic of a span, if any.
    pub fn of_span(&self, text: &str, from: usize, to: usize) -> Option<String> {
        let n = self.counts(text, from, to);
        let (i, &c) = n
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
        (c > 0).then(|| self.tax.topic[i].id.clone())
    }

    /// The topics of a document: those signalled at least twice (or once in the title), scored
    /// against the strongest, followed by their areas. Best first.
    pub fn of_document(&self, title: Option<&str>, text: &str) -> Vec<Topic> {
        let mut n = self.counts(text, 0, text.len());
        if let Some(t) = title {
            for (i, c) in self.counts(t, 0, t.len()).into_iter().enumerate() {
                n[i] += 2 * c;
            }
        }
        let max = n.iter().copied().max().unwrap_or(0);
        if max == 0 {
            return Vec::new();
        }
        let mut out: Vec<Topic> = Vec::new();
        let mut area_counts = vec![0u32; self.tax.area.len()];
        for (i, &c) in n.iter().enumerate() {
            if c < 2 {
                continue;
            }
            let t = &self.tax.topic[i];
            out.push(Topic {
                id: t.id.clone(),
                label: t.label.clone(),
                score: round(f64::from(c) / f64::from(max)),
            });
            let area = t.id.split('.').next().unwrap_or_default();
            if let Some(a) = self.tax.area.iter().position(|a| a.id == area) {
                area_counts[a] += c;
            }
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        let amax = area_counts.iter().copied().max().unwrap_or(0).max(1);
        let mut areas: Vec<Topic> = area_counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| Topic {
                id: self.tax.area[i].id.clone(),
                label: self.tax.area[i].label.clone(),
                score: round(f64::from(c) / f64::from(amax)),
            })
            .collect();
        areas.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        out.extend(areas);
        out
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_spans_get_topics_in_both_languages() {
        let t = Topics::new(Taxonomy::default());
        let text =
            "Tariffs on Korean cars fell to 15%. The tariff deal helps automakers. 관세 협상.";
        let topics = t.of_document(Some("Tariff deal"), text);
        assert_eq!(topics[0].id, "economy.tariffs");
        assert!(topics.iter().any(|x| x.id == "economy"));
        assert_eq!(
            t.of_span(
                "양국은 반도체 협력을 강화한다",
                0,
                "양국은 반도체 협력을 강화한다".len()
            )
            .as_deref(),
            Some("industry.semiconductors")
        );
        assert_eq!(t.of_span("Nothing here.", 0, 13), None);
    }

    #[test]
    fn topics_must_sit_under_an_area() {
        let bad = "version = \"1\"\n[[area]]\nid = \"security\"\nlabel = \"S\"\n[[topic]]\nid = \"trade.x\"\nlabel = \"X\"\n";
        assert!(
            Taxonomy::parse(bad, "t.toml")
                .unwrap_err()
                .contains("trade.x")
        );
    }
}
