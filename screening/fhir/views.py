"""The app's own FHIR Questionnaire, published so exported responses can be read against it."""

from flask import Blueprint, current_app

from screening.domain import fhir_treatment

bp = Blueprint("fhir", __name__, url_prefix="/fhir")


@bp.get("/Questionnaire/treatment-history")
def treatment_questionnaire():
    response = current_app.json.response(fhir_treatment.questionnaire())
    response.mimetype = "application/fhir+json"
    return response
