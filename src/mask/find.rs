//! Finding, instead of masking: where in a stream each masked string occurs, by line and
//! column, in one pass of the masker's automaton and memory independent of the stream.

use super::automaton::{Automaton, START};
use super::forms::Patterns;

/// One occurrence of a masked string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Which string (its index in the [`Patterns`]; [`Patterns::origin`] tells its value and
    /// form).
    pub pattern: usize,
    /// Its line, from 1.
    pub line: u64,
    /// Its first byte's column in that line, from 1 (bytes, as `grep -b` and compilers count).
    pub column: u64,
}

/// The automaton of a set of patterns, shared by every stream searched.
pub struct Finder {
    automaton: Option<Automaton>,
    lengths: Vec<u32>,
}

impl Finder {
    /// A finder for `patterns` (none: nothing is ever found).
    pub fn new(patterns: &Patterns) -> Finder {
        Finder {
            automaton: (!patterns.is_empty()).then(|| Automaton::new(&patterns.strings)),
            lengths: patterns.strings.iter().map(|s| s.len() as u32).collect(),
        }
    }

    /// A search of one stream.
    pub fn search(&self) -> Search<'_> {
        Search {
            finder: self,
            state: START,
            position: 0,
            line: 1,
            line_start: 0,
            last_end: 0,
        }
    }
}

/// Where a search of one stream stands; feed it the stream's chunks in order.
pub struct Search<'a> {
    finder: &'a Finder,
    state: u32,
    /// Bytes of the stream seen.
    position: u64,
    /// The line the next byte is on, and where that line starts.
    line: u64,
    line_start: u64,
    /// The end of the last occurrence told: one overlapping it is the same finding.
    last_end: u64,
}

impl Search<'_> {
    /// Searches the next chunk of the stream, telling `found` each occurrence that ends in it
    /// (one that starts in an earlier chunk included).
    pub fn feed(&mut self, chunk: &[u8], found: &mut impl FnMut(Found)) {
        let Some(automaton) = &self.finder.automaton else {
            self.count_lines(chunk);
            return;
        };
        let mut state = self.state;
        // Lines are counted lazily, up to here, only when something is found: most chunks
        // hold nothing, and counting a whole chunk at once is what the CPU does fastest.
        let mut counted = 0;
        for (index, &byte) in chunk.iter().enumerate() {
            let matches;
            (state, matches) = automaton.next(state, byte);
            if matches {
                let end = self.position + index as u64 + 1;
                let pattern = automaton.longest_pattern(state);
                let start = end - u64::from(self.finder.lengths[pattern]);
                if start < self.last_end {
                    continue;
                }
                self.last_end = end;
                self.advance_lines(&chunk[counted..=index], self.position + counted as u64);
                counted = index + 1;
                found(Found {
                    pattern,
                    line: self.line,
                    column: start - self.line_start + 1,
                });
            }
        }
        self.state = state;
        self.advance_lines(&chunk[counted..], self.position + counted as u64);
        self.position += chunk.len() as u64;
    }

    fn count_lines(&mut self, chunk: &[u8]) {
        self.advance_lines(chunk, self.position);
        self.position += chunk.len() as u64;
    }

    /// Counts the line feeds of `bytes`, which start at stream offset `offset`.
    fn advance_lines(&mut self, bytes: &[u8], offset: u64) {
        let feeds = bytes.iter().filter(|&&byte| byte == b'\n').count();
        if feeds > 0 {
            self.line += feeds as u64;
            let last = bytes.iter().rposition(|&byte| byte == b'\n').unwrap_or(0);
            self.line_start = offset + last as u64 + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::{Form, mask_patterns};

    fn find(values: &[&str], chunks: &[&[u8]]) -> Vec<(u64, u64, String, Form)> {
        let patterns = mask_patterns(values.iter().copied(), 8);
        let finder = Finder::new(&patterns);
        let mut search = finder.search();
        let mut found = Vec::new();
        for chunk in chunks {
            search.feed(chunk, &mut |one: Found| {
                let (value, form) = patterns.origin(one.pattern);
                found.push((one.line, one.column, values[value].to_owned(), form));
            });
        }
        found
    }

    #[test]
    fn each_form_is_found_at_its_line_and_column() {
        let value = "s3cret-value/+?";
        let base64 = aws_smithy_types::base64::encode(format!("xx{value}yy"));
        let text = format!(
            "first line\n  {value} here\n\"{}\"\nurl=s3cret-value%2F%2B%3F\n{base64}\n",
            serde_json::to_string(value).unwrap().trim_matches('"')
        );
        let found = find(&[value], &[text.as_bytes()]);
        let forms: Vec<(u64, u64, Form)> = found.iter().map(|f| (f.0, f.1, f.3)).collect();
        assert_eq!(forms[0], (2, 3, Form::Value));
        assert_eq!(forms[1].0, 3);
        assert!(
            matches!(forms[1].2, Form::Value | Form::Json(_)),
            "{forms:?}"
        );
        assert_eq!(forms[2], (4, 5, Form::Percent));
        assert_eq!((forms[3].0, forms[3].2), (5, Form::Base64));
        assert_eq!(found.len(), 4, "{found:?}");
    }

    #[test]
    fn an_occurrence_split_across_chunks_is_found_once_where_it_starts() {
        let text = b"aaa\nbbb s3cret-value ccc\n";
        for split in 0..text.len() {
            let (first, second) = text.split_at(split);
            let found = find(&["s3cret-value"], &[first, second]);
            assert_eq!(found.len(), 1, "split at {split}: {found:?}");
            assert_eq!((found[0].0, found[0].1), (2, 5), "split at {split}");
        }
    }

    #[test]
    fn overlapping_occurrences_are_one_finding_and_clean_text_none() {
        assert_eq!(find(&["AAAAAAAA"], &[b"AAAAAAAAAAA\n"]).len(), 1);
        assert!(find(&["s3cret-value"], &[b"nothing to see\n"]).is_empty());
        assert!(find(&[], &[b"no values at all\n"]).is_empty());
    }
}
