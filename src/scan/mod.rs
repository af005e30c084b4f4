//! `scan`'s edge: files and directories (recursively, symlinks inside them not followed),
//! gzip streams, zip and tar archives (opened by what they hold, not by their names, and
//! inside one another), each searched in one pass with the masker's automaton. Memory does
//! not grow with a file's size: streams are read in chunks (a zip inside an archive is the one
//! thing read whole, up to [`NESTED_ZIP_LIMIT`]).

use std::fs::File;
use std::io::{Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use crate::error::{shown, shown_path};
use crate::mask::{Finder, Found};

/// How big a zip inside another archive may be to be opened (it is read into memory, as a
/// zip's directory is at its end); a bigger one is searched as it is.
pub const NESTED_ZIP_LIMIT: u64 = 256 * 1024 * 1024;

/// How deep archives inside archives are opened.
const NESTING_LIMIT: usize = 8;

/// One occurrence of a value, by where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file, then each archive member inside it: `dist/site.zip!js/app.js`.
    pub place: String,
    pub found: Found,
}

/// What a scan found and went through.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Files (and archive members) searched, and their bytes (decompressed).
    pub files: u64,
    pub bytes: u64,
    /// What could not be read, each with why: the scan of those is not complete.
    pub unreadable: Vec<String>,
    /// What was passed by: symbolic links and special files inside directories.
    pub skipped: Vec<String>,
}

/// Searches `paths` (files or directories; one that is a symbolic link is followed, links
/// inside directories are not) for what `finder` knows, skipping the paths under `excluded`.
pub fn scan(paths: &[PathBuf], excluded: &[PathBuf], finder: &Finder) -> Report {
    let mut scanner = Scanner {
        finder,
        report: Report::default(),
        buffer: finder.buffer(),
    };
    let excluded: Vec<PathBuf> = excluded.iter().map(|path| normal(path)).collect();
    for root in paths {
        let walk = walkdir::WalkDir::new(root)
            .follow_links(false)
            .follow_root_links(true)
            .sort_by_file_name();
        let mut entries = walk.into_iter();
        while let Some(entry) = entries.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    let place = error.path().map_or_else(|| shown_path(root), shown_path);
                    let cause = error
                        .io_error()
                        .map_or_else(|| error.to_string(), ToString::to_string);
                    scanner.unreadable(&place, &cause);
                    continue;
                }
            };
            let path = entry.path();
            // Normalised only when there is something to compare it with.
            let skipped = !excluded.is_empty() && {
                let path = normal(path);
                excluded.iter().any(|excluded| path.starts_with(excluded))
            };
            if skipped {
                if entry.file_type().is_dir() {
                    entries.skip_current_dir();
                }
                continue;
            }
            let kind = entry.file_type();
            if kind.is_file() {
                scanner.file(path);
            } else if kind.is_symlink() {
                scanner
                    .report
                    .skipped
                    .push(format!("{}: a symbolic link", shown_path(path)));
            } else if !kind.is_dir() {
                scanner
                    .report
                    .skipped
                    .push(format!("{}: not a regular file", shown_path(path)));
            }
        }
    }
    scanner.report
}

/// `path` without `.` components, for comparing paths as given.
fn normal(path: &Path) -> PathBuf {
    path.components()
        .filter(|component| !matches!(component, std::path::Component::CurDir))
        .collect()
}

struct Scanner<'a> {
    finder: &'a Finder,
    report: Report,
    /// The one buffer every stream is searched through.
    buffer: zeroize::Zeroizing<Vec<u8>>,
}

/// What a stream holds, by its first bytes.
#[derive(Debug, PartialEq, Eq)]
enum Content {
    Gzip,
    Zip,
    Tar,
    Plain,
}

fn content_of(head: &[u8]) -> Content {
    if head.starts_with(&[0x1f, 0x8b]) {
        Content::Gzip
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Content::Zip
    } else if head.len() >= 262 && &head[257..262] == b"ustar" {
        Content::Tar
    } else {
        Content::Plain
    }
}

/// How much of a stream decides what it holds (a tar header's magic is at 257).
const HEAD: usize = 512;

