"""The options of the list and map pages' filter selects, labelled and rendered once per data version.

At 5,025 clusters the city select holds 339 options: labelling them took 15–30 ms a request, and rendering
them through a template loop (`{% for %}<option …>{% endfor %}`) about 1,900 template nodes, more than the
20 rows of the list. So each language's options are labelled and written as HTML once per data version
(portal.caching.memoised); a request only marks its selection. Labels are escaped by `format_html`.
"""

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from clusters import selectors
from clusters.choices import ClusterStatus, Tier
from clusters.formatting import in_parentheses, loc
from portal.caching import memoised

OPTION = '<option value="{}">{}</option>'
SELECTED_OPTION = '<option value="{}" selected>{}</option>'


def city_label(city):
    return f"{loc(city)}{in_parentheses(loc(city.province, 'short_name'))}"


# Selects whose options come from selectors.filter_options(): (its list, the attribute giving the value, label).
FROM_DATA = {
    "field": ("fields", "slug", loc),
    "province": ("provinces", "code", loc),
    "city": ("cities", "code", city_label),
}
FROM_CHOICES = {"tier": Tier, "status": ClusterStatus}


class Options:
    """A select's (value, label) pairs and their <option> tags, written once."""

    def __init__(self, pairs):
        self.pairs = [(str(value), str(label)) for value, label in pairs]
        self.tags = [format_html(OPTION, value, label) for value, label in self.pairs]
        self.index = {value: i for i, (value, _label) in enumerate(self.pairs)}
        self.unselected = mark_safe("".join(self.tags))  # each tag escaped by format_html

    def with_extra(self, obj, key, label):
        """These options and `obj` (a valid selection that holds no public cluster), if it is missing; only
        then is it labelled (a city's label reads its province)."""
        value = str(getattr(obj, key))
        return self if value in self.index else Options([*self.pairs, (value, label(obj))])

    def html(self, selected=""):
        """The <option> tags, `selected` (a raw query value) marked as such."""
        i = self.index.get(selected)
        if i is None:
            return self.unselected
        value, label = self.pairs[i]
        tags = [*self.tags[:i], format_html(SELECTED_OPTION, value, label), *self.tags[i + 1 :]]
        return mark_safe("".join(tags))


def all_options():
    """{select name: Options} in the active language, built once per data version and language."""

    def build():
        choices = selectors.filter_options()
        options = {
            name: Options((getattr(o, key), label(o)) for o in choices[kind])
            for name, (kind, key, label) in FROM_DATA.items()
        }
        return options | {name: Options(enum.choices) for name, enum in FROM_CHOICES.items()}

    return memoised(f"filter-select-options:{get_language()}", build)


def selects(request, filterset, names=None):
    """The filter form's selects (all, or those in `names`), with options in the page's language: each a dict
    with name, label, empty_label, options (pairs), option_tags (HTML), selected and errors."""
    form = filterset.form
    cleaned = getattr(form, "cleaned_data", {})
    options = all_options()
    result = []
    for name in (*FROM_DATA, *FROM_CHOICES):
        if names is not None and name not in names:
            continue
        opts = options[name]
        picked = cleaned.get(name) if name in FROM_DATA else None
        if picked is not None:
            _kind, key, label = FROM_DATA[name]
            opts = opts.with_extra(picked, key, label)
        selected = request.GET.get(name, "")
        result.append(
            {
                "name": name,
                "label": form[name].label,
                "empty_label": form.fields[name].empty_label,
                "options": opts.pairs,
                "option_tags": opts.html(selected),
                "selected": selected,
                "errors": form.errors.get(name, []) if filterset.is_bound else [],
            }
        )
    return result


def ordering_option_tags(form, selected):
    """The sort select's <option> tags in the active language (the form's sorts, labelled once per language,
    as the filters' options are), `selected` (the raw `ordering=`) marked."""
    options = memoised(
        f"ordering-options:{type(form).__name__}:{get_language()}",
        lambda: Options((value, label) for value, label in form.fields["ordering"].choices if value),
    )
    return options.html(selected)
