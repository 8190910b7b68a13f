"""Enforcement writers: penalties (actions, strikes, the ladder), appeals, and the outbound outbox."""
