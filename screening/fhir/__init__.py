"""FHIR: the published Questionnaire resources, and scoring of external QuestionnaireResponses."""

from screening.fhir.views import bp

__all__ = ["bp"]
