//! The high-level API: insert documents, query a text, cluster the collection.

use crate::align::Aligner;
use crate::boilerplate::{in_at_least, AtLeast, DfCounter, ShingleSet};
use crate::cluster::{Clustering, UnionFind};
use crate::config::Config;
use crate::error::ConfigError;
use crate::features::{first_shared, FeatureExtractor, Features, Marks, Similarity, NEAR_MISS};
use crate::lsh::{counted_candidate_pairs, LshIndex, UNCOUNTED};
use crate::minhash::{Signature, Sketcher};
use crate::shingle::sort_spread;
use std::sync::{Arc, OnceLock};

/// A document's number in a [`Detector`]: its insertion order, from 0.
pub type DocId = u32;

/// A verified pair of documents.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Pair {
    /// The smaller document number.
    pub a: DocId,
    /// The larger document number.
    pub b: DocId,
    /// Their similarity.
    pub similarity: Similarity,
}

/// A document found by [`Detector::query`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Match {
    /// The document's number.
    pub doc: DocId,
    /// Its name.
    pub name: String,
    /// Its similarity to the query.
    pub similarity: Similarity,
}

/// One cluster of two or more copies.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Cluster {
    /// The member whose text holds the most of the cluster's content (the largest feature set).
    pub representative: DocId,
    /// Members, sorted, each with its similarity score to the representative (1 for itself).
    pub members: Vec<(DocId, f64)>,
}

/// The result of [`Detector::clusters`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Clusters {
    /// The partition of all documents (singletons included).
    pub clustering: Clustering,
    /// Clusters of two or more documents, ordered by smallest member.
    pub clusters: Vec<Cluster>,
    /// The verified pairs (edges) the clustering was built from, sorted.
    pub pairs: Vec<Pair>,
    /// Number of LSH candidate pairs examined: stage one's, and when stage two changed some
    /// documents' features, the new candidates of those documents (pairs with at least one).
    pub candidates: usize,
}

/// Finds copies among documents: insert texts, then query or cluster.
///
/// Documents are shingled on insert. The first [`Detector::query`] or [`Detector::clusters`] after an
/// insert builds the index: boilerplate shingles (corpus document frequency at or above
/// [`Config::boilerplate_limit`]) are removed, signatures are computed and banded, and candidate pairs
/// are verified exactly. Output is identical for any number of threads.
///
/// # Examples
///
/// ```
/// use wirecopy::{Config, Detector};
/// let story = "Dock workers at the northern port walked out on Monday after talks over pay broke down, \
///              leaving dozens of container ships waiting offshore, union leaders said.";
/// let mut d = Detector::new(Config::new())?;
/// d.insert("wire.txt", story);
/// d.insert("copy.txt", &format!("Breaking news. {story} Subscribe to our newsletter."));
/// d.insert("other.txt", "A rare orchid was found in the hills for the first time in sixty years.");
/// let clusters = d.clusters();
/// assert_eq!(clusters.clusters.len(), 1);
/// assert_eq!(d.query(story)[0].name, "wire.txt");
/// # Ok::<(), wirecopy::ConfigError>(())
/// ```
#[derive(Debug)]
pub struct Detector {
    config: Config,
    extractor: FeatureExtractor,
    names: Vec<String>,
    features: Vec<Features>,
    df: DfCounter,
    built: OnceLock<Built>,
}

#[derive(Debug)]
struct Built {
    /// Stage two (see `build`): the frequent shingles that are not confined to one stage-one
    /// cluster (in two or more clusters of two or more documents, or in at least `limit / 2`
    /// single documents), counted exactly. `None` in stage one.
    blocked: Option<ShingleSet>,
    /// The body lines of site templates found on few pages (see [`template`](crate::template)),
    /// `None` when there are none.
    templates: Option<Arc<ShingleSet>>,
    limit: usize,
    /// The features without boilerplate, `None` where nothing was removed.
    filtered: Vec<Option<Features>>,
    signatures: Vec<Signature>,
    sketcher: Sketcher,
    index: OnceLock<LshIndex>,
    /// Stage one's verified pairs, for the final build (see [`Reuse`]); `None` in stage one.
    reuse: Option<Reuse>,
}

/// What stage one verified, kept for the final build: a document whose features stage two left
/// as they were has the same signature and scores the same, so a pair of two such documents is a
/// candidate and verifies exactly as in stage one, and needs no second look.
#[derive(Debug)]
struct Reuse {
    /// Stage one's verified pairs between two unchanged documents, in candidate order.
    pairs: Vec<Pair>,
    /// Documents whose features stage two may have changed: those with a frequent shingle that
    /// stage two spares.
    changed: Vec<bool>,
    /// Stage one's number of candidate pairs (the same in the final build when no document
    /// changed).
    candidates: usize,
    /// Stage one's tree edges (see [`Detector::tree_edges`]), the final ones too when no
    /// document changed.
    edges: Vec<(u32, u32)>,
}

impl Built {
    /// True when shingle `h` is boilerplate: in at least `limit` documents and, after stage one,
    /// not confined to one cluster of copies (in two or more clusters, or in at least `limit / 2`
    /// documents outside any cluster).
    fn is_boilerplate(&self, df: &DfCounter, h: u64) -> bool {
        df.at_least(h, self.limit) && !self.spares(h)
    }

    /// True when stage two keeps the frequent shingle `h`: it is confined to one stage-one
    /// cluster (never in stage one).
    fn spares(&self, h: u64) -> bool {
        self.blocked.as_ref().is_some_and(|b| !b.contains(h))
    }

