//! Site templates on few pages: body lines that recur, word for word, at the foot, at the head or
//! between the paragraphs of a handful of pages that share nothing else.
//!
//! Shingle document frequency ([`boilerplate`](crate::boilerplate)) finds a template once it is on
//! [`Config::boilerplate_limit`](crate::Config::boilerplate_limit) pages or more. A site with three
//! pages in a collection is below that limit, and its footer paragraphs (often longer than what is
//! left of a truncated story) make its pages look like copies of each other. Whole lines tell such
//! a template apart from a story's own paragraphs, which the story's copies share as well. Lines are
//! compared by a hash of their tokens in which every token with a digit is the same (a copyright
//! year or a date that changes from page to page does not split a footer):
//!
//! * a *block* is the set of body lines held by one same set of documents, at least
//!   [`MIN_TEMPLATE_PAGES`] of them;
//! * it is a template when, in each of those documents, the block is followed only by lines all of
//!   them hold (its footer's tail, such as a copyright line a network of sites shares; a truncated
//!   copy and its source share their top, not their foot), when each has a line of its own, and
//!   when at least [`MIN_UNRELATED_SHARE`] of their pairs share no other line than the block and
//!   its tail (copies of one story share their other paragraphs too);
//! * or, with [`MIN_HEADER_LINES`] lines or more, when in each of those documents the block and
//!   lines all of them hold come before the first line of its own (a site's header above its
//!   stories), when *no* pair of them shares another line (a story cut after its second
//!   paragraph on three pages opens them alike too; one longer copy shares more with the source
//!   and keeps its lines out), and when no one's first line of its own opens, in its first
//!   four tokens, as a line (long or short) of another does
//!   (copies cut at different words inside the paragraph after the block);
//! * or, anywhere in the page (a box between a story's paragraphs, such as a newsletter sign-up),
//!   with [`MIN_HEADER_LINES`] lines or more, when *no* pair of them shares another line than the
//!   block and lines all of them hold, when no line of its own next to those opens as a line of
//!   another does, and when it is on [`MIN_INSIDE_PAGES`] documents or more or one of them shows
//!   it inserted (that page's own lines nearest above and below it follow each other in a
//!   document outside it: its story printed elsewhere without the box);
//! * but not when it is more than [`MAX_FOOTER_SHARE`] of the body of every one of them: that is a
//!   story printed alike on pages that add only a short line of their own.
//!
//! The detector drops the shingles mostly inside a template line from the documents that hold it,
//! before both stages of the build.

use crate::verify::intersection_len;

/// The fewest documents whose shared lines can be a template.
pub const MIN_TEMPLATE_PAGES: usize = 3;
/// A block that opens its documents (a header) is a template only with this many lines or more,
/// and only when no pair of its documents shares another line.
pub const MIN_HEADER_LINES: usize = 2;
/// A block of [`MIN_HEADER_LINES`] lines or more that is neither a footer nor a header (a box
/// between a story's paragraphs) is a template on this many documents or more when no pair of
/// them shares another line. On fewer, it is as often two paragraphs of a story that two other
/// pages quote (in dev, dropping those made one of the quoting pages join the source of its other
/// paragraphs), so one of its pages must also show it inserted into a text found elsewhere
/// without it: that page's own lines nearest above and below it follow each other in a document
/// outside it.
pub const MIN_INSIDE_PAGES: usize = 4;
/// The least share of a block's document pairs that must share no line outside the block and its
/// tail.
pub const MIN_UNRELATED_SHARE: f64 = 2.0 / 3.0;
/// A block that takes more than this share of the body tokens of every one of its documents is
/// a story printed alike on those pages (each with a short line of its own, such as a site's
/// navigation bar), not a footer.
pub const MAX_FOOTER_SHARE: f64 = 0.9;
/// The most document pairs of one block that are compared (evenly spread over all its pairs).
pub const SAMPLED_PAIRS: usize = 200;

