"""The per-key token bucket (api.limits.RateLimiter), on a clock the test moves."""

from __future__ import annotations

from api.limits import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_burst_then_waits_for_the_next_token():
    clock = Clock()
    limiter = RateLimiter(per_second=2, burst=3, clock=clock)
    assert [limiter.retry_after("k1") for _ in range(3)] == [None, None, None]
    assert limiter.retry_after("k1") == 1  # half a second to the next token, said as 1 s
    clock.now += 0.5
    assert limiter.retry_after("k1") is None
    assert limiter.retry_after("k1") == 1


def test_each_key_has_its_own_bucket():
    limiter = RateLimiter(per_second=1, burst=1, clock=Clock())
    assert limiter.retry_after("k1") is None
    assert limiter.retry_after("k1") == 1
    assert limiter.retry_after("k2") is None


def test_a_slow_rate_asks_for_a_longer_wait_and_refills_no_more_than_the_burst():
    clock = Clock()
    limiter = RateLimiter(per_second=0.1, burst=2, clock=clock)
    assert limiter.retry_after("k") is None and limiter.retry_after("k") is None
    assert limiter.retry_after("k") == 10
    clock.now += 3600  # an hour idle refills two tokens, not 360
    assert [limiter.retry_after("k") for _ in range(3)] == [None, None, 10]


def test_a_refused_request_takes_no_token():
    clock = Clock()
    limiter = RateLimiter(per_second=1, burst=1, clock=clock)
    limiter.retry_after("k")
    for _ in range(5):
        assert limiter.retry_after("k") == 1
    clock.now += 1
    assert limiter.retry_after("k") is None


def test_rate_zero_is_no_limit():
    limiter = RateLimiter(per_second=0, burst=0, clock=Clock())
    assert all(limiter.retry_after("k") is None for _ in range(1000))
