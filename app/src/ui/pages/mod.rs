mod home;
mod not_found;
mod sign_in;

pub use home::HomePage;
pub use not_found::NotFoundPage;
pub use sign_in::{SignInCodePage, SignInPage};
