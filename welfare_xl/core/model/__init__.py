"""The survey model: plan, goals, indicators, values, eras, numbers as typed, the key layout."""
