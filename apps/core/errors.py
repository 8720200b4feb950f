"""The one domain error type. Services raise it; views and the API turn it into a message."""


class DomainError(Exception):
    """A rule was broken. `message` is written for the person who made the request."""

    code = "invalid"
    status = 400
    field = ""  # the form field the error is about, when there is one

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class NotAllowed(DomainError):
    """The user's role, or the object's state, does not allow the action."""

    code = "not_allowed"
    status = 403


class Conflict(DomainError):
    """Someone else changed the object since the user loaded it."""

    code = "conflict"
    status = 409


class NotFound(DomainError):
    code = "not_found"
    status = 404
