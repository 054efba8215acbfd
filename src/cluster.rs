//! Deterministic clustering: union-find over verified pairs.
//!
//! The root of every set is its smallest member, so the result depends only on the set of edges,
//! never on their order or on the number of threads that found them.

/// Union-find (disjoint sets) whose roots are always the smallest member.
///
/// # Examples
///
/// ```
/// let mut uf = wirecopy::cluster::UnionFind::new(4);
/// uf.union(3, 1);
/// uf.union(1, 2);
/// assert_eq!(uf.find(3), 1);
/// assert_eq!(uf.find(0), 0);
/// ```
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::cluster::UnionFind::new(3).len(), 3);
    /// ```
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    /// Number of elements.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::cluster::UnionFind::new(0).is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// True when there are no elements.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!wirecopy::cluster::UnionFind::new(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The root (smallest member) of `x`'s set, with path halving.
    ///
    /// # Panics
    ///
    /// If `x >= len()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut uf = wirecopy::cluster::UnionFind::new(2);
    /// assert_eq!(uf.find(1), 1);
    /// ```
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns false if they were already one set.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut uf = wirecopy::cluster::UnionFind::new(2);
    /// assert!(uf.union(0, 1));
    /// assert!(!uf.union(1, 0));
    /// ```
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[hi as usize] = lo;
        true
    }

    /// The partition: for each element, the index of its cluster, clusters numbered by their
    /// smallest member in increasing order.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut uf = wirecopy::cluster::UnionFind::new(4);
    /// uf.union(1, 3);
    /// assert_eq!(uf.into_clustering().labels(), &[0, 1, 2, 1]);
    /// ```
    pub fn into_clustering(mut self) -> Clustering {
        let n = self.parent.len();
        let mut label_of_root = vec![u32::MAX; n];
        let mut labels = vec![0u32; n];
        let mut next = 0u32;
        for i in 0..n as u32 {
            let r = self.find(i) as usize;
            if label_of_root[r] == u32::MAX {
                label_of_root[r] = next;
                next += 1;
            }
            labels[i as usize] = label_of_root[r];
        }
        Clustering {
            labels,
            count: next as usize,
        }
    }
}

/// A partition of documents `0..n` into clusters.
///
/// # Examples
///
/// ```
/// use wirecopy::cluster::Clustering;
/// let c = Clustering::from_edges(5, &[(0, 4), (2, 3)]);
/// assert_eq!(c.groups(), vec![vec![0, 4], vec![2, 3]]);
/// assert_eq!(c.len(), 3); // {0,4}, {1}, {2,3}
/// ```
///
/// With the `serde` feature a clustering is stored as its labels (`{"labels": [0, 1, 0]}`); labels
/// read back must be numbered by first member ([`DecodeError::Label`](crate::DecodeError::Label)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(try_from = "ClusteringRepr")
)]
pub struct Clustering {
    labels: Vec<u32>,
    count: usize,
}

/// The stored form of a [`Clustering`]: its labels.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct ClusteringRepr {
    labels: Vec<u32>,
}

#[cfg(feature = "serde")]
impl serde::Serialize for Clustering {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Clustering", 1)?;
        st.serialize_field("labels", &self.labels)?;
        st.end()
    }
}

#[cfg(feature = "serde")]
impl TryFrom<ClusteringRepr> for Clustering {
    type Error = crate::DecodeError;
    fn try_from(r: ClusteringRepr) -> Result<Self, Self::Error> {
        let mut next = 0u32;
        for (doc, &label) in r.labels.iter().enumerate() {
            if label > next {
                return Err(crate::DecodeError::Label {
                    doc,
                    label,
                    max: next,
                });
            }
            if label == next {
                next = next.saturating_add(1);
            }
        }
        Ok(Clustering {
            labels: r.labels,
            count: next as usize,
        })
    }
}

impl Clustering {
    /// The connected components of `edges` over `n` documents. Edges naming a document `>= n` are
    /// ignored.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wirecopy::cluster::Clustering::from_edges(3, &[(0, 1), (1, 2)]);
    /// assert_eq!(c.len(), 1);
    /// ```
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Self {
        let mut uf = UnionFind::new(n);
        for &(a, b) in edges {
            if (a as usize) < n && (b as usize) < n {
                uf.union(a, b);
            }
        }
        uf.into_clustering()
    }

    /// Cluster number of each document (numbered by smallest member).
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wirecopy::cluster::Clustering::from_edges(2, &[]);
    /// assert_eq!(c.labels(), &[0, 1]);
    /// ```
    pub fn labels(&self) -> &[u32] {
        &self.labels
    }

