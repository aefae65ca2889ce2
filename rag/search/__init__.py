"""Stage 3, search: fusing keyword and dense rankings, diversity. Pure functions over ids and
scores; the Library calls them."""
