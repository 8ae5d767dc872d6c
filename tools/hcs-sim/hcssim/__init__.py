"""HCS 8.0.2 / OceanStor Dorado V6 simulator (standard library only)."""
