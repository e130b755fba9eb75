"""The course toolkit."""
