"""The built-in xAPI Learning Record Store."""
