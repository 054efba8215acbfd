//! Alignment: the evidence behind a match. Which passages were copied, and which words were swapped.
//!
//! Given two texts, [`Aligner::align`] returns an [`Alignment`]: the copied [`Passage`]s as byte
//! ranges in both texts, and inside each passage the [`Edit`]s between them: swapped words
//! ("White House" / "White Property"), inserted, deleted and rewritten stretches.
//!
//! # Method
//!
//! Both texts are read as the pipeline reads them ([`Reading`](crate::features::Reading): HTML
//! character references decoded, hard-wrapped lines joined, at the same length) and tokenized
//! with [`Tokenizer`] (canonical lowercase tokens with their byte spans in the original), and each
//! token is hashed once to a `u64`.
//!
//! 1. **Seeds.** Word trigrams ([`SEED_LEN`]) shared by both texts, skipping trigrams repeated
//!    more than [`MAX_SEED_REPEATS`] times, give exact-match hits; hits on one diagonal merge into
//!    maximal exact runs.
//! 2. **Chaining.** The heaviest chain of runs increasing in both texts is found by dynamic
//!    programming (a run scores its length, a shift between diagonals costs
//!    [`SHIFT_PENALTY`] per token), the way seed-and-chain aligners such as MUMmer and BLAST
//!    chain local hits. Spinning replaces words but keeps their order, so the copy survives as a
//!    chain of short runs.
//! 3. **Filling.** Between consecutive runs, and a few tokens beyond the chain's ends, an exact
//!    LCS (bounded to [`MAX_FILL_CELLS`] cells) finds the single matching words the trigrams
//!    missed.
//! 4. **Passages and edits.** Matched tokens form passages, split where either side skips more than
//!    [`MAX_GAP`] tokens; passages with fewer than [`MIN_PASSAGE`] matched tokens are dropped. A
//!    gap inside a passage with 1 to [`MAX_SWAP`] tokens on both sides is a [`EditKind::Swap`]
//!    (split word for word when both sides have as many tokens: "national security" /
//!    "nationwide stability" is two swaps, "leave" / "go away" one); with one side empty an
//!    insertion or deletion; otherwise a rewrite.
//! 5. **Moved text.** Runs left outside the passages found so far are chained again (up to
//!    [`MAX_CHAINS`] times), so a paragraph moved elsewhere is still found.
//!
//! # Complexity
//!
//! Roughly O(n log n) in the number of tokens for copies, plus O(r²) for chaining r runs (r is a
//! few hundred for a long spun article) and bounded work per gap. On a 700-word spun article the
//! whole alignment takes well under a millisecond.
//!
//! # Example
//!
//! ```
//! use wirecopy::align::Aligner;
//!
//! let original = "The White House said on Monday that the winter storm had closed every road \
//!                 into the capital, and that relief convoys would leave at dawn.";
//! let spun = "Breaking: The White Property said on Monday that the wintertime storm had closed \
//!             every road into the capital, and that relief convoys would leave at dawn.";
//! let al = Aligner::new().align(original, spun);
//! assert_eq!(al.passages.len(), 1);
//! let swaps: Vec<(&str, &str)> = al
//!     .swaps()
//!     .map(|e| (&original[e.a.clone()], &spun[e.b.clone()]))
//!     .collect();
//! assert_eq!(swaps, [("House", "Property"), ("winter", "wintertime")]);
//! assert_eq!(al.coverage_a(), 1.0);
//! assert!(al.coverage_b() < 1.0); // "Breaking:" is outside the copied passage
//! ```

use crate::normalize::Tokenizer;
use crate::shingle::{packed_order, POSITION_MASK};
use std::ops::Range;
use xxhash_rust::xxh3::xxh3_64;

/// Length in tokens of the exact word n-grams used as seeds.
pub const SEED_LEN: usize = 3;
/// Seed n-grams occurring more than this many times in the first text are not used as seeds.
pub const MAX_SEED_REPEATS: usize = 8;
/// A passage is split where either text skips more than this many tokens between two matches.
pub const MAX_GAP: usize = 12;
/// Passages with fewer matched tokens than this are dropped as chance matches.
pub const MIN_PASSAGE: usize = 6;
/// Largest number of tokens on each side of a swap ("White House" / "White Property" is one token
/// on each side; "leave" / "go away" is one and two).
pub const MAX_SWAP: usize = 4;
/// Cost of a diagonal shift between two chained runs, per token of shift.
pub const SHIFT_PENALTY: f64 = 0.05;
/// Largest dynamic-programming table (cells) used to fill a gap between two runs.
pub const MAX_FILL_CELLS: usize = 4096;
/// Most chains (the main one plus moved passages) in one alignment.
pub const MAX_CHAINS: usize = 8;
/// In gaps longer than [`MAX_GAP`], a filled match is kept only with another within this many
/// tokens on both sides.
const FILL_NEAR: usize = 2;
/// Tokens looked at beyond the ends of a chain when extending it.
const EDGE_WINDOW: usize = 10;
/// Largest gap (tokens, each side) allowed while extending a chain beyond its end runs.
const EDGE_GAP: usize = 2;

/// A text's tokens, hashed, with their byte spans: what [`Aligner`] works on.
///
/// Prepare a text once with [`Tokens::new`] when it is aligned with several others.
///
/// # Examples
///
/// ```
/// let t = wirecopy::align::Tokens::new("Hello, World!");
/// assert_eq!(t.len(), 2);
/// assert_eq!(t.span(1), 7..12);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tokens {
    hashes: Vec<u64>,
    spans: Vec<(u32, u32)>,
    /// Capitalized and not a function word: part of a name ("White House").
    names: Vec<bool>,
    /// First token of a sentence (after `.`, `!`, `?` or a line break, or first in the text).
    starts: Vec<bool>,
    text_len: usize,
}

