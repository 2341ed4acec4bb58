//! Password hashing with argon2id at OWASP's recommended floor (19 MiB, 2 passes, 1 lane).
//!
//! Hashing is CPU- and memory-heavy by design, so it runs on the blocking pool behind a
//! semaphore: a flood of sign-in attempts queues here instead of starving other requests.
//! Argon2's 19 MiB of working memory is reused within a burst rather than allocated per hash:
//! freed, each blocking thread's allocator arena kept its own copy (381 MB after 20 concurrent
//! sign-ins), while at most one buffer per permit keeps the process flat. The last hash of a
//! burst gives every buffer back (the server has large blocks mapped and unmapped: see
//! `server::allocator`), so an idle portal holds none of it.

use std::sync::{Mutex, OnceLock};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::domain::Password;
use crate::error::{AppError, OrInternal};

const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;
const SALT_LEN: usize = 16;

/// Verifying against this keeps the time for an unknown account like that for a known one.
/// It is the hash of a random phrase nobody knows; nothing can sign in with it.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$Q0r0mR9o1cZcQ0GqkWcF1g$O2a3b5x9Vf8m2w8kq2Jm0L6mXk3C0p9Zr7vGk1tHq6E";

fn params() -> Result<Params, AppError> {
    Params::new(M_COST_KIB, T_COST, P_COST, None).or_internal("setting the argon2 parameters")
}

/// How many hashes run at once: one per core.
fn slots() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(slots()))
}

/// Working memory between hashes: never more buffers than permits, since each hash takes one
/// and gives it back.
fn spare_memory() -> &'static Mutex<Vec<Vec<Block>>> {
    static SPARE: OnceLock<Mutex<Vec<Vec<Block>>>> = OnceLock::new();
    SPARE.get_or_init(|| Mutex::new(Vec::new()))
}

/// Runs argon2 for `argon2`'s parameters into `out`, on a reused buffer.
fn hash_into(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    #[cfg(test)]
    if let Ok(mut hashed) = tests::HASHED.lock() {
        hashed.push(password.to_vec());
    }
    let spare = || spare_memory().lock().ok();
    let mut memory = spare()
        .and_then(|mut spare| spare.pop())
        .unwrap_or_default();
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::new());
    }
    let result = argon2.hash_password_into_with_memory(password, salt, out, &mut memory);
    // What argon2 leaves in its memory is derived from the password: not kept readable.
    memory.fill(Block::new());
    // This hash holds a permit: any other taken means another hash runs or is about to (a
    // waiter is handed a permit as soon as one is free), and will want a buffer.
    let others_hashing = permits().available_permits() + 1 < slots();
    if let Some(mut spare) = spare() {
        if !others_hashing {
            spare.clear();
        } else if spare.len() < slots() {
            spare.push(memory);
        }
    }
    result
}

async fn run_limited<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let permit = permits()
        .acquire()
        .await
        .or_internal("waiting for a hashing slot")?;
    // The slot is held by the hash itself, not by the request: a client that hangs up does not
    // free it while argon2 still runs.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .or_internal("the password hashing task")?
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`, with a fresh random salt.
#[tracing::instrument(skip_all)]
pub async fn hash(password: &Password) -> Result<String, AppError> {
    let password = password.clone();
    run_limited(move || {
        let params = params()?;
        let salt: [u8; SALT_LEN] = rand::random();
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        hash_into(
            &argon2,
            &params,
            password.expose().as_bytes(),
            &salt,
            &mut out,
        )
        .or_internal("hashing a password")?;
        let hash = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).or_internal("writing argon2 parameters")?,
            salt: Some(Salt::new(&salt).or_internal("writing a salt")?),
            hash: Some(Output::new(&out).or_internal("writing a hash")?),
        };
        Ok(hash.to_string())
    })
    .await
}

/// Whether `password` gives `stored` (any argon2 variant and parameters it names).
fn matches(password: &[u8], stored: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(params), Ok(algorithm), Some(salt), Some(expected)) = (
        Params::try_from(&hash),
        Algorithm::try_from(hash.algorithm.as_str()),
        hash.salt.as_ref(),
        hash.hash.as_ref(),
    ) else {
        return false;
    };
    let Ok(version) = hash.version.map_or(Ok(Version::V0x13), Version::try_from) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    hash_into(&argon2, &params, password, salt, &mut out).is_ok()
        // Output compares in constant time.
        && Output::new(&out).is_ok_and(|out| &out == expected)
}

/// Whether `password` matches `stored`. With no stored hash (unknown account, or no password set
/// yet) a dummy hash is verified instead, so both cases take the same time, and it fails.
#[tracing::instrument(skip_all)]
pub async fn verify(password: &Password, stored: Option<&str>) -> Result<bool, AppError> {
    let password = password.clone();
    let known = stored.is_some();
    let stored = stored.unwrap_or(DUMMY_HASH).to_owned();
    run_limited(move || {
        // Always computed first: an unknown account must cost a full hash too.
        let matched = matches(password.expose().as_bytes(), &stored);
        Ok(known && matched)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every password argon2 ran on in this test process.
    pub(super) static HASHED: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

    fn password(text: &str) -> Password {
        Password::parse(text).expect("valid password")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn after_a_burst_and_after_a_lone_hash_no_buffer_is_kept() {
        let secret = password("a long and private phrase");
        let burst: Vec<_> = (0..(slots() * 3))
            .map(|_| {
                let secret = secret.clone();
                tokio::spawn(async move { hash(&secret).await })
            })
            .collect();
        for hashing in burst {
            hashing.await.expect("task").expect("hash");
        }
        assert!(spare_memory().lock().expect("spare").is_empty());
        hash(&secret).await.expect("hash");
        assert!(spare_memory().lock().expect("spare").is_empty());
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
    async fn unknown_accounts_never_verify_yet_cost_a_full_hash() {
        let guess = "an unknown account's guess 4711";
        assert!(!verify(&password(guess), None).await.expect("verify"));
        // Against the dummy hash: otherwise an unknown account answers measurably sooner.
        let hashed = HASHED.lock().expect("lock");
        assert!(hashed.iter().any(|p| p.as_slice() == guess.as_bytes()));
    }

    #[test]
    fn hashes_made_by_the_argon2_crate_itself_still_verify() {
        use argon2::password_hash::PasswordHasher;
        let params = Params::new(1024, 1, 1, None).expect("params");
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let stored = argon2
            .hash_password(b"an older phrase of someone")
            .expect("hash")
            .to_string();
        assert!(matches(b"an older phrase of someone", &stored));
        assert!(!matches(b"another phrase entirely", &stored));
        assert!(!matches(
            b"an older phrase of someone",
            "$argon2id$v=19$broken"
        ));
    }

    #[test]
    fn the_dummy_hash_is_well_formed() {
        // A malformed dummy would fail fast and make unknown accounts measurably quicker.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
