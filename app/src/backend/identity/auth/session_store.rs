//! tower-sessions records in PostgreSQL, so that any instance can serve any request.

use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use uuid::Uuid;

use super::session::SIGNED_IN_KEY;

#[derive(Debug, Clone)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

fn backend(error: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

/// The signed-in person, if the record says there is one.
fn user_of(record: &Record) -> Option<Uuid> {
    record
        .data
        .get(SIGNED_IN_KEY)
        .and_then(|auth| auth.get("user_id"))
        .and_then(|id| id.as_str())
        .and_then(|id| id.parse().ok())
}

fn data_of(record: &Record) -> session_store::Result<serde_json::Value> {
    serde_json::to_value(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = data_of(record)?;
        // A fresh random id colliding is astronomically unlikely; if it happens, draw again.
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (session_id, user_id, data, expires_at)
                 VALUES ($1, $2, $3, to_timestamp($4))
                 ON CONFLICT (session_id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(user_of(record))
            .bind(&data)
            .bind(record.expiry_date.unix_timestamp() as f64)
            .execute(&self.pool)
            .await
            .map_err(backend)?
            .rows_affected();
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Updates the record, never inserts it: a session ended (signed out, "end all", a password
    /// change) while a request of it was still in flight stays ended when that request saves.
    /// New sessions, and new ids after a sign-in, go through `create`.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query(
            "UPDATE sessions SET user_id = $2, data = $3, expires_at = to_timestamp($4),
                                 updated_at = now()
             WHERE session_id = $1",
        )
        .bind(record.id.to_string())
        .bind(user_of(record))
        .bind(data_of(record)?)
        .bind(record.expiry_date.unix_timestamp() as f64)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(serde_json::Value, i64)> = sqlx::query_as(
            "SELECT data, extract(epoch FROM expires_at)::bigint FROM sessions
             WHERE session_id = $1 AND expires_at > now()",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some((data, expires)) = row else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_value(data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: OffsetDateTime::from_unix_timestamp(expires)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE session_id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Removes expired records; every instance may run it, the work is idempotent.
pub async fn delete_expired(pool: &PgPool) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE expires_at <= now()")
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn record() -> Record {
        Record {
            id: Id::default(),
            data: HashMap::from([("k".to_owned(), serde_json::json!("v"))]),
            expiry_date: OffsetDateTime::now_utc()
                + tower_sessions::cookie::time::Duration::hours(1),
        }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_session_ended_mid_request_is_not_saved_back(pool: PgPool) {
        let store = PgSessionStore::new(pool.clone());
        let mut record = record();
        store.create(&mut record).await.expect("create");
        record.data.insert("later".into(), serde_json::json!(1));
        store.save(&record).await.expect("save");
        let loaded = store.load(&record.id).await.expect("load").expect("stored");
        assert_eq!(loaded.data["later"], 1, "saving updates the record");

        // Ended (as "sign out everywhere" does) while a request of it was in flight…
        sqlx::query("DELETE FROM sessions")
            .execute(&pool)
            .await
            .expect("end");
        // …which then saves what it changed.
        record
            .data
            .insert("in_flight".into(), serde_json::json!(true));
        store.save(&record).await.expect("save");
        assert!(store.load(&record.id).await.expect("load").is_none());
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(rows, 0);
    }
}
