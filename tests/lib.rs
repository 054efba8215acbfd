//! Integration tests: planted copies in generated corpora, naive oracles, determinism, bad input,
//! and the examples run end to end.

use std::collections::{BTreeSet, HashMap};
use wirecopy::lsh::{candidate_pairs, LshParams};
use wirecopy::minhash::{Algorithm, Sketcher};
use wirecopy::{Config, Detector, Similarity};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const FUNCTION: &[&str] = &[
    "the", "of", "and", "to", "in", "a", "that", "for", "on", "with", "as", "by", "at", "from",
    "was", "were", "has", "had", "would", "after", "but", "it", "their", "which",
];

/// A made-up vocabulary of content words.
fn vocabulary(rng: &mut Rng, n: usize) -> Vec<String> {
    let syl = [
        "ka", "lo", "mir", "ten", "sa", "vo", "rid", "pel", "un", "gra", "zo", "bet", "fin", "dor",
    ];
    (0..n)
        .map(|_| {
            let k = 2 + rng.below(2);
            (0..k)
                .map(|_| syl[rng.below(syl.len())])
                .collect::<String>()
        })
        .collect()
}

/// A pseudo-English article: paragraphs of sentences mixing function and content words.
fn article(rng: &mut Rng, vocab: &[String], paragraphs: usize) -> Vec<String> {
    (0..paragraphs)
        .map(|_| {
            let sentences = 2 + rng.below(3);
            let mut p = String::new();
            for _ in 0..sentences {
                let words = 12 + rng.below(14);
                for w in 0..words {
                    let word: &str = if rng.chance(0.45) {
                        FUNCTION[rng.below(FUNCTION.len())]
                    } else {
                        &vocab[rng.below(vocab.len())]
                    };
                    if w == 0 {
                        let mut c = word.chars();
                        if let Some(f) = c.next() {
                            p.push_str(&f.to_uppercase().collect::<String>());
                            p.push_str(c.as_str());
                        }
                    } else {
                        p.push(' ');
                        p.push_str(word);
                    }
                }
                p.push_str(". ");
            }
            p.trim_end().to_string()
        })
        .collect()
}

