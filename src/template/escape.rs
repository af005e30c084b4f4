//! How a value is written where a placeholder stands: each escape writes what its format's
//! parsers read back as exactly the value, or refuses a value the format cannot carry.

use zeroize::Zeroizing;

/// An escape a placeholder names (`{{ NAME | json }}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// The value as it is.
    Raw,
    /// A JSON string, quotes included.
    Json,
    /// A YAML double-quoted scalar, quotes included.
    Yaml,
    /// XML character data: fit for element text and quoted attribute values.
    Xml,
    /// A TOML basic string, quotes included.
    Toml,
    /// A POSIX shell word in single quotes.
    Sh,
    /// Percent-encoded (every byte but RFC 3986's unreserved characters).
    Url,
    /// Standard base64, padded.
    Base64,
}

impl Escape {
    /// Every escape, in the order help lists them.
    pub const ALL: &'static [Escape] = &[
        Escape::Raw,
        Escape::Json,
        Escape::Yaml,
        Escape::Xml,
        Escape::Toml,
        Escape::Sh,
        Escape::Url,
        Escape::Base64,
    ];

    /// Its name in a placeholder.
    pub fn name(self) -> &'static str {
        match self {
            Escape::Raw => "raw",
            Escape::Json => "json",
            Escape::Yaml => "yaml",
            Escape::Xml => "xml",
            Escape::Toml => "toml",
            Escape::Sh => "sh",
            Escape::Url => "url",
            Escape::Base64 => "base64",
        }
    }

    /// The escape named `name`.
    pub fn named(name: &str) -> Option<Escape> {
        Escape::ALL
            .iter()
            .copied()
            .find(|escape| escape.name() == name)
    }

    /// The default escape of a template: its format's, by its name's extension once a
    /// `.tmpl`, `.tpl` or `.template` suffix is taken off (`config.json.tmpl`: json), else raw.
    pub fn for_template(name: &str) -> Escape {
        let name = without_template_suffix(name);
        let extension = name
            .rsplit_once('.')
            .map(|(_, extension)| extension.to_ascii_lowercase());
        match extension.as_deref() {
            Some("json") => Escape::Json,
            Some("yaml" | "yml") => Escape::Yaml,
            Some("xml") => Escape::Xml,
            Some("toml") => Escape::Toml,
            _ => Escape::Raw,
        }
    }

    /// Whether it writes its own quotes: a placeholder of it between quotes is a mistake.
    pub fn quotes(self) -> bool {
        matches!(
            self,
            Escape::Json | Escape::Yaml | Escape::Toml | Escape::Sh
        )
    }

    /// `value` as this escape writes it, or why the format cannot carry it.
    pub fn apply(self, value: &str) -> Result<Zeroizing<String>, &'static str> {
        let mut out = Zeroizing::new(String::with_capacity(value.len() + 2));
        match self {
            Escape::Raw => out.push_str(value),
            Escape::Json => json(value, &mut out),
            Escape::Yaml => yaml(value, &mut out),
            Escape::Xml => xml(value, &mut out)?,
            Escape::Toml => toml(value, &mut out),
            Escape::Sh => sh(value, &mut out)?,
            Escape::Url => url(value, &mut out),
            Escape::Base64 => out.push_str(&aws_smithy_types::base64::encode(value)),
        }
        Ok(out)
    }

    /// What stands for the value inside what [`Escape::apply`] wrote: without the quotes an
    /// escape adds (a program printing the file's text may print it without them).
    pub fn inside(self, written: &str) -> &str {
        if self.quotes() && written.len() >= 2 {
            &written[1..written.len() - 1]
        } else {
            written
        }
    }
}

/// What marks a file as a template, at the end of its name.
const TEMPLATE_SUFFIXES: [&str; 3] = [".tmpl", ".tpl", ".template"];

/// `name` without a template suffix (`config.json.tmpl` -> `config.json`).
pub fn without_template_suffix(name: &str) -> &str {
    TEMPLATE_SUFFIXES
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name)
}

fn hex_escape(out: &mut String, prefix: &str, c: char, digits: usize) {
    out.push_str(prefix);
    out.push_str(&format!("{:0digits$X}", c as u32));
}

/// `value` between double quotes, `"`, `\\` and the whitespace controls as backslash escapes
/// (as JSON, YAML and TOML all write them), every other character as `other` writes it.
fn double_quoted(value: &str, out: &mut String, other: fn(char, &mut String)) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => other(c, out),
        }
    }
    out.push('"');
}

