//! One criterion group per pipeline stage, plus end to end, over seeded generated corpora in three
//! tiers: a 200-byte text, a 3 KB article and a 100 KB document, plus `news3KB`, a 3 KB article
//! with a headline, a byline, quoted speech, dashes and accented names (as real news has). Every benchmark checks its answer
//! once before timing. Kept short (small warm-up and measurement times) so that a full
//! `cargo bench` takes a few minutes on two cores; `cargo bench -- GROUP` runs one group.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::time::Duration;
use wirecopy::align::Aligner;
use wirecopy::cluster::Clustering;
use wirecopy::lsh::{candidate_pairs, LshIndex, LshParams};
use wirecopy::minhash::{Algorithm, Signature, Sketcher};
use wirecopy::normalize::{normalize_into, Tokenizer};
use wirecopy::shingle::{ShingleKind, Shingler};
use wirecopy::verify::Scores;
use wirecopy::{Config, Detector, FeatureExtractor, Similarity};

const SEED: u64 = 20_240_611;
const TIERS: [(&str, usize); 3] = [("200B", 200), ("3KB", 3_000), ("100KB", 100_000)];

#[path = "../tests/support/rng.rs"]
mod rng;
use rng::Rng;

/// Pseudo-English: a vocabulary of syllable-built words drawn with a Zipf-like skew (short words
/// frequent), sentences of 6 to 28 words, capitalised, with a period; paragraphs of 2 to 6
/// sentences; an occasional number, comma or apostrophe.
struct TextGen {
    rng: Rng,
    vocab: Vec<String>,
}

