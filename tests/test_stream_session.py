"""mimbridge.stream to RDF: one writer for every batch, its memos bounded, the bytes of convert."""

from __future__ import annotations

import pytest

import mimbridge
from mimbridge.adapters.rdf import emit
from mimbridge.adapters.rdf.write import Writer
from mimbridge.convert import dumps
from mimbridge.stream import stream


def _entities(n: int) -> list[dict]:
    return [{"id": f"urn:ngsi-ld:T:{i}", "type": "T",
             "a": {"type": "Property", "value": i + 0.25, "unitCode": "CEL"},
             "b": {"type": "Property", "value": (i % 7) / 8},
             "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [2 + i / 1e4, 41.5]}}}
            for i in range(n)]


@pytest.mark.parametrize("target", ["ntriples", "nquads", "turtle"])
def test_one_writer_serves_every_batch_and_keeps_convert_bytes(monkeypatch, target):
    made: list[Writer] = []
    init = Writer.__init__

    def counted(self, *args, **kwargs):
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Writer, "__init__", counted)
    ents = _entities(40)
    text = "".join(stream(ents, source="ngsi-ld", target=target, batch=3))
    assert len(made) == 1  # set up once for the 14 batches
    expected = dumps(mimbridge.convert(ents, source="ngsi-ld", target=target).output)
    assert text == expected + ("" if expected.endswith("\n") else "\n")


def test_the_double_memo_kept_between_batches_is_bounded(monkeypatch):
    sizes: list[int] = []
    restart = Writer.restart

    def measured(self, report):
        restart(self, report)
        sizes.append(len(self.em.doubles))

    monkeypatch.setattr(Writer, "restart", measured)
    monkeypatch.setattr(emit, "_KEEP_MAX", 100)
    ents = _entities(300)  # 600 distinct doubles
    text = "".join(stream(ents, source="ngsi-ld", target="ntriples", batch=20))
    assert len(sizes) == 14
    assert max(sizes) < 100 + 2 * 20 + 8  # what a batch adds on top of the bound, never more
    assert 0 < max(sizes)  # values of the batch before are kept
    assert text == mimbridge.convert(ents, source="ngsi-ld", target="ntriples").output


def test_blank_subjects_of_ntriples_batches_stay_apart():
    # a reader numbers the blank subjects of each batch from 0: the same number in two batches is two nodes
    nt = "".join(f'<urn:x:{i}> <https://ex.org/p> "{i}" .\n_:s{i} <https://ex.org/q> "{i}" .\n' for i in range(4))
    kw = {"source": "ntriples", "target": "ntriples", "blank_nodes": True}
    s = stream(nt.encode(), batch=1, **kw)
    text = "".join(s)
    assert s.records == 4  # one IRI subject and its blank neighbour a record, a record a batch
    assert text == mimbridge.convert(nt, **kw).output
    blank = {line.split(" ")[0] for line in text.splitlines() if " <https://ex.org/q> " in line}
    assert len(blank) == 4 and all(b.startswith("_:b") for b in blank)
