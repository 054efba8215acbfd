//! Normalization: raw text to canonical lowercase tokens.
//!
//! The canonical form of a text is its sequence of *tokens*: maximal runs of letters and digits after
//! Unicode compatibility folding (NFKD: ligatures, full-width and compatibility forms), removal of
//! accents (combining marks: `café` → `cafe`), typographic quote and dash folding, and lowercasing. Apostrophes inside a word are dropped (`don't` → `dont`, `Iran’s` →
//! `irans`); characters that show nothing ([`is_ignorable`]: soft hyphens, zero-width spaces) are
//! skipped; every other non-alphanumeric character separates tokens. Chinese and Japanese are written
//! without spaces, so each Han ideograph, hiragana and katakana character is a token by itself
//! ([`is_unspaced`]); word n-grams over them are character n-grams.
//!
//! [`normalize`] renders that form as a string (tokens joined by single spaces). [`Tokenizer`] yields
//! the same tokens without building the string, with their byte spans in the original text: a
//! byte-level ASCII fast path handles runs of ASCII letters and digits, and only runs containing
//! non-ASCII characters go through NFKD, one character at a time, so that each token keeps the
//! byte span of the characters it came from.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};
use xxhash_rust::xxh3::xxh3_64;

/// Folds typographic variants to their plain ASCII counterparts: quotes and apostrophes to `'` or
/// `"`, dashes and the minus sign to `-`. Other characters are returned unchanged.
///
/// # Examples
///
/// ```
/// assert_eq!(wirecopy::normalize::fold_char('’'), '\'');
/// assert_eq!(wirecopy::normalize::fold_char('—'), '-');
/// assert_eq!(wirecopy::normalize::fold_char('a'), 'a');
/// ```
pub fn fold_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}'
        | '\u{FF07}' | '`' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
        _ => c,
    }
}

/// Returns the canonical form of `text`: its tokens, lowercased, joined by single spaces.
///
/// # Examples
///
/// ```
/// use wirecopy::normalize::normalize;
/// assert_eq!(normalize("The “ﬁnal” word—Iran’s  REPLY!"), "the final word irans reply");
/// assert_eq!(normalize("ＡＢＣ 123"), "abc 123");
/// ```
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// Writes the canonical form of `text` into `out` (cleared first), reusing its allocation.
///
/// # Examples
///
/// ```
/// let mut buf = String::new();
/// wirecopy::normalize::normalize_into("Hello,   World", &mut buf);
/// assert_eq!(buf, "hello world");
/// ```
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    let mut tokenizer = Tokenizer::new();
    tokenizer.for_each(text, |tok| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(tok.text);
    });
}

/// Writes `text` into `out` (cleared first) with its HTML character references decoded, byte for
/// byte the same length, so that byte offsets into `out` are offsets into `text`; returns false,
/// leaving `out` alone, when `text` has no `&`.
///
/// A character reference (`&amp;`, `&rsquo;`, `&#8217;`, `&#x2019;`: the named references of the
/// HTML standard and numeric ones, ending in `;`) becomes its character, followed by
/// default-ignorable characters ([`is_ignorable`], which the tokenizer skips) for the bytes it
/// saved: `don&#8217;t` tokenizes as `don’t` does, `S&#227;o` as `São`. A reference one byte
/// longer than its character (`&ne;`) has no such filler and is left as it is, and so is any
/// other `&` (`AT&T`). Tags are left alone here (block tags are read as line breaks and inline
/// ones hidden by [`read_tags_into`]): a page's markup should be stripped before its text is
/// compared.
///
/// # Examples
///
/// ```
/// use wirecopy::normalize::{normalize, unescape_into};
/// let mut out = String::new();
/// let escaped = "Iran&#8217;s &quot;reply&quot; &amp; S&#227;o Paulo&rsquo;s";
/// assert!(unescape_into(escaped, &mut out));
/// assert_eq!(out.len(), escaped.len());
/// assert_eq!(normalize(&out), normalize("Iran’s \"reply\" & São Paulo’s"));
/// assert!(!unescape_into("plain text", &mut out));
/// ```
pub fn unescape_into(text: &str, out: &mut String) -> bool {
    if !text.contains('&') {
        return false;
    }
    out.clear();
    out.reserve(text.len());
    // Copied up to `done`.
    let mut done = 0;
    each_marker(text, b'&', |at| {
        let decoded = reference_end(text.as_bytes(), at).and_then(|end| {
            let reference = text.get(at..end)?;
            let decoded = html_escape::decode_html_entities(reference);
            let saved = reference.len().checked_sub(decoded.len())?;
            (decoded != reference && saved != 1).then_some((end, decoded, saved))
        });
        let (end, decoded, saved) = decoded?;
        out.push_str(text.get(done..at).unwrap_or_default());
        out.push_str(&decoded);
        push_filler(out, saved);
        done = end;
        Some(end)
    });
    out.push_str(text.get(done..).unwrap_or_default());
    true
}

/// Writes `text` into `out` (cleared first) with its HTML block tags (`<p>`, `</p>`, `<br/>`,
/// `<div class="x">`, `<li>`, `<h1>`–`<h6>`, `<tr>`, `<blockquote>` and the like) each replaced by a
/// line break and spaces (a default-ignorable character for each character past ASCII in its
/// attributes), byte for byte the same length and on the same character boundaries, so that byte
/// offsets into `out` are offsets into `text`; returns false, leaving `out` alone, when `text` has none. A page's
/// paragraphs and line breaks are then lines, as the body rules read them. Inline tags (`<span>`,
/// `<a>`, `<b>`) are left as they are here; [`read_tags_into`] hides them too.
///
/// # Examples
///
/// ```
/// let mut out = String::new();
/// let html = "<p>Talks broke down.</p><p>A strike<br>began.</p>";
/// assert!(wirecopy::normalize::break_block_tags_into(html, &mut out));
/// assert_eq!(out.len(), html.len());
/// assert_eq!(out.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>(),
///            ["Talks broke down.", "A strike", "began."]);
/// assert!(!wirecopy::normalize::break_block_tags_into("<span>x</span> & 1 < 2", &mut out));
/// ```
pub fn break_block_tags_into(text: &str, out: &mut String) -> bool {
    tags_into(text, out, false)
}

/// [`break_block_tags_into`], and inline tags (`<a href="…">`, `</a>`, `<span style="…">`, `<b>`,
/// `<em>`, `<strong>`, `<img …>` and the like) replaced by default-ignorable characters
/// ([`is_ignorable`], which the tokenizer skips), at the same length: the text then tokenizes as
/// the page reads, with no markup words (`span`, `href`, a link's address) among its own and no
/// word cut where a tag sits inside it. Returns false, leaving `out` alone, when `text` has no
/// such tag. [`Reading`](crate::features::Reading) reads every text so.
///
/// # Examples
///
/// ```
/// use wirecopy::normalize::{normalize, read_tags_into};
/// let mut out = String::new();
/// let html = "<p>Talks <a href=\"https://example.com/news/1\">broke down</a> on <b>Mon</b>day.</p>";
/// assert!(read_tags_into(html, &mut out));
/// assert_eq!(out.len(), html.len());
/// assert_eq!(normalize(&out), "talks broke down on monday");
/// assert!(!read_tags_into("a < b, <brand> & 1 > 0", &mut out));
/// ```
pub fn read_tags_into(text: &str, out: &mut String) -> bool {
    tags_into(text, out, true)
}

/// [`break_block_tags_into`], with inline tags hidden too when `inline` (see [`read_tags_into`]).
fn tags_into(text: &str, out: &mut String, inline: bool) -> bool {
    // Copied up to `done`, once a tag is found.
    let mut found = None;
    each_marker(text, b'<', |at| {
        let (end, block) = tag_at(text.as_bytes(), at)?;
        if !block && !inline {
            return None;
        }
        let done = found.get_or_insert_with(|| {
            out.clear();
            out.reserve(text.len());
            0
        });
        out.push_str(text.get(*done..at).unwrap_or_default());
        let tag = text.get(at..end).unwrap_or_default();
        if block {
            push_blanked(out, tag, '\n');
        } else if tag.is_ascii() {
            // A tag is 3 bytes or more (`<b>`), what the filler needs.
            push_filler(out, end - at);
        } else {
            push_blanked(out, tag, ' ');
        }
        *done = end;
        Some(end)
    });
    let Some(done) = found else {
        return false;
    };
    out.push_str(text.get(done..).unwrap_or_default());
    true
}

/// Writes `text` into `out` (cleared first) with each web address (`https://…`, `http://…`,
/// `www.…`) replaced by spaces, byte for byte the same length; returns false, leaving `out`
/// alone, when `text` has none. An address is no words of a story: a copy that gives its links
/// (a Markdown `[text](https://…)`, a "Read more: https://…" line) or drops them reads alike, and
/// a line that is mostly a link is a short line.
///
/// An address starts at `http://` or `https://` (any case), or `www.` (`WWW.`, `Www.`), after a
/// character that is not a letter or digit, and runs to a space, a line break, `<`, `>`, `"`, `]`,
/// a character past ASCII (a curly quotation mark, a no-break space), or a `)` it did not open;
/// full stops, commas and the like at its end stay (`see www.example.com.` still ends a sentence).
/// Only ASCII bytes become spaces, so the text keeps its character boundaries.
///
/// # Examples
///
/// ```
/// use wirecopy::normalize::{hide_urls_into, normalize};
/// let mut out = String::new();
/// let text = "Read [the report](https://example.com/a_(b)/c?d=1) at www.example.org.";
/// assert!(hide_urls_into(text, &mut out));
/// assert_eq!(out.len(), text.len());
/// assert_eq!(normalize(&out), "read the report at");
/// assert!(out.ends_with('.'));
/// assert!(!hide_urls_into("an http header, awww.", &mut out));
/// ```
pub fn hide_urls_into(text: &str, out: &mut String) -> bool {
    let b = text.as_bytes();
    let boundary = |i: usize| i == 0 || b.get(i - 1).is_some_and(|c| !c.is_ascii_alphanumeric());
    let is = |i: usize, p: &[u8]| {
        b.get(i..i + p.len())
            .is_some_and(|r| r.eq_ignore_ascii_case(p))
    };
    // Where addresses start: a scheme before a `://`, a `www` before a `.`. Most texts have
    // neither (a substring search tells, faster than a look at every `:` and `.`).
    let schemes = text.contains("://");
    let wwws = ["www.", "WWW.", "Www."].iter().any(|w| text.contains(w));
    if !schemes && !wwws {
        return false;
    }
    let mut starts = Vec::new();
    if schemes {
        each_marker(text, b':', |at| {
            let scheme = [&b"https"[..], b"http"].into_iter().find_map(|scheme| {
                let start = at.checked_sub(scheme.len())?;
                (is(start, scheme) && is(at, b"://") && boundary(start)).then_some(start)
            });
            starts.extend(scheme);
            None
        });
    }
    if wwws {
        each_marker(text, b'.', |at| {
            let start = at.checked_sub(3)?;
            let www = [&b"www"[..], b"WWW", b"Www"].contains(&b.get(start..at)?);
            if www && boundary(start) {
                starts.push(start);
            }
            None
        });
    }
    if starts.is_empty() {
        return false;
    }
    starts.sort_unstable();
    out.clear();
    out.reserve(text.len());
    // Copied up to `done`; an address found inside another (`https://www.`) is part of it.
    let mut done = 0;
    for start in starts {
        if start < done {
            continue;
        }
        let end = url_end(b, start);
        out.push_str(text.get(done..start).unwrap_or_default());
        out.extend(std::iter::repeat_n(' ', end - start));
        done = end;
    }
    out.push_str(text.get(done..).unwrap_or_default());
    true
}

