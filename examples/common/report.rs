//! The evidence for each cluster (source, relations, copied passages, swapped words) as JSON and as
//! one self-contained HTML report. Used by `cluster --report` and `cluster --json`.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use wirecopy::align::{Aligner, EditKind, Tokens};
use wirecopy::corpus::Document;
use wirecopy::relation::{explain_cluster, ClusterEvidence, MemberEvidence, SourceBasis};
use wirecopy::{Clusters, DocId};

/// One explained cluster: its members (document numbers), their detector scores, the evidence.
pub struct Explained {
    pub members: Vec<DocId>,
    pub similarity: Vec<f64>,
    pub tokens: Vec<Tokens>,
    pub evidence: ClusterEvidence,
}

/// Reads the `date` field of a JSONL file's lines, keyed by `id` (as the corpus names them).
/// Any other input, or lines without a date, give no dates.
pub fn read_dates(path: &Path) -> HashMap<String, String> {
    let mut dates = HashMap::new();
    if !(path.is_file() && path.extension().is_some_and(|e| e == "jsonl")) {
        return dates;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return dates;
    };
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let id = match v.get("id") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        if let Some(d) = v.get("date").and_then(|d| d.as_str()) {
            dates.insert(id, d.to_string());
        }
    }
    dates
}

/// Explains the first `max` clusters (in parallel, one aligner per thread; the order is kept).
pub fn explain(
    docs: &[Document],
    dates: &HashMap<String, String>,
    clusters: &Clusters,
    max: usize,
) -> Vec<Explained> {
    use rayon::prelude::*;
    clusters
        .clusters
        .par_iter()
        .take(max)
        .map_init(Aligner::new, |aligner, c| {
            let members: Vec<DocId> = c.members.iter().map(|m| m.0).collect();
            let similarity: Vec<f64> = c.members.iter().map(|m| m.1).collect();
            let tokens: Vec<Tokens> = members
                .iter()
                .map(|&d| Tokens::new(&docs[d as usize].text))
                .collect();
            let member_dates: Vec<Option<&str>> = members
                .iter()
                .map(|&d| dates.get(&docs[d as usize].name).map(String::as_str))
                .collect();
            let evidence = explain_cluster(aligner, &tokens, &member_dates);
            Explained {
                members,
                similarity,
                tokens,
                evidence,
            }
        })
        .collect()
}

fn basis(b: SourceBasis) -> &'static str {
    match b {
        SourceBasis::Date => "date",
        _ => "containment",
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The JSON document described in `examples/cluster.rs`.
pub fn json(
    docs: &[Document],
    dates: &HashMap<String, String>,
    explained: &[Explained],
) -> serde_json::Value {
    use serde_json::json;
    let clusters: Vec<serde_json::Value> = explained
        .iter()
        .enumerate()
        .map(|(k, x)| {
            let ev = &x.evidence;
            let source_doc = &docs[x.members[ev.source] as usize];
            let members: Vec<serde_json::Value> = ev
                .members
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let doc = &docs[x.members[i] as usize];
                    let r = &m.relation;
                    let passages: Vec<serde_json::Value> = m
                        .alignment
                        .iter()
                        .flat_map(|al| al.passages.iter())
                        .map(|p| {
                            let edits: Vec<serde_json::Value> = p
                                .edits
                                .iter()
                                .map(|e| {
                                    json!({
                                        "kind": e.kind.name(),
                                        "source": [e.a.start, e.a.end],
                                        "member": [e.b.start, e.b.end],
                                        "source_text": &source_doc.text[e.a.clone()],
                                        "member_text": &doc.text[e.b.clone()],
                                    })
                                })
                                .collect();
                            json!({
                                "source": [p.a.start, p.a.end],
                                "member": [p.b.start, p.b.end],
                                "source_tokens": [p.tokens_a.start, p.tokens_a.end],
                                "member_tokens": [p.tokens_b.start, p.tokens_b.end],
                                "matched": p.matched,
                                "edits": edits,
                            })
                        })
                        .collect();
                    json!({
                        "doc": doc.name,
                        "date": dates.get(&doc.name),
                        "similarity": round(x.similarity[i]),
                        "relation": r.kind.name(),
                        "traits": r.traits().collect::<Vec<_>>(),
                        "source_coverage": round(r.source_coverage),
                        "member_coverage": round(r.member_coverage),
                        "source_outside": round(r.source_outside),
                        "member_outside": round(r.member_outside),
                        "swap_share": round(r.swap_share),
                        "edit_share": round(r.edit_share),
                        "swaps": r.swaps,
                        "moved": r.moved,
                        "passages": passages,
                    })
                })
                .collect();
            json!({
                "cluster": k + 1,
                "source": source_doc.name,
                "source_basis": basis(ev.basis),
                "source_margin": round(ev.margin),
                "members": members,
            })
        })
        .collect();
    json!({ "documents": docs.len(), "clusters": clusters })
}

