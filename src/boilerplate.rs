//! Boilerplate suppression: shingles that recur across many documents.
//!
//! Site headers, newsletter sign-ups, cookie notices and copyright lines recur verbatim in many
//! unrelated documents, so their shingles have a high *document frequency* (DF). [`DfCounter`] counts
//! the DF of every shingle in a fixed-size count-min sketch (Cormode & Muthukrishnan 2005): 4 rows of
//! 2^20 saturating 16-bit counters (8 MiB), whatever the corpus size. A count-min sketch never
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
    counts: Vec<u16>,
    docs: usize,
}

impl DfCounter {
    /// An empty counter (memory is taken at the first [`DfCounter::add_set`]).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::boilerplate::DfCounter::new().estimate(9), 0);
    /// ```
    pub fn new() -> Self {
        Self::default()
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
        if self.counts.is_empty() {
            self.counts = vec![0; ROWS * WIDTH];
        }
        for &h in set {
            for (row, slot) in slots(h).into_iter().enumerate() {
                let c = &mut self.counts[row * WIDTH + slot];
                *c = c.saturating_add(1);
            }
        }
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
        // Counters saturate at `u16::MAX`: a larger `n` is reached by none.
        let n16 = u16::try_from(n).ok();
        let fill = |(bits, counts): (&mut [u64], &[u16])| {
            let Some(n) = n16 else {
                return;
            };
            for (word, counts) in bits.iter_mut().zip(counts.chunks_exact(64)) {
                // Byte flags first (a plain compare the compiler vectorizes), then packed eight
                // to a byte by one multiply each.
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
        };
        if self.counts.is_empty() {
            // Nothing counted: only 0 is reached.
            if n == 0 {
                rows.fill(!0);
            }
        } else {
            let pairs = rows.chunks_mut(WIDTH / 64).zip(self.counts.chunks(WIDTH));
            #[cfg(feature = "parallel")]
            {
                use rayon::prelude::*;
                let pairs: Vec<_> = pairs.collect();
                pairs.into_par_iter().for_each(fill);
            }
            #[cfg(not(feature = "parallel"))]
            pairs.for_each(fill);
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
        if self.counts.is_empty() {
            self.counts = vec![0; ROWS * WIDTH];
        }
        // Rows 2k and 2k + 1 take the two halves of one hash (see `slot`): filled together, one
        // hash serves both.
        let fill = |(pair, counts): (usize, &mut [u16])| {
            let (low, high) = counts.split_at_mut(WIDTH);
            for set in sets {
                for &h in set.as_ref() {
                    let [x, y] = pair_slots(h, pair);
                    let c = &mut low[x];
                    *c = c.saturating_add(1);
                    let c = &mut high[y];
                    *c = c.saturating_add(1);
                }
            }
        };
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            self.counts
                .par_chunks_mut(2 * WIDTH)
                .enumerate()
                .for_each(fill);
        }
        #[cfg(not(feature = "parallel"))]
        self.counts.chunks_mut(2 * WIDTH).enumerate().for_each(fill);
        self.docs += sets.len();
    }

    /// Merges another counter into this one (for parallel counting).
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
        if self.counts.is_empty() {
            self.counts = vec![0; ROWS * WIDTH];
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a = a.saturating_add(*b);
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

    /// The estimated number of documents containing `h` (never below the true count, up to 65535).
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
            .map(|(row, slot)| self.counts[row * WIDTH + slot])
            .min()
            .map_or(0, usize::from)
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
        all_rows(h, |i| usize::from(self.counts[i]) >= n)
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
        let mut df = DfCounter::new();
        let mut truth = std::collections::HashMap::new();
        for d in 0..300u64 {
            let set: Vec<u64> = (0..200).map(|i| fmix64(i * 7 + d % 13)).collect();
            for &h in &set {
                *truth.entry(h).or_insert(0usize) += 1;
            }
            df.add_set(&set);
        }
        let filters: Vec<_> = [0, 1, 2, 3, 4, 70_000]
            .map(|m| (m, df.at_least_filter(m)))
            .into_iter()
            .collect();
        // Every counter's bit, against the counter.
        for (m, filter) in &filters {
            for (i, &c) in df.counts.iter().enumerate() {
                let set = filter.rows[i / 64] >> (i % 64) & 1 == 1;
                assert_eq!(set, usize::from(c) >= *m, "counter {i}, {m}");
            }
        }
        for (h, n) in truth {
            let e = df.estimate(h);
            assert!(e >= n && e <= n + 2, "{e} vs {n}");
            for m in [0, 1, e, e + 1, 70_000] {
                assert_eq!(df.at_least(h, m), e >= m, "{h} {m}");
            }
            for (m, filter) in &filters {
                assert_eq!(filter.contains(h), e >= *m, "{h} {m}");
            }
        }
        assert!(DfCounter::new().at_least(1, 0) && !DfCounter::new().at_least(1, 1));
        assert!(DfCounter::new().at_least_filter(0).contains(1));
        assert!(!DfCounter::new().at_least_filter(1).contains(1));
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
        let mut one = DfCounter::new();
        for s in &sets {
            one.add_set(s);
        }
        let mut batch = DfCounter::new();
        batch.add_sets(&sets[..200]);
        batch.add_sets(&sets[200..]);
        assert_eq!(one.counts, batch.counts);
        assert_eq!(one.documents(), batch.documents());
        for h in 0..100 {
            assert_eq!(slots(h), [0, 1, 2, 3].map(|row| slot(h, row)));
        }
    }
}
