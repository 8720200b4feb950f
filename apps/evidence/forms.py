"""The evidence forms on the claim page. Rules (URL schemes, published claims) live in
apps.evidence.services."""

from django import forms

from .models import EvidenceLink, Source
from .services import MISSING_SOURCE

STANCE_MISSING = "Choose a stance: supports, refutes or context."


class EvidenceForm(forms.Form):
    url = forms.CharField(
        label="URL",
        required=False,
        max_length=2000,
        help_text="Its title and publisher are fetched for you; type them to set your own.",
        widget=forms.URLInput(attrs={"placeholder": "https://…", "autocomplete": "off"}),
    )
    # Another article in Claimtrack, picked with the article search (its id).
    article = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    title = forms.CharField(label="Title", required=False, max_length=500)
    publisher = forms.CharField(label="Publisher", required=False, max_length=200)
    kind = forms.ChoiceField(label="Kind", choices=Source.Kind.choices, initial=Source.Kind.OTHER)
    stance = forms.ChoiceField(
        label="Stance",
        required=False,
        choices=[("", "Choose a stance…"), *EvidenceLink.Stance.choices],
    )
    quote = forms.CharField(
        label="Relevant quote",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label="Note", required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        """What is missing, next to its field: a source first (the URL field stands for the
        choice of URL, article or note), then the stance."""
        data = super().clean()
        no_source = not (data.get("url") or data.get("article") or (data.get("note") or "").strip())
        if no_source and not {"url", "article", "note"} & set(self.errors):
            self.add_error("url", MISSING_SOURCE)
        if not data.get("stance") and "stance" not in self.errors:
            self.add_error("stance", STANCE_MISSING)
        return data

    def add_domain_error(self, exc) -> None:
        """A service's DomainError, next to the field it names (`exc.field`), else on top."""
        field = getattr(exc, "field", None)
        self.add_error(field if field in self.fields else None, exc.message)


class SourceDetailsForm(forms.Form):
    """Correct a source's title and publisher (fetched ones are guesses)."""

    title = forms.CharField(label="Title", required=False, max_length=500)
    publisher = forms.CharField(label="Publisher", required=False, max_length=200)


def blank_evidence_form() -> EvidenceForm:
    return EvidenceForm(auto_id="id_evidence_%s")