impl Tokens {
    /// Tokenizes `text`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::align::Tokens::new("").is_empty());
    /// ```
    pub fn new(text: &str) -> Self {
        let mut t = Tokens::default();
        t.set(&mut Tokenizer::new(), text);
        t
    }

    /// Tokenizes `text` into `self`, reusing its buffers and `tokenizer`'s. The text is read as
    /// the pipeline reads it ([`Reading`](crate::features::Reading)); the spans are byte ranges
    /// of `text` as given.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut tz = wirecopy::normalize::Tokenizer::new();
    /// let mut t = wirecopy::align::Tokens::default();
    /// t.set(&mut tz, "one two");
    /// assert_eq!(t.len(), 2);
    /// ```
    pub fn set(&mut self, tokenizer: &mut Tokenizer, text: &str) {
        // Read as the pipeline reads it (the same length: spans point into `text` as given).
        let mut reading = crate::features::Reading::default();
        let text = reading.read(text);
        self.hashes.clear();
        self.spans.clear();
        self.names.clear();
        self.starts.clear();
        self.text_len = text.len();
        let mut prev_end = 0;
        tokenizer.for_each(text, |tok| {
            let between = text.as_bytes().get(prev_end..tok.start).unwrap_or_default();
            self.starts
                .push(prev_end == 0 || between.iter().any(|c| b".!?\n".contains(c)));
            prev_end = prev_end.max(tok.end);
            self.hashes.push(xxh3_64(tok.text.as_bytes()));
            self.spans.push((tok.start as u32, tok.end as u32));
            self.names
                .push(tok.capitalized && !crate::stopwords::is_stopword(tok.text));
        });
    }

    /// Tokens given by their hashes alone (no text: token i spans bytes i..i+1, no names and no
    /// sentence starts). Used to align the body tokens of two documents' features.
    pub(crate) fn from_hashes(hashes: Vec<u64>) -> Self {
        let n = hashes.len();
        Tokens {
            spans: (0..n as u32).map(|i| (i, i + 1)).collect(),
            names: vec![false; n],
            starts: vec![false; n],
            text_len: n,
            hashes,
        }
    }

    /// Number of tokens.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::align::Tokens::new("a b c").len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when the text has no token.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::align::Tokens::new(" ... ").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Length in bytes of the tokenized text.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::align::Tokens::new("a b").text_len(), 3);
    /// ```
    pub fn text_len(&self) -> usize {
        self.text_len
    }

    /// Byte span of token `i` in the original text.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::align::Tokens::new("ab cd").span(1), 3..5);
    /// ```
    pub fn span(&self, i: usize) -> Range<usize> {
        let (s, e) = self.spans[i];
        s as usize..e as usize
    }

    /// Byte range from the start of token `r.start` to the end of token `r.end - 1`; for an empty
    /// `r`, the empty range just after token `r.start - 1` (or at 0).
    fn bytes(&self, r: Range<usize>) -> Range<usize> {
        if r.is_empty() {
            let at = if r.start == 0 {
                0
            } else {
                self.spans[r.start - 1].1 as usize
            };
            return at..at;
        }
        let start = self.spans[r.start..r.end]
            .iter()
            .map(|s| s.0)
            .min()
            .unwrap_or(0) as usize;
        let end = self.spans[r.start..r.end]
            .iter()
            .map(|s| s.1)
            .max()
            .unwrap_or(0) as usize;
        start..end
    }
}

/// What an [`Edit`] inside a passage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum EditKind {
    /// 1 to [`MAX_SWAP`] tokens on each side replaced by different ones: a synonym or an edit
    /// ("House" / "Property", "48" / "72", "leave" / "go away"). Equal-length gaps are split into
    /// one swap per word.
    Swap,
    /// Tokens present only in the second text.
    Inserted,
    /// Tokens present only in the first text.
    Deleted,
    /// Longer stretches that differ on both sides (more than [`MAX_SWAP`] tokens on one side).
    Rewritten,
}

impl EditKind {
    /// A lowercase name: `swap`, `inserted`, `deleted`, `rewritten`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::align::EditKind::Swap.name(), "swap");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            EditKind::Swap => "swap",
            EditKind::Inserted => "inserted",
            EditKind::Deleted => "deleted",
            EditKind::Rewritten => "rewritten",
        }
    }
}

/// One difference inside a [`Passage`]: the tokens between two matched tokens.
///
/// # Examples
///
/// ```
/// let a = "he said the storm closed the road at dawn on monday";
/// let b = "he said the tempest closed the road at dawn on monday";
/// let al = wirecopy::align::Aligner::new().align(a, b);
/// let e = &al.passages[0].edits[0];
/// assert_eq!((&a[e.a.clone()], &b[e.b.clone()]), ("storm", "tempest"));
/// assert_eq!(e.tokens_a, 3..4);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Edit {
    /// What the edit is.
    pub kind: EditKind,
    /// Byte range in the first text (empty for an insertion: the position after the last match).
    pub a: Range<usize>,
    /// Byte range in the second text (empty for a deletion).
    pub b: Range<usize>,
    /// Token range in the first text.
    pub tokens_a: Range<usize>,
    /// Token range in the second text.
    pub tokens_b: Range<usize>,
}

