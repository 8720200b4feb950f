"""Forms for the claim pages. They parse input; every rule lives in apps.claims.services."""

import re

from django import forms

from .models import Claimant, Verdict

_LINE_BREAK = re.compile(r"\r\n?")


def first_error(form: forms.Form) -> str:
    """One readable sentence for an invalid form, naming the field."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label or name.replace('_', ' ').capitalize()}: {errors[0]}"
    return "The form is not valid."


class SpanForm(forms.Form):
    """A span of an article, as selection.js sends it: code-point offsets and the quote."""

    article = forms.IntegerField(widget=forms.HiddenInput)
    start = forms.IntegerField(widget=forms.HiddenInput)
    end = forms.IntegerField(widget=forms.HiddenInput)
    # Not stripped: the quote must equal the article text at [start:end] exactly.
    quote = forms.CharField(strip=False, max_length=20_000, widget=forms.HiddenInput)
    claimant_name = forms.CharField(
        label="Claimant", required=False, max_length=200, help_text="Who made the claim (optional)"
    )


class ClaimantForm(forms.Form):
    """What the attribution guessed and an analyst may correct: kind and role."""

    kind = forms.ChoiceField(label="Kind", choices=Claimant.Kind.choices)
    role = forms.CharField(
        label="Role", required=False, max_length=300, help_text="Title or job, apart from the name"
    )


def quote_as_in_text(text: str, start, end, quote: str) -> str:
    """The quote with its line breaks as the article text has them.

    Browsers submit every line break in form data as CRLF, whatever the text holds (LF
    after normalisation, but CRLF or CR in text stored by other means). Only line breaks
    are forgiven: any other difference still reaches the service's check, which refuses it.
    """
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        return quote
    if not (0 <= start < end <= len(text)):
        return quote
    actual = text[start:end]
    if quote != actual and _LINE_BREAK.sub("\n", quote) == _LINE_BREAK.sub("\n", actual):
        return actual
    return quote


class ClaimCreateForm(SpanForm):
    statement = forms.CharField(
        label="Statement", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class VersionForm(forms.Form):
    """Every workflow form carries the version the user saw (optimistic concurrency)."""

    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "The form lost the claim's version; reload the page."},
    )


class ProposeVerdictForm(VersionForm):
    verdict = forms.ChoiceField(
        label="Verdict", required=False, choices=[("", "Choose a verdict…"), *Verdict.choices]
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ApproveForm(VersionForm):
    note = forms.CharField(
        label="Note", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label="Override: publish without evidence, reason",
        required=False,
        max_length=2000,
        help_text="Only needed when the claim has no evidence linked.",
    )
    # Set by the confirmation step: without it the browser is asked "Publish this claim?".
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class NoteForm(VersionForm):
    note = forms.CharField(
        label="Note", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
