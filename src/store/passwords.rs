//! Passwords: the rules a new password must meet, and Argon2id hashing (the crate's default
//! parameters, m=19 MiB t=2 p=1) on the blocking pool with a bound on concurrent hashes.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use super::StoreError;
use crate::error::Secret;

/// Shortest and longest password, in characters. The longest bounds the work one hash costs.
pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

/// Django's list of the 20,000 most common passwords (lower-cased, deduplicated, by Royce
/// Williams), shipped in `assets/` and compared case-insensitively.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../assets/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

/// A password that meets the rules for a new password. Its `Debug` is redacted.
#[derive(Clone, Debug)]
pub struct NewPassword(Secret<String>);

impl NewPassword {
    /// Checks a new password: 8 to 128 characters (counted before any hashing), not on the list
    /// of common passwords. No composition rules. `field` names the input for the error.
    pub fn parse(field: &str, raw: &str) -> Result<Self, StoreError> {
        // Bytes first: a huge input is refused without walking it.
        let chars = if raw.len() > MAX_CHARS * 4 {
            MAX_CHARS + 1
        } else {
            raw.chars().count()
        };
        if chars < MIN_CHARS {
            return Err(StoreError::invalid(
                field,
                format!("must be at least {MIN_CHARS} characters"),
            ));
        }
        if chars > MAX_CHARS {
            return Err(StoreError::invalid(
                field,
                format!("must be at most {MAX_CHARS} characters"),
            ));
        }
        if is_common(raw) {
            return Err(StoreError::invalid(
                field,
                "is too common: choose one that is harder to guess",
            ));
        }
        Ok(Self(Secret::new(raw.to_owned())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// Whether `password` is on the shipped list of common passwords (case-insensitive).
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.to_lowercase().as_str())
}

/// Hashes and verifies passwords off the async workers, a bounded number at a time.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// Verified against when the email is unknown, so that answer costs the same time.
    dummy: Arc<String>,
    /// Argon2 computations done (hashes and verifications): the work an answer cost, which
    /// must not depend on whether an account exists.
    computed: Arc<std::sync::atomic::AtomicU64>,
}

impl Hasher {
    /// A hasher computing at most `concurrency` hashes at once.
    pub fn new(concurrency: usize) -> Self {
        let dummy = hash_now(super::tokens::random("").expose())
            .unwrap_or_else(|_| String::from("$argon2id$v=19$m=19456,t=2,p=1$invalid"));
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy: Arc::new(dummy),
            computed: Arc::default(),
        }
    }

    /// The PHC string of `password` (algorithm, parameters, salt and hash).
    pub async fn hash(&self, password: &NewPassword) -> Result<String, StoreError> {
        let password = password.0.clone();
        self.blocking(move || hash_now(password.expose())).await?
    }

    /// Whether `password` matches `hash`. With no hash (unknown account) it verifies against a
    /// dummy hash and answers `false`, taking the same time as a real check.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, StoreError> {
        let password = Secret::new(password.to_owned());
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy.as_str().to_owned(), str::to_owned);
        let matches = self
            .blocking(move || verify_now(password.expose(), &hash))
            .await?;
        Ok(known && matches)
    }

    /// How many Argon2 computations this hasher has done.
    pub fn computed(&self) -> u64 {
        self.computed.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Internal("password hasher closed".into()))?;
        self.computed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| StoreError::Internal(format!("password hashing task failed: {e}")))
    }
}

/// One Argon2id hash with a fresh random salt, on the calling thread (benchmarks use it).
pub fn hash_now(password: &str) -> Result<String, StoreError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Internal(format!("argon2 hash failed: {e}")))
}

/// One verification on the calling thread; a malformed stored hash never matches.
pub fn verify_now(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_for_new_passwords() {
        assert!(NewPassword::parse("password", "short").is_err());
        assert!(NewPassword::parse("password", &"x".repeat(129)).is_err());
        assert!(NewPassword::parse("password", &"é".repeat(128)).is_ok());
        assert!(NewPassword::parse("password", "Password1").is_err());
        assert!(NewPassword::parse("password", "correct horse battery").is_ok());
        assert!(COMMON.len() >= 10_000);
    }

    #[test]
    fn hashes_verify() {
        let hash = hash_now("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_now("correct horse battery", &hash));
        assert!(!verify_now("wrong horse battery", &hash));
        assert!(!verify_now("x", "not a hash"));
    }
}
