//! Data export. `request` (signed in, throttled) mails a single-use download link valid for
//! `STOREFRONT_DATA_EXPORT_TTL`; the link opens `GET /account/data-export?token=...`, a page
//! whose button posts the token back, so that a mail scanner following links does not use it
//! up. The file is built when the link is used, from the live data, as JSON: profile, consents,
//! login identities, sessions (without token hashes), addresses, carts and orders with their
//! lines, wishlists with their items, saved payment methods (without the provider's token),
//! store credits and the gift cards the customer used, with their ledgers (never a card's code),
//! account activity (event types and times, without payloads), and the mail we sent.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde_json::{Value, json};

use crate::db::schema::{
    data_exports, events as events_t, identities, line_items, mail_outbox, orders, sessions,
};
use crate::db_run;
use crate::store::auth::{Client, Principal};
use crate::store::customers::{self, Customer};
use crate::store::mail::{self, outbox};
use crate::store::orders::{LineItem, Order};
use crate::store::throttle::{self, Action};
use crate::store::{
    Store, StoreError, addresses, balances, email_change, events, ids, now, tokens,
};

/// The answer to an export request.
pub const REQUESTED_MESSAGE: &str =
    "A link to download your data is on its way to your email address.";

/// The version of the file's layout, for tools that read it.
pub const FORMAT_VERSION: u32 = 1;

/// Mails the signed-in customer a link to download their data.
pub async fn request(
    store: &Store,
    principal: &Principal,
    client: &Client,
) -> Result<&'static str, StoreError> {
    throttle::per_ip(store, Action::AccountMail, client.ip).await?;
    let customer = customers::get(store, &principal.customer_id).await?;
    throttle::per_account(store, Action::AccountMail, &customer.email).await?;
    let at = now();
    let ttl = chrono::Duration::from_std(store.config().data_export_ttl)
        .map_err(|e| StoreError::Internal(format!("data export ttl: {e}")))?;
    let token = tokens::random("");
    let id = ids::new(ids::prefix::DATA_EXPORT);
    let link = crate::store::email_tokens::link(
        &format!("{}/account/data-export", store.config().public_url),
        token.expose(),
    );
    let notice = mail::data_export(store.config(), &customer.email, &link, at + ttl);
    let mut conn = store.db().write_conn().await?;
    db_run!(conn, |c| c
        .transaction(async |c| {
            diesel::insert_into(data_exports::table)
                .values((
                    data_exports::id.eq(&id),
                    data_exports::customer_id.eq(&customer.id),
                    data_exports::token_hash.eq(tokens::hash(token.expose())),
                    data_exports::expires_at.eq(at + ttl),
                    data_exports::created_at.eq(at),
                ))
                .execute(c)
                .await?;
            outbox::queue(&mut c.into(), &notice).await
        })
        .await)?;
    drop(conn);
    store.wake_mail();
    tracing::info!(customer_id = %customer.id, export_id = %id, "data export requested");
    Ok(REQUESTED_MESSAGE)
}

fn invalid_link() -> StoreError {
    StoreError::InvalidToken("the download link is invalid, used or expired".into())
}

/// Uses a download link: the customer's data as one JSON document. The link works once.
pub async fn download(store: &Store, token: &str) -> Result<Value, StoreError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 256 {
        return Err(invalid_link());
    }
    let hash = tokens::hash(token);
    let at = now();
    let mut conn = store.db().write_conn().await?;
    let claimed = db_run!(conn, |c| c
        .transaction(async |c| {
            let claimed: Option<(String, String)> = diesel::update(
                data_exports::table
                    .filter(data_exports::token_hash.eq(&hash))
                    .filter(data_exports::used_at.is_null())
                    .filter(data_exports::expires_at.gt(at)),
            )
            .set(data_exports::used_at.eq(at))
            .returning((data_exports::id, data_exports::customer_id))
            .get_result(c)
            .await
            .optional()?;
            if let Some((export_id, customer_id)) = &claimed {
                let event = events::customer(
                    customer_id,
                    &events::DataExported {
                        id: customer_id.clone(),
                        export_id: export_id.clone(),
                    },
                );
                events::insert(&mut c.into(), &event).await?;
            }
            Ok::<_, StoreError>(claimed)
        })
        .await)?;
    drop(conn);
    let (export_id, customer_id) = claimed.ok_or_else(invalid_link)?;
    let customer = customers::get(store, &customer_id).await?;
    if customer.deleted_at.is_some() {
        return Err(invalid_link());
    }
    tracing::info!(customer_id = %customer_id, export_id = %export_id, "data exported");
    build(store, &customer, at).await
}

