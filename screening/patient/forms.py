"""One WTForms class per questionnaire step and language, built from the domain's question data.

Field labels and hints are the question data in the step's language; the messages below are fixed
at import time, so they are lazy (`_l`) and translated when shown.
"""

from decimal import Decimal
from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from screening.domain import flow
from screening.domain.questions import Question, all_questions

CHOOSE_ONE = _l("Choose an answer to continue.")
CHOOSE_ANY = _l("Choose at least one answer, or “None of these”.")
WHOLE_NUMBER = _l("Enter a whole number, like 8.")
NUMBER = _l("Enter a number, like 100.")
CHOOSE = _l("Choose…")
CHOOSE_MEDICINE = _l("Choose a medicine…")
MEDICINE_REQUIRED = _l("Choose a medicine from the list.")


def _choices(question: Question) -> list[SelectChoice]:
    return [SelectChoice(o.value, o.label) for o in question.options]


def _required(question: Question, message: str = CHOOSE_ONE) -> list:
    # InputRequired, never DataRequired: "Not at all" (0) is a real answer.
    return [InputRequired(message=message)] if question.required else [Optional()]


def _range(question: Question, message: str) -> list:
    return [NumberRange(min=question.minimum, max=question.maximum, message=message)]


def _radio(question: Question):
    return RadioField(question.text, choices=_choices(question), validators=_required(question),
                      description=question.hint)


def _select(question: Question):
    choices = [SelectChoice("", CHOOSE), *_choices(question)]
    return SelectField(question.text, choices=choices, validators=_required(question),
                       description=question.hint)


def _medicine(question: Question):
    choices = [SelectChoice("", CHOOSE_MEDICINE)] + [
        SelectChoice(option.value, option.label, optgroup=group)
        for group, options in question.groups for option in options
    ]
    return SelectField(question.text, choices=choices,
                       validators=[InputRequired(message=MEDICINE_REQUIRED)],
                       description=question.hint)


def _integer(question: Question):
    return IntegerField(question.text, description=question.hint,
                        validators=[Optional(), *_range(question, WHOLE_NUMBER)])


def _number(question: Question):
    return DecimalField(question.text, description=question.hint, places=None,
                        validators=[Optional(), *_range(question, NUMBER)])


def _text(question: Question):
    return StringField(question.text, description=question.hint,
                       validators=[Optional(), Length(max=120)])


def _checkbox(question: Question):
    return BooleanField(question.text, description=question.hint)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _multi(question: Question):
    return CheckboxesField(question.text, choices=_choices(question), description=question.hint,
                           validators=_required(question, CHOOSE_ANY))


FIELD_BUILDERS = {
    "choice": _radio, "select": _select, "medicine": _medicine, "integer": _integer,
    "number": _number, "text": _text, "checkbox": _checkbox, "multi": _multi,
}


def stored_value(field):
    """Answers are stored as strings (lists for checkboxes); empty means unanswered."""
    data = field.data
    if isinstance(field, BooleanField):
        return "y" if data else ""
    if isinstance(data, Decimal):
        return format(data.normalize(), "f")
    if isinstance(data, list):
        return [str(v) for v in data]
    return "" if data is None else str(data)


class StepForm(FlaskForm):
    step: flow.Step

    def answers(self) -> dict:
        return {name: stored_value(self[name]) for name in self.step.questions}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._validate_step_rules() and valid

    def _validate_step_rules(self) -> bool:
        valid = True
        for rule in self.step.one_of:
            if not any(stored_value(self[name]) for name in rule["fields"]):
                valid = self._fail(rule["fields"][0], rule["message"])
        for rule in self.step.pairs:
            if stored_value(self[rule["field"]]) and not stored_value(self[rule["with"]]):
                valid = self._fail(rule["with"], rule["message"])
        for rule in self.step.required_if:
            if self[rule["when"]].data == rule["equals"] and not stored_value(self[rule["field"]]):
                valid = self._fail(rule["field"], rule["message"])
        return valid

    def _fail(self, name: str, message: str) -> bool:
        if message not in self[name].errors:
            self[name].errors = [*self[name].errors, message]
        return False


def form_class(step: flow.Step) -> type[StepForm]:
    """The form for `step`, labelled in the step's language (flow.steps(language))."""
    return _form_class_for(step.number, step.language)


@cache
def _form_class_for(number: int, language: str) -> type[StepForm]:
    step = flow.step_by_number(number, language)
    questions = all_questions(language)
    fields = {qid: FIELD_BUILDERS[questions[qid].kind](questions[qid]) for qid in step.questions}
    return type(f"Step{step.number}Form{language.title()}", (StepForm,), {"step": step, **fields})


def is_generic_message(message) -> bool:
    """True for "Choose an answer", which the error summary prefixes with the question."""
    return str(message) == str(CHOOSE_ONE)


def form_data(step: flow.Step, answers: dict) -> dict:
    """Stored answers in the shape the fields expect (checkboxes as booleans)."""
    questions = all_questions()
    data = {}
    for qid in step.questions:
        if qid not in answers or answers[qid] in ("", None):
            continue
        data[qid] = answers[qid] == "y" if questions[qid].kind == "checkbox" else answers[qid]
    return data
