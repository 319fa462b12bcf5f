"""Small, tested helpers for the PyTorch course notebooks.

Importing this package does nothing but define functions: no seeding, no downloads,
no global plotting state. Submodules with heavier dependencies (plots, data, widgets)
are imported explicitly, e.g. ``from helpers.plot import show_images``.
"""

from helpers.config import announce_smoke, data_dir, display_path, repo_root, smoke_mode
from helpers.device import describe_device, pick_device
from helpers.i18n import get_language, set_language
from helpers.seed import seed_everything

__all__ = [
    "announce_smoke",
    "data_dir",
    "describe_device",
    "display_path",
    "get_language",
    "pick_device",
    "repo_root",
    "seed_everything",
    "set_language",
    "smoke_mode",
]
