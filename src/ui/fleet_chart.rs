//! The fleet's counts as stacked bars, drawn as SVG on the server so they
//! show without JavaScript, with the numbers in words beside each bar.

use crate::domain::fleet::{FleetCounts, KindCounts};
use leptos::prelude::*;

/// One bar: its parts as (count, CSS class, words).
fn bar(label: String, parts: Vec<(usize, &'static str, String)>) -> impl IntoView {
    let total: usize = parts.iter().map(|(n, _, _)| n).sum();
    let mut x = 0.0;
    let rects = parts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, class, _)| {
            let width = *n as f64 * 100.0 / total.max(1) as f64;
            let rect = view! { <rect x=format!("{x:.2}") y="0" width=format!("{width:.2}") height="10" class=*class /> };
            x += width;
            rect
        })
        .collect_view();
    let words = parts
        .into_iter()
        .map(|(_, _, words)| words)
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <li>
            <span class="chart-label">{label}</span>
            <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                {rects}
            </svg>
            <span class="chart-numbers">{words}</span>
        </li>
    }
}

fn kind_bars(title: &'static str, counts: KindCounts) -> impl IntoView {
    view! {
        {bar(
            format!("{title}: encryption"),
            vec![
                (counts.encrypted, "seg-good", format!("{} encrypted", counts.encrypted)),
                (counts.unencrypted, "seg-bad", format!("{} not encrypted", counts.unencrypted)),
                (counts.unknown, "seg-unknown", format!("{} unknown", counts.unknown)),
            ],
        )}
        {bar(
            format!("{title}: storage"),
            vec![
                (counts.s3, "seg-good", format!("{} in S3", counts.s3)),
                (counts.cloud, "seg-cloud", format!("{} in Twilio's cloud", counts.cloud)),
                (counts.unknown, "seg-unknown", format!("{} unknown", counts.unknown)),
            ],
        )}
    }
}

#[component]
pub fn FleetChart(counts: FleetCounts) -> impl IntoView {
    let problems = match counts.problems {
        0 => "No project shown has a problem.".to_owned(),
        1 => "1 project shown has a problem.".to_owned(),
        n => format!("{n} projects shown have a problem."),
    };
    view! {
        <figure class="fleet-chart">
            <figcaption>
                {format!("{} shown. ", crate::domain::fleet::projects(counts.projects))}
                {problems}
            </figcaption>
            <ul>
                {kind_bars("Compositions", counts.composition)}
                {kind_bars("Recordings", counts.recording)}
            </ul>
        </figure>
    }
}
