"""Which clusters a comparison holds: the `clusters` query parameter, read one way for the page, the downloads
and the API.

`?clusters=a,b,c` is the canonical form: the URL is the whole state, so a comparison can be shared.
`?clusters=a&clusters=b` (what a form of checkboxes sends) means the same; the page redirects it to the comma
form. Slugs keep the order given; a repeated slug counts once, and the page says so. More than ten distinct
slugs is refused before any query. Fewer than two is not an error for the page (it explains how to pick),
but it is for the API and the downloads, which have no table to give.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIN_CLUSTERS = 2
MAX_CLUSTERS = 10
# Commas (ASCII or full-width) and spaces, as people type lists; slugs hold none of them.
SEPARATORS = re.compile(r"[,，\s]+")


class CompareError(ValueError):
    """A comparison that cannot be made; the message names what is wrong (a 400 on every surface)."""


@dataclass(frozen=True)
class Selection:
    slugs: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()

    @property
    def query(self):
        return ",".join(self.slugs)


def quoted(slugs):
    """“a”、“b” in the page's language, each cut short: a message must not echo a megabyte back."""
    return _("、").join(f"“{Truncator(slug).chars(60)}”" for slug in slugs)


def parse(values):
    """The slugs in the values of every `clusters` parameter, in the order given, each once."""
    seen = {}
    duplicates = {}
    for value in values:
        for slug in SEPARATORS.split(value):
            if not slug:
                continue
            if slug in seen:
                duplicates[slug] = None
            else:
                seen[slug] = None
    if len(seen) > MAX_CLUSTERS:
        raise CompareError(
            ngettext(
                "一次最多比较 %(max)s 个集群，这里有 %(count)s 个；请去掉 %(extra)s 个。",
                "一次最多比较 %(max)s 个集群，这里有 %(count)s 个；请去掉 %(extra)s 个。",
                len(seen) - MAX_CLUSTERS,
            )
            % {"max": MAX_CLUSTERS, "count": len(seen), "extra": len(seen) - MAX_CLUSTERS}
        )
    return Selection(tuple(seen), tuple(duplicates))


def unknown_error(slugs):
    """Unknown and unpublished slugs get the same words: the public must not learn that a draft exists."""
    return CompareError(
        ngettext(
            "没有找到集群%(slugs)s：它不存在或未公开。请在集群名录中选择要比较的集群。",
            "没有找到这些集群：%(slugs)s。它们不存在或未公开。请在集群名录中选择要比较的集群。",
            len(slugs),
        )
        % {"slugs": quoted(slugs)}
    )


def too_few_message():
    return _("请选择至少 %(min)s 个、至多 %(max)s 个集群进行比较：在集群名录中勾选，或在集群页面点击“加入比较”。") % {
        "min": MIN_CLUSTERS,
        "max": MAX_CLUSTERS,
    }


def compare_url(slugs):
    """/compare/?clusters=a,b — commas left as commas, so the shared link reads as it is typed."""
    url = reverse("clusters:compare")
    return f"{url}?clusters={','.join(quote(slug, safe='') for slug in slugs)}" if slugs else url
