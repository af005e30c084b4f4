//! Templates: text with placeholders `{{ NAME }}` or `{{ NAME | ESCAPE }}` naming variables,
//! rendered with each value escaped for where it lands ([`Escape`]). Strict: a placeholder
//! naming no variable, an unknown escape or an unclosed `{{ NAME` is an error naming the
//! template, line and column, never a value. Text that is not a placeholder, such as GitHub's
//! `${{ x }}` or Helm's `{{ .Values.x }}`, is left as it is, unless it starts with the name of a
//! variable the run has (`{{ NAME json }}`, a `|` forgotten).

mod escape;

use std::fmt;

use zeroize::Zeroizing;

pub use escape::{Escape, without_template_suffix};

use crate::model::EnvVar;

/// One problem of a template, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The template, as the command line named it.
    pub template: String,
    /// Line and column (in characters) of the placeholder's `{{`, from 1.
    pub line: usize,
    pub column: usize,
    pub problem: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.template, self.line, self.column, self.problem
        )
    }
}

/// A placeholder: the variable it names and how its value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Placeholder {
    name: String,
    escape: Escape,
    /// Where its `{{` is (a byte offset; line and column are counted for a problem only).
    at: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Template text, kept as it is (a byte range of the template).
    Text(std::ops::Range<usize>),
    Placeholder(Placeholder),
}

/// Text left as it is that starts like a placeholder: `{{ NAME something }}`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LookAlike {
    /// The word after `{{`, a variable name by its shape.
    name: String,
    /// The whole `{{ ... }}`, for the message (template text, never a value).
    text: String,
    /// Where its `{{` is (a byte offset).
    at: usize,
}

/// A parsed template.
#[derive(Debug)]
pub struct Template {
    name: String,
    text: String,
    pieces: Vec<Piece>,
    look_alikes: Vec<LookAlike>,
}

/// A template rendered: its bytes, and how each value was written into them (for masking).
pub struct Rendered {
    pub bytes: Zeroizing<Vec<u8>>,
    /// (the variable's index, the escape, what stands for the value in the file) for each
    /// escape other than raw that was used.
    pub written: Vec<(usize, Escape, Zeroizing<String>)>,
}

impl Template {
    /// Parses `text`, the template the command line named `name` (whose extension decides the
    /// default escape); every problem is reported.
    pub fn parse(name: &str, text: String) -> Result<Template, Vec<Problem>> {
        let default = Escape::for_template(name);
        let mut pieces = Vec::new();
        let mut look_alikes = Vec::new();
        let mut problems = Vec::new();
        let mut text_start = 0;
        let mut search_from = 0;
        while let Some(found) = text[search_from..].find("{{") {
            let open = search_from + found;
            search_from = open + 2;
            // `${{ ... }}` is GitHub's; `{{{` is another template language's.
            if text[..open].ends_with('$') || text[..open].ends_with('{') {
                continue;
            }
            let problem = |problem: String| problem_at(name, &text, open, problem);
            match placeholder(&text[open + 2..]) {
                Scanned::NotOne => {
                    if let Some((name, length)) = look_alike(&text[open + 2..]) {
                        look_alikes.push(LookAlike {
                            name: name.to_owned(),
                            text: text[open..open + 2 + length].to_owned(),
                            at: open,
                        });
                    }
                    continue;
                }
                Scanned::Unclosed => {
                    problems.push(problem(
                        "a placeholder's {{ is not closed by }} on its line".to_owned(),
                    ));
                }
                Scanned::One {
                    name: variable,
                    escape,
                    length,
                } => {
                    let close = open + 2 + length;
                    search_from = close;
                    let escape = match escape {
                        None => default,
                        Some(escape_name) => match Escape::named(escape_name) {
                            Some(escape) => escape,
                            None => {
                                problems.push(problem(format!(
                                    "unknown escape {}: use one of {}",
                                    crate::error::quoted(escape_name),
                                    Escape::ALL
                                        .iter()
                                        .map(|escape| escape.name())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )));
                                continue;
                            }
                        },
                    };
                    let before = text[..open].chars().next_back();
                    let after = text[close..].chars().next();
                    if escape.quotes()
                        && before.is_some_and(|c| c == '"' || c == '\'')
                        && before == after
                    {
                        problems.push(problem(format!(
                            "{{{{ {variable} }}}} is written with the {} escape, which writes \
                             its own quotes: remove the quotes around it",
                            escape.name()
                        )));
                        continue;
                    }
                    pieces.push(Piece::Text(text_start..open));
                    pieces.push(Piece::Placeholder(Placeholder {
                        name: variable.to_owned(),
                        escape,
                        at: open,
                    }));
                    text_start = close;
                }
            }
        }
        pieces.push(Piece::Text(text_start..text.len()));
        if problems.is_empty() {
            Ok(Template {
                name: name.to_owned(),
                text,
                pieces,
                look_alikes,
            })
        } else {
            Err(problems)
        }
    }

