loads = globals().get("loads", 0) + 1