impl TextGen {
    fn new(seed: u64) -> Self {
        let mut rng = Rng(seed);
        let onsets = [
            "", "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
            "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr", "wh",
        ];
        let nuclei = ["a", "e", "i", "o", "u", "ai", "ea", "ee", "oo", "ou"];
        let codas = [
            "", "", "d", "l", "m", "n", "nd", "ng", "r", "s", "st", "t", "th",
        ];
        let mut vocab = Vec::with_capacity(20_000);
        for rank in 0..20_000usize {
            let syllables = if rank < 100 { 1 } else { 1 + rng.below(3) };
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(onsets[rng.below(onsets.len())]);
                w.push_str(nuclei[rng.below(nuclei.len())]);
                w.push_str(codas[rng.below(codas.len())]);
            }
            vocab.push(w);
        }
        TextGen { rng, vocab }
    }

    fn word(&mut self) -> &str {
        // Skewed rank: the minimum of draws favours small ranks (a cheap Zipf stand-in).
        let r = self
            .rng
            .below(self.vocab.len())
            .min(self.rng.below(self.vocab.len()))
            .min(self.rng.below(self.vocab.len()));
        &self.vocab[r]
    }

    /// A text of about `bytes` bytes (at least one sentence).
    fn text(&mut self, bytes: usize) -> String {
        let mut out = String::with_capacity(bytes + 200);
        while out.len() < bytes {
            let sentences = 2 + self.rng.below(5);
            for _ in 0..sentences {
                let words = 6 + self.rng.below(23);
                for i in 0..words {
                    let roll = self.rng.below(100);
                    let w = if roll == 0 {
                        format!("{}", self.rng.below(10_000))
                    } else {
                        self.word().to_string()
                    };
                    if i == 0 {
                        let mut c = w.chars();
                        if let Some(first) = c.next() {
                            out.extend(first.to_uppercase());
                            out.push_str(c.as_str());
                        }
                    } else {
                        out.push(' ');
                        out.push_str(&w);
                        if roll == 1 {
                            out.push(',');
                        } else if roll == 2 {
                            out.push_str("'s");
                        }
                    }
                }
                out.push_str(". ");
                if out.len() >= bytes {
                    break;
                }
            }
            out.push_str("\n\n");
        }
        out
    }

    /// A copy of `text` with about `rate` of its words replaced and, if `cut`, the last third dropped.
    /// A ~`bytes` news article as real ones look: a headline and a byline on lines of their own,
    /// quoted speech in straight and in curly quotation marks, dashes and accented names. Real
    /// news sends most lines through the tokenizer's quotation tracking, and some through its
    /// non-ASCII path; [`TextGen::text`] sends none.
    fn news(&mut self, bytes: usize) -> String {
        let mut out = String::with_capacity(bytes + 400);
        let line = |g: &mut TextGen, words: usize| -> String {
            let mut l = String::new();
            for i in 0..words {
                let w = g.word().to_string();
                if i > 0 {
                    l.push(' ');
                }
                l.push_str(&w);
            }
            l
        };
        let headline = line(self, 8);
        out.push_str(&headline);
        out.push_str("\n\nBy Ana Muñoz and Lee Park\n\n");
        while out.len() < bytes {
            let (n_said, n_more) = (4 + self.rng.below(20), 8 + self.rng.below(20));
            let said = line(self, n_said);
            let more = line(self, n_more);
            match self.rng.below(10) {
                0..=3 => out.push_str(&format!("\"{said},\" he said. {more}.")),
                4 => out.push_str(&format!("“{said},” said José Álvarez. {more}.")),
                5 => out.push_str(&format!("{more} — {said}.")),
                6 => out.push_str(&format!("{more}, the company's 'report' said.")),
                _ => out.push_str(&format!("{more}. {said}.")),
            }
            out.push_str("\n\n");
        }
        out
    }

    /// A ~`bytes` text of Latin words with accents: [`TextGen::text`] with a vowel of about a
    /// third of the words accented (each such word goes through the tokenizer's NFKD path).
    fn accented(&mut self, bytes: usize) -> String {
        let text = self.text(bytes);
        let mut out = String::with_capacity(bytes + bytes / 4);
        for (i, word) in text.split(' ').enumerate() {
            if i > 0 {
                out.push(' ');
            }
            if self.rng.below(3) == 0 {
                out.push_str(&word.replacen('e', "é", 1).replacen('a', "à", 1));
            } else {
                out.push_str(word);
            }
        }
        out
    }

    /// A ~`bytes` text of Han ideographs: clauses of 8 to 15 characters between full-width
    /// commas and full stops, a paragraph break now and then (each ideograph is a token).
    fn han(&mut self, bytes: usize) -> String {
        let mut out = String::with_capacity(bytes + 64);
        while out.len() < bytes {
            for _ in 0..8 + self.rng.below(8) {
                out.push(char::from_u32(0x4E00 + self.rng.below(3000) as u32).unwrap_or('中'));
            }
            out.push(if self.rng.below(4) == 0 { '。' } else { '，' });
            if self.rng.below(12) == 0 {
                out.push_str("\n\n");
            }
        }
        out
    }

    fn variant(&mut self, text: &str, rate: f64, cut: bool) -> String {
        let words: Vec<&str> = text.split(' ').collect();
        let keep = if cut {
            words.len() * 2 / 3
        } else {
            words.len()
        };
        let mut out = String::with_capacity(text.len());
        for (i, w) in words[..keep].iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            if (self.rng.next() >> 11) as f64 / (1u64 << 53) as f64 <= rate {
                let r = self.word().to_string();
                out.push_str(&r);
            } else {
                out.push_str(w);
            }
        }
        out
    }
}

/// A collection of ~3 KB articles: `bases` originals, each preceded by `copies` copies with 2% of
/// the words replaced (every second copy also cut to two thirds), so that copy pairs have a word
/// 5-gram Jaccard around 0.8 (0.55 when cut) and are found by LSH at threshold 0.5.
fn collection(bases: usize, copies: usize) -> Vec<String> {
    let mut g = TextGen::new(SEED ^ 0xC0);
    let mut docs = Vec::with_capacity(bases * (copies + 1));
    for _ in 0..bases {
        let base = g.text(3_000);
        for c in 0..copies {
            docs.push(g.variant(&base, 0.02, c % 2 == 1));
        }
        docs.push(base);
    }
    docs
}

