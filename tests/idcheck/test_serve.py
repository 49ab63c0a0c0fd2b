"""gunicorn's environment: the allocator setting that keeps its workers' memory flat (make soak)."""

from __future__ import annotations

from idcheck.management.commands.serve import gunicorn_env


def test_gunicorn_gets_a_fixed_mmap_threshold(monkeypatch):
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.setenv("IDCHECK_SOME_SETTING", "kept")

    env = gunicorn_env()

    assert (env["MALLOC_MMAP_THRESHOLD_"], env["IDCHECK_SOME_SETTING"]) == ("1048576", "kept")


def test_an_operators_own_threshold_wins(monkeypatch):
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "262144")

    assert gunicorn_env()["MALLOC_MMAP_THRESHOLD_"] == "262144"
