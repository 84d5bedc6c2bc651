//! "Did you mean" suggestions: the closest known name by case-insensitive edit distance (also used by the scenario
//! parser in kmsim-kms).

/// Suggests the closest known name (case-insensitive edit distance), for "did you mean" help.
pub fn suggest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    let lw = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let d = levenshtein(&lw, &k.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    let limit = (word.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit).map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}