/// A JSON string: the other controls as `\uXXXX`.
fn json(value: &str, out: &mut String) {
    double_quoted(value, out, |c, out| {
        if (c as u32) < 0x20 {
            hex_escape(out, "\\u", c, 4)
        } else {
            out.push(c)
        }
    });
}

/// A double-quoted YAML scalar: every character a YAML reader would fold, normalise or refuse
/// (line breaks, controls, NEL, the line and paragraph separators, the BOM) escaped.
fn yaml(value: &str, out: &mut String) {
    double_quoted(value, out, |c, out| match c {
        c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) => {
            hex_escape(out, "\\x", c, 2)
        }
        '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
            hex_escape(out, "\\u", c, 4)
        }
        c => out.push(c),
    });
}

/// XML 1.0 character data: the five markup characters as entities; tab, line feed and
/// carriage return as character references (so that no parser normalises them, in attribute
/// values either); a control character XML 1.0 cannot hold at all is refused.
fn xml(value: &str, out: &mut String) -> Result<(), &'static str> {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                return Err(
                    "its value holds a control character that no XML 1.0 document can \
                            carry, even escaped",
                );
            }
            c if ('\u{7f}'..='\u{9f}').contains(&c) => out.push_str(&format!("&#x{:X};", c as u32)),
            c => out.push(c),
        }
    }
    Ok(())
}

/// A TOML basic string: quotes, backslashes and every control character escaped.
fn toml(value: &str, out: &mut String) {
    double_quoted(value, out, |c, out| {
        if (c as u32) < 0x20 || c == '\u{7f}' {
            hex_escape(out, "\\u", c, 4)
        } else {
            out.push(c)
        }
    });
}

/// A single-quoted shell word: `'` as `'\''`; a NUL byte, which no shell variable or
/// argument can hold, is refused.
fn sh(value: &str, out: &mut String) -> Result<(), &'static str> {
    if value.contains('\0') {
        return Err("its value holds a NUL byte, which no shell word can carry");
    }
    out.push('\'');
    out.push_str(&value.replace('\'', "'\\''"));
    out.push('\'');
    Ok(())
}

/// Percent-encoding as the masker looks for it: the two must agree byte for byte.
fn url(value: &str, out: &mut String) {
    let encoded = crate::mask::percent_encoded(value.as_bytes());
    out.push_str(std::str::from_utf8(&encoded).expect("percent-encoding writes ASCII"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(escape: Escape, value: &str) -> String {
        escape.apply(value).unwrap().to_string()
    }

    #[test]
    fn each_escape_writes_its_format() {
        let value = "a\"b\\c'd\n<&>\u{1}é";
        assert_eq!(written(Escape::Raw, value), value);
        assert_eq!(
            written(Escape::Json, value),
            "\"a\\\"b\\\\c'd\\n<&>\\u0001é\""
        );
        assert_eq!(
            written(Escape::Yaml, value),
            "\"a\\\"b\\\\c'd\\n<&>\\x01é\""
        );
        assert_eq!(
            written(Escape::Toml, value),
            "\"a\\\"b\\\\c'd\\n<&>\\u0001é\""
        );
        assert_eq!(written(Escape::Sh, "it's"), "'it'\\''s'");
        assert_eq!(written(Escape::Url, "a b/é"), "a%20b%2F%C3%A9");
        assert_eq!(written(Escape::Base64, "hi?"), "aGk/");
        assert_eq!(
            written(Escape::Xml, "a\"b'c<&>\n\t"),
            "a&quot;b&apos;c&lt;&amp;&gt;&#10;&#9;"
        );
        assert!(Escape::Xml.apply("bell\u{7}").is_err());
        assert!(Escape::Sh.apply("nul\0").is_err());
    }

    #[test]
    fn the_default_escape_follows_the_templates_extension() {
        for (name, escape) in [
            ("config.json", Escape::Json),
            ("values.yaml.tmpl", Escape::Yaml),
            ("app.YML", Escape::Yaml),
            ("settings.xml.tpl", Escape::Xml),
            ("Cargo.toml.template", Escape::Toml),
            (".npmrc.tmpl", Escape::Raw),
            ("kubeconfig", Escape::Raw),
        ] {
            assert_eq!(Escape::for_template(name), escape, "{name}");
        }
    }

    #[test]
    fn names_read_back() {
        for escape in Escape::ALL {
            assert_eq!(Escape::named(escape.name()), Some(*escape));
        }
        assert_eq!(Escape::named("html"), None);
    }
}
