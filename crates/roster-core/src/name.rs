//! What a name may contain. Every name a user chooses (an organization's, a team's, a display
//! name) passes [`check_characters`] before it is stored, so each module refuses the same
//! characters with the same message.

/// Why a name was refused for its characters; shown in a `ValidationError`.
pub const UNSAFE_CHARACTERS: &str =
    "Names must not contain control characters or invisible text-direction marks (such as U+202E).";

/// Whether `c` may not appear in a name:
///
/// - control characters (Unicode category Cc: C0, DEL and C1, NUL included). A name is one
///   line of text; PostgreSQL cannot store a NUL in `TEXT` at all, and the others break logs,
///   mail headers and terminals.
/// - the characters of Unicode's `Bidi_Control` property: the embeddings and overrides
///   U+202A–U+202E, the isolates U+2066–U+2069, and the marks U+200E, U+200F and U+061C.
///   They are invisible and reorder the text around them, so "Acme\u{202E}moc.evil" is shown as
///   something else than it is (the "Trojan Source" trick). A name never needs them: the
///   client's own rendering orders right-to-left text correctly without.
/// - the line and paragraph separators U+2028 and U+2029, which break a line like a newline.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Refuses a name holding a character that [`is_unsafe`]; the error is [`UNSAFE_CHARACTERS`].
/// Call it after trimming: a newline at either end is white space that trimming removes
/// harmlessly, while one inside the name is refused.
pub fn check_characters(name: &str) -> Result<(), &'static str> {
    if name.chars().any(is_unsafe) { Err(UNSAFE_CHARACTERS) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_controls_and_direction_marks_but_not_scripts_or_emoji() {
        for bad in
            ["a\0b", "a\u{7}", "a\u{9F}", "x\u{202E}y", "x\u{2066}y", "\u{200F}x", "a\u{2028}b", "tab\there"]
        {
            assert_eq!(check_characters(bad), Err(UNSAFE_CHARACTERS), "{bad:?}");
        }
        for good in ["Acme", "Ana López", "שלום עולם", "東京チーム", "👩\u{200D}💻 team", "a.b@c"]
        {
            assert_eq!(check_characters(good), Ok(()), "{good:?}");
        }
    }
}
