"""The one error type the core raises at users."""

__all__ = ["GMMInputError"]


class GMMInputError(ValueError):
    """A request the core cannot honour, phrased for the person who made it.

    The message always says what is wrong and what to do about it, so pages can
    show it as-is (as plain text, never HTML). Anything else escaping the core is a bug.
    """
