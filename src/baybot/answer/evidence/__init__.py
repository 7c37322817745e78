"""Evidence: which sentences of the retrieved passages answer the question, and whether they
are enough to answer it at all. checker.py judges, with the refusal model (refusal.py), the
corpus vocabulary (vocabulary.py), the places check (places.py) and the sentence vectors
(sentences.py)."""
