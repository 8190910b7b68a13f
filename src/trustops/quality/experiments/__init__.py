"""Experiments: arms compared by reviewer or by item, their analysis, and the sample-size calculator."""
