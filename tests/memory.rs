//! Secret values are wiped from memory when dropped: a global allocator watches every block
//! freed while a secret goes through naming, flattening, every output format and the masker,
//! and fails the test if one still holds the value. (Its own binary: the allocator watches the
//! whole process.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use awssecrets::mask::{Masker, mask_patterns};
use awssecrets::model::{Entry, Layer, Origin, Payload, SecretValue, merge_layers};
use awssecrets::naming::{NamingOptions, Shape, variables};
use awssecrets::render::{self, Format};

const CANARY: &[u8] = b"wipe-canary-93c1";

/// Counts freed blocks that still hold [`CANARY`] while armed.
struct Watch;

static ARMED: AtomicBool = AtomicBool::new(false);
/// The tests arm one global watch: they take turns (cargo test runs them on threads).
static TURN: Mutex<()> = Mutex::new(());
static UNWIPED: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) {
            // SAFETY: the block is still allocated and `layout.size()` bytes long.
            let block = unsafe { std::slice::from_raw_parts(pointer, layout.size()) };
            if block.windows(CANARY.len()).any(|window| window == CANARY) {
                UNWIPED.fetch_add(1, Ordering::SeqCst);
            }
        }
        // Every block is zeroed once checked: a stale copy freed while disarmed (the test
        // building its fixture, the detector's own test) must not be found again in a block
        // that is reused, and later freed, while armed.
        // SAFETY: as above; the block is ours until System.dealloc.
        unsafe { std::ptr::write_bytes(pointer, 0, layout.size()) };
        unsafe { System.dealloc(pointer, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watch = Watch;

fn canary() -> &'static str {
    std::str::from_utf8(CANARY).unwrap()
}

#[test]
fn no_freed_block_holds_a_secret_value() {
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let canary = canary();
    // Plain, escaped, nested, in an array, multi-line, quoted: every path the value can take.
    let json = format!(
        r#"{{"plain":"{canary}","escaped":"\"{canary}\"\\n\u00e9","nested":{{"deeper":{{"key":"{canary}"}}}},"list":[ "{canary}", 1 ],"multi":"a\n{canary}\nb","quote":"it's {canary}","percent":"100% {canary}"}}"#
    );
    let mut text = String::with_capacity(json.len());
    text.push_str(&json);
    drop(json);
    let every_key = Shape::default();
    let two_keys = Shape {
        alias: None,
        keys: Some(vec!["plain".into(), "multi".into()]),
    };

    let before = UNWIPED.load(Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    {
        let entry = Entry {
            subject: "secret ci/app".into(),
            name: "ci/app".into(),
            stem: "ci/app".into(),
            relative: false,
            found_by_listing: false,
            payload: Payload::Text(SecretValue::new(text)),
            region: "eu-west-1".into(),
            elapsed: std::time::Duration::ZERO,
        };
        let mut warnings = Vec::new();
        let all = variables(&entry, &every_key, &NamingOptions::default(), &mut warnings).unwrap();
        let some = variables(
            &entry,
            &two_keys,
            &NamingOptions {
                uppercase: true,
                ..NamingOptions::default()
            },
            &mut warnings,
        )
        .unwrap();
        // Names that differ only in case, which github-output refuses, are in one layer only.
        let one_case = all.clone();
        let merged = merge_layers(vec![
            Layer {
                origin: Origin::of_spec("secret ci/app", "ci/app"),
                variables: all,
            },
            Layer {
                origin: Origin::of_spec("secret ci/app", "ci/app#"),
                variables: some,
            },
        ])
        .variables;
        let single_line: Vec<_> = merged
            .iter()
            .filter(|variable| !variable.value.expose().contains('\n'))
            .cloned()
            .collect();
        // Every format, on every value, and on the values each one can carry.
        for format in Format::ALL {
            let mut rendered_any = false;
            for set in [&merged, &single_line, &one_case] {
                if let Ok(rendered) = render::render(
                    format,
                    set,
                    &render::Options::default(),
                    &mut warnings,
                    &mut render::random_delimiter,
                ) {
                    let holds_canary =
                        |bytes: &[u8]| bytes.windows(CANARY.len()).any(|window| window == CANARY);
                    assert!(holds_canary(&rendered.body) || holds_canary(&rendered.commands));
                    rendered_any = true;
                }
            }
            assert!(rendered_any, "{format:?} rendered nothing");
        }
    }
    ARMED.store(false, Ordering::SeqCst);
    assert_eq!(
        UNWIPED.load(Ordering::SeqCst),
        before,
        "freed memory still held a secret value"
    );
}

#[test]
fn the_watch_sees_an_unwiped_copy() {
    // The detector itself works: a plain String is freed unwiped.
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let before = UNWIPED.load(Ordering::SeqCst);
    let copy = canary().to_owned();
    ARMED.store(true, Ordering::SeqCst);
    drop(copy);
    ARMED.store(false, Ordering::SeqCst);
    assert!(UNWIPED.load(Ordering::SeqCst) > before);
}

#[test]
fn masking_leaves_no_copy_of_a_value_behind() {
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let canary = canary();
    // The stream a child would print: the value plain, split across reads, JSON-escaped, in
    // base64, on several lines. Built at its full size up front (no reallocation copies).
    let mut stream = String::with_capacity(4096);
    for _ in 0..3 {
        stream.push_str("log line before ");
        stream.push_str(canary);
        stream.push_str(" and \"");
        stream.push_str(canary);
        stream.push_str("\\n\" after\n");
    }
    let multi_line = format!("first {canary}\nsecond {canary}\n");

    let before = UNWIPED.load(Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    {
        let patterns = mask_patterns([canary, multi_line.as_str()], 8);
        let mut out = zeroize::Zeroizing::new(Vec::with_capacity(stream.len() * 3 + 64));
        for masker_input in [1usize, 7, 64, 4096] {
            let mut masker = Masker::new(&patterns);
            for chunk in stream.as_bytes().chunks(masker_input) {
                masker.feed(chunk, &mut out);
            }
            masker.finish(&mut out);
            assert!(!out.windows(CANARY.len()).any(|window| window == CANARY));
            out.clear();
        }
    }
    ARMED.store(false, Ordering::SeqCst);
    let unwiped = UNWIPED.load(Ordering::SeqCst) - before;
    // The test's own inputs are wiped after the check, so that they cannot count.
    zeroize::Zeroize::zeroize(&mut stream);
    assert_eq!(unwiped, 0, "freed memory still held a secret value");
}

#[test]
fn reading_an_env_file_leaves_no_copy_of_a_value_behind() {
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let canary = canary();
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("vars.env");
    let mut text = String::with_capacity(1024);
    for (name, quoted) in [("A", "'"), ("B", "\"")] {
        text.push_str(name);
        text.push('=');
        text.push_str(quoted);
        text.push_str("line one ");
        text.push_str(canary);
        text.push_str("\nline two");
        text.push_str(quoted);
        text.push('\n');
    }
    text.push_str("C='it'\\''s ");
    text.push_str(canary);
    text.push_str("'\nD=plain-");
    text.push_str(canary);
    text.push('\n');
    std::fs::write(&path, &text).unwrap();
    zeroize::Zeroize::zeroize(&mut text);

    let before = UNWIPED.load(Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    {
        let layer = awssecrets::source::env_file::read(&path).unwrap();
        assert_eq!(layer.variables.len(), 4);
        assert!(
            layer
                .variables
                .iter()
                .all(|variable| variable.value.expose().contains(canary))
        );
    }
    ARMED.store(false, Ordering::SeqCst);
    assert_eq!(
        UNWIPED.load(Ordering::SeqCst),
        before,
        "freed memory still held a secret value"
    );
}