impl Scanner<'_> {
    fn file(&mut self, path: &Path) {
        let place = shown_path(path);
        let opened = File::open(path).and_then(|mut file| {
            let mut head = Vec::with_capacity(HEAD);
            (&mut file).take(HEAD as u64).read_to_end(&mut head)?;
            Ok((file, head))
        });
        let (mut file, head) = match opened {
            Ok(opened) => opened,
            Err(error) => return self.unreadable(&place, &error),
        };
        if content_of(&head) != Content::Zip {
            // The head already read goes first: the file is read once.
            return self.stream(&mut Cursor::new(head).chain(file), &place, 0);
        }
        match file.rewind() {
            Ok(()) => self.zip(file, &place, 0),
            Err(error) => self.unreadable(&place, &error),
        }
    }

    fn unreadable(&mut self, place: &str, error: &dyn std::fmt::Display) {
        self.report.unreadable.push(format!("{place}: {error}"));
    }

    /// Searches a stream, opening what it holds (gzip, tar; a zip is read whole when small
    /// enough).
    fn stream(&mut self, reader: &mut dyn Read, place: &str, depth: usize) {
        let mut head = Vec::with_capacity(HEAD);
        if let Err(error) = reader.take(HEAD as u64).read_to_end(&mut head) {
            return self.unreadable(place, &error);
        }
        let content = if depth >= NESTING_LIMIT {
            Content::Plain
        } else {
            content_of(&head)
        };
        let mut whole = Cursor::new(head).chain(reader);
        match content {
            Content::Gzip => {
                // Named as gunzip names what it writes (not by the name the header may hold).
                let mut decoder = flate2::read::MultiGzDecoder::new(whole);
                let inner = gunzipped_name(place);
                self.stream(
                    &mut decoder,
                    &format!("{place}!{}", shown(&inner)),
                    depth + 1,
                );
            }
            Content::Tar => self.tar(&mut whole, place, depth),
            Content::Zip => {
                let mut bytes = Vec::new();
                match whole.take(NESTED_ZIP_LIMIT + 1).read_to_end(&mut bytes) {
                    Ok(size) if size as u64 <= NESTED_ZIP_LIMIT => {
                        self.zip(Cursor::new(bytes), place, depth);
                    }
                    Ok(_) => self.unreadable(
                        place,
                        &format!(
                            "a zip inside an archive over {} MiB is not opened",
                            NESTED_ZIP_LIMIT >> 20
                        ),
                    ),
                    Err(error) => self.unreadable(place, &error),
                }
            }
            Content::Plain => self.search(&mut whole, place),
        }
    }

    fn zip(&mut self, reader: impl Read + Seek, place: &str, depth: usize) {
        let mut archive = match zip::ZipArchive::new(reader) {
            Ok(archive) => archive,
            Err(error) => return self.unreadable(place, &format!("not a readable zip: {error}")),
        };
        for index in 0..archive.len() {
            let mut member = match archive.by_index(index) {
                Ok(member) => member,
                Err(error) => {
                    self.unreadable(place, &format!("member {index}: {error}"));
                    continue;
                }
            };
            if member.is_dir() {
                continue;
            }
            let name = member
                .name()
                .map(|name| name.into_owned())
                .unwrap_or_else(|_| format!("member {index}"));
            let inner = format!("{place}!{}", shown(&name));
            if member.is_symlink() {
                self.report
                    .skipped
                    .push(format!("{inner}: a symbolic link"));
                continue;
            }
            self.stream(&mut member, &inner, depth + 1);
        }
    }

    fn tar(&mut self, reader: &mut dyn Read, place: &str, depth: usize) {
        let mut archive = tar::Archive::new(reader);
        let entries = match archive.entries() {
            Ok(entries) => entries,
            Err(error) => return self.unreadable(place, &error),
        };
        for entry in entries {
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(error) => return self.unreadable(place, &error),
            };
            let name = entry
                .path()
                .map(|path| path.to_string_lossy().into_owned())
                .unwrap_or_else(|_| "?".into());
            let inner = format!("{place}!{}", shown(&name));
            match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    self.stream(&mut entry, &inner, depth + 1)
                }
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    self.report.skipped.push(format!("{inner}: a link"))
                }
                _ => {}
            }
        }
    }

    /// Searches a stream's bytes as they are.
    fn search(&mut self, reader: &mut dyn Read, place: &str) {
        let findings = &mut self.report.findings;
        let searched = self.finder.search(reader, &mut self.buffer, &mut |found| {
            findings.push(Finding {
                place: place.to_owned(),
                found,
            });
        });
        match searched {
            Ok(bytes) => {
                self.report.bytes += bytes;
                self.report.files += 1;
            }
            Err(error) => self.unreadable(place, &error),
        }
    }
}

/// A gzip stream's content, named as gunzip would name it: `log.gz` -> `log`, `a.tgz` ->
/// `a.tar`.
fn gunzipped_name(place: &str) -> String {
    let last = place.rsplit(['/', '!']).next().unwrap_or(place);
    if let Some(stem) = last.strip_suffix(".tgz") {
        format!("{stem}.tar")
    } else {
        last.strip_suffix(".gz").unwrap_or(last).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_told_by_its_first_bytes() {
        assert_eq!(content_of(&[0x1f, 0x8b, 8]), Content::Gzip);
        assert_eq!(content_of(b"PK\x03\x04rest"), Content::Zip);
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(content_of(&tar), Content::Tar);
        assert_eq!(content_of(b"plain text"), Content::Plain);
        assert_eq!(content_of(b""), Content::Plain);
    }

    #[test]
    fn gunzipped_names() {
        assert_eq!(gunzipped_name("logs/job.log.gz"), "job.log");
        assert_eq!(gunzipped_name("a.zip!b/c.tgz"), "c.tar");
        assert_eq!(gunzipped_name("noext"), "noext");
    }
}
