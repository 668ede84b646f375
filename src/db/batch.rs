//! Reading many rows by a list of keys, the way every batch loader and expansion does, at the
//! cost of one prepared statement and no row copies.
//!
//! - [`OneOf::one_of`] writes `column IN (list)` with SQL text that does not depend on the
//!   list's length (`IN (SELECT value FROM json_each(?))` on SQLite, `= ANY(?)` on PostgreSQL),
//!   so each backend's statement cache keeps one prepared statement per query. Diesel's
//!   `eq_any` writes one placeholder per key on SQLite, which made every page re-parse and
//!   re-plan each of its statements (10% of a catalogue page's CPU in the profile of #16).
//! - [`LoadRows::load_rows`] builds the rows on SQLite's blocking thread straight from the
//!   statement. diesel-async's own `load` on the synchronous-connection wrapper first copies
//!   every value of every row into owned buffers and hands those over (another 12%).

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, Bool, Text};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, SqliteConnection};

use crate::db::{PgConn, SqliteConn};

/// `column IN (values)`, written the same whatever the number of values.
#[derive(Debug, Clone)]
pub struct OneOfValues<C> {
    column: C,
    values: Vec<String>,
    /// The values as a JSON array, SQLite's single bound parameter.
    json: String,
}

/// Adds [`one_of`](OneOf::one_of) to text columns.
pub trait OneOf: Expression<SqlType = Text> + Sized {
    /// Rows whose column is one of `values` (none when `values` is empty).
    fn one_of<S: AsRef<str>>(self, values: &[S]) -> OneOfValues<Self> {
        let values: Vec<String> = values.iter().map(|v| v.as_ref().to_owned()).collect();
        let json = serde_json::to_string(&values).unwrap_or_else(|_| "[]".to_owned());
        OneOfValues {
            column: self,
            values,
            json,
        }
    }
}

impl<C: Expression<SqlType = Text>> OneOf for C {}

impl<C: Expression> Expression for OneOfValues<C> {
    type SqlType = Bool;
}

impl<C: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for OneOfValues<C> {}

impl<C: SelectableExpression<QS>, QS> SelectableExpression<QS> for OneOfValues<C> {}

impl<C: ValidGrouping<GB>, GB> ValidGrouping<GB> for OneOfValues<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C> QueryId for OneOfValues<C> {
    type QueryId = ();
    // The statement cache then keys the statement by its SQL text, which is fixed.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for OneOfValues<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, String>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for OneOfValues<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<Text>, Vec<String>>(&self.values)?;
        out.push_sql(")");
        Ok(())
    }
}

/// Runs a select and builds its rows, on either backend's connection (through `db_run!`).
pub trait LoadRows<Conn, U>: Sized {
    fn load_rows(self, conn: &mut Conn) -> impl Future<Output = QueryResult<Vec<U>>> + Send;
}

impl<Q, U> LoadRows<SqliteConn, U> for Q
where
    Q: diesel::query_dsl::LoadQuery<'static, SqliteConnection, U> + Send + 'static,
    U: Send + 'static,
{
    fn load_rows(self, conn: &mut SqliteConn) -> impl Future<Output = QueryResult<Vec<U>>> + Send {
        conn.spawn_blocking(move |c| diesel::RunQueryDsl::load(self, c))
    }
}

impl<Q, U> LoadRows<PgConn, U> for Q
where
    Q: diesel_async::methods::LoadQuery<'static, PgConn, U> + Send + 'static,
    U: Send + 'static,
{
    fn load_rows(self, conn: &mut PgConn) -> impl Future<Output = QueryResult<Vec<U>>> + Send {
        diesel_async::RunQueryDsl::load(self, conn)
    }
}
