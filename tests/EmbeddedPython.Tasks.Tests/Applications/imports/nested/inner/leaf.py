from . import sibling

leaf = "leaf+" + sibling.name
