"""Helpers for concurrency tests: threads with their own connections, released together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection


@pytest.fixture
def run_in_threads() -> Callable[[Callable[[int], Any], int], list[Any]]:
    """Run ``target(index)`` in ``count`` threads started by one Barrier.

    Each thread opens its own database connection before the barrier (so the race is on
    the statements, not on connecting) and closes it at the end. The result list holds
    each thread's return value, or the exception it raised.
    """

    def run(target: Callable[[int], Any], count: int) -> list[Any]:
        barrier = threading.Barrier(count)
        results: list[Any] = [None] * count

        def worker(index: int) -> None:
            try:
                connection.ensure_connection()
                barrier.wait(timeout=60)
                results[index] = target(index)
            except BaseException as exc:  # noqa: BLE001 (collected and asserted on by the test)
                results[index] = exc
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
        return results

    return run
