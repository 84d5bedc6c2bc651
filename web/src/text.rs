//! Text positions: the engine reports 1-based lines and character columns; a textarea selects by UTF-16 offset.

/// The UTF-16 offset of a 1-based line and character column in `source`, clamped to the text.
pub fn utf16_offset(source: &str, line: u32, column: u32) -> u32 {
    let mut offset = 0usize;
    for (i, text) in source.split('\n').enumerate() {
        if i + 1 == line as usize {
            let col: usize = text.chars().take(column.saturating_sub(1) as usize).map(char::len_utf16).sum();
            return u32::try_from(offset + col).unwrap_or(u32::MAX);
        }
        offset += text.chars().map(char::len_utf16).sum::<usize>() + 1;
    }
    u32::try_from(source.chars().map(char::len_utf16).sum::<usize>()).unwrap_or(u32::MAX)
}

/// The number of lines the editor shows for `source` (at least one).
pub fn line_count(source: &str) -> u32 {
    u32::try_from(source.split('\n').count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_utf16_units() {
        let s = "ab\n\u{1F600}x\ny";
        assert_eq!(utf16_offset(s, 1, 1), 0);
        assert_eq!(utf16_offset(s, 1, 3), 2);
        assert_eq!(utf16_offset(s, 2, 1), 3);
        assert_eq!(utf16_offset(s, 2, 2), 5, "the emoji is two UTF-16 units");
        assert_eq!(utf16_offset(s, 3, 1), 7);
        assert_eq!(utf16_offset(s, 2, 99), 6, "clamped to the line");
        assert_eq!(utf16_offset(s, 9, 1), 8, "clamped to the text");
        assert_eq!(utf16_offset(s, 0, 0), 8);
    }

    #[test]
    fn counts_lines_like_the_editor() {
        assert_eq!(line_count(""), 1);
        assert_eq!(line_count("a\nb"), 2);
        assert_eq!(line_count("a\n"), 2);
    }
}