/// Where the web address starting at `start` ends (see [`hide_urls_into`]).
fn url_end(b: &[u8], start: usize) -> usize {
    let mut open = 0usize;
    let mut end = start;
    for (i, &c) in b.iter().enumerate().skip(start) {
        match c {
            b'(' => open += 1,
            b')' if open == 0 => break,
            b')' => open -= 1,
            // Past ASCII: a curly quotation mark, a no-break space, the filler of a hidden tag.
            // (An address's own letters past ASCII are percent-encoded on the web.)
            c if c.is_ascii_whitespace() || !c.is_ascii() => break,
            b'<' | b'>' | b'"' | b']' => break,
            _ => {}
        }
        end = i + 1;
    }
    // Punctuation at the end belongs to the sentence, not the address.
    while end > start && b.get(end - 1).is_some_and(|c| b".,;:!?'".contains(c)) {
        end -= 1;
    }
    end
}

/// Calls `visit` at each `marker` (an ASCII byte) of `text`, in order: at one it does not take,
/// `visit` returns `None` and the scan goes on after it; at one it takes, the end of what it took,
/// where the scan goes on. `str::find` with a `char` is a memchr, so a text with few markers costs
/// little.
fn each_marker(text: &str, marker: u8, mut visit: impl FnMut(usize) -> Option<usize>) {
    let mut from = 0;
    // `from` follows an ASCII byte (or is 0), so it is on a character boundary.
    while let Some(offset) = text
        .get(from..)
        .and_then(|rest| rest.find(char::from(marker)))
    {
        let at = from + offset;
        from = visit(at).unwrap_or(at + 1);
    }
}

/// The longest tag [`break_block_tags_into`] and [`read_tags_into`] take (bytes): a link's
/// address can be long.
const MAX_TAG_BYTES: usize = 2048;

/// The HTML elements whose tags [`break_block_tags_into`] reads as line breaks.
const BLOCK_TAGS: [&[u8]; 20] = [
    b"p",
    b"br",
    b"div",
    b"li",
    b"ul",
    b"ol",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"tr",
    b"td",
    b"th",
    b"table",
    b"blockquote",
    b"section",
    b"article",
    b"hr",
];

/// The HTML elements whose tags [`read_tags_into`] hides: text-level elements, which a browser
/// renders inside a line without a break.
const INLINE_TAGS: [&[u8]; 30] = [
    b"a", b"abbr", b"b", b"bdi", b"bdo", b"big", b"cite", b"code", b"del", b"dfn", b"em", b"font",
    b"i", b"img", b"ins", b"kbd", b"label", b"mark", b"q", b"s", b"samp", b"small", b"span",
    b"strike", b"strong", b"sub", b"sup", b"time", b"u", b"wbr",
];

/// Where the tag starting at `b[at]` (a `<`) ends, after its `>`, and whether it is a block tag:
/// when it is `<name`, `</name` or `<name/` with a name of [`BLOCK_TAGS`] or [`INLINE_TAGS`] (any
/// case), then attributes, on one line and within [`MAX_TAG_BYTES`].
fn tag_at(b: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut i = at + 1;
    if b.get(i) == Some(&b'/') {
        i += 1;
    }
    let name_start = i;
    while b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        i += 1;
    }
    let name = b.get(name_start..i)?;
    let named = |names: &[&[u8]]| names.iter().any(|t| t.eq_ignore_ascii_case(name));
    let block = named(&BLOCK_TAGS);
    if !block && !named(&INLINE_TAGS) {
        return None;
    }
    if !matches!(b.get(i), Some(b'>' | b'/' | b' ' | b'\t')) {
        return None;
    }
    let rest = b.get(i..(at + MAX_TAG_BYTES).min(b.len()))?;
    let close = rest
        .iter()
        .position(|&c| matches!(c, b'>' | b'<' | b'\n'))?;
    (rest[close] == b'>').then_some((i + close + 1, block))
}

/// Where the character reference starting at `b[at]` (an `&`) ends: after the `;` of `&name;`,
/// `&#digits;` or `&#xhex;` (at most 32 bytes), if there is one.
fn reference_end(b: &[u8], at: usize) -> Option<usize> {
    let body = b.get(at + 1..(at + 33).min(b.len()))?;
    let semi = body.iter().position(|&c| c == b';')?;
    let name = &body[..semi];
    let ok = match name {
        [b'#', b'x' | b'X', hex @ ..] => !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit),
        [b'#', digits @ ..] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        _ => !name.is_empty() && name.iter().all(u8::is_ascii_alphanumeric),
    };
    ok.then_some(at + 1 + semi + 1)
}

/// Appends `region` blanked at its own length and character boundaries: `first` for its first
/// byte (ASCII), a space for every other ASCII byte, and for each character past ASCII a
/// default-ignorable one of as many bytes (an attribute of a tag may hold any text).
fn push_blanked(out: &mut String, region: &str, first: char) {
    for (i, c) in region.char_indices() {
        out.push(match (i, c.len_utf8()) {
            (0, 1) => first,
            (_, 1) => ' ',
            (_, 2) => '\u{AD}',
            (_, 3) => '\u{200B}',
            _ => '\u{E0020}',
        });
    }
}

/// Appends `n` bytes (2 or more) of default-ignorable characters: soft hyphens (two bytes) and a
/// zero-width space (three) when `n` is odd.
fn push_filler(out: &mut String, mut n: usize) {
    if n % 2 == 1 {
        out.push('\u{200B}');
        n -= 3;
    }
    out.extend(std::iter::repeat_n('\u{AD}', n / 2));
}

/// Byte classes of the tokenizer's ASCII fast path (one table lookup per byte).
const ALNUM: u8 = 1;
const UPPER: u8 = 2;
const DIGIT: u8 = 4;
const APOS: u8 = 8;
const NON_ASCII: u8 = 16;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        t[b] = if c >= 0x80 {
            NON_ASCII
        } else if c.is_ascii_digit() {
            ALNUM | DIGIT
        } else if c.is_ascii_uppercase() {
            ALNUM | UPPER
        } else if c.is_ascii_lowercase() {
            ALNUM
        } else if c == b'\'' {
            APOS
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Longest ASCII token lowercased on the stack by [`Tokenizer::for_each_hash`]; longer ones use a
/// heap buffer.
const STACK_TOKEN: usize = 32;

/// One token of a text, as yielded by [`Tokenizer::for_each`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// The canonical (folded, lowercased) token.
    pub text: &'a str,
    /// Byte offset in the original text where the token's source starts.
    pub start: usize,
    /// Byte offset in the original text where the token's source ends (exclusive).
    pub end: usize,
    /// The token's first character was uppercase in the original text.
    pub capitalized: bool,
    /// The token contains a digit.
    pub numeric: bool,
}

/// A reusable tokenizer: scratch buffers kept between calls, no allocation per token.
///
/// # Examples
///
/// ```
/// let mut t = wirecopy::normalize::Tokenizer::new();
/// let mut words = Vec::new();
/// t.for_each("Putin met Raisi in 2022.", |tok| words.push((tok.text.to_string(), tok.capitalized)));
/// assert_eq!(words[0], ("putin".to_string(), true));
/// assert_eq!(words[4], ("2022".to_string(), false));
/// ```
#[derive(Debug, Default, Clone)]
pub struct Tokenizer {
    buf: String,
    long: Vec<u8>,
    /// Short tokens waiting to be hashed by [`Tokenizer::flagged_hashes_into`], by xxh3 length
    /// class, and the hashes of a batch (the queues of `Deferred`).
    pending: Vec<u64>,
    /// The token edges of a chunk in [`Tokenizer::scan_avx512`].
    #[cfg(target_arch = "x86_64")]
    edges: Vec<u16>,
    /// The hashes (and digit flags) of the last run [`Tokenizer::emit_special`] tokenized.
    special: Vec<(u64, bool)>,
}

/// Short tokens queued per length class before [`Tokenizer::flagged_hashes_into`] hashes them.
/// 256: a token's index in its batch is a byte, which indexes the batch's hashes without a bounds
/// check, so the hash loops vectorize (with 128 they do not: 25% slower).
const PENDING: usize = 256;

/// Where the token scan of [`Tokenizer::for_each_hash`] sends the tokens.
trait Sink {
    /// A token `bytes[start..start + len]` of 1 to 16 ASCII letters and digits.
    fn short(&mut self, bytes: &[u8], start: usize, len: usize);
    /// Any other token, already hashed, and whether it has a digit.
    fn hash(&mut self, h: u64, digit: bool);
    /// The end of a 64-byte block: at most 33 more tokens before the next call.
    fn block_end(&mut self, _bytes: &[u8]) {}
}

/// [`Tokenizer::for_each_hash`]'s sink: hashes each token at once.
struct EachHash<F>(F);

impl<F: FnMut(u64, bool)> Sink for EachHash<F> {
    #[inline(always)]
    fn short(&mut self, bytes: &[u8], start: usize, len: usize) {
        let (lo, hi) = load16(bytes, start, len);
        let digit = has_digit(lo) | has_digit(hi);
        (self.0)(xxh3_short(lower(lo), lower(hi), len), digit);
    }
    #[inline(always)]
    fn hash(&mut self, h: u64, digit: bool) {
        (self.0)(h, digit);
    }
}

/// [`Tokenizer::flagged_hashes_into`]'s sink: queues short tokens by xxh3 length class.
///
/// A batch holds fewer than [`PENDING`] tokens. Each short token is written, packed as
/// `index << 8 | len` (`index`: its place in the batch), at the end of its class's queue.
/// [`flush`] hashes each queue in a loop of its own into `vals[index]`, then appends the batch to
/// `out`.
///
/// The counters (`ends`, `n`) are plain values that nothing outside the scan borrows: the flush
/// and the special tokens' path take them by value, so the compiler keeps them in registers
/// through the hot loop instead of storing them to memory on each token.
struct Deferred<'a> {
    /// The batch in one buffer (one base register in the scan), by ranges of [`PENDING`]: the
    /// class queues in `0..4` (1–3-byte tokens from 0, 4–8 from 1, 9–16 from 2), each entry
    /// `index << 8 | len`; the first 8 bytes of each queued token in `4..8` and the 8 after them
    /// in `8..12`, at the entry's place plus `4 * PENDING` and `8 * PENDING` (loaded while the
    /// scan has them at hand); the batch's flagged hashes, in token order, in `12..13`.
    buf: &'a mut [u64; BATCH],
    /// Where each class's queue ends, 16 bits per class (class `c` at bit `16 * c`): one
    /// register, read and moved on with shifts by a computed amount, no branch.
    ends: u64,
    /// Tokens in the batch.
    n: usize,
    out: &'a mut Vec<u64>,
}

/// The length of [`Deferred::buf`].
const BATCH: usize = 13 * PENDING;

/// [`Deferred::ends`] of an empty batch: the three queues start at 0, `PENDING`, `2 * PENDING`.
const EMPTY_ENDS: u64 = (2 * PENDING as u64) << 32 | (PENDING as u64) << 16;

/// A batch is flushed at a block end once it holds this many tokens: a 64-byte block adds at most
/// 33 (and the end of the text one more), so a batch stays below [`PENDING`].
const FLUSH_AT: usize = PENDING - 64;

