"""One encoder pass per shopper message: intent, emotion, polarity and the FAQ query vector."""
