"""The reception desk and the clinician: sign-in, queue, look-up, print, acknowledge, accounts."""

from screening.staff.views import bp

__all__ = ["bp"]
