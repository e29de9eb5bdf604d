"""The cyclic collector while a PDF is built (issue 21): young objects collected less often
inside, the process's thresholds back as they were once the last build leaves."""

from __future__ import annotations

import gc
import threading

from performance.common import pdf


def test_thresholds_are_raised_inside_and_restored_by_the_last_build_to_leave():
    before = gc.get_threshold()
    with pdf.fewer_collections():
        assert gc.get_threshold() == (pdf.BUILD_THRESHOLD, *before[1:])
        with pdf.fewer_collections():  # a second build at the same time (another thread)
            assert gc.get_threshold()[0] == pdf.BUILD_THRESHOLD
        assert gc.get_threshold()[0] == pdf.BUILD_THRESHOLD  # the first is still building
    assert gc.get_threshold() == before


def test_builds_in_two_threads_do_not_undo_each_other():
    before = gc.get_threshold()
    inside, leave = threading.Event(), threading.Event()

    def other_build():
        with pdf.fewer_collections():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other_build)
    thread.start()
    inside.wait(5)
    with pdf.fewer_collections():
        pass
    assert gc.get_threshold()[0] == pdf.BUILD_THRESHOLD  # the other thread still builds
    leave.set()
    thread.join(5)
    assert gc.get_threshold() == before


def test_an_error_inside_still_restores_the_thresholds():
    before = gc.get_threshold()
    try:
        with pdf.fewer_collections():
            raise RuntimeError("layout failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
