"""The page benchmark's arithmetic and verdicts, on fixed numbers (the benchmark itself runs by `make bench-pages`)."""

import pytest

from benchmarks import page_report
from benchmarks.page_report import PAGES, PageResult, Scale

MB = 1024 * 1024


def page(name, ratio, floor=0.001, status=200, cpu_ratio=None, **extra):
    """A page measured three times at `ratio` × a constant floor of `floor` seconds (CPU: `cpu_ratio` ×)."""
    path = {n: p for n, p, _ in PAGES}[name]
    cpu = [(cpu_ratio or ratio) * floor] * 3
    return PageResult(name, path, status, [ratio * floor] * 3, [floor] * 3, cpu, [floor] * 3, **extra)


def scale(clusters, ratios, **pages):
    """Every URL of the benchmark at the given ratio (a default for the rest), overridden by `pages`."""
    results = {name: page(name, ratios.get(name, 2)) for name, _path, _optional in PAGES}
    results.update(pages)
    return Scale(clusters, results)


def test_ratio_divides_medians_so_one_slow_request_does_not_move_it():
    times = [0.010, 0.012, 0.011, 0.500, 0.011]
    floors = [0.001, 0.001, 0.002, 0.001, 0.001]
    assert page_report.ratio(times, floors) == pytest.approx(11.0)


def test_spread_is_the_fastest_and_slowest_request_over_the_median_floor():
    low, high = page_report.spread([0.010, 0.030, 0.020], [0.002, 0.001, 0.001])
    assert (low, high) == (pytest.approx(10.0), pytest.approx(30.0))


def test_growth_compares_ratios_so_a_busier_machine_at_one_scale_cancels_out():
    small = PageResult("home", "/", 200, times=[0.010] * 3, floors=[0.001] * 3)  # 10×
    large = PageResult("home", "/", 200, times=[0.024] * 3, floors=[0.002] * 3)  # twice the ms, 12×
    assert page_report.growth(small, large) == pytest.approx(1.2)


def goal(goals, start):
    matches = [g for g in goals if g.text.startswith(start)]
    assert len(matches) == 1, [g.text for g in goals]
    return matches[0]


def test_a_ratio_goal_is_met_at_its_limit_and_missed_above_it():
    large = scale(5025, {"home": 15, "list": 15.5, "API schema": 4})
    goals = page_report.evaluate_goals(scale(25, {}), large)
    assert goal(goals, "home ≤ 15× floor at 5,025").met
    missed = goal(goals, "list ≤ 15× floor at 5,025")
    assert not missed.met
    assert missed.detail == "15.5× (CPU 15.5×)"
    assert goal(goals, "API schema ≤ 5× floor").met


def test_a_page_that_grows_more_than_half_again_misses_the_flat_goal():
    goals = page_report.evaluate_goals(scale(25, {"home": 10, "list": 10}), scale(5025, {"home": 15, "list": 16}))
    assert goal(goals, "home at 5,025 ≤ 1.5× its time at 25").met
    assert not goal(goals, "list at 5,025 ≤ 1.5× its time at 25").met
    assert not [g for g in goals if g.text.startswith("CSV export at")]  # the full export grows by design


def test_goals_can_be_judged_on_cpu_ratios_when_the_machine_is_busy():
    small = scale(25, {})
    small.pages["home"] = page("home", 10, cpu_ratio=10)
    large = scale(5025, {})
    large.pages["home"] = page("home", 40, cpu_ratio=14)  # the wall clock also counted other processes
    on_wall = page_report.evaluate_goals(small, large)
    on_cpu = page_report.evaluate_goals(small, large, on_cpu=True)
    assert not goal(on_wall, "home ≤ 15×").met
    assert goal(on_cpu, "home ≤ 15×").met
    assert goal(on_cpu, "home ≤ 15×").detail == "40.0× (CPU 14.0×)"
    assert not goal(on_wall, "home at 5,025").met
    assert goal(on_cpu, "home at 5,025").met


def test_a_url_not_built_yet_is_left_out_but_a_broken_one_is_a_miss():
    unbuilt = {"map": PageResult("map", "/map/", 404, note="not built yet")}
    broken = {"cluster page": PageResult("cluster page", "/clusters/shanghai-ic/", 500)}
    goals = page_report.evaluate_goals(scale(25, {}, **unbuilt, **broken), scale(5025, {}, **unbuilt, **broken))
    assert not [g for g in goals if g.text.startswith("map")]
    failed = goal(goals, "cluster page ≤ 15×")
    assert (failed.met, failed.detail) == (False, "answered 500")
    assert not goal(goals, "cluster page at 5,025").met


