//! Every row of the project's knowledge tables (`testdata/knowledge/*.csv`) is in the catalogue, with its
//! symbols, and the three tables merge into exactly 923 distinct codes.
//!
//! The tables are in the repository (`testdata/knowledge`, or `$WUDIAG_KNOWLEDGE`). If they are missing this
//! test fails, on purpose: a catalogue that silently stopped being checked is worse than a red test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};

use wudiag_catalog::{Catalog, SourceTable};
use wudiag_evidence::HResult;
use wudiag_testdata::knowledge_dir;

/// A small RFC 4180 reader: quoted fields, doubled quotes, commas and newlines inside quotes.
fn read_csv(name: &str) -> Vec<BTreeMap<String, String>> {
    let path = knowledge_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (_, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    let header = records.remove(0);
    records
        .into_iter()
        .filter(|r| r.iter().any(|f| !f.is_empty()))
        .map(|r| {
            assert_eq!(
                r.len(),
                header.len(),
                "{name}: row {r:?} has the wrong number of fields"
            );
            header.iter().cloned().zip(r).collect()
        })
        .collect()
}

fn code_of(row: &BTreeMap<String, String>) -> HResult {
    let s = &row["hresult"];
    let hex = s
        .strip_prefix("0x")
        .unwrap_or_else(|| panic!("hresult `{s}` lacks 0x"));
    HResult::new(u32::from_str_radix(hex, 16).unwrap_or_else(|e| panic!("hresult `{s}`: {e}")))
}

/// `ERROR_WINHTTP_TIMEOUT / WININET_E_TIMEOUT` → both; `(no symbolic name on page)` → none;
/// `DO_E_DOWNLOAD_NO_PROGRESS (name per …)` → the identifier.
fn symbols_of(cell: &str) -> Vec<String> {
    cell.split(" / ")
        .filter_map(|part| {
            let ident: String = part
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            (!ident.is_empty()).then_some(ident)
        })
        .collect()
}

#[test]
fn every_row_of_the_three_tables_is_catalogued() {
    let catalog = Catalog::embedded();
    let tables = [
        ("wu_error_codes.csv", SourceTable::WindowsUpdate, 499),
        ("servicing_error_codes.csv", SourceTable::Servicing, 350),
        ("winsock_codes.csv", SourceTable::Winsock, 147),
    ];
    let mut distinct = BTreeSet::new();
    let mut missing = Vec::new();
    for (name, table, rows) in tables {
        let data = read_csv(name);
        assert_eq!(data.len(), rows, "{name}: expected {rows} rows");
        for row in &data {
            let code = code_of(row);
            distinct.insert(code);
            let Some(entry) = catalog.lookup(code) else {
                missing.push(format!("{name}: {code} is not catalogued"));
                continue;
            };
            for sym in symbols_of(&row["symbolic_name"]) {
                if !entry.symbols.contains(&sym.as_str()) {
                    missing.push(format!(
                        "{name}: {code} lacks symbol {sym} (has {:?})",
                        entry.symbols
                    ));
                }
            }
            if !entry.tables.contains(&table) {
                missing.push(format!("{code}: `tables` does not name {name}"));
            }
            if entry.meaning.trim().is_empty() {
                missing.push(format!("{code}: empty meaning"));
            }
            match table {
                SourceTable::WindowsUpdate => {
                    let common = row["in_common_errors_page"] == "yes";
                    if common && !entry.common {
                        missing.push(format!(
                            "{code}: listed on the common-errors page but not marked common"
                        ));
                    }
                }
                SourceTable::Winsock if row["kind"] == "winsock" => {
                    let n: u32 = row["code"].parse().unwrap();
                    if entry.win32 != Some(n) {
                        missing.push(format!(
                            "{code}: winsock number {n} not kept (win32 = {:?})",
                            entry.win32
                        ));
                    }
                    assert_eq!(
                        HResult::from_win32(n),
                        code,
                        "{name}: {n} and {code} disagree"
                    );
                }
                _ => {}
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} problem(s):\n{}",
        missing.len(),
        missing.join("\n")
    );
    assert_eq!(
        distinct.len(),
        923,
        "the three tables merge into 923 distinct codes"
    );

    let from_tables: BTreeSet<HResult> = catalog
        .codes()
        .iter()
        .filter(|e| !e.tables.is_empty())
        .map(|e| e.code)
        .collect();
    assert_eq!(
        from_tables, distinct,
        "entries that name a table are exactly the tables' codes"
    );
    // Entries beyond the tables (Delivery Optimization, Web Services, ConfigMgr, HTTP status codes) are
    // facts we add ourselves: each must say where it comes from (a published symbol, or a note).
    let added: Vec<_> = catalog
        .codes()
        .iter()
        .filter(|e| e.tables.is_empty())
        .collect();
    assert!(
        added.len() >= 50,
        "{} entries added beyond the tables",
        added.len()
    );
    let unsourced: Vec<String> = added
        .iter()
        .filter(|e| e.symbols.is_empty() && e.note.is_none())
        .map(|e| e.code.to_string())
        .collect();
    assert!(
        unsourced.is_empty(),
        "added entries with neither a symbol nor a note: {unsourced:?}"
    );
    let common = catalog.codes().iter().filter(|e| e.common).count();
    assert_eq!(common, 36, "the common-errors page lists 36 codes");
}
