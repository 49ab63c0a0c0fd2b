"""Device verification (spec §8.11), pure: what the end user's browser says about itself.

The static check (``DE-20000``) fails a non-mobile environment; the fingerprint check
(``DE-30000``) raises flags ``vm``, ``emulator``, ``bot`` and ``tampering``; the duplicate limit
(``DE-40000``) is counted by the policy engine over the submissions sharing ``device_hash``.

The user agent is parsed with ua-parser (the maintained Browserscope/uap-core rules, shipped
precompiled in ua-parser-builtins). Everything else is a **signal the Liveform's script sends**
(:class:`DeviceSignals`, all optional); the API can relay only the user agent (``userAgent``).

Readings where §8.11 is silent:

* **Mobile** means the OS is Android, iOS or iPadOS. iPadOS 13+ announces itself as desktop
  Safari on a Mac: a ``Mac OS X`` user agent with ``maxTouchPoints >= 2`` is an iPad. A missing
  or unparsable user agent is not mobile.
* **Screen** (static): a screen whose shorter side exceeds 1100 CSS px is not a phone or tablet.
* **Graphics** (static): a desktop GPU (GeForce, Quadro, Radeon, Intel HD/UHD/Iris) in the WebGL
  renderer is not a phone.
* **bot**: a headless or automation browser in the user agent (HeadlessChrome, PhantomJS,
  Electron, Selenium…), a crawler or HTTP library (ua-parser's ``Spider`` device, curl,
  python-requests…), ``navigator.webdriver`` true, or any automation hint the Liveform found.
* **vm**: a WebGL renderer of a virtual machine or a software rasteriser (VMware, VirtualBox,
  Parallels, QEMU/virgl, llvmpipe, SwiftShader, Microsoft Basic Render Driver).
* **emulator**: an Android SDK/emulator device model (``sdk_gphone``, ``Android SDK built for``,
  Genymotion, BlueStacks, Nox, LDPlayer, MEmu) or an Android browser on an x86 platform.
* **tampering**: any API-tampering hint the Liveform found, or a platform that contradicts the
  user agent's OS (an iPhone on ``Win32``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from ua_parser import parse as parse_user_agent

MOBILE_OS = ("Android", "iOS", "iPadOS")
MAX_SHORT_SIDE_PX = 1100
# What the Liveform's script may report (``DeviceSignals.automation`` / ``.tampering``); other
# values are refused at the boundary so a typo cannot silently disable a rule.
AUTOMATION_HINTS = ("webdriver", "cdc_variables", "selenium", "puppeteer", "playwright", "phantom", "nightmare",
                    "headless", "cdp_runtime")  # fmt: skip
TAMPERING_HINTS = ("native_function_overridden", "navigator_prototype", "plugins_inconsistent",
                   "user_agent_mismatch", "timezone_mismatch", "canvas_noise")  # fmt: skip
FLAGS = ("vm", "emulator", "bot", "tampering")

_BOT_AGENT = re.compile(r"headless|phantomjs|electron|selenium|webdriver|puppeteer|playwright|slimerjs|"
                        r"curl/|wget/|python-|httpclient|okhttp|go-http-client|java/|libwww|scrapy", re.I)  # fmt: skip
_VM_RENDERER = re.compile(r"vmware|virtualbox|parallels|qemu|virgl|llvmpipe|swiftshader|basic render|"
                          r"softpipe|mesa offscreen|hyper-v", re.I)  # fmt: skip
_DESKTOP_GPU = re.compile(r"geforce|quadro|nvidia rtx|radeon|intel\(r\) (uhd|hd|iris)|intel (uhd|hd|iris)", re.I)
_EMULATOR_MODEL = re.compile(r"sdk_gphone|android sdk built for|emulator|genymotion|bluestacks|nox|ldplayer|memu",
                             re.I)  # fmt: skip


class InvalidSignals(ValueError):
    pass


@dataclass(frozen=True)
class DeviceSignals:
    """The end user's device as reported at capture time. The Liveform sends every field it can
    read in the browser; the API relays the user agent only.

    ``fingerprint`` is the Liveform's own stable device identifier (its hash of canvas, audio,
    fonts, GPU…); the server never stores it, only a keyed hash of it (``device_hash``).
    """

    user_agent: str = ""
    webdriver: bool | None = None  # navigator.webdriver
    max_touch_points: int | None = None  # navigator.maxTouchPoints
    screen_width: int | None = None  # screen.width, CSS px
    screen_height: int | None = None
    platform: str = ""  # navigator.platform
    webgl_vendor: str = ""  # WEBGL_debug_renderer_info UNMASKED_VENDOR_WEBGL
    webgl_renderer: str = ""  # UNMASKED_RENDERER_WEBGL
    automation: tuple[str, ...] = ()  # AUTOMATION_HINTS the script found
    tampering: tuple[str, ...] = ()  # TAMPERING_HINTS the script found
    fingerprint: str = ""

    def __post_init__(self) -> None:
        for name, allowed in (("automation", AUTOMATION_HINTS), ("tampering", TAMPERING_HINTS)):
            unknown = [hint for hint in getattr(self, name) if hint not in allowed]
            if unknown:
                raise InvalidSignals(f"{name}: unknown hint {unknown[0]!r} (one of {', '.join(allowed)})")

    def stored(self) -> dict[str, Any]:
        """What is kept beside the user agent column: everything but it and the raw fingerprint."""
        values = asdict(self)
        values.pop("fingerprint")
        values.pop("user_agent")
        return {key: value for key, value in values.items() if value not in (None, "", ())}


@dataclass(frozen=True)
class DeviceAssessment:
    checked: bool  # False: no user agent was given, nothing was judged
    mobile: bool = False
    static_passed: bool = True
    static_failures: tuple[str, ...] = ()  # user_agent, screen, graphics
    fingerprint_flags: tuple[str, ...] = ()  # subset of FLAGS, in that order
    reasons: tuple[str, ...] = field(default=())  # one line per failure or flag, for people
    browser: str = ""  # "Mobile Safari 17 / iOS 17", for the dashboard

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=512)
def _parsed(user_agent: str) -> tuple[str, str, str, str, str]:
    """(browser family, browser major, os family, os major, device family) of a user agent."""
    result = parse_user_agent(user_agent)
    agent, os, device = result.user_agent, result.os, result.device
    return (
        agent.family if agent else "",
        (agent.major or "") if agent else "",
        os.family if os else "",
        (os.major or "") if os else "",
        device.family if device else "",
    )


def assess_device(signals: DeviceSignals) -> DeviceAssessment:
    if not signals.user_agent.strip():
        return DeviceAssessment(checked=False)
    browser, browser_major, os_family, os_major, device = _parsed(signals.user_agent)
    if os_family == "Mac OS X" and (signals.max_touch_points or 0) >= 2:
        os_family = "iPadOS"
    mobile = os_family in MOBILE_OS
    static: list[str] = []
    flags: set[str] = set()
    reasons: list[str] = []

    if not mobile:
        static.append("user_agent")
        reasons.append(f"not a mobile OS: {os_family or 'unknown'}")
    width, height = signals.screen_width, signals.screen_height
    if width and height and min(width, height) > MAX_SHORT_SIDE_PX:
        static.append("screen")
        reasons.append(f"screen {width}x{height} is larger than a phone or tablet")
    renderer = f"{signals.webgl_vendor} {signals.webgl_renderer}".strip()
    if renderer and _DESKTOP_GPU.search(renderer):
        static.append("graphics")
        reasons.append(f"desktop graphics: {signals.webgl_renderer or signals.webgl_vendor}")

    if _BOT_AGENT.search(signals.user_agent) or device == "Spider":
        flags.add("bot")
        reasons.append(f"automated client: {browser or signals.user_agent[:40]}")
    if signals.webdriver:
        flags.add("bot")
        reasons.append("navigator.webdriver is set")
    if signals.automation:
        flags.add("bot")
        reasons.append(f"automation hints: {', '.join(signals.automation)}")
    if renderer and _VM_RENDERER.search(renderer):
        flags.add("vm")
        reasons.append(f"virtual or software graphics: {signals.webgl_renderer or signals.webgl_vendor}")
    platform = signals.platform.lower()
    if os_family == "Android" and (_EMULATOR_MODEL.search(signals.user_agent) or "x86" in platform):
        flags.add("emulator")
        reasons.append(f"Android emulator: {device or 'x86 platform'}")
    if signals.tampering:
        flags.add("tampering")
        reasons.append(f"tampering hints: {', '.join(signals.tampering)}")
    if platform and _contradicts(os_family, platform):
        flags.add("tampering")
        reasons.append(f"platform {signals.platform!r} contradicts the user agent's {os_family}")

    return DeviceAssessment(
        checked=True,
        mobile=mobile,
        static_passed=not static,
        static_failures=tuple(static),
        fingerprint_flags=tuple(flag for flag in FLAGS if flag in flags),
        reasons=tuple(reasons),
        browser=f"{browser} {browser_major} / {os_family} {os_major}".replace("  ", " ").strip(" /"),
    )


def _contradicts(os_family: str, platform: str) -> bool:
    if os_family in ("iOS", "iPadOS"):
        return not platform.startswith(("iphone", "ipad", "ipod", "macintel"))
    if os_family == "Android":
        return platform.startswith(("win", "mac", "iphone", "ipad"))
    return False
