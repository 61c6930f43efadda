"""Service functions for members' people (sourcing teams and analysts): each takes
the principal first and reads only what that principal may see."""
