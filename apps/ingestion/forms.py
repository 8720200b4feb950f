"""Forms validate the shape of the input; the rules live in services."""

from django import forms

from apps.articles.models import Outlet

from .services import BATCH_MAX_BYTES


class AddArticleForm(forms.Form):
    url = forms.CharField(
        label="Web address of the article",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autofocus": True}),
    )


class BatchForm(forms.Form):
    urls = forms.CharField(
        label="Web addresses, one per line",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "https://…\nhttps://…"}),
    )
    file = forms.FileField(
        label="Or a text file of web addresses",
        required=False,
        help_text="Plain text or CSV, UTF-8, up to 1 MB; lines starting with # are skipped.",
    )
    label = forms.CharField(
        label="Name for this batch", required=False, max_length=300, help_text="Optional."
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        text = data.get("urls") or ""
        if upload is not None:
            if upload.size > BATCH_MAX_BYTES:
                raise forms.ValidationError("The file is larger than 1 MB; split it into parts.")
            raw = upload.read()
            if b"\x00" in raw[:8192]:
                raise forms.ValidationError("The file is not a text file.")
            try:
                text = text + "\n" + raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    "The file is not UTF-8 text; save it as UTF-8 and upload it again."
                ) from None
        if not text.strip():
            raise forms.ValidationError("Paste some web addresses or choose a file.")
        data["text"] = text
        return data


class FeedForm(forms.Form):
    url = forms.CharField(
        label="Feed address (RSS or Atom)",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/rss.xml"}),
    )
    title = forms.CharField(label="Name", required=False, max_length=500, help_text="Optional.")
    outlet = forms.ModelChoiceField(
        label="Outlet",
        queryset=Outlet.objects.order_by("name"),
        required=False,
        empty_label="Guess from the address",
    )
    poll_interval_minutes = forms.IntegerField(
        label="Poll every (minutes)", min_value=1, max_value=24 * 60, initial=15
    )


class PauseForm(forms.Form):
    reason = forms.CharField(label="Reason", required=False, max_length=500)
