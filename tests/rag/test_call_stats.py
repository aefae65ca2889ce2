"""Generation speed leaves prompt evaluation out, as llama.cpp's own eval rate does."""

from __future__ import annotations

import pytest

from rag.models.protocol import CallStats


def test_decode_rate_counts_only_the_time_after_the_first_token() -> None:
    # 30 s of prompt evaluation, then 101 tokens in 10 s.
    stats = CallStats(5000, 5000, 101, 40.0, 30.0)
    assert stats.decode_seconds == pytest.approx(10.0)
    assert stats.decode_tokens_per_second == pytest.approx(10.0)
    assert stats.decode_tokens_per_second > 101 / 40.0  # the whole call's rate hides it


@pytest.mark.parametrize(
    "stats",
    [
        CallStats(10, 10, 0, 1.0, None),  # nothing generated
        CallStats(10, 10, 1, 1.0, 1.0),  # one token: no interval to measure
    ],
)
def test_no_decode_rate_without_two_tokens(stats: CallStats) -> None:
    assert stats.decode_tokens_per_second is None