    /// Stage one's results when stage two changed no document (they are then the final ones).
    fn unchanged(&self) -> Option<&Reuse> {
        self.reuse.as_ref().filter(|r| !r.changed.contains(&true))
    }

    /// `f` without its template lines and its boilerplate.
    fn filter(&self, df: &DfCounter, f: &Features) -> Option<Features> {
        let marks = template_marks(&self.templates, f);
        let drop = |h| self.is_boilerplate(df, h);
        f.without_marked(drop, marks.as_ref(), MAX_BOILERPLATE_SHARE)
    }

    /// Document `i`'s features without boilerplate.
    fn feat<'a>(&'a self, features: &'a [Features], i: u32) -> &'a Features {
        self.filtered[i as usize]
            .as_ref()
            .unwrap_or(&features[i as usize])
    }
}

/// The shingles of `f` under the `templates` lines (none without templates).
fn template_marks(templates: &Option<Arc<ShingleSet>>, f: &Features) -> Option<Marks> {
    let t = templates.as_ref()?;
    f.line_marks(|h| t.contains(h))
}

/// Both shingle sets of every document, in order: what the document-frequency counter counts.
fn shingle_sets(features: &[Features]) -> Vec<&[u64]> {
    features
        .iter()
        .flat_map(|f| [f.words(), f.skeleton()])
        .collect()
}

/// Candidates whose signatures imply a containment below this are not verified exactly.
pub const MIN_ESTIMATED_CONTAINMENT: f64 = 0.05;

/// A document keeps its full shingle sets when boilerplate removal would take more than this share
/// of them: such a text is a widely repeated story itself, not a story inside a template.
pub const MAX_BOILERPLATE_SHARE: f64 = 0.95;

/// Two verified groups are compared pair by pair (see [`Detector::clusters`]) only when this many
/// cross pairs or fewer separate them; larger groups are left as they are.
pub const MAX_MERGE_PAIRS: usize = 400;

