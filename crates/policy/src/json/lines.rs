//! Byte offsets to lines and columns: the line table of a document and its character counts per block.

use std::sync::Arc;

use super::Pos;
use crate::error::{Loc, Span};

/// Maps byte offsets to 1-based lines and character columns without rescanning the text: the line by binary search
/// over the line starts, the column from a table of character counts per block of [`COLUMN_BLOCK`] bytes (only
/// for text that is not ASCII; in ASCII a column is a byte difference). One position costs O(log lines + block),
/// however long its line.
pub struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
    /// The line of the last position looked up: positions are mostly asked for in source order, so the next one is
    /// usually on it or the line after, found without a search.
    last_line: std::cell::Cell<usize>,
    /// The number of characters before each block of `COLUMN_BLOCK` bytes; empty for ASCII text.
    chars_before_block: Vec<usize>,
    /// Bytes read to find columns (tests check that a position never scans its whole line).
    #[cfg(test)]
    scanned: std::cell::Cell<usize>,
}

/// Appends the offset after each `\n` of `text` (which starts at offset `base`) to `out`. Eight bytes at a time
/// (SWAR, as `plain_run` in the parser): a word without a line break costs a few instructions; a flagged byte is checked, as the
/// zero-byte test may also flag the byte above a true one.
fn push_line_starts(text: &[u8], base: usize, out: &mut Vec<usize>) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = text.chunks_exact(8);
    let mut at = base;
    for word in words.by_ref() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let x = u64::from_le_bytes(bytes) ^ (ONES * u64::from(b'\n'));
        let mut flags = x.wrapping_sub(ONES) & !x & HIGH;
        while flags != 0 {
            let i = (flags.trailing_zeros() / 8) as usize;
            if word.get(i) == Some(&b'\n') {
                out.push(at + i + 1);
            }
            flags &= flags - 1;
        }
        at += 8;
    }
    out.extend(words.remainder().iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| at + i + 1));
}

/// The block size of the column table (a column reads at most this many bytes).
pub const COLUMN_BLOCK: usize = 256;

