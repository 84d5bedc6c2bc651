//! Markdown for lesson, exercise, hint and step texts: the part of CommonMark (<https://spec.commonmark.org/0.31.2/>)
//! the texts use, read into a small tree of allowed elements that the view renders (no raw HTML reaches the page:
//! HTML in the text is shown as text). Blocks: paragraphs, `-`/`*` and `1.` lists, fenced code, `#` headings.
//! Inline: `code`, **strong**, *emphasis*, [links](https://...) and bare `https://` addresses (the lessons'
//! sources), which open in a new tab; only `http` and `https` links are made.
//!
//! Written here rather than taken from pulldown-cmark: pulldown-cmark 0.13 (no default features) added about
//! 60 KB to the gzipped bundle, past the playground's 600 KB budget, for texts that use this much of Markdown.

/// A piece of rendered Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Md {
    Text(String),
    /// Inline code.
    Code(String),
    /// An element (`p`, `strong`, `em`, `ol`, `ul`, `li`, `pre`, `h4`, `a` with its `href`) and its content.
    Elem {
        tag: &'static str,
        href: Option<String>,
        children: Vec<Md>,
    },
}

fn elem(tag: &'static str, children: Vec<Md>) -> Md {
    Md::Elem { tag, href: None, children }
}

/// A list item's marker and the text after it: `- x`, `* x`, `1. x`.
fn list_item(line: &str) -> Option<(&'static str, &str)> {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return Some(("ul", rest));
    }
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match t.get(digits..) {
        Some(rest) if digits > 0 && rest.starts_with(". ") => Some(("ol", rest.get(2..).unwrap_or(""))),
        _ => None,
    }
}

/// The tree of `text`.
pub fn parse(text: &str) -> Vec<Md> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        let t = line.trim();
        if t.is_empty() {
            i += 1;
        } else if t.starts_with("```") {
            let mut code = Vec::new();
            i += 1;
            while let Some(l) = lines.get(i).filter(|l| !l.trim_start().starts_with("```")) {
                code.push(*l);
                i += 1;
            }
            i += 1;
            out.push(elem("pre", vec![Md::Code(code.join("\n"))]));
        } else if let Some(rest) = t.strip_prefix('#') {
            out.push(elem("h4", inline(rest.trim_start_matches('#').trim())));
            i += 1;
        } else if let Some((kind, _)) = list_item(line) {
            let mut items: Vec<String> = Vec::new();
            while let Some(l) = lines.get(i) {
                match list_item(l) {
                    Some((k, rest)) if k == kind => items.push(rest.to_string()),
                    Some(_) => break,
                    None if l.trim().is_empty() || items.is_empty() => break,
                    None => {
                        if let Some(last) = items.last_mut() {
                            last.push(' ');
                            last.push_str(l.trim());
                        }
                    }
                }
                i += 1;
            }
            out.push(elem(kind, items.iter().map(|it| elem("li", inline(it))).collect()));
        } else {
            let mut para = Vec::new();
            while let Some(l) = lines.get(i).filter(|l| !l.trim().is_empty() && list_item(l).is_none()) {
                para.push(l.trim());
                i += 1;
            }
            out.push(elem("p", inline(&para.join(" "))));
        }
    }
    out
}

/// Inline Markdown: code spans first (their content is literal), then strong, emphasis, links and addresses.
fn inline(text: &str) -> Vec<Md> {
    let mut out: Vec<Md> = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    let flush = |plain: &mut String, out: &mut Vec<Md>| {
        if !plain.is_empty() {
            out.extend(linkify(plain));
            plain.clear();
        }
    };
    while let Some(c) = rest.chars().next() {
        let after = rest.get(c.len_utf8()..).unwrap_or("");
        let (node, next) = match c {
            '\\' if after.starts_with(|x: char| x.is_ascii_punctuation()) => {
                let x = after.chars().next().unwrap_or('\\');
                plain.push(x);
                rest = after.get(x.len_utf8()..).unwrap_or("");
                continue;
            }
            '`' => match after.find('`') {
                Some(end) => (Some(Md::Code(after.get(..end).unwrap_or("").to_string())), after.get(end + 1..)),
                None => (None, None),
            },
            '*' if after.starts_with('*') => {
                let inner = after.get(1..).unwrap_or("");
                match inner.find("**").filter(|e| *e > 0) {
                    Some(end) => (Some(elem("strong", inline(inner.get(..end).unwrap_or("")))), inner.get(end + 2..)),
                    None => (None, None),
                }
            }
            '*' if !after.starts_with(' ') => match after.find('*').filter(|e| *e > 0) {
                Some(end) => (Some(elem("em", inline(after.get(..end).unwrap_or("")))), after.get(end + 1..)),
                None => (None, None),
            },
            '[' => match (after.find("]("), after.find(')')) {
                (Some(close), Some(_)) => {
                    let target = after.get(close + 2..).unwrap_or("");
                    match target.find(')') {
                        Some(end) => {
                            let label = inline(after.get(..close).unwrap_or(""));
                            let url = target.get(..end).unwrap_or("");
                            let node = match web_link(url) {
                                Some(href) => Md::Elem { tag: "a", href: Some(href), children: label },
                                None => elem("span", label),
                            };
                            (Some(node), target.get(end + 1..))
                        }
                        None => (None, None),
                    }
                }
                _ => (None, None),
            },
            _ => (None, None),
        };
        match (node, next) {
            (Some(node), Some(next)) => {
                flush(&mut plain, &mut out);
                out.push(node);
                rest = next;
            }
            _ => {
                plain.push(c);
                rest = after;
            }
        }
    }
    flush(&mut plain, &mut out);
    out
}

