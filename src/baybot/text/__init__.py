"""Stage 1, text: languages and scripts, sentences, headings and tables, terms, the glossary,
tokens, and BayBot's own wording in three languages. Imports nothing but the base modules."""
