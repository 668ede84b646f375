//! `/store/carts` (v2): create, read and change a cart, its line items, hand a guest cart to
//! the signed-in customer, complete it. The cart id is the cart's token (`wire_cart`), so it
//! opens a guest cart; a customer's cart also needs that customer signed in, and otherwise
//! answers as a missing one (Medusa itself lets any holder of the id in).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::caller::Caller;
use super::error::{MedusaError, kind};
use super::query::{Params, project};
use super::wire_cart::{
    self, AddItemBody, CART, CreateCartBody, EmptyBody, ORDER, UpdateCartBody, UpdateItemBody,
    quantity, token_in,
};
use super::{Body, StoreKey};
use crate::error::{Entity, Secret};
use crate::rest::DialectError;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::orders::cart::{self, AddressSource, CartUpdate, NewCart};
use crate::store::orders::checkout::{self, Completion, Needs};
use crate::store::orders::{self, Caller as OrderCaller, Order, OrderStatus, history};
use crate::store::shop;

/// How a route says that a cart is missing (Medusa words it two ways).
#[derive(Clone, Copy)]
pub(super) enum Says {
    /// `GET` and complete: `Cart with id '…' not found`.
    Read,
    /// The other routes: `Cart id not found: …`.
    Change,
}

fn missing(id: &str, says: Says) -> MedusaError {
    let message = match says {
        Says::Read => format!("Cart with id '{id}' not found"),
        Says::Change => format!("Cart id not found: {id}"),
    };
    MedusaError::new(StatusCode::NOT_FOUND, kind::NOT_FOUND, message)
}

/// A cart found by its id, with the caller that opened it.
pub(super) struct Opened {
    pub caller: OrderCaller,
    pub order: Order,
    pub token: String,
}

/// The caller as the store sees it: the signed-in customer (a bad credential is anonymity, as
/// in Medusa) and the token the id carried, which opens guest rows only.
pub(super) async fn order_caller(
    state: &AppState,
    caller: &Caller,
    token: Option<&str>,
) -> OrderCaller {
    let customer = caller.identity(&state.store).await.ok();
    OrderCaller {
        customer_id: customer.and_then(|p| p.customer()).map(|p| p.customer_id),
        token: token.map(|t| Secret::new(t.to_owned())),
        token_for_guest_rows_only: true,
    }
}

/// The cart (or the order it became) that `id` (`prefix` + token) names, if the caller may
/// open it; anything else is `not_found`, worded as `says`.
pub(super) async fn open(
    state: &AppState,
    caller: &Caller,
    id: &str,
    prefix: &str,
    says: Says,
) -> Result<Opened, MedusaError> {
    let token = token_in(id, prefix).ok_or_else(|| missing(id, says))?;
    let caller = order_caller(state, caller, Some(&token)).await;
    let order = orders::find_by_token(&state.store, &caller, &token)
        .await
        .map_err(|e| match e {
            StoreError::NotFound { .. } => missing(id, says),
            other => other.into(),
        })?;
    Ok(Opened {
        caller,
        order,
        token,
    })
}

/// [`open`], for a change: a completed cart is refused.
pub(super) async fn open_cart(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Opened, MedusaError> {
    let opened = open(state, caller, id, CART, Says::Change).await?;
    if opened.order.status() != OrderStatus::Cart {
        return Err(completed(&opened.token));
    }
    Ok(opened)
}

/// `Cart cart_… is already completed.`
pub(super) fn completed(token: &str) -> MedusaError {
    MedusaError::invalid_data(&format!("Cart {CART}{token} is already completed."))
}

/// A cart's errors in Medusa's words: a missing cart, an unknown variant, a missing line, stock.
pub(super) fn cart_error<'a>(
    id: &'a str,
    variant: Option<&'a str>,
    line: Option<&'a str>,
) -> impl Fn(StoreError) -> MedusaError + 'a {
    move |e| match e {
        StoreError::NotFound {
            entity: Entity::Cart,
        } => missing(id, Says::Change),
        StoreError::NotFound {
            entity: Entity::LineItem,
        } => MedusaError::not_found(Entity::LineItem, line.unwrap_or_default()),
        StoreError::NotFound {
            entity: Entity::Variant,
        } => unknown_variant(variant.unwrap_or_default()),
        StoreError::InvalidInput { ref fields, .. }
            if fields.iter().any(|f| f.field == "variant_id") =>
        {
            unknown_variant(variant.unwrap_or_default())
        }
        StoreError::Conflict {
            field: Some(ref field),
            ..
        } if field == "quantity" => MedusaError::coded(
            StatusCode::BAD_REQUEST,
            "insufficient_inventory",
            kind::NOT_ALLOWED,
            "Some variant does not have the required inventory",
        ),
        other => other.into(),
    }
}

