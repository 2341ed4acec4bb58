//! Ten single-use recovery codes per person, for when the authenticator is lost. Only their
//! SHA-256 is kept (each carries 80 random bits); they are shown once, when generated.

use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::RecoveryCode;
use crate::error::AppError;

pub const COUNT: usize = 10;

fn digest(code: &RecoveryCode) -> Vec<u8> {
    Sha256::digest(code.expose().as_bytes()).to_vec()
}

/// Replaces `user_id`'s codes with ten new ones and returns them (the only time they exist).
pub async fn regenerate(
    conn: &mut PgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<RecoveryCode>, AppError> {
    let codes: Vec<RecoveryCode> = (0..COUNT)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            RecoveryCode::from_random(bytes)
        })
        .collect();
    let hashes: Vec<Vec<u8>> = codes.iter().map(digest).collect();
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "INSERT INTO recovery_codes (user_id, code_hash, created_at)
         SELECT $1, unnest($2::bytea[]), $3",
        user_id,
        &hashes,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(codes)
}

/// Uses up `code` if it is one of `user_id`'s unused codes; `false` otherwise. Concurrent uses
/// of one code: the row lock lets exactly one succeed.
pub async fn consume(
    conn: &mut PgConnection,
    user_id: Uuid,
    code: &RecoveryCode,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let used = sqlx::query!(
        "UPDATE recovery_codes SET used_at = $3
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        user_id,
        digest(code),
        now
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(used == 1)
}

/// How many unused codes `user_id` has left.
pub async fn remaining(pool: &PgPool, user_id: Uuid) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL"#,
        user_id
    )
    .fetch_one(pool)
    .await?)
}
