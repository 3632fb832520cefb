//! Email addresses, and the canonical form they compare on.
//!
//! Two spellings name one account when their canonical forms are equal: the local part in
//! NFKC and lower case, `@`, the domain in IDNA ASCII form (UTS #46: "Bücher.example" and
//! "xn--bcher-kva.example" are one domain), lower case. Rust's Unicode `to_lowercase` alone
//! made "\u{212A}im@example.com" (a Kelvin sign) equal kim@example.com while mail servers deliver
//! the two differently, so a lookalike could claim an account; a local part that NFKC would
//! change is now refused instead of folded.

use unicode_normalization::UnicodeNormalization as _;

/// A checked address: `display` as the user typed it (trimmed), `key` its canonical form for
/// uniqueness and look-ups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The address as given, trimmed. Mail goes here.
    pub display: String,
    /// The comparison key: the canonical form (see the module's documentation).
    pub key: String,
}

/// Why an address was refused, for a `ValidationError`.
pub const INVALID: &str = "This is not a valid email address.";

/// Why an address with compatibility characters was refused, for a `ValidationError`.
pub const COMPATIBILITY: &str = "Write the address with plain characters: its part before the @ holds \
     compatibility characters (such as fullwidth letters or a Kelvin sign) that mail servers do \
     not treat as the letters they look like.";

/// Checks the shape of an address. This is not full RFC 5322: it refuses what is certainly
/// not deliverable (no `@`, spaces, no dot in the domain, a domain IDNA refuses) and leaves the
/// rest to the mail server, which is the only real judge. It also refuses a local part that
/// NFKC would change ([`COMPATIBILITY`]): it would look like another address it is not.
pub fn check(input: &str) -> Result<Email, &'static str> {
    let display = input.trim();
    if display.len() > 254 || display.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(INVALID);
    }
    let (local, domain) = display.rsplit_once('@').ok_or(INVALID)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
        return Err(INVALID);
    }
    // Character by character: a character NFKC changes on its own is a compatibility or
    // singleton one (fullwidth letters, ligatures, the Kelvin sign), while a decomposed accent
    // ("e" + U+0301) is left alone, being the same letter as the composed one.
    if local.chars().any(|c| std::iter::once(c).nfkc().ne(std::iter::once(c))) {
        return Err(COMPATIBILITY);
    }
    let domain = ascii_domain(domain).ok_or(INVALID)?;
    Ok(Email { display: display.to_owned(), key: format!("{}@{domain}", fold_local(local)) })
}

/// [`check`], for callers with one message for every bad address.
pub fn parse(input: &str) -> Option<Email> {
    check(input).ok()
}

/// The comparison key of an address that may not be valid, for look-ups (sign-in) where a
/// malformed address should simply find nobody, and for stored addresses (which older
/// versions checked less). Compatibility characters are folded here rather than refused, so
/// a lookalike finds the account it imitates, whose stored address is what mail goes to.
/// An address IDNA refuses falls back to its trimmed lower case.
pub fn key(input: &str) -> String {
    let trimmed = input.trim();
    trimmed
        .rsplit_once('@')
        .and_then(|(local, domain)| Some(format!("{}@{}", fold_local(local), ascii_domain(domain)?)))
        .unwrap_or_else(|| trimmed.to_lowercase())
}

/// NFKC, then lower case (as before canonical forms), then NFKC again: lower-casing may
/// leave a string that is not normalised.
fn fold_local(local: &str) -> String {
    local.nfkc().collect::<String>().to_lowercase().nfkc().collect()
}

/// The domain in IDNA ASCII form, lower case; `None` when IDNA refuses it.
fn ascii_domain(domain: &str) -> Option<String> {
    let ascii = idna::domain_to_ascii(domain).ok()?;
    (!ascii.is_empty()).then(|| ascii.to_ascii_lowercase())
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
    fn compares_on_nfkc_and_idna_and_refuses_compatibility_local_parts() {
        // The Kelvin sign and a fullwidth k look like k but are not it.
        assert_eq!(check("\u{212A}im@example.com"), Err(COMPATIBILITY));
        assert_eq!(check("\u{FF4B}im@example.com"), Err(COMPATIBILITY));
        assert_eq!(check("ﬁona@example.com"), Err(COMPATIBILITY));
        // Looking up with one still finds the account it imitates.
        assert_eq!(key("\u{212A}im@example.com"), "kim@example.com");
        // One domain, however it is spelled.
        let unicode = check("Kim@Bücher.Example").expect("valid");
        assert_eq!(unicode.key, "kim@xn--bcher-kva.example");
        assert_eq!(unicode.display, "Kim@Bücher.Example");
        assert_eq!(check("kim@XN--BCHER-KVA.example").map(|e| e.key), Ok(unicode.key.clone()));
        assert_eq!(key("KIM@bücher.example"), unicode.key);
        // Non-ASCII local parts are fine when they are already NFKC.
        assert_eq!(check("José@example.com").map(|e| e.key), Ok("josé@example.com".to_owned()));
        // A decomposed accent is the same letter, not a compatibility character: accepted,
        // and one account with the composed spelling.
        let decomposed = check("Jose\u{301}@example.com").expect("valid");
        assert_eq!(decomposed.key, "josé@example.com");
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
