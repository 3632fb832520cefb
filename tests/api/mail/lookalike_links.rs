//! A name chosen by a user cannot carry a link into a mail with Unicode lookalikes either:
//! fullwidth dots and slashes, the ideographic full stop, fraction and division slashes are
//! folded (NFKC) and broken like `.` and `/`, in the subject and in both parts. See
//! `roster_mail::user_text`; `mail_links.rs` has the ASCII case.

use base64::Engine as _;
use roster_tests::flows::org;
use roster_tests::smtp::Captured;
use roster_tests::{TestApp, backend_tests};

backend_tests!(lookalike_dots_and_slashes_in_names_do_not_make_links,);

async fn lookalike_dots_and_slashes_in_names_do_not_make_links(app: TestApp) {
    let mal = app.sign_up_as("mal@example.com", "verify at acme-sso\u{FF0E}com\u{FF0F}login").await;
    let acme = app.create_org(&mal, "Acme\u{3002}com\u{2044}help \u{FF20}support").await;
    app.invite_ok(&mal, org(&acme), "bob@example.com", None).await;
    let mail = decoded(&app.smtp.wait_for_invitation("bob@example.com", 1).await);

    let subject = mail.lines().find(|l| l.starts_with("Subject: ")).expect("a subject");
    assert!(
        subject.contains("acme-sso.\u{200B}com/\u{200B}login")
            && subject.contains("Acme\u{3002}\u{200B}com\u{2044}\u{200B}help @\u{200B}support"),
        "folded to ASCII and broken: {subject}"
    );
    for linkable in [
        "acme-sso\u{FF0E}com",
        "com\u{FF0F}login",
        "acme-sso.com",
        "com/login",
        "com&#x2f;login",
        "Acme\u{3002}com",
        "Acme.com",
        "com\u{2044}help",
        "\u{FF20}support",
        "@support",
    ] {
        assert!(!mail.contains(linkable), "{linkable:?} arrived verbatim: {mail}");
    }
    let text = &mail[mail.find("Content-Type: text/plain").expect("a text part")..];
    let html = &mail[mail.find("Content-Type: text/html").expect("an HTML part")..];
    assert!(text.contains("verify at acme-sso.\u{200B}com/\u{200B}login"), "{text}");
    assert!(html.contains("verify at acme-sso.\u{200B}com&#x2f;\u{200B}login"), "{html}");
}

/// The mail with its encoded-word headers and its parts' transfer encodings (base64, quoted-
/// printable) undone, so the characters the reader sees can be searched for.
fn decoded(mail: &Captured) -> String {
    let raw = mail.data.replace("\r\n", "\n");
    let (headers, body) = raw.split_once("\n\n").expect("headers and a body");
    // Unfold the headers, then decode every `=?utf-8?b?…?=` word (adjacent words join).
    let headers = headers.replace("\n ", " ").replace("\n\t", " ");
    let mut out = String::new();
    for line in headers.lines() {
        let mut rest = line;
        let mut previous_was_word = false;
        while let Some(start) = rest.find("=?") {
            let Some(end) = rest[start + 2..].find("?=").map(|e| start + 2 + e) else { break };
            let between = &rest[..start];
            if !(previous_was_word && between.trim().is_empty()) {
                out.push_str(between);
            }
            let word = &rest[start + 2..end];
            let mut fields = word.splitn(3, '?');
            let (_charset, encoding, encoded) =
                (fields.next().unwrap_or(""), fields.next().unwrap_or(""), fields.next().unwrap_or(""));
            let bytes = if encoding.eq_ignore_ascii_case("b") {
                base64::engine::general_purpose::STANDARD.decode(encoded).expect("base64 word")
            } else {
                quoted_printable(&encoded.replace('_', " "))
            };
            out.push_str(&String::from_utf8(bytes).expect("UTF-8"));
            rest = &rest[end + 2..];
            previous_was_word = true;
        }
        out.push_str(rest);
        out.push('\n');
    }
    // The parts: each has its own headers and transfer encoding.
    let boundary = headers.split("boundary=\"").nth(1).and_then(|b| b.split('"').next()).expect("multipart");
    for part in body.split(&format!("--{boundary}")) {
        let Some((part_headers, content)) = part.trim_start_matches('\n').split_once("\n\n") else {
            continue;
        };
        out.push_str(part_headers);
        out.push('\n');
        let lower = part_headers.to_ascii_lowercase();
        let bytes = if lower.contains("content-transfer-encoding: base64") {
            let joined: String = content.split_whitespace().collect();
            base64::engine::general_purpose::STANDARD.decode(joined).expect("a base64 part")
        } else if lower.contains("content-transfer-encoding: quoted-printable") {
            quoted_printable(&content.replace("=\n", ""))
        } else {
            content.as_bytes().to_vec()
        };
        out.push_str(&String::from_utf8(bytes).expect("UTF-8"));
        out.push('\n');
    }
    out
}

fn quoted_printable(input: &str) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}
