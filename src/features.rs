//! Document features: the shingles a [`Detector`](crate::Detector) compares, with the token spans
//! they cover, and the coverage score that verifies a pair.
//!
//! A text becomes two shingle sets over its *body* tokens:
//!
//! * word n-grams (default 3), and
//! * skeleton n-grams (default 6): function words and numbers kept, each run of other words
//!   collapsed into one placeholder (see [`shingle`](crate::shingle)), which survives synonym
//!   spinning.
//!
//! The *body* drops short lines (fewer than [`MIN_LINE_TOKENS`] tokens: headlines, navigation bars,
//! bylines, link lists, captions) unless that leaves fewer than [`MIN_BODY_TOKENS`] tokens and less
//! than half of the text's tokens, or less than an eighth of them, in which case every line is kept
//! (a short note; a text of short lines, such as one wrapped by OCR). A short copy whose long lines
//! are most of it (a headline and the first paragraph) keeps only those, as its longer source does:
//! its headline then counts against neither. A text hard-wrapped at a fixed width of 30-120
//! characters (plain-text mail, terminals, OCR'd columns) first has its paragraphs' lines joined
//! back (a word hyphenated at a line break made whole), so that it gets the same body,
//! quotations and lines as the same text with a line per paragraph; so does a text set a sentence
//! to a line, and a text of one long line (its line breaks lost) is read a sentence to a line. A long line that reads as a block of page
//! furniture run together (a navigation bar, a byline, a related-stories list set as one block in
//! print and re-flowed by OCR or a text extractor: no sentence end, no list commas, a blank line
//! after it) is left out like a short line. The text read is the same length as the
//! text ([`Reading`]).
//!
//! Every shingle remembers the token range it covers, so a pair is verified by **coverage**: the
//! share of the smaller text's tokens (those under any of its shingles) that lie under a shingle the
//! other text also has. Spinning breaks word n-grams here and there, but nearly every token stays
//! covered by some shared word or skeleton shingle; a page that borrows one paragraph of a story
//! leaves most of its tokens uncovered. Tokens inside quotation marks weigh [`QUOTE_WEIGHT`] in that
//! share: independent reports of one event quote the same statement word for word, while a copy
//! also shares the reporter's own sentences. A long unmatched stretch (over [`GAP_ALLOWANCE`]
//! tokens) costs extra: a page that borrows a paragraph or two has whole paragraphs from elsewhere.

use crate::normalize::{alnum_byte, block_at, is_alnum, pack_bits, Tokenizer};
use crate::shingle::{
    fmix64, ngrams_to, ranked_set_into, token_hash, RankScratch, ShingleKind, Skeleton,
    SkeletonSpan,
};
use crate::verify::Scores;
use std::sync::Arc;

/// Lines with fewer tokens than this are left out of the body.
pub const MIN_LINE_TOKENS: usize = 10;
/// If the body has fewer tokens than this, and fewer than half of the text's tokens, every line is
/// kept; so it is when the body has fewer than an eighth of the text's tokens, whatever their
/// number (a text wrapped at 35–60 columns, by OCR or a fixed width, has a few lines of ten
/// tokens or more by chance: as a body they would leave out most of the text).
///
/// The half keeps a short copy's body like its source's. A truncated copy of a headline and a
/// first paragraph of 18 words has a 22-token text, and its source drops the headline as a short
/// line; with every line kept, the copy's headline was under shingles its source does not have
/// (coverage 0.82), while a page printing the paragraph after other text could match those
/// shingles by chance, so the copy joined that page instead (dev: one truncated copy; the probes:
/// truncated copies joining pages that quote their first paragraph). Texts made of short lines
/// (OCR-wrapped, lists) still keep every line.
pub const MIN_BODY_TOKENS: usize = 30;
pub use crate::shingle::MAX_PLACEHOLDER_RUN;
/// The weight of a token inside quotation marks in [`Coverage::share`] (other tokens weigh 1).
///
/// Independent reports of one event quote the same statement word for word; a copy shares the
/// reporter's own sentences too. Quoted tokens still count, so a copy of a story that is mostly
/// quotation is still found.
pub const QUOTE_WEIGHT: f64 = 0.25;
/// The longest stretch of the smaller text, in tokens, that may go unmatched without cost.
///
/// A longer stretch with no shingle in common is a passage the other text does not have: a
/// paragraph of another story on a page that borrows one paragraph, or an explainer's own section
/// after a copied lead. Each token of the longest such stretch beyond this allowance counts once
/// more against [`Coverage::share`]. Copies lose a word here and there to spinning and editing, and
/// wire copies cut at different points; those gaps stay short or sit at one end of a text that is
/// matched elsewhere.
pub const GAP_ALLOWANCE: usize = 40;

/// The shingle sets of one text, with the token range of every shingle.
///
/// # Examples
///
/// ```
/// use wirecopy::{Config, FeatureExtractor};
/// let f = FeatureExtractor::new(&Config::new()).extract("one two three four five");
/// assert_eq!(f.words().len(), 3); // word 3-grams
/// assert_eq!(f.body_tokens(), 5);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// The sets, spans, ranks and quotation bits are shared with the boilerplate-filtered copy of
    /// these features, which marks what it drops in `dropped` instead of copying what it keeps.
    words: Arc<Vec<u64>>,
    skeleton: Arc<Vec<u64>>,
    /// Body tokens, in order, as the top 32 bits of their hashes: alignment compares them for
    /// equality only, and half the width is a tenth of a large collection's memory. The word
    /// n-gram at position i covers tokens i..i+word_n, so no span is stored for it; `word_rank`
    /// says which it is. Shared with the boilerplate-filtered copy of these features.
    body: Arc<Vec<u32>>,
    word_n: u32,
    word_seed: u64,
    /// True when `words` lost boilerplate: a word n-gram of `body` then counts only if it is not
    /// dropped.
    filtered: bool,
    /// What boilerplate removal took from `words` and `skeleton` (`None`: nothing).
    dropped: Option<Arc<Dropped>>,
    skeleton_spans: Arc<Vec<SkeletonSpan>>,
    /// For the word n-gram at each body position, its index in `words`: where each shingle lies,
    /// so that scoring a pair tests bits instead of rolling and looking up hashes again.
    word_rank: Arc<Ranks>,
    /// For each skeleton span, its index in `skeleton`.
    span_rank: Arc<Ranks>,
    /// Bit i set when body token i is inside quotation marks.
    quoted: Arc<Vec<u64>>,
    tokens: u32,
    /// Bit i set when body token i is covered (see `covered_bits`), worked out on first use.
    covered: Cache<Vec<u64>>,
    /// The body's lines (empty when the body is every line of a short text).
    lines: Arc<BodyLines>,
}

/// Shingles to drop from one text's sets, a bit for each element (see
/// [`Features::line_marks`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Marks {
    words: Vec<u64>,
    skeleton: Vec<u64>,
}

/// The lines a body is made of (see [`Features`]): a hash of each line's tokens, a hash of its
/// first [`LINE_PREFIX_TOKENS`] tokens, and where each ends in the body (the next starts there).
/// Template detection compares whole lines across documents, and prefixes to tell a line cut short
/// from its source's (see [`template`](crate::template)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct BodyLines {
    hashes: Vec<u64>,
    prefixes: Vec<u64>,
    ends: Vec<u32>,
    /// The prefix hashes of the lines too short for the body, from [`LINE_PREFIX_TOKENS`] tokens
    /// on (a paragraph cut short a few words in is one).
    short_prefixes: Vec<u64>,
}

/// The tokens a line's prefix hash covers (see [`BodyLines`]); fewer than a body line has.
pub(crate) const LINE_PREFIX_TOKENS: usize = 4;

impl BodyLines {
    fn clear(&mut self) {
        self.hashes.clear();
        self.prefixes.clear();
        self.ends.clear();
        self.short_prefixes.clear();
    }
}

/// The elements of a document's sets that boilerplate removal took (see [`Features::without`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Dropped {
    /// Bit i set when element i of `words` is dropped.
    words: Vec<u64>,
    /// Bit i set when element i of `skeleton` is dropped.
    skeleton: Vec<u64>,
    /// Elements of `words` and of `skeleton` that are kept.
    kept_words: usize,
    kept_skeleton: usize,
    /// The kept sets, made on first use by [`Features::words`] and [`Features::skeleton`].
    kept: Cache<(Vec<u64>, Vec<u64>)>,
}

/// A value computed on first use: a cache that never makes two [`Features`] unequal.
#[derive(Debug, Clone)]
struct Cache<T>(std::sync::OnceLock<T>);

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Cache(std::sync::OnceLock::new())
    }
}

impl<T> PartialEq for Cache<T> {
    fn eq(&self, _: &Cache<T>) -> bool {
        true
    }
}

impl<T> Eq for Cache<T> {}

/// A rank that names no element (a narrow rank of `u16::MAX`, which a set small enough for narrow
/// ranks never reaches).
const NOT_KEPT: u32 = u32::MAX;

/// The ranks of a text's shingle occurrences in one of its sets (see `Features::word_rank`): 16
/// bits each while the set is smaller than `u16::MAX` (nearly always), else 32.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ranks {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Default for Ranks {
    fn default() -> Ranks {
        Ranks::Narrow(Vec::new())
    }
}

/// A narrow rank as a rank (`u16::MAX` is `NOT_KEPT`).
#[inline]
fn widen(r: u16) -> u32 {
    if r == u16::MAX {
        NOT_KEPT
    } else {
        u32::from(r)
    }
}

impl Ranks {
    /// Makes these the `ranks` of occurrences in a set of `set_len` elements (each rank below
    /// `set_len`, or `NOT_KEPT`), reusing the buffer when the width stays.
    fn assign(&mut self, ranks: impl IntoIterator<Item = u32>, set_len: usize) {
        let ranks = ranks.into_iter();
        *self = if set_len < usize::from(u16::MAX) {
            let mut v = match std::mem::take(self) {
                Ranks::Narrow(v) => v,
                Ranks::Wide(_) => Vec::new(),
            };
            v.clear();
            v.extend(ranks.map(|r| u16::try_from(r).unwrap_or(u16::MAX)));
            Ranks::Narrow(v)
        } else {
            let mut v = match std::mem::take(self) {
                Ranks::Wide(v) => v,
                Ranks::Narrow(_) => Vec::new(),
            };
            v.clear();
            v.extend(ranks);
            Ranks::Wide(v)
        };
    }

    /// [`Ranks::assign`] into new ranks.
    #[cfg(test)]
    fn of(ranks: impl IntoIterator<Item = u32>, set_len: usize) -> Ranks {
        let mut r = Ranks::default();
        r.assign(ranks, set_len);
        r
    }

    fn len(&self) -> usize {
        match self {
            Ranks::Narrow(v) => v.len(),
            Ranks::Wide(v) => v.len(),
        }
    }

    /// Calls `f(i, rank)` for every occurrence i, in order.
    #[inline]
    fn each(&self, mut f: impl FnMut(usize, u32)) {
        match self {
            Ranks::Narrow(v) => v.iter().enumerate().for_each(|(i, &r)| f(i, widen(r))),
            Ranks::Wide(v) => v.iter().enumerate().for_each(|(i, &r)| f(i, r)),
        }
    }

    /// Sets bit i of `out` when occurrence i's rank is a set bit of `bits` (a rank past `bits`,
    /// `NOT_KEPT` among them, is not); 64 occurrences to a word of `out`, without branches.
    fn bits_into(&self, bits: &[u64], out: &mut [u64]) {
        let of = |r: usize| bits.get(r / 64).map_or(0, |w| w >> (r % 64) & 1);
        match self {
            Ranks::Narrow(v) => {
                for (word, chunk) in out.iter_mut().zip(v.chunks(64)) {
                    for (k, &r) in chunk.iter().enumerate() {
                        *word |= of(usize::from(r)) << k;
                    }
                }
            }
            Ranks::Wide(v) => {
                for (word, chunk) in out.iter_mut().zip(v.chunks(64)) {
                    for (k, &r) in chunk.iter().enumerate() {
                        *word |= of(r as usize) << k;
                    }
                }
            }
        }
    }

    /// The first occurrence whose rank satisfies `pred`.
    fn position(&self, mut pred: impl FnMut(u32) -> bool) -> Option<usize> {
        match self {
            Ranks::Narrow(v) => v.iter().position(|&r| pred(widen(r))),
            Ranks::Wide(v) => v.iter().position(|&r| pred(r)),
        }
    }

    /// The rank of occurrence `i` (`NOT_KEPT` past the end).
    #[cfg(test)]
    fn get(&self, i: usize) -> u32 {
        match self {
            Ranks::Narrow(v) => v.get(i).map_or(NOT_KEPT, |&r| widen(r)),
            Ranks::Wide(v) => v.get(i).copied().unwrap_or(NOT_KEPT),
        }
    }
}

impl Features {
    /// Word n-gram hashes, sorted, without repeats. For features after boilerplate removal (see
    /// [`Detector::features`](crate::Detector::features)), the kept ones: the detector stores
    /// which were dropped, and this list is made on the first call.
    ///
    /// # Examples
    ///
    /// ```
    /// let f = wirecopy::FeatureExtractor::new(&wirecopy::Config::new()).extract("a b c a b c");
    /// assert_eq!(f.words().len(), 3); // "a b c", "b c a", "c a b"
    /// ```
    pub fn words(&self) -> &[u64] {
        match &self.dropped {
            None => &self.words,
            Some(d) => &self.kept_sets(d).0,
        }
    }

    /// Skeleton n-gram hashes, sorted, without repeats (the kept ones after boilerplate removal,
    /// as for [`Features::words`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut fx = wirecopy::FeatureExtractor::new(&wirecopy::Config::new());
    /// let f = fx.extract("The cat sat on the mat because it was warm there.");
    /// assert_eq!(f.skeleton().len(), 5); // the X on the X because it was X there
    /// assert!(fx.extract("the cat").skeleton().is_empty()); // fewer than 6 skeleton items
    /// ```
    pub fn skeleton(&self) -> &[u64] {
        match &self.dropped {
            None => &self.skeleton,
            Some(d) => &self.kept_sets(d).1,
        }
    }

    /// The kept elements of both sets, made on first use.
    fn kept_sets<'a>(&'a self, d: &'a Dropped) -> &'a (Vec<u64>, Vec<u64>) {
        d.kept.0.get_or_init(|| {
            let kept = |m: Marked, n: usize| -> Vec<u64> {
                let mut v = Vec::with_capacity(n);
                marked_into(m, false, &mut v);
                v
            };
            (
                kept(self.marked_words(), d.kept_words),
                kept(self.marked_skeleton(), d.kept_skeleton),
            )
        })
    }

    /// The number of kept word n-grams.
    fn word_count(&self) -> usize {
        self.dropped
            .as_ref()
            .map_or(self.words.len(), |d| d.kept_words)
    }

    /// The number of kept skeleton n-grams.
    fn skeleton_count(&self) -> usize {
        self.dropped
            .as_ref()
            .map_or(self.skeleton.len(), |d| d.kept_skeleton)
    }

    /// The word set with its drop mask.
    fn marked_words(&self) -> Marked<'_> {
        Marked {
            set: &self.words,
            dropped: self.dropped.as_deref().map(|d| &d.words[..]),
        }
    }

    /// The skeleton set with its drop mask.
    fn marked_skeleton(&self) -> Marked<'_> {
        Marked {
            set: &self.skeleton,
            dropped: self.dropped.as_deref().map(|d| &d.skeleton[..]),
        }
    }

    /// Appends the dropped elements of `words`, then those of `skeleton` (each run sorted),
    /// less those `except` names.
    pub(crate) fn dropped_into(&self, except: Option<&Marks>, out: &mut Vec<u64>) {
        out.reserve(self.words.len() + self.skeleton.len() - self.size());
        let Some(e) = except else {
            marked_into(self.marked_words(), true, out);
            marked_into(self.marked_skeleton(), true, out);
            return;
        };
        for (m, e) in [
            (self.marked_words(), &e.words),
            (self.marked_skeleton(), &e.skeleton),
        ] {
            let mask: Vec<u64> = (m.dropped.unwrap_or_default().iter().enumerate())
                .map(|(k, &w)| w & !e.get(k).copied().unwrap_or(0))
                .collect();
            let set = m.set;
            marked_into(
                Marked {
                    set,
                    dropped: Some(&mask),
                },
                true,
                out,
            );
        }
    }

    /// Number of body tokens.
    ///
    /// # Examples
    ///
    /// ```
    /// let f = wirecopy::FeatureExtractor::new(&wirecopy::Config::new()).extract("x y");
    /// assert_eq!(f.body_tokens(), 2);
    /// ```
    pub fn body_tokens(&self) -> usize {
        self.tokens as usize
    }

    /// Size used to order documents: word plus skeleton shingles.
    ///
    /// # Examples
    ///
    /// ```
    /// let f = wirecopy::FeatureExtractor::new(&wirecopy::Config::new()).extract("a b c d");
    /// assert_eq!(f.size(), f.words().len() + f.skeleton().len());
    /// ```
    pub fn size(&self) -> usize {
        self.word_count() + self.skeleton_count()
    }

    /// True when the text had no token.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::FeatureExtractor::new(&wirecopy::Config::new()).extract(" - ").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tokens == 0
    }

    /// A copy that shares nothing with these features, every vector at its exact size (no
    /// spare capacity).
    fn copied(&self) -> Features {
        Features {
            words: Arc::new(Vec::clone(&self.words)),
            skeleton: Arc::new(Vec::clone(&self.skeleton)),
            body: Arc::new(Vec::clone(&self.body)),
            word_n: self.word_n,
            word_seed: self.word_seed,
            filtered: self.filtered,
            dropped: self.dropped.as_deref().map(|d| Arc::new(d.clone())),
            skeleton_spans: Arc::new(Vec::clone(&self.skeleton_spans)),
            word_rank: Arc::new(Ranks::clone(&self.word_rank)),
            span_rank: Arc::new(Ranks::clone(&self.span_rank)),
            quoted: Arc::new(Vec::clone(&self.quoted)),
            tokens: self.tokens,
            covered: Cache::default(),
            lines: Arc::new(BodyLines::clone(&self.lines)),
        }
    }

    /// The signature of the kept elements of both sets, made in place.
    pub(crate) fn signature(
        &self,
        sketcher: &crate::minhash::Sketcher,
    ) -> crate::minhash::Signature {
        sketcher.sketch_chunks(|f| {
            marked_chunks(self.marked_words(), false, f);
            marked_chunks(self.marked_skeleton(), false, f);
        })
    }

    /// The hashes of the body lines, in order (none when the body is every line of a short text).
    pub(crate) fn line_hashes(&self) -> &[u64] {
        &self.lines.hashes
    }

    /// Where each body line ends in the body (see [`Features::line_hashes`]).
    pub(crate) fn line_ends(&self) -> &[u32] {
        &self.lines.ends
    }

    /// The hashes of the first [`LINE_PREFIX_TOKENS`] tokens of each body line (see
    /// [`Features::line_hashes`]).
    pub(crate) fn line_prefixes(&self) -> &[u64] {
        &self.lines.prefixes
    }

    /// The same prefix hashes of the lines too short for the body that have that many tokens.
    pub(crate) fn short_line_prefixes(&self) -> &[u64] {
        &self.lines.short_prefixes
    }

    /// The shingles (of either set) that lie inside body lines whose hashes `is_template` accepts,
    /// as bits over each set; `None` when it accepts no line.
    pub(crate) fn line_marks(&self, is_template: impl Fn(u64) -> bool) -> Option<Marks> {
        let n = self.tokens as usize;
        // `before[i]`: template tokens before token i.
        let mut before: Vec<u32> = Vec::new();
        let mut start = 0;
        for (&h, &end) in self.lines.hashes.iter().zip(&self.lines.ends) {
            let end = (end as usize).min(n);
            if is_template(h) {
                if before.is_empty() {
                    before = vec![0; n + 1];
                }
                for b in before.iter_mut().take(end + 1).skip(start + 1) {
                    *b = 1;
                }
            }
            start = end;
        }
        if before.is_empty() {
            return None;
        }
        for i in 1..before.len() {
            before[i] += before[i - 1];
        }
        // A shingle mostly inside template lines (one that crosses into the text goes when most
        // of its tokens are the template's).
        let hit = |s: usize, e: usize| {
            let (s, e) = (s.min(n), e.min(n));
            2 * (before[e] - before[s]) as usize > e - s
        };
        let mut marks = Marks {
            words: vec![0; self.words.len().div_ceil(64)],
            skeleton: vec![0; self.skeleton.len().div_ceil(64)],
        };
        let set = |bits: &mut [u64], r: u32| {
            if let Some(w) = bits.get_mut(r as usize / 64) {
                *w |= 1 << (r % 64);
            }
        };
        let word_n = self.word_n.max(1) as usize;
        self.word_rank.each(|i, r| {
            if hit(i, i + word_n) {
                set(&mut marks.words, r);
            }
        });
        self.span_rank.each(|k, r| {
            if let Some(s) = self.skeleton_spans.get(k) {
                if hit(s.start as usize, s.end as usize) {
                    set(&mut marks.skeleton, r);
                }
            }
        });
        Some(marks)
    }

    /// These features without the shingles `drop` says are boilerplate; all of them are kept when
    /// more than `max_share` of a set would go (the text is a widely repeated story itself).
    /// `None` when that leaves them as they are. The copy shares the sets, spans and ranks of
    /// these features and marks the dropped elements (one bit each).
    #[cfg(test)]
    pub(crate) fn without(&self, drop: impl Fn(u64) -> bool, max_share: f64) -> Option<Features> {
        self.without_marked(drop, None, max_share)
    }

    /// [`Features::without`], dropping the shingles `marks` names as well (before asking `drop`).
    pub(crate) fn without_marked(
        &self,
        drop: impl Fn(u64) -> bool,
        marks: Option<&Marks>,
        max_share: f64,
    ) -> Option<Features> {
        // One pass over each set; most texts of a large collection lose nothing. The bits and
        // count of what `was` or `marked` names, then of what `drop` adds.
        let mark = |set: &[u64], was: Option<&[u64]>, marked: Option<&[u64]>| {
            let (mut fixed, mut added): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
            let (mut n_fixed, mut n_added) = (0, 0);
            for (i, &h) in set.iter().enumerate() {
                let (bits, n) =
                    if was.is_some_and(|w| bit(w, i)) || marked.is_some_and(|w| bit(w, i)) {
                        (&mut fixed, &mut n_fixed)
                    } else if drop(h) {
                        (&mut added, &mut n_added)
                    } else {
                        continue;
                    };
                if bits.is_empty() {
                    *bits = vec![0; set.len().div_ceil(64)];
                }
                bits[i / 64] |= 1 << (i % 64);
                *n += 1;
            }
            (fixed, n_fixed, added, n_added)
        };
        let was = self.dropped.as_deref();
        let (words_fixed, fixed_words, words_added, added_words) = mark(
            &self.words,
            was.map(|d| &d.words[..]),
            marks.map(|m| &m.words[..]),
        );
        let (skeleton_fixed, fixed_skeleton, skeleton_added, added_skeleton) = mark(
            &self.skeleton,
            was.map(|d| &d.skeleton[..]),
            marks.map(|m| &m.skeleton[..]),
        );
        // The marks always go; `drop` may take at most `max_share` of what they leave.
        let all = self.words.len() + self.skeleton.len();
        let fixed = fixed_words + fixed_skeleton;
        let added = added_words + added_skeleton;
        let take = added > 0 && added as f64 <= max_share * (all - fixed) as f64;
        // Before: what these features had dropped already.
        if fixed == all - self.size() && !take {
            return None;
        }
        let join = |mut fixed: Vec<u64>, added: Vec<u64>| -> Vec<u64> {
            if !take || added.is_empty() {
                return fixed;
            }
            if fixed.is_empty() {
                return added;
            }
            fixed.iter_mut().zip(added).for_each(|(f, a)| *f |= a);
            fixed
        };
        let dropped_words = fixed_words + if take { added_words } else { 0 };
        let dropped_skeleton = fixed_skeleton + if take { added_skeleton } else { 0 };
        let words = join(words_fixed, words_added);
        let skeleton = join(skeleton_fixed, skeleton_added);
        Some(Features {
            words: Arc::clone(&self.words),
            skeleton: Arc::clone(&self.skeleton),
            body: Arc::clone(&self.body),
            word_seed: self.word_seed,
            word_n: self.word_n,
            filtered: dropped_words > 0,
            dropped: Some(Arc::new(Dropped {
                kept_words: self.words.len() - dropped_words,
                kept_skeleton: self.skeleton.len() - dropped_skeleton,
                words,
                skeleton,
                kept: Cache::default(),
            })),
            skeleton_spans: Arc::clone(&self.skeleton_spans),
            word_rank: Arc::clone(&self.word_rank),
            span_rank: Arc::clone(&self.span_rank),
            quoted: Arc::clone(&self.quoted),
            tokens: self.tokens,
            covered: Cache::default(),
            lines: Arc::clone(&self.lines),
        })
    }
}

