//! Filtered, paginated listing shared by the `list_*` methods: a WHERE clause built from
//! fixed fragments with numbered placeholders, and its bound values.

use crate::sql::row::Record;
use crate::sql::statement::Arg;
use crate::{Backend, Db, Result};

/// Page `page` (from 1) of `page_size` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: i64,
    pub page_size: i64,
}

impl Page {
    pub(crate) fn offset(self) -> i64 {
        (self.page - 1) * self.page_size
    }
}

/// Conditions joined with AND. Fragments are literals of this crate; only values are bound.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    clauses: Vec<String>,
    values: Vec<Arg>,
}

impl Filter {
    fn next(&self) -> usize {
        self.values.len() + 1
    }

    pub fn bool_eq(&mut self, column: &'static str, value: bool) {
        self.clauses.push(format!("{column} = ${}", self.next()));
        self.values.push(Arg::Flag(value));
    }

    pub fn text_in(&mut self, column: &'static str, values: impl IntoIterator<Item = String>) {
        let mut placeholders = Vec::new();
        for value in values {
            placeholders.push(format!("${}", self.next()));
            self.values.push(Arg::Text(value));
        }
        if !placeholders.is_empty() {
            self.clauses
                .push(format!("{column} IN ({})", placeholders.join(", ")));
        }
    }

    pub fn text_eq(&mut self, column: &'static str, value: &str) {
        self.clauses.push(format!("{column} = ${}", self.next()));
        self.values.push(Arg::Text(value.to_owned()));
    }

    /// `column >= value` (`at_least`) or `column < value`.
    pub fn int_bound(&mut self, column: &'static str, at_least: bool, value: i64) {
        let op = if at_least { ">=" } else { "<" };
        self.clauses.push(format!("{column} {op} ${}", self.next()));
        self.values.push(Arg::Int(value));
    }

    /// `column IS NULL` (`null`) or `column IS NOT NULL`.
    pub fn is_null(&mut self, column: &'static str, null: bool) {
        let not = if null { "" } else { "NOT " };
        self.clauses.push(format!("{column} IS {not}NULL"));
    }

    pub fn text_ne(&mut self, column: &'static str, value: &str) {
        self.clauses.push(format!("{column} <> ${}", self.next()));
        self.values.push(Arg::Text(value.to_owned()));
    }

    /// A condition of this crate's own with a `{}` for each value, in order (a subquery,
    /// say).
    pub fn clause<const N: usize>(&mut self, template: &'static str, values: [&str; N]) {
        let mut clause = template.to_owned();
        for value in values {
            clause = clause.replacen("{}", &format!("${}", self.next()), 1);
            self.values.push(Arg::Text(value.to_owned()));
        }
        self.clauses.push(clause);
    }

