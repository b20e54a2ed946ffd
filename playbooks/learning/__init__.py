"""What converts critics: attribution per case, conversion by what cases received, cost per
fan, fairness by loudness and care by agent (docs/learning.md)."""
