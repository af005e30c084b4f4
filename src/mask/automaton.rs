//! An Aho-Corasick automaton over the masked byte strings that also knows, in every state, how
//! long the longest suffix of the input that could still become a match is (the trie depth).
//! That depth is exactly what a streaming masker must hold back; the aho-corasick crate does
//! not expose it, hence this small one. Every table is wiped on drop: together they spell the
//! values.

use zeroize::Zeroizing;

/// A dense DFA over byte classes: one transition per (state, class), no failure links left.
/// A state is named by its row's offset in `transitions` (`index * class_count`), so a step is
/// one addition and one load; [`MATCHES`] marks the states where some pattern ends.
pub struct Automaton {
    /// Byte -> class; class 0 is every byte no pattern holds.
    classes: Zeroizing<[u32; 256]>,
    class_count: usize,
    /// `transitions[state + class]` is the next state (an offset), with [`MATCHES`] when some
    /// pattern ends there.
    transitions: Zeroizing<Vec<u32>>,
    /// By state index: the longest suffix of the input seen that is a prefix of some pattern.
    depth: Zeroizing<Vec<u32>>,
    /// By state index: the length of the longest pattern ending there (0: none).
    longest_match: Zeroizing<Vec<u32>>,
    /// By state index: which pattern that is (its index in the patterns given).
    longest_pattern: Zeroizing<Vec<u32>>,
}

/// The state before any input.
pub const START: u32 = 0;

/// Set on a transition into a state where a pattern ends.
const MATCHES: u32 = 1 << 31;

impl Automaton {
    /// Builds the automaton for non-empty `patterns`.
    pub fn new(patterns: &[Zeroizing<Vec<u8>>]) -> Automaton {
        let mut classes = Zeroizing::new([0u32; 256]);
        let mut class_count = 1usize;
        for pattern in patterns {
            for &byte in pattern.iter() {
                if classes[byte as usize] == 0 {
                    classes[byte as usize] = class_count as u32;
                    class_count += 1;
                }
            }
        }
        // The trie: children per (state, class), 0 meaning none (the root is never a child).
        let mut children: Zeroizing<Vec<u32>> = Zeroizing::new(vec![0; class_count]);
        let mut depth: Zeroizing<Vec<u32>> = Zeroizing::new(vec![0]);
        let mut terminal: Zeroizing<Vec<u32>> = Zeroizing::new(vec![0]);
        let mut terminal_pattern: Zeroizing<Vec<u32>> = Zeroizing::new(vec![0]);
        for (index, pattern) in patterns.iter().enumerate() {
            let mut state = START as usize;
            for &byte in pattern.iter() {
                let slot = state * class_count + classes[byte as usize] as usize;
                if children[slot] == 0 {
                    children[slot] = depth.len() as u32;
                    let child_depth = depth[state] + 1;
                    depth.push(child_depth);
                    terminal.push(0);
                    terminal_pattern.push(0);
                    children.extend(std::iter::repeat_n(0, class_count));
                }
                state = children[slot] as usize;
            }
            if terminal[state] == 0 {
                terminal[state] = pattern.len() as u32;
                terminal_pattern[state] = index as u32;
            }
        }
        // Breadth first: a state's failure is known before its children's.
        let states = depth.len();
        let mut transitions: Zeroizing<Vec<u32>> = Zeroizing::new(vec![0; states * class_count]);
        let mut failure: Zeroizing<Vec<u32>> = Zeroizing::new(vec![0; states]);
        let mut longest_match: Zeroizing<Vec<u32>> = Zeroizing::new(vec![0; states]);
        let mut longest_pattern: Zeroizing<Vec<u32>> = Zeroizing::new(vec![0; states]);
        let mut queue = std::collections::VecDeque::new();
        for class in 0..class_count {
            let child = children[class];
            transitions[class] = child;
            if child != 0 {
                queue.push_back(child as usize);
            }
        }
        while let Some(state) = queue.pop_front() {
            let fail = failure[state] as usize;
            (longest_match[state], longest_pattern[state]) = if terminal[state] != 0 {
                (terminal[state], terminal_pattern[state])
            } else {
                (longest_match[fail], longest_pattern[fail])
            };
            for class in 0..class_count {
                let child = children[state * class_count + class];
                if child == 0 {
                    transitions[state * class_count + class] =
                        transitions[fail * class_count + class];
                } else {
                    transitions[state * class_count + class] = child;
                    failure[child as usize] = transitions[fail * class_count + class];
                    queue.push_back(child as usize);
                }
            }
        }
        // Name states by their row offsets, and flag transitions into matching states.
        for next in transitions.iter_mut() {
            let target = *next as usize;
            *next = (target * class_count) as u32;
            if longest_match[target] != 0 {
                *next |= MATCHES;
            }
        }
        Automaton {
            classes,
            class_count,
            transitions,
            depth,
            longest_match,
            longest_pattern,
        }
    }

    /// The state after `byte`, and whether a pattern ends there.
    #[inline]
    pub fn next(&self, state: u32, byte: u8) -> (u32, bool) {
        let next = self.transitions[(state + self.classes[byte as usize]) as usize];
        (next & !MATCHES, next & MATCHES != 0)
    }

    /// The longest pattern that ends where `state` was reached (0: none).
    pub fn longest_match(&self, state: u32) -> usize {
        self.longest_match[state as usize / self.class_count] as usize
    }

    /// The index of the longest pattern that ends where `state` was reached (meaningful only
    /// where [`Automaton::longest_match`] is not 0).
    pub fn longest_pattern(&self, state: u32) -> usize {
        self.longest_pattern[state as usize / self.class_count] as usize
    }

    /// How many of the last bytes could still be the start of a pattern.
    pub fn depth(&self, state: u32) -> usize {
        self.depth[state as usize / self.class_count] as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn automaton(patterns: &[&str]) -> Automaton {
        let patterns: Vec<Zeroizing<Vec<u8>>> = patterns
            .iter()
            .map(|pattern| Zeroizing::new(pattern.as_bytes().to_vec()))
            .collect();
        Automaton::new(&patterns)
    }

    /// (longest match, depth) after each byte of `input`.
    fn trace(automaton: &Automaton, input: &str) -> Vec<(usize, usize)> {
        let mut state = START;
        input
            .bytes()
            .map(|byte| {
                let matches;
                (state, matches) = automaton.next(state, byte);
                assert_eq!(matches, automaton.longest_match(state) != 0);
                (automaton.longest_match(state), automaton.depth(state))
            })
            .collect()
    }

    #[test]
    fn depth_is_the_longest_suffix_that_may_still_match() {
        let automaton = automaton(&["hunter2"]);
        assert_eq!(
            trace(&automaton, "xhunhunter2y"),
            vec![
                (0, 0),
                (0, 1),
                (0, 2),
                (0, 3),
                (0, 1),
                (0, 2),
                (0, 3),
                (0, 4),
                (0, 5),
                (0, 6),
                (7, 7),
                (0, 0)
            ]
        );
    }

    #[test]
    fn the_longest_of_several_matches_ending_together_is_reported() {
        let automaton = automaton(&["cd", "abcd", "bcd"]);
        assert_eq!(trace(&automaton, "abcd").last(), Some(&(4, 4)));
        let runs = self::automaton(&["AAAA"]);
        assert_eq!(
            trace(&runs, "AAAAAA"),
            vec![(0, 1), (0, 2), (0, 3), (4, 4), (4, 4), (4, 4)]
        );
    }
}
