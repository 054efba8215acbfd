//! Relations inside a cluster: which member is the likely source, and how each copy relates to it.
//!
//! A copy is compared with its source through their [`Alignment`] (source first). The scores, all
//! shares in [0, 1]:
//!
//! * `source_coverage` / `member_coverage`: share of the source's / the member's tokens inside
//!   copied passages;
//! * `source_outside`: share of the source's tokens before the first or after the last passage
//!   (text the copy cut off); `member_outside`: the same in the member (text the copy added
//!   around the story);
//! * `swap_share`: share of the member's passage tokens that are swapped words
//!   ([`EditKind::Swap`]);
//! * `edit_share`: share of both texts' tokens between the first and last passage that are
//!   inserted, deleted, rewritten, swapped or left out between passages.
//!
//! The rules, each a trait of the copy (several may hold):
//!
//! * **spun**: `swap_share >= `[`SPUN_MIN_SWAPS`]; words were replaced throughout;
//! * **edited**: not spun, and at least [`EDITED_MIN_TOKENS`] token differs inside the copied
//!   region, or passages were moved;
//! * **truncated**: `source_outside >= `[`TRUNCATED_MIN`]; the copy lacks the source's head or tail;
//! * **wrapped**: `member_outside >= `[`WRAPPED_MIN`]; the copy has text of its own around the story;
//! * **verbatim**: none of the above.
//!
//! The [`RelationKind`] is the first trait that holds in the order spun, edited, truncated,
//! wrapped, verbatim; a member with no passage in common with the source is
//! [`RelationKind::Unaligned`] (it joined the cluster through another member).
//!
//! # Choosing the source
//!
//! [`explain_cluster`] picks the earliest member when dates are given (ISO 8601 strings compare
//! correctly as strings). Otherwise the source is the member that contains the most of the other
//! members' *shared* text: each token of each member is weighted by the number of members it is
//! copied with, so a site's boilerplate, shared by one or two copies from that site, weighs little
//! against the story shared by all. Ties (within [`SOURCE_TIE`]) go to the member with fewer
//! swapped words, then to the one with less text of its own (tokens copied with fewer than half of
//! the other members), then to the earlier member. When one member is a truncation of another and
//! no third copy says which is the longer original, the two readings (original + truncated copy,
//! or story + wrapped copy) cannot be told apart from text alone; the shorter one wins, and
//! [`ClusterEvidence::margin`] is small.
//!
//! Only the [`MAX_CANDIDATES`] longest members are tried as the source, so a cluster of `m` members
//! costs at most `MAX_CANDIDATES * m` alignments.

use crate::align::{Aligner, Alignment, EditKind, Tokens};

/// Smallest share of swapped words for a copy to be called spun.
pub const SPUN_MIN_SWAPS: f64 = 0.05;
/// Fewest changed tokens inside the copied region for a copy to be called edited (one changed
/// number is an edit).
pub const EDITED_MIN_TOKENS: usize = 1;
/// Smallest share of the source cut off (head or tail) for a copy to be called truncated.
pub const TRUNCATED_MIN: f64 = 0.05;
/// Smallest share of the copy outside the copied region for it to be called wrapped.
pub const WRAPPED_MIN: f64 = 0.05;
/// Most members tried as the source of one cluster.
pub const MAX_CANDIDATES: usize = 8;
/// Source scores closer than this are a tie.
pub const SOURCE_TIE: f64 = 0.02;

/// How a member relates to its cluster's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum RelationKind {
    /// The source itself.
    Source,
    /// The same text.
    Verbatim,
    /// A head or tail of the source is missing.
    Truncated,
    /// The story with text of its own around it.
    Wrapped,
    /// A few words or passages changed, inserted, removed or moved.
    Edited,
    /// Words replaced by synonyms throughout.
    Spun,
    /// No passage in common with the source (in the cluster through another member).
    #[default]
    Unaligned,
}

impl RelationKind {
    /// A lowercase name: `source`, `verbatim`, `truncated`, `wrapped`, `edited`, `spun`,
    /// `unaligned`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::relation::RelationKind::Spun.name(), "spun");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            RelationKind::Source => "source",
            RelationKind::Verbatim => "verbatim",
            RelationKind::Truncated => "truncated",
            RelationKind::Wrapped => "wrapped",
            RelationKind::Edited => "edited",
            RelationKind::Spun => "spun",
            RelationKind::Unaligned => "unaligned",
        }
    }
}

