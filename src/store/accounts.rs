//! Customer accounts: registration, the customer's own profile, password and email changes.
//!
//! A customer (`customers`) and the login identity (`identities`, provider `emailpass`, holding
//! the Argon2id hash) are separate rows, so that a client may register the identity first
//! and create the customer second. `register` here makes both in one transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::auth::{Client, Principal};
use super::events::NewEvent;
use super::mail::{self, outbox};
use super::passwords::NewPassword;
use super::sessions::{self, AuthSession, NewSession};
use super::throttle::{self, Action};
use super::validate::{self, Problems, change, text};
use super::{Entity, Store, StoreError, email_change, email_verification, events, ids, now};
use crate::db::Backend;
use crate::db::schema::{customers, identities, password_resets, sessions as sessions_t};
use crate::db_run;
use crate::error::Secret;

pub use super::customers::{Customer, EMAILPASS, get};
pub use super::validate::Email;

/// What `register` needs.
#[derive(Clone, Debug, Default)]
pub struct Registration {
    pub email: String,
    pub password: Secret<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub accepts_marketing: bool,
}

/// Changes to the signed-in customer. `None` leaves a field alone; an empty string clears it.
/// Changing the email needs the current password.
#[derive(Clone, Debug, Default)]
pub struct CustomerUpdate {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub accepts_marketing: Option<bool>,
    pub email: Option<String>,
    pub current_password: Option<Secret<String>>,
    /// Replaces the metadata: a JSON object (`Some(Value::Null)` clears it).
    pub metadata: Option<serde_json::Value>,
}

pub(super) fn email_taken() -> StoreError {
    StoreError::Conflict {
        message: "an account with this email already exists".into(),
        field: Some("email".into()),
    }
}

/// Whether an account (customer with an account, or a login identity) uses `email`.
pub(super) async fn email_in_use(c: &mut Backend<'_>, email: &str) -> Result<bool, StoreError> {
    let customer: Option<String> = db_run!(c, |c| customers::table
        .filter(customers::email.eq(email))
        .filter(customers::has_account.eq(true))
        .select(customers::id)
        .first(c)
        .await
        .optional())?;
    let identity: Option<String> = db_run!(c, |c| identities::table
        .filter(identities::provider.eq(EMAILPASS))
        .filter(identities::email.eq(email))
        .select(identities::id)
        .first(c)
        .await
        .optional())?;
    Ok(customer.is_some() || identity.is_some())
}

/// Creates a customer with an account and signs it in.
pub async fn register(
    store: &Store,
    input: Registration,
    client: &Client,
) -> Result<AuthSession, StoreError> {
    throttle::per_ip(store, Action::Register, client.ip).await?;
    let mut problems = Problems::default();
    let email = problems.check(Email::parse("email", &input.email));
    let password = problems.check(NewPassword::parse("password", input.password.expose()));
    let first_name = problems.field(text("first_name", input.first_name.as_deref(), 100));
    let last_name = problems.field(text("last_name", input.last_name.as_deref(), 100));
    let phone = problems.field(text("phone", input.phone.as_deref(), 40));
    let company = problems.field(text("company", input.company.as_deref(), 100));
    problems.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(StoreError::Internal("validated input missing".into()));
    };
    let hash = store.hasher().hash(&password).await?;

    let at = now();
    let customer = Customer {
        id: ids::new(ids::prefix::CUSTOMER),
        email: email.as_str().to_owned(),
        first_name: first_name.flatten(),
        last_name: last_name.flatten(),
        phone: phone.flatten(),
        company: company.flatten(),
        accepts_marketing: input.accepts_marketing,
        metadata: "{}".into(),
        created_at: at,
        updated_at: at,
        email_verified_at: None,
        deleted_at: None,
    };
    let identity_id = ids::new(ids::prefix::IDENTITY);
    let (session, refresh) = sessions::new_row(store, &identity_id, &customer.id, client)?;
    // When sign-in needs a verified email, registering does not sign in.
    let signs_in = !store.config().require_verified_email;
    let event = events::customer(
        &customer.id,
        &events::CustomerCreated {
            id: customer.id.clone(),
            email: customer.email.clone(),
        },
    );
    let mut conn = store.db().write_conn().await?;
    let result = db_run!(conn, |c| c
        .transaction(async |c| {
            let account = Account {
                customer: &customer,
                identity_id: &identity_id,
                password_hash: &hash,
                session: signs_in.then_some(&session),
                event: &event,
            };
            create(&mut c.into(), &account, at).await?;
            email_verification::queue(&mut c.into(), store, &customer.id, &customer.email, at).await
        })
        .await);
    drop(conn);
    match result {
        // Two registrations racing past the check: the unique index decides.
        Err(StoreError::Conflict { .. }) => return Err(email_taken()),
        other => other?,
    }
    store.wake_mail();
    tracing::info!(customer_id = %customer.id, "customer registered");
    if !signs_in {
        return Err(StoreError::EmailNotVerified);
    }
    super::orders::history::attach_guest_orders(store, &customer, client).await?;
    sessions::payload(store, customer, &session.id, refresh)
}

