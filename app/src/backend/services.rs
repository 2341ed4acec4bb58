//! What every request handler and server function can use, provided once per request.

use sqlx::PgPool;

use super::auth::totp::SealingKey;
use super::clock::Clock;

#[derive(Clone, Debug)]
pub struct Services {
    pub pool: PgPool,
    pub clock: Clock,
    /// Seals TOTP secrets at rest; lives outside the database.
    pub totp_key: SealingKey,
}
