"""``python -m critic2fan.build_encoder``: build the scoring encoder ahead of its first use.

For container images and hosts whose workers may not write: the int8 ONNX encoder is built
into ``model.cache_dir`` (default ``$CRITIC2FAN_CACHE_DIR``, else the user cache), and the
file's path is printed. When the file is already there, nothing is built.
"""

from __future__ import annotations

import sys

from core.errors import Critic2fanError


def main() -> int:
    """Build (or find) the encoder in the configured cache folder; print its path."""
    from critic2fan.settings import load_settings
    from scoring.adapter import load_adapter
    from scoring.onnx_build import default_model_path, onnx_encoder_path

    try:
        folder = load_settings().model.cache_dir
        print(onnx_encoder_path(default_model_path(), folder, adapter=load_adapter()))
    except Critic2fanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
