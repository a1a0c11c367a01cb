"""The data every stage shares: retrieved passages and the answers built from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.citations import cited_numbers


@dataclass(frozen=True)
class Passage:
    """A chunk of a source document, as retrieved for a question."""

    id: str
    source: str  # the name shown to users, e.g. "seeds/000_2700a83b44745f36.txt"
    text: str
    line_start: int
    line_end: int
    score: float = 0.0
    page_start: int = 0  # paged formats (PDF): the pages the text sits on; 0 otherwise
    page_end: int = 0
    heading: str = ""  # markdown: the headings the text sits under, e.g. "Install › Linux"
    link: str = ""  # the title retrieval followed from the first passage to this one (rag/retrieval/hops.py)

    def scored(self, score: float) -> Passage:
        """This passage under another score. Retrieval rescores ~150 passages a question, and
        dataclasses.replace takes four times as long as this."""
        return Passage(
            self.id, self.source, self.text, self.line_start, self.line_end, score, self.page_start, self.page_end, self.heading, self.link
        )

    def with_heading(self, naming_words: int) -> str:
        """The text as the model reads it and verification checks it: under the headings it
        sits under when they name something (`naming_words` words at most, e.g. "Tomas
        Brenner", "Install › Linux"), which says who "he" or "its" is ("Tomas Brenner: He played
        for the Falcons"). A longer heading is a headline, a sentence of its own: put before
        every sentence, it draws the small model off the sentence."""
        if not self.heading or len(self.heading.split()) > naming_words or self.text.startswith(self.heading):
            return self.text
        return f"{self.heading}: {self.text}"

    def to_json(self) -> dict:
        """As `--json`, `rag search` and the MCP tools show a passage."""
        return {"source": self.source, "span": self.span, "heading": self.heading, "text": self.text, "score": round(self.score, 6)}

    @property
    def span(self) -> str:
        """Where the text is, as precisely as the format allows: pages for a PDF, else lines."""
        if self.page_start:
            return f"p. {self.page_start}" if self.page_start == self.page_end else f"pp. {self.page_start}-{self.page_end}"
        if self.line_start == self.line_end:
            return f"L{self.line_start}"
        return f"L{self.line_start}-{self.line_end}"


def search_json(query: str, passages: list[Passage]) -> dict:
    """What `rag search --json` prints and the MCP `search` tool returns."""
    return {"query": query, "passages": [p.to_json() for p in passages]}


@dataclass(frozen=True)
class Citation:
    """A passage the answer cites, under the number [n] it had in the prompt."""

    n: int
    passage: Passage


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer, with the passages that support it and how sure the model was
    of it (0 to 1; None where the model gives no token probabilities)."""

    text: str
    sources: tuple[int, ...]
    confidence: float | None = None

    def to_json(self) -> dict:
        sure = None if self.confidence is None else round(self.confidence, 4)
        return {"text": self.text, "citations": list(self.sources), "confidence": sure}


@dataclass(frozen=True)
class Repair:
    """An answer sentence whose citations were changed to the passages that support it."""

    sentence: str
    cited: tuple[int, ...]  # what the model wrote
    now: tuple[int, ...]  # what the passages support

    def to_json(self) -> dict:
        return {"sentence": self.sentence, "cited": list(self.cited), "now": list(self.now)}


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    passages: tuple[Passage, ...] = ()
    # Sentences the model wrote that no passage supports, or that do not answer the question
    # (they restate its subject, or lost to a better answer); not shown as answers.
    removed_sentences: tuple[str, ...] = ()
    # For a question with one answer: what other passages say instead, where the model was
    # nearly as sure of it. The answer's text holds the best-supported one only.
    conflicts: tuple[Claim, ...] = ()
    confidence: float | None = None  # the model's, in the least sure sentence of the answer
    repaired_citations: tuple[Repair, ...] = ()
    # Why the answer is the abstention: "weak evidence" (the model was not asked), "nothing
    # supported" (it was, and nothing it said held up) or "nothing answers" (what held up
    # restated the question's subject, or the model was unsure of it).
    abstention_reason: str = ""
    model: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def cited_by_text(self) -> tuple[Citation, ...]:
        """The citations the answer's own sentences cite; the others are a conflict's."""
        cited = set(cited_numbers(self.text))
        return tuple(c for c in self.citations if c.n in cited)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "citations": [{"n": c.n, **c.passage.to_json()} for c in self.citations],
            "abstained": self.abstained,
            "abstention_reason": self.abstention_reason,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "conflicts": [c.to_json() for c in self.conflicts],
            "removed_sentences": list(self.removed_sentences),
            "repaired_citations": [r.to_json() for r in self.repaired_citations],
            "model": self.model,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "usage": self.usage,
        }
