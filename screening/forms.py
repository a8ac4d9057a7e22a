"""One WTForms class per questionnaire step, built from the domain's question data."""

from functools import cache

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from .domain import flow
from .domain.questions import Question, all_questions

CHOOSE_ONE = "Choose one answer to continue."


def _choice_field(question: Question) -> RadioField:
    return RadioField(
        question.text,
        choices=[SelectChoice(option.value, option.label) for option in question.options],
        # InputRequired, never DataRequired: "Not at all" (0) is a real answer.
        validators=[InputRequired(message=CHOOSE_ONE)] if question.required else [],
        description=question.hint,
    )


FIELD_BUILDERS = {"choice": _choice_field}


class StepForm(FlaskForm):
    def answers(self) -> dict:
        return {
            name: field.data
            for name, field in self._fields.items()
            if name != "csrf_token" and field.data not in (None, "")
        }


@cache
def form_class(step: flow.Step) -> type[StepForm]:
    questions = all_questions()
    fields = {qid: FIELD_BUILDERS[questions[qid].kind](questions[qid]) for qid in step.questions}
    return type(f"Step{step.number}Form", (StepForm,), fields)


class NoticeForm(FlaskForm):
    """A notice step only records that the patient saw it."""


class ConfirmForm(FlaskForm):
    """Start, start again and the final submit carry nothing but the CSRF token."""
