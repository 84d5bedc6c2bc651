//! Source lines for diagnostics: a line index built once per file, and a window of a long line around a column, so a
//! minified file with a thousand errors prints a thousand short snippets, not a thousand copies of one huge line.

/// A line of at most this many characters is shown whole.
pub const MAX_WHOLE_LINE_CHARS: usize = 120;
/// A longer line is shown as a window of this many characters around the column.
pub const MAX_SNIPPET_CHARS: usize = 100;
/// How many characters of a long line are shown before the column.
const CONTEXT_BEFORE: usize = 30;
/// The mark at a cut end of a window.
const ELLIPSIS: char = '…';

/// A file's text with the byte offset where each line starts.
pub struct Source<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Source<'a> {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Source { text, starts }
    }

    /// Line `n` (1-based) without its line ending, as `str::lines` gives it, and the byte offset where it starts in
    /// the file; `None` past the end.
    pub fn line_at(&self, n: u32) -> Option<(usize, &'a str)> {
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        if start == self.text.len() {
            return None; // an empty file, or the empty "line" after a final newline
        }
        let end = self.starts.get(i + 1).map_or(self.text.len(), |next| next - 1);
        let line = self.text.get(start..end)?;
        Some((start, line.strip_suffix('\r').unwrap_or(line)))
    }
}

/// What a snippet shows of one line: the text, and where the caret goes under it (in characters).
#[derive(Debug, PartialEq, Eq)]
pub struct Window {
    pub text: String,
    pub caret_pad: usize,
    pub caret_width: usize,
}

/// The part of `line` to show for a span starting at 1-based character `column` and `width` characters wide on this
/// line (`None`: to the end of the line): the whole line when it is short ([`MAX_WHOLE_LINE_CHARS`]), else
/// [`MAX_SNIPPET_CHARS`] characters
/// around the column, each cut end marked with an ellipsis, the caret clipped to what is shown. `at` is the column's
/// byte offset in the line when the caller knows it (the span's offset); with it a long line costs O(window), not
/// O(column).
pub fn window(line: &str, column: u32, at: Option<usize>, width: Option<usize>) -> Window {
    let col = usize::try_from(column).unwrap_or(usize::MAX).saturating_sub(1);
    // Short lines (the common case): the whole line.
    if line.len() <= MAX_WHOLE_LINE_CHARS || line.chars().nth(MAX_WHOLE_LINE_CHARS).is_none() {
        let width = width.unwrap_or_else(|| line.chars().count().saturating_sub(col));
        return Window { text: line.to_string(), caret_pad: col, caret_width: width.max(1) };
    }
    let at = match at.filter(|&b| line.is_char_boundary(b)) {
        Some(b) => b,
        None => line.char_indices().nth(col).map_or(line.len(), |(b, _)| b),
    };
    let back = |from: usize, chars: usize| -> usize {
        match chars.checked_sub(1) {
            None => from,
            Some(n) => line.get(..from).and_then(|t| t.char_indices().rev().nth(n)).map_or(0, |(b, _)| b),
        }
    };
    let mut start = back(at, CONTEXT_BEFORE);
    let forward = |from: usize| -> (usize, usize) {
        let rest = line.get(from..).unwrap_or("");
        match rest.char_indices().nth(MAX_SNIPPET_CHARS) {
            Some((b, _)) => (from + b, MAX_SNIPPET_CHARS),
            None => (line.len(), rest.chars().count()),
        }
    };
    let (mut end, taken) = forward(start);
    if taken < MAX_SNIPPET_CHARS {
        // Near the end of the line: show more before the column instead.
        start = back(start, MAX_SNIPPET_CHARS - taken);
        end = forward(start).0;
    }
    let cut_before = start > 0;
    let cut_after = end < line.len();
    let shown = line.get(start..end).unwrap_or("");
    let mut text = String::with_capacity(shown.len() + 8);
    if cut_before {
        text.push(ELLIPSIS);
    }
    text.push_str(shown);
    if cut_after {
        text.push(ELLIPSIS);
    }
    let at = at.clamp(start, end);
    let before = line.get(start..at).map_or(0, |t| t.chars().count());
    let after = line.get(at..end).map_or(0, |t| t.chars().count());
    let caret_width = width.unwrap_or(usize::MAX).min(after).max(1);
    Window { text, caret_pad: before + usize::from(cut_before), caret_width }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_come_from_the_index_like_str_lines() {
        for text in ["a\nbb\r\nccc", "a\n", "", "\n\n", "x"] {
            let s = Source::new(text);
            let want: Vec<&str> = text.lines().collect();
            let got: Vec<&str> = (1..).map_while(|n| s.line_at(n).map(|(_, l)| l)).collect();
            assert_eq!(got, want, "{text:?}");
        }
        assert_eq!(Source::new("a").line_at(0), None);
        assert_eq!(Source::new("ab\ncd").line_at(2), Some((3, "cd")));
    }

    #[test]
    fn a_short_line_is_shown_whole() {
        let line = "x".repeat(MAX_WHOLE_LINE_CHARS);
        assert_eq!(window(&line, 110, None, Some(2)).text, line);
        let w = window("  \"Efect\": 1", 3, Some(2), Some(7));
        assert_eq!(w, Window { text: "  \"Efect\": 1".into(), caret_pad: 2, caret_width: 7 });
        assert_eq!(window("abcdef", 3, None, None).caret_width, 4, "to the end of the line");
    }

    #[test]
    fn a_long_line_is_a_window_around_the_column() {
        let line: String = (0..5000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let w = window(&line, 2001, Some(2000), Some(3));
        assert_eq!(window(&line, 2001, None, Some(3)), w, "the column alone finds the same place");
        assert!(w.text.starts_with(ELLIPSIS) && w.text.ends_with(ELLIPSIS), "{}", w.text);
        assert_eq!(w.text.chars().count(), MAX_SNIPPET_CHARS + 2);
        // The caret is under the 2001st character of the line.
        let under: String = w.text.chars().skip(w.caret_pad).take(w.caret_width).collect();
        assert_eq!(under, line.chars().skip(2000).take(3).collect::<String>());
        // At the start and at the end of the line only one side is cut.
        let w = window(&line, 1, None, None);
        assert!(!w.text.starts_with(ELLIPSIS) && w.text.ends_with(ELLIPSIS));
        assert_eq!((w.caret_pad, w.caret_width), (0, MAX_SNIPPET_CHARS), "to the end of what is shown");
        let w = window(&line, 5000, Some(4999), Some(10));
        assert!(w.text.starts_with(ELLIPSIS) && !w.text.ends_with(ELLIPSIS));
        assert_eq!(w.text.chars().nth(w.caret_pad), line.chars().last());
        assert_eq!(w.caret_width, 1, "the caret stops at the end of the line");
    }

    #[test]
    fn multibyte_text_is_cut_on_characters() {
        let line = "é".repeat(300);
        let w = window(&line, 150, None, Some(2));
        assert_eq!(w.text.chars().filter(|c| *c == 'é').count(), MAX_SNIPPET_CHARS);
        assert_eq!(w.caret_pad, CONTEXT_BEFORE + 1);
    }
}