/// Appends the elements of `m`'s set that are dropped (`dropped` true) or kept (false).
fn marked_into(m: Marked, dropped: bool, out: &mut Vec<u64>) {
    marked_chunks(m, dropped, &mut |chunk| out.extend_from_slice(chunk));
}

/// Hands `f` the elements of `m`'s set that are dropped (`dropped` true) or kept (false), in
/// order, a slice at a time: word by word of the mask, a whole 64-element run of the set where
/// it selects all of it, else the selected elements gathered.
fn marked_chunks(m: Marked, dropped: bool, f: &mut dyn FnMut(&[u64])) {
    let mask = m.dropped.unwrap_or_default();
    let flip = if dropped { 0 } else { u64::MAX };
    let mut picked = [0u64; 64];
    for (k, chunk) in m.set.chunks(64).enumerate() {
        let mut w = mask.get(k).copied().unwrap_or(0) ^ flip;
        if chunk.len() < 64 {
            w &= (1u64 << chunk.len()) - 1;
        }
        if w == u64::MAX {
            f(chunk);
            continue;
        }
        let mut n = 0;
        while w != 0 {
            let i = w.trailing_zeros() as usize;
            if let (Some(&h), Some(p)) = (chunk.get(i), picked.get_mut(n)) {
                *p = h;
                n += 1;
            }
            w &= w - 1;
        }
        if n > 0 {
            f(&picked[..n]);
        }
    }
}

/// Builds [`Features`] from text for one configuration; holds scratch buffers (one per thread).
///
/// # Examples
///
/// ```
/// let mut fx = wirecopy::FeatureExtractor::new(&wirecopy::Config::new());
/// let f = fx.extract("The quick brown fox jumps over the lazy dog, and then it ran off into the woods.");
/// assert_eq!(f.words().len(), 15);
/// assert!(!f.skeleton().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct FeatureExtractor {
    word_n: usize,
    skeleton_n: usize,
    word_seed: u64,
    skeleton_seed: u64,
    tokenizer: Tokenizer,
    all: Vec<u64>,
    all_quoted: Vec<u64>,
    lines: Vec<usize>,
    body: Vec<u64>,
    skeleton: Skeleton,
    scratch: Vec<u64>,
    ranks: RankScratch,
    rank_buf: Vec<u32>,
    /// The text as read (block tags as line breaks, references decoded, wrapped lines joined)
    /// and its lines.
    reading: Reading,
    /// For each line, whether it is body: long enough and not page furniture run together (see
    /// [`run_together`]).
    long: Vec<bool>,
    view: Vec<u8>,
    /// Features [`FeatureExtractor::extract`] builds in (their buffers grown once), then copies
    /// out at their exact sizes.
    built: Features,
}

impl FeatureExtractor {
    /// An extractor for `config` (assumed valid).
    ///
    /// # Examples
    ///
    /// ```
    /// let _fx = wirecopy::FeatureExtractor::new(&wirecopy::Config::new());
    /// ```
    pub fn new(config: &crate::Config) -> Self {
        FeatureExtractor {
            word_n: config.word_ngram,
            skeleton_n: config.skeleton_ngram,
            word_seed: ShingleKind::Words(config.word_ngram).seeded(config.seed),
            skeleton_seed: ShingleKind::Skeleton(config.skeleton_ngram).seeded(config.seed),
            tokenizer: Tokenizer::new(),
            all: Vec::new(),
            all_quoted: Vec::new(),
            lines: Vec::new(),
            body: Vec::new(),
            skeleton: Skeleton::default(),
            scratch: Vec::new(),
            ranks: RankScratch::default(),
            rank_buf: Vec::new(),
            reading: Reading::default(),
            long: Vec::new(),
            view: Vec::new(),
            built: Features::default(),
        }
    }

    /// The features of `text`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut fx = wirecopy::FeatureExtractor::new(&wirecopy::Config::new());
    /// assert!(fx.extract("").words().is_empty());
    /// ```
    pub fn extract(&mut self, text: &str) -> Features {
        // Built in buffers this extractor keeps, then copied out: each kept vector is allocated
        // once at its size, instead of growing step by step in fresh memory and shrinking.
        let mut built = std::mem::take(&mut self.built);
        self.extract_into(text, &mut built);
        let f = built.copied();
        self.built = built;
        f
    }

    /// Writes the features of `text` into `out`, reusing its buffers.
    ///
    /// # Complexity
    ///
    /// Linear in the text length, plus sorting the shingle sets.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut fx = wirecopy::FeatureExtractor::new(&wirecopy::Config::new());
    /// let mut f = wirecopy::Features::default();
    /// fx.extract_into("one two three four five six", &mut f);
    /// assert_eq!(f.words().len(), 4);
    /// ```
    pub fn extract_into(&mut self, text: &str, out: &mut Features) {
        // Tokens, and where each line starts in the token list.
        self.all.clear();
        self.all_quoted.clear();
        self.lines.clear();
        // The text as read: block tags as line breaks, references decoded, wrapped lines joined
        // (the same length, so byte offsets stay the text's).
        let (text, spans) = self.reading.read_lines(text);
        let (all, all_quoted, lines) = (&mut self.all, &mut self.all_quoted, &mut self.lines);
        let (tokenizer, view) = (&mut self.tokenizer, &mut self.view);
        if !tokens_batched(text, spans, tokenizer, all, all_quoted, lines, view) {
            // Never taken (a test checks it), but the line starts must fit the tokens.
            all.clear();
            all_quoted.clear();
            lines.clear();
            tokens_by_line(text, &spans.spans, tokenizer, all, all_quoted, lines);
        }

        // The body: long lines only, unless too little is left. Quotation bits only when some
        // token is quoted.
        let any_quoted = self.all_quoted.iter().any(|&w| w != 0);
        out.dropped = None;
        let quoted = unshared(&mut out.quoted);
        self.body.clear();
        quoted.clear();
        // The lines that are body: long enough, and not a block of page furniture run together
        // into one line (left out as its short lines would have been).
        let long = &mut self.long;
        long.clear();
        long.extend(self.lines.windows(2).enumerate().map(|(k, w)| {
            w[1] - w[0] >= MIN_LINE_TOKENS && !run_together(text, &spans.spans, &self.lines, k)
        }));
        // When every line with tokens is body, the body is every token: no copy.
        let whole = (self.lines.windows(2).zip(long.iter())).all(|(w, &long)| w[1] == w[0] || long);
        let body_lines = unshared(&mut out.lines);
        body_lines.clear();
        // The long lines (every line with tokens, when `whole`), and where each ends in the body;
        // the openings of all lines but the shortest.
        let mut end = 0;
        for (w, &long) in self.lines.windows(2).zip(long.iter()) {
            let line = &self.all[w[0]..w[1]];
            let Some(opening) = line.get(..LINE_PREFIX_TOKENS) else {
                continue;
            };
            let opening = line_hash(opening);
            if !long {
                body_lines.short_prefixes.push(opening);
            } else {
                body_lines.hashes.push(line_hash(line));
                body_lines.prefixes.push(opening);
                end += line.len();
                body_lines.ends.push(end as u32);
                if whole {
                    continue;
                }
                if any_quoted {
                    copy_bits(&self.all_quoted, w[0]..w[1], quoted, self.body.len());
                }
                self.body.extend_from_slice(line);
            }
        }
        // Too little in long lines: a short note (under MIN_BODY_TOKENS and half of it), or a text
        // of short lines with a few long ones by chance (under an eighth: wrapped at a width).
        let (body, all) = (self.body.len(), self.all.len());
        let thin = (body < MIN_BODY_TOKENS && 2 * body < all) || 8 * body < all;
        if whole || thin {
            if !whole {
                // Every line is body: its lines are not told apart.
                body_lines.clear();
            }
            self.body.clear();
            quoted.clear();
            if any_quoted {
                copy_bits(&self.all_quoted, 0..self.all.len(), quoted, 0);
            }
            std::mem::swap(&mut self.body, &mut self.all);
        }
        if quoted.iter().all(|&w| w == 0) {
            quoted.clear();
        }
        let body = &self.body;
        out.tokens = body.len() as u32;
        unshared(&mut out.skeleton_spans).clear();
        unshared(&mut out.span_rank).assign([], 0);
        out.filtered = false;
        out.covered = Cache::default();

        // Word n-grams: shingle i covers tokens i..i+n.
        self.scratch.clear();
        ngrams_to(body, self.word_n, self.word_seed, &mut self.scratch);
        out.word_n = self.word_n as u32;
        out.word_seed = self.word_seed;
        let narrowed = unshared(&mut out.body);
        narrowed.clear();
        narrowed.extend(body.iter().map(|&h| (h >> 32) as u32));
        let words = unshared(&mut out.words);
        ranked_set_into(&self.scratch, words, &mut self.rank_buf, &mut self.ranks);
        unshared(&mut out.word_rank).assign(self.rank_buf.iter().copied(), words.len());

        // Skeleton items with the token range each stands for, then n-grams over them.
        let skeleton = unshared(&mut out.skeleton);
        skeleton.clear();
        if self.skeleton_n == 0 {
            return;
        }
        self.skeleton.build(body);
        let (n, seed) = (self.skeleton_n, self.skeleton_seed);
        let spans = unshared(&mut out.skeleton_spans);
        let grams = self.skeleton.ngrams_into(n, seed, spans);
        ranked_set_into(grams, skeleton, &mut self.rank_buf, &mut self.ranks);
        unshared(&mut out.span_rank).assign(self.rank_buf.iter().copied(), skeleton.len());
    }
}

/// The value behind `v` to overwrite: `v`'s own when nothing else holds it (its buffer is
/// reused), else a new default one (a filtered copy sharing the old value keeps it untouched).
fn unshared<T: Default + Clone>(v: &mut Arc<T>) -> &mut T {
    if Arc::get_mut(v).is_none() {
        *v = Arc::default();
    }
    Arc::make_mut(v)
}

/// A hash of a line's token hashes: equal lines (the same tokens, in order) hash alike, and so do
/// lines that differ only in tokens with digits (a footer's copyright year, a page's date).
fn line_hash(tokens: &[u64]) -> u64 {
    // Token hashes are well mixed already: four interleaved polynomials over them (independent
    // multiplications), then finishing mixes.
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut lanes = [0u64; 4];
    let chunks = tokens.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for (l, &t) in lanes.iter_mut().zip(c) {
            *l = l.wrapping_mul(K).wrapping_add(numberless(t));
        }
    }
    let h = lanes
        .iter()
        .fold(tokens.len() as u64, |h, &l| fmix64(h ^ l));
    rest.iter().fold(h, |h, &t| fmix64(h ^ numberless(t)))
}

/// A token hash, with every token that has a digit (the hash's lowest bit, see
/// [`Tokenizer::flagged_hashes_into`](crate::normalize::Tokenizer::flagged_hashes_into)) as one
/// value.
#[inline]
fn numberless(t: u64) -> u64 {
    if t & 1 == 1 {
        1
    } else {
        t
    }
}

/// Bit `i` of `bits` (false past its end).
#[inline]
fn bit(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

/// Sets bits `range` of `bits`, growing `bits` as needed (with zero words).
fn set_range(bits: &mut Vec<u64>, range: std::ops::Range<usize>) {
    if range.is_empty() {
        return;
    }
    let (first, last) = (range.start / 64, (range.end - 1) / 64);
    if bits.len() <= last {
        bits.resize(last + 1, 0);
    }
    for (w, word) in bits.iter_mut().enumerate().take(last + 1).skip(first) {
        let lo = if w == first { range.start % 64 } else { 0 };
        let hi = if w == last {
            (range.end - 1) % 64 + 1
        } else {
            64
        };
        *word |= (u64::MAX >> (64 - (hi - lo))) << lo;
    }
}

/// ORs `src` shifted up by `k` bits into `dst` (bits shifted past `dst`'s end are lost).
fn or_shifted(dst: &mut [u64], src: &[u64], k: usize) {
    let (words, bits) = (k / 64, k % 64);
    for w in (words..dst.len()).rev() {
        let i = w - words;
        let hi = src.get(i).copied().unwrap_or(0) << bits;
        let lo = match (bits, i.checked_sub(1)) {
            (1.., Some(j)) => src.get(j).copied().unwrap_or(0) >> (64 - bits),
            _ => 0,
        };
        dst[w] |= hi | lo;
    }
}

/// The [`Coverage`] of the tokens `covered` names, in order, by those `matched` names
/// (`quoted` ones inside quotation marks; each bit set false past its end). Word by word: counts
/// by popcount, runs over the covered tokens' matched bits gathered together.
fn tally_bits(covered: &[u64], matched: &[u64], quoted: &[u64]) -> Coverage {
    #[cfg(target_arch = "x86_64")]
    if has_pext() {
        // SAFETY: the CPU has BMI2 and POPCNT, what `tally_bits_bmi2` is compiled for.
        #[allow(unsafe_code)]
        return unsafe { tally_bits_bmi2(covered, matched, quoted) };
    }
    tally_bits_in(covered, matched, quoted, gather_bits)
}

/// Whether the CPU has BMI2 (`pext`) and POPCNT, what [`tally_bits_bmi2`] is compiled for (the
/// detection macro caches its answer). On AMD CPUs before Zen 3 `pext` is microcoded and slow;
/// the result is the same.
#[cfg(target_arch = "x86_64")]
fn has_pext() -> bool {
    std::arch::is_x86_feature_detected!("bmi2") && std::arch::is_x86_feature_detected!("popcnt")
}

/// [`tally_bits`] with BMI2's `pext` gathering the bits.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "bmi2,popcnt")]
fn tally_bits_bmi2(covered: &[u64], matched: &[u64], quoted: &[u64]) -> Coverage {
    tally_bits_in(covered, matched, quoted, |x, mask| {
        std::arch::x86_64::_pext_u64(x, mask)
    })
}

/// The bits of `x` where `mask` has ones, packed at the bottom in order (what `pext` does).
fn gather_bits(x: u64, mut mask: u64) -> u64 {
    let mut out = 0;
    let mut k = 0;
    while mask != 0 {
        out |= (x >> mask.trailing_zeros() & 1) << k;
        k += 1;
        mask &= mask - 1;
    }
    out
}

/// [`tally_bits`] with `gather` packing a word's bits under a mask.
#[inline(always)]
fn tally_bits_in(
    covered: &[u64],
    matched: &[u64],
    quoted: &[u64],
    gather: impl Fn(u64, u64) -> u64,
) -> Coverage {
    let mut c = Coverage::default();
    let (mut run, mut gap) = (0usize, 0usize);
    for (w, &cv) in covered.iter().enumerate() {
        if cv == 0 {
            continue;
        }
        let m = matched.get(w).copied().unwrap_or(0) & cv;
        let q = quoted.get(w).copied().unwrap_or(0) & cv;
        c.covered += cv.count_ones() as usize;
        c.matched += m.count_ones() as usize;
        c.quoted_covered += q.count_ones() as usize;
        c.quoted_matched += (m & q).count_ones() as usize;
        // The covered tokens' matched bits, in order, then their runs of ones and of zeros.
        let len = cv.count_ones();
        let bits = if cv == u64::MAX { m } else { gather(m, cv) };
        let mut at = 0;
        while at < len {
            let rest = bits >> at;
            if rest & 1 == 1 {
                let k = (!rest).trailing_zeros().min(len - at);
                run += k as usize;
                c.longest_run = c.longest_run.max(run);
                gap = 0;
                at += k;
            } else {
                let k = rest.trailing_zeros().min(len - at);
                gap += k as usize;
                c.longest_gap = c.longest_gap.max(gap);
                run = 0;
                at += k;
            }
        }
    }
    c
}

/// Copies bits `from` of `src` (false past its end) to `dst` from bit `offset` on, growing `dst`
/// to cover every copied position (with zero words); `dst`'s bits there must be clear.
fn copy_bits(src: &[u64], from: std::ops::Range<usize>, dst: &mut Vec<u64>, offset: usize) {
    let len = from.len();
    if len == 0 {
        return;
    }
    let words = (offset + len).div_ceil(64);
    if dst.len() < words {
        dst.resize(words, 0);
    }
    // 64 bits of `src` from bit `at` (fewer near `end`: the bits past it are cleared).
    let read = |at: usize, end: usize| -> u64 {
        let (w, s) = (at / 64, at % 64);
        let lo = src.get(w).map_or(0, |&v| v >> s);
        let hi = if s == 0 {
            0
        } else {
            src.get(w + 1).map_or(0, |&v| v << (64 - s))
        };
        let n = end - at;
        if n >= 64 {
            lo | hi
        } else {
            (lo | hi) & ((1u64 << n) - 1)
        }
    };
    let mut at = from.start;
    let mut to = offset;
    while at < from.end {
        let chunk = read(at, from.end);
        // Those bits go to `to`, spanning at most two words of `dst`.
        let (w, s) = (to / 64, to % 64);
        let n = (from.end - at).min(64 - s);
        if let Some(d) = dst.get_mut(w) {
            *d |= chunk << s;
        }
        at += n;
        to += n;
    }
}

/// The lines of a text (see [`lines_of`]).
#[derive(Debug, Clone, Default)]
struct Lines {
    /// The lines, in order.
    spans: Vec<LineSpan>,
    /// The quotations of the ASCII lines, line by line: the token ranges inside quotation marks,
    /// numbered from the line's first token.
    quotes: Vec<(usize, usize)>,
}

/// One line of a text (see [`lines_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LineSpan {
    /// Where the line starts in the text (bytes).
    from: usize,
    /// Where it ends (bytes, exclusive; at a line break or the end of the text).
    to: usize,
    /// No character that can open or close a quotation (see [`has_no_quotes`]).
    plain: bool,
    /// Every byte is ASCII.
    ascii: bool,
    /// In an ASCII line, its tokens: runs of letters, digits and apostrophes with a letter or
    /// digit.
    tokens: usize,
    /// In an ASCII line, the range of [`Lines::quotes`] that holds its quotations (empty in
    /// other lines).
    quotes: (usize, usize),
}

/// Reads a text as the pipeline does, before it is tokenized: HTML block tags read as line breaks
/// and inline tags hidden ([`read_tags_into`](crate::normalize::read_tags_into)), web addresses
/// hidden ([`hide_urls_into`](crate::normalize::hide_urls_into)), HTML character
/// references decoded ([`unescape_into`](crate::normalize::unescape_into)), a text of one long
/// line broken into sentences (its line breaks were lost), or the lines of a text hard-wrapped at
/// a fixed width joined back, a word hyphenated at a line break made whole, or a paragraph's lines
/// joined when it is set a sentence to a line (see the [module documentation](self)). The text read is byte for byte as long as the text, so a byte offset
/// into one is an offset into the other, on a character boundary of both: tokens found in the
/// text read point into the text as it was given. Holds the scratch buffers (one per thread).
///
/// [`FeatureExtractor`] reads every text so; so does [`Tokens`](crate::align::Tokens), so that
/// the evidence of a copy (its passages, edits and relation) is found in the words the pipeline
/// compared.
///
/// # Examples
///
/// ```
/// let mut r = wirecopy::features::Reading::default();
/// let wrapped = "Port workers began a two-day strike on Monday, halting\n\
///                cargo traffic at the country's busiest harbour, the union\n\
///                said. Talks over pay broke down last week after the\n\
///                employers refused to improve their offer, and a second\n\
///                walkout is planned for the end of the month if nothing\n\
///                changes before then. Ships were diverted to smaller ports\n\
///                along the coast, and the queue of lorries waiting outside\n\
///                the main gate reached two miles by the evening.";
/// let read = r.read(wrapped);
/// assert_eq!(read.len(), wrapped.len());
/// assert_eq!(read.lines().count(), 1);
/// let escaped = "Talks &quot;broke down&quot; on Monday";
/// assert_eq!(wirecopy::normalize::normalize(r.read(escaped)), "talks broke down on monday");
/// assert_eq!(r.read("plain text"), "plain text");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// The lines of the text read.
    lines: Lines,
    /// Line widths, for [`join_wrapped_lines`].
    widths: Vec<u32>,
    /// The text with its lines read anew: one long line broken into sentences
    /// ([`break_sentences_into`]), wrapped lines joined ([`join_wrapped_lines`]) or a paragraph's
    /// sentence lines joined ([`join_sentence_lines`]), when one of them was.
    relined: String,
    /// The text with its HTML tags read (see [`read_tags_into`](crate::normalize::read_tags_into)),
    /// when it had some.
    untagged: String,
    /// The text with its web addresses hidden (see
    /// [`hide_urls_into`](crate::normalize::hide_urls_into)), when it had some.
    unlinked: String,
    /// The text with its HTML character references decoded, when it had some.
    unescaped: String,
}

