"""Root conftest. The ptp plugin loads through its pytest11 entry point; these two fixtures
are imported here so that ptp's cassette layout and policy win over pytest-recording's
defaults whatever order the plugins load in."""

from ptp.pytest_plugin import vcr_cassette_dir, vcr_config
from ptp.sandbox._cgroup import confine_this_process

# Hostile-code tests (fork bombs) run in the sandbox, whose own limits they test; where
# cgroups are writable the whole run also sits in an outer pids cgroup, so that a sandbox bug
# cannot fill the machine's process table (it did once, before the sandbox had a cgroup).
OUTER_TASK_CAP = 4096


def pytest_configure(config) -> None:
    if not hasattr(config, "workerinput"):  # xdist workers start later and inherit it
        confine_this_process(OUTER_TASK_CAP)


__all__ = ["vcr_cassette_dir", "vcr_config"]

pytest_plugins = ["pytester"]  # ptp/tests/test_plugin.py runs whole pytest sessions
