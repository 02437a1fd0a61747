"""Forms and choices for languages and timezones."""

from __future__ import annotations

import unicodedata
from functools import cache

import pytz
from babel.dates import get_timezone_location
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from microblog.locales import language_name, timezone_names
from templates.languages import html_lang

# Regions of the IANA database that hold the zones people live in, named in the reader's
# language. The list offers pytz's "common" zones there; old aliases ("US/Pacific",
# "Africa/Asmera") are still accepted.
REGIONS = {
    # TRANSLATORS: a group of time zones in the profile's list.
    "Africa": _l("Africa"),
    "America": _l("America"),
    "Antarctica": _l("Antarctica"),
    "Asia": _l("Asia"),
    # TRANSLATORS: a group of time zones (islands of the Atlantic Ocean).
    "Atlantic": _l("Atlantic"),
    "Australia": _l("Australia"),
    "Europe": _l("Europe"),
    # TRANSLATORS: a group of time zones (islands of the Indian Ocean).
    "Indian": _l("Indian Ocean"),
    # TRANSLATORS: a group of time zones (islands of the Pacific Ocean).
    "Pacific": _l("Pacific"),
}


def language_choices() -> list[SelectChoice]:
    """Every language of the site, named in itself and marked with its own `lang`."""
    return [
        SelectChoice(code, language_name(code), render_kw={"lang": html_lang(code)})
        for code in current_app.config["LANGUAGES"]
    ]


@cache
def _timezone_options(locale: str) -> tuple[tuple[str, str, str], ...]:
    """(IANA name, city as `locale` names it, region) for the zones offered in a list, by
    region in the IANA order, then by city as that language sorts them."""
    options = []
    for name in timezone_names() & set(pytz.common_timezones):
        region, _, city = name.partition("/")
        if region in REGIONS and city:
            options.append((name, get_timezone_location(name, locale, return_city=True), region))
    order = list(REGIONS)
    return tuple(sorted(options, key=lambda o: (order.index(o[2]), strxfrm_key(o[1]))))


def strxfrm_key(text: str) -> tuple[str, str]:
    """A sort key that puts accented letters with their base letter (Ö with O, É with E)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return ("".join(c for c in plain if not unicodedata.combining(c)), text)


def timezone_choices() -> list[SelectChoice]:
    """UTC, then the zones grouped by region, each labelled by its city in the reader's
    language (type-ahead works)."""
    options = _timezone_options(str(get_locale() or "en"))
    return [SelectChoice("UTC", "UTC")] + [
        SelectChoice(name, city, optgroup=str(REGIONS[region])) for name, city, region in options
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
