"""Interest registration for learning and coping offerings."""
