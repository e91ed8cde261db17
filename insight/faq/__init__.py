"""The shop's FAQ: entries with paraphrases in ``knowledge/``, answered by FAISS retrieval.

``FaqIndex`` is the contract (``FakeFaqIndex`` its test double); ``FaissFaqIndex`` in
``insight.faq.index`` is the real one (imported from there, so that importing the contract does
not load FAISS).
"""

from insight.faq.contracts import FakeFaqIndex, FaqAnswer, FaqEntry, FaqHit, FaqIndex

__all__ = ["FakeFaqIndex", "FaqAnswer", "FaqEntry", "FaqHit", "FaqIndex"]
