//! Normalization: raw text to canonical lowercase tokens.
//!
//! The canonical form of a text is its sequence of *tokens*: maximal runs of letters and digits after
//! Unicode compatibility folding (NFKD: ligatures, full-width and compatibility forms), removal of
//! accents (combining marks: `café` → `cafe`), typographic quote and dash folding, and lowercasing. Apostrophes inside a word are dropped (`don't` → `dont`, `Iran’s` →
//! `irans`); every other non-alphanumeric character separates tokens.
//!
//! [`normalize`] renders that form as a string (tokens joined by single spaces). [`Tokenizer`] yields
//! the same tokens without building the string, with their byte spans in the original text: a
//! byte-level ASCII fast path handles runs of ASCII letters and digits, and only runs containing
//! non-ASCII characters go through NFKD.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
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
    run: String,
    long: Vec<u8>,
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
    /// This is the hot loop of shingling. Token boundaries are found 64 bytes at a time with
    /// branch-free SWAR classification (bit masks of token bytes, of bytes needing work, of digits);
    /// a token of lowercase ASCII letters and digits (most of them) is hashed in place, one with
    /// capitals or apostrophes is lowercased on the stack, and only runs with non-ASCII characters go
    /// through NFKD.
    ///
    /// # Complexity
    ///
    /// Linear in `text.len()`: a few word operations per 8 bytes, one xxh3 per token.
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
    pub fn for_each_hash<F>(&mut self, text: &str, mut f: F)
    where
        F: FnMut(u64, bool),
    {
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut in_tok = false;
        let (mut start, mut special, mut rare, mut digit) = (0usize, false, false, false);
        let mut base = 0usize;
        while base < n {
            let masks = if base + 64 <= n {
                block_masks(&bytes[base..base + 64])
            } else {
                let mut pad = [0u8; 64]; // NUL is a separator
                pad[..n - base].copy_from_slice(&bytes[base..]);
                block_masks(&pad)
            };
            let carry = u64::from(in_tok);
            let shifted = (masks.token << 1) | carry;
            let mut starts = masks.token & !shifted;
            let mut ends = !masks.token & shifted;
            let mut cur = 0u32; // first bit of the current token inside this block
            loop {
                if in_tok {
                    if ends == 0 {
                        let rest = !((1u64 << cur) - 1);
                        special |= masks.special & rest != 0;
                        rare |= masks.rare & rest != 0;
                        digit |= masks.digit & rest != 0;
                        break;
                    }
                    let e = ends.trailing_zeros();
                    ends &= ends - 1;
                    let range = ((1u64 << e) - 1) & !((1u64 << cur) - 1);
                    special |= masks.special & range != 0;
                    rare |= masks.rare & range != 0;
                    digit |= masks.digit & range != 0;
                    let end = base + e as usize;
                    self.emit_hash(text, start, end, special, rare, digit, &mut f);
                    in_tok = false;
                } else {
                    if starts == 0 {
                        break;
                    }
                    cur = starts.trailing_zeros();
                    starts &= starts - 1;
                    start = base + cur as usize;
                    (special, rare, digit) = (false, false, false);
                    in_tok = true;
                }
            }
            base += 64;
        }
        if in_tok {
            self.emit_hash(text, start, n, special, rare, digit, &mut f);
        }
    }

    /// One run `text[start..end]` of token bytes for [`Tokenizer::for_each_hash`]. `special`: it has
    /// capitals, apostrophes or non-ASCII bytes; `rare`: it has apostrophes or non-ASCII bytes.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn emit_hash<F: FnMut(u64, bool)>(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        special: bool,
        rare: bool,
        digit: bool,
        f: &mut F,
    ) {
        let run = &text.as_bytes()[start..end];
        if !special {
            f(xxh3_64(run), digit);
        } else if !rare && run.len() <= STACK_TOKEN {
            // Capitals only (a sentence start, an acronym): lowercase a copy on the stack.
            let mut stack = [0u8; STACK_TOKEN];
            stack[..run.len()].copy_from_slice(run);
            for chunk in stack.chunks_exact_mut(8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                let x = u64::from_le_bytes(word); // ASCII only here
                let lower = x | (in_range(x, b'A', b'Z') >> 2); // 0x80 >> 2 = 0x20
                chunk.copy_from_slice(&lower.to_le_bytes());
            }
            f(xxh3_64(&stack[..run.len()]), digit);
        } else {
            self.emit_special(text, start, end, digit, f);
        }
    }

    fn emit_special<F: FnMut(u64, bool)>(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        digit: bool,
        f: &mut F,
    ) {
        let run = &text.as_bytes()[start..end];
        if !run.is_ascii() {
            self.unicode_run(text, start, end, &mut |t: Token<'_>| {
                f(xxh3_64(t.text.as_bytes()), t.numeric)
            });
            return;
        }
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
            f(xxh3_64(&stack[..len]), digit);
        } else {
            self.long.clear();
            self.long.extend(
                run.iter()
                    .filter(|&&b| b != b'\'')
                    .map(u8::to_ascii_lowercase),
            );
            f(xxh3_64(&self.long), digit);
        }
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

    fn unicode_run<F: FnMut(Token<'_>)>(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        f: &mut F,
    ) {
        let src = &text[start..end];
        self.run.clear();
        self.run
            .extend(src.nfkd().filter(|c| !is_combining_mark(*c)).map(fold_char));
        self.buf.clear();
        let mut numeric = false;
        let mut capitalized = false;
        let mut at_start = true;
        let run = std::mem::take(&mut self.run);
        for c in run.chars() {
            if c.is_alphanumeric() {
                if at_start {
                    capitalized = c.is_uppercase();
                    at_start = false;
                }
                numeric |= c.is_numeric();
                self.buf.extend(c.to_lowercase());
            } else if c == '\'' {
                continue;
            } else if !self.buf.is_empty() {
                f(Token {
                    text: &self.buf,
                    start,
                    end,
                    capitalized,
                    numeric,
                });
                self.buf.clear();
                numeric = false;
                at_start = true;
            } else {
                at_start = true;
            }
        }
        if !self.buf.is_empty() {
            f(Token {
                text: &self.buf,
                start,
                end,
                capitalized,
                numeric,
            });
        }
        self.run = run;
    }
}

