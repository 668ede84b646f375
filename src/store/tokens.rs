//! Random secrets and their stored form: tokens come from the OS CSPRNG and only their
//! SHA-256 reaches the database.

use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use crate::error::Secret;

/// 256 random bits, hex-encoded (64 characters), prefixed when `prefix` is not empty.
pub fn random(prefix: &str) -> Secret<String> {
    let mut bytes = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random number generator failed");
    let token = hex::encode(bytes);
    Secret::new(if prefix.is_empty() {
        token
    } else {
        format!("{prefix}_{token}")
    })
}

/// The stored form of a token: lowercase hex SHA-256.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_stably() {
        let a = random("sk");
        let b = random("sk");
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 3 + 64);
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
