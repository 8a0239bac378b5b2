"""Headless Chromium for the browser tests: skipped where it is not installed, required in CI."""

import os
import shutil

import pytest

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,1600",
)


def require() -> None:
    """Skips the calling test module where Chromium is missing; in CI that is an error."""
    if not (CHROMIUM and DRIVER):
        if os.environ.get("CI"):
            raise RuntimeError(
                "chromium and chromedriver must be installed in CI (.ci/run installs them)"
            )
        pytest.skip("chromium/chromedriver not installed", allow_module_level=True)


def start(user_data_dir):
    """A headless Chromium with its own profile folder; the console log is kept (get_log)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={user_data_dir}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=options)
