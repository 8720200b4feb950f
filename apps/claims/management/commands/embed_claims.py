"""Encode the claims that have no current vector (made by a bulk load or before the
encoder changed); claims made through the app are encoded on save.

    python manage.py embed_claims [--limit N]
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from apps.claims.embeddings import embed_missing


class Command(BaseCommand):
    help = "Encode claims without a current sentence embedding (for search by meaning)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="At most N claims.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        done = embed_missing(limit=options["limit"])
        seconds = time.perf_counter() - started
        self.stdout.write(f"Encoded {done} claim(s) in {seconds:.1f} s.")
