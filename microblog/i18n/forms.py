"""Forms and choices for languages and timezones."""

from __future__ import annotations

from functools import cache

import pytz
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from microblog.locales import language_name, timezone_names
from templates.languages import html_lang

# Regions of the IANA database that hold the zones people live in. The list offers pytz's
# "common" zones there; old aliases ("US/Pacific", "Africa/Asmera") are still accepted.
REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)


def language_choices() -> list[SelectChoice]:
    """Every language of the site, named in itself and marked with its own `lang`."""
    return [
        SelectChoice(code, language_name(code), render_kw={"lang": html_lang(code)})
        for code in current_app.config["LANGUAGES"]
    ]


@cache
def _timezone_options() -> tuple[tuple[str, str, str], ...]:
    """(IANA name, city as shown, region) for the zones offered in a list, by region."""
    options = []
    for name in sorted(timezone_names() & set(pytz.common_timezones)):
        region, _, city = name.partition("/")
        if region in REGIONS and city:
            options.append((name, city.replace("_", " ").replace("/", " / "), region))
    return tuple(options)


def timezone_choices() -> list[SelectChoice]:
    """UTC, then the zones grouped by region, each labelled by its city (type-ahead works)."""
    return [SelectChoice("UTC", "UTC")] + [
        SelectChoice(name, city, optgroup=region) for name, city, region in _timezone_options()
    ]


class LanguageForm(FlaskForm):
    """The language picker: a language, and the page to go back to."""

    language = SelectField(
        _l("Language"), invalid_choice_message=_l("Choose a language from the list.")
    )
    next = HiddenField()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
