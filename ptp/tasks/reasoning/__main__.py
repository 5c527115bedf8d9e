"""``python -m ptp.tasks.reasoning RESULTS``: the oracle-over-styles table of a run."""

import sys

from ._oracle import main

sys.exit(main())
