"""Sign in through the real login form and print the session cookie (for wrk's Cookie header)."""

from __future__ import annotations

import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request


def session_cookie(base: str, email: str, password: str) -> str:
    """Return `portal_session=...` for a signed-in session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login", timeout=10).read().decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    opener.open(f"{base}/login", data=form.encode(), timeout=10)
    cookie = next(c for c in jar if c.name == "portal_session")
    return f"{cookie.name}={cookie.value}"


if __name__ == "__main__":
    print(session_cookie(sys.argv[1], sys.argv[2], sys.argv[3]))
