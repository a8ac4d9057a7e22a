"""The patient's side: the questionnaire, its steps, the summary and the patient's own store."""

from screening.patient import steps, views  # noqa: F401 - the modules register their routes
from screening.patient.blueprint import bp

__all__ = ["bp"]
