"""Counts into a few shading classes, by quantiles of the counts shown, so the map reads at 25 clusters and
at 5,000 alike. Class 0 is "none"; the top class always takes the darkest shade."""

import math

CLASSES = 4


def breaks(counts, classes=CLASSES):
    """Upper bounds of up to `classes` classes of the non-zero counts: [1, 2, 3, 4, 5, 6, 7] -> [2, 4, 6, 7]."""
    values = sorted(c for c in counts if c > 0)
    bounds = []
    for i in range(1, classes + 1) if values else ():
        upper = values[math.ceil(i * len(values) / classes) - 1]
        if not bounds or upper > bounds[-1]:
            bounds.append(upper)
    return bounds


def shade(count, bounds, classes=CLASSES):
    """0 for none; otherwise 1..classes, the top class always `classes` (fewer bounds skip the light shades)."""
    if count <= 0 or not bounds:
        return 0
    index = next((i for i, upper in enumerate(bounds) if count <= upper), len(bounds) - 1)
    return classes - len(bounds) + 1 + index


def legend(bounds, classes=CLASSES):
    """(shade, low, high) for each class, lowest first: [(3, 1, 2), (4, 3, 5)]."""
    rows, low = [], 1
    for upper in bounds:
        rows.append((shade(upper, bounds, classes), low, upper))
        low = upper + 1
    return rows
