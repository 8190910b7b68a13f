"""DSA Art. 23(2): suspending, after a warning, the processing of notices or complaints from those who frequently
submit manifestly unfounded ones."""
