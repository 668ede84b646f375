//! A small SQL text builder for the catalogue listing and order history, whose filters, sort key and search index
//! differ by request and by backend (FTS5 on SQLite, pg_trgm on PostgreSQL): fragments are
//! appended with their bound values, and placeholders are written as each backend wants them
//! (`?` or `$n`). User input is only ever bound, never spliced into the text.

use chrono::NaiveDateTime;
use diesel::backend::Backend as DieselBackend;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType, Text, Timestamp};

use crate::db::batch::LoadRows;
use crate::db::{Backend, DatabaseUrl, Db, DbConn};
use crate::error::StoreError;

/// A value bound to a placeholder.
#[derive(Clone, Debug)]
pub enum Bind {
    Text(String),
    Int(i64),
    Time(NaiveDateTime),
}

/// SQL text and its bound values, in order.
pub struct Sql {
    text: String,
    binds: Vec<Bind>,
    postgres: bool,
}

impl Sql {
    /// An empty query for the backend `db` runs on.
    pub fn for_db(db: &Db) -> Self {
        Self::new(matches!(db.url(), DatabaseUrl::Postgres(_)))
    }

    pub fn new(postgres: bool) -> Self {
        Self {
            text: String::with_capacity(512),
            binds: Vec::new(),
            postgres,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres
    }

    /// Appends trusted SQL text (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        if self.postgres {
            self.text.push('$');
            self.text.push_str(&self.binds.len().to_string());
        } else {
            self.text.push('?');
        }
        self
    }

    pub fn bind_text(&mut self, value: &str) -> &mut Self {
        self.bind(Bind::Text(value.to_owned()))
    }

    /// Appends `a, b, c` placeholders for a list (the caller writes the parentheses).
    pub fn bind_list(&mut self, values: &[String]) -> &mut Self {
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind_text(value);
        }
        self
    }

    /// Runs the query and maps the rows by column name.
    pub async fn load<T>(self, conn: &mut DbConn) -> Result<Vec<T>, StoreError>
    where
        T: diesel::QueryableByName<diesel::sqlite::Sqlite>
            + diesel::QueryableByName<diesel::pg::Pg>
            + Send
            + 'static,
    {
        let Sql { text, binds, .. } = self;
        let rows = match conn.backend() {
            Backend::Sqlite(c) => boxed(text, binds).load_rows(c).await,
            Backend::Postgres(c) => boxed(text, binds).load_rows(c).await,
        };
        Ok(rows?)
    }
}

fn boxed<'f, DB>(text: String, binds: Vec<Bind>) -> BoxedSqlQuery<'f, DB, SqlQuery>
where
    DB: DieselBackend + HasSqlType<Text> + HasSqlType<BigInt> + HasSqlType<Timestamp>,
    String: ToSql<Text, DB>,
    i64: ToSql<BigInt, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    let mut query = diesel::sql_query(text).into_boxed::<DB>();
    for bind in binds {
        query = match bind {
            Bind::Text(v) => query.bind::<Text, _>(v),
            Bind::Int(v) => query.bind::<BigInt, _>(v),
            Bind::Time(v) => query.bind::<Timestamp, _>(v),
        };
    }
    query
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern and wraps it in `%...%`.
pub fn contains_pattern(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 2);
    out.push('%');
    for ch in term.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}
