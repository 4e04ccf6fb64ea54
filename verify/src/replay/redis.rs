//! A Redis store shared by a fleet of ACME servers (cargo feature `redis`).
//!
//! Each operation is one Lua script, which Redis runs atomically: two servers
//! racing on one `jti` get one `1` and one `0`, never two `1`s. The value stored
//! is the caller's expiry time, and the script compares it with the caller's
//! `now`, so this store answers exactly as [`MemoryStore`](super::MemoryStore)
//! does (the contract tests run the same cases against both); Redis's own
//! `PX` expiry only collects the garbage.
//!
//! Connections come from an r2d2 pool. Each has connect, read and write
//! timeouts, so an unreachable or stalled Redis yields a [`StoreError`] within
//! the timeout instead of a hung validation. A pooled connection found dead
//! (Redis restarted) is dropped and the operation retried once on a fresh one,
//! so service resumes without restarting the ACME server.

use super::{NonceStore, ReplayStore, StoreError};
use crate::time::UnixTime;
use redis::{Client, Connection, ConnectionLike, RedisError, Script};
use std::time::Duration;

/// `KEYS[1]` key, `ARGV[1]` expires_at, `ARGV[2]` now, `ARGV[3]` ttl ms.
/// 1 when the key was absent or expired (it is now set), 0 when live.
const SET_IF_NOT_LIVE: &str = r"
local v = redis.call('GET', KEYS[1])
if v and tonumber(v) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
";

/// `KEYS[1]` nonce key, `ARGV[1]` now. 1 when it was live (it is now gone).
const TAKE_IF_LIVE: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
redis.call('DEL', KEYS[1])
if tonumber(v) > tonumber(ARGV[1]) then return 1 end
return 0
";

/// How to reach Redis.
#[derive(Clone, Debug)]
pub struct RedisConfig {
    /// `redis://host:port/db` (`rediss://` is not compiled in).
    pub url: String,
    /// Prepended to every key, so that several deployments (or test runs) can
    /// share one Redis.
    pub prefix: String,
    /// Most connections kept open.
    pub pool_size: u32,
    /// Connect, read, write and pool-wait timeout. A validation waits at most
    /// about twice this long for a store that does not answer.
    pub timeout: Duration,
}

impl RedisConfig {
    /// Defaults for `url`: prefix `e2ei:`, 16 connections, 500 ms timeout.
    pub fn new(url: impl Into<String>) -> Self {
        RedisConfig {
            url: url.into(),
            prefix: "e2ei:".into(),
            pool_size: 16,
            timeout: Duration::from_millis(500),
        }
    }
}

/// A [`ReplayStore`] and [`NonceStore`] in Redis.
pub struct RedisStore {
    pool: r2d2::Pool<Manager>,
    prefix: String,
    /// Host and port for error messages (no password).
    addr: String,
    set_if_not_live: Script,
    take_if_live: Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("addr", &self.addr)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

struct Manager {
    client: Client,
    timeout: Duration,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = RedisError;

    fn connect(&self) -> Result<Connection, RedisError> {
        let conn = self.client.get_connection_with_timeout(self.timeout)?;
        conn.set_read_timeout(Some(self.timeout))?;
        conn.set_write_timeout(Some(self.timeout))?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), RedisError> {
        redis::cmd("PING").query::<()>(conn)
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        !conn.is_open()
    }
}

impl RedisStore {
    /// Opens a pool and checks that Redis answers `PING`. An unreachable
    /// Redis is an error here; later outages are errors of each operation.
    pub fn connect(config: RedisConfig) -> Result<Self, StoreError> {
        let store = Self::lazy(config)?;
        store.ping()?;
        Ok(store)
    }

    /// Opens a pool without contacting Redis (connections are made on use).
    pub fn lazy(config: RedisConfig) -> Result<Self, StoreError> {
        let client = Client::open(config.url.as_str())
            .map_err(|e| StoreError(format!("bad Redis URL: {e}")))?;
        let addr = client.get_connection_info().addr.to_string();
        let pool = r2d2::Pool::builder()
            .max_size(config.pool_size.max(1))
            .min_idle(Some(0))
            .connection_timeout(config.timeout)
            // A checked-out connection is validated by its first command
            // instead of an extra PING round trip; dead ones are retried.
            .test_on_check_out(false)
            .build_unchecked(Manager {
                client,
                timeout: config.timeout,
            });
        Ok(RedisStore {
            pool,
            prefix: config.prefix,
            addr,
            set_if_not_live: Script::new(SET_IF_NOT_LIVE),
            take_if_live: Script::new(TAKE_IF_LIVE),
        })
    }

    /// Whether Redis answers now.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.run(|conn| redis::cmd("PING").query::<()>(conn))
    }

    /// Runs `op` on a pooled connection, once more on a fresh connection if
    /// the pooled one turned out dead. Timeouts are not retried: the store is
    /// stalled, and the caller must fail closed now.
    fn run<T>(
        &self,
        op: impl Fn(&mut Connection) -> Result<T, RedisError>,
    ) -> Result<T, StoreError> {
        let mut last = None;
        for _ in 0..2 {
            let mut conn = self
                .pool
                .get()
                .map_err(|e| StoreError(format!("Redis at {} unreachable: {e}", self.addr)))?;
            match op(&mut conn) {
                Ok(v) => return Ok(v),
                Err(e) if e.is_connection_dropped() && !e.is_timeout() => last = Some(e),
                Err(e) => return Err(StoreError(format!("Redis at {}: {e}", self.addr))),
            }
        }
        Err(StoreError(format!(
            "Redis at {}: connection lost: {}",
            self.addr,
            last.map_or_else(String::new, |e| e.to_string())
        )))
    }

    fn set_if_not_live(
        &self,
        key: &str,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let ttl_ms = expires_at.saturating_sub(now).max(1).saturating_mul(1000);
        self.run(|conn| {
            self.set_if_not_live
                .key(key)
                .arg(expires_at)
                .arg(now)
                .arg(ttl_ms)
                .invoke::<i64>(conn)
        })
        .map(|set| set == 1)
    }
}

impl ReplayStore for RedisStore {
    fn first_use(
        &self,
        key: &str,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        self.set_if_not_live(&format!("{}u:{key}", self.prefix), expires_at, now)
    }
}

impl NonceStore for RedisStore {
    fn issue(&self, nonce: &str, expires_at: UnixTime, now: UnixTime) -> Result<(), StoreError> {
        match self.set_if_not_live(&format!("{}n:{nonce}", self.prefix), expires_at, now)? {
            true => Ok(()),
            false => Err(StoreError("nonce already issued and live".into())),
        }
    }

    fn consume(&self, nonce: &str, now: UnixTime) -> Result<bool, StoreError> {
        let key = format!("{}n:{nonce}", self.prefix);
        self.run(|conn| self.take_if_live.key(&key).arg(now).invoke::<i64>(conn))
            .map(|taken| taken == 1)
    }
}