fn time(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

fn opt_time(at: Option<NaiveDateTime>) -> Option<String> {
    at.map(time)
}

/// Everything we hold about `customer`, as the export file.
pub async fn build(
    store: &Store,
    customer: &Customer,
    at: NaiveDateTime,
) -> Result<Value, StoreError> {
    let id = customer.id.as_str();
    let book = addresses::list_for_customers(store, std::slice::from_ref(&customer.id))
        .await?
        .remove(id)
        .unwrap_or_default();
    let pending_email = email_change::pending(store, id).await?;
    let wishlists = crate::store::wishlists::list(store, id).await?;
    let payment_methods = crate::store::payment_methods::list(store, id).await?;
    let credits = balances::store_credits::list(store, id).await?;
    let cards = balances::gift_cards::list_for_customer(store, id).await?;
    let ledger_ids: Vec<String> = credits
        .iter()
        .map(|c| c.id.clone())
        .chain(cards.iter().map(|c| c.id.clone()))
        .collect();
    // A gift card's ledger may hold other people's movements: only this customer's are theirs.
    let ledger: Vec<balances::BalanceMovement> = balances::movements_of(store, &ledger_ids)
        .await?
        .into_iter()
        .filter(|m| m.source_kind == balances::STORE_CREDIT || m.customer_id.as_deref() == Some(id))
        .collect();
    let movements = |source_id: &str| {
        ledger
            .iter()
            .filter(|m| m.source_id == source_id)
            .map(|m| {
                json!({
                    "kind": m.kind, "amount": m.amount, "order_id": m.order_id,
                    "at": time(m.created_at),
                })
            })
            .collect::<Vec<_>>()
    };
    let mut conn = store.db().conn().await?;
    let logins: Vec<(String, String, NaiveDateTime, NaiveDateTime)> =
        db_run!(conn, |c| identities::table
            .filter(identities::customer_id.eq(id))
            .order(identities::created_at)
            .select((
                identities::provider,
                identities::email,
                identities::created_at,
                identities::updated_at,
            ))
            .load(c)
            .await)?;
    type SessionRow = (
        String,
        NaiveDateTime,
        NaiveDateTime,
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<String>,
        Option<String>,
    );
    let session_rows: Vec<SessionRow> = db_run!(conn, |c| sessions::table
        .filter(sessions::customer_id.eq(id))
        .order(sessions::created_at)
        .select((
            sessions::id,
            sessions::created_at,
            sessions::last_used_at,
            sessions::expires_at,
            sessions::revoked_at,
            sessions::ip,
            sessions::user_agent,
        ))
        .load(c)
        .await)?;
    let order_rows: Vec<Order> = db_run!(conn, |c| orders::table
        .filter(orders::customer_id.eq(id))
        .order(orders::created_at)
        .select(Order::as_select())
        .load(c)
        .await)?;
    let order_ids: Vec<&str> = order_rows.iter().map(|o| o.id.as_str()).collect();
    let lines: Vec<LineItem> = db_run!(conn, |c| line_items::table
        .filter(line_items::order_id.eq_any(&order_ids))
        .order((line_items::order_id, line_items::created_at))
        .select(LineItem::as_select())
        .load(c)
        .await)?;
    let activity: Vec<(String, NaiveDateTime)> = db_run!(conn, |c| events_t::table
        .filter(events_t::customer_id.eq(id))
        .order(events_t::id)
        .select((events_t::event_type, events_t::created_at))
        .load(c)
        .await)?;
    let mails: Vec<(String, String, String, NaiveDateTime, Option<NaiveDateTime>)> =
        db_run!(conn, |c| mail_outbox::table
            .filter(mail_outbox::recipient.eq(&customer.email))
            .order(mail_outbox::created_at)
            .select((
                mail_outbox::kind,
                mail_outbox::subject,
                mail_outbox::status,
                mail_outbox::created_at,
                mail_outbox::sent_at,
            ))
            .load(c)
            .await)?;
    drop(conn);

    let order_json = |o: &Order| {
        let own: Vec<Value> = lines
            .iter()
            .filter(|l| l.order_id == o.id)
            .map(|l| {
                json!({
                    "id": l.id, "variant_id": l.variant_id, "product_id": l.product_id,
                    "name": l.name, "sku": l.sku, "options": l.options_text,
                    "quantity": l.quantity, "unit_price": l.unit_price, "total": l.total,
                    "currency": l.currency,
                })
            })
            .collect();
        json!({
            "id": o.id, "number": o.number, "email": o.email,
            "status": crate::db::text_enum::TextEnum::as_str(o.status()),
            "currency": o.currency, "item_count": o.item_count, "item_total": o.item_total,
            "shipping_total": o.shipping_total, "tax_total": o.tax_total, "total": o.total,
            "shipping_address": o.shipping_address(), "billing_address": o.billing_address(),
            "note": o.note, "tracking_number": o.tracking_number,
            "completed_at": opt_time(o.completed_at), "paid_at": opt_time(o.paid_at),
            "shipped_at": opt_time(o.shipped_at), "canceled_at": opt_time(o.canceled_at),
            "created_at": time(o.created_at), "line_items": own,
        })
    };
    let (carts, placed): (Vec<&Order>, Vec<&Order>) = order_rows
        .iter()
        .partition(|o| o.status() == crate::store::orders::OrderStatus::Cart);
    Ok(json!({
        "format_version": FORMAT_VERSION,
        "exported_at": time(at),
        "shop": store.config().shop_name,
        "customer": {
            "id": customer.id,
            "email": customer.email,
            "email_verified_at": opt_time(customer.email_verified_at),
            "pending_email": pending_email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "phone": customer.phone,
            "company": customer.company,
            "metadata": customer.metadata_object(),
            "created_at": time(customer.created_at),
            "updated_at": time(customer.updated_at),
        },
        "consents": {
            "email_marketing": customer.accepts_marketing,
        },
        "logins": logins.iter().map(|(provider, email, created, updated)| json!({
            "provider": provider, "email": email,
            "created_at": time(*created), "updated_at": time(*updated),
        })).collect::<Vec<_>>(),
        "sessions": session_rows.iter().map(|(sid, created, used, expires, revoked, ip, ua)| json!({
            "id": sid, "created_at": time(*created), "last_used_at": time(*used),
            "expires_at": time(*expires), "revoked_at": opt_time(*revoked),
            "ip": ip, "user_agent": ua,
        })).collect::<Vec<_>>(),
        "addresses": book.iter().map(|a| json!({
            "id": a.id, "label": a.label, "first_name": a.first_name, "last_name": a.last_name,
            "company": a.company, "address1": a.address1, "address2": a.address2,
            "city": a.city, "postal_code": a.postal_code, "country_code": a.country_code,
            "province_code": a.province_code, "phone": a.phone,
            "is_default_shipping": a.is_default_shipping,
            "is_default_billing": a.is_default_billing,
            "created_at": time(a.created_at),
        })).collect::<Vec<_>>(),
        "carts": carts.into_iter().map(order_json).collect::<Vec<_>>(),
        "wishlists": wishlists.iter().map(|w| json!({
            "id": w.id, "name": w.name, "is_default": w.is_default, "is_private": w.is_private,
            "created_at": time(w.created_at),
            "items": w.items.iter().map(|i| json!({
                "product_id": i.product.id, "product": i.product.name,
                "variant_id": i.variant.id, "sku": i.variant.sku,
                "quantity": i.quantity, "available": i.available,
                "added_at": time(i.created_at),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        // The provider's token is the shop's key to the method, not data about the customer.
        "payment_methods": payment_methods.iter().map(|m| json!({
            "id": m.id, "provider": m.provider, "brand": m.brand, "last4": m.last4,
            "exp_month": m.exp_month, "exp_year": m.exp_year, "holder_name": m.holder_name,
            "billing_address": m.billing_address(), "is_default": m.is_default,
            "created_at": time(m.created_at),
        })).collect::<Vec<_>>(),
        "store_credits": credits.iter().map(|c| json!({
            "id": c.id, "currency": c.currency, "amount": c.amount, "remaining": c.remaining,
            "reason": c.reason, "expires_at": opt_time(c.expires_at),
            "created_at": time(c.created_at), "movements": movements(&c.id),
        })).collect::<Vec<_>>(),
        // Never the code (only its hash is kept): the last four characters tell cards apart.
        "gift_cards": cards.iter().map(|g| json!({
            "id": g.id, "code": g.masked_code(), "currency": g.currency, "amount": g.amount,
            "remaining": g.remaining, "expires_at": opt_time(g.expires_at),
            "movements": movements(&g.id),
        })).collect::<Vec<_>>(),
        "orders": placed.into_iter().map(order_json).collect::<Vec<_>>(),
        "activity": activity.iter().map(|(kind, when)| json!({
            "type": kind, "at": time(*when),
        })).collect::<Vec<_>>(),
        "mail": mails.iter().map(|(kind, subject, status, created, sent)| json!({
            "kind": kind, "subject": subject, "status": status,
            "queued_at": time(*created), "sent_at": opt_time(*sent),
        })).collect::<Vec<_>>(),
    }))
}