/// Bit masks over a 64-byte block (bit i for byte i): token bytes (ASCII letters, digits,
/// apostrophes, non-ASCII bytes), bytes that need more than hashing in place (capitals, apostrophes,
/// non-ASCII), the rare ones among them (apostrophes, non-ASCII) and digits.
struct BlockMasks {
    token: u64,
    special: u64,
    rare: u64,
    digit: u64,
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit of each byte set where the 7-bit byte of `x7` is >= `lo` (no borrow crosses bytes).
#[inline(always)]
fn ge(x7: u64, lo: u8) -> u64 {
    ((x7 | HI) - LO * u64::from(lo)) & HI
}

/// High bit of each byte set where the 7-bit byte of `x7` is in `lo..=hi`.
#[inline(always)]
fn in_range(x7: u64, lo: u8, hi: u8) -> u64 {
    ge(x7, lo) & !ge(x7, hi + 1)
}

/// The high bits of the 8 bytes of `v` (only high bits set) gathered into 8 low bits.
#[inline(always)]
fn movemask(v: u64) -> u64 {
    ((v >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

#[inline(always)]
fn block_masks(block: &[u8]) -> BlockMasks {
    let mut m = BlockMasks {
        token: 0,
        special: 0,
        rare: 0,
        digit: 0,
    };
    for (w, chunk) in block.chunks_exact(8).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let high = x & HI;
        let x7 = x & !HI;
        let ascii = !high & HI;
        let digit = in_range(x7, b'0', b'9') & ascii;
        // Letters of either case in one range check on the byte with 0x20 set; a capital has
        // 0x20 clear (moved up to the high bit by << 2).
        let letter = in_range(x7 | (LO * 0x20), b'a', b'z') & ascii;
        let upper = letter & !(x7 << 2) & HI;
        let apos = in_range(x7, b'\'', b'\'') & ascii;
        let rare = high | apos;
        let shift = 8 * w as u32;
        m.token |= movemask(rare | digit | letter) << shift;
        m.special |= movemask(rare | upper) << shift;
        m.rare |= movemask(rare) << shift;
        m.digit |= movemask(digit) << shift;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        Tokenizer::new().for_each(s, |t| v.push(t.text.to_string()));
        v
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
        assert!(spans[1].0.contains("World"));
        assert_eq!(spans[2], ("42", true));
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