fn unknown_variant(variant: &str) -> MedusaError {
    MedusaError::invalid_data(&format!(
        "Variants {variant} do not exist or belong to a product that is not published"
    ))
}

/// A body that may be absent (an empty body is `T::default()`), read in Medusa's shape.
pub(super) fn optional_body<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, MedusaError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => MedusaError::bad_body(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("invalid request body: {}", crate::rest::serde_message(&e)),
        ),
        _ => MedusaError::bad_body(
            StatusCode::BAD_REQUEST,
            format!("malformed JSON: {}", crate::rest::serde_message(&e)),
        ),
    })
}

/// The cart's full Medusa shape.
pub(super) async fn cart_value(
    state: &AppState,
    order: &Order,
    token: &str,
) -> Result<Value, MedusaError> {
    let mut lines =
        history::lines_for_orders(&state.store, std::slice::from_ref(&order.id)).await?;
    let lines = lines.remove(&order.id).unwrap_or_default();
    Ok(wire_cart::cart(&state.store, order, token, &lines))
}

/// `{cart}`, narrowed by `fields`.
pub(super) async fn answer(
    state: &AppState,
    order: &Order,
    token: &str,
    query: Option<&str>,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query)?;
    let cart = cart_value(state, order, token).await?;
    Ok(Json(
        json!({ "cart": project(cart, params.fields.as_deref()) }),
    ))
}

/// The region and currency a new cart asks for must be the shop's.
fn check_region(state: &AppState, body: &CreateCartBody) -> Result<(), MedusaError> {
    let region = shop::region(&state.store);
    if body.region_id.as_ref().is_some_and(|r| *r != region.id) {
        return Err(MedusaError::new(
            StatusCode::NOT_FOUND,
            kind::NOT_FOUND,
            "No regions found",
        ));
    }
    if let Some(currency) = &body.currency_code
        && !currency.eq_ignore_ascii_case(&region.currency)
    {
        return Err(MedusaError::invalid_data(&format!(
            "Currency code {currency} does not match the region's currency code {}",
            region.currency.to_lowercase()
        )));
    }
    Ok(())
}

/// The address changes a body asks for.
fn address_update(
    email: Option<String>,
    shipping: Option<&wire_cart::CartAddressBody>,
    billing: Option<&wire_cart::CartAddressBody>,
) -> CartUpdate {
    let inline = |a: &wire_cart::CartAddressBody| AddressSource::Inline(Box::new(a.input()));
    CartUpdate {
        email,
        shipping_address: shipping.map(inline),
        billing_address: billing.map(inline),
        note: None,
    }
}

