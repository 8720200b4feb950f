from django.contrib import admin

from .models import Feed, IngestBatch, IngestJob


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = (
        "url",
        "outlet",
        "is_active",
        "last_success_at",
        "last_error_at",
        "consecutive_failures",
        "paused_reason",
    )
    readonly_fields = ("etag", "last_modified", "last_polled_at", "last_poll_note")
    list_filter = ("is_active",)
    search_fields = ("url", "title")


@admin.register(IngestBatch)
class IngestBatchAdmin(admin.ModelAdmin):
    list_display = ("label", "created_by", "created_at")


@admin.register(IngestJob)
class IngestJobAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "url", "status", "attempts", "article", "updated_at")
    list_filter = ("status", "channel")
    search_fields = ("url", "failure_reason")
    raw_id_fields = ("feed", "batch", "article", "outlet", "created_by")
    readonly_fields = ("started_at", "finished_at", "attempts", "task_id", "timings", "url_hash")
