"""Forms validate the shape of the input; the rules live in services."""

import re
from pathlib import Path

from django import forms

from apps.articles.models import Outlet

from .importers import HTML_SUFFIXES, TEXT_SUFFIXES, ImportFileError, Record, records_from_bytes
from .services import BATCH_MAX_BYTES

# An uploaded article file (HTML, plain text or a JSON record) may be this large.
ARTICLE_FILE_MAX_BYTES = 5_000_000
ARTICLE_FILE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".json"}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


class AddArticleForm(forms.Form):
    url = forms.CharField(
        label="Web address of the article",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autofocus": True}),
    )


class AddContentForm(forms.Form):
    """An article whose page cannot be fetched: its text pasted, or its file uploaded (HTML,
    plain text, or one JSON record as `import_articles` reads them), with what is known of
    it. Fields typed here win over what the file says; empty ones leave the file's own.

    `record` (after is_valid, and also when only another field is wrong) is what will be
    submitted: the pasted text or the file's content, its format and its metadata."""

    FORMATS = [("text", "Plain text"), ("html", "HTML")]

    text = forms.CharField(
        label="The article's text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    format = forms.ChoiceField(
        label="The pasted text is", choices=FORMATS, initial="text", required=False
    )
    file = forms.FileField(
        label="Or a file",
        required=False,
        help_text=(
            "HTML, plain text (UTF-8), or a JSON record with 'text' or 'html' (and optionally "
            "title, url, outlet, published_at, language, authors); up to 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ARTICLE_FILE_SUFFIXES))}),
    )
    title = forms.CharField(label="Title", required=False, max_length=1000)
    outlet = forms.CharField(
        label="Outlet", required=False, max_length=200, help_text="The publication's name."
    )
    url = forms.CharField(
        label="Web address",
        required=False,
        max_length=2000,
        help_text="Where it was published, if it has an address (it is not fetched).",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    published_at = forms.DateField(
        label="Published on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    language = forms.CharField(
        label="Language",
        required=False,
        max_length=12,
        help_text="A language code, such as en, fr or pt-BR.",
    )

    record: Record | None = None

    def clean_language(self):
        value = self.cleaned_data.get("language", "").strip()
        if value and not _LANGUAGE.match(value):
            raise forms.ValidationError("Enter a language code, such as en, fr or pt-BR.")
        return value

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        name = Path(upload.name or "upload").name
        if upload.size > ARTICLE_FILE_MAX_BYTES:
            raise forms.ValidationError(
                f"{name} is larger than {ARTICLE_FILE_MAX_BYTES // 1_000_000} MB "
                f"({upload.size / 1_000_000:.1f} MB); paste the article's text instead."
            )
        suffix = Path(name).suffix.lower()
        if suffix == ".jsonl":
            raise forms.ValidationError(
                f"{name}: a JSON Lines file holds many articles; upload one JSON record here, "
                "or ask for the file to be imported with import_articles."
            )
        try:
            records = records_from_bytes(name, upload.read())
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        if len(records) != 1:
            raise forms.ValidationError(
                f"{name} holds {len(records)} articles; upload one record at a time, or ask "
                "for the file to be imported with import_articles."
            )
        record = records[0]
        record.name = name
        self.record = record
        return upload

    def clean(self):
        data = super().clean()
        if self.record is None and "file" not in self.errors:
            text = data.get("text") or ""
            if data.get("file") is None and not text.strip():
                if text:
                    raise forms.ValidationError(
                        "The text is only blank space; paste the article's text or choose a file."
                    )
                raise forms.ValidationError("Paste the article's text or choose a file.")
            if text.strip():
                self.record = Record(
                    name=(data.get("title") or data.get("url") or "Pasted text")[:255],
                    content=text,
                    fmt=data.get("format") or "text",
                )
        elif self.record is not None and (data.get("text") or "").strip():
            self.record = None
            raise forms.ValidationError(
                "Paste the text or choose a file, not both: clear one of them."
            )
        if self.record is not None:
            metadata = dict(self.record.metadata)
            for key in ("title", "outlet", "url", "language"):
                value = (data.get(key) or "").strip()
                if value:
                    metadata[key] = value
            if data.get("published_at"):
                metadata["published_at"] = data["published_at"].isoformat()
            self.record.metadata = metadata
        return data


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
