"""Check logic for each stage's exercises, kept out of the notebooks so it can be unit-tested."""
