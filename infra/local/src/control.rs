//! The local cloud's control routes, which exist only here (never in a function's router, so never on
//! AWS): the clock every local function reads, and the schedules a test wants to run now.
//!
//! - `GET /_local/clock`: `{now, offsetSeconds}`.
//! - `POST /_local/clock` `{"advanceSeconds": n}`: moves the clock forward (never back) and answers the same.
//! - `POST /_local/outbox/sweep`: one sweep of the outbox, as its minute schedule runs it: `{sent, failed}`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use nudge_core::clock::Clock;
use nudge_core::outbox::Sweeper;
use serde::Deserialize;
use serde_json::json;

#[derive(Clone)]
struct Control {
    clock: Clock,
    sweeper: Sweeper,
}

pub fn router(clock: Clock, sweeper: Sweeper) -> Router {
    Router::new()
        .route("/_local/clock", get(read_clock).post(advance_clock))
        .route("/_local/outbox/sweep", post(sweep))
        .with_state(Control { clock, sweeper })
}

fn clock_view(clock: &Clock) -> Json<serde_json::Value> {
    Json(json!({"now": clock.now(), "offsetSeconds": clock.offset().num_seconds()}))
}

async fn read_clock(State(control): State<Control>) -> Json<serde_json::Value> {
    clock_view(&control.clock)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Advance {
    advance_seconds: i64,
}

async fn advance_clock(State(control): State<Control>, Json(body): Json<Advance>) -> Response {
    match control.clock.advance(chrono::Duration::seconds(body.advance_seconds)) {
        Some(_) => clock_view(&control.clock).into_response(),
        None => {
            (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"detail": "the clock only moves forward"}))).into_response()
        }
    }
}

async fn sweep(State(control): State<Control>) -> Response {
    match control.sweeper.sweep().await {
        Ok(swept) => Json(swept).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"detail": e.to_string()}))).into_response(),
    }
}