impl Reading {
    /// `text` as read: itself when reading changes nothing, else a buffer of `self`'s.
    ///
    /// # Complexity
    ///
    /// Linear in the text length.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut r = wirecopy::features::Reading::default();
    /// assert_eq!(r.read("caf&eacute;").trim_end_matches(|c| wirecopy::normalize::is_ignorable(c)), "caf\u{e9}");
    /// ```
    pub fn read<'a>(&'a mut self, text: &'a str) -> &'a str {
        self.read_lines(text).0
    }

    /// [`Reading::read`], and the lines of the text read.
    fn read_lines<'a>(&'a mut self, text: &'a str) -> (&'a str, &'a Lines) {
        let text = if crate::normalize::read_tags_into(text, &mut self.untagged) {
            self.untagged.as_str()
        } else {
            text
        };
        let text = if crate::normalize::hide_urls_into(text, &mut self.unlinked) {
            self.unlinked.as_str()
        } else {
            text
        };
        let text = if crate::normalize::unescape_into(text, &mut self.unescaped) {
            self.unescaped.as_str()
        } else {
            text
        };
        lines_of(text, &mut self.lines);
        // At most one of these re-reads the text's lines (a text of one line is not wrapped, and
        // a wrapped one is not set a sentence to a line).
        let spans = &self.lines.spans;
        let text = if break_sentences_into(text, spans, &mut self.relined)
            || join_wrapped_lines(text, spans, &mut self.widths, &mut self.relined)
            || join_sentence_lines(text, spans, &mut self.relined)
        {
            lines_of(&self.relined, &mut self.lines);
            self.relined.as_str()
        } else {
            text
        };
        (text, &self.lines)
    }
}

/// Writes into `out` a text set a sentence to a line with each paragraph's lines joined (a space
/// for each line break inside it), and returns true; returns false, writing nothing, when no
/// paragraph is so set.
///
/// Some sites and text extractors put every sentence of a paragraph on a line of its own, the
/// paragraphs apart by blank lines. Read so, a sentence of under [`MIN_LINE_TOKENS`] tokens is a
/// short line and leaves the body, while in the same story with a line per paragraph it is body.
/// A paragraph is taken to be so set when the text has two paragraphs or more (blank lines between
/// them), it has two lines or more, every line but the last ends a sentence (a full stop,
/// question or exclamation mark, then closing quotation marks or brackets), every line but the
/// first opens one (opening quotation marks or brackets, then a capital or a digit), and one of
/// its lines has [`MIN_LINE_TOKENS`] words or more: a block of short sentences (a site's footer:
/// "All rights reserved." "Terms of use.") stays as it is.
fn join_sentence_lines(text: &str, spans: &[LineSpan], out: &mut String) -> bool {
    let line = |s: &LineSpan| text.get(s.from..s.to).unwrap_or_default();
    // Bytes, not characters: a line that starts with a letter is not blank at its first byte.
    let b = text.as_bytes();
    let blank = |s: &LineSpan| match b.get(s.from..s.to).and_then(|l| l.first()) {
        None => true,
        Some(c) if c.is_ascii() && !c.is_ascii_whitespace() => false,
        Some(_) => line(s).trim().is_empty(),
    };
    // A sentence end, then closing marks to the line's end; opening marks, then a capital or a
    // digit (the marks of `past_marks`).
    let ends = |l: &str| {
        let l = l.trim_end().as_bytes();
        let end = l.iter().rposition(|c| matches!(c, b'.' | b'!' | b'?'));
        end.is_some_and(|i| past_marks(l, i + 1, true) == l.len())
    };
    let opens = |l: &str| {
        let l = l.trim_start();
        let first = l
            .get(past_marks(l.as_bytes(), 0, false)..)
            .unwrap_or_default();
        first
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    };
    // Words: runs of letters and digits (any byte past ASCII counts as one).
    let words = |l: &str| {
        let word = |c: &u8| c.is_ascii_alphanumeric() || *c >= 0x80;
        let b = l.as_bytes();
        (0..b.len())
            .filter(|&i| word(&b[i]) && (i == 0 || !word(&b[i - 1])))
            .count()
    };
    // The paragraphs (runs of lines that are not blank), in one pass; only those of two lines or
    // more are looked at.
    let (mut paragraphs, mut breaks) = (0, Vec::new());
    let mut from = None;
    for k in 0..=spans.len() {
        let ends_paragraph = spans.get(k).is_none_or(blank);
        match (ends_paragraph, from) {
            (false, None) => from = Some(k),
            (true, Some(f)) => {
                paragraphs += 1;
                from = None;
                let lines = spans.get(f..k).unwrap_or_default();
                let (Some((_, rest)), Some((_, after_first))) =
                    (lines.split_last(), lines.split_first())
                else {
                    continue;
                };
                let sentences = !rest.is_empty()
                    && rest.iter().all(|s| ends(line(s)))
                    && after_first.iter().all(|s| opens(line(s)))
                    && lines.iter().any(|s| words(line(s)) >= MIN_LINE_TOKENS);
                if sentences {
                    // The line break after each line but the last.
                    breaks.extend(rest.iter().map(|s| s.to));
                }
            }
            _ => {}
        }
    }
    paragraphs >= 2 && with_bytes_replaced(text, &breaks, (b'\n', b' '), out)
}

/// Writes into `out` `text` with the byte at each of `at` that is `from` replaced by `to` (both
/// ASCII, so the text stays UTF-8 at its length and character boundaries), and returns true;
/// returns false, writing nothing, when `at` is empty.
fn with_bytes_replaced(text: &str, at: &[usize], (from, to): (u8, u8), out: &mut String) -> bool {
    if at.is_empty() || !from.is_ascii() || !to.is_ascii() {
        return false;
    }
    let mut bytes = std::mem::take(out).into_bytes();
    bytes.clear();
    bytes.extend_from_slice(text.as_bytes());
    for &i in at {
        if let Some(c) = bytes.get_mut(i).filter(|c| **c == from) {
            *c = to;
        }
    }
    *out = String::from_utf8(bytes).unwrap_or_default();
    out.len() == text.len()
}

/// The shortest single line (bytes) that [`break_sentences_into`] breaks into sentences.
const MIN_UNBROKEN_BYTES: usize = 300;

/// Writes into `out` a text that is one long line (its lines `spans`; every other line blank) with
/// a line break in place of the space after each sentence end, and returns true; returns false,
/// writing nothing, for any other text or when no sentence end is found.
///
/// A text whose line breaks were lost (a scrape or a data set that collapsed its white space) has
/// its headline, navigation bar, byline and paragraphs in one line, all of it body; its copy with
/// lines keeps only the paragraphs. Read as sentences, its short pieces (a menu, a byline, a
/// sentence of a few words) leave the body as short lines do, and its template sentences recur as
/// lines across a site's pages.
///
/// A sentence end is a full stop, question or exclamation mark, then closing quotation marks or
/// brackets, a space, opening ones and a capital or digit. A full stop after one letter (an
/// initial, `U.S.`) ends no sentence; one after a title (`Mr.`, `Dr.`) breaks a sentence in two,
/// and both parts stay long enough for the body as a rule. (Taking a full stop after a capitalised
/// word of two or three letters for a title lost the sentence ends after `US.`, `UK.` or `AP.`:
/// reprints-dev without line breaks scored ARI 0.676 so, 0.744 without that rule, 0.683 unbroken.)
/// The space is an ASCII space, replaced by one line break, so the text keeps its length and
/// character boundaries.
fn break_sentences_into(text: &str, spans: &[LineSpan], out: &mut String) -> bool {
    let b = text.as_bytes();
    let blank = |s: &LineSpan| {
        b.get(s.from..s.to)
            .unwrap_or_default()
            .iter()
            .all(u8::is_ascii_whitespace)
    };
    let mut full = spans.iter().filter(|s| !blank(s));
    let (Some(line), None) = (full.next(), full.next()) else {
        return false;
    };
    if line.to - line.from < MIN_UNBROKEN_BYTES {
        return false;
    }
    let breaks: Vec<usize> = (line.from..line.to)
        .filter_map(|i| sentence_break(b, i))
        .collect();
    with_bytes_replaced(text, &breaks, (b' ', b'\n'), out)
}

/// Where the run of quotation marks and brackets at `b[at]` ends: closing ones (ASCII `"` `'` `)`
/// `]`, or ” ’ » in UTF-8) when `closing`, else opening ones (`"` `'` `(` `[` “ ‘ «).
fn past_marks(b: &[u8], mut at: usize, closing: bool) -> usize {
    loop {
        at += match (b.get(at..).unwrap_or_default(), closing) {
            ([b'"' | b'\'', ..], _) | ([b')' | b']', ..], true) | ([b'(' | b'[', ..], false) => 1,
            ([0xE2, 0x80, 0x9D | 0x99, ..], true) | ([0xE2, 0x80, 0x9C | 0x98, ..], false) => 3,
            ([0xC2, 0xBB, ..], true) | ([0xC2, 0xAB, ..], false) => 2,
            _ => return at,
        };
    }
}

/// Where the space after a sentence ending at byte `i` of `b` is (see [`break_sentences_into`]),
/// if a sentence ends there.
fn sentence_break(b: &[u8], i: usize) -> Option<usize> {
    let c = *b.get(i)?;
    if !matches!(c, b'.' | b'!' | b'?') {
        return None;
    }
    if c == b'.' {
        // The letters before the full stop: one is an initial.
        let word = b
            .get(..i)
            .unwrap_or_default()
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if word == 1 {
            return None;
        }
    }
    // Closing quotation marks and brackets, a space; more spaces, opening ones, then a capital
    // or a digit.
    let j = past_marks(b, i + 1, true);
    if b.get(j) != Some(&b' ') {
        return None;
    }
    let mut k = j + 1;
    while b.get(k) == Some(&b' ') {
        k += 1;
    }
    let k = past_marks(b, k, false);
    b.get(k)
        .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        .then_some(j)
}

/// Whether line `k` of a text read (its lines `spans`, the token number each starts at `starts`,
/// one more than the lines) is a block of page furniture run together into one line, rather than
/// prose: it ends no sentence ([`has_sentence_end`]), opens with a capital (or a digit or symbol),
/// has fewer than [`MIN_LIST_COMMAS`] commas, and is followed by a blank line, the next line with
/// tokens opening with a capital too (or by none). Such a line is left out of the body as a short
/// line is.
///
/// A page's navigation bar, byline and related-stories list are short lines, left out of the
/// body; but printed in a column each is set as one block, and OCR or the joining of a
/// hard-wrapped text's lines ([`join_wrapped_lines`]) runs the block's items together into a long
/// line, as a page's text extractor does with a menu. A headline of ten words or more goes too,
/// as a short one always has. A sentence whose full stop was lost goes on in the next line, with no
/// blank line between, or in a line opening in lower case; a list of names or places has commas.
#[inline(never)]
fn run_together(text: &str, spans: &[LineSpan], starts: &[usize], k: usize) -> bool {
    let line = |j: usize| {
        let span = spans.get(j);
        span.and_then(|s| text.get(s.from..s.to))
            .unwrap_or_default()
    };
    let opens_lower = |j: usize| {
        let first = line(j).chars().find(|c| c.is_alphanumeric());
        first.is_some_and(char::is_lowercase)
    };
    let this = line(k);
    let list = || {
        this.matches([',', '\u{FF0C}', '\u{3001}', '\u{060C}'])
            .count()
            >= MIN_LIST_COMMAS
    };
    if opens_lower(k) || has_sentence_end(this) || list() {
        return false;
    }
    let has_tokens =
        |j: usize| matches!((starts.get(j), starts.get(j + 1)), (Some(a), Some(b)) if b > a);
    match (k + 1..spans.len()).find(|&j| has_tokens(j)) {
        Some(next) => next > k + 1 && !opens_lower(next),
        None => true,
    }
}

/// Commas from which a line without a sentence end is a list (of players, places, names) rather
/// than a block of page furniture run together (see [`run_together`]).
const MIN_LIST_COMMAS: usize = 2;

/// Whether `line` ends a sentence somewhere: a full stop, question or exclamation mark not
/// followed by an ASCII letter or digit (`3.5` and `U.S` end none), or a CJK, Arabic or Devanagari
/// one, or an ellipsis, anywhere.
fn has_sentence_end(line: &str) -> bool {
    let b = line.as_bytes();
    let ascii_end = b.iter().enumerate().any(|(i, &c)| {
        matches!(c, b'.' | b'!' | b'?') && !b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
    });
    ascii_end
        || (!line.is_ascii()
            && line.contains([
                '\u{3002}', '\u{FF01}', '\u{FF1F}', '\u{061F}', '\u{0964}', '\u{2026}',
            ]))
}

/// The widest and narrowest fixed width at which [`join_wrapped_lines`] takes a text to be
/// wrapped (bytes): terminals and e-mail wrap at 70-80 columns, OCR'd newspaper columns at 30-60.
const WRAP_WIDTHS: std::ops::RangeInclusive<usize> = 30..=120;

/// Joins back the lines of a text wrapped at a fixed width, so that a line is a paragraph (or
/// a short line of its own) however the text was wrapped: the body keeps its paragraphs' last
/// lines, a quotation is followed across the line breaks, and template lines hash alike on pages
/// wrapped alike or not at all.
///
/// The text, whose lines are `spans`, is taken for wrapped at width `w` (in characters), the
/// third widest of its lines of two tokens or more ([`WIDTH_RANK`]), when `w` is in
/// [`WRAP_WIDTHS`], the lines wider than `w` hold at most a quarter of the text
/// ([`MAX_WIDER_SHARE`]), at least a quarter of its lines with tokens are *full* (the first
/// word of the next line would not have fit within `w`; [`MIN_FULL_SHARE`]), and at least two
/// full lines are followed by a line that opens with a lower-case letter, as the words of a
/// sentence do and the items of a list seldom do. Then every line with tokens that is full, or
/// at least three quarters of `w` wide and followed by a line opening in lower case (a column set
/// in a proportional font holds more or fewer characters a line), is joined to the next line
/// when that has tokens: `out` becomes the text with those line breaks as spaces (a word
/// hyphenated at the break, a letter and a hyphen before it and a lower-case letter after it,
/// has the hyphen and the break replaced by a soft hyphen, two bytes for two, which the
/// tokenizer skips), and true is returned. Otherwise false, and `out` is left as it was.
fn join_wrapped_lines(
    text: &str,
    spans: &[LineSpan],
    widths: &mut Vec<u32>,
    out: &mut String,
) -> bool {
    if spans.len() < 4 {
        return false;
    }
    let b = text.as_bytes();
    let line = |s: &LineSpan| b.get(s.from..s.to).unwrap_or_default();
    // Widths in characters: bytes that do not continue a character.
    let chars = |s: &LineSpan, bytes: &[u8]| {
        if s.ascii {
            bytes.len()
        } else {
            bytes.iter().filter(|&&c| (c as i8) >= -0x40).count()
        }
    };
    let width = |s: &LineSpan| chars(s, line(s).trim_ascii_end());
    // Tokens, as counted while the lines were found (ASCII lines); words between blanks in
    // the others.
    let tokens = |s: &LineSpan| {
        if s.ascii {
            s.tokens
        } else {
            line(s)
                .split(u8::is_ascii_whitespace)
                .filter(|w| !w.is_empty())
                .count()
        }
    };
    // The first word's width, and whether it opens with a lower-case letter.
    let first_word = |s: &LineSpan| {
        let l = line(s).trim_ascii_start();
        let n = l
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(l.len());
        let word = l.get(..n).unwrap_or_default();
        (
            chars(s, word),
            l.first().is_some_and(u8::is_ascii_lowercase),
        )
    };
    widths.clear();
    widths.extend(
        spans
            .iter()
            .filter(|s| tokens(s) >= 2)
            .map(|s| width(s) as u32),
    );
    if widths.len() < 4 {
        return false;
    }
    let k = widths.len() - WIDTH_RANK;
    let w = *widths.select_nth_unstable(k).1 as usize;
    if !WRAP_WIDTHS.contains(&w) {
        return false;
    }
    // Lines wider than that are a few outliers of a wrapped text (a web address), not most of
    // it (a web page's paragraphs, with a list of short lines below them).
    let wider: usize = spans.iter().map(width).filter(|&x| x > w).sum();
    if MAX_WIDER_SHARE * wider > text.len() {
        return false;
    }
    // Lines `i` and `i + 1` both have tokens; the first word of `i + 1` would not fit on `i`.
    let both = |i: usize| tokens(&spans[i]) > 0 && tokens(&spans[i + 1]) > 0;
    let overflows = |i: usize| width(&spans[i]) + 1 + first_word(&spans[i + 1]).0 > w;
    let full = |i: usize| both(i) && overflows(i);
    let (mut lines, mut fulls, mut continued) = (0, 0, 0);
    for i in 0..spans.len() {
        lines += usize::from(tokens(&spans[i]) > 0);
        if i + 1 < spans.len() && full(i) {
            fulls += 1;
            continued += usize::from(first_word(&spans[i + 1]).1);
        }
    }
    if continued < MIN_CONTINUED_LINES || MIN_FULL_SHARE * fulls < lines {
        return false;
    }
    out.clear();
    out.reserve(text.len());
    let mut done = 0;
    // In a wrapped text, a line nearly full whose next line opens in lower case is wrapped too:
    // set in a proportional font (a newspaper column read by OCR), lines of one width hold more
    // or fewer characters.
    let joins = |i: usize| {
        let nearly_full = width(&spans[i]) * 4 >= w * 3 && first_word(&spans[i + 1]).1;
        both(i) && (overflows(i) || nearly_full)
    };
    for i in (0..spans.len() - 1).filter(|&i| joins(i)) {
        // The line break ending line i (one byte) becomes a space.
        let at = spans[i].to;
        if b.get(at) != Some(&b'\n') {
            continue;
        }
        // A word hyphenated at the break ("exam-" then "ple"): the hyphen and the line break
        // become a soft hyphen, which the tokenizer skips, so the word is whole again.
        let letter = |j: usize| b.get(j).is_some_and(u8::is_ascii_alphabetic);
        let hyphenated = at >= 2
            && b[at - 1] == b'-'
            && letter(at - 2)
            && b.get(at + 1).is_some_and(u8::is_ascii_lowercase);
        if hyphenated {
            out.push_str(text.get(done..at - 1).unwrap_or_default());
            out.push('\u{AD}');
        } else {
            out.push_str(text.get(done..at).unwrap_or_default());
            out.push(' ');
        }
        done = at + 1;
    }
    out.push_str(text.get(done..).unwrap_or_default());
    true
}

/// The wrap width of a text is the width of its `WIDTH_RANK`-th widest line (two wider ones may
/// be a web address or a line the wrapping left alone; see [`join_wrapped_lines`]).
const WIDTH_RANK: usize = 3;

/// A text is not taken for wrapped when its lines wider than the wrap width hold more than
/// `1 / MAX_WIDER_SHARE` of its bytes (see [`join_wrapped_lines`]).
const MAX_WIDER_SHARE: usize = 4;

/// A text is not taken for wrapped when fewer than `1 / MIN_FULL_SHARE` of its lines with tokens
/// are full (see [`join_wrapped_lines`]): most lines of a wrapped text are.
const MIN_FULL_SHARE: usize = 4;

/// How many full lines followed by a lower-case word make a text wrapped (see
/// [`join_wrapped_lines`]).
const MIN_CONTINUED_LINES: usize = 2;

/// The tokens of `text`, whose lines are `lines` (see [`lines_of`]): their hashes appended to
/// `all`, whether each is inside quotation marks to the bit set `quoted` (bit `i` for token `i`; a
/// word past its end means false), and where each line starts in `all` to `starts`, with
/// `all.len()` at the end.
///
/// Consecutive ASCII lines are tokenized in one call of the fast tokenizer (line breaks are
/// separators, so its tokens are those of the lines in turn). Where each line starts is known
/// beforehand: [`lines_of`] counted the tokens of the ASCII lines and found their quotations.
/// A line with other characters joins the batch when its ASCII view stands for it
/// ([`ascii_view`], with tokens and quotations from [`ascii_quotes`]); the others go through
/// [`tokens_with_quotes`].
///
/// Returns false (with the buffers half filled) should the tokenizer give some other number of
/// tokens; the values are otherwise those of [`tokens_by_line`].
fn tokens_batched(
    text: &str,
    lines: &Lines,
    tokenizer: &mut Tokenizer,
    all: &mut Vec<u64>,
    quoted: &mut Vec<u64>,
    starts: &mut Vec<usize>,
    view: &mut Vec<u8>,
) -> bool {
    // The byte range of the lines not tokenized yet, and the tokens they end at.
    let mut batch: Option<(usize, usize)> = None;
    let mut tokens = all.len();
    let flush = |batch: &mut Option<(usize, usize)>, tokenizer: &mut Tokenizer, all: &mut _| {
        if let Some((from, to)) = batch.take() {
            tokenizer.append_flagged_hashes(text.get(from..to).unwrap_or_default(), all);
        }
    };
    for span in &lines.spans {
        // The line's token count when it joins the batch (a line with other characters whose
        // ASCII view stands for it counts the view's tokens).
        let batched = if span.ascii {
            for &(from, to) in lines
                .quotes
                .get(span.quotes.0..span.quotes.1)
                .unwrap_or_default()
            {
                set_range(quoted, tokens + from..tokens + to);
            }
            Some(span.tokens)
        } else {
            let line = text.get(span.from..span.to).unwrap_or_default();
            ascii_view(line, view).then(|| ascii_quotes::<true>(view, quoted, tokens))
        };
        if let Some(n) = batched {
            let from = batch.map_or(span.from, |(from, _)| from);
            batch = Some((from, span.to));
            starts.push(tokens);
            tokens += n;
            continue;
        }
        flush(&mut batch, tokenizer, all);
        if all.len() != tokens {
            return false;
        }
        starts.push(all.len());
        let line = text.get(span.from..span.to).unwrap_or_default();
        tokens_with_quotes(line, tokenizer, all, quoted);
        tokens = all.len();
    }
    flush(&mut batch, tokenizer, all);
    starts.push(all.len());
    all.len() == tokens
}

