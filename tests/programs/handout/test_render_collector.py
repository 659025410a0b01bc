"""Python's cycle collector is held off while a PDF renders, and run once after it.

The render's speed is measured in bench/handout_render.py; these tests hold what
the speed-up must not break: the collector comes back on (after an error too,
and only if it was on), concurrent renders share the switch, and the render
leaves no cyclic garbage behind.
"""

import gc
import io
import threading

import pytest
from pypdf import PdfReader

from programs.handout.context import handout_for
from programs.handout.fetcher import HandoutURLFetcher
from programs.handout.render import collector_paused, document_pdf, handout_pdf
from tests import factories


@pytest.fixture
def handout(make_program, practice_user):
    program = factories.publish(make_program("hip-osteoarthritis-home"), practice_user)
    return handout_for(program=program)


class _WatchingFetcher(HandoutURLFetcher):
    """Notes whether the collector is on each time WeasyPrint fetches a file,
    which it does in the middle of its work (stylesheet, figures, tick rows)."""

    def __init__(self):
        super().__init__()
        self.collector_on = []

    def fetch(self, url, headers=None):
        self.collector_on.append(gc.isenabled())
        return super().fetch(url, headers)


@pytest.fixture
def collections():
    """The generation of every collection that runs, in order."""
    seen = []

    def note(phase, info):
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    yield seen
    gc.callbacks.remove(note)


def test_the_collector_is_off_during_the_render_and_on_after_it(handout):
    fetcher = _WatchingFetcher()
    data = handout_pdf(handout, url_fetcher=fetcher)
    assert fetcher.collector_on and not any(fetcher.collector_on)
    assert gc.isenabled()
    assert len(PdfReader(io.BytesIO(data)).pages) > 2


def test_a_render_runs_one_young_collection_at_its_end(handout, collections):
    handout_pdf(handout)
    # With the default thresholds a render this size runs hundreds of young
    # collections and several full ones on the way.
    assert collections == [0]


def test_a_render_leaves_no_cyclic_garbage_behind(handout):
    gc.collect()
    handout_pdf(handout)
    # The render's boxes and styles refer to each other; left uncollected, a
    # full collection here would find thousands of them.
    assert gc.collect() < 200


def test_a_data_export_renders_with_the_collector_off_too(monkeypatch):
    fetcher_seen = []
    original_fetch = HandoutURLFetcher.fetch

    def fetch(self, url, headers=None):
        fetcher_seen.append(gc.isenabled())
        return original_fetch(self, url, headers)

    monkeypatch.setattr(HandoutURLFetcher, "fetch", fetch)
    data = document_pdf(
        '<html lang="nl"><head><title>Export</title>'
        '<link rel="stylesheet" href="/static/css/handout.css"></head>'
        "<body><p>Gegevens</p></body></html>",
        language="nl",
        identifier="export-test",
    )
    assert fetcher_seen == [False]
    assert gc.isenabled()
    assert data.startswith(b"%PDF")


def test_the_collector_comes_back_after_a_failed_render():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("WeasyPrint failed")
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_last_of_two_overlapping_renders_switches_the_collector_back_on():
    first_inside, second_done = threading.Event(), threading.Event()
    seen = {}

    def first():
        with collector_paused():
            first_inside.set()
            second_done.wait(timeout=10)
            seen["first, after the second left"] = gc.isenabled()

    def second():
        first_inside.wait(timeout=10)
        with collector_paused():
            pass
        seen["second, after it left"] = gc.isenabled()
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert seen == {"first, after the second left": False, "second, after it left": False}
    assert gc.isenabled()