    /// Case-insensitive substring match on any of `columns`; a term holding `%` is a LIKE
    /// pattern, as Logto's `search` takes (`%` any run of characters, `_` any one).
    pub fn search(&mut self, columns: &[&'static str], term: &str) {
        match term.contains('%') {
            true => self.pattern(columns, term),
            false => self.pattern(columns, &format!("%{}%", escape_like(term))),
        }
    }

    /// Case-insensitive LIKE `pattern` on any of `columns`: each row is read. The pattern is
    /// lower-cased by the database's own `lower`, as the columns are.
    pub fn pattern(&mut self, columns: &[&'static str], pattern: &str) {
        let n = self.next();
        let any: Vec<String> = columns
            .iter()
            .map(|c| format!("lower(coalesce({c}, '')) LIKE lower(${n}) ESCAPE '\\'"))
            .collect();
        self.clauses.push(format!("({})", any.join(" OR ")));
        // A trailing lone escape would be an error in the database: it is taken literally.
        let odd = pattern.len() - pattern.trim_end_matches('\\').len();
        let pattern = match odd % 2 {
            1 => format!("{pattern}\\"),
            _ => pattern.to_owned(),
        };
        self.values.push(Arg::Text(pattern));
    }

    /// Rows where any of `expressions` (each the expression of an index) starts with `prefix`,
    /// lower-cased: a range over byte-ordered text, so that each reads one index range
    /// (PostgreSQL's prefix indexes are `COLLATE "C"`, SQLite compares bytes).
    pub fn prefix(&mut self, expressions: &[&'static str], prefix: &str, backend: Backend) {
        let (low, high) = (self.next(), self.next() + 1);
        let collate = match backend {
            Backend::Postgres => " COLLATE \"C\"",
            Backend::Sqlite => "",
        };
        // The bound is lower-cased by the database's own `lower`, as the indexed expressions
        // are (SQLite's changes ASCII letters only). U+10FFFF is the last code point, and its
        // UTF-8 bytes sort after every other's.
        let any: Vec<String> = expressions
            .iter()
            .map(|e| {
                format!(
                    "({e}{collate} >= lower(${low}) AND {e}{collate} < lower(${low}) || ${high})"
                )
            })
            .collect();
        self.clauses.push(format!("({})", any.join(" OR ")));
        let end = "\u{10FFFF}".to_owned();
        self.values
            .extend([Arg::Text(prefix.to_owned()), Arg::Text(end)]);
    }

    /// A bound value the SQL places itself (a LIMIT inside a subquery, say): its placeholder.
    pub fn value(&mut self, value: Arg) -> String {
        let placeholder = format!("${}", self.next());
        self.values.push(value);
        placeholder
    }

    /// The WHERE clause of the conditions added so far, which are then cleared while their
    /// values stay bound: for a statement that unites several selections, each with its own
    /// conditions.
    pub fn take_where(&mut self) -> String {
        let sql = self.where_sql();
        self.clauses.clear();
        sql
    }

    fn where_sql(&self) -> String {
        match self.clauses.is_empty() {
            true => String::new(),
            false => format!(" WHERE {}", self.clauses.join(" AND ")),
        }
    }
}

/// What a `search` parameter asks of the users list (decision 0027): a term with no `%`, or
/// whose only `%` ends it, is a prefix and reads index ranges; any other pattern (Logto's
/// console sends `%term%`) is matched as LIKE, reading every row.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Search {
    Prefix(String),
    Pattern(String),
}

impl Search {
    pub fn of(term: &str) -> Option<Self> {
        let head = term.strip_suffix('%').unwrap_or(term);
        // `\%` at the end is a literal `%` in Logto's pattern, not a prefix's wildcard.
        let head = match head.ends_with('\\') && term.contains('%') {
            true => term,
            false => head,
        };
        match (head.is_empty(), head.contains(['%', '_'])) {
            (true, _) => None,
            (false, false) => Some(Self::Prefix(head.to_owned())),
            (false, true) if term.contains('%') => Some(Self::Pattern(term.to_owned())),
            (false, true) => Some(Self::Prefix(head.to_owned())),
        }
    }
}

/// `term` with LIKE's special characters taken literally.
fn escape_like(term: &str) -> String {
    term.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

impl Db {
    /// `SELECT {columns} FROM {table} {filter} ORDER BY {order}` for one page, and the total.
    pub(crate) async fn list_page<T: Record>(
        &self,
        columns: &'static str,
        table: &'static str,
        filter: &Filter,
        order: &'static str,
        page: Page,
    ) -> Result<(Vec<T>, i64)> {
        let where_sql = filter.where_sql();
        let rows = format!("SELECT {columns} FROM {table}{where_sql}");
        let count = format!("SELECT COUNT(*) AS total FROM {table}{where_sql}");
        self.page_of((&rows, filter), (&count, filter), order, page)
            .await
    }

    /// One page of `rows` (a statement of the caller's own whose values `filter` holds, to be
    /// ordered by `order`), and the total `count` (with the values of `counted`) reads.
    pub(crate) async fn page_of<T: Record>(
        &self,
        (rows, filter): (&str, &Filter),
        (count, counted): (&str, &Filter),
        order: &'static str,
        page: Page,
    ) -> Result<(Vec<T>, i64)> {
        let n = filter.next();
        let sql = format!("{rows} ORDER BY {order} LIMIT ${n} OFFSET ${}", n + 1);
        let mut args = filter.values.clone();
        args.extend([page.page_size.into(), page.offset().into()]);
        let rows = self.fetch_all(&sql, &args).await?;
        let total: Option<i64> = self.fetch_optional(count, &counted.values).await?;
        Ok((rows, total.unwrap_or(0)))
    }
}