/// [`tokens_batched`] line by line: the fast tokenizer for plain lines, [`tokens_with_quotes`]
/// for the others. The fallback of [`tokens_batched`] and its test oracle.
fn tokens_by_line(
    text: &str,
    spans: &[LineSpan],
    tokenizer: &mut Tokenizer,
    all: &mut Vec<u64>,
    quoted: &mut Vec<u64>,
    starts: &mut Vec<usize>,
) {
    for span in spans {
        let line = text.get(span.from..span.to).unwrap_or_default();
        starts.push(all.len());
        if span.plain {
            tokenizer.append_flagged_hashes(line, all);
        } else {
            tokens_with_quotes(line, tokenizer, all, quoted);
        }
    }
    starts.push(all.len());
}

/// The tokens of one `line` with any characters: hashes appended to `all`, and whether each is
/// inside quotation marks to the bit set `quoted` (bit `all.len()` for the next token).
fn tokens_with_quotes(
    line: &str,
    tokenizer: &mut Tokenizer,
    all: &mut Vec<u64>,
    quoted: &mut Vec<u64>,
) {
    // A quotation mark never stays open across a line break.
    let mut quotes = QuoteState::default();
    let mut last_end = 0usize;
    tokenizer.for_each(line, |t| {
        let from = last_end.min(t.start);
        if quotes.scan(line.get(from..t.end).unwrap_or_default()) {
            set_range(quoted, all.len()..all.len() + 1);
        }
        last_end = t.end;
        all.push(token_hash(t.text.as_bytes(), t.numeric));
    });
}

/// Whether each token of the ASCII `line` is inside quotation marks, as bits of `quoted` from bit
/// `first` on (set for quoted tokens; `quoted` grows as needed); returns how many tokens (runs of
/// letters, digits and apostrophes with a letter or digit).
///
/// The flags of [`tokens_with_quotes`] in one pass over the line, 64 bytes at a time: there, each
/// token's [`QuoteState::scan`] reads the line from the end of the token before up to the end of
/// this one, so the scans read the line in order, and a token's flag is the state at its first
/// letter or digit. (A scan looks at most one character past its end, which is there a
/// separator, as the blank it assumes there is.) Letters and digits, apostrophes and the other
/// quotation marks are found as bit masks ([`quote_masks`]); token starts are the letters and
/// digits not preceded, across apostrophes, by another; the state changes only at a quotation
/// mark or an apostrophe not between two letters or digits, visited one by one, and the tokens
/// before each are counted from the starts.
///
/// [`lines_of`] does the same for the ASCII lines of a whole text in its own pass; this one reads
/// the ASCII views of the others ([`ascii_view`]).
fn ascii_quotes<const VIEW: bool>(line: &[u8], quoted: &mut Vec<u64>, first: usize) -> usize {
    let mut inside = false;
    // Tokens before the current block, and where the open quotation started (a token number).
    let (mut tokens, mut open_from) = (first, first);
    // Whether the byte before the block is a letter or digit, and whether it continues a token
    // (a letter or digit, or an apostrophe after one, across apostrophes).
    let (mut prev_alnum, mut prev_tok) = (false, false);
    let mut pad = [0u8; 64];
    for base in (0..line.len()).step_by(64) {
        let (alnum, apos, marks) = quote_masks::<VIEW>(block_at(line, base, &mut pad));
        // Apostrophes reached from a letter or digit through apostrophes: the addition carries
        // a seed (an apostrophe right after one) through its run of apostrophes.
        let seeds = ((alnum << 1) | u64::from(prev_tok)) & apos;
        let reached = apos & (apos.wrapping_add(seeds) ^ apos);
        let cont = alnum | reached;
        let starts = alnum & !((cont << 1) | u64::from(prev_tok));
        let next_alnum = line.get(base + 64).is_some_and(u8::is_ascii_alphanumeric);
        let before = (alnum << 1) | u64::from(prev_alnum);
        let after = (alnum >> 1) | (u64::from(next_alnum) << 63);
        // An apostrophe between two letters or digits changes nothing.
        let mut events = marks | (apos & !(before & after));
        while events != 0 {
            let i = events.trailing_zeros();
            events &= events - 1;
            let (word_before, word_after) = (before >> i & 1 == 1, after >> i & 1 == 1);
            let at = tokens + (starts & ((1u64 << i) - 1)).count_ones() as usize;
            let c = line.get(base + i as usize).copied();
            let closes = !word_after && (word_before || c == Some(b'"'));
            if VIEW && c == Some(VIEW_OPEN) {
                if !inside {
                    (inside, open_from) = (true, at);
                }
            } else if VIEW && c == Some(VIEW_CLOSE) {
                if inside {
                    set_range(quoted, open_from..at);
                    inside = false;
                }
            } else if !word_before && word_after {
                if !inside {
                    (inside, open_from) = (true, at);
                }
            } else if closes && inside {
                set_range(quoted, open_from..at);
                inside = false;
            }
        }
        tokens += starts.count_ones() as usize;
        (prev_alnum, prev_tok) = (alnum >> 63 == 1, cont >> 63 == 1);
    }
    if inside {
        set_range(quoted, open_from..tokens);
    }
    tokens - first
}

/// The byte standing in an ASCII view of a line (see [`ascii_view`]) for an opening quotation
/// mark that opens whatever follows (“ „ «).
const VIEW_OPEN: u8 = 1;
/// The byte standing in an ASCII view of a line for a closing quotation mark that closes
/// whatever precedes (” »).
const VIEW_CLOSE: u8 = 2;

/// The ASCII byte that stands for the non-ASCII character `c` in an ASCII view of a line, or
/// `None` for a character the view does not cover.
///
/// Latin letters with diacritics (each one letter for the tokenizer and for [`QuoteState`])
/// become `a`; the curly single quotes (apostrophes for the tokenizer, single quotes for
/// [`QuoteState`]) become `'`; the curly and angled double quotes become [`VIEW_OPEN`] or
/// [`VIEW_CLOSE`]; a few common symbols and punctuation marks that split tokens and are no
/// quotation marks (no-break space, pound, copyright, registered, degree, dashes, ellipsis,
/// euro, bullet) become a blank. A test checks each against the tokenizer and [`QuoteState`].
#[inline]
fn view_byte(c: char) -> Option<u8> {
    match c {
        '\u{2018}' | '\u{2019}' => Some(b'\''),
        '\u{201C}' | '\u{201E}' | '\u{AB}' => Some(VIEW_OPEN),
        '\u{201D}' | '\u{BB}' => Some(VIEW_CLOSE),
        '\u{A0}' | '\u{A3}' | '\u{A9}' | '\u{AE}' | '\u{B0}' | '\u{2013}' | '\u{2014}'
        | '\u{2026}' | '\u{20AC}' | '\u{2022}' => Some(b' '),
        '\u{C0}'..='\u{17F}'
            if !matches!(c, '\u{D7}' | '\u{F7}' | '\u{13F}' | '\u{140}' | '\u{149}') =>
        {
            Some(b'a')
        }
        _ => None,
    }
}

/// Writes an ASCII view of `line` into `view` (cleared first): a line with the tokens and the
/// quotation marks of `line` for [`ascii_quotes`], which reads its quotation marks too
/// (`VIEW = true`). Returns false when the view cannot stand for the line: a character
/// [`view_byte`] does not cover, a NUL-like byte the view uses ([`VIEW_OPEN`], [`VIEW_CLOSE`]),
/// or a run of token bytes that the tokenizer splits into several tokens (at a dash, say) and
/// that holds a quotation mark or apostrophe.
///
/// Why the last: [`tokens_with_quotes`] gives every token of such a run the run's whole text,
/// so its later tokens see the run's quotation marks twice; without any, the state is the same
/// throughout the run, and the view gives the same flags.
///
/// ASCII bytes stand for themselves, and a run of ASCII token bytes is never split: the line is
/// copied in stretches up to the next non-ASCII or reserved byte ([`next_unviewed`]), and only
/// the runs of token bytes with a non-ASCII character are read character by character
/// ([`view_run`]).
fn ascii_view(line: &str, view: &mut Vec<u8>) -> bool {
    view.clear();
    let b = line.as_bytes();
    let mut done = 0;
    while let Some(at) = next_unviewed(b, done) {
        if b.get(at).is_some_and(u8::is_ascii) {
            return false;
        }
        // The run of token bytes holding the character starts after the last separator.
        let stretch = b.get(done..at).unwrap_or_default();
        let run = stretch
            .iter()
            .rposition(|&c| view_separator(c))
            .map_or(done, |p| done + p + 1);
        view.extend_from_slice(b.get(done..run).unwrap_or_default());
        match view_run(line, run, view) {
            Some(end) => done = end,
            None => return false,
        }
    }
    view.extend_from_slice(b.get(done..).unwrap_or_default());
    true
}

/// Whether the ASCII byte `c` ends a run of token bytes: neither a letter, a digit nor an
/// apostrophe (a non-ASCII byte never does).
#[inline]
fn view_separator(c: u8) -> bool {
    c < 0x80 && !c.is_ascii_alphanumeric() && c != b'\''
}

/// Where the first byte of `b` from `from` on that an ASCII view does not copy as it is: a
/// non-ASCII byte, [`VIEW_OPEN`] or [`VIEW_CLOSE`]. Eight bytes at a time.
#[inline]
fn next_unviewed(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let unviewed = |c: &u8| *c >= 0x80 || *c == VIEW_OPEN || *c == VIEW_CLOSE;
    let rest = b.get(from..).unwrap_or_default();
    let mut words = rest.chunks_exact(8);
    let mut at = from;
    for word in words.by_ref() {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let w = u64::from_le_bytes(w);
        // Some byte of 0x80 or over, or below 3 (NUL too, so the word is read again).
        if (w | (w.wrapping_sub(3 * ONES) & !w)) & HIGH != 0 {
            if let Some(p) = word.iter().position(unviewed) {
                return Some(at + p);
            }
        }
        at += 8;
    }
    words.remainder().iter().position(unviewed).map(|p| at + p)
}

/// Appends the view of the run of token bytes of `line` that starts at byte `start` (after a
/// separator or at the start of the line) to `view`, character by character; returns where the
/// run ends (at a separator or the end of the line), or `None` when the view cannot stand for
/// it (see [`ascii_view`]).
fn view_run(line: &str, start: usize, view: &mut Vec<u8>) -> Option<usize> {
    let b = line.as_bytes();
    // A letter or digit, a split after one, a letter or digit after a split (several tokens),
    // a quotation mark or apostrophe.
    let (mut alnum, mut split, mut several, mut quote) = (false, false, false, false);
    let mut i = start;
    while let Some(&c) = b.get(i) {
        let (v, len) = if c < 0x80 {
            if view_separator(c) {
                break;
            }
            (c, 1)
        } else {
            let ch = line.get(i..).and_then(|s| s.chars().next())?;
            (view_byte(ch)?, ch.len_utf8())
        };
        if v.is_ascii_alphanumeric() {
            several |= split;
            alnum = true;
        } else {
            quote |= v != b' ';
            split |= alnum && v != b'\'';
        }
        view.push(v);
        i += len;
    }
    (!(several && quote)).then_some(i)
}

/// Bit masks of a 64-byte block (bit i for byte i): ASCII letters and digits, apostrophes, and
/// the other ASCII quotation marks (double quotes, backticks; with `VIEW`, also [`VIEW_OPEN`]
/// and [`VIEW_CLOSE`]).
#[inline(always)]
fn quote_masks<const VIEW: bool>(block: &[u8; 64]) -> (u64, u64, u64) {
    let (mut alnum, mut apos, mut marks) = ([0u8; 64], [0u8; 64], [0u8; 64]);
    for (((a, p), m), &c) in alnum
        .iter_mut()
        .zip(apos.iter_mut())
        .zip(marks.iter_mut())
        .zip(block)
    {
        *a = u8::from(alnum_byte(c));
        *p = u8::from(c == b'\'');
        *m = u8::from((c == b'"') | (c == b'`') | (VIEW & (c.wrapping_sub(VIEW_OPEN) < 2)));
    }
    (pack_bits(&alnum), pack_bits(&apos), pack_bits(&marks))
}

/// The lines of `text` (split at `\n`) as byte ranges, written into `lines`, each with whether it
/// has no character that can open or close a quotation (see [`has_no_quotes`]) and whether it is
/// ASCII; an ASCII line also with its tokens and their quotations.
///
/// One pass, 64 bytes at a time: the byte classes are found by byte compares the compiler
/// vectorizes, packed into bit masks ([`line_masks`]). Whether a line is plain or ASCII is read
/// from the masks between its line breaks. The tokens and quotations are those of
/// [`ascii_quotes`] (without the view's marks) with the text's blocks in place of the line's:
/// the byte before a line and the one after it are line breaks, separators as the line's
/// padding is. Only line breaks, quotation marks and apostrophes not between two letters or
/// digits are visited one by one; in a line that turns out not to be ASCII, the quotations found
/// are dropped.
fn lines_of(text: &str, lines: &mut Lines) {
    let Lines { spans: out, quotes } = lines;
    out.clear();
    quotes.clear();
    let b = text.as_bytes();
    // The current line: where it starts, its first token, its first quotation in `quotes`,
    // whether it has a byte that can be a quotation mark or a non-ASCII byte before this block.
    let (mut from, mut first, mut first_quote) = (0usize, 0usize, 0usize);
    let (mut unplain_before, mut high_before) = (false, false);
    // An open quotation and the token it started at.
    let (mut inside, mut open_from) = (false, 0usize);
    // Tokens before the current block; whether the byte before it is a letter or digit, and
    // whether it continues a token (see `ascii_quotes`).
    let (mut tokens, mut prev_alnum, mut prev_tok) = (0usize, false, false);
    // NUL, which pads the last block, is a separator.
    let mut pad = [0u8; 64];
    for base in (0..b.len()).step_by(64) {
        let m = line_masks(block_at(b, base, &mut pad));
        let seeds = ((m.alnum << 1) | u64::from(prev_tok)) & m.apos;
        let reached = m.apos & (m.apos.wrapping_add(seeds) ^ m.apos);
        let cont = m.alnum | reached;
        let starts = m.alnum & !((cont << 1) | u64::from(prev_tok));
        let next_alnum = b.get(base + 64).is_some_and(u8::is_ascii_alphanumeric);
        let before = (m.alnum << 1) | u64::from(prev_alnum);
        let after = (m.alnum >> 1) | (u64::from(next_alnum) << 63);
        // Apostrophes that can open or close a quotation: not between two letters or digits.
        let loose = m.apos & !(before & after);
        let unplain = m.marks | m.high | loose;
        // The bits of the block in the current line.
        let mut live = u64::MAX;
        let mut events = m.breaks | m.marks | loose;
        while events != 0 {
            let i = events.trailing_zeros();
            events &= events - 1;
            let below = (1u64 << i) - 1;
            let at = tokens + (starts & below).count_ones() as usize;
            let (word_before, word_after) = (before >> i & 1 == 1, after >> i & 1 == 1);
            if m.breaks >> i & 1 == 1 {
                let ascii = !high_before && m.high & live & below == 0;
                let plain = !unplain_before && unplain & live & below == 0;
                let span = LineSpan {
                    from,
                    to: base + i as usize,
                    plain,
                    ascii,
                    tokens: at - first,
                    quotes: (first_quote, 0),
                };
                let open = std::mem::take(&mut inside).then(|| open_from - first);
                end_line(span, open, out, quotes);
                (from, first, first_quote) = (base + i as usize + 1, at, quotes.len());
                (unplain_before, high_before) = (false, false);
                live = !below << 1;
            } else if !word_before && word_after {
                if !inside {
                    (inside, open_from) = (true, at);
                }
            } else if inside
                && !word_after
                && (word_before || b.get(base + i as usize) == Some(&b'"'))
            {
                if open_from < at {
                    quotes.push((open_from - first, at - first));
                }
                inside = false;
            }
        }
        unplain_before |= unplain & live != 0;
        high_before |= m.high & live != 0;
        tokens += starts.count_ones() as usize;
        (prev_alnum, prev_tok) = (m.alnum >> 63 == 1, cont >> 63 == 1);
    }
    let span = LineSpan {
        from,
        to: b.len(),
        plain: !unplain_before,
        ascii: !high_before,
        tokens: tokens - first,
        quotes: (first_quote, 0),
    };
    end_line(span, inside.then(|| open_from - first), out, quotes);
}

/// Ends the line `span` of [`lines_of`], whose quotations are listed in `quotes` from
/// `span.quotes.0` on: closes the quotation still open at its end (`open`: the token it started
/// at), drops the quotations of a line that is not ASCII, and pushes the line to `out` with the
/// range of its quotations.
#[inline]
fn end_line(
    mut span: LineSpan,
    open: Option<usize>,
    out: &mut Vec<LineSpan>,
    quotes: &mut Vec<(usize, usize)>,
) {
    if let Some(from) = open.filter(|&from| from < span.tokens) {
        quotes.push((from, span.tokens));
    }
    if !span.ascii {
        quotes.truncate(span.quotes.0);
    }
    span.quotes.1 = quotes.len();
    out.push(span);
}

/// The byte classes of a 64-byte block for [`lines_of`], as bit masks (bit i for byte i).
struct LineMasks {
    /// Line breaks.
    breaks: u64,
    /// Non-ASCII bytes.
    high: u64,
    /// Double quotes and backticks.
    marks: u64,
    /// Apostrophes.
    apos: u64,
    /// ASCII letters and digits.
    alnum: u64,
}

/// The [`LineMasks`] of a 64-byte block.
///
/// The five classes are disjoint, so three bit planes of byte classes the compiler vectorizes
/// stand for them (fewer to pack, the costly part): letters and digits or double quotes and
/// backticks; apostrophes, double quotes, backticks or non-ASCII bytes; line breaks or non-ASCII
/// bytes. Each class is one combination of the three.
#[inline(always)]
fn line_masks(block: &[u8; 64]) -> LineMasks {
    let mut planes = [[0u8; 64]; 3];
    let [p0, p1, p2] = &mut planes;
    for (i, &c) in block.iter().enumerate() {
        let marks = (c == b'"') | (c == b'`');
        let high = c >= 0x80;
        p0[i] = u8::from(alnum_byte(c) | marks);
        p1[i] = u8::from((c == b'\'') | marks | high);
        p2[i] = u8::from((c == b'\n') | high);
    }
    let (p0, p1, p2) = (pack_bits(p0), pack_bits(p1), pack_bits(p2));
    LineMasks {
        breaks: p2 & !p1,
        high: p2 & p1,
        marks: p0 & p1,
        apos: p1 & !p0 & !p2,
        alnum: p0 & !p1,
    }
}

/// True when `line` has no character that can open or close a quotation: no double quote or
/// backtick, no non-ASCII character (typographic quotes), and only apostrophes between two letters
/// or digits.
///
/// The plain definition behind [`lines_of`], kept as its test oracle.
#[cfg(test)]
fn has_no_quotes(line: &str) -> bool {
    let b = line.as_bytes();
    let exact = |i: usize, c: u8| match c {
        b'"' | b'`' => false,
        b'\'' => {
            i > 0
                && b[i - 1].is_ascii_alphanumeric()
                && b.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric())
        }
        _ => c < 0x80,
    };
    b.iter().enumerate().all(|(i, &c)| exact(i, c))
}

/// Tracks whether the text is inside quotation marks, character by character.
///
/// Double quotes (straight, curly, guillemets) open before a word and close after one; single
/// quotes do the same, but one between two letters or digits is an apostrophe. A line break ends
/// any quotation, so an unbalanced mark never spreads past its paragraph.
#[derive(Debug, Clone, Copy, Default)]
struct QuoteState {
    inside: bool,
    prev: char,
}

impl QuoteState {
    /// Reads `segment` (the text since the previous token, up to the end of the next token) and
    /// returns whether that token starts inside quotation marks.
    fn scan(&mut self, segment: &str) -> bool {
        let mut at_token = None;
        // Characters that show nothing are not there (a decoded `&quot;`'s filler, a soft hyphen).
        let visible = |c: &char| !crate::normalize::is_ignorable(*c);
        let mut chars = segment.chars().filter(visible).peekable();
        while let Some(c) = chars.next() {
            let next = chars.peek().copied().unwrap_or(' ');
            let word_before = is_alnum(self.prev);
            let word_after = is_alnum(next);
            match c {
                '\n' => self.inside = false,
                '\u{201C}' | '\u{201E}' | '\u{00AB}' => self.inside = true,
                '\u{201D}' | '\u{00BB}' => self.inside = false,
                '"' | '\'' | '\u{2018}' | '\u{2019}' | '`' => {
                    if !word_before && word_after {
                        self.inside = true;
                    } else if !word_after && (word_before || c == '"') {
                        self.inside = false;
                    }
                }
                _ => {
                    if at_token.is_none() && is_alnum(c) {
                        at_token = Some(self.inside);
                    }
                }
            }
            self.prev = c;
        }
        at_token.unwrap_or(self.inside)
    }
}

#[cfg(test)]
impl FeatureExtractor {
    /// The word n-gram at each body position of the text extracted last, rolled from its body
    /// tokens exactly as [`FeatureExtractor::extract_into`] did (a test's oracle for
    /// `word_rank`).
    fn last_words(&self) -> Vec<u64> {
        let mut words = Vec::new();
        crate::shingle::ngrams(&self.body, self.word_n, self.word_seed, &mut |h| {
            words.push(h)
        });
        words
    }
}

