"""Publishing a built artefact folder so that no reader ever sees half of one."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path


def write_atomically(
    path: Path, write: Callable[[Path], None], *, complete: str, force: bool = False
) -> None:
    """Run ``write`` on an empty sibling folder of ``path``, then rename it to ``path``.

    ``complete`` names the file that only a finished artefact has: when another process
    published the same artefact first, theirs is kept. ``force`` replaces an existing one.
    """
    staging = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        write(staging)
        if force:
            shutil.rmtree(path, ignore_errors=True)
        try:
            staging.rename(path)
        except OSError:  # another process finished the same build first
            if not (path / complete).exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
