//! Boilerplate suppression: shingles that recur across many documents.
//!
//! Site headers, newsletter sign-ups, cookie notices and copyright lines recur verbatim in many
//! unrelated documents, so their shingles have a high *document frequency* (DF). [`DfCounter`] counts
//! the DF of every shingle in a fixed-size count-min sketch (Cormode & Muthukrishnan 2005): 4 rows of
//! 2^20 saturating 16-bit counters (8 MiB), whatever the corpus size, or 8-bit ones (4 MiB) for a
//! counter only ever asked about limits up to 255 ([`DfCounter::narrow`]). A count-min sketch never
//! undercounts; it overcounts by about (total shingle occurrences) / 2^20, far below the boilerplate
//! limit at any corpus size, since the limit grows with the corpus (see
//! [`Config::boilerplate_limit`](crate::Config::boilerplate_limit)).

use crate::shingle::{fmix64, sort_spread, Directory};

const ROWS: usize = 4;
const WIDTH_BITS: u32 = 20;
const WIDTH: usize = 1 << WIDTH_BITS;

/// Document-frequency counts of shingles (a count-min sketch).
///
/// # Examples
///
/// ```
/// let mut df = wirecopy::boilerplate::DfCounter::new();
/// df.add_set(&[1, 2, 3]);
/// df.add_set(&[2, 3]);
/// assert_eq!(df.estimate(2), 2);
/// assert_eq!(df.estimate(1), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct DfCounter {
    counts: Counts,
    docs: usize,
}

/// The counters, row after row: 16-bit, or 8-bit for a [`DfCounter::narrow`] one. Empty until
/// the first count.
#[derive(Debug, Clone, PartialEq)]
enum Counts {
    Wide(Vec<u16>),
    Narrow(Vec<u8>),
}

impl Default for Counts {
    fn default() -> Self {
        Counts::Wide(Vec::new())
    }
}

/// A saturating counter cell.
trait Cell: Copy + Default + Ord + Send + Sync + TryFrom<usize> + Into<usize> {
    /// One more, unless full.
    fn bump(&mut self);
    /// The sum, or full.
    fn plus(self, other: Self) -> Self;
}

macro_rules! saturating_cells {
    ($($t:ty),*) => {$(
        impl Cell for $t {
            #[inline]
            fn bump(&mut self) {
                *self = self.saturating_add(1);
            }
            #[inline]
            fn plus(self, other: Self) -> Self {
                self.saturating_add(other)
            }
        }
    )*};
}
saturating_cells!(u8, u16);

/// Applies a generic body to whichever counters `$counts` holds, as `$c`.
macro_rules! with_counts {
    ($counts:expr, $c:ident => $body:expr) => {
        match $counts {
            Counts::Wide($c) => $body,
            Counts::Narrow($c) => $body,
        }
    };
}

impl Counts {
    fn is_empty(&self) -> bool {
        with_counts!(self, c => c.is_empty())
    }

    /// Takes the counters' memory (all zero) if not done yet.
    fn ensure(&mut self) {
        with_counts!(self, c => if c.is_empty() {
            *c = vec![Default::default(); ROWS * WIDTH];
        })
    }

    /// Counter `i` (row-major).
    #[inline]
    fn get(&self, i: usize) -> usize {
        with_counts!(self, c => c[i].into())
    }
}

/// `a[i] += b[i]` (converted by `wide`), saturating.
fn add_saturating<A: Cell, B: Copy>(a: &mut [A], b: &[B], wide: impl Fn(B) -> A) {
    for (a, &b) in a.iter_mut().zip(b) {
        *a = a.plus(wide(b));
    }
}