fn tier_texts() -> Vec<(&'static str, String)> {
    let mut g = TextGen::new(SEED);
    let mut tiers: Vec<(&'static str, String)> =
        TIERS.iter().map(|&(name, n)| (name, g.text(n))).collect();
    tiers.push(("news3KB", g.news(3_000)));
    tiers
}

fn configure() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1_000))
        .sample_size(10)
        .without_plots()
}

fn word_count(text: &str) -> usize {
    let mut n = 0;
    Tokenizer::new().for_each(text, |_| n += 1);
    n
}

fn bench_normalize(c: &mut Criterion) {
    let mut g = c.benchmark_group("normalize");
    let mut gen = TextGen::new(SEED + 1);
    let mut texts = tier_texts();
    texts.push(("accented3KB", gen.accented(3_000)));
    texts.push(("han3KB", gen.han(3_000)));
    for (name, text) in texts {
        let mut out = String::new();
        normalize_into(&text, &mut out);
        assert_eq!(out.split(' ').count(), word_count(&text));
        assert!(!out.bytes().any(|b| b.is_ascii_uppercase()));
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("normalize_into", name), &text, |b, t| {
            b.iter(|| normalize_into(black_box(t), &mut out))
        });
        let mut tok = Tokenizer::new();
        g.bench_with_input(BenchmarkId::new("token_hashes", name), &text, |b, t| {
            b.iter(|| {
                let mut acc = 0u64;
                tok.for_each_hash(black_box(t), |h, _| acc ^= h);
                acc
            })
        });
    }
    g.finish();
}

fn bench_shingle(c: &mut Criterion) {
    let mut g = c.benchmark_group("shingle+hash");
    for (name, text) in tier_texts() {
        let words = word_count(&text);
        let mut sh = Shingler::new(&[ShingleKind::Words(5)], SEED);
        let mut out = Vec::new();
        sh.hashes_into(&text, &mut out);
        assert_eq!(out.len(), words.saturating_sub(4).max(1));
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(
            BenchmarkId::new("words5_hashes_into", name),
            &text,
            |b, t| b.iter(|| sh.hashes_into(black_box(t), &mut out)),
        );
        g.bench_with_input(BenchmarkId::new("words5_set_into", name), &text, |b, t| {
            b.iter(|| sh.set_into(black_box(t), &mut out))
        });
        let mut both = Shingler::new(&[ShingleKind::Words(5), ShingleKind::Skeleton(6)], SEED);
        g.bench_with_input(BenchmarkId::new("words5+skeleton6", name), &text, |b, t| {
            b.iter(|| both.hashes_into(black_box(t), &mut out))
        });
    }
    g.finish();
}

fn bench_signatures(c: &mut Criterion) {
    let mut g = c.benchmark_group("signature");
    for (name, text) in tier_texts() {
        let mut sh = Shingler::new(&[ShingleKind::Words(5)], SEED);
        let mut set = Vec::new();
        sh.hashes_into(&text, &mut set);
        for algo in Algorithm::ALL {
            let s = Sketcher::new(algo, 128, SEED);
            let want = s.sketch(&set);
            assert_eq!(s.sketch_text(&mut sh, &text), want);
            let mut sig = s.sketch(&[]);
            // From shingle hashes (the stage alone), per shingle set.
            g.throughput(Throughput::Elements(set.len() as u64));
            g.bench_with_input(
                BenchmarkId::new(format!("{}_from_shingles", algo.name()), name),
                &set,
                |b, set| b.iter(|| s.sketch_into(black_box(set), &mut sig)),
            );
            // From raw text (tokenize + shingle + sketch, fused), per byte.
            g.throughput(Throughput::Bytes(text.len() as u64));
            g.bench_with_input(
                BenchmarkId::new(format!("{}_from_text", algo.name()), name),
                &text,
                |b, t| b.iter(|| s.sketch_text_into(&mut sh, black_box(t), &mut sig)),
            );
        }
    }
    // The parallel batch over 3 KB articles in the current pool.
    let docs = collection(100, 3);
    let s = Sketcher::new(Algorithm::OnePermutation, 128, SEED);
    let sh = Shingler::new(&[ShingleKind::Words(5)], SEED);
    let sigs = s.sketch_texts(&sh, &docs);
    assert_eq!(sigs[7], s.sketch_text(&mut sh.clone(), &docs[7]));
    let bytes: usize = docs.iter().map(String::len).sum();
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("oph_sketch_texts_400x3KB", |b| {
        b.iter(|| s.sketch_texts(&sh, black_box(&docs)))
    });
    g.finish();
}