impl Features {
    /// Bit i set when body token i is under the first occurrence of a kept (non-boilerplate)
    /// shingle of these features, computed on first use. A token under none is boilerplate, or
    /// inside a passage the text repeats (an image caption printed twice), which must not count
    /// twice against another text that has it once.
    fn covered_bits(&self) -> &[u64] {
        self.covered.0.get_or_init(|| {
            let n = self.tokens as usize;
            let mut bits = vec![0u64; n.div_ceil(64)];
            // As many word n-grams as the set holds means none repeats, and then, unfiltered,
            // they cover every token.
            let word_n = self.word_n.max(1) as usize;
            if !self.filtered && self.word_rank.len() == self.words.len() {
                bits.fill(!0);
                if !n.is_multiple_of(64) {
                    if let Some(last) = bits.last_mut() {
                        *last = (1 << (n % 64)) - 1;
                    }
                }
                return bits;
            }
            let mut diff = vec![0i32; n + 1];
            // The first occurrence of each shingle of a set.
            let first = |seen: &mut Vec<u64>, r: u32| {
                let (w, b) = (r as usize / 64, r % 64);
                match seen.get_mut(w) {
                    Some(word) if *word >> b & 1 == 0 => {
                        *word |= 1 << b;
                        true
                    }
                    _ => false,
                }
            };
            // Dropped elements count as seen: they cover nothing.
            let seen_from = |dropped: Option<&Vec<u64>>, len: usize| match dropped {
                Some(d) if !d.is_empty() => d.clone(),
                _ => vec![0u64; len.div_ceil(64)],
            };
            let dropped = self.dropped.as_deref();
            let mut seen = seen_from(dropped.map(|d| &d.words), self.words.len());
            self.word_rank.each(|i, r| {
                if first(&mut seen, r) {
                    diff[i] += 1;
                    diff[(i + word_n).min(n)] -= 1;
                }
            });
            let mut seen = seen_from(dropped.map(|d| &d.skeleton), self.skeleton.len());
            self.span_rank.each(|k, r| {
                if let Some(s) = self.skeleton_spans.get(k) {
                    if first(&mut seen, r) {
                        diff[(s.start as usize).min(n)] += 1;
                        diff[(s.end as usize).min(n)] -= 1;
                    }
                }
            });
            let mut c = 0;
            for (i, d) in diff[..n].iter().enumerate() {
                c += d;
                if c > 0 {
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
            bits
        })
    }

    /// The body tokens for alignment: tokens not covered (see `covered_bits`: boilerplate, or a
    /// repeat) become values unique to their position and `side`, so they never align.
    fn alignment_tokens(&self, side: u64) -> crate::align::Tokens {
        let covered = self.covered_bits();
        let hashes = self
            .body
            .iter()
            .enumerate()
            .map(|(i, &h)| {
                if bit(covered, i) {
                    u64::from(h)
                } else {
                    // The top bit keeps these apart from every body token (32 bits).
                    crate::shingle::fmix64(side ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
                        | 1 << 63
                }
            })
            .collect();
        crate::align::Tokens::from_hashes(hashes)
    }
}

/// Where in `large`'s body the first passage `small` shares with it starts, in tokens from the
/// body's start (the body's length when they share no kept shingle). A truncated copy shares its
/// source's opening; a page that carries the same paragraph among other material has it further
/// down. Counted in tokens, not as a share of the body: a source and a longer page that both open
/// with the paragraph (its first shingle dropped as frequent in both) are at the same token, and
/// a share would put the longer page nearer its start.
pub(crate) fn first_shared(small: &Features, large: &Features) -> usize {
    // Element r of `large`'s set is shared when `large` keeps it and `small` keeps it too (what
    // `Shared::of` marks), looked up in `small`'s kept elements: the scan stops at the first.
    let shared = |m: Marked, kept: &[u64], r: u32| {
        let r = r as usize;
        m.set
            .get(r)
            .is_some_and(|h| !m.is_dropped(r) && kept.binary_search(h).is_ok())
    };
    let (words, skeleton) = (small.words(), small.skeleton());
    let (large_words, large_skeleton) = (large.marked_words(), large.marked_skeleton());
    let word = large.word_rank.position(|r| shared(large_words, words, r));
    let mut first = word.unwrap_or(large.tokens as usize);
    large.span_rank.each(|k, r| {
        if let Some(s) = large.skeleton_spans.get(k) {
            let start = s.start as usize;
            if start < first && shared(large_skeleton, skeleton, r) {
                first = start;
            }
        }
    });
    first
}

/// The share of `small`'s covered tokens (those under a kept shingle) inside passages that
/// [`Aligner`](crate::align::Aligner) finds copied, in order, from `large`'s body, less the same
/// long-gap cost as [`Coverage::share`].
///
/// Word n-grams miss a copy whose every sentence was reworded a little (a paraphrase, a later
/// write-through): few 3-grams survive, but the words that do come in the same order, and the
/// aligner chains them (seeds of three words, then single words between seeds). Independent
/// reports of one event share names, numbers and quotations, but not long ordered chains of them.
///
/// # Examples
///
/// ```
/// use wirecopy::{align::Aligner, features::aligned_coverage, Config, FeatureExtractor};
/// let mut fx = FeatureExtractor::new(&Config::new());
/// let a = fx.extract("The council voted on Tuesday to close the old harbour bridge to heavy lorries.");
/// assert_eq!(aligned_coverage(&a, &a, &mut Aligner::new()), 1.0);
/// ```
pub fn aligned_coverage(
    small: &Features,
    large: &Features,
    aligner: &mut crate::align::Aligner,
) -> f64 {
    let covered = small.covered_bits();
    if covered.iter().all(|&w| w == 0) {
        return 0.0;
    }
    let al = aligner.align_tokens(
        &small.alignment_tokens(0x5EED_0001),
        &large.alignment_tokens(0x5EED_0002),
    );
    let mut inside = vec![0u64; covered.len()];
    for p in &al.passages {
        set_range(&mut inside, p.tokens_a.clone());
    }
    // Quotations weigh fully here (no quotation bits): an ordered chain through them is evidence
    // of a copy.
    tally_bits(covered, &inside, &[]).share()
}

/// A sorted set and the bits of its elements that boilerplate removal dropped (see `Dropped`).
#[derive(Debug, Clone, Copy)]
struct Marked<'a> {
    set: &'a [u64],
    dropped: Option<&'a [u64]>,
}

impl Marked<'_> {
    /// Whether element `i` is dropped.
    fn is_dropped(self, i: usize) -> bool {
        self.dropped.is_some_and(|d| bit(d, i))
    }

    /// The kept bits of the eight elements from `i` (a multiple of 8, so inside one word).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    fn kept8(self, i: usize) -> u8 {
        match self.dropped {
            Some(d) => !(d.get(i / 64).copied().unwrap_or(0) >> (i % 64)) as u8,
            None => u8::MAX,
        }
    }
}

/// Which elements two sorted sets share (an element dropped on either side is not shared): the
/// count, and a bit set over each set's indices.
fn shared_bits(a: Marked, b: Marked) -> (usize, Vec<u64>, Vec<u64>) {
    shared_bits_in::<true>(a, b)
}

/// [`shared_bits`], with `BLOCKS` false element by element only (the portable path, which
/// tests compare with the block merge).
fn shared_bits_in<const BLOCKS: bool>(a: Marked, b: Marked) -> (usize, Vec<u64>, Vec<u64>) {
    let (a_set, b_set) = (a.set, b.set);
    let mut in_a = vec![0u64; a_set.len().div_ceil(64)];
    let mut in_b = vec![0u64; b_set.len().div_ceil(64)];
    let (short, long) = (a_set.len().min(b_set.len()), a_set.len().max(b_set.len()));
    // The (a, b) indices of the shared elements not yet marked, the first from `(i, j)`.
    let (at, (i, j)) = if long > GALLOP_RATIO * short {
        if a_set.len() <= b_set.len() {
            (galloping_matches(a_set, b_set), (0, 0))
        } else {
            let mut at = galloping_matches(b_set, a_set);
            at.iter_mut().for_each(|p| *p = (p.1, p.0));
            (at, (0, 0))
        }
    } else {
        // Whole blocks first (where the CPU has them), then the rest element by element.
        let (i, j) = if BLOCKS {
            merged_blocks(a, b, &mut in_a, &mut in_b)
        } else {
            (0, 0)
        };
        (
            merged_matches(
                a_set.get(i..).unwrap_or_default(),
                b_set.get(j..).unwrap_or_default(),
            ),
            (i, j),
        )
    };
    for &(x, y) in &at {
        let (x, y) = (i + x as usize, j + y as usize);
        if a.is_dropped(x) || b.is_dropped(y) {
            continue;
        }
        if let (Some(wa), Some(wb)) = (in_a.get_mut(x / 64), in_b.get_mut(y / 64)) {
            *wa |= 1 << (x % 64);
            *wb |= 1 << (y % 64);
        }
    }
    let count: u32 = in_a.iter().map(|w| w.count_ones()).sum();
    (count as usize, in_a, in_b)
}

/// Sets this many times larger than the other are searched (see [`galloping_matches`]) rather
/// than merged.
const GALLOP_RATIO: usize = 8;

/// The index pairs of the elements two sorted sets share, by a merge without a branch on the
/// data: each step writes both heads' indices, keeps them when the heads are equal, and moves past
/// the smaller head (both when equal).
fn merged_matches(a: &[u64], b: &[u64]) -> Vec<(u32, u32)> {
    let mut at = vec![(0u32, 0u32); a.len().min(b.len())];
    let (mut i, mut j, mut k) = (0, 0, 0);
    while let (Some(&x), Some(&y), Some(slot)) = (a.get(i), b.get(j), at.get_mut(k)) {
        *slot = (i as u32, j as u32);
        k += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    at.truncate(k);
    at
}

/// Marks in `in_a` and `in_b` the elements of sorted sets `a` and `b` that both share and both
/// keep (see [`shared_bits`]), eight against eight at a time, while both sides have eight left;
/// the indices it stopped at, past which the rest is still to merge (no element before them
/// shares a value with one after them on the other side). `(0, 0)` without AVX-512.
fn merged_blocks(a: Marked, b: Marked, in_a: &mut [u64], in_b: &mut [u64]) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if crate::normalize::has_avx512() {
        // SAFETY: the CPU has the features `merged_blocks_avx512` is compiled for.
        #[allow(unsafe_code)]
        return unsafe { merged_blocks_avx512(a, b, in_a, in_b) };
    }
    let _ = (a, b, in_a, in_b);
    (0, 0)
}

/// [`merged_blocks`] with AVX-512: each step compares a block of eight elements of `a` with the
/// eight rotations of a block of `b` (every pair of the 64, in eight compares), marks the equal
/// ones on both sides, and moves past the block with the smaller last element (both when equal):
/// sorted sets share no value between a passed block and anything after the other's block.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn merged_blocks_avx512(
    a: Marked,
    b: Marked,
    in_a: &mut [u64],
    in_b: &mut [u64],
) -> (usize, usize) {
    use std::arch::x86_64::{
        __m512i, _mm512_alignr_epi64, _mm512_cmpeq_epu64_mask, _mm512_loadu_si512,
    };
    let load = |block: &[u64; 8]| -> __m512i {
        // SAFETY: `block` is 64 readable bytes, what the unaligned load reads.
        #[allow(unsafe_code)]
        unsafe {
            _mm512_loadu_si512(block.as_ptr().cast())
        }
    };
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.set.get(i..i + 8), b.set.get(j..j + 8)) {
        let (Ok(x), Ok(y)) = (<&[u64; 8]>::try_from(x), <&[u64; 8]>::try_from(y)) else {
            break;
        };
        let (va, vb) = (load(x), load(y));
        let (ka, kb) = (a.kept8(i), b.kept8(j));
        // Rotation r: lane k of `a`'s block against lane (k + r) % 8 of `b`'s.
        let (mut ma, mut mb) = (0u8, 0u8);
        macro_rules! rotation {
            ($r:literal) => {
                let m = _mm512_cmpeq_epu64_mask(va, _mm512_alignr_epi64::<$r>(vb, vb))
                    & ka
                    & kb.rotate_right($r);
                ma |= m;
                mb |= m.rotate_left($r);
            };
        }
        rotation!(0);
        rotation!(1);
        rotation!(2);
        rotation!(3);
        rotation!(4);
        rotation!(5);
        rotation!(6);
        rotation!(7);
        if let (Some(wa), Some(wb)) = (in_a.get_mut(i / 64), in_b.get_mut(j / 64)) {
            *wa |= u64::from(ma) << (i % 64);
            *wb |= u64::from(mb) << (j % 64);
        }
        let (last_a, last_b) = (x[7], y[7]);
        i += 8 * usize::from(last_a <= last_b);
        j += 8 * usize::from(last_b <= last_a);
    }
    (i, j)
}

/// The index pairs of the elements a `small` sorted set shares with a much larger one: each
/// element of `small` is searched in the rest of `large` (doubling steps, then a binary search),
/// in O(s log(l / s)).
fn galloping_matches(small: &[u64], large: &[u64]) -> Vec<(u32, u32)> {
    let mut at = Vec::new();
    let mut from = 0;
    for (i, &x) in small.iter().enumerate() {
        let rest = large.get(from..).unwrap_or_default();
        let mut end = 1;
        while end < rest.len() && rest[end - 1] < x {
            end *= 2;
        }
        match rest[..end.min(rest.len())].binary_search(&x) {
            Ok(k) => {
                at.push((i as u32, (from + k) as u32));
                from += k + 1;
            }
            Err(k) => from += k,
        }
    }
    at
}

/// The shingles two feature sets share: how many, and which of each side's.
#[derive(Debug)]
struct Shared {
    /// Shared word n-grams.
    words: usize,
    /// Shared skeleton n-grams.
    skeleton: usize,
    /// Which of the first text's shingles are shared.
    a: SharedSide,
    /// Which of the second text's shingles are shared.
    b: SharedSide,
}

/// Bit i of `words` (`skeleton`) set when element i of one text's word (skeleton) set is shared.
#[derive(Debug)]
struct SharedSide {
    words: Vec<u64>,
    skeleton: Vec<u64>,
}

impl Shared {
    fn of(a: &Features, b: &Features) -> Shared {
        let (words, a_words, b_words) = shared_bits(a.marked_words(), b.marked_words());
        let (skeleton, a_skeleton, b_skeleton) =
            shared_bits(a.marked_skeleton(), b.marked_skeleton());
        Shared {
            words,
            skeleton,
            a: SharedSide {
                words: a_words,
                skeleton: a_skeleton,
            },
            b: SharedSide {
                words: b_words,
                skeleton: b_skeleton,
            },
        }
    }

    /// The side of `f`, which is `a` (the first text) or the second.
    fn side(&self, f: &Features, a: &Features) -> &SharedSide {
        if std::ptr::eq(f, a) {
            &self.a
        } else {
            &self.b
        }
    }
}

/// Builds a [`Coverage`] token by token, in text order, over the covered tokens of a text: what
/// [`tally_bits`] computes word by word, kept as the tests' oracle.
#[cfg(test)]
#[derive(Debug, Default)]
struct Tally {
    coverage: Coverage,
    run: usize,
    gap: usize,
}

#[cfg(test)]
impl Tally {
    /// One more covered token: `matched` by the other text or not, inside quotation marks or not.
    fn token(&mut self, matched: bool, quoted: bool) {
        let c = &mut self.coverage;
        c.covered += 1;
        c.quoted_covered += usize::from(quoted);
        if matched {
            c.matched += 1;
            c.quoted_matched += usize::from(quoted);
            self.run += 1;
            c.longest_run = c.longest_run.max(self.run);
            self.gap = 0;
        } else {
            self.run = 0;
            self.gap += 1;
            c.longest_gap = c.longest_gap.max(self.gap);
        }
    }
}

/// The share of `small`'s covered tokens that lie under a shingle `large` also has.
///
/// # Complexity
///
/// O(s log l) for s shingles in `small` and l in `large`, plus O(tokens of `small`).
///
/// # Examples
///
/// ```
/// use wirecopy::{features::coverage, Config, FeatureExtractor};
/// let mut fx = FeatureExtractor::new(&Config::new());
/// let head = "The council voted on Tuesday to close the old harbour bridge to heavy lorries.";
/// let tail = "Engineers will inspect its steel frame over the summer and report in the autumn.";
/// let long = fx.extract(&format!("{head} {tail}"));
/// let head = fx.extract(head);
/// assert_eq!(coverage(&head, &long), 1.0);
/// assert!(coverage(&long, &head) < 0.7);
/// ```
pub fn coverage(small: &Features, large: &Features) -> f64 {
    Coverage::of(small, large).share()
}

/// How much of a text another text covers, token by token (see [`coverage`]).
///
/// # Examples
///
/// ```
/// use wirecopy::{features::Coverage, Config, FeatureExtractor};
/// let mut fx = FeatureExtractor::new(&Config::new());
/// let a = fx.extract("The council voted on Tuesday to close the old harbour bridge to heavy lorries.");
/// let c = Coverage::of(&a, &a);
/// assert_eq!(c.matched, c.covered);
/// assert_eq!(c.longest_run, c.covered);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Coverage {
    /// Tokens of the smaller text under any of its (non-boilerplate) shingles.
    pub covered: usize,
    /// Of those, tokens under a shingle the larger text also has.
    pub matched: usize,
    /// The longest run of consecutive matched tokens.
    pub longest_run: usize,
    /// The longest run of consecutive covered tokens that are not matched.
    pub longest_gap: usize,
    /// Of the covered tokens, those inside quotation marks.
    pub quoted_covered: usize,
    /// Of the matched tokens, those inside quotation marks.
    pub quoted_matched: usize,
}

impl Coverage {
    /// The coverage of `small` by `large`.
    ///
    /// # Complexity
    ///
    /// O(s log l) for s shingles in `small` and l in `large`, plus O(tokens of `small`).
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::{features::Coverage, Features};
    /// assert_eq!(Coverage::of(&Features::default(), &Features::default()).share(), 0.0);
    /// ```
    pub fn of(small: &Features, large: &Features) -> Coverage {
        let shared = Shared::of(small, large);
        Coverage::with(small, &shared, &shared.a)
    }

    /// [`Coverage::of`] from what `small` shares with the larger text: `shared`, and `side`,
    /// which of `small`'s own shingles those are.
    fn with(small: &Features, shared: &Shared, side: &SharedSide) -> Coverage {
        let n = small.tokens as usize;
        if n == 0 {
            return Coverage::default();
        }
        // The tokens under a shared shingle, as bits.
        let mut matched = vec![0u64; n.div_ceil(64)];
        let word_n = small.word_n as usize;
        if !small.filtered && word_n >= 1 && shared.words > 0 && shared.words == small.word_count()
        {
            // Every word n-gram is shared: together they cover every token.
            set_range(&mut matched, 0..n);
        } else if shared.words > 0 {
            // Where a shared n-gram starts, then each start spread over its n tokens.
            let mut starts = vec![0u64; matched.len()];
            small.word_rank.bits_into(&side.words, &mut starts);
            for k in 0..word_n {
                or_shifted(&mut matched, &starts, k);
            }
        }
        if shared.skeleton > 0 {
            // Which spans are shared, then those only; they come in text order and overlap
            // their neighbours, so each stretch of them is set at once.
            let mut shared_spans = vec![0u64; small.span_rank.len().div_ceil(64)];
            small.span_rank.bits_into(&side.skeleton, &mut shared_spans);
            let mut stretch = 0..0;
            for (w, &word) in shared_spans.iter().enumerate() {
                let mut word = word;
                while word != 0 {
                    let k = 64 * w + word.trailing_zeros() as usize;
                    word &= word - 1;
                    let Some(span) = small.skeleton_spans.get(k) else {
                        continue;
                    };
                    let (start, end) = (span.start as usize, (span.end as usize).min(n));
                    if stretch.start <= start && start <= stretch.end {
                        stretch.end = stretch.end.max(end);
                    } else {
                        set_range(&mut matched, std::mem::replace(&mut stretch, start..end));
                    }
                }
            }
            set_range(&mut matched, stretch);
        }
        tally_bits(small.covered_bits(), &matched, &small.quoted)
    }

    /// `matched / covered`, quoted tokens weighing [`QUOTE_WEIGHT`], less `(longest_gap −
    /// GAP_ALLOWANCE) / covered` when the longest unmatched stretch exceeds [`GAP_ALLOWANCE`]; 0
    /// when nothing is covered (never below 0).
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::features::Coverage;
    /// let c = Coverage { covered: 4, matched: 3, longest_run: 3, longest_gap: 1, ..Coverage::default() };
    /// assert_eq!(c.share(), 0.75);
    /// // Two of the four covered tokens are quoted, and those are the two matched ones.
    /// let q = Coverage { covered: 4, matched: 2, quoted_covered: 2, quoted_matched: 2, longest_run: 2, longest_gap: 2 };
    /// assert!((q.share() - 0.2).abs() < 1e-12);
    /// // Half of 200 tokens matched, but the other half is one stretch of 100: 60 beyond the allowance.
    /// let p = Coverage { covered: 200, matched: 100, longest_run: 100, longest_gap: 100, ..Coverage::default() };
    /// assert!((p.share() - 0.2).abs() < 1e-12);
    /// ```
    pub fn share(&self) -> f64 {
        let weigh =
            |all: usize, quoted: usize| (all - quoted) as f64 + QUOTE_WEIGHT * quoted as f64;
        let covered = weigh(self.covered, self.quoted_covered);
        if covered == 0.0 {
            0.0
        } else {
            let excess = self.longest_gap.saturating_sub(GAP_ALLOWANCE) as f64;
            (weigh(self.matched, self.quoted_matched) / covered - excess / self.covered as f64)
                .max(0.0)
        }
    }
}

/// The verified similarity of two documents, with the exact scores behind it.
///
/// # Examples
///
/// ```
/// let mut fx = wirecopy::FeatureExtractor::new(&wirecopy::Config::new());
/// let a = fx.extract("A long enough sentence about the port strike that began on Monday morning.");
/// let s = wirecopy::Similarity::between(&a, &a);
/// assert_eq!(s.score, 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Similarity {
    /// The score the threshold is compared with: the coverage of the smaller text by the larger
    /// (see [`coverage`]), or 0 when their shingle sets barely overlap.
    pub score: f64,
    /// Exact scores on word n-grams.
    pub words: Scores,
    /// Exact scores on skeleton n-grams.
    pub skeleton: Scores,
    /// The [`aligned_coverage`] of the smaller text, when it was computed (see
    /// [`Similarity::verified`]); `score` is then the larger of the two.
    pub aligned: Option<f64>,
}

