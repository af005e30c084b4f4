//! Finding, instead of masking: where in a stream each masked string occurs, by line and
//! column, with the masker's automaton and memory bounded by the longest string. A filter of
//! the strings' first bytes skips the positions where none can start (nearly all of them), and
//! the automaton decides at the others, so that a search goes at the speed of one table
//! lookup per byte, not of a walk through the automaton's tables.

use std::io::{self, Read};

use zeroize::Zeroizing;

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

/// How much of a stream is searched at once (plus the longest string, carried over).
const CHUNK: usize = 256 * 1024;

/// Bits of the start filter's hash: 2^20 bits, 128 KB, at home in a core's cache.
const FILTER_BITS: u32 = 20;

/// The filter: one bit per hash.
type Filter = [u64; 1 << (FILTER_BITS - 6)];

/// The automaton of a set of patterns and the filter of their starts, shared by every stream
/// searched.
pub struct Finder {
    automaton: Option<Automaton>,
    longest: usize,
    /// How many first bytes of every pattern the filter hashes (1 to 4: the shortest's length).
    prefix: usize,
    /// Bit `hash(first prefix bytes)` is set for every pattern.
    filter: Box<Zeroizing<Filter>>,
}

impl Finder {
    /// A finder for `patterns` (none: nothing is ever found).
    pub fn new(patterns: &Patterns) -> Finder {
        let strings = &patterns.strings;
        let prefix = strings
            .iter()
            .map(|s| s.len())
            .min()
            .unwrap_or(1)
            .clamp(1, 4);
        let mut filter: Box<Zeroizing<Filter>> =
            Box::new(Zeroizing::new([0; 1 << (FILTER_BITS - 6)]));
        for string in strings {
            let bit = hash(word(&string[..prefix]));
            filter[bit >> 6] |= 1 << (bit & 63);
        }
        Finder {
            automaton: (!patterns.is_empty()).then(|| Automaton::new(strings)),
            longest: strings.iter().map(|s| s.len()).max().unwrap_or(0),
            prefix,
            filter,
        }
    }

    /// A buffer for [`Finder::search`], wiped when dropped: one serves every stream searched
    /// in turn (a scan of many small files does not make and wipe one each).
    pub fn buffer(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(vec![0u8; CHUNK + self.longest])
    }

