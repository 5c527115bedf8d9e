"""Training tests: CPU smoke twins run everywhere the ``train`` extra is installed; real CPU
runs (``slow``) need ``PTP_TRAIN_SLOW=1``; ``gpu`` jobs skip without CUDA."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("trl", reason="the train extra is not installed: pip install -e '.[train]'")


def pytest_collection_modifyitems(config, items) -> None:
    import torch

    cuda = torch.cuda.is_available()
    for item in items:
        if "gpu" in item.keywords and not cuda:
            item.add_marker(pytest.mark.skip(reason="needs a CUDA GPU"))
        elif "slow" in item.keywords and os.environ.get("PTP_TRAIN_SLOW") != "1":
            item.add_marker(pytest.mark.skip(reason="a real training run: set PTP_TRAIN_SLOW=1"))