/// Bit `i` of `bits`: whether counter `i` of `counts` is at least `n` (64 counters a word).
fn fill_at_least<C: Cell>(bits: &mut [u64], counts: &[C], n: usize) {
    // Cells saturate: a larger `n` is reached by none.
    let Ok(n) = C::try_from(n) else {
        return;
    };
    for (word, counts) in bits.iter_mut().zip(counts.chunks_exact(64)) {
        // Byte flags first (a plain compare the compiler vectorizes), then packed eight to a
        // byte by one multiply each.
        let mut flags = [0u8; 64];
        for (f, &c) in flags.iter_mut().zip(counts) {
            *f = u8::from(c >= n);
        }
        let mut w = 0u64;
        for (k, eight) in flags.chunks_exact(8).enumerate() {
            let b = u64::from_le_bytes(eight.try_into().unwrap_or_default());
            w |= (b.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
        }
        *word = w;
    }
}

/// Counts `sets` into rows `2 * pair` and `2 * pair + 1`, `counts` (the two rows).
fn fill_pair<C: Cell, S: AsRef<[u64]>>(pair: usize, counts: &mut [C], sets: &[S]) {
    // Rows 2k and 2k + 1 take the two halves of one hash (see `slot`): filled together, one
    // hash serves both.
    let (low, high) = counts.split_at_mut(WIDTH);
    for set in sets {
        for &h in set.as_ref() {
            let [x, y] = pair_slots(h, pair);
            low[x].bump();
            high[y].bump();
        }
    }
}

impl DfCounter {
    /// An empty counter of 16-bit cells, exact up to 65,535 (memory is taken at the first
    /// [`DfCounter::add_set`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let df = wirecopy::boilerplate::DfCounter::new();
    /// assert_eq!((df.estimate(9), df.saturation()), (0, 65_535));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty counter of 8-bit cells: half the memory (4 MiB), and counting took about a fifth
    /// less time on the dev corpus (two rows fit in one core's 2 MiB L2 cache), but its cells stop
    /// at 255, so it answers [`DfCounter::at_least`] only for limits up to 255 (a larger one is
    /// reached by none, as 65,536 is by [`DfCounter::new`]'s). A [`Detector`](crate::Detector)
    /// counts with one while its boilerplate limit stays at most 255, and recounts with
    /// 16-bit cells once the collection grows past that.
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::boilerplate::DfCounter;
    /// let mut df = DfCounter::narrow();
    /// for _ in 0..300 {
    ///     df.add_set(&[4]);
    /// }
    /// assert_eq!((df.estimate(4), df.saturation()), (255, 255));
    /// assert!(df.at_least(4, 255) && !df.at_least(4, 256));
    /// ```
    pub fn narrow() -> Self {
        DfCounter {
            counts: Counts::Narrow(Vec::new()),
            docs: 0,
        }
    }

    /// The largest count a cell holds (255 or 65,535): [`DfCounter::at_least`] is exact up to it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::boilerplate::DfCounter::narrow().saturation(), 255);
    /// ```
    pub fn saturation(&self) -> usize {
        match self.counts {
            Counts::Wide(_) => usize::from(u16::MAX),
            Counts::Narrow(_) => usize::from(u8::MAX),
        }
    }

    /// Counts one document's shingle *set* (each element once).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut df = wirecopy::boilerplate::DfCounter::new();
    /// df.add_set(&[7]);
    /// assert_eq!(df.documents(), 1);
    /// ```
    pub fn add_set(&mut self, set: &[u64]) {
        self.counts.ensure();
        with_counts!(&mut self.counts, counts => {
            for &h in set {
                for (row, slot) in slots(h).into_iter().enumerate() {
                    counts[row * WIDTH + slot].bump();
                }
            }
        });
        self.docs += 1;
    }

    /// [`DfCounter::at_least`] for one `n` asked many times: every counter's answer is read off
    /// once into bit sets (128 KiB a row, 512 KiB in all, sixteen times denser than the counters),
    /// so a lookup touches no counter; the first row turns away most rare shingles.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut df = wirecopy::boilerplate::DfCounter::new();
    /// df.add_set(&[5]);
    /// df.add_set(&[5, 6]);
    /// let frequent = df.at_least_filter(2);
    /// assert!(frequent.contains(5) && !frequent.contains(6) && !frequent.contains(7));
    /// ```
    pub fn at_least_filter(&self, n: usize) -> AtLeast {
        // Row by row (side by side with the `parallel` feature), 64 counters to a word.
        let mut rows = vec![0u64; ROWS * WIDTH / 64];
        if self.counts.is_empty() {
            // Nothing counted: only 0 is reached.
            if n == 0 {
                rows.fill(!0);
            }
        } else {
            with_counts!(&self.counts, counts => {
                let pairs = rows.chunks_mut(WIDTH / 64).zip(counts.chunks(WIDTH));
                let fill = |(bits, counts)| fill_at_least(bits, counts, n);
                #[cfg(feature = "parallel")]
                {
                    use rayon::prelude::*;
                    pairs.collect::<Vec<_>>().into_par_iter().for_each(fill);
                }
                #[cfg(not(feature = "parallel"))]
                pairs.for_each(fill);
            });
        }
        AtLeast { rows }
    }

    /// Counts many documents' shingle sets at once, as [`DfCounter::add_set`] on each in turn
    /// would. With the `parallel` feature the counter's rows are filled side by side in the
    /// caller's rayon pool (each pair of rows is its own slice, so the counts are the same).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut df = wirecopy::boilerplate::DfCounter::new();
    /// df.add_sets(&[vec![1, 2], vec![2]]);
    /// assert_eq!((df.estimate(2), df.estimate(1), df.documents()), (2, 1, 2));
    /// ```
    pub fn add_sets<S: AsRef<[u64]> + Sync>(&mut self, sets: &[S]) {
        self.counts.ensure();
        with_counts!(&mut self.counts, counts => {
            let fill = |(pair, counts)| fill_pair(pair, counts, sets);
            #[cfg(feature = "parallel")]
            {
                use rayon::prelude::*;
                counts.par_chunks_mut(2 * WIDTH).enumerate().for_each(fill);
            }
            #[cfg(not(feature = "parallel"))]
            counts.chunks_mut(2 * WIDTH).enumerate().for_each(fill);
        });
        self.docs += sets.len();
    }

    /// Merges another counter into this one (for parallel counting). The sum has 16-bit cells
    /// when either has them (a [`DfCounter::narrow`] one's full cells count as 255).
    ///
    /// # Examples
    ///
    /// ```
    /// use wirecopy::boilerplate::DfCounter;
    /// let (mut a, mut b) = (DfCounter::new(), DfCounter::new());
    /// a.add_set(&[1]);
    /// b.add_set(&[1]);
    /// a.merge(&b);
    /// assert_eq!(a.estimate(1), 2);
    /// ```
    pub fn merge(&mut self, other: &DfCounter) {
        if other.counts.is_empty() {
            return;
        }
        if let (Counts::Narrow(mine), Counts::Wide(_)) = (&self.counts, &other.counts) {
            self.counts = Counts::Wide(mine.iter().map(|&c| u16::from(c)).collect());
        }
        self.counts.ensure();
        match (&mut self.counts, &other.counts) {
            (Counts::Wide(a), Counts::Wide(b)) => add_saturating(a, b, |c| c),
            (Counts::Wide(a), Counts::Narrow(b)) => add_saturating(a, b, u16::from),
            (Counts::Narrow(a), Counts::Narrow(b)) => add_saturating(a, b, |c| c),
            // Widened above.
            (Counts::Narrow(_), Counts::Wide(_)) => {}
        }
        self.docs += other.docs;
    }

    /// Number of documents counted.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::boilerplate::DfCounter::new().documents(), 0);
    /// ```
    pub fn documents(&self) -> usize {
        self.docs
    }

    /// The estimated number of documents containing `h` (never below the true count, up to
    /// [`DfCounter::saturation`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut df = wirecopy::boilerplate::DfCounter::new();
    /// df.add_set(&[5]);
    /// assert!(df.estimate(5) >= 1);
    /// ```
    pub fn estimate(&self, h: u64) -> usize {
        if self.counts.is_empty() {
            return 0;
        }
        slots(h)
            .into_iter()
            .enumerate()
            .map(|(row, slot)| self.counts.get(row * WIDTH + slot))
            .min()
            .unwrap_or(0)
    }

    /// True when `h`'s [`DfCounter::estimate`] is at least `n`, reading counters only until one
    /// falls short: a rare shingle (nearly all of them) costs one memory access, not four.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut df = wirecopy::boilerplate::DfCounter::new();
    /// df.add_set(&[5]);
    /// df.add_set(&[5, 6]);
    /// assert!(df.at_least(5, 2) && !df.at_least(6, 2) && df.at_least(7, 0));
    /// ```
    #[inline]
    pub fn at_least(&self, h: u64, n: usize) -> bool {
        if n == 0 {
            return true;
        }
        if self.counts.is_empty() {
            return false;
        }
        all_rows(h, |i| self.counts.get(i) >= n)
    }
}

/// Whether shingles reach a document frequency (see [`DfCounter::at_least_filter`]).
#[derive(Debug, Clone)]
pub struct AtLeast {
    /// Bit i of row r (at `r * WIDTH + i`): counter i of row r is at least the filter's `n`.
    rows: Vec<u64>,
}

impl AtLeast {
    /// The same answer as [`DfCounter::at_least`] with this filter's `n`.
    ///
    /// # Examples
    ///
    /// ```
    /// let df = wirecopy::boilerplate::DfCounter::new();
    /// assert!(!df.at_least_filter(1).contains(3));
    /// ```
    #[inline]
    pub fn contains(&self, h: u64) -> bool {
        all_rows(h, |i| {
            self.rows
                .get(i / 64)
                .is_some_and(|w| w >> (i % 64) & 1 == 1)
        })
    }
}

/// The slots of `h` in rows `2 * pair` and `2 * pair + 1`: the low and high halves of one hash.
#[inline]
fn pair_slots(h: u64, pair: usize) -> [usize; 2] {
    let x = fmix64(h ^ ROW_SEEDS[pair]);
    let mask = (WIDTH - 1) as u64;
    [(x & mask) as usize, ((x >> 32) & mask) as usize]
}

/// True when `reached(row * WIDTH + slot)` holds in every row, asked row by row: a rare shingle
/// is answered by the first, with one hash.
#[inline]
fn all_rows(h: u64, reached: impl Fn(usize) -> bool) -> bool {
    (0..ROWS / 2).all(|pair| {
        let [x, y] = pair_slots(h, pair);
        reached(2 * pair * WIDTH + x) && reached((2 * pair + 1) * WIDTH + y)
    })
}

/// The slot of `h` in row `row` (as [`slots`] gives it).
#[cfg(test)]
fn slot(h: u64, row: usize) -> usize {
    pair_slots(h, row / 2)[row % 2]
}

/// Rows 0 and 1 take the low and high halves of one hash of the shingle, rows 2 and 3 of another.
const ROW_SEEDS: [u64; 2] = [0xB01E_B1A7_E000_0001, 0xB01E_B1A7_E000_0002];

/// The slots of `h` in every row (two hashes for four rows).
#[inline]
fn slots(h: u64) -> [usize; ROWS] {
    let ([a, b], [c, d]) = (pair_slots(h, 0), pair_slots(h, 1));
    [a, b, c, d]
}

/// The shingles found in at least `n` of the sets whose elements `items` lists (each set without
/// repeats, the sets one after another), counted exactly: sorted, without repeats.
pub(crate) fn in_at_least(mut items: Vec<u64>, n: usize) -> Vec<u64> {
    sort_spread(&mut items);
    let runs = items.chunk_by(|a, b| a == b);
    runs.filter(|run| run.len() >= n)
        .map(|run| run[0])
        .collect()
}

/// A sorted set of shingles that answers membership in one or two reads (see [`Directory`]).
#[derive(Debug, Clone)]
pub(crate) struct ShingleSet {
    hashes: Vec<u64>,
    directory: Directory,
}

impl ShingleSet {
    /// The set of `hashes` (sorted, without repeats).
    pub(crate) fn new(hashes: Vec<u64>) -> ShingleSet {
        let directory = Directory::new(&hashes);
        ShingleSet { hashes, directory }
    }

    /// True when `h` is in the set.
    #[inline]
    pub(crate) fn contains(&self, h: u64) -> bool {
        self.directory.rank(&self.hashes, h).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_undercounts() {
        for mut df in [DfCounter::new(), DfCounter::narrow()] {
            let sat = df.saturation();
            let mut truth = std::collections::HashMap::new();
            for d in 0..300u64 {
                let set: Vec<u64> = (0..200).map(|i| fmix64(i * 7 + d % 13)).collect();
                for &h in &set {
                    *truth.entry(h).or_insert(0usize) += 1;
                }
                df.add_set(&set);
            }
            let filters: Vec<_> = [0, 1, 2, 3, 4, 255, 256, 70_000]
                .map(|m| (m, df.at_least_filter(m)))
                .into_iter()
                .collect();
            // Every counter's bit, against the counter.
            for (m, filter) in &filters {
                for i in 0..ROWS * WIDTH {
                    let set = filter.rows[i / 64] >> (i % 64) & 1 == 1;
                    assert_eq!(set, df.counts.get(i) >= *m, "counter {i}, {m}");
                }
            }
            for (h, n) in truth {
                let e = df.estimate(h);
                assert!(e >= n.min(sat) && e <= (n + 2).min(sat), "{e} vs {n}");
                for m in [0, 1, e, e + 1, 70_000] {
                    assert_eq!(df.at_least(h, m), e >= m, "{h} {m}");
                }
                for (m, filter) in &filters {
                    assert_eq!(filter.contains(h), e >= *m, "{h} {m}");
                }
            }
        }
        for df in [DfCounter::new(), DfCounter::narrow()] {
            assert!(df.at_least(1, 0) && !df.at_least(1, 1));
            assert!(df.at_least_filter(0).contains(1));
            assert!(!df.at_least_filter(1).contains(1));
        }
    }

    #[test]
    fn narrow_counters_answer_as_wide_ones_up_to_255() {
        // Shingles in up to 400 of 400 sets, so that some pass 255.
        let sets: Vec<Vec<u64>> = (0..400u64)
            .map(|d| (0..(d % 41) * 9).map(|i| fmix64(i % 300 + d % 3)).collect())
            .collect();
        let (mut wide, mut narrow) = (DfCounter::new(), DfCounter::narrow());
        wide.add_sets(&sets);
        narrow.add_sets(&sets[..150]);
        for s in &sets[150..] {
            narrow.add_set(s);
        }
        assert!((0..400).any(|h| wide.estimate(fmix64(h)) > 255));
        for n in [1, 2, 10, 100, 254, 255, 256, 1000] {
            let (fw, fn_) = (wide.at_least_filter(n), narrow.at_least_filter(n));
            for h in (0..400).map(fmix64) {
                let want = wide.at_least(h, n) && n <= 255;
                assert_eq!(narrow.at_least(h, n), want, "{h} {n}");
                assert_eq!(fn_.contains(h), want, "{h} {n}");
                assert_eq!(fw.contains(h), wide.at_least(h, n), "{h} {n}");
                assert_eq!(narrow.estimate(h), wide.estimate(h).min(255));
            }
        }
        // Merged: 16-bit cells when either has them; a narrow one's full cells count as 255.
        let mut sum = narrow.clone();
        sum.merge(&wide);
        assert_eq!(sum.saturation(), 65_535);
        let mut other = wide.clone();
        other.merge(&narrow);
        assert_eq!(sum.counts, other.counts);
        let mut twice = narrow.clone();
        twice.merge(&narrow);
        assert_eq!(twice.saturation(), 255);
        for h in (0..400).map(fmix64) {
            let (n, w) = (narrow.estimate(h), wide.estimate(h));
            assert_eq!(sum.estimate(h), n + w);
            assert_eq!(twice.estimate(h), (2 * n).min(255));
        }
        assert_eq!(sum.documents(), 800);
    }

    #[test]
    fn exact_counts_and_set_lookups() {
        let sets: Vec<Vec<u64>> = (0..60u64)
            .map(|d| {
                let mut s: Vec<u64> = (0..d % 23).map(|i| fmix64(i * (d % 5 + 1))).collect();
                s.sort_unstable();
                s.dedup();
                s
            })
            .collect();
        let mut truth = std::collections::HashMap::new();
        for h in sets.iter().flatten() {
            *truth.entry(*h).or_insert(0usize) += 1;
        }
        for n in [0, 1, 2, 3, 7, 100] {
            let got = in_at_least(sets.concat(), n);
            let mut want: Vec<u64> = truth
                .iter()
                .filter(|(_, &c)| c >= n)
                .map(|(&h, _)| h)
                .collect();
            want.sort_unstable();
            assert_eq!(got, want, "{n}");
            let set = ShingleSet::new(got);
            for (&h, &c) in &truth {
                assert_eq!(set.contains(h), c >= n);
            }
            assert!(!set.contains(fmix64(1_000_001)));
        }
    }

    #[test]
    fn batches_count_as_one_by_one() {
        let sets: Vec<Vec<u64>> = (0..500u64)
            .map(|d| (0..(d % 37) * 5).map(|i| fmix64(i % 90 + d % 7)).collect())
            .collect();
        for new in [DfCounter::new, DfCounter::narrow] {
            let mut one = new();
            for s in &sets {
                one.add_set(s);
            }
            let mut batch = new();
            batch.add_sets(&sets[..200]);
            batch.add_sets(&sets[200..]);
            assert_eq!(one.counts, batch.counts);
            assert_eq!(one.documents(), batch.documents());
        }
        for h in 0..100 {
            assert_eq!(slots(h), [0, 1, 2, 3].map(|row| slot(h, row)));
        }
    }
}