impl Edit {
    /// The byte ranges of the edit widened to the name it is part of: when the tokens on both sides
    /// are capitalized, the adjacent capitalized words that are not function words (at most
    /// [`MAX_SWAP`] each way) are included. "House" / "Property" inside "the White House" /
    /// "the White Property" becomes "White House" / "White Property". Otherwise the edit's own
    /// ranges. `a` and `b` are the texts' tokens the alignment was made from.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::align::{Aligner, Tokens};
    /// let a = "He said the White House would reply to the letter within a week.";
    /// let b = "He said the White Property would reply to the letter within a week.";
    /// let (ta, tb) = (Tokens::new(a), Tokens::new(b));
    /// let al = Aligner::new().align_tokens(&ta, &tb);
    /// let e = al.swaps().next().expect("one swap");
    /// assert_eq!((&a[e.a.clone()], &b[e.b.clone()]), ("House", "Property"));
    /// let (pa, pb) = e.phrase(&ta, &tb);
    /// assert_eq!((&a[pa], &b[pb]), ("White House", "White Property"));
    /// ```
    pub fn phrase(&self, a: &Tokens, b: &Tokens) -> (Range<usize>, Range<usize>) {
        let (ra, rb) = (self.tokens_a.clone(), self.tokens_b.clone());
        let capital = |t: &Tokens, r: &Range<usize>| {
            !r.is_empty() && r.end <= t.len() && t.names[r.clone()].iter().any(|&n| n)
        };
        if !capital(a, &ra) || !capital(b, &rb) {
            return (self.a.clone(), self.b.clone());
        }
        // Matched neighbours: before the edit the same count of tokens on both sides.
        // Names do not run across sentences.
        let mut before = 0;
        while before < MAX_SWAP
            && !a.starts[ra.start - before]
            && !b.starts[rb.start - before]
            && before < ra.start
            && before < rb.start
            && a.names[ra.start - before - 1]
            && b.names[rb.start - before - 1]
            && a.hashes[ra.start - before - 1] == b.hashes[rb.start - before - 1]
        {
            before += 1;
        }
        let mut after = 0;
        while after < MAX_SWAP
            && ra.end + after < a.len()
            && rb.end + after < b.len()
            && !a.starts[ra.end + after]
            && !b.starts[rb.end + after]
            && a.names[ra.end + after]
            && b.names[rb.end + after]
            && a.hashes[ra.end + after] == b.hashes[rb.end + after]
        {
            after += 1;
        }
        (
            a.bytes(ra.start - before..ra.end + after),
            b.bytes(rb.start - before..rb.end + after),
        )
    }
}

/// A copied passage: a run of matched tokens in both texts, allowing small gaps.
///
/// # Examples
///
/// ```
/// let a = "Intro text here. The port strike began on Monday and halted all cargo traffic.";
/// let b = "The port strike began on Monday and halted all cargo traffic. Share this.";
/// let al = wirecopy::align::Aligner::new().align(a, b);
/// let p = &al.passages[0];
/// assert_eq!(&a[p.a.clone()], "The port strike began on Monday and halted all cargo traffic");
/// assert_eq!(&b[p.b.clone()], &a[p.a.clone()]);
/// assert_eq!(p.matched, 11);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Passage {
    /// Byte range in the first text, from its first token's start to its last token's end.
    pub a: Range<usize>,
    /// Byte range in the second text.
    pub b: Range<usize>,
    /// Token range in the first text.
    pub tokens_a: Range<usize>,
    /// Token range in the second text.
    pub tokens_b: Range<usize>,
    /// Number of tokens matched exactly (the same canonical token on both sides).
    pub matched: usize,
    /// The differences inside the passage, in order.
    pub edits: Vec<Edit>,
}

/// The alignment of two texts: copied passages and the edits inside them.
///
/// # Examples
///
/// ```
/// let al = wirecopy::align::align("nothing in common here", "entirely different words");
/// assert!(al.passages.is_empty());
/// assert_eq!(al.coverage_a(), 0.0);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Alignment {
    /// The copied passages, ordered by their position in the first text. They do not overlap in
    /// either text. When text was moved, their order in the second text differs.
    pub passages: Vec<Passage>,
    /// Number of tokens of the first text.
    pub tokens_a: usize,
    /// Number of tokens of the second text.
    pub tokens_b: usize,
}

impl Alignment {
    /// Share of the first text's tokens inside passages (matched, swapped or in small gaps).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = "one two three four five six seven eight";
    /// let al = wirecopy::align::align(a, &format!("{a} nine ten eleven twelve thirteen fourteen"));
    /// assert_eq!(al.coverage_a(), 1.0);
    /// assert!((al.coverage_b() - 8.0 / 14.0).abs() < 1e-9);
    /// ```
    pub fn coverage_a(&self) -> f64 {
        share(
            self.passages.iter().map(|p| p.tokens_a.len()).sum(),
            self.tokens_a,
        )
    }

    /// Share of the second text's tokens inside passages.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::align::align("", "").coverage_b(), 0.0);
    /// ```
    pub fn coverage_b(&self) -> f64 {
        share(
            self.passages.iter().map(|p| p.tokens_b.len()).sum(),
            self.tokens_b,
        )
    }

    /// Number of tokens matched exactly, over all passages.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::align::align("a b c d e f g", "a b c d e f g").matched(), 7);
    /// ```
    pub fn matched(&self) -> usize {
        self.passages.iter().map(|p| p.matched).sum()
    }

    /// Every edit of every passage, in passage order.
    ///
    /// # Examples
    ///
    /// ```
    /// let al = wirecopy::align::align("a b c d e f g h", "a b c x e f g h");
    /// assert_eq!(al.edits().count(), 1);
    /// ```
    pub fn edits(&self) -> impl Iterator<Item = &Edit> {
        self.passages.iter().flat_map(|p| p.edits.iter())
    }

    /// The swapped words ([`EditKind::Swap`] edits), in passage order.
    ///
    /// # Examples
    ///
    /// ```
    /// let al = wirecopy::align::align("a b c d e f g h", "a b c x e f g h");
    /// assert_eq!(al.swaps().next().map(|e| e.b.clone()), Some(6..7));
    /// ```
    pub fn swaps(&self) -> impl Iterator<Item = &Edit> {
        self.edits().filter(|e| e.kind == EditKind::Swap)
    }

