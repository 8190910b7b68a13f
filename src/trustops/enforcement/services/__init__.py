"""Enforcement writers: penalties (actions, strikes, the ladder) and their reversal."""
