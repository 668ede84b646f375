//! `/store/customers...`: create (v2 with a registration token; v1 with a password), the
//! signed-in customer, and the address book.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::caller::{self, Caller};
use super::error::{MedusaError, with_id};
use super::query::{Params, project};
use super::wire::{
    AddressBody, CreateCustomerBody, MedusaAddress, MedusaCustomer, UpdateCustomerBody,
};
use super::{Body, StoreKey};
use crate::error::{Entity, Secret};
use crate::state::AppState;
use crate::store::accounts::{self, CustomerUpdate, Registration};
use crate::store::addresses::{self, AddressSearch};
use crate::store::identities::{self, NewCustomer};
use crate::store::{Store, StoreError};

/// `{customer}` with the customer's addresses, narrowed by `fields`.
pub(super) async fn customer_body(
    store: &Store,
    customer_id: &str,
    fields: Option<&str>,
) -> Result<Json<Value>, MedusaError> {
    let (customer, book) = addresses::book(store, customer_id).await?;
    let customer =
        serde_json::to_value(MedusaCustomer::new(customer, book)).map_err(StoreError::from)?;
    Ok(Json(json!({ "customer": project(customer, fields) })))
}

/// `POST /store/customers`. v2: the registration token's identity gets its one customer.
/// v1 (a `password` in the body): registers, signs in and sets the session cookie.
#[utoipa::path(post, path = "/store/customers", tag = "customers", responses((status = 200, description = "{customer}")))]
pub async fn create(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: Body<CreateCustomerBody>,
) -> Result<Response, MedusaError> {
    let body = body.into_inner();
    let params = Params::parse(query.as_deref())?;
    let store = &state.store;
    if let Some(password) = body.password {
        let registration = Registration {
            email: body.email.unwrap_or_default(),
            password: Secret::new(password),
            first_name: body.first_name,
            last_name: body.last_name,
            phone: body.phone,
            company: body.company_name,
            accepts_marketing: false,
        };
        let signed = identities::register_customer(store, registration, caller.client())
            .await
            .map_err(duplicate_account)?;
        let (value, max_age) = identities::cookie_for(store, &signed.principal);
        let cookie = caller::set_cookie(value.expose(), max_age, !state.config.is_development());
        let customer_id = signed.principal.actor.clone().unwrap_or_default();
        let body = customer_body(store, &customer_id, params.fields.as_deref()).await?;
        return Ok(([(header::SET_COOKIE, cookie)], body).into_response());
    }
    let principal = caller.identity(store).await?;
    let input = NewCustomer {
        email: body.email,
        first_name: body.first_name,
        last_name: body.last_name,
        phone: body.phone,
        company: body.company_name,
        metadata: body.metadata,
    };
    let customer = identities::create_customer(store, &principal, input, caller.client())
        .await
        .map_err(|e| match e {
            StoreError::Forbidden(_) => {
                MedusaError::invalid_data("Request already authenticated as a customer.")
            }
            other => duplicate_account(other),
        })?;
    Ok(customer_body(store, &customer.id, params.fields.as_deref())
        .await?
        .into_response())
}

fn duplicate_account(e: StoreError) -> MedusaError {
    match e {
        StoreError::Conflict { .. } => {
            MedusaError::duplicate("Customer with this email already has an account")
        }
        other => other.into(),
    }
}

/// `GET /store/customers/me`.
#[utoipa::path(get, path = "/store/customers/me", tag = "customers", responses((status = 200, description = "{customer}")))]
pub async fn me(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let principal = caller.customer(&state.store).await?;
    customer_body(
        &state.store,
        &principal.customer_id,
        params.fields.as_deref(),
    )
    .await
    .map_err(|e| match e.status().as_u16() {
        404 => MedusaError::not_found(Entity::Customer, &principal.customer_id),
        _ => e,
    })
}

/// `POST /store/customers/me`.
#[utoipa::path(post, path = "/store/customers/me", tag = "customers", responses((status = 200, description = "{customer}")))]
pub async fn update_me(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: Body<UpdateCustomerBody>,
) -> Result<Json<Value>, MedusaError> {
    let body = body.into_inner();
    let params = Params::parse(query.as_deref())?;
    let principal = caller.customer(&state.store).await?;
    let update = CustomerUpdate {
        first_name: body.first_name,
        last_name: body.last_name,
        phone: body.phone,
        company: body.company_name,
        metadata: body.metadata,
        ..CustomerUpdate::default()
    };
    accounts::update_me(&state.store, &principal, update, caller.client()).await?;
    customer_body(
        &state.store,
        &principal.customer_id,
        params.fields.as_deref(),
    )
    .await
}

