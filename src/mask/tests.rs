//! The streaming masker: values split anywhere, held back only as long as needed, overlaps,
//! encoded forms, and bounded work and memory on adversarial streams.

use super::*;

fn masker(values: &[&str]) -> Masker {
    Masker::new(&mask_patterns(values.iter().copied(), 1))
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
    for line in ["-----BEGIN KEY-----", "secretline", "-----END KEY-----"] {
        assert!(
            patterns
                .strings
                .iter()
                .any(|pattern| pattern.as_slice() == line.as_bytes())
        );
    }
    let mut masker = Masker::new(&patterns);
    assert_eq!(
        run(&mut masker, &[b"key: -----BEGIN KEY-----\nsecretline\n"]).concat(),
        "key: ***\n***\n"
    );
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
    let mut masker = Masker::new(&Patterns::default());
    assert_eq!(
        run(&mut masker, &[b"anything", b" at all"]),
        vec!["anything", " at all", ""]
    );
}

#[test]
fn every_encoded_form_a_child_prints_is_masked() {
    let value = "p@ss \"w0rd\"/é";
    let mut masker = Masker::new(&mask_patterns([value], 8));
    let json = serde_json::to_string(value).unwrap();
    let base64 = aws_smithy_types::base64::encode(format!("user:{value}"));
    let url_safe = aws_smithy_types::base64::encode(value)
        .replace('+', "-")
        .replace('/', "_");
    let percent = "p%40ss%20%22w0rd%22%2F%C3%A9";
    let stream = format!("{json}\n{base64}\n{url_safe}\n{percent}\n");
    let outputs = run(&mut masker, &[stream.as_bytes()]).concat();
    assert!(!outputs.contains("w0rd"), "{outputs}");
    assert!(!outputs.contains(&percent[4..]), "{outputs}");
    assert_eq!(outputs.lines().count(), 4);
    for line in outputs.lines() {
        assert!(line.contains("***"), "{line} unmasked in {outputs}");
    }
}

/// The masked stream as one read, masked by brute force: every occurrence of every pattern,
/// overlapping ones merged.
fn reference(patterns: &Patterns, stream: &[u8]) -> Vec<u8> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for pattern in &patterns.strings {
        for start in 0..stream.len() {
            if stream[start..].starts_with(pattern) {
                ranges.push((start, start + pattern.len()));
            }
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = Vec::new();
    let mut at = 0;
    for (start, end) in merged {
        out.extend_from_slice(&stream[at..start]);
        out.extend_from_slice(MASK);
        at = end;
    }
    out.extend_from_slice(&stream[at..]);
    out
}

#[test]
fn streaming_agrees_with_masking_the_whole_stream_at_once() {
    let cases: &[(&[&str], &str)] = &[
        (&["abcd", "cdxy"], "-abcdxy-abcd-cdxy-abcdcdxy"),
        (&["abc", "abcdef", "cde"], "abcdefabcde"),
        (&["aaaa"], "aaaaaaaaa-aaa-aaaa"),
        (&["ab", "bXcdY", "cd"], "abXcdYab"),
        (&["hunter2"], "hunhunter2hunter2hunte"),
    ];
    for (values, stream) in cases {
        let patterns = mask_patterns(values.iter().copied(), 1);
        let expected = reference(&patterns, stream.as_bytes());
        for size in 1..=stream.len() {
            let mut masker = Masker::new(&patterns);
            let mut out = Vec::new();
            for chunk in stream.as_bytes().chunks(size) {
                masker.feed(chunk, &mut out);
            }
            masker.finish(&mut out);
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&expected),
                "{values:?} in {stream:?} read {size} bytes at a time"
            );
        }
    }
}

#[test]
fn runs_of_a_value_hold_nothing_and_make_one_region() {
    let patterns = mask_patterns(["AAAAAAAA"], 8);
    let mut masker = Masker::new(&patterns);
    let chunk = vec![b'A'; 64 * 1024];
    let mut out = Vec::new();
    for _ in 0..128 {
        masker.feed(&chunk, &mut out);
        assert!(masker.held.len() <= 8, "{} bytes held", masker.held.len());
        assert!(masker.regions.len() <= 1);
    }
    masker.finish(&mut out);
    assert_eq!(out, MASK, "one run, one mask");
}

#[test]
fn a_line_break_releases_everything_before_it() {
    let mut masker = Masker::new(&mask_patterns(["secret-value"], 8));
    let mut out = Vec::new();
    masker.feed(b"secret-val", &mut out);
    assert!(out.is_empty());
    masker.feed(b"\n", &mut out);
    assert_eq!(out, b"secret-val\n");
}

proptest::proptest! {
    #[test]
    fn any_values_any_stream_any_cuts_agree_with_the_whole_stream_at_once(
        values in proptest::collection::vec("[abc]{1,6}", 1..4),
        stream in "[abc\n]{0,80}",
        cuts in proptest::collection::vec(0usize..81, 0..8),
    ) {
        let patterns = mask_patterns(values.iter().map(String::as_str), 1);
        let expected = reference(&patterns, stream.as_bytes());
        let mut points: Vec<usize> = cuts.into_iter().map(|cut| cut.min(stream.len())).collect();
        points.sort_unstable();
        let mut masker = Masker::new(&patterns);
        let mut out = Vec::new();
        let mut start = 0;
        for point in points.into_iter().chain([stream.len()]) {
            masker.feed(&stream.as_bytes()[start..point], &mut out);
            start = point;
        }
        masker.finish(&mut out);
        proptest::prop_assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&expected));
    }
}