fn signatures_of(docs: &[String]) -> Vec<Signature> {
    let s = Sketcher::new(Algorithm::OnePermutation, 128, SEED);
    s.sketch_texts(&Shingler::new(&[ShingleKind::Words(5)], SEED), docs)
}

fn bench_lsh(c: &mut Criterion) {
    let mut g = c.benchmark_group("lsh");
    let docs = collection(500, 1); // 1000 docs, 500 planted pairs (5% edits)
    let sigs = signatures_of(&docs);
    let params = LshParams::for_threshold(0.5, 128);
    g.throughput(Throughput::Elements(sigs.len() as u64));
    let build = || {
        let mut index = LshIndex::new(params);
        for (i, s) in sigs.iter().enumerate() {
            index.insert(i as u32, s);
        }
        index
    };
    let index = build();
    let found = (0..sigs.len())
        .step_by(2)
        .filter(|&i| {
            let hits = index.query(&sigs[i]);
            hits.contains(&(i as u32)) && hits.contains(&(i as u32 + 1))
        })
        .count();
    assert!(found >= 490, "planted pairs found by query: {found} of 500");
    g.bench_function("insert_1000", |b| b.iter(build));
    g.bench_function("query_1000", |b| {
        b.iter(|| sigs.iter().map(|s| index.query(s).len()).sum::<usize>())
    });
    let pairs = candidate_pairs(&sigs, params);
    let found = (0..500u32)
        .filter(|i| pairs.binary_search(&(2 * i, 2 * i + 1)).is_ok())
        .count();
    assert!(
        found >= 490,
        "planted pairs among candidates: {found} of 500"
    );
    g.bench_function("candidate_pairs_1000", |b| {
        b.iter(|| candidate_pairs(black_box(&sigs), params))
    });
    g.finish();
}

fn bench_verify(c: &mut Criterion) {
    let mut g = c.benchmark_group("verify");
    let docs = collection(200, 1);
    let mut sh = Shingler::new(&[ShingleKind::Words(5)], SEED);
    let sets: Vec<Vec<u64>> = docs
        .iter()
        .map(|d| {
            let mut v = Vec::new();
            sh.set_into(d, &mut v);
            v
        })
        .collect();
    let pairs: Vec<(usize, usize)> = (0..200).map(|i| (2 * i, 2 * i + 1)).collect();
    for &(a, b) in &pairs {
        assert!(Scores::exact(&sets[a], &sets[b]).containment >= 0.5);
    }
    g.throughput(Throughput::Elements(pairs.len() as u64));
    g.bench_function("exact_200_pairs_3KB", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|&(x, y)| Scores::exact(&sets[x], &sets[y]).intersection)
                .sum::<usize>()
        })
    });
    // The default path's verification of the same pairs: both sets merged into bit sets over each
    // side's elements, then coverage read through the ranks (no alignment: these pairs verify).
    let config = Config::new();
    let mut fx = FeatureExtractor::new(&config);
    let features: Vec<_> = docs.iter().map(|d| fx.extract(d)).collect();
    let mut aligner = Aligner::new();
    for &(a, b) in &pairs {
        let s = Similarity::verified(&features[a], &features[b], 0.5, &mut aligner);
        assert!(s.score >= 0.5 && s.aligned.is_none());
    }
    g.bench_function("similarity_200_pairs_3KB", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|&(x, y)| {
                    Similarity::verified(&features[x], &features[y], 0.5, &mut aligner).score
                })
                .sum::<f64>()
        })
    });
    g.finish();
}

