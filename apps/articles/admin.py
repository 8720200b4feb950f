from django.contrib import admin

from .models import Article, Outlet


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("name", "domain", "country", "language")
    search_fields = ("name", "domain")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "outlet", "published_at", "status", "origin", "duplicate_of")
    list_filter = ("status", "origin", "outlet", "language")
    search_fields = ("title", "canonical_url")
    raw_id_fields = ("duplicate_of", "outlet")
    readonly_fields = ("url_hash", "content_hash", "created_at", "updated_at")
