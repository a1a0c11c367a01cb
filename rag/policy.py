"""Every weight, threshold, cap and size that decides what `rag` retrieves, shows the model and
accepts as an answer, in one place.

Each is a setting of the same name (a config file, `RAG_NAME`), can be tried for one eval run
with `rag eval --set NAME=VALUE`, is listed by `rag config`, and is written into every eval
report. The values set from data were set on the whole public dev sets, before the folds existed;
a value changed from now on is set on the tune folds (`rag eval --fold tune`) and judged on check.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


def _knob(default: float, why: str):
    return field(default=default, metadata={"why": why})


@dataclass(frozen=True)
class Policy:
    # Retrieval
    candidates: int = _knob(30, "passages each retriever offers before fusion")
    keyword_weight: float = _knob(0.55, "BM25's share of the fused score: with the small MiniLM embedder keywords are the stronger signal")
    coverage_weight: float = _knob(
        0.5,
        "bonus, per share of the question's words, for a passage holding words those above it lack: a question about two things gets both",
    )
    near_duplicate: float = _knob(
        0.95, "share of the shorter passage's words another holds before it counts as a copy; lower, news from one template collapsed"
    )
    link_search: int = _knob(20, "chunks searched by keyword for those naming a page's title (the second hop)")
    # Focus and the evidence gate
    focus_overlap_weight: float = _knob(
        0.5, "weight of shared question words beside embedding similarity: MiniLM alone ranks the topic above the asked-for name or number"
    )
    min_evidence: float = _knob(
        0.5,
        "below this focus score of the best sentence, abstain without asking the model (0: never); see benchmarks/calibrate_evidence.py",
    )
    naming_heading_words: int = _knob(
        8, "a heading this short names the subject and is read before its sentences; a longer one is a headline that draws the model off"
    )
    # Drafting
    extract_max_tokens: int = _knob(60, "reply cap when the model reads one sentence: a claim, or NONE")
    synthesize_max_tokens: int = _knob(80, "reply cap when the model weighs every sentence at once (yes/no, choices, bridges)")
    answer_max_tokens: int = _knob(200, "reply cap for one cited answer over every passage (the single drafting strategy)")
    yes_share: float = _knob(
        0.5,
        "a yes/no verdict is Yes only where the model's first token puts this share of its yes-or-no weight on yes: 0.5, its own pick, is right on .59 of the tune folds' 64 yes/no questions, 0.7 on .48 (benchmarks/calibrate_confidence.py --verdicts); on the check folds 0.5 turns 22 of 63 right verdicts into 39",
    )
    same_claim: float = _knob(
        0.9,
        "claims sharing this much of their words are one claim citing both; lower, 'a truly reliable' and 'a genuinely reliable' merged",
    )
    extractive_share: float = _knob(0.85, "--llm none also quotes a sentence scoring this close to the best one")
    extractive_max: int = _knob(2, "sentences --llm none quotes at most")
    # Selection
    min_confidence: float = _knob(
        0.15,
        "a claim the model was less sure of than this is set aside; none left, the answer abstains. Higher, the tune folds lose an answerable question for each unanswerable one refused (benchmarks/calibrate_confidence.py)",
    )
    conflict_share: float = _knob(
        0.8, "a different answer to a one-answer question, held this nearly as surely as the best, is shown as a conflict"
    )
    # Verification
    min_support: float = _knob(0.6, "share of a claim's words its cited passages must hold")
    new_support: float = _knob(
        0.5, "share of the words a claim adds to the question its passages must hold; higher, 'met' against 'meet' fails (no common stem)"
    )
    verdict_support: float = _knob(
        0.2,
        "share of a yes/no question's words the passages behind the verdict must hold; long questions name outlets and dates kept in headers",
    )
    restated_support: float = _knob(
        0.5,
        "share of the question's words a claim repeats that its passages must hold, and each number among them (0: neither): 'won the 2021 Tour' from a passage on the 2019 one is no answer. From the tune folds (benchmarks/calibrate_restated.py); 0.6 there, but the seeds lost answers echoing how a question asks ('holds the position of')",
    )
    max_sources: int = _knob(3, "passages a repaired sentence is re-cited to at most")
    # Follow-up questions in chat
    followup_max_tokens: int = _knob(48, "reply cap for rewriting a follow-up into a standalone question")
    followup_turns: int = _knob(3, "last turns the rewrite sees; older ones rarely hold what 'he' means")
    followup_keep: float = _knob(0.5, "share of the question's own words a rewrite must keep to be used")


DEFAULT = Policy()


def knobs() -> dict[str, str]:
    """Each policy value's name and why it is there."""
    return {knob.name: knob.metadata["why"] for knob in fields(Policy)}
