"""The ids mutations draw (mutations.ids): hexadecimal, distinct, and never the
same in a forked child as in its parent (a served process's workers fork or
spawn from one parent)."""

from __future__ import annotations

import os
import re

from mutations.ids import random_hex


def test_ids_are_hexadecimal_of_the_length_asked_and_distinct():
    drawn = [random_hex() for _ in range(20_000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in drawn)
    assert len(set(drawn)) == len(drawn)
    assert all(re.fullmatch(r"[0-9a-f]{16}", random_hex(16)) for _ in range(100))


def test_a_forked_child_draws_other_ids_than_its_parent():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, to the parent
        try:
            os.write(write, " ".join(random_hex() for _ in range(5)).encode())
        finally:
            os._exit(0)
    os.close(write)
    parent = {random_hex() for _ in range(5)}
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split())
    os.waitpid(pid, 0)
    assert len(child) == 5 and not parent & child