/// The default path's feature extraction (body filter, word and skeleton n-grams with spans, sorted
/// sets), beside `signatures/*` for the fastest signature path.
fn bench_features(c: &mut Criterion) {
    let mut g = c.benchmark_group("features");
    let mut fx = wirecopy::FeatureExtractor::new(&Config::new());
    let mut f = wirecopy::Features::default();
    for (name, text) in tier_texts() {
        fx.extract_into(&text, &mut f);
        assert!(!f.words().is_empty());
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("extract", name), &text, |b, t| {
            b.iter(|| {
                fx.extract_into(t, &mut f);
                f.size()
            })
        });
    }
    g.finish();
}

/// Evidence for one pair: alignment of a ~3 KB article with a copy that has a fifth of its words
/// replaced.
fn bench_align(c: &mut Criterion) {
    let mut g = c.benchmark_group("align");
    let mut gen = TextGen::new(SEED ^ 0xA1);
    let base = gen.text(3_000);
    let copy = gen.variant(&base, 0.2, false);
    let mut aligner = wirecopy::align::Aligner::new();
    let a = aligner.align(&base, &copy);
    assert!(
        !a.passages.is_empty() && a.coverage_a() > 0.5,
        "{}",
        a.coverage_a()
    );
    g.throughput(Throughput::Elements(1));
    g.bench_function("pair_3KB_20pct_swapped", |b| {
        b.iter(|| {
            aligner
                .align(black_box(&base), black_box(&copy))
                .passages
                .len()
        })
    });
    g.finish();
}

fn bench_cluster(c: &mut Criterion) {
    let mut g = c.benchmark_group("cluster");
    let n = 100_000u32;
    let mut rng = Rng(SEED);
    // Chains of 4 documents plus random extra edges inside each group of 4.
    let mut edges: Vec<(u32, u32)> = (0..n).filter(|i| i % 4 != 3).map(|i| (i, i + 1)).collect();
    for _ in 0..n / 4 {
        let base = rng.below(n as usize / 4) as u32 * 4;
        edges.push((base, base + 3));
    }
    edges.sort_unstable();
    edges.dedup();
    let c0 = Clustering::from_edges(n as usize, &edges);
    assert_eq!(c0.groups().len(), n as usize / 4);
    g.throughput(Throughput::Elements(edges.len() as u64));
    g.bench_function("union_find_100k_docs", |b| {
        b.iter(|| Clustering::from_edges(n as usize, black_box(&edges)))
    });
    g.finish();
}

fn bench_end_to_end(c: &mut Criterion) {
    let mut g = c.benchmark_group("end_to_end");
    let docs = collection(150, 1); // 300 docs, 150 planted pairs
    let bytes: usize = docs.iter().map(String::len).sum();
    let run = || {
        let mut d = Detector::new(Config::new()).expect("the default configuration is valid");
        d.extend(
            docs.iter()
                .enumerate()
                .map(|(i, t)| (i.to_string(), t.as_str())),
        );
        d.clusters()
    };
    let clusters = run();
    assert_eq!(clusters.clusters.len(), 150);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("detector_300x3KB", |b| b.iter(run));
    g.finish();
}

criterion_group! {
    name = stages;
    config = configure();
    targets = bench_normalize, bench_shingle, bench_signatures, bench_features, bench_lsh,
        bench_verify, bench_align, bench_cluster, bench_end_to_end
}
criterion_main!(stages);
