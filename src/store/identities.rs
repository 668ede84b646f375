//! Identity first, customer later: a login identity (`identities`, email and
//! password) can exist before its customer. Registering an identity signs it in with a session
//! that has no customer; its access token names no customer (an empty `sub`), so it opens none
//! of a customer's data, and it can create exactly one customer ([`create_customer`]), which
//! then joins the identity and its sessions.
//!
//! The same sessions back a cookie ([`cookie_for`], [`authenticate_cookie`]): its value is the
//! session id and an expiry signed with the server's key, checked live against the session row,
//! so ending the session (logout, password change or reset) ends the cookie too.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::accounts;
use super::auth::{self, Client, Principal};
use super::customers::{Customer, EMAILPASS};
use super::passwords::NewPassword;
use super::sessions;
use super::throttle::{self, Action};
use super::validate::{Email, Problems, text};
use super::{Entity, Store, StoreError, email_verification, events, ids, now};
use crate::db::schema::{customers, identities, sessions as sessions_t};
use crate::db_run;
use crate::error::Secret;

/// How long a session cookie lasts (10 hours, as the cookie-session clients expect), at most the
/// session's own life.
pub const COOKIE_TTL: chrono::Duration = chrono::Duration::hours(10);

/// A caller signed in as an identity, with or without a customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityPrincipal {
    pub identity_id: String,
    pub session_id: String,
    /// The customer the credential acts as: the token's customer (none for a registration
    /// token, even after the customer was created: sign in or refresh for a token that names
    /// it), or for a cookie the session's customer now.
    pub actor: Option<String>,
    /// The identity's customer now, whatever the credential says.
    pub customer_id: Option<String>,
    /// When the credential was issued and expires (Unix seconds).
    pub issued_at: i64,
    pub expires_at: i64,
}

impl IdentityPrincipal {
    /// The principal of the customer this credential acts as.
    pub fn customer(&self) -> Option<Principal> {
        self.actor.as_ref().map(|customer_id| Principal {
            customer_id: customer_id.clone(),
            session_id: self.session_id.clone(),
        })
    }
}

/// A sign-in of an identity: an access token for its session.
#[derive(Clone, Debug)]
pub struct IdentitySignIn {
    pub token: Secret<String>,
    pub expires_at: DateTime<Utc>,
    pub principal: IdentityPrincipal,
}

/// What creating the customer of a registered identity takes. Texts as in
/// [`accounts::Registration`]; the email, when given, must be the identity's.
#[derive(Clone, Debug, Default)]
pub struct NewCustomer {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub metadata: Option<serde_json::Value>,
}

fn identity_exists() -> StoreError {
    StoreError::Conflict {
        message: "an identity with this email already exists".into(),
        field: Some("email".into()),
    }
}

/// Registers a login identity without a customer and signs it in. An identity that exists
/// without a customer, given its own password again, is signed in afresh (registration can be
/// resumed); any other existing identity or account with the email is a conflict.
pub async fn register(
    store: &Store,
    email: &str,
    password: &str,
    client: &Client,
) -> Result<IdentitySignIn, StoreError> {
    throttle::per_ip(store, Action::Register, client.ip).await?;
    let mut problems = Problems::default();
    let email = problems.check(Email::parse("email", email));
    let password = problems.check(NewPassword::parse("password", password));
    problems.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(StoreError::Internal("validated input missing".into()));
    };
    let mut conn = store.db().conn().await?;
    let existing: Option<(String, String, Option<String>)> = db_run!(conn, |c| identities::table
        .filter(identities::provider.eq(EMAILPASS))
        .filter(identities::email.eq(email.as_str()))
        .select((
            identities::id,
            identities::password_hash,
            identities::customer_id
        ))
        .first(c)
        .await
        .optional())?;
    let account: Option<String> = db_run!(conn, |c| customers::table
        .filter(customers::email.eq(email.as_str()))
        .filter(customers::has_account.eq(true))
        .select(customers::id)
        .first(c)
        .await
        .optional())?;
    drop(conn);
    if let Some((identity_id, hash, None)) = &existing
        && account.is_none()
    {
        if store.hasher().verify(password.expose(), Some(hash)).await? {
            return sign_in(store, identity_id, None, client).await;
        }
        return Err(identity_exists());
    }
    if existing.is_some() || account.is_some() {
        // The contract answers a taken email; the same Argon2 work as a new registration keeps
        // its timing from telling more.
        store.hasher().verify(password.expose(), None).await?;
        return Err(identity_exists());
    }
    let hash = store.hasher().hash(&password).await?;
    let at = now();
    let identity_id = ids::new(ids::prefix::IDENTITY);
    let (session, _refresh) = sessions::new_identity_row(store, &identity_id, None, client)?;
    let mut conn = store.db().write_conn().await?;
    let result = db_run!(conn, |c| c
        .transaction(async |c| {
            diesel::insert_into(identities::table)
                .values((
                    identities::id.eq(&identity_id),
                    identities::provider.eq(EMAILPASS),
                    identities::email.eq(email.as_str()),
                    identities::password_hash.eq(&hash),
                    identities::created_at.eq(at),
                    identities::updated_at.eq(at),
                ))
                .execute(c)
                .await?;
            diesel::insert_into(sessions_t::table)
                .values(&session)
                .execute(c)
                .await?;
            Ok::<_, StoreError>(())
        })
        .await);
    drop(conn);
    match result {
        // Two registrations racing past the check: the unique index decides.
        Err(StoreError::Conflict { .. }) => return Err(identity_exists()),
        other => other?,
    }
    tracing::info!(identity_id = %identity_id, "identity registered");
    token_for(store, &identity_id, &session.id, None)
}