fn esc(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

fn esc_s(s: &str) -> String {
    let mut o = String::new();
    esc(&mut o, s);
    o
}

const CSS: &str = r#"
:root { --src: #1f5fa8; --ins: #d9f2d9; --del: #fbe3e3; --swap-a: #ffe7a8; --swap-b: #ffd36b; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 0; color: #1d2430; background: #f4f5f7; }
header { background: #1d2430; color: #fff; padding: 14px 28px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 2px 0 0; color: #c6ccd6; font-size: 13px; }
main { max-width: 1400px; margin: 0 auto; padding: 18px 28px 40px; }
section.cluster { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; margin: 0 0 22px;
                  padding: 14px 18px; }
h2 { font-size: 17px; margin: 0 0 4px; }
.meta { color: #5a6473; font-size: 13px; margin-bottom: 10px; }
table.members { border-collapse: collapse; width: 100%; font-size: 13.5px; }
table.members th { text-align: left; font-weight: 600; color: #5a6473; border-bottom: 2px solid #dde1e7;
                   padding: 4px 8px; white-space: nowrap; }
table.members td { border-bottom: 1px solid #eef0f3; padding: 4px 8px; vertical-align: middle; }
td.name { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; word-break: break-all; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.bar { display: inline-block; width: 70px; height: 8px; background: #eef0f3; border-radius: 4px;
       vertical-align: middle; margin-right: 6px; overflow: hidden; }
.bar i { display: block; height: 100%; background: #7b8ba3; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
         margin-right: 3px; white-space: nowrap; }
.b-source { background: var(--src); color: #fff; } .b-verbatim { background: #dfe6ee; color: #2b3a4d; }
.b-truncated { background: #e4dcf5; color: #47307a; } .b-wrapped { background: #d7eef0; color: #1c5a61; }
.b-edited { background: #fde8c8; color: #7a4a06; } .b-spun { background: #f8d3d3; color: #8a1f1f; }
.b-unaligned { background: #eee; color: #666; }
details { border: 1px solid #e3e6eb; border-radius: 6px; margin: 10px 0 0; }
details > summary { cursor: pointer; padding: 7px 12px; background: #f8f9fb; border-radius: 6px; font-size: 14px; }
details[open] > summary { border-bottom: 1px solid #e3e6eb; border-radius: 6px 6px 0 0; }
.pairs { padding: 8px 12px 0; font-size: 13px; }
.pair { display: inline-block; border: 1px solid #ecd9a0; background: #fffaf0; border-radius: 4px;
        padding: 0 6px; margin: 0 4px 4px 0; white-space: nowrap; }
.pair b { font-weight: 600; } .pair .n { color: #8a7a4a; font-size: 11px; }
table.side { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 14px; line-height: 1.55; }
table.side th { text-align: left; font-size: 12.5px; color: #5a6473; padding: 8px 12px 4px; font-weight: 600;
                word-break: break-all; }
table.side td { vertical-align: top; padding: 6px 12px; border-top: 1px solid #f0f1f4; white-space: pre-wrap;
                word-wrap: break-word; }
table.side td + td { border-left: 3px solid #eef0f3; }
tr.gap td { color: #8a94a3; font-style: italic; font-size: 12.5px; background: #fafbfc; white-space: normal; }
mark.sw { background: var(--swap-a); border-radius: 2px; padding: 0 1px; }
td + td mark.sw { background: var(--swap-b); }
mark.del { background: var(--del); text-decoration: line-through; text-decoration-color: #c55; }
mark.ins { background: var(--ins); }
mark.rw { background: #ecdff7; }
.legend { font-size: 12.5px; color: #5a6473; margin: 8px 0 0; }
.legend mark { margin: 0 2px; }
"#;

/// Bytes of source text per side-by-side row, about.
const ROW_BYTES: usize = 700;
/// Longest stretch of identical text shown in full in one row; longer ones are elided.
const SAME_SHOWN: usize = 1400;

/// Writes the HTML report.
pub fn write_html(
    path: &Path,
    docs: &[Document],
    dates: &HashMap<String, String>,
    explained: &[Explained],
    summary: &str,
) -> Result<(), String> {
    let mut h = String::with_capacity(1 << 16);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str("<title>wirecopy report</title><style>");
    h.push_str(CSS);
    h.push_str("</style></head><body><header><h1>wirecopy report</h1><p>");
    esc(&mut h, summary);
    h.push_str("</p></header><main>");
    h.push_str(
        "<p class=\"legend\">In the side-by-side passages: <mark class=\"sw\">swapped words</mark> \
         (hover for the counterpart), <mark class=\"del\">text only in the source</mark>, \
         <mark class=\"ins\">text only in the copy</mark>, <mark class=\"rw\">rewritten</mark>. \
         Relations: verbatim, truncated (source's head or tail missing), wrapped (text of its own \
         around the story), edited (a few changes), spun (words replaced throughout).</p>",
    );
    for (k, x) in explained.iter().enumerate() {
        cluster_html(&mut h, k, x, docs, dates);
    }
    h.push_str("</main></body></html>\n");
    std::fs::write(path, h).map_err(|e| format!("{}: {e}", path.display()))
}

fn cluster_html(
    h: &mut String,
    k: usize,
    x: &Explained,
    docs: &[Document],
    dates: &HashMap<String, String>,
) {
    let ev = &x.evidence;
    let name = |i: usize| docs[x.members[i] as usize].name.as_str();
    let _ = write!(
        h,
        "<section class=\"cluster\" id=\"c{}\"><h2>Cluster {} · {} documents · source: {}</h2>\
         <div class=\"meta\">source chosen by {}{}</div>",
        k + 1,
        k + 1,
        x.members.len(),
        esc_s(name(ev.source)),
        basis(ev.basis),
        if ev.basis == SourceBasis::Containment {
            format!(
                " (it holds the most of the others' shared text; margin {:.3}{})",
                ev.margin,
                if ev.margin < 0.02 { ", uncertain" } else { "" }
            )
        } else {
            String::from(" (earliest)")
        }
    );
    h.push_str(
        "<table class=\"members\"><tr><th>document</th><th>date</th><th>relation</th>\
         <th>source copied</th><th>copy from source</th><th>swaps</th><th>changed</th>\
         <th>score</th></tr>",
    );
    // Source first, then by relation and name.
    let mut order: Vec<usize> = (0..x.members.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| (i != ev.source, ev.members[i].relation.kind);
        key(a).cmp(&key(b)).then_with(|| name(a).cmp(name(b)))
    });
    for &i in &order {
        let m = &ev.members[i];
        let r = &m.relation;
        h.push_str("<tr><td class=\"name\">");
        esc(h, name(i));
        h.push_str("</td><td class=\"num\">");
        esc(h, dates.get(name(i)).map(String::as_str).unwrap_or(""));
        h.push_str("</td><td>");
        badges(h, m);
        let bar = |h: &mut String, v: f64| {
            let _ = write!(
                h,
                "<td class=\"num\"><span class=\"bar\"><i style=\"width:{:.0}%\"></i></span>{:.0}%</td>",
                100.0 * v,
                100.0 * v
            );
        };
        h.push_str("</td>");
        bar(h, r.source_coverage);
        bar(h, r.member_coverage);
        let _ = write!(
            h,
            "<td class=\"num\">{}</td><td class=\"num\">{:.1}%</td><td class=\"num\">{:.3}</td></tr>",
            r.swaps,
            100.0 * r.edit_share,
            x.similarity[i]
        );
    }
    h.push_str("</table>");
    let source_text = &docs[x.members[ev.source] as usize].text;
    // In the first cluster, open the two copies with the most swaps.
    let mut by_swaps: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| ev.members[i].relation.swaps > 0)
        .collect();
    by_swaps.sort_by_key(|&i| std::cmp::Reverse(ev.members[i].relation.swaps));
    by_swaps.truncate(if k == 0 { 2 } else { 0 });
    for &i in &order {
        let m = &ev.members[i];
        let Some(al) = &m.alignment else { continue };
        let text = &docs[x.members[i] as usize].text;
        let open = by_swaps.contains(&i);
        let _ = write!(
            h,
            "<details{}><summary><b>{}</b> &nbsp;",
            if open { " open" } else { "" },
            esc_s(name(i))
        );
        badges(h, m);
        let _ = write!(
            h,
            " {} passage(s), {} swaps, {:.0}% of the source copied</summary>",
            al.passages.len(),
            m.relation.swaps,
            100.0 * m.relation.source_coverage
        );
        swap_pairs(h, source_text, text, &x.tokens[ev.source], &x.tokens[i], al);
        let _ = write!(
            h,
            "<table class=\"side\"><colgroup><col><col></colgroup><tr><th>source: {}</th><th>copy: {}</th></tr>",
            esc_s(name(ev.source)),
            esc_s(name(i))
        );
        // Passages in the copy's order, with what lies between them.
        let mut passages: Vec<&wirecopy::align::Passage> = al.passages.iter().collect();
        passages.sort_by_key(|p| p.tokens_b.start);
        let in_order = al.in_order();
        let (mut a_at, mut b_at) = (0, 0);
        for p in passages {
            if in_order {
                gap_row(h, &source_text[a_at.min(p.a.start)..p.a.start], true);
            }
            gap_row(h, &text[b_at.min(p.b.start)..p.b.start], false);
            passage_rows(h, source_text, text, p);
            (a_at, b_at) = (p.a.end, p.b.end);
        }
        if in_order {
            gap_row(h, &source_text[a_at.min(source_text.len())..], true);
        }
        gap_row(h, &text[b_at.min(text.len())..], false);
        h.push_str("</table></details>");
    }
    h.push_str("</section>");
}

fn badges(h: &mut String, m: &MemberEvidence) {
    let r = &m.relation;
    let mut names: Vec<&str> = r.traits().collect();
    if names.is_empty() {
        names.push(r.kind.name());
    }
    for n in names {
        let _ = write!(h, "<span class=\"badge b-{n}\">{n}</span>");
    }
}

/// A row for text on one side only (`left`: the source) between or around passages.
fn gap_row(h: &mut String, s: &str, left: bool) {
    let words = s
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    if words == 0 {
        return;
    }
    let preview: String = s.split_whitespace().take(14).collect::<Vec<_>>().join(" ");
    let cell = format!(
        "{}: {words} words — “{}{}”",
        if left { "source only" } else { "copy only" },
        esc_s(&preview),
        if words > 14 { " …" } else { "" }
    );
    if left {
        let _ = write!(h, "<tr class=\"gap\"><td>{cell}</td><td></td></tr>");
    } else {
        let _ = write!(h, "<tr class=\"gap\"><td></td><td>{cell}</td></tr>");
    }
}

fn swap_pairs(
    h: &mut String,
    a: &str,
    b: &str,
    ta: &Tokens,
    tb: &Tokens,
    al: &wirecopy::align::Alignment,
) {
    let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
    for e in al.swaps() {
        let (pa, pb) = e.phrase(ta, tb);
        let sq = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        *pairs.entry((sq(&a[pa]), sq(&b[pb]))).or_default() += 1;
    }
    if pairs.is_empty() {
        return;
    }
    let mut list: Vec<_> = pairs.into_iter().collect();
    list.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    h.push_str("<div class=\"pairs\">swapped: ");
    for ((wa, wb), n) in list.iter().take(60) {
        let _ = write!(
            h,
            "<span class=\"pair\">{} → <b>{}</b>",
            esc_s(wa),
            esc_s(wb)
        );
        if *n > 1 {
            let _ = write!(h, " <span class=\"n\">×{n}</span>");
        }
        h.push_str("</span>");
    }
    if list.len() > 60 {
        let _ = write!(h, " … and {} more", list.len() - 60);
    }
    h.push_str("</div>");
}

/// The rows of one passage: chunks of about [`ROW_BYTES`] of source text, cut after an edit so that
/// both columns stay aligned.
fn passage_rows(h: &mut String, a: &str, b: &str, p: &wirecopy::align::Passage) {
    let (mut ra, mut rb) = (String::new(), String::new());
    let (mut at_a, mut at_b) = (p.a.start, p.b.start);
    let mut row_start = p.a.start;
    let flush = |h: &mut String, ra: &mut String, rb: &mut String| {
        if !ra.is_empty() || !rb.is_empty() {
            let _ = write!(h, "<tr><td>{ra}</td><td>{rb}</td></tr>");
        }
        ra.clear();
        rb.clear();
    };
    for e in &p.edits {
        let (sa, sb) = (&a[at_a..e.a.start.max(at_a)], &b[at_b..e.b.start.max(at_b)]);
        // Start a new row at a line break of the identical text once the row is long enough.
        match (sa.find('\n'), sb.find('\n')) {
            (Some(x), Some(y)) if at_a - row_start >= ROW_BYTES / 3 => {
                same(&mut ra, &mut rb, &sa[..x], &sb[..y]);
                flush(h, &mut ra, &mut rb);
                same(&mut ra, &mut rb, sa[x..].trim_start(), sb[y..].trim_start());
                row_start = at_a + x;
            }
            _ => same(&mut ra, &mut rb, sa, sb),
        }
        let (sa, sb) = (&a[e.a.clone()], &b[e.b.clone()]);
        match e.kind {
            EditKind::Swap => {
                let _ = write!(
                    ra,
                    "<mark class=\"sw\" title=\"copy: {}\">{}</mark>",
                    esc_s(sb),
                    esc_s(sa)
                );
                let _ = write!(
                    rb,
                    "<mark class=\"sw\" title=\"source: {}\">{}</mark>",
                    esc_s(sa),
                    esc_s(sb)
                );
            }
            EditKind::Deleted => {
                let _ = write!(ra, "<mark class=\"del\">{}</mark>", esc_s(sa));
            }
            EditKind::Inserted => {
                let _ = write!(rb, "<mark class=\"ins\">{}</mark>", esc_s(sb));
            }
            _ => {
                let _ = write!(ra, "<mark class=\"rw\">{}</mark>", esc_s(sa));
                let _ = write!(rb, "<mark class=\"rw\">{}</mark>", esc_s(sb));
            }
        }
        at_a = e.a.end.max(at_a);
        at_b = e.b.end.max(at_b);
        if at_a - row_start >= 2 * ROW_BYTES {
            flush(h, &mut ra, &mut rb);
            row_start = at_a;
        }
    }
    same(
        &mut ra,
        &mut rb,
        &a[at_a..p.a.end.max(at_a)],
        &b[at_b..p.b.end.max(at_b)],
    );
    flush(h, &mut ra, &mut rb);
}

/// Appends identical stretches (the same words; spacing may differ), eliding long ones.
fn same(ra: &mut String, rb: &mut String, sa: &str, sb: &str) {
    let elide = |s: &str| -> String {
        if s.len() <= SAME_SHOWN {
            return esc_s(s);
        }
        let cut = |i: usize, fwd: bool| {
            let mut i = i;
            while !s.is_char_boundary(i) {
                if fwd {
                    i += 1
                } else {
                    i -= 1
                }
            }
            i
        };
        let (h1, h2) = (
            cut(SAME_SHOWN / 2, false),
            cut(s.len() - SAME_SHOWN / 2, true),
        );
        format!(
            "{}<span style=\"color:#8a94a3\"> [… {} identical bytes …] </span>{}",
            esc_s(&s[..h1]),
            h2 - h1,
            esc_s(&s[h2..])
        )
    };
    ra.push_str(&elide(sa));
    rb.push_str(&elide(sb));
}
