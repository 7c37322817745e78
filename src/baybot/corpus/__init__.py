"""Stage 2, corpus: which files of the corpus folder are documents, and one loader per format."""
