use leptos::prelude::*;

/// Copies the text of the element `target` (an id) to the clipboard. An island, hidden until it
/// runs: without JavaScript there is nothing it could do, and the text is there to select.
#[island]
pub fn CopyButton(target: String, label: String) -> impl IntoView {
    let ready = RwSignal::new(false);
    let copied = RwSignal::new(None::<bool>);
    Effect::new(move |_| ready.set(can_copy()));
    view! {
        <div class="copy" hidden=move || !ready.get()>
            <button
                type="button"
                class="button button--secondary"
                on:click=move |_| copy_text(&target, copied)
            >
                {label}
            </button>
            <span class="copy__status" role="status">
                {move || match copied.get() {
                    Some(true) => "Copied.",
                    Some(false) => "Could not copy: select the text and copy it.",
                    None => "",
                }}
            </span>
        </div>
    }
}

/// Writes the element's visible text (one line per list item) to the clipboard and says how it went.
#[cfg(feature = "hydrate")]
fn copy_text(target: &str, copied: RwSignal<Option<bool>>) {
    use leptos::wasm_bindgen::JsCast;
    let text = document()
        .get_element_by_id(target)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        .map(|element| element.inner_text());
    let Some(text) = text else {
        copied.set(Some(false));
        return;
    };
    let written = window().navigator().clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        let done = wasm_bindgen_futures::JsFuture::from(written).await;
        copied.set(Some(done.is_ok()));
    });
}

/// The clipboard is there only on pages served over HTTPS or from this machine (a "secure
/// context"); elsewhere the button stays hidden.
#[cfg(feature = "hydrate")]
fn can_copy() -> bool {
    window().is_secure_context()
}

/// The server renders the button hidden; it is only ever shown and clicked in the browser.
#[cfg(not(feature = "hydrate"))]
fn can_copy() -> bool {
    false
}

#[cfg(not(feature = "hydrate"))]
fn copy_text(_target: &str, _copied: RwSignal<Option<bool>>) {}
