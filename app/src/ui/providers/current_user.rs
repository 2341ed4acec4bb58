use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::get_current_user;
use crate::error::AppError;
use crate::model::CurrentUser;

pub type CurrentUserResource = Resource<Result<Option<CurrentUser>, AppError>>;

/// Who is signed in, re-read after every navigation (signing in or out navigates). Blocking:
/// the server waits for it, so the header is complete in the HTML even without JavaScript.
pub fn provide_current_user() {
    let location = use_location();
    let user: CurrentUserResource =
        Resource::new_blocking(move || location.pathname.get(), |_| get_current_user());
    provide_context(user);
}

pub fn use_current_user() -> CurrentUserResource {
    expect_context::<CurrentUserResource>()
}
