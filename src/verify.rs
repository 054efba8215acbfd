//! Candidate verification: exact scores on sorted shingle sets.
//!
//! LSH proposes candidates from estimated Jaccard; verification measures them exactly on the shingle
//! sets: resemblance (Jaccard, Broder 1997) and containment `|A∩B| / min(|A|, |B|)`, which stays high
//! when one text is a truncation of, or an excerpt inside, the other.

/// Number of common elements of two sorted, deduplicated slices.
///
/// # Complexity
///
/// O(|a| + |b|).
///
/// # Examples
///
/// ```
/// assert_eq!(wirecopy::verify::intersection_len(&[1, 3, 5, 7], &[3, 4, 5]), 2);
/// ```
pub fn intersection_len(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Containment `|A∩B| / min(|A|, |B|)` implied by a Jaccard similarity `j` of sets of sizes `len_a`
/// and `len_b`: since `|A∩B| = j (|A| + |B|) / (1 + j)`. With an estimated `j` (from signatures) and
/// exact sizes this estimates containment without the sets, which finds truncated copies whose
/// Jaccard with their source is low. Clamped to [0, 1]; 0 when a set is empty.
///
/// # Examples
///
/// ```
/// use wirecopy::verify::containment_from_jaccard;
/// // B is the first 30% of A: Jaccard 0.3, containment 1.
/// assert!((containment_from_jaccard(0.3, 1000, 300) - 1.0).abs() < 1e-12);
/// assert_eq!(containment_from_jaccard(0.5, 0, 10), 0.0);
/// ```
pub fn containment_from_jaccard(j: f64, len_a: usize, len_b: usize) -> f64 {
    let min = len_a.min(len_b);
    if min == 0 || j.is_nan() || j <= 0.0 {
        return 0.0;
    }
    let inter = j * (len_a + len_b) as f64 / (1.0 + j);
    (inter / min as f64).clamp(0.0, 1.0)
}

/// Exact overlap scores of two sets.
///
/// # Examples
///
/// ```
/// let s = wirecopy::verify::Scores::exact(&[1, 2, 3, 4], &[3, 4]);
/// assert_eq!(s.jaccard, 0.5);
/// assert_eq!(s.containment, 1.0);
/// assert_eq!(s.intersection, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Scores {
    /// |A∩B| / |A∪B|.
    pub jaccard: f64,
    /// |A∩B| / min(|A|, |B|).
    pub containment: f64,
    /// |A∩B|.
    pub intersection: usize,
    /// |A|.
    pub len_a: usize,
    /// |B|.
    pub len_b: usize,
}

impl Scores {
    /// Scores of two sorted, deduplicated slices (0 when either is empty).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::verify::Scores::exact(&[], &[1]).containment, 0.0);
    /// ```
    pub fn exact(a: &[u64], b: &[u64]) -> Scores {
        Scores::from_counts(intersection_len(a, b), a.len(), b.len())
    }

    /// The scores of two sets of `len_a` and `len_b` elements that share `inter` (at most the
    /// smaller size).
    pub(crate) fn from_counts(inter: usize, len_a: usize, len_b: usize) -> Scores {
        let union = len_a + len_b - inter;
        let min = len_a.min(len_b);
        Scores {
            jaccard: if union == 0 {
                0.0
            } else {
                inter as f64 / union as f64
            },
            containment: if min == 0 {
                0.0
            } else {
                inter as f64 / min as f64
            },
            intersection: inter,
            len_a,
            len_b,
        }
    }

    /// Share of A inside B: |A∩B| / |A|.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::verify::Scores::exact(&[1, 2], &[2, 3, 4, 5]).a_in_b(), 0.5);
    /// ```
    pub fn a_in_b(&self) -> f64 {
        if self.len_a == 0 {
            0.0
        } else {
            self.intersection as f64 / self.len_a as f64
        }
    }

    /// Share of B inside A: |A∩B| / |B|.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::verify::Scores::exact(&[1, 2], &[2, 3, 4, 5]).b_in_a(), 0.25);
    /// ```
    pub fn b_in_a(&self) -> f64 {
        if self.len_b == 0 {
            0.0
        } else {
            self.intersection as f64 / self.len_b as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn matches_set_oracle() {
        let mut x = 1u64;
        for _ in 0..200 {
            let mut gen = |n: u64| -> Vec<u64> {
                let s: BTreeSet<u64> = (0..n)
                    .map(|_| {
                        x = crate::shingle::fmix64(x + 1);
                        x % 97
                    })
                    .collect();
                s.into_iter().collect()
            };
            let a = gen(40);
            let b = gen(30);
            let sa: BTreeSet<_> = a.iter().collect();
            let sb: BTreeSet<_> = b.iter().collect();
            assert_eq!(intersection_len(&a, &b), sa.intersection(&sb).count());
        }
    }
}
