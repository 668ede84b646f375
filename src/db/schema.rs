// The one diesel schema for both backends; only portable column types.
// A test compares it with what both migration trees create (tests/api/schema_sync.rs).

diesel::table! {
    customers (id) {
        id -> Text,
        email -> Text,
        has_account -> Bool,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        phone -> Nullable<Text>,
        company -> Nullable<Text>,
        accepts_marketing -> Bool,
        metadata -> Text,
        default_shipping_address_id -> Nullable<Text>,
        default_billing_address_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        email_verified_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    identities (id) {
        id -> Text,
        provider -> Text,
        email -> Text,
        password_hash -> Text,
        customer_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        identity_id -> Text,
        customer_id -> Nullable<Text>,
        refresh_token_hash -> Text,
        previous_token_hash -> Nullable<Text>,
        rotated_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
        last_used_at -> Timestamp,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Text,
        identity_id -> Text,
        token_hash -> Text,
        redirect_url -> Nullable<Text>,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    addresses (id) {
        id -> Text,
        customer_id -> Text,
        label -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        company -> Nullable<Text>,
        address1 -> Text,
        address2 -> Nullable<Text>,
        city -> Text,
        postal_code -> Nullable<Text>,
        country_code -> Text,
        province_code -> Nullable<Text>,
        phone -> Nullable<Text>,
        metadata -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        kind -> Text,
        name -> Text,
        token -> Nullable<Text>,
        token_hash -> Text,
        redacted -> Text,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rate_limits (bucket) {
        bucket -> Text,
        window_started_at -> Timestamp,
        hits -> Integer,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> Text,
        fingerprint -> Text,
        status -> Integer,
        content_type -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    categories (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        name -> Text,
        permalink -> Text,
        description -> Nullable<Text>,
        position -> Integer,
        depth -> Integer,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    products (id) {
        id -> Text,
        name -> Text,
        slug -> Text,
        description -> Nullable<Text>,
        status -> Text,
        tags -> Text,
        available_on -> Nullable<Timestamp>,
        discontinue_on -> Nullable<Timestamp>,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        meta_keywords -> Nullable<Text>,
        units_sold -> BigInt,
        position -> Integer,
        metadata -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    product_categories (product_id,category_id) {
        product_id -> Text,
        category_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    option_types (id) {
        id -> Text,
        name -> Text,
        presentation -> Text,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    option_values (id) {
        id -> Text,
        option_type_id -> Text,
        name -> Text,
        presentation -> Text,
        position -> Integer,
        color_code -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    product_option_types (product_id,option_type_id) {
        product_id -> Text,
        option_type_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    variants (id) {
        id -> Text,
        product_id -> Text,
        sku -> Nullable<Text>,
        is_default -> Bool,
        position -> Integer,
        track_inventory -> Bool,
        stock_on_hand -> Integer,
        backorderable -> Bool,
        weight -> Nullable<Double>,
        height -> Nullable<Double>,
        width -> Nullable<Double>,
        depth -> Nullable<Double>,
        discontinued_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    variant_option_values (variant_id,option_value_id) {
        variant_id -> Text,
        option_value_id -> Text,
    }
}

diesel::table! {
    prices (id) {
        id -> Text,
        variant_id -> Text,
        currency -> Text,
        amount -> BigInt,
        compare_at_amount -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    product_images (id) {
        id -> Text,
        product_id -> Text,
        variant_id -> Nullable<Text>,
        url -> Text,
        alt -> Nullable<Text>,
        position -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    orders (id) {
        id -> Text,
        number -> Nullable<Text>,
        customer_id -> Nullable<Text>,
        email -> Nullable<Text>,
        token -> Text,
        state -> Text,
        payment_state -> Nullable<Text>,
        shipment_state -> Nullable<Text>,
        currency -> Text,
        item_count -> Integer,
        item_total -> BigInt,
        shipping_total -> BigInt,
        tax_total -> BigInt,
        total -> BigInt,
        shipping_address -> Nullable<Text>,
        billing_address -> Nullable<Text>,
        note -> Nullable<Text>,
        tracking_number -> Nullable<Text>,
        metadata -> Text,
        completed_at -> Nullable<Timestamp>,
        paid_at -> Nullable<Timestamp>,
        shipped_at -> Nullable<Timestamp>,
        canceled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        shipping_option_id -> Nullable<Text>,
        shipping_method_id -> Nullable<Text>,
        payment_started_at -> Nullable<Timestamp>,
        payment_provider -> Nullable<Text>,
        payment_session_id -> Nullable<Text>,
        payment_session_amount -> Nullable<BigInt>,
        payment_session_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    line_items (id) {
        id -> Text,
        order_id -> Text,
        variant_id -> Text,
        product_id -> Text,
        name -> Text,
        sku -> Nullable<Text>,
        options_text -> Text,
        quantity -> Integer,
        unit_price -> BigInt,
        compare_at_unit_price -> Nullable<BigInt>,
        currency -> Text,
        total -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        event_id -> Text,
        event_type -> Text,
        customer_id -> Nullable<Text>,
        order_id -> Nullable<Text>,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> Text,
        customer_id -> Text,
        purpose -> Text,
        token_hash -> Text,
        email -> Text,
        request_id -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    data_exports (id) {
        id -> Text,
        customer_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    wishlists (id) {
        id -> Text,
        customer_id -> Text,
        name -> Text,
        is_default -> Bool,
        is_private -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    wishlist_items (id) {
        id -> Text,
        wishlist_id -> Text,
        variant_id -> Text,
        quantity -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payment_methods (id) {
        id -> Text,
        customer_id -> Text,
        provider -> Text,
        provider_token -> Text,
        brand -> Text,
        last4 -> Text,
        exp_month -> Integer,
        exp_year -> Integer,
        holder_name -> Nullable<Text>,
        billing_address -> Nullable<Text>,
        is_default -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    store_credits (id) {
        id -> Text,
        customer_id -> Text,
        currency -> Text,
        amount -> BigInt,
        remaining -> BigInt,
        reason -> Text,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    gift_cards (id) {
        id -> Text,
        code_hash -> Text,
        code_last4 -> Text,
        currency -> Text,
        amount -> BigInt,
        remaining -> BigInt,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    order_payments (id) {
        id -> Text,
        order_id -> Text,
        source_kind -> Text,
        source_id -> Text,
        amount -> BigInt,
        state -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    balance_movements (id) {
        id -> Text,
        source_kind -> Text,
        source_id -> Text,
        kind -> Text,
        amount -> BigInt,
        customer_id -> Nullable<Text>,
        order_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(identities -> customers (customer_id));
diesel::joinable!(email_tokens -> customers (customer_id));
diesel::joinable!(data_exports -> customers (customer_id));
diesel::joinable!(sessions -> identities (identity_id));
diesel::joinable!(sessions -> customers (customer_id));
diesel::joinable!(password_resets -> identities (identity_id));
diesel::joinable!(addresses -> customers (customer_id));
diesel::joinable!(product_categories -> products (product_id));
diesel::joinable!(product_categories -> categories (category_id));
diesel::joinable!(option_values -> option_types (option_type_id));
diesel::joinable!(product_option_types -> products (product_id));
diesel::joinable!(product_option_types -> option_types (option_type_id));
diesel::joinable!(variants -> products (product_id));
diesel::joinable!(variant_option_values -> variants (variant_id));
diesel::joinable!(variant_option_values -> option_values (option_value_id));
diesel::joinable!(prices -> variants (variant_id));
diesel::joinable!(product_images -> products (product_id));
diesel::joinable!(product_images -> variants (variant_id));
diesel::joinable!(orders -> customers (customer_id));
diesel::joinable!(line_items -> orders (order_id));
diesel::joinable!(line_items -> variants (variant_id));
diesel::joinable!(line_items -> products (product_id));
diesel::joinable!(wishlists -> customers (customer_id));
diesel::joinable!(wishlist_items -> wishlists (wishlist_id));
diesel::joinable!(wishlist_items -> variants (variant_id));
diesel::joinable!(payment_methods -> customers (customer_id));
diesel::joinable!(store_credits -> customers (customer_id));
diesel::joinable!(order_payments -> orders (order_id));

diesel::allow_tables_to_appear_in_same_query!(
    customers,
    identities,
    sessions,
    password_resets,
    addresses,
    api_keys,
    rate_limits,
    idempotency_keys,
    categories,
    products,
    product_categories,
    option_types,
    option_values,
    product_option_types,
    variants,
    variant_option_values,
    prices,
    product_images,
    orders,
    line_items,
    events,
    mail_outbox,
    email_tokens,
    data_exports,
    wishlists,
    wishlist_items,
    payment_methods,
    store_credits,
    gift_cards,
    order_payments,
    balance_movements,
);
