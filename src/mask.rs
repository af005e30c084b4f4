//! Pure streaming masker: replaces secret values in a byte stream with `***`, catching values
//! split across reads while holding back only what could still become a value.

use aho_corasick::{AhoCorasick, MatchKind};

/// What every masked value is replaced with.
pub const MASK: &[u8] = b"***";

/// Values (and lines of multi-line values) shorter than this many characters are not masked by
/// default, as GitLab does for masked variables: masking `true` or `5432` would mask half a log.
pub const DEFAULT_MIN_LENGTH: usize = 8;

/// The byte strings to mask: each value, or each line of a multi-line value (a masked stream is
/// cut into lines by whoever reads it), when at least `min_length` characters long.
pub fn mask_patterns<'a>(
    values: impl IntoIterator<Item = &'a str>,
    min_length: usize,
) -> Vec<Vec<u8>> {
    let mut patterns: Vec<Vec<u8>> = Vec::new();
    for value in values {
        for line in value.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.chars().count() >= min_length.max(1)
                && !patterns.iter().any(|p| p == line.as_bytes())
            {
                patterns.push(line.as_bytes().to_vec());
            }
        }
    }
    patterns
}

/// A masker for one output stream.
pub struct Masker {
    searcher: Option<AhoCorasick>,
    patterns: Vec<Vec<u8>>,
    /// Bytes read but not yet written: the end of a line that may be the start of a value.
    pending: Vec<u8>,
}

