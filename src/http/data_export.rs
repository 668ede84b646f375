//! The download link of a data export (`STOREFRONT_PUBLIC_URL/account/data-export?token=...`,
//! mailed by `requestDataExport`). Opening it shows a page whose button posts the token back;
//! only the post uses the single-use token, so a mail scanner that follows links cannot spend
//! it. The answer to the post is the JSON file.

use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::error::StoreError;
use crate::state::AppState;
use crate::store::account_data::export;
use crate::store::mail::templates::escape;

pub fn routes() -> Router<AppState> {
    Router::new().route("/account/data-export", get(page).post(download))
}

#[derive(Deserialize)]
pub struct TokenParam {
    #[serde(default)]
    token: String,
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;\
         padding:0 1rem;color:#1c1917}}button{{font:inherit;padding:.6rem 1.2rem}}</style>\
         </head><body><h1>{title}</h1>{body}</body></html>",
        title = escape(title),
    );
    let mut response = (status, Html(page)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        ),
    );
    response
}

/// `GET /account/data-export?token=...`: the page with the download button.
async fn page(Query(param): Query<TokenParam>) -> Response {
    if param.token.trim().is_empty() {
        return html(
            StatusCode::BAD_REQUEST,
            "Download your data",
            "<p>This link is incomplete. Open the link from the mail again.</p>",
        );
    }
    let body = format!(
        "<p>Your data is ready as a JSON file. The link works once: keep the file safe.</p>\
         <form method=\"post\" action=\"/account/data-export\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <button type=\"submit\">Download my data</button></form>",
        escape(param.token.trim())
    );
    html(StatusCode::OK, "Download your data", &body)
}

/// `POST /account/data-export` (form `token`): the file, once.
async fn download(State(state): State<AppState>, Form(param): Form<TokenParam>) -> Response {
    match export::download(&state.store, &param.token).await {
        Ok(document) => {
            let date = chrono::Utc::now().format("%Y-%m-%d");
            let disposition = format!("attachment; filename=\"account-data-{date}.json\"");
            let body = serde_json::to_vec_pretty(&document).unwrap_or_default();
            let mut response = (StatusCode::OK, body).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(StoreError::InvalidToken(_)) => html(
            StatusCode::GONE,
            "This link no longer works",
            "<p>The download link was already used, or it expired. Ask for a new export from \
             your account.</p>",
        ),
        Err(e) => {
            if let Some(detail) = e.log_detail() {
                tracing::error!(code = e.code(), detail, "data export failed");
            }
            let status = if e.is_server_error() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::BAD_REQUEST
            };
            html(
                status,
                "The download failed",
                "<p>Please try again in a moment.</p>",
            )
        }
    }
}