    /// The passages' token ranges are in increasing order in the second text too (no moved text).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::align::align("a b c d e f g", "a b c d e f g").in_order());
    /// ```
    pub fn in_order(&self) -> bool {
        self.passages
            .windows(2)
            .all(|w| w[0].tokens_b.start <= w[1].tokens_b.start)
    }

    /// The same alignment seen from the other side: the first and second texts exchanged
    /// (insertions become deletions), passages ordered by the new first text.
    ///
    /// # Examples
    ///
    /// ```
    /// let al = wirecopy::align::align("x y a b c d e f g", "a b c d e f g");
    /// let back = al.swapped();
    /// assert_eq!(back.passages[0].tokens_a, 0..7);
    /// assert_eq!(back.coverage_b(), al.coverage_a());
    /// ```
    pub fn swapped(&self) -> Alignment {
        let mut passages: Vec<Passage> = self
            .passages
            .iter()
            .map(|p| Passage {
                a: p.b.clone(),
                b: p.a.clone(),
                tokens_a: p.tokens_b.clone(),
                tokens_b: p.tokens_a.clone(),
                matched: p.matched,
                edits: p
                    .edits
                    .iter()
                    .map(|e| Edit {
                        kind: match e.kind {
                            EditKind::Inserted => EditKind::Deleted,
                            EditKind::Deleted => EditKind::Inserted,
                            k => k,
                        },
                        a: e.b.clone(),
                        b: e.a.clone(),
                        tokens_a: e.tokens_b.clone(),
                        tokens_b: e.tokens_a.clone(),
                    })
                    .collect(),
            })
            .collect();
        passages.sort_by_key(|p| p.tokens_a.start);
        Alignment {
            passages,
            tokens_a: self.tokens_b,
            tokens_b: self.tokens_a,
        }
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Aligns `a` with `b` with a fresh [`Aligner`]. To align many pairs, reuse one [`Aligner`].
///
/// # Examples
///
/// ```
/// let al = wirecopy::align::align("the cat sat on the mat today", "the cat sat on the rug today");
/// assert_eq!(al.swaps().count(), 1);
/// ```
pub fn align(a: &str, b: &str) -> Alignment {
    Aligner::new().align(a, b)
}

/// An exact-match run: tokens `a..a+len` of the first text equal `b..b+len` of the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    a: usize,
    b: usize,
    len: usize,
}

/// Aligns texts, keeping scratch buffers between calls. Not shared between threads: use one per
/// thread (it is `Send`).
///
/// # Examples
///
/// ```
/// use wirecopy::align::{Aligner, Tokens};
/// let mut aligner = Aligner::new();
/// let wire = Tokens::new("Port workers began a strike on Monday, halting cargo at the harbour.");
/// let copy = Tokens::new("Port workers began a walkout on Monday, halting cargo at the harbour.");
/// let al = aligner.align_tokens(&wire, &copy);
/// assert_eq!(al.swaps().count(), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Aligner {
    tokenizer: Tokenizer,
    ta: Tokens,
    tb: Tokens,
    grams: Vec<(u64, u32)>,
    grams_b: Vec<(u64, u32)>,
    sort: SortScratch,
    hits: Vec<(u32, u32)>,
    runs: Vec<Run>,
    best: Vec<(f64, usize, usize)>,
    used_a: Vec<bool>,
    used_b: Vec<bool>,
    pairs: Vec<(usize, usize)>,
    fill: Vec<(usize, usize)>,
    table: Vec<u16>,
}

impl Aligner {
    /// An aligner with empty scratch buffers.
    ///
    /// # Examples
    ///
    /// ```
    /// let _a = wirecopy::align::Aligner::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Aligns two texts: `a` is the "first" text of the result (e.g. the source), `b` the second.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut al = wirecopy::align::Aligner::new();
    /// let r = al.align("one two three four five six", "zero one two three four five six");
    /// assert_eq!(r.passages[0].tokens_b, 1..7);
    /// ```
    pub fn align(&mut self, a: &str, b: &str) -> Alignment {
        let mut ta = std::mem::take(&mut self.ta);
        let mut tb = std::mem::take(&mut self.tb);
        ta.set(&mut self.tokenizer, a);
        tb.set(&mut self.tokenizer, b);
        let out = self.align_tokens(&ta, &tb);
        self.ta = ta;
        self.tb = tb;
        out
    }

    /// Aligns two prepared token sequences (see [`Tokens::new`]).
    ///
    /// # Complexity
    ///
    /// See the [module documentation](self).
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::align::{Aligner, Tokens};
    /// let t = Tokens::new("a b c d e f g h i j");
    /// assert_eq!(Aligner::new().align_tokens(&t, &t).matched(), 10);
    /// ```
    pub fn align_tokens(&mut self, a: &Tokens, b: &Tokens) -> Alignment {
        let (ha, hb) = (&a.hashes[..], &b.hashes[..]);
        let mut out = Alignment {
            passages: Vec::new(),
            tokens_a: ha.len(),
            tokens_b: hb.len(),
        };
        if ha.is_empty() || hb.is_empty() {
            return out;
        }
        self.used_a.clear();
        self.used_a.resize(ha.len(), false);
        self.used_b.clear();
        self.used_b.resize(hb.len(), false);

        if ha.len() * hb.len() <= MAX_FILL_CELLS {
            // Short texts: one exact LCS over everything.
            self.pairs.clear();
            let mut pairs = std::mem::take(&mut self.pairs);
            lcs_into(ha, hb, 0, 0, &mut self.table, &mut pairs);
            self.passages_from(&pairs, a, b, &mut out.passages);
            self.pairs = pairs;
        } else {
            self.find_runs(ha, hb);
            for _ in 0..MAX_CHAINS {
                let before = out.passages.len();
                if !self.chain_once(a, b, &mut out.passages) {
                    break;
                }
                for p in &out.passages[before..] {
                    self.used_a[p.tokens_a.clone()].fill(true);
                    self.used_b[p.tokens_b.clone()].fill(true);
                }
            }
        }
        out.passages.sort_by_key(|p| p.tokens_a.start);
        out
    }

