//! Embeds the lessons minified: `OUT_DIR/lessons/NAME.json` is `lessons/NAME.json` without the whitespace between
//! JSON tokens (strings are copied byte for byte), so the same document in fewer bytes of the browser bundle.

use std::{env, fs, path::PathBuf};

/// Drops the whitespace outside JSON strings.
fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let lessons = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("../lessons");
    let out = PathBuf::from(env::var("OUT_DIR")?).join("lessons");
    fs::create_dir_all(&out)?;
    println!("cargo::rerun-if-changed={}", lessons.display());
    for entry in fs::read_dir(&lessons)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            println!("cargo::rerun-if-changed={}", path.display());
            let name = path.file_name().ok_or("lesson without a file name")?;
            fs::write(out.join(name), minify(&fs::read_to_string(&path)?))?;
        }
    }
    Ok(())
}
