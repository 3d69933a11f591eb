"""Legacy Aodh alarm types for the heatlike devcloud (see rule.py)."""