impl Sink for Deferred<'_> {
    #[inline(always)]
    fn short(&mut self, bytes: &[u8], start: usize, len: usize) {
        queue_short(self.buf, &mut self.ends, &mut self.n, bytes, start, len);
    }
    #[inline(always)]
    fn hash(&mut self, h: u64, digit: bool) {
        // A run with non-ASCII characters can give many tokens in one block: flush early enough
        // that the short tokens after it in the block still fit.
        self.block_end(&[]);
        self.buf[12 * PENDING + self.n % PENDING] = (h & !1) | u64::from(digit);
        self.n += 1;
    }
    #[inline(always)]
    fn block_end(&mut self, _bytes: &[u8]) {
        if self.n >= FLUSH_AT {
            self.flush();
        }
    }
}

impl Deferred<'_> {
    /// Hashes the queued tokens into their places of the batch, appends the batch to `out` and
    /// starts an empty one.
    #[inline(always)]
    fn flush(&mut self) {
        flush(self.buf, self.out, self.ends, self.n);
        self.ends = EMPTY_ENDS;
        self.n = 0;
    }
}

/// [`Deferred::short`]: queues the short token `bytes[start..start + len]` (`len` in 1 to 16) in
/// its class's queue of the batch `buf`, whose queue ends are `ends` and which holds `n` tokens.
#[inline(always)]
fn queue_short(
    buf: &mut [u64; BATCH],
    ends: &mut u64,
    n: &mut usize,
    bytes: &[u8],
    start: usize,
    len: usize,
) {
    let (lo, hi) = words_at(bytes, start);
    queue_words(buf, ends, n, lo, hi, len);
}

/// [`queue_short`] of a token already loaded: `lo` and `hi` are the 16 bytes at its start.
#[inline(always)]
fn queue_words(
    buf: &mut [u64; BATCH],
    ends: &mut u64,
    n: &mut usize,
    lo: u64,
    hi: u64,
    len: usize,
) {
    // `n < PENDING`: the index fits 8 bits. The class is a computed index, no branch.
    let shift = CLASS_SHIFT[len % 32];
    let at = (*ends >> shift) as usize % (4 * PENDING);
    buf[at] = (*n as u64) << 8 | len as u64;
    buf[at + 4 * PENDING] = lo;
    buf[at + 8 * PENDING] = hi;
    *ends += 1 << shift;
    *n += 1;
}

/// The place in [`Deferred::ends`] of the queue end of a token of each length (1 to 16; the
/// rest unused): 0 for 1–3 bytes, 16 for 4–8, 32 for 9–16.
static CLASS_SHIFT: [u32; 32] = {
    let mut t = [0u32; 32];
    let mut len = 0;
    while len < 32 {
        t[len] = 16 * ((len >= 4) as u32 + (len > 8) as u32);
        len += 1;
    }
    t
};

/// The body of [`Deferred::flush`], out of the scan's loop: the counters come by value.
#[cold]
#[inline(never)]
fn flush(buf: &mut [u64; BATCH], out: &mut Vec<u64>, ends: u64, n: usize) {
    let end = |class: u32| (ends >> (16 * class)) as usize & 0xffff;
    let ranges = [0..end(0), PENDING..end(1), 2 * PENDING..end(2)];
    let (queues, rest) = buf.split_at_mut(4 * PENDING);
    let (lo, rest) = rest.split_at_mut(4 * PENDING);
    let (hi, vals) = rest.split_at_mut(4 * PENDING);
    let Ok(vals) = <&mut [u64; PENDING]>::try_from(vals) else {
        return; // `vals` is the last PENDING of BATCH
    };
    hash_queues(queues, lo, hi, ranges, vals);
    out.extend_from_slice(&vals[..n.min(PENDING)]);
}

/// Hashes the class queues of [`Deferred`] (the ranges of 1–3, 4–8 and 9–16-byte tokens in
/// `queues`, `lo` and `hi`) into `vals`, at each entry's index: on x86-64 CPUs with AVX-512, in a
/// build of the same code for them, where the hashing loops are vectorized.
#[inline(always)]
fn hash_queues(
    queues: &[u64],
    lo: &[u64],
    hi: &[u64],
    ranges: [std::ops::Range<usize>; 3],
    vals: &mut [u64; PENDING],
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: the CPU has the features the function is compiled for (checked just above).
        #[allow(unsafe_code)]
        unsafe {
            hash_queues_avx512(queues, lo, hi, ranges, vals);
        }
        return;
    }
    hash_queues_in::<false>(queues, lo, hi, ranges, vals);
}

/// Whether this CPU has the AVX-512 features the vectorized builds of the hash loops use (the
/// answer is cached by the standard library).
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn has_avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx512vl")
        && std::arch::is_x86_feature_detected!("avx512bw")
}

/// [`hash_queues_in`] compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw")]
fn hash_queues_avx512(
    queues: &[u64],
    lo: &[u64],
    hi: &[u64],
    ranges: [std::ops::Range<usize>; 3],
    vals: &mut [u64; PENDING],
) {
    hash_queues_in::<true>(queues, lo, hi, ranges, vals);
}

/// The body of [`hash_queues`]: per class, one loop of plain arithmetic over the queued words
/// (vectorizable: `WIDE` splits xxh3's 128-bit product into 64-bit ones), each hash written to
/// its index in `vals`. The hashes read only the token's bytes of the words; the digit test masks
/// the rest.
#[inline(always)]
fn hash_queues_in<const WIDE: bool>(
    queues: &[u64],
    lo: &[u64],
    hi: &[u64],
    ranges: [std::ops::Range<usize>; 3],
    vals: &mut [u64; PENDING],
) {
    let flagged = |h: u64, digit: bool| (h & !1) | u64::from(digit);
    let [r0, r1, r2] = ranges;
    let q = |r: std::ops::Range<usize>| {
        (
            queues.get(r.clone()).unwrap_or_default(),
            lo.get(r.clone()).unwrap_or_default(),
            hi.get(r).unwrap_or_default(),
        )
    };
    let at = |e: u64| usize::from((e >> 8) as u8);
    let len_of = |e: u64| (e & 0x1f) as usize;
    let (e0, l0, _) = q(r0);
    for (&e, &w) in e0.iter().zip(l0) {
        let len = len_of(e);
        vals[at(e)] = flagged(xxh3_1to3(lower(w), len), has_digit(w & low_bytes(len)));
    }
    let (e1, l1, _) = q(r1);
    for (&e, &w) in e1.iter().zip(l1) {
        let len = len_of(e);
        vals[at(e)] = flagged(xxh3_4to8(lower(w), len), has_digit(w & low_bytes(len)));
    }
    let (e2, l2, h2) = q(r2);
    for ((&e, &l), &h) in e2.iter().zip(l2).zip(h2) {
        let len = len_of(e);
        let digit = has_digit(l) | has_digit(h & low_bytes(len - 8));
        vals[at(e)] = flagged(xxh3_9to16_with::<WIDE>(lower(l), lower(h), len), digit);
    }
}

/// A mask of the low `len` bytes of a word, `len` in 1 to 8.
#[inline(always)]
fn low_bytes(len: usize) -> u64 {
    u64::MAX >> ((64 - 8 * len as u32) & 63)
}

/// The 16 bytes at `start` in `bytes`, little-endian in two words (zero-padded past the end).
#[inline(always)]
fn words_at(bytes: &[u8], start: usize) -> (u64, u64) {
    match bytes.get(start..start + 16) {
        Some(b) => (u64_at(b, 0), u64_at(b, 8)),
        None => tail_words(bytes.get(start..).unwrap_or_default()),
    }
}

/// The `len` bytes (0 to 16) at `start` in `bytes`, little-endian in two words, zeros after them.
#[inline(always)]
fn load16(bytes: &[u8], start: usize, len: usize) -> (u64, u64) {
    let (w0, w1) = match bytes.get(start..start + 16) {
        Some(b) => (u64_at(b, 0), u64_at(b, 8)),
        None => tail_words(bytes.get(start..).unwrap_or_default()),
    };
    let [k0, k1] = KEEP[len.min(16)];
    (w0 & k0, w1 & k1)
}

/// Bytes (ASCII letters and digits, zeros after them) lowercased: 0x40 is set in letters and clear
/// in digits, so copying it onto 0x20 lowercases letters and leaves digits alone.
#[inline(always)]
fn lower(v: u64) -> u64 {
    v | ((v & BYTES_40) >> 1)
}

/// Whether `v` (ASCII letters and digits, zeros after them) holds a digit: a non-zero byte without
/// 0x40.
#[inline(always)]
fn has_digit(v: u64) -> bool {
    // Digits (0x30..=0x39) have 0x20 set and 0x40 clear, letters have 0x40 set, padding is 0;
    // shifting by one bit moves each byte's 0x40 onto its 0x20.
    (v & !(v >> 1) & BYTES_20) != 0
}

