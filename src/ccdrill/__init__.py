"""ccdrill — plan, run, evaluate and improve contact-centre emergency-plan drills."""

__version__ = "0.1.0"
