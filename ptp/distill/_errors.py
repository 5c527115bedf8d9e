"""The distiller's error."""

from ptp.errors import PtpError

__all__ = ["DistillError"]


class DistillError(PtpError, ValueError):
    """Distillation cannot go on; the message says why and what to do."""