/// A member's relation to the source, with the scores behind it (see the [module docs](self)).
///
/// # Examples
///
/// ```
/// use wirecopy::relation::{Relation, RelationKind};
/// let story = "Port workers began a 48-hour strike on Monday, halting cargo traffic at the \
///              country's busiest harbour, the union said in a statement on Sunday night.";
/// let copy = format!("Home | News | Sport | Weather | Business\n{story}\nShare this article on social media");
/// let r = Relation::between(&wirecopy::align::align(story, &copy));
/// assert_eq!(r.kind, RelationKind::Wrapped);
/// assert!(r.wrapped && !r.truncated && !r.spun);
/// assert_eq!(r.label(), "wrapped");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Relation {
    /// The main relation: the first trait that holds, in the order spun, edited, truncated,
    /// wrapped, verbatim.
    pub kind: RelationKind,
    /// Words replaced throughout.
    pub spun: bool,
    /// A few changes inside the copied region, or moved passages.
    pub edited: bool,
    /// Head or tail of the source missing.
    pub truncated: bool,
    /// Text of its own around the story.
    pub wrapped: bool,
    /// Passages appear in another order in the member.
    pub moved: bool,
    /// Share of the source's tokens inside passages.
    pub source_coverage: f64,
    /// Share of the member's tokens inside passages.
    pub member_coverage: f64,
    /// Share of the source's tokens before the first or after the last passage.
    pub source_outside: f64,
    /// Share of the member's tokens before the first or after the last passage.
    pub member_outside: f64,
    /// Share of the member's passage tokens that are swapped words.
    pub swap_share: f64,
    /// Share of tokens of the copied region (both sides) that differ.
    pub edit_share: f64,
    /// Number of swaps.
    pub swaps: usize,
}

impl Relation {
    /// The relation of the second text of `alignment` (the member) to its first (the source).
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::relation::{Relation, RelationKind};
    /// let a = "one two three four five six seven eight nine ten eleven twelve";
    /// let r = Relation::between(&wirecopy::align::align(a, a));
    /// assert_eq!(r.kind, RelationKind::Verbatim);
    /// assert_eq!(r.source_coverage, 1.0);
    /// ```
    pub fn between(alignment: &Alignment) -> Relation {
        let al = alignment;
        let mut r = Relation {
            source_coverage: al.coverage_a(),
            member_coverage: al.coverage_b(),
            moved: !al.in_order(),
            ..Relation::default()
        };
        if al.passages.is_empty() {
            r.kind = RelationKind::Unaligned;
            r.source_outside = 1.0;
            r.member_outside = 1.0;
            return r;
        }
        let a_lo = al
            .passages
            .iter()
            .map(|p| p.tokens_a.start)
            .min()
            .unwrap_or(0);
        let a_hi = al
            .passages
            .iter()
            .map(|p| p.tokens_a.end)
            .max()
            .unwrap_or(0);
        let b_lo = al
            .passages
            .iter()
            .map(|p| p.tokens_b.start)
            .min()
            .unwrap_or(0);
        let b_hi = al
            .passages
            .iter()
            .map(|p| p.tokens_b.end)
            .max()
            .unwrap_or(0);
        r.source_outside = ratio(al.tokens_a - (a_hi - a_lo), al.tokens_a);
        r.member_outside = ratio(al.tokens_b - (b_hi - b_lo), al.tokens_b);
        let in_a: usize = al.passages.iter().map(|p| p.tokens_a.len()).sum();
        let in_b: usize = al.passages.iter().map(|p| p.tokens_b.len()).sum();
        let (mut swapped_b, mut changed) = (0, 0);
        for e in al.edits() {
            changed += e.tokens_a.len() + e.tokens_b.len();
            if e.kind == EditKind::Swap {
                swapped_b += e.tokens_b.len();
                r.swaps += 1;
            }
        }
        // Tokens of the region left out between passages.
        changed += (a_hi - a_lo - in_a) + (b_hi - b_lo - in_b);
        r.swap_share = ratio(swapped_b, in_b);
        r.edit_share = ratio(changed, (a_hi - a_lo) + (b_hi - b_lo));
        r.spun = r.swap_share >= SPUN_MIN_SWAPS;
        r.edited = !r.spun && (changed >= EDITED_MIN_TOKENS || r.moved);
        r.truncated = r.source_outside >= TRUNCATED_MIN;
        r.wrapped = r.member_outside >= WRAPPED_MIN;
        r.kind = if r.spun {
            RelationKind::Spun
        } else if r.edited {
            RelationKind::Edited
        } else if r.truncated {
            RelationKind::Truncated
        } else if r.wrapped {
            RelationKind::Wrapped
        } else {
            RelationKind::Verbatim
        };
        r
    }

    /// The relation of the source to itself.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::relation::Relation::source().label(), "source");
    /// ```
    pub fn source() -> Relation {
        Relation {
            kind: RelationKind::Source,
            source_coverage: 1.0,
            member_coverage: 1.0,
            ..Relation::default()
        }
    }

