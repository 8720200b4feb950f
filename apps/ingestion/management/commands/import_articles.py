from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import DomainError
from apps.ingestion import services
from apps.ingestion.importers import ImportFileError, read_records
from apps.ingestion.models import IngestBatch, IngestJob


class Command(BaseCommand):
    help = "Import articles from plain text, HTML, JSON or JSONL files through the ingest task."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", help="Files or directories (directories: every file in them)"
        )

    def handle(self, *args, paths, **options):
        files: list[Path] = []
        for raw in paths:
            path = Path(raw)
            files.extend(
                sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
            )
        batch = IngestBatch.objects.create(label=f"import_articles {' '.join(paths)}"[:300])
        problems, jobs = [], []
        for path in files:
            try:
                records = read_records(path)
            except ImportFileError as exc:
                problems.append(str(exc))
                continue
            for record in records:
                try:
                    jobs.append(
                        services.job_submit_content(
                            name=record.name,
                            content=record.content,
                            fmt=record.fmt,
                            metadata=record.metadata,
                            batch=batch,
                        )
                    )
                except DomainError as exc:
                    problems.append(f"{record.name}: {exc.message}")
        counts: dict[str, int] = {}
        for job in jobs:
            job.refresh_from_db()
            counts[job.status] = counts.get(job.status, 0) + 1
            if job.status == IngestJob.Status.FAILED:
                problems.append(f"{job.payload.get('name')}: {job.failure_reason}")
            elif job.article_id:
                self.stdout.write(
                    f"{job.payload.get('name')}: {job.status} -> article {job.article_id}"
                )
        summary = (
            ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing queued"
        )
        self.stdout.write(f"Batch {batch.pk}: {len(jobs)} job(s): {summary}.")
        for problem in problems:
            self.stderr.write(f"Skipped {problem}")
        if problems and not jobs:
            raise CommandError("No file could be imported.")
