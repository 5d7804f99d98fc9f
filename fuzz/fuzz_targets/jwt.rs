//! JWT parsing and verification: any token never panics and is never accepted, since it was
//! not signed with the key it names.
#![no_main]

use std::sync::OnceLock;

use latchkey_core::jwt::{Algorithm, PublicKey, Signer};
use latchkey_core::keys::generate_pkcs8;
use libfuzzer_sys::fuzz_target;

fn keys() -> &'static [(String, PublicKey)] {
    static KEYS: OnceLock<Vec<(String, PublicKey)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [("rsa", Algorithm::RS256), ("ec", Algorithm::ES256)]
            .into_iter()
            .filter_map(|(kid, alg)| {
                let der = generate_pkcs8(alg).ok()?;
                let signer = Signer::from_pkcs8(kid.into(), alg, &der).ok()?;
                Some((kid.to_owned(), signer.public_key()))
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    for typ in ["JWT", "at+jwt"] {
        let keys = keys().iter().map(|(kid, key)| (kid.as_str(), key));
        assert!(
            latchkey_core::jwt::verify(token, typ, keys).is_err(),
            "{token}"
        );
    }
});
