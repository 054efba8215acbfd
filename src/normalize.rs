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
    pub fn for_each<'t, F>(&'t mut self, text: &str, mut f: F)
    where
        F: FnMut(Token<'_>),
    {
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut i = 0;
        while i < n {
            // Skip separators: ASCII bytes that are neither alphanumeric nor apostrophes.
            let b = bytes[i];
            if b < 0x80 && !b.is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            // A run: ASCII alphanumerics, apostrophes, and any non-ASCII characters.
            let start = i;
            let mut ascii = true;
            while i < n {
                let b = bytes[i];
                if b >= 0x80 {
                    ascii = false;
                } else if !(b.is_ascii_alphanumeric() || b == b'\'') {
                    break;
                }
                i += 1;
            }
            let end = i; // char boundary: stopped at an ASCII byte or at the end
            if ascii {
                self.ascii_run(text, start, end, &mut f);
            } else {
                self.unicode_run(text, start, end, &mut f);
            }
        }
    }

    fn ascii_run<F: FnMut(Token<'_>)>(&mut self, text: &str, start: usize, end: usize, f: &mut F) {
        let bytes = &text.as_bytes()[start..end];
        self.buf.clear();
        let mut numeric = false;
        for &b in bytes {
            if b == b'\'' {
                continue;
            }
            numeric |= b.is_ascii_digit();
            self.buf.push(b.to_ascii_lowercase() as char);
        }
        if self.buf.is_empty() {
            return;
        }
        let first = bytes.iter().find(|b| **b != b'\'').copied().unwrap_or(b'a');
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
