//! Another customer's (or guest's) ids: every cart and order operation answers as for an id
//! that does not exist, and the owner's data is unchanged afterwards.

use serde_json::{Value, json};

use crate::account_support::register;
use crate::helpers::TestApp;
use crate::order_support::{
    Who, add_item, cancel, cart_query, complete, create_address, create_cart, gql, guest_cart, ok,
    order_query, place, ready_cart, remove_item, row_of, shop, stock, stored_order, update_cart,
    update_item,
};

const NOWHERE_CART: &str = "cart_01JD0000000000000000000000";
const NOWHERE_ORDER: &str = "or_01JD0000000000000000000000";
const NOWHERE_LINE: &str = "li_01JD0000000000000000000000";
const NOWHERE_ADDRESS: &str = "addr_01JD0000000000000000000000";

/// The errors of a response without where they happened, to compare two answers.
fn errors(body: &Value) -> Value {
    let mut errors = body["errors"].clone();
    for error in errors.as_array_mut().expect("errors") {
        error.as_object_mut().unwrap().remove("locations");
    }
    errors
}

/// Runs `query` with `theirs` and with `nowhere` and checks both answers are the same
/// `NOT_FOUND` (or the same null for queries).
async fn same_as_missing(app: &TestApp, who: Who<'_>, query: &str, theirs: Value, nowhere: Value) {
    let got = gql(app, who, query, theirs.clone()).await;
    let missing = gql(app, who, query, nowhere).await;
    if got["errors"].is_null() {
        assert!(missing["errors"].is_null(), "{missing}");
        assert_eq!(got["data"], missing["data"], "{query} {theirs}");
        let field = got["data"].as_object().unwrap().values().next().unwrap();
        assert_eq!(field, &Value::Null, "{query} {theirs}: {got}");
    } else {
        assert_eq!(
            got["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{query} {theirs}: {got}"
        );
        assert_eq!(errors(&got), errors(&missing), "{query} {theirs}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_idor_another_customer_gets_not_found_for_every_id_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    let a = Who::Customer(&ada.token);

    // Ada's address, open cart (with a line) and placed order.
    let address = create_address(
        &app,
        a,
        json!({ "address1": "12 St James's Square", "city": "London", "countryCode": "GB" }),
    )
    .await;
    let cart = ready_cart(&app, a, &[(&shop.tee, 2)], "ada@example.com").await;
    let cart_id = cart["id"].clone();
    let line = cart["lineItems"][0]["id"].clone();
    let order = place(&app, a, &[(&shop.scarf, 1)], "ada@example.com").await;
    let order_id = order["id"].clone();
    let number = order["number"].clone();

    // A guest cart of its own, to try Ada's ids with a valid token in hand.
    let (guest_cart_id, guest_token) = guest_cart(&app).await;
    let bob_cart = ok(
        &app,
        Who::Customer(&bob.token),
        &create_cart(),
        Value::Null,
        "createCart",
    )
    .await;

    let cart_before = stored_order(&app, &row_of(&cart_id)).await;
    let order_before = stored_order(&app, order_id.as_str().unwrap()).await;
    let stock_before = (stock(&app, &shop.tee).await, stock(&app, &shop.scarf).await);

    let intruders = [
        (Who::Customer(&bob.token), bob_cart["id"].clone()),
        (Who::Guest(&guest_token), Value::from(guest_cart_id.clone())),
        (Who::Anonymous, Value::from(guest_cart_id)),
    ];
    const DELETE: &str = "mutation($cart: ID!) { deleteCart(cartId: $cart) }";
    const ASSOCIATE: &str = "mutation($cart: ID!) { associateCart(cartId: $cart) { id } }";
    let email = json!({ "email": "evil@example.com", "note": "mine" });
    for (who, own_cart) in intruders {
        // (operation, with Ada's id, with an id that does not exist)
        let mut cases = vec![
            (
                cart_query(),
                json!({ "id": cart_id }),
                json!({ "id": NOWHERE_CART }),
            ),
            (
                add_item(),
                json!({ "cart": cart_id, "variant": shop.tee, "q": 1 }),
                json!({ "cart": NOWHERE_CART, "variant": shop.tee, "q": 1 }),
            ),
            (
                update_item(),
                json!({ "cart": cart_id, "line": line, "q": 5 }),
                json!({ "cart": NOWHERE_CART, "line": line, "q": 5 }),
            ),
            (
                remove_item(),
                json!({ "cart": cart_id, "line": line }),
                json!({ "cart": NOWHERE_CART, "line": line }),
            ),
            (
                update_cart(),
                json!({ "cart": cart_id, "input": email }),
                json!({ "cart": NOWHERE_CART, "input": email }),
            ),
            (
                complete(),
                json!({ "cart": cart_id }),
                json!({ "cart": NOWHERE_CART }),
            ),
            (
                DELETE.to_owned(),
                json!({ "cart": cart_id }),
                json!({ "cart": NOWHERE_CART }),
            ),
            // Ada's line through the intruder's own cart.
            (
                update_item(),
                json!({ "cart": own_cart, "line": line, "q": 5 }),
                json!({ "cart": own_cart, "line": NOWHERE_LINE, "q": 5 }),
            ),
            (
                remove_item(),
                json!({ "cart": own_cart, "line": line }),
                json!({ "cart": own_cart, "line": NOWHERE_LINE }),
            ),
            // Ada's address book entry as the intruder's shipping address.
            (
                update_cart(),
                json!({ "cart": own_cart, "input": { "shippingAddress": { "addressId": address } } }),
                json!({ "cart": own_cart, "input": { "shippingAddress": { "addressId": NOWHERE_ADDRESS } } }),
            ),
            // Ada's order, by id, by number and as a cart.
            (
                order_query(),
                json!({ "id": order_id }),
                json!({ "id": NOWHERE_ORDER }),
            ),
            (
                order_query(),
                json!({ "number": number }),
                json!({ "number": "R000000000" }),
            ),
            (
                cancel(),
                json!({ "id": order_id }),
                json!({ "id": NOWHERE_ORDER }),
            ),
            (
                add_item(),
                json!({ "cart": order_id, "variant": shop.tee, "q": 1 }),
                json!({ "cart": NOWHERE_CART, "variant": shop.tee, "q": 1 }),
            ),
        ];
        // Only a signed-in caller gets as far as the cart when associating.
        if let Who::Customer(_) = who {
            cases.push((
                ASSOCIATE.to_owned(),
                json!({ "cart": cart_id }),
                json!({ "cart": NOWHERE_CART }),
            ));
        }
        for (query, theirs, nowhere) in cases {
            same_as_missing(&app, who, &query, theirs, nowhere).await;
        }
    }

    assert_eq!(stored_order(&app, &row_of(&cart_id)).await, cart_before);
    assert_eq!(
        stored_order(&app, order_id.as_str().unwrap()).await,
        order_before
    );
    assert_eq!(
        (stock(&app, &shop.tee).await, stock(&app, &shop.scarf).await),
        stock_before
    );
    // Ada still sees and uses all of it.
    let read = ok(&app, a, &cart_query(), json!({ "id": cart_id }), "cart").await;
    assert_eq!(read["lineItems"][0]["quantity"], 2);
    assert_eq!(read["email"], "ada@example.com");
    assert_eq!(read["note"], Value::Null);
    let read = ok(&app, a, &order_query(), json!({ "id": order_id }), "order").await;
    assert_eq!(read["status"], "PLACED");
    let body = ok(&app, a, "{ me { addresses { id } } }", Value::Null, "me").await;
    assert_eq!(body["addresses"], json!([{ "id": address }]));
}