impl Detector {
    /// An empty detector.
    ///
    /// # Errors
    ///
    /// The [`ConfigError`] of [`Config::validate`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::Detector::new(wirecopy::Config::new().threshold(2.0)).is_err());
    /// ```
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut d = Detector {
            config,
            extractor: FeatureExtractor::new(&config),
            names: Vec::new(),
            features: Vec::new(),
            df: DfCounter::narrow(),
            built: OnceLock::new(),
        };
        // 8-bit cells while they hold the limit (16-bit from the start when they never do).
        d.widen_counter(0);
        Ok(d)
    }

    /// The configuration.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = wirecopy::Detector::new(wirecopy::Config::new())?;
    /// assert_eq!(d.config().get_threshold(), 0.5);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Adds a document; returns its number. Names need not be unique.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut d = wirecopy::Detector::new(wirecopy::Config::new())?;
    /// assert_eq!(d.insert("a", "text"), 0);
    /// assert_eq!(d.insert("b", "more text"), 1);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn insert(&mut self, name: impl Into<String>, text: &str) -> DocId {
        let f = self.extractor.extract(text);
        self.push(name.into(), f)
    }

    /// Adds many documents, shingling them in parallel (in the caller's rayon pool with the
    /// `parallel` feature). Numbers follow the input order, as with repeated [`Detector::insert`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut d = wirecopy::Detector::new(wirecopy::Config::new())?;
    /// d.extend([("a", "one text"), ("b", "another text")]);
    /// assert_eq!(d.len(), 2);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn extend<I, N, T>(&mut self, docs: I)
    where
        I: IntoIterator<Item = (N, T)>,
        N: Into<String>,
        T: AsRef<str> + Sync,
    {
        let docs: Vec<(String, T)> = docs.into_iter().map(|(n, t)| (n.into(), t)).collect();
        let config = self.config;
        #[cfg(feature = "parallel")]
        let feats: Vec<Features> = {
            use rayon::prelude::*;
            docs.par_iter()
                .map_init(
                    || FeatureExtractor::new(&config),
                    |fx, (_, t)| fx.extract(t.as_ref()),
                )
                .collect()
        };
        #[cfg(not(feature = "parallel"))]
        let feats: Vec<Features> = {
            let mut fx = FeatureExtractor::new(&config);
            docs.iter().map(|(_, t)| fx.extract(t.as_ref())).collect()
        };
        // Document frequencies of the whole batch at once (the counter's rows side by side), in
        // 16-bit cells if the batch takes the limit past what 8-bit ones hold.
        self.widen_counter(self.len() + feats.len());
        self.df.add_sets(&shingle_sets(&feats));
        self.names.reserve(docs.len());
        self.features.reserve(docs.len());
        for ((name, _), f) in docs.into_iter().zip(feats) {
            self.push_counted(name, f);
        }
    }

    fn push(&mut self, name: String, f: Features) -> DocId {
        self.widen_counter(self.len() + 1);
        self.df.add_set(f.words());
        self.df.add_set(f.skeleton());
        self.push_counted(name, f)
    }

    /// Before counting up to `documents` documents: recounts the documents counted so far with
    /// 16-bit cells when the boilerplate limit at `documents` passes what the counter's cells
    /// hold (8-bit ones: at the default fraction, beyond 127,500 documents).
    fn widen_counter(&mut self, documents: usize) {
        if self.config.boilerplate_limit(documents) <= self.df.saturation() {
            return;
        }
        let mut wide = DfCounter::new();
        // Nothing counted yet (a new detector): the counter takes its memory at the first count.
        if !self.features.is_empty() {
            wide.add_sets(&shingle_sets(&self.features));
        }
        self.df = wide;
    }

    /// [`Detector::push`] of a document whose shingles are counted already.
    fn push_counted(&mut self, name: String, f: Features) -> DocId {
        self.names.push(name);
        self.features.push(f);
        self.built = OnceLock::new();
        (self.names.len() - 1) as DocId
    }

    /// Number of documents.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wirecopy::Detector::new(wirecopy::Config::new())?.len(), 0);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no document was inserted.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wirecopy::Detector::new(wirecopy::Config::new())?.is_empty());
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The name of document `doc`, if it exists.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut d = wirecopy::Detector::new(wirecopy::Config::new())?;
    /// d.insert("a.txt", "text");
    /// assert_eq!(d.name(0), Some("a.txt"));
    /// assert_eq!(d.name(1), None);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn name(&self, doc: DocId) -> Option<&str> {
        self.names.get(doc as usize).map(String::as_str)
    }

    /// The shingle features of document `doc` after boilerplate removal, if it exists.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut d = wirecopy::Detector::new(wirecopy::Config::new())?;
    /// d.insert("a.txt", "some words of text here");
    /// assert_eq!(d.features(0).unwrap().words().len(), 3);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn features(&self, doc: DocId) -> Option<&Features> {
        ((doc as usize) < self.len()).then(|| self.built().feat(&self.features, doc))
    }

    /// The similarity of two inserted documents (after boilerplate removal), as verification
    /// computes it ([`Similarity::verified`] at the configured threshold).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut d = wirecopy::Detector::new(wirecopy::Config::new())?;
    /// d.insert("a", "the same few words of text again");
    /// d.insert("b", "the same few words of text again");
    /// assert_eq!(d.similarity(0, 1).unwrap().score, 1.0);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn similarity(&self, a: DocId, b: DocId) -> Option<Similarity> {
        let built = self.built();
        Some(self.verified(
            ((a as usize) < self.len()).then(|| built.feat(&self.features, a))?,
            ((b as usize) < self.len()).then(|| built.feat(&self.features, b))?,
            &mut Aligner::new(),
        ))
    }

    /// [`Similarity::verified`] at the configured threshold.
    fn verified(&self, a: &Features, b: &Features, aligner: &mut Aligner) -> Similarity {
        Similarity::verified(a, b, self.config.threshold, aligner)
    }

    fn built(&self) -> &Built {
        self.built.get_or_init(|| self.build())
    }

    /// Builds the index in two stages. Stage one filters boilerplate by document frequency and
    /// clusters. Stage two counts in how many stage-one clusters each frequent shingle occurs: one
    /// confined to a single cluster (and a few loose documents, such as spun copies stage one
    /// missed) is the story of a widely reprinted article, not a template, and is kept however many
    /// documents hold it, so the story's spun and truncated copies match in stage two; a site
    /// template, shared by unrelated documents, stays out.
    fn build(&self) -> Built {
        let limit = self.config.boilerplate_limit(self.len());
        // One filter for the whole build (it reads the whole counter once).
        let at_limit = self.df.at_least_filter(limit);
        let templates = self.templates();
        let marks = self.template_marks(&templates);
        let (first, _, frequent_docs) =
            self.build_with(limit, &at_limit, (templates, &marks), None, None);
        let (mut pairs, candidates) = self.verified_pairs(&first);
        let edges = self.tree_edges(&first, &pairs);
        let clustering = Clustering::from_edges(self.len(), &edges);
        if clustering.len() == self.len() {
            let changed = vec![false; self.len()];
            return Built {
                reuse: Some(Reuse {
                    pairs,
                    changed,
                    candidates,
                    edges,
                }),
                ..first
            };
        }
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); clustering.len()];
        for (doc, &label) in clustering.labels().iter().enumerate() {
            members[label as usize].push(doc as u32);
        }
        // Each document's frequent shingles: those stage one removed, less what went with
        // template lines (dropped in both stages).
        let removed = |m: usize| -> Vec<u64> {
            if !frequent_docs[m] {
                return Vec::new();
            }
            let g = first.feat(&self.features, m as u32);
            let mut v = Vec::new();
            g.dropped_into(marks[m].as_deref(), &mut v);
            if v.is_empty() {
                // Its frequent shingles were kept whole (see `MAX_BOILERPLATE_SHARE`): looked up.
                let all = g.words().iter().chain(g.skeleton()).copied();
                v.extend(all.filter(|&h| at_limit.contains(h)));
            }
            v
        };
        #[cfg(feature = "parallel")]
        let removed_sets: Vec<Vec<u64>> = {
            use rayon::prelude::*;
            (0..self.len()).into_par_iter().map(removed).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let removed_sets: Vec<Vec<u64>> = (0..self.len()).map(removed).collect();
        // Then each group's, without repeats.
        let group_set = |group: &Vec<u32>| -> Vec<u64> {
            let mut set: Vec<u64> = group
                .iter()
                .flat_map(|&m| removed_sets[m as usize].iter().copied())
                .collect();
            sort_spread(&mut set);
            set.dedup();
            set
        };
        #[cfg(feature = "parallel")]
        let sets: Vec<Vec<u64>> = {
            use rayon::prelude::*;
            members.par_iter().map(group_set).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let sets: Vec<Vec<u64>> = members.iter().map(group_set).collect();
        // In how many clusters, and in how many single documents, each occurs.
        let (mut multi, mut single) = (Vec::new(), Vec::new());
        for (group, set) in members.iter().zip(sets) {
            if group.len() > 1 {
                multi.extend(set);
            } else {
                single.extend(set);
            }
        }
        let mut blocked = in_at_least(multi, 2);
        blocked.extend(in_at_least(single, (limit / 2).max(2)));
        blocked.sort_unstable();
        blocked.dedup();
        let blocked = ShingleSet::new(blocked);
        let templates = first.templates.clone();
        let (second, changed, _) = self.build_with(
            limit,
            &at_limit,
            (templates, &marks),
            Some(blocked),
            Some((first, &removed_sets)),
        );
        pairs.retain(|p| !changed[p.a as usize] && !changed[p.b as usize]);
        Built {
            reuse: Some(Reuse {
                pairs,
                changed,
                candidates,
                edges,
            }),
            ..second
        }
    }

    /// The index without boilerplate (stage one without `blocked`, stage two with it); for
    /// each document, whether some shingle of it at or above `limit` was spared (never in stage
    /// one): only then can its features differ from stage one's; and whether it has any shingle
    /// at or above `limit`. Stage two takes stage one's build and the shingles stage one removed
    /// from each document, `first`, and keeps stage one's features and signature for every
    /// document with nothing spared.
    fn build_with(
        &self,
        limit: usize,
        at_limit: &AtLeast,
        (templates, marks): (Option<Arc<ShingleSet>>, &[Option<Box<Marks>>]),
        blocked: Option<ShingleSet>,
        first: Option<(Built, &[Vec<u64>])>,
    ) -> (Built, Vec<bool>, Vec<bool>) {
        let sketcher = Sketcher::new(
            self.config.algorithm,
            self.config.num_perm,
            self.config.seed,
        );
        let probe = Built {
            blocked,
            templates,
            limit,
            filtered: Vec::new(),
            signatures: Vec::new(),
            sketcher: sketcher.clone(),
            index: OnceLock::new(),
            reuse: None,
        };
        // (features without boilerplate when some went, signature), (spared, frequent).
        type Done = ((Option<Features>, Signature), (bool, bool));
        type First<'a> = ((Option<Features>, Signature), &'a [u64]);
        let work = |(f, marks): (&Features, &Option<Box<Marks>>), first: Option<First>| -> Done {
            if let Some((first, removed)) = first {
                // Stage two drops what stage one removed, less what it spares.
                if !removed.iter().any(|&h| probe.spares(h)) {
                    return (first, (false, !removed.is_empty()));
                }
            }
            let spared = std::cell::Cell::new(false);
            let frequent = std::cell::Cell::new(false);
            let boilerplate = |h| {
                if !at_limit.contains(h) {
                    return false;
                }
                frequent.set(true);
                let keep = probe.spares(h);
                spared.set(spared.get() | keep);
                !keep
            };
            let g = f.without_marked(boilerplate, marks.as_deref(), MAX_BOILERPLATE_SHARE);
            let sig = g.as_ref().unwrap_or(f).signature(&sketcher);
            ((g, sig), (spared.get(), frequent.get()))
        };
        let first: Option<Vec<First>> = first.map(|(b, removed)| {
            let built = b.filtered.into_iter().zip(b.signatures);
            built.zip(removed.iter().map(Vec::as_slice)).collect()
        });
        #[cfg(feature = "parallel")]
        let done: Vec<Done> = {
            use rayon::iter::{repeat_n, Either};
            use rayon::prelude::*;
            let first = match first {
                Some(first) => Either::Left(first.into_par_iter().map(Some)),
                None => Either::Right(repeat_n(None, self.len())),
            };
            let docs = self.features.par_iter().zip(marks).zip(first);
            docs.map(|(f, first)| work(f, first)).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let done: Vec<Done> = {
            let mut first = first.map(Vec::into_iter);
            let docs = self.features.iter().zip(marks);
            docs.map(|f| work(f, first.as_mut().and_then(Iterator::next)))
                .collect()
        };
        let (done, flags): (Vec<_>, Vec<_>) = done.into_iter().unzip();
        let (filtered, signatures): (Vec<_>, Vec<_>) = done.into_iter().unzip();
        let (spared, frequent): (Vec<_>, Vec<_>) = flags.into_iter().unzip();
        let built = Built {
            filtered,
            signatures,
            ..probe
        };
        (built, spared, frequent)
    }

    /// Each document's shingles under the `templates` lines (see [`Features::line_marks`]).
    fn template_marks(&self, templates: &Option<Arc<ShingleSet>>) -> Vec<Option<Box<Marks>>> {
        let marks = |f: &Features| template_marks(templates, f).map(Box::new);
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            self.features.par_iter().map(marks).collect()
        }
        #[cfg(not(feature = "parallel"))]
        self.features.iter().map(marks).collect()
    }

    /// The body lines of site templates on few pages (see [`template`](crate::template)).
    fn templates(&self) -> Option<Arc<ShingleSet>> {
        let docs: Vec<&[u64]> = self.features.iter().map(Features::line_hashes).collect();
        let ends: Vec<&[u32]> = self.features.iter().map(Features::line_ends).collect();
        let prefixes: Vec<&[u64]> = self.features.iter().map(Features::line_prefixes).collect();
        let short: Vec<&[u64]> = self
            .features
            .iter()
            .map(Features::short_line_prefixes)
            .collect();
        let lines = crate::template::template_lines(&docs, &ends, (&prefixes, &short));
        (!lines.is_empty()).then(|| Arc::new(ShingleSet::new(lines)))
    }

    /// The document-frequency limit at or above which a shingle is boilerplate, for the current
    /// collection.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = wirecopy::Detector::new(wirecopy::Config::new())?;
    /// assert_eq!(d.boilerplate_limit(), 10);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn boilerplate_limit(&self) -> usize {
        self.config.boilerplate_limit(self.len())
    }

    /// The inserted documents that are copies of `text` (similarity at or above the threshold),
    /// best first (ties by document number).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut d = wirecopy::Detector::new(wirecopy::Config::new())?;
    /// d.insert("a", "Officials said the bridge would stay closed for repairs until the end of May.");
    /// let hits = d.query("The bridge would stay closed for repairs until the end of May, officials said.");
    /// assert_eq!(hits.len(), 1);
    /// assert!(hits[0].similarity.score >= 0.5);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn query(&self, text: &str) -> Vec<Match> {
        let built = self.built();
        let f = FeatureExtractor::new(&self.config).extract(text);
        let f = built.filter(&self.df, &f).unwrap_or(f);
        let sig = f.signature(&built.sketcher);
        let index = built.index.get_or_init(|| {
            let mut index = LshIndex::new(self.config.lsh_params());
            for (i, s) in built.signatures.iter().enumerate() {
                index.insert(i as DocId, s);
            }
            index
        });
        let mut aligner = Aligner::new();
        let mut out: Vec<Match> = index
            .query(&sig)
            .into_iter()
            .filter_map(|doc| {
                let similarity = self.verified(&f, built.feat(&self.features, doc), &mut aligner);
                (similarity.score >= self.config.threshold).then(|| Match {
                    doc,
                    name: self.names[doc as usize].clone(),
                    similarity,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.similarity
                .score
                .total_cmp(&a.similarity.score)
                .then(a.doc.cmp(&b.doc))
        });
        out
    }

    /// Every verified pair: LSH candidates whose [`Similarity`] reaches the threshold, sorted.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut d = wirecopy::Detector::new(wirecopy::Config::new())?;
    /// d.insert("a", "the same few words of text again and again");
    /// d.insert("b", "the same few words of text again and again");
    /// assert_eq!(d.pairs().len(), 1);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn pairs(&self) -> Vec<Pair> {
        self.pairs_with_candidates().0
    }

    fn pairs_with_candidates(&self) -> (Vec<Pair>, usize) {
        self.verified_pairs(self.built())
    }

    fn verified_pairs(&self, built: &Built) -> (Vec<Pair>, usize) {
        if let Some(r) = built.unchanged() {
            // Stage two changed nothing: the same candidates, the same pairs.
            return (r.pairs.clone(), r.candidates);
        }
        // With stage one's pairs at hand, only pairs with a changed document are new: the
        // banding lists only those, and the count adds them to stage one's.
        let changed = built.reuse.as_ref().map(|r| &r.changed[..]);
        // Set sizes side by side: the first look below touches no features.
        let sizes: Vec<usize> = (0..self.len() as u32)
            .map(|d| built.feat(&self.features, d).size())
            .collect();
        let slots = self.config.num_perm as f64;
        // A cheap first look, before anything is copied: the containment the signatures imply.
        // One agreeing slot of 128 is what two unrelated texts sharing one common phrase give.
        // The banding has counted the agreeing slots of most pairs; the others compare
        // signatures. It looks as the pairs are counted, so the pairs it turns away are never
        // stored. (At a million documents, 80 million candidates leave 2.5 million.)
        let worth = |(a, b): (u32, u32), shared: u16| -> bool {
            let j = if shared == UNCOUNTED {
                built.signatures[a as usize]
                    .similarity(&built.signatures[b as usize])
                    .unwrap_or(0.0)
            } else {
                f64::from(shared) / slots
            };
            crate::verify::containment_from_jaccard(j, sizes[a as usize], sizes[b as usize])
                >= MIN_ESTIMATED_CONTAINMENT
        };
        let counted =
            counted_candidate_pairs(&built.signatures, self.config.lsh_params(), changed, &worth);
        let count = counted.candidates + built.reuse.as_ref().map_or(0, |r| r.candidates);
        let candidates = counted.pairs;
        let verify = |aligner: &mut Aligner, &(a, b): &(u32, u32)| -> Option<Pair> {
            let (fa, fb) = (built.feat(&self.features, a), built.feat(&self.features, b));
            let similarity = self.verified(fa, fb, aligner);
            (similarity.score >= self.config.threshold).then_some(Pair { a, b, similarity })
        };
        #[cfg(feature = "parallel")]
        let pairs: Vec<Pair> = {
            use rayon::prelude::*;
            candidates
                .par_iter()
                .map_init(Aligner::new, verify)
                .flatten()
                .collect()
        };
        #[cfg(not(feature = "parallel"))]
        let pairs: Vec<Pair> = {
            let mut aligner = Aligner::new();
            candidates
                .iter()
                .filter_map(|c| verify(&mut aligner, c))
                .collect()
        };
        let pairs = match &built.reuse {
            Some(r) => merge_sorted(&r.pairs, pairs),
            None => pairs,
        };
        (pairs, count)
    }

    /// Each document joins only its best verified neighbour among larger documents, so every
    /// cluster is a tree rooted at its fullest text and one weak link cannot chain two stories:
    /// the edges (document, parent). The best is the highest score; between equal scores (a
    /// paragraph that two larger texts both carry whole), the one whose shared passage starts
    /// nearer its beginning (a truncated copy keeps its source's opening, a page quoting the
    /// paragraph among other material has it further down), then the higher resemblance.
    fn tree_edges(&self, built: &Built, pairs: &[Pair]) -> Vec<(u32, u32)> {
        let f = |d: u32| built.feat(&self.features, d);
        let key = |d: u32| (f(d).size(), d);
        // (smaller, larger) of a pair.
        let ends = |p: &Pair| {
            if key(p.a) < key(p.b) {
                (p.a, p.b)
            } else {
                (p.b, p.a)
            }
        };
        // Each document's pairs with larger documents, in pair order (offsets by document).
        let mut start = vec![0usize; self.len() + 1];
        for p in pairs {
            start[ends(p).0 as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let mut order = vec![(0u32, 0u32); pairs.len()];
        for (i, p) in pairs.iter().enumerate() {
            let (small, large) = ends(p);
            order[next[small as usize]] = (i as u32, large);
            next[small as usize] += 1;
        }
        drop(next);
        // The best of one document's pairs, with where it shares the document's text (worked
        // out on a tie). Every key below is the pair's own, so the best does not depend on the
        // order the pairs come in.
        let best_of = |small: u32| -> Option<u32> {
            let mine = &order[start[small as usize]..start[small as usize + 1]];
            let mut best: Option<(u32, &Pair, Option<usize>)> = None;
            for &(i, large) in mine {
                let p = &pairs[i as usize];
                let mut first_of_large = None;
                let better = match &mut best {
                    None => true,
                    Some((cur, q, first_of_cur)) => p
                        .similarity
                        .score
                        .total_cmp(&q.similarity.score)
                        .then_with(|| {
                            // Equally covered: the text that shares it nearer its start.
                            let at_cur = *first_of_cur
                                .get_or_insert_with(|| first_shared(f(small), f(*cur)));
                            let at_large = *first_of_large.insert(first_shared(f(small), f(large)));
                            at_cur.cmp(&at_large)
                        })
                        .then(
                            p.similarity
                                .resemblance()
                                .total_cmp(&q.similarity.resemblance()),
                        )
                        .then((*cur).cmp(&large))
                        .is_gt(),
                };
                if better {
                    best = Some((large, p, first_of_large));
                }
            }
            best.map(|(large, _, _)| large)
        };
        let docs: Vec<u32> = (0..self.len() as u32)
            .filter(|&d| start[d as usize] < start[d as usize + 1])
            .collect();
        #[cfg(feature = "parallel")]
        let parents: Vec<Option<u32>> = {
            use rayon::prelude::*;
            docs.par_iter().map(|&d| best_of(d)).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let parents: Vec<Option<u32>> = docs.iter().map(|&d| best_of(d)).collect();
        docs.into_iter()
            .zip(parents)
            .filter_map(|(x, y)| y.map(|y| (x, y)))
            .collect()
    }

    /// The trees of [`Detector::tree_edges`] (stage one's when no document changed since),
    /// joined as [`Detector::merge_versions`] says.
    fn attach(&self, built: &Built, pairs: &[Pair]) -> Clustering {
        let mut edges = match built.unchanged() {
            Some(r) => r.edges.clone(),
            None => self.tree_edges(built, pairs),
        };
        self.merge_versions(built, pairs, &mut edges);
        Clustering::from_edges(self.len(), &edges)
    }

    /// Joins two trees of two or more documents each when a verified pair links them and every
    /// pair across them is at least a near miss (a score of [`NEAR_MISS`] × threshold or more):
    /// complete linkage at the near-miss level. Versions of one agency story (a first take and a
    /// write-through, each with its own copies) form such trees: each copy picks one version as
    /// its parent, and the two versions themselves differ too much to verify. A single document
    /// is never joined this way: it has no verified larger neighbour, as a page that carries one
    /// story's paragraphs among other material does not. Links are taken strongest first; trees
    /// more than [`MAX_MERGE_PAIRS`] pairs apart are left alone. Each join adds an edge to
    /// `edges`, the trees' edges.
    fn merge_versions(&self, built: &Built, pairs: &[Pair], edges: &mut Vec<(u32, u32)>) {
        let trees = Clustering::from_edges(self.len(), edges);
        let labels = trees.labels();
        let mut links: Vec<(f64, u32, u32)> = pairs
            .iter()
            .filter_map(|p| {
                let (x, y) = (labels[p.a as usize], labels[p.b as usize]);
                (x != y).then(|| (p.similarity.score, x.min(y), x.max(y)))
            })
            .collect();
        if links.is_empty() {
            return;
        }
        links.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); trees.len()];
        for (doc, &l) in labels.iter().enumerate() {
            members[l as usize].push(doc as u32);
        }
        let near = NEAR_MISS * self.config.threshold;
        let mut groups = UnionFind::new(trees.len());
        let mut aligner = Aligner::new();
        for (_, x, y) in links {
            let (rx, ry) = (groups.find(x), groups.find(y));
            let (gx, gy) = (&members[rx as usize], &members[ry as usize]);
            if rx == ry || gx.len() < 2 || gy.len() < 2 || gx.len() * gy.len() > MAX_MERGE_PAIRS {
                continue;
            }
            let feat = |d: u32| built.feat(&self.features, d);
            let complete = gx.iter().all(|&a| {
                gy.iter()
                    .all(|&b| self.verified(feat(a), feat(b), &mut aligner).score >= near)
            });
            if complete {
                edges.push((gx[0], gy[0]));
                groups.union(rx, ry);
                let root = groups.find(rx);
                let moved = std::mem::take(&mut members[(rx ^ ry ^ root) as usize]);
                members[root as usize].extend(moved);
            }
        }
    }

    /// Clusters the documents: each joins its best verified larger neighbour (union-find over
    /// those edges), making trees; two trees of two or more documents linked by a verified pair
    /// are then joined when every pair across them is at least a near miss (versions of one
    /// story, each with its copies). A member's score may then be below the threshold.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut d = wirecopy::Detector::new(wirecopy::Config::new())?;
    /// d.insert("a", "the same few words of text again and again");
    /// d.insert("b", "nothing alike at all in this one here");
    /// d.insert("c", "the same few words of text again and again");
    /// let c = d.clusters();
    /// assert_eq!(c.clusters[0].members.len(), 2);
    /// assert_eq!(c.clustering.labels(), &[0, 1, 0]);
    /// # Ok::<(), wirecopy::ConfigError>(())
    /// ```
    pub fn clusters(&self) -> Clusters {
        let (pairs, candidates) = self.pairs_with_candidates();
        let clustering = self.attach(self.built(), &pairs);
        let built = self.built();
        // Each group's fullest text represents it; every member is scored against it, all
        // members of all groups in one parallel pass (a group of thousands is not one task).
        let size = |d: u32| built.feat(&self.features, d).size();
        let groups = clustering.groups();
        let representatives: Vec<u32> = groups
            .iter()
            .map(|members| {
                members
                    .iter()
                    .copied()
                    .max_by(|&x, &y| size(x).cmp(&size(y)).then(y.cmp(&x)))
                    .unwrap_or(members[0])
            })
            .collect();
        let jobs: Vec<(u32, u32)> = groups
            .iter()
            .zip(&representatives)
            .flat_map(|(members, &rep)| members.iter().map(move |&m| (rep, m)))
            .collect();
        // A member verified with its representative already has its score.
        let known: std::collections::HashMap<(u32, u32), f64> = pairs
            .iter()
            .map(|p| ((p.a.min(p.b), p.a.max(p.b)), p.similarity.score))
            .collect();
        let score = |aligner: &mut Aligner, &(rep, m): &(u32, u32)| -> f64 {
            if m == rep {
                1.0
            } else if let Some(&s) = known.get(&(rep.min(m), rep.max(m))) {
                s
            } else {
                let (r, f) = (
                    built.feat(&self.features, rep),
                    built.feat(&self.features, m),
                );
                self.verified(r, f, aligner).score
            }
        };
        #[cfg(feature = "parallel")]
        let scores: Vec<f64> = {
            use rayon::prelude::*;
            jobs.par_iter().map_init(Aligner::new, score).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let scores: Vec<f64> = {
            let mut aligner = Aligner::new();
            jobs.iter().map(|job| score(&mut aligner, job)).collect()
        };
        let mut scores = jobs.iter().map(|&(_, m)| m).zip(scores);
        let clusters: Vec<Cluster> = groups
            .iter()
            .zip(representatives)
            .map(|(members, representative)| Cluster {
                representative,
                members: scores.by_ref().take(members.len()).collect(),
            })
            .collect();
        Clusters {
            clustering,
            clusters,
            pairs,
            candidates,
        }
    }
}

/// The pairs of `a` and `b`, each in candidate order (by document numbers), in that order.
fn merge_sorted(a: &[Pair], b: Vec<Pair>) -> Vec<Pair> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut a = a.iter().peekable();
    for p in b {
        while let Some(q) = a.next_if(|q| (q.a, q.b) < (p.a, p.b)) {
            out.push(*q);
        }
        out.push(p);
    }
    out.extend(a.copied());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` made-up words from a small LCG seeded with `seed`.
    fn words(seed: u64, n: usize) -> Vec<String> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                format!("w{}", (x >> 33) % 5_000)
            })
            .collect()
    }

    #[test]
    fn features_after_boilerplate_removal_list_only_kept_shingles() {
        let mut d = Detector::new(Config::new()).unwrap();
        let template = "Sign up to our free newsletter and get the news every morning.";
        let texts: Vec<String> = (0..12)
            .map(|i| format!("{template} Story {i} tells of harbour {i} and bridge {i} today."))
            .collect();
        for (i, t) in texts.iter().enumerate() {
            d.insert(format!("{i}"), t);
        }
        let mut fx = FeatureExtractor::new(&Config::new());
        let all: Vec<Features> = texts.iter().map(|t| fx.extract(t)).collect();
        // The oracle: a word n-gram in at least `limit` documents is boilerplate (none is spared:
        // the stories share nothing else, so stage one clusters nothing).
        let df = |h: &u64| all.iter().filter(|f| f.words().contains(h)).count();
        let limit = d.boilerplate_limit();
        let banner = fx.extract(template);
        for (i, f) in all.iter().enumerate() {
            let kept = d.features(i as u32).unwrap();
            let want: Vec<u64> = f
                .words()
                .iter()
                .copied()
                .filter(|h| df(h) < limit)
                .collect();
            assert_eq!(kept.words(), want);
            assert!(kept.words().iter().all(|h| !banner.words().contains(h)));
            assert!(kept.words().len() < f.words().len());
            assert_eq!(kept.size(), kept.words().len() + kept.skeleton().len());
        }
    }

    #[test]
    fn counter_is_recounted_wide_once_the_limit_passes_its_cells() {
        // Limit max(2, 45% of the documents): 225 at 500 documents, 270 at 600 (past 255).
        let config = Config::new().boilerplate(2, 0.45);
        let mut d = Detector::new(config).unwrap();
        let banner = "Sign up to our free newsletter and get the news every morning.";
        let texts: Vec<String> = (0..600)
            .map(|i| format!("{banner} {}", words(i, 30).join(" ")))
            .collect();
        d.extend(
            texts[..500]
                .iter()
                .enumerate()
                .map(|(i, t)| (i.to_string(), t)),
        );
        assert_eq!(d.df.saturation(), 255);
        for (i, t) in texts.iter().enumerate().skip(500) {
            d.insert(i.to_string(), t);
        }
        assert_eq!((d.boilerplate_limit(), d.df.saturation()), (270, 65_535));
        let mut fresh = DfCounter::new();
        let mut fx = FeatureExtractor::new(&config);
        let all: Vec<Features> = texts.iter().map(|t| fx.extract(t)).collect();
        fresh.add_sets(&shingle_sets(&all));
        let banner = fx.extract(banner);
        for &h in banner.words().iter().chain(all[7].words()) {
            assert_eq!(d.df.estimate(h), fresh.estimate(h));
        }
        // The banner (in 600 documents, past what 8-bit cells hold) is boilerplate.
        let kept = d.features(7).unwrap();
        assert!(kept.words().iter().all(|h| !banner.words().contains(h)));
        assert!(kept.words().len() < all[7].words().len());
        // A limit past 255 from the start: 16-bit cells from the start.
        let wide = Detector::new(Config::new().boilerplate(300, 0.0)).unwrap();
        assert_eq!(wide.df.saturation(), 65_535);
    }

    #[test]
    fn reused_stage_one_pairs_equal_a_fresh_verification() {
        let d = reprinted_corpus();
        let mut built = d.build();
        let reuse = built.reuse.as_ref().unwrap();
        assert!(reuse.changed.contains(&true) && reuse.changed.contains(&false));
        let (changed, stage_one) = (reuse.changed.clone(), reuse.candidates);
        let reused = d.verified_pairs(&built);
        let (other, cut) = (d.len() as u32 - 2, d.len() as u32 - 1);
        assert!(reuse.pairs.iter().any(|p| (p.a, p.b) == (other, cut)));
        built.reuse = None;
        let fresh = d.verified_pairs(&built);
        assert!(!fresh.0.is_empty());
        assert_eq!(reused.0, fresh.0);
        // The count: stage one's candidates, and the final banding's pairs with a changed document.
        let all =
            counted_candidate_pairs(&built.signatures, d.config.lsh_params(), None, &|_, _| true)
                .pairs;
        let touching = all
            .iter()
            .filter(|&&(a, b)| changed[a as usize] || changed[b as usize])
            .count();
        assert!(touching > 0 && touching < all.len());
        assert_eq!(reused.1, stage_one + touching);
    }

    /// A story reprinted more often than the boilerplate limit (its shingles are frequent, and
    /// spared by stage two), its truncations, a site footer on unrelated texts, and a story
    /// copied once (no frequent shingle, unchanged by stage two).
    fn reprinted_corpus() -> Detector {
        let story = words(1, 400);
        let footer = words(2, 30).join(" ");
        let mut d = Detector::new(Config::new()).unwrap();
        for i in 0..14 {
            d.insert(format!("copy{i}"), &story.join(" "));
        }
        for i in 0..6 {
            d.insert(format!("cut{i}"), &story[..120 + 20 * i].join(" "));
        }
        for i in 0..30 {
            let text = format!("{}\n\n{footer}", words(100 + i, 150).join(" "));
            d.insert(format!("site{i}"), &text);
        }
        let other = words(3, 300);
        d.insert("other", &other.join(" "));
        d.insert("other-cut", &other[..200].join(" "));
        d
    }

    #[test]
    fn stage_two_keeps_stage_one_features_only_where_nothing_is_spared() {
        let d = reprinted_corpus();
        let built = d.build();
        let changed = &built.reuse.as_ref().unwrap().changed;
        assert!(changed.contains(&true) && changed.contains(&false));
        for (i, f) in d.features.iter().enumerate() {
            // Stage two's features, worked out afresh for every document.
            let want = built.filter(&d.df, f);
            let want = want.unwrap_or_else(|| f.clone());
            assert_eq!(built.feat(&d.features, i as u32), &want, "{i}");
            let u = [want.words(), want.skeleton()].concat();
            assert_eq!(built.signatures[i], built.sketcher.sketch(&u), "{i}");
        }
    }

    #[test]
    fn unchanged_final_build_reuses_stage_one_trees() {
        // Five stories with two truncated copies each: nothing is frequent, nothing changes.
        let mut d = Detector::new(Config::new()).unwrap();
        for story in 0..5 {
            let text = words(10 + story, 300);
            d.insert(format!("s{story}"), &text.join(" "));
            d.insert(format!("s{story}-a"), &text[..200].join(" "));
            d.insert(format!("s{story}-b"), &text[..150].join(" "));
        }
        let built = d.build();
        let reuse = built.reuse.as_ref().unwrap();
        assert!(!reuse.changed.contains(&true));
        let (pairs, _) = d.verified_pairs(&built);
        assert_eq!(reuse.edges.len(), 10);
        assert_eq!(reuse.edges, d.tree_edges(&built, &pairs));
        assert_eq!(d.clusters().clusters.len(), 5);
    }

    #[test]
    fn member_scores_equal_a_fresh_verification() {
        let d = reprinted_corpus();
        let c = d.clusters();
        let mut aligner = Aligner::new();
        let built = d.built();
        let mut scored = 0;
        for cluster in &c.clusters {
            for &(m, score) in &cluster.members {
                let (r, f) = (
                    built.feat(&d.features, cluster.representative),
                    built.feat(&d.features, m),
                );
                let want = if m == cluster.representative {
                    1.0
                } else {
                    d.verified(r, f, &mut aligner).score
                };
                assert_eq!(score.to_bits(), want.to_bits());
                scored += 1;
            }
        }
        // The 14 copies and 6 cuts, and the other story with its cut.
        assert!(scored >= 22, "{scored}");
    }
}
