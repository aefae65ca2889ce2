"""The benchmark instrument (``python -m bench``): figures taken beside their baselines."""