/// Signs in with email and password: the identity's customer when it has one, else the
/// identity alone (it may then create its customer). Throttled and timed as every login.
pub async fn login(
    store: &Store,
    email: &str,
    password: &str,
    client: &Client,
) -> Result<IdentitySignIn, StoreError> {
    let (identity_id, customer_id) =
        sessions::check_password(store, email, password, client).await?;
    if store.config().require_verified_email
        && let Some(customer_id) = &customer_id
    {
        let customer = accounts::get(store, customer_id).await?;
        email_verification::require_verified(store, &customer)?;
    }
    sign_in(store, &identity_id, customer_id.as_deref(), client).await
}

/// A new session for the identity (and its customer), with its access token.
async fn sign_in(
    store: &Store,
    identity_id: &str,
    customer_id: Option<&str>,
    client: &Client,
) -> Result<IdentitySignIn, StoreError> {
    let (session, _refresh) = sessions::new_identity_row(store, identity_id, customer_id, client)?;
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| diesel::insert_into(sessions_t::table)
        .values(&session)
        .execute(c)
        .await)?;
    drop(conn);
    if let Some(customer_id) = customer_id {
        tracing::info!(customer_id = %customer_id, session_id = %session.id, "signed in");
        let customer = accounts::get(store, customer_id).await?;
        super::orders::history::attach_guest_orders(store, &customer, client).await?;
    }
    token_for(store, identity_id, &session.id, customer_id)
}

fn token_for(
    store: &Store,
    identity_id: &str,
    session_id: &str,
    customer_id: Option<&str>,
) -> Result<IdentitySignIn, StoreError> {
    let (token, expires_at) = auth::issue(store, customer_id.unwrap_or_default(), session_id)?;
    Ok(IdentitySignIn {
        token,
        expires_at,
        principal: IdentityPrincipal {
            identity_id: identity_id.to_owned(),
            session_id: session_id.to_owned(),
            actor: customer_id.map(str::to_owned),
            customer_id: customer_id.map(str::to_owned),
            issued_at: Utc::now().timestamp(),
            expires_at: expires_at.timestamp(),
        },
    })
}

/// The live session `session_id`: its identity and customer.
async fn live_session(
    store: &Store,
    session_id: &str,
) -> Result<(String, Option<String>), StoreError> {
    let mut conn = store.db().conn().await?;
    db_run!(conn, |c| sessions_t::table
        .filter(sessions_t::id.eq(session_id))
        .filter(sessions_t::revoked_at.is_null())
        .filter(sessions_t::expires_at.gt(now()))
        .select((sessions_t::identity_id, sessions_t::customer_id))
        .first(c)
        .await
        .optional())?
    .ok_or(StoreError::Unauthenticated)
}

/// The identity an access token (a customer's or a registration token) signs in, if the token
/// is valid and its session live.
pub async fn authenticate(store: &Store, token: &str) -> Result<IdentityPrincipal, StoreError> {
    let claims = auth::decode(store, token)?;
    let (identity_id, customer_id) = live_session(store, &claims.sid).await?;
    let actor = (!claims.sub.is_empty()).then_some(claims.sub);
    if actor.is_some() && actor != customer_id {
        return Err(StoreError::Unauthenticated);
    }
    Ok(IdentityPrincipal {
        identity_id,
        session_id: claims.sid,
        actor,
        customer_id,
        issued_at: claims.iat,
        expires_at: claims.exp,
    })
}

