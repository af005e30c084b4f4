//! The masker under load: 64 MB of adversarial output (runs of a value, values overlapping,
//! fed one byte per write) and 64 MB of ordinary log output (64 KB reads), through the same
//! `Masker` that `exec --mask` uses. Each scenario runs in a process of its own, so that its
//! peak RSS is its own; nothing holds the 64 MB at once (input is generated chunk by chunk,
//! output is counted and dropped).
//!
//!   cargo bench --bench masker            every scenario, a table on stdout, targets checked
//!   cargo bench --bench masker -- NAME    one scenario (what the table runs)

use std::process::Command;
use std::time::Instant;

use awssecrets::mask::{Masker, mask_patterns};

const TOTAL: usize = 64 * 1024 * 1024;

/// Targets of issue "a masker that cannot be stalled".
const ADVERSARIAL_SECONDS: f64 = 2.0;
const PEAK_RSS_MB: f64 = 32.0;
const ORDINARY_MB_PER_SECOND: f64 = 200.0;

struct Scenario {
    name: &'static str,
    what: &'static str,
    values: &'static [&'static str],
    /// One period of the stream, repeated to 64 MB.
    period: &'static [u8],
    /// Bytes per feed (a child's write).
    feed: usize,
    adversarial: bool,
}

const ORDINARY_LOG: &[u8] = b"2026-12-03T10:22:19Z INFO compiling crate serde v1.0.229 (registry+https://github.com/rust-lang/crates.io-index) in 1.2 s, 42 warnings, cache hit ratio 0.93\n";

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "run-of-a-value",
        what: "value AAAAAAAA, 64 MB of A, one byte per write",
        values: &["AAAAAAAA"],
        period: b"A",
        feed: 1,
        adversarial: true,
    },
    Scenario {
        name: "values-overlapping",
        what: "values abcdabcd, cdabcdab, bcdabcda; 64 MB of abcd, one byte per write",
        values: &["abcdabcd", "cdabcdab", "bcdabcda"],
        period: b"abcd",
        feed: 1,
        adversarial: true,
    },
    Scenario {
        name: "near-misses",
        what: "value s3cr3t-v4lue-9a7c; 64 MB of its every prefix, one byte per write",
        values: &["s3cr3t-v4lue-9a7c"],
        period:
            b"ss3s3cs3crs3cr3s3cr3ts3cr3t-s3cr3t-vs3cr3t-v4s3cr3t-v4ls3cr3t-v4lus3cr3t-v4lue-9a7",
        feed: 1,
        adversarial: true,
    },
    Scenario {
        name: "ordinary",
        what: "20 values (each with its encoded forms), 64 MB of build log, 64 KB reads",
        values: &[
            "npm_0123456789abcdefghij",
            "ghp_aBcDeFgHiJkLmNoPqRsT",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "postgres://ci:hunter2@db:5432/app",
            "xoxb-1234-5678-abcdefgh",
            "s3cr3t-v4lue-9a7c",
            "correct horse battery staple",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "glpat-AbCdEfGhIjKlMnOpQrSt",
            "sk_live_0123456789abcdef",
            "dckr_pat_0123456789abcdef",
            "AIzaSyA-0123456789abcdefg",
            "pypi-AgEIcHlwaS5vcmcCJGQ",
            "hf_AbCdEfGhIjKlMnOpQrStUv",
            "rk_live_abcdefghij012345",
            "SG.abcdefghij.0123456789",
            "EAACEdEose0cBA0123456789",
            "sq0atp-0123456789abcdefg",
            "key-0123456789abcdef0123",
        ],
        period: ORDINARY_LOG,
        feed: 64 * 1024,
        adversarial: false,
    },
];

/// Peak resident set size of this process, in MB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Runs one scenario here; prints `seconds peak_rss_mb masked_bytes_out`.
fn run(scenario: &Scenario) {
    let patterns = mask_patterns(scenario.values.iter().copied(), 8);
    let mut masker = Masker::new(&patterns);
    // A 64 KB buffer of whole periods, fed `feed` bytes at a time.
    let block: Vec<u8> = scenario
        .period
        .iter()
        .copied()
        .cycle()
        .take((64 * 1024 / scenario.period.len()).max(1) * scenario.period.len())
        .collect();
    let mut out = Vec::with_capacity(3 * 64 * 1024 + 1024);
    let mut written = 0usize;
    let mut fed = 0usize;
    let started = Instant::now();
    while fed < TOTAL {
        for piece in block.chunks(scenario.feed) {
            masker.feed(piece, &mut out);
            written += out.len();
            out.clear();
        }
        fed += block.len();
    }
    masker.finish(&mut out);
    written += out.len();
    let seconds = started.elapsed().as_secs_f64();
    println!("{seconds:.3} {:.1} {written}", peak_rss_mb());
}

fn main() {
    let arguments: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--bench")
        .collect();
    if let Some(name) = arguments.first() {
        let scenario = SCENARIOS
            .iter()
            .find(|scenario| scenario.name == name)
            .unwrap_or_else(|| panic!("no scenario {name}"));
        run(scenario);
        return;
    }
    let this = std::env::current_exe().unwrap();
    let mut report = format!(
        "Measured {} on {}, {} cores, with `cargo bench --bench masker` (this file is written \
         by it).\n\n| scenario | what | time | throughput | peak RSS | target | met |\n| --- | \
         --- | ---: | ---: | ---: | --- | --- |\n",
        today(),
        cpu_model(),
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    let mut all_met = true;
    for scenario in SCENARIOS {
        let output = Command::new(&this).arg(scenario.name).output().unwrap();
        let line = String::from_utf8_lossy(&output.stdout);
        let fields: Vec<f64> = line
            .split_whitespace()
            .filter_map(|field| field.parse().ok())
            .collect();
        let (seconds, rss) = (fields[0], fields[1]);
        let throughput = TOTAL as f64 / (1024.0 * 1024.0) / seconds;
        let (target, met) = if scenario.adversarial {
            (
                format!("≤ {ADVERSARIAL_SECONDS} s, ≤ {PEAK_RSS_MB} MB"),
                seconds <= ADVERSARIAL_SECONDS && rss <= PEAK_RSS_MB,
            )
        } else {
            (
                format!("≥ {ORDINARY_MB_PER_SECOND} MB/s, ≤ {PEAK_RSS_MB} MB"),
                throughput >= ORDINARY_MB_PER_SECOND && rss <= PEAK_RSS_MB,
            )
        };
        all_met &= met;
        report.push_str(&format!(
            "| {} | {} | {seconds:.2} s | {throughput:.0} MB/s | {rss:.1} MB | {target} | {} |\n",
            scenario.name,
            scenario.what,
            if met { "yes" } else { "**no**" }
        ));
    }
    print!("{report}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/masker.md");
    std::fs::write(&path, &report).unwrap();
    if !all_met {
        std::process::exit(1);
    }
}

/// Today's date (UTC), `2026-12-07`.
fn today() -> String {
    let output = Command::new("date").args(["-u", "+%F"]).output().unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The processor's model name, as /proc/cpuinfo gives it.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or_else(
            || "an unknown processor".to_owned(),
            |(_, name)| name.trim().to_owned(),
        )
}
