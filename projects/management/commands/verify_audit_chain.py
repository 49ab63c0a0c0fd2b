"""``manage.py verify_audit_chain``: recompute every Event Log hash; non-zero exit on a break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from projects.models import AuditChainHead, AuditEvent
from projects.services.audit import audit_row_hash_matches


class Command(BaseCommand):
    help = "Check that no Event Log row was edited, removed or inserted out of order."

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        chains: dict[str, tuple[int, str]] = {}
        checked = 0
        for event in AuditEvent.objects.order_by("chain", "sequence").iterator(chunk_size=2000):
            sequence, last_hash = chains.get(event.chain, (0, "0" * 64))
            if event.sequence != sequence + 1:
                problems.append(f"row {event.pk}: chain {event.chain} jumps from {sequence} to {event.sequence}")
            if event.previous_hash != last_hash:
                problems.append(f"row {event.pk}: previous_hash does not match row {sequence} of {event.chain}")
            if not audit_row_hash_matches(event):
                problems.append(f"row {event.pk}: content does not match its hash (edited)")
            chains[event.chain] = (event.sequence, event.row_hash)
            checked += 1
        problems.extend(_heads_that_disagree(chains))
        if problems:
            raise CommandError("Event Log chain broken:\n" + "\n".join(problems[:50]))
        self.stdout.write(f"Event Log intact: {checked} rows in {len(chains)} chains.")


def _heads_that_disagree(chains: dict[str, tuple[int, str]]) -> list[str]:
    """The head remembers each chain's last row: rows removed from the end show up here."""
    problems = []
    for head in AuditChainHead.objects.order_by("chain"):
        if chains.get(head.chain, (0, "0" * 64)) != (head.sequence, head.last_hash):
            seen = chains.get(head.chain, (0, ""))[0]
            problems.append(f"chain {head.chain}: the head says {head.sequence} rows, {seen} remain")
    return problems
