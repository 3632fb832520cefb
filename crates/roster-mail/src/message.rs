//! A rendered email, the templates that render it, and what makes user-chosen text safe in
//! one.

use minijinja::Environment;
use unicode_normalization::UnicodeNormalization as _;

/// A rendered email, ready for the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The recipient.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// The one action link the mail carries (logged instead of mailed when `SMTP_URL` is
    /// unset, for local use).
    pub link: String,
}

/// The shared frame of every mail: the product's name at the top, a note at the bottom.
const LAYOUT_HTML: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{ subject }}</title></head>
<body style="margin:0;padding:24px;background:#f5f6f8;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
<p style="margin:0 0 24px;font-weight:600;font-size:18px">{{ product }}</p>
{% block body %}{% endblock %}
<p style="margin:32px 0 0;font-size:13px;color:#656d76">{% block footer %}If you did not expect this email, you can ignore it.{% endblock %}</p>
</div>
</body>
</html>
"#;

const LAYOUT_TEXT: &str = "{% block body %}{% endblock %}

{% block footer %}If you did not expect this email, you can ignore it.{% endblock %}
-- {{ product }}
";

/// One kind of mail's templates: `NAME.subject`, `NAME.html` and `NAME.txt`, each a minijinja
/// template. HTML is autoescaped; the HTML and text templates extend `layout.html` and
/// `layout.txt` and fill their `body` block.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// The name, such as `invitation`.
    pub name: &'static str,
    /// The subject line.
    pub subject: &'static str,
    /// The HTML body.
    pub html: &'static str,
    /// The plain-text body.
    pub text: &'static str,
}

/// A template engine holding the layout and some kinds of mail.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

/// A template failed to render (a bug in a template, not in the data).
#[derive(Debug, thiserror::Error)]
#[error("a mail template failed: {0}")]
pub struct RenderError(#[from] minijinja::Error);

impl Templates {
    /// An engine for these kinds of mail. Panics when a template does not parse: templates
    /// are compiled in, so that is a bug caught by any test that builds the engine.
    pub fn new(templates: &[Template]) -> Templates {
        let mut env = Environment::new();
        let mut add = |name: String, source: &'static str| {
            env.add_template_owned(name.clone(), source)
                .unwrap_or_else(|e| panic!("the mail template {name} does not parse: {e}"));
        };
        add("layout.html".into(), LAYOUT_HTML);
        add("layout.txt".into(), LAYOUT_TEXT);
        for template in templates {
            add(format!("{}.subject", template.name), template.subject);
            add(format!("{}.html", template.name), template.html);
            add(format!("{}.txt", template.name), template.text);
        }
        Templates { env }
    }

    /// Renders the kind `name` to `to` with `context` (which must hold `product` and `link`).
    pub fn render(
        &self,
        name: &str,
        to: &str,
        link: &str,
        context: minijinja::Value,
    ) -> Result<Message, RenderError> {
        let subject = self.env.get_template(&format!("{name}.subject"))?.render(&context)?;
        let subject = subject.trim().to_owned();
        let context = minijinja::context! { subject => &subject, ..context };
        let html = self.env.get_template(&format!("{name}.html"))?.render(&context)?;
        let text = self.env.get_template(&format!("{name}.txt"))?.render(&context)?;
        Ok(Message { to: to.to_owned(), subject, text, html, link: link.to_owned() })
    }
}

/// Text a user chose (a name), made safe to put in a mail: it is normalised to NFKC, control
/// characters go, white space is folded, it is cut to `max` characters, and a zero-width space
/// after every character that can join a link or an address ([`breaks_links`]) keeps mail
/// clients from turning it into one. So an invitation cannot carry a link the operator did not
/// write, whatever its inviter is called. (HTML escaping is the template engine's job.)
pub fn user_text(input: &str, max: usize) -> String {
    // NFKC first: it folds the compatibility forms that look like (and, in a link, act like)
    // ASCII punctuation, such as the fullwidth "．" and "／" or the small "﹫", into the ASCII
    // characters, so they are broken like them and the reader sees what a link would resolve to.
    let normalized: String = input.nfkc().collect();
    let folded: String = normalized.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = folded.chars().filter(|c| !c.is_control()).take(max).collect();
    if folded.chars().filter(|c| !c.is_control()).count() > max {
        cut.push('…');
    }
    let mut safe = String::with_capacity(cut.len() + 8);
    for c in cut.chars() {
        safe.push(c);
        if breaks_links(c) {
            safe.push('\u{200B}');
        }
    }
    safe
}

