from django.utils.text import slugify
from pypinyin import lazy_pinyin


def pinyin_slug(text, max_length=100):
    """ASCII slug from Chinese text: 深圳新一代信息通信集群 -> shen-zhen-xin-yi-dai-...; keeps latin words."""
    return slugify(" ".join(lazy_pinyin(text)))[:max_length].strip("-") or "cluster"


def unique_slug(text, queryset, max_length=100):
    base = pinyin_slug(text, max_length)
    slug, n = base, 2
    while queryset.filter(slug=slug).exists():
        slug = f"{base[: max_length - len(str(n)) - 1]}-{n}"
        n += 1
    return slug
