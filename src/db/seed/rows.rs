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
use crate::store::orders::{OrderStatus, PaymentStatus, ShipmentState};

/// A row type with its column count, which bounds how many rows fit in one statement.
pub trait Row {
    const COLUMNS: usize;
}

type Time = NaiveDateTime;

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = categories,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewCategory {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub permalink: String,
    pub description: Option<String>,
    pub position: i32,
    pub depth: i32,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Row for NewCategory {
    const COLUMNS: usize = 11;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = option_types,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewOptionType {
    pub id: String,
    pub name: String,
    pub presentation: String,
    pub position: i32,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Row for NewOptionType {
    const COLUMNS: usize = 6;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = option_values,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewOptionValue {
    pub id: String,
    pub option_type_id: String,
    pub name: String,
    pub presentation: String,
    pub position: i32,
    pub color_code: Option<String>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Row for NewOptionValue {
    const COLUMNS: usize = 8;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = products,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewProduct {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub status: String,
    pub tags: String,
    pub available_on: Option<Time>,
    pub discontinue_on: Option<Time>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub meta_keywords: Option<String>,
    pub position: i32,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Row for NewProduct {
    const COLUMNS: usize = 14;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = product_categories,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewProductCategory {
    pub product_id: String,
    pub category_id: String,
    pub position: i32,
}

impl Row for NewProductCategory {
    const COLUMNS: usize = 3;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = product_option_types,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewProductOptionType {
    pub product_id: String,
    pub option_type_id: String,
    pub position: i32,
}

impl Row for NewProductOptionType {
    const COLUMNS: usize = 3;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = variants,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewVariant {
    pub id: String,
    pub product_id: String,
    pub sku: Option<String>,
    pub is_default: bool,
    pub position: i32,
    pub track_inventory: bool,
    pub stock_on_hand: i32,
    pub backorderable: bool,
    pub discontinued_at: Option<Time>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Row for NewVariant {
    const COLUMNS: usize = 11;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = variant_option_values,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewVariantOptionValue {
    pub variant_id: String,
    pub option_value_id: String,
}

impl Row for NewVariantOptionValue {
    const COLUMNS: usize = 2;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = prices,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewPrice {
    pub id: String,
    pub variant_id: String,
    pub currency: String,
    pub amount: i64,
    pub compare_at_amount: Option<i64>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Row for NewPrice {
    const COLUMNS: usize = 7;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = product_images,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewImage {
    pub id: String,
    pub product_id: String,
    pub variant_id: Option<String>,
    pub url: String,
    pub alt: Option<String>,
    pub position: i32,
    pub created_at: Time,
}

impl Row for NewImage {
    const COLUMNS: usize = 7;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = customers,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewCustomer {
    pub id: String,
    pub email: String,
    pub has_account: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub accepts_marketing: bool,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Row for NewCustomer {
    const COLUMNS: usize = 10;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = identities,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewIdentity {
    pub id: String,
    pub provider: String,
    pub email: String,
    pub password_hash: String,
    pub customer_id: Option<String>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Row for NewIdentity {
    const COLUMNS: usize = 7;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = addresses,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewAddress {
    pub id: String,
    pub customer_id: String,
    pub label: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub postal_code: Option<String>,
    pub country_code: String,
    pub province_code: Option<String>,
    pub phone: Option<String>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Row for NewAddress {
    const COLUMNS: usize = 15;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = orders,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewOrder {
    pub id: String,
    pub number: Option<String>,
    pub customer_id: Option<String>,
    pub email: Option<String>,
    pub token: String,
    pub state: OrderStatus,
    pub payment_state: Option<PaymentStatus>,
    pub shipment_state: Option<ShipmentState>,
    pub currency: String,
    pub item_count: i32,
    pub item_total: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub total: i64,
    pub shipping_address: Option<String>,
    pub billing_address: Option<String>,
    pub tracking_number: Option<String>,
    pub completed_at: Option<Time>,
    pub paid_at: Option<Time>,
    pub shipped_at: Option<Time>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Row for NewOrder {
    const COLUMNS: usize = 22;
}

#[derive(Clone, Debug, Default, Insertable)]
#[diesel(
    table_name = line_items,
    treat_none_as_default_value = false,
    check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg)
)]
pub struct NewLineItem {
    pub id: String,
    pub order_id: String,
    pub variant_id: String,
    pub product_id: String,
    pub name: String,
    pub sku: Option<String>,
    pub options_text: String,
    pub quantity: i32,
    pub unit_price: i64,
    pub compare_at_unit_price: Option<i64>,
    pub currency: String,
    pub total: i64,
    pub created_at: Time,
    pub updated_at: Time,
}

impl Row for NewLineItem {
    const COLUMNS: usize = 14;
}

#[cfg(test)]
mod tests {
    use diesel::insert_into;
    use diesel::query_builder::{QueryFragment, QueryId};
    use diesel::sqlite::Sqlite;

    use super::*;

    /// Bound parameters of one statement, read from its SQL.
    fn binds(query: impl QueryFragment<Sqlite> + QueryId) -> usize {
        let sql = diesel::debug_query::<Sqlite, _>(&query).to_string();
        sql.split(" -- binds:")
            .next()
            .unwrap_or_default()
            .matches('?')
            .count()
    }

    #[test]
    fn column_counts_match_the_rows() {
        assert_eq!(
            binds(insert_into(categories::table).values(NewCategory::default())),
            NewCategory::COLUMNS,
            "NewCategory"
        );
        assert_eq!(
            binds(insert_into(option_types::table).values(NewOptionType::default())),
            NewOptionType::COLUMNS,
            "NewOptionType"
        );
        assert_eq!(
            binds(insert_into(option_values::table).values(NewOptionValue::default())),
            NewOptionValue::COLUMNS,
            "NewOptionValue"
        );
        assert_eq!(
            binds(insert_into(products::table).values(NewProduct::default())),
            NewProduct::COLUMNS,
            "NewProduct"
        );
        assert_eq!(
            binds(insert_into(product_categories::table).values(NewProductCategory::default())),
            NewProductCategory::COLUMNS,
            "NewProductCategory"
        );
        assert_eq!(
            binds(insert_into(product_option_types::table).values(NewProductOptionType::default())),
            NewProductOptionType::COLUMNS,
            "NewProductOptionType"
        );
        assert_eq!(
            binds(insert_into(variants::table).values(NewVariant::default())),
            NewVariant::COLUMNS,
            "NewVariant"
        );
        assert_eq!(
            binds(
                insert_into(variant_option_values::table).values(NewVariantOptionValue::default())
            ),
            NewVariantOptionValue::COLUMNS,
            "NewVariantOptionValue"
        );
        assert_eq!(
            binds(insert_into(prices::table).values(NewPrice::default())),
            NewPrice::COLUMNS,
            "NewPrice"
        );
        assert_eq!(
            binds(insert_into(product_images::table).values(NewImage::default())),
            NewImage::COLUMNS,
            "NewImage"
        );
        assert_eq!(
            binds(insert_into(customers::table).values(NewCustomer::default())),
            NewCustomer::COLUMNS,
            "NewCustomer"
        );
        assert_eq!(
            binds(insert_into(identities::table).values(NewIdentity::default())),
            NewIdentity::COLUMNS,
            "NewIdentity"
        );
        assert_eq!(
            binds(insert_into(addresses::table).values(NewAddress::default())),
            NewAddress::COLUMNS,
            "NewAddress"
        );
        assert_eq!(
            binds(insert_into(orders::table).values(NewOrder::default())),
            NewOrder::COLUMNS,
            "NewOrder"
        );
        assert_eq!(
            binds(insert_into(line_items::table).values(NewLineItem::default())),
            NewLineItem::COLUMNS,
            "NewLineItem"
        );
    }
}
