"""Text preparation: quotes and signatures dropped, long text cut in the middle, sentences split."""

from __future__ import annotations

from classifier.text import head_tail, normalise, prepare, split_sentences, strip_quoted


def test_quoted_reply_and_signature_are_dropped() -> None:
    text = (
        "Subject: Re: Repair\n\nStill nobody has come.\n\nSent from my iPhone\n\n"
        "On 3 May 2025, Repairs Team wrote:\n> We will send an engineer.\n"
    )
    assert strip_quoted(text) == "Subject: Re: Repair\n\nStill nobody has come."


def test_outlook_header_block_is_dropped_but_bare_forward_is_kept() -> None:
    reply = "Please escalate this.\n\nFrom: Complaints Team\nSent: 1 May\nSubject: Re\nWe found..."
    assert strip_quoted(reply) == "Please escalate this."
    forward = "> only quoted text here\n> nothing new"
    assert "only quoted text" in strip_quoted(forward)


def test_long_text_keeps_head_and_tail() -> None:
    text = "start " + "x" * 50_000 + " end"
    cut = head_tail(text, 100, 50)
    assert cut.startswith("start") and cut.endswith("end") and len(cut) < 200
    assert len(prepare("word " * 300_000)) < 10_000


def test_normalise_drops_control_characters() -> None:
    assert normalise("a\x00b\r\nc\u200b") == "ab\nc"


def test_sentences_carry_offsets() -> None:
    text = "Subject: Leak\n\nI reported it in May. Nobody came! Can you help?"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Subject: Leak",
        "I reported it in May.",
        "Nobody came!",
        "Can you help?",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
