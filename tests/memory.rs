//! Secret values are wiped from memory when dropped: a global allocator watches every block
//! freed while a secret goes through naming, flattening and every output format, and fails the
//! test if one still holds the value. (Its own binary: the allocator watches the whole process.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use awssecrets::output::{self, Format};
use awssecrets::secret::{
    FetchedSecret, Layer, NamingOptions, SecretPayload, SecretValue, merge_layers, secret_variables,
};
use awssecrets::spec::SecretSpec;

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
    let _turn = TURN.lock().unwrap();
    let canary = canary();
    // Plain, escaped, nested, in an array, multi-line, quoted: every path the value can take.
    let json = format!(
        r#"{{"plain":"{canary}","escaped":"\"{canary}\"\\n\u00e9","nested":{{"deeper":{{"key":"{canary}"}}}},"list":[ "{canary}", 1 ],"multi":"a\n{canary}\nb","quote":"it's {canary}","percent":"100% {canary}"}}"#
    );
    let mut text = String::with_capacity(json.len());
    text.push_str(&json);
    drop(json);
    let spec = SecretSpec::parse("ci/app").unwrap();
    let selected = SecretSpec::parse("ci/app#plain,multi").unwrap();

    let before = UNWIPED.load(Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    {
        let secret = FetchedSecret {
            name: "ci/app".into(),
            payload: SecretPayload::Text(SecretValue::new(text)),
        };
        let mut warnings = Vec::new();
        let all =
            secret_variables(&spec, &secret, &NamingOptions::default(), &mut warnings).unwrap();
        let some = secret_variables(
            &selected,
            &secret,
            &NamingOptions {
                uppercase: true,
                ..NamingOptions::default()
            },
            &mut warnings,
        )
        .unwrap();
        let merged = merge_layers(
            vec![
                Layer {
                    origin: "secret ci/app".into(),
                    variables: all,
                },
                Layer {
                    origin: "secret ci/app#".into(),
                    variables: some,
                },
            ],
            &mut warnings,
        );
        let single_line: Vec<_> = merged
            .iter()
            .filter(|variable| !variable.value.expose().contains('\n'))
            .cloned()
            .collect();
        for format in [Format::Dotenv, Format::Shell, Format::Json] {
            let rendered = output::render(format, &merged, &mut warnings).unwrap();
            assert!(
                rendered
                    .windows(CANARY.len())
                    .any(|window| window == CANARY)
            );
        }
        output::render(Format::Env, &single_line, &mut warnings).unwrap();
        let github = output::render_github(&merged, &mut output::random_github_delimiter).unwrap();
        assert!(!github.masks.is_empty() && !github.env.is_empty());
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
    let _turn = TURN.lock().unwrap();
    let before = UNWIPED.load(Ordering::SeqCst);
    let copy = canary().to_owned();
    ARMED.store(true, Ordering::SeqCst);
    drop(copy);
    ARMED.store(false, Ordering::SeqCst);
    assert!(UNWIPED.load(Ordering::SeqCst) > before);
}