/// `score(smaller, larger)` for the pair, the smaller being the one with fewer shingles; both ways
/// (keeping the larger) when they have as many.
fn smaller_by_larger(
    a: &Features,
    b: &Features,
    mut score: impl FnMut(&Features, &Features) -> f64,
) -> f64 {
    match a.size().cmp(&b.size()) {
        std::cmp::Ordering::Less => score(a, b),
        std::cmp::Ordering::Greater => score(b, a),
        std::cmp::Ordering::Equal => score(a, b).max(score(b, a)),
    }
}

/// A pair whose coverage score reaches this share of the threshold, but not the threshold, is
/// aligned for a second opinion (see [`Similarity::verified`]).
///
/// Word and skeleton shingles both break where a copy's words are misread or swapped, so a copy
/// with two words in five damaged (heavy OCR noise) may keep under a third of its shingles while
/// its words still line up in order. From 0.6 (the [`NEAR_MISS`] level) down to 0.4, a probe with
/// character-level OCR noise (`benches/probes/ocr_chars.py`) found 52 instead of 44 of its 64
/// copies at 10% of characters misread; dev, reprints-dev and the other probes gave the same
/// clusters, for about 210 more alignments on dev (440 in all, of 7,200 verified pairs).
pub const ALIGN_FROM: f64 = 0.4;
/// A pair whose coverage score reaches this share of the threshold is a near miss: versions of one
/// story join when every pair across them is one (see [`Detector::clusters`](crate::Detector::clusters)).
pub const NEAR_MISS: f64 = 0.6;
/// How far above the threshold the aligned coverage of a near miss must reach to make it a copy.
///
/// Alignment finds reworded copies that shingles miss (write-throughs, sentence-by-sentence
/// paraphrases), but also the ordered shared facts of two write-ups of one press release; the
/// margin keeps the latter out (on the dev corpus, a margin of 0 merged pairs of related BBC
/// stories; 0.1 merged none).
pub const ALIGN_MARGIN: f64 = 0.1;
/// Bodies longer than this many tokens (about 120 KB of text) get no second opinion: chaining
/// seed runs is quadratic in their number, and news articles are far shorter.
pub const ALIGN_MAX_TOKENS: usize = 20_000;

/// Two texts whose sizes (shingle counts) are within this ratio are each scored against the other
/// when the smaller one's coverage misses the threshold (see [`Similarity::verified`]).
pub const NEAR_EQUAL_SIZE: f64 = 0.9;

/// Pairs whose word and skeleton containments are both below this are not scored further.
pub const MIN_CONTAINMENT: f64 = 0.1;

impl Similarity {
    /// The similarity of two feature sets: the coverage of the smaller by the larger (both ways
    /// when they are the same size, keeping the larger), if either containment reaches
    /// [`MIN_CONTAINMENT`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut fx = wirecopy::FeatureExtractor::new(&wirecopy::Config::new());
    /// let a = fx.extract("one two three four five six seven eight nine ten");
    /// let b = fx.extract("one two three four five six seven");
    /// let s = wirecopy::Similarity::between(&a, &b);
    /// assert_eq!(s.words.containment, 1.0);
    /// assert_eq!(s.score, 1.0);
    /// ```
    pub fn between(a: &Features, b: &Features) -> Similarity {
        Similarity::with(a, b, &Shared::of(a, b))
    }

    /// [`Similarity::between`] from the shingles `a` and `b` share.
    fn with(a: &Features, b: &Features, shared: &Shared) -> Similarity {
        let words = Scores::from_counts(shared.words, a.word_count(), b.word_count());
        let skeleton = Scores::from_counts(shared.skeleton, a.skeleton_count(), b.skeleton_count());
        let mut sim = Similarity {
            score: 0.0,
            words,
            skeleton,
            aligned: None,
        };
        if sim.overlaps() {
            sim.score = smaller_by_larger(a, b, |s, _| {
                Coverage::with(s, shared, shared.side(s, a)).share()
            });
        }
        sim
    }

    /// Whether the word or skeleton containment reaches [`MIN_CONTAINMENT`], below which a pair is
    /// not scored.
    fn overlaps(&self) -> bool {
        self.words.containment.max(self.skeleton.containment) >= MIN_CONTAINMENT
    }

    /// [`Similarity::between`], with two more chances for a pair below `threshold`. When the two
    /// texts are about the same size (the smaller at least [`NEAR_EQUAL_SIZE`] of the larger),
    /// the larger's coverage by the smaller counts too (the larger of the two). Then, for a score
    /// of at least [`ALIGN_FROM`] × `threshold`, the [`aligned_coverage`] of the smaller text is
    /// computed, and when it reaches `threshold` + [`ALIGN_MARGIN`] it becomes the
    /// score (not for bodies over [`ALIGN_MAX_TOKENS`] tokens).
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::{align::Aligner, Config, FeatureExtractor, Similarity};
    /// let mut fx = FeatureExtractor::new(&Config::new());
    /// let a = fx.extract("The council voted on Tuesday to close the old harbour bridge to heavy lorries.");
    /// let s = Similarity::verified(&a, &a, 0.5, &mut Aligner::new());
    /// assert_eq!(s.score, 1.0);
    /// assert_eq!(s.aligned, None); // no need for a second opinion
    /// ```
    pub fn verified(
        a: &Features,
        b: &Features,
        threshold: f64,
        aligner: &mut crate::align::Aligner,
    ) -> Similarity {
        let shared = Shared::of(a, b);
        let mut sim = Similarity::with(a, b, &shared);
        // Of two texts of about the same size, either may be the copy: a write-through that added
        // an intro and lost its end is not reliably the smaller one. (`between` scored the
        // smaller, and both ways when the sizes are equal.)
        let (s, l) = if a.size() < b.size() { (a, b) } else { (b, a) };
        if sim.score < threshold
            && sim.overlaps()
            && s.size() < l.size()
            && s.size() as f64 >= NEAR_EQUAL_SIZE * l.size() as f64
        {
            sim.score = sim
                .score
                .max(Coverage::with(l, &shared, shared.side(l, a)).share());
        }
        if sim.score < threshold
            && sim.score >= ALIGN_FROM * threshold
            && a.tokens.max(b.tokens) as usize <= ALIGN_MAX_TOKENS
        {
            let aligned = smaller_by_larger(a, b, |s, l| aligned_coverage(s, l, aligner));
            sim.aligned = Some(aligned);
            if aligned >= threshold + ALIGN_MARGIN {
                sim.score = aligned;
            }
        }
        sim
    }

    /// The larger of the word and skeleton Jaccard similarities (a tie-breaker between equally
    /// covered neighbours).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::Similarity::default().resemblance(), 0.0);
    /// ```
    pub fn resemblance(&self) -> f64 {
        self.words.jaccard.max(self.skeleton.jaccard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    /// The words `{tag}{i}` for `i` in `r`, joined by spaces: distinct words for synthetic texts.
    /// `count` of `pieces` chosen by a seeded sequence that `state` carries on.
    fn pieced(pieces: &[&str], count: usize, state: &mut u64) -> String {
        let mut text = String::new();
        for _ in 0..count {
            *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            text.push_str(pieces[(crate::shingle::fmix64(*state) % pieces.len() as u64) as usize]);
        }
        text
    }

    fn tagged(r: std::ops::Range<usize>, tag: &str) -> String {
        r.map(|i| format!("{tag}{i}")).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn lines_match_split_has_no_quotes_and_tokens() {
        let pieces = [
            "word",
            " ",
            "\n",
            "don't",
            "'x'",
            "\"",
            "`",
            "caf\u{e9}",
            "\u{201C}",
            "a'",
            "'b",
            "\n\n",
            "x",
            "2024",
            "  ",
            "\u{2019}",
            "it's",
            "\u{2014}",
            "\u{A3}5",
            "Jos\u{e9}",
            "\u{201D}",
            "\u{AB}",
            "\u{BB}",
            "\u{201E}",
            "\u{2018}",
            "\u{a9}",
            "\u{2013}x",
            "\u{13F}",
            "\u{1}",
        ];
        let mut state = 3u64;
        let (mut lines, mut tokens) = (Lines::default(), Vec::new());
        for len in 0..4000 {
            let text = pieced(&pieces, len % 150, &mut state);
            lines_of(&text, &mut lines);
            let spans = &lines.spans;
            let got: Vec<(&str, bool)> = spans
                .iter()
                .map(|l| (&text[l.from..l.to], l.plain))
                .collect();
            for l in spans {
                assert_eq!(l.ascii, text[l.from..l.to].is_ascii());
            }
            // Batched tokens equal tokens line by line.
            let mut tz = Tokenizer::new();
            let mut by_line = (Vec::new(), Vec::new(), Vec::new());
            let (a, q, l) = &mut by_line;
            tokens_by_line(&text, spans, &mut tz, a, q, l);
            let mut batched = (Vec::new(), Vec::new(), Vec::new());
            let (a, q, l) = &mut batched;
            assert!(
                tokens_batched(&text, &lines, &mut tz, a, q, l, &mut Vec::new()),
                "{text:?}"
            );
            // Bit sets compare as flags (trailing zero words do not count).
            let flags = |q: &[u64], n: usize| (0..n).map(|i| bit(q, i)).collect::<Vec<_>>();
            assert_eq!(batched.0, by_line.0, "{text:?}");
            assert_eq!(batched.2, by_line.2, "{text:?}");
            let n = by_line.0.len();
            assert_eq!(flags(&batched.1, n), flags(&by_line.1, n), "{text:?}");
            assert!(batched.1.len() <= n.div_ceil(64) && by_line.1.len() <= n.div_ceil(64));
            // The tokens and quotations of ASCII lines equal those of the byte pass, and so do
            // those of the mask pass over one line; other lines have no quotations listed.
            for l in spans {
                let listed = &lines.quotes[l.quotes.0..l.quotes.1];
                if !l.ascii {
                    assert!(listed.is_empty());
                    continue;
                }
                let line = &text.as_bytes()[l.from..l.to];
                let mut want = Vec::new();
                let count = ascii_quotes_bytes(line, &mut want);
                assert_eq!(l.tokens, count, "{line:?}");
                let mut got = Vec::new();
                for &(from, to) in listed {
                    assert!(from < to && to <= count, "{line:?}");
                    set_range(&mut got, from..to);
                }
                assert_eq!(flags(&got, count), want, "{line:?}");
                for first in [0, 5, 64, 130] {
                    let mut got = Vec::new();
                    assert_eq!(
                        ascii_quotes::<false>(line, &mut got, first),
                        count,
                        "{line:?}"
                    );
                    assert_eq!(
                        flags(&got, first + count),
                        [vec![false; first], want.clone()].concat()
                    );
                }
                if l.plain {
                    tokens.clear();
                    Tokenizer::new().flagged_hashes_into(&text[l.from..l.to], &mut tokens);
                    assert_eq!(tokens.len(), count, "{line:?}");
                }
            }
            let want: Vec<(&str, bool)> = text.split('\n').map(|l| (l, has_no_quotes(l))).collect();
            assert_eq!(got, want, "{text:?}");
        }
    }

    /// [`ascii_quotes`] byte by byte (the code it replaced), its test oracle: whether each token of the ASCII `line` is
    /// inside quotation marks, appended to `out`; returns how many tokens (runs of letters, digits and apostrophes with a letter or digit).
    ///
    /// The flags of [`tokens_with_quotes`] in one pass over the bytes: there, each token's
    /// [`QuoteState::scan`] reads the line from the end of the token before up to the end of this
    /// one, so the scans read the line in order, and a token's flag is the state at its first letter
    /// or digit. (A scan looks at most one character past its end, which is there a separator, as
    /// the blank it assumes there is.)
    fn ascii_quotes_bytes(line: &[u8], out: &mut Vec<bool>) -> usize {
        let (mut inside, mut prev_alnum, mut counted) = (false, false, false);
        let mut tokens = 0;
        for (i, &c) in line.iter().enumerate() {
            let alnum = c.is_ascii_alphanumeric();
            if alnum {
                if !counted {
                    out.push(inside);
                    tokens += 1;
                    counted = true;
                }
            } else if matches!(c, b'"' | b'\'' | b'`') {
                let next_alnum = line.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
                if !prev_alnum && next_alnum {
                    inside = true;
                } else if !next_alnum && (prev_alnum || c == b'"') {
                    inside = false;
                }
                // An apostrophe does not end a run.
                counted &= c == b'\'';
            } else {
                counted = false;
            }
            prev_alnum = alnum;
        }
        tokens
    }

    /// [`ascii_view`] byte by byte (the code it replaced), its test oracle.
    fn ascii_view_bytes(line: &str, view: &mut Vec<u8>) -> bool {
        view.clear();
        let b = line.as_bytes();
        // In the current run of token bytes: a letter or digit, a split after one, a letter or digit
        // after a split (several tokens), a quotation mark or apostrophe.
        let (mut alnum, mut split, mut several, mut quote) = (false, false, false, false);
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            let (v, len) = if c < 0x80 {
                if c == VIEW_OPEN || c == VIEW_CLOSE {
                    return false;
                }
                (c, 1)
            } else {
                let Some(ch) = line.get(i..).and_then(|s| s.chars().next()) else {
                    return false;
                };
                let Some(v) = view_byte(ch) else {
                    return false;
                };
                (v, ch.len_utf8())
            };
            if c < 0x80 && !c.is_ascii_alphanumeric() && c != b'\'' {
                // A separator ends the run.
                if several && quote {
                    return false;
                }
                (alnum, split, several, quote) = (false, false, false, false);
            } else if v.is_ascii_alphanumeric() {
                several |= split;
                alnum = true;
            } else {
                quote |= v != b' ';
                split |= alnum && v != b'\'';
            }
            view.push(v);
            i += len;
        }
        !(several && quote)
    }

    #[test]
    fn ascii_view_matches_the_byte_pass() {
        let pieces = [
            "word",
            " ",
            "don't",
            "'",
            "\"",
            "`",
            "caf\u{e9}",
            "\u{201C}",
            "\u{201D}",
            "x",
            "2",
            "-",
            "\u{2019}",
            "\u{2018}",
            "\u{2014}",
            "\u{A3}",
            "\u{AB}",
            "\u{BB}",
            "\u{1}",
            "\u{2}",
            "\u{0}",
            "\u{13F}",
            "\u{D7}",
            "\u{1F600}",
            "\u{e9}\u{e9}",
            "abcdefgh",
        ];
        let mut state = 7u64;
        let (mut got, mut want) = (Vec::new(), Vec::new());
        for len in 0..20000 {
            let line = pieced(&pieces, len % 40, &mut state);
            let ok = ascii_view_bytes(&line, &mut want);
            assert_eq!(ascii_view(&line, &mut got), ok, "{line:?}");
            if ok {
                assert_eq!(got, want, "{line:?}");
            }
        }
    }

    #[test]
    fn view_bytes_match_the_tokenizer_and_quote_state() {
        let mut tz = Tokenizer::new();
        let mut count = |s: &str| {
            let mut n = 0;
            tz.for_each(s, |_| n += 1);
            n
        };
        for c in (0x80..0x3000u32).filter_map(char::from_u32) {
            let Some(v) = view_byte(c) else { continue };
            let (alone, between) = (count(&c.to_string()), count(&format!("x{c}y")));
            let quote_mark = matches!(
                c,
                '\u{201C}'
                    | '\u{201E}'
                    | '\u{AB}'
                    | '\u{201D}'
                    | '\u{BB}'
                    | '\u{2018}'
                    | '\u{2019}'
            );
            match v {
                b'a' => assert!((alone, between, c.is_alphanumeric()) == (1, 1, true), "{c}"),
                b'\'' => assert!((alone, between, quote_mark) == (0, 1, true), "{c}"),
                b' ' | VIEW_OPEN | VIEW_CLOSE => {
                    assert!(
                        (alone, between, c.is_alphanumeric()) == (0, 2, false),
                        "{c}"
                    );
                    assert_eq!(quote_mark, v != b' ', "{c}");
                }
                _ => panic!("{c}"),
            }
        }
    }

    #[test]
    fn ascii_quotes_match_the_byte_pass() {
        // Long lines of letters, digits, apostrophes, quotation marks and separators: block
        // boundaries fall anywhere, inside runs of apostrophes and next to quotation marks.
        let alphabet = b"aZ9'''\"` .,-";
        let mut state = 5u64;
        for len in 0..3000 {
            let line: Vec<u8> = (0..len % 300)
                .map(|_| {
                    state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    alphabet[(crate::shingle::fmix64(state) % alphabet.len() as u64) as usize]
                })
                .collect();
            let mut want = Vec::new();
            let count = ascii_quotes_bytes(&line, &mut want);
            let mut got = vec![u64::MAX];
            assert_eq!(ascii_quotes::<false>(&line, &mut got, 64), count);
            let flags: Vec<bool> = (64..64 + count).map(|i| bit(&got, i)).collect();
            assert_eq!(flags, want, "{:?}", String::from_utf8_lossy(&line));
            assert!(got.len() <= 1 + count.div_ceil(64));
        }
    }

    #[test]
    fn bit_ranges_match_bit_by_bit() {
        let mut state = 11u64;
        let mut next = |m: u64| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            (crate::shingle::fmix64(state) % m) as usize
        };
        for _ in 0..2000 {
            let n = next(300);
            let src: Vec<bool> = (0..n).map(|_| next(3) == 0).collect();
            let mut packed = Vec::new();
            for (i, _) in src.iter().enumerate().filter(|(_, &f)| f) {
                set_range(&mut packed, i..i + 1);
            }
            let (a, b) = (next(n as u64 + 1), next(n as u64 + 1));
            let range = a.min(b)..a.max(b);
            let offset = next(200);
            let before = next(3);
            let mut dst = vec![0u64; before];
            copy_bits(&packed, range.clone(), &mut dst, offset);
            let words = if range.is_empty() {
                0
            } else {
                (offset + range.len()).div_ceil(64)
            };
            assert_eq!(dst.len(), words.max(before));
            for i in 0..dst.len() * 64 {
                let want = i >= offset && i - offset < range.len() && src[range.start + i - offset];
                assert_eq!(bit(&dst, i), want, "{i} {range:?} {offset}");
            }
            let mut run = Vec::new();
            set_range(&mut run, range.clone());
            for i in 0..run.len() * 64 {
                assert_eq!(bit(&run, i), range.contains(&i));
            }
            assert_eq!(
                run.len(),
                if range.is_empty() {
                    0
                } else {
                    (range.end - 1) / 64 + 1
                }
            );
        }
    }

    #[test]
    fn shared_bits_mark_the_shared_elements_of_each_side() {
        let mut x = 0x1234_5678_u64;
        let mut next = |m: u64| {
            x = crate::shingle::fmix64(x.wrapping_add(1));
            x % m
        };
        for _ in 0..300 {
            // Sizes up to 30 times apart, so that both ways of matching are taken.
            let mut a: Vec<u64> = (0..next(150)).map(|_| next(200)).collect();
            let mut b: Vec<u64> = (0..next(150) / (1 + next(30))).map(|_| next(200)).collect();
            for v in [&mut a, &mut b] {
                v.sort_unstable();
                v.dedup();
            }
            assert_eq!(galloping_matches(&a, &b), merged_matches(&a, &b));
            // Drop masks: none, one side's, both sides' (a value dropped on either side is not
            // shared).
            let mask = |set: &[u64], m: u64| -> Vec<u64> {
                let mut bits = vec![0u64; set.len().div_ceil(64)];
                for (i, &h) in set.iter().enumerate() {
                    if h.is_multiple_of(m) {
                        bits[i / 64] |= 1 << (i % 64);
                    }
                }
                bits
            };
            let (drop_a, drop_b) = (mask(&a, 3), mask(&b, 5));
            for (da, db) in [
                (None, None),
                (Some(&drop_a[..]), None),
                (Some(&drop_a[..]), Some(&drop_b[..])),
            ] {
                let (ma, mb) = (
                    Marked {
                        set: &a,
                        dropped: da,
                    },
                    Marked {
                        set: &b,
                        dropped: db,
                    },
                );
                let (count, in_a, in_b) = shared_bits(ma, mb);
                // The block merge (where the CPU has it) and the portable path agree, either way
                // round.
                let portable = shared_bits_in::<false>(ma, mb);
                assert_eq!((count, in_a.clone(), in_b.clone()), portable);
                let (c, x, y) = shared_bits(mb, ma);
                assert_eq!((c, y, x), portable);
                let gone = |h: u64| {
                    (da.is_some() && h.is_multiple_of(3)) || (db.is_some() && h.is_multiple_of(5))
                };
                for (set, other, bits) in [(&a, &b, &in_a), (&b, &a, &in_b)] {
                    assert_eq!(bits.len(), set.len().div_ceil(64));
                    for (i, h) in set.iter().enumerate() {
                        assert_eq!(bit(bits, i), other.contains(h) && !gone(*h));
                    }
                    let marked: u32 = bits.iter().map(|w| w.count_ones()).sum();
                    assert_eq!(marked as usize, count);
                }
            }
        }
    }

    /// [`Coverage::with`] token by token over a difference array (the code it replaced), its
    /// test oracle.
    fn coverage_by_tokens(small: &Features, side: &SharedSide) -> Coverage {
        let n = small.tokens as usize;
        if n == 0 {
            return Coverage::default();
        }
        let mut diff = vec![0i32; n + 1];
        let word_n = small.word_n as usize;
        small.word_rank.each(|i, r| {
            if bit(&side.words, r as usize) {
                diff[i] += 1;
                diff[(i + word_n).min(n)] -= 1;
            }
        });
        small.span_rank.each(|k, r| {
            let span = small.skeleton_spans.get(k);
            if let (true, Some(span)) = (bit(&side.skeleton, r as usize), span) {
                diff[span.start as usize] += 1;
                diff[(span.end as usize).min(n)] -= 1;
            }
        });
        let covered = small.covered_bits();
        let mut tally = Tally::default();
        let mut c_shared = 0i32;
        for (i, d) in diff[..n].iter().enumerate() {
            c_shared += d;
            if bit(covered, i) {
                tally.token(c_shared > 0, bit(&small.quoted, i));
            }
        }
        tally.coverage
    }

    /// [`first_shared`] from both sides' shared bits (the code it replaced), its test oracle.
    fn first_shared_by_bits(small: &Features, large: &Features) -> usize {
        let shared = Shared::of(large, small);
        let shared = &shared.a;
        let word = large.word_rank.position(|r| bit(&shared.words, r as usize));
        let mut span: Option<usize> = None;
        large.span_rank.each(|k, r| {
            let s = large.skeleton_spans.get(k);
            if let (true, Some(s)) = (bit(&shared.skeleton, r as usize), s) {
                let start = s.start as usize;
                span = Some(span.map_or(start, |x| x.min(start)));
            }
        });
        let first = word.into_iter().chain(span).min();
        first.unwrap_or(large.tokens as usize)
    }

    #[test]
    fn coverage_and_first_shared_match_their_token_by_token_oracles() {
        // Texts of overlapping pieces (quotations, repeats, short lines), whole and with some
        // shingles dropped.
        let pieces = [
            "the minister said on monday that the plan would go ahead ",
            "\"we will not stop now,\" she told the crowd outside the hall ",
            "despite protests from local residents and business owners ",
            "officials expect the new bridge to open by the end of the year\n",
            "and said the cost had risen to more than forty million pounds ",
            "critics say it was never needed in the first place.\n\n",
            "Share this article\n",
            "the the the of of and ",
        ];
        let mut fx = FeatureExtractor::new(&Config::new());
        let mut state = 7;
        let mut compared = 0;
        for round in 0..300 {
            let (a, b) = (
                fx.extract(&pieced(&pieces, 1 + round % 13, &mut state)),
                fx.extract(&pieced(&pieces, 1 + round % 7, &mut state)),
            );
            let drop = |h: u64| h % 5 == (round % 5) as u64;
            let fa = a.without(drop, 1.0).unwrap_or(a.clone());
            let fb = b.without(|h| h % 7 == 0, 1.0).unwrap_or(b.clone());
            for (x, y) in [
                (&a, &b),
                (&fa, &fb),
                (&a, &fb),
                (&fa, &b),
                (&b, &a),
                (&fb, &fa),
            ] {
                let shared = Shared::of(x, y);
                assert_eq!(
                    Coverage::with(x, &shared, &shared.a),
                    coverage_by_tokens(x, &shared.a)
                );
                assert_eq!(
                    Coverage::with(y, &shared, &shared.b),
                    coverage_by_tokens(y, &shared.b)
                );
                assert_eq!(first_shared(x, y), first_shared_by_bits(x, y));
                compared += 1;
            }
        }
        assert_eq!(compared, 1800);
    }

    #[test]
    fn bit_tallies_match_token_by_token() {
        let mut state = 11u64;
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            crate::shingle::fmix64(state)
        };
        for round in 0..2000 {
            let words = round % 5;
            // Sparse, dense and mixed words, so runs cross word boundaries.
            let mut word = |k: usize| match (round + k) % 4 {
                0 => 0,
                1 => u64::MAX,
                2 => next() & next(),
                _ => next(),
            };
            let covered: Vec<u64> = (0..words).map(&mut word).collect();
            let matched: Vec<u64> = (0..words).map(|k| word(k + 1)).collect();
            let quoted: Vec<u64> = (0..words.saturating_sub(round % 2))
                .map(|k| word(k + 2))
                .collect();
            let mut tally = Tally::default();
            for i in 0..64 * words {
                if bit(&covered, i) {
                    tally.token(bit(&matched, i), bit(&quoted, i));
                }
            }
            assert_eq!(tally_bits(&covered, &matched, &quoted), tally.coverage);
            assert_eq!(
                tally_bits_in(&covered, &matched, &quoted, gather_bits),
                tally.coverage
            );
            // Spread starts as `or_shifted` does, against setting bit by bit.
            let k = round % 70;
            let mut got = covered.clone();
            or_shifted(&mut got, &matched, k);
            let mut want = covered.clone();
            for i in 0..64 * words {
                if bit(&matched, i) && i + k < 64 * words {
                    want[(i + k) / 64] |= 1 << ((i + k) % 64);
                }
            }
            assert_eq!(got, want, "shift {k}");
        }
        for _ in 0..1000 {
            let (x, mask) = (next(), next());
            let mut want = 0;
            let mut k = 0;
            for i in 0..64 {
                if mask >> i & 1 == 1 {
                    want |= (x >> i & 1) << k;
                    k += 1;
                }
            }
            assert_eq!(gather_bits(x, mask), want);
        }
    }

