//! What a value may turn into on its way to a log, each of which is masked: the value itself
//! and each line of it, their base64 (standard and URL-safe alphabets, at the three byte
//! alignments a value can take inside a longer encoded text), their JSON string escape as
//! each mainstream encoder writes it by default ([`JSON_STYLES`]: Node and serde, Go, Python,
//! PHP, .NET), and their percent-encoding (RFC 3986).

use zeroize::Zeroizing;

/// What a masked string is of the value it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The value itself.
    Value,
    /// One line of a multi-line value.
    Line,
    /// Its base64 (at any of the three alignments inside a longer text).
    Base64,
    /// Its URL-safe base64.
    Base64Url,
    /// Its JSON string escape, as the named encoders write it.
    Json(&'static str),
    /// Its percent-encoding.
    Percent,
    /// The value as an escape of `render` wrote it into a file (`xml`, `yaml`, ...).
    Written(&'static str),
}

impl Form {
    /// How a finding names it.
    pub fn name(self) -> String {
        match self {
            Form::Value => "value".into(),
            Form::Line => "a line of the value".into(),
            Form::Base64 => "base64".into(),
            Form::Base64Url => "base64url".into(),
            Form::Json(encoders) => format!("JSON escape, {encoders}"),
            Form::Percent => "percent-encoded".into(),
            Form::Written(escape) => format!("as written by | {escape}"),
        }
    }
}

/// The byte strings to mask, wiped when dropped, each with the value it comes from (by the
/// index its caller gave the value) and its form.
#[derive(Default)]
pub struct Patterns {
    pub(super) strings: Vec<Zeroizing<Vec<u8>>>,
    origins: Vec<(usize, Form)>,
}

impl Patterns {
    /// How many strings are masked.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Whether nothing is masked.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// The value (by its caller's index) and the form of string `index`.
    pub fn origin(&self, index: usize) -> (usize, Form) {
        self.origins[index]
    }

    /// Adds `written`, value `origin` as an escape named `escape` wrote it (and its lines and
    /// encodings), when it differs from what is masked already.
    pub fn add_written_form(
        &mut self,
        origin: usize,
        escape: &'static str,
        written: &str,
        min_length: usize,
    ) {
        self.add_value(origin, written, min_length, Some(escape));
    }

    fn add(&mut self, origin: usize, form: Form, string: Zeroizing<Vec<u8>>, min_length: usize) {
        // No string holds a line feed: a finding is always on one line.
        debug_assert!(!string.contains(&b'\n'));
        let long_enough = String::from_utf8_lossy(&string).chars().count() >= min_length;
        if long_enough && !self.strings.iter().any(|seen| **seen == *string) {
            self.strings.push(string);
            self.origins.push((origin, form));
        }
    }

    /// Every form of `value` (and of each line of a multi-line value) at least `min_length`
    /// characters long, for a value itself that long. A written form's own text and lines
    /// are named after its escape.
    fn add_value(
        &mut self,
        origin: usize,
        value: &str,
        min_length: usize,
        written: Option<&'static str>,
    ) {
        let min_length = min_length.max(1);
        let mut pieces: Vec<(&str, Form)> = Vec::new();
        if value.contains('\n') {
            // A log is cut into lines by whoever reads it: each line alone, and the whole
            // value in the forms that keep it on one line.
            pieces.extend(value.split('\n').map(|line| {
                let line = line.strip_suffix('\r').unwrap_or(line);
                (line, written.map_or(Form::Line, Form::Written))
            }));
        }
        pieces.push((value, written.map_or(Form::Value, Form::Written)));
        for (piece, form) in pieces {
            if piece.chars().count() < min_length {
                continue;
            }
            if !piece.contains('\n') {
                self.add(
                    origin,
                    form,
                    Zeroizing::new(piece.as_bytes().to_vec()),
                    min_length,
                );
            }
            for (form, string) in encoded_forms(piece.as_bytes()) {
                self.add(origin, form, string, min_length);
            }
        }
    }
}

/// What `exec --mask` masks for `variables`: every form of each value, and of a binary
/// secret's bytes when they are text (`--file` hands the command the bytes, not the base64).
/// A string's origin is its variable's index.
pub fn variable_patterns(variables: &[crate::model::EnvVar], min_length: usize) -> Patterns {
    let mut patterns = Patterns::default();
    for (index, variable) in variables.iter().enumerate() {
        patterns.add_value(index, variable.value.expose(), min_length, None);
    }
    for (index, variable) in variables.iter().enumerate() {
        let decoded = variable.binary.then(|| variable.bytes()).flatten();
        if let Some(text) = decoded
            .as_deref()
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
        {
            patterns.add_value(index, text, min_length, None);
        }
    }
    patterns
}

/// Every form of every value (and of each line of a multi-line value) that is at least
/// `min_length` characters long, for values that are themselves at least that long: masking
/// `true` or `5432`, or their encodings, would mask half a log. A string's origin is its
/// value's position.
pub fn mask_patterns<'a>(values: impl IntoIterator<Item = &'a str>, min_length: usize) -> Patterns {
    let mut patterns = Patterns::default();
    for (index, value) in values.into_iter().enumerate() {
        patterns.add_value(index, value, min_length, None);
    }
    patterns
}

