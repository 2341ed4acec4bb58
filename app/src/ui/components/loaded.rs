use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

use super::{ErrorNotice, Loading};
use crate::error::AppError;

/// Shows `view` with a resource's data once it is in: a loading state meanwhile, the error
/// notice (or the redirect to sign in) when it fails.
#[component]
pub fn Loaded<T, F, V>(
    resource: Resource<Result<T, AppError>>,
    #[prop(into)] loading: String,
    view: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let label = loading.clone();
    view! {
        <Transition fallback=move || {
            view! { <Loading label=label.clone() /> }
        }>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => view(data).into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
