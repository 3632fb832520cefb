//! Relay-style pagination: page sizes and opaque cursors.

use async_graphql::SimpleObject;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{ErrorCode, top_level_error};

/// The page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: usize = 100;

/// Relay's page info.
#[derive(Debug, Clone, Default, SimpleObject)]
pub struct PageInfo {
    /// Whether another page follows this one.
    pub has_next_page: bool,
    /// Always false: lists are paged forwards only, with `first` and `after`.
    pub has_previous_page: bool,
    /// The cursor of the first edge; null on an empty page.
    pub start_cursor: Option<String>,
    /// The cursor of the last edge; pass it as `after` for the next page. Null on an empty page.
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// The page info of a forward page whose edges carry these cursors, first to last.
    pub fn forward<'a>(
        has_next_page: bool,
        mut cursors: impl DoubleEndedIterator<Item = &'a String>,
    ) -> PageInfo {
        let start_cursor = cursors.next().cloned();
        let end_cursor = cursors.next_back().cloned().or_else(|| start_cursor.clone());
        PageInfo { has_next_page, has_previous_page: false, start_cursor, end_cursor }
    }
}

/// Checks `first`: absent means the default, negative is an error, and anything above the
/// maximum is clamped to it.
pub fn page_size(first: Option<i32>) -> async_graphql::Result<usize> {
    match first {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if n < 0 => Err(top_level_error(ErrorCode::BadUserInput, "`first` must not be negative.")),
        Some(n) => Ok(usize::try_from(n).unwrap_or(MAX_PAGE_SIZE).min(MAX_PAGE_SIZE)),
    }
}

/// What a list field costs in the complexity count: its query, plus its selection once per
/// item of the page it asks for. So `ROSTER_MAX_COMPLEXITY` bounds rows read, not fields.
pub fn list_complexity(first: Option<i32>, child_complexity: usize) -> usize {
    let items = first.map_or(DEFAULT_PAGE_SIZE, |n| usize::try_from(n).unwrap_or(0).min(MAX_PAGE_SIZE));
    LIST_QUERY_COST.saturating_add(items.saturating_mul(child_complexity))
}

/// What a mutation answering one result per input item costs: like a list whose page is the
/// items it was given (at most a page: more are refused before any work).
pub fn batch_complexity(items: usize, child_complexity: usize) -> usize {
    LIST_QUERY_COST.saturating_add(items.min(MAX_PAGE_SIZE).saturating_mul(child_complexity))
}

/// The complexity of reading one list, before counting its items.
pub const LIST_QUERY_COST: usize = 50;

/// Wraps a sort key in an opaque cursor. `kind` keeps cursors of one list from being
/// accepted by another.
pub fn encode_cursor(kind: &str, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{key}"))
}

/// Reads a cursor made by [`encode_cursor`] with the same `kind`.
pub fn decode_cursor(kind: &str, cursor: &str) -> async_graphql::Result<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(kind)?.strip_prefix(':').map(str::to_owned))
        .ok_or_else(|| top_level_error(ErrorCode::BadUserInput, "The cursor is not valid here."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_scoped_to_their_list() {
        let cursor = encode_cursor("member", "mem_01");
        assert_eq!(decode_cursor("member", &cursor).ok().as_deref(), Some("mem_01"));
        assert!(decode_cursor("audit", &cursor).is_err());
        assert!(decode_cursor("member", "%%%").is_err());
    }

    #[test]
    fn page_info_names_the_first_and_last_cursor() {
        let cursors = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let info = PageInfo::forward(true, cursors.iter());
        assert_eq!((info.start_cursor.as_deref(), info.end_cursor.as_deref()), (Some("a"), Some("c")));
        let one = PageInfo::forward(false, cursors[..1].iter());
        assert_eq!((one.start_cursor.as_deref(), one.end_cursor.as_deref()), (Some("a"), Some("a")));
        let none = PageInfo::forward(false, std::iter::empty());
        assert_eq!((none.start_cursor, none.end_cursor), (None, None));
    }

    #[test]
    fn page_sizes_default_clamp_and_refuse_negatives() {
        assert_eq!(page_size(None).ok(), Some(DEFAULT_PAGE_SIZE));
        assert_eq!(page_size(Some(500)).ok(), Some(MAX_PAGE_SIZE));
        assert_eq!(page_size(Some(0)).ok(), Some(0));
        assert!(page_size(Some(-1)).is_err());
    }
}