impl Masker {
    /// A masker for `patterns` (none: everything passes through unchanged).
    pub fn new(patterns: Vec<Vec<u8>>) -> Masker {
        let searcher = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .expect("masking patterns are plain byte strings"),
            )
        };
        Masker {
            searcher,
            patterns,
            pending: Vec::new(),
        }
    }

    /// Takes the next chunk read from the stream; appends to `out` everything that can be
    /// written now.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        self.pending.extend_from_slice(chunk);
        let hold = self.possible_value_start();
        self.emit(self.pending.len() - hold, out);
    }

    /// The stream ended: appends everything still pending, masked.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.emit(self.pending.len(), out);
    }

    /// Length of the longest tail of `pending` that is the beginning of some value. Values hold
    /// no line break, so only the tail after the last `\n` can be one: complete lines always go
    /// out at once.
    fn possible_value_start(&self) -> usize {
        let buffer = &self.pending;
        let line_start = buffer
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |index| index + 1);
        let mut hold = 0;
        for pattern in &self.patterns {
            let earliest = line_start.max(buffer.len().saturating_sub(pattern.len() - 1));
            if let Some(start) =
                (earliest..buffer.len()).find(|&start| pattern.starts_with(&buffer[start..]))
            {
                hold = hold.max(buffer.len() - start);
            }
        }
        hold
    }

    /// Writes `pending[..cut]` with every value replaced, keeping the rest pending. A value
    /// that runs past `cut` stays pending whole: it may yet merge with one that overlaps it.
    /// Overlapping values are masked as one.
    fn emit(&mut self, cut: usize, out: &mut Vec<u8>) {
        let ranges = self.masked_ranges();
        let cut = ranges
            .iter()
            .find(|(start, end)| *start < cut && *end > cut)
            .map_or(cut, |(start, _)| *start);
        let mut written = 0;
        for (start, end) in ranges {
            if start >= cut {
                break;
            }
            out.extend_from_slice(&self.pending[written..start]);
            out.extend_from_slice(MASK);
            written = end;
        }
        out.extend_from_slice(&self.pending[written..cut]);
        self.pending.drain(..cut);
    }

    /// Every occurrence of every value in `pending`, overlapping ones merged, in order.
    fn masked_ranges(&self) -> Vec<(usize, usize)> {
        let Some(searcher) = &self.searcher else {
            return Vec::new();
        };
        let mut found: Vec<(usize, usize)> = searcher
            .find_overlapping_iter(&self.pending[..])
            .map(|found| (found.start(), found.end()))
            .collect();
        found.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(found.len());
        for (start, end) in found {
            match merged.last_mut() {
                Some(last) if start < last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masker(values: &[&str]) -> Masker {
        Masker::new(mask_patterns(values.iter().copied(), 1))
    }

    /// Feeds `chunks`, returning what was written after each one and at the end.
    fn run(masker: &mut Masker, chunks: &[&[u8]]) -> Vec<String> {
        let mut outputs = Vec::new();
        for chunk in chunks {
            let mut out = Vec::new();
            masker.feed(chunk, &mut out);
            outputs.push(String::from_utf8_lossy(&out).into_owned());
        }
        let mut out = Vec::new();
        masker.finish(&mut out);
        outputs.push(String::from_utf8_lossy(&out).into_owned());
        outputs
    }

    #[test]
    fn masks_whole_values_in_one_chunk() {
        let mut masker = masker(&["hunter2"]);
        assert_eq!(
            run(&mut masker, &[b"pw=hunter2 ok\n"]),
            vec!["pw=*** ok\n", ""]
        );
    }

    #[test]
    fn catches_values_split_across_reads_byte_by_byte() {
        let mut masker = masker(&["hunter2"]);
        let chunks: Vec<&[u8]> = b"x hunter2 y\n".chunks(1).collect();
        assert_eq!(run(&mut masker, &chunks).concat(), "x *** y\n");
    }

    #[test]
    fn holds_back_only_a_possible_value_start() {
        let mut masker = masker(&["hunter2"]);
        let outputs = run(&mut masker, &[b"line one\nhun", b"gry\n"]);
        assert_eq!(outputs, vec!["line one\n", "hungry\n", ""]);
    }

    #[test]
    fn complete_lines_are_never_held() {
        let mut masker = masker(&["abcdef"]);
        assert_eq!(
            run(&mut masker, &[b"abc\n", b"def\n"]),
            vec!["abc\n", "def\n", ""]
        );
    }

    #[test]
    fn a_prefix_at_the_end_of_the_stream_is_flushed() {
        let mut masker = masker(&["hunter2"]);
        assert_eq!(run(&mut masker, &[b"hunt"]), vec!["", "hunt"]);
    }

    #[test]
    fn each_line_of_a_multi_line_value_is_masked() {
        let patterns = mask_patterns(
            ["-----BEGIN KEY-----\r\nsecretline\r\n-----END KEY-----\n"],
            8,
        );
        assert_eq!(
            patterns,
            vec![
                b"-----BEGIN KEY-----".to_vec(),
                b"secretline".to_vec(),
                b"-----END KEY-----".to_vec()
            ]
        );
        let mut masker = Masker::new(patterns);
        assert_eq!(
            run(&mut masker, &[b"key: -----BEGIN KEY-----\nsecretline\n"]).concat(),
            "key: ***\n***\n"
        );
    }

    #[test]
    fn short_values_are_not_masked() {
        assert!(mask_patterns(["true", "5432", "seven77"], 8).is_empty());
        assert_eq!(mask_patterns(["eight888", "ünïcödé!"], 8).len(), 2);
    }

    #[test]
    fn overlapping_values_are_masked_together() {
        let mut overlapping = masker(&["abcd", "cdxy"]);
        assert_eq!(run(&mut overlapping, &[b"-abcdxy-\n"]).concat(), "-***-\n");
        let mut nested = masker(&["abc", "abcdef"]);
        assert_eq!(run(&mut nested, &[b"abc", b"def!"]).concat(), "***!");
        // The second value's end comes in a later read: it still merges with the first.
        let mut later = masker(&["abcd1234", "1234wxyz"]);
        assert_eq!(run(&mut later, &[b"abcd1234", b"wxyz\n"]).concat(), "***\n");
    }

    #[test]
    fn other_bytes_pass_unchanged() {
        let mut masker = masker(&["secret"]);
        let binary: Vec<u8> = (0..=255u8).chain([0x1b, b'[', b'3', b'1', b'm']).collect();
        let mut out = Vec::new();
        masker.feed(&binary, &mut out);
        masker.finish(&mut out);
        assert_eq!(out, binary);
    }

    #[test]
    fn without_patterns_everything_passes() {
        let mut masker = Masker::new(Vec::new());
        assert_eq!(
            run(&mut masker, &[b"anything", b" at all"]),
            vec!["anything", " at all", ""]
        );
    }
}