impl Tokenizer {
    /// A tokenizer with empty scratch buffers.
    ///
    /// # Examples
    ///
    /// ```
    /// let _t = wirecopy::normalize::Tokenizer::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `f` for every token of `text`, in order.
    ///
    /// # Complexity
    ///
    /// Linear in `text.len()`; ASCII runs are handled byte by byte without Unicode tables.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut n = 0;
    /// wirecopy::normalize::Tokenizer::new().for_each("one, two; three", |_| n += 1);
    /// assert_eq!(n, 3);
    /// ```
    pub fn for_each<F>(&mut self, text: &str, mut f: F)
    where
        F: FnMut(Token<'_>),
    {
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut i = 0;
        while i < n {
            // Skip separators: ASCII bytes that are neither alphanumeric nor apostrophes.
            if CLASS[bytes[i] as usize] == 0 {
                i += 1;
                continue;
            }
            // A run: ASCII alphanumerics, apostrophes, and any non-ASCII characters.
            let start = i;
            let mut seen = 0u8;
            while i < n {
                let c = CLASS[bytes[i] as usize];
                if c == 0 {
                    break;
                }
                seen |= c;
                i += 1;
            }
            let end = i; // char boundary: stopped at an ASCII byte or at the end
            if seen & NON_ASCII == 0 {
                self.ascii_run(text, start, end, &mut f);
            } else {
                self.unicode_run(text, start, end, &mut f);
            }
        }
    }

    /// Calls `f(hash, numeric)` for every token of `text`, in order, where `hash` is
    /// `xxh3_64` of the token's canonical text (what [`Tokenizer::for_each`] yields as
    /// [`Token::text`]) and `numeric` is [`Token::numeric`].
    ///
    /// This is the hot loop of shingling. Token boundaries are found 64 bytes at a time (a byte
    /// classification the compiler vectorizes, packed into a bit mask); a token of at most 16 ASCII
    /// letters and digits (nearly all of them) is loaded as one `u128`, lowercased and checked for
    /// digits with bit masks and hashed from the register; longer tokens and those with apostrophes
    /// are lowercased on the stack, and only runs with non-ASCII characters go through NFKD.
    ///
    /// # Complexity
    ///
    /// Linear in `text.len()`: about two instructions per byte, one xxh3 per token.
    ///
    /// # Examples
    ///
    /// ```
    /// use xxhash_rust::xxh3::xxh3_64;
    /// let mut hashes = Vec::new();
    /// wirecopy::normalize::Tokenizer::new().for_each_hash("Don't stop 2", |h, num| hashes.push((h, num)));
    /// assert_eq!(hashes, vec![(xxh3_64(b"dont"), false), (xxh3_64(b"stop"), false), (xxh3_64(b"2"), true)]);
    /// ```
    #[inline]
    pub fn for_each_hash<F>(&mut self, text: &str, f: F)
    where
        F: FnMut(u64, bool),
    {
        self.scan(text, &mut EachHash(f));
    }

    /// Writes the token hashes of `text` into `out` (cleared first), in order, each with its
    /// lowest bit replaced by the token's [`Token::numeric`] flag: `(h & !1) | numeric` for every
    /// `(h, numeric)` that [`Tokenizer::for_each_hash`] yields.
    ///
    /// Faster than collecting [`Tokenizer::for_each_hash`]: xxh3 hashes 1–3, 4–8 and 9–16-byte
    /// inputs with three different formulas, and which one the next token needs is a coin flip to
    /// the branch predictor. Here short tokens are queued by length class (a computed index, no
    /// branch) and each queue is hashed in a loop of its own, then written to its slot in `out`.
    /// On x86-64 CPUs with AVX-512 those loops run in a build of the same code for AVX-512 (chosen
    /// at run time), where the compiler hashes eight tokens per instruction, and with AVX-512
    /// VBMI2 the text is scanned in chunks whose token edges are listed without a branch; the
    /// values are the same on every CPU.
    ///
    /// # Examples
    ///
    /// ```
    /// use xxhash_rust::xxh3::xxh3_64;
    /// let mut out = Vec::new();
    /// wirecopy::normalize::Tokenizer::new().flagged_hashes_into("Don't stop 2", &mut out);
    /// assert_eq!(out, vec![xxh3_64(b"dont") & !1, xxh3_64(b"stop") & !1, xxh3_64(b"2") | 1]);
    /// ```
    pub fn flagged_hashes_into(&mut self, text: &str, out: &mut Vec<u64>) {
        out.clear();
        self.append_flagged_hashes(text, out);
    }

    /// [`Tokenizer::flagged_hashes_into`] without clearing `out`: the hashes of `text` go after
    /// the values already there.
    ///
    /// # Examples
    ///
    /// ```
    /// use xxhash_rust::xxh3::xxh3_64;
    /// let mut out = vec![7];
    /// wirecopy::normalize::Tokenizer::new().append_flagged_hashes("Stop 2", &mut out);
    /// assert_eq!(out, vec![7, xxh3_64(b"stop") & !1, xxh3_64(b"2") | 1]);
    /// ```
    pub fn append_flagged_hashes(&mut self, text: &str, out: &mut Vec<u64>) {
        let mut pending = std::mem::take(&mut self.pending);
        pending.resize(BATCH, 0);
        if let Some(buf) = pending.first_chunk_mut::<BATCH>() {
            self.fill(text, buf, out);
        }
        self.pending = pending;
    }

    /// [`Tokenizer::append_flagged_hashes`] with its batch buffer: on x86-64 CPUs with AVX-512,
    /// in a build of the scan for them ([`Tokenizer::fill_avx512`]).
    #[inline(always)]
    fn fill(&mut self, text: &str, buf: &mut [u64; BATCH], out: &mut Vec<u64>) {
        #[cfg(target_arch = "x86_64")]
        if has_avx512_scan() {
            // SAFETY: the CPU has the features the function is compiled for (checked just above).
            #[allow(unsafe_code)]
            unsafe {
                self.fill_avx512(text, buf, out);
            }
            return;
        }
        self.fill_with(text, buf, out);
    }

    /// [`Tokenizer::fill_with`] compiled for AVX-512 (and the BMI shifts and bit scans that come
    /// with it), the scan done by [`Tokenizer::scan_avx512`].
    #[cfg(target_arch = "x86_64")]
    #[target_feature(
        enable = "avx512f,avx512dq,avx512vl,avx512bw,avx512vbmi2,bmi1,bmi2,lzcnt,popcnt"
    )]
    fn fill_avx512(&mut self, text: &str, buf: &mut [u64; BATCH], out: &mut Vec<u64>) {
        let mut sink = Deferred {
            buf,
            ends: EMPTY_ENDS,
            n: 0,
            out,
        };
        let mut edges = std::mem::take(&mut self.edges);
        edges.resize(CHUNK + 64, 0);
        if let Some(edges) = edges.first_chunk_mut::<{ CHUNK + 64 }>() {
            self.scan_avx512(text, edges, &mut sink);
        }
        sink.flush();
        self.edges = edges;
    }

    /// The scan of [`Tokenizer::scan`] in two passes over each [`CHUNK`] of `text`: first, block
    /// by block and without a branch, the block's byte classes ([`classify_avx512`]) become the
    /// positions of its token edges ([`store_edges`]), each end marked when its run holds an
    /// apostrophe or a non-ASCII byte; then one loop over the chunk's (start, end) pairs sends the
    /// tokens to `f`. The per-block branches of [`Tokenizer::scan`] (how many tokens, whether
    /// the block ends inside one, whether it has rare bytes) become one loop per chunk.
    ///
    /// The runs are the same as [`Tokenizer::scan`]'s, and so are the tokens: a run of at most
    /// 16 bytes without rare bytes is a short token, any other goes through
    /// [`Tokenizer::emit_special`]; a run open across a chunk boundary through
    /// [`Tokenizer::emit_hash`] with the rare-byte check on.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(
        enable = "avx512f,avx512dq,avx512vl,avx512bw,avx512vbmi2,bmi1,bmi2,lzcnt,popcnt"
    )]
    fn scan_avx512(&mut self, text: &str, edges: &mut [u16; CHUNK + 64], f: &mut Deferred<'_>) {
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut pad = [0u8; 64];
        // The last byte classified is a token byte; its run holds a rare byte (the carry of the
        // run-end sums below); where that run started (once it is open across a chunk boundary).
        let (mut in_tok, mut carry, mut open) = (false, false, 0usize);
        let mut chunk = 0usize;
        while chunk < n {
            let chunk_end = n.min(chunk + CHUNK);
            let straddle = in_tok;
            let mut k = 0usize;
            let mut base = chunk;
            while base < chunk_end {
                let (token, rare) = classify_avx512(block_at(bytes, base, &mut pad));
                // Transitions between separator and token bytes: starts and ends, alternating.
                let edge = token ^ ((token << 1) | u64::from(in_tok));
                // Adding a run's rare bits to the run carries out of its top: into its end.
                let (sum, c0) = token.overflowing_add(rare);
                let (sum, c1) = sum.overflowing_add(u64::from(carry));
                carry = c0 | c1;
                let dirty = sum & edge & !token;
                store_edges(edges, k, edge, dirty, (base - chunk) as u16);
                k += edge.count_ones() as usize;
                in_tok = token >> 63 != 0;
                base += 64;
            }
            let mut list = edges.get(..k).unwrap_or_default();
            if straddle {
                let Some((&end, rest)) = list.split_first() else {
                    chunk += CHUNK; // the whole chunk inside one run
                    continue;
                };
                self.emit_hash(text, open, chunk + usize::from(end & !DIRTY), true, f);
                list = rest;
            }
            let pairs = list.len() & !1;
            let (mut rest, last) = list.split_at(pairs);
            while !rest.is_empty() {
                // The short tokens, in a loop of their own that keeps the batch in registers;
                // it stops at a token that is not short, or when the batch is due to be flushed.
                let done = queue_shorts(bytes, rest, chunk, f.buf, &mut f.ends, &mut f.n);
                rest = rest.get(done..).unwrap_or_default();
                f.block_end(bytes);
                if let [start, end, tail @ ..] = rest {
                    let len = end.wrapping_sub(*start);
                    if len > 16 {
                        let (start, end) = (usize::from(*start), usize::from(end & !DIRTY));
                        self.emit_special(text, chunk + start, chunk + end, f);
                        rest = tail;
                    }
                }
            }
            if let Some(&start) = last.first() {
                open = chunk + usize::from(start);
            }
            chunk += CHUNK;
        }
        if in_tok {
            self.emit_hash(text, open, n, true, f);
        }
    }

    /// The scan of `text` into a [`Deferred`] batch on `buf` (the portable build).
    #[inline(always)]
    fn fill_with(&mut self, text: &str, buf: &mut [u64; BATCH], out: &mut Vec<u64>) {
        let mut sink = Deferred {
            buf,
            ends: EMPTY_ENDS,
            n: 0,
            out,
        };
        self.scan(text, &mut sink);
        sink.flush();
    }

    /// The token scan behind [`Tokenizer::for_each_hash`]: yields every token of `text`, in
    /// order, as a short register-held token or a hash.
    #[inline(always)]
    fn scan<S: Sink>(&mut self, text: &str, f: &mut S) {
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut in_tok = false;
        let mut start = 0usize;
        let mut rare_prev = false;
        let mut base = 0usize;
        let mut pad = [0u8; 64];
        while base < n {
            let (token, rare) = classify(block_at(bytes, base, &mut pad));
            // A token of at most 16 bytes ending in this block started here or in the previous one.
            let check = rare | rare_prev;
            rare_prev = rare;
            // Transitions between separator and token bytes: they alternate start, end, start, ...
            let mut edges = token ^ ((token << 1) | u64::from(in_tok));
            if in_tok && edges != 0 {
                let end = base + edges.trailing_zeros() as usize;
                edges &= edges - 1;
                self.emit_hash(text, start, end, check, f);
                in_tok = false;
            }
            while edges != 0 {
                start = base + edges.trailing_zeros() as usize;
                edges &= edges - 1;
                if edges == 0 {
                    in_tok = true;
                    break;
                }
                let end = base + edges.trailing_zeros() as usize;
                edges &= edges - 1;
                self.emit_hash(text, start, end, check, f);
            }
            f.block_end(bytes);
            base += 64;
        }
        if in_tok {
            self.emit_hash(text, start, n, true, f);
        }
    }

    /// One run `text[start..end]` of token bytes for [`Tokenizer::for_each_hash`]. `check`: the run
    /// may hold apostrophes or non-ASCII bytes (its block or the previous one does).
    ///
    /// A run of at most 16 ASCII letters and digits (nearly all of them) is loaded as one `u128`,
    /// lowercased and tested for digits with bit masks, and hashed from the register by
    /// [`xxh3_short`]; anything else goes through [`Tokenizer::emit_special`].
    #[inline(always)]
    fn emit_hash<S: Sink>(&mut self, text: &str, start: usize, end: usize, check: bool, f: &mut S) {
        let bytes = text.as_bytes();
        let len = end - start;
        if len <= 16 {
            if check {
                let (v0, v1) = load16(bytes, start, len);
                if has_rare(v0) | has_rare(v1) {
                    self.emit_special(text, start, end, f);
                    return;
                }
            }
            f.short(bytes, start, len);
            return;
        }
        self.emit_special(text, start, end, f);
    }

    /// A run with capitals over 16 bytes, apostrophes or non-ASCII characters: its tokens go to
    /// `f` from [`Tokenizer::special_run`] (out of line, so that the sink stays in registers).
    #[inline(always)]
    fn emit_special<S: Sink>(&mut self, text: &str, start: usize, end: usize, f: &mut S) {
        self.special_run(text, start, end);
        for &(h, digit) in &self.special {
            f.hash(h, digit);
        }
    }

    /// The hashes of the tokens of `text[start..end]` (a run over 16 bytes, with apostrophes or
    /// non-ASCII characters) into `self.special`.
    #[cold]
    #[inline(never)]
    fn special_run(&mut self, text: &str, start: usize, end: usize) {
        let mut special = std::mem::take(&mut self.special);
        special.clear();
        let run = &text.as_bytes()[start..end];
        if !run.is_ascii() {
            self.unicode_run(text, start, end, &mut |t: Token<'_>| {
                special.push((xxh3_64(t.text.as_bytes()), t.numeric))
            });
            self.special = special;
            return;
        }
        let digit = run.iter().any(u8::is_ascii_digit);
        let mut stack = [0u8; STACK_TOKEN];
        let mut len = 0;
        for &b in run {
            if b != b'\'' {
                if len < STACK_TOKEN {
                    stack[len] = b.to_ascii_lowercase();
                }
                len += 1;
            }
        }
        if len == 0 {
            // apostrophes only
        } else if len <= STACK_TOKEN {
            special.push((xxh3_64(&stack[..len]), digit));
        } else {
            self.long.clear();
            self.long.extend(
                run.iter()
                    .filter(|&&b| b != b'\'')
                    .map(u8::to_ascii_lowercase),
            );
            special.push((xxh3_64(&self.long), digit));
        }
        self.special = special;
    }

    fn ascii_run<F: FnMut(Token<'_>)>(&mut self, text: &str, start: usize, end: usize, f: &mut F) {
        let bytes = &text.as_bytes()[start..end];
        self.buf.clear();
        let mut numeric = false;
        let mut first = None;
        for &b in bytes {
            if b == b'\'' {
                continue;
            }
            first.get_or_insert(b);
            numeric |= b.is_ascii_digit();
            self.buf.push(b.to_ascii_lowercase() as char);
        }
        let Some(first) = first else {
            return;
        };
        f(Token {
            text: &self.buf,
            start,
            end,
            capitalized: first.is_ascii_uppercase(),
            numeric,
        });
    }

    /// The tokens of a run with non-ASCII characters, each with the byte span of the characters
    /// it came from. Each character is decomposed (NFKD: compatibility forms, accents split off),
    /// combining marks and default-ignorable characters ([`is_ignorable`]) are dropped and quotes
    /// and dashes folded ([`fold_char`]); letters and digits make tokens, apostrophes are
    /// dropped, anything else separates. A character of a script
    /// written without spaces between words ([`is_unspaced`]: Han ideographs, hiragana, katakana)
    /// is a token by itself.
    fn unicode_run<F: FnMut(Token<'_>)>(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        f: &mut F,
    ) {
        /// The token being built (its text is in `buf`, never empty while one is open): where it
        /// starts and ends in `text`, its first letter's case, whether it has a digit.
        struct Open {
            from: usize,
            to: usize,
            capitalized: bool,
            numeric: bool,
        }
        fn flush<F: FnMut(Token<'_>)>(buf: &mut String, open: &mut Option<Open>, f: &mut F) {
            if let Some(o) = open.take() {
                f(Token {
                    text: buf,
                    start: o.from,
                    end: o.to,
                    capitalized: o.capitalized,
                    numeric: o.numeric,
                });
                buf.clear();
            }
        }
        let src = &text[start..end];
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let mut open: Option<Open> = None;
        // One character of the decomposition of the one at `from..to`.
        let mut take = |d: char, from: usize, to: usize| {
            if !d.is_ascii() && (is_combining_mark(d) || is_ignorable(d)) {
                return;
            }
            let d = fold_char(d);
            if is_alnum(d) {
                if is_unspaced(d) {
                    flush(&mut buf, &mut open, f);
                    let mut one = [0u8; 4];
                    f(Token {
                        text: d.encode_utf8(&mut one),
                        start: from,
                        end: to,
                        capitalized: false,
                        numeric: false,
                    });
                    return;
                }
                let o = open.get_or_insert(Open {
                    from,
                    to,
                    capitalized: d.is_uppercase(),
                    numeric: false,
                });
                o.to = to;
                o.numeric |= d.is_numeric();
                if d.is_ascii() {
                    // Most characters of a run of accented words: no case table, no iterator.
                    buf.push(d.to_ascii_lowercase());
                } else {
                    buf.extend(d.to_lowercase());
                }
            } else if d != '\'' {
                flush(&mut buf, &mut open, f);
            }
        };
        for (i, c) in src.char_indices() {
            let (from, to) = (start + i, start + i + c.len_utf8());
            if c.is_ascii() {
                // Its own decomposition, and no mark: most characters of a run of accented words.
                take(c, from, to);
            } else {
                decompose_compatible(c, |d| take(d, from, to));
            }
        }
        flush(&mut buf, &mut open, f);
        self.buf = buf;
    }
}

