//! The rows the seeder inserts. Columns left out take their database default (`metadata`,
//! `units_sold`, ...). `None` is inserted as NULL, never as DEFAULT, so that SQLite can insert
//! a whole batch in one statement.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    addresses, categories, customers, identities, line_items, option_types, option_values, orders,
    prices, product_categories, product_images, product_option_types, products,
    variant_option_values, variants,
};

/// A row type with its column count, which bounds how many rows fit in one statement.
pub trait Row {
    const COLUMNS: usize;
}

macro_rules! rows {
    ($($table:ident => $name:ident { $($field:ident : $ty:ty),* $(,)? })*) => {$(
        #[derive(Clone, Debug, Insertable)]
        #[diesel(
            table_name = $table,
            treat_none_as_default_value = false,
            check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
        )]
        pub struct $name {
            $(pub $field: $ty,)*
        }

        impl Row for $name {
            const COLUMNS: usize = [$(stringify!($field)),*].len();
        }
    )*};
}

type Time = NaiveDateTime;

rows! {
    categories => NewCategory {
        id: String, parent_id: Option<String>, name: String, permalink: String,
        description: Option<String>, position: i32, depth: i32, meta_title: Option<String>,
        meta_description: Option<String>, created_at: Time, updated_at: Time,
    }
    option_types => NewOptionType {
        id: String, name: String, presentation: String, position: i32, created_at: Time,
        updated_at: Time,
    }
    option_values => NewOptionValue {
        id: String, option_type_id: String, name: String, presentation: String, position: i32,
        color_code: Option<String>, created_at: Time, updated_at: Time,
    }
    products => NewProduct {
        id: String, name: String, slug: String, description: Option<String>, status: String,
        tags: String, available_on: Option<Time>, discontinue_on: Option<Time>,
        meta_title: Option<String>, meta_description: Option<String>,
        meta_keywords: Option<String>, position: i32, created_at: Time, updated_at: Time,
    }
    product_categories => NewProductCategory {
        product_id: String, category_id: String, position: i32,
    }
    product_option_types => NewProductOptionType {
        product_id: String, option_type_id: String, position: i32,
    }
    variants => NewVariant {
        id: String, product_id: String, sku: Option<String>, is_default: bool, position: i32,
        track_inventory: bool, stock_on_hand: i32, backorderable: bool,
        discontinued_at: Option<Time>, created_at: Time, updated_at: Time,
    }
    variant_option_values => NewVariantOptionValue {
        variant_id: String, option_value_id: String,
    }
    prices => NewPrice {
        id: String, variant_id: String, currency: String, amount: i64,
        compare_at_amount: Option<i64>, created_at: Time, updated_at: Time,
    }
    product_images => NewImage {
        id: String, product_id: String, variant_id: Option<String>, url: String,
        alt: Option<String>, position: i32, created_at: Time,
    }
    customers => NewCustomer {
        id: String, email: String, has_account: bool, first_name: Option<String>,
        last_name: Option<String>, phone: Option<String>, company: Option<String>,
        accepts_marketing: bool, created_at: Time, updated_at: Time,
    }
    identities => NewIdentity {
        id: String, provider: String, email: String, password_hash: String,
        customer_id: Option<String>, created_at: Time, updated_at: Time,
    }
    addresses => NewAddress {
        id: String, customer_id: String, label: Option<String>, first_name: Option<String>,
        last_name: Option<String>, company: Option<String>, address1: String,
        address2: Option<String>, city: String, postal_code: Option<String>,
        country_code: String, province_code: Option<String>, phone: Option<String>,
        created_at: Time, updated_at: Time,
    }
    orders => NewOrder {
        id: String, number: Option<String>, customer_id: Option<String>, email: Option<String>,
        token: String, state: String, payment_state: Option<String>,
        shipment_state: Option<String>, currency: String, item_count: i32, item_total: i64,
        shipping_total: i64, tax_total: i64, total: i64, shipping_address: Option<String>,
        billing_address: Option<String>, tracking_number: Option<String>,
        completed_at: Option<Time>, paid_at: Option<Time>, shipped_at: Option<Time>,
        created_at: Time, updated_at: Time,
    }
    line_items => NewLineItem {
        id: String, order_id: String, variant_id: String, product_id: String, name: String,
        sku: Option<String>, options_text: String, quantity: i32, unit_price: i64,
        compare_at_unit_price: Option<i64>, currency: String, total: i64, created_at: Time,
        updated_at: Time,
    }
}
