"""Messenger and social apps' in-app browsers, which open links in a web view that does not let
the page use the camera (``getUserMedia`` is missing or refused without asking).

Recognised by the token each app adds to its web view's user agent. The list follows the
maintained open-source detector inapp-spy (github.com/shalanah/inapp-spy, a fork of
detect-inapp) and the tokens uap-core's rules use for the same apps; each token is checked
against a real user agent of the app in ``tests/submissions/flow/test_in_app.py``. Telegram and
WhatsApp are left out: they open links in Safari View Controller / Chrome Custom Tabs, where the
camera works.
"""

from __future__ import annotations

import re

IN_APP_BROWSERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Facebook", re.compile(r"FBAN/|FBAV/|FB_IAB/|FBIOS")),  # Facebook and Messenger
    ("Instagram", re.compile(r"\bInstagram\b")),
    ("LINE", re.compile(r"\bLine/\d")),
    ("KakaoTalk", re.compile(r"KAKAOTALK", re.I)),
    ("WeChat", re.compile(r"MicroMessenger/")),
    ("Snapchat", re.compile(r"Snapchat/")),
    ("TikTok", re.compile(r"musical_ly|BytedanceWebview|TikTok/|trill_")),
    ("LinkedIn", re.compile(r"LinkedInApp")),
    ("X (Twitter)", re.compile(r"Twitter for iP(hone|ad)|TwitterAndroid")),
    ("Pinterest", re.compile(r"\[Pinterest/")),
    ("NAVER", re.compile(r"NAVER\(inapp")),
)


def in_app_browser(user_agent: str) -> str:
    """The app whose web view sent this user agent, or "" for a browser."""
    for name, token in IN_APP_BROWSERS:
        if token.search(user_agent):
            return name
    return ""