/// `c.is_alphanumeric()`, answered without a table lookup for ASCII and for the two blocks of
/// Chinese characters that carry nearly all of a Chinese text (U+3400-U+4DBF and U+4E00-U+9FFF,
/// every one of them a letter); a test checks both blocks against the standard library.
#[inline]
pub(crate) fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF) || c.is_alphanumeric()
    }
}

/// True for a letter of a script written without spaces between words: Han ideographs (with
/// their extensions and compatibility forms), hiragana and katakana. Each is a token by itself,
/// so word n-grams over such text are character n-grams, as is usual for Chinese and Japanese.
/// (Hangul is written with spaces; Thai, Lao, Khmer and Burmese, also unspaced, need a
/// dictionary to find words and are left as runs.)
///
/// # Examples
///
/// ```
/// use wirecopy::normalize::is_unspaced;
/// assert!(is_unspaced('新') && is_unspaced('の') && is_unspaced('カ'));
/// assert!(!is_unspaced('a') && !is_unspaced('한') && !is_unspaced('é'));
/// ```
pub fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x31F0..=0x31FF    // katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x323AF  // CJK extensions B to H, compatibility supplement
    )
}

/// True for Unicode's default-ignorable code points (the `Default_Ignorable_Code_Point`
/// property): characters that show nothing, such as the soft hyphen (U+00AD), zero-width spaces
/// and joiners (U+200B-U+200D), direction marks, variation selectors and the byte-order mark
/// (U+FEFF). The tokenizer skips them, as Unicode's `NFKC_Casefold` mapping removes them: a word
/// with a hyphenation hint or a zero-width space in it is the same word.
///
/// # Examples
///
/// ```
/// use wirecopy::normalize::{is_ignorable, normalize};
/// assert!(is_ignorable('\u{AD}') && is_ignorable('\u{200B}') && !is_ignorable('a'));
/// assert_eq!(normalize("news\u{AD}paper zero\u{200B}width"), "newspaper zerowidth");
/// ```
#[inline]
pub fn is_ignorable(c: char) -> bool {
    // Most characters are below the first (one comparison).
    if (c as u32) < 0xAD {
        return false;
    }
    matches!(c as u32,
        0x00AD
        | 0x034F
        | 0x061C
        | 0x115F..=0x1160
        | 0x17B4..=0x17B5
        | 0x180B..=0x180F
        | 0x200B..=0x200F
        | 0x202A..=0x202E
        | 0x2060..=0x206F
        | 0x3164
        | 0xFE00..=0xFE0F
        | 0xFEFF
        | 0xFFA0
        | 0xFFF0..=0xFFF8
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF
    )
}

/// Whether byte `c` is an ASCII letter or digit, in plain arithmetic a loop over a block can
/// vectorize.
#[inline(always)]
pub(crate) fn alnum_byte(c: u8) -> bool {
    ((c | 0x20).wrapping_sub(b'a') < 26) | (c.wrapping_sub(b'0') < 10)
}

/// The bytes of `bytes` (each 0 or 1) as a bit mask: bit i is byte i.
#[inline(always)]
pub(crate) fn pack_bits(bytes: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (w, chunk) in bytes.chunks_exact(8).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // Bit 0 of byte j lands on bit 56 + j.
        mask |= (u64::from_le_bytes(word).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * w);
    }
    mask
}

/// The 64-byte block of `bytes` at `base` (below `bytes.len()`); the last, shorter one is copied
/// into `pad` and padded with NUL, a separator (`pad` must be all NUL before that copy).
#[inline(always)]
pub(crate) fn block_at<'a>(bytes: &'a [u8], base: usize, pad: &'a mut [u8; 64]) -> &'a [u8; 64] {
    match bytes.get(base..base + 64).and_then(|b| b.try_into().ok()) {
        Some(block) => block,
        None => {
            let rest = bytes.get(base..).unwrap_or_default();
            pad[..rest.len()].copy_from_slice(rest);
            pad
        }
    }
}

/// Bit masks of a 64-byte block (bit i for byte i): token bytes (ASCII letters and digits,
/// apostrophes, non-ASCII bytes), and whether any byte is rare (an apostrophe or non-ASCII).
///
/// Written as a byte loop that the compiler vectorizes (SSE2 compares), then packed 8 bytes at a
/// time by one multiplication.
#[inline(always)]
fn classify(block: &[u8; 64]) -> (u64, bool) {
    let mut class = [0u8; 64];
    let mut any_rare = 0u8;
    for (c, &b) in class.iter_mut().zip(block) {
        let rare = (b >= 0x80) | (b == b'\'');
        *c = u8::from(alnum_byte(b) | rare);
        any_rare |= u8::from(rare);
    }
    (pack_bits(&class), any_rare != 0)
}

/// Bytes of text per chunk of [`Tokenizer::scan_avx512`]: its edge positions are `u16` offsets
/// in the chunk, [`DIRTY`] above them.
#[cfg(target_arch = "x86_64")]
const CHUNK: usize = 2048;

/// The mark of a run end whose run holds an apostrophe or a non-ASCII byte.
#[cfg(target_arch = "x86_64")]
const DIRTY: u16 = 0x8000;

/// The short tokens of `pairs` (a chunk's (start, end) edge pairs, as
/// [`Tokenizer::scan_avx512`] lists them) queued in the batch `buf` as [`Deferred::short`] does,
/// from the first pair until one that is not a short token (a run over 16 bytes or a dirty one)
/// or until the batch holds [`FLUSH_AT`] tokens. Returns how many entries of `pairs` it used.
///
/// Out of line so that the loop has its own registers: nothing in it calls.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "bmi1,bmi2,lzcnt,popcnt")]
#[inline(never)]
fn queue_shorts(
    bytes: &[u8],
    pairs: &[u16],
    chunk: usize,
    buf: &mut [u64; BATCH],
    ends: &mut u64,
    n: &mut usize,
) -> usize {
    // No flush check in the loop: it stops after the tokens that fill the batch to FLUSH_AT.
    let room = FLUSH_AT.saturating_sub(*n);
    let pairs = pairs.get(..2 * room).unwrap_or(pairs);
    let (mut queue_ends, mut queued) = (*ends, *n);
    // Away from the end of the text, the chunk and the 16 bytes after it are one array, in which
    // every start (an offset below CHUNK) has its 16 bytes: no bounds check per token.
    let window = bytes
        .get(chunk..chunk + CHUNK + 16)
        .and_then(|w| <&[u8; CHUNK + 16]>::try_from(w).ok());
    let used = match window {
        Some(window) => {
            let load = |start: usize| {
                let start = start % CHUNK;
                let w = |at: usize| {
                    let mut word = [0u8; 8];
                    word.copy_from_slice(&window[start + at..start + at + 8]);
                    u64::from_le_bytes(word)
                };
                (w(0), w(8))
            };
            queue_pairs(pairs, buf, &mut queue_ends, &mut queued, load)
        }
        None => {
            let load = |start: usize| words_at(bytes, chunk + start);
            queue_pairs(pairs, buf, &mut queue_ends, &mut queued, load)
        }
    };
    (*ends, *n) = (queue_ends, queued);
    used
}

/// The loop of [`queue_shorts`]: queues the pairs up to the first that is not a short token, each
/// with the 16 bytes `load` gives for its start (an offset in the chunk). Returns how many
/// entries of `pairs` it used.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn queue_pairs(
    pairs: &[u16],
    buf: &mut [u64; BATCH],
    ends: &mut u64,
    n: &mut usize,
    load: impl Fn(usize) -> (u64, u64),
) -> usize {
    let mut used = 0;
    for pair in pairs.chunks_exact(2) {
        let len = pair[1].wrapping_sub(pair[0]);
        if len > 16 {
            break;
        }
        let (lo, hi) = load(usize::from(pair[0]));
        queue_words(buf, ends, n, lo, hi, usize::from(len));
        used += 2;
    }
    used
}

