from django.contrib import admin

from .models import Appearance, Claim, Claimant, Review, Suggestion


class AppearanceInline(admin.TabularInline):
    model = Appearance
    extra = 0
    raw_id_fields = ("article", "claimant", "tagged_by")
    readonly_fields = ("quote", "prefix", "suffix", "start", "end")


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("statement", "status", "verdict", "assignee", "updated_at")
    list_filter = ("status", "verdict")
    search_fields = ("statement",)
    raw_id_fields = ("assignee", "created_by", "proposed_by")
    readonly_fields = ("version", "created_at", "updated_at", "submitted_at", "published_at")
    inlines = [AppearanceInline]


@admin.register(Claimant)
class ClaimantAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "role", "affiliation")
    search_fields = ("name", "aliases")
    list_filter = ("kind",)


@admin.register(Appearance)
class AppearanceAdmin(admin.ModelAdmin):
    list_display = ("quote", "claim", "article", "claimant", "origin", "orphaned")
    list_filter = ("origin", "orphaned")
    raw_id_fields = ("claim", "article", "claimant", "tagged_by")


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("sentence", "article", "score", "claimant_name", "state")
    list_filter = ("state",)
    raw_id_fields = ("article", "claimant", "matched_claim", "decided_by")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("claim", "editor", "decision", "verdict", "created_at")
    list_filter = ("decision",)
    raw_id_fields = ("claim", "editor")
