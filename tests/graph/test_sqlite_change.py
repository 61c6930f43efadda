"""The change the embedded store keeps with each write (the rows other processes
catch up through) is packed straight from the batch's dataclasses: the same JSON as
graph.codec's dicts, read back as the batch written."""

from __future__ import annotations

from datetime import date

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.codec import batch_to_dict
from graph.model import (
    Adoption,
    Audit,
    Finding,
    FindingStatus,
    GraphBatch,
    Kind,
    Organisation,
    PassOn,
    Recognition,
    Requirement,
    Requires,
    Severity,
    Share,
    Sourcing,
)
from graph.sqlite_store import SqliteStore
from tests.factories import small_network

text = st.text(min_size=1, max_size=12)
maybe_text = st.none() | text
days = st.none() | st.dates(date(1990, 1, 1), date(2040, 12, 31))
coords = st.none() | st.floats(-90, 90, allow_nan=False)

organisations = st.builds(
    Organisation,
    text,
    st.sampled_from(list(Kind)),
    text,
    st.sampled_from(["GH", "CI", "NL"]),
    maybe_text,
    maybe_text,
    maybe_text,
    maybe_text,
    maybe_text,
    maybe_text,
    coords,
    coords,
    st.booleans(),
)
rows = {
    "organisations": organisations,
    "requirements": st.builds(Requirement, text, text, text, st.lists(text, max_size=3).map(tuple)),
    "requires": st.builds(Requires, text, text),
    "sourcing": st.builds(Sourcing, text, text, text, days, maybe_text),
    "pass_on": st.builds(PassOn, text, text, text, days),
    "adoptions": st.builds(Adoption, text, text, days, maybe_text),
    "audits": st.builds(
        Audit,
        text,
        text,
        text,
        st.dates(),
        st.dates(),
        text,
        maybe_text,
        maybe_text,
        st.booleans(),
    ),
    "findings": st.builds(
        Finding,
        text,
        text,
        st.sampled_from(list(Severity)),
        st.sampled_from(list(FindingStatus)),
        maybe_text,
        days,
    ),
    "shares": st.builds(Share, text, text),
    "recognitions": st.builds(Recognition, text, text),
}
batches = st.fixed_dictionaries({name: st.lists(row, max_size=3) for name, row in rows.items()})


@settings(max_examples=200, deadline=None)
@given(batches)
def test_a_batch_packs_as_the_codecs_dicts(fields):
    batch = GraphBatch(**fields)
    assert orjson.dumps(batch) == orjson.dumps(batch_to_dict(batch))


def test_a_kept_change_reads_back_as_the_batch_written(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(small_network())
    before = store.graph_version()
    batch = GraphBatch(
        organisations=[Organisation("N1", Kind.SUPPLIER, "Né Ltd", "GH", lei="L1", lat=5.5)],
        sourcing=[Sourcing("S3", "N1", "cocoa", date(2026, 1, 2), "S3")],
        pass_on=[PassOn("S1", "S2", "R1", date(2026, 2, 3))],
    )
    store.write(batch)
    (change,) = store.changes_since(before) or []
    assert change.version == store.graph_version() == str(int(before) + 1)
    assert change.batch == batch
    assert store.changes_since(store.graph_version()) == []