    /// Exact runs from shared seed n-grams, sorted by (a, b).
    fn find_runs(&mut self, ha: &[u64], hb: &[u64]) {
        self.grams.clear();
        self.hits.clear();
        self.runs.clear();
        if ha.len() < SEED_LEN || hb.len() < SEED_LEN {
            return;
        }
        sorted_grams(ha, &mut self.grams, &mut self.sort);
        sorted_grams(hb, &mut self.grams_b, &mut self.sort);
        // Both sorted: one merge pairs every equal n-gram (a binary search per n-gram of `b`
        // waits on one load after another), unless it repeats too often in `a`.
        let (ga, gb) = (&self.grams, &self.grams_b);
        let (mut x, mut y) = (0, 0);
        while let (Some(&(g, _)), Some(&(h, _))) = (ga.get(x), gb.get(y)) {
            if g != h {
                x += usize::from(g < h);
                y += usize::from(h < g);
                continue;
            }
            let x_end = x + ga[x..].iter().take_while(|e| e.0 == g).count();
            let y_end = y + gb[y..].iter().take_while(|e| e.0 == g).count();
            if x_end - x <= MAX_SEED_REPEATS {
                for &(_, j) in &gb[y..y_end] {
                    self.hits.extend(ga[x..x_end].iter().map(|&(_, i)| (i, j)));
                }
            }
            (x, y) = (x_end, y_end);
        }
        // Merge hits along diagonals into maximal runs: sorted by (diagonal, i), as one word
        // each (the diagonal offset by 2^31) while positions stay below 2^31.
        const OFFSET: i64 = 1 << 31;
        if ha.len().max(hb.len()) < 1 << 31 {
            let keys = &mut self.sort.keys;
            keys.clear();
            keys.extend(self.hits.iter().map(|&(i, j)| {
                let diagonal = (i64::from(i) - i64::from(j) + OFFSET) as u64;
                diagonal << 32 | u64::from(i)
            }));
            keys.sort_unstable();
            self.hits.clear();
            self.hits.extend(keys.iter().map(|&k| {
                let i = k as u32;
                let diagonal = (k >> 32) as i64 - OFFSET;
                (i, (i64::from(i) - diagonal) as u32)
            }));
        } else {
            self.hits
                .sort_unstable_by_key(|&(i, j)| (i as i64 - j as i64, i));
        }
        let mut k = 0;
        while k < self.hits.len() {
            let (i0, j0) = self.hits[k];
            let mut last = k;
            while last + 1 < self.hits.len() {
                let (i, j) = self.hits[last + 1];
                let (pi, pj) = self.hits[last];
                if i == pi + 1 && j == pj + 1 {
                    last += 1;
                } else {
                    break;
                }
            }
            let len = (self.hits[last].0 - i0) as usize + SEED_LEN;
            self.runs.push(Run {
                a: i0 as usize,
                b: j0 as usize,
                len,
            });
            k = last + 1;
        }
        self.runs.sort_unstable_by_key(|r| (r.a, r.b));
    }

    /// Finds the heaviest chain among runs clear of earlier passages, fills it, and appends its
    /// passages. Returns false when no chain is worth a passage.
    fn chain_once(&mut self, a: &Tokens, b: &Tokens, out: &mut Vec<Passage>) -> bool {
        // Runs still available: trimmed to their longest stretch clear of used tokens.
        let mut runs: Vec<Run> = Vec::new();
        for r in &self.runs {
            let mut start = None;
            for t in 0..=r.len {
                let free = t < r.len && !self.used_a[r.a + t] && !self.used_b[r.b + t];
                match (free, start) {
                    (true, None) => start = Some(t),
                    (false, Some(s)) => {
                        if t - s >= SEED_LEN {
                            runs.push(Run {
                                a: r.a + s,
                                b: r.b + s,
                                len: t - s,
                            });
                        }
                        start = None;
                    }
                    _ => {}
                }
            }
        }
        if runs.is_empty() {
            return false;
        }
        // best[r] = (score, predecessor or usize::MAX, trim at the start of r)
        self.best.clear();
        for (ri, r) in runs.iter().enumerate() {
            let mut entry = (r.len as f64, usize::MAX, 0usize);
            for (pi, p) in runs[..ri].iter().enumerate() {
                let (pa, pb) = (p.a + p.len, p.b + p.len);
                if pa > r.a + r.len - 1 || pb > r.b + r.len - 1 || p.a >= r.a || p.b >= r.b {
                    continue;
                }
                let trim = pa.saturating_sub(r.a).max(pb.saturating_sub(r.b));
                if trim >= r.len {
                    continue;
                }
                let (ga, gb) = (r.a + trim - pa, r.b + trim - pb);
                let shift = ga.abs_diff(gb) as f64;
                let score = self.best[pi].0 + (r.len - trim) as f64 - SHIFT_PENALTY * shift;
                if score > entry.0 {
                    entry = (score, pi, trim);
                }
            }
            self.best.push(entry);
        }
        let Some(end) = (0..runs.len())
            .max_by(|&x, &y| self.best[x].0.total_cmp(&self.best[y].0).then(y.cmp(&x)))
        else {
            return false;
        };
        if self.best[end].0 < MIN_PASSAGE as f64 {
            return false;
        }
        // Trace the chain back, then walk it forward filling gaps.
        let mut chain: Vec<Run> = Vec::new();
        let mut cur = end;
        loop {
            let r = runs[cur];
            let (_, prev, trim) = self.best[cur];
            chain.push(Run {
                a: r.a + trim,
                b: r.b + trim,
                len: r.len - trim,
            });
            if prev == usize::MAX {
                break;
            }
            cur = prev;
        }
        chain.reverse();
        let (ha, hb) = (&a.hashes[..], &b.hashes[..]);
        let mut pairs = std::mem::take(&mut self.pairs);
        pairs.clear();
        // Extend before the first run.
        let first = chain[0];
        self.extend_edge(ha, hb, first.a, first.b, false, &mut pairs);
        for (k, r) in chain.iter().enumerate() {
            if k > 0 {
                let p = chain[k - 1];
                let (a0, b0) = (p.a + p.len, p.b + p.len);
                let (ga, gb) = (r.a - a0, r.b - b0);
                if ga > 0 && gb > 0 && ga * gb <= MAX_FILL_CELLS {
                    let mut fill = std::mem::take(&mut self.fill);
                    fill.clear();
                    lcs_into(
                        &ha[a0..r.a],
                        &hb[b0..r.b],
                        a0,
                        b0,
                        &mut self.table,
                        &mut fill,
                    );
                    fill.retain(|&(i, j)| !self.used_a[i] && !self.used_b[j]);
                    if ga.max(gb) > MAX_GAP {
                        // A long gap may hold unrelated text on both sides, where a common
                        // subsequence of scattered function words means nothing: keep only
                        // matches with another match close by on both sides, as in copied text.
                        let near = |x: (usize, usize), y: (usize, usize)| {
                            x.0.abs_diff(y.0) <= FILL_NEAR && x.1.abs_diff(y.1) <= FILL_NEAR
                        };
                        let keep: Vec<bool> = (0..fill.len())
                            .map(|k| {
                                (k > 0 && near(fill[k - 1], fill[k]))
                                    || (k + 1 < fill.len() && near(fill[k], fill[k + 1]))
                            })
                            .collect();
                        let mut k = 0;
                        fill.retain(|_| {
                            k += 1;
                            keep[k - 1]
                        });
                    }
                    pairs.extend_from_slice(&fill);
                    self.fill = fill;
                }
            }
            pairs.extend((0..r.len).map(|t| (r.a + t, r.b + t)));
        }
        let last = chain[chain.len() - 1];
        self.extend_edge(
            ha,
            hb,
            last.a + last.len,
            last.b + last.len,
            true,
            &mut pairs,
        );
        let before = out.len();
        self.passages_from(&pairs, a, b, out);
        self.pairs = pairs;
        if out.len() == before {
            // The chain produced no passage: keep its runs from being chosen again.
            for r in &chain {
                self.used_a[r.a..r.a + r.len].fill(true);
                self.used_b[r.b..r.b + r.len].fill(true);
            }
        }
        true
    }

