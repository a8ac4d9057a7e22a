"""One WTForms class per questionnaire step and language, built from the domain's question data.

Field labels and hints are the question data in the step's language; the messages below are fixed
at import time, so they are lazy (`_l`) and translated when shown.
"""

from decimal import Decimal
from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from screening.clock import utcnow
from screening.domain import flow, numbers
from screening.domain.questions import Question, all_questions

CHOOSE_ONE = _l("Choose an answer to continue.")
CHOOSE_ANY = _l("Choose at least one answer, or “None of these”.")
WHOLE_NUMBER = _l("Enter a whole number, like 8.")
CHOOSE = _l("Choose…")
CHOOSE_MEDICINE = _l("Choose a medicine…")
MEDICINE_REQUIRED = _l("Choose a medicine from the list.")
NOT_A_CHOICE = _l("Choose one of the answers shown.")
NONE_WITH_OTHERS = _l("“None of these” cannot be chosen together with another answer.")
TOO_LONG = _l("This answer is too long: use at most 120 characters.")
NUMBER_MESSAGES = {
    numbers.NOT_A_NUMBER: _l("Enter a number using only digits, like 100 or 37.5."),
    numbers.WRONG_UNIT: _l("Enter the number only, like 100."),
    numbers.NOT_WHOLE: WHOLE_NUMBER,
}
OUT_OF_RANGE = _l("Enter a number from %(min)s to %(max)s.")
NONE_OPTION = "none"


class ChoiceMessages:
    """The app's own message for an answer that is not one of the options (never WTForms')."""

    def pre_validate(self, form):
        if self.data in (None, "", []):
            return
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise ValidationError(str(NOT_A_CHOICE)) from error


class ChoiceField(ChoiceMessages, RadioField):
    pass


class DropdownField(ChoiceMessages, SelectField):
    pass


class NumberField(StringField):
    """A number typed as text and read by domain.numbers: "37,5", "37.5" and "100 mg" are the
    same kind of answer; an exponent, NaN or a long string is refused with the app's message and
    never stored. What was typed is shown again when it is refused."""

    def __init__(self, label=None, *, whole=False, units=(), minimum=None, maximum=None,
                 **kwargs):
        super().__init__(label, **kwargs)
        self.whole, self.units, self.minimum, self.maximum = whole, units, minimum, maximum
        self.reading = numbers.Reading(None, numbers.EMPTY)

    def process_formdata(self, valuelist):
        typed = valuelist[0] if valuelist else ""
        self.reading = numbers.read_number(typed[: numbers.MAX_LENGTH + 1], whole=self.whole,
                                           units=self.units)
        self.data = self.reading.value

    def process_data(self, value):
        self.reading = numbers.read_number(str(value or ""), whole=self.whole, units=self.units)
        self.data = self.reading.value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0][:200]
        return self.reading.text

    def pre_validate(self, form):
        problem = self.reading.problem
        if problem == numbers.EMPTY:
            return
        if problem is not None:
            raise StopValidation(str(NUMBER_MESSAGES[problem]))
        value = self.reading.value
        too_low = self.minimum is not None and value < Decimal(str(self.minimum))
        too_high = self.maximum is not None and value > Decimal(str(self.maximum))
        if too_low or too_high:
            raise StopValidation(str(OUT_OF_RANGE) % {"min": _plain(self.minimum),
                                                       "max": _plain(self.maximum)})


def _in_the_future(year, month) -> bool:
    """A month and year (either may be missing) after this month."""
    if year is None:
        return False
    today = utcnow().date()
    month_number = int(month) if str(month or "").isdecimal() else 1
    return (int(year), month_number) > (today.year, today.month)


def _plain(number) -> str:
    return format(Decimal(str(number)).normalize(), "f")


def _choices(question: Question) -> list[SelectChoice]:
    return [SelectChoice(o.value, o.label) for o in question.options]


def _required(question: Question, message: str = CHOOSE_ONE) -> list:
    # InputRequired, never DataRequired: "Not at all" (0) is a real answer.
    return [InputRequired(message=message)] if question.required else [Optional()]


def _radio(question: Question):
    return ChoiceField(question.text, choices=_choices(question), validators=_required(question),
                      description=question.hint)


def _select(question: Question):
    choices = [SelectChoice("", CHOOSE), *_choices(question)]
    return DropdownField(question.text, choices=choices, validators=_required(question),
                         description=question.hint)


def _medicine(question: Question):
    choices = [SelectChoice("", CHOOSE_MEDICINE)] + [
        SelectChoice(option.value, option.label, optgroup=group)
        for group, options in question.groups for option in options
    ]
    return DropdownField(question.text, choices=choices,
                         validators=[InputRequired(message=MEDICINE_REQUIRED)],
                         description=question.hint)


def _integer(question: Question):
    return NumberField(question.text, description=question.hint, whole=True,
                       units=question.units, minimum=question.minimum, maximum=question.maximum)


def _number(question: Question):
    return NumberField(question.text, description=question.hint, units=question.units,
                       minimum=question.minimum, maximum=question.maximum)


def _text(question: Question):
    return StringField(question.text, description=question.hint, filters=[_stripped],
                       validators=[Optional(), Length(max=120, message=TOO_LONG)])


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _checkbox(question: Question):
    return BooleanField(question.text, description=question.hint)


class CheckboxesField(ChoiceMessages, SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        super().pre_validate(form)
        if NONE_OPTION in (self.data or []) and len(set(self.data)) > 1:
            raise ValidationError(str(NONE_WITH_OTHERS))


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
    if isinstance(field, NumberField):
        return field.reading.text
    if isinstance(data, list):
        return [str(v) for v in data]
    return "" if data is None else str(data)


class StepForm(FlaskForm):
    step: flow.Step

    def answers(self) -> dict:
        answers = {name: stored_value(self[name]) for name in self.step.questions}
        for name, unknown in self.step.unknown_when_empty.items():
            answers[unknown] = "" if answers[name] else "y"
        return answers

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
        for rule in self.step.only_if:
            if self[rule["when"]].data != rule["equals"] and stored_value(self[rule["field"]]):
                valid = self._fail(rule["field"], rule["message"])
        for rule in self.step.not_future:
            if _in_the_future(self[rule["year"]].data, self[rule["month"]].data):
                valid = self._fail(rule["year"], rule["message"])
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
