"""The bundled sample: public mentions of the fictional brand Brightloop, with ground truth.

The content is in ``sample/data/*.yaml``; regenerate the two files with
``python -m sample.generate``. See docs/sample-data.md.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["MENTIONS_PATH", "TRUTH_PATH"]

_HERE = Path(__file__).resolve().parent
#: The sample mentions, one import row (JSON object) per line.
MENTIONS_PATH: Path = _HERE / "mentions.jsonl"
#: Ground truth for every mention, author and false claim in the sample.
TRUTH_PATH: Path = _HERE / "truth.jsonl"