/// A link target the page may open: an `http` or `https` address.
fn web_link(url: &str) -> Option<String> {
    (url.starts_with("https://") || url.starts_with("http://")).then(|| url.to_string())
}

/// Text with its bare `https://` addresses made links (a final `.`, `,`, `;` or `:` is not part of the address).
fn linkify(text: &str) -> Vec<Md> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("https://") {
        let (before, from) = rest.split_at(start);
        let len =
            from.find(|c: char| c.is_whitespace() || matches!(c, ')' | '(' | '<' | '>' | '"')).unwrap_or(from.len());
        let url = from.get(..len).unwrap_or(from).trim_end_matches(['.', ',', ';', ':']);
        let after = from.get(url.len()..).unwrap_or("");
        if !before.is_empty() {
            out.push(Md::Text(before.to_string()));
        }
        out.push(Md::Elem { tag: "a", href: Some(url.to_string()), children: vec![Md::Text(url.to_string())] });
        rest = after;
    }
    if !rest.is_empty() {
        out.push(Md::Text(rest.to_string()));
    }
    out
}

/// The text a reader sees (for tests: what is left of the Markdown once rendered).
pub fn plain(nodes: &[Md]) -> String {
    let mut out = String::new();
    for n in nodes {
        match n {
            Md::Text(t) | Md::Code(t) => out.push_str(t),
            Md::Elem { children, .. } => {
                out.push_str(&plain(children));
                out.push(' ');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "test code")]

    use super::*;

    fn link(url: &str) -> Md {
        Md::Elem { tag: "a", href: Some(url.into()), children: vec![Md::Text(url.into())] }
    }

    #[test]
    fn emphasis_code_lists_and_links() {
        let got = parse("Not **to whom**: `grant-to-self`.\n\n1. one\n2. [two](https://example.com/x)");
        assert_eq!(
            got,
            [
                Md::Elem {
                    tag: "p",
                    href: None,
                    children: vec![
                        Md::Text("Not ".into()),
                        Md::Elem { tag: "strong", href: None, children: vec![Md::Text("to whom".into())] },
                        Md::Text(": ".into()),
                        Md::Code("grant-to-self".into()),
                        Md::Text(".".into()),
                    ]
                },
                Md::Elem {
                    tag: "ol",
                    href: None,
                    children: vec![
                        Md::Elem { tag: "li", href: None, children: vec![Md::Text("one".into())] },
                        Md::Elem {
                            tag: "li",
                            href: None,
                            children: vec![Md::Elem {
                                tag: "a",
                                href: Some("https://example.com/x".into()),
                                children: vec![Md::Text("two".into())]
                            }]
                        },
                    ]
                },
            ]
        );
    }

    #[test]
    fn bare_source_addresses_become_links_without_their_punctuation() {
        let got = parse("see (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html) and https://a.b/c.");
        let Md::Elem { children, .. } = &got[0] else { panic!("{got:?}") };
        assert_eq!(children[1], link("https://docs.aws.amazon.com/kms/latest/developerguide/grants.html"));
        assert_eq!(children[3], link("https://a.b/c"));
        assert_eq!(children[4], Md::Text(".".into()));
    }

    #[test]
    fn html_and_script_links_stay_text() {
        let got = parse("<script>x</script>\n\n[click](javascript:alert(1))");
        assert!(plain(&got).contains("<script>"));
        let Md::Elem { children, .. } = &got[1] else { panic!("{got:?}") };
        assert!(matches!(&children[0], Md::Elem { tag: "span", href: None, .. }), "{children:?}");
    }

    #[test]
    fn no_lesson_text_shows_raw_markdown() {
        for l in crate::starts::LESSONS {
            let file: kmsim_kms::scenario::ScenarioFile = serde_json::from_str(l.text).unwrap();
            let texts = [file.description.as_str(), file.exercise.as_str()]
                .into_iter()
                .chain(file.hints.iter().map(String::as_str))
                .chain(file.goals.iter().map(|g| g.text.as_str()))
                .chain(file.steps.iter().map(|s| s.note.as_str()))
                .chain(file.solution.iter().map(|s| s.note.as_str()));
            for t in texts {
                let shown = plain(&parse(t));
                for raw in ["**", "`", "](", "\\n"] {
                    assert!(!shown.contains(raw), "{}: `{raw}` shown in {shown:?}", l.id);
                }
            }
            // The sources are links.
            let links = count_links(&parse(&file.description));
            assert!(links > 0 || !file.description.contains("https://"), "{}", l.id);
        }
    }

    fn count_links(nodes: &[Md]) -> usize {
        nodes
            .iter()
            .map(|n| match n {
                Md::Elem { tag: "a", .. } => 1,
                Md::Elem { children, .. } => count_links(children),
                _ => 0,
            })
            .sum()
    }
}