def test_the_export_must_stream_and_stay_under_the_memory_ceiling():
    small_export = page("CSV export", 40, peak_memory=MB // 2, size=6000)
    cases = [
        (page("CSV export", 250, streaming=False, peak_memory=2 * MB, size=MB), False),
        (page("CSV export", 250, streaming=True, peak_memory=52 * MB, size=MB), False),
        (page("CSV export", 250, streaming=True, peak_memory=4 * MB, size=MB), True),
    ]
    for large_export, met in cases:
        goals = page_report.evaluate_goals(
            scale(25, {}, **{"CSV export": small_export}), scale(5025, {}, **{"CSV export": large_export})
        )
        assert goal(goals, "CSV export streamed").met is met


def test_the_timing_table_shows_both_scales_the_growth_and_the_spread():
    small = scale(25, {}, map=PageResult("map", "/map/", 404, note="not built yet"))
    large = scale(5025, {}, map=PageResult("map", "/map/", 404, note="not built yet"))
    small.pages["rankings"] = page("rankings", 12, cpu_ratio=10)
    large.pages["rankings"] = page("rankings", 5881, cpu_ratio=3000)
    large.pages["rankings"].queries = 9
    small.pages["rankings"].queries = 4
    large.pages["rankings"].size = 2_400_000
    lines = page_report.timing_table(small, large).splitlines()
    assert lines[0].startswith("| page | ms@25 | ×floor@25 | ms@5,025 | ×floor@5,025 | 5,025/25 |")
    rankings = (
        "| rankings (`/rankings/`) | 12.0 | 12.0 | 5,881.0 | 5,881.0 | 490.08 | 5,881.0–5,881.0 | 10.0 → 3,000.0 |"
    )
    assert f"{rankings} 4 → 9 | 2,344 KB |" in lines
    assert "| map (`/map/`) | answered 404 (not built yet) | | | | | | | | |" in lines


def test_pages_left_out_with_the_pages_option_have_no_row_and_no_goal():
    small, large = scale(25, {}), scale(5025, {})
    for result in (small, large):
        del result.pages["rankings"]
    assert "rankings" not in page_report.timing_table(small, large)
    assert not [g for g in page_report.evaluate_goals(small, large) if g.text.startswith("rankings")]


def test_goals_text_marks_each_goal_and_counts_them():
    goals = [page_report.Goal("a", True, "1×"), page_report.Goal("b", False, "9×")]
    assert page_report.goals_text(goals).splitlines() == ["met   a: 1×", "MISS  b: 9×", "1 of 2 goals met"]


def test_the_work_table_shows_what_one_request_does_at_both_scales():
    small = scale(25, {}, map=PageResult("map", "/map/", 404, note="not built yet"))
    large = scale(5025, {}, map=PageResult("map", "/map/", 404, note="not built yet"))
    counts = {"queries": (4, 4), "sql_ms": (0.0, 37.0), "instances": (166, 26062), "nodes": (0, 0)}
    counts |= {"peak_memory": (MB // 2, 52 * MB), "size": (6340, 1_308_872)}
    for attribute, (before, after) in counts.items():
        setattr(small.pages["CSV export"], attribute, before)
        setattr(large.pages["CSV export"], attribute, after)
    lines = page_report.work_table(small, large).splitlines()
    assert "| CSV export | 4 → 4 | 0.0 → 37.0 | 166 → 26,062 | 0 → 0 | 0.5 → 52.0 | 6,340 B → 1,278 KB |" in lines
    assert not [line for line in lines if line.startswith("| map")]


def test_pages_the_shipped_data_cannot_fill_are_held_flat_against_a_full_page():
    # The shipped clusters hold no evaluation: at 25 the rankings answer an empty page (4×); with a full page at
    # 75 clusters they cost 12×, and 16× at 5,025 is flat. The home page keeps the shipped 25 as its base.
    small = scale(25, {"rankings": 4, "home": 3})
    filled = scale(75, {"rankings": 12, "home": 1})
    large = scale(5025, {"rankings": 16, "home": 4})
    goals = page_report.evaluate_goals(small, large, filled=filled)
    rankings = goal(goals, "rankings at 5,025 ≤ 1.5× its time at 75 (a full page)")
    assert rankings.met
    assert rankings.detail == "1.33× (CPU 1.33×); 4.00× its time at 25 (a short page)"
    assert goal(goals, "home at 5,025 ≤ 1.5× its time at 25").met  # 1.33×, not 4× against the filled scale
    assert not [g for g in goals if g.text.startswith("home at 5,025 ≤ 1.5× its time at 75")]


def test_a_full_page_that_grows_more_than_half_again_still_misses():
    filled = scale(75, {"API evaluations": 10})
    goals = page_report.evaluate_goals(scale(25, {}), scale(5025, {"API evaluations": 16}), filled=filled)
    assert not goal(goals, "API evaluations at 5,025 ≤ 1.5× its time at 75").met


def test_without_the_filled_scale_every_page_is_held_against_the_shipped_25():
    goals = page_report.evaluate_goals(scale(25, {"rankings": 4}), scale(5025, {"rankings": 16}))
    assert not goal(goals, "rankings at 5,025 ≤ 1.5× its time at 25").met


def test_the_tables_of_the_filled_scale_show_its_pages_alone():
    filled = scale(75, {"rankings": 12}, map=PageResult("map", "/map/", 404))
    filled.pages = {name: filled.pages[name] for name in page_report.SHIPPED_CANNOT_FILL}
    large = scale(5025, {"rankings": 18}).only(page_report.SHIPPED_CANNOT_FILL)
    lines = page_report.timing_table(filled, large).splitlines()
    assert lines[0].startswith("| page | ms@75 | ×floor@75 | ms@5,025 | ×floor@5,025 | 5,025/75 |")
    assert "| rankings (`/rankings/`) | 12.0 | 12.0 | 18.0 | 18.0 | 1.50 |" in "\n".join(lines)
    assert len(lines) == 3 + len(page_report.SHIPPED_CANNOT_FILL)  # header, rule, floor, the pages
    assert len(page_report.work_table(filled, large).splitlines()) == 2 + len(page_report.SHIPPED_CANNOT_FILL)