    /// Searches `reader` to its end through `buffer` (from [`Finder::buffer`]), telling `found`
    /// each occurrence in stream order (one overlapping the last one told is the same
    /// finding); returns the bytes read.
    pub fn search(
        &self,
        reader: &mut dyn Read,
        buffer: &mut [u8],
        found: &mut dyn FnMut(Found),
    ) -> io::Result<u64> {
        let keep = self.longest.saturating_sub(1);
        assert!(buffer.len() > keep, "a buffer from Finder::buffer");
        let mut lines = Lines::new();
        let mut carried = 0;
        let mut base = 0u64;
        let mut last_end = 0u64;
        loop {
            let read = loop {
                match reader.read(&mut buffer[carried..]) {
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            let end = carried + read;
            // A start is searched once the bytes a string from it could span are at hand.
            let limit = if read == 0 {
                end
            } else {
                end.saturating_sub(keep)
            };
            let window = &buffer[..end];
            let mut start = 0;
            while let Some((at, pattern, length)) = self.next_start(window, start, limit) {
                start = at + 1;
                let begin = base + at as u64;
                if begin < last_end {
                    continue;
                }
                last_end = begin + length as u64;
                lines.advance(window, base, begin);
                found(Found {
                    pattern,
                    line: lines.line,
                    column: begin - lines.line_start + 1,
                });
            }
            lines.advance(window, base, base + limit as u64);
            if read == 0 {
                return Ok(base + end as u64);
            }
            buffer.copy_within(limit..end, 0);
            base += limit as u64;
            carried = end - limit;
        }
    }

    /// The first position from `from` (before `limit`) where a pattern starts in `window`, and
    /// the longest one starting there (its index and length).
    fn next_start(
        &self,
        window: &[u8],
        from: usize,
        limit: usize,
    ) -> Option<(usize, usize, usize)> {
        let automaton = self.automaton.as_ref()?;
        let prefix = self.prefix;
        let filter: &Filter = &self.filter;
        // The hot loop: one load, one multiply, one bit test per position, four bytes at a
        // time for the usual patterns (shorter ones hash fewer).
        let hashed = limit
            .min((window.len() + 1).saturating_sub(prefix))
            .max(from);
        let hashable = if hashed > from {
            &window[from..hashed + prefix - 1]
        } else {
            &[]
        };
        let mut candidates = hashable
            .windows(prefix)
            .enumerate()
            .filter(|(_, first)| {
                let bit = hash(word(first));
                filter[bit >> 6] & (1 << (bit & 63)) != 0
            })
            .map(|(offset, _)| from + offset)
            // Where fewer bytes are left than the filter hashes (the stream's last ones), the
            // automaton decides alone.
            .chain(hashed..limit);
        candidates.find_map(|at| {
            self.longest_from(automaton, &window[at..])
                .map(|(pattern, length)| (at, pattern, length))
        })
    }

    /// The longest pattern `bytes` start with (its index and length), by the automaton: walked
    /// from its start until no pattern begun at the first byte can still match.
    fn longest_from(&self, automaton: &Automaton, bytes: &[u8]) -> Option<(usize, usize)> {
        let mut state = START;
        let mut longest = None;
        for (index, &byte) in bytes.iter().take(self.longest).enumerate() {
            let matches;
            (state, matches) = automaton.next(state, byte);
            let walked = index + 1;
            if automaton.depth(state) < walked {
                break;
            }
            if matches && automaton.longest_match(state) == walked {
                longest = Some((automaton.longest_pattern(state), walked));
            }
        }
        longest
    }
}

/// Up to four first bytes as a number.
#[inline(always)]
fn word(first: &[u8]) -> u32 {
    match *first {
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
        _ => first
            .iter()
            .rev()
            .fold(0, |word, &byte| (word << 8) | u32::from(byte)),
    }
}

/// The filter's bit for a pattern's (or a position's) first bytes.
#[inline(always)]
fn hash(word: u32) -> usize {
    (word.wrapping_mul(0x9E37_79B1) >> (32 - FILTER_BITS)) as usize
}

/// Line feeds counted so far: lazily, up to each finding (and each chunk's end), since most
/// chunks hold none and counting a stretch at once is what the CPU does fastest.
struct Lines {
    /// The stream offset counted up to.
    counted: u64,
    line: u64,
    line_start: u64,
}

impl Lines {
    fn new() -> Lines {
        Lines {
            counted: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// Counts up to stream offset `to`, in `window`, which starts at stream offset `base`.
    fn advance(&mut self, window: &[u8], base: u64, to: u64) {
        if to <= self.counted {
            return;
        }
        let stretch = &window[(self.counted - base) as usize..(to - base) as usize];
        if let Some(last) = memchr::memrchr(b'\n', stretch) {
            self.line += memchr::memchr_iter(b'\n', stretch).count() as u64;
            self.line_start = self.counted + last as u64 + 1;
        }
        self.counted = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::{Form, mask_patterns};

    /// Hands out the stream in the given pieces, as a pipe or a decompressor would.
    struct Pieces<'a>(std::collections::VecDeque<&'a [u8]>);

    impl Read for Pieces<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            let Some(piece) = self.0.pop_front() else {
                return Ok(0);
            };
            let taken = piece.len().min(buffer.len());
            buffer[..taken].copy_from_slice(&piece[..taken]);
            if taken < piece.len() {
                self.0.push_front(&piece[taken..]);
            }
            Ok(taken)
        }
    }

    fn find(values: &[&str], min_length: usize, chunks: &[&[u8]]) -> Vec<(u64, u64, String, Form)> {
        let patterns = mask_patterns(values.iter().copied(), min_length);
        let finder = Finder::new(&patterns);
        let mut found = Vec::new();
        // An empty read is the end of a stream: empty pieces are not handed out.
        let mut reader = Pieces(chunks.iter().copied().filter(|c| !c.is_empty()).collect());
        let total = finder
            .search(&mut reader, &mut finder.buffer(), &mut |one: Found| {
                let (value, form) = patterns.origin(one.pattern);
                found.push((one.line, one.column, values[value].to_owned(), form));
            })
            .unwrap();
        assert_eq!(total, chunks.iter().map(|c| c.len() as u64).sum::<u64>());
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
        let found = find(&[value], 8, &[text.as_bytes()]);
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
    fn an_occurrence_split_across_reads_is_found_once_where_it_starts() {
        let text = b"aaa\nbbb s3cret-value ccc\n";
        for split in 0..text.len() {
            let (first, second) = text.split_at(split);
            let found = find(&["s3cret-value"], 8, &[first, second]);
            assert_eq!(found.len(), 1, "split at {split}: {found:?}");
            assert_eq!((found[0].0, found[0].1), (2, 5), "split at {split}");
        }
        let bytes: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(find(&["s3cret-value"], 8, &bytes).len(), 1);
    }

    #[test]
    fn across_many_chunks_lines_and_columns_stay_right() {
        let mut text = Vec::new();
        for line in 0..50_000 {
            text.extend_from_slice(format!("line {line} of filler text\n").as_bytes());
        }
        text.extend_from_slice(b"xx s3cret-value\n");
        let found = find(&["s3cret-value"], 8, &[&text]);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (50_001, 4));
    }

    #[test]
    fn short_patterns_and_the_longest_at_a_start() {
        // Patterns shorter than the filter's four bytes, and one a prefix of another.
        let found = find(&["ab", "abcd"], 1, &[b"xabcdx ab\n"]);
        let shown: Vec<(u64, u64, String)> =
            found.iter().map(|f| (f.0, f.1, f.2.clone())).collect();
        assert_eq!(shown, vec![(1, 2, "abcd".into()), (1, 8, "ab".into())]);
    }

    #[test]
    fn overlapping_occurrences_are_one_finding_and_clean_text_none() {
        assert_eq!(find(&["AAAAAAAA"], 8, &[b"AAAAAAAAAAA\n"]).len(), 1);
        assert!(find(&["s3cret-value"], 8, &[b"nothing to see\n"]).is_empty());
        assert!(find(&[], 8, &[b"no values at all\n"]).is_empty());
    }
}
