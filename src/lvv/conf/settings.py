"""Default settings module: base settings, values from the environment."""

from .base import *  # noqa: F401,F403