    /// Extends a chain beyond its first run (`forward == false`, ending at `(a, b)`) or its last
    /// run (starting at `(a, b)`) through single matching tokens separated by small gaps.
    fn extend_edge(
        &mut self,
        ha: &[u64],
        hb: &[u64],
        a: usize,
        b: usize,
        forward: bool,
        pairs: &mut Vec<(usize, usize)>,
    ) {
        let (ra, rb) = if forward {
            (
                a..(a + EDGE_WINDOW).min(ha.len()),
                b..(b + EDGE_WINDOW).min(hb.len()),
            )
        } else {
            (
                a.saturating_sub(EDGE_WINDOW)..a,
                b.saturating_sub(EDGE_WINDOW)..b,
            )
        };
        if ra.is_empty() || rb.is_empty() {
            return;
        }
        let mut fill = std::mem::take(&mut self.fill);
        fill.clear();
        lcs_into(
            &ha[ra.clone()],
            &hb[rb.clone()],
            ra.start,
            rb.start,
            &mut self.table,
            &mut fill,
        );
        fill.retain(|&(i, j)| !self.used_a[i] && !self.used_b[j]);
        let mut kept = Vec::new();
        let (mut pa, mut pb) = (a, b);
        if forward {
            for &(i, j) in fill.iter() {
                if i - pa > EDGE_GAP || j - pb > EDGE_GAP {
                    break;
                }
                kept.push((i, j));
                (pa, pb) = (i + 1, j + 1);
            }
        } else {
            for &(i, j) in fill.iter().rev() {
                if pa - i - 1 > EDGE_GAP || pb - j - 1 > EDGE_GAP {
                    break;
                }
                kept.push((i, j));
                (pa, pb) = (i, j);
            }
            kept.reverse();
        }
        pairs.extend(kept);
        self.fill = fill;
    }

    /// Splits sorted matched pairs into passages and classifies the gaps inside them.
    fn passages_from(
        &self,
        pairs: &[(usize, usize)],
        a: &Tokens,
        b: &Tokens,
        out: &mut Vec<Passage>,
    ) {
        let mut start = 0;
        while start < pairs.len() {
            let mut end = start + 1;
            while end < pairs.len() {
                let (pi, pj) = pairs[end - 1];
                let (i, j) = pairs[end];
                if i - pi - 1 > MAX_GAP
                    || j - pj - 1 > MAX_GAP
                    || self.used_a[pi + 1..i].iter().any(|&u| u)
                    || self.used_b[pj + 1..j].iter().any(|&u| u)
                {
                    break;
                }
                end += 1;
            }
            let run = &pairs[start..end];
            if run.len() >= MIN_PASSAGE {
                let (i0, j0) = run[0];
                let (i1, j1) = run[run.len() - 1];
                // Copies are made of whole sentences: when the tokens just outside the passage
                // reach a sentence boundary in both texts, they are swapped words of the passage.
                let free = |i: usize, j: usize| {
                    !self.used_a[i] && !self.used_b[j] && a.hashes[i] != b.hashes[j]
                };
                let head = (1..=EDGE_GAP)
                    .take_while(|&k| k <= i0 && k <= j0 && free(i0 - k, j0 - k))
                    .find(|&k| a.starts[i0 - k] && b.starts[j0 - k])
                    .unwrap_or(0);
                let ends = |t: &Tokens, i: usize| i + 1 >= t.len() || t.starts[i + 1];
                let tail = (1..=EDGE_GAP)
                    .take_while(|&k| i1 + k < a.len() && j1 + k < b.len() && free(i1 + k, j1 + k))
                    .find(|&k| ends(a, i1 + k) && ends(b, j1 + k))
                    .unwrap_or(0);
                let (i0, j0, i1, j1) = (i0 - head, j0 - head, i1 + tail, j1 + tail);
                let mut edits = Vec::new();
                if head > 0 {
                    push_edit(&mut edits, a, b, i0..i0 + head, j0..j0 + head);
                }
                for w in run.windows(2) {
                    push_edit(&mut edits, a, b, w[0].0 + 1..w[1].0, w[0].1 + 1..w[1].1);
                }
                if tail > 0 {
                    push_edit(
                        &mut edits,
                        a,
                        b,
                        i1 + 1 - tail..i1 + 1,
                        j1 + 1 - tail..j1 + 1,
                    );
                }
                out.push(Passage {
                    a: a.bytes(i0..i1 + 1),
                    b: b.bytes(j0..j1 + 1),
                    tokens_a: i0..i1 + 1,
                    tokens_b: j0..j1 + 1,
                    matched: run.len(),
                    edits,
                });
            }
            start = end;
        }
    }
}

