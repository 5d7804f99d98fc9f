//! The 10,000 most common passwords, which NIST SP 800-63B (§5.1.1.2) asks a new password be
//! checked against: the head of the frequency-ordered list of zxcvbn-ts (MIT licence, in
//! `data/common-passwords.LICENSE`), shipped inside the binary.

use std::collections::HashSet;
use std::sync::LazyLock;

static LIST: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|line| !line.is_empty())
        .collect()
});

/// Whether `password` is on the list, ignoring case (the list is lower case, and `Password1`
/// is guessed as early as `password1`).
pub fn contains(password: &str) -> bool {
    LIST.contains(password.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::contains;

    #[test]
    fn the_most_common_passwords_are_known_whatever_their_case() {
        for common in [
            "password",
            "12345678",
            "Password1",
            "QWERTYUIOP",
            "iloveyou",
        ] {
            assert!(contains(common), "{common}");
        }
        for rare in ["correct horse battery", "a long password", "tr0ub4dor&3x!"] {
            assert!(!contains(rare), "{rare}");
        }
        assert_eq!(super::LIST.len(), 10_000);
    }
}
