"""A hand-written SVG of bench/scale.py's results: time and peak memory against file size."""

from pathlib import Path

WIDTH, HEIGHT = 360, 260
LEFT, RIGHT, TOP, BOTTOM = 60, 15, 30, 45
COLOURS = {"polars": "#888888", "portal": "#1f6fb4"}
LABELS = {"polars": "polars scan_csv→sink_parquet", "portal": "portal ingest_file"}


def _panel(results: list[dict], key: str, title: str, unit: str, target: float | None) -> str:
    """One chart: a line per program, x the file size in MiB."""
    sizes = [item["size_mib"] for item in results]
    values = [item[kind][key] for item in results for kind in COLOURS]
    x_max = max(sizes) * 1.05
    y_max = max([*values, target or 0.0]) * 1.15
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(value: float) -> float:
        return LEFT + inner_w * value / x_max

    def y(value: float) -> float:
        return TOP + inner_h * (1 - value / y_max)

    parts = [
        f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-weight="bold">{title}</text>',
        f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{LEFT + inner_w}" y2="{TOP + inner_h}" '
        'stroke="black"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + inner_h}" stroke="black"/>',
        f'<text x="{LEFT + inner_w / 2}" y="{HEIGHT - 8}" text-anchor="middle">'
        "CSV size (MiB)</text>",
        f'<text x="14" y="{TOP + inner_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {TOP + inner_h / 2})">{unit}</text>',
    ]
    for fraction in (0.0, 0.25, 0.5, 0.75, 1.0):
        tick_y, tick_x = y_max * fraction / 1.15, x_max * fraction / 1.05
        parts.append(
            f'<text x="{LEFT - 4}" y="{y(tick_y) + 4:.1f}" text-anchor="end">{tick_y:,.0f}</text>'
        )
        parts.append(
            f'<text x="{x(tick_x):.1f}" y="{TOP + inner_h + 16}" text-anchor="middle">'
            f"{tick_x:,.0f}</text>"
        )
    if target is not None:
        parts.append(
            f'<line x1="{LEFT}" y1="{y(target):.1f}" x2="{LEFT + inner_w}" y2="{y(target):.1f}" '
            'stroke="#c0392b" stroke-dasharray="5,4"/>'
            f'<text x="{LEFT + inner_w - 2}" y="{y(target) - 4:.1f}" text-anchor="end" '
            f'fill="#c0392b">target {target:,.0f}</text>'
        )
    for row, (kind, colour) in enumerate(COLOURS.items()):
        points = " ".join(f"{x(item['size_mib']):.1f},{y(item[kind][key]):.1f}" for item in results)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        parts.extend(
            f'<circle cx="{x(item["size_mib"]):.1f}" cy="{y(item[kind][key]):.1f}" r="3" '
            f'fill="{colour}"/>'
            for item in results
        )
        parts.append(
            f'<text x="{LEFT + 8}" y="{TOP + 14 + 14 * row}" fill="{colour}">{LABELS[kind]}</text>'
        )
    return "\n".join(parts)


def write_svg(results: list[dict], path: Path) -> None:
    """Two charts side by side: seconds, and peak RSS with the 1 GiB target."""
    left = _panel(results, "seconds", "Time", "seconds", None)
    right = _panel(results, "peak_rss_mib", "Peak memory (RSS)", "MiB", 1024.0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * WIDTH}" height="{HEIGHT}" '
        f'font-family="sans-serif" font-size="11">\n'
        f'<rect width="100%" height="100%" fill="white"/>\n<g>{left}</g>\n'
        f'<g transform="translate({WIDTH} 0)">{right}</g>\n</svg>\n'
    )