/// `GET /store/customers/me/addresses`: `{addresses, count, offset, limit}` (limit 50).
#[utoipa::path(get, path = "/store/customers/me/addresses", tag = "addresses", responses((status = 200, description = "{addresses, count, offset, limit}")))]
pub async fn list_addresses(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let principal = caller.customer(&state.store).await?;
    let (offset, limit) = params.page(50);
    let search = AddressSearch {
        q: params.one("q"),
        cities: params.all("city"),
        country_codes: params.all("country_code"),
        postal_codes: params.all("postal_code"),
        offset,
        limit,
    };
    let (page, count) = addresses::search(&state.store, &principal.customer_id, &search).await?;
    let items: Vec<Value> = page
        .into_iter()
        .map(|a| project(json!(MedusaAddress::from(a)), params.fields.as_deref()))
        .collect();
    Ok(Json(json!({
        "addresses": items, "count": count, "offset": offset, "limit": limit,
    })))
}

/// `POST /store/customers/me/addresses` (v2 body, or v1's `{address}`): `{customer}`.
#[utoipa::path(post, path = "/store/customers/me/addresses", tag = "addresses", responses((status = 200, description = "{customer}")))]
pub async fn create_address(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: Body<AddressBody>,
) -> Result<Json<Value>, MedusaError> {
    let body = body.into_inner();
    let params = Params::parse(query.as_deref())?;
    let principal = caller.customer(&state.store).await?;
    let body = body.unwrap();
    addresses::create(
        &state.store,
        &principal.customer_id,
        &body.input(),
        body.defaults(),
    )
    .await?;
    customer_body(
        &state.store,
        &principal.customer_id,
        params.fields.as_deref(),
    )
    .await
}

/// `GET /store/customers/me/addresses/{id}`: `{address}`.
#[utoipa::path(get, path = "/store/customers/me/addresses/{id}", params(("id" = String, Path)), tag = "addresses", responses((status = 200, description = "{address}")))]
pub async fn get_address(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let principal = caller.customer(&state.store).await?;
    let address = addresses::get(&state.store, &principal.customer_id, &id)
        .await
        .map_err(with_id(&id))?;
    let address = project(
        json!(MedusaAddress::from(address)),
        params.fields.as_deref(),
    );
    Ok(Json(json!({ "address": address })))
}

/// `POST /store/customers/me/addresses/{id}`: changes the fields given; `{customer}`.
#[utoipa::path(post, path = "/store/customers/me/addresses/{id}", params(("id" = String, Path)), tag = "addresses", responses((status = 200, description = "{customer}")))]
pub async fn update_address(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Body<AddressBody>,
) -> Result<Json<Value>, MedusaError> {
    let body = body.into_inner();
    let params = Params::parse(query.as_deref())?;
    let principal = caller.customer(&state.store).await?;
    let body = body.unwrap();
    addresses::patch(
        &state.store,
        &principal.customer_id,
        &id,
        &body.input(),
        body.defaults(),
    )
    .await
    .map_err(with_id(&id))?;
    customer_body(
        &state.store,
        &principal.customer_id,
        params.fields.as_deref(),
    )
    .await
}

/// `DELETE /store/customers/me/addresses/{id}`: `{id, object, deleted, parent}`, where `id` is
/// the customer's (Medusa's quirk, kept because it is what goes over the wire).
#[utoipa::path(delete, path = "/store/customers/me/addresses/{id}", params(("id" = String, Path)), tag = "addresses", responses((status = 200, description = "{id, object, deleted, parent, customer}")))]
pub async fn delete_address(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, MedusaError> {
    let principal = caller.customer(&state.store).await?;
    addresses::delete(&state.store, &principal.customer_id, &id)
        .await
        .map_err(with_id(&id))?;
    let Json(parent) = customer_body(&state.store, &principal.customer_id, None).await?;
    // `customer` as well, for v1 clients, which read it from the same route.
    Ok(Json(json!({
        "id": principal.customer_id,
        "object": "address",
        "deleted": true,
        "parent": parent["customer"],
        "customer": parent["customer"],
    })))
}
