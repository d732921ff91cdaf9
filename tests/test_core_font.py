"""Hindi renders on a machine without a Devanagari font: the vendored Noto Sans Devanagari."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"


def _font_faces() -> list[str]:
    css = (STATIC / "css" / "portal.css").read_text(encoding="utf-8")
    return re.findall(r"@font-face\s*{([^}]*)}", css)


def test_the_stylesheet_declares_the_vendored_devanagari_font():
    faces = [face for face in _font_faces() if "noto-devanagari" in face]
    assert {re.search(r"font-weight:\s*(\d+)", face).group(1) for face in faces} == {"400", "700"}
    for face in faces:
        assert "font-display: swap" in face
        assert "U+0900-097F" in face  # only Devanagari text downloads it
        for url in re.findall(r'url\("([^"]+)"\)', face):
            file = (STATIC / "css" / url).resolve()
            assert file.is_file() and file.stat().st_size > 10_000, url
            assert file.read_bytes()[:4] == b"wOF2"
    assert (
        (STATIC / "vendor" / "noto-devanagari" / "LICENSE").read_text().count("Open Font License")
    )
    assert "noto-devanagari" in (STATIC / "vendor" / "README.md").read_text()


def test_a_hindi_page_loads_the_stylesheet_that_serves_the_font(client):
    page = client.get("/hi/technologies").get_data(as_text=True)
    assert '<html lang="hi">' in page
    href = re.search(r'<link rel="stylesheet" href="([^"]+portal\.css[^"]*)"', page).group(1)
    css = client.get(href)
    assert css.status_code == 200 and b"Portal Devanagari" in css.data
    font = client.get(
        "/static/vendor/noto-devanagari/noto-sans-devanagari-devanagari-400-normal.woff2"
    )
    assert font.status_code == 200 and font.data[:4] == b"wOF2"
