//! Reading a file of projects: CSV with the export's columns (a header
//! row, any order, unknown columns ignored) or JSON (`{"projects": […]}`
//! or a bare list). A UTF-8 BOM, CRLF line ends, quoted commas and quotes
//! are read as spreadsheets write them; a cell the export neutralised
//! (`'=…`) is read back as it was.

use crate::domain::project_file::{MAX_FILE_BYTES, MAX_ROWS};

/// One row as the file gives it, before any check.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct FileRow {
    pub line: usize,
    pub name: String,
    pub account_sid: String,
    pub login: String,
    pub api_key_sid: String,
    pub secret: String,
}

impl std::fmt::Debug for FileRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileRow")
            .field("line", &self.line)
            .field("name", &self.name)
            .field("account_sid", &self.account_sid)
            .finish_non_exhaustive()
    }
}

/// The rows, or what is wrong with the file as a whole.
pub fn read(text: &str) -> Result<Vec<FileRow>, String> {
    if text.len() > MAX_FILE_BYTES {
        return Err(format!(
            "The file is {} KiB; at most {} KiB are read.",
            text.len() / 1024,
            MAX_FILE_BYTES / 1024
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows = match text.trim_start().chars().next() {
        None => return Err("The file is empty.".into()),
        Some('{' | '[') => json(text)?,
        Some(_) => csv_rows(text)?,
    };
    if rows.is_empty() {
        return Err("The file has no projects in it.".into());
    }
    if rows.len() > MAX_ROWS {
        return Err(format!(
            "The file has {} projects; at most {MAX_ROWS} are read at once.",
            rows.len()
        ));
    }
    Ok(rows)
}

/// A cell the export neutralised for spreadsheets, as it was.
fn restored(cell: &str) -> String {
    let cell = cell.trim();
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

fn csv_rows(text: &str) -> Result<Vec<FileRow>, String> {
    let not_csv = "The file is neither CSV with a header row (name, account_sid, login, api_key_sid, secret) nor JSON.";
    // Flexible: a spreadsheet may drop a row's empty trailing cells; they
    // read as empty, and the row's checks say what is missing.
    // Spreadsheets in some languages write `;` between cells.
    let header_line = text.lines().next().unwrap_or_default();
    let delimiter = if header_line.contains(';') && !header_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| not_csv.to_owned())?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(name), Some(account), Some(login), Some(secret)) = (
        column("name"),
        column("account_sid"),
        column("login"),
        column("secret"),
    ) else {
        // Only the missing names: a file without a header row has a
        // project, secret and all, in the row read as the header.
        let missing: Vec<&str> = ["name", "account_sid", "login", "secret"]
            .into_iter()
            .filter(|c| column(c).is_none())
            .collect();
        return Err(format!(
            "{not_csv} Its first row lacks: {}.",
            missing.join(", ")
        ));
    };
    let key = column("api_key_sid");
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("Row {}: {e}", i + 1))?;
        if rows.len() == MAX_ROWS {
            // One more than allowed is enough to say so.
            rows.push(FileRow::default());
            break;
        }
        let cell = |at: Option<usize>| {
            at.and_then(|at| record.get(at))
                .map(restored)
                .unwrap_or_default()
        };
        rows.push(FileRow {
            line: i + 1,
            name: cell(Some(name)),
            account_sid: cell(Some(account)),
            login: cell(Some(login)),
            api_key_sid: cell(key),
            secret: cell(Some(secret)),
        });
    }
    Ok(rows)
}

