//! Pure streaming masker: replaces secret values (and what they turn into, see [`forms`]) in a
//! byte stream with `***`, in time linear in the stream and memory bounded by the longest
//! masked string, whatever the stream holds. Values split across reads are caught; only the
//! end of a line that could still become a value is held back, so complete lines go out at
//! once. The same automaton also finds them ([`Finder`], for `scan`).

mod automaton;
mod find;
mod forms;

use std::collections::VecDeque;

use zeroize::Zeroizing;

use automaton::{Automaton, START};

pub use find::{Finder, Found};
pub use forms::{Form, Patterns, mask_patterns, percent_encoded, variable_patterns};

/// What every masked value is replaced with.
pub const MASK: &[u8] = b"***";

/// Values (and lines of multi-line values) shorter than this many characters are not masked by
/// default, as GitLab does for masked variables: masking `true` or `5432` would mask half a log.
pub const DEFAULT_MIN_LENGTH: usize = 8;

/// A stretch of the stream to replace with one `***`: overlapping matches merge into one.
#[derive(Debug, Clone, Copy)]
struct Region {
    start: u64,
    end: u64,
    /// Whether its `***` has been written (its bytes are then dropped as they come).
    written: bool,
}

/// A masker for one output stream.
pub struct Masker {
    automaton: Option<Automaton>,
    state: u32,
    /// Bytes of the stream seen so far.
    position: u64,
    /// Everything before this position has been written (or dropped inside a region).
    written: u64,
    /// The bytes from `written` to the start of the chunk being fed: held because they may
    /// still become part of a value. Never more than the longest masked string, so never
    /// reallocated.
    held: Zeroizing<Vec<u8>>,
    /// The longest masked string: the most bytes ever held.
    longest: usize,
    /// Regions not yet behind `written`, in stream order, never overlapping.
    regions: VecDeque<Region>,
}

impl Masker {
    /// A masker for `patterns` (none: everything passes through unchanged).
    pub fn new(patterns: &Patterns) -> Masker {
        let longest = patterns
            .strings
            .iter()
            .map(|pattern| pattern.len())
            .max()
            .unwrap_or(0);
        Masker {
            automaton: (!patterns.is_empty()).then(|| Automaton::new(&patterns.strings)),
            state: START,
            position: 0,
            written: 0,
            held: Zeroizing::new(Vec::with_capacity(longest + 1)),
            longest,
            regions: VecDeque::new(),
        }
    }

    /// An output buffer that one [`Masker::feed`] of up to `chunk` bytes, or
    /// [`Masker::finish`], never grows: the held bytes and the chunk, each byte at most three
    /// (`***` for a one-byte value). No reallocation leaves a copy of the output unwiped.
    pub fn output_buffer(&self, chunk: usize) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(Vec::with_capacity(3 * (chunk + self.longest + 1)))
    }

    /// Takes the next chunk read from the stream; appends to `out` everything that can be
    /// written now.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let Some(automaton) = &self.automaton else {
            out.extend_from_slice(chunk);
            return;
        };
        let mut state = self.state;
        for (index, &byte) in chunk.iter().enumerate() {
            let matches;
            (state, matches) = automaton.next(state, byte);
            if matches {
                let end = self.position + index as u64 + 1;
                let found = automaton.longest_match(state) as u64;
                add_region(&mut self.regions, end - found, end);
            }
        }
        self.state = state;
        // No value can start before this: the bytes after it are the only ones held.
        let safe = self.position + chunk.len() as u64 - automaton.depth(state) as u64;
        self.write_until(safe, chunk, out);
    }

    /// The stream ended: appends everything still pending, masked.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.write_until(self.position, &[], out);
        self.state = START;
    }

    /// Writes the stream (the held bytes, then `chunk`) up to `limit`, a point before which no
    /// new match can start: plain bytes as they are, each region whose start is behind `limit`
    /// as one `***` (dropping its bytes, even past `limit`, as they come). Keeps the rest held.
    fn write_until(&mut self, limit: u64, chunk: &[u8], out: &mut Vec<u8>) {
        let chunk_start = self.position;
        let end = chunk_start + chunk.len() as u64;
        let held_start = chunk_start - self.held.len() as u64;
        loop {
            match self.regions.front_mut() {
                Some(region) if region.start <= self.written && region.start < limit => {
                    if !region.written {
                        out.extend_from_slice(MASK);
                        region.written = true;
                    }
                    self.written = region.end.min(end);
                    if region.end <= limit {
                        self.regions.pop_front();
                    } else {
                        // It may still grow: what follows stays held.
                        break;
                    }
                }
                next => {
                    let plain_end = next.map_or(limit, |region| region.start.min(limit));
                    if plain_end <= self.written {
                        break;
                    }
                    // The bytes [written, plain_end), from the held bytes and then the chunk.
                    if self.written < chunk_start {
                        let from = (self.written - held_start) as usize;
                        let to = (plain_end.min(chunk_start) - held_start) as usize;
                        out.extend_from_slice(&self.held[from..to]);
                    }
                    if plain_end > chunk_start {
                        let from = (self.written.max(chunk_start) - chunk_start) as usize;
                        let to = (plain_end - chunk_start) as usize;
                        out.extend_from_slice(&chunk[from..to]);
                    }
                    self.written = plain_end;
                }
            }
        }
        // Hold what is left: the end of the held bytes, then the end of the chunk.
        if self.written >= chunk_start {
            self.held.clear();
            let from = (self.written - chunk_start) as usize;
            self.held.extend_from_slice(&chunk[from..]);
        } else {
            let from = (self.written - held_start) as usize;
            self.held.drain(..from);
            self.held.extend_from_slice(chunk);
        }
        self.position = end;
    }
}

/// Records a match, merging it with the regions it overlaps.
fn add_region(regions: &mut VecDeque<Region>, start: u64, end: u64) {
    let mut region = Region {
        start,
        end,
        written: false,
    };
    while let Some(last) = regions.back() {
        if start >= last.end {
            break;
        }
        region.start = region.start.min(last.start);
        region.written |= last.written;
        regions.pop_back();
    }
    regions.push_back(region);
}

#[cfg(test)]
mod tests;