/// The template lines among documents whose body lines (their hashes, in order) are `docs`, where
/// `ends[d][i]` is the body token at which line i of document d ends and `prefixes[d][i]` a hash
/// of its first tokens, and `short[d]` the same hashes of the document's lines too short for the
/// body: the lines of every block the rules above accept, sorted, without repeats.
///
/// # Complexity
///
/// Sorting every line once (and every line opening, once a header or a box first asks), plus at
/// most [`SAMPLED_PAIRS`] merges of two documents' shared lines per block that passes the footer,
/// header or box test of each of its documents; a box whose pairs all pass is then read line by
/// line in each of its documents.
pub(crate) fn template_lines(
    docs: &[&[u64]],
    ends: &[&[u32]],
    (prefixes, short): (&[&[u64]], &[&[u64]]),
) -> Vec<u64> {
    // (line, document), without repeats.
    let mut entries: Vec<(u64, u32)> = docs
        .iter()
        .enumerate()
        .flat_map(|(d, lines)| lines.iter().map(move |&h| (h, d as u32)))
        .collect();
    sort(&mut entries);
    entries.dedup();
    // (line opening, document), without repeats: made when a header candidate first asks.
    let by_prefix = std::sync::OnceLock::new();
    let by_prefix = || -> &Vec<(u64, u32)> {
        by_prefix.get_or_init(|| {
            let mut v: Vec<(u64, u32)> = prefixes
                .iter()
                .enumerate()
                .chain(short.iter().enumerate())
                .flat_map(|(d, p)| p.iter().map(move |&h| (h, d as u32)))
                .collect();
            sort(&mut v);
            v.dedup();
            v
        })
    };
    // Runs of one line: shared when in two documents or more; block candidates from
    // `MIN_TEMPLATE_PAGES` on.
    let mut shared: Vec<(u32, u64)> = Vec::new();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let h = entries[i].0;
        let mut j = i + 1;
        while j < entries.len() && entries[j].0 == h {
            j += 1;
        }
        if j - i >= 2 {
            shared.extend(entries[i..j].iter().map(|&(h, d)| (d, h)));
        }
        if j - i >= MIN_TEMPLATE_PAGES {
            runs.push((i, j));
        }
        i = j;
    }
    if runs.is_empty() {
        return Vec::new();
    }
    // Each document's shared lines, sorted (rows of one list).
    sort(&mut shared);
    let mut starts = vec![0usize; docs.len() + 1];
    for &(d, _) in &shared {
        starts[d as usize + 1] += 1;
    }
    for d in 0..docs.len() {
        starts[d + 1] += starts[d];
    }
    let shared: Vec<u64> = shared.into_iter().map(|(_, h)| h).collect();
    let shared_of = |d: u32| -> &[u64] {
        let d = d as usize;
        shared.get(starts[d]..starts[d + 1]).unwrap_or_default()
    };
    // Blocks: runs with one same list of documents.
    let docs_of = |r: &(usize, usize)| entries[r.0..r.1].iter().map(|e| e.1);
    runs.sort_by(|a, b| {
        docs_of(a)
            .cmp(docs_of(b))
            .then(entries[a.0].cmp(&entries[b.0]))
    });
    let mut blocks: Vec<&[(usize, usize)]> = Vec::new();
    let mut i = 0;
    while i < runs.len() {
        let mut j = i + 1;
        while j < runs.len() && docs_of(&runs[j]).eq(docs_of(&runs[i])) {
            j += 1;
        }
        blocks.push(&runs[i..j]);
        i = j;
    }
    let is_template = |block: &&[(usize, usize)]| -> bool {
        let lines: Vec<u64> = block.iter().map(|r| entries[r.0].0).collect();
        let members: Vec<u32> = docs_of(&block[0]).collect();
        let in_block = |h: u64| lines.binary_search(&h).is_ok();
        let m = members.len();
        // Lines every member holds (and maybe others): a footer's lines shared more widely, such
        // as a copyright line common to several sites. Answers are kept (few lines are asked).
        let mut known: Vec<(u64, bool)> = Vec::new();
        let mut held_by_all = |h: u64| -> bool {
            let holders = holders_of(&entries, h);
            if holders.len() < m {
                return false;
            }
            if let Some(&(_, k)) = known.iter().find(|e| e.0 == h) {
                return k;
            }
            let k = members
                .iter()
                .all(|d| holders.binary_search_by(|e| e.1.cmp(d)).is_ok());
            known.push((h, k));
            k
        };
        // In every document: a line of its own (neither the block's nor one all members hold),
        // and either, for a footer, after the block's last line only lines all members hold (its
        // tail), or, for a header, before the first line of its own only the block and such
        // lines (its head), or, for a box anywhere in the page, no line of its own beside it
        // opening as a line of another member does (checked last, on the few blocks whose pairs
        // all pass).
        let mut tail: Vec<u64> = Vec::new();
        let mut head: Vec<u64> = Vec::new();
        let (mut footer, mut header) = (true, lines.len() >= MIN_HEADER_LINES);
        // Whether line `at` of document `d` opens as a line of another member does (a story's
        // next paragraph, which copies cut at different words end with).
        let opens_alike = |d: u32, at: usize| -> bool {
            let p = prefixes.get(d as usize).and_then(|p| p.get(at)).copied();
            p.is_some_and(|p| {
                holders_of(by_prefix(), p)
                    .iter()
                    .any(|e| e.1 != d && members.binary_search(&e.1).is_ok())
            })
        };
        for &d in &members {
            let doc = docs[d as usize];
            let Some(last) = doc.iter().rposition(|&h| in_block(h)) else {
                return false;
            };
            if footer {
                for &h in &doc[last + 1..] {
                    if !held_by_all(h) {
                        footer = false;
                        break;
                    }
                    tail.push(h);
                }
            }
            if header {
                // Up to the first line of its own: the block and lines all members hold; that line
                // must not open as a line of another member does.
                match doc.iter().position(|&h| !in_block(h) && !held_by_all(h)) {
                    Some(own) if own > last => {
                        head.extend(doc[..own].iter().copied().filter(|&h| !in_block(h)));
                        header = !opens_alike(d, own);
                    }
                    _ => header = false,
                }
            }
            if !footer && !header {
                break;
            }
            if !doc.iter().any(|&h| !in_block(h) && !held_by_all(h)) {
                return false;
            }
        }
        let as_box = !footer && !header;
        if as_box {
            if lines.len() < MIN_HEADER_LINES {
                return false;
            }
            // The lines all members hold besides the block: each member has them all.
            tail = docs[members[0] as usize]
                .iter()
                .copied()
                .filter(|&h| !in_block(h) && held_by_all(h))
                .collect();
        } else if !footer {
            tail = head;
        }
        // Not a story that is nearly all of every page.
        let story = members.iter().all(|&d| {
            let (doc, ends) = (
                docs[d as usize],
                ends.get(d as usize).copied().unwrap_or(&[]),
            );
            let (mut inside, mut prev) = (0, 0);
            for (&h, &end) in doc.iter().zip(ends) {
                if in_block(h) {
                    inside += end.saturating_sub(prev);
                }
                prev = end;
            }
            f64::from(inside) > MAX_FOOTER_SHARE * f64::from(prev)
        });
        if story {
            return false;
        }
        tail.sort_unstable();
        tail.dedup();
        // Pairs that share nothing but the block and its tail (all of those are in both).
        let expected = lines.len() + tail.len();
        let total = m * (m - 1) / 2;
        let k = total.min(SAMPLED_PAIRS);
        let share = if footer { MIN_UNRELATED_SHARE } else { 1.0 };
        let needed = (share * k as f64).ceil() as usize;
        let (mut unrelated, mut related) = (0, 0);
        for s in 0..k {
            let (x, y) = nth_pair(m, s * total / k);
            if intersection_len(shared_of(members[x]), shared_of(members[y])) == expected {
                unrelated += 1;
            } else {
                related += 1;
            }
            if unrelated >= needed || related > k - needed {
                break;
            }
        }
        if unrelated < needed {
            return false;
        }
        if !as_box {
            return true;
        }
        // A box: every member has a line of its own, and none beside the block (or beside lines
        // all members hold) opens as a line of another member does. On fewer than
        // `MIN_INSIDE_PAGES` pages, one of them must also show the box inserted into a text found
        // elsewhere without it: its own lines nearest above and below the block follow each other
        // in a document outside the block's.
        let mut inserted = m >= MIN_INSIDE_PAGES;
        members.iter().all(|&d| {
            let doc = docs[d as usize];
            let own: Vec<bool> = doc
                .iter()
                .map(|&h| !in_block(h) && !held_by_all(h))
                .collect();
            let beside = |i: usize| (i > 0 && !own[i - 1]) || own.get(i + 1) == Some(&false);
            if !inserted {
                // Its own lines nearest above and below the block.
                let first = doc.iter().position(|&h| in_block(h)).unwrap_or(0);
                let last = doc.iter().rposition(|&h| in_block(h)).unwrap_or(0);
                let above = own[..first].iter().rposition(|&o| o);
                let below = own[last..].iter().position(|&o| o).map(|i| last + i);
                if let (Some(a), Some(b)) = (above, below) {
                    let (a, b) = (doc[a], doc[b]);
                    inserted = holders_of(&entries, a).iter().any(|e| {
                        members.binary_search(&e.1).is_err()
                            && docs[e.1 as usize].windows(2).any(|w| w == [a, b])
                    });
                }
            }
            own.contains(&true)
                && (0..doc.len()).all(|i| !own[i] || !beside(i) || !opens_alike(d, i))
        }) && inserted
    };
    #[cfg(feature = "parallel")]
    let accepted: Vec<bool> = {
        use rayon::prelude::*;
        blocks.par_iter().map(is_template).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let accepted: Vec<bool> = blocks.iter().map(is_template).collect();
    let mut out: Vec<u64> = blocks
        .iter()
        .zip(accepted)
        .filter(|(_, t)| *t)
        .flat_map(|(b, _)| b.iter().map(|r| entries[r.0].0))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The entries of sorted (hash, document) `entries` whose hash is `h`.
fn holders_of(entries: &[(u64, u32)], h: u64) -> &[(u64, u32)] {
    let from = entries.partition_point(|e| e.0 < h);
    let to = entries.partition_point(|e| e.0 <= h);
    &entries[from..to]
}

/// Sorts `v` (side by side with the `parallel` feature).
fn sort<T: Ord + Send>(v: &mut [T]) {
    #[cfg(feature = "parallel")]
    {
        use rayon::slice::ParallelSliceMut;
        v.par_sort_unstable();
    }
    #[cfg(not(feature = "parallel"))]
    v.sort_unstable();
}

/// The `p`-th pair (x, y), x < y, of `m` items, in the order (0, 1), (0, 2), .., (1, 2), ..
fn nth_pair(m: usize, p: usize) -> (usize, usize) {
    // Pairs before row x: x * (2m - x - 1) / 2.
    let before = |x: usize| x * (2 * m - x - 1) / 2;
    let (mut lo, mut hi) = (0, m.saturating_sub(1));
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if before(mid) <= p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo, lo + 1 + (p - before(lo)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::fmix64;
    use std::collections::{BTreeMap, BTreeSet};

    /// The tokens of the test line `h`: 10 to 39.
    fn tokens(h: u64) -> u32 {
        10 + (fmix64(h) % 30) as u32
    }

    /// [`template_lines`] on test lines of [`tokens`] tokens each; lines from [`SHORT`] on are
    /// lines too short for the body, opening as line `h - SHORT` does.
    fn run(docs: &[Vec<u64>]) -> Vec<u64> {
        let body: Vec<Vec<u64>> = docs.iter().map(|d| body_of(d)).collect();
        let ends: Vec<Vec<u32>> = body
            .iter()
            .map(|d| {
                d.iter()
                    .scan(0, |end, &h| {
                        *end += tokens(h);
                        Some(*end)
                    })
                    .collect()
            })
            .collect();
        let prefixes: Vec<Vec<u64>> = body
            .iter()
            .map(|d| d.iter().map(|&h| prefix(h)).collect())
            .collect();
        let short: Vec<Vec<u64>> = docs
            .iter()
            .map(|d| {
                d.iter()
                    .filter_map(|&h| h.checked_sub(SHORT))
                    .map(prefix)
                    .collect()
            })
            .collect();
        let refs: Vec<&[u64]> = body.iter().map(Vec::as_slice).collect();
        let ends: Vec<&[u32]> = ends.iter().map(Vec::as_slice).collect();
        let prefixes: Vec<&[u64]> = prefixes.iter().map(Vec::as_slice).collect();
        let short: Vec<&[u64]> = short.iter().map(Vec::as_slice).collect();
        template_lines(&refs, &ends, (&prefixes, &short))
    }

    /// The body lines of a test document (without its short lines).
    fn body_of(doc: &[u64]) -> Vec<u64> {
        doc.iter().copied().filter(|&h| h < SHORT).collect()
    }

    /// See [`run`].
    const SHORT: u64 = 90_000_000;

    /// The prefix hash of test line `h`: lines from `CUT` on are line `(h - CUT) / 10` cut short
    /// (they open as that line does); other lines open as themselves.
    fn prefix(h: u64) -> u64 {
        h.checked_sub(CUT).map_or(h, |c| c / 10)
    }

    /// See [`prefix`].
    const CUT: u64 = 50_000_000;

    /// The rules read literally: sets and maps, every pair of a block (or the same evenly spread
    /// sample of a large one).
    fn naive(all: &[Vec<u64>]) -> Vec<u64> {
        let docs: Vec<Vec<u64>> = all.iter().map(|d| body_of(d)).collect();
        // Every line's opening: body lines' and short lines'.
        let opens = |d: usize| -> BTreeSet<u64> {
            let short = all[d].iter().filter_map(|&h| h.checked_sub(SHORT));
            docs[d].iter().copied().chain(short).map(prefix).collect()
        };
        let mut holders: BTreeMap<u64, BTreeSet<usize>> = BTreeMap::new();
        for (d, lines) in docs.iter().enumerate() {
            for &h in lines {
                holders.entry(h).or_default().insert(d);
            }
        }
        let shared_of = |d: usize| -> BTreeSet<u64> {
            let mine: BTreeSet<u64> = docs[d].iter().copied().collect();
            mine.into_iter().filter(|h| holders[h].len() >= 2).collect()
        };
        let mut blocks: BTreeMap<Vec<usize>, BTreeSet<u64>> = BTreeMap::new();
        for (&h, ds) in &holders {
            if ds.len() >= MIN_TEMPLATE_PAGES {
                blocks
                    .entry(ds.iter().copied().collect())
                    .or_default()
                    .insert(h);
            }
        }
        let mut out = BTreeSet::new();
        for (members, lines) in &blocks {
            let held_by_all = |h: &u64| members.iter().all(|d| holders[h].contains(d));
            let own = |h: &u64| !lines.contains(h) && !held_by_all(h);
            let (mut tail, mut head) = (BTreeSet::new(), BTreeSet::new());
            let footer = members.iter().all(|&d| {
                let Some(last) = docs[d].iter().rposition(|h| lines.contains(h)) else {
                    return false;
                };
                tail.extend(docs[d][last + 1..].iter().copied());
                docs[d][last + 1..].iter().all(held_by_all) && docs[d].iter().any(own)
            });
            let header = lines.len() >= MIN_HEADER_LINES
                && members.iter().all(|&d| {
                    let last = docs[d].iter().rposition(|h| lines.contains(h)).unwrap();
                    let Some(first_own) = docs[d].iter().position(own) else {
                        return false;
                    };
                    head.extend(docs[d][..first_own].iter().filter(|h| !lines.contains(h)));
                    let p = prefix(docs[d][first_own]);
                    let opens_alike = members.iter().any(|&o| o != d && opens(o).contains(&p));
                    first_own > last && !opens_alike
                });
            let mut inner = BTreeSet::new();
            // On fewer than `MIN_INSIDE_PAGES` pages: the lines just above and below the block in
            // some member follow each other in a document outside it.
            let inserted = members.len() >= MIN_INSIDE_PAGES
                || members.iter().any(|&d| {
                    let doc = &docs[d];
                    let first = doc.iter().position(|h| lines.contains(h)).unwrap();
                    let last = doc.iter().rposition(|h| lines.contains(h)).unwrap();
                    let above = doc[..first].iter().rev().find(|h| own(h));
                    let below = doc[last..].iter().find(|h| own(h));
                    let (Some(&above), Some(&below)) = (above, below) else {
                        return false;
                    };
                    (0..docs.len()).any(|o| {
                        !members.contains(&o) && docs[o].windows(2).any(|w| w == [above, below])
                    })
                });
            let inside = lines.len() >= MIN_HEADER_LINES
                && inserted
                && members.iter().all(|&d| {
                    let doc = &docs[d];
                    inner.extend(doc.iter().filter(|&h| !lines.contains(h) && held_by_all(h)));
                    let alike = |i: usize| {
                        let p = prefix(doc[i]);
                        members.iter().any(|&o| o != d && opens(o).contains(&p))
                    };
                    let next_to_shared = |i: usize| {
                        let shared = |j: usize| doc.get(j).is_some_and(|h| !own(h));
                        (i > 0 && shared(i - 1)) || shared(i + 1)
                    };
                    doc.iter().any(own)
                        && (0..doc.len()).all(|i| !own(&doc[i]) || !next_to_shared(i) || !alike(i))
                });
            if !footer && !header && !inside {
                continue;
            }
            let (tail, needed) = if footer {
                (tail, MIN_UNRELATED_SHARE)
            } else if header {
                (head, 1.0)
            } else {
                (inner, 1.0)
            };
            let share = |d: usize| {
                let inside: u32 = docs[d]
                    .iter()
                    .filter(|h| lines.contains(h))
                    .map(|&h| tokens(h))
                    .sum();
                let all: u32 = docs[d].iter().map(|&h| tokens(h)).sum();
                f64::from(inside) / f64::from(all)
            };
            if members.iter().all(|&d| share(d) > MAX_FOOTER_SHARE) {
                continue;
            }
            let mut pairs = Vec::new();
            for (i, &x) in members.iter().enumerate() {
                for &y in &members[i + 1..] {
                    pairs.push((x, y));
                }
            }
            let k = pairs.len().min(SAMPLED_PAIRS);
            let unrelated = (0..k)
                .map(|s| pairs[s * pairs.len() / k])
                .filter(|&(x, y)| {
                    let both = shared_of(x).intersection(&shared_of(y)).count();
                    both == lines.len() + tail.len()
                })
                .count();
            if unrelated as f64 >= needed * k as f64 {
                out.extend(lines.iter().copied());
            }
        }
        out.into_iter().collect()
    }

    /// Pages of sites (one footer of 1-3 lines each, on 1-30 pages, often ending with a line of
    /// the site's network, sometimes followed by a line of the page's own; a third of the sites
    /// print those lines above the story instead, a few between its lines), carrying leads of
    /// stories that other pages print in full or cut (some pages end with the story's next line
    /// cut short), and pages that quote two lines of a story among lines of their own.
    fn corpus(seed: u64) -> Vec<Vec<u64>> {
        let mut state = seed;
        let mut next = move |n: u64| {
            state = fmix64(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
            state % n
        };
        let stories: Vec<Vec<u64>> = (0..12u64)
            .map(|s| (0..2 + next(6)).map(|l| 1_000 + s * 100 + l).collect())
            .collect();
        let mut docs = Vec::new();
        let mut own = 1_000_000;
        for site in 0..8u64 {
            let mut footer: Vec<u64> = (0..1 + next(3)).map(|l| 500 + site * 10 + l).collect();
            // Some sites share a last line (their network's copyright, say) with other sites.
            let network = next(3);
            if network > 0 {
                footer.push(900 + network);
            }
            // A third of the sites print their template lines above the story (a header), a
            // few between its lines.
            let header = next(3) == 0;
            let inside = !header && next(3) == 0;
            for _ in 0..1 + next(30) {
                let story = &stories[next(stories.len() as u64) as usize];
                let keep = 1 + next(story.len() as u64) as usize;
                // Some pages end their part of the story with its next line cut short.
                let cut = match story.get(keep) {
                    Some(&next_line) if next(3) == 0 => {
                        // Cut after a few words, it is too short for the body.
                        let short = if next(2) == 0 { SHORT } else { 0 };
                        Some(short + CUT + next_line * 10 + next(10))
                    }
                    _ => None,
                };
                if header || inside {
                    // A header is a box above the story's first line.
                    let at = if header {
                        0
                    } else {
                        next(keep as u64 + 1) as usize
                    };
                    let mut page: Vec<u64> = story[..at].to_vec();
                    page.extend(&footer);
                    page.extend(&story[at..keep]);
                    page.extend(cut);
                    if next(2) == 0 {
                        page.push(own);
                        own += 1;
                    }
                    docs.push(page);
                    continue;
                }
                let mut page: Vec<u64> = story[..keep].to_vec();
                page.extend(cut);
                if next(4) == 0 {
                    page.push(own);
                    own += 1;
                }
                page.extend(&footer);
                if next(6) == 0 {
                    page.push(own);
                    own += 1;
                }
                docs.push(page);
            }
        }
        for story in &stories {
            docs.push(story.clone());
            // Pages that quote two of its lines among lines of their own.
            if story.len() > 3 && next(2) == 0 {
                for _ in 0..2 + next(4) {
                    docs.push(vec![own, story[1], story[2], own + 1]);
                    own += 2;
                }
            }
        }
        docs
    }

    #[test]
    fn template_lines_follow_the_rules() {
        let mut found = 0;
        for seed in 0..40 {
            let docs = corpus(seed);
            let got = run(&docs);
            assert_eq!(got, naive(&docs), "seed {seed}");
            found += got.len();
        }
        // The corpora hold templates of every kind the rules accept, and lines they reject.
        assert!(found > 40, "{found}");
    }

    #[test]
    fn a_story_and_its_copies_are_no_template() {
        // Five copies of a story, each ending with it and each with a line of its own before it.
        let docs: Vec<Vec<u64>> = (0..5).map(|d| vec![100 + d, 1, 2, 3]).collect();
        // Every pair shares only the block {1, 2, 3}: a template by the rules...
        assert_eq!(run(&docs), vec![1, 2, 3]);
        // ...unless some copies are cut: then pairs share lines outside the last block;
        let mut cut = docs.clone();
        cut.push(vec![1, 2]);
        cut.push(vec![1, 2]);
        assert!(run(&cut).is_empty());
        // ...or the story is nearly all of every page (its own lines are short).
        let long: Vec<Vec<u64>> = (0..5)
            .map(|d| std::iter::once(100 + d).chain(1..=20).collect())
            .collect();
        assert!(run(&long).is_empty());
    }

    #[test]
    fn a_header_on_unrelated_pages_is_a_template() {
        // Three pages of one site open with its two header lines, then stories of their own.
        let docs = vec![vec![1, 2, 10, 11], vec![1, 2, 20, 21, 22], vec![1, 2, 30]];
        assert_eq!(run(&docs), vec![1, 2]);
        // Also when a line its network's other sites print too follows the header.
        let mut network: Vec<Vec<u64>> = docs
            .iter()
            .map(|d| [&d[..2], &[7], &d[2..]].concat())
            .collect();
        network.push(vec![7, 40]);
        network.push(vec![7, 50]);
        assert_eq!(run(&network), vec![1, 2]);
        // One line is too little: a story's lead opens its cut copies as well.
        let one: Vec<Vec<u64>> = docs.iter().map(|d| d[1..].to_vec()).collect();
        assert!(run(&one).is_empty());
        // Every pair must share nothing else (a footer needs two thirds of them).
        let mut related = docs.clone();
        related[2].push(10);
        assert!(run(&related).is_empty());
        // Each page must go on with a line of its own.
        let mut bare = docs.clone();
        bare[2] = vec![1, 2];
        assert!(run(&bare).is_empty());
    }

    #[test]
    fn a_story_cut_alike_twice_with_no_other_copy_looks_like_a_header() {
        // The risk, pinned: a source and two copies cut after its second paragraph, each followed
        // by its own site's footer, with no other copy, open alike and share nothing else.
        let docs = vec![vec![1, 2, 3, 4, 5], vec![1, 2, 100], vec![1, 2, 200]];
        assert_eq!(run(&docs), vec![1, 2]);
        // One longer copy shares a third paragraph with the source: no longer a header.
        let mut more = docs.clone();
        more.push(vec![1, 2, 3, 300]);
        assert!(run(&more).is_empty());
        // Nor when the copies end with the third paragraph cut short, at different words.
        let (a, b) = (CUT + 30, CUT + 31);
        let cut = vec![vec![1, 2, 3, 4, 5], vec![1, 2, a, 100], vec![1, 2, b, 200]];
        assert!(run(&cut).is_empty());
        // Nor when they are cut a few words in, which makes a line too short for the body.
        let (a, b) = (SHORT + a, SHORT + b);
        let short = vec![vec![1, 2, 3, 4, 5], vec![1, 2, a, 100], vec![1, 2, b, 200]];
        assert!(run(&short).is_empty());
    }

    #[test]
    fn a_box_inside_unrelated_pages_is_a_template() {
        // Four pages of one site print its two-line box between lines of their own stories (one
        // right at the top of its story, which is a header's place).
        let docs = vec![
            vec![10, 1, 2, 11],
            vec![20, 21, 1, 2, 22],
            vec![30, 1, 2, 31, 32],
            vec![1, 2, 40],
        ];
        assert_eq!(run(&docs), vec![1, 2]);
        // On three pages, it may as well be a story's lines that two other pages quote...
        assert!(run(&docs[..3]).is_empty());
        // ...unless a page outside shows it inserted: the lines above and below it on one of
        // them follow each other there (that page's story, printed elsewhere without the box).
        let mut three = docs[..3].to_vec();
        three.push(vec![10, 11, 12]);
        assert_eq!(run(&three), vec![1, 2]);
        // Not so for a story's two lines that two pages quote: the source's lines around them
        // are not next to each other anywhere.
        let quoted = vec![vec![50, 1, 2, 51], vec![10, 1, 2, 11], vec![20, 1, 2, 21]];
        assert!(run(&quoted).is_empty());
        // Every pair must share nothing else.
        let mut related = docs.clone();
        related[3].push(10);
        assert!(run(&related).is_empty());
        // No page's line next to the box may open as a line of another does (copies of one
        // story cut at different words).
        let mut cut = docs.clone();
        cut[1][2] = CUT + 110;
        assert!(run(&cut).is_empty());
        // Also when it ends one of the pages (the others go on after it: no footer).
        let mut last = docs.clone();
        last[0].pop();
        assert_eq!(run(&last), vec![1, 2]);
    }

    #[test]
    fn a_story_printed_alike_inside_four_pages_with_no_other_copy_looks_like_a_box() {
        // The risk, pinned: one story's lines, each page with an intro and an ending of its own,
        // on four pages and nowhere else, share nothing else; so does a site's box.
        let docs: Vec<Vec<u64>> = (0..4).map(|p| vec![100 + p, 1, 2, 3, 200 + p]).collect();
        assert_eq!(run(&docs), vec![1, 2, 3]);
        // With its source (nothing of its own) in the collection, it is a story.
        let mut source = docs.clone();
        source.push(vec![1, 2, 3]);
        assert!(run(&source).is_empty());
        // So it is when two of its pages print a line more of it.
        let mut longer = docs.clone();
        longer.push(vec![300, 1, 2, 3, 4, 301]);
        longer.push(vec![302, 1, 2, 3, 4, 303]);
        assert!(run(&longer).is_empty());
    }

    #[test]
    fn pairs_are_numbered_row_by_row() {
        for m in 2..9 {
            let mut want = Vec::new();
            for x in 0..m {
                for y in x + 1..m {
                    want.push((x, y));
                }
            }
            let got: Vec<_> = (0..want.len()).map(|p| nth_pair(m, p)).collect();
            assert_eq!(got, want, "m = {m}");
        }
    }
}
