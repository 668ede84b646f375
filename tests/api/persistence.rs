//! Data survives restarts, and migrations apply once.

use storefront::db::migrate;
use storefront::store::api_keys::{self, KeyKind};

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_the_data_and_migrates_nothing_twice() {
    let app = TestApp::spawn().await;
    let url = app.database_url.clone();
    let (_, token) = api_keys::create(&app.state.store, KeyKind::Secret, "integration")
        .await
        .unwrap();
    let first_id = app.state.db().url().clone();

    // A second server on the same database, while the first is still up (two instances).
    let again = TestApp::builder().database_url(&url).spawn().await;
    assert_eq!(again.state.db().url(), &first_id);
    let found = api_keys::find_active(&again.state.store, KeyKind::Secret, token.expose())
        .await
        .unwrap()
        .expect("the key survives the restart");
    assert_eq!(found.name, "integration");
    assert_eq!(found.token, None, "secret keys are not stored readable");
    assert!(
        migrate::run(again.state.db().url())
            .await
            .unwrap()
            .is_empty()
    );
    again.stop().await;
    drop(app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_found_only_by_their_kind_and_token() {
    let app = TestApp::spawn().await;
    let (key, token) = api_keys::create(&app.state.store, KeyKind::Publishable, "web")
        .await
        .unwrap();
    assert!(token.expose().starts_with("pk_"));
    assert_eq!(key.token.as_deref(), Some(token.expose().as_str()));
    let store = &app.state.store;
    assert!(
        api_keys::find_active(store, KeyKind::Secret, token.expose())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        api_keys::find_active(store, KeyKind::Publishable, "pk_wrong")
            .await
            .unwrap()
            .is_none()
    );
    let dev = api_keys::development_key(store).await.unwrap();
    assert_eq!(api_keys::development_key(store).await.unwrap(), dev);
}
