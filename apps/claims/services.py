"""Every write to claims, appearances and the verification workflow.

The browser, the API, the admin and the workers all call these functions, so the rules
(who may do what, in which status, on which version) live here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pghistory
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Func, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from apps.accounts.roles import is_analyst, is_editor
from apps.articles.models import Article
from apps.core.errors import Conflict, DomainError, NotAllowed

from .embeddings import embed_claims
from .evidence import evidence
from .models import Appearance, Claim, Claimant, Review, Status, Verdict

CONTEXT_CHARS = 32
MAX_STATEMENT = 2000


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


def span_anchor(*, article: Article, start, end, quote: str) -> Anchor:
    """Check a code-point span against the article text; return it with its context."""
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        raise DomainError("The selection's start and end must be whole numbers.") from None
    length = len(article.text)
    if not (0 <= start < end <= length):
        raise DomainError(
            f"The selection {start}–{end} is outside the article text (0–{length}). "
            "Reload the article and select the text again.",
            code="span_out_of_range",
            details={"start": start, "end": end, "text_length": length},
        )
    actual = article.text[start:end]
    if isinstance(quote, str) and quote != actual and "\r" in quote:
        # Browsers send every line break in form data as CRLF; the stored text has LF.
        quote = quote.replace("\r\n", "\n").replace("\r", "\n")
    if quote is None or actual != quote:
        raise DomainError(
            "The selected quote does not match the article text at that position; the text may "
            "have changed since the page was loaded. Reload the article and select it again.",
            code="quote_mismatch",
            details={"start": start, "end": end, "expected": actual, "received": quote},
        )
    if not actual.strip():
        raise DomainError("The selection is only white space; select the words of the claim.")
    return Anchor(
        start=start,
        end=end,
        quote=actual,
        prefix=article.text[max(0, start - CONTEXT_CHARS) : start],
        suffix=article.text[end : end + CONTEXT_CHARS],
    )


def _require_analyst(user: User | None, action: str) -> None:
    if not is_analyst(user):
        raise NotAllowed(f"Only analysts, editors and admins can {action}.")


def _require_editor(user: User | None, action: str) -> User:
    if user is None or not is_editor(user):
        raise NotAllowed(f"Only editors can {action}; ask an editor to review this claim.")
    return user


def claimant_resolve(
    *, name: str, kind: str = "", role: str = "", article: Article | None = None
) -> Claimant | None:
    """The claimant `name` refers to (`claimant_match`: by name and alias), or a new one.

    A variant spelling or an acronym met for the first time is kept as an alias. A new
    claimant takes `kind` (person or organisation, from the attribution guess; person when
    unknown) and `role` ("CEO", kept apart from the name); a found one keeps the kind an
    analyst may have corrected, and gets the role only when it has none."""
    name = " ".join((name or "").split())[:200]
    if not name:
        return None
    from .nlp.attribution import claimant_key

    role = " ".join((role or "").split())[:300]
    found = claimant_match(name=name, article=article)
    if found is None:
        return Claimant.objects.create(
            name=name,
            key=claimant_key(name),
            kind=kind if kind in Claimant.Kind.values else Claimant.Kind.PERSON,
            role=role,
            aliases=[],
        )
    changed = []
    # A shortened form ("Lopez" of "Carlos Lopez") is not an alias: kept as one, it would
    # bind every later "Lopez" to this claimant, even where another is meant.
    shortened = set(claimant_key(name).split()) < set(found.key.split())
    if name != found.name and name not in found.aliases and not shortened:
        found.aliases = [*found.aliases, name]
        changed.append("aliases")
    if role and not found.role:
        found.role = role
        changed.append("role")
    if changed:
        found.save(update_fields=[*changed, "updated_at"])
    return found


def claimant_match(*, name: str, article: Article | None = None) -> Claimant | None:
    """The tracked claimant that `name` refers to, by its name or an alias, or None.

    An exact match of the normal form (`claimant_key`) of the name or of an alias wins;
    otherwise a variant (`same_claimant`: a surname alone, a spelling one edit away, an
    acronym and its expansion). When a variant fits several claimants ("Lopez" for Ana
    and Carlos Lopez), the one already tagged in `article` is taken; with none or several
    there, None: a new record is easier to merge than a wrong one is to notice."""
    from .nlp.attribution import claimant_key, same_claimant

    name = " ".join((name or "").split())[:200]
    key = claimant_key(name) if name else ""
    if not key:
        return None
    candidates = list(_claimant_candidates(name, key))
    exact = [c for c in candidates if key in {c.key, *(claimant_key(a) for a in c.aliases)}]
    if exact:
        return exact[0]
    variants = [c for c in candidates if any(same_claimant(name, n) for n in [c.name, *c.aliases])]
    if len(variants) > 1 and article is not None:
        here = set(
            Appearance.objects.filter(article=article, claimant__in=variants).values_list(
                "claimant_id", flat=True
            )
        )
        variants = [c for c in variants if c.pk in here]
    return variants[0] if len(variants) == 1 else None


_CANDIDATE_LIMIT = 200
# Words an acronym skips ("Ministry of Defence" ~ "MOD"); they only narrow the query
# here, `same_claimant` decides.
_ACRONYM_SKIPS = ("of", "for", "and", "the", "on", "in", "de")
_ACRONYM_GAPS = "(?:(?:" + "|".join(_ACRONYM_SKIPS) + ") )*"


def _claimant_candidates(name: str, key: str):
    """Claimants that may be `name`, for `same_claimant` to decide: the first or last word
    of its normal form (its first four letters, so that a one-letter variant of a long
    word comes too) in their normal name or an alias; its initials as their name or an
    alias; or their name spelled out by its letters when it is an acronym."""
    aliases = Lower(
        Func(F("aliases"), Value(" | "), function="array_to_string", output_field=CharField())
    )
    tokens = key.split()
    query = Q(key=key)
    for token in {tokens[0], tokens[-1]}:
        query |= Q(key__icontains=token[:4]) | Q(alias_text__icontains=token[:4])
    if len(tokens) > 1:
        initials = "".join(t[0] for t in tokens if t not in _ACRONYM_SKIPS)
        query |= Q(key=initials) | Q(alias_text__icontains=initials)
    letters = re.sub(r"[^\w]", "", name)
    if 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper():
        spelled = " ".join(f"{_ACRONYM_GAPS}{c.lower()}[a-z0-9]*" for c in letters)
        query |= Q(key__regex=f"^{spelled}$")
    return (
        Claimant.objects.filter(merged_into__isnull=True)
        .annotate(alias_text=aliases)
        .filter(query)
        .order_by("id")[:_CANDIDATE_LIMIT]
    )


@transaction.atomic
def claimant_update(*, claimant: Claimant, by: User | None, kind: str, role: str) -> Claimant:
    """Correct what the guess got wrong: whether a claimant is a person or an
    organisation, and their role (kept apart from the name)."""
    _require_analyst(by, "edit claimants")
    if kind not in Claimant.Kind.values:
        raise DomainError("A claimant is a person or an organisation.", code="invalid_kind")
    role = " ".join((role or "").split())
    if len(role) > 300:
        raise DomainError("The role is longer than 300 characters; shorten it.")
    Claimant.objects.filter(pk=claimant.pk).update(kind=kind, role=role, updated_at=timezone.now())
    claimant.refresh_from_db()
    return claimant


@transaction.atomic
def appearance_create(
    *,
    claim: Claim,
    article: Article,
    start,
    end,
    quote: str,
    by: User | None,
    claimant_name: str = "",
    claimant_kind: str = "",
    claimant_role: str = "",
    guess_claimant: bool = False,
    origin: str = Appearance.Origin.ANALYST,
) -> Appearance:
    """Attach a span of an article to `claim`. The claimant is the one named (found by
    name and alias before one is created, `claimant_resolve`); without a name, nobody,
    unless the caller asks to `guess_claimant` from the text (the API's documented
    default): a guess is otherwise only offered, never stored unseen."""
    _require_analyst(by, "tag claims")
    anchor = span_anchor(article=article, start=start, end=end, quote=quote)
    claimant = _appearance_claimant(
        article,
        anchor,
        name=claimant_name,
        kind=claimant_kind,
        role=claimant_role,
        guess=guess_claimant,
    )
    if (
        Appearance.objects.filter(claim=claim, article=article, orphaned=False)
        .filter(start__lt=anchor.end, end__gt=anchor.start)
        .exists()
    ):
        raise DomainError(
            "This span of this article is already attached to that claim.",
            code="duplicate_appearance",
        )
    try:
        with transaction.atomic(), pghistory.context(user=by.pk if by else None):
            appearance = Appearance.objects.create(
                claim=claim,
                article=article,
                claimant=claimant,
                start=anchor.start,
                end=anchor.end,
                quote=anchor.quote,
                prefix=anchor.prefix,
                suffix=anchor.suffix,
                origin=origin,
                tagged_by=by,
            )
    except IntegrityError:
        raise DomainError(
            "This span of this article is already attached to that claim.",
            code="duplicate_appearance",
        ) from None
    from .suggestions import suggestions_close_tagged

    suggestions_close_tagged(appearance=appearance, by=by)
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now())
    return appearance


def _appearance_claimant(
    article: Article, anchor: Anchor, *, name: str, kind: str, role: str, guess: bool
) -> Claimant | None:
    """The claimant named for a span. A name without a kind takes the kind and role of
    the attribution guess for the span when the guess names the same claimant (the
    reading page offers the guess, and the analyst picked it)."""
    from .nlp.attribution import guess_claimant, same_claimant

    name = " ".join((name or "").split())
    if not name and not guess:
        return None
    if not kind:
        guessed = guess_claimant(article.text, anchor.start, anchor.end)
        if guessed is not None and (not name or same_claimant(name, guessed.name)):
            name = name or guessed.name
            kind, role = guessed.kind, role or guessed.role
    return claimant_resolve(name=name, kind=kind, role=role, article=article)


@transaction.atomic
def claim_create(
    *,
    article: Article,
    start,
    end,
    quote: str,
    by: User | None,
    statement: str = "",
    claimant_name: str = "",
    claimant_kind: str = "",
    claimant_role: str = "",
    guess_claimant: bool = False,
    origin: str = Appearance.Origin.ANALYST,
) -> Claim:
    """A new claim from a span of an article: the claim plus its first appearance (the
    claimant as in `appearance_create`). Without a `statement`, the quote without who
    says it (`statement_from_quote`)."""
    from .nlp.statement import statement_from_quote

    _require_analyst(by, "create claims")
    anchor = span_anchor(article=article, start=start, end=end, quote=quote)
    statement = " ".join(statement.split()) or statement_from_quote(
        article.text, anchor.start, anchor.end
    )
    if not statement:
        raise DomainError("The claim needs a statement.")
    if len(statement) > MAX_STATEMENT:
        raise DomainError(f"The statement is longer than {MAX_STATEMENT} characters; shorten it.")
    with pghistory.context(user=by.pk if by else None):
        claim = Claim.objects.create(statement=statement, created_by=by)
        appearance_create(
            claim=claim,
            article=article,
            start=anchor.start,
            end=anchor.end,
            quote=anchor.quote,
            by=by,
            claimant_name=claimant_name,
            claimant_kind=claimant_kind,
            claimant_role=claimant_role,
            guess_claimant=guess_claimant,
            origin=origin,
        )
    embed_claims([claim])
    claim.refresh_from_db()
    return claim


# --- Verification workflow -------------------------------------------------------------

# action: (statuses it may start from, status it leads to, needs editor)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "start_research": ((Status.NEW,), Status.RESEARCHING, False),
    "propose": ((Status.NEW, Status.RESEARCHING), Status.RESEARCHING, False),
    "submit": ((Status.NEW, Status.RESEARCHING), Status.IN_REVIEW, False),
    "approve": ((Status.IN_REVIEW,), Status.PUBLISHED, True),
    "send_back": ((Status.IN_REVIEW,), Status.RESEARCHING, True),
    "reopen": ((Status.PUBLISHED,), Status.RESEARCHING, True),
}
ACTION_LABELS = {
    "start_research": "start research",
    "propose": "propose a verdict",
    "submit": "submit for review",
    "approve": "approve and publish",
    "send_back": "send back",
    "reopen": "reopen",
}


def allowed_actions(*, claim: Claim, user: User | None) -> list[str]:
    actions = []
    for action, (sources, _target, editor_only) in TRANSITIONS.items():
        if claim.status not in sources:
            continue
        if editor_only and not is_editor(user):
            continue
        if not is_analyst(user):
            continue
        actions.append(action)
    return actions


def _transition(
    *, claim: Claim, action: str, by: User | None, version: int | None, note: str = "", **changes
) -> Claim:
    """Apply a workflow transition as ONE conditional UPDATE on (id, version, status).
    `note` (the editor's) goes into the notices it sends."""
    sources, target, editor_only = TRANSITIONS[action]
    label = ACTION_LABELS[action]
    if editor_only:
        _require_editor(by, label)
    else:
        _require_analyst(by, label)
    expected = claim.version if version is None else int(version)
    now = timezone.now()
    with pghistory.context(user=by.pk if by else None, action=action):
        updated = Claim.objects.filter(pk=claim.pk, version=expected, status__in=sources).update(
            status=target, version=F("version") + 1, updated_at=now, **changes
        )
    if updated != 1:
        _refuse_transition(claim_id=claim.pk, action=action, by=by, expected=expected)
    from_status = claim.status
    claim.refresh_from_db()
    _after_transition(claim=claim, action=action, by=by, from_status=from_status, note=note)
    return claim


def _refuse_transition(*, claim_id: int, action: str, by: User | None, expected: int) -> None:
    """Why `action` does not apply to the claim at version `expected`: it was deleted,
    someone else changed it (Conflict), or its status is not one the action starts from."""
    current = Claim.objects.filter(pk=claim_id).first()
    if current is None:
        raise DomainError("This claim has been deleted.", code="not_found")
    if current.version != expected:
        raise Conflict(
            f"Someone else changed this claim (you had version {expected}, it is now "
            f"version {current.version}). Reload to see their change, then try again.",
            details={"your_version": expected, "current_version": current.version},
        )
    allowed = [ACTION_LABELS[a] for a in allowed_actions(claim=current, user=by)]
    status = current.get_status_display().lower()
    raise NotAllowed(
        f"Cannot {ACTION_LABELS[action]} a claim that is {status}. "
        + (
            f"Allowed now: {', '.join(allowed)}." if allowed else "No action is allowed to you now."
        ),
        code="invalid_transition",
        details={"status": current.status, "allowed": allowed},
    )


def _after_transition(
    *, claim: Claim, action: str, by: User | None, from_status: str, note: str = ""
) -> None:
    """Notices to the people working on the claim (to every editor when it is submitted),
    and webhooks, in the same transaction."""
    from . import notifications

    people = [claim.assignee, claim.proposed_by]
    statement = claim.statement if len(claim.statement) <= 80 else claim.statement[:79] + "…"
    who = by.get_username() if by else "someone"
    if action == "submit":
        notifications.notify(
            users=notifications.editors(),
            kind="submitted",
            claim=claim,
            by=by,
            message=f"Submitted for review by {who}: “{statement}”",
        )
    elif action == "send_back":
        notifications.notify(
            users=people,
            kind="sent_back",
            claim=claim,
            by=by,
            message=f"Sent back for more work by {who}: “{statement}”. Note: {note.strip()}",
        )
    elif action == "approve":
        notifications.notify(
            users=people,
            kind="published",
            claim=claim,
            by=by,
            message=f"Published as {claim.get_verdict_display().lower()}: “{statement}”",
        )
    if claim.status != from_status:
        notifications.webhooks_dispatch(claim=claim, action=action, from_status=from_status)


def _check_verdict(verdict: str, rationale: str) -> tuple[str, str]:
    verdict = (verdict or "").strip()
    if verdict not in Verdict.values:
        raise DomainError(
            f"Unknown verdict {verdict!r}; choose one of: {', '.join(Verdict.values)}.",
            code="invalid_verdict",
        )
    rationale = (rationale or "").strip()
    if not rationale:
        raise DomainError("Write a rationale: say why the evidence leads to this verdict.")
    return verdict, rationale


@transaction.atomic
def claim_start_research(*, claim: Claim, by: User | None, version: int | None = None) -> Claim:
    return _transition(claim=claim, action="start_research", by=by, version=version)


@transaction.atomic
def claim_propose_verdict(
    *,
    claim: Claim,
    verdict: str,
    rationale: str,
    by: User | None,
    version: int | None = None,
    merge: bool = False,
) -> Claim:
    """With `merge` (the claim page's form), a stale `version` is a conflict only when
    someone else changed the verdict or rationale meanwhile (`_rebase`); the API keeps
    every stale version a conflict."""
    verdict, rationale = _check_verdict(verdict, rationale)
    if merge and version is not None:
        version = _rebase(
            claim=claim,
            base_version=int(version),
            mine={"verdict": verdict, "rationale": rationale},
            what="proposed a verdict",
        )
    return _transition(
        claim=claim,
        action="propose",
        by=by,
        version=version,
        verdict=verdict,
        rationale=rationale,
        proposed_by=by,
    )


@transaction.atomic
def claim_submit_for_review(*, claim: Claim, by: User | None, version: int | None = None) -> Claim:
    if not claim.verdict or not claim.rationale.strip():
        raise DomainError(
            "Propose a verdict with a rationale before submitting for review.",
            code="verdict_required",
        )
    return _transition(
        claim=claim, action="submit", by=by, version=version, submitted_at=timezone.now()
    )


@transaction.atomic
def review_approve(
    *,
    claim: Claim,
    by: User | None,
    note: str = "",
    override_reason: str = "",
    version: int | None = None,
) -> Claim:
    """Publish the proposed verdict. Needs at least one evidence link unless the editor
    states why not (recorded on the review)."""
    by = _require_editor(by, ACTION_LABELS["approve"])
    if not evidence().exists(claim.pk):
        _require_evidence_or_reason(override_reason)
        note = f"{note}\n[Published without evidence: {override_reason.strip()}]".strip()
    claim = _transition(
        claim=claim, action="approve", by=by, version=version, published_at=timezone.now()
    )
    Review.objects.create(
        claim=claim, editor=by, decision=Review.Decision.APPROVE, verdict=claim.verdict, note=note
    )
    return claim


def _require_evidence_or_reason(override_reason: str) -> None:
    if not override_reason.strip():
        raise DomainError(
            "Link at least one piece of evidence before publishing, or give a reason to "
            "publish without evidence.",
            code="evidence_required",
        )


def review_approve_check(
    *, claim: Claim, by: User | None, override_reason: str = "", version: int | None = None
) -> None:
    """Raise what `review_approve` would raise, writing nothing: the browser asks the editor
    to confirm publishing only when publishing can go ahead."""
    _require_editor(by, ACTION_LABELS["approve"])
    if not evidence().exists(claim.pk):
        _require_evidence_or_reason(override_reason)
    expected = claim.version if version is None else int(version)
    sources = TRANSITIONS["approve"][0]
    if not Claim.objects.filter(pk=claim.pk, version=expected, status__in=sources).exists():
        _refuse_transition(claim_id=claim.pk, action="approve", by=by, expected=expected)


@transaction.atomic
def review_send_back(
    *, claim: Claim, by: User | None, note: str, version: int | None = None
) -> Claim:
    by = _require_editor(by, ACTION_LABELS["send_back"])
    if not (note or "").strip():
        raise DomainError(
            "Say what needs more work when sending a claim back.", code="note_required"
        )
    claim = _transition(claim=claim, action="send_back", by=by, version=version, note=note)
    Review.objects.create(
        claim=claim,
        editor=by,
        decision=Review.Decision.SEND_BACK,
        verdict=claim.verdict,
        note=note.strip(),
    )
    return claim


@transaction.atomic
def claim_reopen(*, claim: Claim, by: User | None, note: str, version: int | None = None) -> Claim:
    by = _require_editor(by, ACTION_LABELS["reopen"])
    if not (note or "").strip():
        raise DomainError("Say why the published claim is being reopened.", code="note_required")
    claim = _transition(claim=claim, action="reopen", by=by, version=version, published_at=None)
    Review.objects.create(
        claim=claim,
        editor=by,
        decision=Review.Decision.REOPEN,
        verdict=claim.verdict,
        note=note.strip(),
    )
    return claim


# --- Editing ---------------------------------------------------------------------------

EDITABLE_FIELDS = ("statement", "tags", "assignee")


def _clean_tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = []
    for tag in tags or []:
        tag = " ".join(str(tag).split()).lower()[:50]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


@transaction.atomic
def claim_update(*, claim: Claim, by: User | None, version: int | None = None, **changes) -> Claim:
    """Edit a claim's statement, tags or assignee, as one conditional UPDATE on its version.

    A stale version raises Conflict whose details list what the other person changed, so
    the UI can show it and let the user re-apply their edit."""
    _require_analyst(by, "edit claims")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    values: dict = {}
    if "statement" in changes:
        statement = " ".join((changes["statement"] or "").split())
        if not statement:
            raise DomainError("The statement cannot be empty.")
        if len(statement) > MAX_STATEMENT:
            raise DomainError(
                f"The statement is longer than {MAX_STATEMENT} characters; shorten it."
            )
        values["statement"] = statement
    if "tags" in changes:
        values["tags"] = _clean_tags(changes["tags"])
    if "assignee" in changes:
        assignee = changes["assignee"]
        if assignee is not None and not is_analyst(assignee):
            raise DomainError(
                f"{assignee} is not an analyst or editor; claims go to people who research."
            )
        values["assignee"] = assignee
    if claim.status == Status.PUBLISHED and "statement" in values:
        raise NotAllowed("A published claim's statement is fixed; an editor must reopen it first.")
    if claim.status == Status.IN_REVIEW and "statement" in values and not is_editor(by):
        # The editor approves what they read; a statement changed under them would be
        # published unseen. Tags and assignee stay editable.
        raise NotAllowed(
            "This claim is in review, so its statement is fixed while an editor reads it. "
            "Ask the editor to send it back, or to correct the wording themselves.",
            code="statement_in_review",
        )
    expected = claim.version if version is None else int(version)
    with pghistory.context(user=by.pk if by else None, action="edit"):
        updated = Claim.objects.filter(pk=claim.pk, version=expected).update(
            version=F("version") + 1, updated_at=timezone.now(), **values
        )
    if updated != 1:
        current = Claim.objects.filter(pk=claim.pk).first()
        if current is None:
            raise DomainError("This claim has been deleted.", code="not_found")
        theirs = {
            name: _display(getattr(current, name))
            for name in ("statement", "status", "verdict", "rationale", "tags", "assignee")
            if getattr(current, name) != getattr(claim, name)
        }
        raise Conflict(
            f"Someone else changed this claim (you had version {expected}, it is now version "
            f"{current.version}). Their changes are shown; re-apply yours if still needed.",
            details={
                "your_version": expected,
                "current_version": current.version,
                "their_changes": theirs,
            },
        )
    previous_assignee_id = claim.assignee_id
    claim.refresh_from_db()
    if "statement" in values:
        embed_claims([claim])
    if "assignee" in values and claim.assignee_id and claim.assignee_id != previous_assignee_id:
        from . import notifications

        notifications.notify(
            users=[claim.assignee],
            kind="assigned",
            claim=claim,
            by=by,
            message=f"Assigned to you: “{claim.statement[:80]}”",
        )
    return claim


MERGE_FIELDS = {"statement": "statement", "tags": "tags", "assignee": "assignee_id"}


def claim_as_loaded(*, claim_id: int, version: int, fields: dict | None = None) -> dict | None:
    """The claim's values at `version`, from its history (None if not recorded): `fields`
    maps names to columns, the edit form's by default."""
    from django.apps import apps as django_apps

    event_model = django_apps.get_model("claims", "ClaimEvent")
    snapshot = (
        event_model.objects.filter(pgh_obj_id=claim_id, version=version).order_by("-pgh_id").first()
    )
    if snapshot is None:
        return None
    return {name: getattr(snapshot, column) for name, column in (fields or MERGE_FIELDS).items()}


def _rebase(*, claim: Claim, base_version: int, mine: dict, what: str) -> int:
    """The version to apply a form made on `base_version` to: the current one when nobody
    else changed the fields in `mine` since (a three-way merge: their other changes stay).
    When someone did, to other values, Conflict with details["both_changed"]."""
    current = Claim.objects.select_for_update().filter(pk=claim.pk).first()
    if current is None:
        raise DomainError("This claim has been deleted.", code="not_found")
    if current.version == base_version:
        return base_version
    base = claim_as_loaded(
        claim_id=claim.pk, version=base_version, fields={name: name for name in mine}
    )
    both = {
        name: {"yours": value, "theirs": getattr(current, name)}
        for name, value in mine.items()
        if getattr(current, name) != value
        and (base is None or getattr(current, name) != base[name])
    }
    if both:
        theirs = "; ".join(f"{name}: “{values['theirs']}”" for name, values in both.items())
        raise Conflict(
            f"Someone else changed this claim since you loaded it (version {base_version}, "
            f"now {current.version}) and also {what} ({theirs}). Yours is kept in the form: "
            "save it again to replace theirs, or leave it.",
            details={
                "your_version": base_version,
                "current_version": current.version,
                "both_changed": both,
            },
        )
    return current.version


def _merge_value(name: str, value):
    """A proposed value in the form it is stored in, to compare (raw input is not)."""
    if name == "statement":
        return " ".join((value or "").split())
    if name == "tags":
        return _clean_tags(value)
    return value.pk if isinstance(value, User) else value


@transaction.atomic
def claim_update_merge(
    *, claim_id: int, by: User | None, base_version: int, proposed: dict
) -> Claim:
    """Save an edit form made on `base_version` as a three-way merge with the claim as it
    is now. A field the user left as loaded takes the current value; a field only they
    changed is saved; a field both they and someone else changed (to different values)
    raises Conflict with details["both_changed"] = {field: {"yours", "theirs"}} and
    nothing is saved. Without a history row for `base_version`, any field that differs
    from now counts as changed by both."""
    _require_analyst(by, "edit claims")
    unknown = set(proposed) - set(MERGE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    current = Claim.objects.select_for_update().filter(pk=claim_id).first()
    if current is None:
        raise DomainError("This claim has been deleted.", code="not_found")
    now = {name: getattr(current, column) for name, column in MERGE_FIELDS.items()}
    if base_version == current.version:
        base = now
    else:
        base = claim_as_loaded(claim_id=claim_id, version=base_version) or {}
    mine = {name: _merge_value(name, value) for name, value in proposed.items()}
    changed = {name for name in mine if name not in base or mine[name] != base[name]}
    if not changed:
        raise DomainError("Nothing changed.", code="unchanged")
    both = {
        name: {"yours": proposed[name], "theirs": _display(getattr(current, name))}
        for name in sorted(changed)
        if now[name] != base.get(name, object()) and now[name] != mine[name]
    }
    if both:
        raise Conflict(
            f"Someone else changed this claim since you loaded it (version {base_version}, "
            f"now {current.version}), and changed {', '.join(both)} as you did. "
            "Choose which to keep.",
            details={
                "your_version": base_version,
                "current_version": current.version,
                "both_changed": both,
                "yours_changed": sorted(changed),
            },
        )
    changes = {name: proposed[name] for name in changed if mine[name] != now[name]}
    if not changes:
        return current  # someone else made the same change meanwhile
    return claim_update(claim=current, by=by, version=current.version, **changes)


def _display(value):
    if isinstance(value, User):
        return value.get_username()
    return value


@transaction.atomic
def claim_delete(*, claim: Claim, by: User | None, version: int | None = None) -> None:
    """Delete a claim (editors and admins). The delete is recorded in the history, which
    also serves API clients as the tombstone to sync from."""
    _require_editor(by, "delete claims")
    expected = claim.version if version is None else int(version)
    with pghistory.context(user=by.pk if by else None, action="delete"):
        deleted, _ = Claim.objects.filter(pk=claim.pk, version=expected).delete()
    if not deleted:
        if Claim.objects.filter(pk=claim.pk).exists():
            raise Conflict("Someone changed this claim since you loaded it; reload, then delete.")
        raise DomainError("This claim has already been deleted.", code="not_found")


# --- Bulk actions ----------------------------------------------------------------------

BULK_ACTIONS = ("assign", "add_tag", "start_research", "submit", "approve", "send_back", "reopen")


@dataclass(frozen=True)
class BulkResult:
    claim_id: int
    ok: bool
    message: str


def claims_bulk(
    *,
    claim_ids,
    action: str,
    by: User | None,
    assignee: User | None = None,
    tag: str = "",
    note: str = "",
) -> list[BulkResult]:
    """Apply one action to many claims. Each claim succeeds or fails on its own (its own
    transaction and version check), and each gets a result line."""
    if action not in BULK_ACTIONS:
        raise DomainError(
            f"Unknown bulk action {action!r}; choose one of: {', '.join(BULK_ACTIONS)}."
        )
    _require_analyst(by, "change claims")
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    if not ids:
        raise DomainError("Select at least one claim.")
    claims = {c.pk: c for c in Claim.objects.filter(pk__in=ids)}
    results = []
    for claim_id in ids:
        claim = claims.get(claim_id)
        if claim is None:
            results.append(BulkResult(claim_id, False, "Not found (deleted?)."))
            continue
        try:
            with transaction.atomic():
                message = _bulk_one(claim, action, by=by, assignee=assignee, tag=tag, note=note)
        except DomainError as exc:
            results.append(BulkResult(claim_id, False, exc.message))
        else:
            results.append(BulkResult(claim_id, True, message))
    return results


def _bulk_one(claim: Claim, action: str, *, by, assignee, tag: str, note: str) -> str:
    if action == "assign":
        claim_update(claim=claim, by=by, assignee=assignee)
        return f"Assigned to {assignee.get_username()}." if assignee else "Unassigned."
    if action == "add_tag":
        tags = _clean_tags([tag])
        if not tags:
            raise DomainError("Give a tag to add.")
        if tags[0] in claim.tags:
            return f"Already tagged “{tags[0]}”."
        claim_update(claim=claim, by=by, tags=[*claim.tags, tags[0]])
        return f"Tagged “{tags[0]}”."
    handlers = {
        "start_research": lambda: claim_start_research(claim=claim, by=by),
        "submit": lambda: claim_submit_for_review(claim=claim, by=by),
        "approve": lambda: review_approve(claim=claim, by=by, note=note),
        "send_back": lambda: review_send_back(claim=claim, by=by, note=note),
        "reopen": lambda: claim_reopen(claim=claim, by=by, note=note),
    }
    updated = handlers[action]()
    return f"Now {updated.get_status_display().lower()}."