    #[test]
    fn dropped_elements_are_gone_from_every_score() {
        // Texts made of overlapping pieces; every fourth shingle hash is "boilerplate".
        let pieces = [
            "the minister said on monday that the plan would go ahead ",
            "despite protests from local residents and business owners ",
            "officials expect the new bridge to open by the end of the year ",
            "and said the cost had risen to more than forty million pounds ",
            "critics say it was never needed in the first place ",
        ];
        let mut fx = FeatureExtractor::new(&Config::new());
        let mut state = 99;
        let drop = |h: u64| h.is_multiple_of(4);
        let mut checked = 0;
        for _ in 0..40 {
            let (a, b) = (
                fx.extract(&pieced(&pieces, 6, &mut state)),
                fx.extract(&pieced(&pieces, 4, &mut state)),
            );
            let (Some(fa), Some(fb)) = (a.without(drop, 1.0), b.without(drop, 1.0)) else {
                continue;
            };
            checked += 1;
            // The kept sets are the sets without the dropped hashes.
            for (f, g) in [(&a, &fa), (&b, &fb)] {
                let kept = |s: &[u64]| s.iter().copied().filter(|&h| !drop(h)).collect::<Vec<_>>();
                assert_eq!(g.words(), kept(f.words()));
                assert_eq!(g.skeleton(), kept(f.skeleton()));
                assert_eq!(g.size(), g.words().len() + g.skeleton().len());
                let mut gone = Vec::new();
                g.dropped_into(None, &mut gone);
                assert!(gone.iter().all(|&h| drop(h)));
                assert_eq!(gone.len(), f.size() - g.size());
                let sketcher =
                    crate::minhash::Sketcher::new(crate::minhash::Algorithm::OnePermutation, 64, 5);
                let union = [g.words(), g.skeleton()].concat();
                assert_eq!(g.signature(&sketcher), sketcher.sketch(&union));
            }
            // Shared counts are those of the kept sets, and one side kept whole shares nothing
            // the other dropped.
            let inter = |x: &[u64], y: &[u64]| x.iter().filter(|h| y.contains(h)).count();
            for (x, y) in [(&fa, &fb), (&a, &fb), (&fa, &b)] {
                let s = Similarity::between(x, y);
                let want = Scores::from_counts(
                    inter(x.words(), y.words()),
                    x.words().len(),
                    y.words().len(),
                );
                assert_eq!(s.words, want);
                let want = Scores::from_counts(
                    inter(x.skeleton(), y.skeleton()),
                    x.skeleton().len(),
                    y.skeleton().len(),
                );
                assert_eq!(s.skeleton, want);
            }
            // The kept lists made by `words()` are a cache: equality ignores them.
            assert_eq!(fa, a.without(drop, 1.0).unwrap());
            // Dropping twice keeps the first drops.
            let more = fa
                .without(|h| h.is_multiple_of(3), 1.0)
                .unwrap_or(fa.clone());
            assert!(more.words().iter().all(|&h| !drop(h)));
        }
        assert!(checked >= 30, "{checked}");
    }

