"""The evidence form on the claim page. Rules (URL schemes, published claims) live in
apps.evidence.services."""

from django import forms

from .models import EvidenceLink, Source


class EvidenceForm(forms.Form):
    url = forms.CharField(
        label="URL",
        required=False,
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://…"}),
    )
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