fn cookie_mac(store: &Store, session_id: &str, expires: i64) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(store.jwt().refresh_key())
        .expect("HMAC takes keys of any length");
    mac.update(b"session cookie\0");
    mac.update(session_id.as_bytes());
    mac.update(b"\0");
    mac.update(expires.to_string().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A cookie value for the caller's session and how long it lasts: the session id and an
/// expiry, signed.
pub fn cookie_for(
    store: &Store,
    principal: &IdentityPrincipal,
) -> (Secret<String>, chrono::Duration) {
    let expires = (Utc::now() + COOKIE_TTL).timestamp();
    let mac = cookie_mac(store, &principal.session_id, expires);
    (
        Secret::new(format!("{}.{expires}.{mac}", principal.session_id)),
        COOKIE_TTL,
    )
}

/// The identity a session cookie signs in: its signature and expiry checked, its session
/// live. The actor is the session's customer now.
pub async fn authenticate_cookie(
    store: &Store,
    value: &str,
) -> Result<IdentityPrincipal, StoreError> {
    let mut parts = value.rsplitn(3, '.');
    let (Some(mac), Some(expires), Some(session_id)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(StoreError::Unauthenticated);
    };
    let expires: i64 = expires.parse().map_err(|_| StoreError::Unauthenticated)?;
    let expected = cookie_mac(store, session_id, expires);
    let equal: bool =
        subtle_eq(expected.as_bytes(), mac.as_bytes()) && expires > Utc::now().timestamp();
    if !equal {
        return Err(StoreError::Unauthenticated);
    }
    let (identity_id, customer_id) = live_session(store, session_id).await?;
    Ok(IdentityPrincipal {
        identity_id,
        session_id: session_id.to_owned(),
        actor: customer_id.clone(),
        customer_id,
        issued_at: expires - COOKIE_TTL.num_seconds(),
        expires_at: expires,
    })
}

/// Compares two byte strings in time independent of where they differ.
fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh access token for the caller's session, naming the identity's customer if it has
/// one now (a registration token refreshed after creating the customer names it).
pub async fn refresh(
    store: &Store,
    principal: &IdentityPrincipal,
    client: &Client,
) -> Result<IdentitySignIn, StoreError> {
    throttle::per_ip(store, Action::Refresh, client.ip).await?;
    let (identity_id, customer_id) = live_session(store, &principal.session_id).await?;
    token_for(
        store,
        &identity_id,
        &principal.session_id,
        customer_id.as_deref(),
    )
}

/// Ends the caller's session: its tokens and cookies stop working at once.
pub async fn end_session(store: &Store, principal: &IdentityPrincipal) -> Result<(), StoreError> {
    sessions::logout(
        store,
        Some(&Principal {
            customer_id: principal.customer_id.clone().unwrap_or_default(),
            session_id: principal.session_id.clone(),
        }),
        None,
    )
    .await
    .map(|_| ())
}

/// Creates the customer of a registered identity (once: an identity with a customer, or a
/// credential that already acts as a customer, cannot create another). The customer takes the
/// identity's email; the identity and its sessions join the customer.
pub async fn create_customer(
    store: &Store,
    principal: &IdentityPrincipal,
    input: NewCustomer,
    client: &Client,
) -> Result<Customer, StoreError> {
    if principal.actor.is_some() {
        return Err(StoreError::Forbidden(
            "already signed in as a customer".into(),
        ));
    }
    let profile = Profile::parse(&input)?;
    let email = identity_email(store, principal, profile.email.as_ref()).await?;
    let at = now();
    let customer = profile.into_customer(email, at);
    let event = events::customer(
        &customer.id,
        &events::CustomerCreated {
            id: customer.id.clone(),
            email: customer.email.clone(),
        },
    );
    let identity_id = principal.identity_id.clone();
    let mut conn = store.db().write_conn().await?;
    let result = db_run!(conn, |c| c
        .transaction(async |c| {
            join_identity(&mut c.into(), &customer, &identity_id, at).await?;
            events::insert(&mut c.into(), &event).await?;
            email_verification::queue(&mut c.into(), store, &customer.id, &customer.email, at).await
        })
        .await);
    drop(conn);
    match result {
        Err(StoreError::Conflict { .. }) => return Err(accounts::email_taken()),
        other => other?,
    }
    store.wake_mail();
    tracing::info!(customer_id = %customer.id, "customer created for a registered identity");
    super::orders::history::attach_guest_orders(store, &customer, client).await?;
    Ok(customer)
}

/// The checked fields of a [`NewCustomer`].
struct Profile {
    email: Option<Email>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    metadata: Option<String>,
}

impl Profile {
    /// Checks every field and reports every problem at once.
    fn parse(input: &NewCustomer) -> Result<Self, StoreError> {
        let mut problems = Problems::default();
        let email = problems.check(
            input
                .email
                .as_deref()
                .map(|e| Email::parse("email", e))
                .transpose(),
        );
        let first_name = problems.field(text("first_name", input.first_name.as_deref(), 100));
        let last_name = problems.field(text("last_name", input.last_name.as_deref(), 100));
        let phone = problems.field(text("phone", input.phone.as_deref(), 40));
        let company = problems.field(text("company", input.company.as_deref(), 100));
        let metadata = problems.check(
            input
                .metadata
                .as_ref()
                .map(super::validate::metadata)
                .transpose(),
        );
        problems.finish()?;
        Ok(Self {
            email: email.flatten(),
            first_name: first_name.flatten(),
            last_name: last_name.flatten(),
            phone: phone.flatten(),
            company: company.flatten(),
            metadata: metadata.flatten(),
        })
    }

    fn into_customer(self, email: String, at: chrono::NaiveDateTime) -> Customer {
        Customer {
            id: ids::new(ids::prefix::CUSTOMER),
            email,
            first_name: self.first_name,
            last_name: self.last_name,
            phone: self.phone,
            company: self.company,
            accepts_marketing: false,
            metadata: self.metadata.unwrap_or_else(|| "{}".into()),
            created_at: at,
            updated_at: at,
            email_verified_at: None,
            deleted_at: None,
        }
    }
}

/// The identity's email, which the new customer takes: an email given in the input must be
/// the same; an identity that already has its customer creates no other.
async fn identity_email(
    store: &Store,
    principal: &IdentityPrincipal,
    given: Option<&Email>,
) -> Result<String, StoreError> {
    let mut conn = store.db().conn().await?;
    let identity: Option<(String, Option<String>)> = db_run!(conn, |c| identities::table
        .find(&principal.identity_id)
        .select((identities::email, identities::customer_id))
        .first(c)
        .await
        .optional())?;
    drop(conn);
    let (email, linked) = identity.ok_or(StoreError::not_found(Entity::Identity))?;
    if let Some(given) = given
        && given.as_str() != email
    {
        if taken_by_account(store, given.as_str()).await? {
            return Err(accounts::email_taken());
        }
        return Err(StoreError::invalid(
            "email",
            "must be the email the identity was registered with",
        ));
    }
    if linked.is_some() {
        return Err(accounts::email_taken());
    }
    Ok(email)
}

/// Inside the creation's transaction: inserts the customer and joins it to the identity and
/// its sessions. Only an identity still without a customer is joined, so of two racing
/// creations one wins and the other rolls back.
async fn join_identity(
    c: &mut crate::db::Backend<'_>,
    customer: &Customer,
    identity_id: &str,
    at: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    let taken: Option<String> = db_run!(c, |c| customers::table
        .filter(customers::email.eq(&customer.email))
        .filter(customers::has_account.eq(true))
        .select(customers::id)
        .first(c)
        .await
        .optional())?;
    if taken.is_some() {
        return Err(accounts::email_taken());
    }
    db_run!(c, |c| diesel::insert_into(customers::table)
        .values((
            customers::id.eq(&customer.id),
            customers::email.eq(&customer.email),
            customers::has_account.eq(true),
            customers::first_name.eq(&customer.first_name),
            customers::last_name.eq(&customer.last_name),
            customers::phone.eq(&customer.phone),
            customers::company.eq(&customer.company),
            customers::accepts_marketing.eq(false),
            customers::metadata.eq(&customer.metadata),
            customers::created_at.eq(at),
            customers::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    let joined = db_run!(c, |c| diesel::update(identities::table.find(identity_id))
        .filter(identities::customer_id.is_null())
        .set((
            identities::customer_id.eq(&customer.id),
            identities::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    if joined != 1 {
        return Err(accounts::email_taken());
    }
    db_run!(c, |c| diesel::update(sessions_t::table)
        .filter(sessions_t::identity_id.eq(identity_id))
        .filter(sessions_t::customer_id.is_null())
        .set(sessions_t::customer_id.eq(&customer.id))
        .execute(c)
        .await)?;
    Ok(())
}

/// Whether an account (a customer with a login) uses `email`.
async fn taken_by_account(store: &Store, email: &str) -> Result<bool, StoreError> {
    let mut conn = store.db().conn().await?;
    let found: Option<String> = db_run!(conn, |c| customers::table
        .filter(customers::email.eq(email))
        .filter(customers::has_account.eq(true))
        .select(customers::id)
        .first(c)
        .await
        .optional())?;
    Ok(found.is_some())
}

/// Registers a customer with an account (see [`accounts::register`]) and answers the sign-in
/// as an identity, for a session cookie (a client that signs in at registration).
pub async fn register_customer(
    store: &Store,
    registration: accounts::Registration,
    client: &Client,
) -> Result<IdentitySignIn, StoreError> {
    let session = accounts::register(store, registration, client).await?;
    let principal = authenticate(store, session.access_token.expose()).await?;
    Ok(IdentitySignIn {
        token: session.access_token,
        expires_at: session.expires_at,
        principal,
    })
}
