//! Placeholders found, text of other template languages left alone, and every problem named by
//! template, line and column.

use super::*;

fn variables() -> Vec<EnvVar> {
    vec![
        EnvVar::new("NPM_TOKEN", "npm-t0ken\"x"),
        EnvVar::new("DB_user", "app"),
    ]
}

fn render(name: &str, text: &str) -> Result<String, Vec<String>> {
    let template = Template::parse(name, text.to_owned())
        .map_err(|problems| problems.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    template
        .render(&variables())
        .map(|rendered| String::from_utf8(rendered.bytes.to_vec()).unwrap())
        .map_err(|problems| problems.iter().map(ToString::to_string).collect())
}

#[test]
fn placeholders_take_values_escaped_as_asked_or_by_extension() {
    assert_eq!(
        render(".npmrc.tmpl", "//registry/:_authToken={{ NPM_TOKEN }}\n").unwrap(),
        "//registry/:_authToken=npm-t0ken\"x\n"
    );
    assert_eq!(
        render(
            "c.json",
            r#"{"t": {{NPM_TOKEN}}, "u": {{ DB_user | raw }}}"#
        )
        .unwrap(),
        r#"{"t": "npm-t0ken\"x", "u": app}"#
    );
    assert_eq!(
        render("c.txt", "a={{ NPM_TOKEN | url }} b={{ DB_user|sh }}").unwrap(),
        "a=npm-t0ken%22x b='app'"
    );
}

#[test]
fn other_template_languages_are_left_as_they_are() {
    let text = "run: echo ${{ secrets.X }}\nhelm: {{ .Values.x }} {{- if .A }}{{ end }}x\n\
                mustache: {{{ raw }}}\nnot ours: {{ NAME json }}\n";
    let rendered = render("ci.txt", &text.replace("{{ end }}", "")).unwrap();
    assert_eq!(rendered, text.replace("{{ end }}", ""));
}

#[test]
fn a_look_alike_starting_with_a_variable_name_is_a_problem() {
    // `{{ NPM_TOKEN json }}`: a `|` forgotten; the name is a variable of the run.
    let problems = render("t.txt", "a\n x={{ NPM_TOKEN json }} {{ if .A }}\n").unwrap_err();
    assert_eq!(
        problems,
        vec![
            "t.txt:2:4: \"{{ NPM_TOKEN json }}\" is not a placeholder, yet NPM_TOKEN is a variable \
             of this run: write {{ NPM_TOKEN }} or {{ NPM_TOKEN | ESCAPE }} (an escape follows a |)"
        ]
    );
    // The same words naming no variable of the run are another language's, left as they are.
    assert_eq!(
        render("t.txt", "{{ if .A }}{{ OTHER json }}{{ range $x := .L }}").unwrap(),
        "{{ if .A }}{{ OTHER json }}{{ range $x := .L }}"
    );
}

#[test]
fn every_problem_is_named_by_template_line_and_column_never_by_value() {
    let problems = render(
        "t.yaml",
        "a: {{ NOPE }}\nb: \"{{ NPM_TOKEN }}\"\n  c: {{ DB_user | html }}\nd: {{ DB_user\n",
    )
    .unwrap_err();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].starts_with("t.yaml:2:5: {{ NPM_TOKEN }} is written with the yaml escape"));
    assert!(problems[1].starts_with("t.yaml:3:6: unknown escape \"html\""));
    assert!(problems[2].starts_with("t.yaml:4:4: a placeholder's {{ is not closed"));
    // A name no variable has is known only once values are at hand.
    let problems = render("t.txt", "é {{ NOPE }} {{ NPM_TOKEN | xml }}").unwrap_err();
    assert_eq!(
        problems,
        vec![
            "t.txt:1:3: no variable NOPE among the secrets and env files (they give NPM_TOKEN, DB_user)"
        ]
    );
    for problem in &problems {
        assert!(!problem.contains("npm-t0ken"));
    }
}

#[test]
fn a_value_the_escape_cannot_carry_is_a_problem() {
    let template = Template::parse("t.xml", "<a>{{ BELL }}</a>".to_owned()).unwrap();
    let problems = template
        .render(&[EnvVar::new("BELL", "ring\u{7}")])
        .err()
        .unwrap();
    assert!(
        problems[0]
            .to_string()
            .starts_with("t.xml:1:4: variable BELL with the xml escape")
    );
}

#[test]
fn what_was_written_is_told_for_masking() {
    let template = Template::parse(
        "t.txt",
        "{{ NPM_TOKEN | json }} {{ NPM_TOKEN }} {{ NPM_TOKEN | json }} {{ DB_user | base64 }}"
            .to_owned(),
    )
    .unwrap();
    assert_eq!(template.names(), vec!["NPM_TOKEN", "DB_user"]);
    let rendered = template.render(&variables()).unwrap();
    let written: Vec<(usize, Escape, String)> = rendered
        .written
        .iter()
        .map(|(index, escape, text)| (*index, *escape, text.to_string()))
        .collect();
    assert_eq!(
        written,
        vec![
            (0, Escape::Json, "npm-t0ken\\\"x".to_owned()),
            (1, Escape::Base64, "YXBw".to_owned())
        ]
    );
}