fn json(text: &str) -> Result<Vec<FileRow>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("The file is not valid JSON: {e}."))?;
    let list = match &value {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Object(o) => match o.get("projects") {
            Some(serde_json::Value::Array(list)) => list,
            _ => return Err("The JSON file needs a \"projects\" list.".into()),
        },
        _ => return Err("The JSON file needs a \"projects\" list.".into()),
    };
    list.iter()
        .take(MAX_ROWS + 1)
        .enumerate()
        .map(|(i, item)| {
            let line = i + 1;
            let text = |key: &str| -> Result<String, String> {
                match item.get(key) {
                    None | Some(serde_json::Value::Null) => Ok(String::new()),
                    Some(serde_json::Value::String(s)) => Ok(s.trim().to_owned()),
                    Some(_) => Err(format!("Project {line}: {key} must be text.")),
                }
            };
            if !item.is_object() {
                return Err(format!("Project {line} is not an object."));
            }
            Ok(FileRow {
                line,
                name: text("name")?,
                account_sid: text("account_sid")?,
                login: text("login")?,
                api_key_sid: text("api_key_sid")?,
                secret: text("secret")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_as_spreadsheets_write_it() {
        let text = "\u{feff}name,account_sid,login,api_key_sid,secret,last_test\r\n\
                    \"Müller, Köln\",AC00000000000000000000000000000001,auth_token,,tok1,works\r\n\
                    \"'=HYPERLINK(\"\"x\"\")\",AC00000000000000000000000000000002,api_key,SK00000000000000000000000000000002,\"s,e\"\"c\"\r\n";
        let rows = read(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "Müller, Köln");
        assert_eq!(rows[0].login, "auth_token");
        assert_eq!(rows[0].secret, "tok1");
        assert_eq!(rows[1].name, "=HYPERLINK(\"x\")");
        assert_eq!(rows[1].secret, "s,e\"c");
        assert_eq!(rows[1].line, 2);
        // Semicolons, as some spreadsheets write; a name really starting
        // with ' comes back whole (the export doubles it).
        let rows = read("name;account_sid;login;secret\n''quoted;AC1;auth_token;t\n").unwrap();
        assert_eq!(
            (rows[0].name.as_str(), rows[0].account_sid.as_str()),
            ("'quoted", "AC1")
        );
    }

    #[test]
    fn columns_in_any_order_and_json_too() {
        let rows = read("secret,login,account_sid,name\nt,auth_token,AC1,Acme\n").unwrap();
        assert_eq!(
            (
                rows[0].name.as_str(),
                rows[0].secret.as_str(),
                rows[0].api_key_sid.as_str()
            ),
            ("Acme", "t", "")
        );
        let rows = read(r#"{"projects":[{"name":"A","account_sid":"AC1","login":"api_key","api_key_sid":"SK1","secret":null}]}"#).unwrap();
        assert_eq!(rows[0].api_key_sid, "SK1");
        assert_eq!(rows[0].secret, "");
        assert!(read(r#"[{"name": 5}]"#)
            .unwrap_err()
            .contains("name must be text"));
    }

    #[test]
    fn what_is_not_a_file_of_projects_says_so() {
        assert!(read("").unwrap_err().contains("empty"));
        assert!(read("hello there\nhow are you\n")
            .unwrap_err()
            .contains("neither CSV"));
        // A file without its header row: the error names what is missing,
        // never the cells of the row read as the header (a secret).
        let headless = read("Acme,AC1,auth_token,,tok3n-s3cret\n").unwrap_err();
        assert!(
            headless.contains("lacks: name, account_sid, login, secret"),
            "{headless}"
        );
        assert!(!headless.contains("tok3n"), "{headless}");
        assert!(read("{\"projects\": 3}")
            .unwrap_err()
            .contains("\"projects\" list"));
        assert!(read("{oops").unwrap_err().contains("not valid JSON"));
        assert!(read("name,account_sid,login,secret\n")
            .unwrap_err()
            .contains("no projects"));
        let big = "x".repeat(MAX_FILE_BYTES + 1);
        assert!(read(&big).unwrap_err().contains("at most 32 KiB"));
        let mut many = String::from("name,account_sid,login,secret\n");
        for i in 0..=MAX_ROWS {
            many.push_str(&format!("p{i},AC1,auth_token,t\n"));
        }
        assert!(read(&many).unwrap_err().contains("at most 500"));
        // A short row reads its missing cells as empty.
        let short = read("name,account_sid,login,secret\na,b\n").unwrap();
        assert_eq!(
            (short[0].account_sid.as_str(), short[0].login.as_str()),
            ("b", "")
        );
    }
}
