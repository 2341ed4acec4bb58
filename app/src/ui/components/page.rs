use leptos::prelude::*;
use leptos_meta::Title;

/// How wide a page's column is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Width {
    /// Lists, dashboards, records.
    #[default]
    Full,
    /// Long forms: wide enough for two columns of choices, narrow enough to read.
    Form,
    /// Sign-in and other short forms.
    Narrow,
    /// A message in the middle of the page (not found, something went wrong).
    Message,
}

/// The frame of every page: its title in the browser tab, one section labelled by the page's
/// heading, a link back up, the header with the heading, the section it belongs to and its
/// buttons, a lead paragraph, then the page's own content.
///
/// Record pages (a tool, a request) leave `heading` out and render their own
/// `<h1 id="page-title">` once the record is loaded.
#[component]
pub fn Page(
    /// The browser tab's title (the portal's name is added).
    #[prop(into)]
    title: String,
    #[prop(optional, into)] heading: Option<String>,
    /// The part of the portal the page belongs to, above the heading.
    #[prop(optional)]
    section: Option<&'static str>,
    /// A link back up: (address, label).
    #[prop(optional)]
    up: Option<(&'static str, &'static str)>,
    #[prop(optional, into)] lead: Option<String>,
    /// Buttons beside the heading.
    #[prop(optional, into)]
    actions: Option<ViewFn>,
    #[prop(optional)] width: Width,
    children: Children,
) -> impl IntoView {
    let class = match width {
        Width::Full => "page",
        Width::Form => "page page--form",
        Width::Narrow => "page page--narrow",
        Width::Message => "page page--message",
    };
    view! {
        <Title text=title />
        <section class=class aria-labelledby="page-title">
            {up
                .map(|(href, label)| {
                    view! {
                        <p class="page__eyebrow">
                            <a href=href>{label}</a>
                        </p>
                    }
                })}
            {heading
                .map(|heading| {
                    view! {
                        <header class="page__header">
                            {section
                                .map(|section| view! { <p class="page__eyebrow">{section}</p> })}
                            <h1 id="page-title">{heading}</h1>
                            {actions.map(|actions| actions.run())}
                        </header>
                    }
                })}
            {lead.map(|lead| view! { <p class="page__lead">{lead}</p> })}
            {children()}
        </section>
    }
}
