//! `/store/orders` (v2): the signed-in customer's placed orders, and one order its owner (or a
//! guest holding its token) may see. Another customer's order is a missing one.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Value, json};

use super::StoreKey;
use super::caller::Caller;
use super::error::MedusaError;
use super::query::{Params, project};
use super::wire::time;
use super::wire_catalog::amount;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::orders::history::{self, OrderFilter, OrderKey, OrderQuery};
use crate::store::orders::{
    FulfillmentStatus, LineItem, Order, OrderAddress, OrderStatus, PaymentStatus,
};

fn status(o: &Order) -> &'static str {
    match o.status() {
        OrderStatus::Canceled => "canceled",
        OrderStatus::Cart | OrderStatus::Placed => "pending",
    }
}

fn payment_status(o: &Order) -> &'static str {
    match o.payment_status() {
        PaymentStatus::BalanceDue => "not_paid",
        PaymentStatus::Paid => "captured",
        PaymentStatus::Void => "canceled",
    }
}

fn fulfillment_status(o: &Order) -> &'static str {
    match o.fulfillment_status() {
        FulfillmentStatus::Unfulfilled => "not_fulfilled",
        FulfillmentStatus::Fulfilled => "shipped",
        FulfillmentStatus::Canceled => "canceled",
    }
}

/// `R000000042` is display id 42.
fn display_id(o: &Order) -> Option<i64> {
    o.number.as_deref()?.trim_start_matches('R').parse().ok()
}

/// The order as Medusa lists it (its default list fields).
fn listed(o: &Order) -> Value {
    let money = |minor: i64| amount(minor, &o.currency);
    let paid = if o.payment_status() == PaymentStatus::Paid {
        o.total
    } else {
        0
    };
    json!({
        "id": o.id,
        "status": status(o),
        "display_id": display_id(o),
        "custom_display_id": o.number,
        "summary": {
            "pending_difference": money(o.total - paid),
            "current_order_total": money(o.total),
            "original_order_total": money(o.total),
            "transaction_total": money(paid),
            "paid_total": money(paid),
            "refunded_total": 0,
            "accounting_total": money(o.total),
        },
        "total": money(o.total),
        "currency_code": o.currency.to_lowercase(),
        "metadata": null,
        "created_at": time(o.completed_at.unwrap_or(o.created_at)),
        "updated_at": time(o.updated_at),
    })
}

fn address(a: Option<OrderAddress>) -> Value {
    a.map_or(Value::Null, |a| {
        json!({
            "first_name": a.first_name, "last_name": a.last_name, "company": a.company,
            "address_1": a.address1, "address_2": a.address2, "city": a.city,
            "postal_code": a.postal_code, "country_code": a.country_code.to_lowercase(),
            "province": a.province_code.map(|p| p.to_lowercase()), "phone": a.phone,
            "metadata": null,
        })
    })
}

fn line(o: &Order, l: &LineItem) -> Value {
    let money = |minor: i64| amount(minor, &o.currency);
    json!({
        "id": l.id,
        "title": l.name,
        "subtitle": (!l.options_text.is_empty()).then(|| l.options_text.clone()),
        "thumbnail": null,
        "variant_id": l.variant_id,
        "product_id": l.product_id,
        "product_title": l.name,
        "variant_sku": l.sku,
        "variant_title": l.options_text,
        "quantity": l.quantity,
        "unit_price": money(l.unit_price),
        "compare_at_unit_price": l.compare_at_unit_price.map(money),
        "subtotal": money(l.total),
        "total": money(l.total),
        "metadata": null,
        "created_at": time(l.created_at),
        "updated_at": time(l.updated_at),
    })
}

