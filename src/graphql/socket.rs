//! One GraphQL WebSocket, `graphql-transport-ws` or the legacy `graphql-ws`
//! (subscriptions-transport-ws). async-graphql speaks the protocol; this loop adds what it
//! leaves out:
//! - credentials checked at `connection_init`: a bad or expired token or secret key closes
//!   with the protocol's 4403 (async-graphql would say 1002);
//! - the socket closes with 4403 when its customer's session ends (logout, password change or
//!   reset, on any instance: the `customer.*` events say so) or its access token expires;
//! - 4408 when no `connection_init` comes within `STOREFRONT_WS_INIT_TIMEOUT`, 4400 for a
//!   malformed message, 4401 for a subscription before the handshake;
//! - a ping every `STOREFRONT_WS_KEEPALIVE`, and a socket silent for three of them is closed;
//! - a bounded number of subscriptions per socket ([`SubscriptionSlots`]); the message size
//!   and the number of sockets are bounded by the upgrade handler (`graphql::http`).

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_graphql::Data;
use async_graphql::http::{WebSocket as Protocol, WebSocketProtocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::http::HeaderMap;
use futures_util::{SinkExt, StreamExt, future};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::session::SocketAuth;
use super::subscriptions::SubscriptionSlots;
use crate::http::auth::{Graphql, RequestAuth, Surface};
use crate::state::AppState;
use crate::store::publication::{self, Feed, FeedError};
use crate::store::{Store, StoreError};

/// Close codes of graphql-transport-ws.
const BAD_REQUEST: u16 = 4400;
const UNAUTHORIZED: u16 = 4401;
const FORBIDDEN: u16 = 4403;
const INIT_TIMEOUT: u16 = 4408;
const INTERNAL: u16 = 4500;

/// What `connection_init` decided, shared with the loop.
enum Init {
    Pending,
    Accepted(Option<Watch>),
    Refused(u16),
}

/// A signed-in socket's customer: its credentials, checked again whenever an event says the
/// customer's sessions may have ended, and when its token expires.
struct Watch {
    auth: RequestAuth,
    customer_id: String,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Serves one upgraded socket until either side closes it. `_slot` is the socket's place among
/// `STOREFRONT_WS_MAX_CONNECTIONS`, freed when this returns.
pub async fn serve(
    socket: WebSocket,
    state: AppState,
    protocol: WebSocketProtocols,
    ip: Option<IpAddr>,
    headers: HeaderMap,
    _slot: OwnedSemaphorePermit,
) {
    let limits = state.config.sockets.clone();
    let store = state.store.clone();
    let (mut sink, source) = socket.split();
    let heard = Arc::new(Mutex::new(Instant::now()));
    // Why reading from the client failed, when it did (a message over the size limit: 1009).
    let unreadable: Arc<Mutex<Option<u16>>> = Arc::default();
    let input = {
        let heard = heard.clone();
        let unreadable = unreadable.clone();
        source
            .take_while(move |frame| {
                if let Err(e) = frame {
                    let text = e.to_string();
                    let code = if text.contains("too long") || text.contains("Space limit") {
                        1009
                    } else {
                        1002
                    };
                    *unreadable.lock().unwrap_or_else(|p| p.into_inner()) = Some(code);
                }
                future::ready(frame.is_ok())
            })
            .filter_map(move |frame| {
                *heard.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
                future::ready(match frame {
                    Ok(Message::Text(text)) => Some(Message::Text(text).into_data()),
                    Ok(Message::Binary(bytes)) => Some(bytes),
                    _ => None,
                })
            })
    };
    let init = Arc::new(Mutex::new(Init::Pending));
    let on_init = {
        let init = init.clone();
        let store = store.clone();
        let max_subscriptions = limits.max_subscriptions;
        move |payload: serde_json::Value| async move {
            let auth = RequestAuth::from_payload(Graphql::HEADERS, ip, &headers, &payload);
            let outcome = check(&store, &auth).await;
            let mut decided = init.lock().unwrap_or_else(|p| p.into_inner());
            match outcome {
                Ok(watch) => {
                    *decided = Init::Accepted(watch);
                    let mut data = Data::default();
                    data.insert(SocketAuth(auth));
                    data.insert(SubscriptionSlots(Arc::new(Semaphore::new(
                        max_subscriptions,
                    ))));
                    Ok(data)
                }
                Err((code, message)) => {
                    *decided = Init::Refused(code);
                    Err(async_graphql::Error::new(message))
                }
            }
        }
    };
    let graphql = Protocol::new(state.graphql.clone(), input, protocol).on_connection_init(on_init);
    let mut graphql = std::pin::pin!(graphql);

    let mut ping = tokio::time::interval(limits.keepalive);
    ping.tick().await;
    let init_deadline = tokio::time::sleep(limits.init_timeout);
    let mut init_deadline = std::pin::pin!(init_deadline);
    let mut initialised = false;
    // A signed-in socket's watcher runs as a task of its own, so that nothing the loop does
    // can interrupt a check halfway; it says why the socket must close.
    let mut ended: Option<tokio::sync::oneshot::Receiver<&'static str>> = None;
    let mut watcher: Option<AbortOnDrop> = None;
    let silence = limits.keepalive * 3;

    let close: Option<(u16, String)> = loop {
        tokio::select! {
            out = graphql.next() => match out {
                Some(WsMessage::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break None;
                    }
                    if !initialised {
                        let mut decided = init.lock().unwrap_or_else(|p| p.into_inner());
                        if let Init::Accepted(w) = &mut *decided {
                            let w = w.take();
                            initialised = true;
                            if let Some(w) = w {
                                let (tx, rx) = tokio::sync::oneshot::channel();
                                let feed = publication::watch_sessions(&store, &w.customer_id);
                                let store = store.clone();
                                watcher = Some(AbortOnDrop(tokio::spawn(async move {
                                    let _ = tx.send(session_end(&store, w, feed).await);
                                })));
                                ended = Some(rx);
                            }
                        }
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    break Some((close_code(&init, code), reason));
                }
                // The client went away or sent what could not be read; or the legacy protocol
                // refused with a `connection_error` message.
                None => {
                    if let Some(code) = *unreadable.lock().unwrap_or_else(|p| p.into_inner()) {
                        break Some((code, "message unreadable or too big".into()));
                    }
                    break match &*init.lock().unwrap_or_else(|p| p.into_inner()) {
                        Init::Refused(code) => Some((*code, "Forbidden".into())),
                        _ => Some((1000, String::new())),
                    };
                }
            },
            () = &mut init_deadline, if !initialised => {
                break Some((INIT_TIMEOUT, "Connection initialisation timeout".into()));
            }
            _ = ping.tick() => {
                let quiet = heard.lock().unwrap_or_else(|p| p.into_inner()).elapsed();
                if quiet > silence {
                    break Some((1001, "keep-alive timeout".into()));
                }
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    break None;
                }
            }
            reason = async {
                match ended.as_mut() {
                    Some(rx) => rx.await,
                    None => future::pending().await,
                }
            }, if ended.is_some() => {
                match reason {
                    Ok(reason) => break Some((FORBIDDEN, reason.into())),
                    Err(_) => ended = None,
                }
            }
        }
    };
    if let Some((code, reason)) = close {
        let frame = CloseFrame {
            code,
            reason: truncate(&reason).into(),
        };
        let _ = sink.send(Message::Close(Some(frame))).await;
    }
    let _ = sink.close().await;
    drop(watcher);
}

/// Aborts the task when dropped (the socket's session watcher ends with the socket).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The credentials of `connection_init`: none is fine (anonymous, or a guest with an order
/// token); a customer token or a secret key that is sent must be valid.
async fn check(store: &Store, auth: &RequestAuth) -> Result<Option<Watch>, (u16, String)> {
    let refuse = |e: StoreError| match e {
        StoreError::Unauthenticated | StoreError::InvalidToken(_) | StoreError::Forbidden(_) => {
            (FORBIDDEN, "Forbidden".to_owned())
        }
        other => {
            tracing::error!(error = %other.log_detail().unwrap_or("unknown"), "socket credentials could not be checked");
            (INTERNAL, "Internal error".to_owned())
        }
    };
    if auth.has_secret_key() {
        auth.actor(store).await.map_err(refuse)?;
    }
    let principal = auth.principal(store).await.map_err(refuse)?;
    Ok(principal.map(|p| Watch {
        expires_at: auth.bearer_expires_at(store),
        auth: auth.clone(),
        customer_id: p.customer_id,
    }))
}

/// Resolves when the watched socket's customer may no longer use it: its access token expired,
/// or an event said its sessions may have ended and its session is indeed over.
async fn session_end(store: &Store, watch: Watch, mut feed: Feed) -> &'static str {
    let expiry = async {
        match watch.expires_at {
            Some(at) => {
                let left = (at - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO);
                tokio::time::sleep(left).await;
            }
            None => future::pending().await,
        }
    };
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            () = &mut expiry => return "the access token has expired",
            next = feed.next() => match next {
                Ok(_) | Err(FeedError::Lagged(_)) => {
                    // Still live, or the database could not say: the socket stays.
                    if let Err(StoreError::Unauthenticated) =
                        watch.auth.fresh().principal(store).await
                    {
                        return "the session has ended";
                    }
                }
                Err(FeedError::Closed) => future::pending::<()>().await,
            },
        }
    }
}

/// The close code to send for one async-graphql chose.
fn close_code(init: &Mutex<Init>, code: u16) -> u16 {
    if let Init::Refused(refused) = &*init.lock().unwrap_or_else(|p| p.into_inner()) {
        return *refused;
    }
    match code {
        // A message that is not valid JSON or not of the protocol.
        1002 => BAD_REQUEST,
        // A subscription before `connection_ack`.
        1011 => UNAUTHORIZED,
        other => other,
    }
}

/// Close reasons are at most 123 bytes.
fn truncate(reason: &str) -> String {
    let mut end = reason.len().min(120);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}
