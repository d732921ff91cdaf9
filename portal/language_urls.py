"""The interface language in the address: `/hi/technologies` is the catalog in Hindi.

A WSGI layer moves the `/hi` prefix from the path into the script root, so every route works under
it unchanged and every link the page builds keeps the language (a shared link stays Hindi), while
no cookie is needed to remember the choice: anonymous pages stay identical per address and cacheable.
"""

from __future__ import annotations

from flask import request

ENVIRON_KEY = "portal.url_language"


class LanguagePrefix:
    """WSGI middleware: `/<code>/...` for each language becomes script root `/<code>`."""

    def __init__(self, app, codes: list[str]) -> None:
        self.app = app
        self.prefixes = [(code, f"/{code}") for code in codes]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        for code, prefix in self.prefixes:
            if path == prefix or path.startswith(prefix + "/"):
                environ["PATH_INFO"] = path[len(prefix) :] or "/"
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
                environ[ENVIRON_KEY] = code
                break
        return self.app(environ, start_response)


def url_language() -> str | None:
    """The language the address names, if any (outside a request: None)."""
    return request.environ.get(ENVIRON_KEY)


def address_in(language: str, default: str, path: str, languages: list[str]) -> str:
    """`path` (without any language prefix) as an address in `language`: the default language
    needs no prefix unless the browser's own preference would pick another one (`/en/...`)."""
    negotiated = request.accept_languages.best_match(languages) or default
    if language == default and negotiated == default:
        return path
    return f"/{language}{path}"
