//! Text positions: the engine reports 1-based lines and character columns and byte offsets; the editor
//! (CodeMirror) counts UTF-16 units. Every conversion between the two is here.

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

/// The UTF-16 offset (the editor's) of byte `offset` of `source` (the lint's), clamped to the text. The lint and
/// completion only report offsets at character boundaries.
pub fn utf16_of_byte(source: &str, offset: usize) -> u32 {
    let units: usize = source.char_indices().take_while(|(i, _)| *i < offset).map(|(_, c)| c.len_utf16()).sum();
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// The byte offset (the lint's) of UTF-16 offset `offset` of `source` (the editor's), clamped to the text.
pub fn byte_of_utf16(source: &str, offset: u32) -> usize {
    let mut units = 0usize;
    for (i, c) in source.char_indices() {
        if units >= offset as usize {
            return i;
        }
        units += c.len_utf16();
    }
    source.len()
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
    fn byte_and_utf16_offsets_convert_both_ways() {
        let s = "a\u{e9}\u{1F600}b"; // bytes: a 0, é 1..3, emoji 3..7, b 7; UTF-16: a 0, é 1, emoji 2..4, b 4
        for (byte, unit) in [(0, 0), (1, 1), (3, 2), (7, 4), (8, 5)] {
            assert_eq!(utf16_of_byte(s, byte), unit, "byte {byte}");
            assert_eq!(byte_of_utf16(s, unit), byte, "unit {unit}");
        }
        assert_eq!(utf16_of_byte(s, 99), 5, "clamped to the text");
        assert_eq!(byte_of_utf16(s, 99), 8, "clamped to the text");
    }
}
