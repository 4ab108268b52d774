//! Browser sessions: opened on the first form, renewed at login and again after real-name
//! authentication, ended on the server at logout, after 30 idle minutes or 12 hours.

use ecert_store::{Store, StoreError, StoredSession};
use jiff::{SignedDuration, Timestamp};

use crate::secrets;

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: SignedDuration = SignedDuration::from_mins(30);
/// A session ends this long after it began, however busy.
pub const ABSOLUTE_TIMEOUT: SignedDuration = SignedDuration::from_hours(12);
/// Last-seen times are written at most this often, to spare the database a write per request.
const TOUCH_INTERVAL: SignedDuration = SignedDuration::from_mins(1);

/// A live session, and the id to send to the browser when it is new.
#[derive(Debug, Clone)]
pub struct Session {
    /// The session as stored.
    pub stored: StoredSession,
    /// The id for the cookie when this session was just made or renewed.
    pub new_id: Option<String>,
}

impl Session {
    /// The logged-in account, if any.
    pub fn account_id(&self) -> Option<&str> {
        self.stored.account_id.as_deref()
    }

    /// Whether real-name authentication passed in this session.
    pub fn authenticated(&self) -> bool {
        self.stored.authenticated_at.is_some()
    }

    /// Whether `token` is this session's CSRF token.
    pub fn accepts_csrf(&self, token: &str) -> bool {
        secrets::same(token, &self.stored.csrf_token)
    }
}

/// The live session a cookie names; None for a missing, unknown, idle or too old one (an
/// expired one is deleted).
pub async fn find(store: &Store, id: &str, now: Timestamp) -> Result<Option<Session>, StoreError> {
    let hash = secrets::digest(id);
    let Some(stored) = store.session(&hash).await? else {
        return Ok(None);
    };
    if stored.last_seen_at + IDLE_TIMEOUT <= now || stored.created_at + ABSOLUTE_TIMEOUT <= now {
        store.delete_session(&hash).await?;
        return Ok(None);
    }
    if stored.last_seen_at + TOUCH_INTERVAL <= now {
        store.touch_session(&hash, now).await?;
    }
    Ok(Some(Session {
        stored,
        new_id: None,
    }))
}

/// Opens an anonymous session for `client` (to carry the login form's CSRF token).
pub async fn open(store: &Store, client: &str, now: Timestamp) -> Result<Session, StoreError> {
    let session = fresh(None, client, now, None);
    store.insert_session(&session.stored).await?;
    Ok(session)
}

/// The session after a login: a new id for `account_id`, the old session gone.
pub async fn log_in(
    store: &Store,
    old: Option<&Session>,
    account_id: &str,
    client: &str,
    now: Timestamp,
) -> Result<Session, StoreError> {
    let session = fresh(Some(account_id.to_owned()), client, now, None);
    let old_hash = old.map_or_else(String::new, |old| old.stored.session_hash.clone());
    store.replace_session(&old_hash, &session.stored).await?;
    tracing::info!(account = %account_id, "logged in");
    Ok(session)
}

/// Ends a session on the server.
pub async fn log_out(store: &Store, session: &Session) -> Result<(), StoreError> {
    store.delete_session(&session.stored.session_hash).await
}

/// A new session with a fresh id and CSRF token.
pub(crate) fn fresh(
    account_id: Option<String>,
    client: &str,
    now: Timestamp,
    authenticated_at: Option<Timestamp>,
) -> Session {
    let id = secrets::token(32);
    Session {
        stored: StoredSession {
            session_hash: secrets::digest(&id),
            account_id,
            csrf_token: secrets::token(32),
            client_address: client.to_owned(),
            created_at: now,
            last_seen_at: now,
            authenticated_at,
        },
        new_id: Some(id),
    }
}
