name = "sibling"
