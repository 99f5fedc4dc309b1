"""Chat rate limits: where the counts live, and what happens when that store fails."""

from __future__ import annotations

import logging
import secrets

import pytest
from pydantic import SecretStr, ValidationError

from connectors.webchat.guard import RateLimits
from intake.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"


def limits(storage: str, **settings: object) -> RateLimits:
    return RateLimits(Settings(chat_rate_limit_storage=SecretStr(storage), **settings))  # type: ignore[arg-type]


def redis_reachable() -> bool:
    redis = pytest.importorskip("redis")
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


async def test_in_memory_counts_are_per_process() -> None:
    one, two = (
        limits("memory://", chat_address_rate_limit="2/minute"),
        limits("memory://", chat_address_rate_limit="2/minute"),
    )
    assert [await one.allow_turn("a", "10.0.0.1") for _ in range(3)] == [True, True, False]
    assert await two.allow_turn("b", "10.0.0.1")  # another worker knows nothing of the first


async def test_workers_sharing_redis_share_the_per_address_limit() -> None:
    if not redis_reachable():
        pytest.skip("no Redis server on 127.0.0.1:6379")
    address = f"test-{secrets.token_hex(6)}"  # a fresh address: runs never share counts
    one = limits(REDIS_URL, chat_address_rate_limit="5/minute")
    two = limits(REDIS_URL, chat_address_rate_limit="5/minute")
    assert [await one.allow_turn("first", address) for _ in range(3)] == [True] * 3
    assert [await two.allow_turn("second", address) for _ in range(3)] == [True, True, False]
    assert not await one.allow_turn("third", address)
    assert await one.allow_turn("other", f"{address}-b")  # other addresses are untouched


async def test_an_unreachable_store_lets_the_turn_through_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pytest.importorskip("redis")
    down = limits("redis://:hunter2@127.0.0.1:1/0", chat_rate_limit="1/minute")
    with caplog.at_level(logging.WARNING):
        assert [await down.allow_turn("c", "10.0.0.2") for _ in range(3)] == [True] * 3
    assert "rate limits not applied" in caplog.text
    assert "hunter2" not in caplog.text


def test_an_unknown_store_is_refused_in_plain_words_without_the_secret() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(chat_rate_limit_storage=SecretStr("bogus://user:hunter2@host/0"))
    # `intake serve` prints each problem's location and message (intake/commands/serve.py).
    [problem] = raised.value.errors()
    assert problem["loc"] == ("chat_rate_limit_storage",)
    assert "memory://" in problem["msg"] and "hunter2" not in problem["msg"]