    /// The names its placeholders use, in order, once each.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for piece in &self.pieces {
            if let Piece::Placeholder(placeholder) = piece
                && !names.contains(&placeholder.name.as_str())
            {
                names.push(&placeholder.name);
            }
        }
        names
    }

    /// The template with each placeholder replaced by its variable's value, escaped; every
    /// problem (a name no variable has, a value the escape cannot carry) is reported.
    pub fn render(&self, variables: &[EnvVar]) -> Result<Rendered, Vec<Problem>> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(self.text.len()));
        let mut written: Vec<(usize, Escape, Zeroizing<String>)> = Vec::new();
        let mut problems: Vec<Problem> = self
            .look_alikes
            .iter()
            .filter(|look_alike| {
                variables
                    .iter()
                    .any(|variable| variable.name == look_alike.name)
            })
            .map(|look_alike| {
                problem_at(
                    &self.name,
                    &self.text,
                    look_alike.at,
                    format!(
                    "{} is not a placeholder, yet {} is a variable of this run: write {{{{ {} }}}} \
                     or {{{{ {} | ESCAPE }}}} (an escape follows a |)",
                    crate::error::quoted(&look_alike.text),
                    look_alike.name,
                    look_alike.name,
                        look_alike.name
                    ),
                )
            })
            .collect();
        for piece in &self.pieces {
            let placeholder = match piece {
                Piece::Text(range) => {
                    bytes.extend_from_slice(self.text[range.clone()].as_bytes());
                    continue;
                }
                Piece::Placeholder(placeholder) => placeholder,
            };
            let problem =
                |problem: String| problem_at(&self.name, &self.text, placeholder.at, problem);
            let Some(index) = variables
                .iter()
                .position(|variable| variable.name == placeholder.name)
            else {
                problems.push(problem(format!(
                    "no variable {} among the secrets and env files ({})",
                    placeholder.name,
                    known(variables)
                )));
                continue;
            };
            match placeholder.escape.apply(variables[index].value.expose()) {
                Ok(text) => {
                    bytes.extend_from_slice(text.as_bytes());
                    let inside = placeholder.escape.inside(&text);
                    if placeholder.escape != Escape::Raw
                        && !written.iter().any(|(_, _, seen)| seen.as_str() == inside)
                    {
                        written.push((
                            index,
                            placeholder.escape,
                            Zeroizing::new(inside.to_owned()),
                        ));
                    }
                }
                Err(why) => problems.push(problem(format!(
                    "variable {} with the {} escape: {why}",
                    placeholder.name,
                    placeholder.escape.name()
                ))),
            }
        }
        if problems.is_empty() {
            Ok(Rendered { bytes, written })
        } else {
            Err(problems)
        }
    }
}

/// The variables' names, for a message.
fn known(variables: &[EnvVar]) -> String {
    if variables.is_empty() {
        "they give none".to_owned()
    } else {
        let names: Vec<&str> = variables.iter().map(|v| v.name.as_str()).collect();
        format!("they give {}", names.join(", "))
    }
}

/// What follows a `{{`.
enum Scanned<'a> {
    /// `{{ NAME }}` or `{{ NAME | ESCAPE }}`, `length` bytes from after the `{{` to after the
    /// `}}`.
    One {
        name: &'a str,
        escape: Option<&'a str>,
        length: usize,
    },
    /// `{{ NAME` (and perhaps `| ESCAPE`) with no `}}` before the end of the line.
    Unclosed,
    /// Anything else: text of another template language.
    NotOne,
}

/// Reads a placeholder after its `{{`: spaces, a variable name, spaces, optionally `|`, spaces
/// and an escape's name, spaces, `}}`.
fn placeholder(rest: &str) -> Scanned<'_> {
    let bytes = rest.as_bytes();
    let mut at = 0;
    let skip_blanks = |at: &mut usize| {
        while *at < bytes.len() && (bytes[*at] == b' ' || bytes[*at] == b'\t') {
            *at += 1;
        }
    };
    let word = |at: &mut usize, first: fn(u8) -> bool| {
        let start = *at;
        if *at < bytes.len() && first(bytes[*at]) {
            *at += 1;
            while *at < bytes.len() && (bytes[*at].is_ascii_alphanumeric() || bytes[*at] == b'_') {
                *at += 1;
            }
        }
        &rest[start..*at]
    };
    skip_blanks(&mut at);
    let name = word(&mut at, |b| b.is_ascii_alphabetic() || b == b'_');
    if name.is_empty() {
        return Scanned::NotOne;
    }
    skip_blanks(&mut at);
    let mut escape = None;
    if bytes.get(at) == Some(&b'|') {
        at += 1;
        skip_blanks(&mut at);
        let escape_name = word(&mut at, |b| b.is_ascii_alphanumeric() || b == b'_');
        if escape_name.is_empty() && !rest[at..].starts_with("}}") {
            return ended_or_not_one(&rest[at..]);
        }
        escape = Some(escape_name);
        skip_blanks(&mut at);
    }
    if rest[at..].starts_with("}}") {
        Scanned::One {
            name,
            escape,
            length: at + 2,
        }
    } else {
        ended_or_not_one(&rest[at..])
    }
}

/// Text after a `{{` that is not a placeholder but starts like one: blanks, a variable name,
/// a blank, then anything up to `}}` on the same line. Gives the name and the length to after
/// the `}}`.
fn look_alike(rest: &str) -> Option<(&str, usize)> {
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let close = line.find("}}")?;
    let inside = &line[..close];
    let trimmed = inside.trim_start_matches([' ', '\t']);
    let end = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    let name = &trimmed[..end];
    let starts_like_a_name = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    let then_a_blank = trimmed[end..].starts_with([' ', '\t']);
    (starts_like_a_name && then_a_blank).then_some((name, close + 2))
}

/// After a placeholder's start, the line (or the template) ending is an unclosed placeholder;
/// anything else is not a placeholder at all.
fn ended_or_not_one(rest: &str) -> Scanned<'static> {
    if rest.is_empty() || rest.starts_with('\n') || rest.starts_with("\r\n") {
        Scanned::Unclosed
    } else {
        Scanned::NotOne
    }
}

/// `problem`, placed at byte `offset` of template `name`, whose text is `text`.
fn problem_at(name: &str, text: &str, offset: usize, problem: String) -> Problem {
    let (line, column) = position(text, offset);
    Problem {
        template: name.to_owned(),
        line,
        column,
        problem,
    }
}

/// The line and column (in characters), from 1, of byte `offset` of `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests;
