//! API keys: publishable keys (`pk_...`, public, sent by storefront SDKs) and secret keys
//! (`sk_...`, for integrators, stored only as SHA-256).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{Store, StoreError, ids, now, tokens};
use crate::db::schema::api_keys;
use crate::db_run;
use crate::error::Secret;

/// Which kind of key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Publishable,
    Secret,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Publishable => "publishable",
            Self::Secret => "secret",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Publishable => "pk",
            Self::Secret => "sk",
        }
    }
}

/// A stored key, without its secret.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ApiKey {
    pub id: String,
    pub kind: String,
    pub name: String,
    /// Set for publishable keys only.
    pub token: Option<String>,
    pub redacted: String,
    pub revoked_at: Option<chrono::NaiveDateTime>,
    pub created_at: chrono::NaiveDateTime,
}

/// The name of the publishable key made on a development server's first start.
pub const DEVELOPMENT_KEY_NAME: &str = "Development";

/// Creates a key and returns it with its token, which is shown this once (for secret keys it
/// is never readable again).
pub async fn create(
    store: &Store,
    kind: KeyKind,
    name: &str,
) -> Result<(ApiKey, Secret<String>), StoreError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(StoreError::invalid("name", "must be 1 to 100 characters"));
    }
    let token = tokens::random(kind.prefix());
    let key = ApiKey {
        id: ids::new(ids::prefix::API_KEY),
        kind: kind.as_str().into(),
        name: name.into(),
        token: (kind == KeyKind::Publishable).then(|| token.expose().clone()),
        redacted: format!("{}…{}", &token.expose()[..7], &token.expose()[63..]),
        revoked_at: None,
        created_at: now(),
    };
    let hash = tokens::hash(token.expose());
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| diesel::insert_into(api_keys::table)
        .values((
            api_keys::id.eq(&key.id),
            api_keys::kind.eq(&key.kind),
            api_keys::name.eq(&key.name),
            api_keys::token.eq(&key.token),
            api_keys::token_hash.eq(&hash),
            api_keys::redacted.eq(&key.redacted),
            api_keys::created_at.eq(key.created_at),
        ))
        .execute(c)
        .await)?;
    Ok((key, token))
}

/// The active key of this kind whose token is `token`, if any.
pub async fn find_active(
    store: &Store,
    kind: KeyKind,
    token: &str,
) -> Result<Option<ApiKey>, StoreError> {
    let hash = tokens::hash(token);
    let mut conn = store.db().conn().await?;
    Ok(db_run!(conn, |c| api_keys::table
        .filter(api_keys::token_hash.eq(&hash))
        .filter(api_keys::kind.eq(kind.as_str()))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKey::as_select())
        .first(c)
        .await
        .optional())?)
}

/// The development publishable key, made on first call. Development servers print it at start
/// so the SDKs can be tried at once.
pub async fn development_key(store: &Store) -> Result<String, StoreError> {
    let mut conn = store.db().conn().await?;
    let existing: Option<Option<String>> = db_run!(conn, |c| api_keys::table
        .filter(api_keys::kind.eq(KeyKind::Publishable.as_str()))
        .filter(api_keys::name.eq(DEVELOPMENT_KEY_NAME))
        .filter(api_keys::revoked_at.is_null())
        .select(api_keys::token)
        .order(api_keys::created_at)
        .first(c)
        .await
        .optional())?;
    drop(conn);
    if let Some(Some(token)) = existing {
        return Ok(token);
    }
    let (_, token) = create(store, KeyKind::Publishable, DEVELOPMENT_KEY_NAME).await?;
    Ok(token.expose().clone())
}
