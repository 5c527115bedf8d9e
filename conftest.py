"""Root conftest. The ptp plugin loads through its pytest11 entry point; these two fixtures
are imported here so that ptp's cassette layout and policy win over pytest-recording's
defaults whatever order the plugins load in."""

from ptp.pytest_plugin import vcr_cassette_dir, vcr_config

__all__ = ["vcr_cassette_dir", "vcr_config"]

pytest_plugins = ["pytester"]  # ptp/tests/test_plugin.py runs whole pytest sessions
