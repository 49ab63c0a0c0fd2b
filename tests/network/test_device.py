"""Device verification rules (spec §8.11; readings in ``network.device``)."""

from __future__ import annotations

import pytest

from network.device import DeviceSignals, InvalidSignals, assess_device

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1"
)
PIXEL = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
EMULATOR = (
    "Mozilla/5.0 (Linux; Android 13; sdk_gphone64_x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
HEADLESS = WINDOWS.replace("Chrome/", "HeadlessChrome/")
MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15"
)


@pytest.mark.parametrize(
    ("signals", "static_passed", "failures", "flags"),
    [
        (DeviceSignals(user_agent=IPHONE, platform="iPhone", max_touch_points=5), True, (), ()),
        (DeviceSignals(user_agent=PIXEL, platform="Linux armv81", webgl_renderer="Adreno (TM) 740"), True, (), ()),
        (DeviceSignals(user_agent=WINDOWS), False, ("user_agent",), ()),
        (DeviceSignals(user_agent=MAC_SAFARI, max_touch_points=0), False, ("user_agent",), ()),
        (DeviceSignals(user_agent=MAC_SAFARI, max_touch_points=5, platform="MacIntel"), True, (), ()),  # iPadOS
        (DeviceSignals(user_agent=HEADLESS), False, ("user_agent",), ("bot",)),
        (DeviceSignals(user_agent="curl/8.5.0"), False, ("user_agent",), ("bot",)),
        (DeviceSignals(user_agent="Googlebot/2.1 (+http://www.google.com/bot.html)"), False, ("user_agent",), ("bot",)),
        (DeviceSignals(user_agent=IPHONE, webdriver=True), True, (), ("bot",)),
        (DeviceSignals(user_agent=PIXEL, automation=("cdc_variables",)), True, (), ("bot",)),
        (DeviceSignals(user_agent=PIXEL, webgl_renderer="Google SwiftShader"), True, (), ("vm",)),
        (DeviceSignals(user_agent=IPHONE, webgl_renderer="VMware SVGA 3D"), True, (), ("vm",)),
        (DeviceSignals(user_agent=EMULATOR), True, (), ("emulator",)),
        (DeviceSignals(user_agent=PIXEL, platform="Linux x86_64"), True, (), ("emulator",)),
        (DeviceSignals(user_agent=IPHONE, platform="Win32"), True, (), ("tampering",)),
        (DeviceSignals(user_agent=PIXEL, tampering=("native_function_overridden",)), True, (), ("tampering",)),
        (DeviceSignals(user_agent=PIXEL, screen_width=2560, screen_height=1440), False, ("screen",), ()),
        (DeviceSignals(user_agent=PIXEL, screen_width=412, screen_height=915), True, (), ()),
        (DeviceSignals(user_agent=PIXEL, webgl_renderer="NVIDIA GeForce RTX 4090/PCIe/SSE2"), False, ("graphics",), ()),
        (
            DeviceSignals(user_agent=EMULATOR, webdriver=True, webgl_renderer="llvmpipe", tampering=("canvas_noise",)),
            True,
            (),
            ("vm", "emulator", "bot", "tampering"),
        ),
    ],
)
def test_rules(signals, static_passed, failures, flags):
    assessment = assess_device(signals)

    assert assessment.checked
    assert (assessment.static_passed, assessment.static_failures, assessment.fingerprint_flags) == (
        static_passed, failures, flags,
    )  # fmt: skip
    assert len(assessment.reasons) >= len(failures) + len(flags)


def test_no_user_agent_is_not_checked():
    assert assess_device(DeviceSignals(user_agent="  ")).checked is False


def test_unknown_hints_are_refused():
    with pytest.raises(InvalidSignals, match="automation: unknown hint 'selenum'"):
        DeviceSignals(user_agent=IPHONE, automation=("selenum",))


def test_the_raw_fingerprint_is_never_among_the_stored_signals():
    signals = DeviceSignals(user_agent=IPHONE, fingerprint="fp-123", max_touch_points=5, automation=("webdriver",))

    assert signals.stored() == {"max_touch_points": 5, "automation": ("webdriver",)}


def test_a_browser_summary_for_people():
    assert assess_device(DeviceSignals(user_agent=IPHONE)).browser == "Mobile Safari 17 / iOS 17"
