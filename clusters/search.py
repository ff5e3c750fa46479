"""Cluster text search: find clusters from what people type (the list page's `q`, the API's `q`/`search`).

Words separated by spaces (or 、，,;；) must all match. Chinese is typed without spaces, so a word is
split further at the place names, field names and lead-enterprise names it contains, by greedy longest
match: “南京软件” → “南京” + “软件”, “深圳市电池” → “深圳市” + “电池”; what lies between known names stays one
term. Splitting never loses a cluster: every part of a text a cluster holds is held by it too.

Each term must match the cluster's name, short name or English name, its field, one of its cities or
their provinces (Chinese or English), or one of its lead enterprises. Cluster names themselves are not
split points: they are long phrases that nobody runs into another word, and there may be thousands.
"""

import re

from django.db.models import Q

from clusters.models import City, Cluster, Enterprise, Field, LeadEnterprise, Province

SEPARATORS = re.compile(r"[\s,，、;；]+")
# One-character names (none today) would cut ordinary words apart.
MIN_NAME = 2


def words(text):
    return [word for word in SEPARATORS.split(text.strip()) if word]


def vocabulary():
    """The names a word is split at, case-folded: one query over the small name tables."""
    columns = [(City, "name"), (City, "short_name"), (Province, "name"), (Province, "short_name")]
    columns += [(Field, "name"), (Enterprise, "name")]
    first, *rest = [model.objects.order_by().values_list(column) for model, column in columns]
    names = first.union(*rest)
    return frozenset(name.casefold() for (name,) in names if len(name) >= MIN_NAME)


def split_word(word, names):
    """Greedy longest match of `names` from the left; runs of text between names stay whole."""
    longest = max(map(len, names), default=0)
    folded = word.casefold()
    parts, rest, i = [], "", 0
    while i < len(word):
        size = next((n for n in range(min(longest, len(word) - i), MIN_NAME - 1, -1) if folded[i : i + n] in names), 0)
        if size:
            if rest:
                parts.append(rest)
            parts.append(word[i : i + size])
            rest, i = "", i + size
        else:
            rest, i = rest + word[i], i + 1
    if rest:
        parts.append(rest)
    return parts


def terms(text, names=None):
    """The terms that must all match; the names are loaded only when a word is long enough to split."""
    found = words(text)
    splittable = [word for word in found if len(word) > MIN_NAME and not word.isascii()]
    if splittable:
        names = vocabulary() if names is None else names
        found = [part for word in found for part in (split_word(word, names) if word in splittable else [word])]
    return list(dict.fromkeys(found))


def term_matches(term):
    """Clusters holding `term` anywhere a reader would look; subqueries keep a many-city cluster one row."""
    places = Q(city__name__icontains=term) | Q(city__name_en__icontains=term)
    places |= Q(city__province__name__icontains=term) | Q(city__province__name_en__icontains=term)
    return (
        Q(name__icontains=term)
        | Q(short_name__icontains=term)
        | Q(name_en__icontains=term)
        | Q(field__name__icontains=term)
        | Q(field__name_en__icontains=term)
        | Q(pk__in=LeadEnterprise.objects.filter(enterprise__name__icontains=term).values("cluster"))
        | Q(pk__in=Cluster.cities.through.objects.filter(places).values("cluster"))
    )


def search(queryset, text):
    """`queryset` narrowed to the clusters matching every term of `text` (unchanged for blank text)."""
    for term in terms(text):
        queryset = queryset.filter(term_matches(term))
    return queryset
