use leptos::prelude::*;

use crate::domain::checklist::ItemStatus;
use crate::model::TrendPoint;

/// A checklist item's status as a badge (colour and text: never colour alone).
#[component]
pub fn ItemStatusBadge(status: ItemStatus) -> impl IntoView {
    let tone = match status {
        ItemStatus::Done => "badge badge--ok",
        ItemStatus::InProgress => "badge badge--info",
        ItemStatus::NotStarted => "badge badge--neutral",
        ItemStatus::NotApplicable => "badge badge--warn",
    };
    view! {
        <span class=tone data-item-status=status.as_str()>
            {status.label()}
        </span>
    }
}

/// A labelled completion bar; "—" when nothing applies. A native `<progress>`: no inline
/// style (the CSP allows none), announced by screen readers with its label.
#[component]
pub fn ProgressBar(#[prop(into)] label: String, percent: Option<i64>) -> impl IntoView {
    let text = percent.map_or_else(|| "—".to_owned(), |p| format!("{p} %"));
    view! {
        <div class="progress">
            <span class="progress__label">{label.clone()}</span>
            <progress
                class="progress__bar"
                max="100"
                value=percent.unwrap_or(0).to_string()
                aria-label=label
            >
                {text.clone()}
            </progress>
            <span class="progress__value">{text}</span>
        </div>
    }
}

/// Completion over the weeks as a server-rendered SVG line, with a table for screen readers
/// and print (the chart is `aria-hidden` behind its own title).
#[component]
pub fn TrendChart(points: Vec<TrendPoint>, #[prop(into)] title: String) -> impl IntoView {
    let (width, height, pad) = (600.0_f64, 180.0_f64, 28.0_f64);
    let n = points.len().max(2) as f64;
    let x = move |i: usize| pad + (width - 2.0 * pad) * (i as f64) / (n - 1.0);
    let y = move |p: i64| height - pad - (height - 2.0 * pad) * (p as f64) / 100.0;
    let line: Vec<String> = points
        .iter()
        .enumerate()
        .filter_map(|(i, point)| point.percent.map(|p| format!("{:.1},{:.1}", x(i), y(p))))
        .collect();
    let summary = match (
        points.first().and_then(|p| p.percent),
        points.last().and_then(|p| p.percent),
    ) {
        (Some(first), Some(last)) => {
            format!("From {first} % to {last} % over {} weeks.", points.len())
        }
        _ => "No figures yet.".to_owned(),
    };
    let last = points
        .last()
        .and_then(|p| p.percent.map(|v| (points.len() - 1, v)));
    view! {
        <figure class="trend">
            <svg
                class="trend__chart"
                viewBox=format!("0 0 {width} {height}")
                role="img"
                aria-labelledby="trend-title trend-desc"
                preserveAspectRatio="xMidYMid meet"
            >
                <title id="trend-title">{title.clone()}</title>
                <desc id="trend-desc">{summary.clone()}</desc>
                {[0, 50, 100]
                    .into_iter()
                    .map(|p| {
                        view! {
                            <line class="trend__grid" x1=pad y1=y(p) x2=width - pad y2=y(p) />
                            <text class="trend__axis" x=2 y=y(p) + 4.0>
                                {format!("{p}%")}
                            </text>
                        }
                    })
                    .collect_view()}
                <polyline class="trend__line" points=line.join(" ") />
                {last.map(|(i, p)| view! { <circle class="trend__dot" cx=x(i) cy=y(p) r="4" /> })}
            </svg>
            <figcaption>{summary}</figcaption>
            <table class="visually-hidden">
                <caption>{title}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Week starting"</th>
                        <th scope="col">"Completion"</th>
                    </tr>
                </thead>
                <tbody>
                    {points
                        .into_iter()
                        .map(|p| {
                            view! {
                                <tr>
                                    <td>{p.week.to_string()}</td>
                                    <td>
                                        {p
                                            .percent
                                            .map_or_else(|| "—".to_owned(), |v| format!("{v} %"))}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </figure>
    }
}