/// Whether [`user_text`] breaks the text after `c`: a character that mail clients' link and
/// address detection reads as the `.` between labels of a host, the `/` of a path, the `:` of
/// a scheme or the `@` of an address, once the text is in NFKC (which has already turned the
/// fullwidth and small forms U+FF0E, U+FE52, U+2024, U+FF0F, U+FF20, U+FE6B, U+FF1A, U+FE55
/// into ASCII). The ones left have no compatibility mapping:
///
/// - U+3002 (ideographic full stop): a label separator in IDNA (UTS #46 maps it, and U+FF61,
///   whose NFKC form it is, to `.`), so "acme。com" resolves to acme.com;
/// - `\`, which WHATWG URL parsers read as `/` in http(s) links;
/// - U+2044 (fraction slash), U+2215 (division slash) and U+29F8 (big solidus), drawn like `/`
///   and used to fake a path inside a host name ("acme.com⁄login.evil.example");
/// - U+2236 (ratio) and U+A789 (modifier letter colon), drawn like `:` ("https꞉//").
///
/// A zero-width space is invisible, so breaking a character that was not meant as part of a
/// link costs the reader nothing.
pub fn breaks_links(c: char) -> bool {
    matches!(
        c,
        '.' | '@'
            | ':'
            | '/'
            | '\\'
            | '\u{3002}'
            | '\u{FF61}'
            | '\u{2044}'
            | '\u{2215}'
            | '\u{29F8}'
            | '\u{2236}'
            | '\u{A789}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_make_a_link_and_is_bounded() {
        let safe = user_text("  Win\u{7} a prize at\nhttps://evil.example/claim  ", 100);
        assert!(!safe.contains("https://") && !safe.contains("evil.example"), "{safe}");
        assert!(safe.starts_with("Win a prize at https:"), "{safe}");
        assert_eq!(user_text(&"x".repeat(200), 60).chars().count(), 61);
        assert!(!user_text("ana@example.com", 60).contains("ana@example.com"));
    }

    #[test]
    fn lookalike_dots_slashes_colons_and_at_signs_are_folded_and_broken() {
        // Every character here joins a host, a path, a scheme or an address in some client.
        let lookalikes = "acme-sso\u{FF0E}com\u{FF0F}login a\u{3002}b c\u{FF61}d e\u{FE52}f g\u{2024}h \
                          i\u{FF20}j k\u{FE6B}l m\u{FF1A}n o\u{FE55}p q\u{2044}r s\u{2215}t u\u{29F8}v \
                          w\u{2236}x y\u{A789}z 1\\2";
        let safe = user_text(lookalikes, 200);
        assert!(safe.starts_with("acme-sso.\u{200B}com/\u{200B}login"), "folded to ASCII: {safe}");
        let words: Vec<&str> = safe.split(' ').collect();
        assert_eq!(words.len(), 15, "{safe:?}");
        for word in words {
            // Each word held one lookalike: it is broken right after it.
            assert!(word.contains('\u{200B}'), "{word:?} in {safe:?}");
            for (i, c) in word.char_indices() {
                if breaks_links(c) {
                    assert_eq!(word[i + c.len_utf8()..].chars().next(), Some('\u{200B}'), "{word:?}");
                }
            }
        }
        for fullwidth in ['\u{FF0E}', '\u{FF0F}', '\u{FF20}', '\u{FF1A}', '\u{FE52}', '\u{FE6B}', '\u{FF61}']
        {
            assert!(!safe.contains(fullwidth), "{fullwidth:?} was folded by NFKC: {safe}");
        }
        // Text without link characters is left as it was.
        assert_eq!(user_text("Ana López · 東京", 60), "Ana López · 東京");
    }

    #[test]
    fn html_is_escaped_and_both_parts_render() {
        let templates = Templates::new(&[Template {
            name: "hello",
            subject: "Hello {{ name }}",
            html: r#"{% extends "layout.html" %}{% block body %}<p>{{ name }}</p><a href="{{ link }}">Go</a>{% endblock %}"#,
            text: r#"{% extends "layout.txt" %}{% block body %}{{ name }}: {{ link }}{% endblock %}"#,
        }]);
        let context = minijinja::context! { product => "Roster", name => "<b>Ana</b>", link => "https://r.example/x?a=1&b=2" };
        let message =
            templates.render("hello", "ana@example.com", "https://r.example/x", context).expect("renders");
        assert_eq!(message.subject, "Hello <b>Ana</b>");
        assert!(
            message.html.contains("&lt;b&gt;Ana&lt;") && message.html.contains("a=1&amp;b=2"),
            "{}",
            message.html
        );
        assert!(!message.html.contains("<b>Ana"), "{}", message.html);
        assert!(
            message.text.contains("<b>Ana</b>: https://r.example/x?a=1&b=2")
                && message.text.contains("-- Roster")
        );
    }
}