/// Whether this CPU runs [`Tokenizer::scan_avx512`]: the AVX-512 of [`has_avx512`], VBMI2's byte
/// compress, and the BMI bit instructions.
#[cfg(target_arch = "x86_64")]
#[inline]
fn has_avx512_scan() -> bool {
    has_avx512()
        && std::arch::is_x86_feature_detected!("avx512vbmi2")
        && std::arch::is_x86_feature_detected!("bmi1")
        && std::arch::is_x86_feature_detected!("bmi2")
        && std::arch::is_x86_feature_detected!("lzcnt")
        && std::arch::is_x86_feature_detected!("popcnt")
}

/// [`classify`] with AVX-512BW, 64-byte compares into 64-bit masks: the token bytes (ASCII
/// letters and digits, apostrophes, non-ASCII bytes) and the rare ones among them (apostrophes
/// and non-ASCII bytes).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
#[inline]
fn classify_avx512(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{
        _mm512_cmpeq_epi8_mask, _mm512_cmplt_epu8_mask, _mm512_loadu_si512, _mm512_movepi8_mask,
        _mm512_or_si512, _mm512_set1_epi8, _mm512_sub_epi8,
    };
    // SAFETY: `block` is 64 readable bytes, what the unaligned load reads.
    #[allow(unsafe_code)]
    let v = unsafe { _mm512_loadu_si512(block.as_ptr().cast()) };
    let letters = _mm512_sub_epi8(
        _mm512_or_si512(v, _mm512_set1_epi8(0x20)),
        _mm512_set1_epi8(b'a' as i8),
    );
    let alpha = _mm512_cmplt_epu8_mask(letters, _mm512_set1_epi8(26));
    let digit = _mm512_cmplt_epu8_mask(
        _mm512_sub_epi8(v, _mm512_set1_epi8(b'0' as i8)),
        _mm512_set1_epi8(10),
    );
    let rare = _mm512_movepi8_mask(v) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\'' as i8));
    (alpha | digit | rare, rare)
}

/// The byte positions 0 to 63, as the little-endian words of a 64-byte vector.
#[cfg(target_arch = "x86_64")]
const fn positions(word: i64) -> i64 {
    let mut v = 0i64;
    let mut i = 0;
    while i < 8 {
        v |= (word * 8 + i) << (8 * i);
        i += 1;
    }
    v
}

/// Writes the positions of the set bits of `edge` (a block's token edges), plus `offset` (the
/// block's place in its chunk) and [`DIRTY`] where `dirty` has the bit, to `edges[k..]`: 64
/// entries are written whatever the count, the first `edge.count_ones()` of them the positions.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi2,bmi2")]
#[inline]
fn store_edges(edges: &mut [u16; CHUNK + 64], k: usize, edge: u64, dirty: u64, offset: u16) {
    use std::arch::x86_64::{
        _mm512_add_epi16, _mm512_castsi512_si256, _mm512_cvtepu8_epi16, _mm512_extracti64x4_epi64,
        _mm512_mask_blend_epi16, _mm512_maskz_compress_epi8, _mm512_set1_epi16, _mm512_set_epi64,
        _mm512_storeu_si512, _pext_u64,
    };
    let index = _mm512_set_epi64(
        positions(7),
        positions(6),
        positions(5),
        positions(4),
        positions(3),
        positions(2),
        positions(1),
        positions(0),
    );
    let packed = _mm512_maskz_compress_epi8(edge, index);
    // The dirty marks in the same order as the positions.
    let marks = _pext_u64(dirty, edge);
    let plain = _mm512_set1_epi16(offset as i16);
    let marked = _mm512_set1_epi16((offset | DIRTY) as i16);
    let low = _mm512_add_epi16(
        _mm512_cvtepu8_epi16(_mm512_castsi512_si256(packed)),
        _mm512_mask_blend_epi16(marks as u32, plain, marked),
    );
    let high = _mm512_add_epi16(
        _mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64::<1>(packed)),
        _mm512_mask_blend_epi16((marks >> 32) as u32, plain, marked),
    );
    let (first, second) = edges[k..k + 64].split_at_mut(32);
    // SAFETY: `first` and `second` are 32 writable `u16` each, the 64 bytes each store writes.
    #[allow(unsafe_code)]
    unsafe {
        _mm512_storeu_si512(first.as_mut_ptr().cast(), low);
        _mm512_storeu_si512(second.as_mut_ptr().cast(), high);
    }
}

const BYTES_20: u64 = 0x2020_2020_2020_2020;
const BYTES_40: u64 = 0x4040_4040_4040_4040;
const BYTES_80: u64 = 0x8080_8080_8080_8080;
const BYTES_7F: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const BYTES_27: u64 = 0x2727_2727_2727_2727;

/// For a token of `len` bytes (0 to 16) loaded as two little-endian words: the masks keeping its
/// bytes.
static KEEP: [[u64; 2]; 17] = {
    let mut t = [[0u64; 2]; 17];
    let mut len = 1;
    while len <= 16 {
        t[len] = if len < 8 {
            [(1 << (8 * len)) - 1, 0]
        } else if len == 8 {
            [u64::MAX, 0]
        } else if len < 16 {
            [u64::MAX, (1 << (8 * (len - 8))) - 1]
        } else {
            [u64::MAX, u64::MAX]
        };
        len += 1;
    }
    t
};

/// The little-endian word at `at` in `bytes`.
#[inline(always)]
fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

/// The first 16 bytes of `tail` (fewer than 16 at the end of a text), zero-padded, as two words.
#[cold]
#[inline(never)]
fn tail_words(tail: &[u8]) -> (u64, u64) {
    let mut word = [0u8; 16];
    let n = tail.len().min(16);
    word[..n].copy_from_slice(&tail[..n]);
    (u64_at(&word, 0), u64_at(&word, 8))
}

/// True when `v` (token bytes, zeros after them) holds a non-ASCII byte or an apostrophe.
#[inline(always)]
fn has_rare(v: u64) -> bool {
    let t = v ^ BYTES_27; // zero exactly where v has an apostrophe (the zero padding becomes 0x27)
    let nonzero = ((t & BYTES_7F) + BYTES_7F) | t;
    (v | !nonzero) & BYTES_80 != 0
}

/// The first 64 bytes of xxh3's default secret, as little-endian words.
const SECRET: [u64; 8] = [
    0xbe4b_a423_396c_feb8,
    0x1cad_21f7_2c81_017c,
    0xdb97_9083_e96d_d4de,
    0x1f67_b3b7_a4a4_4072,
    0x78e5_c0cc_4ee6_79cb,
    0x2172_ffcc_7dd0_5a82,
    0x8e24_43f7_7446_08b8,
    0x4c26_3a81_e690_35e0,
];

/// `xxh3_64` (seed 0) of the `len` bytes (1 to 16) held little-endian in `lo` then `hi`, zeros
/// after them: the same value as `xxhash_rust::xxh3::xxh3_64`, computed from registers instead of
/// memory.
#[inline(always)]
fn xxh3_short(lo: u64, hi: u64, len: usize) -> u64 {
    if len > 8 {
        xxh3_9to16(lo, hi, len)
    } else if len >= 4 {
        xxh3_4to8(lo, len)
    } else {
        xxh3_1to3(lo, len)
    }
}

/// [`xxh3_short`] for 9 to 16 bytes.
#[inline(always)]
fn xxh3_9to16(lo: u64, hi: u64, len: usize) -> u64 {
    xxh3_9to16_with::<false>(lo, hi, len)
}

/// The high and low halves of the 128-bit product `a * b`, xored: with `WIDE`, from four 32-bit
/// products (what SIMD units multiply), else from one 128-bit product.
#[inline(always)]
fn fold_product<const WIDE: bool>(a: u64, b: u64) -> u64 {
    if WIDE {
        const LOW: u64 = 0xffff_ffff;
        let (a0, a1, b0, b1) = (a & LOW, a >> 32, b & LOW, b >> 32);
        let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
        let mid = (p00 >> 32) + (p01 & LOW) + (p10 & LOW);
        let low = (p00 & LOW) | (mid << 32);
        let high = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
        low ^ high
    } else {
        let p = u128::from(a) * u128::from(b);
        p as u64 ^ (p >> 64) as u64
    }
}

/// [`xxh3_9to16`], its 128-bit product computed as [`fold_product`] does.
#[inline(always)]
fn xxh3_9to16_with<const WIDE: bool>(lo: u64, hi: u64, len: usize) -> u64 {
    // The last 8 bytes: a funnel shift by 8 * (len - 8), in 8..=64.
    let s = 8 * (len as u32).wrapping_sub(8);
    let last = (lo.wrapping_shr(s.wrapping_sub(1)) >> 1) | hi.wrapping_shl(64u32.wrapping_sub(s));
    let input_lo = lo ^ SECRET[3] ^ SECRET[4];
    let input_hi = last ^ SECRET[5] ^ SECRET[6];
    let acc = (len as u64)
        .wrapping_add(input_lo.swap_bytes())
        .wrapping_add(input_hi)
        .wrapping_add(fold_product::<WIDE>(input_lo, input_hi));
    let acc = acc ^ (acc >> 37);
    let acc = acc.wrapping_mul(0x1656_6791_9E37_79F9);
    acc ^ (acc >> 32)
}

/// [`xxh3_short`] for 4 to 8 bytes.
#[inline(always)]
fn xxh3_4to8(lo: u64, len: usize) -> u64 {
    let input1 = lo as u32;
    let input2 = lo.wrapping_shr(8 * (len as u32).wrapping_sub(4)) as u32;
    let input64 = u64::from(input2).wrapping_add(u64::from(input1) << 32);
    let mut h = input64 ^ SECRET[1] ^ SECRET[2];
    h ^= h.rotate_left(49) ^ h.rotate_left(24);
    h = h.wrapping_mul(0x9FB2_1C65_1E98_DF25);
    h ^= (h >> 35).wrapping_add(len as u64);
    h = h.wrapping_mul(0x9FB2_1C65_1E98_DF25);
    h ^ (h >> 28)
}

