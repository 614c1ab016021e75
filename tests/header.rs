//! The committed C header is exactly what cbindgen generates today.
//!
//! `build.rs` writes `OUT_DIR/codecommit_auth.h`; this test compares it with
//! `include/codecommit_auth.h` and fails on any difference. To accept a change to the C
//! API, regenerate: `UPDATE_HEADER=1 cargo test --test header`, then review the diff.
//! (`.ci/ffi.sh` also regenerates and runs `git diff --exit-code include/`.)

// Tests read their fixtures directly; the library's Environment seam is not for them.
#![allow(clippy::disallowed_methods)]

use std::path::Path;

const GENERATED: &str = concat!(env!("OUT_DIR"), "/codecommit_auth.h");
const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/include/codecommit_auth.h");

fn generated() -> String {
    std::fs::read_to_string(GENERATED).unwrap_or_else(|e| {
        panic!(
            "{GENERATED}: {e}; build.rs could not generate the header (see the cargo \
             warnings of the build)"
        )
    })
}

#[test]
fn committed_header_is_up_to_date() {
    let generated = generated();
    if std::env::var_os("UPDATE_HEADER").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(Path::new(COMMITTED).parent().unwrap()).unwrap();
        std::fs::write(COMMITTED, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "include/codecommit_auth.h differs from what cbindgen generates (first at line \
             {}); run `UPDATE_HEADER=1 cargo test --test header` and review the diff",
            first + 1
        );
    }
}

/// The value of `#define NAME VALUE` in the header.
fn define<'a>(header: &'a str, name: &str) -> &'a str {
    header
        .lines()
        .find_map(|line| {
            line.strip_prefix("#define ")?
                .strip_prefix(name)?
                .strip_prefix(' ')
        })
        .unwrap_or_else(|| panic!("no #define {name}"))
        .trim()
}

#[test]
fn version_macros_match_cargo_toml() {
    let header = generated();
    assert_eq!(
        define(&header, "CODECOMMIT_AUTH_VERSION"),
        format!("\"{}\"", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        define(&header, "CODECOMMIT_AUTH_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    assert_eq!(
        define(&header, "CODECOMMIT_AUTH_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    assert_eq!(
        define(&header, "CODECOMMIT_AUTH_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION_PATCH")
    );
    // The composed number, with each part in its own byte (the C tests evaluate it).
    assert_eq!(
        define(&header, "CODECOMMIT_AUTH_VERSION_NUMBER"),
        "((CODECOMMIT_AUTH_VERSION_MAJOR << 16) | (CODECOMMIT_AUTH_VERSION_MINOR << 8) \
         | CODECOMMIT_AUTH_VERSION_PATCH)"
    );
}

/// The declarations of the header: functions, types, constants, each with the comment
/// right above it.
fn declarations(header: &str) -> Vec<(String, Option<String>)> {
    let lines: Vec<&str> = header.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let is_decl = line.starts_with("int codecommit_")
            || line.starts_with("void codecommit_")
            || line.starts_with("const char *codecommit_")
            || line.starts_with("typedef struct codecommit_")
            || line.starts_with("typedef int (*codecommit_")
            || line.starts_with("enum codecommit_")
            || (line.starts_with("#define CODECOMMIT_")
                && !line.contains("_VERSION_") // documented as a group
                && !line.starts_with("#define CODECOMMIT_AUTH_H")); // the include guard
        if !is_decl {
            continue;
        }
        let doc = (i > 0 && lines[i - 1].trim_end() == " */").then(|| {
            let start = lines[..i]
                .iter()
                .rposition(|l| l.trim_start().starts_with("/**"))
                .expect("a doc comment opens");
            lines[start..i].join("\n")
        });
        // The whole declaration, which may span lines (up to its `;`).
        let end = if line.contains('(') {
            (i..lines.len())
                .find(|&j| lines[j].trim_end().ends_with(';'))
                .expect("a declaration ends")
        } else {
            i
        };
        out.push((lines[i..=end].join("\n"), doc));
    }
    out
}

#[test]
fn every_declaration_is_documented_for_a_c_reader() {
    let header = generated();
    let decls = declarations(&header);
    assert!(decls.len() >= 20, "found only {} declarations", decls.len());
    for (decl, doc) in &decls {
        let doc = doc
            .as_deref()
            .unwrap_or_else(|| panic!("{decl}: no doc comment"));
        // Functions returning a code list the codes they return; those returning
        // strings say who frees them.
        if decl.starts_with("int codecommit_") {
            assert!(
                doc.contains("Returns CODECOMMIT_AUTH_RESULT_OK"),
                "{decl}: codes"
            );
        }
        if decl.contains("char **") {
            assert!(
                doc.contains("codecommit_string_free()"),
                "{decl}: ownership"
            );
        }
        // Rust-only words would mean the doc was written for the wrong reader.
        for rust in ["Option<", "&str", "Result<", "Box<", "`Resolver`", "[`"] {
            assert!(!doc.contains(rust), "{decl}: Rust term {rust:?} in\n{doc}");
        }
    }
}

#[test]
fn header_has_guards_for_c_and_cpp() {
    let header = generated();
    assert!(header.contains("#ifndef CODECOMMIT_AUTH_H\n#define CODECOMMIT_AUTH_H"));
    assert!(header.contains("#ifdef __cplusplus\nextern \"C\" {"));
    assert!(header.contains("#include <stdint.h>"));
    // Every exported name carries the library prefix.
    for (decl, _) in declarations(&header) {
        assert!(
            decl.contains("codecommit_") || decl.contains("CODECOMMIT_"),
            "{decl}"
        );
    }
}
