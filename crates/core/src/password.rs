//! Password hashing with argon2id at OWASP's minimum (m=19 MiB, t=2, p=1), in working memory
//! the caller may keep from one hash to the next.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Blocks of 1 KiB: 19 MiB.
const MEMORY_KIB: u32 = 19 * 1024;

/// argon2id's working memory. Allocating 19 MiB for every hash costs a page fault and a
/// zeroing per 4 KiB page, a fifth of the hash's time; argon2 writes every block before it
/// reads it, so a buffer can serve hash after hash.
#[derive(Default)]
pub struct Memory(Vec<Block>);

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Memory({} KiB)", self.0.len())
    }
}

impl Memory {
    /// Whether it holds a buffer (a new one is empty until its first hash).
    pub fn is_allocated(&self) -> bool {
        !self.0.is_empty()
    }

    /// The first `params.block_count()` blocks. A stored hash with a larger memory cost (an
    /// imported one) gets a buffer of its own, so that one odd hash does not keep its memory.
    fn run<T>(&mut self, params: &Params, work: impl FnOnce(&mut [Block]) -> T) -> T {
        let count = params.block_count();
        if count > MEMORY_KIB as usize {
            return work(&mut vec![Block::default(); count]);
        }
        if self.0.len() < count {
            self.0.resize(count, Block::default());
        }
        work(&mut self.0[..count])
    }
}

fn params() -> Params {
    // The constants are valid, so the fallback is never taken.
    Params::new(MEMORY_KIB, 2, 1, None).unwrap_or_default()
}

/// Hash a password (slow on purpose: callers run it off the async executor) into a PHC string.
pub fn hash(memory: &mut Memory, password: &str) -> Option<String> {
    let salt = SaltString::encode_b64(&crate::random::bytes::<16>()).ok()?;
    let mut salt_bytes = [0u8; 16];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).ok()?;
    let params = params();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    memory
        .run(&params, |blocks| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, blocks)
        })
        .ok()?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).ok()?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).ok()?),
    };
    Some(phc.to_string())
}

/// Whether `password` matches `stored`, a PHC string of any argon2 variant and parameters.
pub fn verify(memory: &mut Memory, password: &str, stored: &str) -> bool {
    let Ok(phc) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(phc.algorithm), Params::try_from(&phc))
    else {
        return false;
    };
    let version = match phc.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = [0u8; Output::MAX_LENGTH];
    let out = &mut out[..expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let hashed = memory.run(&params, |blocks| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, blocks)
    });
    // `Output`'s equality is constant-time.
    hashed.is_ok() && Output::new(out).is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher;

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let mut memory = Memory::default();
        let hash = hash(&mut memory, "correct horse").unwrap_or_default();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify(&mut memory, "correct horse", &hash));
        assert!(!verify(&mut memory, "wrong horse", &hash));
        assert!(!verify(
            &mut memory,
            "correct horse",
            "$argon2id$v=19$garbage"
        ));
        assert!(!verify(&mut memory, "correct horse", ""));
    }

    #[test]
    fn memory_reused_gives_the_same_answers_as_fresh_memory() {
        let mut used = Memory::default();
        let first = hash(&mut used, "first password").unwrap_or_default();
        let second = hash(&mut used, "second password").unwrap_or_default();
        assert!(verify(&mut used, "first password", &first));
        assert!(verify(&mut Memory::default(), "second password", &second));
        assert!(!verify(&mut used, "second password", &first));
    }

    #[test]
    fn hashes_made_elsewhere_with_other_parameters_verify() {
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap_or_else(|_| unreachable!());
        let other = Params::new(8 * 1024, 3, 2, Some(24)).unwrap_or_default();
        for algorithm in [Algorithm::Argon2id, Algorithm::Argon2i] {
            let stored = Argon2::new(algorithm, Version::V0x13, other.clone())
                .hash_password(b"imported", &salt)
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                verify(&mut Memory::default(), "imported", &stored),
                "{stored}"
            );
            assert!(!verify(&mut Memory::default(), "imported!", &stored));
        }
        let large = Params::new(MEMORY_KIB * 2, 1, 1, None).unwrap_or_default();
        let stored = Argon2::new(Algorithm::Argon2id, Version::V0x13, large)
            .hash_password(b"big", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default();
        let mut memory = Memory::default();
        assert!(verify(&mut memory, "big", &stored));
        assert!(memory.0.is_empty(), "an odd hash keeps no memory");
    }
}
