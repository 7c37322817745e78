"""Stage 4, search: the Retriever over a built index (dense + BM25 + place match, calibrated,
fused, filtered, optionally reranked)."""
