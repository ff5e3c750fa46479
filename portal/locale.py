"""Which language a request is answered in.

Public pages (the `i18n_patterns` in portal/urls.py) take it from the URL alone: `/en/…` is English and an
unprefixed path Chinese, whatever the browser or a cookie prefers, so a shared link opens in the language
it was shared in, and a cached page is never served in the wrong one. Django's own middleware, once
`i18n_patterns` are in use, would pin every unprefixed path to Chinese, the API and the admin included;
those have no language in their URLs, so here they keep following the language cookie (which the admin's
switch sets through `set_language`) and Accept-Language, as they did before.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation


def is_public_page(path_info, urlconf=None):
    """True when the URLconf serves `path_info` through `i18n_patterns` (a path that matches nothing is
    answered by the public 404 page, so it counts as one too)."""
    if translation.get_language_from_path(path_info):
        return True
    with translation.override(settings.LANGUAGE_CODE):  # unprefixed public paths resolve in Chinese
        try:
            match = resolve(path_info, urlconf)
        except Resolver404:
            return True
    # `tried` ends with the chain of patterns that matched, outermost first.
    return isinstance(match.tried[-1][0].pattern, LocalePrefixPattern)


class PortalLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        request.language_from_url = is_public_page(request.path_info, getattr(request, "urlconf", None))
        if request.language_from_url:
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request, check_path=False))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if getattr(request, "language_from_url", False):
            # The URL alone decides, so the answer does not vary with Accept-Language.
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        return super().process_response(request, response)


def html_lang(language):
    """The BCP 47 tag of a language code, for `<html lang>` and `hreflang`: zh-hans → zh-Hans."""
    return {"zh-hans": "zh-Hans"}.get(language, language)


def same_page_in(request, language):
    """This public page's path in another language (zh-hans unprefixed, en under /en/), or None for a
    path no pattern matches or a view that cannot be reversed (the admin's catch-all, which answers an
    unknown admin address with the 404 page). Held on the request: the canonical links and the language
    switch both ask."""
    held = request.__dict__.setdefault("_same_page_in", {})
    if language not in held:
        held[language] = _same_page_in(request, language)
    return held[language]


def _same_page_in(request, language):
    # The view's own match when there is one (Django resolved the path already); a 404 page resolves again.
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return None
    with translation.override(language):
        try:
            return reverse(
                match.view_name, args=match.args, kwargs=match.kwargs, urlconf=getattr(request, "urlconf", None)
            )
        except NoReverseMatch:
            return None