/// The order as Medusa retrieves it: the listed fields plus email, totals, addresses, items.
pub(super) fn detailed(o: &Order, lines: &[LineItem]) -> Value {
    let money = |minor: i64| amount(minor, &o.currency);
    let mut value = listed(o);
    let extra = json!({
        "email": o.email,
        "customer_id": o.customer_id,
        "region_id": format!("reg_{}", o.currency.to_lowercase()),
        "sales_channel_id": null,
        "payment_status": payment_status(o),
        "fulfillment_status": fulfillment_status(o),
        "item_total": money(o.item_total),
        "item_subtotal": money(o.item_total),
        "subtotal": money(o.item_total),
        "shipping_total": money(o.shipping_total),
        "shipping_subtotal": money(o.shipping_total),
        "tax_total": money(o.tax_total),
        "discount_total": 0,
        "items": lines.iter().map(|l| line(o, l)).collect::<Vec<_>>(),
        "shipping_address": address(o.shipping_address()),
        "billing_address": address(o.billing_address()),
        "canceled_at": o.canceled_at.map(time),
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        value[k] = v.clone();
    }
    value
}

/// Medusa's order statuses; ours are `pending` (placed) and `canceled`.
const STATUSES: [&str; 6] = [
    "pending",
    "completed",
    "draft",
    "archived",
    "canceled",
    "requires_action",
];

/// Medusa's `status` filter (one value or several, meaning any of them) as the store's: a
/// status the store never gives (`completed`, `draft`, ...) matches nothing, an unknown word is
/// refused as Medusa's validator does.
fn status_filter(values: &[String], filter: &mut OrderFilter) -> Result<(), MedusaError> {
    if let Some(bad) = values.iter().find(|v| !STATUSES.contains(&v.as_str())) {
        return Err(MedusaError::invalid_request(format!(
            "Expected: '{}' for field 'status', but got: '{bad}'",
            STATUSES.join(", ")
        )));
    }
    let wanted = |name: &str| values.iter().any(|v| v == name);
    match (wanted("pending"), wanted("canceled")) {
        _ if values.is_empty() => {}
        (true, true) => {}
        (true, false) => filter.status = Some(OrderStatus::Placed),
        (false, true) => filter.status = Some(OrderStatus::Canceled),
        (false, false) => filter.unmatched = true,
    }
    Ok(())
}

/// `GET /store/orders`: `{orders, count, offset, limit}` (limit 50, at most 100), newest first.
#[utoipa::path(get, path = "/store/orders", tag = "orders", responses((status = 200, description = "{orders, count, offset, limit}")))]
pub async fn list(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let principal = caller.customer(&state.store).await?;
    list_body(&state, &principal.customer_id, &params, 50).await
}

/// A page of the customer's orders as v1 and v2 list them.
pub(super) async fn list_body(
    state: &AppState,
    customer_id: &str,
    params: &Params,
    default_limit: i64,
) -> Result<Json<Value>, MedusaError> {
    let (offset, limit) = params.page(default_limit);
    if !matches!(params.order.as_deref(), None | Some("-created_at")) {
        return Err(MedusaError::invalid_request(
            "orders are listed newest first: order=-created_at",
        ));
    }
    let mut filter = OrderFilter::default();
    status_filter(&params.all("status"), &mut filter)?;
    let query = OrderQuery {
        first: Some(limit),
        offset,
        filter,
        ..OrderQuery::default()
    };
    let (page, count) = history::list_for_customer(&state.store, customer_id, &query).await?;
    let orders: Vec<Value> = page
        .items
        .iter()
        .map(|(_, o)| project(listed(o), params.fields.as_deref()))
        .collect();
    Ok(Json(
        json!({ "orders": orders, "count": count, "offset": offset, "limit": limit }),
    ))
}

/// `GET /store/orders/{id}`: `{order}`.
#[utoipa::path(get, path = "/store/orders/{id}", params(("id" = String, Path)), tag = "orders", responses((status = 200, description = "{order}")))]
pub async fn get(
    _key: StoreKey,
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, MedusaError> {
    let params = Params::parse(query.as_deref())?;
    let not_found = || {
        MedusaError::new(
            axum::http::StatusCode::NOT_FOUND,
            super::error::kind::NOT_FOUND,
            format!("Order id not found: {id}"),
        )
    };
    // A guest's order as its completion named it: `order_<token>`.
    if super::wire_cart::token_in(&id, super::wire_cart::ORDER).is_some() {
        let opened = super::carts::open(
            &state,
            &caller,
            &id,
            super::wire_cart::ORDER,
            super::carts::Says::Change,
        )
        .await
        .map_err(|_| not_found())?;
        if opened.order.status() == OrderStatus::Cart {
            return Err(not_found());
        }
        let order = super::carts::order_value(&state, &opened.order, &opened.token).await?;
        return Ok(Json(
            json!({ "order": project(order, params.fields.as_deref()) }),
        ));
    }
    let order_caller = caller.order_caller(&state.store).await;
    let (order, lines) = history::detail(&state.store, &order_caller, &OrderKey::Id(id.clone()))
        .await
        .map_err(|e| match e {
            StoreError::NotFound { .. } => not_found(),
            other => other.into(),
        })?;
    Ok(Json(
        json!({ "order": project(detailed(&order, &lines), params.fields.as_deref()) }),
    ))
}
