"""Random ids for what a mutation makes (its record, a new organisation, an
uploaded audit), drawn without giving the GIL away.

`uuid.uuid4()` reads `os.urandom`, a system call that releases the GIL; under the
write mix getting it back waited for whichever thread had taken it meanwhile:
3.2% of the served processes' samples, about 0.7 ms a mutation for 2 us of work
(bench/README.md, 2026-12-04 11:31). A Mersenne Twister seeded from `os.urandom`
once per process (and again in a forked child) draws 128 bits with the GIL held.
These ids name records; they are not secrets (API keys come from `secrets`): a few
hundred ids of one process tell its generator's state, and so its next ids. No id
drawn here may ever grant anything (a hidden record answers NOT_FOUND by its id as an
absent one does).
"""

from __future__ import annotations

import os
import random

_draw = random.Random(os.urandom(32))


def _reseed() -> None:
    global _draw
    _draw = random.Random(os.urandom(32))


os.register_at_fork(after_in_child=_reseed)  # a forked child never repeats its parent's ids


def random_hex(length: int = 32) -> str:
    """`length` (at most 32) random hexadecimal digits, as `uuid.uuid4().hex[:length]`."""
    if not 0 < length <= 32:
        raise ValueError(f"1 to 32 digits, not {length}")
    return f"{_draw.getrandbits(128):032x}"[:length]