    /// Number of clusters, singletons included.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::cluster::Clustering::from_edges(2, &[(0, 1)]).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when there are no documents.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::cluster::Clustering::from_edges(0, &[]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The clusters of two or more documents, each sorted, ordered by smallest member.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wirecopy::cluster::Clustering::from_edges(3, &[(2, 1)]);
    /// assert_eq!(c.groups(), vec![vec![1, 2]]);
    /// ```
    pub fn groups(&self) -> Vec<Vec<u32>> {
        let mut all: Vec<Vec<u32>> = vec![Vec::new(); self.count];
        for (doc, &l) in self.labels.iter().enumerate() {
            all[l as usize].push(doc as u32);
        }
        all.into_iter().filter(|g| g.len() >= 2).collect()
    }
}

/// How [`cluster_signatures`] decides that two documents are copies.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum SketchRule {
    /// Estimated Jaccard at or above the value.
    Jaccard(f64),
    /// Estimated containment ([`containment_from_jaccard`](crate::verify::containment_from_jaccard)
    /// with the given set sizes) at or above the first value, and estimated Jaccard at or above
    /// the second (a floor against chance agreement of a few slots).
    Containment(f64, f64),
}

/// Clusters documents from their signatures alone: LSH candidates (layout `params`) that pass
/// `rule` are joined by union-find. `sizes` holds each document's shingle-set size (used by
/// [`SketchRule::Containment`]). Returns the partition and the verified pairs `(a, b, score)`,
/// sorted. This is the memory-lean path for very large corpora: a signature and a size per document.
///
/// # Complexity
///
/// O(bands · n log n) for the candidates, O(K) per candidate.
///
/// # Examples
///
/// ```
/// use wirecopy::cluster::{cluster_signatures, SketchRule};
/// use wirecopy::{lsh::LshParams, minhash::{Algorithm, Sketcher}};
/// let s = Sketcher::new(Algorithm::OnePermutation, 128, 0);
/// let a: Vec<u64> = (0..1000).collect();
/// let head: Vec<u64> = (0..400).collect(); // a truncated copy: Jaccard 0.4, containment 1
/// let c: Vec<u64> = (5000..6000).collect();
/// let sigs = vec![s.sketch(&a), s.sketch(&c), s.sketch(&head)];
/// let sizes = [1000, 1000, 400];
/// let layout = LshParams::for_recall(0.2, 128, 0.99);
/// let (by_j, _) = cluster_signatures(&sigs, &sizes, layout, SketchRule::Jaccard(0.5));
/// assert!(by_j.groups().is_empty());
/// let (by_c, _) = cluster_signatures(&sigs, &sizes, layout, SketchRule::Containment(0.7, 0.1));
/// assert_eq!(by_c.groups(), vec![vec![0, 2]]);
/// ```
pub fn cluster_signatures(
    sigs: &[crate::minhash::Signature],
    sizes: &[u32],
    params: crate::lsh::LshParams,
    rule: SketchRule,
) -> (Clustering, Vec<(u32, u32, f64)>) {
    let candidates = crate::lsh::candidate_pairs(sigs, params);
    let size = |d: u32| sizes.get(d as usize).copied().unwrap_or(0) as usize;
    let verify = |&(a, b): &(u32, u32)| -> Option<(u32, u32, f64)> {
        let j = sigs[a as usize].similarity(&sigs[b as usize]).ok()?;
        let score = match rule {
            SketchRule::Jaccard(t) => (j >= t).then_some(j)?,
            SketchRule::Containment(t, floor) => {
                let c = crate::verify::containment_from_jaccard(j, size(a), size(b));
                (c >= t && j >= floor).then_some(c)?
            }
        };
        Some((a, b, score))
    };
    #[cfg(feature = "parallel")]
    let pairs: Vec<(u32, u32, f64)> = {
        use rayon::prelude::*;
        candidates.par_iter().filter_map(verify).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let pairs: Vec<(u32, u32, f64)> = candidates.iter().filter_map(verify).collect();
    let edges: Vec<(u32, u32)> = pairs.iter().map(|&(a, b, _)| (a, b)).collect();
    (Clustering::from_edges(sigs.len(), &edges), pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_of_edges_does_not_matter() {
        let edges = [(5u32, 1u32), (2, 7), (7, 1), (3, 4), (8, 9)];
        let a = Clustering::from_edges(10, &edges);
        let mut rev = edges.to_vec();
        rev.reverse();
        let b = Clustering::from_edges(10, &rev);
        assert_eq!(a, b);
        assert_eq!(a.groups(), vec![vec![1, 2, 5, 7], vec![3, 4], vec![8, 9]]);
    }
}
