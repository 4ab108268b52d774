//! Per-client rate limits for the public verification endpoints: past the quota a client
//! gets 429 with Retry-After, and the service keeps its latency for everyone else.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// A keyed limiter: one bucket per client address.
#[derive(Clone)]
pub struct RateLimit(Arc<DefaultKeyedRateLimiter<IpAddr>>);

impl RateLimit {
    /// `per_second` requests a second per client, with bursts of `burst`.
    pub fn new(per_second: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(rate);
        Self(Arc::new(DefaultKeyedRateLimiter::keyed(
            Quota::per_second(rate).allow_burst(burst),
        )))
    }
}

/// Refuses a request over its client's quota with 429 and the seconds to wait.
pub async fn limit(State(limit): State<RateLimit>, request: Request, next: Next) -> Response {
    // Behind a proxy every request shares the proxy's address; deployments put the limit
    // at the proxy or give each client its own address.
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    match limit.0.check_key(&client) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let seconds = wait.as_secs() + 1;
            let mut response =
                (StatusCode::TOO_MANY_REQUESTS, "请求过于频繁，请稍后再试").into_response();
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}
