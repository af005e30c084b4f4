//! The layering rule of `src/lib.rs`, enforced: a module uses only modules of lower layers.
//! The table in lib.rs's documentation is the single statement of the rule; this test reads it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn source_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Module name -> layer, from the `| layer | modules | ... |` table of lib.rs.
fn layers() -> BTreeMap<String, u32> {
    let library = std::fs::read_to_string(source_root().join("lib.rs")).unwrap();
    let mut layers = BTreeMap::new();
    for line in library.lines() {
        let Some(row) = line.strip_prefix("//! |") else {
            continue;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Ok(layer) = cells[0].parse::<u32>() else {
            continue;
        };
        for module in cells[1].split(',') {
            let module = module.trim().trim_matches('`');
            assert!(!module.is_empty(), "empty module in lib.rs row {line:?}");
            layers.insert(module.to_owned(), layer);
        }
    }
    assert!(
        layers.len() >= 8,
        "the layer table of lib.rs was not found: {layers:?}"
    );
    layers
}

fn rust_files(directory: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/aws/session.rs` -> `aws`).
fn module_of(file: &Path) -> Option<String> {
    let relative = file.strip_prefix(source_root()).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let module = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(module, "main" | "lib")).then(|| module.to_owned())
}

/// Every crate module `text` refers to: `crate::name` and `crate::{a, b::c}`.
fn references(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (index, _) in text.match_indices("crate::") {
        let rest = &text[index + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            found.extend(group.split(',').filter_map(|item| {
                let name = item.trim().split("::").next()?.trim();
                (!name.is_empty()).then(|| name.to_owned())
            }));
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
        }
    }
    found
}

#[test]
fn no_module_uses_one_of_its_own_layer_or_above() {
    let layers = layers();
    let mut files = Vec::new();
    rust_files(&source_root(), &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let Some(module) = module_of(file) else {
            continue;
        };
        let own = *layers
            .get(&module)
            .unwrap_or_else(|| panic!("module {module} is in no layer of src/lib.rs"));
        let text = std::fs::read_to_string(file).unwrap();
        for used in references(&text) {
            if used == module {
                continue;
            }
            let Some(&layer) = layers.get(&used) else {
                violations.push(format!(
                    "{}: uses crate::{used}, which is in no layer",
                    file.display()
                ));
                continue;
            };
            if layer >= own {
                violations.push(format!(
                    "{}: {module} (layer {own}) uses crate::{used} (layer {layer})",
                    file.display()
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layering violations:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_reference_finder_sees_plain_and_grouped_paths() {
    assert_eq!(
        references("use crate::aws::Session;\nuse crate::{model::Entry, error};"),
        vec!["aws", "model", "error"]
    );
}
