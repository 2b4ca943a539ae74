"""The environment git runs in: without the variables that redirect it (no imports, cheap).

`okr`'s entry point calls `clean_environment` first, and every git process okr
starts calls it again: GitPython copies `os.environ` into each process and can
only add variables to it, never take one away.
"""

from __future__ import annotations

import os

# Variables that point git at another repository or index (git rev-parse
# --local-env-vars, plus two set inside hooks); hooks export some of them.
LOCAL_ENV_VARS = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_OBJECT_DIRECTORY",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_GRAFT_FILE",
        "GIT_INDEX_FILE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_PREFIX",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_SHALLOW_FILE",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_QUARANTINE_PATH",
    }
)


def clean_environment() -> None:
    """Remove the repository-redirecting GIT_* variables from `os.environ`, so every git
    process works on the repository its working folder is in, never on one a hook named."""
    environ = os.environ
    for name in LOCAL_ENV_VARS.intersection(environ):
        del environ[name]