/// `POST /store/carts`: a cart in the shop's region; with a customer's token it is theirs.
#[utoipa::path(post, path = "/store/carts", tag = "carts", responses((status = 200, description = "{cart}")))]
pub async fn create(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Json<Value>, MedusaError> {
    let body: CreateCartBody = optional_body(&body)?;
    check_region(&state, &body)?;
    let items = body
        .items
        .iter()
        .map(|i| Ok((i.variant_id.clone(), quantity(i.quantity, true)?)))
        .collect::<Result<Vec<_>, MedusaError>>()?;
    let variants: Vec<String> = items.iter().map(|(v, _)| v.clone()).collect();
    let variants = variants.join(", ");
    let order_caller = order_caller(&state, &caller, None).await;
    let input = NewCart {
        email: body.email.clone(),
        note: None,
        items,
    };
    let (mut order, token) = cart::create_with_token(&state.store, &order_caller, input)
        .await
        .map_err(cart_error("", Some(&variants), None))?;
    let token = token.expose().clone();
    if body.shipping_address.is_some() || body.billing_address.is_some() {
        let change = address_update(
            None,
            body.shipping_address.as_ref(),
            body.billing_address.as_ref(),
        );
        let caller = order_caller_with(&order_caller, &token);
        order = cart::update(&state.store, &caller, &order.id, change).await?;
    }
    answer(&state, &order, &token, query.as_deref()).await
}

fn order_caller_with(caller: &OrderCaller, token: &str) -> OrderCaller {
    OrderCaller {
        token: Some(Secret::new(token.to_owned())),
        ..caller.clone()
    }
}

/// `GET /store/carts/{id}`: `{cart}` (a completed one too).
#[utoipa::path(get, path = "/store/carts/{id}", params(("id" = String, Path)), tag = "carts", responses((status = 200, description = "{cart}")))]
pub async fn get(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let opened = open(&state, &caller, &id, CART, Says::Read).await?;
    answer(&state, &opened.order, &opened.token, query.as_deref()).await
}

/// `POST /store/carts/{id}`: email and addresses.
#[utoipa::path(post, path = "/store/carts/{id}", params(("id" = String, Path)), tag = "carts", responses((status = 200, description = "{cart}")))]
pub async fn update(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Body<UpdateCartBody>,
) -> Result<Json<Value>, MedusaError> {
    let body = body.into_inner();
    let region = shop::region(&state.store);
    if body.region_id.as_ref().is_some_and(|r| *r != region.id) {
        return Err(MedusaError::new(
            StatusCode::NOT_FOUND,
            kind::NOT_FOUND,
            "No regions found",
        ));
    }
    let opened = open_cart(&state, &caller, &id).await?;
    let change = address_update(
        body.email.clone(),
        body.shipping_address.as_ref(),
        body.billing_address.as_ref(),
    );
    let order = cart::update(&state.store, &opened.caller, &opened.order.id, change)
        .await
        .map_err(|e| match e {
            StoreError::InvalidInput { ref fields, .. }
                if fields.iter().any(|f| f.field == "email") =>
            {
                MedusaError::invalid_request("Invalid email address")
            }
            other => cart_error(&id, None, None)(other),
        })?;
    answer(&state, &order, &opened.token, query.as_deref()).await
}

/// `POST /store/carts/{id}/line-items`: adds a variant (a line of it grows).
#[utoipa::path(post, path = "/store/carts/{id}/line-items", params(("id" = String, Path)), tag = "carts", responses((status = 200, description = "{cart}")))]
pub async fn add_item(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Body<AddItemBody>,
) -> Result<Json<Value>, MedusaError> {
    let body = body.into_inner();
    let quantity = quantity(body.quantity, true)?;
    let opened = open_cart(&state, &caller, &id).await?;
    let order = cart::add_item(
        &state.store,
        &opened.caller,
        &opened.order.id,
        &body.variant_id,
        quantity,
    )
    .await
    .map_err(cart_error(&id, Some(&body.variant_id), None))?;
    answer(&state, &order, &opened.token, query.as_deref()).await
}

/// `POST /store/carts/{id}/line-items/{line_id}`: a line's quantity; 0 removes it.
#[utoipa::path(post, path = "/store/carts/{id}/line-items/{line_id}", params(("id" = String, Path), ("line_id" = String, Path)), tag = "carts", responses((status = 200, description = "{cart}")))]
pub async fn update_item(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path((id, line_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    body: Body<UpdateItemBody>,
) -> Result<Json<Value>, MedusaError> {
    let quantity = quantity(body.into_inner().quantity, false)?;
    let opened = open_cart(&state, &caller, &id).await?;
    let order = cart::update_item(
        &state.store,
        &opened.caller,
        &opened.order.id,
        &line_id,
        quantity,
    )
    .await
    .map_err(cart_error(&id, None, Some(&line_id)))?;
    answer(&state, &order, &opened.token, query.as_deref()).await
}

/// `DELETE /store/carts/{id}/line-items/{line_id}`: `{id, object, deleted, parent}`; a line
/// that is not there is deleted already (Medusa answers the same).
#[utoipa::path(delete, path = "/store/carts/{id}/line-items/{line_id}", params(("id" = String, Path), ("line_id" = String, Path)), tag = "carts", responses((status = 200, description = "{id, object: \"line-item\", deleted: true, parent: cart}")))]
pub async fn delete_item(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path((id, line_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let opened = open_cart(&state, &caller, &id).await?;
    let store = &state.store;
    let order = match cart::remove_item(store, &opened.caller, &opened.order.id, &line_id).await {
        Ok(order) => order,
        Err(StoreError::NotFound {
            entity: Entity::LineItem,
        }) => opened.order,
        Err(e) => return Err(cart_error(&id, None, Some(&line_id))(e)),
    };
    let params = Params::parse(query.as_deref())?;
    let cart = cart_value(&state, &order, &opened.token).await?;
    Ok(Json(json!({
        "id": line_id, "object": "line-item", "deleted": true,
        "parent": project(cart, params.fields.as_deref()),
    })))
}

/// `POST /store/carts/{id}/customer`: the signed-in customer takes over a guest cart (their
/// own again changes nothing; another customer's is missing).
#[utoipa::path(post, path = "/store/carts/{id}/customer", params(("id" = String, Path)), tag = "carts", responses((status = 200, description = "{cart}")))]
pub async fn transfer(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Json<Value>, MedusaError> {
    caller
        .customer(&state.store)
        .await
        .map_err(|_| MedusaError::unauthorized())?;
    let EmptyBody {} = optional_body(&body)?;
    let opened = open_cart(&state, &caller, &id).await?;
    let order = cart::associate(&state.store, &opened.caller, &opened.order.id)
        .await
        .map_err(cart_error(&id, None, None))?;
    answer(&state, &order, &opened.token, query.as_deref()).await
}

/// Medusa's words for what a cart lacks at completion, in its order of checks.
fn incomplete(e: StoreError) -> MedusaError {
    let StoreError::InvalidInput { fields, .. } = &e else {
        return match e {
            StoreError::Conflict {
                message,
                field: Some(_),
            } => MedusaError::not_allowed(&capitalised(&message)),
            other => other.into(),
        };
    };
    let message = match fields.first().map(|f| f.field.as_str()) {
        Some("line_items") => "Cannot complete a cart with no items",
        Some("payment") => "Payment collection has not been initiated for cart",
        Some("payment_session") => "Payment sessions are required to complete cart",
        Some("delivery") => {
            "No shipping method selected but the cart contains items that require shipping."
        }
        Some("email") => "An email is required to complete the cart",
        Some("shipping_address") => "A shipping address is required to complete the cart",
        _ => return e.into(),
    };
    MedusaError::invalid_data(message)
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The placed order as the completion answers it: a guest's order is named by its token
/// (`order_<token>`), so that the guest can read it again; a customer's by its id.
pub(super) async fn order_value(
    state: &AppState,
    order: &Order,
    token: &str,
) -> Result<Value, MedusaError> {
    let mut lines =
        history::lines_for_orders(&state.store, std::slice::from_ref(&order.id)).await?;
    let lines = lines.remove(&order.id).unwrap_or_default();
    let mut value = super::orders::detailed(order, &lines);
    if order.customer_id.is_none() {
        value["id"] = json!(format!("{ORDER}{token}"));
    }
    Ok(value)
}

/// `POST /store/carts/{id}/complete`: `{type: "order", order}`; completing again answers the
/// same order. A total changed by re-pricing answers `{type: "cart", cart, error}`.
#[utoipa::path(post, path = "/store/carts/{id}/complete", params(("id" = String, Path)), tag = "carts", responses((status = 200, description = "{type: \"order\", order} or {type: \"cart\", cart, error}")))]
pub async fn complete(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let opened = open(&state, &caller, &id, CART, Says::Read).await?;
    let needs = Needs {
        delivery_choice: true,
        payment_session: true,
        repeat_answers_order: true,
    };
    let done = checkout::complete_with(&state.store, &opened.caller, &opened.order.id, needs)
        .await
        .map_err(incomplete)?;
    let fields = params.fields.as_deref();
    Ok(Json(match done {
        Completion::Placed(order) => {
            let order = order_value(&state, &order, &opened.token).await?;
            json!({ "type": "order", "order": project(order, fields) })
        }
        Completion::Repriced(cart) => {
            let cart = cart_value(&state, &cart, &opened.token).await?;
            json!({
                "type": "cart",
                "cart": project(cart, fields),
                "error": {
                    "message": "The cart's total changed: initiate a new payment session",
                    "name": "Error",
                    "type": "payment_authorization_error",
                },
            })
        }
    }))
}