/// [`xxh3_short`] for 1 to 3 bytes.
#[inline(always)]
fn xxh3_1to3(lo: u64, len: usize) -> u64 {
    let n = len as u32;
    let c1 = lo as u8;
    let c2 = lo.wrapping_shr(8 * (n >> 1)) as u8;
    let c3 = lo.wrapping_shr(8 * n.wrapping_sub(1)) as u8;
    let combo = u32::from(c1) << 16 | u32::from(c2) << 24 | u32::from(c3) | n << 8;
    let flip = u64::from(SECRET[0] as u32 ^ (SECRET[0] >> 32) as u32);
    let mut h = u64::from(combo) ^ flip;
    h ^= h >> 33;
    h = h.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    h ^= h >> 29;
    h = h.wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        Tokenizer::new().for_each(s, |t| v.push(t.text.to_string()));
        v
    }

    /// `n` of `pieces` drawn by a seeded sequence that `state` carries on, joined.
    fn seeded_text(pieces: &[&str], n: usize, state: &mut u64) -> String {
        (0..n)
            .map(|_| {
                *state = crate::shingle::fmix64(state.wrapping_add(0x9E37));
                pieces[(*state % pieces.len() as u64) as usize]
            })
            .collect()
    }

    #[test]
    fn block_tags_become_line_breaks_at_the_same_length() {
        let mut out = String::new();
        let pieces = [
            "<p>",
            "</P>",
            "<br/>",
            "<BR >",
            "<div class=\"a b\">",
            "<li>",
            "</h2>",
            "<span>",
            "<b>",
            "<brand>",
            "<p",
            "< p>",
            "<p\n>",
            "a < b",
            "caf\u{e9} ",
            "\u{201C}x\u{201D}",
            "word ",
            "\n",
            "&amp;",
            "<",
        ];
        let mut state = 1u64;
        for _ in 0..500 {
            let text = seeded_text(&pieces, 12, &mut state);
            if break_block_tags_into(&text, &mut out) {
                assert_eq!(out.len(), text.len(), "{text:?}");
                assert!(out.char_indices().all(|(i, _)| text.is_char_boundary(i)));
                // Only block tags went, and each became a line break and spaces.
                assert!(!out.contains("<p>") && !out.contains("<br/>") && !out.contains("<li>"));
                for kept in ["<span>", "<b>", "<brand>", "a < b", "< p>"] {
                    assert_eq!(
                        out.matches(kept).count(),
                        text.matches(kept).count(),
                        "{text:?}"
                    );
                }
            } else {
                assert!(!text.contains("<p>") && !text.contains("</P>") && !text.contains("<li>"));
            }
        }
    }

    /// Inline tags are hidden and block tags read as line breaks, at the same length, and the text
    /// tokenizes as the same text with its inline tags deleted (a tag inside a word joins it) and
    /// block tags replaced by line breaks; near-tags, tags across a line break and text stay.
    #[test]
    fn inline_tags_are_hidden_at_the_same_length() {
        let mut out = String::new();
        let inline = [
            "<a href=\"https://example.com/a/b?c=1&amp;d=2\">",
            "</a>",
            "<span style=\"font-weight: bold\">",
            "</SPAN>",
            "<b>",
            "</b>",
            "<img src=\"x.jpg\" alt=\"a photo\"/>",
            "<em>",
        ];
        let others = [
            "<p>",
            "<br/>",
            "<brand>",
            "<a\nhref=\"x\">",
            "< b>",
            "a < b",
            "x>y ",
            "Wil",
            "kinson ",
            "caf\u{e9} ",
            "don\u{2019}t ",
            "word ",
            "\n",
            "<",
        ];
        let pieces = [&inline[..], &others[..]].concat();
        let mut state = 3u64;
        for _ in 0..1000 {
            let text = seeded_text(&pieces, 14, &mut state);
            let mut want = text.clone();
            for tag in inline {
                want = want.replace(tag, "");
            }
            let want = want.replace("<p>", "\n").replace("<br/>", "\n");
            let read = if read_tags_into(&text, &mut out) {
                assert_eq!(out.len(), text.len(), "{text:?}");
                assert!(out.char_indices().all(|(i, _)| text.is_char_boundary(i)));
                out.as_str()
            } else {
                assert_eq!(want, text, "{text:?}");
                text.as_str()
            };
            assert_eq!(toks(read), toks(&want), "{text:?}");
            for kept in ["<brand>", "< b>", "a < b", "<a\nhref"] {
                assert_eq!(read.matches(kept).count(), text.matches(kept).count());
            }
            // Lines: one more for each block tag, none for an inline one.
            assert_eq!(
                read.matches('\n').count(),
                want.matches('\n').count(),
                "{text:?}"
            );
        }
    }

    /// Web addresses become spaces and nothing else changes: seeded strings of addresses (each
    /// after a space or an opening bracket, each ended by a space, a full stop, a bracket or a
    /// line break), near-addresses and text, against the same strings with the addresses' bytes
    /// written as spaces.
    #[test]
    fn web_addresses_are_hidden_and_nothing_else() {
        let urls = [
            "https://example.com/a/b?c=1&amp;d=2",
            "http://x.org",
            "www.site.example/path/to/story-page.html",
            "HTTPS://EXAMPLE.COM/A_(B)/c",
            "https://www.example.org/caf%C3%A9",
        ];
        let before = [" ", "(", "[link](", "\n", "\u{201C}"];
        let after = [
            " ",
            ". ",
            ")",
            "]",
            "\n",
            ", ",
            "\u{201D}",
            "\u{A0}",
            "\u{e9}t\u{e9}",
        ];
        let text_pieces = [
            "\u{e9}t\u{e9} ",
            "an http header ",
            "awww.",
            "www ",
            "xhttp://no.example ",
            "mailto:x ",
            "e.g. ",
            "10:30 ",
            "http: ",
            "caf\u{e9} ",
            "word",
            "(",
            ")",
        ];
        let mut out = String::new();
        let mut state = 9u64;
        let mut next = |n: usize| {
            state = crate::shingle::fmix64(state.wrapping_add(0x9E37));
            (state % n as u64) as usize
        };
        for _ in 0..1000 {
            let (mut text, mut want) = (String::new(), String::new());
            for _ in 0..10 {
                if next(3) == 0 {
                    let url = urls[next(urls.len())];
                    let (b, a) = (before[next(before.len())], after[next(after.len())]);
                    text.push_str(&format!("{b}{url}{a}"));
                    want.push_str(&format!("{b}{}{a}", " ".repeat(url.len())));
                } else {
                    let piece = text_pieces[next(text_pieces.len())];
                    text.push_str(piece);
                    want.push_str(piece);
                }
            }
            if hide_urls_into(&text, &mut out) {
                assert_eq!(out, want, "{text:?}");
            } else {
                assert_eq!(text, want, "{text:?}");
            }
        }
    }

    #[test]
    fn ascii_and_unicode_agree() {
        assert_eq!(toks("Iran's leader"), toks("Iran’s leader"));
        assert_eq!(toks("\"quoted\" -- text"), toks("“quoted” — text"));
        assert_eq!(toks("ﬁle ＦＩＬＥ"), vec!["file", "file"]);
    }

    #[test]
    fn composed_and_decomposed_agree() {
        assert_eq!(toks("café"), toks("cafe\u{301}"));
        assert_eq!(toks("Zürich"), vec!["zurich"]);
    }

    #[test]
    fn spans_point_into_original() {
        let s = "Hello, “World” 42";
        let mut spans = Vec::new();
        Tokenizer::new().for_each(s, |t| spans.push((&s[t.start..t.end], t.numeric)));
        assert_eq!(spans[0], ("Hello", false));
        assert_eq!(spans[1], ("World", false));
        assert_eq!(spans[2], ("42", true));
        // Every token of a run with non-ASCII characters has its own span, accents and
        // apostrophes inside it included.
        let s = "«Café—don’t» naïve";
        let mut spans = Vec::new();
        Tokenizer::new().for_each(s, |t| spans.push((t.text.to_string(), &s[t.start..t.end])));
        let want = [("cafe", "Café"), ("dont", "don’t"), ("naive", "naïve")];
        assert_eq!(spans, want.map(|(a, b)| (a.to_string(), b)));
    }

    /// The tokens of `text` by the definition: NFKD of the whole text, marks dropped, quotes and
    /// dashes folded, runs of letters and digits (apostrophes dropped inside), unspaced letters
    /// alone; each with its first letter's case and whether it has a digit.
    fn oracle(text: &str) -> Vec<(String, bool, bool)> {
        use unicode_normalization::UnicodeNormalization;
        let mut out = Vec::new();
        let mut cur: Option<(String, bool, bool)> = None;
        for d in text
            .nfkd()
            .filter(|c| !is_combining_mark(*c) && !is_ignorable(*c))
            .map(fold_char)
        {
            if d.is_alphanumeric() && is_unspaced(d) {
                out.extend(cur.take());
                out.push((d.to_string(), false, false));
            } else if d.is_alphanumeric() {
                let t = cur.get_or_insert((String::new(), d.is_uppercase(), false));
                t.0.extend(d.to_lowercase());
                t.2 |= d.is_numeric();
            } else if d != '\'' {
                out.extend(cur.take());
            }
        }
        out.extend(cur);
        out
    }

    #[test]
    fn latin_letters_tokenize_as_their_decomposition_does() {
        // Every character from U+0080 to U+024F (the accented letters of European news, and
        // the signs, fractions and superscripts beside them), alone, inside a word, capitalised,
        // after an apostrophe and next to a digit: decomposed one character at a time, the same
        // tokens as the whole text's decomposition gives.
        for code in 0x80..0x250u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            for text in [
                format!("{c}"),
                format!("ab{c}cd"),
                format!("X{c} y"),
                format!("l'{c}té 2{c}"),
                format!("{c}{c}’s—{c}"),
            ] {
                let mut got = Vec::new();
                Tokenizer::new().for_each(&text, |t| {
                    got.push((t.text.to_string(), t.capitalized, t.numeric))
                });
                assert_eq!(got, oracle(&text), "U+{code:04X} in {text:?}");
                let mut hashes = Vec::new();
                Tokenizer::new().for_each_hash(&text, |h, _| hashes.push(h));
                let want: Vec<u64> = got.iter().map(|t| xxh3_64(t.0.as_bytes())).collect();
                assert_eq!(hashes, want, "U+{code:04X} in {text:?}");
            }
        }
    }

    #[test]
    fn ignorable_characters_inside_a_word_leave_the_word() {
        // Every default-ignorable code point, inside a word, between words and at a text's
        // ends: the same tokens as without it, with the word's span over it.
        let ranges = [
            0xAD..=0xAD,
            0x34F..=0x34F,
            0x61C..=0x61C,
            0x115F..=0x1160,
            0x17B4..=0x17B5,
            0x180B..=0x180F,
            0x200B..=0x200F,
            0x202A..=0x202E,
            0x2060..=0x206F,
            0x3164..=0x3164,
            0xFE00..=0xFE0F,
            0xFEFF..=0xFEFF,
            0xFFA0..=0xFFA0,
            0xFFF0..=0xFFF8,
            0x1BCA0..=0x1BCA3,
            0x1D173..=0x1D17A,
            0xE0000..=0xE0FFF,
        ];
        let tokens = |text: &str| {
            let mut v = Vec::new();
            Tokenizer::new().for_each(text, |t| v.push((t.text.to_string(), t.start, t.end)));
            v
        };
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            assert!(is_ignorable(c), "U+{:04X}", c as u32);
            let n = c.len_utf8();
            let inside = tokens(&format!("news{c}paper x"));
            assert_eq!(
                inside,
                [("newspaper".into(), 0, 9 + n), ("x".into(), 10 + n, 11 + n)]
            );
            assert_eq!(
                normalize(&format!("{c}Café {c} l{c}'été{c}")),
                "cafe l'ete".replace('\'', "")
            );
        }
        // Neighbours that are not: a hyphen still splits, a letter still joins.
        assert!(!is_ignorable('-') && !is_ignorable('\u{2010}') && !is_ignorable('\u{1161}'));
        assert_eq!(normalize("news\u{2010}paper"), "news paper");
    }

    #[test]
    fn is_alnum_is_the_standard_librarys_answer() {
        for c in (0..0x80u32).chain(0x3400..0x4DC0).chain(0x4E00..0xA000) {
            let c = char::from_u32(c).unwrap_or('\0');
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "U+{:04X}", c as u32);
        }
        assert!(is_alnum('é') && is_alnum('ß') && is_alnum('東') && !is_alnum('，'));
    }

    #[test]
    fn unspaced_scripts_are_one_token_a_character() {
        // Chinese and Japanese are written without spaces: each ideograph, hiragana and katakana
        // character is a token, so word n-grams are character n-grams; other letters keep
        // making words, digits too.
        assert_eq!(
            toks("新华社报道：iPhone销量增长5.3%。"),
            ["新", "华", "社", "报", "道", "iphone", "销", "量", "增", "长", "5", "3"]
        );
        assert_eq!(
            toks("東京のニュース"),
            ["東", "京", "の", "ニ", "ュ", "ー", "ス"]
        );
        // Half-width katakana fold to the full-width characters.
        assert_eq!(toks("ﾆｭｰｽ"), toks("ニュース"));
        assert_eq!(toks("서울 뉴스").len(), 2, "Hangul words stay words");
        let s = "A新b";
        let mut spans = Vec::new();
        Tokenizer::new().for_each(s, |t| spans.push(&s[t.start..t.end]));
        assert_eq!(spans, ["A", "新", "b"]);
        let mut hashes = Vec::new();
        Tokenizer::new().for_each_hash(s, |h, _| hashes.push(h));
        assert_eq!(hashes[1], xxh3_64("新".as_bytes()));
    }

    /// A seeded stream of texts mixing ASCII words, capitals, digits, apostrophes, punctuation,
    /// long tokens and non-ASCII letters, quotes and ligatures.
    fn mixed_texts() -> Vec<String> {
        let pieces = [
            "word",
            "Word",
            "WORD",
            "don't",
            "'quoted'",
            "2024",
            "a1b2",
            " ",
            "  ",
            ", ",
            ".",
            "\n\n",
            "café",
            "Zürich",
            "Iran’s",
            "“x”",
            "ﬁle",
            "ＡＢＣ",
            "—",
            "naïve",
            "ß",
            "Ǆ",
            "\u{301}",
            "x",
            "supercalifragilisticexpialidocious",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "'''",
            "\u{0}",
            "٣٤",
            "a'b'c",
            "-",
            "\t",
            "Don'T'S",
            "ÀÉ",
            "\u{7f}",
            "@[`{",
            "新华社",
            "の",
            "ﾆｭｰｽ",
            "，",
            "서울",
        ];
        let mut state = 99u64;
        let mut texts = vec![String::new(), "a".into(), "A".into(), "'".into()];
        for len in 0..400 {
            let mut t = String::new();
            for _ in 0..len % 97 {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let r = crate::shingle::fmix64(state);
                t.push_str(pieces[(r % pieces.len() as u64) as usize]);
                if r >> 60 < 9 {
                    t.push(' ');
                }
            }
            texts.push(t);
        }
        texts
    }

    #[test]
    fn hashes_match_tokens() {
        for text in mixed_texts() {
            let mut want = Vec::new();
            Tokenizer::new().for_each(&text, |t| {
                want.push((xxh3_64(t.text.as_bytes()), t.numeric))
            });
            let mut got = Vec::new();
            Tokenizer::new().for_each_hash(&text, |h, num| got.push((h, num)));
            assert_eq!(got, want, "{text:?}");
        }
    }

    /// `flagged_hashes_into` against `for_each_hash`, on texts long enough to flush its queues
    /// several times.
    #[test]
    fn flagged_hashes_match_for_each_hash() {
        let texts = mixed_texts();
        let mut all = texts.clone();
        all.push(texts.concat());
        all.push(texts.join(" ").repeat(3));
        let mut tokenizer = Tokenizer::new();
        let mut got = Vec::new();
        for text in &all {
            let mut want = Vec::new();
            Tokenizer::new().for_each_hash(text, |h, num| want.push((h & !1) | u64::from(num)));
            tokenizer.flagged_hashes_into(text, &mut got);
            assert_eq!(got, want, "{text:?}");
            // Appending after other values, as feature extraction does line by line.
            let mut appended = vec![1, 2, 3];
            tokenizer.append_flagged_hashes(text, &mut appended);
            assert_eq!(appended[..3], [1, 2, 3]);
            assert_eq!(appended[3..], want[..], "{text:?}");
        }
    }

    /// The 128-bit product from 32-bit halves (the vectorized path's) equals the native one.
    #[test]
    fn fold_product_wide_matches_u128() {
        let mut state = 3u64;
        let edges = [
            0,
            1,
            u64::MAX,
            u64::MAX - 1,
            1 << 32,
            (1 << 32) - 1,
            1 << 63,
        ];
        for &a in &edges {
            for &b in &edges {
                assert_eq!(fold_product::<true>(a, b), fold_product::<false>(a, b));
            }
        }
        for _ in 0..100_000 {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let (a, b) = (
                crate::shingle::fmix64(state),
                crate::shingle::fmix64(!state),
            );
            assert_eq!(fold_product::<true>(a, b), fold_product::<false>(a, b));
        }
    }

    /// Both builds of the queue hashing (whichever `hash_queues` picks on this CPU, and the
    /// portable one) agree with xxh3 token by token.
    #[test]
    fn queue_hashing_builds_agree() {
        let text = mixed_texts().concat();
        let mut want = Vec::new();
        Tokenizer::new().for_each_hash(&text, |h, num| want.push((h & !1) | u64::from(num)));
        let mut got = Vec::new();
        Tokenizer::new().flagged_hashes_into(&text, &mut got);
        assert_eq!(got, want);
        // The portable body with the wide product, on every length of short token.
        let bytes: Vec<u8> = (0..64u8)
            .map(|i| b"aB3xYz90qRsT5uVw"[usize::from(i % 16)])
            .collect();
        let (mut queues, mut lo, mut hi) = ([0u64; 48], [0u64; 48], [0u64; 48]);
        let mut ends = [0, 16, 32];
        for (i, len) in (1..=16usize).enumerate() {
            let class = usize::from(len >= 4) + usize::from(len > 8);
            let at = ends[class];
            queues[at] = (i as u64) << 8 | len as u64;
            (lo[at], hi[at]) = words_at(&bytes, i);
            ends[class] += 1;
        }
        let ranges = || [0..ends[0], 16..ends[1], 32..ends[2]];
        let (mut narrow, mut wide) = ([0u64; PENDING], [0u64; PENDING]);
        hash_queues_in::<false>(&queues, &lo, &hi, ranges(), &mut narrow);
        hash_queues_in::<true>(&queues, &lo, &hi, ranges(), &mut wide);
        assert_eq!(narrow, wide);
        for (i, len) in (1..=16usize).enumerate() {
            let token = bytes[i..i + len].to_ascii_lowercase();
            let digit = token.iter().any(u8::is_ascii_digit);
            assert_eq!(
                narrow[i],
                (xxh3_64(&token) & !1) | u64::from(digit),
                "{len}"
            );
        }
    }

    /// The flagged hashes of `text` from the scan [`Tokenizer::fill`] picks on this CPU (the
    /// AVX-512 one on CPUs with it) and from the portable one.
    fn fill_both(text: &str) -> (Vec<u64>, Vec<u64>) {
        let mut t = Tokenizer::new();
        let mut buf = vec![0u64; BATCH];
        let buf = buf.first_chunk_mut::<BATCH>().unwrap();
        let (mut picked, mut portable) = (vec![7], vec![7]);
        t.fill(text, buf, &mut picked);
        t.fill_with(text, buf, &mut portable);
        (picked, portable)
    }

    /// The AVX-512 scan (when this CPU has it) equals the portable one and xxh3 of the tokens on
    /// inputs that exercise its edges: 64-byte blocks and 2 KiB chunks, runs open across them
    /// (with and without rare bytes), runs longer than a chunk, non-ASCII bytes, apostrophes,
    /// digits, long tokens, empty and all-separator texts.
    #[test]
    fn avx512_scan_matches_portable() {
        const CHUNK_BYTES: usize = 2048; // CHUNK on x86-64
        #[cfg(target_arch = "x86_64")]
        if !has_avx512_scan() {
            eprintln!("this CPU has no AVX-512 VBMI2: only the portable scan is tested");
        }
        let mut texts: Vec<String> = vec![
            String::new(),
            " ".into(),
            " \n\t ,.;".repeat(700),
            "'".repeat(3000),
            "é".repeat(1500),
            "Don't".into(),
            "x".into(),
        ];
        let words = [
            "a",
            "Ab",
            "abc",
            "Abcd",
            "don't",
            "Iran’s",
            "café",
            "2024",
            "a1",
            "x9y8z7w6v5",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            "ﬁle",
            "ＡＢＣ",
            "naïve",
            "'",
            "''a''",
            "٣٤",
            "Zürich",
        ];
        for word in words {
            for run in [1, 15, 16, 17, 63, 64, 65, 2047, 2048, 2049, 5000] {
                texts.push(word.repeat(run.max(1) / word.len().max(1) + 1));
            }
            // The word placed across block and chunk boundaries.
            for lead in (0..70)
                .chain(CHUNK_BYTES - 20..CHUNK_BYTES + 5)
                .chain(2 * CHUNK_BYTES - 3..2 * CHUNK_BYTES + 3)
            {
                let mut t = " ".repeat(lead);
                t.push_str(word);
                texts.push(t.clone());
                t.push_str(" tail 42");
                texts.push(t);
            }
            // A run open across a chunk boundary, then ordinary words.
            let mut t = "w ".repeat(CHUNK_BYTES / 2 - 3);
            t.push_str(&word.repeat(20));
            t.push_str(&" word".repeat(500));
            texts.push(t);
        }
        let mixed = mixed_texts();
        texts.push(mixed.concat());
        texts.push(mixed.join(" "));
        texts.extend(mixed);
        for text in &texts {
            let (picked, portable) = fill_both(text);
            assert_eq!(picked, portable, "{text:?}");
            let mut want = vec![7];
            Tokenizer::new().for_each(text, |t| {
                want.push((xxh3_64(t.text.as_bytes()) & !1) | u64::from(t.numeric))
            });
            assert_eq!(picked, want, "{text:?}");
        }
    }

    #[test]
    fn xxh3_short_matches_xxh3() {
        let mut state = 7u64;
        for len in 1..=16usize {
            for _ in 0..20_000 {
                let mut a = [0u8; 16];
                for b in &mut a[..len] {
                    state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    *b = crate::shingle::fmix64(state) as u8;
                }
                let (lo, hi) = (u64_at(&a, 0), u64_at(&a, 8));
                assert_eq!(
                    xxh3_short(lo, hi, len),
                    xxh3_64(&a[..len]),
                    "{:?}",
                    &a[..len]
                );
            }
        }
    }

    #[test]
    fn hashes_match_at_block_edges() {
        let mut text = String::new();
        for i in 0..300 {
            text.extend("Ab1'x".chars().cycle().skip(i % 5).take((i * 7) % 23 + 1));
            text.push_str(if i % 11 == 0 { "é " } else { " " });
        }
        for cut in 0..text.len() {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let t = &text[cut..];
            let mut want = Vec::new();
            Tokenizer::new().for_each(t, |tok| {
                want.push((xxh3_64(tok.text.as_bytes()), tok.numeric))
            });
            let mut got = Vec::new();
            Tokenizer::new().for_each_hash(t, |h, num| got.push((h, num)));
            assert_eq!(got, want, "{t:?}");
            let mut flagged = Vec::new();
            Tokenizer::new().flagged_hashes_into(t, &mut flagged);
            let want: Vec<u64> = want.iter().map(|&(h, n)| (h & !1) | u64::from(n)).collect();
            assert_eq!(flagged, want, "{t:?}");
        }
    }

    #[test]
    fn no_panic_on_odd_input() {
        for s in [
            "",
            "'''",
            "\u{FFFD}\u{0}",
            "\u{301}",
            "a\u{301}\u{301}b",
            "’’’",
            "٣٤ ٥",
        ] {
            let _ = normalize(s);
        }
        assert_eq!(normalize("'''"), "");
    }
}
