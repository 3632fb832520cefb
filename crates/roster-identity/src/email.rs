//! Email addresses.

/// A checked address: `display` as the user typed it (trimmed), `key` lower-cased for
/// uniqueness and look-ups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The address as given, trimmed.
    pub display: String,
    /// The comparison key: the trimmed address in lower case.
    pub key: String,
}

/// Checks the shape of an address. This is not full RFC 5322: it refuses what is certainly
/// not deliverable (no `@`, spaces, no dot in the domain) and leaves the rest to the mail
/// server, which is the only real judge.
pub fn parse(input: &str) -> Option<Email> {
    let display = input.trim();
    if display.len() > 254 || display.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (local, domain) = display.rsplit_once('@')?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
        return None;
    }
    Some(Email { display: display.to_owned(), key: display.to_lowercase() })
}

/// The comparison key of an address that may not be valid, for look-ups (sign-in) where a
/// malformed address should simply find nobody.
pub fn key(input: &str) -> String {
    input.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_lowercases_the_key_but_keeps_the_display_form() {
        let email = parse("  Ana.Lopez@Example.COM ");
        assert_eq!(
            email,
            Some(Email { display: "Ana.Lopez@Example.COM".into(), key: "ana.lopez@example.com".into() })
        );
        assert_eq!(key(" A@B.c "), "a@b.c");
    }

    #[test]
    fn refuses_what_cannot_be_an_address() {
        for bad in
            ["", "ana", "ana@", "@example.com", "ana@example", "a b@example.com", "ana@@x.com", "ana@x..com"]
        {
            assert!(parse(bad).is_none(), "{bad:?} should be refused");
        }
    }
}