/// Replaces a share `p` of content words by other content words (a crude spinner).
fn spin(rng: &mut Rng, text: &str, vocab: &[String], p: f64) -> String {
    text.split(' ')
        .map(|w| {
            let bare = w.trim_end_matches('.').to_lowercase();
            if !FUNCTION.contains(&bare.as_str()) && rng.chance(p) {
                let mut r = vocab[rng.below(vocab.len())].clone();
                if w.ends_with('.') {
                    r.push('.');
                }
                r
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct Planted {
    docs: Vec<(String, String)>,
    truth: HashMap<String, usize>,
}

/// `bases` unrelated articles; half get copies: wrapped in one shared site template, truncated,
/// lightly spun.
fn planted_corpus(seed: u64, bases: usize) -> Planted {
    let mut rng = Rng(seed);
    let vocab = vocabulary(&mut rng, 3000);
    let header = "Daily Planet Online | Home | World | Business | Sport | Share this article";
    let footer = "Sign up for our newsletter to get the top stories every morning. We use cookies to \
                  improve your experience on our site. Copyright 2026 Daily Planet Online, all rights reserved.";
    let mut docs = Vec::new();
    let mut truth = HashMap::new();
    for b in 0..bases {
        let n_paras = 6 + rng.below(4);
        let paras = article(&mut rng, &vocab, n_paras);
        let text = paras.join("\n\n");
        let name = format!("b{b:03}.txt");
        truth.insert(name.clone(), b);
        docs.push((name, text.clone()));
        // Every third unrelated article also appears inside the template, to set the boilerplate trap.
        if b % 2 == 0 {
            let wrapped = format!("{header}\n\n{text}\n\n{footer}");
            let name = format!("b{b:03}_wrapped.txt");
            truth.insert(name.clone(), b);
            docs.push((name, wrapped));
            let keep = (paras.len() / 2).max(1);
            let name = format!("b{b:03}_truncated.txt");
            truth.insert(name.clone(), b);
            docs.push((name, paras[..keep].join("\n\n")));
            let name = format!("b{b:03}_spun.txt");
            truth.insert(name.clone(), b);
            docs.push((name, spin(&mut rng, &text, &vocab, 0.15)));
        }
    }
    Planted { docs, truth }
}

/// Inserts `n` unrelated six-paragraph articles named `other{i}`.
fn insert_unrelated(d: &mut Detector, rng: &mut Rng, vocab: &[String], n: usize) {
    for i in 0..n {
        d.insert(format!("other{i}"), &article(rng, vocab, 6).join("\n\n"));
    }
}

fn cluster_labels(detector: &Detector) -> Vec<u32> {
    detector.clusters().clustering.labels().to_vec()
}

#[test]
fn planted_copies_are_found_and_stories_kept_apart() {
    let corpus = planted_corpus(7, 40);
    let mut d = Detector::new(Config::new()).unwrap();
    d.extend(corpus.docs.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let labels = cluster_labels(&d);
    let mut pred: HashMap<&str, u32> = HashMap::new();
    for (i, (name, _)) in corpus.docs.iter().enumerate() {
        pred.insert(name, labels[i]);
    }
    let mut missed = Vec::new();
    let mut merged = Vec::new();
    for (a, ta) in &corpus.truth {
        for (b, tb) in &corpus.truth {
            if a < b {
                let same_pred = pred[a.as_str()] == pred[b.as_str()];
                if ta == tb && !same_pred {
                    missed.push((a, b));
                }
                if ta != tb && same_pred {
                    merged.push((a, b));
                }
            }
        }
    }
    assert!(merged.is_empty(), "different stories merged: {merged:?}");
    assert!(missed.is_empty(), "planted copies missed: {missed:?}");
}

#[test]
fn a_story_reprinted_many_times_is_not_mistaken_for_boilerplate() {
    // 30 verbatim copies: every shingle of the story is above the boilerplate limit.
    let mut rng = Rng(17);
    let vocab = vocabulary(&mut rng, 2000);
    let story = article(&mut rng, &vocab, 6).join("\n\n");
    let mut d = Detector::new(Config::new()).unwrap();
    for i in 0..30 {
        d.insert(format!("copy{i}"), &story);
    }
    insert_unrelated(&mut d, &mut rng, &vocab, 30);
    let c = d.clusters();
    assert_eq!(c.clusters.len(), 1, "{:?}", c.clusters);
    assert_eq!(c.clusters[0].members.len(), 30);
}

#[test]
fn two_versions_of_a_story_with_their_copies_form_one_cluster() {
    // A first take and a write-through share 90 of their 150 words; each has its own ending, so
    // they do not verify against each other (coverage 0.6 less the cost of a 60-word gap), and
    // each is copied (a truncation). Every pair across the two groups is at least a near miss.
    let mut rng = Rng(23);
    let vocab = vocabulary(&mut rng, 3000);
    let words = |n: usize, rng: &mut Rng| -> Vec<String> {
        (0..n)
            .map(|_| vocab[rng.below(vocab.len())].clone())
            .collect()
    };
    let shared = words(90, &mut rng);
    let first = [shared.clone(), words(60, &mut rng)].concat();
    let later = [shared, words(60, &mut rng)].concat();
    let mut d = Detector::new(Config::new()).unwrap();
    d.insert("first", &first.join(" "));
    d.insert("first-copy", &first[..110].join(" "));
    d.insert("later", &later.join(" "));
    d.insert("later-copy", &later[..110].join(" "));
    let s = d.similarity(0, 2).unwrap().score;
    assert!((0.3..0.5).contains(&s), "the versions: {s}");
    let c = d.clusters();
    assert_eq!(c.clustering.labels(), &[0, 0, 0, 0], "{:?}", c.pairs);

    // A page that carries the shared passage among its own material stays out: it is a single
    // document, not a verified group.
    let page = [first[..90].to_vec(), words(80, &mut rng)].concat();
    d.insert("page", &page.join(" "));
    assert_eq!(d.clusters().clustering.labels(), &[0, 0, 0, 0, 1]);
}

#[test]
fn an_equally_covered_paragraph_joins_the_text_that_opens_with_it() {
    // A one-paragraph truncation is carried whole by its source (as its opening) and by a shorter
    // page that quotes it after other material: equal coverage, and the page resembles it more.
    let mut rng = Rng(31);
    let vocab = vocabulary(&mut rng, 3000);
    let story = article(&mut rng, &vocab, 6);
    let other = article(&mut rng, &vocab, 3);
    let page = [other, vec![story[0].clone()]].concat();
    let (d, to_story, to_page) = two_parents(&story.join("\n\n"), &page.join("\n\n"), &story[0]);
    assert_eq!(to_story.score, 1.0);
    assert_eq!(to_page.score, 1.0);
    assert!(to_page.resemblance() > to_story.resemblance());
    assert_eq!(d.clusters().clustering.labels(), &[0, 1, 0]);
}

/// A detector holding `source`, `page` and `copy` (documents 0, 1, 2), and the copy's similarity
/// to the source and to the page.
fn two_parents(source: &str, page: &str, copy: &str) -> (Detector, Similarity, Similarity) {
    let mut d = Detector::new(Config::new()).unwrap();
    d.insert("source", source);
    d.insert("page", page);
    d.insert("copy", copy);
    let (to_source, to_page) = (d.similarity(2, 0).unwrap(), d.similarity(2, 1).unwrap());
    (d, to_source, to_page)
}

#[test]
fn a_paragraph_two_texts_open_with_joins_the_one_it_resembles_more() {
    // A one-paragraph truncation is carried whole by its source and by a longer page that opens
    // with the same dateline and paragraph, then goes on to other stories: in both the shared
    // passage starts at the same token, after the dated dateline (a number is kept in the
    // skeleton, so no shingle the copy has spans it). Where it starts is counted in tokens, so
    // the tie goes on to resemblance (the source); as a share of each body, the longer page
    // would have looked nearer its start.
    let mut rng = Rng(47);
    let vocab = vocabulary(&mut rng, 3000);
    let story = article(&mut rng, &vocab, 3);
    let other = article(&mut rng, &vocab, 6);
    let dateline = "LONDON, 12 May (Wire) - ";
    let source = format!("{dateline}{}\n\n{}", story[0], story[1..].join("\n\n"));
    let page = format!("{dateline}{}\n\n{}", story[0], other.join("\n\n"));
    let (d, to_source, to_page) = two_parents(&source, &page, &story[0]);
    assert_eq!(to_source.score, 1.0);
    assert_eq!(to_page.score, 1.0);
    assert!(to_source.resemblance() > to_page.resemblance());
    assert!(d.similarity(0, 1).unwrap().score < 0.5);
    assert_eq!(d.clusters().clustering.labels(), &[0, 1, 0]);
}

#[test]
fn same_clusters_with_one_and_two_threads() {
    let corpus = planted_corpus(11, 30);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut d = Detector::new(Config::new()).unwrap();
            d.extend(corpus.docs.iter().map(|(n, t)| (n.as_str(), t.as_str())));
            let c = d.clusters();
            (
                c.clustering.labels().to_vec(),
                c.pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(),
            )
        })
    };
    assert_eq!(run(1), run(2));
}

/// Misreads a share `p` of words as OCR does: one letter of the word becomes a look-alike.
fn misread(rng: &mut Rng, text: &str, p: f64) -> String {
    const LOOKS: [(char, char); 10] = [
        ('o', '0'),
        ('a', 'o'),
        ('e', 'c'),
        ('i', 'l'),
        ('l', '1'),
        ('s', '5'),
        ('n', 'h'),
        ('r', 'n'),
        ('d', 'a'),
        ('t', 'f'),
    ];
    text.split(' ')
        .map(|w| {
            let mut w = w.to_string();
            if rng.chance(p) {
                let found: Vec<(usize, char)> = w
                    .char_indices()
                    .filter_map(|(i, c)| LOOKS.iter().find(|l| l.0 == c).map(|l| (i, l.1)))
                    .collect();
                if !found.is_empty() {
                    let (i, to) = found[rng.below(found.len())];
                    w.replace_range(i..i + 1, &to.to_string());
                }
            }
            w
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_copy_misread_by_ocr_is_found_by_aligning_its_words() {
    // More than half the words misread (the invented words have more look-alike letters than
    // English, so fewer survive): few shingles are left, but the words still come in order.
    let mut rng = Rng(31);
    let vocab = vocabulary(&mut rng, 400);
    let text = article(&mut rng, &vocab, 8).join("\n\n");
    let copy = misread(&mut rng, &text, 0.58);
    let mut fx = wirecopy::FeatureExtractor::new(&Config::new());
    let (a, b) = (fx.extract(&text), fx.extract(&copy));
    let threshold = Config::new().get_threshold();
    let shingles = wirecopy::Similarity::between(&a, &b).score;
    let verified =
        wirecopy::Similarity::verified(&a, &b, threshold, &mut wirecopy::align::Aligner::new());
    // Below the near-miss level: only the second opinion from `ALIGN_FROM` finds it.
    assert!(
        shingles < wirecopy::features::NEAR_MISS * threshold,
        "{shingles}"
    );
    assert!(verified.score >= threshold, "{verified:?}");
    let mut d = Detector::new(Config::new()).unwrap();
    d.insert("original", &text);
    d.insert("misread", &copy);
    insert_unrelated(&mut d, &mut rng, &vocab, 20);
    let labels = cluster_labels(&d);
    assert_eq!(labels[0], labels[1]);
    assert!(labels[2..].iter().all(|&l| l != labels[0]));
}

#[test]
fn query_finds_the_inserted_original() {
    let corpus = planted_corpus(3, 10);
    let mut d = Detector::new(Config::new()).unwrap();
    for (n, t) in corpus.docs.iter().filter(|(n, _)| !n.contains('_')) {
        d.insert(n.as_str(), t);
    }
    for (n, t) in corpus
        .docs
        .iter()
        .filter(|(n, _)| n.contains("_wrapped") || n.contains("_truncated"))
    {
        let hits = d.query(t);
        let base = &n[..4];
        assert!(!hits.is_empty(), "{n} found nothing");
        assert!(
            hits[0].name.starts_with(base),
            "{n} matched {} first",
            hits[0].name
        );
    }
}

fn exact_jaccard(a: &BTreeSet<u64>, b: &BTreeSet<u64>) -> f64 {
    a.intersection(b).count() as f64 / a.union(b).count() as f64
}

#[test]
fn lsh_finds_every_brute_force_pair_well_above_threshold() {
    let mut rng = Rng(99);
    for algorithm in Algorithm::ALL {
        let sketcher = Sketcher::new(algorithm, 128, 5);
        // Families of sets: a core, and members keeping 85-100% of it.
        let mut sets: Vec<BTreeSet<u64>> = Vec::new();
        for _ in 0..25 {
            let core: Vec<u64> = (0..100 + rng.below(300)).map(|_| rng.next()).collect();
            for _ in 0..1 + rng.below(4) {
                let mut s: BTreeSet<u64> =
                    core.iter().copied().filter(|_| !rng.chance(0.08)).collect();
                for _ in 0..rng.below(10) {
                    s.insert(rng.next());
                }
                sets.push(s);
            }
        }
        let sigs: Vec<_> = sets
            .iter()
            .map(|s| sketcher.sketch(&s.iter().copied().collect::<Vec<_>>()))
            .collect();
        let threshold = 0.5;
        let params = LshParams::for_threshold(threshold, 128);
        let found: BTreeSet<(u32, u32)> = candidate_pairs(&sigs, params).into_iter().collect();
        for i in 0..sets.len() {
            for j in i + 1..sets.len() {
                let jac = exact_jaccard(&sets[i], &sets[j]);
                if jac >= threshold + 0.25 {
                    assert!(
                        found.contains(&(i as u32, j as u32)),
                        "{algorithm:?}: pair ({i},{j}) J={jac} missed"
                    );
                }
            }
        }
    }
}

#[test]
fn similarity_matches_naive_containment() {
    let mut rng = Rng(5);
    let vocab = vocabulary(&mut rng, 500);
    let text = article(&mut rng, &vocab, 8).join("\n\n");
    let half: String = text.chars().take(text.len() / 2).collect();
    let mut fx = wirecopy::FeatureExtractor::new(&Config::new());
    let (a, b) = (fx.extract(&text), fx.extract(&half));
    let sa: BTreeSet<u64> = a.words().iter().copied().collect();
    let sb: BTreeSet<u64> = b.words().iter().copied().collect();
    let naive = sa.intersection(&sb).count() as f64 / sa.len().min(sb.len()) as f64;
    let s = wirecopy::Similarity::between(&a, &b);
    assert!((s.words.containment - naive).abs() < 1e-12);
    assert!(s.score >= 0.95, "a truncated copy scores {}", s.score);
}

// ---- the examples, run as programs -------------------------------------------------------------

/// The examples need the default `jsonl` feature (`required-features` in Cargo.toml): without it
/// they are not built, and these tests do not run.
#[cfg(feature = "jsonl")]
mod examples_as_programs {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    fn example(name: &str) -> PathBuf {
        // tests run from target/<profile>/deps; `cargo test` builds the examples next door.
        let exe = std::env::current_exe().unwrap();
        let dir = exe.parent().unwrap().parent().unwrap();
        dir.join("examples")
            .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
    }

    /// Runs example `name` with `args` and waits for it.
    fn run_example(name: &str, args: &[&str]) -> std::process::Output {
        Command::new(example(name)).args(args).output().unwrap()
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("wirecopy-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// The last stdout line of a program that must have succeeded, as JSON.
    fn last_json_line(out: &std::process::Output) -> serde_json::Value {
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
    }

    /// The `{"doc", "cluster"}` lines of a prediction file, as a map (cluster ids must be integers).
    fn read_labels(path: &std::path::Path) -> HashMap<String, u64> {
        let mut label = HashMap::new();
        for l in std::fs::read_to_string(path).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let doc = v["doc"].as_str().unwrap().to_string();
            assert!(
                label.insert(doc, v["cluster"].as_u64().unwrap()).is_none(),
                "a document twice"
            );
        }
        label
    }

    /// Runs `cluster` on the demo corpus with `args`; returns its stdout and the `--jsonl` labels.
    fn cluster_demo(tag: &str, args: &[&str]) -> (String, HashMap<String, u64>) {
        let jsonl = temp_dir(tag).join("pred.jsonl");
        let out = Command::new(example("cluster"))
            .args(args)
            .arg("--jsonl")
            .arg(&jsonl)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let label = read_labels(&jsonl);
        assert_eq!(label.len(), 11);
        (String::from_utf8_lossy(&out.stdout).into_owned(), label)
    }

    /// The demo's copies of the wire story in `copies` share its cluster; the science story and its
    /// reprint share one; the same-event story, the sport and the tech stories are alone.
    fn assert_demo_clusters(label: &HashMap<String, u64>, copies: &[&str]) {
        for copy in copies {
            assert_eq!(
                label["wire_original.txt"], label[*copy],
                "{copy} not with the wire story"
            );
        }
        assert_eq!(
            label["unrelated_science.txt"],
            label["unrelated_science_reprint.txt"]
        );
        for alone in [
            "other_story_same_event.txt",
            "unrelated_sport.txt",
            "unrelated_tech.txt",
        ] {
            assert_eq!(
                label.values().filter(|&&l| l == label[alone]).count(),
                1,
                "{alone} merged"
            );
        }
    }

    #[test]
    fn cluster_example_runs_on_the_demo_corpus() {
        let (stdout, label) = cluster_demo("demo", &[]);
        assert!(stdout.contains("cluster 1 ("), "{stdout}");
        assert!(
            stdout.lines().last().unwrap().contains("11 documents"),
            "{stdout}"
        );
        assert_demo_clusters(
            &label,
            &[
                "reprint_valley_gazette.txt",
                "truncated_metro_daily.txt",
                "edited_coastal_times.txt",
                "spun_contentfarm.txt",
                "spun_truncated_reprint.txt",
            ],
        );
    }

    #[test]
    fn find_example_lists_the_demo_wire_storys_copies() {
        let out = run_example("find", &["--jsonl", "-"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        let lines: Vec<serde_json::Value> = stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let docs: Vec<&str> = lines.iter().map(|v| v["doc"].as_str().unwrap()).collect();
        // Best first; the story itself, the same-event story and the unrelated ones are not
        // listed (the spun, truncated reprint verifies with the story at 0.45, under 0.5).
        assert_eq!(
            docs,
            [
                "reprint_valley_gazette.txt",
                "truncated_metro_daily.txt",
                "edited_coastal_times.txt",
                "spun_contentfarm.txt"
            ]
        );
        let v = &lines[1];
        assert_eq!(v["story"], "wire_original.txt");
        assert_eq!(v["relation"], "truncated");
        assert_eq!(v["page_share"], 1.0);
        assert!(v["story_share"].as_f64().unwrap() < 0.6, "{v}");
        assert!(lines[3]["traits"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("spun")));
        let low = run_example("find", &["--threshold", "0.4"]);
        assert!(String::from_utf8_lossy(&low.stdout).contains("spun_truncated_reprint.txt"));
    }

    #[test]
    fn find_example_skips_the_story_itself_and_goes_on_past_a_bad_story() {
        let dir = temp_dir("find");
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
        for f in std::fs::read_dir(&demo).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
        }
        let story = dir.join("wire_original.txt");
        let missing = dir.join("no_such_story.txt");
        let out = Command::new(example("find"))
            .arg(&missing)
            .arg(&story)
            .arg("--in")
            .arg(&dir)
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), "{stdout}\n{stderr}");
        assert!(stderr.contains("no_such_story.txt"), "{stderr}");
        assert!(stdout.contains("wire_original.txt: 4 copies"), "{stdout}");
        assert!(!stdout.contains("  wire_original.txt"), "{stdout}");
        // Only bad stories: exit 2, each named.
        let out = run_example(
            "find",
            &[missing.to_str().unwrap(), "--in", dir.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no_such_story.txt"));
        // A folder without a story, and a story without a folder, are refused.
        assert_eq!(
            run_example("find", &["--in", dir.to_str().unwrap()])
                .status
                .code(),
            Some(2)
        );
        assert_eq!(
            run_example("find", &[story.to_str().unwrap()])
                .status
                .code(),
            Some(2)
        );
    }

    #[test]
    fn cluster_example_writes_its_labels_to_stdout_on_request() {
        for mode in [&[][..], &["--fast"][..]] {
            let (_, from_file) = cluster_demo("stdout", mode);
            let out = run_example("cluster", &[mode, &["--jsonl", "-"][..]].concat());
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{mode:?}: {stdout}");
            // Only the labels on stdout; the summary went to stderr.
            let mut label = HashMap::new();
            for l in stdout.lines() {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                label.insert(
                    v["doc"].as_str().unwrap().to_string(),
                    v["cluster"].as_u64().unwrap(),
                );
            }
            assert_eq!(label, from_file, "{mode:?}");
            assert!(String::from_utf8_lossy(&out.stderr).contains("11 documents"));
        }
    }

    #[test]
    fn cluster_example_fast_mode_finds_verbatim_and_truncated_copies() {
        let (_, label) = cluster_demo("fast", &["--fast"]);
        assert_demo_clusters(
            &label,
            &["reprint_valley_gazette.txt", "truncated_metro_daily.txt"],
        );
    }

    /// Runs an example whose standard output is closed before it writes (a reader such as `head`
    /// that has gone): it must end quietly with status 0, not panic in `println!`. Then with its
    /// standard error closed as well (`2>&1 | head`): still status 0, not a panic in `eprintln!`.
    fn assert_quiet_when_the_reader_has_gone(name: &str, args: &[&std::ffi::OsStr]) {
        // The example started with both outputs piped and its stdout already closed.
        let spawn = || {
            let mut child = Command::new(example(name))
                .args(args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            drop(child.stdout.take());
            child
        };
        let out = spawn().wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {:?}\n{stderr}", out.status);
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        let mut child = spawn();
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert!(status.success(), "{name} with stderr closed: {status:?}");
    }

    #[test]
    fn examples_end_quietly_when_their_reader_has_gone() {
        assert_quiet_when_the_reader_has_gone("cluster", &[]);
        assert_quiet_when_the_reader_has_gone("cluster", &["--jsonl".as_ref(), "-".as_ref()]);
        assert_quiet_when_the_reader_has_gone("find", &[]);
        assert_quiet_when_the_reader_has_gone("find", &["--jsonl".as_ref(), "-".as_ref()]);
        let dir = temp_dir("pipe");
        let (a, b) = (dir.join("a.txt"), dir.join("b.txt"));
        let story = "Officials said the river bridge would stay closed for repairs until the end \
                     of May, after inspectors found cracks in two of its supports.";
        std::fs::write(&a, story).unwrap();
        std::fs::write(&b, format!("Local news. {story}")).unwrap();
        assert_quiet_when_the_reader_has_gone("explain", &[a.as_os_str(), b.as_os_str()]);
    }

    #[test]
    fn cluster_example_reports_bad_input_and_goes_on() {
        let dir = temp_dir("bad");
        let story =
            "Officials said the river bridge would stay closed for repairs until the end of May, \
                     after inspectors found cracks in two of its supports during a routine check.";
        std::fs::write(dir.join("good.txt"), story).unwrap();
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/copy.txt"), format!("News | Home\n{story}")).unwrap();
        std::fs::write(
            dir.join("latin1.txt"),
            b"Caf\xe9 owners said the bridge closure hurt trade.",
        )
        .unwrap();
        std::fs::write(dir.join("empty.txt"), "").unwrap();
        std::fs::write(dir.join("binary.txt"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
        std::fs::write(dir.join("big.txt"), "word ".repeat(400)).unwrap();
        std::fs::write(dir.join("notes.md"), "not an article").unwrap();
        std::fs::write(dir.join("LOUD.TXT"), format!("{story} Updated.")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.join("missing-target.txt"), dir.join("dangling.txt"))
            .unwrap();
        let jsonl = dir.join("out.jsonl");
        let out = Command::new(example("cluster"))
            .arg(&dir)
            .args(["--max-bytes", "1000", "--jsonl"])
            .arg(&jsonl)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        for name in ["latin1.txt", "empty.txt", "binary.txt", "big.txt"] {
            assert!(stderr.contains(name), "{name} not reported: {stderr}");
        }
        #[cfg(unix)]
        assert!(stderr.contains("dangling.txt"), "{stderr}");
        // notes.md is not an article: counted, not read.
        assert!(stderr.contains("1 other file, not .txt"), "{stderr}");
        let pred = std::fs::read_to_string(&jsonl).unwrap();
        let docs: BTreeSet<String> = pred
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["doc"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let expected: BTreeSet<String> = ["LOUD.TXT", "good.txt", "latin1.txt", "sub/copy.txt"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(docs, expected);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("sub/copy.txt") && stdout.contains("good.txt"),
            "{stdout}"
        );
    }

    #[test]
    fn explain_example_reads_files_as_cluster_does() {
        let dir = temp_dir("explain");
        let story = "Officials said the river bridge would stay closed for repairs until the end \
                     of May, after inspectors found cracks in two of its supports.";
        let other = "The city orchestra will open its winter season with three concerts of new \
                     music by local composers, the director announced on Monday.";
        let (a, b, c) = (dir.join("a.txt"), dir.join("b.txt"), dir.join("c.txt"));
        std::fs::write(&a, story).unwrap();
        std::fs::write(&b, format!("Local news. {story}")).unwrap();
        std::fs::write(&c, other).unwrap();
        let bin = dir.join("bin.txt");
        std::fs::write(&bin, [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
        let run = |x: &std::path::Path, y: &std::path::Path| {
            Command::new(example("explain"))
                .args([x.as_os_str(), y.as_os_str(), "-q".as_ref()])
                .output()
                .unwrap()
        };
        let out = run(&a, &b);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("B is a wrapped copy of A"));
        let out = run(&a, &c);
        assert!(String::from_utf8_lossy(&out.stdout).contains("B is unrelated to A"));
        // A binary file is refused, named, as `cluster` skips it.
        let out = run(&bin, &a);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("bin.txt"));
    }

    #[test]
    fn cluster_example_refuses_bad_arguments() {
        let out = run_example("cluster", &["/no/such/folder"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/folder"));
        let out = run_example("cluster", &["--threshold", "1.7"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("1.7"));
        let out = run_example("cluster", &["--jsonl", "-", "--json", "-"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("stdout"));
        let dir = temp_dir("allbad");
        std::fs::write(dir.join("empty.txt"), "  \n").unwrap();
        let out = Command::new(example("cluster")).arg(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "nothing readable must fail");
    }

    #[test]
    fn signatures_example_prints_its_contract_and_the_in_process_speedup() {
        let corpus = planted_corpus(23, 10);
        let dir = temp_dir("sigs");
        let path = dir.join("corpus.jsonl");
        let mut lines = String::new();
        for (name, text) in &corpus.docs {
            let line = serde_json::json!({"id": name, "text": text});
            lines.push_str(&format!("{line}\n"));
        }
        std::fs::write(&path, lines).unwrap();
        let run = |args: &[&str]| {
            Command::new(example("signatures"))
                .arg(&path)
                .args(args)
                .output()
                .unwrap()
        };
        let out = run(&["--threads", "2", "--baseline-threads", "1", "--repeat", "3"]);
        let v = last_json_line(&out);
        let bytes: usize = corpus.docs.iter().map(|(_, t)| t.len()).sum();
        assert_eq!(v["docs"], corpus.docs.len());
        assert_eq!(v["bytes"], bytes);
        assert!(v["seconds"].as_f64().unwrap() > 0.0);
        assert!(v["mb_per_s"].as_f64().unwrap() > 0.0);
        assert_eq!(v["threads"], 2);
        assert_eq!(v["baseline_threads"], 1);
        assert_eq!(v["passes"], 3);
        assert!(v["speedup"].as_f64().unwrap() > 0.0);
        assert!(v["lsh_hits"].as_u64().unwrap() >= corpus.docs.len() as u64);

        let out = run(&["--baseline-threads", "0"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(stderr.contains("invalid --baseline-threads 0"), "{stderr}");
    }

    #[test]
    fn extraction_example_times_both_paths_on_the_demo_corpus() {
        let out = run_example("extraction", &["--passes", "2"]);
        let v = last_json_line(&out);
        assert_eq!(v["docs"], 11);
        assert_eq!(v["passes"], 2);
        for key in ["extract_mb_per_s", "signature_mb_per_s", "ratio"] {
            assert!(v[key].as_f64().unwrap() > 0.0, "{key}");
        }
        let out = run_example("extraction", &["--passes", "0"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("invalid --passes 0"));
    }

    #[test]
    fn evaluate_example_scores_a_generated_corpus() {
        let corpus = planted_corpus(21, 20);
        let dir = temp_dir("eval");
        let docs = dir.join("docs");
        std::fs::create_dir_all(&docs).unwrap();
        let mut truth = String::new();
        for (name, text) in &corpus.docs {
            std::fs::write(docs.join(name), text).unwrap();
            truth.push_str(&format!(
                "{{\"doc\": \"{name}\", \"cluster\": \"c{}\"}}\n",
                corpus.truth[name]
            ));
        }
        std::fs::write(dir.join("truth.jsonl"), truth).unwrap();
        let out = Command::new(example("evaluate"))
            .arg(&docs)
            .arg(dir.join("truth.jsonl"))
            .args(["--json", "--min-precision", "0.95", "--min-ari", "0.9"])
            .output()
            .unwrap();
        let v = last_json_line(&out);
        assert_eq!(v["docs"], corpus.docs.len());
        assert!(v["precision"].as_f64().unwrap() >= 0.95);

        // Recall by transformation: each cluster's first document is the base of the others.
        let mut manifest = String::new();
        let mut bases = HashMap::new();
        for (name, _) in &corpus.docs {
            let base = bases
                .entry(corpus.truth[name])
                .or_insert_with(|| name.clone());
            let kind = if base == name { "original" } else { "copy" };
            manifest.push_str(&format!(
                "{{\"doc\": \"{name}\", \"base_doc\": \"{base}\", \"transformation\": \"{kind}\"}}\n"
            ));
        }
        std::fs::write(dir.join("manifest.jsonl"), manifest).unwrap();
        let gate = |bars: &[&str]| {
            Command::new(example("evaluate"))
                .arg(&docs)
                .arg(dir.join("truth.jsonl"))
                .arg("--manifest")
                .arg(dir.join("manifest.jsonl"))
                .args(bars)
                .output()
                .unwrap()
        };
        let out = gate(&["--json", "--min-recall", "copy=0.9"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let recall = last_json_line(&out)["recall_to_base"]["copy"]["recall"]
            .as_f64()
            .unwrap();
        assert!(recall >= 0.9, "{recall}");
        // A bar the run cannot meet fails the gate (status 1) and says which.
        let out = gate(&["--max-recall", "copy=0.5"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("recall of \"copy\""), "{stderr}");
        // A transformation the manifest lacks, or a bar out of range: clear errors.
        let out = gate(&["--min-recall", "spun=0.9"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("no document of transformation \"spun\""),
            "{stderr}"
        );
        let out = gate(&["--min-recall", "copy=1.5"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("invalid recall"));

        // The corpus folder instead of its `docs/`: names do not match the truth, a clear error.
        let out = Command::new(example("evaluate"))
            .arg(&dir)
            .arg(dir.join("truth.jsonl"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("none of the") && stderr.contains("docs/"),
            "{stderr}"
        );
    }
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Detector>();
    check::<Config>();
    check::<wirecopy::minhash::Signature>();
    check::<wirecopy::lsh::LshIndex>();
    check::<wirecopy::CorpusError>();
}

#[test]
fn odd_text_never_panics() {
    // Pieces that stress tokenizing, quotes, lines and alignment: combining marks, typographic
    // quotes, apostrophes at edges, ligatures, full-width and right-to-left text, emoji, control
    // characters, replacement characters, long runs without function words, lone newlines.
    let pieces = [
        "e\u{301}",
        "\u{301}",
        "“",
        "”",
        "‘",
        "’",
        "'",
        "\"",
        "`",
        "«",
        "»",
        "ﬁ",
        "ＡＢＣ",
        "שלום",
        "مرحبا",
        "🙂",
        "\u{200B}",
        "\u{FFFD}",
        "\t",
        "\r\n",
        "\n",
        "\n\n",
        " ",
        "-",
        "—",
        "1,234",
        "the",
        "of",
        "and",
        "said",
        "Harbor",
        "Authority",
        "strike",
        "x",
        "'s",
        "don't",
        "...",
    ];
    let mut rng = Rng(2026);
    let mut texts = Vec::new();
    for _ in 0..300 {
        let n = rng.below(400);
        let t: String = (0..n)
            .map(|_| {
                let p = pieces[rng.below(pieces.len())];
                if rng.chance(0.5) {
                    format!("{p} ")
                } else {
                    p.to_string()
                }
            })
            .collect();
        texts.push(t);
    }
    let mut d = Detector::new(Config::new()).unwrap();
    d.extend(
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("t{i}"), t.as_str())),
    );
    let c = d.clusters();
    assert_eq!(c.clustering.labels().len(), texts.len());
    let _ = d.query(&texts[0]);
    for w in texts.windows(2).take(60) {
        let _ = wirecopy::align::align(&w[0], &w[1]);
        let _ = wirecopy::align::align(&w[0], &w[0]);
        let _ = wirecopy::normalize::normalize(&w[0]);
    }
}

#[test]
fn copies_in_a_language_without_english_function_words_are_found() {
    // Accented made-up words and none of the English function words the skeleton is built on:
    // the skeleton gives nothing, and word 3-grams still find verbatim, truncated, wrapped and
    // edited copies, while unrelated articles stay apart.
    let mut rng = Rng(41);
    let vocab: Vec<String> = vocabulary(&mut rng, 3000)
        .into_iter()
        .map(|w| w.replacen('a', "à", 1).replacen('e', "é", 1))
        .collect();
    let foreign = |rng: &mut Rng, paragraphs: usize| -> Vec<String> {
        (0..paragraphs)
            .map(|_| {
                let words: Vec<&str> = (0..40 + rng.below(30))
                    .map(|_| vocab[rng.below(vocab.len())].as_str())
                    .collect();
                format!("{}.", words.join(" "))
            })
            .collect()
    };
    let mut d = Detector::new(Config::new()).unwrap();
    let story = foreign(&mut rng, 6);
    let source = d.insert("source", &story.join("\n\n"));
    let mut copies = vec![source];
    copies.push(d.insert("truncated", &story[..3].join("\n\n")));
    copies.push(d.insert(
        "wrapped",
        &format!(
            "Accueil | Monde | Sport\n\n{}\n\nPartager",
            story.join("\n\n")
        ),
    ));
    let mut edited = story.clone();
    edited.remove(2);
    edited.insert(4, foreign(&mut rng, 1).remove(0));
    copies.push(d.insert("edited", &edited.join("\n\n")));
    for i in 0..30 {
        d.insert(format!("other{i}"), &foreign(&mut rng, 5).join("\n\n"));
    }
    assert!(d.features(source).unwrap().skeleton().len() <= 1);
    let c = d.clusters();
    assert_eq!(c.clusters.len(), 1, "{:?}", c.clusters);
    let members: Vec<u32> = c.clusters[0].members.iter().map(|m| m.0).collect();
    assert_eq!(members, copies);
}

/// A made-up Chinese article: `paragraphs` lines of four clauses of 8-15 ideographs.
fn han_article(rng: &mut Rng, paragraphs: usize) -> Vec<String> {
    (0..paragraphs)
        .map(|_| {
            let mut p = String::new();
            for k in 0..4 {
                for _ in 0..8 + rng.below(8) {
                    p.push(char::from_u32(0x4E00 + rng.below(3000) as u32).unwrap_or('中'));
                }
                p.push(if k == 3 { '。' } else { '，' });
            }
            p
        })
        .collect()
}

#[test]
fn chinese_copies_with_a_character_changed_in_every_clause_are_found() {
    // Chinese is written without spaces, so each ideograph is a token and word 3-grams are
    // character 3-grams. A copy with one character changed in every clause keeps most of them;
    // when a whole clause between two punctuation marks was one token, it shared none.
    let mut rng = Rng(31);
    let mut d = Detector::new(Config::new()).unwrap();
    let story = han_article(&mut rng, 6);
    let source = d.insert("source", &story.join("\n\n"));
    let edited: Vec<String> = story[..4]
        .iter()
        .map(|p| {
            p.split_inclusive(['，', '。'])
                .map(|clause| {
                    let mut c: Vec<char> = clause.chars().collect();
                    let at = rng.below(c.len() - 1);
                    c[at] = char::from_u32(0x8000 + rng.below(1000) as u32).unwrap_or('文');
                    c.into_iter().collect::<String>()
                })
                .collect()
        })
        .collect();
    let copy = d.insert("copy", &format!("本网讯\n\n{}", edited.join("\n\n")));
    for i in 0..20 {
        d.insert(format!("other{i}"), &han_article(&mut rng, 5).join("\n\n"));
    }
    let c = d.clusters();
    assert_eq!(c.clusters.len(), 1, "{:?}", c.clusters);
    let members: Vec<u32> = c.clusters[0].members.iter().map(|m| m.0).collect();
    assert_eq!(members, [source, copy]);
}

#[test]
fn a_widely_syndicated_story_keeps_its_spun_and_truncated_copies() {
    // 14 copies of one story (verbatim, truncated, spun) among 40 unrelated articles: the story's
    // shingles are in more documents than the boilerplate limit, yet they are not boilerplate.
    let mut rng = Rng(23);
    let vocab = vocabulary(&mut rng, 3000);
    let paras = article(&mut rng, &vocab, 8);
    let story = paras.join("\n\n");
    let mut d = Detector::new(Config::new()).unwrap();
    let mut copies = Vec::new();
    for i in 0..8 {
        copies.push(d.insert(format!("verbatim{i}"), &story));
    }
    for i in 0..3 {
        copies.push(d.insert(format!("truncated{i}"), &paras[..4 + i].join("\n\n")));
    }
    for i in 0..3 {
        copies.push(d.insert(format!("spun{i}"), &spin(&mut rng, &story, &vocab, 0.15)));
    }
    for i in 0..40 {
        let n = 6 + rng.below(4);
        d.insert(
            format!("other{i}"),
            &article(&mut rng, &vocab, n).join("\n\n"),
        );
    }
    let c = d.clusters();
    let labels = c.clustering.labels();
    for &doc in &copies {
        assert_eq!(
            labels[doc as usize],
            labels[copies[0] as usize],
            "{:?} apart",
            d.name(doc)
        );
    }
    assert_eq!(c.clusters.len(), 1, "unrelated articles merged");
}

#[test]
fn a_template_on_three_pages_neither_joins_them_nor_hides_their_stories() {
    template_on_pages(Place::Foot, 3);
}

#[test]
fn a_header_on_three_pages_neither_joins_them_nor_hides_their_stories() {
    template_on_pages(Place::Head, 3);
}

#[test]
fn a_box_inside_four_pages_neither_joins_them_nor_hides_their_stories() {
    template_on_pages(Place::Inside, 4);
}

#[test]
fn a_box_inside_three_pages_whose_stories_are_printed_elsewhere_is_found() {
    // On three pages, the box counts as one when a page's lines above and below it follow each
    // other elsewhere (here, in each story's original).
    template_on_pages(Place::Inside, 3);
}

/// Where a site prints its template on its pages.
#[derive(Clone, Copy)]
enum Place {
    /// Below the story.
    Foot,
    /// Above the story.
    Head,
    /// Between the story's first two paragraphs.
    Inside,
}

/// Three sites with `pages` pages each: the lead of a different story (its first two paragraphs
/// with the template inside), with the site's template (two paragraphs, longer than the lead, and
/// a copyright line with the page's year) at `place`. Each template is on a few pages, far below
/// the boilerplate limit of 10 documents: only its recurring lines give it away.
fn template_on_pages(place: Place, pages_per_site: usize) {
    let mut rng = Rng(23);
    let vocab = vocabulary(&mut rng, 3000);
    let mut d = Detector::new(Config::new()).unwrap();
    let (mut pages, mut texts) = (Vec::new(), Vec::new());
    for site in 0..3 {
        let template = article(&mut rng, &vocab, 2).join("\n\n");
        for page in 0..pages_per_site {
            let story = article(&mut rng, &vocab, 6);
            let original = d.insert(format!("story-{site}-{page}"), &story.join("\n\n"));
            texts.push(story.join("\n\n"));
            // The template ends with a line that differs from page to page in its numbers only.
            let year = 2001 + site * 5 + page;
            let template = format!(
                "{template}\n\nCopyright {year} Site {site} News, all rights reserved; \
                 no part of this page may be reproduced without permission."
            );
            let text = match place {
                Place::Head => format!("{template}\n\n{}", story[0]),
                Place::Foot => format!("{}\n\n{template}", story[0]),
                Place::Inside => format!("{}\n\n{template}\n\n{}", story[0], story[1]),
            };
            let copy = d.insert(format!("site{site}-page{page}"), &text);
            texts.push(text);
            pages.push((site, original, copy));
        }
    }
    insert_unrelated(&mut d, &mut rng, &vocab, 20);
    let labels = cluster_labels(&d);
    for &(site, original, copy) in &pages {
        assert_eq!(
            labels[original as usize], labels[copy as usize],
            "page {copy}"
        );
        // A query with a page's text drops its template lines too.
        let hits: Vec<u32> = d
            .query(&texts[copy as usize])
            .iter()
            .map(|m| m.doc)
            .collect();
        assert!(hits.contains(&original), "page {copy}: {hits:?}");
        let mut other_pages = pages.iter().filter(|p| p.2 != copy);
        assert!(
            other_pages.all(|p| !hits.contains(&p.2)),
            "page {copy}: {hits:?}"
        );
        for &(other_site, _, other) in &pages {
            if other_site == site && other != copy {
                assert_ne!(labels[copy as usize], labels[other as usize]);
            }
        }
    }
}

#[test]
fn a_story_printed_alike_on_three_sites_stays_a_story() {
    // The same agency story, paragraph for paragraph, on three sites that each print their own
    // navigation bar (a long line) above it, and no other copy: the story's lines end three
    // pages that share nothing else, as a footer would, but they are nearly all of each page.
    let mut rng = Rng(29);
    let vocab = vocabulary(&mut rng, 3000);
    let story = article(&mut rng, &vocab, 8).join("\n\n");
    let mut d = Detector::new(Config::new()).unwrap();
    let mut copies = Vec::new();
    for site in 0..3 {
        let nav: Vec<String> = (0..12)
            .map(|_| vocab[rng.below(vocab.len())].clone())
            .collect();
        let page = format!("{}\n\n{story}", nav.join(" | "));
        copies.push(d.insert(format!("site{site}"), &page));
    }
    insert_unrelated(&mut d, &mut rng, &vocab, 20);
    let labels = cluster_labels(&d);
    assert!(copies
        .iter()
        .all(|&c| labels[c as usize] == labels[copies[0] as usize]));
}