/// A UTF-8 byte that starts a character.
fn starts_char(b: u8) -> bool {
    (b & 0xC0) != 0x80
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> LineIndex<'a> {
        // Room for a line of 32 bytes on average (a pretty-printed policy's lines are longer), up to 4096 lines
        // before the table grows: most documents allocate it once.
        let mut starts = Vec::with_capacity((source.len() / 32 + 1).min(4096));
        starts.push(0);
        // Blocks without a line break (most of a minified document) are skipped after one comparison pass.
        for (k, block) in source.as_bytes().chunks(32).enumerate() {
            if block.iter().fold(false, |found, &b| found | (b == b'\n')) {
                push_line_starts(block, k * 32, &mut starts);
            }
        }
        let mut chars_before_block = Vec::new();
        if !source.is_ascii() {
            let mut total = 0;
            for block in source.as_bytes().chunks(COLUMN_BLOCK) {
                chars_before_block.push(total);
                total += block.iter().filter(|b| starts_char(**b)).count();
            }
        }
        LineIndex {
            source,
            starts,
            last_line: std::cell::Cell::new(0),
            chars_before_block,
            #[cfg(test)]
            scanned: std::cell::Cell::new(0),
        }
    }

    /// The number of characters before `offset` (a character boundary).
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / COLUMN_BLOCK;
        let Some(before) = self.chars_before_block.get(block) else { return offset };
        let from = block * COLUMN_BLOCK;
        #[cfg(test)]
        self.scanned.set(self.scanned.get() + (offset - from));
        let partial = self.source.as_bytes().get(from..offset).unwrap_or(&[]);
        before + partial.iter().filter(|b| starts_char(**b)).count()
    }

    /// (line, column), both 1-based; the column counts characters (bytes when `offset` is inside a character).
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.source.len());
        self.line_col_on(self.line_of(offset), offset)
    }

    /// The 0-based line of `offset`.
    fn line_of(&self, offset: usize) -> usize {
        if self.starts.len() == 1 {
            return 0;
        }
        let on = |line: usize| {
            self.starts.get(line).is_some_and(|&s| s <= offset)
                && self.starts.get(line + 1).is_none_or(|&next| offset < next)
        };
        let last = self.last_line.get();
        let line = if on(last) {
            last
        } else if on(last + 1) {
            last + 1
        } else {
            self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
        };
        self.last_line.set(line);
        line
    }

    /// [`LineIndex::line_col`] of an offset known to be on the 0-based `line`.
    fn line_col_on(&self, line: usize, offset: usize) -> (u32, u32) {
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col = if self.chars_before_block.is_empty() {
            // ASCII: a column is a byte difference.
            offset - start
        } else if self.source.is_char_boundary(offset) {
            self.chars_before(offset) - self.chars_before(start)
        } else {
            offset - start
        };
        (to_u32(line + 1), to_u32(col + 1))
    }

    pub fn span(&self, pos: Pos, path: &str) -> Span {
        self.span_shared(pos, path.into())
    }

    /// [`LineIndex::span`] with a path that other spans share.
    pub fn span_shared(&self, pos: Pos, path: Arc<str>) -> Span {
        self.loc(pos).span(path)
    }

    /// The lines and columns of `pos`.
    pub(crate) fn loc(&self, pos: Pos) -> Loc {
        let offset = pos.offset.min(self.source.len());
        let end = (pos.offset + pos.len).min(self.source.len());
        let first = self.line_of(offset);
        // Most spans end on the line they start on: no second search then.
        let last = if self.starts.get(first + 1).is_some_and(|&next| next <= end) { self.line_of(end) } else { first };
        let (line, column) = self.line_col_on(first, offset);
        let (end_line, end_column) = self.line_col_on(last, end);
        Loc { line, column, end_line, end_column, offset: to_u32(pos.offset), len: to_u32(pos.len) }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts_are_after_every_line_break() {
        // Every position of a break in a word and in the tail, breaks side by side, and the bytes the zero-byte
        // test may flag above a break (`\x0b` is `\n` ^ 1).
        let texts = [
            "",
            "\n",
            "a\nb",
            "\n\n\n\n\n\n\n\n\n",
            "\n\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\n\x0b",
            "0123456\n89abcdef\n\x0b",
        ];
        let mut all: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        for at in 0..20 {
            all.push(format!("{}\n{}", "x".repeat(at), "y".repeat(20 - at)));
        }
        for t in &all {
            let mut got = vec![0];
            push_line_starts(t.as_bytes(), 0, &mut got);
            let want: Vec<usize> = std::iter::once(0).chain(t.match_indices('\n').map(|(i, _)| i + 1)).collect();
            assert_eq!(got, want, "{t:?}");
        }
    }

    /// The column computation this index replaced: the characters from the line start, counted each time.
    fn rescanning_line_col(source: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(source.len());
        let bytes = &source.as_bytes()[..offset];
        let line_start = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let line = bytes[..line_start].iter().filter(|b| **b == b'\n').count();
        let col = source.get(line_start..offset).map_or(offset - line_start, |t| t.chars().count());
        (to_u32(line + 1), to_u32(col + 1))
    }

    #[test]
    fn columns_are_the_same_as_counting_from_the_line_start() {
        let line = "ab\u{e9}c\u{20ac}\u{1f600}d ".repeat(200);
        for src in [
            String::new(),
            "x".into(),
            "ab\ncd\n".into(),
            format!("{line}\n{line}\n\n\u{e9}{line}"),
            "\u{feff}{\"a\":\n  \"\u{e9}\"}".into(),
            "a".repeat(3 * COLUMN_BLOCK + 7),
        ] {
            let li = LineIndex::new(&src);
            for offset in 0..=src.len() + 2 {
                assert_eq!(li.line_col(offset), rescanning_line_col(&src, offset), "offset {offset}");
            }
        }
    }

    #[test]
    fn a_span_ends_where_line_col_puts_its_end() {
        for src in ["", "ab\ncd\n", "\u{e9}\n\n{\"a\":\n  \"\u{e9}x\"}\n", "a\r\nb"] {
            let li = LineIndex::new(src);
            for offset in 0..=src.len() + 1 {
                for len in 0..=src.len() + 1 - offset {
                    let span = li.span(Pos { offset, len }, "/p");
                    let want = (li.line_col(offset), li.line_col(offset + len));
                    assert_eq!(
                        ((span.line, span.column), (span.end_line, span.end_column)),
                        want,
                        "{src:?} {offset}+{len}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_position_on_a_long_line_does_not_scan_the_line() {
        // One line of 1.5 MB with two-byte characters: the old index read up to the whole line per position.
        let src = format!("[\"{}\"]", "\u{e9}x".repeat(500_000));
        let li = LineIndex::new(&src);
        let end = src.len() - 2;
        assert_eq!(li.line_col(end), (1, 1 + 2 + 1_000_000));
        assert_eq!(li.line_col(src.len()), (1, 1 + 2 + 1_000_000 + 2));
        assert!(li.scanned.get() <= 4 * COLUMN_BLOCK, "scanned {} bytes for two positions", li.scanned.get());
    }

    #[test]
    fn line_columns_count_chars() {
        let src = "ab\n\u{e9}\u{e9}x";
        let li = LineIndex::new(src);
        assert_eq!(li.line_col(0), (1, 1));
        assert_eq!(li.line_col(3), (2, 1));
        assert_eq!(li.line_col(7), (2, 3));
    }
}
