//! The `serde` feature: signatures, configurations and results stored and read back, and stored
//! values that do not hold together refused (`cargo test --features serde --test serde`).
#![cfg(feature = "serde")]

use wirecopy::cluster::Clustering;
use wirecopy::lsh::LshIndex;
use wirecopy::minhash::{Algorithm, BbitSignature, Signature, Sketcher};
use wirecopy::{Clusters, Config, DecodeError, Detector};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

fn random_set(rng: &mut Rng, n: usize) -> Vec<u64> {
    let mut v: Vec<u64> = (0..n).map(|_| rng.next() % 5_000).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(x: &T) -> T {
    serde_json::from_str(&serde_json::to_string(x).unwrap()).unwrap()
}

/// The message of the error reading `json` as a `T` gives.
fn refused<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
    serde_json::from_str::<T>(json).unwrap_err().to_string()
}

#[test]
fn signatures_read_back_equal_and_estimate_the_same() {
    let mut rng = Rng(5);
    for (algorithm, k) in [
        (Algorithm::OnePermutation, 128),
        (Algorithm::Classic, 64),
        (Algorithm::OnePermutation, 100),
    ] {
        let s = Sketcher::new(algorithm, k, rng.next());
        let sigs: Vec<Signature> = (0..20)
            .map(|i| s.sketch(&random_set(&mut rng, 50 * (i % 5))))
            .collect();
        assert!(
            sigs[0].is_empty(),
            "the empty set's signature is tested too"
        );
        let back: Vec<Signature> = sigs.iter().map(round_trip).collect();
        assert_eq!(back, sigs);
        for (a, b) in sigs.iter().zip(&sigs[1..]) {
            let (ra, rb) = (round_trip(a), round_trip(b));
            assert_eq!(ra.similarity(&rb), a.similarity(b));
        }
    }
}

#[test]
fn bbit_signatures_read_back_equal_at_every_width() {
    let mut rng = Rng(6);
    let s = Sketcher::new(Algorithm::OnePermutation, 100, 3);
    let (a, b) = (
        s.sketch(&random_set(&mut rng, 300)),
        s.sketch(&random_set(&mut rng, 300)),
    );
    for width in 1..=32 {
        let (x, y) = (a.to_bbit(width).unwrap(), b.to_bbit(width).unwrap());
        let (rx, ry): (BbitSignature, BbitSignature) = (round_trip(&x), round_trip(&y));
        assert_eq!(rx, x, "b = {width}");
        assert_eq!(rx.similarity(&ry), x.similarity(&y), "b = {width}");
        assert_eq!(rx.storage_bytes(), x.storage_bytes());
    }
}

#[test]
fn stored_signatures_that_do_not_hold_together_are_refused() {
    let params = r#"{"algorithm":"oph","num_perm":4,"seed":1}"#;
    let e = refused::<Signature>(&format!(
        r#"{{"params":{params},"values":[1,2,3],"empty":false}}"#
    ));
    assert!(e.contains("3 slots, its parameters say 4"), "{e}");
    let e = refused::<Signature>(&format!(
        r#"{{"params":{params},"values":[4294967295,4294967295,7,4294967295],"empty":true}}"#
    ));
    assert!(e.contains("slot 2 = 7"), "{e}");
    let e = refused::<Signature>(
        r#"{"params":{"algorithm":"lsh","num_perm":1,"seed":1},"values":[1],"empty":false}"#,
    );
    assert!(e.contains("lsh"), "{e}");
    let zero = r#"{"params":{"algorithm":"oph","num_perm":0,"seed":1},"values":[],"empty":true}"#;
    assert!(refused::<Signature>(zero).contains("0 slots"));
    // b-bit: the width, and the words the slots need (4 slots of 20 bits: 2 words).
    let e = refused::<BbitSignature>(&format!(
        r#"{{"params":{params},"b":33,"words":[0],"empty":false}}"#
    ));
    assert!(e.contains("width 33"), "{e}");
    let e = refused::<BbitSignature>(&format!(
        r#"{{"params":{params},"b":20,"words":[0],"empty":false}}"#
    ));
    assert!(e.contains("1 words, 2 expected"), "{e}");
    let ok: BbitSignature = serde_json::from_str(&format!(
        r#"{{"params":{params},"b":20,"words":[0,0],"empty":false}}"#
    ))
    .unwrap();
    assert_eq!(ok.bits_per_slot(), 20);
}

