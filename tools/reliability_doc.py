"""docs/reliability.md: the generated sections that `make loadtest` and `make drills` rewrite."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "reliability.md"


def reliability_doc_write(section: str, body: str) -> None:
    """Replaces what stands between `<!-- <section>:start -->` and `<!-- <section>:end -->` (appended if missing)."""
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    text = DOC.read_text() if DOC.exists() else "# Reliability\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    block = f"{start}\n{body}\n{end}"
    DOC.write_text(re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S))
