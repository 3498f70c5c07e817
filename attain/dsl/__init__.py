"""The policy language: grammar, parser, syntax tree and checker."""