#[test]
fn configurations_read_back_validated_with_defaults_for_missing_fields() {
    let c = Config::new()
        .threshold(0.65)
        .num_perm(256)
        .algorithm(Algorithm::Classic)
        .seed(9)
        .lsh(32, 4);
    assert_eq!(round_trip(&c), c);
    assert_eq!(round_trip(&Config::new()), Config::new());
    let partial: Config = serde_json::from_str(r#"{"num_perm": 64}"#).unwrap();
    assert_eq!(partial, Config::new().num_perm(64));
    let e = refused::<Config>(r#"{"threshold": 1.5}"#);
    assert!(e.contains("invalid threshold 1.5"), "{e}");
    let e = refused::<Config>(r#"{"num_perm": 64, "lsh": {"bands": 20, "rows": 4}}"#);
    assert!(e.contains("20 bands x 4 rows"), "{e}");
    let e = refused::<Config>(r#"{"treshold": 0.6}"#);
    assert!(e.contains("treshold"), "{e}");
}

#[test]
fn clusters_read_back_equal_and_bad_labels_are_refused() {
    let story =
        "Dock workers at the northern port walked out on Monday after talks over pay broke \
                 down, leaving dozens of container ships waiting offshore, union leaders said.";
    let mut d = Detector::new(Config::new()).unwrap();
    d.insert("wire.txt", story);
    d.insert(
        "copy.txt",
        &format!("Breaking news. {story} Subscribe now."),
    );
    d.insert(
        "other.txt",
        "A rare orchid was found in the hills for the first time in sixty years, botanists said.",
    );
    let c = d.clusters();
    assert_eq!(c.clusters.len(), 1);
    let back: Clusters = round_trip(&c);
    assert_eq!(back, c);
    assert_eq!(round_trip(&d.query(story)), d.query(story));
    let json = serde_json::to_string(&c.clustering).unwrap();
    assert_eq!(json, r#"{"labels":[0,0,1]}"#);
    let e = refused::<Clustering>(r#"{"labels":[0,2,1]}"#);
    assert!(e.contains("document 1 has label 2"), "{e}");
    assert_eq!(
        serde_json::from_str::<Clustering>(r#"{"labels":[0,1,0,2]}"#)
            .unwrap()
            .len(),
        3
    );
    let e = DecodeError::Label {
        doc: 1,
        label: 2,
        max: 1,
    };
    assert!(e.to_string().contains("reach only 1"));
}

#[test]
fn stored_signatures_find_the_next_days_copies_without_the_texts() {
    // Day one: a newsroom sketches its stories and keeps the signatures only.
    let mut rng = Rng(8);
    let words: Vec<String> = (0..2_000).map(|i| format!("w{i}x")).collect();
    let stories: Vec<String> = (0..30)
        .map(|_| {
            (0..120)
                .map(|_| words[rng.below(words.len())].as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let config = Config::new();
    let sketcher = Sketcher::new(
        config.get_algorithm(),
        config.get_num_perm(),
        config.get_seed(),
    );
    let mut shingler = wirecopy::shingle::Shingler::new(
        &[wirecopy::shingle::ShingleKind::Words(5)],
        config.get_seed(),
    );
    let stored: Vec<String> = stories
        .iter()
        .map(|t| serde_json::to_string(&sketcher.sketch_text(&mut shingler, t)).unwrap())
        .collect();
    let stored_config = serde_json::to_string(&config).unwrap();

    // Day two: the signatures and the configuration are read back, and a page reprinting story 17
    // with its own header is looked up.
    let config: Config = serde_json::from_str(&stored_config).unwrap();
    let mut index = LshIndex::new(config.lsh_params());
    for (i, s) in stored.iter().enumerate() {
        let sig: Signature = serde_json::from_str(s).unwrap();
        index.insert(i as u32, &sig);
    }
    let page = format!("Local Times | Home | News\n{}", stories[17]);
    let sig = sketcher.sketch_text(&mut shingler, &page);
    let found = index.query(&sig);
    assert!(found.contains(&17), "{found:?}");
    let best = found
        .iter()
        .max_by(|&&a, &&b| {
            let s = |i: u32| {
                let stored: Signature = serde_json::from_str(&stored[i as usize]).unwrap();
                stored.similarity(&sig).unwrap()
            };
            s(a).total_cmp(&s(b))
        })
        .copied();
    assert_eq!(best, Some(17));
}

#[test]
fn evidence_reads_back_equal_with_kinds_by_name() {
    use wirecopy::align::{Aligner, Alignment, Tokens};
    use wirecopy::relation::{explain_cluster, ClusterEvidence, RelationKind};
    let story = "Port workers began a 48-hour strike on Monday, halting cargo traffic at the \
                 country's busiest harbour, the union said in a statement. Talks over pay broke \
                 down last week after the employers refused a new offer.";
    let truncated = &story[..story.find(" Talks").unwrap_or(story.len())];
    let edited = story.replace("busiest", "largest");
    let wrapped = format!("Home | News | Sport\n{edited}\nShare this article");
    let texts = [wrapped.as_str(), truncated, story];
    let members: Vec<Tokens> = texts.iter().map(|t| Tokens::new(t)).collect();
    let ev = explain_cluster(&mut Aligner::new(), &members, &[]);
    let back: ClusterEvidence = round_trip(&ev);
    assert_eq!(back, ev);
    let json = serde_json::to_value(&ev).unwrap();
    assert_eq!(json["basis"], "containment");
    assert_eq!(json["members"][1]["relation"]["kind"], "truncated");
    assert_eq!(json["members"][2]["relation"]["kind"], "source");
    let al = Aligner::new().align_tokens(&members[2], &members[0]);
    let edits: Vec<serde_json::Value> = serde_json::to_value(&al).unwrap()["passages"][0]["edits"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edits[0]["kind"], "swap", "{edits:?}");
    assert_eq!(round_trip::<Alignment>(&al), al);
    assert_eq!(ev.members[1].relation.kind, RelationKind::Truncated);
}
