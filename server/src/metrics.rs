//! Request metrics in Prometheus' text format: counts and latency histograms by route and status.
//!
//! Metrics describe one instance, so they are the one thing kept in process memory; Prometheus
//! scrapes each instance and adds them up.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SeriesKey {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    /// Non-cumulative counts per bucket; the last slot is "+Inf".
    buckets: [u64; BUCKETS.len() + 1],
}

#[derive(Debug, Clone, Default)]
pub struct Metrics {
    series: Arc<Mutex<BTreeMap<SeriesKey, Series>>>,
}

/// The route template a request matched, carried from routing to the outer metrics layer.
#[derive(Debug, Clone)]
struct RouteLabel(String);

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let key = SeriesKey {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        let mut series = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let entry = series.entry(key).or_default();
        entry.count += 1;
        entry.sum_seconds += seconds;
        entry.buckets[bucket] += 1;
    }

    /// The exposition text, with pool gauges read at scrape time.
    pub fn render(&self, pool: &PgPool) -> String {
        let mut out = String::new();
        let series = self.series.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP portal_http_requests_total HTTP requests answered, by method, route and status.\n");
        out.push_str("# TYPE portal_http_requests_total counter\n");
        for (key, s) in series.iter() {
            let _ = writeln!(
                out,
                "portal_http_requests_total{{{}}} {}",
                labels(key),
                s.count
            );
        }
        out.push_str("# HELP portal_http_request_duration_seconds Time to answer HTTP requests, by method, route and status.\n");
        out.push_str("# TYPE portal_http_request_duration_seconds histogram\n");
        for (key, s) in series.iter() {
            let labels = labels(key);
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(s.buckets.iter()) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "portal_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "portal_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "portal_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "portal_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        drop(series);
        let idle = pool.num_idle();
        let size = pool.size() as usize;
        out.push_str(
            "# HELP portal_db_connections Database connections in this instance's pool.\n",
        );
        out.push_str("# TYPE portal_db_connections gauge\n");
        let _ = writeln!(out, "portal_db_connections{{state=\"idle\"}} {idle}");
        let _ = writeln!(
            out,
            "portal_db_connections{{state=\"in_use\"}} {}",
            size.saturating_sub(idle)
        );
        out.push_str("# HELP portal_build_info The running version.\n");
        out.push_str("# TYPE portal_build_info gauge\n");
        let _ = writeln!(out, "portal_build_info{{version=\"{}\"}} 1", app::VERSION);
        out
    }
}

fn labels(key: &SeriesKey) -> String {
    format!(
        "method=\"{}\",route=\"{}\",status=\"{}\"",
        escape(&key.method),
        escape(&key.route),
        key.status
    )
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Inner layer (on matched routes): records which route template answered.
pub async fn label_route(matched: MatchedPath, request: Request, next: Next) -> Response {
    let label = RouteLabel(matched.as_str().to_owned());
    let mut response = next.run(request).await;
    response.extensions_mut().insert(label);
    response
}

/// Outer layer: times every request and records it under its route template. Requests that
/// matched no route are grouped (static assets apart), so stray URLs cannot inflate the series.
pub async fn record(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let unmatched = if request.uri().path().starts_with("/pkg/") {
        "/pkg/{asset}"
    } else {
        "unmatched"
    };
    let response = next.run(request).await.into_response();
    let route = response
        .extensions()
        .get::<RouteLabel>()
        .map_or(unmatched, |label| label.0.as_str());
    metrics.observe(
        &method,
        route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_counted() {
        let metrics = Metrics::default();
        metrics.observe("GET", "/healthz", 200, 0.0005);
        metrics.observe("GET", "/healthz", 200, 0.02);
        metrics.observe("GET", "/healthz", 200, 30.0);
        let series = metrics.series.lock().expect("lock");
        let s = series.values().next().expect("one series");
        assert_eq!(s.count, 3);
        assert_eq!(s.buckets[0], 1);
        assert_eq!(s.buckets[4], 1);
        assert_eq!(s.buckets[BUCKETS.len()], 1);
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
