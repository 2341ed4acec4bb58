//! Password hashing with argon2id at OWASP's recommended floor (19 MiB, 2 passes, 1 lane).
//!
//! Hashing is CPU- and memory-heavy by design, so it runs on the blocking pool behind a
//! semaphore: a flood of sign-in attempts queues here instead of starving other requests.

use std::sync::OnceLock;

use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::domain::Password;
use crate::error::{AppError, OrInternal};

const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// Verifying against this keeps the time for an unknown account like that for a known one.
/// It is the hash of a random phrase nobody knows; nothing can sign in with it.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$Q0r0mR9o1cZcQ0GqkWcF1g$O2a3b5x9Vf8m2w8kq2Jm0L6mXk3C0p9Zr7vGk1tHq6E";

fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None)
        .or_internal("setting the argon2 parameters")?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// At most one hash per core at a time.
fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

async fn run_limited<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let _permit = permits()
        .acquire()
        .await
        .or_internal("waiting for a hashing slot")?;
    tokio::task::spawn_blocking(work)
        .await
        .or_internal("the password hashing task")?
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`, with a fresh random salt.
#[tracing::instrument(skip_all)]
pub async fn hash(password: &Password) -> Result<String, AppError> {
    let password = password.clone();
    run_limited(move || {
        let hash: PasswordHash = hasher()?
            .hash_password(password.expose().as_bytes())
            .or_internal("hashing a password")?;
        Ok(hash.to_string())
    })
    .await
}

/// Whether `password` matches `stored`. With no stored hash (unknown account, or no password set
/// yet) a dummy hash is verified instead, so both cases take the same time, and it fails.
#[tracing::instrument(skip_all)]
pub async fn verify(password: &Password, stored: Option<&str>) -> Result<bool, AppError> {
    let password = password.clone();
    let known = stored.is_some();
    let stored = stored.unwrap_or(DUMMY_HASH).to_owned();
    run_limited(move || {
        let matches = hasher()?
            .verify_password(password.expose().as_bytes(), stored.as_str())
            .is_ok();
        Ok(known && matches)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse(text).expect("valid password")
    }

    #[tokio::test]
    async fn hashes_are_argon2id_at_the_owasp_floor_with_fresh_salts() {
        let secret = password("a long and private phrase");
        let first = hash(&secret).await.expect("hash");
        let second = hash(&secret).await.expect("hash");
        assert!(
            first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{first}"
        );
        assert_ne!(first, second, "each hash has its own salt");
        assert!(verify(&secret, Some(&first)).await.expect("verify"));
        assert!(!verify(&password("another long phrase"), Some(&first))
            .await
            .expect("verify"));
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        assert!(!verify(&password("whatever you type here"), None)
            .await
            .expect("verify"));
    }

    #[test]
    fn the_dummy_hash_is_well_formed() {
        // A malformed dummy would fail fast and make unknown accounts measurably quicker.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