/// Classifies the gap between two matched tokens and appends its edit (or word-for-word swaps).
fn push_edit(edits: &mut Vec<Edit>, a: &Tokens, b: &Tokens, ta: Range<usize>, tb: Range<usize>) {
    let kind = match (ta.len(), tb.len()) {
        (0, 0) => return,
        (0, _) => EditKind::Inserted,
        (_, 0) => EditKind::Deleted,
        (x, y) if x <= MAX_SWAP && y <= MAX_SWAP => EditKind::Swap,
        (x, y) if x == y && x <= 2 * MAX_SWAP => EditKind::Swap,
        _ => EditKind::Rewritten,
    };
    if kind == EditKind::Swap && ta.len() == tb.len() {
        // Word for word: one swap per word ("national security" / "nationwide stability" is two
        // swaps).
        for (i, j) in ta.zip(tb) {
            edits.push(Edit {
                kind,
                a: a.bytes(i..i + 1),
                b: b.bytes(j..j + 1),
                tokens_a: i..i + 1,
                tokens_b: j..j + 1,
            });
        }
        return;
    }
    edits.push(Edit {
        kind,
        a: a.bytes(ta.clone()),
        b: b.bytes(tb.clone()),
        tokens_a: ta,
        tokens_b: tb,
    });
}

/// Scratch buffers for [`sorted_grams`] and the sort of seed hits.
#[derive(Debug, Clone, Default)]
struct SortScratch {
    values: Vec<u64>,
    keys: Vec<u64>,
    counts: Vec<u32>,
    tmp: Vec<u64>,
}

/// The seed n-grams of `h` with their positions, sorted as `sort_unstable` sorts the pairs (by
/// n-gram, then position), into `out`.
fn sorted_grams(h: &[u64], out: &mut Vec<(u64, u32)>, s: &mut SortScratch) {
    let mut values = std::mem::take(&mut s.values);
    values.clear();
    values.extend(h.windows(SEED_LEN).map(gram));
    sort_positioned(&values, out, s);
    s.values = values;
}

/// The pairs (`values[k]`, k), sorted as `sort_unstable` sorts them, into `out`: by
/// [`packed_order`] (n-gram hashes are evenly spread), the values read back by position and
/// checked; when two different values sharing their top bits came out of order, or there are
/// too many, the pairs are sorted instead.
fn sort_positioned(values: &[u64], out: &mut Vec<(u64, u32)>, s: &mut SortScratch) {
    out.clear();
    if packed_order(values, &mut s.keys, &mut s.counts, &mut s.tmp) {
        out.extend(s.keys.iter().filter_map(|&k| {
            let i = (k & POSITION_MASK) as usize;
            Some((*values.get(i)?, i as u32))
        }));
        if out.len() == values.len() && out.windows(2).all(|w| w[0].0 <= w[1].0) {
            return;
        }
        out.clear();
    }
    out.extend(values.iter().enumerate().map(|(i, &g)| (g, i as u32)));
    out.sort_unstable();
}

