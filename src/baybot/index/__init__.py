"""Stage 3, index: chunks, embedders, the vector cache, BM25, the vector store, the versioned
index on disk, and ingest, which builds or updates it."""
