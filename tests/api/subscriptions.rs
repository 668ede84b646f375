//! GraphQL subscriptions over `/graphql/ws` with a real WebSocket client: `orderUpdated` for
//! shoppers, `storeEvents` for integrators, credentials checked at `connection_init` (4403) and
//! again when the session ends, and the bounds of a socket.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::account_support::{LOGOUT, PASSWORD, register};
use crate::helpers::TestApp;
use crate::order_support::{Who, mark_paid, ok, place, secret_key, shop};
use crate::smtp::SmtpSink;

/// Ceiling on any wait, so a broken server fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(20);

const ORDER_UPDATED: &str = "subscription($id: ID, $token: String, $after: String) { \
    orderUpdated(orderId: $id, token: $token, after: $after) { type orderId number position \
    order { number status } } }";
const STORE_EVENTS: &str = "subscription($types: [String!], $after: String) { \
    storeEvents(types: $types, after: $after) { id type customerId orderId position payload } }";

/// A client socket speaking `protocol`.
struct Socket {
    ws: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Socket {
    /// Connects and sends `connection_init` with `payload`, without waiting for the answer.
    async fn init(app: &TestApp, protocol: &str, payload: Value) -> Self {
        let mut request = format!("ws://{}/graphql/ws", app.addr)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("sec-websocket-protocol", protocol.parse().unwrap());
        let (ws, response) = tokio_tungstenite::connect_async(request).await.unwrap();
        assert_eq!(response.headers()["sec-websocket-protocol"], protocol);
        let mut socket = Self { ws };
        socket
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        socket
    }

    /// A graphql-transport-ws socket, acknowledged.
    async fn open(app: &TestApp, payload: Value) -> Self {
        let mut socket = Self::init(app, "graphql-transport-ws", payload).await;
        assert_eq!(socket.message().await, json!({ "type": "connection_ack" }));
        socket
    }

    async fn send(&mut self, message: Value) {
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .unwrap();
    }

    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe",
            "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next frame that is not a ping or pong.
    async fn frame(&mut self) -> Message {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("the server answered in time")
                .expect("the socket is open")
                .expect("a readable frame");
            if !matches!(frame, Message::Ping(_) | Message::Pong(_)) {
                return frame;
            }
        }
    }

    /// The next protocol message.
    async fn message(&mut self) -> Value {
        match self.frame().await {
            Message::Text(text) => serde_json::from_str(&text).unwrap(),
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// The payload of the next `next` message of subscription `id`.
    async fn next(&mut self, id: &str) -> Value {
        let message = self.message().await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], id, "{message}");
        message["payload"].clone()
    }