/// Hash of a seed n-gram of token hashes.
fn gram(h: &[u64]) -> u64 {
    let mut x = 0x243F_6A88_85A3_08D3u64;
    for &t in h {
        x = (x ^ t).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
    x
}

/// Appends to `out` the pairs `(a_off + i, b_off + j)` of one longest common subsequence of `a`
/// and `b`, in increasing order. `a.len() * b.len()` should be small (the table is dense).
fn lcs_into(
    a: &[u64],
    b: &[u64],
    a_off: usize,
    b_off: usize,
    table: &mut Vec<u16>,
    out: &mut Vec<(usize, usize)>,
) {
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    table.clear();
    table.resize((n + 1) * w, 0);
    // table[i*w + j] = LCS of a[i..] and b[j..] (suffixes), so the traceback runs forward.
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i * w + j] = if a[i] == b[j] {
                table[(i + 1) * w + j + 1].saturating_add(1)
            } else {
                table[(i + 1) * w + j].max(table[i * w + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            out.push((a_off + i, b_off + j));
            i += 1;
            j += 1;
        } else if table[(i + 1) * w + j] >= table[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(al: &Alignment, a: &str, b: &str) -> Vec<(String, String)> {
        al.swaps()
            .map(|e| (a[e.a.clone()].to_string(), b[e.b.clone()].to_string()))
            .collect()
    }

    /// The seed hits of [`Aligner::find_runs`] by a binary search per n-gram of `b` (the code
    /// the merge replaced), sorted: its test oracle.
    fn hits_by_search(ha: &[u64], hb: &[u64]) -> Vec<(u32, u32)> {
        let mut grams: Vec<(u64, u32)> = ha
            .windows(SEED_LEN)
            .enumerate()
            .map(|(i, w)| (gram(w), i as u32))
            .collect();
        grams.sort_unstable();
        let mut hits = Vec::new();
        for (j, w) in hb.windows(SEED_LEN).enumerate() {
            let g = gram(w);
            let lo = grams.partition_point(|x| x.0 < g);
            let hi = grams[lo..].partition_point(|x| x.0 == g) + lo;
            if hi - lo <= MAX_SEED_REPEATS {
                hits.extend(grams[lo..hi].iter().map(|&(_, i)| (i, j as u32)));
            }
        }
        hits.sort_unstable();
        hits
    }

    /// A seeded sequence of numbers below the bound asked for.
    fn below(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut state = seed;
        move |k| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            crate::shingle::fmix64(state) % k
        }
    }

    #[test]
    fn seed_hits_match_a_search_per_n_gram() {
        // Token streams over small alphabets, so n-grams repeat (some more than
        // MAX_SEED_REPEATS times).
        let mut next = below(3);
        let mut aligner = Aligner::new();
        let mut with_hits = 0;
        for round in 0..400u64 {
            let alphabet = 2 + round % 9;
            let a: Vec<u64> = (0..next(120)).map(|_| next(alphabet)).collect();
            let b: Vec<u64> = (0..next(120)).map(|_| next(alphabet)).collect();
            aligner.find_runs(&a, &b);
            let mut got = aligner.hits.clone();
            got.sort_unstable();
            let want = if a.len() < SEED_LEN || b.len() < SEED_LEN {
                Vec::new()
            } else {
                hits_by_search(&a, &b)
            };
            assert_eq!(got, want, "round {round}");
            with_hits += usize::from(!want.is_empty());
        }
        assert!(with_hits > 300, "{with_hits}");
    }

    /// The packed radix sort of positioned n-grams gives the order `sort_unstable` gives, also
    /// when different values share their top 48 bits (in either order of position), where it
    /// falls back to sorting the pairs; and the seed hits come out sorted by (diagonal, i).
    #[test]
    fn packed_sorts_match_the_pair_sorts() {
        let mut next = below(5);
        let mut s = SortScratch::default();
        for round in 0..300u64 {
            let n = next(400) as usize;
            // A few top parts, low bits from a small or a full range: values repeat, and
            // different values share their top 48 bits.
            let tops: Vec<u64> = (0..1 + round % 40).map(|_| next(u64::MAX)).collect();
            let mut v: Vec<(u64, u32)> = (0..n as u32)
                .map(|i| {
                    let top = tops[next(tops.len() as u64) as usize] & !0xFFFF;
                    let low = if round % 3 == 0 {
                        next(4)
                    } else {
                        next(0x1_0000)
                    };
                    (top | low, i)
                })
                .collect();
            let mut want = v.clone();
            want.sort_unstable();
            let values: Vec<u64> = v.iter().map(|p| p.0).collect();
            sort_positioned(&values, &mut v, &mut s);
            assert_eq!(v, want, "round {round}");
        }
        let mut aligner = Aligner::new();
        for round in 0..200u64 {
            let alphabet = 2 + round % 7;
            let a: Vec<u64> = (0..next(150)).map(|_| next(alphabet)).collect();
            let b: Vec<u64> = (0..next(150)).map(|_| next(alphabet)).collect();
            aligner.find_runs(&a, &b);
            let key = |&(i, j): &(u32, u32)| (i64::from(i) - i64::from(j), i);
            assert!(aligner.hits.is_sorted_by_key(key), "round {round}");
            let mut grams = Vec::new();
            sorted_grams(&a, &mut grams, &mut s);
            assert!(grams.is_sorted());
        }
    }

    #[test]
    fn identical_texts_are_one_passage() {
        let t = "word ".repeat(3) + &(0..200).map(|i| format!("w{i} ")).collect::<String>();
        let al = align(&t, &t);
        assert_eq!(al.passages.len(), 1);
        assert_eq!(al.coverage_a(), 1.0);
        assert_eq!(al.edits().count(), 0);
    }

    #[test]
    fn multiword_swaps_and_insertions() {
        let base: String = (0..60).map(|i| format!("w{i} ")).collect();
        let a = format!("{base} the White House said it will leave the talks {base}");
        let b = format!("{base} the White Property said it will go away the talks {base}");
        let al = align(&a, &b);
        let sw = words(&al, &a, &b);
        assert!(sw.contains(&("House".into(), "Property".into())), "{sw:?}");
        assert!(sw.contains(&("leave".into(), "go away".into())), "{sw:?}");
    }

    #[test]
    fn moved_paragraph_is_found() {
        let p = |k: usize| -> String { (0..40).map(|i| format!("p{k}x{i} ")).collect() };
        let a = format!("{}{}{}{}", p(1), p(2), p(3), p(4));
        let b = format!("{}{}{}{}", p(1), p(3), p(2), p(4));
        let al = align(&a, &b);
        assert!(al.coverage_a() > 0.99 && al.coverage_b() > 0.99, "{al:?}");
        assert!(!al.in_order());
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for (a, b) in [("", ""), ("a", ""), ("", "a"), ("a a a a", "a a a a a a a")] {
            let _ = align(a, b);
        }
        // Only repeated seeds: no evidence, and no quadratic blow-up.
        let rep = "the the the the ".repeat(300);
        assert!(align(&rep, &rep).passages.is_empty());
    }

    #[test]
    fn swapped_is_an_involution() {
        let a = "x y z one two three four five six seven eight nine";
        let b = "one two three four fiver six seven eight nine ten";
        let al = align(a, b);
        assert_eq!(al.swapped().swapped(), al);
    }
}