/// The encoded forms of `value`.
fn encoded_forms(value: &[u8]) -> Vec<(Form, Zeroizing<Vec<u8>>)> {
    let mut forms = Vec::new();
    for shift in 0..3 {
        let standard = base64_at_alignment(value, shift);
        let url_safe = Zeroizing::new(
            standard
                .iter()
                .map(|&byte| match byte {
                    b'+' => b'-',
                    b'/' => b'_',
                    other => other,
                })
                .collect::<Vec<u8>>(),
        );
        forms.push((Form::Base64, standard));
        forms.push((Form::Base64Url, url_safe));
    }
    if let Ok(text) = std::str::from_utf8(value) {
        for style in JSON_STYLES {
            forms.push((Form::Json(style.encoders), json_escaped(text, &style)));
        }
    }
    forms.push((Form::Percent, percent_encoded(value)));
    forms
}

/// The base64 characters that depend only on `value`'s bytes when `value` starts `shift` bytes
/// into a 3-byte group of a longer encoded text: whatever comes before or after it, this
/// string appears in the encoding (the characters shared with neighbouring bytes and the
/// padding are left out).
fn base64_at_alignment(value: &[u8], shift: usize) -> Zeroizing<Vec<u8>> {
    let mut shifted = Zeroizing::new(vec![0u8; shift]);
    shifted.extend_from_slice(value);
    let encoded = Zeroizing::new(aws_smithy_types::base64::encode(&shifted[..]).into_bytes());
    let first = (8 * shift).div_ceil(6);
    let end = (8 * shifted.len()) / 6;
    Zeroizing::new(encoded.get(first..end).unwrap_or_default().to_vec())
}

/// How one JSON encoder escapes a string by default. Every encoder escapes character by
/// character, so a value's escape is found inside any larger document that holds it.
struct JsonStyle {
    /// The encoders that write it, for findings.
    encoders: &'static str,
    /// `"` as `\"`, or as `\u0022` (.NET).
    quote_as_unicode: bool,
    /// Hex digits in upper case (.NET: `\u00E9`), else lower case.
    upper_hex: bool,
    /// Backspace and form feed as `\b` and `\f`, else `\u0008` and `\u000c` (Go 1.21 and older).
    short_b_and_f: bool,
    /// ASCII characters written as `\u00XX` (HTML-sensitive ones, for Go and .NET).
    escaped_ascii: &'static [char],
    /// U+2028 and U+2029 escaped (Go: JavaScript would end a line there).
    line_separators: bool,
    /// Every character from this one up written as `\uXXXX` (surrogate pairs beyond the BMP).
    escape_from: Option<char>,
    /// `/` as `\/` (PHP).
    slash: bool,
}