    /// The close code the server ends the socket with (messages before it are skipped).
    async fn close_code(&mut self) -> u16 {
        loop {
            match self.frame().await {
                Message::Close(frame) => return frame.map_or(1005, |f| u16::from(f.code)),
                Message::Text(_) => {}
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }
}

fn bearer(token: &str) -> Value {
    json!({ "authorization": format!("Bearer {token}") })
}

/// Waits until the instance has at least `n` feeds open (subscriptions, plus one watcher per
/// signed-in socket), so that what the test does next is published to them live.
async fn wait_for_feeds(app: &TestApp, n: usize) {
    let hub = app.state.store.events_hub();
    tokio::time::timeout(PATIENCE, async {
        while hub.subscribers() < n {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the subscriptions started");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_receive_their_own_order_events_and_never_another_customers() {
    let app = TestApp::spawn().await;
    let goods = shop(&app).await;
    let ada = register(&app, "ada@example.com").await;
    let bob = register(&app, "bob@example.com").await;
    let key = secret_key(&app).await;

    let mut socket = Socket::open(&app, bearer(&ada.token)).await;
    socket.subscribe("all", ORDER_UPDATED, json!({})).await;
    wait_for_feeds(&app, 2).await;

    let ada_order = place(
        &app,
        Who::Customer(&ada.token),
        &[(&goods.tee, 1)],
        "ada@example.com",
    )
    .await;
    let bob_order = place(
        &app,
        Who::Customer(&bob.token),
        &[(&goods.mug, 1)],
        "bob@example.com",
    )
    .await;
    ok(
        &app,
        Who::Integrator(&key),
        &mark_paid(),
        json!({ "id": bob_order["id"] }),
        "markOrderPaid",
    )
    .await;
    ok(
        &app,
        Who::Integrator(&key),
        &mark_paid(),
        json!({ "id": ada_order["id"] }),
        "markOrderPaid",
    )
    .await;

    // Bob's two events came in between: the next two Ada gets are both hers.
    let placed = socket.next("all").await;
    assert_eq!(
        placed["data"]["orderUpdated"]["type"], "order.placed",
        "{placed}"
    );
    assert_eq!(placed["data"]["orderUpdated"]["orderId"], ada_order["id"]);
    assert_eq!(
        placed["data"]["orderUpdated"]["number"],
        ada_order["number"]
    );
    let paid = socket.next("all").await;
    assert_eq!(paid["data"]["orderUpdated"]["type"], "order.paid", "{paid}");
    assert_eq!(paid["data"]["orderUpdated"]["orderId"], ada_order["id"]);
    assert_eq!(
        paid["data"]["orderUpdated"]["order"],
        json!({ "number": ada_order["number"], "status": "PLACED" })
    );

    // Bob cannot follow Ada's order by its id: it does not exist for him.
    let mut bobs = Socket::open(&app, bearer(&bob.token)).await;
    bobs.subscribe("spy", ORDER_UPDATED, json!({ "id": ada_order["id"] }))
        .await;
    let refused = bobs.next("spy").await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
    assert_eq!(
        bobs.message().await,
        json!({ "id": "spy", "type": "complete" })
    );

    // Resuming from the start of the outbox replays Ada's events only, in order.
    let mut again = Socket::open(&app, bearer(&ada.token)).await;
    again
        .subscribe("replay", ORDER_UPDATED, json!({ "after": "0" }))
        .await;
    let first = again.next("replay").await;
    let second = again.next("replay").await;
    assert_eq!(first["data"]["orderUpdated"]["type"], "order.placed");
    assert_eq!(second["data"]["orderUpdated"]["type"], "order.paid");
    assert_eq!(second["data"]["orderUpdated"]["orderId"], ada_order["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_follows_one_order_with_its_token() {
    let app = TestApp::spawn().await;
    let goods = shop(&app).await;
    let key = secret_key(&app).await;
    let order = place(
        &app,
        Who::Anonymous,
        &[(&goods.tee, 1)],
        "guest@example.com",
    )
    .await;
    let token = order["token"]
        .as_str()
        .expect("the guest's token")
        .to_owned();

    let mut anonymous = Socket::open(&app, json!({})).await;
    anonymous.subscribe("mine", ORDER_UPDATED, json!({})).await;
    let refused = anonymous.next("mine").await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused}"
    );
    assert_eq!(anonymous.message().await["type"], "complete");
    anonymous
        .subscribe("guess", ORDER_UPDATED, json!({ "id": order["id"] }))
        .await;
    let refused = anonymous.next("guess").await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
    assert_eq!(anonymous.message().await["type"], "complete");

    let mut guest = Socket::open(&app, json!({ "x-order-token": token })).await;
    guest
        .subscribe("one", ORDER_UPDATED, json!({ "id": order["id"] }))
        .await;
    wait_for_feeds(&app, 1).await;
    ok(
        &app,
        Who::Integrator(&key),
        &mark_paid(),
        json!({ "id": order["id"] }),
        "markOrderPaid",
    )
    .await;
    let paid = guest.next("one").await;
    assert_eq!(paid["data"]["orderUpdated"]["type"], "order.paid", "{paid}");
    assert_eq!(
        paid["data"]["orderUpdated"]["order"]["number"],
        order["number"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_events_need_a_secret_key_and_carry_the_mailed_reset_token() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .env("STOREFRONT_SMTP_URL", &sink.url())
        .spawn()
        .await;
    let ada = register(&app, "reset@example.com").await;

    for payload in [json!({}), bearer(&ada.token)] {
        let mut socket = Socket::open(&app, payload).await;
        socket.subscribe("1", STORE_EVENTS, json!({})).await;
        let refused = socket.next("1").await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{refused}"
        );
        assert_eq!(socket.message().await["type"], "complete");
    }

    let key = secret_key(&app).await;
    let mut integrator = Socket::open(&app, bearer(&key)).await;
    integrator
        .subscribe(
            "resets",
            STORE_EVENTS,
            json!({ "types": ["customer.password_reset_requested"] }),
        )
        .await;
    wait_for_feeds(&app, 1).await;
    let asked = app
        .graphql(
            "mutation($e: String!) { requestPasswordReset(email: $e) }",
            json!({ "e": "reset@example.com" }),
        )
        .await;
    assert!(asked["errors"].is_null(), "{asked}");

    let event = integrator.next("resets").await["data"]["storeEvents"].clone();
    assert_eq!(event["type"], "customer.password_reset_requested");
    assert_eq!(event["customerId"], ada.customer_id.as_str());
    assert_eq!(event["payload"]["email"], "reset@example.com");
    let mailed = sink.resets(1).await[0].token();
    assert_eq!(event["payload"]["token"], mailed.as_str(), "{event}");

    // The secret key may also come as a header of the upgrade, named as on HTTP.
    let mut by_name = Socket::open(&app, json!({ "x-storefront-secret-key": key })).await;
    by_name
        .subscribe("all", STORE_EVENTS, json!({ "after": "0" }))
        .await;
    let first = by_name.next("all").await;
    assert_eq!(
        first["data"]["storeEvents"]["type"], "customer.created",
        "{first}"
    );

    let mut unknown_type = Socket::open(&app, bearer(&key)).await;
    unknown_type
        .subscribe("1", STORE_EVENTS, json!({ "types": ["order.shipped"] }))
        .await;
    let refused = unknown_type.next("1").await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_account_change_writes_its_event() {
    let app = TestApp::spawn().await;
    let key = secret_key(&app).await;
    let ada = register(&app, "events@example.com").await;
    let updated = app
        .graphql_as(
            Some(&ada.token),
            "mutation { updateMe(input: { firstName: \"Augusta\" }) { firstName } }",
            json!({}),
        )
        .await;
    assert!(updated["errors"].is_null(), "{updated}");
    let changed = app
        .graphql_as(
            Some(&ada.token),
            "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, \
             newPassword: $n) { token refreshToken } }",
            json!({ "c": PASSWORD, "n": "another long passphrase" }),
        )
        .await;
    assert!(changed["errors"].is_null(), "{changed}");
    let fresh = changed["data"]["changePassword"]["token"].as_str().unwrap();
    let out = app
        .graphql_as(Some(fresh), "mutation { logout }", json!({}))
        .await;
    assert!(out["errors"].is_null(), "{out}");

    let mut integrator = Socket::open(&app, bearer(&key)).await;
    integrator
        .subscribe(
            "all",
            STORE_EVENTS,
            json!({ "types": ["customer.*"], "after": "0" }),
        )
        .await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        let event = integrator.next("all").await["data"]["storeEvents"].clone();
        assert_eq!(event["customerId"], ada.customer_id.as_str(), "{event}");
        seen.push((
            event["type"].as_str().unwrap().to_owned(),
            event["payload"].clone(),
        ));
    }
    assert_eq!(
        seen,
        vec![
            (
                "customer.created".to_owned(),
                json!({ "id": ada.customer_id, "email": "events@example.com" })
            ),
            (
                "customer.updated".to_owned(),
                json!({ "id": ada.customer_id, "changed": ["first_name"] })
            ),
            (
                "customer.password_changed".to_owned(),
                json!({ "id": ada.customer_id, "other_sessions_only": false })
            ),
            (
                "customer.session_ended".to_owned(),
                json!({ "id": ada.customer_id, "session_id": seen[3].1["session_id"], "reason": "logout" })
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_close_the_socket_with_4403() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "socket@example.com").await;

    let mut forged = Socket::init(&app, "graphql-transport-ws", bearer("not-a-token")).await;
    assert_eq!(forged.close_code().await, 4403);
    let mut unknown_key = Socket::init(&app, "graphql-transport-ws", bearer("sk_unknown")).await;
    assert_eq!(unknown_key.close_code().await, 4403);

    // The legacy protocol says `connection_error`, then closes the same way.
    let mut legacy = Socket::init(&app, "graphql-ws", bearer("not-a-token")).await;
    assert_eq!(legacy.message().await["type"], "connection_error");
    assert_eq!(legacy.close_code().await, 4403);

    // A token that was fine once is refused once its session has ended.
    let out = app
        .graphql_as(Some(&ada.token), LOGOUT, json!({ "t": ada.refresh }))
        .await;
    assert!(out["errors"].is_null(), "{out}");
    let mut ended = Socket::init(&app, "graphql-transport-ws", bearer(&ada.token)).await;
    assert_eq!(ended.close_code().await, 4403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_and_password_change_end_the_customers_subscriptions() {
    let app = TestApp::spawn().await;
    let ada = register(&app, "leaving@example.com").await;
    let mut socket = Socket::open(&app, bearer(&ada.token)).await;
    socket.subscribe("orders", ORDER_UPDATED, json!({})).await;
    wait_for_feeds(&app, 2).await;
    let out = app
        .graphql_as(Some(&ada.token), LOGOUT, json!({ "t": ada.refresh }))
        .await;
    assert!(out["errors"].is_null(), "{out}");
    assert_eq!(socket.close_code().await, 4403);

    let bob = register(&app, "changing@example.com").await;
    let mut socket = Socket::open(&app, bearer(&bob.token)).await;
    socket.subscribe("orders", ORDER_UPDATED, json!({})).await;
    wait_for_feeds(&app, 2).await;
    let changed = app
        .graphql_as(
            Some(&bob.token),
            "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, \
             newPassword: $n) { token } }",
            json!({ "c": PASSWORD, "n": "another long passphrase" }),
        )
        .await;
    assert!(changed["errors"].is_null(), "{changed}");
    assert_eq!(socket.close_code().await, 4403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_is_bounded() {
    let app = TestApp::builder()
        .env("STOREFRONT_WS_MAX_SUBSCRIPTIONS", "1")
        .env("STOREFRONT_WS_INIT_TIMEOUT", "1")
        .env("STOREFRONT_WS_MAX_MESSAGE", "2048")
        .spawn()
        .await;
    let key = secret_key(&app).await;
    register(&app, "bounded@example.com").await;
    let mut socket = Socket::open(&app, bearer(&key)).await;
    socket.subscribe("1", STORE_EVENTS, json!({})).await;
    socket.subscribe("2", STORE_EVENTS, json!({})).await;
    let refused = socket.next("2").await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{refused}"
    );
    assert_eq!(
        socket.message().await,
        json!({ "id": "2", "type": "complete" })
    );
    // Stopping the first frees its place.
    socket.send(json!({ "id": "1", "type": "complete" })).await;
    assert_eq!(
        socket.message().await,
        json!({ "id": "1", "type": "complete" })
    );
    socket
        .subscribe("3", STORE_EVENTS, json!({ "after": "0" }))
        .await;
    let replayed = socket.next("3").await;
    assert_eq!(
        replayed["data"]["storeEvents"]["type"], "customer.created",
        "{replayed}"
    );

    // A message over the size limit ends the socket: 1009, message too big.
    let huge = format!("{{ shop {{ name }} }} # {}", "x".repeat(4096));
    socket.subscribe("4", &huge, json!({})).await;
    assert_eq!(socket.close_code().await, 1009);

    // No connection_init in time: 4408.
    let mut request = format!("ws://{}/graphql/ws", app.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let mut silent = Socket { ws };
    assert_eq!(silent.close_code().await, 4408);
}