    #[test]
    fn extracting_into_shared_features_leaves_their_filtered_copy_alone() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let a = "The council voted on Tuesday to close the old harbour bridge to heavy lorries.";
        let b = "Engineers will inspect its steel frame over the summer and report in the autumn.";
        let f = fx.extract(a);
        let drop = |h: u64| h.is_multiple_of(2);
        let g = f.without(drop, 1.0).unwrap();
        // `f` and `g` share their buffers; reusing `f` for another text must not touch `g`.
        let mut reused = f;
        fx.extract_into(b, &mut reused);
        assert_eq!(reused, fx.extract(b));
        assert_eq!(g, fx.extract(a).without(drop, 1.0).unwrap());
    }

    #[test]
    fn extracted_features_are_exact_sized_copies_sharing_nothing() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let long = tagged(0..400, "w");
        let short =
            "The council voted on Tuesday to close the old harbour bridge to heavy lorries.";
        let first = fx.extract(&long);
        // The extractor's own buffers are now grown past the short text's needs.
        let f = fx.extract(short);
        let mut fresh = Features::default();
        FeatureExtractor::new(&Config::new()).extract_into(short, &mut fresh);
        assert_eq!(f, fresh);
        assert_eq!(first, FeatureExtractor::new(&Config::new()).extract(&long));
        assert_eq!(f.words.capacity(), f.words.len());
        assert_eq!(f.skeleton.capacity(), f.skeleton.len());
        assert_eq!(f.body.capacity(), f.body.len());
        assert_eq!(f.skeleton_spans.capacity(), f.skeleton_spans.len());
        assert_eq!(f.lines.hashes.capacity(), f.lines.hashes.len());
        // Nothing is shared with the extractor: its next text leaves `f` alone.
        assert_eq!(Arc::strong_count(&f.words), 1);
        fx.extract(&long);
        assert_eq!(f, fresh);
    }

    /// `text` wrapped at `width` characters, as a mail client or `fmt` would: each line's words
    /// filled greedily into lines of at most `width`.
    fn wrapped(text: &str, width: usize) -> String {
        wrapped_with(text, width, false)
    }

    /// [`wrapped`], and with `hyphenate` as typesetters and OCR'd columns do: a lower-case word
    /// of six letters or more that does not fit is split, its first part and a hyphen ending the
    /// line.
    fn wrapped_with(text: &str, width: usize, hyphenate: bool) -> String {
        let mut out = Vec::new();
        for line in text.split('\n') {
            let mut cur = String::new();
            for word in line.split_whitespace() {
                let room = width.saturating_sub(cur.chars().count() + usize::from(!cur.is_empty()));
                if !cur.is_empty() && word.chars().count() > room {
                    let plain = word.bytes().all(|c| c.is_ascii_lowercase());
                    if hyphenate && plain && word.len() >= 6 && room >= 4 {
                        let cut = (room - 1).min(word.len() - 2);
                        out.push(format!("{cur} {}-", &word[..cut]));
                        cur = word[cut..].to_string();
                        continue;
                    }
                    out.push(std::mem::take(&mut cur));
                }
                if !cur.is_empty() {
                    cur.push(' ');
                }
                cur.push_str(word);
            }
            out.push(cur);
        }
        out.join("\n")
    }

    /// `n` of `words` in a seeded order that `state` carries on, joined by spaces; each with a
    /// digit after it when `numbered` (so that the words are many).
    fn prose(words: &[&str], n: usize, state: &mut u64, numbered: bool) -> String {
        (0..n)
            .map(|i| {
                *state = crate::shingle::fmix64(state.wrapping_add(i as u64));
                let word = words[(*state % words.len() as u64) as usize];
                if numbered {
                    format!("{word}{}", *state % 7)
                } else {
                    word.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A page: a headline, a byline, paragraphs of lower-case prose (one with a quotation and
    /// accented words) and a short related-stories list.
    fn article_page() -> String {
        let mut state = 7u64;
        let words = [
            "the",
            "mayor",
            "said",
            "on",
            "monday",
            "that",
            "caf\u{e9}",
            "budget",
            "of",
        ];
        let mut prose = |n: usize| prose(&words, n, &mut state, true);
        let (p1, p2a, p2b, p3) = (prose(60), prose(20), prose(25), prose(45));
        format!(
            "City budget passes after long night\nBy A. Reporter\n\n{p1}.\n\n{p2a} \"{p2b}\" \
             he said.\n\n{p3}.\n\nRelated stories:\nBudget row deepens\nMayor faces vote"
        )
    }

    #[test]
    fn a_text_wrapped_at_a_width_has_the_features_of_its_paragraphs() {
        let mut fx = FeatureExtractor::new(&crate::Config::new());
        let page = article_page();
        let whole = fx.extract(&page);
        assert!(!whole.quoted.is_empty(), "the test needs a quotation");
        for width in [32, 40, 60, 72, 100, 120] {
            let text = wrapped(&page, width);
            assert!(
                text.lines().count() > page.lines().count() + 5,
                "{width}: not wrapped"
            );
            assert_eq!(text.len(), page.len());
            let f = fx.extract(&text);
            // The same tokens, body, quotation, shingles and lines.
            assert_eq!(f, whole, "wrapped at {width}");
        }
    }

    /// `text` with its quotation marks and accented letters written as HTML character references.
    fn escaped(text: &str) -> String {
        text.replace('"', "&quot;").replace('\u{e9}', "&eacute;")
    }

    /// `text` as HTML: each paragraph in `<p>` tags, each line break inside one a `<br/>`.
    fn as_html(text: &str) -> String {
        let paragraphs = text
            .split("\n\n")
            .map(|p| format!("<p class=\"story\">{}</P>", p.replace('\n', "<br/>")));
        paragraphs.collect::<Vec<_>>().join("\n")
    }

    /// `text` as HTML with markup inside its lines: every fifth word in `<b>`, `<em>` or a link
    /// (its address among the attributes), and a tag inside every long word.
    fn with_inline_tags(text: &str) -> String {
        let words = text.split(' ').enumerate().map(|(i, w)| {
            let w = if w.len() > 8 && !w.contains('\n') {
                format!("{}<span class=\"x\">{}</span>", &w[..3], &w[3..])
            } else {
                w.to_string()
            };
            match i % 15 {
                0 => format!("<b>{w}</b>"),
                5 => format!("<em>{w}</em>"),
                10 => format!(
                    "<a href=\"https://example.com/news/{i}.html\" target=\"_blank\">{w}</a>"
                ),
                _ => w,
            }
        });
        as_html(&words.collect::<Vec<_>>().join(" "))
    }

    /// `text` in Markdown: every seventh word a link to a web address, every eleventh in bold,
    /// and a line that is a bare address after each paragraph.
    fn as_markdown(text: &str) -> String {
        let words = text.split(' ').enumerate().map(|(i, w)| match i % 77 {
            _ if w.contains('\n') => w.to_string(),
            k if k % 7 == 3 => {
                format!("[{w}](https://example.com/news/{i}_(story).html?ref=a&b=c)")
            }
            k if k % 11 == 5 => format!("**{w}**"),
            _ => w.to_string(),
        });
        let text = words.collect::<Vec<_>>().join(" ");
        text.replace("\n\n", "\n\nwww.example.com/more/stories\n\n")
    }

    /// A page delivered seven ways: as it is, wrapped at 40 characters with words hyphenated at
    /// the breaks, HTML-escaped, both, as HTML paragraphs, as HTML with markup inside the lines,
    /// and in Markdown with links.
    fn deliveries() -> [String; 7] {
        let mut state = 5u64;
        let words = [
            "government",
            "announced",
            "caf\u{e9}",
            "spending",
            "the",
            "on",
            "a",
        ];
        let mut prose = |n: usize| prose(&words, n, &mut state, false);
        let (p1, p2, p3) = (prose(70), prose(20), prose(50));
        let page = format!("Spending plans\n\n{p1}.\n\n\"{p2}\" she said.\n\n{p3}.");
        let wrapped = wrapped_with(&page, 40, true);
        assert!(wrapped.contains("-\n"), "the test needs a hyphenated word");
        [
            page.clone(),
            wrapped.clone(),
            escaped(&page),
            escaped(&wrapped),
            as_html(&page),
            with_inline_tags(&page),
            as_markdown(&page),
        ]
    }

    #[test]
    fn reading_keeps_the_length_is_idempotent_and_extracts_as_the_text() {
        let mut fx = FeatureExtractor::new(&crate::Config::new());
        let mut r = Reading::default();
        let [page, ..] = deliveries();
        let whole = fx.extract(&page);
        for text in deliveries() {
            let read = r.read(&text).to_string();
            assert_eq!(read.len(), text.len());
            // Every character boundary of the text read is one of the text.
            assert!(read.char_indices().all(|(i, _)| text.is_char_boundary(i)));
            assert_eq!(r.read(&read), read, "read twice");
            assert_eq!(fx.extract(&read), fx.extract(&text));
            assert_eq!(fx.extract(&text), whole);
        }
    }

    #[test]
    fn evidence_reads_the_words_the_pipeline_compared() {
        let [page, wrapped, escaped, both, html, inline, markdown] = deliveries();
        let mut aligner = crate::align::Aligner::new();
        let source = crate::align::Tokens::new(&page);
        for copy in [wrapped, escaped, both, html, inline, markdown] {
            let tokens = crate::align::Tokens::new(&copy);
            assert_eq!(tokens.len(), source.len());
            let al = aligner.align_tokens(&source, &tokens);
            assert_eq!(al.matched(), source.len());
            assert_eq!(al.edits().count(), 0, "{copy}");
            // The spans are the copy's own bytes.
            for i in 0..tokens.len() {
                let span = tokens.span(i);
                assert!(copy.get(span.clone()).is_some_and(|w| !w.trim().is_empty()));
            }
        }
    }

    /// A printed page: paragraphs of sentences, with a navigation bar above and a related-stories
    /// list below, each one block; with `furniture` false, the paragraphs alone. `list` adds a
    /// paragraph listing players (commas, no full stop), a paragraph whose first sentence is set on
    /// two lines, and a sentence broken across two paragraphs.
    fn printed_page(furniture: bool, list: bool) -> String {
        let mut state = 11u64;
        let words = [
            "council",
            "budget",
            "the",
            "of",
            "vote",
            "on",
            "residents",
            "said",
        ];
        let mut sentence = |n: usize| {
            let s = prose(&words, n, &mut state, false);
            format!("{}{}.", s[..1].to_uppercase(), &s[1..])
        };
        let mut paragraphs = vec![
            format!("{} {}", sentence(14), sentence(12)),
            format!("{} {} {}", sentence(16), sentence(9), sentence(13)),
            format!("{} {}", sentence(15), sentence(11)),
        ];
        if list {
            paragraphs.push(
                "Team: Morgan, Davies, Williams, Jones, Evans, Thomas, Roberts, Hughes, Lewis, \
                 Price, Edwards, Phillips"
                    .to_string(),
            );
            paragraphs.push(format!(
                "Council Leader Anna Price Said On Monday That The Vote Would Go Ahead\n{}",
                sentence(12)
            ));
            // A sentence broken across two paragraphs (a column or page break).
            paragraphs
                .push("The Leader Of The Opposition Group Said That She Would Ask For".into());
            paragraphs.push(format!("a recount of the votes. {}", sentence(10)));
        }
        let mut page = vec!["Council budget vote delayed".to_string()];
        if furniture {
            page.push(
                "Home | News | Sport | Weather | Business | Politics | Health | Money | Travel | \
                 World | Video"
                    .into(),
            );
        }
        page.extend(paragraphs);
        if furniture {
            page.push(
                "Related stories Budget Row Deepens Mayor Faces Vote Bridge Closed For Repairs \
                 Council Tax Rises Again"
                    .into(),
            );
        }
        page.join("\n\n")
    }

    #[test]
    fn blocks_of_page_furniture_leave_the_body() {
        let mut fx = FeatureExtractor::new(&crate::Config::new());
        for list in [false, true] {
            let plain = fx.extract(&printed_page(false, list));
            // Every paragraph is body: all tokens but the headline's four.
            let tokens = crate::align::Tokens::new(&printed_page(false, list)).len();
            assert_eq!(plain.body_tokens(), tokens - 4);
            let page = printed_page(true, list);
            // The bar and the list are lines of ten tokens or more, or, wrapped at a width, are
            // joined back into such lines; either way they are not body, while the list of
            // players (commas) and the sentence set on two lines are.
            for text in [
                page.clone(),
                wrapped(&page, 35),
                wrapped(&page, 45),
                wrapped(&page, 60),
            ] {
                let f = fx.extract(&text);
                assert_eq!(f.body_tokens(), plain.body_tokens(), "{text}");
                assert_eq!(f.words(), plain.words(), "{text}");
            }
        }
    }

    /// A copy whose line breaks were lost (its white space collapsed into single spaces): the first
    /// paragraph of a page among sentences of site furniture, all in one line. Read as sentences,
    /// the furniture's short ones leave the body and the copy is covered whole by its source; read
    /// as one line, the furniture is body and the copy scores under the threshold.
    #[test]
    fn a_text_without_line_breaks_is_read_as_sentences() {
        let mut state = 5u64;
        let words = ["harbour", "strike", "workers", "the", "of", "on", "union"];
        let mut sentence = |n: usize| {
            let s = prose(&words, n, &mut state, true);
            format!("{}{}.", s[..1].to_uppercase(), &s[1..])
        };
        let paragraphs: Vec<String> = (0..4)
            .map(|_| format!("{} {} {}", sentence(14), sentence(12), sentence(15)))
            .collect();
        let source = format!("Port strike halts cargo\n\n{}", paragraphs.join("\n\n"));
        let furniture = "Share this story. Follow us on social media. Sign up for our daily \
                         newsletter. Read more local news. Comments are closed on this article. \
                         Copyright 2024 The Harbour Times. All rights reserved. Terms of use \
                         apply. Photos by staff. Advertise with us today. Contact the newsroom.";
        let copy = format!("Port strike halts cargo {} {furniture}", paragraphs[0]);
        let mut r = Reading::default();
        let read = r.read(&copy).to_string();
        assert_eq!(read.len(), copy.len());
        assert!(read.char_indices().all(|(i, _)| copy.is_char_boundary(i)));
        // A line break in place of each space after a sentence end, nothing else changed.
        assert_eq!(read.replace('\n', " "), copy);
        assert_eq!(read.lines().count(), 3 + 11);
        assert!(read.lines().all(|l| l.ends_with('.')), "{read}");
        let mut fx = FeatureExtractor::new(&crate::Config::new());
        let (s, c) = (fx.extract(&source), fx.extract(&copy));
        // The body: the paragraph and the headline glued to its first sentence, which its source
        // leaves out (a short line there).
        assert_eq!(c.body_tokens(), 4 + 14 + 12 + 15);
        let mut aligner = crate::align::Aligner::new();
        assert!(Similarity::verified(&c, &s, 0.5, &mut aligner).score >= 0.85);
        // Read as one line (a space for each break and no sentence end), it would not match.
        let unbroken = copy.replace(". ", ", ");
        let u = fx.extract(&unbroken);
        assert!(Similarity::verified(&u, &s, 0.5, &mut aligner).score < 0.5);
        // Initials are no sentence ends; a text of two lines, or of one short line, is left as it
        // is; a text broken into sentences reads the same again.
        let initials = format!(
            "{} Officials in the U.S. said J. Smith would go. {}",
            paragraphs[1], paragraphs[2]
        );
        let read = r.read(&initials).to_string();
        assert!(
            read.contains("the U.S. said J. Smith would go.\n"),
            "{read}"
        );
        let short = "Talks resume on Monday. The union said it would strike again.".to_string();
        for text in [source.clone(), short, read.clone()] {
            assert_eq!(r.read(&text), text);
        }
    }

    /// A page set a sentence to a line, its paragraphs apart by blank lines, reads and extracts as
    /// the page with a line per paragraph; a footer of short sentences, a paragraph whose line ends
    /// no sentence and a text without blank lines keep their lines.
    #[test]
    fn a_page_set_a_sentence_to_a_line_reads_as_its_paragraphs() {
        let mut fx = FeatureExtractor::new(&crate::Config::new());
        let mut r = Reading::default();
        let page = printed_page(false, false);
        // Every paragraph of the page has a sentence of under ten tokens among longer ones.
        let sentences = page.replace(". ", ".\n");
        assert!(sentences.lines().count() >= page.lines().count() + 4);
        assert_eq!(r.read(&sentences), page);
        assert_eq!(fx.extract(&sentences), fx.extract(&page));
        // Left as they are.
        let footer = "All rights reserved.\nTerms of use apply.\nContact us.";
        let unended = page.replacen(". ", "\n", 1);
        let unbroken = sentences.replace("\n\n", "\n");
        for text in [format!("{page}\n\n{footer}"), unended, unbroken] {
            assert_eq!(r.read(&text), text);
        }
    }

    /// Seeded strings of every kind of markup and layout the reading steps look for (tags, near
    /// tags, tags with attributes past ASCII, web addresses, sentence ends, initials, blank and
    /// wrapped lines, one long line, multi-byte characters, stray `<`, `&` and `:`) read at their
    /// own length, on character boundaries, step by step and as a whole, and extract without a
    /// panic.
    #[test]
    fn reading_keeps_the_length_of_any_mixture() {
        let pieces = [
            "<a href=\"https://x.example/a_(b)\">",
            "</a>",
            "<p>",
            "<br/>",
            "<span",
            "<",
            ">",
            "https://",
            "www.",
            "http://x.org/p?q=1&amp;r",
            "(",
            ")",
            "]",
            "Word ",
            "word ",
            "the union said. ",
            "U.S. ",
            "J. ",
            "Mr. Smith went. ",
            "\u{201D} ",
            "\u{201C}",
            "\u{AB}",
            "\u{A0}",
            "caf\u{e9} ",
            "\u{4e2d}\u{6587}",
            "\n",
            "\n\n",
            "\r\n",
            "-\n",
            ".\n",
            "&#8217;",
            "&",
            ":",
            "  ",
            "He said so. They left. ",
        ];
        let mut r = Reading::default();
        let mut fx = FeatureExtractor::new(&crate::Config::new());
        let mut state = 21u64;
        for round in 0..3000 {
            let n = [3, 20, 80, 200][round % 4];
            let text: String = (0..n)
                .map(|_| {
                    state = crate::shingle::fmix64(state.wrapping_add(0x9E37));
                    pieces[(state % pieces.len() as u64) as usize]
                })
                .collect();
            // Each public step on what the one before gave, then the whole reading.
            let keeps = |read: &str, text: &str| {
                read.len() == text.len()
                    && read.char_indices().all(|(i, _)| text.is_char_boundary(i))
            };
            let (mut step, mut before) = (String::new(), text.clone());
            let steps: [fn(&str, &mut String) -> bool; 3] = [
                crate::normalize::read_tags_into,
                crate::normalize::hide_urls_into,
                crate::normalize::unescape_into,
            ];
            for f in steps {
                if f(&before, &mut step) {
                    assert!(keeps(&step, &before), "{before:?} -> {step:?}");
                    before.clone_from(&step);
                }
            }
            let read = r.read(&text).to_string();
            assert!(keeps(&read, &text), "{text:?} -> {read:?}");
            let f = fx.extract(&text);
            assert!(f.body_tokens() <= crate::align::Tokens::new(&text).len() + 1);
        }
    }

    #[test]
    fn words_hyphenated_at_a_wrap_are_whole_again() {
        let mut state = 3u64;
        let words = [
            "government",
            "announced",
            "yesterday",
            "spending",
            "the",
            "on",
            "a",
        ];
        let mut prose = |n: usize| prose(&words, n, &mut state, false);
        let page = format!("Spending plans\n\n{}.\n\n{}.", prose(80), prose(60));
        let mut fx = FeatureExtractor::new(&crate::Config::new());
        let whole = fx.extract(&page);
        for width in [35, 45, 60] {
            let text = wrapped_with(&page, width, true);
            assert!(
                text.matches("-\n").count() >= 3,
                "{width}: too few hyphenated words"
            );
            assert_eq!(fx.extract(&text), whole, "wrapped at {width}");
        }
    }

    #[test]
    fn a_column_of_uneven_lines_is_joined_where_its_sentences_go_on() {
        // As a proportional font sets a column: some lines end a word early, so the next word
        // would have fitted by its characters; the sentence goes on in lower case below.
        let mut fx = FeatureExtractor::new(&crate::Config::new());
        let page = article_page();
        let mut lines: Vec<String> = wrapped(&page, 60).split('\n').map(String::from).collect();
        let mut moved = 0;
        for i in (0..lines.len() - 1).step_by(2) {
            let (words, next) = (lines[i].split(' ').count(), &lines[i + 1]);
            if words >= 3 && next.starts_with(|c: char| c.is_ascii_lowercase()) {
                let cut = lines[i].rfind(' ').unwrap_or(0);
                let last = lines[i].split_off(cut);
                lines[i + 1] = format!("{} {}", last.trim_start(), lines[i + 1]);
                moved += 1;
            }
        }
        assert!(moved >= 4, "{moved}");
        assert_eq!(fx.extract(&lines.join("\n")), fx.extract(&page));
    }

    #[test]
    fn html_escaped_text_has_the_features_of_the_text() {
        let mut fx = FeatureExtractor::new(&crate::Config::new());
        let page = format!(
            "{}\n\nThe mayor\u{2019}s office in S\u{e3}o Paulo said \"the caf\u{e9} & the \
             market\" would reopen \u{2014} \"soon\".\n\n{}",
            article_page(),
            tagged(0..30, "w")
        );
        let escaped = page
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('\u{2019}', "&rsquo;")
            .replace('\u{e9}', "&eacute;")
            .replace('\u{e3}', "&#227;")
            .replace('\u{2014}', "&#x2014;");
        assert!(escaped.matches('&').count() > 10);
        assert_eq!(fx.extract(&escaped), fx.extract(&page));
    }

    #[test]
    fn lists_and_pages_of_paragraphs_are_not_joined() {
        let joins = |text: &str| {
            let mut lines = Lines::default();
            lines_of(text, &mut lines);
            join_wrapped_lines(text, &lines.spans, &mut Vec::new(), &mut String::new())
        };
        assert!(joins(&wrapped(&article_page(), 60)));
        // As a web page has it: a line per paragraph.
        assert!(!joins(&article_page()));
        // Navigation and a list of links: short lines that fill a width, but open in capitals.
        let list = "Home | News | Sport | Business | Travel | Culture\nWorld News Today Online\n\
                    Mayor faces a vote of confidence today\nBudget row deepens as talks fail\n\
                    Council tax to rise by four per cent\nLibrary hours cut across the city\n\
                    Bus fares frozen for another year";
        assert!(!joins(list));
        // A paragraph on one line, then sources that happen to open in lower case.
        let sources = format!(
            "{}\n\nnytimes.com, Andrew Sorkin, 14.09.2008 and the story on the same day\n\
             bloomberg News, two reporters, 15.09.2008 with a later version of it\n\
             reuters.com, one reporter, 15.09.2008 and the version before the others",
            tagged(0..120, "w")
        );
        assert!(!joins(&sources));
    }

    #[test]
    fn line_marks_drop_the_shingles_mostly_inside_a_marked_line() {
        let mut fx = FeatureExtractor::new(&crate::Config::new());
        let (a, b, c) = (tagged(0..40, "a"), tagged(0..25, "b"), tagged(0..30, "c"));
        let f = fx.extract(&format!("{a}\nshort line\n{b}\n{c}"));
        let lines = f.line_hashes().to_vec();
        assert_eq!(lines.len(), 3, "the short line is not body");
        assert!(f.line_marks(|_| false).is_none());
        let marks = f.line_marks(|h| h == lines[1]).unwrap();
        let g = f.without_marked(|_| false, Some(&marks), 1.0).unwrap();
        // What is left: every word 3-gram but those of line b alone and the two crossing ones
        // with two of their three words in it (the words are all distinct).
        let mut inside = fx.extract(&b).words().to_vec();
        inside.extend(fx.extract("a39 b0 b1").words());
        inside.extend(fx.extract("b23 b24 c0").words());
        let mut want: Vec<u64> = f.words().to_vec();
        want.retain(|h| !inside.contains(h));
        assert_eq!(want.len(), f.words().len() - 25);
        assert_eq!(g.words(), &want[..]);
        // Boilerplate that would take more than the share allowed stays; the marks still go.
        assert_eq!(
            f.without_marked(|_| true, Some(&marks), 0.9),
            Some(g.clone())
        );
        assert!(f.without(|_| true, 0.9).is_none());
        // The marked shingles are not reported as dropped by anything else.
        let mut gone = Vec::new();
        g.dropped_into(Some(&marks), &mut gone);
        assert!(gone.is_empty());
        g.dropped_into(None, &mut gone);
        assert_eq!(gone.len(), f.size() - g.size());
    }

    #[test]
    fn short_lines_are_not_body() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let story = "word ".repeat(40);
        let wrapped = format!("Site Name | Home | News\n{story}\nShare this article\n");
        let mut a = fx.extract(&wrapped);
        // Short lines leave only the opening of those with four tokens or more (see `BodyLines`).
        assert_eq!(a.short_line_prefixes().len(), 1);
        Arc::make_mut(&mut a.lines).short_prefixes.clear();
        assert_eq!(a, fx.extract(&story));
        // Too little long text: everything is kept.
        assert_eq!(fx.extract("Short line\nAnother one").body_tokens(), 4);
        // Short lines with one long line: the long line is under half of the tokens, so every
        // line is kept (a short note); over half, only the long line, however short.
        let long = "one two three four five six seven eight nine ten eleven";
        let lines = "a b c d\ne f g h\ni j k l\n";
        assert_eq!(fx.extract(&format!("{lines}{long}")).body_tokens(), 23);
        assert_eq!(
            fx.extract(&format!("A short headline\n{long}"))
                .body_tokens(),
            11
        );
        // A text wrapped at a width: three times 13 lines of seven tokens and one of eleven. The
        // long lines hold 33 of 306 tokens, under an eighth: every line is body.
        let wrapped = format!("{}{long}\n", "a b c d e f g\n".repeat(13)).repeat(3);
        assert_eq!(fx.extract(&wrapped).body_tokens(), 306);
    }

    #[test]
    fn a_short_copy_is_covered_whole_by_its_source_not_by_a_page_quoting_it() {
        // A truncated copy: the headline and the first paragraph (under MIN_BODY_TOKENS tokens).
        // Its source drops the headline as a short line; so must the copy, or the headline's
        // tokens count against the source and a page that prints the paragraph after other text
        // may cover them by chance (skeleton shingles across the line break).
        let mut fx = FeatureExtractor::new(&Config::new());
        let headline = "Applause as the harbour ferry returns";
        let lead = "The harbour ferry carried its first passengers in two years on Monday after repairs to its engines were finished early.";
        let rest = "Crews worked through the winter on the hull. The operator said fares would stay the same until the end of the summer season. Councillors welcomed the news at their meeting on Tuesday evening.";
        let source = fx.extract(&format!("{headline}\n\n{lead}\n\n{rest}"));
        let copy = fx.extract(&format!("{headline}\n\n{lead}"));
        assert!(copy.body_tokens() < MIN_BODY_TOKENS);
        assert_eq!(coverage(&copy, &source), 1.0);
    }

    #[test]
    fn a_shared_sentence_does_not_cover_text_without_function_words() {
        // Bodies of content words only (names, another language) end with the same sentence: the
        // skeleton must not let one placeholder stand for the whole body.
        let mut fx = FeatureExtractor::new(&Config::new());
        let footer = "Editor's note: this story has been updated to include additional comment.";
        let a = fx.extract(&format!(
            "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi \
             rho sigma tau upsilon phi chi psi omega. {footer}"
        ));
        let b = fx.extract(&format!(
            "Oslo Bergen Trondheim Stavanger Drammen Kristiansand Tromso Sandnes Fredrikstad \
             Sarpsborg Skien Alesund Sandefjord Haugesund Tonsberg Moss Porsgrunn. {footer}"
        ));
        assert!(
            Similarity::between(&a, &b).score < 0.5,
            "{:?}",
            Similarity::between(&a, &b)
        );
    }

    #[test]
    fn quotation_marks_are_tracked_and_apostrophes_ignored() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let f = fx.extract(
            "He said \u{201C}we will win\u{201D} and 'they're done' then Bob's \"fine\" end\nnext",
        );
        let q: Vec<bool> = (0..f.body_tokens()).map(|i| bit(&f.quoted, i)).collect();
        // he said we will win and theyre done then bobs fine end (the short line is not body)
        let want = [
            false, false, true, true, true, false, true, true, false, false, true, false,
        ];
        assert_eq!(q, want);
        // Short lines only: every line is body, quotation bits across them.
        let f = fx.extract("He said \"we win\"\nthen 'ok' now");
        let q: Vec<bool> = (0..f.body_tokens()).map(|i| bit(&f.quoted, i)).collect();
        assert_eq!(q, [false, false, true, true, false, true, false]);
    }

    #[test]
    fn a_shared_quotation_weighs_less_than_shared_reporting() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let quote = "\"We are proud of the work our teams have done over many years and we look forward to the future,\" the chief executive said.";
        let a = fx.extract(&format!(
            "The company reported a loss in the third quarter as sales fell in Europe. {quote}"
        ));
        let b = fx.extract(&format!(
            "Shares rose sharply on Tuesday after the merger with a rival was approved by regulators in Brussels. {quote}"
        ));
        let c = Coverage::of(&a, &b);
        assert!(c.quoted_matched > 0);
        assert!(c.share() < c.matched as f64 / c.covered as f64);
    }

    #[test]
    fn a_page_borrowing_a_passage_scores_below_a_scattered_edit() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let words = tagged;
        let story = fx.extract(&words(0..200, "s"));
        // 80 words of the story, then 70 of other material: more than half matched, but the
        // other material is one unmatched stretch 30 tokens over the allowance.
        let page = fx.extract(&format!("{} {}", words(0..80, "s"), words(0..70, "x")));
        let c = Coverage::of(&page, &story);
        assert!(c.matched * 2 > c.covered, "{c:?}");
        assert_eq!(c.longest_gap, 70);
        assert!(Similarity::between(&page, &story).score < 0.4);
        // The same number of foreign words scattered one in every few: no long gap.
        let mut edited: Vec<String> = (0..150).map(|i| format!("s{i}")).collect();
        for i in (0..150).step_by(15) {
            edited[i] = format!("x{i}");
        }
        let edited = fx.extract(&edited.join(" "));
        let c = Coverage::of(&edited, &story);
        assert!(c.longest_gap <= GAP_ALLOWANCE, "{c:?}");
        assert!(Similarity::between(&edited, &story).score >= 0.5);
    }

    #[test]
    fn a_passage_printed_twice_counts_once() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let words = tagged;
        // A page printing a 60-word caption twice above 70 words of its own, and an unrelated
        // story carrying the same caption once among 140 words of its own.
        let caption = words(0..60, "c");
        let page = fx.extract(&format!("{caption}\n{caption}\n{}", words(0..70, "p")));
        let story = fx.extract(&format!(
            "{} {caption} {}",
            words(0..70, "s"),
            words(70..140, "s")
        ));
        let c = Coverage::of(&page, &story);
        // The second printing is covered by no first occurrence: about 60 + 70 covered and 60
        // matched, where counting it again gives 190 and 120.
        assert!(c.covered < 150, "{c:?}");
        assert!(c.matched < 80, "{c:?}");
        assert!(Similarity::between(&page, &story).score < 0.5);
        // A page that repeats its own passage is still a copy of itself.
        assert_eq!(Similarity::between(&page, &page).score, 1.0);
    }

    #[test]
    fn texts_of_about_the_same_size_are_scored_both_ways() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let words = tagged;
        let story = words(0..80, "s");
        // The slightly smaller text: the story, then one long stretch of its own.
        let small = fx.extract(&format!("{story} {}", words(0..67, "x")));
        // The other: its own intro and ending around the same story, no stretch over 40 words.
        let large = fx.extract(&format!(
            "{} {story} {}",
            words(0..35, "y"),
            words(0..35, "z")
        ));
        assert!(small.size() < large.size());
        assert!(small.size() as f64 >= NEAR_EQUAL_SIZE * large.size() as f64);
        assert!(coverage(&small, &large) < 0.4);
        assert!(coverage(&large, &small) >= 0.5);
        let mut aligner = crate::align::Aligner::new();
        let s = Similarity::verified(&small, &large, 0.5, &mut aligner);
        assert_eq!(s.score, coverage(&large, &small));
        assert_eq!(
            Similarity::verified(&large, &small, 0.5, &mut aligner).score,
            s.score
        );
        // Far apart in size, only the smaller text is scored: a short excerpt inside a long page
        // is a copy of the page, the page is not a copy of the excerpt.
        let page = fx.extract(&format!(
            "{} {story} {}",
            words(0..35, "y"),
            words(0..200, "z")
        ));
        assert!(Similarity::verified(&small, &page, 0.5, &mut aligner).score < 0.5);
    }

    #[test]
    fn a_reworded_copy_is_found_by_alignment() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let story: Vec<String> = (0..140).map(|i| format!("s{i}")).collect();
        // Two words of every seven reworded: only the runs of three unchanged words keep a
        // shingle, so coverage stays under the threshold, but the order survives.
        let copy: Vec<String> = (0..140)
            .map(|i| {
                if i % 7 == 0 || i % 7 == 3 {
                    format!("x{i}")
                } else {
                    format!("s{i}")
                }
            })
            .collect();
        let (a, b) = (fx.extract(&story.join(" ")), fx.extract(&copy.join(" ")));
        let plain = Similarity::between(&a, &b);
        assert!((0.3..0.5).contains(&plain.score), "{plain:?}");
        assert_eq!(plain.aligned, None);
        let mut aligner = crate::align::Aligner::new();
        let s = Similarity::verified(&a, &b, 0.5, &mut aligner);
        assert!(s.aligned.is_some_and(|x| x >= 0.9), "{s:?}");
        assert_eq!(s.score, s.aligned.unwrap_or(0.0));
        // The same words shuffled out of order: no second opinion helps.
        let mut shuffled = copy.clone();
        shuffled.reverse();
        let c = fx.extract(&shuffled.join(" "));
        assert!(Similarity::verified(&a, &c, 0.5, &mut aligner).score < 0.5);
    }

    #[test]
    fn texts_with_more_than_65535_shingles_keep_wide_ranks() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let long = tagged(0..70_000, "w");
        let f = fx.extract(&long);
        assert!(f.words.len() > usize::from(u16::MAX));
        assert!(matches!(*f.word_rank, Ranks::Wide(_)));
        let words = fx.last_words();
        for (i, &h) in words.iter().enumerate() {
            assert_eq!(f.words[f.word_rank.get(i) as usize], h);
        }
        assert_eq!(words.len(), f.word_rank.len());
        // Scores read the wide ranks as they read narrow ones.
        let head = fx.extract(&tagged(0..30_000, "w"));
        assert!(matches!(*head.word_rank, Ranks::Narrow(_)));
        assert_eq!(coverage(&head, &f), 1.0);
        assert_eq!(Similarity::between(&f, &f).score, 1.0);
        let tail = f.without(|h| words[..100].contains(&h), 0.95).unwrap();
        assert!(matches!(*tail.word_rank, Ranks::Wide(_)));
        assert!(coverage(&tail, &f) > 0.99);
    }

    #[test]
    fn spans_stay_inside_the_body() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let f = fx.extract("the cat sat on the mat because it was warm and the sun was out");
        assert!(f
            .skeleton_spans
            .iter()
            .all(|s| s.start < s.end && s.end <= f.tokens));
        let mut words = fx.last_words();
        for (i, &h) in words.iter().enumerate() {
            assert_eq!(f.words[f.word_rank.get(i) as usize], h);
        }
        assert_eq!(f.word_rank.len(), words.len());
        // Every span names an element of the skeleton set, and every element has a span.
        let mut named: Vec<u64> = (0..f.skeleton_spans.len())
            .map(|k| f.skeleton[f.span_rank.get(k) as usize])
            .collect();
        named.sort_unstable();
        named.dedup();
        assert_eq!(named, *f.skeleton);
        assert!(matches!(*f.word_rank, Ranks::Narrow(_)));
        // Sets of u16::MAX elements or more keep 32-bit ranks.
        let wide = Ranks::of([0, 70_000, NOT_KEPT], 70_001);
        assert!(matches!(wide, Ranks::Wide(_)));
        let got: Vec<u32> = (0..4).map(|i| wide.get(i)).collect();
        assert_eq!(got, [0, 70_000, NOT_KEPT, NOT_KEPT]);
        let narrow = Ranks::of([0, 7, NOT_KEPT], 8);
        let got: Vec<u32> = (0..4).map(|i| narrow.get(i)).collect();
        assert_eq!(got, [0, 7, NOT_KEPT, NOT_KEPT]);
        assert_eq!(narrow.position(|r| r == 7), Some(1));
        assert_eq!(words.len() + f.word_n as usize - 1, f.tokens as usize);
        words.sort_unstable();
        words.dedup();
        assert_eq!(words, *f.words);
    }

    #[test]
    fn spun_copy_is_covered_but_an_excerpt_page_is_not() {
        let mut fx = FeatureExtractor::new(&Config::new());
        let a = fx.extract(
            "The minister said on Monday that the new bridge would open to traffic in 2027, \
             two years later than planned, because the steel for its main span arrived late from \
             the mill and the contractor had to rework the supports near the river bank.",
        );
        let spun = fx.extract(
            "The secretary stated on Monday that the fresh bridge would open to visitors in 2027, \
             two years afterwards than intended, because the metal for its primary span came late from \
             the factory and the builder had to redo the braces near the stream bank.",
        );
        assert!(Similarity::between(&a, &spun).score >= 0.6);
    }
}