    /// The traits that hold, most telling first, joined by `", "` (`"spun, truncated"`); the kind's
    /// name when it is `source`, `verbatim` or `unaligned`.
    ///
    /// # Examples
    ///
    /// ```
    /// let r = wirecopy::relation::Relation { spun: true, truncated: true, ..Default::default() };
    /// assert_eq!(r.label(), "spun, truncated");
    /// ```
    pub fn label(&self) -> String {
        let traits: Vec<&str> = self.traits().collect();
        if traits.is_empty() {
            self.kind.name().to_string()
        } else {
            traits.join(", ")
        }
    }

    /// The names of the traits that hold: `spun`, `edited`, `truncated`, `wrapped`, in that order.
    ///
    /// # Examples
    ///
    /// ```
    /// let r = wirecopy::relation::Relation { wrapped: true, ..Default::default() };
    /// assert_eq!(r.traits().collect::<Vec<_>>(), ["wrapped"]);
    /// ```
    pub fn traits(&self) -> impl Iterator<Item = &'static str> {
        [
            (self.spun, "spun"),
            (self.edited, "edited"),
            (self.truncated, "truncated"),
            (self.wrapped, "wrapped"),
        ]
        .into_iter()
        .filter(|t| t.0)
        .map(|t| t.1)
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Why a member was chosen as the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum SourceBasis {
    /// It has the earliest date.
    Date,
    /// It contains the most of the other members' shared text.
    Containment,
}

/// How well a member explains the others as their source (see the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SourceScore {
    /// Share of the other members' shared text inside passages with this member, each token
    /// weighted by the number of members it is copied with.
    pub containment: f64,
    /// Share of the other members' passage tokens that are swapped words.
    pub swap_share: f64,
    /// Share of this member's tokens copied with fewer than half of the other members.
    pub own_text: f64,
}

/// One member of a cluster, as seen from the source.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MemberEvidence {
    /// Relation to the source ([`RelationKind::Source`] for the source).
    pub relation: Relation,
    /// Alignment of the source (first text) with this member (second); `None` for the source.
    pub alignment: Option<Alignment>,
    /// Source score, when this member was tried as the source.
    pub score: Option<SourceScore>,
}

/// The evidence for one cluster: its source and every member's relation to it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClusterEvidence {
    /// Index of the source in the members given to [`explain_cluster`].
    pub source: usize,
    /// Why it was chosen.
    pub basis: SourceBasis,
    /// Containment of the source minus that of the runner-up, 0 with a single candidate or when a
    /// tie-break decided; a small margin means the choice is uncertain.
    pub margin: f64,
    /// One entry per member, in the order given.
    pub members: Vec<MemberEvidence>,
}