/// Each mainstream encoder's default escaping (measured with the encoders themselves: Node 20,
/// Python 3.11, Go 1.19, PHP 8.2, .NET's System.Text.Json; Go 1.22+ and .NET 6+ from their
/// sources).
const JSON_STYLES: [JsonStyle; 6] = [
    // Node's JSON.stringify, serde_json, Python with ensure_ascii=False.
    JsonStyle {
        encoders: "Node, serde_json",
        quote_as_unicode: false,
        upper_hex: false,
        short_b_and_f: true,
        escaped_ascii: &[],
        line_separators: false,
        escape_from: None,
        slash: false,
    },
    // Go 1.22 and newer: encoding/json escapes HTML-sensitive characters.
    JsonStyle {
        encoders: "Go",
        quote_as_unicode: false,
        upper_hex: false,
        short_b_and_f: true,
        escaped_ascii: &['<', '>', '&'],
        line_separators: true,
        escape_from: None,
        slash: false,
    },
    // Go 1.21 and older.
    JsonStyle {
        encoders: "Go 1.21",
        quote_as_unicode: false,
        upper_hex: false,
        short_b_and_f: false,
        escaped_ascii: &['<', '>', '&'],
        line_separators: true,
        escape_from: None,
        slash: false,
    },
    // Python's json.dumps (ensure_ascii).
    JsonStyle {
        encoders: "Python",
        quote_as_unicode: false,
        upper_hex: false,
        short_b_and_f: true,
        escaped_ascii: &[],
        line_separators: false,
        escape_from: Some('\u{7f}'),
        slash: false,
    },
    // PHP's json_encode.
    JsonStyle {
        encoders: "PHP",
        quote_as_unicode: false,
        upper_hex: false,
        short_b_and_f: true,
        escaped_ascii: &[],
        line_separators: false,
        escape_from: Some('\u{80}'),
        slash: true,
    },
    // .NET's System.Text.Json (JavaScriptEncoder.Default).
    JsonStyle {
        encoders: ".NET",
        quote_as_unicode: true,
        upper_hex: true,
        short_b_and_f: true,
        escaped_ascii: &['&', '\'', '+', '<', '>', '`'],
        line_separators: false,
        escape_from: Some('\u{7f}'),
        slash: false,
    },
];

