"""Reading received email: new text apart from quotes and signature, HTML, charsets, loops."""

from __future__ import annotations

import pytest

from intake.mail.parse import UnreadableEmail, parse_email
from tests.mail.servers import email_bytes


def test_plain_reply_separates_new_text_quote_and_signature() -> None:
    body = (
        "I'm still not happy: the leak is back and nobody came on Tuesday.\n\n"
        "Kind regards,\nJane Smith\nFlat 4, Oak House\n\n"
        "On Mon, 16 Nov 2026 at 10:00, Complaints <complaints@landlord.example> wrote:\n"
        "> Dear Mrs Smith,\n> Thank you for contacting us.\n"
    )
    message = parse_email(email_bytes(body=body, extra={"In-Reply-To": "<ack@landlord.example>"}))
    assert message.text == "I'm still not happy: the leak is back and nobody came on Tuesday."
    assert "Jane Smith" in message.signature and "Kind regards" in message.signature
    assert "Thank you for contacting us" in message.quoted_text
    assert message.sender == "jane@example.org" and message.sender_name == "Jane Smith"
    assert message.message_id == "<first@example.org>"
    assert message.in_reply_to == "<ack@landlord.example>"
    assert message.automated == ""


def test_outlook_reply_and_hyphen_lists_are_kept_as_the_residents_words() -> None:
    body = (
        "Problems since your visit:\n- the mould is back\n- the extractor fan is broken\n\n"
        "Thanks\nJane\n\n________________________________\n"
        "From: Complaints Team <complaints@landlord.example>\nSent: 16 November 2026 10:00\n"
        "Subject: Your complaint INT-000001\n\nWe have received it.\n"
    )
    message = parse_email(email_bytes(body=body))
    assert "- the mould is back" in message.text and "- the extractor fan" in message.text
    assert "We have received it" in message.quoted_text
    assert "We have received it" not in message.text


def test_html_only_mail_becomes_plain_text_without_scripts_or_quotes() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: heating\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p {color: red}</style><script>steal()</script></head><body>"
        b"<p>Still no heating.</p><div>My baby is cold<br>please help</div>"
        b"<img src='http://tracker.example/x.png'>"
        b"<div class='gmail_quote'>On Mon wrote:<blockquote>old letter</blockquote></div>"
        b"</body></html>"
    )
    message = parse_email(raw)
    assert message.text == "Still no heating.\n\nMy baby is cold\nplease help"
    assert "steal" not in message.text and "color" not in message.text
    assert "old letter" in message.quoted_text
    assert message.meta["html_only"] is True


def test_alternative_prefers_plain_and_attachments_are_kept_not_read() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: photos\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="M"\r\n\r\n'
        b'--M\r\nContent-Type: multipart/alternative; boundary="A"\r\n\r\n'
        b"--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the damp in the photo.\r\n"
        b"--A\r\nContent-Type: text/html\r\n\r\n<p>HTML version</p>\r\n--A--\r\n"
        b"--M\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; "
        b'filename="damp.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n'
        b"--M\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; "
        b'filename="notes.txt"\r\n\r\nsecret attachment words\r\n--M--\r\n'
    )
    message = parse_email(raw)
    assert message.text == "See the damp in the photo."
    assert [(a.filename, a.content_type) for a in message.attachments] == [
        ("damp.jpg", "image/jpeg"),
        ("notes.txt", "text/plain"),
    ]
    assert message.attachments[0].data == b"\xff\xd8\xff\xe0\x00\x10"
    assert "secret attachment words" not in message.text


@pytest.mark.parametrize(
    ("declared", "body", "expected"),
    [
        (b"", "Café".encode("cp1252"), "Café"),  # undeclared Windows text
        (b"; charset=us-ascii", "Café".encode(), "Café"),  # says ASCII, is UTF-8
        (b"; charset=iso-8859-1", "Café".encode(), "Café"),  # says Latin-1, is UTF-8
        (b"; charset=x-no-such-charset", "Café".encode(), "Café"),  # unknown charset
        (b"; charset=koi8-r", "Привет".encode("koi8-r"), "Привет"),  # honest declaration
    ],
)
def test_charsets_missing_wrong_or_unknown_are_read(declared, body, expected) -> None:
    raw = (
        b"From: a@example.org\r\nSubject: =?iso-8859-1?q?R=E9paration?=\r\n"
        b"Content-Type: text/plain" + declared + b"\r\n\r\n" + body + b"\r\n"
    )
    message = parse_email(raw)
    assert message.text == expected
    assert message.subject == "Réparation"


def test_decoded_subject_and_bare_lf_cannot_inject_headers() -> None:
    raw = (
        b"From: Jane <jane@example.org>\r\n"
        b"Subject: =?utf-8?q?Leak=0D=0ABcc:_evil@example.com?=\r\n"
        b"X-Note: hello\nFrom: ceo@landlord.example\r\n"
        b"\r\nbody\r\n"
    )
    message = parse_email(raw)
    assert message.subject == "Leak Bcc: evil@example.com"  # one line, no new header
    assert message.sender == "jane@example.org"  # the LF did not start a second From


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "auto-replied"),
        ({"Auto-Submitted": "auto-generated"}, "Auto-Submitted: auto-generated"),
        ({"List-Id": "<residents.example.org>"}, "mailing list (List-Id)"),
        ({"Precedence": "bulk"}, "Precedence: bulk"),
        ({"X-Autoreply": "yes"}, "auto-reply"),
        ({"Auto-Submitted": "no"}, ""),
    ],
)
def test_automatic_mail_is_recognised(headers, reason) -> None:
    assert parse_email(email_bytes(extra=headers)).automated == reason


def test_bounce_from_mailer_daemon_is_automatic() -> None:
    message = parse_email(email_bytes(sender="MAILER-DAEMON@mx.example.org"))
    assert message.automated == "bounce"


def test_absurdly_deep_nesting_is_refused_with_a_readable_reason() -> None:
    depth = 1000
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth)))
    raw = b"From: a@example.org\r\nSubject: deep\r\n" + opening + b"\r\nhi\r\n" + closing
    with pytest.raises(UnreadableEmail, match="nested too deeply"):
        parse_email(raw)


def test_moderate_nesting_is_read_down_to_the_limit() -> None:
    depth = 60
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth)))
    raw = (
        b"From: a@example.org\r\nSubject: deep\r\n"
        + opening
        + b"Content-Type: text/plain\r\n\r\nhidden\r\n"
        + closing
    )
    message = parse_email(raw)
    assert any("nested" in note for note in message.meta["notes"])


def test_garbage_is_still_a_message() -> None:
    message = parse_email(b"\x00\xff\xfe not an email at all \r\n\r\n\xc3\x28")
    assert isinstance(message.text, str)
