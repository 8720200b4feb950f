"""One ingestion service for every channel: URL, batch of URLs, feed entry, file import,
API push. The modules, by topic:

* `submit`: every channel creates IngestJobs and enqueues work after the transaction
  commits (a broker that is down then loses nothing: the sweeper re-enqueues jobs that
  stay queued): an `ingest` task for a single job, an `ingest_chunk` task per chunk of
  jobs (a feed poll's entries, a batch, the sweeper's finds).
* `runner`: both tasks call the same engine, which keeps every guarantee per job. Jobs
  are claimed with one conditional UPDATE (queued -> fetching), so two deliveries cannot
  both run a job; a redelivery of the same message (its worker died mid-run) may take
  its job over, another message may not; final jobs are skipped; a redelivered chunk
  runs its jobs one per task, and a job lost with its worker twice fails. Pages are
  fetched a few ahead in threads (through the safe client) while the task's thread
  extracts. Each job's outcome (status, failure reason, timings) is recorded on its own
  row, in one statement for the chunk; a job failing does not fail its siblings, and a
  transient failure retries that job alone, with backoff and jitter.
* `store`: the new articles are stored in small groups, each one transaction with their
  signatures and their jobs' links; an article already stored by URL or content makes a
  duplicate, and a unique constraint settles two workers racing on one URL.
  Near-duplicates are linked after the signatures commit, without a lock (dedupe.py).
* `feeds`: a periodic task leases due feeds with SELECT ... FOR UPDATE SKIP LOCKED (two
  beat or worker processes racing never poll one feed twice); a poll uses conditional
  GET and makes one job per entry link not already stored or queued.
* `sweeper`: jobs no worker holds, and suggestions never asked for, are sent again.
* `reextract`: an editor's re-extraction, run in a worker; replacing an article's text.
* `common` (limits, leases, backoff, URL checks) and `dispatch` (sending the tasks by
  name, so the services never import apps/ingestion/tasks.py, which imports them).

Other apps import from `apps.ingestion.services`; the names they use are re-exported here.
"""

from .common import (
    FORMATS,
    LOST_JOB_REASON,
    MAX_ATTEMPTS,
    MAX_LOST_RUNS,
    MAX_RETRY_COUNTDOWN,
    NON_FINAL,
    RUNNING,
    TransientIngestError,
    check_address,
    chunk_size,
    chunks,
    hash_of,
    lease_duration,
    lease_renew_every,
    outlet_for,
    retry_countdown,
    retry_wait_in_process,
    stuck_after,
    validate_url,
)
from .feeds import (
    FEED_PAUSE_AFTER,
    FEED_PICK_LIMIT,
    LOST_POLL_REASON,
    feed_create,
    feed_lease,
    feed_max_bytes,
    feed_pause,
    feed_poll_now,
    feed_poll_run,
    feed_resume,
    feeds_lease,
)
from .reextract import (
    article_reextract,
    article_text_replace,
    reextract_stuck_after,
    reextraction_request,
    reextraction_run,
    reextractions_sweep,
)
from .runner import job_run, jobs_lease_renew, jobs_run
from .submit import (
    BATCH_MAX_BYTES,
    BATCH_MAX_URLS,
    BatchResult,
    NewJob,
    batch_submit_urls,
    job_retry,
    job_submit_content,
    job_submit_url,
    jobs_create,
    submitter_check,
)
from .sweeper import article_suggest_run, articles_suggest_sweep, jobs_requeue_stuck

__all__ = [
    "BATCH_MAX_BYTES",
    "BATCH_MAX_URLS",
    "FEED_PAUSE_AFTER",
    "FEED_PICK_LIMIT",
    "FORMATS",
    "LOST_JOB_REASON",
    "LOST_POLL_REASON",
    "MAX_ATTEMPTS",
    "MAX_LOST_RUNS",
    "MAX_RETRY_COUNTDOWN",
    "NON_FINAL",
    "RUNNING",
    "BatchResult",
    "NewJob",
    "TransientIngestError",
    "article_reextract",
    "article_suggest_run",
    "article_text_replace",
    "articles_suggest_sweep",
    "batch_submit_urls",
    "check_address",
    "chunk_size",
    "chunks",
    "feed_create",
    "feed_lease",
    "feed_max_bytes",
    "feed_pause",
    "feed_poll_now",
    "feed_poll_run",
    "feed_resume",
    "feeds_lease",
    "hash_of",
    "job_retry",
    "job_run",
    "job_submit_content",
    "job_submit_url",
    "jobs_create",
    "jobs_lease_renew",
    "jobs_requeue_stuck",
    "jobs_run",
    "lease_duration",
    "lease_renew_every",
    "outlet_for",
    "reextract_stuck_after",
    "reextraction_request",
    "reextraction_run",
    "reextractions_sweep",
    "retry_countdown",
    "retry_wait_in_process",
    "stuck_after",
    "submitter_check",
    "validate_url",
]
