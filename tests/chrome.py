"""Find Chinese in a page's chrome (the words the portal writes), leaving its data alone.

The English site may show data as entered: cluster, enterprise and source names, summaries, measures … in
Chinese. Its own words (headings, labels, buttons, column headers, units, punctuation) must be English. A
page is parsed with the standard library; each piece of text knows the elements it sits in, and the caller
says which are chrome. Quoted examples (“三一”, 《…》) count as data: they show staff what to type.
"""

import re
from html.parser import HTMLParser

# Han characters and CJK punctuation (、，。：（）《》“” are not needed in English; ASCII and “” are fine).
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
QUOTED = re.compile(r"“[^”]*”|《[^》]*》")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.classes = set((self.attrs.get("class") or "").split())

    def ancestors(self):
        node = self
        while node is not None:
            yield node
            node = node.parent

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", [], None)
        self.node = self.root
        self.texts = []  # (text, innermost element)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.node)
        self.elements.append(element)
        if tag not in VOID:
            self.node = element

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, attrs, self.node))

    def handle_endtag(self, tag):
        for node in self.node.ancestors():
            if node.tag == tag:
                self.node = node.parent or self.root
                return

    def handle_data(self, data):
        if data.strip():
            self.texts.append((data, self.node))


def parse(html):
    parser = _Parser()
    parser.feed(html)
    return parser


def chinese_in(text, data=()):
    """What is left of Chinese in `text` once the given data strings and quoted examples are taken out."""
    for value in sorted(data, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    return CHINESE.findall(QUOTED.sub(" ", text))


def chinese_chrome(html, is_chrome, attributes=(), data=()):
    """Each piece of chrome text (`is_chrome(element)` on the text's innermost element) or attribute
    (`attributes`: (predicate, name) pairs) that still holds Chinese, as (where, text)."""
    parsed = parse(html)
    found = []
    for text, element in parsed.texts:
        if marked_chinese(element):
            continue  # a language's own name in the switch, a cluster's Chinese name beside its English one
        if is_chrome(element) and chinese_in(text, data):
            found.append((element.tag, text.strip()))
    for element in parsed.elements:
        for wants, name in attributes:
            value = element.attrs.get(name)
            if value and wants(element) and chinese_in(value, data):
                found.append((f"{element.tag}[{name}]", value))
    return found


def marked_chinese(element):
    return within(element, lambda node: node.attrs.get("lang", "").startswith("zh"))


def within(element, test):
    return any(test(node) for node in element.ancestors())