/// What a registration inserts.
struct Account<'a> {
    customer: &'a Customer,
    identity_id: &'a str,
    password_hash: &'a str,
    session: Option<&'a NewSession>,
    event: &'a NewEvent,
}

/// Inserts the customer, its login identity and its first session; `Conflict` when the email
/// already has an account.
async fn create(
    c: &mut Backend<'_>,
    account: &Account<'_>,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    let customer = account.customer;
    if email_in_use(c, &customer.email).await? {
        return Err(email_taken());
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
            customers::accepts_marketing.eq(customer.accepts_marketing),
            customers::created_at.eq(at),
            customers::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    db_run!(c, |c| diesel::insert_into(identities::table)
        .values((
            identities::id.eq(account.identity_id),
            identities::provider.eq(EMAILPASS),
            identities::email.eq(&customer.email),
            identities::password_hash.eq(account.password_hash),
            identities::customer_id.eq(&customer.id),
            identities::created_at.eq(at),
            identities::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    if let Some(session) = account.session {
        db_run!(c, |c| diesel::insert_into(sessions_t::table)
            .values(session)
            .execute(c)
            .await)?;
    }
    events::insert(c, account.event).await
}

/// The signed-in customer.
pub async fn me(store: &Store, principal: &Principal) -> Result<Customer, StoreError> {
    get(store, &principal.customer_id).await
}

#[derive(AsChangeset)]
#[diesel(table_name = customers)]
struct CustomerChanges {
    first_name: Option<Option<String>>,
    last_name: Option<Option<String>>,
    phone: Option<Option<String>>,
    company: Option<Option<String>>,
    accepts_marketing: Option<bool>,
    metadata: Option<String>,
    updated_at: chrono::NaiveDateTime,
}

impl CustomerChanges {
    /// The names of the fields this change sets, for the event.
    fn fields(&self) -> Vec<&'static str> {
        [
            ("first_name", self.first_name.is_some()),
            ("last_name", self.last_name.is_some()),
            ("phone", self.phone.is_some()),
            ("company", self.company.is_some()),
            ("accepts_marketing", self.accepts_marketing.is_some()),
            ("metadata", self.metadata.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// The identity (id, email, password hash) of a customer's email-and-password login.
async fn identity_of(
    store: &Store,
    customer_id: &str,
) -> Result<(String, String, String), StoreError> {
    let mut conn = store.db().conn().await?;
    db_run!(conn, |c| identities::table
        .filter(identities::customer_id.eq(customer_id))
        .filter(identities::provider.eq(EMAILPASS))
        .select((identities::id, identities::email, identities::password_hash))
        .first(c)
        .await
        .optional())?
    .ok_or(StoreError::not_found(Entity::Identity))
}

/// Checks the current password of the signed-in customer, counted against the same throttles
/// as a login to that account.
pub(crate) async fn check_current_password(
    store: &Store,
    principal: &Principal,
    password: &str,
    client: &Client,
) -> Result<String, StoreError> {
    throttle::per_ip(store, Action::Login, client.ip).await?;
    let (identity_id, email, hash) = identity_of(store, &principal.customer_id).await?;
    throttle::per_account(store, Action::Login, &email).await?;
    if store.hasher().verify(password, Some(&hash)).await? {
        Ok(identity_id)
    } else {
        Err(StoreError::InvalidCredentials)
    }
}

/// Updates the signed-in customer's profile; a new email needs the current password.
pub async fn update_me(
    store: &Store,
    principal: &Principal,
    update: CustomerUpdate,
    client: &Client,
) -> Result<Customer, StoreError> {
    let mut problems = Problems::default();
    let first_name = problems.field(change("first_name", update.first_name.as_deref(), 100));
    let last_name = problems.field(change("last_name", update.last_name.as_deref(), 100));
    let phone = problems.field(change("phone", update.phone.as_deref(), 40));
    let company = problems.field(change("company", update.company.as_deref(), 100));
    let metadata = problems.check(update.metadata.as_ref().map(validate::metadata).transpose());
    let email = problems.check(
        update
            .email
            .as_deref()
            .map(|v| Email::parse("email", v))
            .transpose(),
    );
    problems.finish()?;

    let current = get(store, &principal.customer_id).await?;
    let new_email = email.flatten().filter(|e| e.as_str() != current.email);
    if new_email.is_some() {
        let Some(password) = &update.current_password else {
            return Err(StoreError::invalid(
                "current_password",
                "is required to change the email",
            ));
        };
        check_current_password(store, principal, password.expose(), client).await?;
        // Each request mails two addresses: bounded like every mail a customer can cause.
        throttle::per_ip(store, Action::AccountMail, client.ip).await?;
        throttle::per_account(store, Action::AccountMail, &current.email).await?;
    }
    let changes = CustomerChanges {
        first_name: first_name.flatten(),
        last_name: last_name.flatten(),
        phone: phone.flatten(),
        company: company.flatten(),
        accepts_marketing: update.accepts_marketing,
        metadata: metadata.flatten(),
        updated_at: now(),
    };
    let changed: Vec<String> = changes.fields().into_iter().map(str::to_owned).collect();
    let event = events::customer(
        &principal.customer_id,
        &events::CustomerUpdated {
            id: principal.customer_id.clone(),
            changed: changed.clone(),
        },
    );
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            // A new email takes effect only when the new address confirms it.
            if let Some(email) = &new_email {
                email_change::request_in(
                    &mut c.into(),
                    store,
                    &principal.customer_id,
                    &current.email,
                    email.as_str(),
                    at,
                )
                .await?;
            }
            if !changed.is_empty() {
                diesel::update(customers::table.find(&principal.customer_id))
                    .set(&changes)
                    .execute(c)
                    .await?;
                events::insert(&mut c.into(), &event).await?;
            }
            Ok::<_, StoreError>(())
        })
        .await)?;
    drop(conn);
    if new_email.is_some() {
        store.wake_mail();
        tracing::info!(customer_id = %principal.customer_id, "email change requested");
    }
    get(store, &principal.customer_id).await
}

/// Changes the signed-in customer's password: needs the current one, ends every session and
/// voids pending reset tokens, then signs in afresh.
pub async fn change_password(
    store: &Store,
    principal: &Principal,
    current_password: &str,
    new_password: &str,
    client: &Client,
) -> Result<AuthSession, StoreError> {
    let new_password = NewPassword::parse("new_password", new_password)?;
    let identity_id = check_current_password(store, principal, current_password, client).await?;
    let hash = store.hasher().hash(&new_password).await?;
    let (session, refresh) =
        sessions::new_row(store, &identity_id, &principal.customer_id, client)?;
    let event = events::customer(
        &principal.customer_id,
        &events::PasswordChanged {
            id: principal.customer_id.clone(),
            other_sessions_only: false,
        },
    );
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let email = replace_password(&mut c.into(), &identity_id, &hash, None, at).await?;
            diesel::insert_into(sessions_t::table)
                .values(&session)
                .execute(c)
                .await?;
            events::insert(&mut c.into(), &event).await?;
            let notice = mail::password_changed(store.config(), &email, at);
            outbox::queue(&mut c.into(), &notice).await?;
            Ok::<_, StoreError>(())
        })
        .await)?;
    drop(conn);
    store.wake_mail();
    tracing::info!(customer_id = %principal.customer_id, "password changed; sessions ended");
    let customer = get(store, &principal.customer_id).await?;
    sessions::payload(store, customer, &session.id, refresh)
}

/// Inside a password change's transaction: stores the new hash, ends the identity's sessions
/// (all but `keep`, when given) and voids its pending reset tokens. Returns the identity's
/// email, for the "password changed" mail.
async fn replace_password(
    c: &mut crate::db::Backend<'_>,
    identity_id: &str,
    hash: &str,
    keep: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<String, StoreError> {
    let email: String = db_run!(c, |c| diesel::update(identities::table.find(identity_id))
        .set((
            identities::password_hash.eq(hash),
            identities::updated_at.eq(at),
        ))
        .returning(identities::email)
        .get_result(c)
        .await)?;
    let live = sessions_t::table
        .filter(sessions_t::identity_id.eq(identity_id))
        .filter(sessions_t::revoked_at.is_null())
        // No session id is empty: without `keep`, every live session ends.
        .filter(sessions_t::id.ne(keep.unwrap_or_default()));
    db_run!(c, |c| diesel::update(live)
        .set(sessions_t::revoked_at.eq(at))
        .execute(c)
        .await)?;
    db_run!(c, |c| diesel::update(password_resets::table)
        .filter(password_resets::identity_id.eq(identity_id))
        .filter(password_resets::used_at.is_null())
        .set(password_resets::used_at.eq(at))
        .execute(c)
        .await)?;
    Ok(email)
}

/// A new password with its confirmation (when the client sends one, it must match).
#[derive(Clone, Debug)]
pub struct PasswordChange {
    pub new: Secret<String>,
    pub confirmation: Option<Secret<String>>,
}

fn check_confirmation(
    password: &str,
    confirmation: Option<&Secret<String>>,
) -> Result<(), StoreError> {
    match confirmation {
        Some(c) if c.expose() != password => Err(StoreError::invalid(
            "password_confirmation",
            "doesn't match Password",
        )),
        _ => Ok(()),
    }
}

/// [`register`] for clients that send a password confirmation: it must match the password.
pub async fn register_confirmed(
    store: &Store,
    input: Registration,
    confirmation: Option<Secret<String>>,
    client: &Client,
) -> Result<AuthSession, StoreError> {
    check_confirmation(input.password.expose(), confirmation.as_ref())?;
    register(store, input, client).await
}

/// Updates the profile and, when `password` is given, the password, in one call. Either a new email or a new password needs the current password.
/// A password change ends every other session of the account and voids pending reset tokens;
/// the caller's session goes on.
pub async fn update_account(
    store: &Store,
    principal: &Principal,
    update: CustomerUpdate,
    password: Option<PasswordChange>,
    client: &Client,
) -> Result<Customer, StoreError> {
    let Some(password) = password else {
        return update_me(store, principal, update, client).await;
    };
    let new_password = NewPassword::parse("password", password.new.expose())?;
    check_confirmation(password.new.expose(), password.confirmation.as_ref())?;
    let Some(current) = &update.current_password else {
        return Err(StoreError::invalid(
            "current_password",
            "is required to change the password",
        ));
    };
    let identity_id = check_current_password(store, principal, current.expose(), client).await?;
    let hash = store.hasher().hash(&new_password).await?;
    let customer = update_me(store, principal, update, client).await?;
    let event = events::customer(
        &principal.customer_id,
        &events::PasswordChanged {
            id: principal.customer_id.clone(),
            other_sessions_only: true,
        },
    );
    let at = now();
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            let keep = Some(principal.session_id.as_str());
            let email = replace_password(&mut c.into(), &identity_id, &hash, keep, at).await?;
            events::insert(&mut c.into(), &event).await?;
            let notice = mail::password_changed(store.config(), &email, at);
            outbox::queue(&mut c.into(), &notice).await?;
            Ok::<_, StoreError>(())
        })
        .await)?;
    drop(conn);
    store.wake_mail();
    tracing::info!(customer_id = %principal.customer_id, "password changed; other sessions ended");
    Ok(customer)
}