/// The inside of a JSON string literal holding `text`, as `style`'s encoder writes it.
fn json_escaped(text: &str, style: &JsonStyle) -> Zeroizing<Vec<u8>> {
    let digits: &[u8; 16] = if style.upper_hex {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut escaped = Zeroizing::new(Vec::with_capacity(text.len() * 12 + 2));
    let unicode = |escaped: &mut Vec<u8>, c: char| {
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            escaped.extend_from_slice(b"\\u");
            for shift in [12, 8, 4, 0] {
                escaped.push(digits[((*unit >> shift) & 15) as usize]);
            }
        }
    };
    for c in text.chars() {
        match c {
            '"' if style.quote_as_unicode => unicode(&mut escaped, c),
            '"' => escaped.extend_from_slice(b"\\\""),
            '\\' => escaped.extend_from_slice(b"\\\\"),
            '/' if style.slash => escaped.extend_from_slice(b"\\/"),
            '\n' => escaped.extend_from_slice(b"\\n"),
            '\r' => escaped.extend_from_slice(b"\\r"),
            '\t' => escaped.extend_from_slice(b"\\t"),
            '\u{8}' if style.short_b_and_f => escaped.extend_from_slice(b"\\b"),
            '\u{c}' if style.short_b_and_f => escaped.extend_from_slice(b"\\f"),
            c if (c as u32) < 0x20 => unicode(&mut escaped, c),
            c if style.escaped_ascii.contains(&c) => unicode(&mut escaped, c),
            '\u{2028}' | '\u{2029}' if style.line_separators => unicode(&mut escaped, c),
            c if style.escape_from.is_some_and(|from| c >= from) => unicode(&mut escaped, c),
            c => {
                let mut buffer = [0u8; 4];
                escaped.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
    escaped
}

/// `value` percent-encoded: every byte but RFC 3986's unreserved characters as `%XX`.
pub fn percent_encoded(value: &[u8]) -> Zeroizing<Vec<u8>> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = Zeroizing::new(Vec::with_capacity(value.len() * 3));
    for &byte in value {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(byte);
        } else {
            encoded.extend_from_slice(&[
                b'%',
                HEX[(byte >> 4) as usize],
                HEX[(byte & 15) as usize],
            ]);
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(patterns: &Patterns) -> Vec<String> {
        patterns
            .strings
            .iter()
            .map(|pattern| String::from_utf8(pattern.to_vec()).unwrap())
            .collect()
    }

    fn text(bytes: Zeroizing<Vec<u8>>) -> String {
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn base64_at_each_alignment_is_found_inside_any_longer_encoding() {
        let secret = b"s3cr3t-v4lue?>~";
        for before in 0..6 {
            for after in 0..4 {
                let mut data = vec![b'x'; before];
                data.extend_from_slice(secret);
                data.extend(std::iter::repeat_n(b'y', after));
                let standard = aws_smithy_types::base64::encode(&data);
                let url_safe = standard.replace('+', "-").replace('/', "_");
                let form = text(base64_at_alignment(secret, before % 3));
                assert!(form.len() >= 16, "{form}");
                assert!(standard.contains(&form), "{standard} lacks {form}");
                let url_form = form.replace('+', "-").replace('/', "_");
                assert!(url_safe.contains(&url_form), "{url_safe} lacks {url_form}");
            }
        }
    }

    #[test]
    fn json_escapes_as_each_encoder_writes_them() {
        let value = "pa<ss>\"wé€🦀/+&'`\u{8}\u{7f}\u{2028}\\";
        let forms: Vec<String> = JSON_STYLES
            .iter()
            .map(|style| text(json_escaped(value, style)))
            .collect();
        assert_eq!(
            forms[0],
            serde_json::to_string(value).unwrap().trim_matches('"')
        );
        let expected = [
            // Node, serde_json
            "pa<ss>\\\"wé€🦀/+&'`\\b\u{7f}\u{2028}\\\\",
            // Go 1.22+
            "pa\\u003css\\u003e\\\"wé€🦀/+\\u0026'`\\b\u{7f}\\u2028\\\\",
            // Go 1.21-
            "pa\\u003css\\u003e\\\"wé€🦀/+\\u0026'`\\u0008\u{7f}\\u2028\\\\",
            // Python
            "pa<ss>\\\"w\\u00e9\\u20ac\\ud83e\\udd80/+&'`\\b\\u007f\\u2028\\\\",
            // PHP
            "pa<ss>\\\"w\\u00e9\\u20ac\\ud83e\\udd80\\/+&'`\\b\u{7f}\\u2028\\\\",
            // .NET
            "pa\\u003Css\\u003E\\u0022w\\u00E9\\u20AC\\uD83E\\uDD80/\\u002B\\u0026\\u0027\\u0060\\b\\u007F\\u2028\\\\",
        ];
        assert_eq!(forms, expected);
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(
            text(percent_encoded(b"a b/c?d=e&f~g.h-i_j%")),
            "a%20b%2Fc%3Fd%3De%26f~g.h-i_j%25"
        );
        assert_eq!(text(percent_encoded("é".as_bytes())), "%C3%A9");
    }

    #[test]
    fn every_form_of_every_value_and_line_is_masked() {
        let patterns = strings(&mask_patterns(
            ["pass word/1", "line-one-x\r\nline-two-y"],
            8,
        ));
        for expected in [
            "pass word/1",
            "pass%20word%2F1",
            "line-one-x",
            "line-two-y",
            r"line-one-x\r\nline-two-y",
            "line-one-x%0D%0Aline-two-y",
        ] {
            assert!(
                patterns.contains(&expected.to_owned()),
                "{expected} in {patterns:?}"
            );
        }
        let base64 = aws_smithy_types::base64::encode("pass word/1");
        assert!(
            patterns
                .iter()
                .any(|pattern| base64.starts_with(pattern.as_str()))
        );
        assert!(
            !patterns.iter().any(|pattern| pattern.contains('\n')),
            "{patterns:?}"
        );
    }

    #[test]
    fn the_minimum_length_applies_to_the_value_and_to_each_form() {
        assert!(mask_patterns(["true", "5432", "seven77"], 8).is_empty());
        let patterns = strings(&mask_patterns(["eight888"], 8));
        assert!(patterns.contains(&"eight888".to_owned()));
        assert!(
            patterns.iter().all(|pattern| pattern.chars().count() >= 8),
            "{patterns:?}"
        );
        assert_eq!(
            mask_patterns(["eight888", "ünïcödé!"], 8).strings[0].len(),
            8
        );
    }
}
