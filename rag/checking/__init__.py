"""Stage 4b, checking: is a claim supported by the passages it cites?"""
