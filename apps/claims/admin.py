from django.contrib import admin, messages

from . import services
from .models import (
    Appearance,
    Claim,
    Claimant,
    Notification,
    Review,
    Suggestion,
    Webhook,
    WebhookDelivery,
)


class AppearanceInline(admin.TabularInline):
    model = Appearance
    extra = 0
    raw_id_fields = ("article", "claimant", "tagged_by")
    readonly_fields = ("quote", "prefix", "suffix", "start", "end")


def _workflow_action(action: str, label: str):
    """An admin action that runs the same service as the browser and the API, per claim."""

    def run(modeladmin, request, queryset):
        results = services.claims_bulk(
            claim_ids=queryset.values_list("pk", flat=True), action=action, by=request.user
        )
        for result in results:
            level = messages.SUCCESS if result.ok else messages.ERROR
            modeladmin.message_user(request, f"Claim #{result.claim_id}: {result.message}", level)

    run.__name__ = f"workflow_{action}"
    return admin.action(description=label)(run)


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("statement", "status", "verdict", "assignee", "updated_at")
    list_filter = ("status", "verdict")
    search_fields = ("statement",)
    raw_id_fields = ("assignee", "created_by", "proposed_by")
    # Status and verdict change only through the workflow actions, which apply its rules.
    readonly_fields = (
        "status",
        "verdict",
        "version",
        "created_at",
        "updated_at",
        "submitted_at",
        "published_at",
        "proposed_by",
    )
    inlines = [AppearanceInline]
    actions = [
        _workflow_action("start_research", "Start research"),
        _workflow_action("submit", "Submit for review"),
        _workflow_action("approve", "Approve and publish (editors)"),
    ]


@admin.register(Claimant)
class ClaimantAdmin(admin.ModelAdmin):
    # Kind and role come from the attribution guess; they are corrected here in the list.
    list_display = ("name", "kind", "role", "affiliation", "merged_into")
    list_editable = ("kind", "role")
    search_fields = ("name", "key", "aliases")
    list_filter = ("kind",)
    raw_id_fields = ("merged_into",)


@admin.register(Appearance)
class AppearanceAdmin(admin.ModelAdmin):
    list_display = ("quote", "claim", "article", "claimant", "origin", "orphaned")
    list_filter = ("origin", "orphaned")
    raw_id_fields = ("claim", "article", "claimant", "tagged_by")


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("sentence", "article", "score", "claimant_name", "claimant_kind", "state")
    list_filter = ("state",)
    raw_id_fields = ("article", "claimant", "matched_claim", "decided_by")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("claim", "editor", "decision", "verdict", "created_at")
    list_filter = ("decision",)
    raw_id_fields = ("claim", "editor")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "message", "created_at", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "claim")


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = ("event", "state", "attempts", "response_status", "last_error", "delivered_at")
    readonly_fields = fields


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("url", "events", "is_active", "created_at")
    list_filter = ("is_active",)
    inlines = [WebhookDeliveryInline]