/// Picks the likely source of a cluster and aligns every member with it.
///
/// `members` are the members' tokens ([`Tokens::new`]); `dates`, when not empty, one optional date
/// per member: the earliest dated member is the source (ISO 8601 dates compare as strings).
///
/// # Complexity
///
/// At most `min(m, MAX_CANDIDATES) * m` alignments for `m` members.
///
/// # Examples
///
/// ```
/// use wirecopy::align::{Aligner, Tokens};
/// use wirecopy::relation::{explain_cluster, RelationKind};
/// let story = "Port workers began a 48-hour strike on Monday, halting cargo traffic at the \
///              country's busiest harbour, the union said in a statement. Talks over pay \
///              broke down last week after the employers refused a new offer.";
/// let truncated = &story[..story.find(" Talks").unwrap_or(story.len())];
/// let wrapped = format!("Home | News | Sport | Weather\n{story}\nShare this article | More stories");
/// let texts = [wrapped.as_str(), truncated, story];
/// let members: Vec<Tokens> = texts.iter().map(|t| Tokens::new(t)).collect();
/// let ev = explain_cluster(&mut Aligner::new(), &members, &[]);
/// assert_eq!(ev.source, 2);
/// assert_eq!(ev.members[0].relation.kind, RelationKind::Wrapped);
/// assert_eq!(ev.members[1].relation.kind, RelationKind::Truncated);
/// assert_eq!(ev.members[2].relation.kind, RelationKind::Source);
/// ```
pub fn explain_cluster(
    aligner: &mut Aligner,
    members: &[Tokens],
    dates: &[Option<&str>],
) -> ClusterEvidence {
    let m = members.len();
    let dates_given = dates.len() == m && dates.iter().any(|d| d.is_some());
    // Candidates: the earliest-dated members, or the longest ones.
    let mut order: Vec<usize> = (0..m).collect();
    if dates_given {
        order.retain(|&i| dates[i].is_some());
        let earliest = order.iter().filter_map(|&i| dates[i]).min();
        order.retain(|&i| dates[i] == earliest);
    }
    order.sort_by(|&x, &y| members[y].len().cmp(&members[x].len()).then(x.cmp(&y)));
    order.truncate(MAX_CANDIDATES);
    order.sort_unstable();
    let candidates = order;

    // Alignments candidate -> every other member, and which tokens of each member are shared.
    let mut aligned: Vec<Vec<Option<Alignment>>> = Vec::with_capacity(candidates.len());
    // support[o][t]: how many other members token t of member o is copied with (counted over the
    // alignments made: every member against every candidate).
    let mut support: Vec<Vec<u32>> = members.iter().map(|t| vec![0; t.len()]).collect();
    for &c in &candidates {
        let row: Vec<Option<Alignment>> = (0..m)
            .map(|o| (o != c).then(|| aligner.align_tokens(&members[c], &members[o])))
            .collect();
        for (o, al) in row.iter().enumerate() {
            let Some(al) = al else { continue };
            // A candidate pair is aligned both ways: count its support once per side.
            let both_ways = candidates.binary_search(&o).is_ok();
            for p in &al.passages {
                support[o][p.tokens_b.clone()]
                    .iter_mut()
                    .for_each(|s| *s += 1);
                if !both_ways {
                    support[c][p.tokens_a.clone()]
                        .iter_mut()
                        .for_each(|s| *s += 1);
                }
            }
        }
        aligned.push(row);
    }
    let weight = |o: usize, r: std::ops::Range<usize>| -> u64 {
        support[o][r].iter().map(|&s| u64::from(s)).sum()
    };
    let scores: Vec<SourceScore> = candidates
        .iter()
        .zip(&aligned)
        .map(|(&c, row)| {
            let (mut inside, mut total, mut swapped, mut passage) = (0u64, 0u64, 0usize, 0usize);
            for (o, al) in row.iter().enumerate() {
                let Some(al) = al else { continue };
                total += weight(o, 0..members[o].len());
                for p in &al.passages {
                    inside += weight(o, p.tokens_b.clone());
                    passage += p.tokens_b.len();
                }
                swapped += al.swaps().map(|e| e.tokens_b.len()).sum::<usize>();
            }
            let own = support[c]
                .iter()
                .filter(|&&s| 2 * s as usize + 1 < m)
                .count();
            SourceScore {
                containment: if total == 0 {
                    0.0
                } else {
                    inside as f64 / total as f64
                },
                swap_share: ratio(swapped, passage),
                own_text: ratio(own, members[c].len()),
            }
        })
        .collect();
    // Best containment, ties broken by fewer swaps, less own text, earlier member.
    let mut best = 0;
    for k in 1..candidates.len() {
        let (s, b) = (&scores[k], &scores[best]);
        let better = if (s.containment - b.containment).abs() > SOURCE_TIE {
            s.containment > b.containment
        } else if (s.swap_share - b.swap_share).abs() > SOURCE_TIE / 2.0 {
            s.swap_share < b.swap_share
        } else {
            s.own_text < b.own_text
        };
        if better {
            best = k;
        }
    }
    let margin = scores
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != best)
        .map(|(_, s)| scores[best].containment - s.containment)
        .min_by(f64::total_cmp)
        .unwrap_or(0.0)
        .max(0.0);
    let source = candidates.get(best).copied().unwrap_or(0);
    let mut row = if aligned.is_empty() {
        Vec::new()
    } else {
        aligned.swap_remove(best)
    };
    row.resize(m, None);
    let members = row
        .into_iter()
        .enumerate()
        .map(|(i, al)| {
            let score = candidates.iter().position(|&c| c == i).map(|k| scores[k]);
            if i == source {
                return MemberEvidence {
                    relation: Relation::source(),
                    alignment: None,
                    score,
                };
            }
            let al = al.unwrap_or_else(|| aligner.align_tokens(&members[source], &members[i]));
            MemberEvidence {
                relation: Relation::between(&al),
                alignment: Some(al),
                score,
            }
        })
        .collect();
    ClusterEvidence {
        source,
        basis: if dates_given {
            SourceBasis::Date
        } else {
            SourceBasis::Containment
        },
        margin,
        members,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_decide() {
        let t = "one two three four five six seven eight nine ten eleven twelve";
        let members = vec![Tokens::new(t), Tokens::new(t)];
        let ev = explain_cluster(
            &mut Aligner::new(),
            &members,
            &[Some("2024-02-01"), Some("2024-01-31")],
        );
        assert_eq!(ev.source, 1);
        assert_eq!(ev.basis, SourceBasis::Date);
        assert_eq!(ev.members[0].relation.kind, RelationKind::Verbatim);
    }

    #[test]
    fn empty_and_single() {
        let ev = explain_cluster(&mut Aligner::new(), &[], &[]);
        assert!(ev.members.is_empty());
        let ev = explain_cluster(&mut Aligner::new(), &[Tokens::new("a b c")], &[]);
        assert_eq!(ev.members[0].relation.kind, RelationKind::Source);
    }
}
