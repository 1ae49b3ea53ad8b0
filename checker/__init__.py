"""fcr: offline fair-competition review of Chinese policy measures and tender files."""

__version__ = "0.1.0"
